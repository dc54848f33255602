"""Regenerate the rules table in README.md from the installed rules: python scripts/update_readme.py"""

from __future__ import annotations

from pathlib import Path

from cliplint.docs import replace_table, rules_table
from cliplint.plugins import load_registry

README = Path(__file__).resolve().parent.parent / "README.md"

if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    README.write_text(replace_table(text, rules_table(load_registry(builtins_only=True).rules)),
                      encoding="utf-8")
