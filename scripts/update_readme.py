"""Regenerate what the documentation shows of the code: the rules table in README.md, the
rule pages in docs/rules/ (from each rule's docstring, and the engine problems') and the
API reference in docs/plugins.md. Run: python scripts/update_readme.py"""

from __future__ import annotations

from pathlib import Path

from cliplint.docs import (
    RULES_FOLDER,
    api_reference,
    replace_reference,
    replace_table,
    rule_pages,
    rules_table,
)
from cliplint.plugins import load_registry

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "plugins.md"

if __name__ == "__main__":
    rules = load_registry(builtins_only=True).rules
    text = README.read_text(encoding="utf-8")
    README.write_text(replace_table(text, rules_table(rules)), encoding="utf-8")
    pages = ROOT / RULES_FOLDER
    pages.mkdir(exist_ok=True)
    wanted = rule_pages(rules)
    for stale in set(path.name for path in pages.glob("*.md")) - set(wanted):
        (pages / stale).unlink()  # a rule that is gone
    for name, page in wanted.items():
        (pages / name).write_text(page, encoding="utf-8")
    GUIDE.write_text(replace_reference(GUIDE.read_text(encoding="utf-8"), api_reference()),
                     encoding="utf-8")
