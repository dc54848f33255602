"""Text from a clipping, quoted in a message: what would garble the report line escaped.

A message is one line of a report read in terminals, CI logs and editors. Scraped text
quoted raw can break that line (a line feed, U+0085, U+2028), repaint the terminal (ESC,
or U+009B, which some terminals take for ESC [) or, in a bidi-aware viewer, reorder the
rest of the line (U+202E...). The engine refuses a message with a line break or a
control character in it, which costs the rule all its problems in the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cliplint.streams import LINE_BREAKING, python_escape

#: The characters never quoted raw, as the inside of a character class: what the engine
#: refuses in a message (``LINE_BREAKING``: every control character but the tab, the line
#: and paragraph separators), the tab, and the bidi embeddings, overrides, isolates and
#: marks.
HIDDEN = f"\t{LINE_BREAKING}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_HIDDEN = re.compile(f"[{HIDDEN}]")


def shown(text: str, hidden: re.Pattern[str] = _HIDDEN,
          escape: Callable[[str], str] = python_escape) -> str:
    """``text`` with each character ``hidden`` matches written as ``escape`` writes it.
    A rule that escapes more (invisible-characters) passes a pattern for a class that
    holds ``HIDDEN`` too, and the escape of its own messages."""
    return hidden.sub(lambda match: escape(match.group()), text)
