"""The JSON report, versioned; its schema ships as ``cliplint/schemas/report.schema.json``."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cliplint import __version__
from cliplint.formats import RenderOptions
from cliplint.model import Problem, Report, Rule, Tally

if TYPE_CHECKING:
    from cliplint.runner import FileResult

REPORT_VERSION = 1


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(as_data(report), ensure_ascii=False, indent=2) + "\n"


def write_stream(results: Iterable[FileResult], rules: Mapping[str, Rule],
                 options: RenderOptions, write: Callable[[str], object]) -> Tally:
    """The same document as ``render`` for a lint run. ``files_checked`` comes before the
    problems but is known only at the end: the problems wait in a temporary file, not in
    memory."""
    tally = Tally()
    written = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for result in results:
            for problem in result.problems:
                # An item of the list, indented as json.dumps(indent=2) nests it (strings
                # hold no raw newline: JSON escapes them).
                item = json.dumps(_problem(problem), ensure_ascii=False, indent=2)
                separator = ",\n    " if written else "\n    "
                spool.write(separator + item.replace("\n", "\n    "))
                written += 1
            tally = tally.add(result.problems)
        head = {"version": REPORT_VERSION, "tool": {"name": "cliplint", "version": __version__},
                "files_checked": tally.files, "problems": []}
        text = json.dumps(head, ensure_ascii=False, indent=2)
        if not tally.problems:
            write(text + "\n")
            return tally
        write(text[: -len("[]\n}")] + "[")
        spool.seek(0)
        shutil.copyfileobj(spool, _Writer(write))
        write("\n  ]\n}\n")
    return tally


class _Writer:
    """A file-like front for a ``write`` function (for ``shutil.copyfileobj``)."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write


def as_data(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": REPORT_VERSION,
        "tool": {"name": "cliplint", "version": __version__},
        "files_checked": report.files_checked,
        "problems": [_problem(problem) for problem in report.problems],
    }
    fixed = getattr(report, "fixed", None)  # only a report made by --fix / --fix-only
    if fixed is not None:
        data["fixed"] = [
            {"path": entry.path, "rule": entry.rule, "count": entry.count,
             "descriptions": list(entry.descriptions)}
            for entry in fixed
        ]
    return data


def _problem(problem: Problem) -> dict[str, Any]:
    fix = None
    if problem.fix is not None:
        fix = {
            "applicability": problem.fix.applicability,
            # The command line that applies it: remaining problems say how to fix them.
            "flag": "--fix" if problem.fix.applicability == "safe" else "--fix --unsafe-fixes",
            "description": problem.fix.description,
            "edits": [
                {"start": edit.start, "end": edit.end, "content": edit.replacement}
                for edit in problem.fix.edits
            ],
        }
    return {
        "path": problem.path,
        "rule": problem.rule,
        "severity": problem.severity,
        "message": problem.message,
        "line": problem.line,
        "column": problem.column,
        "end": {"line": problem.end_line, "column": problem.end_column},
        "fix": fix,
    }
