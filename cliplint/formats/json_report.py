"""The JSON report, versioned; its schema ships as ``cliplint/schemas/report.schema.json``."""

from __future__ import annotations

import json
from typing import Any

from cliplint import __version__
from cliplint.formats import RenderOptions
from cliplint.model import Problem, Report

REPORT_VERSION = 1


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(as_data(report), ensure_ascii=False, indent=2) + "\n"


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
