"""The document model: a clipping's text, where its parts are, and offset -> line/column.

A clipping is::

    ---                      optional YAML front matter (closed however far down)
    ...
    ---
    <!--1686778744000-->     timestamp comment
    [Title](https://...)     title link (a broken one may span several lines)
    ------                   setext underline ('=' too, which title-link reports)
    日期：Tue, 23 Jun ...    optional date line some bots write
                             blank line
    <p>...</p>               HTML body

The header is found leniently, by position, so that rules can say precisely what is
wrong with it instead of the document failing to load.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from cliplint.html import BodyView
    from cliplint.yaml_front_matter import YamlFrontMatter

BOM = "\ufeff"
# A setext underline: '-' as the format has it, or '=' (an h1 title-link reports),
# indented by up to three spaces as Markdown allows.
_UNDERLINE = re.compile(r" {0,3}(?:-+|=+)[ \t]*\r?")
_DATE_LINE = re.compile(r"日期[：:]")
_ANY_BREAK = re.compile(r"\r\n?|\n")
# A broken title (raw newlines in the link text) may spread over a few lines before its underline.
_TITLE_LOOKAHEAD = 6
#: How many lines after the front matter the header is looked for in.
_HEADER_LINES = 40
#: The zero-width characters: space, non-joiner, joiner, word joiner, no-break space (a
#: byte-order mark inside the text). Invisible, and no part of a word or a line's shape.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
#: Zero-width characters at the text's start, after the BOM a Document drops: U+FEFF, a
#: BOM written twice, and the others a feed or an editor left before the first line.
_MARKS = re.compile(f"[{ZERO_WIDTH}]+")
_CLOSERS = ("---", "...")
#: A line that closes the front matter, where lines end at LF (CRLF) or at any break.
#: (In a LF or CRLF file a lone CR is no break: whitespace inside the line, as for rstrip.)
_CLOSE_LF = re.compile(r"(?<=\n)(?:---|\.\.\.)[^\S\n]*(?=\n|\Z)")


@cache  # (compiled for the first file whose lines end at a lone CR: few do)
def _close_any_break() -> re.Pattern[str]:
    return re.compile(r"(?<=[\r\n])(?:---|\.\.\.)[^\S\r\n]*(?=[\r\n]|\Z)")


#: A line that starts as a timestamp comment or a title link does (no YAML line does).
_HEADER_LINE = re.compile(r"(?<![^\r\n])(?:<!--|\[)")
#: Front matter the format does not have (Hugo's TOML and JSON): opening line -> closing.
_FOREIGN_FRONT_MATTER = {"+++": "+++", "{": "}"}


class UnreadableFile(Exception):
    """The bytes are not a text clipping: not UTF-8, or binary."""


# Span and Header are named tuples: immutable records like the frozen dataclasses
# elsewhere, but a run defines them at every start and builds dozens of spans per file,
# and a named tuple is several times cheaper at both.
class Span(NamedTuple):
    """A half-open range of offsets into ``Document.text``."""

    start: int
    end: int


class Header(NamedTuple):
    """Where the header parts are. A part that is absent is ``None``.

    Line spans exclude the line ending (``\\r\\n`` or ``\\n``). The ``underline`` is a
    setext one of ``-`` or of ``=`` (which the format does not have). ``stray`` holds the
    lines the format does not have where the header should be, which the timestamp
    comment and the title are found after: a TOML (``+++``) or JSON (``{`` ... ``}``) front
    matter, blank lines or a YAML front matter never closed, before the timestamp comment;
    a YAML front matter between the timestamp comment and the title. ``marks`` holds the
    zero-width characters at the text's start, after the byte-order mark a document drops
    (U+FEFF, a BOM written twice; U+200B, U+200C, U+200D, U+2060): the header is found
    after them.
    """

    front_matter: Span | None
    first_line: Span  # the first line after front matter, whatever it holds
    timestamp: Span | None  # that line, when it is an HTML comment (or one after stray lines)
    title: Span | None  # from the title's first line to the end of its last line
    underline: Span | None
    date_line: Span | None
    blank: Span | None
    body: Span
    #: Lines the format does not have where the header should be, which the header goes on
    #: after: a TOML or JSON front matter, blank lines or a YAML front matter never closed,
    #: before the timestamp comment; a YAML front matter between it and the title.
    stray: Span | None = None
    #: (They would hide the timestamp comment or the front matter; invisible-characters
    #: reports them.)
    marks: Span | None = None

    @property
    def title_in_place(self) -> bool:
        """Whether the title line stands where the format puts a clipping's title: over
        its underline, or under the timestamp comment. A first line with neither may be
        the body's own (a page's "[Back to Overview](...)" link in every article of a
        section): it is no clipping's title link, and an underline would make it a
        heading."""
        return self.underline is not None or self.timestamp is not None


class TitleLink(NamedTuple):
    """The title's ``[text](url)`` link: the spans of its text (inside the brackets) and
    of its URL, and where the link ends (after its ')'). The URL is the link's
    destination as Markdown reads it, without the angle brackets around it or the link
    title after it (``[text](<url> "title")``); when Markdown does not read such a form
    (an unclosed quote, a '<' never closed), it is all that is inside the parentheses."""

    text: Span
    url: Span
    end: int


#: Why a file that holds a NUL is no clipping (a text given to the library too).
BINARY = "binary file (contains NUL bytes)"


@dataclass(frozen=True)
class Document:
    """One clipping. ``text`` is the decoded file without its BOM; all offsets refer to it."""

    text: str
    path: str | None = None
    has_bom: bool = False

    @classmethod
    def from_bytes(cls, data: bytes, path: str | None = None) -> Document:
        """Decode a file's bytes; raise :class:`UnreadableFile` when they are no clipping."""
        if b"\x00" in data:
            raise UnreadableFile(_wide_text(data) or BINARY)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            # (UTF-16 text with no NUL byte, all CJK say, lands here: named all the same)
            raise UnreadableFile(_wide_text(data) or
                f"not valid UTF-8: byte 0x{data[error.start]:02x} at offset {error.start}"
            ) from None
        return cls.from_text(text, path)

    @classmethod
    def from_text(cls, text: str, path: str | None = None) -> Document:
        """A document of a text; a leading BOM is dropped (and remembered in ``has_bom``)."""
        if text.startswith(BOM):
            return cls(text[1:], path, has_bom=True)
        return cls(text, path)

    # -- lines and positions -------------------------------------------------------------

    @cached_property
    def line_starts(self) -> tuple[int, ...]:
        """Where each line starts. Lines end at the file's own line ending (see
        :meth:`newline`): in a LF or CRLF file at each LF, so a lone CR (real archives
        hold them inside attributes) is not a line break; in a CR file (classic Mac OS)
        at each CR, CRLF or LF, so a file whose lines were joined from several sources
        still has lines."""
        starts = [0]
        if self.newline() == "\r":
            starts.extend(match.end() for match in _ANY_BREAK.finditer(self.text))
            return tuple(starts)
        find = self.text.find
        position = find("\n")
        while position != -1:
            starts.append(position + 1)
            position = find("\n", position + 1)
        return tuple(starts)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset; columns count code points."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1

    def line_span(self, line: int) -> Span:
        """The span of a 1-based line, without its line ending."""
        start = self.line_starts[line - 1]
        if line < len(self.line_starts):
            end = self.line_starts[line] - 1  # the line break's last character
            if self.text[end] == "\n" and end > start and self.text[end - 1] == "\r":
                end -= 1
        else:
            end = len(self.text)
            if end > start and self.text[end - 1] == "\r":
                end -= 1
        return Span(start, end)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        span = self.line_span(line)
        return self.text[span.start : span.end]

    def next_line_start(self, offset: int) -> int:
        """Where the line after the one holding ``offset`` starts (the text's end when
        there is none)."""
        line = self.position(offset)[0]
        return self.line_starts[line] if line < len(self.line_starts) else len(self.text)

    def newline(self) -> str:
        """The file's line ending, for fixes that add a line: its first one, ``\\n``,
        ``\\r\\n`` or ``\\r`` (``\\n`` when the text has none)."""
        return self._newline

    @cached_property
    def _newline(self) -> str:
        match = _ANY_BREAK.search(self.text)
        return "\n" if match is None else match.group()

    # -- structure -----------------------------------------------------------------------

    @cached_property
    def header(self) -> Header:
        """Where the header's parts are (found leniently, by position: a rule says what
        is wrong with them)."""
        return _find_header(self)

    @cached_property
    def title_link(self) -> TitleLink | None:
        """The title's ``[text](url)`` link, or ``None`` when the title is not one (no
        title, no '[' first, brackets or parentheses that do not close, no '(' right
        after the ']'). The text may hold raw newlines (a broken title spreads over
        lines); text after the link is left out (``title-link`` reports it). The URL is
        the link's destination as Markdown reads it: ``[text](<url> "title")`` has the URL
        ``url``."""
        title = self.header.title
        if title is None:
            return None
        return parse_title_link(self.text[title.start : title.end], title.start)

    @cached_property
    def yaml_front_matter(self) -> YamlFrontMatter | None:
        """The YAML front matter's top-level keys as Jekyll reads them, merged ones
        (``<<: *defaults``) included, each with its place and the PyYAML node of its
        value (:mod:`cliplint.yaml_front_matter`), read once for the rules and the
        archive report's facts; ``None`` without one, or when it is not read (YAML or
        Jekyll refuses it, or it is too long)."""
        span = self.header.front_matter
        if span is None:
            return None
        from cliplint.yaml_front_matter import read  # (and PyYAML: only for a front matter)

        start = self.line_starts[1]  # (its '---' lines are none of its text)
        end = self.line_starts[self.position(span.end)[0] - 1]
        return read(self.text[start:end], start)

    @cached_property
    def body(self) -> BodyView:
        """The body parsed once with html5lib; shared by every rule."""
        from cliplint import html_parse

        span = self.header.body
        return html_parse.parse_body(self.text, span.start, span.end)


#: Byte-order marks of the encodings whose text holds NUL bytes, longest first (UTF-32's
#: little-endian mark starts as UTF-16's).
_WIDE_MARKS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
               (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def _wide_text(data: bytes) -> str | None:
    """What to say of bytes that are text in UTF-16 or UTF-32 after their
    byte-order mark (as Windows Notepad saves "Unicode"), instead of calling them binary;
    None for anything else."""
    for mark, encoding in _WIDE_MARKS:
        if data.startswith(mark):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            if "\x00" in text:
                return None
            return (f"{encoding} text (byte-order mark {mark.hex(' ').upper()}), not UTF-8: "
                    f"convert it, e.g. with iconv -f {encoding} -t UTF-8")
    return None


def parse_title_link(title: str, offset: int = 0) -> TitleLink | None:
    """The ``[text](url)`` link at the start of ``title`` (which starts at ``offset`` in the
    document), or ``None``. Backslash escapes in the text are honoured (``\\]`` does not
    close it); brackets and parentheses nest. The URL is read as Markdown reads a link's
    destination: without the angle brackets around it or a link title after it."""
    if not title.startswith("["):
        return None
    close = matching_bracket(title)
    if close is None or not title.startswith("(", close + 1):
        return None
    tail = link_destination(title, close + 1)
    if tail is None:
        return None
    url = Span(offset + tail.url.start, offset + tail.url.end)
    return TitleLink(Span(offset + 1, offset + close), url, offset + tail.close + 1)


class LinkTail(NamedTuple):
    """Where a link's destination (without angle brackets) and its closing ')' are, as
    indexes into the text that holds the link."""

    url: Span
    close: int


def link_destination(text: str, open_index: int) -> LinkTail | None:
    """The destination of the link whose '(' is at ``text[open_index]``: as Markdown reads
    it (:func:`link_tail`), else all that is inside the parentheses (a plain ``(url)``, or
    a form Markdown does not read); ``None`` when they do not close."""
    tail = link_tail(text, open_index)
    if tail is not None:
        return tail
    close = matching_paren(text, open_index)
    return None if close is None else LinkTail(Span(open_index + 1, close), close)


def link_tail(text: str, open_index: int) -> LinkTail | None:
    """The destination of the link whose '(' is at ``text[open_index]``, when Markdown
    reads it in angle brackets (``(<url>)``) or followed by a link title (``(url
    "title")``, ``'title'`` or ``(title)``, as markdownify writes one); ``None`` for any
    other form, a plain ``(url)`` included (its end is the matching ')': see
    :func:`matching_paren`)."""
    start = open_index + 1
    pointy = LINK_POINTY.match(text, start)
    if pointy is not None:
        url, after = Span(start + 1, pointy.end() - 1), pointy.end()
    elif text.startswith("<", start):
        return None  # a '<' never closed, or one inside: no destination
    else:
        if _plain_url(text, start):
            return None  # as nearly every title link is
        bare_end = _bare_destination_end(text, start)
        if bare_end is None:
            return None
        url, after = Span(start, bare_end), bare_end
    rest = _link_rest().match(text, after)
    # A plain destination with no title is left to matching_paren, as it always was:
    # a space before its ')' is a space in the URL to title-link.
    if rest is None or (pointy is None and rest.group("title") is None):
        return None
    return LinkTail(url, rest.end() - 1)


#: A link destination in angle brackets: no line break, no unescaped '<' or '>' inside.
LINK_POINTY = re.compile(r"<((?:[^<>\\\n]|\\.)*)>")
#: A link title, as CommonMark reads one (backslash escapes honoured).
LINK_TITLE = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)""", re.DOTALL)


@cache  # (compiled for the first title link that is not a plain (url): few are)
def _link_rest() -> re.Pattern[str]:
    """What follows a link's destination up to its ')': an optional link title, after
    white space."""
    return re.compile(rf"(?:[ \t]+(?P<title>{LINK_TITLE.pattern}))?[ \t]*\)", re.DOTALL)


def _plain_url(text: str, start: int) -> bool:
    """Whether ``text`` from ``start`` to the first ')' holds no space, tab, '(' or
    backslash: a plain ``(url)`` then, with no link title (which white space would
    precede) and no nesting or escape to read (:func:`_bare_destination_end` would walk
    each character in Python; ``in`` looks in C, a URL of 500 characters in no time)."""
    close = text.find(")", start)
    if close == -1:
        return False
    inside = text[start:close]
    return not (" " in inside or "\t" in inside or "(" in inside or "\\" in inside)


def _bare_destination_end(text: str, start: int) -> int | None:
    """Where a destination not in angle brackets that starts at ``text[start]`` ends, as
    Markdown reads one: at a space or control character, or at a ')' it did not open
    (backslash escapes honoured); ``None`` when it is empty or a '(' in it never closes."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char <= " " or char == "\x7f":
            break
        if char == "\\" and index + 1 < len(text) and text[index + 1] > " ":
            index += 1  # (an escaped parenthesis counts for nothing)
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        index += 1
    return index if index > start and depth == 0 else None


def matching_bracket(text: str) -> int | None:
    """The index of the ']' that closes the '[' at ``text[0]``, skipping backslash escapes."""
    return _closing(_BRACKETS.finditer(text), "[", "]")


def matching_paren(text: str, open_index: int) -> int | None:
    """The index of the ')' that closes the '(' at ``text[open_index]``."""
    return _closing(_PARENS.finditer(text, open_index), "(", ")")


#: What matching_bracket looks at: a backslash with the character it escapes, or a
#: bracket. (A regex steps over the rest of a title in C, not a character at a time.)
_BRACKETS = re.compile(r"\\.?|[\[\]]", re.DOTALL)
_PARENS = re.compile(r"[()]")


def _closing(found: Iterator[re.Match[str]], opening: str, closing: str) -> int | None:
    """Where the depth that the ``opening``s and ``closing``s among ``found`` count
    first comes back to zero at a ``closing`` (an escape counts for nothing)."""
    depth = 0
    for match in found:
        char = match.group()
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return match.start()
    return None


def _find_header(document: Document) -> Header:
    line_count = len(document.line_starts)
    base = 0  # the 0-based number of the first line after the front matter
    front_matter = None
    found = _MARKS.match(document.text)
    lead = 0 if found is None else found.end()  # where line 1's own text starts
    marks = None if found is None else Span(0, lead)
    if document.text.startswith("---", lead) and document.line_text(1)[lead:].rstrip() == "---":
        closing = _front_matter_close(document)
        if closing is not None:
            front_matter = Span(lead, document.line_span(closing + 1).end)
            base = closing + 1
    # The header is looked for in the lines after the front matter, however long that is,
    # and in those lines only: the body is not walked.
    lines = [document.line_span(number)
             for number in range(base + 1, min(line_count, base + _HEADER_LINES) + 1)]
    if lines and base == 0:
        lines[0] = Span(lead, lines[0].end)

    def text_of(index: int) -> str:
        span = lines[index]
        return document.text[span.start : span.end]

    if not lines:
        end = len(document.text)
        return Header(front_matter, Span(end, end), None, None, None, None, None, Span(end, end),
                      marks=marks)

    index = 0
    first_line = lines[index]
    stray = None
    if not text_of(index).startswith("<!--"):
        after = _after_stray_lines(text_of, len(lines), opens_front_matter=front_matter is None)
        if after is not None:
            stray = Span(first_line.start, lines[after - 1].end)
            index = after
    timestamp = None
    if index < len(lines) and text_of(index).startswith("<!--"):
        timestamp = lines[index]
        index += 1
        if stray is None:
            after = _after_front_matter_below(text_of, index, len(lines))
            if after is not None:
                stray = Span(lines[index].start, lines[after - 1].end)
                index = after

    title = underline = date_line = blank = None
    if index < len(lines):
        # A title line that holds its whole link ends the title: only the next line may be
        # its underline (a '-' or '=' line further down is the body's).
        first = text_of(index).rstrip()
        lookahead = 1 if first.startswith("[") and first.endswith(")") and "](" in first \
            else _TITLE_LOOKAHEAD
        for candidate in range(index + 1, min(index + 1 + lookahead, len(lines))):
            if _UNDERLINE.fullmatch(text_of(candidate)):
                title = Span(lines[index].start, lines[candidate - 1].end)
                underline = lines[candidate]
                index = candidate + 1
                break
        else:
            if text_of(index).startswith("["):
                title = lines[index]
                index += 1
    if title and index < len(lines) and _DATE_LINE.match(text_of(index)):
        date_line = lines[index]
        index += 1
    if (title or underline) and index < len(lines) and not text_of(index).strip():
        blank = lines[index]
        index += 1
    index += base
    body_start = document.line_starts[index] if index < line_count else len(document.text)
    body_start = max(body_start, lead)  # (marks before a header never found: not the body's)
    return Header(
        front_matter=front_matter,
        first_line=first_line,
        timestamp=timestamp,
        title=title,
        underline=underline,
        date_line=date_line,
        blank=blank,
        body=Span(body_start, len(document.text)),
        stray=stray,
        marks=marks,
    )


def _front_matter_close(document: Document) -> int | None:
    """The 0-based number of the line that closes the front matter the first line opens:
    the first later line that is ``---`` or ``...`` (trailing whitespace allowed), however
    far down, as Jekyll reads it, unless a line before it starts as a timestamp comment
    or a title link does (then the first ``---`` opened nothing); ``None`` when none
    does. Regular expressions find them, so a long file is not walked line by line."""
    starts = document.line_starts
    if len(starts) < 2:
        return None
    pattern = _close_any_break() if document.newline() == "\r" else _CLOSE_LF
    # (The pattern matches only whole lines that are a closer, as rstrip() reads them.)
    match = pattern.search(document.text, starts[1])
    if match is None:
        return None
    # A clipping's own header before it (a timestamp comment, a title link) says the
    # '---' on line 1 opened no front matter, and this line is the body's (a Markdown
    # rule): the front matter is never closed.
    if _HEADER_LINE.search(document.text, starts[1], match.start()) is not None:
        return None
    return bisect.bisect_right(starts, match.start()) - 1


def _after_stray_lines(text_of: Callable[[int], str], count: int, *,
                       opens_front_matter: bool) -> int | None:
    """Where the header goes on after lines the format does not have at its start (the
    first of ``count`` lines, which is no timestamp comment), or ``None`` when they are
    none of the known shapes: a TOML (``+++``) or JSON (``{`` … ``}``) front matter,
    blank lines (after either, too), or a YAML front matter never closed (``---``, when
    ``opens_front_matter``) before a timestamp comment. Blank lines alone count only
    before a timestamp comment or a title."""
    first = text_of(0).rstrip()
    closer = _FOREIGN_FRONT_MATTER.get(first)
    end = 0
    if closer is not None:
        closing = _closing_line(text_of, 1, count, (closer,))
        if closing is None:
            return None
        end = closing + 1
    elif first == "---" and opens_front_matter:
        for line in range(1, count):
            text = text_of(line)
            if text.startswith("<!--"):
                return line
            if text.startswith("["):
                return None
        return None
    while end < count and not text_of(end).strip():
        end += 1
    if closer is None and (end == 0 or end == count or not text_of(end).startswith(("<!--", "["))):
        return None
    return end


def _after_front_matter_below(text_of: Callable[[int], str], index: int, count: int) -> int | None:
    """Where the title is when a YAML front matter starts at line ``index``, right under
    the timestamp comment (which belongs after it), and a title follows it; else ``None``."""
    if index >= count or text_of(index).rstrip() != "---":
        return None
    closing = _closing_line(text_of, index + 1, count, _CLOSERS)
    if closing is None or closing + 1 >= count or not text_of(closing + 1).startswith("["):
        return None
    return closing + 1


def _closing_line(text_of: Callable[[int], str], start: int, count: int,
                  closers: tuple[str, ...]) -> int | None:
    """The first of lines ``start`` to ``count`` (0-based) that is one of ``closers``
    (trailing whitespace allowed), or None."""
    return next((line for line in range(start, count) if text_of(line).rstrip() in closers),
                None)
