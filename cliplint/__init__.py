"""cliplint: a data-quality linter for scraped news clippings.

Library use::

    from cliplint import fix_text, lint_text
    problems = lint_text(text, path="a.md")
    result = fix_text(text, path="a.md")  # result.text, result.applied, result.refusal

Writing rules: the names of :mod:`cliplint.api` (``Document``, ``Violation``, ``Fix``...)
are importable from here too; see ``docs/plugins.md``.

Heavy modules (html5lib, jsonschema) load only when a function needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cliplint.api import EXPORTS
from cliplint.hookspecs import hookimpl as hookimpl

__version__ = "0.2.0"

#: The library's functions, then the rule-author API (cliplint.api), loaded on first use.
_LAZY = {
    "lint_text": "cliplint.linter",
    "lint_archive": "cliplint.archive",
    "fix_text": "cliplint.fixer",
    "FixResult": "cliplint.fixer",
    **EXPORTS,
}
__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:
    from cliplint.api import *  # noqa: F403
    from cliplint.archive import lint_archive as lint_archive
    from cliplint.fixer import FixResult as FixResult, fix_text as fix_text
    from cliplint.linter import lint_text as lint_text


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cliplint' has no attribute {name!r}")
