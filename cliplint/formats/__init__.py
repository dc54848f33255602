"""Built-in report formats, registered through the ``cliplint_formats`` hook.

Each format has one renderer, ``write_stream`` (a :class:`StreamWriter`): it writes the
report of a lint run as the files' results come. A whole report (``--baseline``,
``--online``, ``--fix``) is written by the same function, from its problems taken back
into file results (:func:`whole_report`).
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol

from cliplint.hookspecs import hookimpl
from cliplint.model import Problem, Report, Rule, Tally
from cliplint.streams import utf8_encodable

if TYPE_CHECKING:
    from cliplint.fixer import Fixes
    from cliplint.runner import FileResult


# A named tuple, as cliplint.model.Rule: every run defines it, and a frozen dataclass
# costs several times more to define.
class RenderOptions(NamedTuple):
    """How the user asked for the report: ``--show-source`` (each problem's source line
    and a caret), colour (only on a terminal, never with ``NO_COLOR``) and
    ``--statistics`` (problems counted per rule instead of listed); ``summary`` False
    with ``-q`` (the problems and nothing else); ``max_warnings`` from
    ``--max-warnings``, for a summary that says whether the run passes;
    ``nothing_selected``, asked once the files have all come: whether no rule was
    enabled for any of them (``select = []``), so that a summary does not call them
    clean; ``unsafe_fixes`` with ``--unsafe-fixes``, with which ``--fix`` applies the
    unsafe fixes too: a summary counts them among the problems fixable with ``--fix``
    (as ruff does) rather than ask for a flag already given."""

    show_source: bool = False
    color: bool = False
    statistics: bool = False
    summary: bool = True
    max_warnings: int | None = None
    nothing_selected: Callable[[], bool] | None = None
    unsafe_fixes: bool = False


Renderer = Callable[[Report, RenderOptions], str]


class SpoolError(Exception):
    """A report's temporary file could not be made, written or read back (a full disk, a
    file size limit): the machine's trouble, which the command says in a line (exit 2).
    Its message says where and why (:class:`cliplint.formats.spool.Spool`)."""


class StreamWriter(Protocol):
    """A report format: writes the report of ``results`` (each file's problems, in the
    order a lint run yields them) through ``write`` as they come, and returns their
    tally. ``fixes``: what ``--fix``, ``--fix-only`` or ``--diff`` did, for the formats
    that report it (the text summary, the JSON's ``fixed``)."""

    def __call__(self, results: Iterable[FileResult], rules: Mapping[str, Rule],
                 options: RenderOptions, write: Callable[[str], object], /, *,
                 fixes: Fixes | None = None) -> Tally: ...


def whole_report(write_stream: StreamWriter,
                 as_results: Callable[[Report], Iterable[FileResult]] | None = None
                 ) -> Renderer:
    """The renderer of a whole report that ``write_stream`` makes: the report's problems
    as file results (by ``as_results``, :func:`file_results` unless said), written into
    one string."""

    def render(report: Report, options: RenderOptions) -> str:
        parts: list[str] = []
        results = (as_results or file_results)(report)
        write_stream(results, report.rules, options, parts.append, fixes=report.fixes)
        return "".join(parts)

    return render


def file_results(report: Report) -> Iterator[FileResult]:
    """A whole report as the results of a lint run: each file checked, in order, with
    its own problems (those that come next in the report and name it); then the
    problems left (what archive rules found, of a file checked or not), one result for
    each run of problems of one file, not ``checked``. The problems keep their order."""
    from cliplint.runner import FileResult

    problems = report.problems
    taken = 0
    for path in report.files:
        start = taken
        while (taken < len(problems) and problems[taken].path == path
               and not _found_by_archive_rule(problems[taken], report.rules)):
            taken += 1
        yield FileResult(path, list(problems[start:taken]))
    for path, found in itertools.groupby(problems[taken:], key=lambda problem: problem.path):
        yield FileResult(path, list(found), checked=False)


def _found_by_archive_rule(problem: Problem, rules: Mapping[str, Rule]) -> bool:
    rule = rules.get(problem.rule)
    return rule is not None and rule.is_archive_rule


def full_message(problem: Problem, show_path: Callable[[str], str] = str,
                 show_message: Callable[[str], str] = str) -> str:
    """The problem's message and the other files it names, for formats with one text per
    problem: ``same article URL — duplicate of b.md``; its paths written by
    ``show_path``, its messages (the problem's, the related files') by ``show_message``."""
    if not problem.related:
        return show_message(problem.message)
    others = ", ".join(f"{show_message(item.message)} {show_path(item.path)}"
                       for item in problem.related)
    return f"{show_message(problem.message)} — {others}"


def escape_surrogates(text: str) -> str:
    """Report text with each lone surrogate (a file name that is not UTF-8, decoded with
    ``surrogateescape``) written as the escape JSON and Python read back
    (``\\udcff``): UTF-8 cannot hold the surrogate itself, and a report must stay UTF-8."""
    if utf8_encodable(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _lazy(module: str) -> Renderer:
    """A renderer that imports its module only when a report is rendered in that
    format: a pre-commit run on one file should not pay for XML and SARIF."""

    def render(report: Report, options: RenderOptions) -> str:
        renderer: Renderer = importlib.import_module(f"cliplint.formats.{module}").render
        return renderer(report, options)

    return render


#: The built-in formats and their modules. Each module has ``write_stream`` (a lint run's
#: report, written as the files are linted) and ``render``, the whole report it makes.
BUILTIN_FORMATS = {"text": "text", "json": "json_report", "github": "github", "sarif": "sarif",
                   "junit": "junit", "gitlab": "gitlab", "html": "html_report"}


@hookimpl
def cliplint_formats() -> Mapping[str, Renderer]:
    return {name: _lazy(module) for name, module in BUILTIN_FORMATS.items()}
