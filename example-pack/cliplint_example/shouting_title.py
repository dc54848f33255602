"""Titles must not be written in capitals.

Why: a title in capitals is usually a wire service's slug or a promo banner scraped by
mistake; it reads as shouting in search results and feeds.

Bad::

    [HARBOUR REOPENS AFTER THE STORM](https://example.com/a/1)

Good::

    [Harbour reopens after the storm](https://example.com/a/1)

Only titles written wholly in letters that have capitals are judged: a Chinese title
holding ``NATO`` is left alone, and so are short ones.

Options:

- ``min-letters`` (default 6): titles with fewer letters are left alone (``[NATO]``).

Fix (unsafe): the title is put in sentence case, which lowers acronyms too (``NATO``
becomes ``nato``): read the result.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cliplint.api import Document, Edit, Fix, Violation

ID = "example/shouting-title"
SEVERITY = "warning"
FIX = "unsafe"
OPTIONS = {
    "type": "object",
    "properties": {
        "min-letters": {
            "type": "integer",
            "minimum": 1,
            "default": 6,
            "description": "Titles with fewer letters are left alone.",
        },
    },
}


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    link = document.title_link
    if link is None:
        return  # no [text](url) title: the built-in title-link rule says so
    start, end = link.text
    text = document.text[start:end]
    letters = [char for char in text if char.isalpha()]
    if len(letters) < options["min-letters"] or not all(char.isupper() for char in letters):
        return
    fix = Fix((Edit(start, end, sentence_case(text)),), "unsafe", "put the title in sentence case")
    yield Violation(start, end, "title in capitals", fix)


def sentence_case(text: str) -> str:
    """``text`` in lower case but for its first letter."""
    lowered = text.lower()
    first = next(index for index, char in enumerate(lowered) if char.isalpha())
    return lowered[:first] + lowered[first].upper() + lowered[first + 1 :]
