"""One html5lib parse of a clipping's body, with source positions.

html5lib builds a tree but forgets where things were. We keep them: the tokenizer is
wrapped so that every token carries its span in the source, the tree builder remembers
the start-tag span of each element it creates, and parse errors carry the offset where
html5lib raised them. All offsets here are offsets into the whole document text.

html5lib reads a normalised stream (CRLF and lone CR become LF). We feed it that stream
ourselves, in one chunk, so that a stream offset maps back to the source by counting the
CRLF pairs removed before it.

This module uses html5lib's internal tokenizer and parser hooks (``_parse``,
``HTMLTokenizer``), stable since html5lib 1.0; the dependency is pinned to ``<2``.
"""

from __future__ import annotations

import bisect
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import html5lib
from html5lib import _inputstream, _tokenizer, constants, treebuilders

_TOKEN_TYPES = {value: name for name, value in constants.tokenTypes.items()}
_PARSE_ERROR = constants.tokenTypes["ParseError"]
_START_TAG = constants.tokenTypes["StartTag"]
_END_TAG = constants.tokenTypes["EndTag"]
_EMPTY_TAG = constants.tokenTypes["EmptyTag"]
#: Elements whose content a reader never sees as text.
INVISIBLE_ELEMENTS = frozenset({"script", "style", "template", "noscript", "head", "title"})
VOID_ELEMENTS = frozenset(constants.voidElements)


@dataclass(frozen=True)
class Token:
    """A token of the body as html5lib's tokenizer saw it, with its source span."""

    kind: str  # StartTag, EndTag, EmptyTag, Characters, SpaceCharacters, Comment, Doctype
    name: str | None
    attributes: Mapping[str, str]
    start: int
    end: int
    self_closing: bool = False


@dataclass(frozen=True)
class ParseError:
    """An html5lib parse error. ``offset`` is where html5lib raised it (usually the end
    of the offending token); ``start``/``end`` are the span of that token."""

    code: str
    datavars: Mapping[str, Any]
    offset: int
    start: int
    end: int

    @property
    def message(self) -> str:
        template = constants.E.get(self.code)
        if template is None:
            return self.code
        try:
            return template % dict(self.datavars)
        except (KeyError, TypeError, ValueError):
            return self.code


@dataclass(frozen=True)
class BodyView:
    """A read-only view of the parsed body.

    ``fragment`` is an ``xml.etree`` element holding the parsed fragment (tags without
    namespaces); treat it as read-only. ``start_tags`` maps an element of that tree to
    the index in ``tokens`` of the start tag that created it (implied elements have none).
    """

    source: str  # the whole document text
    start: int
    end: int
    tokens: tuple[Token, ...]
    errors: tuple[ParseError, ...]
    fragment: ElementTree.Element
    start_tags: Mapping[ElementTree.Element, int] = field(repr=False)

    @property
    def text(self) -> str:
        """The body's source text."""
        return self.source[self.start : self.end]

    @cached_property
    def visible_text(self) -> str:
        """The text a reader sees: text nodes outside script, style and comments."""
        return "".join(iter_visible_text(self.fragment))

    def elements(self, *names: str) -> Iterator[ElementTree.Element]:
        """Elements of the tree in document order, optionally only those named."""
        for element in self.fragment.iter():
            if isinstance(element.tag, str) and (not names or element.tag in names):
                yield element

    def start_tag(self, element: ElementTree.Element) -> Token | None:
        index = self.start_tags.get(element)
        return None if index is None else self.tokens[index]

    def element_span(self, element: ElementTree.Element) -> tuple[int, int] | None:
        """The source span of an element from its start tag to its matching end tag.

        Found by matching tags in the token stream, so it is exact for well-formed
        markup; ``None`` when the element has no start tag or its end cannot be told
        for sure (a rule should then offer no fix).
        """
        index = self.start_tags.get(element)
        if index is None:
            return None
        opening = self.tokens[index]
        if opening.kind == "EmptyTag" or opening.name in VOID_ELEMENTS:
            return opening.start, opening.end
        depth = 0
        for token in self.tokens[index:]:
            if token.name != opening.name:
                continue
            if token.kind == "StartTag":
                depth += 1
            elif token.kind == "EndTag":
                depth -= 1
                if depth == 0:
                    return opening.start, token.end
        return None


def iter_visible_text(root: ElementTree.Element) -> Iterator[str]:
    """Text of the tree a reader would see, without recursion (bodies nest deeply)."""
    stack: list[tuple[ElementTree.Element, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        if closing:
            if element.tail and element is not root:
                yield element.tail
            continue
        stack.append((element, True))
        if not isinstance(element.tag, str) or element.tag in INVISIBLE_ELEMENTS:
            continue  # a comment, or hidden content: only its tail is visible
        if element.text:
            yield element.text
        stack.extend((child, False) for child in reversed(element))


class _OneChunkStream(_inputstream.HTMLUnicodeInputStream):
    """The whole (already normalised) body in one chunk, with the absolute offset."""

    _defaultChunkSize = sys.maxsize

    def reset(self) -> None:
        super().reset()
        self.consumed = 0  # the length of the chunks read before the current one

    def readChunk(self, chunkSize: int | None = None) -> bool:
        self.consumed += self.chunkSize
        return bool(super().readChunk(chunkSize))

    @property
    def offset(self) -> int:
        return self.consumed + self.chunkOffset


class _SpanTokenizer(_tokenizer.HTMLTokenizer):
    """Adds ``span`` (stream offsets) to each token. Tokens are contiguous: each one
    starts where the previous one ended."""

    def __init__(self, stream: str, parser: Any = None, **kwargs: Any) -> None:
        super().__init__(stream, parser=parser, **kwargs)
        self.stream = _OneChunkStream(stream)
        self.spans: list[tuple[dict[str, Any], int, int]] = []

    def __iter__(self) -> Iterator[dict[str, Any]]:
        start = 0
        for token in super().__iter__():
            end = self.stream.offset
            token["span"] = (start, end)
            if token["type"] != _PARSE_ERROR:
                self.spans.append((token, start, end))
                start = end
            yield token


class _SpanParser(html5lib.HTMLParser):
    def _parse(self, stream: Any, innerHTML: bool = False, container: str = "div",
               scripting: bool = False, **kwargs: Any) -> None:
        self.innerHTMLMode = innerHTML
        self.container = container
        self.scripting = scripting
        self.tokenizer = _SpanTokenizer(stream, parser=self, **kwargs)
        self.reset()
        self.mainLoop()  # no _ReparseException: we never switch encodings on a str

    def parseError(self, errorcode: str = "XXX-undefined-error", datavars: Any = None) -> None:
        self.errors.append((self.tokenizer.stream.offset, errorcode, datavars or {}))


_EtreeBuilder = treebuilders.getTreeBuilder("etree")


class _SpanTreeBuilder(_EtreeBuilder):  # type: ignore[misc, valid-type]
    """Remembers which start-tag token created each element."""

    def reset(self) -> None:
        super().reset()
        self.created: list[tuple[Any, tuple[int, int]]] = []

    def _remember(self, element: Any, token: dict[str, Any]) -> Any:
        span = token.get("span")
        if span is not None:
            self.created.append((element._element, span))
        return element

    def createElement(self, token: dict[str, Any]) -> Any:
        return self._remember(super().createElement(token), token)

    def insertElementNormal(self, token: dict[str, Any]) -> Any:
        return self._remember(super().insertElementNormal(token), token)

    def insertElementTable(self, token: dict[str, Any]) -> Any:
        return self._remember(super().insertElementTable(token), token)


def parse_body(source: str, start: int, end: int) -> BodyView:
    """Parse ``source[start:end]`` as an HTML fragment (as if inside a ``<div>``)."""
    raw = source[start:end]
    # Stream offset -> source offset: add the CRLF pairs removed before it.
    crlf_positions: list[int] = []
    position = raw.find("\r\n")
    while position != -1:
        crlf_positions.append(position - len(crlf_positions))  # in stream coordinates
        position = raw.find("\r\n", position + 2)
    normalised = raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw

    def to_source(offset: int) -> int:
        return start + offset + bisect.bisect_right(crlf_positions, offset - 1)

    parser = _SpanParser(tree=_SpanTreeBuilder, namespaceHTMLElements=False)
    fragment = parser.parseFragment(normalised)

    tokens: list[Token] = []
    index_of: dict[int, int] = {}
    for raw_token, token_start, token_end in parser.tokenizer.spans:
        kind = _TOKEN_TYPES.get(raw_token["type"], "?")
        data = raw_token.get("data")
        attributes = data if isinstance(data, dict) else {}
        index_of[id(raw_token)] = len(tokens)
        tokens.append(
            Token(
                kind=kind,
                name=raw_token.get("name"),
                attributes=attributes,
                start=to_source(token_start),
                end=to_source(token_end),
                self_closing=bool(raw_token.get("selfClosing")),
            )
        )
    token_starts = [token.start for token in tokens]
    token_index_by_span = {(token.start, token.end): i for i, token in enumerate(tokens)}
    start_tags: dict[ElementTree.Element, int] = {}
    for element, (span_start, span_end) in parser.tree.created:
        index = token_index_by_span.get((to_source(span_start), to_source(span_end)))
        if index is not None:
            start_tags.setdefault(element, index)

    errors = []
    for offset, code, datavars in parser.errors:
        source_offset = to_source(offset)
        # The token being read when the error was raised: the last one starting before it.
        index = bisect.bisect_left(token_starts, source_offset) - 1
        if 0 <= index < len(tokens) and tokens[index].end >= source_offset:
            token_start, token_end = tokens[index].start, tokens[index].end
        else:
            token_start = token_end = source_offset
        errors.append(ParseError(code, datavars, source_offset, token_start, token_end))

    return BodyView(
        source=source,
        start=start,
        end=end,
        tokens=tuple(tokens),
        errors=tuple(errors),
        fragment=fragment,
        start_tags=start_tags,
    )
