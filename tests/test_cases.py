"""Every rule's case files, run by one parametrized test.

``tests/cases/<rule-id>/<name>.md`` is a clipping; ``<name>.expect`` lists the problems
that rule must report on it, one per line as ``LINE:COL message fragment`` (an empty
file: the rule must report nothing). An optional ``<name>.toml`` is a config table
(shaped like cliplint.toml) used for that case.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cliplint import lint_text

CASES = Path(__file__).parent / "cases"


def _case_files() -> list[Path]:
    return sorted(CASES.glob("*/*.md"))


def _expected(case: Path) -> list[tuple[int, int, str]]:
    expected = []
    for line in case.with_suffix(".expect").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        position, _, fragment = line.partition(" ")
        row, column = position.split(":")
        expected.append((int(row), int(column), fragment.strip()))
    return expected


@pytest.mark.parametrize("case", _case_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case(case: Path) -> None:
    rule = case.parent.name
    config_file = case.with_suffix(".toml")
    config = tomllib.loads(config_file.read_text(encoding="utf-8")) if config_file.exists() else None
    text = case.read_bytes().decode("utf-8")
    problems = lint_text(text, path=str(case), config=config, select=[rule])
    found = [(p.line, p.column, p.message) for p in problems]
    expected = _expected(case)
    assert [(line, column) for line, column, _ in found] == [
        (line, column) for line, column, _ in expected
    ], f"problems found: {found}"
    for (_, _, message), (_, _, fragment) in zip(found, expected):
        assert fragment in message, f"{message!r} lacks {fragment!r}"
    assert all(p.rule == rule for p in problems)


def test_every_rule_has_failing_and_passing_cases() -> None:
    from cliplint.plugins import load_registry

    for rule in load_registry(builtins_only=True).rules:
        cases = sorted((CASES / rule).glob("*.md"))
        outcomes = {bool(_expected(case)) for case in cases}
        assert outcomes == {True, False}, f"{rule} needs case files that fail and that pass"
