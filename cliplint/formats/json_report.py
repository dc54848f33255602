"""The JSON report, versioned; its schema ships as ``cliplint/schemas/report.schema.json``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cliplint import __version__
from cliplint.docs import documented, rule_url
from cliplint.formats import RenderOptions, whole_report
from cliplint.formats.spool import JsonListSpool
from cliplint.model import Problem, Rule, Tally

if TYPE_CHECKING:
    from cliplint.fixer import Fixes
    from cliplint.runner import FileResult

REPORT_VERSION = 1


def write_stream(results: Iterable[FileResult], rules: Mapping[str, Rule],
                 options: RenderOptions, write: Callable[[str], object], /, *,
                 fixes: Fixes | None = None) -> Tally:
    """The report of a lint run (and after a fix run, what was fixed). ``files_checked``
    comes before the problems but is known only at the end: the problems wait in a
    temporary file, not in memory."""
    tally = Tally()
    linked = documented(rules)
    with JsonListSpool(depth=2) as problems:
        for result in results:
            for problem in result.problems:
                problems.add(_problem(problem, linked))
            tally = tally.add(result.problems, result.checked)
        problems.write_document(_document(tally.files, fixes), "problems", write)
    return tally


render = whole_report(write_stream)


def _document(files_checked: int, fixes: Fixes | None) -> dict[str, Any]:
    """The report but its problems (an empty list where they go)."""
    document: dict[str, Any] = {
        "version": REPORT_VERSION, "tool": {"name": "cliplint", "version": __version__},
        "files_checked": files_checked, "problems": []}
    if fixes is not None:  # only a report made by --fix, --fix-only or --diff
        document["fixed"] = [
            {"path": entry.path, "rule": entry.rule, "count": entry.count,
             "descriptions": list(entry.descriptions)}
            for entry in fixes.fixed
        ]
    return document


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
