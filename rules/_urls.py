"""How a URL parser reads a URL written in an attribute (WHATWG URL standard)."""

from __future__ import annotations

import re

#: What a URL parser strips from both ends of a URL: C0 controls and space.
URL_STRIP = "".join(chr(code) for code in range(0x21))
#: What it removes inside one: tabs and line breaks (str.translate table).
URL_REMOVE = str.maketrans("", "", "\t\n\r")
#: A scheme and its ':' at the start of a URL (``https:``, ``mailto:``, ``data:``).
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def url_as_read(value: str) -> str:
    """A URL attribute's value as a URL parser reads it: ``URL_STRIP`` stripped from both
    ends, ``URL_REMOVE``'s characters taken out."""
    url = value.strip(URL_STRIP)
    if "\t" in url or "\n" in url or "\r" in url:  # rare: translate copies every character
        url = url.translate(URL_REMOVE)
    return url
