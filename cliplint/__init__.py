"""cliplint: a data-quality linter for scraped news clippings.

Library use::

    from cliplint import fix_text, lint_text
    problems = lint_text(text, path="a.md")
    result = fix_text(text, path="a.md")  # result.text, result.applied, result.refusal

Heavy modules (html5lib, jsonschema) load only when a function needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cliplint.hookspecs import hookimpl

__version__ = "0.1.0"
__all__ = [
    "Document",
    "Edit",
    "Fix",
    "FixResult",
    "Problem",
    "Violation",
    "__version__",
    "fix_text",
    "hookimpl",
    "lint_archive",
    "lint_text",
]

if TYPE_CHECKING:
    from cliplint.document import Document
    from cliplint.fixer import FixResult, fix_text
    from cliplint.archive import lint_archive
    from cliplint.linter import lint_text
    from cliplint.model import Edit, Fix, Problem, Violation

_LAZY = {
    "lint_text": "cliplint.linter",
    "lint_archive": "cliplint.archive",
    "fix_text": "cliplint.fixer",
    "FixResult": "cliplint.fixer",
    "Document": "cliplint.document",
    "Edit": "cliplint.model",
    "Fix": "cliplint.model",
    "Problem": "cliplint.model",
    "Violation": "cliplint.model",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cliplint' has no attribute {name!r}")
