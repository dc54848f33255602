"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per problem."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from cliplint.formats import RenderOptions, escape_surrogates, full_message, whole_report
from cliplint.formats.text import printable
from cliplint.model import Problem, Rule, Tally
from cliplint.streams import python_escape, utf8_encodable

if TYPE_CHECKING:
    from cliplint.fixer import Fixes
    from cliplint.runner import FileResult

_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


#: Control characters but the line ends, which the runner decodes (``%0A``), and the tab,
#: which a log shows as white space: shown as escapes, ``\x1b``. (GitHub's log shows ANSI
#: sequences as colours, a terminal runs them; the runner decodes nothing else, so a file
#: named with one cannot be annotated: see :func:`_annotation`. A tab goes as it is: the
#: annotation of ``a<TAB>b.md`` lands on it, not on a file named ``a\tb.md``.)
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _escape_data(text: str) -> str:
    text = _CONTROLS.sub(lambda control: python_escape(control.group()), text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_stream(results: Iterable[FileResult], rules: Mapping[str, Rule],
                 options: RenderOptions, write: Callable[[str], object], /, *,
                 fixes: Fixes | None = None) -> Tally:
    """The annotations of a lint run, written file by file as ``results`` come."""
    tally = Tally()
    for result in results:
        tally = tally.add(result.problems, result.checked)
        if result.problems:
            write("".join(_annotation(problem) for problem in result.problems))
    return tally


render = whole_report(write_stream)


def _annotation(problem: Problem) -> str:
    # A name that file= cannot hold exactly is left out, with its position: written as an
    # escape (\udce9, \x1b) it would name another file, one a repository may hold, where
    # GitHub would put the annotation. The message then says where, as the text report.
    exact = _nameable(problem.path)
    location = (("file", problem.path), ("line", problem.line), ("col", problem.column),
                ("endLine", problem.end_line), ("endColumn", problem.end_column))
    properties = ",".join(
        f"{key}={_escape_property(str(value))}"
        for key, value in (*(location if exact else ()), ("title", f"cliplint ({problem.rule})"))
    )
    where = "" if exact else f"{printable(problem.path)}:{problem.line}:{problem.column}: "
    # The messages as the text report shows them (a bidi control in a quoted title would
    # reorder the annotation a reader sees); the paths as the runner takes them.
    message = _escape_data(f"{where}{problem.rule}: {full_message(problem, str, printable)}")
    return escape_surrogates(f"::{_LEVELS[problem.severity]} {properties}::{message}\n")


def _nameable(path: str) -> bool:
    """Whether ``file=`` can name the file at ``path`` exactly: the runner reads the line
    as UTF-8 and decodes only ``%25``, ``%0D``, ``%0A``, ``%3A`` and ``%2C`` in it, so no
    byte that is not UTF-8 (a lone surrogate here) can be written, nor a control character
    shown as an escape (:data:`_CONTROLS`)."""
    return utf8_encodable(path) and _CONTROLS.search(path) is None
