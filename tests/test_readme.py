"""The README stays true: its rules table matches the registry, its commands exist."""

from __future__ import annotations

from conftest import ROOT

from cliplint.docs import TABLE_END, TABLE_START, rules_table
from cliplint.plugins import load_registry


def test_rules_table_is_in_sync_with_the_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()
    expected = rules_table(load_registry(builtins_only=True).rules)
    assert shown == expected, "run: python scripts/update_readme.py"


def test_first_screen_commands_use_the_bundled_example_and_the_test_command() -> None:
    first_screen = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:30])
    assert "pip install . && cliplint examples/" in first_screen
    assert "pip install -e '.[test]' && pytest" in first_screen
    assert "pytest" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
