"""Finding catalogue entries in a parsed body, with exact source spans.

Works on the one html5lib parse the engine shares (:class:`cliplint.html.BodyView`):
the tree says what a block contains, the token stream says where it is. A block is
reported only when both agree (the tokens in its span are balanced and carry the same
visible text as the tree), because the fixer deletes exactly the reported span.

Steps: find candidate blocks (elements of the entry's names, or bare text runs) whose
content matches an entry; give each its span; keep those whose position holds
(``anywhere`` first, then ``trailing`` from the end of the body backwards, so a footer
followed only by a tracker pixel is still the last block, then ``leading``); extend
trailing (leading) blocks over the ``<br>``/``<hr>`` separators before (after) them;
drop blocks nested in or overlapping a block already kept; join a block to the one
right before it when its entry says they are parts of one boilerplate (``joins``).

The work is linear in the size of the body, however deeply it nests: a block of more
than MAX_BLOCK_ELEMENTS elements is never described (subtree sizes are counted once for
all), and whether a block is the last (first) thing a reader sees is answered from a
pointer that only moves one way as blocks are kept. (Describing every one of 4,000
nested <div>s around a footer took 8.6 s.)
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import NamedTuple
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from cliplint.html import HTML_SPACE, VOID_ELEMENTS, BodyView, Token
from cliplint_rules._boilerplate import (
    FIRST_LINK_IS_TITLE_PAGE,
    FIRST_LINK_IS_TITLE_URL,
    LINKS_ON_TITLE_HOST,
    TEXT_RUN,
    Entry,
)

#: A block whose text is longer than this is article text, never boilerplate; the bound
#: also keeps the search linear-ish on long bodies.
MAX_BLOCK_TEXT = 4000
#: Nor is a block of more elements than this (the largest in the catalogue, a Better
#: Feed footer with its tags, has about 40); the bound keeps the work per block constant.
MAX_BLOCK_ELEMENTS = 200
#: Inline elements: a text run or block right after one of these is mid-sentence.
PHRASING = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "dfn", "em", "font", "i",
     "img", "kbd", "label", "mark", "nobr", "q", "s", "samp", "small", "span", "strike",
     "strong", "sub", "sup", "time", "tt", "u", "var", "wbr"}
)
#: Elements that show something without text: after a "trailing" footer they are content.
EMBEDDED = frozenset(
    {"img", "image", "iframe", "video", "audio", "object", "embed", "picture", "svg", "canvas",
     "math", "input", "button", "select", "textarea", "frame", "frameset", "applet"}
)
SEPARATORS = frozenset({"br", "hr"})
_WHITESPACE = re.compile(r"\s+")
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?)\s*(?:px)?\s*", re.IGNORECASE)
_STYLE_SIZE = re.compile(r"(?:^|;)\s*(width|height)\s*:\s*(\d+(?:\.\d*)?)\s*px\s*(?=;|$)",
                         re.IGNORECASE)


class Block(NamedTuple):
    """A match: ``start``/``end`` is the span to delete (separators included), ``core_*``
    the block itself. ``joined`` are the entries of the blocks right before it that are
    parts of the same boilerplate, deleted with it (see ``Entry.joins``)."""

    entry: Entry
    start: int
    end: int
    core_start: int
    core_end: int
    joined: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class _Content:
    """What a block holds, as the tree sees it."""

    skeleton: str  # visible text, each link's text in [brackets]
    plain: str  # visible text
    tags: frozenset[str]  # names of the elements inside (not the block's own element)
    links: tuple[ElementTree.Element, ...]
    images: tuple[ElementTree.Element, ...]

    @cached_property
    def normalised(self) -> str:
        return _WHITESPACE.sub(" ", self.skeleton).strip()

    @cached_property
    def image_sizes(self) -> tuple[float | None, ...]:
        """Per image, the larger of its two dimensions, None when one is unknown (read
        once, not once per pixel entry)."""
        return tuple(_image_size(image) for image in self.images)


class _Candidate(NamedTuple):
    entry: Entry
    core_start: int
    core_end: int
    first: int  # index of the first token of the core
    last: int  # index of its last token


# -- the entry point ---------------------------------------------------------------------


def find_blocks(body: BodyView, entries: Sequence[Entry], title_url: str | None) -> list[Block]:
    """Every block of ``body`` that one of ``entries`` identifies, in document order.
    Found once per body for the same entries and title URL (aggregator-boilerplate and
    empty-body both ask)."""
    if not entries or not body.tokens:
        return []
    # The entries by identity: comparing them whole costs more than finding the blocks.
    # (The blocks found hold their entries, so no other entry can take an id meanwhile.)
    key = ("aggregator-boilerplate blocks", tuple(map(id, entries)), title_url)
    return list(body.shared(key, lambda: tuple(_find_blocks(body, entries, title_url))))


def _find_blocks(body: BodyView, entries: Sequence[Entry], title_url: str | None) -> list[Block]:
    tokens = _Tokens(body)
    candidates = list(_candidates(body, tokens, entries, title_url))
    if not candidates:
        return []
    coverage = _Coverage(tokens)
    kept: list[Block] = []

    def keep(block: Block) -> None:
        kept.append(block)
        coverage.add(block)

    for candidate in candidates:
        if candidate.entry.position == "anywhere":
            keep(Block(candidate.entry, candidate.core_start, candidate.core_end,
                       candidate.core_start, candidate.core_end))
    trailing = [c for c in candidates if c.entry.position == "trailing"]
    for candidate in sorted(trailing, key=lambda c: (-c.core_start, c.core_end)):
        if coverage.nothing_after(candidate.last) and tokens.at_boundary(candidate.first):
            start = tokens.separators_before(candidate)
            keep(Block(candidate.entry, start, candidate.core_end,
                       candidate.core_start, candidate.core_end))
    leading = [c for c in candidates if c.entry.position == "leading"]
    for candidate in sorted(leading, key=lambda c: (c.core_start, -c.core_end)):
        if coverage.nothing_before(candidate.first):
            end = tokens.separators_after(candidate)
            keep(Block(candidate.entry, candidate.core_start, end,
                       candidate.core_start, candidate.core_end))
    return _joined(_outermost(kept), tokens)


def _outermost(blocks: Iterable[Block]) -> list[Block]:
    """Keep the outer one of nested blocks (the inner one is deleted with it) and the
    first of partly overlapping ones (edits must not overlap)."""
    result: list[Block] = []
    for block in sorted(blocks, key=lambda b: (b.start, -b.end)):
        if result and block.start < result[-1].end:
            continue
        result.append(block)
    return result


def _joined(blocks: Sequence[Block], tokens: _Tokens) -> list[Block]:
    """Blocks in document order, each joined to the one right before it when its entry
    names that one's in ``joins`` and only separators lie between them."""
    result: list[Block] = []
    for block in blocks:
        if result and result[-1].entry.name in block.entry.joins and tokens.only_separators(
                result[-1].end, block.start):
            before = result.pop()
            block = block._replace(start=before.start, core_start=before.core_start,
                                   joined=(*before.joined, before.entry, *block.joined))
        result.append(block)
    return result


# -- candidates --------------------------------------------------------------------------


def _candidates(body: BodyView, tokens: _Tokens, entries: Sequence[Entry],
                title_url: str | None) -> Iterator[_Candidate]:
    # Entries whose text patterns need literals the body does not hold are dropped
    # before any block is described; the same test then skips single blocks cheaply.
    index = None
    if any(entry.needs is not None for entry in entries):
        text = _plain_text(body.fragment)
        entries = [entry for entry in entries if entry.may_match_text(text, 0, len(text))]
        if any(entry.needs is not None for entry in entries):
            index = _TextIndex.of(body.fragment)
    by_element: dict[str, list[Entry]] = {}
    for entry in entries:
        for name in entry.elements:
            by_element.setdefault(name, []).append(entry)
    run_entries = by_element.pop(TEXT_RUN, [])
    # What an element carrying no attribute may be (most elements carry none): only an
    # entry asking for no class and no attribute.
    bare = {name: [entry for entry in named if not entry.classes and not entry.attributes]
            for name, named in by_element.items()}
    # What an image of unknown size may be: most images give none (see _fits).
    unsized_images = [entry for entry in by_element.get("img", ()) if _fits(entry, None)]
    sizes = _Sizes()

    # ElementTree's own walk, whose test is the one lookup (a comment's tag, a function,
    # is no key): a generator of BodyView.elements around it costs more than the lookup.
    # (The tests below are inlined: they run for most elements of most bodies.)
    for element in body.fragment.iter() if by_element else ():
        named = by_element.get(element.tag)
        if named is None:
            continue
        if not element.attrib:
            possible = bare[element.tag]
        else:
            if element.tag == "img":
                # The block's one image is the element: what _matches asks of its size,
                # asked before the block is described (most images are no pixel).
                size = _image_size(element)
                named = (unsized_images if size is None
                         else [entry for entry in named if _fits(entry, size)])
            possible = [entry for entry in named
                        if (not entry.classes or _has_class(element, entry))
                        and (not entry.attributes or _has_attributes(element, entry))]
        if index is not None and possible:
            start, end = index.spans[element]
            if end - start > MAX_BLOCK_TEXT:
                continue  # what _describe would find out the slow way
            # (Entry.may_match_text, inlined)
            possible = [entry for entry in possible
                        if entry.needs is None or entry.needs.found(index.text, start, end)]
        if not possible or sizes.of(element) > MAX_BLOCK_ELEMENTS:
            continue  # (too big: what _describe would find out, walking the whole subtree)
        content = _describe(element, frozenset().union(*(entry.allowed for entry in possible)))
        if content is None:
            continue
        matching = [entry for entry in possible if _matches(entry, content, title_url)]
        if not matching:
            continue
        span = body.element_span(element)
        if span is None:
            continue  # unsure where it ends: nothing we could safely delete
        located = tokens.locate(span[0], span[1], content)
        if located is not None:
            yield from (tokens.candidate(entry, *located) for entry in matching)

    if run_entries:
        allowed = frozenset().union(*(entry.allowed for entry in run_entries))
        for parent, first_sibling, content in _runs(body, allowed, run_entries, index):
            matching = [entry for entry in run_entries if _matches(entry, content, title_url)]
            span = _run_span(body, tokens, parent, first_sibling) if matching else None
            located = None if span is None else tokens.locate(*span, content)
            if located is not None:
                yield from (tokens.candidate(entry, *located) for entry in matching)


def _has_class(element: ElementTree.Element, entry: Entry) -> bool:
    """Whether the element has one of the entry's classes. An entry without classes
    fits any element: that is for the caller to test first (most entries have none)."""
    return not entry.classes.isdisjoint(element.get("class", "").split())


def _has_attributes(element: ElementTree.Element, entry: Entry) -> bool:
    """Whether the element carries each of the entry's attributes with one of its values
    (as for classes, the caller tests first whether the entry names any)."""
    return all(element.get(name) in values for name, values in entry.attributes)


def _matches(entry: Entry, content: _Content, title_url: str | None) -> bool:
    if not content.tags <= entry.allowed:
        return False
    if entry.text:
        text = content.normalised
        if not any(pattern.fullmatch(text) for pattern in entry.text):
            return False
    count = len(content.links)
    if count < entry.min_links or (entry.max_links is not None and count > entry.max_links):
        return False
    if not all(entry.links.matches(link.get("href")) for link in content.links):
        return False
    sizes = content.image_sizes if entry.max_image_size is not None else ()
    for number, image in enumerate(content.images):
        # Size first: it is cheaper than parsing the URL, and rules out most images.
        if sizes and not _fits(entry, sizes[number]):
            return False
        if not entry.images.matches(image.get("src")):
            return False
    return not entry.conditions or _meets_conditions(entry, content, title_url)


def _meets_conditions(entry: Entry, content: _Content, title_url: str | None) -> bool:
    """Whether the block's links stand as the entry's conditions ask of them and of the
    clipping's title URL (each needs one)."""
    if not title_url:
        return False
    title = html.unescape(title_url)
    hrefs = [(link.get("href") or "").strip() for link in content.links]
    first = hrefs[0] if hrefs else ""
    if FIRST_LINK_IS_TITLE_URL in entry.conditions and first not in (title_url, title):
        return False
    if FIRST_LINK_IS_TITLE_PAGE in entry.conditions and not _same_page(first, title):
        return False
    if LINKS_ON_TITLE_HOST in entry.conditions:
        host = _host(title)
        return bool(host) and all(_host(href) == host for href in hrefs)
    return True


def _host(url: str) -> str | None:
    """A URL's host, lower case, without a leading ``www.`` (None: it has none)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _same_page(url: str, other: str) -> bool:
    """Both URLs have the same scheme, host and path (case aside for scheme and host;
    the path as it reads, percent-encoded or not, one trailing slash aside); their
    queries and fragments may differ."""
    try:
        first, second = urlsplit(url), urlsplit(other)
    except ValueError:
        return False
    return (first.scheme.lower(), first.netloc.lower(), _page_path(first.path)) == (
        second.scheme.lower(), second.netloc.lower(), _page_path(second.path))


def _page_path(path: str) -> str:
    # A bot may have decoded the title URL's path ("/耳目江湖/..." for "/%E8%80%B3...").
    return unquote(path).removesuffix("/")


def _fits(entry: Entry, size: float | None) -> bool:
    """An image of ``size`` (from :func:`_image_size`) may be in a block of ``entry``:
    it has no size limit, or both dimensions are known and at most the limit."""
    limit = entry.max_image_size
    return limit is None or (size is not None and size <= limit)


def _image_size(image: ElementTree.Element) -> float | None:
    """The larger of width and height (attributes, else inline style); None when
    either is unknown."""
    attributes = image.attrib
    if "style" not in attributes and ("width" not in attributes or "height" not in attributes):
        return None  # most images: a dimension is not given at all
    sizes: dict[str, float] = {}
    for match in _STYLE_SIZE.finditer(image.get("style", "")):
        sizes[match.group(1).lower()] = float(match.group(2))
    for name in ("width", "height"):
        value = _SIZE.fullmatch(image.get(name, ""))
        if value:
            sizes[name] = float(value.group(1))
    if "width" not in sizes or "height" not in sizes:
        return None
    return max(sizes["width"], sizes["height"])


# -- what a block holds ------------------------------------------------------------------


def _plain_text(fragment: ElementTree.Element) -> str:
    """The body's plain text (:attr:`_TextIndex.text`), without a Python walk when
    there is no comment: ``itertext`` is the same text then, but it keeps comments'."""
    # (ElementTree.Comment, a function, is the tag of comments: iter() finds them in C)
    if next(fragment.iter(ElementTree.Comment), None) is None:  # type: ignore[arg-type]
        return "".join(fragment.itertext())
    return _TextIndex.of(fragment).text


class _TextIndex(NamedTuple):
    """The body's plain text, built in one walk, and where each element's lies in it.

    ``text`` is every text node and tail in document order, comments' own text left
    out: exactly what :class:`_Collector` gathers as ``plain``, so the plain text of an
    element (its text, descendants and their tails, not its own tail) is
    ``text[start:end]`` for ``spans[element]``, and that of a run is a suffix of its
    parent's. Comments get an empty span where they stand, so their tails have a start.
    """

    text: str
    spans: dict[ElementTree.Element, tuple[int, int]]

    @classmethod
    def of(cls, fragment: ElementTree.Element) -> _TextIndex:
        pieces: list[str] = []
        spans: dict[ElementTree.Element, tuple[int, int]] = {}
        offset = 0
        # (node, -1) opens a node; (node, start) closes it (its content began at start).
        # A node without children, most of them, is closed as soon as it is opened.
        stack: list[tuple[ElementTree.Element, int]] = [(fragment, -1)]
        while stack:
            node, start = stack.pop()
            if start < 0:
                start = offset
                if isinstance(node.tag, str):  # (a comment: only its tail shows)
                    if node.text:
                        pieces.append(node.text)
                        offset += len(node.text)
                    if len(node):
                        stack.append((node, start))
                        stack.extend([(child, -1) for child in reversed(node)])
                        continue
            spans[node] = (start, offset)
            if node is not fragment and node.tail:
                pieces.append(node.tail)
                offset += len(node.tail)
        return cls("".join(pieces), spans)

    def run_start(self, parent: ElementTree.Element, children: Sequence[ElementTree.Element],
                  first_sibling: int) -> int:
        """Where the run starting before ``children[first_sibling]`` starts."""
        if first_sibling == 0:
            return self.spans[parent][0]
        return self.spans[children[first_sibling - 1]][1]  # the previous child's tail



class _Sizes:
    """How many nodes each subtree holds, each counted once: asked for the outermost of
    nested elements first (document order), the inner ones are then looked up."""

    def __init__(self) -> None:
        self.known: dict[ElementTree.Element, int] = {}

    def of(self, element: ElementTree.Element) -> int:
        known = self.known
        if element not in known:
            stack: list[tuple[ElementTree.Element, bool]] = [(element, False)]
            while stack:
                node, counted = stack.pop()
                if counted:
                    known[node] = 1 + sum(known[child] for child in node)
                elif node not in known:
                    stack.append((node, True))
                    stack.extend((child, False) for child in node)
        return known[element]


class _Collector:
    """Accumulates the content of one block during one walk (local, never shared).
    With ``allowed``, the walk stops at the first element none of the entries allows."""

    def __init__(self, allowed: frozenset[str] | None = None) -> None:
        self.allowed = allowed
        self.skeleton: list[str] = []
        self.plain: list[str] = []
        self.tags: set[str] = set()
        self.links: list[ElementTree.Element] = []
        self.images: list[ElementTree.Element] = []
        self.size = 0
        self.nodes = 0

    def text(self, text: str | None) -> bool:
        """Add text; False once the block is too long to be boilerplate."""
        if text:
            self.skeleton.append(text)
            self.plain.append(text)
            self.size += len(text)
        return self.size <= MAX_BLOCK_TEXT

    def element(self, element: ElementTree.Element, inner: bool = True) -> bool:
        """Walk an element's subtree (not its tail), without recursion."""
        stack: list[tuple[ElementTree.Element, bool]] = [(element, False)]
        while stack:
            node, closing = stack.pop()
            if closing:
                if node.tag == "a":
                    self.skeleton.append("]")
                elif node.tag not in PHRASING:
                    self.skeleton.append(" ")
                if node is not element and not self.text(node.tail):
                    return False
                continue
            stack.append((node, True))
            self.nodes += 1
            if self.nodes > MAX_BLOCK_ELEMENTS:
                return False  # too big to be boilerplate
            if not isinstance(node.tag, str):
                continue  # a comment: only its tail shows
            if node is not element or not inner:
                if self.allowed is not None and node.tag not in self.allowed:
                    return False  # no entry can match the block
                self.tags.add(node.tag)
            if node.tag == "a":
                self.links.append(node)
                self.skeleton.append("[")
            elif node.tag == "img":
                self.images.append(node)
            elif node.tag not in PHRASING:
                self.skeleton.append(" ")  # br, p, div...: words on either side stay apart
            if not self.text(node.text):
                return False
            stack.extend((child, False) for child in reversed(node))
        return True

    def content(self) -> _Content:
        return _Content("".join(self.skeleton), "".join(self.plain), frozenset(self.tags),
                        tuple(self.links), tuple(self.images))


def _describe(element: ElementTree.Element,
              allowed: frozenset[str] | None = None) -> _Content | None:
    collector = _Collector(allowed)
    return collector.content() if collector.element(element) else None


def _runs(body: BodyView, allowed: frozenset[str], entries: Sequence[Entry],
          index: _TextIndex | None) -> Iterator[tuple[ElementTree.Element, int, _Content]]:
    """Bare text runs: a non-blank text node and its following siblings (with their
    tails) up to the end of the parent, as (parent, index of the first sibling, content).

    Walks each parent's children from the last one backwards and stops at the first run
    that is too long or holds an element none of the entries allow, since every earlier
    run contains it. With an ``index``, runs none of ``entries`` can match on their
    text are skipped without being described (an earlier run holds everything a
    skipped one holds, so it still ends the walk when it should), and so is at once a
    parent none can match on its whole content: every run's text is part of that, and
    what the test finds in a text it finds in any text holding it (see
    :meth:`TextNeeds.found`), so each of its runs would be skipped or end the walk.
    """
    # (ElementTree's own walk, as in _candidates: comments' tags are no strings.)
    for parent in body.fragment.iter():  # the fragment first (once: it has no runs twice)
        if not isinstance(parent.tag, str) or parent.tag in VOID_ELEMENTS:
            continue
        if index is not None and not any(
                entry.may_match_text(index.text, *index.spans[parent]) for entry in entries):
            continue
        children = list(parent)
        # The text right before children[i:]: the parent's own text, then the tails.
        texts = [parent.text, *(child.tail for child in children)]
        for first_sibling in range(len(children), -1, -1):
            text = texts[first_sibling]
            if not text or not text.strip(HTML_SPACE):
                continue
            if index is not None:
                start = index.run_start(parent, children, first_sibling)
                end = index.spans[parent][1]
                if end - start > MAX_BLOCK_TEXT:
                    break  # too long, as the collector below would find
                if not any(entry.may_match_text(index.text, start, end) for entry in entries):
                    continue
            collector = _Collector()
            complete = collector.text(text) and all(
                collector.element(child, inner=False) and collector.text(child.tail)
                for child in children[first_sibling:]
            )
            if not complete or not collector.tags <= allowed:
                break  # no entry can match this run, nor any run before it
            yield parent, first_sibling, collector.content()


def _run_span(body: BodyView, tokens: _Tokens, parent: ElementTree.Element,
              first_sibling: int) -> tuple[int, int] | None:
    """Source span of a run, from its text to the end of the parent's content."""
    start = (_text_start(body, parent) if first_sibling == 0
             else _tail_start(body, parent[first_sibling - 1]))
    end = _content_end(body, tokens, parent)
    return None if start is None or end is None else (start, end)


def _text_start(body: BodyView, parent: ElementTree.Element) -> int | None:
    if parent is body.fragment:
        return body.start
    opening = body.start_tag(parent)
    return None if opening is None else opening.end


def _tail_start(body: BodyView, element: ElementTree.Element) -> int | None:
    if not isinstance(element.tag, str):
        return None  # comments have no recorded span
    span = body.element_span(element)
    return None if span is None else span[1]


def _content_end(body: BodyView, tokens: _Tokens, parent: ElementTree.Element) -> int | None:
    """Where the parent's content ends: the start of its end tag (the body's end for the
    fragment); None for void and unclosed elements."""
    if parent is body.fragment:
        return body.end
    if parent.tag in VOID_ELEMENTS:
        return None
    span = body.element_span(parent)
    if span is None:
        return None
    closing = tokens.ending_at(span[1])
    return None if closing is None or closing.kind != "EndTag" else closing.start


# -- positions in the token stream -------------------------------------------------------


_START = attrgetter("start")
_END = attrgetter("end")


def _raw(body: BodyView, token: Token) -> str:
    return body.source[token.start : token.end]


class _Tokens:
    """Questions about the body's token stream (read-only)."""

    def __init__(self, body: BodyView) -> None:
        self.body = body
        self.tokens = body.tokens

    # The bisections read the offsets through a key rather than from lists of them: a
    # body is asked a few questions, and listing its hundreds of offsets cost more.
    # (Same comparisons, same answers.)
    def first_from(self, offset: int) -> int:
        """Index of the first token that starts at or after ``offset``."""
        return bisect.bisect_left(self.tokens, offset, key=_START)

    def ending_at(self, end: int) -> Token | None:
        index = bisect.bisect_left(self.tokens, end, key=_END)
        if index < len(self.tokens) and self.tokens[index].end == end:
            return self.tokens[index]
        return None

    def index_at(self, offset: int) -> int | None:
        index = self.first_from(offset)
        if index < len(self.tokens) and self.tokens[index].start == offset:
            return index
        return None

    def candidate(self, entry: Entry, first: int, last: int) -> _Candidate:
        """A block from token ``first`` to token ``last``, without the blank text a text
        token may carry at either end ("FetchRSS)\n" is one token)."""
        start, end = self.tokens[first].start, self.tokens[last].end
        if self.tokens[first].kind == "Characters":
            raw = _raw(self.body, self.tokens[first])
            start += len(raw) - len(raw.lstrip(HTML_SPACE))
        if self.tokens[last].kind == "Characters":
            end -= len(_raw(self.body, self.tokens[last])) - len(
                _raw(self.body, self.tokens[last]).rstrip(HTML_SPACE))
        return _Candidate(entry, start, end, first, last)

    def is_blank(self, token: Token) -> bool:
        return token.kind in ("SpaceCharacters", "Characters") and not _raw(
            self.body, token).strip(HTML_SPACE)

    def is_significant(self, token: Token) -> bool:
        """Shows something to a reader: text, or an image, video, frame..."""
        if token.kind == "Characters":
            # Decoded, and by Python's idea of space: <p>&nbsp;</p> after a footer shows nothing.
            return bool(html.unescape(_raw(self.body, token)).strip())
        return token.kind in ("StartTag", "EmptyTag") and token.name in EMBEDDED

    def locate(self, start: int, end: int, content: _Content) -> tuple[int, int] | None:
        """The first and last token of a block spanning ``start:end``, blank text at both
        ends left out; None when the tokens there do not hold exactly the
        block: unbalanced tags, or another visible text than the tree's."""
        first = self.index_at(start)
        if first is None:
            return None
        # The last token that starts before the end (tokens are in source order).
        last = max(first, self.first_from(end) - 1)
        if self.tokens[last].end != end:
            return None
        while first < last and self.is_blank(self.tokens[first]):
            first += 1
        while last > first and self.is_blank(self.tokens[last]):
            last -= 1
        span = self.tokens[first : last + 1]
        if not _balanced(span):
            return None
        # Most often the very same text: then no need to squeeze it.
        text = self._text(span)
        if text != content.plain and _squeeze(text) != _squeeze(content.plain):
            return None
        return first, last

    def _text(self, span: Sequence[Token]) -> str:
        return "".join(html.unescape(_raw(self.body, token)) for token in span
                       if token.kind in ("Characters", "SpaceCharacters"))

    def only_separators(self, start: int, end: int) -> bool:
        """Nothing but whitespace, <br>/<hr> and comments in ``start:end``."""
        index = self.first_from(start)
        while index < len(self.tokens) and self.tokens[index].start < end:
            token = self.tokens[index]
            if not (self.is_blank(token) or token.kind == "Comment" or (
                    token.name in SEPARATORS and token.kind in ("StartTag", "EmptyTag", "EndTag"))):
                return False
            index += 1
        return True

    def at_boundary(self, first: int) -> bool:
        """The block starts a line: it follows the body's start, a break or a block-level
        tag, not inline text (a marker quoted in a sentence is no footer)."""
        index = first - 1
        while index >= 0 and (self.is_blank(self.tokens[index])
                              or self.tokens[index].kind == "Comment"):
            index -= 1
        if index < 0:
            return True
        token = self.tokens[index]
        if token.kind not in ("StartTag", "EndTag", "EmptyTag"):
            return False
        return token.name in SEPARATORS or token.name not in PHRASING

    def separators_before(self, candidate: _Candidate) -> int:
        """Where the run of <br>/<hr> (and whitespace between them) right before a
        trailing block begins; the block's own start when there is none."""
        start = candidate.core_start
        index = candidate.first - 1
        while index >= 0:
            token = self.tokens[index]
            if token.name in SEPARATORS and token.kind in ("StartTag", "EmptyTag", "EndTag"):
                start = token.start
            elif not self.is_blank(token):
                break
            index -= 1
        return start

    def separators_after(self, candidate: _Candidate) -> int:
        """Where the run of <br>/<hr> right after a leading block ends."""
        end = candidate.core_end
        for token in self.tokens[candidate.last + 1 :]:
            if token.name in SEPARATORS and token.kind in ("StartTag", "EmptyTag", "EndTag"):
                end = token.end
            elif not self.is_blank(token):
                break
        return end


class _Coverage:
    """Which tokens the blocks kept so far cover (a token lying wholly inside one), and
    whether a reader sees anything after (before) a given token that they do not cover.

    Blocks are only ever added, so the last (first) significant token left uncovered can
    only move towards the start (end) of the body: two pointers that each cross the token
    stream once answer every question, where looking at every token after each of many
    nested candidates was quadratic.
    """

    def __init__(self, tokens: _Tokens) -> None:
        self.tokens = tokens
        self.covered = bytearray(len(tokens.tokens))
        self.last = len(tokens.tokens) - 1  # every token after it is covered or insignificant
        self.first = 0  # every token before it is covered or insignificant

    def add(self, block: Block) -> None:
        tokens = self.tokens.tokens
        index = self.tokens.first_from(block.start)
        while index < len(tokens) and tokens[index].end <= block.end:
            self.covered[index] = 1
            index += 1

    def _skippable(self, index: int) -> bool:
        return bool(self.covered[index]) or not self.tokens.is_significant(
            self.tokens.tokens[index])

    def nothing_after(self, index: int) -> bool:
        """Nothing a reader sees follows token ``index``, except what kept blocks cover."""
        while self.last > index and self._skippable(self.last):
            self.last -= 1
        return self.last <= index

    def nothing_before(self, index: int) -> bool:
        while self.first < index and self._skippable(self.first):
            self.first += 1
        return self.first >= index


def _balanced(span: Sequence[Token]) -> bool:
    """Every tag opened in the span is closed in it, in order (void elements aside)."""
    open_tags: list[str | None] = []
    for token in span:
        if token.kind == "StartTag" and token.name not in VOID_ELEMENTS:
            open_tags.append(token.name)
        # html5lib ignores </img> and reads </br> as <br>: neither closes anything.
        elif token.kind == "EndTag" and token.name not in VOID_ELEMENTS:
            closed = open_tags.pop() if open_tags else None
            if closed != token.name:
                return False
    return not open_tags


def _squeeze(text: str) -> str:
    return _WHITESPACE.sub("", text)
