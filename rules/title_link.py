"""The title must be one ``[text](url)`` link on its own line, underlined, then a blank line.

Why: the title line is how readers and indexes find the original article. A newline
pasted into the title, a stray bracket or a relative URL breaks the link when the
archive is rendered, and the setext underline plus blank line are what make the title a
heading instead of the first paragraph of the body.

Checked: the title line exists and is exactly one Markdown link (a line of other text
between the timestamp comment and the link is a title line that is no link); its text
is not empty (nor only zero-width characters, which read as empty),
holds no raw newline (nor a lone carriage return, a line break to Markdown and to
editors) and its brackets balance; its URL is an absolute ``http(s)`` URL
with a host (a name, or an IPv6 address in brackets), a valid port if any, and no spaces.
The URL is read as Markdown reads a link's destination: it may be written in angle
brackets and followed by a link title, as HTML-to-Markdown converters write them
(``[text](<url>)``, ``[text](url "title")``, ``'title'`` or ``(title)``); a space in
the brackets is still a space in the URL, and ``<>`` an empty URL. A ``<`` never
closed, a link title whose quote is never closed and text after either are reported as
such (Markdown does not read that as a link);
a ``-`` underline follows, indented by up to three spaces or not, as Markdown reads one
(a ``=`` one is reported as such: Markdown makes it an h1
heading, the format's ``-`` an h2); a blank line follows the underline (or the ``日期：``
date line some bots write under it). The title is found after anything timestamp-comment
reports before it (a TOML front matter, blank lines, a YAML front matter under the
timestamp comment) and checked as usual.

Bad::

    [Beijing responds

    ](https://www.dw.com/zh/a-53985946)
    ------

Good::

    [Beijing responds](https://www.dw.com/zh/a-53985946)
    ------

    <p>...</p>

Options: none.

Fix (safe): a missing underline or a missing blank line is added (the underline only
under a title line that is one link and nothing else, on its one line: where a broken
one ends is not known, and an underline under a line with more on it makes all of it a
heading; and not above a line of dashes Markdown does not read as an underline, which
would stay in the body as text).
Fix (unsafe): a ``=``
underline becomes ``-`` (as many), which turns the rendered h1 heading into an h2; the
underline of a file without a timestamp comment is added (its first line may be the
body's own, a page's "Back to Overview" link, which an underline would make a heading).
Titles and URLs are never rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any
from urllib.parse import SplitResult, urlsplit

from cliplint.document import (
    LINK_POINTY,
    LINK_TITLE,
    ZERO_WIDTH,
    Document,
    Span,
    link_destination,
    matching_bracket,
)
from cliplint.model import Edit, Fix
from cliplint.rule_io import Violation

ID = "title-link"
SEVERITY = "error"
FIX = "safe"  # the strongest; each violation's fix says whether it is safe or unsafe
OPTIONS: dict[str, Any] = {"type": "object", "properties": {}}

_HOST = re.compile(r"(?=.{1,253}$)[^\s/?#@:\[\]]+(\.[^\s/?#@:\[\]]+)*")


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    header = document.header
    if header.title is None:
        # Where the title belongs: after the timestamp comment and any stray lines (which
        # timestamp-comment reports), else on the first line.
        above = [span for span in (header.timestamp, header.stray) if span is not None]
        at = _line_after(document, max(above)) if above else header.first_line.start
        yield Violation(at, at, "missing title line: expected [text](url)")
        return
    title = header.title
    text = document.text[title.start : title.end]
    first_line = document.line_span(document.position(title.start)[0])
    one_line = first_line.end >= title.end
    # A lone CR is no line break to this file's lines (an LF or CRLF file), but one to
    # Markdown and to editors: the title is broken all the same.
    lone_cr = text.find("\r")
    if not one_line and not text.startswith("["):
        # A line of its own above the link (a "BREAKING:" line, the timestamp comment
        # twice): that line is where the title link belongs, not a link broken in two.
        yield Violation(first_line.start, first_line.end,
                        "title line is not a [text](url) link")
    elif not one_line:  # the title link runs over several lines
        yield Violation(first_line.end, document.next_line_start(title.start),
                        "raw newline inside the title link")
    elif lone_cr != -1:
        yield Violation(title.start + lone_cr, title.start + lone_cr + 1,
                        "raw line break (a lone carriage return) in the title line")
    else:
        yield from _check_link(text, title.start)

    eol = document.newline()
    if header.underline is None:
        # Only under a title line that is one link and nothing else: where a broken one
        # ends is not known (a '[' never closed may run on for lines), an underline put in
        # the middle of it would cut it in two, and one under a line with more on it
        # makes all of it a heading. Safe only where the title is in place (under the
        # timestamp comment, Header.title_in_place): else the line may be the body's first.
        fix = (Fix((Edit(title.end, title.end, eol + "------"),),
                   "safe" if header.title_in_place else "unsafe", "add the underline")
               if one_line and _one_link(text.rstrip())
               and not _like_an_underline().match(document.text,
                                                  document.next_line_start(title.end))
               else None)
        yield Violation(title.end, title.end, "missing '-' underline under the title", fix)
        return
    underline = header.underline
    line = document.text[underline.start : underline.end]
    marks = underline.start + len(line) - len(line.lstrip(" "))  # (indented up to 3 spaces)
    if document.text.startswith("=", marks):
        # A '=' setext heading is an h1, a '-' one an h2: the fix changes how it renders.
        run = len(line.strip(" \t\r"))
        yield Violation(underline.start, underline.end,
                        "'=' underline under the title where the format has '-'",
                        Fix((Edit(marks, marks + run, "-" * run),), "unsafe",
                            "replace the '=' underline with '-'"))
    last = header.date_line or underline
    if header.blank is None and last.end < len(document.text):
        after = _line_after(document, last)
        yield Violation(after, after, "missing blank line between the header and the body",
                        Fix((Edit(after, after, eol),), "safe", "add a blank line"))


@cache  # (compiled when first needed, as _title_opened: few titles get that far)
def _like_an_underline() -> re.Pattern[str]:
    """A line of dashes or '=' that Markdown does not take for an underline (indented four
    spaces or more, or a form feed or other space after it): under it, an added underline
    would leave it in the body as text; the title is left to the keeper."""
    return re.compile(r"[ \t]*(?:-+|=+)\s*?(?:\r?\n|$)")


#: A title text a reader sees as empty: white space and zero-width characters only.
READS_EMPTY = re.compile(rf"[\s{ZERO_WIDTH}]*")


def _line_after(document: Document, span: Any) -> int:
    return document.next_line_start(span.end)


def _one_link(line: str) -> bool:
    """Whether ``line`` is one ``[text](url)`` link and nothing else (what is inside the
    brackets and parentheses is :func:`_check_link`'s to judge)."""
    close = matching_bracket(line) if line.startswith("[") else None
    if close is None or not line.startswith("(", close + 1):
        return False
    tail = link_destination(line, close + 1)
    return tail is not None and not line[tail[1] + 1 :].strip()


def _check_link(line: str, offset: int) -> Iterator[Violation]:
    if not line.startswith("["):
        yield Violation(offset, offset + len(line), "title line is not a [text](url) link")
        return
    close = matching_bracket(line)
    if close is None:
        yield Violation(offset, offset + 1, "unbalanced brackets in the title text: '[' never closed")
        return
    label = line[1:close]
    if not label.strip():
        yield Violation(offset, offset + close + 1, "empty title text")
    elif READS_EMPTY.fullmatch(label):
        # (invisible-characters' fix would empty it: said before, not after, the fix)
        yield Violation(offset, offset + close + 1,
                        "empty title text (only zero-width characters)")
    if not line.startswith("(", close + 1):
        yield Violation(offset + close + 1, offset + len(line),
                        "title link has no (url) right after the text")
        return
    # (<url>) and (url "title") are links to Markdown: their URL alone is checked.
    tail = link_destination(line, close + 1)
    if tail is None:
        yield Violation(offset + close + 1, offset + len(line),
                        "unbalanced parentheses in the title URL")
        return
    url, paren = tail
    if line[paren + 1 :].strip():
        yield Violation(offset + paren + 1, offset + len(line), "text after the title link")
    # All that is inside the parentheses is the URL of a plain (url) and of a form
    # Markdown does not read, which _unread_tail tells apart (a form it reads has its URL
    # start after a '<' or end before a link title).
    problem = _unread_tail(line, url, offset) if url == (close + 2, paren) else None
    if problem is not None:
        yield problem
    else:
        yield from _check_url(line[url.start : url.end], offset + url.start)


@cache
def _title_opened() -> re.Pattern[str]:
    """A destination followed by what starts a link title: white space, then a quote or
    '('."""
    return re.compile(r"""(?:<(?:[^<>\\\n]|\\.)*>|[^\s<]\S*)[ \t]+(?=["'(])""")


def _unread_tail(line: str, inside: Span, offset: int) -> Violation | None:
    """What keeps Markdown from reading ``line[inside]``, the inside of the title link's
    parentheses (``line`` starts at ``offset`` in the document), as a URL in angle
    brackets or one followed by a link title when it is written as one; None when it is
    not written so (then it is all the URL, checked as such)."""
    start, end = inside
    written = line[start:end]
    if not written.startswith("<") and " " not in written and "\t" not in written:
        return None  # a plain URL, as nearly every one is (no title without white space)
    if line.startswith("<", start) and not LINK_POINTY.match(line, start, end):
        return Violation(offset + start, offset + end,
                         "unbalanced angle brackets around the title URL")
    opened = _title_opened().match(line, start, end)
    if opened is None:
        pointy = LINK_POINTY.match(line, start, end)
        return None if pointy is None else Violation(
            offset + pointy.end(), offset + end, "text after the '>' that closes the title URL")
    title = LINK_TITLE.match(line, opened.end(), end)
    if title is None:
        return Violation(offset + opened.end(), offset + end,
                         f"unclosed link title after the title URL: {line[opened.end()]!r} "
                         "never closed")
    if title.end() == end:
        return None  # (a destination Markdown does not read, control characters: the URL's)
    return Violation(offset + title.end(), offset + end,
                     "text after the link title in the title link")


def _check_url(url: str, offset: int) -> Iterator[Violation]:
    if not url.strip():
        yield Violation(offset, offset, "empty title URL")
        return
    space = re.search(r"\s", url)
    if space:
        yield Violation(offset + space.start(), offset + space.end(), "space in the title URL")
        return
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https"):
        yield Violation(offset, offset + len(url), f"title URL {url!r} is not an absolute http(s) URL")
    elif not host or not (_HOST.fullmatch(host) or _ipv6_literal(parts.netloc, host)):
        yield Violation(offset, offset + len(url), f"title URL {url!r} has no valid host")
    elif not _valid_port(parts):
        yield Violation(offset, offset + len(url),
                        f"title URL {url!r} has a port that is no number from 0 to 65535")


def _ipv6_literal(netloc: str, host: str) -> bool:
    """Whether the host is an IPv6 address in brackets (``http://[2001:db8::1]/a``)."""
    if "[" not in netloc:
        return False
    import ipaddress  # (only for such a URL)

    try:
        ipaddress.IPv6Address(host.partition("%")[0])  # (a zone id after '%' is allowed)
    except ValueError:
        return False
    return True


def _valid_port(parts: SplitResult) -> bool:
    try:
        parts.port  # noqa: B018  (raises for a port out of range or not a number)
    except ValueError:
        return False
    return True
