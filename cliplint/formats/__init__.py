"""Built-in report formats, registered through the ``cliplint_formats`` hook."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cliplint.hookspecs import hookimpl
from cliplint.model import Problem, Report


@dataclass(frozen=True)
class RenderOptions:
    """How the user asked for the report: ``--show-source`` (each problem's source line
    and a caret), colour (only on a terminal, never with ``NO_COLOR``) and
    ``--statistics`` (problems counted per rule instead of listed); ``summary`` False
    with ``-q`` (the problems and nothing else); ``max_warnings`` from
    ``--max-warnings``, for a summary that says whether the run passes."""

    show_source: bool = False
    color: bool = False
    statistics: bool = False
    summary: bool = True
    max_warnings: int | None = None


Renderer = Callable[[Report, RenderOptions], str]


def full_message(problem: Problem, show_path: Callable[[str], str] = str) -> str:
    """The problem's message and the other files it names, for formats with one text per
    problem: ``same article URL — duplicate of b.md``."""
    if not problem.related:
        return problem.message
    others = ", ".join(f"{item.message} {show_path(item.path)}" for item in problem.related)
    return f"{problem.message} — {others}"


def _lazy(module: str) -> Renderer:
    """A renderer that imports its module only when a report is rendered in that
    format: a pre-commit run on one file should not pay for XML and SARIF."""

    def render(report: Report, options: RenderOptions) -> str:
        renderer: Renderer = importlib.import_module(f"cliplint.formats.{module}").render
        return renderer(report, options)

    return render


#: The built-in formats and their modules. Each module has ``render`` (a whole report)
#: and ``write_stream`` (a lint run's report, written as the files are linted).
BUILTIN_FORMATS = {"text": "text", "json": "json_report", "github": "github", "sarif": "sarif",
                   "junit": "junit", "gitlab": "gitlab", "html": "html_report"}


@hookimpl
def cliplint_formats() -> Mapping[str, Renderer]:
    return {name: _lazy(module) for name, module in BUILTIN_FORMATS.items()}
