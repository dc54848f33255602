"""Everything a rule module or a report-format plugin touches, in one place (and the
errors the library raises).

    from cliplint.api import Document, Edit, Fix, Violation, hookimpl

A plugin imports from here (or from ``cliplint``, which re-exports these names); the
modules they live in may move, these names stay. See ``docs/plugins.md`` for how to
write a rule pack, and its reference section (generated from this module) for each name.

The names load on first use: a rule module that imports ``Violation`` does not pay for
html5lib until a document's body is parsed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cliplint.config import (
        ConfigError as ConfigError,
    )
    from cliplint.document import (
        Document as Document,
        Header as Header,
        Span as Span,
        TitleLink as TitleLink,
        UnreadableFile as UnreadableFile,
    )
    from cliplint.formats import (
        Renderer as Renderer,
        RenderOptions as RenderOptions,
    )
    from cliplint.hookspecs import (
        hookimpl as hookimpl,
    )
    from cliplint.html import (
        Attribute as Attribute,
        BodyView as BodyView,
        ParseError as ParseError,
        Token as Token,
    )
    from cliplint.model import (
        Applicability as Applicability,
        Edit as Edit,
        Finding as Finding,
        Fix as Fix,
        Problem as Problem,
        Related as Related,
        Report as Report,
        Rule as Rule,
        Severity as Severity,
    )
    from cliplint.rule_io import (
        Answer as Answer,
        ArchiveEntry as ArchiveEntry,
        ArchiveViolation as ArchiveViolation,
        OnlineURL as OnlineURL,
        Verdict as Verdict,
        Violation as Violation,
    )

#: Name -> the module that defines it, in the order the reference documents them.
EXPORTS: dict[str, str] = {
    # Registering a plugin
    "hookimpl": "cliplint.hookspecs",
    # What check(document, options) reads
    "Document": "cliplint.document",
    "Header": "cliplint.document",
    "Span": "cliplint.document",
    "TitleLink": "cliplint.document",
    "BodyView": "cliplint.html",
    "Token": "cliplint.html",
    "Attribute": "cliplint.html",
    "ParseError": "cliplint.html",
    # What check(document, options) yields
    "Violation": "cliplint.rule_io",
    "Fix": "cliplint.model",
    "Edit": "cliplint.model",
    "Finding": "cliplint.model",
    "Severity": "cliplint.model",
    "Applicability": "cliplint.model",
    # Archive rules: record(document, options) and reduce(entries, options)
    "ArchiveEntry": "cliplint.rule_io",
    "ArchiveViolation": "cliplint.rule_io",
    "Related": "cliplint.model",
    # Online steps: online_urls(document, options) and online_judge(answer, options)
    "OnlineURL": "cliplint.rule_io",
    "Answer": "cliplint.rule_io",
    "Verdict": "cliplint.rule_io",
    # Report formats: render(report, options) -> str
    "Report": "cliplint.model",
    "Problem": "cliplint.model",
    "Rule": "cliplint.model",
    "RenderOptions": "cliplint.formats",
    "Renderer": "cliplint.formats",
    # What the documents and the library raise: Document.from_bytes, and lint_text,
    # lint_archive and fix_text given a configuration they refuse
    "UnreadableFile": "cliplint.document",
    "ConfigError": "cliplint.config",
}

__all__ = list(EXPORTS)


def __getattr__(name: str) -> Any:
    if name in EXPORTS:
        return getattr(importlib.import_module(EXPORTS[name]), name)
    raise AttributeError(f"module 'cliplint.api' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *EXPORTS])
