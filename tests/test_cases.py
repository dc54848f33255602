"""Every rule's case files, run by one parametrized test per kind of rule.

A rule of one clipping: ``tests/cases/<rule-id>/<name>.md`` is a clipping;
``<name>.expect`` lists the problems that rule must report on it, one per line as
``LINE:COL message fragment`` (an empty file: the rule must report nothing).

An archive rule: ``tests/cases/<rule-id>/<name>/`` is an archive (every ``*.md`` under
it); ``<name>.expect`` lists the problems as ``PATH:LINE:COL message fragment``, paths
relative to the folder, in the order the rule reports them; the fragment is looked for in
the message with the files it names (``… — duplicate of b.md``).

An optional ``<name>.toml`` is a config table (shaped like cliplint.toml) for that case.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cliplint import lint_archive, lint_text
from cliplint.formats import full_message

CASES = Path(__file__).parent / "cases"


def _case_files() -> list[Path]:
    return sorted(CASES.glob("*/*.md"))


def _archive_cases() -> list[Path]:
    return sorted(path for path in CASES.glob("*/*") if path.is_dir())


#: ``LINE:COL fragment`` for a clipping, ``PATH:LINE:COL fragment`` in an archive (a path
#: may hold spaces and colons; a fragment too).
_POSITION = r"(?P<line>\d+):(?P<column>\d+)(?: (?P<fragment>.*))?"
_EXPECTATION = re.compile(_POSITION)
_ARCHIVE_EXPECTATION = re.compile(r"(?P<path>.+?\.md):" + _POSITION)


def _expected(case: Path) -> list[tuple[str, int, int, str]]:
    """(path, line, column, fragment) per expected problem; path "" for a clipping."""
    expected = []
    pattern = _ARCHIVE_EXPECTATION if case.is_dir() else _EXPECTATION
    for line in case.with_suffix(".expect").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        found = pattern.fullmatch(line)
        assert found, f"{case.with_suffix('.expect')}: cannot read {line!r}"
        expected.append((found.groupdict().get("path") or "", int(found["line"]),
                         int(found["column"]),
                         (found["fragment"] or "").strip()))
    return expected


def _config(case: Path) -> dict[str, Any] | None:
    config_file = case.with_suffix(".toml")
    return tomllib.loads(config_file.read_text(encoding="utf-8")) if config_file.exists() else None


@pytest.mark.parametrize("case", _case_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case(case: Path) -> None:
    rule = case.parent.name
    text = case.read_bytes().decode("utf-8")
    problems = lint_text(text, path=str(case), config=_config(case), select=[rule])
    found = [(p.line, p.column, p.message) for p in problems]
    expected = _expected(case)
    assert [(line, column) for line, column, _ in found] == [
        (line, column) for _, line, column, _ in expected
    ], f"problems found: {found}"
    for (_, _, message), (_, _, _, fragment) in zip(found, expected):
        assert fragment in message, f"{message!r} lacks {fragment!r}"
    assert all(p.rule == rule for p in problems)


@pytest.mark.parametrize("case", _archive_cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_archive_case(case: Path) -> None:
    rule = case.parent.name
    texts = {path.relative_to(case).as_posix(): path.read_bytes().decode("utf-8")
             for path in sorted(case.rglob("*.md"))}
    problems = lint_archive(texts, config=_config(case), select=[rule])
    found = [(p.path, p.line, p.column, full_message(p)) for p in problems]
    expected = _expected(case)
    assert [item[:3] for item in found] == [item[:3] for item in expected], \
        f"problems found: {found}"
    for (*_, message), (*_, fragment) in zip(found, expected):
        assert fragment in message, f"{message!r} lacks {fragment!r}"
    assert all(p.rule == rule for p in problems)


def test_every_rule_has_failing_and_passing_cases() -> None:
    from cliplint.plugins import load_registry

    for rule in load_registry(builtins_only=True).rules.values():
        if rule.is_archive_rule:
            cases = sorted(path for path in (CASES / rule.id).glob("*") if path.is_dir())
        else:
            cases = sorted((CASES / rule.id).glob("*.md"))
        outcomes = {bool(_expected(case)) for case in cases}
        assert outcomes == {True, False}, f"{rule.id} needs case files that fail and that pass"
