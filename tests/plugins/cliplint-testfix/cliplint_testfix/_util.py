"""Helpers shared by the test rules."""

from __future__ import annotations

from collections.abc import Iterator

from cliplint import Document
from cliplint.html import Token


def comments(document: Document, text: str) -> Iterator[Token]:
    """Comment tokens of the body whose source is ``<!--text...``."""
    for token in document.body.tokens:
        if token.kind == "Comment" and document.text.startswith(f"<!--{text}", token.start):
            yield token


def first_element(document: Document, name: str, css_class: str | None = None):
    for element in document.body.elements(name):
        if css_class is None or element.get("class") == css_class:
            return element
    return None
