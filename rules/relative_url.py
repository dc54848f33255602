"""Links and images in the body must carry absolute URLs.

Why: a clipping's body was cut out of a page on another site. A relative URL
(``/rfa_resources/graphics/icon-zoom.png``, ``../photo.jpg``, ``?page=2``) was relative
to that page; in the archive it resolves against the archive's own address, so the
image is missing and the link leads nowhere (or into the archive). A protocol-relative
URL (``//www.reuters.com/companies/BABA.N``) borrows the scheme of the page showing it:
it works on an archive served over http(s), but not from the files themselves, in a
local viewer, or for a pipeline that reads the clipping.

Checked, in the body's start tags: ``href`` of ``<a>``, ``<area>`` and ``<link>``;
``src`` of ``<img>``, ``<source>``, ``<iframe>``, ``<embed>``, ``<video>``, ``<audio>``,
``<track>`` and ``<input>``; ``srcset`` of ``<img>`` and ``<source>`` (each candidate
URL); ``poster`` of ``<video>``; ``data`` of ``<object>``. Lazy-loading attributes
(``data-src``, ``data-srcset``...) do nothing without the original site's scripts and
are not checked, nor ``cite`` (metadata a reader never follows).

Not reported: URLs with a scheme (``https:``, ``mailto:``, ``tel:``, ``data:``...;
``javascript:`` is ``active-content``'s), a fragment alone (``#notes``: a place in the
same page), and an empty value (it names the page itself; an empty ``src`` is another
defect).

Severity: a relative URL is a warning; a protocol-relative one is an info (it does
resolve where the archive is served over http(s)).

Bad::

    [RFA report](https://www.rfa.org/mandarin/a.html)
    ...
    <img src="/rfa_resources/graphics/icon-zoom.png"> <a href="//www.reuters.com/companies/BABA.N">

Good::

    <img src="https://www.rfa.org/rfa_resources/graphics/icon-zoom.png">
    <a href="https://www.reuters.com/companies/BABA.N">

Options:

- ``protocol-relative`` (``true``): also report protocol-relative URLs (``//host/...``).

A relative URL that starts with what reads as a host name (``www.example.com/report``,
``example.org/a``: a link whose ``https://`` the writer left out) is reported as missing
its scheme, without a fix: resolving it against the page would make
``https://blog.example.org/2024/www.example.com/report``.

Fix (unsafe, with ``--unsafe-fixes``): the URL is resolved against the title link's URL,
when that is an absolute http(s) URL, by writing the missing part in front of it (the
title URL's scheme; its scheme and host; or those and its path). Unsafe because the
title URL is only a guess at the page the body came from: an aggregator may have copied
the body from elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from cliplint.document import Document
from cliplint.html import HTML_SPACE, Attribute, Token
from cliplint.model import Edit, Finding, Fix
from cliplint.rule_io import Violation
from cliplint_rules._charrefs import HTML_REFERENCE, MARKDOWN_REFERENCE, decode_all
from cliplint_rules._urls import SCHEME, URL_STRIP, url_as_read

ID = "relative-url"
SEVERITY = "warning"
FIX = "unsafe"
FINDINGS = {
    "relative": Finding("warning", "a relative URL: it resolves against nothing inside an "
                        "archive"),
    "protocol-relative": Finding("info", "a protocol-relative URL (//host/...): it works "
                                 "wherever the page is served over http(s)"),
}
OPTIONS = {
    "type": "object",
    "properties": {
        "protocol-relative": {
            "type": "boolean",
            "default": True,
            "description": "Also report protocol-relative URLs (//host/path), as infos.",
        },
    },
}

#: The attributes holding one URL, per element.
_URL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",), "area": ("href",), "link": ("href",),
    "img": ("src",), "source": ("src",), "iframe": ("src",), "embed": ("src",),
    "video": ("src", "poster"), "audio": ("src",), "track": ("src",), "input": ("src",),
    "object": ("data",),
}
#: How most absolute URLs start (as written: a URL parser strips nothing from them).
_ABSOLUTE = ("https://", "http://")
#: The attributes holding a list of image candidates, per element.
_SRCSET_ELEMENTS = frozenset({"img", "source"})
#: What html5lib reads in an attribute value as something else: a character reference
#: and NUL (its tokenizer), CR and CRLF (its input stream turns them into LF).
_CHANGED_BY_PARSING = re.compile("[&\x00\r]")
#: A relative URL's first segment that reads as a host name: ``www.`` and two labels more,
#: or labels ending in a common top-level domain that is no common file extension (not
#: ``photo.jpg``, ``index.html``, ``www.html``, ``Makefile.in`` or ``notes.info``).
_HOST_LIKE = re.compile(
    r"(?:www\d*\.[^/?#\s.]+\.[^/?#\s]+|(?:[a-z0-9-]+\.)+(?:com|org|net|gov|edu|mil|"
    r"cn|hk|tw|uk|us|de|fr|jp|kr|ru|au|ca))(?=[/?#:]|$)", re.IGNORECASE)
#: Characters that may not be inserted into an attribute value written with each quote.
_NOT_IN_VALUE = {'"': '"', "'": "'", "": "\"'=<>` \t\n\f\r"}


class _Url(NamedTuple):
    """A URL as written in an attribute: where it starts in the source, its source text,
    and what it says (references decoded)."""

    start: int
    source: str
    value: str


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    body = document.body
    protocol_relative = options.get("protocol-relative", True)
    base = None
    for token in body.tokens:
        if token.kind != "StartTag" or not token.attributes:
            continue
        names = _URL_ATTRIBUTES.get(token.name or "")
        srcset = "srcset" in token.attributes and token.name in _SRCSET_ELEMENTS
        if not srcset and (names is None or token.attributes.keys().isdisjoint(names)
                           or _absolute_as_parsed(document.text, token, names)):
            continue  # most links and images: known without locating the attributes
        for attribute, url in _urls(document.text, body.attributes(token), names or (), srcset):
            kind = _kind(url.value)
            if kind is None or (kind == "protocol-relative" and not protocol_relative):
                continue
            if base is None:
                base = _base(document)
            yield _violation(token, attribute, url, kind, base)


def _absolute_as_parsed(text: str, token: Token, names: tuple[str, ...]) -> bool:
    """Every URL attribute of a start tag holds an absolute URL (or none), told from the
    values html5lib parsed. Those are the values as written (what ``_urls`` reads) when
    the tag holds no character reference, NUL or carriage return: the only things
    html5lib's attribute states and its input stream change. Else False: look closer."""
    if _CHANGED_BY_PARSING.search(text, token.start, token.end) is not None:
        return False
    attributes = token.attributes
    for name in names:  # (a loop, not all() over a generator: this runs for most tags)
        value = attributes.get(name)
        if value is not None and _kind(value) is not None:
            return False
    return True


def _urls(text: str, attributes: tuple[Attribute, ...], names: tuple[str, ...],
          srcset: bool) -> Iterator[tuple[Attribute, _Url]]:
    """The URLs of a start tag's URL attributes, as written (html5lib keeps the first of
    two attributes of one name, and so do we)."""
    seen = set()
    for attribute in attributes:
        if attribute.name in seen:
            continue
        seen.add(attribute.name)
        if attribute.quote is None:
            continue  # no value: no URL
        value = text[attribute.value_start : attribute.value_end]
        if attribute.name in names:
            yield attribute, _Url(attribute.value_start, value, decode_all(value, HTML_REFERENCE))
        elif attribute.name == "srcset" and srcset:
            for start, candidate in _srcset_urls(value):
                yield attribute, _Url(attribute.value_start + start, candidate,
                                      decode_all(candidate, HTML_REFERENCE))


def _srcset_urls(value: str) -> Iterator[tuple[int, str]]:
    """(offset, URL) of each image candidate of a srcset, as HTML's "parse a srcset
    attribute" splits them: a URL runs to white space, its trailing commas end the
    candidate, else its descriptors run to a comma outside parentheses."""
    position, length = 0, len(value)
    while position < length:
        while position < length and (value[position] in HTML_SPACE or value[position] == ","):
            position += 1
        start = position
        while position < length and value[position] not in HTML_SPACE:
            position += 1
        url = value[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while position < length and not (value[position] == "," and depth == 0):
                depth += {"(": 1, ")": -1}.get(value[position], 0)
                position += 1
        if url:
            yield start, url


def _kind(value: str) -> str | None:
    """``relative``, ``protocol-relative``, or ``None`` for a URL that is absolute, a
    fragment alone or empty."""
    if value.startswith(_ABSOLUTE):
        return None  # most URLs: what the test below finds, read at once
    url = url_as_read(value)
    if not url or url.startswith("#") or SCHEME.match(url):
        return None
    # URL parsers read '\' as '/' in http(s) URLs: \\host is //host.
    if url[:2].replace("\\", "/") == "//":
        return "protocol-relative"
    return "relative"


class _Base(NamedTuple):
    """The title URL, split for resolving: ``None`` fields when it is no absolute
    http(s) URL, with the reason."""

    scheme: str | None
    host: str | None  # scheme://netloc
    directory: str | None  # scheme://netloc/path/up/to/the/last/slash/
    path: str | None  # scheme://netloc/path
    reason: str = ""


def _base(document: Document) -> _Base:
    link = document.title_link
    if link is None:
        return _Base(None, None, None, None, "the title is no [text](url) link")
    written = document.text[link.url.start : link.url.end].strip()
    # Markdown decodes references in a link's URL.
    url = decode_all(written, MARKDOWN_REFERENCE)
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if (parts is None or parts.scheme.lower() not in ("http", "https") or not host
            or any(char in URL_STRIP for char in url)):
        return _Base(None, None, None, None, "the title URL is no absolute http(s) URL")
    scheme = parts.scheme.lower()
    origin = f"{scheme}://{parts.netloc}"
    path = parts.path or "/"
    return _Base(scheme, origin, origin + path[: path.rfind("/") + 1], origin + path)


def _violation(token: Token, attribute: Attribute, url: _Url, kind: str, base: _Base) -> Violation:
    value = url.value.strip(URL_STRIP)
    shown = value if len(value) <= 80 else value[:79] + "…"
    where = f"the {attribute.name} of <{token.name}>"
    read = url_as_read(url.value)
    # A host written without its scheme: resolving it against the page makes nonsense.
    scheme_less = kind == "relative" and _HOST_LIKE.match(read) is not None
    if kind == "protocol-relative":
        message = (f"protocol-relative URL {shown!r} in {where}: it has no scheme outside a "
                   "page served over http(s)")
    elif scheme_less:
        message = (f"URL {shown!r} in {where} lacks its scheme: it reads as a path on the "
                   f"page, not as {'https://' + shown!r}")
    else:
        message = f"relative URL {shown!r} in {where} does not resolve inside an archive"
    start = url.start + len(url.source) - len(url.source.lstrip(URL_STRIP))
    end = url.start + len(url.source.rstrip(URL_STRIP))
    prefix = None if scheme_less else _prefix(read, kind, base)
    fix = None
    if prefix is None:
        if not scheme_less:
            message += f" (no fix: {base.reason})"
    else:
        escaped = prefix.replace("&", "&amp;")
        if not any(char in escaped for char in _NOT_IN_VALUE[attribute.quote or ""]):
            resolved = prefix + url.value.strip(URL_STRIP)
            fix = Fix((Edit(start, start, escaped),), "unsafe",
                      f"resolve it against the title URL: {resolved!r}")
    return Violation(start, max(start, end), message, fix,
                     kind="protocol-relative" if kind == "protocol-relative" else "relative")


def _prefix(url: str, kind: str, base: _Base) -> str | None:
    """What to write in front of a relative URL to make it the absolute URL it resolves
    to against the title URL (a URL parser removes any ``../`` left in its path)."""
    if base.scheme is None:
        return None
    if kind == "protocol-relative":
        return base.scheme + ":"
    if url[:1] in ("/", "\\"):
        return base.host
    if url.startswith("?"):
        return base.path
    return base.directory
