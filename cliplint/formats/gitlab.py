"""GitLab Code Quality JSON (a subset of the Code Climate issue format).

An array of issues: ``description`` (rule id and message, since GitLab's merge-request
widget shows only the description), ``check_name`` (the rule id), ``fingerprint``
(unique per issue and stable across runs: the path plus the baseline fingerprint, see
:mod:`cliplint.baseline`), ``severity`` (error → major, warning → minor, info → info,
a crashed rule → critical) and ``location`` with ``path`` (relative, ``/`` separators,
as given: run cliplint from the repository root) and ``lines.begin``.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from cliplint.baseline import fingerprints
from cliplint.formats import RenderOptions, escape_surrogates, full_message, whole_report
from cliplint.model import INTERNAL_ERROR, Problem, Rule, Tally

if TYPE_CHECKING:
    from cliplint.fixer import Fixes
    from cliplint.runner import FileResult

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def write_stream(results: Iterable[FileResult], rules: Mapping[str, Rule],
                 options: RenderOptions, write: Callable[[str], object], /, *,
                 fixes: Fixes | None = None) -> Tally:
    """The issues of a lint run, written file by file as ``results`` come."""
    tally = Tally()
    written = 0
    for result in results:
        for problem, fingerprint in zip(result.problems, fingerprints(result.problems)):
            # An item of the array, indented as json.dumps(indent=2) nests it.
            item = escape_surrogates(json.dumps(_issue(problem, fingerprint),
                                                ensure_ascii=False, indent=2))
            write(("," if written else "[") + "\n  " + item.replace("\n", "\n  "))
            written += 1
        tally = tally.add(result.problems, result.checked)
    write("\n]\n" if written else "[]\n")
    return tally


render = whole_report(write_stream)


def report_path(path: str) -> str:
    posix = PurePath(path).as_posix()
    return posix if PurePath(path).is_absolute() else posixpath.normpath(posix)


def _issue(problem: Problem, fingerprint: str) -> dict[str, Any]:
    path = report_path(problem.path)
    unique = hashlib.sha256(f"{path}\0{problem.rule}\0{fingerprint}".encode(
        "utf-8", "surrogatepass")).hexdigest()
    severity = "critical" if problem.rule == INTERNAL_ERROR else SEVERITIES[problem.severity]
    return {
        "type": "issue",
        "engine_name": "cliplint",
        "description": f"{problem.rule}: {full_message(problem, report_path)}",
        "check_name": problem.rule,
        "fingerprint": unique[:32],
        "severity": severity,
        "location": {
            "path": path,
            "lines": {"begin": problem.line, "end": problem.end_line},
        },
    }
