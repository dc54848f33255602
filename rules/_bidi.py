"""Which bidi controls open and close what, as the Unicode bidi algorithm pairs them
(UAX #9, https://www.unicode.org/reports/tr9/, BD8/BD9 and X1-X8), within one bidi
paragraph: for invisible-characters, which reports a closer that closes nothing (and
deletes it: it changes nothing a reader sees), an opener never closed and an override,
and not an embedding or isolate its closer matches.

The pairing is UAX #9's directional status stack reduced to what pairing needs:

- an opener (LRE, RLE, LRO, RLO; LRI, RLI, FSI) pushes an entry;
- a PDF pops the last entry if it is an embedding or override (X7): it cannot reach past
  an open isolate, and with nothing to pop it is ignored;
- a PDI pops up to and including the last isolate, closing every embedding opened inside
  it (X6a); with no isolate open it is ignored;
- at the end of the paragraph, whatever is open ends there (X8).

UAX #9 caps the depth at 125: an opener past it is ignored, and so is the closer that
matches it (X5a-X5c count them, X6a and X7 decrement the counts). Here the stack holds at
most :data:`MAX_DEPTH` entries and an opener past it is not pushed, which bounds the work
(markup nested thousands deep, re-opened at every paragraph break, made it quadratic);
past that depth the verdicts are approximate, and they only word the messages: the rule
offers its fix only where no opener is written at all (see invisible-characters).

In HTML the paragraphs are those of CSS Writing Modes 3 ("Applying the Bidirectional
Reordering Algorithm", https://drafts.csswg.org/css-writing-modes-3/#bidi-algo): each run
of inline content not interrupted by a block boundary or a forced paragraph break (a
<br>, a line break inside <pre>), and CSS inserts bidi controls for markup (HL3): HTML's
default styles give an inline element with a ``dir`` attribute, a <bdi> and an <output>
an isolate, a <bdo> an isolate with an override inside. A control in the text may close
one of those (CSS: controls in the text "might not correspond to the document tree
structure"), so they are entries of the stack too.

Where the body does not say (CSS the clipping does not hold, ``display`` or
``white-space`` in a ``style`` attribute), the walk errs towards fewer, longer paragraphs
and more markup controls: a closer it calls ignored is ignored in every reading of the
markup it allows, so deleting it is safe. One thing moves text: html5lib (as browsers)
puts text and elements found in a table outside its cells before the table ("foster
parenting"), in the paragraph there; a closer that may be such text is not called
ignored (MAYBE_MOVED).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from cliplint.html import VOID_ELEMENTS, BodyView, Token

#: The directional status stack's depth (UAX #9's max_depth).
MAX_DEPTH = 125

#: What a control's verdict says (a control without one is matched, and fine).
CLOSES_NOTHING = "closes nothing"
NEVER_CLOSED = "never closed"
OVERRIDE = "override"
ENDS_MARKUP = "ends markup"
MAYBE_MOVED = "maybe moved"

PDF = "\u202c"
PDI = "\u2069"
#: The openers, by what they open.
_OPENS = {"\u202a": "embedding", "\u202b": "embedding", "\u202d": "override",
          "\u202e": "override", "\u2066": "isolate", "\u2067": "isolate", "\u2068": "isolate"}
#: The characters that open an embedding, override or isolate.
OPENERS = frozenset(_OPENS)
#: Every bidi embedding, override and isolate control: the openers and their closers.
CONTROLS = OPENERS | {PDF, PDI}

#: Elements HTML's default styles lay out as blocks (display block, list-item, table and
#: its parts; HTML's rendering section, 15.3): their start and end bound a paragraph.
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "center", "col", "colgroup",
    "dd", "details", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend",
    "li", "listing", "main", "menu", "nav", "ol", "p", "plaintext", "pre", "search",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "xmp",
})
#: Elements whose content is never part of the paragraph around them: laid out on its own
#: (form controls, inline blocks; the element itself is one neutral character of the
#: paragraph around it), not shown when the element is (fallback content), or never
#: shown (display: none). So is an element with a ``hidden`` attribute.
OWN_CONTENT = frozenset({
    "audio", "button", "canvas", "datalist", "dialog", "iframe", "marquee", "math", "meter",
    "noembed", "noframes", "progress", "rp", "select", "svg", "textarea", "video",
})
#: Elements whose line breaks are kept (white-space: pre, pre-wrap): each is a forced
#: paragraph break.
PREFORMATTED = frozenset({"listing", "plaintext", "pre", "textarea", "xmp"})
_LINE_BREAK = re.compile("\r\n|\r|\n")
#: The tags that open or close a table's cells: after a <td>, <th> or <caption> (and
#: before the next of these) text is in a cell; elsewhere in a table it may be moved.
_TABLE_PARTS = frozenset({"caption", "col", "colgroup", "table", "tbody", "td", "tfoot",
                          "th", "thead", "tr"})
_CELLS = frozenset({"caption", "td", "th"})


class Verdict(NamedTuple):
    """What a control does, when it is not simply matched: ``what`` is one of the
    constants above; ``detail``, for ENDS_MARKUP, what it closes ("the isolate that
    <span> opens")."""

    what: str
    detail: str = ""


class _Entry(NamedTuple):
    """An entry of the directional status stack: what it opens, and who opened it: a
    control in the text (``at``, its offset) or an element's markup (``element``, its
    start tag's index, and its ``name``)."""

    kind: str  # "embedding", "override" or "isolate"
    at: int  # -1 for markup's
    element: int = -1  # -1 for the text's
    name: str = ""


class _Markup(NamedTuple):
    """An element open in a flow whose markup opens bidi controls."""

    element: int
    name: str
    kinds: tuple[str, ...]  # what it opens, outermost first


class _Flow:
    """The bidi paragraphs of one block container's content, or of one plain text, one
    after the other: the directional status stack of the current one, the elements open
    whose markup opens controls (CSS closes them at a paragraph break and opens them
    again after it), and the ends of the preformatted elements open."""

    def __init__(self, verdicts: dict[int, Verdict], preformatted: Iterable[int] = ()) -> None:
        self._verdicts = verdicts
        self._stack: list[_Entry] = []
        self._open: list[_Markup] = []
        self.preformatted = list(preformatted)

    def control(self, at: int, char: str, *, movable: bool = False) -> None:
        """A control in the text, at offset ``at``; ``movable``: in a table outside its
        cells, where the parser may move it out of this paragraph."""
        kind = _OPENS.get(char)
        if kind is not None:
            if len(self._stack) < MAX_DEPTH:
                self._stack.append(_Entry(kind, at))
            return
        popped = self._pop_embedding() if char == PDF else self._pop_isolate()
        if not popped:
            self._verdicts[at] = Verdict(MAYBE_MOVED if movable else CLOSES_NOTHING)
            return
        markup = [entry for entry in popped if entry.element >= 0]
        if markup:
            outermost = markup[0]
            self._verdicts[at] = Verdict(
                ENDS_MARKUP, f"the {outermost.kind} that <{outermost.name}> opens")
        for entry in popped:
            if entry.element < 0:
                self._closed(entry)

    def open_markup(self, element: int, name: str, kinds: tuple[str, ...]) -> None:
        """An element's start tag whose markup opens ``kinds``."""
        markup = _Markup(element, name, kinds)
        self._open.append(markup)
        self._push(markup)

    def close_markup(self, element: int, *, pops: bool) -> None:
        """The end tag of ``element``, if its markup opens controls: ``pops`` says whether
        its closers pop the stack here (an inline element's), or the paragraph break its
        end is will (a block's)."""
        # From the innermost: the element closing is nearly always the last one opened.
        place = next((place for place in range(len(self._open) - 1, -1, -1)
                      if self._open[place].element == element), None)
        if place is None:
            return
        markup = self._open.pop(place)
        if not pops:
            return
        popped: list[_Entry] = []
        for kind in reversed(markup.kinds):  # a PDF for an override, then a PDI
            popped += self._pop_isolate() if kind == "isolate" else self._pop_embedding()
        # A control of the text that was open inside the element closes with it, unless
        # it took the element's closer, leaving the element's own scope open.
        leaked = any(entry.element == element for entry in self._stack)
        for entry in popped:
            if entry.element < 0:
                if leaked:
                    self._verdicts[entry.at] = Verdict(NEVER_CLOSED)
                else:
                    self._closed(entry)

    def paragraph_break(self) -> None:
        """A paragraph ends here, and the next begins inside the elements still open."""
        self.end()
        for markup in self._open:
            if len(self._stack) >= MAX_DEPTH:
                break  # (the rest would not be pushed: MAX_DEPTH)
            self._push(markup)

    def end(self) -> None:
        """The last paragraph ends: what it left open was never closed (X8)."""
        for entry in self._stack:
            if entry.element < 0:
                self._verdicts[entry.at] = Verdict(NEVER_CLOSED)
        self._stack.clear()

    def _push(self, markup: _Markup) -> None:
        room = MAX_DEPTH - len(self._stack)
        if room > 0:
            self._stack.extend(_Entry(kind, -1, markup.element, markup.name)
                               for kind in markup.kinds[:room])

    def _pop_embedding(self) -> list[_Entry]:
        """X7: the last entry, unless it is an isolate (or there is none)."""
        if self._stack and self._stack[-1].kind != "isolate":
            return [self._stack.pop()]
        return []

    def _pop_isolate(self) -> list[_Entry]:
        """X6a: the entries from the last isolate on (none without one)."""
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth].kind == "isolate":
                popped = self._stack[depth:]
                del self._stack[depth:]
                return popped
        return []

    def _closed(self, entry: _Entry) -> None:
        """A control of the text closed: fine, unless it is an override."""
        if entry.kind == "override":
            self._verdicts[entry.at] = Verdict(OVERRIDE)


def judge_text(controls: Iterable[tuple[int, str]]) -> dict[int, Verdict]:
    """The verdicts on the controls of one paragraph of plain text, given as (offset,
    control) in order, by offset; a matched control has none."""
    verdicts: dict[int, Verdict] = {}
    flow = _Flow(verdicts)
    for at, char in controls:
        flow.control(at, char)
    flow.end()
    return verdicts


def judge_body(body: BodyView, controls: Mapping[int, Sequence[tuple[int, str]]],
               hidden: Iterable[tuple[int, int]]) -> dict[int, Verdict]:
    """The verdicts on the controls in the body's text: ``controls`` holds them by the
    index of the text token they are in, as (offset, control) in order; ``hidden`` the
    ranges of tokens a reader does not see (start tag to end tag, the end tag not
    included), which are skipped."""
    verdicts: dict[int, Verdict] = {}
    tokens = body.tokens
    created = frozenset(body.start_tags.values())  # start tags that made an element
    ends = body.matching_end_tags
    opened_by = {end: start for start, end in ends.items()}
    skip: dict[int, int] = {}
    for first, last in hidden:
        skip[first] = max(last, skip.get(first, last))
    # The flows open, innermost last, each with the index of the end tag that ends it.
    flows: list[tuple[int, _Flow]] = [(len(tokens), _Flow(verdicts))]
    flow_ends: set[int] = set()  # the end tags of flows[1:] (each ends one element)
    tables: set[int] = set()  # the end tags of the tables open (past the end: none)
    in_cell = False  # the last of the _TABLE_PARTS tags was a cell's start tag
    index = 0
    while index < len(tokens):
        if index in skip:
            index = skip[index]
            continue
        token = tokens[index]
        flow = flows[-1][1]
        if token.kind in ("Characters", "SpaceCharacters"):
            _text(flow, body.source, token, controls.get(index, ()),
                  movable=bool(tables) and not in_cell)
        elif token.kind in ("StartTag", "EmptyTag"):
            if index in created:
                if token.name in _TABLE_PARTS:
                    in_cell = token.name in _CELLS
                    if token.name == "table":
                        tables.add(ends.get(index, len(tokens)))
                inner = _start_tag(flow, token, index, ends.get(index), verdicts)
                if inner is not None:
                    flows.append(inner)
                    flow_ends.add(inner[0])
        elif token.kind == "EndTag":
            if token.name in _TABLE_PARTS:
                in_cell = False
                tables.discard(index)
            opener = opened_by.get(index)
            if opener is not None and opener in created:
                if index in flow_ends:
                    while True:  # the element with content of its own ends, and those in it
                        end, inner_flow = flows.pop()
                        inner_flow.end()
                        flow_ends.discard(end)
                        if end == index:
                            break
                else:
                    _end_tag(flow, tokens[opener], opener, index)
            elif token.name in ("p", "br"):
                # A </p> with no <p> open makes an empty one; a </br> is a <br>.
                flow.paragraph_break()
        index += 1
    for _, flow in reversed(flows):
        flow.end()
    return verdicts


def _text(flow: _Flow, source: str, token: Token, controls: Sequence[tuple[int, str]], *,
          movable: bool) -> None:
    """A text token: its controls, and its line breaks where they are kept."""
    if not flow.preformatted:
        for at, char in controls:
            flow.control(at, char, movable=movable)
        return
    breaks = [(match.start(), "") for match in _LINE_BREAK.finditer(source, token.start, token.end)]
    for at, char in sorted([*controls, *breaks]):
        if char:
            flow.control(at, char, movable=movable)
        else:
            flow.paragraph_break()


def _start_tag(flow: _Flow, token: Token, index: int, end: int | None,
               verdicts: dict[int, Verdict]) -> tuple[int, _Flow] | None:
    """A start tag that made an element; the flow of its own content if it has one (up
    to the end tag ``end``)."""
    name = token.name or ""
    attributes = token.attributes
    inner: tuple[int, _Flow] | None = None
    if end is not None and (name in OWN_CONTENT or "hidden" in attributes):
        inner = (end, _Flow(verdicts, [end] if name in PREFORMATTED else []))
        flow = inner[1]
    elif name in BLOCKS or name == "br":
        flow.paragraph_break()
        if end is not None and name in PREFORMATTED:
            flow.preformatted.append(end)
    kinds = _markup_controls(name, attributes)
    if kinds:
        flow.open_markup(index, name, kinds)
    return inner


def _end_tag(flow: _Flow, opening: Token, opener: int, index: int) -> None:
    """The end tag at ``index`` of the element ``tokens[opener]`` (``opening``)."""
    block = opening.name in BLOCKS
    flow.close_markup(opener, pops=not block)
    if index in flow.preformatted:
        flow.preformatted.remove(index)
    if block:
        flow.paragraph_break()


def _markup_controls(name: str, attributes: Mapping[str, str]) -> tuple[str, ...]:
    """What an element's markup opens, outermost first, by HTML's default styles
    (``[dir], bdi, output { unicode-bidi: isolate }``, ``bdo { unicode-bidi:
    isolate-override }``: they apply to inline elements). A ``style`` attribute that
    sets ``unicode-bidi`` is read as the widest value, an isolate with an override
    inside, on a block too (an override there applies to its content)."""
    if name in VOID_ELEMENTS:
        return ()
    if "unicode-bidi" in attributes.get("style", "").lower():
        return ("isolate", "override")
    if name in BLOCKS:
        return ()
    if name == "bdo":
        return ("isolate", "override")
    if name in ("bdi", "output") or "dir" in attributes:
        return ("isolate",)
    return ()
