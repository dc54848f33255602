"""Unicode's default-ignorable characters: those a renderer shows as nothing unless it
supports them, such as the variation selectors, U+034F COMBINING GRAPHEME JOINER, the
Hangul fillers, the zero-width and bidi format characters and the tags.

Python's :mod:`unicodedata` has no such property: the table is the property
``Default_Ignorable_Code_Point`` of ``DerivedCoreProperties.txt`` in the Unicode
Character Database 14.0.0, the version of Python 3.11's :mod:`unicodedata`, whole: all
4,174 code points, the unassigned ones the property reserves included.
"""

from __future__ import annotations

import bisect

#: ``Default_Ignorable_Code_Point`` (DerivedCoreProperties-14.0.0.txt): first and last
#: code point of each range, with the category and name of the first.
RANGES = (
    (0x00AD, 0x00AD),  # Cf SOFT HYPHEN
    (0x034F, 0x034F),  # Mn COMBINING GRAPHEME JOINER
    (0x061C, 0x061C),  # Cf ARABIC LETTER MARK
    (0x115F, 0x1160),  # Lo HANGUL CHOSEONG FILLER, HANGUL JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # Mn KHMER VOWEL INHERENT AQ, AA
    (0x180B, 0x180D),  # Mn MONGOLIAN FREE VARIATION SELECTOR ONE..THREE
    (0x180E, 0x180E),  # Cf MONGOLIAN VOWEL SEPARATOR
    (0x180F, 0x180F),  # Mn MONGOLIAN FREE VARIATION SELECTOR FOUR
    (0x200B, 0x200F),  # Cf ZERO WIDTH SPACE..RIGHT-TO-LEFT MARK
    (0x202A, 0x202E),  # Cf LEFT-TO-RIGHT EMBEDDING..RIGHT-TO-LEFT OVERRIDE
    (0x2060, 0x2064),  # Cf WORD JOINER..INVISIBLE PLUS
    (0x2065, 0x2065),  # Cn <reserved>
    (0x2066, 0x206F),  # Cf LEFT-TO-RIGHT ISOLATE..NOMINAL DIGIT SHAPES
    (0x3164, 0x3164),  # Lo HANGUL FILLER
    (0xFE00, 0xFE0F),  # Mn VARIATION SELECTOR-1..VARIATION SELECTOR-16
    (0xFEFF, 0xFEFF),  # Cf ZERO WIDTH NO-BREAK SPACE
    (0xFFA0, 0xFFA0),  # Lo HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # Cn <reserved>
    (0x1BCA0, 0x1BCA3),  # Cf SHORTHAND FORMAT LETTER OVERLAP..UP STEP
    (0x1D173, 0x1D17A),  # Cf MUSICAL SYMBOL BEGIN BEAM..END PHRASE
    (0xE0000, 0xE0000),  # Cn <reserved>
    (0xE0001, 0xE0001),  # Cf LANGUAGE TAG
    (0xE0002, 0xE001F),  # Cn <reserved>
    (0xE0020, 0xE007F),  # Cf TAG SPACE..CANCEL TAG
    (0xE0080, 0xE00FF),  # Cn <reserved>
    (0xE0100, 0xE01EF),  # Mn VARIATION SELECTOR-17..VARIATION SELECTOR-256
    (0xE01F0, 0xE0FFF),  # Cn <reserved>
)

_FIRSTS = tuple(first for first, _ in RANGES)


def default_ignorable(text: str) -> bool:
    """Whether ``text`` holds a default-ignorable character. (A search of the table, not a
    regular expression: compiling one of its ranges cost every run ~0.6 ms at import, for
    a question a title's character reference rarely asks.)"""
    for character in text:
        code = ord(character)
        at = bisect.bisect_right(_FIRSTS, code) - 1
        if at >= 0 and code <= RANGES[at][1]:
            return True
    return False
