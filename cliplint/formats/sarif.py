"""SARIF 2.1.0, for GitHub code scanning and other dashboards.

Choices a consumer may need to know:

- ``run.columnKind`` is ``unicodeCodePoints``: columns, ``charOffset`` and ``charLength``
  count code points, as cliplint's text report does (not UTF-16 units).
- Offsets count from the start of the decoded text *after* a UTF-8 byte order mark, like
  the columns on line 1 do; a file's BOM is not a character of its content. This is how
  text editors and the SARIF SDK read a file, and it keeps ``region`` offsets and
  line/column consistent with each other.
- Paths become relative URI references (``uriBaseId`` ``%SRCROOT%``, ``/`` separators,
  every other reserved or non-ASCII character percent-encoded as UTF-8), so names with
  CJK, spaces, ``?``, ``|``, ``:`` or newlines stay one valid URI. Run cliplint from the
  repository root with relative paths; an absolute path becomes a ``file://`` URI.
- ``helpUri`` is the rule's page in the repository, ``docs/rules/<rule-id>.md`` under the
  ``Documentation`` URL of cliplint's ``[project.urls]`` (see :func:`cliplint.docs.rule_url`):
  one page per rule id, and rule ids are stable forever (the version is not in it, so
  links in old alerts keep working). Engine problems have pages too; plugin rules get no
  ``helpUri`` (their docs live elsewhere); every rule carries its whole documentation in
  ``help``.
- ``partialFingerprints["cliplint/v1"]`` is the baseline fingerprint (see
  :mod:`cliplint.baseline`): rule, message and surrounding text, not the line number.
- Fixes are SARIF ``fixes``, their edits ``replacements`` with a ``deletedRegion`` by
  ``charOffset``/``charLength``; ``properties.applicability`` says safe or unsafe.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from cliplint import __version__
from cliplint.baseline import fingerprints
from cliplint.docs import docstring_markdown, documentation_url, rule_url
from cliplint.engine_docs import ENGINE_DOCS
from cliplint.formats import RenderOptions, whole_report
from cliplint.formats.spool import JsonListSpool
from cliplint.model import Fix, Problem, Rule, Severity, Tally

if TYPE_CHECKING:
    from cliplint.fixer import Fixes
    from cliplint.runner import FileResult

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT_KEY = "cliplint/v1"
LEVELS: Mapping[Severity, str] = {"error": "error", "warning": "warning", "info": "note"}


def write_stream(results: Iterable[FileResult], rules: Mapping[str, Rule],
                 options: RenderOptions, write: Callable[[str], object], /, *,
                 fixes: Fixes | None = None) -> Tally:
    """The SARIF log of a lint run. The rules, the invocation and the count of files come
    before the results but are known only at the end: the results wait in a temporary
    file, not in memory."""
    rule_ids = _RuleIds(rules)
    tally = Tally()
    with JsonListSpool(depth=4) as spooled:  # runs[0].results[i]
        for result in results:
            for problem, fingerprint in zip(result.problems, fingerprints(result.problems)):
                spooled.add(_result(problem, fingerprint, rule_ids.index(problem.rule)))
            tally = tally.add(result.problems, result.checked)
        document = _document(rule_ids, rules, tally.internal_errors == 0, tally.files, [])
        spooled.write_document(document, "results", write)
    return tally


render = whole_report(write_stream)


class _RuleIds:
    """The rules of ``tool.driver.rules``, in order: the run's rules, then the ids of
    problems without a rule of the run (an engine problem) as they first occur."""

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        self.ids = list(rules)
        self._positions = {rule_id: position for position, rule_id in enumerate(self.ids)}

    def index(self, rule_id: str) -> int:
        if rule_id not in self._positions:
            self._positions[rule_id] = len(self.ids)
            self.ids.append(rule_id)
        return self._positions[rule_id]


def _document(rule_ids: _RuleIds, rules: Mapping[str, Rule], successful: bool,
              files_checked: int, results: list[dict[str, Any]]) -> dict[str, Any]:
    driver: dict[str, Any] = {
        "name": "cliplint",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_descriptor(rule_id, rules.get(rule_id)) for rule_id in rule_ids.ids],
    }
    if documentation_url() is not None:
        driver["informationUri"] = documentation_url()
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [{"executionSuccessful": successful}],
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"filesChecked": files_checked},
            }
        ],
    }


def artifact_uri(path: str) -> tuple[str, str | None]:
    """A path as a SARIF URI and its ``uriBaseId`` (``None`` for an absolute path)."""
    if PurePath(path).is_absolute():
        return Path(path).as_uri(), None
    posix = posixpath.normpath(PurePath(path).as_posix())
    # A name that is not UTF-8 (surrogateescape) is percent-encoded as its own bytes.
    return quote(posix, safe="/", errors="surrogateescape"), SOURCE_ROOT


def _location(path: str) -> dict[str, Any]:
    uri, base = artifact_uri(path)
    location: dict[str, Any] = {"uri": uri}
    if base is not None:
        location["uriBaseId"] = base
    return location


def _result(problem: Problem, fingerprint: str, rule_index: int) -> dict[str, Any]:
    region = {
        "startLine": problem.line,
        "startColumn": problem.column,
        "endLine": problem.end_line,
        "endColumn": problem.end_column,
        "charOffset": problem.start,
        "charLength": max(0, problem.end - problem.start),
    }
    result: dict[str, Any] = {
        "ruleId": problem.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[problem.severity],
        "message": {"text": problem.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": _location(problem.path), "region": region}}
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if problem.related:  # an archive rule's problem: the other files it names
        result["relatedLocations"] = [
            {"id": number, "physicalLocation": {"artifactLocation": _location(item.path)},
             "message": {"text": item.message}}
            for number, item in enumerate(problem.related, 1)
        ]
        # SARIF's embedded links: "[text](id)" points at a related location.
        links = ", ".join(f"{_link_text(item.message)} [{_link_text(item.path)}]({number})"
                          for number, item in enumerate(problem.related, 1))
        result["message"] = {"text": f"{_link_text(problem.message)} — {links}"}
    if problem.fix is not None:
        result["fixes"] = [_fix(problem.path, problem.fix)]
    return result


def _link_text(text: str) -> str:
    """Text in a message with embedded links: SARIF escapes ``[``, ``]`` and ``\\``."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _fix(path: str, fix: Fix) -> dict[str, Any]:
    replacements = []
    for edit in fix.edits:
        replacement: dict[str, Any] = {
            "deletedRegion": {"charOffset": edit.start, "charLength": edit.end - edit.start}
        }
        if edit.replacement:
            replacement["insertedContent"] = {"text": edit.replacement}
        replacements.append(replacement)
    return {
        "description": {"text": fix.description},
        "artifactChanges": [{"artifactLocation": _location(path), "replacements": replacements}],
        "properties": {"applicability": fix.applicability},
    }


def _descriptor(rule_id: str, rule: Rule | None) -> dict[str, Any]:
    if rule is None:  # an engine problem, or a rule the report does not know
        severity, documentation = ENGINE_DOCS.get(
            rule_id, ("error", "A problem cliplint's engine reports."))
        engine: dict[str, Any] = {
            "id": rule_id,
            "shortDescription": {"text": documentation.splitlines()[0]},
            "fullDescription": {"text": _description(documentation)},
            "help": {"text": documentation, "markdown": docstring_markdown(documentation)},
            "defaultConfiguration": {"level": LEVELS[severity]},
            "properties": {"tags": ["cliplint-engine"]},
        }
        if rule_id in ENGINE_DOCS and rule_url(rule_id) is not None:
            engine["helpUri"] = rule_url(rule_id)
        return engine
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _pascal_case(rule.id),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _description(rule.documentation) or rule.summary},
        "help": {"text": rule.documentation or rule.summary,
                 "markdown": docstring_markdown(rule.documentation or rule.summary)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"fix": rule.fix or "none", "plugin": rule.plugin,
                       "tags": ["clippings", "data-quality"]},
    }
    if rule.plugin == "builtin" and rule_url(rule.id) is not None:
        descriptor["helpUri"] = rule_url(rule.id)
    return descriptor


def _description(documentation: str) -> str:
    """The documentation up to its first example: summary, why, what is checked."""
    paragraphs = []
    for paragraph in documentation.split("\n\n"):
        if paragraph.rstrip().endswith("::"):
            break
        paragraphs.append(paragraph.strip())
    return "\n\n".join(paragraphs)


def _pascal_case(rule_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-/]", rule_id) if part)
