"""The body must parse as HTML without errors.

Why: feeds emit unbalanced tags, stray end tags and broken entities. A browser (and
html5lib, which follows the same parsing rules) silently repairs them, each in its own
way: a stray ``</div>`` can close the wrong block, an unescaped ``&`` in a URL can turn
into a different character, an unclosed ``<a>`` turns the rest of the article into a
link. What a reader, a search index or a model gets then depends on the parser.

One problem is reported per parse error html5lib raises, at the start of the offending
tag, entity or text (for an element left open at the end of the body: its start tag).
The message ends with html5lib's error code, which is what ``ignore-codes`` takes.

Bad::

    <p>Beijing responds</span> to the <a href="/a">report <a href="/b">here</a></p>

(``unexpected end tag </span> (unexpected-end-tag)`` and
``<a> inside an open <a> (unexpected-start-tag-implies-end-tag)``)

Good::

    <p>Beijing responds to the <a href="/a">report</a> <a href="/b">here</a></p>

Options:

- ``ignore-codes`` (``[]``): html5lib error codes not to report, e.g.
  ``["expected-named-entity"]`` for archives full of bare ``&`` in URLs.

Fix: none yet. A repair is only safe where the visible text stays the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cliplint.document import Document
from cliplint.html import BodyView, ParseError, Token
from cliplint.model import Violation

ID = "well-formed-html"
SEVERITY = "error"
FIX = None
OPTIONS = {
    "type": "object",
    "properties": {
        "ignore-codes": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^[A-Za-z0-9.-]+$"},
            "uniqueItems": True,
            "default": [],
            "description": "html5lib error codes not to report (the code in parentheses "
            "at the end of a message).",
        },
    },
}

_ENTITY = re.compile(r"&#?[0-9A-Za-z]{0,32};?")
_EOF_CODES = frozenset({
    "expected-closing-tag-but-got-eof", "expected-named-closing-tag-but-got-eof",
    "eof-in-table", "eof-in-select", "eof-in-frameset",
})
#: Plain words for the errors feeds make most; others use html5lib's own text.
_PHRASES = {
    "unexpected-end-tag": "unexpected end tag {tag}",
    "unexpected-end-tag-treated-as": "unexpected end tag {tag}",
    "end-tag-too-early": "end tag {tag} while an element inside it is still open",
    "end-tag-too-early-ignored": "end tag {tag} while an element inside it is still open",
    "end-tag-too-early-named": "end tag {tag} while an element inside it is still open",
    "expected-one-end-tag-but-got-another": "end tag {tag} does not match the open element",
    "adoption-agency-1.1": "misnested end tag {tag}",
    "adoption-agency-1.2": "misnested end tag {tag}",
    "adoption-agency-1.3": "misnested end tag {tag}",
    "adoption-agency-4.4": "misnested end tag {tag}",
    "unexpected-start-tag": "unexpected start tag {tag}",
    "unexpected-start-tag-ignored": "unexpected start tag {tag}",
    "non-void-element-with-trailing-solidus": "'/>' does not close {tag} in HTML",
    "duplicate-attribute": "duplicate attribute in {tag}",
    "unexpected-character-after-attribute-value": "no space after an attribute value in {tag}",
    "invalid-character-in-attribute-name": "invalid character in an attribute name in {tag}",
    "unexpected-character-in-unquoted-attribute-value":
        "unquoted attribute value holds a quote, '=', '<' or '`' in {tag}",
    "unexpected-character-after-solidus-in-tag": "stray '/' inside {tag}",
    "attributes-in-end-tag": "attributes on end tag {tag}",
    "self-closing-flag-on-end-tag": "'/>' on end tag {tag}",
}


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    body = document.body
    ignored = frozenset(options.get("ignore-codes", ()))
    for error in body.errors:
        if error.code in ignored:
            continue
        yield Violation(error.start, max(error.end, error.start),
                        f"{_describe(error, body)} ({error.code})")


def _describe(error: ParseError, body: BodyView) -> str:
    token = body.tokens[error.token] if error.token is not None else None
    tag = _tag(token, error)
    code = error.code
    if code in _EOF_CODES and tag is not None:
        return f"{tag} is not closed by the end of the body"
    if code == "unexpected-start-tag-implies-end-tag":
        return f"{tag or 'start tag'} inside an open <{error.datavars.get('endName', '?')}>"
    if "entity" in code:
        return _entity_message(error, body, tag)
    if code == "invalid-codepoint":
        character = body.source[error.start : error.start + 1]
        return f"invalid character U+{ord(character):04X}" if character else "invalid character"
    phrase = _PHRASES.get(code)
    if phrase is not None and tag is not None:
        return phrase.format(tag=tag)
    message = error.message.rstrip(". ")
    message = message[:1].lower() + message[1:]
    if tag is not None:
        return f"{message} at {tag}"
    return f"{message}: {_excerpt(body.source, error.start, error.end)}"


def _excerpt(source: str, start: int, end: int, width: int = 40) -> str:
    """The offending source, quoted and cut to ``width`` characters."""
    text = source[start : min(end, start + width)]
    return repr(text + "…") if end > start + width else repr(text)


def _tag(token: Token | None, error: ParseError) -> str | None:
    """The offending tag as ``<name>`` or ``</name>``, when the error is about a tag.
    A name html5lib read from broken markup (``<divclass="x"``) is cut short."""
    name = token.name if token is not None and token.kind in ("StartTag", "EndTag") else None
    if name is None:
        name = error.datavars.get("name")
        if not isinstance(name, str):
            return None
    if len(name) > 30:
        name = name[:29] + "…"
    return f"</{name}>" if token is not None and token.kind == "EndTag" else f"<{name}>"


def _entity_message(error: ParseError, body: BodyView, tag: str | None) -> str:
    """Quote the entity as written; inside an attribute html5lib points at the tag."""
    source = body.source
    amp = source.rfind("&", error.start, max(error.offset, error.start + 1))
    match = _ENTITY.match(source, amp) if amp != -1 else None
    written = repr(match.group()) if match else "'&'"
    where = f" in an attribute of {tag}" if tag is not None and source.startswith("<", error.start) else ""
    if error.code == "expected-named-entity":
        return f"{written}{where} is not a known entity (escape '&' as '&amp;')"
    if error.code == "named-entity-without-semicolon":
        return f"entity {written}{where} lacks its ';'"
    if error.code == "numeric-entity-without-semicolon":
        return f"character reference {written}{where} lacks its ';'"
    if error.code == "illegal-codepoint-for-numeric-entity":
        return f"character reference {written}{where} names an invalid character"
    return f"bad character reference {written}{where}"
