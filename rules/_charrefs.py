"""Character references (``&amp;``, ``&#22338;``, ``&#x200B;``) as HTML decodes them.

Shared by the rules that look at what text a reference stands for. The table of names is
the standard library's ``html.entities.html5`` (the same as html5lib's: a test compares
them): a run whose results all come from the cache imports rule modules, not html5lib.
"""

from __future__ import annotations

import html.entities
import re

#: Every character reference name HTML knows, with its ';' (and the legacy ones also
#: without), and the text it stands for.
ENTITIES = html.entities.html5
#: The longest name in :data:`ENTITIES` (with its ';').
LONGEST_ENTITY = max(map(len, ENTITIES))

#: A reference as CommonMark reads one in Markdown text (the title line): a name HTML
#: knows, or a decimal (1-7 digits) or hexadecimal (1-6 digits) number, and always ';'.
MARKDOWN_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
#: A reference as HTML's tokenizer may read one in a body: the ';' is optional.
HTML_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")


def decode(reference: str) -> str | None:
    """The text a whole reference (``&...``, with or without its ';') stands for, by
    HTML's rules (a number naming no valid character stands for U+FFFD, 0x80-0x9F for
    windows-1252's characters), or ``None`` when it is none."""
    if not reference.startswith("&") or len(reference) < 2:
        return None
    if reference[1] == "#":
        digits = reference[2:].rstrip(";")
        hexadecimal = digits[:1] in ("x", "X")
        try:
            number = int(digits[1:] if hexadecimal else digits, 16 if hexadecimal else 10)
        except ValueError:
            return None
        # (Imported here: a run whose results all come from the cache loads no html5lib.)
        from html5lib.constants import replacementCharacters

        if number in replacementCharacters:
            return replacementCharacters[number]
        if 0xD800 <= number <= 0xDFFF or number > 0x10FFFF:
            return "\ufffd"
        return chr(number)
    # ``ENTITIES`` holds every name with its ';' and the legacy ones also without.
    return ENTITIES.get(reference[1:])


def decode_all(text: str, references: re.Pattern[str]) -> str:
    """``text`` with every reference ``references`` finds in it decoded (one that stands
    for nothing left as written)."""
    if "&" not in text:
        return text
    return references.sub(lambda match: decode(match.group()) or match.group(), text)
