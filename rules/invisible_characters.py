"""The title and the body's text must not hold invisible or broken characters.

Why: a zero-width space or a control character copied from a CMS is invisible to the
reader but not to search, deduplication or a diff: ``流行病信⟨U+200B⟩⟨U+200B⟩息`` no
longer matches ``流行病信息``. A bidi override silently reorders the text around it, a
bidi control left open reorders the rest of its paragraph, and a U+FFFD replacement
character marks a character lost when the feed was decoded (``沈�s榕``).

Reported, in the title line (its text and its URL) and in the text a reader sees in the
body (not in comments, scripts or styles, nor in a tag cut off by the end of the body,
which HTML drops with its attributes; attribute values only with the option below;
never in the front matter), each run of one character once, naming the character, how
it is written (raw or as a reference like ``&#8203;``) and the text around it. Runs of
different zero-width characters that touch, in one place, each deleted by the fix (the
blobs some CMSs write: ⟨U+200C⟩⟨U+200C⟩⟨U+FEFF⟩⟨U+200B⟩...), are one problem, with one
fix that deletes them all, naming each character with its count in the order they first
appear and the text around the whole run; so are runs of different control characters.
So are such runs of zero-width characters one character apart (a redaction bar written
``█⟨U+200B⟩█⟨U+200B⟩█``, a word obfuscated against copying ``n⟨U+200B⟩e⟨U+200B⟩w⟨U+200B⟩s``),
where each character between two of them is one a reader sees, in the same text (not
white space, not across a tag), with one fix; the problem also names the characters
they stand between (``'news'``). Runs two characters apart, or apart across white space
or a tag, stay separate problems.
Runs the rule judges apart (a bidi control, U+FFFD, a zero-width space left for a person,
a zero-width character beside a control character) are reported on their own:

- zero-width characters: U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER, U+FEFF ZERO
  WIDTH NO-BREAK SPACE (a byte-order mark inside the text), and U+200C ZERO WIDTH
  NON-JOINER / U+200D ZERO WIDTH JOINER outside the places they belong: a ZWJ between
  two emoji (``👨‍⚕️``), a ZWNJ or ZWJ next to a letter of a script that needs them
  (Arabic and Persian, Syriac, N'Ko, Mongolian, the Indic scripts, Tibetan, Myanmar,
  Khmer). A U+200B between letters of a script written without spaces (Thai, Lao,
  Myanmar, Khmer, Tibetan, Javanese, Balinese, Tai Tham) marks a word break there and
  is not reported;
- bidi embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069), paired
  as the Unicode bidi algorithm (UAX #9) pairs them within a paragraph: a U+202C POP
  DIRECTIONAL FORMATTING closes the last embedding or override opened since the last
  isolate still open, a U+2069 POP DIRECTIONAL ISOLATE the last isolate and whatever was
  opened inside it. Reported: a closer that closes nothing (the algorithm ignores it);
  an opener never closed (it reorders the text up to the end of its paragraph); an
  override (U+202D, U+202E), closed or not (it shows the text it encloses in a forced
  order: the "Trojan Source" trick); a closer that closes the isolate or override the
  markup opens (``dir``, ``<bdi>``, ``<bdo>``) before the element ends. An embedding or
  isolate its closer matches is how Unicode recommends mixing directions and is not
  reported, nor are the marks U+200E, U+200F and U+061C. In the body a paragraph is what
  CSS makes one: the text of a block (``<p>``, ``<div>``, ``<li>``, a table cell...) up
  to a ``<br>`` or, in ``<pre>``, a line break; inline elements (``<a>``, ``<span>``...)
  do not end it, and the text of a form control or of an element a reader does not see
  is a paragraph of its own. The body is read with HTML's default styles (a ``style``
  attribute that sets ``unicode-bidi`` is taken to open an isolate and an override).
  The title's text is one paragraph. In a URL (the title's, an ``href``, a ``src``...)
  every bidi control is reported, paired or not: none belongs there, and a pair can
  disguise a file name (``gpj.exe`` shown as ``exe.jpg``);
- C0 and C1 control characters (U+0000-U+001F, U+007F-U+009F) other than tab, line
  feed, form feed and carriage return, which HTML reads as white space;
- U+FFFD REPLACEMENT CHARACTER.

Zero-width characters at the very start of the file, before the timestamp comment or
the front matter, are reported too ("in the file's first characters"; a U+FEFF after
the byte-order mark is the mark written again): the header is read after them, as if
they were not there, and the fix deletes them.

Not reported either, being typography rather than debris: a soft hyphen (U+00AD, a
hyphenation point), a variation selector (U+FE0F), a narrow no-break space (U+202F), the
line and paragraph separators U+2028 and U+2029 (they stand for a break).

Bad::

    [六神磊磊读金庸｜⟨U+200B⟩有没有发现：她们都很像？](https://chinadigitaltimes.net/...)
    <p>世卫组织的流行病信&#8203;&#8203;息服务机构</p>
    <p>泥沙混杂⟨U+202C⟩浑浊发黄的洪水</p>
    <p>وقال ⟨U+2067⟩@UN_News في تغريدة</p>

(⟨U+200B⟩ stands for a raw zero-width space, which would not show here; ⟨U+202C⟩, a
PDF with nothing to close, and ⟨U+2067⟩, a RIGHT-TO-LEFT ISOLATE never closed, likewise.)

Good::

    [六神磊磊读金庸｜有没有发现：她们都很像？](https://chinadigitaltimes.net/...)
    <p>世卫组织的流行病信息服务机构</p>
    <p>泥沙混杂浑浊发黄的洪水</p>
    <p>وقال ⟨U+2067⟩@UN_News⟨U+2069⟩ في تغريدة</p>

Options:

- ``attributes`` (``false``): also check the values of the body's attributes (``alt``,
  ``title``, ``href``...); each value is a paragraph of its own.
- ``allow`` (``[]``): characters never reported, written ``U+200B``.

Fix (safe): a run of zero-width or control characters is deleted (raw or written as
references), but for zero-width spaces that alone separate a URL written in the body
text from the word after it (``https://bit.ly/a⟨U+200B⟩Music``, or with other zero-width
characters beside them, ``⟨U+200C⟩⟨U+200B⟩``), only reported: deleted,
they would let the link run on into the word, and a space in their place is a change a
reader sees; and so is a bidi closer that closes nothing in a text (the title's, or the
body) that writes no opener at all: no opener character, raw or as a reference, and in
the body no ``dir``, ``<bdi>``, ``<bdo>`` or ``unicode-bidi``. Nothing a reader sees
changes: they have no width, and the bidi algorithm ignores such a closer. Where an
opener is written, what a closer closes may depend on styling the clipping does not hold
(a ``display`` or ``white-space`` in a ``style``, ``<noscript>`` with scripting off), so
a closer found closing nothing there is only reported; so are a closer in a table but
outside its cells (a browser moves such text before the table, where it may close
something) and a U+2069 that closes nothing beside a number, a combining mark or a tag
(the algorithm still counts it as a neutral character, which may change their order:
``1⟨U+2069⟩,5``, ``1<b>⟨U+2069⟩</b>,5``). Other bidi controls and U+FFFD are only
reported: deleting them may reorder what the reader sees, and the character a U+FFFD
replaced is unknown.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any, NamedTuple, TypeVar

from cliplint.document import ZERO_WIDTH, Document
from cliplint.html import INVISIBLE_ELEMENTS, BodyView
from cliplint.model import Edit, Fix
from cliplint.rule_io import Violation
from cliplint_rules._bidi import (
    CLOSES_NOTHING,
    CONTROLS,
    ENDS_MARKUP,
    MAYBE_MOVED,
    OPENERS,
    OVERRIDE,
    PDI,
    Verdict,
    judge_body,
    judge_text,
)
from cliplint_rules._charrefs import HTML_REFERENCE, MARKDOWN_REFERENCE, decode
from cliplint_rules._quoting import HIDDEN, shown

ID = "invisible-characters"
SEVERITY = "warning"
FIX = "safe"
OPTIONS = {
    "type": "object",
    "properties": {
        "attributes": {
            "type": "boolean",
            "default": False,
            "description": "Also check the values of the body's attributes.",
        },
        "allow": {
            "type": "array",
            # The format refuses numbers above U+10FFFF, which are no character.
            "items": {"type": "string", "pattern": "^U\\+[0-9A-Fa-f]{4,6}$",
                      "patternDescription": "a character written U+ and 4 to 6 hex "
                      "digits, such as U+200B",
                      "format": "code-point"},
            "default": [],
            "description": "Characters never reported, written U+200B.",
        },
    },
}

_RAW = "\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069\ufffd"
#: A character this rule reports (where it is not legitimate).
REPORTED = re.compile(f"[{_RAW}]")
#: The names HTML gives the characters this rule reports (HTML's list of names is
#: closed; a test checks this against html5lib's table).
NAMED = ("NegativeMediumSpace", "NegativeThickSpace", "NegativeThinSpace",
         "NegativeVeryThinSpace", "NoBreak", "ZeroWidthSpace", "zwj", "zwnj")
# The patterns below that most clippings never need are compiled on first use (a cache):
# a one-file run's start-up compiles every pattern of every rule.


@cache
def _candidate() -> re.Pattern[str]:
    """A character this rule reports, raw, or maybe written as a reference: any number,
    or one of NAMED."""
    return re.compile(f"[{_RAW}]|&#[0-9xX]|&(?:{'|'.join(NAMED)});")


#: The characters a candidate starts with: a search for one of them alone is a plain
#: character-class scan, about twice as fast over a body as the search for _candidate().
_CANDIDATE_START = re.compile(f"[{_RAW}&]")


@cache
def _escaped() -> re.Pattern[str]:
    """What a message shows as an escape: what this rule reports (it is invisible) and
    what no message may quote raw (a form feed, U+2028, a bidi mark...)."""
    return re.compile(f"[{_RAW}{HIDDEN}]")


_ZERO_WIDTH = frozenset(ZERO_WIDTH)
_BIDI = CONTROLS
#: The direction an override forces.
_OVERRIDE_DIRECTION = {"\u202d": "left to right", "\u202e": "right to left"}
#: The verdict on a PDI that closes nothing but still counts: the bidi algorithm drops a
#: PDF that closes nothing with the other embedding controls (UAX #9, X9) but keeps such a
#: PDI as a neutral character, which a nonspacing mark after it takes the class of (W1)
#: and which parts a number from a separator or terminator the number would take in (W4,
#: W5): beside those, deleting it may change their order.
_COUNTS = "counts"
#: The verdict on a closer that closes nothing as the rule reads its paragraph, in a text
#: that writes an opener somewhere (or markup that opens one: ``dir``, ``<bdi>``,
#: ``<bdo>``, ``unicode-bidi``): what it closes may then depend on how the page is styled
#: (a ``display`` or ``white-space`` the clipping does not hold, ``<noscript>``...), so it
#: is left to a person: the fix is offered only where nothing could be closed.
_UNSURE = "unsure"
#: The verdict on a bidi control in a URL, where none belongs, paired or not.
_IN_URL = "in a URL"


@cache
def _opener_written() -> re.Pattern[str]:
    """An opener written raw or as a numeric reference (U+202A, B, D, E, U+2066-8)."""
    return re.compile(
        "[" + "".join(sorted(OPENERS)) + "]"
        "|&#(?:[xX]0*20(?:2[abdeABDE]|6[678])|0*82(?:3[4578]|9[456]))(?![0-9a-fA-F])")


@cache
def _bidi_markup() -> re.Pattern[str]:
    """Markup that may open an isolate or an override (HTML's default styles, CSS)."""
    return re.compile(r"<bd[io]\b|\sdir\s*=|unicode-bidi|direction\s*:", re.IGNORECASE)


#: Attributes holding a URL, where a bidi control is never wanted.
_URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "action", "formaction", "data",
                             "poster", "cite", "background", "longdesc"})
#: The bidi classes of numbers and of what numbers take in (W4, W5).
_NUMERIC = frozenset({"EN", "AN", "ES", "CS", "ET"})
#: A neighbour behind a tag, not looked at: it may be any character.
_AT_TAG = "tag"
_NUMERIC_OR_TAG = _NUMERIC | {_AT_TAG}
#: The bidi classes the algorithm drops (X9): no neighbour, it looks past them.
_DROPPED = frozenset({"BN", "LRE", "RLE", "LRO", "RLO", "PDF"})
#: Scripts whose shaping needs ZWNJ/ZWJ (joining and Brahmic scripts), by block.
_JOINING_SCRIPTS = (
    (0x0600, 0x07FF),  # Arabic, Syriac, Arabic Supplement, Thaana, N'Ko
    (0x0840, 0x08FF),  # Mandaic, Syriac Supplement, Arabic Extended-B/A
    (0x0900, 0x0DFF),  # Devanagari .. Sinhala
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x18AF),  # Khmer, Mongolian
    (0xA8E0, 0xA8FF),  # Devanagari Extended
    (0xFB50, 0xFDFF),  # Arabic Presentation Forms-A
    (0xFE70, 0xFEFE),  # Arabic Presentation Forms-B
    (0x11000, 0x11DFF),  # Brahmi .. Indic scripts of the SMP
)
#: Scripts written without spaces, where U+200B marks word breaks, by block.
_UNSPACED_SCRIPTS = (
    (0x0E00, 0x0FFF),  # Thai, Lao, Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x1A20, 0x1AAF),  # Tai Tham
    (0x1B00, 0x1B7F),  # Balinese
    (0xA980, 0xA9DF),  # Javanese
)
#: What may sit between an emoji and a ZWJ: variation selectors, skin tones, keycaps, tags.
_EMOJI_MODIFIERS = re.compile("[\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")
#: The emoji that are not "other symbols" (So), by Unicode's emoji data (Emoji=Yes; the
#: skin tones aside, being modifiers): keycap bases, ‼ ⁉ ℹ ↔ ◻ ◼ ◽ ◾ ⤴ ⤵ 〰 〽. Each is
#: text by default (a digit, an arrow...) and an emoji only followed by U+FE0F.
_EMOJI_NOT_SO = frozenset("#*0123456789\u203c\u2049\u2139\u2194\u25fb\u25fc\u25fd\u25fe"
                          "\u2934\u2935\u3030\u303d")
_CONTROL_NAMES = (
    "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION",
    "ENQUIRY", "ACKNOWLEDGE", "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED",
    "LINE TABULATION", "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN",
    "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
    "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE",
    "INFORMATION SEPARATOR TWO", "INFORMATION SEPARATOR ONE",
)
_C1_NAMES = (
    "PADDING CHARACTER", "HIGH OCTET PRESET", "BREAK PERMITTED HERE", "NO BREAK HERE",
    "INDEX", "NEXT LINE", "START OF SELECTED AREA", "END OF SELECTED AREA",
    "CHARACTER TABULATION SET", "CHARACTER TABULATION WITH JUSTIFICATION",
    "LINE TABULATION SET", "PARTIAL LINE FORWARD", "PARTIAL LINE BACKWARD",
    "REVERSE LINE FEED", "SINGLE SHIFT TWO", "SINGLE SHIFT THREE", "DEVICE CONTROL STRING",
    "PRIVATE USE ONE", "PRIVATE USE TWO", "SET TRANSMIT STATE", "CANCEL CHARACTER",
    "MESSAGE WAITING", "START OF GUARDED AREA", "END OF GUARDED AREA", "START OF STRING",
    "SINGLE GRAPHIC CHARACTER INTRODUCER", "SINGLE CHARACTER INTRODUCER",
    "CONTROL SEQUENCE INTRODUCER", "STRING TERMINATOR", "OPERATING SYSTEM COMMAND",
    "PRIVACY MESSAGE", "APPLICATION PROGRAM COMMAND",
)
_CONTEXT = 10  # characters of context on each side in messages


def _candidates(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """``_candidate().finditer(text, start, end)``, found by scanning for the characters
    a candidate starts with and trying _candidate() only where one is."""
    position = start
    while (hit := _CANDIDATE_START.search(text, position, end)) is not None:
        match = _candidate().match(text, hit.start(), end)
        if match is None:
            position = hit.start() + 1
            continue
        yield match
        position = match.end()


class _Found(NamedTuple):
    """A run of one reported character: its span, the character, how each is written
    (``""`` raw, else the reference) and where it is (``"the body text"``...); for a bidi
    control, what it does (a ``Verdict``'s fields: a matched one is not reported)."""

    start: int
    end: int
    char: str
    written: tuple[str, ...]
    where: str
    verdict: str = ""
    detail: str = ""


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    allowed = frozenset(chr(int(code[2:], 16)) for code in options.get("allow", ()))
    found = [*_before_header(document), *_judged_title(_in_title(document)),
             *_in_body(document, bool(options.get("attributes")))]
    openers: dict[bool, bool] = {}  # whether the title (True) or the body writes an opener
    runs = []
    for run in _runs(found):
        if run.char not in allowed:
            if run.verdict == CLOSES_NOTHING:
                in_title = run.where.startswith("the title")
                if in_title not in openers:
                    openers[in_title] = _writes_opener(document, in_title)
                if openers[in_title]:
                    run = run._replace(verdict=_UNSURE)
                elif run.char == PDI and _counts(document.text, run):
                    run = run._replace(verdict=_COUNTS)
            runs.append(run)
    for group in _spaced(document.text, _blobs(document.text, runs)):
        yield _violation(document.text, group[0]) if len(group) == 1 else _spaced_violation(
            document.text, group)


def _writes_opener(document: Document, title: bool) -> bool:
    """Whether the title's (else the body's) source writes a bidi opener, or, in the body,
    markup that may open one (see ``_UNSURE``)."""
    span = document.header.title if title else document.header.body
    if span is None:
        return False
    text = document.text
    return (_opener_written().search(text, span.start, span.end) is not None
            or (not title and _bidi_markup().search(text, span.start, span.end) is not None))


def _before_header(document: Document) -> Iterator[_Found]:
    """Zero-width characters at the very start, before the header (``Header.marks``):
    U+FEFF after the byte-order mark is the mark written again."""
    marks = document.header.marks
    if marks is None:
        return
    start = marks.start
    for char, same in itertools.groupby(document.text[marks.start : marks.end]):
        end = start + sum(1 for _ in same)  # one run of each, each of them raw
        written_again = " (a byte-order mark written again)" if char == "\ufeff" else ""
        yield _Found(start, end, char, ("",) * (end - start),
                     f"the file's first characters{written_again}")
        start = end


def _in_title(document: Document) -> Iterator[_Found]:
    title = document.header.title
    if title is None:
        return
    link = document.title_link
    text = document.text
    for match in _candidates(text, title.start, title.end):
        char, start, end, written = _at(text, match, title.end, MARKDOWN_REFERENCE)
        if char is None or _legitimate(text, start, end, char):
            continue
        where = "the title"
        if link is not None:
            if link.text.start <= start < link.text.end:
                where = "the title text"
            elif link.url.start <= start < link.url.end:
                where = "the title URL"
        yield _Found(start, end, char, (written,), where)


def _judged_title(found: Iterable[_Found]) -> Iterator[_Found]:
    """The title's findings, its bidi controls judged: the line a reader sees is one
    paragraph, its URL another."""
    paragraphs: dict[bool, list[_Found]] = {}
    for item in found:
        if item.char in _BIDI:
            paragraphs.setdefault(item.where == "the title URL", []).append(item)
        else:
            yield item
    for url, controls in paragraphs.items():
        if url:  # none belongs there, paired or not
            yield from (item._replace(verdict=_IN_URL) for item in controls)
        else:
            yield from _judged(controls, judge_text((item.start, item.char) for item in controls))


def _judged(controls: Iterable[_Found], verdicts: Mapping[int, Verdict]) -> Iterator[_Found]:
    """The bidi controls that have a verdict, with it (the others are matched)."""
    for item in controls:
        verdict = verdicts.get(item.start)
        if verdict is not None:
            yield item._replace(verdict=verdict.what, detail=verdict.detail)


def _in_body(document: Document, attributes: bool) -> Iterator[_Found]:
    span = document.header.body
    text = document.text
    matches = list(_candidates(text, span.start, span.end))
    if not matches:
        return  # the usual case, without a look at the tokens
    body = document.body
    starts = [token.start for token in body.tokens]
    hidden = _hidden_tokens(body)
    # Bidi controls, judged once all are found: in the text by token, in attributes by
    # attribute (each value is a paragraph of its own).
    in_text: dict[int, list[_Found]] = {}
    in_attributes: dict[int, list[_Found]] = {}
    for match in matches:
        index = bisect.bisect_right(starts, match.start()) - 1
        if index < 0 or body.tokens[index].end <= match.start():
            # In no token: in a tag the end of the body cuts off (``<p>x <a title="y``),
            # which html5lib drops with its attributes. No reader sees it, and the fix
            # check, which finds no text there, would refuse the file's every fix.
            continue
        token = body.tokens[index]
        if token.kind in ("Characters", "SpaceCharacters"):
            if any(first <= index < last for first, last in hidden):
                continue
            char, start, end, written = _at(text, match, token.end, HTML_REFERENCE)
            if char is not None and not _legitimate(text, start, end, char):
                item = _Found(start, end, char, (written,), "the body text")
                if char in _BIDI:
                    in_text.setdefault(index, []).append(item)
                else:
                    yield item
        elif token.kind == "StartTag" and attributes:
            attribute = next((a for a in body.attributes(token)
                              if a.value_start <= match.start() < a.value_end), None)
            if attribute is None:
                continue
            char, start, end, written = _at(text, match, attribute.value_end, HTML_REFERENCE)
            if char is not None:
                where = f"the {_shown(attribute.name)} attribute of <{_shown(token.name or '')}>"
                item = _Found(start, end, char, (written,), where)
                if char in _BIDI and attribute.name in _URL_ATTRIBUTES:
                    yield item._replace(verdict=_IN_URL)  # none belongs there, paired or not
                elif char in _BIDI:
                    in_attributes.setdefault(attribute.value_start, []).append(item)
                else:
                    yield item
    if in_text:
        verdicts = judge_body(
            body, {index: [(item.start, item.char) for item in items]
                   for index, items in in_text.items()}, hidden)
        for items in in_text.values():
            yield from _judged(items, verdicts)
    for items in in_attributes.values():
        yield from _judged(items, judge_text((item.start, item.char) for item in items))


def _counts(text: str, run: _Found) -> bool:
    """Whether a run of PDIs that close nothing sits before a nonspacing mark or between
    two characters of ``_NUMERIC`` (see ``_COUNTS``): its neighbours as written, a
    reference decoded; a tag counts as any neighbour (the text beyond an inline tag is
    the same paragraph: ``1<b>⁩</b>,5``)."""
    references = MARKDOWN_REFERENCE if run.where.startswith("the title") else HTML_REFERENCE
    after = _neighbour(text, run.end, references, forward=True)
    before = _neighbour(text, run.start, references, forward=False)
    return after in ("NSM", _AT_TAG) or (after in _NUMERIC and before in _NUMERIC_OR_TAG)


def _neighbour(text: str, position: int, references: re.Pattern[str], *, forward: bool) -> str:
    """The bidi class of the character after (before) ``position``, past those the
    algorithm drops; ``_AT_TAG`` at a tag, ``""`` at the end of the text."""
    while position < len(text) if forward else position > 0:
        if forward:
            reference = references.match(text, position) if text[position] == "&" else None
            written = reference.group() if reference else text[position]
            char = (decode(written) or written)[:1] if reference else written
            position += len(written)
        else:
            amp = text.rfind("&", max(0, position - 40), position)
            reference = references.match(text, amp, position) if amp >= 0 else None
            if reference is not None and reference.end() == position:
                char = (decode(reference.group()) or reference.group())[-1:]
                position = amp
            else:
                char = text[position - 1]
                position -= 1
        if char in "<>":
            return _AT_TAG
        kind = unicodedata.bidirectional(char)
        if kind not in _DROPPED:
            return kind
    return ""


def _hidden_tokens(body: BodyView) -> list[tuple[int, int]]:
    """Token index ranges inside elements a reader does not see (script, style...)."""
    ranges = []
    for index, token in enumerate(body.tokens):
        if token.kind == "StartTag" and token.name in INVISIBLE_ELEMENTS:
            ranges.append((index, body.matching_end_tags.get(index, len(body.tokens))))
    return ranges


def _at(text: str, match: re.Match[str], limit: int,
        references: re.Pattern[str]) -> tuple[str | None, int, int, str]:
    """The reported character a candidate match stands for (or ``None``), its span, and
    the reference it is written as (``""`` when raw): a reference as ``references``
    reads them (HTML's or Markdown's), ending by ``limit``."""
    start = match.start()
    if not match.group().startswith("&"):
        return match.group(), start, match.end(), ""
    reference = references.match(text, start, limit)
    if reference is None:
        return None, start, start, ""
    char = decode(reference.group())
    if char is None or not REPORTED.fullmatch(char):
        return None, start, start, ""
    return char, start, reference.end(), reference.group()


def _legitimate(text: str, start: int, end: int, char: str) -> bool:
    """Whether a ZWJ, ZWNJ or ZWSP sits where a script or an emoji sequence needs it."""
    if char not in "\u200b\u200c\u200d":
        return False
    at = _index_before(text, start)
    before, after = text[at] if at >= 0 else "", _letter_after(text, end)
    if char == "\u200b":
        return _in(before, _UNSPACED_SCRIPTS) and _in(after, _UNSPACED_SCRIPTS)
    if _in(before, _JOINING_SCRIPTS) or _in(after, _JOINING_SCRIPTS):
        return True
    return char == "\u200d" and _is_emoji(text, at) and _is_emoji(text, end)


def _index_before(text: str, position: int) -> int:
    """The index of the character before ``position``, past combining marks and emoji
    modifiers; -1 if there is none."""
    while position > 0:
        char = text[position - 1]
        if not (unicodedata.category(char) in ("Mn", "Mc", "Me") or _EMOJI_MODIFIERS.match(char)):
            return position - 1
        position -= 1
    return -1


def _letter_after(text: str, position: int) -> str:
    return text[position] if position < len(text) else ""


def _in(char: str, blocks: tuple[tuple[int, int], ...]) -> bool:
    return bool(char) and any(low <= ord(char) <= high for low, high in blocks)


def _is_emoji(text: str, index: int) -> bool:
    """Whether the character at ``index`` (none if out of the text) is an emoji."""
    if not 0 <= index < len(text):
        return False
    char = text[index]
    # Emoji are mostly "other symbols" (So): 👨 U+1F468, ⚕ U+2695, ❤ U+2764, regional
    # indicators. A few are not (_EMOJI_NOT_SO): ↔ U+2194 is a math symbol (Sm), yet
    # 🙂‍↔️ (U+1F642 U+200D U+2194 U+FE0F) is one emoji; those count only followed by
    # U+FE0F (emoji presentation, as in the keycap 1️⃣), which a plain arrow or digit
    # never is. A letter is never an emoji here, U+FE0F or not (ℹ, listed, aside).
    if unicodedata.category(char) == "So":
        return True
    return char in _EMOJI_NOT_SO and text[index + 1 : index + 2] == "\ufe0f"


def _runs(found: list[_Found]) -> Iterator[_Found]:
    """Adjacent findings of one character, in one place, as one."""
    current: _Found | None = None
    written: list[str] = []  # the run's forms, gathered: adding tuples would be quadratic
    for item in sorted(found):
        if (current is not None and item.start == current.end and item.char == current.char
                and item.where == current.where and item.verdict == current.verdict
                and item.detail == current.detail):
            current = current._replace(end=item.end)
            written += item.written
            continue
        if current is not None:
            yield current._replace(written=tuple(written))
        current, written = item, list(item.written)
    if current is not None:
        yield current._replace(written=tuple(written))


#: The kinds of characters whose runs, adjacent, are reported as one (see ``_blobs``).
_BLOB_KINDS = ("zero-width character", "control character")


def _kind(run: _Found) -> tuple[str, bool]:
    """What a message calls the run's character (``""`` for U+FFFD: its name says what it
    is) and whether deleting it is safe, but for a zero-width space that ends a URL (see
    ``_joins_url``)."""
    char = run.char
    if char in _ZERO_WIDTH:
        return "zero-width character", True
    if char in _BIDI:
        return "bidi control", run.verdict == CLOSES_NOTHING
    if char == "\ufffd":
        return "", False
    return "control character", True


def _joins_url(text: str, blob: Sequence[_Found]) -> bool:
    """Whether the blob (a run, or runs of zero-width characters that touch) holds a
    zero-width space and alone separates a URL in the body text from the word after it:
    deleted, it would join the URL to the word (a link running on into "Music"), and a
    space instead is a change a reader sees. (A blob: ``https://bit.ly/a⟨U+200C⟩⟨U+200B⟩Music``
    is joined as much.)"""
    first = blob[0]
    return (any(run.char == "\u200b" for run in blob) and first.char in _ZERO_WIDTH
            and first.where == "the body text" and _ends_url(text, first.start, blob[-1].end))


T = TypeVar("T")
K = TypeVar("K")


def _chained(items: Iterable[tuple[T, K]], follows: Callable[[tuple[T, K], tuple[T, K]], bool]
             ) -> Iterator[tuple[T, ...]]:
    """The items in order (each with what ``follows`` asks of it, worked out once),
    gathered as one while ``follows(before, item)`` says an item joins the one before."""
    chain: list[tuple[T, K]] = []
    for item in items:
        if chain and follows(chain[-1], item):
            chain.append(item)
            continue
        if chain:
            yield tuple(each for each, _ in chain)
        chain = [item]
    if chain:
        yield tuple(each for each, _ in chain)


def _blobs(text: str, runs: Iterable[_Found]) -> Iterator[tuple[_Found, ...]]:
    """The runs, those of different characters that touch (``⟨U+200C⟩⟨U+FEFF⟩⟨U+200B⟩``,
    a CMS's blob) gathered as one where the rule reports and fixes each the same way: of
    one kind in ``_BLOB_KINDS``, in one place, each deleted by the fix. A keeper deletes
    such a blob at once; one report per character would be hundreds."""
    return _chained(((run, _blob_key(text, run)) for run in runs),
                    lambda before, item: (item[1] is not None and item[1] == before[1]
                                          and before[0].end == item[0].start))


def _blob_key(text: str, run: _Found) -> tuple[str, str] | None:
    """What a run shares with a blob to join it (its kind and place); None for a run
    that joins none."""
    kind, fixable = _kind(run)
    joins = kind in _BLOB_KINDS and fixable and not _joins_url(text, (run,))
    return (kind, run.where) if joins else None


def _deleted_blob(text: str, blob: Sequence[_Found]) -> bool:
    """Whether the fix deletes the blob as one: zero-width characters, not left for a
    person."""
    kind, fixable = _kind(blob[0])
    return kind == "zero-width character" and fixable and not _joins_url(text, blob)


def _single(text: str, index: int) -> bool:
    """Whether ``text[index]`` is one character a reader sees, of the text the blobs
    beside it are in: no white space, no tag's ``<`` or ``>``, no reference's ``&``, no
    character this rule reports."""
    char = text[index : index + 1]
    return bool(char) and not char.isspace() and char not in "<>&" and not REPORTED.match(char)


def _spaced(text: str, blobs: Iterable[tuple[_Found, ...]]
            ) -> Iterator[tuple[tuple[_Found, ...], ...]]:
    """The blobs (``_blobs``), those the fix deletes that stand one character apart
    (``█⟨U+200B⟩█⟨U+200B⟩█``, ``n⟨U+200B⟩e⟨U+200B⟩w⟨U+200B⟩s``: a redaction bar or a
    word obfuscated against copying) gathered as one: one report per character would be
    one per letter. Two characters apart, they are separate problems."""

    def follows(before: tuple[tuple[_Found, ...], bool],
                blob: tuple[tuple[_Found, ...], bool]) -> bool:
        (earlier, deleted), (runs, also_deleted) = before, blob
        return (deleted and also_deleted and runs[0].where == earlier[0].where
                and runs[0].start == earlier[-1].end + 1 and _single(text, runs[0].start - 1))

    return _chained(((blob, _deleted_blob(text, blob)) for blob in blobs), follows)


def _counted(blobs: Iterable[Sequence[_Found]]) -> tuple[list[str], str, int]:
    """The characters of the runs, by first appearance: their codes, their names each
    with its count (``U+200B ZERO WIDTH SPACE ×3, U+2060 WORD JOINER``), how many."""
    counts: dict[str, int] = {}
    for blob in blobs:
        for item in blob:
            counts[item.char] = counts.get(item.char, 0) + len(item.written)
    codes = [f"U+{ord(each):04X}" for each in counts]
    names = ", ".join(f"{code} {_name(each)}" + (f" \u00d7{count}" if count > 1 else "")
                      for code, (each, count) in zip(codes, counts.items()))
    return codes, names, sum(counts.values())


def _forms(blobs: Iterable[Sequence[_Found]]) -> str:
    """How the runs are written, for a message: ``""`` when all raw."""
    forms = list(dict.fromkeys(form or "raw" for blob in blobs for item in blob
                               for form in item.written))
    return "" if forms == ["raw"] else f" (written {', '.join(forms)})"


def _around(text: str, start: int, end: int) -> str:
    """The text around ``start:end``, for a message."""
    before = text[max(0, start - _CONTEXT) : start]
    after = text[end : end + _CONTEXT]
    return f"between {_quote(before, left=True)} and {_quote(after, left=False)}"


def _spaced_violation(text: str, group: tuple[tuple[_Found, ...], ...]) -> Violation:
    """The report on blobs one character apart (``_spaced``), with one fix deleting each:
    the characters with their counts, the characters they stand between (the word, with
    the letter before the first and after the last), the text around it."""
    start, end = group[0][0].start, group[-1][-1].end
    codes, names, _ = _counted(group)
    kind = "zero-width characters " if len(codes) > 1 else "zero-width character "
    # The word: the characters between the blobs, and a letter, digit or symbol (``█``)
    # touching the first or the last (not a ``(`` or a title's ``[``, which is no part of it).
    first = start - 1 if _single(text, start - 1) and _wordlike(text[start - 1]) else start
    last = end + 1 if _single(text, end) and _wordlike(text[end]) else end
    word = text[first:start] + "".join(
        text[blob[-1].end : after[0].start] for blob, after in itertools.pairwise(group)
    ) + text[end:last]
    if len(word) > 2 * _CONTEXT:
        word = f"{word[: _CONTEXT - 1]}\u2026{word[1 - _CONTEXT :]}"
    message = (f"{kind}{names}{_forms(group)}, between single characters of "
               f"'{_shown(word)}' in {group[0][0].where}, {_around(text, first, last)}")
    edits = tuple(Edit(blob[0].start, blob[-1].end, "") for blob in group)
    return Violation(start, end, message, Fix(edits, "safe", f"delete them ({', '.join(codes)})"))


def _wordlike(char: str) -> bool:
    """Whether a character is a letter, a digit, a mark or a symbol."""
    return unicodedata.category(char)[0] in "LNMS"


def _violation(text: str, blob: tuple[_Found, ...]) -> Violation:
    """The report on a run of one character, or on a blob of runs (``_blobs``): its
    characters by first appearance, each with its count."""
    run, start, end = blob[0], blob[0].start, blob[-1].end
    char = run.char
    kind, fixable = _kind(run)
    codes, names, count = _counted((blob,))
    if kind:
        kind += "s " if len(codes) > 1 else " "
    message = f"{kind}{names}{_forms((blob,))} in {run.where}, {_around(text, start, end)}"
    if char in _BIDI:
        message += f": {_bidi_effect(run, count > 1)}"
    elif char == "\ufffd":
        message += ": a character was lost when the text was decoded; left for a person"
    fix = None
    if fixable and _joins_url(text, blob):
        message += (f": deleting {'them' if count > 1 else 'it'} would join the URL to the "
                    "word after it; left for a person")
    elif fixable:
        what = "them" if count > 1 else "it"
        fix = Fix((Edit(start, end, ""),), "safe", f"delete {what} ({', '.join(codes)})")
    return Violation(start, end, message, fix)


@cache
def _url_before() -> re.Pattern[str]:
    """A URL written in the text right before a point, in the characters a URL is written
    with (not an attribute's value, ``href="https://...``). Text run on without a space
    after a URL (a description's lines joined, CJK after it) is not taken for its part."""
    return re.compile(r"(?<![=\"'])https?://[A-Za-z0-9._~:/?#\[\]@!$&()*+,;=%-]+\Z",
                      re.IGNORECASE)


#: How far back a URL before a zero-width space is looked for.
_URL_REACH = 2048


def _ends_url(text: str, start: int, end: int) -> bool:
    """Whether the run ``start:end`` alone separates a URL written in the text from a
    word right after it (``https://bit.ly/a⟨U+200B⟩Music``)."""
    following = text[end : end + 1]
    return (bool(following) and not following.isspace() and following != "<"
            and _url_before().search(text, max(0, start - _URL_REACH), start) is not None)


def _bidi_effect(run: _Found, plural: bool) -> str:
    """What a bidi control (or a run of them: ``plural``) does, by its verdict."""
    # (subject, possessive, object; then the verbs' forms)
    it, its, them = ("they", "their", "them") if plural else ("it", "its", "it")
    closes, displays, reorders, is_ = (("close", "display", "reorder", "are") if plural
                                       else ("closes", "displays", "reorders", "is"))
    if run.verdict == CLOSES_NOTHING:
        return f"{it} {closes} nothing and {is_} ignored (no reordering)"
    if run.verdict == _COUNTS:
        return (f"{it} {closes} nothing, but beside a number or a combining mark {it} still "
                f"{'count' if plural else 'counts'} as a neutral character, which may change "
                "their order; left for a person to judge")
    if run.verdict == _UNSURE:
        return (f"{it} {closes} nothing in {its} paragraph as read here, but the text opens "
                "bidi controls elsewhere, and what a closer closes can depend on how the "
                "page is styled; left for a person to judge")
    if run.verdict == _IN_URL:
        return ("no URL needs one: it can disguise what the link shows or where it leads; "
                "left for a person to judge")
    if run.verdict == MAYBE_MOVED:
        return (f"{it} {closes} nothing here, but {it} {is_} in a table outside its cells, "
                "where a browser moves text before the table; left for a person to judge")
    if run.verdict == ENDS_MARKUP:
        return (f"{it} {closes} {run.detail} before the element ends, which {reorders} the "
                f"text after {them}; left for a person to judge")
    trick = "(the Trojan Source trick); left for a person to judge"
    direction = _OVERRIDE_DIRECTION.get(run.char)
    if run.verdict == OVERRIDE:
        encloses = "enclose" if plural else "encloses"
        return (f"{it} {displays} the text {it} {encloses} {direction}, whatever the letters' "
                f"direction {trick}")
    scope = f"the text after {them}, up to the end of {its} paragraph"
    if direction is not None:  # an override never closed
        return (f"{it} {is_} never closed: {it} {displays} {scope}, {direction}, whatever "
                f"the letters' direction {trick}")
    return f"{it} {is_} never closed: {it} {reorders} {scope}; left for a person to judge"


def _name(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return _CONTROL_NAMES[code]
    if code == 0x7F:
        return "DELETE"
    if 0x80 <= code <= 0x9F:
        return _C1_NAMES[code - 0x80]
    return unicodedata.name(char, "UNNAMED")


def _quote(context: str, *, left: bool) -> str:
    """A piece of context for a message, with line breaks and invisible characters shown
    as escapes, cut at a line break."""
    if left:
        context = context.rpartition("\n")[2]
    else:
        context = context.partition("\n")[0]
    return f"'{_shown(context)}'"


def _shown(text: str) -> str:
    """Text from the clipping as this rule's messages quote it: what ``_escaped()``
    matches written ``\\u200b``."""
    return shown(text, _escaped(), _unicode_escape)


def _unicode_escape(char: str) -> str:
    return f"\\u{ord(char):04x}"
