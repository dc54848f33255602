"""Regenerate what the documentation shows of the code: the rules table in README.md and
the API reference in docs/plugins.md. Run: python scripts/update_readme.py"""

from __future__ import annotations

from pathlib import Path

from cliplint.docs import api_reference, replace_reference, replace_table, rules_table
from cliplint.plugins import load_registry

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "plugins.md"

if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    README.write_text(replace_table(text, rules_table(load_registry(builtins_only=True).rules)),
                      encoding="utf-8")
    GUIDE.write_text(replace_reference(GUIDE.read_text(encoding="utf-8"), api_reference()),
                     encoding="utf-8")
