"""The JSON report, versioned; its schema ships as ``cliplint/schemas/report.schema.json``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cliplint import __version__
from cliplint.docs import documented, rule_url
from cliplint.formats import RenderOptions
from cliplint.formats.spool import JsonListSpool
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
    linked = documented(rules)
    with JsonListSpool(depth=2) as problems:
        for result in results:
            for problem in result.problems:
                problems.add(_problem(problem, linked))
            tally = tally.add(result.problems, result.checked)
        problems.write_document(_head(tally.files), "problems", write)
    return tally


def _head(files_checked: int) -> dict[str, Any]:
    return {"version": REPORT_VERSION, "tool": {"name": "cliplint", "version": __version__},
            "files_checked": files_checked, "problems": []}


def as_data(report: Report) -> dict[str, Any]:
    data = _head(report.files_checked)
    linked = documented(report.rules)
    data["problems"] = [_problem(problem, linked) for problem in report.problems]
    fixed = getattr(report, "fixed", None)  # only a report made by --fix / --fix-only
    if fixed is not None:
        data["fixed"] = [
            {"path": entry.path, "rule": entry.rule, "count": entry.count,
             "descriptions": list(entry.descriptions)}
            for entry in fixed
        ]
    return data


def _problem(problem: Problem, linked: frozenset[str]) -> dict[str, Any]:
    """A problem's JSON; ``linked``: the rule ids whose documentation page it links to."""
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
    data = {
        "path": problem.path,
        "rule": problem.rule,
        "severity": problem.severity,
        "message": problem.message,
        "line": problem.line,
        "column": problem.column,
        "end": {"line": problem.end_line, "column": problem.end_column},
        "fix": fix,
    }
    url = rule_url(problem.rule) if problem.rule in linked else None
    if url is not None:
        data["url"] = url
    if problem.related:  # an archive rule's problem that names other files
        data["related"] = [{"path": item.path, "message": item.message}
                           for item in problem.related]
    return data
