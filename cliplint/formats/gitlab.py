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
from pathlib import PurePath
from typing import Any

from cliplint.baseline import fingerprints
from cliplint.formats import RenderOptions
from cliplint.model import INTERNAL_ERROR, Problem, Report

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(report: Report, options: RenderOptions) -> str:
    issues = [
        _issue(problem, fingerprint)
        for problem, fingerprint in zip(report.problems, fingerprints(report.problems))
    ]
    return json.dumps(issues, ensure_ascii=False, indent=2) + "\n"


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
        "description": f"{problem.rule}: {problem.message}",
        "check_name": problem.rule,
        "fingerprint": unique[:32],
        "severity": severity,
        "location": {
            "path": path,
            "lines": {"begin": problem.line, "end": problem.end_line},
        },
    }
