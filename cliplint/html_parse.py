"""One html5lib parse of a clipping's body, with source positions.

html5lib builds a tree but forgets where things were. We keep them: the tokenizer is
wrapped so that every token carries its span in the source, the tree builder remembers
the start tag that created each element, and every parse error carries the span of the
token it is about. All offsets here are offsets into the whole document text.

How an error finds its token. html5lib's tokenizer is a generator that the parser pulls
one token at a time, so when the parser raises an error the tokenizer has just yielded
the token the error is about. Tokens are contiguous (each starts where the previous one
ended), so a token's start is the end of the one before it, and:

- an error the tree builder raises (``unexpected-end-tag``) is about the token being
  processed: the last one yielded;
- an error the tokenizer raises (``eof-in-tag-name``, ``expected-named-entity``,
  ``duplicate-attribute``) is about the token being read, which starts where the last
  token ended, even when html5lib drops that token (an unterminated ``<b`` at the end);
- ``invalid-codepoint`` errors from the input stream are all raised when the stream is
  read, long before the tokenizer gets there: we record where each character is;
- errors raised at the end of input (``expected-closing-tag-but-got-eof``) are about an
  element left open: we point at that element's start tag.

html5lib reads a normalised stream (CRLF and lone CR become LF). We feed it that stream
ourselves, in one chunk, so that a stream offset maps back to the source by counting the
CRLF pairs removed before it.

html5lib 1.1 predates ``<template>``: it parsed one as an unknown element, so whatever
followed a template's end tag stayed inside it (hidden), with two false errors. The
parser here adds the standard's template rules
(https://html.spec.whatwg.org/multipage/parsing.html), as far as a fragment parsed in a
``<div>`` meets them: the "in template" insertion mode and the stack of template
insertion modes; <template> and </template> in "in head", which "in body", "in table",
"in select" and "in column group" hand them to (and the modes that defer to those); the
marker a template puts in the list of active formatting elements; <template> as a
boundary of every scope and as a special element; clearing the stack back to a table,
table body or row context stopping at a template; foster parenting into a template;
"reset the insertion mode appropriately" with a template on the stack; "generate all
implied end tags thoroughly" for </template>; a <form> in a template, which leaves the
form element pointer alone; and the end of input, which closes each template left open. Where the standard's parse error has no html5lib code the closest
one stands for it: ``unexpected-end-tag`` for a stray </template> (or an end tag a
template ignores), ``end-tag-too-early`` for a </template> that closes elements still
open in it, ``expected-closing-tag-but-got-eof`` naming "template" for one left open
(at its start tag). A template's content stays its children in the tree (the standard
puts it in a document fragment of its own); it is no visible text
(:data:`cliplint.html.INVISIBLE_ELEMENTS`). The speed-ups below sit on top of the
template rules, and tests compare them with html5lib's own code plus those rules.

This module uses html5lib's internal tokenizer, parser and tree-builder hooks (``_parse``,
``HTMLTokenizer``, the parser's main loop and phase classes, the etree element class and
tree builder): a few dozen private names, which html5lib's development branch
already changes (``getPhases`` is gone). So it is written against one release, :data:`cliplint.html.HTML5LIB_VERSION`,
pinned exactly in pyproject.toml and checked when this module is imported (and by the
command line at start, without importing html5lib): another version is a clear error
(the command line exits 2) naming both. Where it replaces html5lib's code for
speed, tests parse with and without the replacement and require the same result.
"""


from __future__ import annotations

import bisect
import importlib.util
import re
import sys
import threading
import xml.etree.ElementTree as ElementTree
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import html5lib

from cliplint.html import (
    ASCII_LOWER,
    CURRENT_NODE,
    HTML_SPACE,
    INSERTION_MODE,
    NAME_OPEN,
    SCOPE_ENDS_AT,
    BodyView,
    ParseError,
    Token,
    ascii_lower,
    check_html5lib_release,
)

# Other releases lack the internals imported below: say which release is needed first.
check_html5lib_release(getattr(html5lib, "__version__", None), html5lib.__file__)

from html5lib import (  # noqa: E402  (after the version check: other versions lack these)
    _inputstream,
    _tokenizer,
    _utils,
    constants,
    html5parser,
    treebuilders,
)
from html5lib.treebuilders import base as _base  # noqa: E402


def _defer_import(name: str) -> None:
    """Import module ``name`` so that its code runs only when it is first used: the
    recipe "Implementing lazy imports" of the ``importlib`` documentation. Nothing
    changes when the module is already imported."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)


# html5lib's etree tree builder imports ``_ihatexml`` for its debugging serialiser alone;
# running that module compiles regexes worth ~10% of a one-file run's start-up.
_defer_import("html5lib._ihatexml")

_TOKEN_TYPES = {value: name for name, value in constants.tokenTypes.items()}
_PARSE_ERROR = constants.tokenTypes["ParseError"]
#: Elements html5lib lets stay open at the end of input without an error (its in-body EOF rule).
_MAY_STAY_OPEN = frozenset(
    {"dd", "dt", "li", "p", "tbody", "td", "tfoot", "th", "thead", "tr", "body", "html"}
)
#: The current standard's list (the "in body" insertion mode, end-of-file token) adds
#: these: html5lib objects to them, the standard does not.
STANDARD_MAY_STAY_OPEN = _MAY_STAY_OPEN | {"optgroup", "option", "rb", "rp", "rt", "rtc"}
#: End-of-input errors that name no element but are about one.
_EOF_ELEMENT = {"eof-in-table": "table", "eof-in-select": "select", "eof-in-frameset": "frameset"}
#: A superset of html5lib's ``invalid_unicode_re`` that the regex engine scans about ten
#: times faster: its invalid characters outside the Basic Multilingual Plane (U+1FFFE,
#: U+1FFFF, ... U+10FFFF) widened to the whole range above U+FFFF, which is one range.
_MAYBE_INVALID_CODEPOINT = re.compile(
    "[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
    "\U00010000-\U0010ffff]"
)
#: Tokenizer states in which a new token begins (text, and the '<' that may open a tag).
_TEXT_STATES = ("dataState", "rcdataState", "rawtextState", "scriptDataState", "plaintextState")
#: The characters after an attribute name on which html5lib's attributeNameState leaves
#: it for the next state (and checks for a duplicate), other than '>' and end of input.
_ENDS_ATTRIBUTE_NAME = frozenset(["=", "/", *constants.spaceCharacters])
_START_TAG = constants.tokenTypes["StartTag"]
_HTML_NAMESPACE = constants.namespaces["html"]
_END_TAG = constants.tokenTypes["EndTag"]
_CHARACTERS = constants.tokenTypes["Characters"]
_SPACE_CHARACTERS = constants.tokenTypes["SpaceCharacters"]
_COMMENT = constants.tokenTypes["Comment"]
_DOCTYPE = constants.tokenTypes["Doctype"]
#: MathML elements html5lib's mainLoop keeps in foreign content at a text integration point.
_MATHML_TEXT_ELEMENTS = frozenset(["mglyph", "malignmark"])
#: Text html5lib's dataState reads as one Characters token: a first character that is
#: not a space (spaces make a SpaceCharacters token), then up to '&', '<' or NUL.
_TEXT = "[^\t\n\x0c\r &<\x00][^&<\x00]*"  # (a pattern's source: _RUN_TOKEN holds it)
#: The start tags after which html5lib's tree builder may switch the tokenizer out of
#: the data state (its parseRCDataRawtext and the handlers of <script> and <plaintext>,
#: in every phase; <noscript> only with scripting, which is off, but it costs nothing):
#: html5lib's own sets of such elements, and <plaintext>.
_SWITCHING = constants.cdataElements | constants.rcdataElements | frozenset(["plaintext"])
#: An attribute as html5lib's attribute states read it without an error: a space, the
#: name (a first character other than '=', then up to a space, '/', '>' or '='; a quote or
#: '<' in it is an error, NUL too) and maybe '=' and a value: double-quoted, single-quoted
#: or unquoted (no '&': it starts a character reference; no NUL, and no quote, '=', '<' or
#: '`' in an unquoted value: errors). Groups: name, then the value in one of three.
_ATTRIBUTE_PATTERN = (
    f"[{HTML_SPACE}]+([^{HTML_SPACE}/>\"'<=\x00]+)"
    f"(?:[{HTML_SPACE}]*=[{HTML_SPACE}]*"
    f"(?:\"([^\"&\x00]*)\"|'([^'&\x00]*)'|([^{HTML_SPACE}&>\"'=<`\x00]+)))?"
)
_ATTRIBUTE = re.compile(_ATTRIBUTE_PATTERN)
#: The rest of a tag after its '<', when html5lib's tag states read it without an error:
#: '/' for an end tag, the name (a letter, then up to a space, '/', '>' or NUL), the
#: attributes, then '>' or '/>'. Anything else (an entity or an error inside the tag, or
#: end of input before the '>') does not match.
_SIMPLE_TAG = re.compile(
    f"(?P<end_tag>/?)(?P<name>[a-zA-Z][^{HTML_SPACE}/>\x00]*)"
    f"(?P<attributes>(?:{_ATTRIBUTE_PATTERN})*)[{HTML_SPACE}]*(?P<self_closing>/?)>"
)
#: What dataState reads in a run (see there): text as ``_TEXT`` (group 1), spaces as
#: html5lib's dataState reads them into one SpaceCharacters token (group 2), or a
#: simple tag (whose last group is '/>''s slash: ``lastindex`` tells the three apart).
_RUN_TOKEN = re.compile(f"({_TEXT})|([{HTML_SPACE}]+)|<{_SIMPLE_TAG.pattern}")


_new_tuple = tuple.__new__


def _simple_attributes(attributes: str) -> dict[str, str] | None:
    """The attributes of a simple tag (``_SIMPLE_TAG``'s group) as html5lib's attribute
    states read them, names lower-cased as attributeNameState does; None when a name is
    given twice (an error html5lib raises inside the tag: its states must read it)."""
    data: dict[str, str] = {}
    found = _ATTRIBUTE.findall(attributes)  # (name, value in one of three groups)
    for name_written, double, single, unquoted in found:
        # (ascii_lower, inlined: this runs for every attribute; at most one of the value
        # groups matched, none: no value, "")
        data[name_written.lower() if name_written.isascii()
             else name_written.translate(ASCII_LOWER)] = double or single or unquoted
    return data if len(data) == len(found) else None


def _token(raw: dict[str, Any], start: int, end: int) -> Token:
    """Our token for html5lib's, spanning ``start``..``end``. (tuple.__new__ is what
    Token(...) does, without its Python-level __new__; the fields are in Token's order.)"""
    data = raw.get("data")
    return _new_tuple(Token, (_TOKEN_TYPES.get(raw["type"], "?"), raw.get("name"),
                              data if isinstance(data, dict) else {}, start, end,
                              bool(raw.get("selfClosing"))))


class _WholeText:
    """What html5lib's input stream reads the body from: ``io.StringIO(text)``'s ``read``,
    which hands over the text itself when asked for all of it (the stream always is:
    see ``_OneChunkStream``) rather than a copy of a copy."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def read(self, size: int | None = -1) -> str:
        text = self._text
        if size is None or size < 0 or size >= len(text):
            self._text = ""
            return text
        self._text = text[size:]
        return text[:size]


class _OneChunkStream(_inputstream.HTMLUnicodeInputStream):
    """The whole (already normalised) body in one chunk, with the absolute offset and
    the offsets of the characters html5lib reports as ``invalid-codepoint``. (html5lib
    holds back a last character that is a high surrogate: it comes as a second chunk.)"""

    _defaultChunkSize = sys.maxsize
    chunkOffset: int  # html5lib's

    def openStream(self, source: str) -> _WholeText:
        # html5lib's copies the body into a StringIO, and reading it copies it out again.
        return _WholeText(source)

    def reset(self) -> None:
        super().reset()
        self.consumed: int = 0  # the length of the chunks read before the current one
        self.error_offsets: deque[int] = deque()

    def readChunk(self, chunkSize: int | None = None) -> bool:
        self.consumed += self.chunkSize
        return bool(super().readChunk(chunkSize))

    def characterErrorsUCS4(self, data: str) -> None:
        # html5lib reports these when it reads the chunk, with no position: keep them.
        if not _MAYBE_INVALID_CODEPOINT.search(data):
            return  # the usual case, found ~10x faster than by html5lib's own scan
        for match in _inputstream.invalid_unicode_re.finditer(data):
            self.errors.append("invalid-codepoint")
            self.error_offsets.append(self.consumed + match.start())

    @property
    def offset(self) -> int:
        return self.consumed + self.chunkOffset


class _Current(NamedTuple):
    """The span (stream offsets) of what the parser is handling, and its token index.
    (A named tuple: one is made per token, and a frozen dataclass is slower to build.)"""

    start: int
    end: int
    index: int | None  # type: ignore[assignment]  # hides tuple.index (unused)


class _SpanTokenizer(_tokenizer.HTMLTokenizer):
    """Adds ``index`` (into ``raw`` and ``tokens``) to each token and keeps ``current``, the span of
    the error the parser is handling, or ``None`` while it handles a token: the one in
    ``processing`` (errors are rare, so no span is made per token). ``exhausted`` turns
    true at end of input.

    Tokens are contiguous except for characters html5lib drops: a token starts where the
    previous one ended, or where the tokenizer last resumed reading text.

    ``tokens`` holds our :class:`Token` for each of html5lib's tokens in ``raw``, made
    as it is read, its offsets the stream's plus ``shift`` (the source offsets when the
    body had no CRLF). The parser may change a token later (html5lib renames and
    re-keys the start tags it puts in foreign content): the parser makes those again
    (``_SpanParser.adjustForeignAttributes``).
    """

    state: Any  # html5lib's: the bound method of the state the tokenizer is in (or None)

    def __init__(self, stream: str, parser: Any = None, shift: int = 0) -> None:
        # html5lib's __init__, but for its input stream: it would build one of its own
        # (a copy of the body in a StringIO, an encoding looked up) that ours replaces at
        # once. These are the fields it sets; a test compares them with html5lib's.
        self.stream = _OneChunkStream(stream)
        self.parser = parser
        self.escapeFlag = False
        self.lastFourChars: list[str] = []
        self.state = self.dataState
        self.escape = False
        self.currentToken: Any = None
        self.shift = shift
        self.raw: list[dict[str, Any]] = []
        self.tokens: list[Token] = []
        self.current: _Current | None = _Current(0, 0, None)
        # The index of the token the parser is handling.
        self.processing = 0
        self.exhausted = False
        # For attributeNameState: the tag whose attribute names ``_names`` holds, and how
        # many of its attributes those are.
        self._names_of: dict[str, Any] | None = None
        self._names_counted = 0
        self._names: set[str] = set()

    def current_span(self) -> _Current:
        """The span of what the parser is handling (see ``current``)."""
        if self.current is not None:
            return self.current
        return self.span_of(self.processing)

    def span_of(self, index: int) -> _Current:
        """The span of our token ``index``, in the stream's offsets."""
        token = self.tokens[index]
        return _Current(token.start - self.shift, token.end - self.shift, index)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        # html5lib's own loop, with spans: each state call may queue errors and tokens,
        # or read a run of tokens, making ours of them (see ``dataState``).
        self.tokenQueue: deque[dict[str, Any]] = deque()
        queue = self.tokenQueue
        stream = self.stream
        raw = self.raw
        tokens = self.tokens
        shift = self.shift
        # (the functions, as this class has them: some are overridden)
        text_states = frozenset(getattr(type(self), name) for name in _TEXT_STATES)
        begin = 0  # where the token being read began
        # This loop runs once per character state; it is kept lean on purpose.
        while True:
            state = self.state
            if state.__func__ in text_states:
                # Every token starts in a text state; what the tokenizer read since the
                # last token and dropped (the '</>' of 'a</>b') belongs to no token.
                begin = stream.consumed + stream.chunkOffset
            read = len(raw)
            if not state():
                break
            if len(raw) > read:  # a run (then nothing was queued, and no chunk read)
                self.current = None
                for index in range(read, len(raw)):
                    self.processing = index
                    yield raw[index]
                continue
            while stream.errors:
                # Taken all at once: popping a list's head each time is quadratic in a
                # run of invalid characters (a chunk can hold thousands).
                messages = stream.errors[:]
                del stream.errors[:]
                for message in messages:
                    at = stream.error_offsets.popleft() if stream.error_offsets else stream.offset
                    self.current = _Current(at, at + 1, None)
                    yield {"type": _PARSE_ERROR, "data": message}
            while queue:
                token = queue.popleft()
                end = stream.consumed + stream.chunkOffset
                if token["type"] == _PARSE_ERROR:
                    self.current = _Current(begin, end, None)
                else:
                    token["index"] = len(raw)
                    raw.append(token)
                    tokens.append(_token(token, begin + shift, end + shift))
                    self.current = None  # ``processing``, worked out on an error
                    self.processing = token["index"]
                    begin = end
                yield token
        self.exhausted = True

    def dataState(self) -> bool:
        """Text, or the '<' of a tag: the cases this state meets most, made cheaper.

        html5lib reads one token per state call, and its loop (``__iter__``) takes each
        from the queue and records its span. Here a run of text, spaces and simple tags
        (see ``tagOpenState``) is read in one call, each token's span recorded as it is
        made (``raw`` and ``tokens`` grow by the run). Text up to '&', '<' or NUL is the
        Characters token html5lib makes, spaces up to anything else its SpaceCharacters
        token, unless they run to the end of the chunk (there may be a second: see
        ``_OneChunkStream``).

        The run stops before anything else (an entity, NUL, a comment, a tag that is not
        simple or one html5lib reports an error in), which the next call reads as
        html5lib does, after the parser has handled the run: html5lib's states ask the
        parser whether the current node is foreign (a CDATA section), and the parser
        switches the tokenizer's state after some start tags. The run stops after those
        (``_SWITCHING``): nothing else the parser does changes how the tokenizer reads.
        A call that makes no batch is html5lib's, but for the '<' of a tag, read in the
        same call (tagOpenState always sets the next state; an error it raises still
        spans from the '<', where this call began).
        """
        stream = self.stream
        chunk = stream.chunk
        offset = stream.chunkOffset
        size = stream.chunkSize
        consumed = stream.consumed
        raw = self.raw
        tokens = self.tokens
        index = first = len(raw)
        base = consumed + self.shift  # stream offsets (in this chunk) -> ours
        tag = None
        while True:
            match = _RUN_TOKEN.match(chunk, offset)
            if match is None:
                break
            end = match.end()
            kind = match.lastindex  # 1: text, 2: spaces, else a tag (its last group)
            if kind == 1 or kind == 2:
                if end >= size:
                    break
                token = {"type": _CHARACTERS if kind == 1 else _SPACE_CHARACTERS,
                         "data": match.group(kind), "index": index}
                ours = _new_tuple(Token, ("Characters" if kind == 1 else "SpaceCharacters",
                                          None, {}, base + offset, base + end, False))
            else:
                end_tag, name, attributes, self_closing = match.group(
                    "end_tag", "name", "attributes", "self_closing")
                if attributes:
                    if end_tag:
                        break  # attributes-in-end-tag
                    data = _simple_attributes(attributes)
                    if data is None:
                        break  # duplicate-attribute
                else:
                    data = {}
                name = name.lower() if name.isascii() else name.translate(ASCII_LOWER)
                if end_tag:
                    if self_closing:
                        break  # self-closing-flag-on-end-tag
                    token = tag = {"type": _END_TAG, "name": name, "data": [],
                                   "selfClosing": False, "index": index}
                    ours = _new_tuple(Token, ("EndTag", name, {}, base + offset, base + end,
                                              False))
                else:
                    closed = bool(self_closing)
                    token = tag = {"type": _START_TAG, "name": name, "data": data,
                                   "selfClosing": closed,
                                   "selfClosingAcknowledged": False, "index": index}
                    ours = _new_tuple(Token, ("StartTag", name, data, base + offset,
                                              base + end, closed))
            raw.append(token)
            tokens.append(ours)
            index += 1
            offset = end
            if tag is token and not end_tag and name in _SWITCHING:
                break
        if index > first:
            stream.chunkOffset = offset
            if tag is not None:
                self.currentToken = tag  # (html5lib's rcdata states read the last tag's name)
            return True
        if chunk.startswith("<", offset):
            stream.chunkOffset = offset + 1
            return self.tagOpenState()
        return bool(super().dataState())

    def tagOpenState(self) -> bool:
        """After a '<' in text: read a whole tag in one call when it is a simple one.

        html5lib reads a tag one character (or one run of letters) per state call: some
        15 calls for ``<a href="..." target="...">``, the bulk of the tokenizer's work on
        clippings. A tag that its states would read without an error (``_SIMPLE_TAG``) is
        read here with one regex match into the dict they would build, attribute names
        lower-cased as attributeNameState does, and emitted as html5lib's
        emitCurrentToken would (it lower-cases the tag name, turns a start tag's
        attributes into a dict and reports attributes or '/>' on an end tag), without its
        fix-up of duplicate attributes: those take html5lib's way, below.
        Every other tag goes through html5lib's states, from this one: tags with a
        duplicate attribute (an error html5lib raises inside the tag), '<!', '</ ', an
        entity in a value, a tag cut off by the end of input, or running into a second
        chunk of the stream (see ``_OneChunkStream``).
        """
        stream = self.stream
        match = _SIMPLE_TAG.match(stream.chunk, stream.chunkOffset)
        if match is None:
            return bool(super().tagOpenState())
        end_tag, name, attributes, self_closing = match.group(
            "end_tag", "name", "attributes", "self_closing")
        data = _simple_attributes(attributes) if attributes else {}
        if data is None:
            return bool(super().tagOpenState())  # duplicate-attribute: html5lib's way
        stream.chunkOffset = match.end()
        # What emitCurrentToken does with such a tag, without its tests for the cases
        # the match rules out (duplicate attributes).
        queue = self.tokenQueue
        name = ascii_lower(name)
        if end_tag:
            if data:
                queue.append({"type": _PARSE_ERROR, "data": "attributes-in-end-tag"})
            if self_closing:
                queue.append({"type": _PARSE_ERROR, "data": "self-closing-flag-on-end-tag"})
            token = {"type": _END_TAG, "name": name,
                     "data": [[key, value] for key, value in data.items()],
                     "selfClosing": bool(self_closing)}
        else:
            token = {"type": _START_TAG, "name": name, "data": data,
                     "selfClosing": bool(self_closing), "selfClosingAcknowledged": False}
        self.currentToken = token
        queue.append(token)
        self.state = self.dataState
        return True

    def attributeNameState(self) -> bool:
        """html5lib's, with its duplicate-attribute check in constant time.

        When an attribute name ends, html5lib copies the list of the tag's earlier
        attributes and compares the name with each: quadratic in the number of attributes.
        A tag with 6,000 distinct attributes and an '&' in a value (which keeps it off
        tagOpenState's fast path) took 2 s; 300,000, which fit in a 2 MB body, take hours.
        Here html5lib's state sees the tag holding only the attribute being read, and the
        name is looked up in a set of the earlier names. A '>' (which makes html5lib emit
        the tag, turning its attribute list into a dict) goes to html5lib's state as it
        is: once per tag, so still linear. So does a character that does not end the name.
        """
        token = self.currentToken
        attributes = token["data"]
        stream = self.stream
        offset = stream.chunkOffset
        if (len(attributes) < 2 or offset >= stream.chunkSize
                or stream.chunk[offset] not in _ENDS_ATTRIBUTE_NAME):
            return bool(super().attributeNameState())  # the name goes on, or '>'
        if self._names_of is not token or self._names_counted != len(attributes) - 1:
            self._names = {name for name, _ in attributes[:-1]}
            self._names_of = token
        token["data"] = attributes[-1:]  # the same [name, value] list, alone
        try:
            result = super().attributeNameState()
        finally:
            token["data"] = attributes
        name = attributes[-1][0]  # complete, and lower-cased by html5lib
        if name in self._names:
            self.tokenQueue.append({"type": _PARSE_ERROR, "data": "duplicate-attribute"})
        self._names.add(name)
        self._names_counted = len(attributes)
        return bool(result)


_HTML5LIB_PHASES = html5parser.getPhases(False)
_Phase = _HTML5LIB_PHASES["initial"].__mro__[1]  # html5lib's base class of the phases
_InHeadPhase = _HTML5LIB_PHASES["inHead"]
_InBodyPhase = _HTML5LIB_PHASES["inBody"]
_InTablePhase = _HTML5LIB_PHASES["inTable"]
_InTableBodyPhase = _HTML5LIB_PHASES["inTableBody"]
_InRowPhase = _HTML5LIB_PHASES["inRow"]
_InColumnGroupPhase = _HTML5LIB_PHASES["inColumnGroup"]
_InSelectPhase = _HTML5LIB_PHASES["inSelect"]
_implied_tag = html5parser.impliedTagToken
#: An HTML <template> element, as html5lib's nodes name themselves (``nameTuple``).
_TEMPLATE = (_HTML_NAMESPACE, "template")
#: The standard's special elements as html5lib 1.1 lists them, and <template>, which is
#: one in the standard (https://html.spec.whatwg.org/multipage/parsing.html#special).
_SPECIAL = constants.specialElements | {_TEMPLATE}
#: The elements on which html5lib's resetInsertionMode stops, the root among them.
_MODE_ELEMENTS = frozenset({
    "select", "td", "th", "tr", "tbody", "thead", "tfoot", "caption", "colgroup", "table",
    "head", "body", "frameset", "html",
})
#: For <li>, <dd> and <dt> in "in body": the open elements each one closes.
_LIST_ITEM_CLOSES = {"li": ("li",), "dd": ("dd", "dt"), "dt": ("dd", "dt")}


def _table(handlers: Any, *entries: tuple[str, Any],
           replace: Mapping[Any, Any] | None = None) -> _utils.MethodDispatcher:
    """A copy of an html5lib phase's dispatch table (its ``startTagHandler`` or
    ``endTagHandler``) with the handler ``new`` for each ``old`` of ``replace``, the
    default included, and the ``entries`` (tag name, handler) added.

    html5lib's tables hold its functions: a subclass's method of the same name is not
    called through them unless the table is copied with it."""
    replace = replace or {}
    table = handlers.dispatcher
    added = dict(entries)
    copy = _utils.MethodDispatcher(
        [(name, replace.get(handler, handler)) for name, handler in table.items()
         if name not in added] + list(added.items()))
    copy.default = replace.get(table.default, table.default)
    return copy


#: Process a start tag using the rules for the "in head" insertion mode: html5lib's own
#: handler, a plain function its dispatch tables bind to whichever phase hands a tag over.
_start_tag_in_head = _InBodyPhase.startTagProcessInHead


def _end_tag_in_head(phase: Any, token: dict[str, Any]) -> Any:
    """Process an end tag using the rules for the "in head" insertion mode."""
    return phase.parser.phases["inHead"].processEndTag(token)


def _end_of_input(parser: Any) -> None:
    """Hand the end of input to the current phase, and on to each phase it hands it to,
    each at most once (html5lib's main loop asserts that; an assert is gone under
    ``python -O``, and the loop would not end)."""
    phases: list[Any] = []
    while True:
        phase = parser.phase
        if phase in phases:
            raise RuntimeError("a phase handed the end of input back")
        phases.append(phase)
        if not phase.processEOF():
            return


class _EndOfInputClosesTemplates:
    """For the phases the standard hands the end of input from to "in template" while a
    template is open ("in body", and those that defer to it); listed before html5lib's
    phase class."""

    __slots__ = ()

    def processEOF(self: Any) -> Any:
        if self.parser.templateModes:
            return self.parser.phases["inTemplate"].processEOF()
        return super().processEOF()  # type: ignore[misc]  # (the phase class after it)


def _close_template(parser: Any) -> None:
    """Pop the open elements up to the innermost <template>, clear the active formatting
    elements up to its marker, drop its template insertion mode and reset the insertion
    mode: the end of a template, by its end tag or by the end of input."""
    tree = parser.tree
    open_elements = tree.openElements
    while open_elements.pop().nameTuple != _TEMPLATE:
        pass
    tree.clearActiveFormattingElements()
    parser.templateModes.pop()
    parser.resetInsertionMode()


class _TemplateInHeadPhase(_InHeadPhase):  # type: ignore[misc, valid-type]
    """html5lib's "in head" insertion mode with the standard's <template> start and end
    tags, which "in body", "in table", "in select", "in column group" and "in template"
    hand to it (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-inhead).

    A template's content stays its children in our tree (the standard's parser puts it in
    a separate document fragment): it is parsed as the standard says, and <template> is
    one of :data:`cliplint.html.INVISIBLE_ELEMENTS`."""

    __slots__ = ()

    def startTagTemplate(self, token: dict[str, Any]) -> None:
        parser, tree = self.parser, self.tree
        tree.insertElement(token)
        # The marker keeps formatting elements opened before the template out of it, and
        # those opened inside it (closed with it) out of what follows.
        tree.activeFormattingElements.append(_base.Marker)
        parser.framesetOK = False
        in_template = parser.phases["inTemplate"]
        parser.templateModes.append(in_template)
        parser.phase = in_template

    def endTagTemplate(self, token: dict[str, Any]) -> None:
        parser = self.parser
        if not parser.templateModes:
            parser.parseError("unexpected-end-tag", {"name": "template"})
            return
        open_elements = self.tree.openElements
        while (open_elements[-1].name in _THOROUGH_IMPLIED_END_TAGS
               and open_elements[-1].nameTuple[0] == _HTML_NAMESPACE):
            open_elements.pop()
        if open_elements[-1].nameTuple != _TEMPLATE:
            # (the standard names none of its tree construction errors: html5lib's code
            # for an end tag that closes elements still open inside it)
            parser.parseError("end-tag-too-early", {"name": "template"})
        _close_template(parser)

    startTagHandler = _table(_InHeadPhase.startTagHandler, ("template", startTagTemplate))
    endTagHandler = _table(_InHeadPhase.endTagHandler, ("template", endTagTemplate))


class _InTemplatePhase(_Phase):  # type: ignore[misc, valid-type]
    """The standard's "in template" insertion mode, which html5lib 1.1 lacks
    (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-intemplate): the
    first start tag in a template chooses the mode its content is parsed in ("in body",
    or a table's modes for table parts, which a template may hold on their own), and
    the template keeps it (the parser's ``templateModes``, the stack of template
    insertion modes) for when the parse comes back to it. Text, comments and DOCTYPEs
    are "in body"'s (html5lib's Phase's, for the last two)."""

    __slots__ = ()

    def processCharacters(self, token: dict[str, Any]) -> Any:
        return self.parser.phases["inBody"].processCharacters(token)

    def processSpaceCharacters(self, token: dict[str, Any]) -> Any:
        return self.parser.phases["inBody"].processSpaceCharacters(token)

    def _switch(self, name: str, token: dict[str, Any]) -> dict[str, Any]:
        """The template's content is parsed in the phase ``name`` from this tag on."""
        parser = self.parser
        phase = parser.phases[name]
        parser.templateModes[-1] = phase
        parser.phase = phase
        return token  # reprocessed in that phase

    def startTagTable(self, token: dict[str, Any]) -> dict[str, Any]:
        return self._switch("inTable", token)

    def startTagCol(self, token: dict[str, Any]) -> dict[str, Any]:
        return self._switch("inColumnGroup", token)

    def startTagTr(self, token: dict[str, Any]) -> dict[str, Any]:
        return self._switch("inTableBody", token)

    def startTagCell(self, token: dict[str, Any]) -> dict[str, Any]:
        return self._switch("inRow", token)

    def startTagOther(self, token: dict[str, Any]) -> dict[str, Any]:
        return self._switch("inBody", token)

    def endTagOther(self, token: dict[str, Any]) -> None:
        self.parser.parseError("unexpected-end-tag", {"name": token["name"]})

    def processEOF(self) -> None:
        """Each template left open is an error (at its start tag: see ``_left_open``),
        then the end of input goes on in the modes the stack of open elements leads to.
        Those are run here: the standard reprocesses the token in "in body" after each
        template, and html5lib's main loop hands it to a phase at most once."""
        parser = self.parser
        if not parser.templateModes:
            return  # the standard's "stop parsing" (only a fragment parsed in a template)
        while parser.templateModes:
            parser.parseError("expected-closing-tag-but-got-eof", {"name": "template"})
            _close_template(parser)
        _end_of_input(parser)

    startTagHandler = _utils.MethodDispatcher([
        (("base", "basefont", "bgsound", "link", "meta", "noframes", "script", "style",
          "template", "title"), _start_tag_in_head),
        (("caption", "colgroup", "tbody", "tfoot", "thead"), startTagTable),
        ("col", startTagCol),
        ("tr", startTagTr),
        (("td", "th"), startTagCell),
    ])
    startTagHandler.default = startTagOther
    endTagHandler = _utils.MethodDispatcher([("template", _end_tag_in_head)])
    endTagHandler.default = endTagOther


class _TemplateInBodyPhase(_EndOfInputClosesTemplates, _InBodyPhase):  # type: ignore[misc, valid-type]
    """html5lib's "in body" insertion mode with the standard's template rules: <template>
    and </template> are "in head"'s, <template> is special (an end tag without a rule of
    its own, and <li>, <dd>, <dt>, stop there), a <form> inside a template neither needs
    nor sets the form element pointer, and the end of input closes templates first.
    (Its scopes are the tree builder's: see ``_TemplateTreeBuilder``.)"""

    __slots__ = ()

    def startTagListItem(self, token: dict[str, Any]) -> None:
        # html5lib's, with the standard's special elements.
        parser, tree = self.parser, self.tree
        parser.framesetOK = False
        closes = _LIST_ITEM_CLOSES[token["name"]]
        for node in reversed(tree.openElements):
            if node.name in closes:
                parser.phase.processEndTag(_implied_tag(node.name, "EndTag"))
                break
            if node.nameTuple in _SPECIAL and node.name not in ("address", "div", "p"):
                break
        if tree.elementInScope("p", variant="button"):
            parser.phase.processEndTag(_implied_tag("p", "EndTag"))
        tree.insertElement(token)

    def startTagForm(self, token: dict[str, Any]) -> None:
        if not self.parser.templateModes:
            super().startTagForm(token)
            return
        tree = self.tree
        if tree.elementInScope("p", variant="button"):
            self.endTagP(_implied_tag("p"))
        tree.insertElement(token)  # the form element pointer is left as it is

    def endTagForm(self, token: dict[str, Any]) -> None:
        if not self.parser.templateModes:
            super().endTagForm(token)
            return
        tree = self.tree
        if not tree.elementInScope("form"):
            self.parser.parseError("unexpected-end-tag", {"name": "form"})
            return
        tree.generateImpliedEndTags()
        if tree.openElements[-1].name != "form":
            self.parser.parseError("end-tag-too-early", {"name": "form"})
        while tree.openElements.pop().name != "form":
            pass

    def endTagOther(self, token: dict[str, Any]) -> None:
        # html5lib's, with the standard's special elements.
        name = token["name"]
        open_elements = self.tree.openElements
        for node in reversed(open_elements):
            if node.name == name:
                self.tree.generateImpliedEndTags(exclude=name)
                if open_elements[-1].name != name:
                    self.parser.parseError("unexpected-end-tag", {"name": name})
                while open_elements.pop() is not node:
                    pass
                return
            if node.nameTuple in _SPECIAL:
                self.parser.parseError("unexpected-end-tag", {"name": name})
                return

    startTagHandler = _table(
        _InBodyPhase.startTagHandler, ("template", _start_tag_in_head),
        replace={_InBodyPhase.startTagListItem: startTagListItem,
                 _InBodyPhase.startTagForm: startTagForm})
    endTagHandler = _table(
        _InBodyPhase.endTagHandler, ("template", _end_tag_in_head),
        replace={_InBodyPhase.endTagForm: endTagForm, _InBodyPhase.endTagOther: endTagOther})


class _TemplateInTablePhase(_EndOfInputClosesTemplates, _InTablePhase):  # type: ignore[misc, valid-type]
    """html5lib's "in table" insertion mode with the standard's template rules:
    <template> and </template> are "in head"'s, clearing the stack back to a table
    context stops at a template, a <form> in a template is ignored, and the end of input
    closes templates first."""

    __slots__ = ()

    def clearStackToTableContext(self) -> None:
        _clear_stack_back_to(self, ("table", "html"))

    def startTagForm(self, token: dict[str, Any]) -> None:
        if self.parser.templateModes:
            self.parser.parseError("unexpected-form-in-table")
            return
        super().startTagForm(token)

    def startTagTable(self, token: dict[str, Any]) -> Any:
        # html5lib closes the open table by an end tag it makes up, which the current
        # phase handles ("in table body" closes its row group first): the standard's
        # older wording. The standard now ignores the tag when no table is in table
        # scope, which, outside a fragment parsed in a table, only a template makes so.
        if not self.tree.elementInScope("table", variant="table"):
            self.parser.parseError("unexpected-start-tag-ignored", {"name": "table"})
            return None
        return super().startTagTable(token)

    startTagHandler = _table(_InTablePhase.startTagHandler, ("template", _start_tag_in_head),
                             replace={_InTablePhase.startTagForm: startTagForm,
                                      _InTablePhase.startTagTable: startTagTable})
    endTagHandler = _table(_InTablePhase.endTagHandler, ("template", _end_tag_in_head))


class _TemplateInTableBodyPhase(_InTableBodyPhase):  # type: ignore[misc, valid-type]
    """html5lib's "in table body" insertion mode; clearing the stack back to a table body
    context stops at a template (<tr> in a template is parsed in this mode)."""

    __slots__ = ()

    def clearStackToTableBodyContext(self) -> None:
        _clear_stack_back_to(self, ("tbody", "tfoot", "thead", "html"))


class _TemplateInRowPhase(_InRowPhase):  # type: ignore[misc, valid-type]
    """html5lib's "in row" insertion mode; clearing the stack back to a table row context
    stops at a template (<td> in a template is parsed in this mode)."""

    __slots__ = ()

    def clearStackToTableRowContext(self) -> None:
        _clear_stack_back_to(self, ("tr", "html"), "unexpected-implied-end-tag-in-table-row")


def _clear_stack_back_to(phase: Any, names: tuple[str, ...], error: str | None = None) -> None:
    """The standard's "clear the stack back to a table (body, row) context": the open
    elements popped down to one of ``names`` or a <template>; ``error`` said of each
    popped when given."""
    open_elements = phase.tree.openElements
    while not (open_elements[-1].name in names or open_elements[-1].nameTuple == _TEMPLATE):
        if error is not None:
            phase.parser.parseError(error, {"name": open_elements[-1].name})
        open_elements.pop()


class _TemplateInColumnGroupPhase(_InColumnGroupPhase):  # type: ignore[misc, valid-type]
    """html5lib's "in column group" insertion mode with the standard's template rules:
    <template> and </template> are "in head"'s, and what a <colgroup> would close is
    ignored when the current node is not one (a <template> whose content began with a
    <col>: html5lib's own check is for the root, its only other case). The end of input
    is then "in body"'s, which closes the templates."""

    __slots__ = ()

    def ignoreEndTagColgroup(self) -> bool:
        return bool(self.tree.openElements[-1].name != "colgroup")

    def processEOF(self) -> Any:
        if self.tree.openElements[-1].name != "colgroup":
            return self.parser.phases["inBody"].processEOF()
        return super().processEOF()

    startTagHandler = _table(_InColumnGroupPhase.startTagHandler,
                             ("template", _start_tag_in_head))
    endTagHandler = _table(_InColumnGroupPhase.endTagHandler, ("template", _end_tag_in_head))


class _TemplateInSelectPhase(_EndOfInputClosesTemplates, _InSelectPhase):  # type: ignore[misc, valid-type]
    """html5lib's "in select" insertion mode with the standard's template rules: <template>
    and </template> are "in head"'s, and the end of input closes templates first."""

    __slots__ = ()

    startTagHandler = _table(_InSelectPhase.startTagHandler, ("template", _start_tag_in_head))
    endTagHandler = _table(_InSelectPhase.endTagHandler, ("template", _end_tag_in_head))


#: The phases with the standard's template rules, by html5lib's names: they replace
#: html5lib's in every parse ("in caption", "in cell", "in table body", "in row" and
#: "in select in table" hand <template> and </template> to one of these).
_TEMPLATE_PHASES: Mapping[str, Any] = {
    "inHead": _TemplateInHeadPhase,
    "inTemplate": _InTemplatePhase,
    "inBody": _TemplateInBodyPhase,
    "inTable": _TemplateInTablePhase,
    "inTableBody": _TemplateInTableBodyPhase,
    "inRow": _TemplateInRowPhase,
    "inColumnGroup": _TemplateInColumnGroupPhase,
    "inSelect": _TemplateInSelectPhase,
}


class _LinearInBodyPhase(_TemplateInBodyPhase):
    """The "in body" insertion mode (with the template rules), with a shortcut for an end
    tag that matches no open element, and one for the end tag of the current formatting
    element.

    For any end tag without a rule of its own (``</x>``, or a ``</b>`` with no <b> to
    close), html5lib walks the stack of open elements from the top, looking for an
    element of that name, until it meets a special element (the root <html> is one). So
    20,000 unmatched end tags inside 20,000 nested <span>s took minutes. When no open
    element has the name, the walk can only end on a special element, with one
    ``unexpected-end-tag`` error and no change: that is done here without the walk.
    """

    __slots__ = ()

    def endTagOther(self, token: dict[str, Any]) -> None:
        if not self.tree.openElements.names.get(token["name"]):
            self.parser.parseError("unexpected-end-tag", {"name": token["name"]})
            return
        super().endTagOther(token)

    def endTagFormatting(self, token: dict[str, Any]) -> None:
        """html5lib's adoption agency algorithm, with a shortcut for the usual case: the
        end tag closes the current node, an HTML element that is the last active
        formatting element. The algorithm then finds it in scope and in the stack with
        nothing above it (so no furthest block), pops it and removes it from the active
        formatting elements: done here without its walks of both lists."""
        tree = self.tree
        current = tree.openElements[-1]
        active = tree.activeFormattingElements
        # (Only HTML elements are ever active formatting elements.)
        if active and active[-1] is current and current.name == token["name"]:
            tree.openElements.pop()
            active.pop()
            return
        super().endTagFormatting(token)

    # The dispatch table holds html5lib's endTagFormatting and the template-aware
    # endTagOther, as the default for end tags without a rule of their own: a copy with these.
    endTagHandler = _table(_TemplateInBodyPhase.endTagHandler, replace={
        _InBodyPhase.endTagFormatting: endTagFormatting,
        _TemplateInBodyPhase.endTagOther: endTagOther})


class _SpanParser(html5lib.HTMLParser):
    #: The phases that replace html5lib's, by name: the template rules, and the faster
    #: "in body" (a test parses with ``_TEMPLATE_PHASES`` alone).
    phase_classes: Mapping[str, Any] = {**_TEMPLATE_PHASES, "inBody": _LinearInBodyPhase}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, phase_class in self.phase_classes.items():
            self.phases[name] = phase_class(self, self.tree)

    def reset(self) -> None:
        # The stack of template insertion modes (phases), one for each <template> on the
        # stack of open elements: a fragment parsed in a <div> starts with none.
        self.templateModes: list[Any] = []
        super().reset()

    def resetInsertionMode(self) -> None:
        """html5lib's "reset the insertion mode appropriately", with the standard's rules
        for the two elements a template brings there: when the first open element from
        the top that decides the mode is a <template>, the mode is that template's; when
        it is a <select>, "in select in table" if a <table> comes below it before any
        <template>, else "in select" (html5lib's choice). Without templates a <select>
        never decides: a <table> cannot be opened inside one."""
        open_elements = self.tree.openElements
        for index in range(len(open_elements) - 1, 0, -1):  # [0] is the fragment's root
            node = open_elements[index]
            if node.nameTuple == _TEMPLATE:
                self.phase = self.templateModes[-1]
                return
            if node.name in _MODE_ELEMENTS and node.nameTuple[0] == _HTML_NAMESPACE:
                if node.name == "select":
                    for ancestor in reversed(open_elements[1:index]):
                        if ancestor.nameTuple == _TEMPLATE:
                            break
                        if ancestor.name == "table" and ancestor.nameTuple[0] == _HTML_NAMESPACE:
                            self.phase = self.phases["inSelectInTable"]
                            return
                break  # html5lib's walk stops here too (it skips templates)
        super().resetInsertionMode()

    def _parse(self, stream: Any, innerHTML: bool = False, container: str = "div",
               scripting: bool = False, **kwargs: Any) -> None:
        self.innerHTMLMode = innerHTML
        self.container = container
        self.scripting = scripting
        self.tokenizer = _SpanTokenizer(stream, parser=self, **kwargs)
        self.reset()
        self.mainLoop()  # no _ReparseException: we never switch encodings on a str

    def mainLoop(self) -> None:
        """html5lib's, reading once per parse what it reads for every token: the stack
        of open elements (``reset`` makes a new one before this runs, and nothing else
        replaces it), the tree's default namespace, the token types. When the current
        node is no HTML element (inside <svg> or <math>), html5lib's own test chooses
        the phase (see ``_foreign_phase``)."""
        tree = self.tree
        open_elements = tree.openElements
        default_namespace = tree.defaultNamespace
        text_pieces = tree.text_pieces
        for token in self.tokenizer:
            prev_token: dict[str, Any] = token
            new_token: dict[str, Any] | None = token
            while new_token is not None:
                prev_token = new_token
                kind = new_token["type"]
                if kind == _PARSE_ERROR:
                    self.parseError(new_token["data"], new_token.get("datavars", {}))
                    new_token = None
                    continue
                if not open_elements or open_elements[-1].namespace == default_namespace:
                    phase = self.phase
                else:
                    phase = self._foreign_phase(open_elements[-1], kind, token)
                if kind == _CHARACTERS:
                    new_token = phase.processCharacters(new_token)
                    continue
                if kind == _SPACE_CHARACTERS:
                    new_token = phase.processSpaceCharacters(new_token)
                    continue
                if text_pieces:  # the text gathered so far, in the tree before a tag
                    tree.flush_text()
                if kind == _START_TAG:
                    new_token = phase.processStartTag(new_token)
                elif kind == _END_TAG:
                    new_token = phase.processEndTag(new_token)
                elif kind == _COMMENT:
                    new_token = phase.processComment(new_token)
                elif kind == _DOCTYPE:
                    new_token = phase.processDoctype(new_token)
            if (kind == _START_TAG and prev_token["selfClosing"]
                    and not prev_token["selfClosingAcknowledged"]):
                self.parseError("non-void-element-with-trailing-solidus",
                                {"name": prev_token["name"]})
        _end_of_input(self)  # (which reads no text: it may insert some, with insertText)
        if text_pieces:
            tree.flush_text()

    def _foreign_phase(self, current: Any, kind: int, token: dict[str, Any]) -> Any:
        """The phase html5lib's mainLoop hands a token to when the current node is not
        in the default namespace: the current phase at an integration point, else the
        "in foreign content" one. (``token`` is the token the tokenizer gave, which
        html5lib reads here, not the one being processed.)"""
        if ((self.isMathMLTextIntegrationPoint(current)
             and ((kind == _START_TAG and token["name"] not in _MATHML_TEXT_ELEMENTS)
                  or kind in (_CHARACTERS, _SPACE_CHARACTERS)))
                or (current.namespace == constants.namespaces["mathml"]
                    and current.name == "annotation-xml"
                    and kind == _START_TAG and token["name"] == "svg")
                or (self.isHTMLIntegrationPoint(current)
                    and kind in (_START_TAG, _CHARACTERS, _SPACE_CHARACTERS))):
            return self.phase
        return self.phases["inForeignContent"]

    def adjustForeignAttributes(self, token: dict[str, Any]) -> None:
        """html5lib's, then our token made again from the one it adjusted: html5lib calls
        this for every start tag it puts in foreign content, last of its changes (after
        renaming the tag and its other attributes), and for no other, so these are the
        tokens whose name and attributes may have changed since the tokenizer made ours
        of them."""
        super().adjustForeignAttributes(token)
        index = token.get("index")
        if index is not None:
            tokens = self.tokenizer.tokens
            made = tokens[index]
            tokens[index] = _token(token, made.start, made.end)

    def parse_fragment(self, text: str, shift: int = 0) -> ElementTree.Element:
        """``parseFragment`` (inside a ``<div>``), leaving no reference cycles behind:
        html5lib's tree nodes point at their parents and their parents at them, and a
        tokenizer's state is its own bound method. Left to the garbage collector, those
        cycles of every parse cost more than a tenth of a run. ``shift`` is the
        tokenizer's (where ``text`` starts in the source)."""
        self._parse(text, innerHTML=True, shift=shift)
        tree = self.tree
        wrapper = _base.TreeBuilder.getFragment(tree)  # the etree builder's, unwrapped
        _unlink(wrapper, tree.document)
        tokenizer = self.tokenizer
        tokenizer.state = tokenizer.stream.reportCharacterErrors = None
        return wrapper._element  # type: ignore[no-any-return]

    def parseError(self, errorcode: str = "XXX-undefined-error", datavars: Any = None) -> None:
        datavars = datavars or {}
        open_elements = self.tree.openElements
        if len(open_elements) > 1:  # [0] is the fragment's root
            datavars = {**datavars, CURRENT_NODE: open_elements[-1].name}
        if isinstance(datavars.get("name"), str):
            datavars = {**datavars, NAME_OPEN: bool(open_elements.names.get(datavars["name"]))}
            if (errorcode == "end-tag-too-early" and datavars[NAME_OPEN]
                    and datavars["name"] in _IGNORED_OUT_OF_SCOPE):
                boundary = _scope_end(open_elements, datavars["name"])
                if boundary is not None:  # the end tag closes nothing: html5lib ignores it
                    datavars = {**datavars, SCOPE_ENDS_AT: boundary}
        if errorcode == "XXX-undefined-error":
            mode = next((name for name, phase in self.phases.items() if phase is self.phase),
                        None)
            datavars = {**datavars, INSERTION_MODE: mode}
        tokenizer = self.tokenizer
        current = tokenizer.current_span()
        offset = tokenizer.stream.offset
        if tokenizer.exhausted:
            current = self._left_open(errorcode, datavars) or current
        elif tokenizer.current is None:
            # A token: html5lib's stream has read up to its end (a batch of tokens, see
            # dataState, was read past it; for other tokens the two are the same).
            offset = current.end
        self.errors.append((offset, errorcode, datavars, current))

    def _left_open(self, code: str, datavars: Mapping[str, Any]) -> _Current | None:
        """At the end of input, the start tag of the element the error is about: the
        innermost open element html5lib objects to, or the (HTML) one it names.

        Each is looked for from the top of the stack: the end of input closes templates
        one by one, innermost first, with an error each, and a walk of the whole stack
        for each would make thousands of nested templates cost quadratic work."""
        open_elements = self.tree.openElements
        if "name" in datavars or code in _EOF_ELEMENT:
            # (a template left open: expected-closing-tag-but-got-eof naming "template",
            # raised for the innermost one before it is popped)
            named = (_HTML_NAMESPACE, datavars.get("name", _EOF_ELEMENT.get(code)))
            culprit = _innermost(open_elements, lambda node: node.nameTuple == named)
        elif code == "expected-closing-tag-but-got-eof":
            # The element the standard objects to, when there is one; else the one only
            # html5lib objects to (an <option>), which tells the rule the error is html5lib's.
            culprit = (_innermost(open_elements,
                                  lambda node: node.name not in STANDARD_MAY_STAY_OPEN)
                       or _innermost(open_elements, lambda node: node.name not in _MAY_STAY_OPEN))
        else:
            culprit = open_elements[-1] if len(open_elements) > 1 else None  # [0]: the root
        created = self.tree.created
        # (a copy of a formatting element: the start tag of the one it copies)
        while culprit is not None and culprit._element not in created:
            culprit = culprit.copy_of
        if culprit is None:
            return None
        return self.tokenizer.span_of(created[culprit._element])


#: The end tags "in body" ignores, with html5lib's ``end-tag-too-early``, when their
#: element is open but not in scope (its endTagBlock and endTagAppletMarqueeObject): for
#: others the code means the tag closed its element with others still open in it
#: (</template>, a heading's end tag closing another heading).
_IGNORED_OUT_OF_SCOPE = frozenset(
    name for name, handler in _InBodyPhase.endTagHandler.dispatcher.items()
    if handler in (_InBodyPhase.endTagBlock, _InBodyPhase.endTagAppletMarqueeObject))


def _scope_end(open_elements: list[Any], name: str) -> str | None:
    """The name of the innermost open element that ends the (default) scope before an
    HTML element ``name`` is met; None when that element is in scope."""
    boundaries = _SCOPES[None][0]
    for node in reversed(open_elements):
        if node.nameTuple == (_HTML_NAMESPACE, name):
            return None
        if node.nameTuple in boundaries:
            return str(node.name)
    return None


def _innermost(open_elements: list[Any], matches: Any) -> Any:
    """The innermost open element that ``matches``, or None (the fragment's root, at [0],
    is never one)."""
    for index in range(len(open_elements) - 1, 0, -1):
        if matches(open_elements[index]):
            return open_elements[index]
    return None


class _OpenElements(list):  # type: ignore[type-arg]
    """html5lib's stack of open elements, counting the names and the nodes on it.

    html5lib asks "is there a <p> in scope?" before every block start tag by walking
    the stack from the top, so 10,000 nested <div>s cost 10,000 walks of up to 10,000
    elements. When no open element has the name the answer is no without a walk.
    Before every formatting element (<b>, <font>, ...) it asks whether the last active
    one is open, and ``in`` on a list compares with every node: 40,000 nested <b>s took
    24 s. Here ``in`` looks the node up by identity (html5lib's nodes compare by
    identity). These are the only ways html5lib changes the stack.
    """

    def __init__(self) -> None:
        super().__init__()
        # plain dicts: Counter is slower on this hot path
        self.names: dict[str, int] = {}
        self._nodes: dict[int, int] = {}  # id(node) -> how many times it is on the stack

    def _count(self, node: Any, change: int) -> None:
        names, nodes, name, key = self.names, self._nodes, node.name, id(node)
        names[name] = names.get(name, 0) + change
        nodes[key] = nodes.get(key, 0) + change

    def __contains__(self, node: object) -> bool:
        return self._nodes.get(id(node), 0) > 0

    # append and pop count inline, with list's own methods: each runs once per element
    # parsed, and a call of _count costs them a third.
    def append(self, node: Any) -> None:
        list.append(self, node)
        names, nodes, name, key = self.names, self._nodes, node.name, id(node)
        names[name] = names.get(name, 0) + 1
        nodes[key] = nodes.get(key, 0) + 1

    def insert(self, index: Any, node: Any) -> None:
        super().insert(index, node)
        self._count(node, 1)

    def pop(self, index: Any = -1) -> Any:
        node = list.pop(self, index)
        names, nodes, name, key = self.names, self._nodes, node.name, id(node)
        names[name] -= 1
        nodes[key] -= 1
        return node

    def remove(self, node: Any) -> None:
        super().remove(node)
        self._count(node, -1)

    def __setitem__(self, index: Any, node: Any) -> None:
        if not isinstance(index, int):
            raise TypeError("the stack of open elements is changed one element at a time")
        self._count(self[index], -1)
        super().__setitem__(index, node)
        self._count(node, 1)

    def _untracked(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("the stack of open elements is changed one element at a time")

    __delitem__ = extend = clear = __iadd__ = sort = reverse = _untracked  # type: ignore[assignment]


_EtreeBuilder = treebuilders.getTreeBuilder("etree")
#: The elements whose end tags html5lib's generateImpliedEndTags implies.
_IMPLIED_END_TAGS = frozenset(("dd", "dt", "li", "option", "optgroup", "p", "rp", "rt"))
#: What "generate all implied end tags thoroughly" closes, for </template> (html5lib's
#: generateImpliedEndTags has the standard's other, cursory list, without rb and rtc).
_THOROUGH_IMPLIED_END_TAGS = _IMPLIED_END_TAGS | {
    "caption", "colgroup", "rb", "rtc", "tbody", "td", "tfoot", "th", "thead", "tr"}


class _Element(_EtreeBuilder.elementClass):  # type: ignore[name-defined]
    """html5lib's etree element, which forgets a child inserted before another: content
    foster-parented out of a table. A fragment's top-level elements are collected from
    that list, so ``<table><img src=x></table>`` parsed as a lone <table>, and the rules
    never saw the image.

    Its ``name`` and ``namespace`` are plain attributes, not html5lib's properties: the
    parser reads them a million times a run (the current node's, for every token), and
    nothing changes them once the element is made (the properties' setters would also
    rename the ElementTree element)."""

    # Class attributes that hide the inherited properties, so that the instance's own win.
    name: str = ""
    namespace: str | None = None
    #: The element this one is a copy of: html5lib copies a formatting element left open
    #: into the next block ("reconstruct the active formatting elements") and into the
    #: blocks a misnested end tag splits (the adoption agency). A copy has no start tag of
    #: its own; left open at the end of the body, it is reported at its original's.
    copy_of: Any = None

    def __init__(self, name: str, namespace: str | None = None,
                 attributes: dict[str, str] | None = None) -> None:
        # html5lib's __init__ in one call (it runs for every element): the same fields,
        # and the ElementTree element made with ``attributes`` (names that are strings,
        # as an HTML element's are: its attributes setter copies them the same way).
        self.name = name
        self.namespace = namespace
        if namespace is None:
            self._element = ElementTree.Element(name, attributes or {})
            self.nameTuple = (_HTML_NAMESPACE, name)
        else:
            self._element = ElementTree.Element(f"{{{namespace}}}{name}", attributes or {})
            self.nameTuple = (namespace, name)
        self.parent = None
        self._childNodes: list[Any] = []
        self._flags: list[Any] = []

    def insertBefore(self, node: Any, refNode: Any) -> None:
        if refNode is None:
            # html5lib's adoption agency foster-parents the node when the common ancestor
            # is named like a table part, whatever its namespace: a MathML <tr>
            # (``<math><tr>...``) with no table open leaves nothing to insert before, and
            # html5lib 1.1 raised AttributeError (its issue #568, found by fuzzing). The
            # node goes at the foster parent's end, where html5lib puts text foster-parented
            # without a table.
            self.appendChild(node)
            return
        super().insertBefore(node, refNode)
        self._childNodes.insert(self._childNodes.index(refNode), node)

    def cloneNode(self) -> Any:
        # The adoption agency's copies are these clones. (The reconstruction's clone is
        # thrown away: insertElement makes the element from its name and attributes, and
        # _SpanTreeBuilder.reconstructActiveFormattingElements says what that copies.)
        clone = super().cloneNode()
        clone.copy_of = self
        return clone


#: html5lib's scopes (``_base.listElementsMap``: the elements that end a walk, or with
#: ``True`` those that do not) with <template>, which ends every walk in the standard.
_SCOPES = {
    variant: (boundaries if invert else boundaries | {_TEMPLATE}, invert)
    for variant, (boundaries, invert) in _base.listElementsMap.items()
}


class _TemplateTreeBuilder(_EtreeBuilder):  # type: ignore[misc, valid-type]
    """html5lib's etree tree builder with the standard's template rules: <template> is a
    boundary of every scope, and content foster-parented when the last template on the
    stack was opened after the last table (or there is no table) goes into that
    template, after its last child."""

    def elementInScope(self, target: Any, variant: str | None = None) -> bool:
        # html5lib's walk, over the scopes with <template>.
        exact = hasattr(target, "nameTuple")
        if not exact and isinstance(target, str):
            target = (_HTML_NAMESPACE, target)
        boundaries, invert = _SCOPES[variant]
        for node in reversed(self.openElements):
            if (node is target) if exact else (node.nameTuple == target):
                return True
            if invert ^ (node.nameTuple in boundaries):
                return False
        raise AssertionError("the root, a boundary of every scope, was not on the stack")

    def getTableMisnestedNodePosition(self) -> tuple[Any, Any]:
        for node in reversed(self.openElements):
            if node.nameTuple == _TEMPLATE:
                return node, None  # a template opened after the last table
            if node.name == "table":
                break
        return super().getTableMisnestedNodePosition()  # type: ignore[no-any-return]


class _SpanTreeBuilder(_TemplateTreeBuilder):
    """Remembers which start-tag token created each element."""

    elementClass = _Element

    def reset(self) -> None:
        super().reset()
        self.openElements = _OpenElements()
        self.created: dict[Any, int] = {}
        # Text tokens in a row into one node, held until something else happens (see
        # insertText); the main loop holds this list, so it is only ever cleared.
        self.text_pieces: list[str] = []
        self._text_node: Any = None  # the ElementTree element the last text went into
        self._text_is_tail = False  # ... into its tail, not its text

    def elementInScope(self, target: Any, variant: str | None = None) -> bool:
        # By name, with no open element of that name: html5lib's walk would end on a
        # scope boundary (the root is one for every variant) and answer no; with the
        # current node an HTML element of that name (a <p> before </p>, most often), the
        # walk's first step answers yes. (It compares names with the namespace: an
        # <svg> element of that name is no match. html5lib 1.1 never asks for a name the
        # current node has in another namespace, so the check is insurance.)
        if isinstance(target, str):
            open_elements = self.openElements
            if not open_elements.names.get(target):
                return False
            current = open_elements[-1]
            if current.name == target and current.nameTuple[0] == _HTML_NAMESPACE:
                return True
        return bool(super().elementInScope(target, variant))

    def insertText(self, data: str, parent: Any = None) -> None:
        # html5lib's (TreeBuilder's, then its etree element's) in one call for text into
        # the current node outside a table (nearly all text): appended to the text of
        # its ElementTree element, or to the tail of its last child. A text that more
        # tokens in a row go into is gathered in ``text_pieces`` and joined once
        # (``flush_text``): adding each to the text would copy it each time, quadratic
        # in a text of many tokens ('< ' a million times took minutes). Nothing reads a
        # text while character tokens are processed; the main loop joins the pieces
        # before any other token, and the end of input.
        if parent is None and not self.insertFromTable:
            element = self.openElements[-1]._element
            if len(element):
                node, tail = element[-1], True
            else:
                node, tail = element, False
            if node is self._text_node and tail is self._text_is_tail:
                pieces = self.text_pieces
                if not pieces:
                    pieces.append(node.tail if tail else node.text)
                pieces.append(data)
            elif tail:
                if self.text_pieces:
                    self.flush_text()
                self._text_node, self._text_is_tail = node, True
                node.tail = (node.tail or "") + data
            else:
                if self.text_pieces:
                    self.flush_text()
                self._text_node, self._text_is_tail = node, False
                node.text = (node.text or "") + data
            return
        if self.text_pieces:  # (insurance: a tag comes between, which joined them)
            self.flush_text()
        super().insertText(data, parent)

    def flush_text(self) -> None:
        """Join the pieces of text gathered by ``insertText`` into their node."""
        pieces = self.text_pieces
        if self._text_is_tail:
            self._text_node.tail = "".join(pieces)
        else:
            self._text_node.text = "".join(pieces)
        pieces.clear()

    def reconstructActiveFormattingElements(self) -> None:
        # html5lib's, which puts a new element where each formatting element it copies
        # was in the list: that element is then a copy of the one it replaced. (The
        # first test is html5lib's own, before a copy of the list is made: it runs for
        # every text and most start tags, and nearly always finds nothing to do.)
        formatting = self.activeFormattingElements
        if not formatting or formatting[-1] is _base.Marker or formatting[-1] in self.openElements:
            return
        before = list(formatting)
        super().reconstructActiveFormattingElements()
        for old, new in zip(before, formatting):
            if new is not old:
                new.copy_of = old

    def generateImpliedEndTags(self, exclude: str | None = None) -> None:
        # html5lib's, as a loop over a set made once: its own builds the set on each of
        # its calls (before most end tags), and calls itself once per element it closes.
        open_elements = self.openElements
        while True:
            name = open_elements[-1].name
            if name not in _IMPLIED_END_TAGS or name == exclude:
                return
            open_elements.pop()

    def _remember(self, element: Any, token: dict[str, Any]) -> Any:
        index = token.get("index")
        if index is not None:
            self.created.setdefault(element._element, index)
        return element

    def createElement(self, token: dict[str, Any]) -> Any:
        return self._remember(super().createElement(token), token)

    def insertElementNormal(self, token: dict[str, Any]) -> Any:
        # html5lib's (base.TreeBuilder's) in one call with its createElement: it runs for
        # nearly every element.
        namespace = token.get("namespace", self.defaultNamespace)
        if namespace is None:  # an HTML element: its attribute names are strings
            element = _Element(token["name"], None, token["data"])
        else:  # foreign attributes (xlink:href...) may be named by tuples
            element = _Element(token["name"], namespace)
            element.attributes = token["data"]
        open_elements = self.openElements
        parent = open_elements[-1]
        # (html5lib's appendChild and our _remember, inlined: every open element is an
        # _Element, which keeps html5lib's appendChild)
        parent._childNodes.append(element)
        parent._element.append(element._element)
        element.parent = parent
        open_elements.append(element)
        index = token.get("index")
        if index is not None:
            self.created.setdefault(element._element, index)
        return element

    def insertElementTable(self, token: dict[str, Any]) -> Any:
        return self._remember(super().insertElementTable(token), token)


def _unlink(*roots: Any) -> None:
    """Drop the links from html5lib's tree nodes to their children (the elements of the
    xml.etree tree they wrap keep theirs): what is left has no cycles."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        children = node._childNodes
        if children:
            stack.extend(children)
            node._childNodes = []


#: One parser per thread, reused for every body: building one (a tree builder and two
#: dozen phase objects, all pointing at each other) for each body cost several percent
#: of a run, and its cycles as much again in the garbage collector. ``_parse`` resets
#: every per-parse field.
_PARSERS = threading.local()


def _span_parser() -> _SpanParser:
    parser: _SpanParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = _SpanParser(tree=_SpanTreeBuilder,
                                               namespaceHTMLElements=False)
    return parser


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

    parser = _span_parser()
    # The tokens' offsets are the source's (the stream's shifted by ``start``), unless
    # CRLF pairs were made one character: then the stream's, mapped here.
    fragment = parser.parse_fragment(normalised, 0 if crlf_positions else start)
    made = parser.tokenizer.tokens
    if crlf_positions:
        made = [token._replace(start=to_source(token.start), end=to_source(token.end))
                for token in made]
    tokens = tuple(made)

    first_token_at: dict[int, int] | None = None
    errors = []
    for offset, code, datavars, current in parser.errors:
        error_start, error_end = to_source(current.start), to_source(current.end)
        index = current.index
        if index is None:
            # A tokenizer error comes before the token it is about (or that token was
            # dropped): the token, if any, is the one starting where the error does.
            if first_token_at is None:
                first_token_at = _first_token_at(tokens)
            index = first_token_at.get(error_start)
        errors.append(ParseError(code, datavars, to_source(offset), error_start, error_end, index))

    return BodyView(
        source=source,
        start=start,
        end=end,
        tokens=tokens,
        errors=tuple(errors),
        fragment=fragment,
        start_tags=parser.tree.created,  # made for this parse alone: no copy needed
    )


def _first_token_at(tokens: tuple[Token, ...]) -> dict[int, int]:
    """Source offset -> index of the first token starting there."""
    first: dict[int, int] = {}
    for index, token in enumerate(tokens):
        first.setdefault(token.start, index)
    return first
