"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per problem."""

from __future__ import annotations

from cliplint.formats import RenderOptions
from cliplint.model import Report

_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, options: RenderOptions) -> str:
    lines = []
    for problem in report.problems:
        properties = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("file", problem.path),
                ("line", problem.line),
                ("col", problem.column),
                ("endLine", problem.end_line),
                ("endColumn", problem.end_column),
                ("title", f"cliplint ({problem.rule})"),
            )
        )
        message = _escape_data(f"{problem.rule}: {problem.message}")
        lines.append(f"::{_LEVELS[problem.severity]} {properties}::{message}")
    return "".join(line + "\n" for line in lines)
