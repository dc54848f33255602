"""How a URL parser reads a URL written in an attribute (WHATWG URL standard)."""

from __future__ import annotations

import re

#: What a URL parser strips from both ends of a URL: C0 controls and space.
URL_STRIP = "".join(chr(code) for code in range(0x21))
#: What it removes inside one: tabs and line breaks (str.translate table).
URL_REMOVE = str.maketrans("", "", "\t\n\r")
#: A scheme and its ':' at the start of a URL (``https:``, ``mailto:``, ``data:``).
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
