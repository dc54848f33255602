"""What the current WHATWG HTML standard makes of each of html5lib 1.1's parse errors.

html5lib 1.1 (2020) follows the parsing rules of its time, before the standard named its
parse errors and dropped some. :func:`judge` maps one html5lib error onto the standard's
(https://html.spec.whatwg.org/multipage/parsing.html#parse-errors): its name when the
standard has one (the tokenizer's errors; tree construction errors are unnamed), or that
the standard does not call it an error at all. Where one html5lib code stands for several
of the standard's errors, or for an error and a non-error, the source around the error
decides (the character after a ``&``, after ``--!``...).
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from cliplint.html import CURRENT_NODE, INSERTION_MODE, BodyView, ParseError, Token
from cliplint_rules._charrefs import ENTITIES, LONGEST_ENTITY

SPEC = "https://html.spec.whatwg.org/multipage/parsing.html"

#: html5lib 1.1's error codes: the keys of ``html5lib.constants.E``, and the two its
#: tokenizer raises without an entry there (expected-end-of-tag-but-got-eof,
#: unexpected-EOF-after-attribute-value). Written out, and compared with html5lib's by
#: tests/test_parse_errors.py: well-formed-html's options are read when the rules load,
#: which a run whose files all come from the cache does without importing html5lib.
HTML5LIB_CODES = (
    "XXX-undefined-error", "adoption-agency-1.1", "adoption-agency-1.2",
    "adoption-agency-1.3", "adoption-agency-4.4", "attributes-in-end-tag",
    "cant-convert-numeric-entity", "char-in-head-noscript", "deprecated-tag",
    "duplicate-attribute", "end-tag-after-implied-root", "end-tag-too-early",
    "end-tag-too-early-ignored", "end-tag-too-early-named", "eof-in-attribute-name",
    "eof-in-attribute-value-double-quote", "eof-in-attribute-value-no-quotes",
    "eof-in-attribute-value-single-quote", "eof-in-comment", "eof-in-comment-double-dash",
    "eof-in-comment-end-bang-state", "eof-in-comment-end-dash",
    "eof-in-comment-end-space-state", "eof-in-doctype", "eof-in-doctype-name",
    "eof-in-foreign-lands", "eof-in-frameset", "eof-in-head-noscript", "eof-in-innerhtml",
    "eof-in-script-in-script", "eof-in-select", "eof-in-table", "eof-in-tag-name",
    "equals-in-unquoted-attribute-value", "expected-attribute-name-but-got-eof",
    "expected-attribute-value-but-got-eof",
    "expected-attribute-value-but-got-right-bracket", "expected-closing-tag-but-got-char",
    "expected-closing-tag-but-got-eof", "expected-closing-tag-but-got-right-bracket",
    "expected-dashes-or-doctype", "expected-doctype-but-got-chars",
    "expected-doctype-but-got-end-tag", "expected-doctype-but-got-eof",
    "expected-doctype-but-got-start-tag", "expected-doctype-name-but-got-eof",
    "expected-doctype-name-but-got-right-bracket", "expected-end-of-tag-but-got-eof",
    "expected-end-of-tag-name-but-got-eof", "expected-eof-but-got-char",
    "expected-eof-but-got-end-tag", "expected-eof-but-got-start-tag",
    "expected-named-closing-tag-but-got-eof", "expected-named-entity",
    "expected-numeric-entity", "expected-numeric-entity-but-got-eof",
    "expected-one-end-tag-but-got-another", "expected-space-or-right-bracket-in-doctype",
    "expected-tag-name", "expected-tag-name-but-got-question-mark",
    "expected-tag-name-but-got-right-bracket", "illegal-codepoint-for-numeric-entity",
    "illegal-windows-1252-entity", "incorrect-comment", "incorrect-cr-newline-entity",
    "incorrectly-placed-solidus", "invalid-character-after-attribute-name",
    "invalid-character-in-attribute-name", "invalid-codepoint", "missing-end-tag",
    "missing-end-tags", "named-entity-without-semicolon", "need-space-after-doctype",
    "no-end-tag", "non-html-root", "non-void-element-with-trailing-solidus",
    "null-character", "numeric-entity-without-semicolon", "self-closing-flag-on-end-tag",
    "two-heads-are-not-better-than-one", "unexpected-EOF-after-attribute-value",
    "unexpected-EOF-after-solidus-in-tag", "unexpected-bang-after-double-dash-in-comment",
    "unexpected-cell-end-tag", "unexpected-cell-in-table-body",
    "unexpected-char-after-body", "unexpected-char-after-frameset",
    "unexpected-char-implies-table-voodoo", "unexpected-char-in-comment",
    "unexpected-char-in-doctype", "unexpected-char-in-frameset",
    "unexpected-character-after-attribute-value",
    "unexpected-character-after-solidus-in-tag",
    "unexpected-character-in-unquoted-attribute-value",
    "unexpected-dash-after-double-dash-in-comment", "unexpected-doctype",
    "unexpected-end-of-doctype", "unexpected-end-tag", "unexpected-end-tag-after-body",
    "unexpected-end-tag-after-body-innerhtml", "unexpected-end-tag-after-frameset",
    "unexpected-end-tag-before-html", "unexpected-end-tag-implies-table-voodoo",
    "unexpected-end-tag-in-frameset", "unexpected-end-tag-in-select",
    "unexpected-end-tag-in-table-body", "unexpected-end-tag-in-table-row",
    "unexpected-end-tag-treated-as", "unexpected-form-in-table",
    "unexpected-frameset-in-frameset-innerhtml", "unexpected-hidden-input-in-table",
    "unexpected-html-element-in-foreign-content", "unexpected-implied-end-tag-in-table",
    "unexpected-implied-end-tag-in-table-body", "unexpected-implied-end-tag-in-table-row",
    "unexpected-inhead-noscript-tag", "unexpected-input-in-select",
    "unexpected-select-in-select", "unexpected-space-after-double-dash-in-comment",
    "unexpected-start-tag", "unexpected-start-tag-after-body",
    "unexpected-start-tag-after-frameset", "unexpected-start-tag-ignored",
    "unexpected-start-tag-implies-end-tag", "unexpected-start-tag-implies-table-voodoo",
    "unexpected-start-tag-in-frameset", "unexpected-start-tag-in-select",
    "unexpected-start-tag-out-of-my-head", "unexpected-start-tag-treated-as",
    "unexpected-table-element-end-tag-in-select-in-table",
    "unexpected-table-element-start-tag-in-select-in-table", "unknown-doctype",
)


class Judgement(NamedTuple):
    """The standard's view of one html5lib error."""

    error: bool  # False: the standard does not call this a parse error
    name: str | None  # the standard's name for it; None where the standard names none
    section: str  # where the standard says so (an anchor of SPEC)


def _named(name: str, section: str = "") -> Judgement:
    return Judgement(True, name, section or f"#parse-error-{name}")


#: html5lib tokenizer codes with exactly one counterpart in the standard.
SAME = {
    "duplicate-attribute": _named("duplicate-attribute"),
    "attributes-in-end-tag": _named("end-tag-with-attributes"),
    "self-closing-flag-on-end-tag": _named("end-tag-with-trailing-solidus"),
    "expected-tag-name-but-got-right-bracket": _named("invalid-first-character-of-tag-name"),
    "expected-tag-name-but-got-question-mark": _named(
        "unexpected-question-mark-instead-of-tag-name"),
    "expected-closing-tag-but-got-right-bracket": _named("missing-end-tag-name"),
    "expected-closing-tag-but-got-char": _named("invalid-first-character-of-tag-name"),
    "eof-in-tag-name": _named("eof-in-tag"),
    "expected-attribute-name-but-got-eof": _named("eof-in-tag"),
    "eof-in-attribute-name": _named("eof-in-tag"),
    "expected-end-of-tag-but-got-eof": _named("eof-in-tag"),
    "expected-attribute-value-but-got-eof": _named("eof-in-tag"),
    "eof-in-attribute-value-double-quote": _named("eof-in-tag"),
    "eof-in-attribute-value-single-quote": _named("eof-in-tag"),
    "eof-in-attribute-value-no-quotes": _named("eof-in-tag"),
    "unexpected-EOF-after-solidus-in-tag": _named("eof-in-tag"),
    "unexpected-EOF-after-attribute-value": _named("eof-in-tag"),
    "invalid-character-after-attribute-name": _named("unexpected-character-in-attribute-name"),
    "expected-attribute-value-but-got-right-bracket": _named("missing-attribute-value"),
    "equals-in-unquoted-attribute-value": _named(
        "unexpected-character-in-unquoted-attribute-value"),
    "unexpected-character-in-unquoted-attribute-value": _named(
        "unexpected-character-in-unquoted-attribute-value"),
    "unexpected-character-after-attribute-value": _named("missing-whitespace-between-attributes"),
    "unexpected-character-after-solidus-in-tag": _named("unexpected-solidus-in-tag"),
    "non-void-element-with-trailing-solidus": _named(
        "non-void-html-element-start-tag-with-trailing-solidus"),
    "incorrect-comment": _named("abrupt-closing-of-empty-comment"),
    "eof-in-comment": _named("eof-in-comment"),
    "eof-in-comment-end-dash": _named("eof-in-comment"),
    "eof-in-comment-double-dash": _named("eof-in-comment"),
    "eof-in-comment-end-bang-state": _named("eof-in-comment"),
    "eof-in-comment-end-space-state": _named("eof-in-comment"),
    "eof-in-script-in-script": _named("eof-in-script-html-comment-like-text"),
    "expected-numeric-entity": _named("absence-of-digits-in-numeric-character-reference"),
    "expected-numeric-entity-but-got-eof": _named(
        "absence-of-digits-in-numeric-character-reference"),
    "numeric-entity-without-semicolon": _named("missing-semicolon-after-character-reference"),
    "expected-doctype-name-but-got-right-bracket": _named("missing-doctype-name"),
    "expected-doctype-name-but-got-eof": _named("eof-in-doctype"),
    "eof-in-doctype-name": _named("eof-in-doctype"),
    "eof-in-doctype": _named("eof-in-doctype"),
    "expected-space-or-right-bracket-in-doctype": _named(
        "invalid-character-sequence-after-doctype-name"),
}

#: The standard's names :func:`judge` gives besides those of :data:`SAME`, by the source
#: around an html5lib error.
_JUDGED_NAMES = (
    "unknown-named-character-reference", "missing-semicolon-after-character-reference",
    "null-character-reference", "character-reference-outside-unicode-range",
    "surrogate-character-reference", "noncharacter-character-reference",
    "control-character-reference", "unexpected-null-character",
    "surrogate-in-input-stream", "noncharacter-in-input-stream",
    "control-character-in-input-stream", "eof-before-tag-name",
    "invalid-first-character-of-tag-name", "unexpected-equals-sign-before-attribute-name",
    "unexpected-character-in-attribute-name", "cdata-in-html-content",
    "incorrectly-opened-comment", "incorrectly-closed-comment",
    "missing-whitespace-before-doctype-name",
)
#: Every name of the standard's that :func:`judge` gives an error.
STANDARD_NAMES = frozenset(
    {judgement.name for judgement in SAME.values() if judgement.name} | set(_JUDGED_NAMES))
#: What well-formed-html's messages end with (the standard's name of the error, else
#: html5lib's code), and what its ``ignore-codes`` option takes: either, for any error.
REPORTED_NAMES = tuple(sorted(STANDARD_NAMES | set(HTML5LIB_CODES)))

#: What the standard does not call an error, each with the section that says so. (The
#: conditions under which an html5lib code is one of these are in :func:`judge`.)
NOT_ERRORS = {
    "bare-ampersand": "#character-reference-state",
    "ampersand-without-semicolon": "#ambiguous-ampersand-state",
    "legacy-reference-in-attribute": "#named-character-reference-state",
    "dashes-in-comment": "#comment-end-state",
    "bang-in-comment": "#comment-end-bang-state",
    "isindex": "#parsing-main-inbody",
    "open-at-end": "#parsing-main-inbody",
    "rt-in-rtc": "#parsing-main-inbody",
    "caption-closed": "#parsing-main-incaption",
    "row-context-cleared": "#clear-the-stack-back-to-a-table-row-context",
    "doctype-without-space": "#doctype-state",
}

#: Tree construction errors: the standard calls each a parse error without naming it.
TREE_CONSTRUCTION = Judgement(True, None, "#tree-construction")
#: Codes standing for several DOCTYPE errors of the standard, which html5lib's code does
#: not tell apart; in a body a DOCTYPE is an error anyway (unexpected-doctype).
_DOCTYPE_CODES = frozenset({"unexpected-char-in-doctype", "unexpected-end-of-doctype"})
#: Elements the standard lets stay open at the end of the body (html5lib does not).
_STANDARD_OPEN_AT_END = frozenset({"optgroup", "option", "rb", "rp", "rt", "rtc"})
#: The start tags that close an open <caption> ("in caption"), as </table> does.
_CLOSE_CAPTION = frozenset({
    "caption", "col", "colgroup", "tbody", "td", "tfoot", "th", "thead", "tr"})
#: What the named character reference state matches, and what makes the ambiguous
#: ampersand state raise its error: alphanumerics, then a ';'.
_AMBIGUOUS = re.compile(r"&[0-9A-Za-z]+;")
_ALPHANUMERIC = re.compile(r"[0-9A-Za-z]")
#: After a legacy reference without ';' in an attribute value: the value is kept as written.
_KEPT_AFTER_LEGACY = re.compile(r"[0-9A-Za-z=]")
_ALPHANUMERICS = re.compile(r"[0-9A-Za-z]+")


def judge(error: ParseError, body: BodyView) -> Judgement:
    """The standard's view of ``error`` (see the module docstring)."""
    code = error.code
    same = SAME.get(code)
    if same is not None:
        return same
    source = body.source
    if code == "expected-named-entity":
        # html5lib objects to any '&' followed by something that is not a reference; the
        # standard only to alphanumerics ending in ';' that name nothing (&foo;).
        amp = _ampersand(error, source)
        if amp is not None and _AMBIGUOUS.match(source, amp):
            return _named("unknown-named-character-reference")
        if amp is not None and _ALPHANUMERIC.match(source, amp + 1):
            return _not_error("ampersand-without-semicolon")  # AT&T, ?a=1&b=2
        return _not_error("bare-ampersand")  # "& ", "&-", "&\""
    if code == "named-entity-without-semicolon":
        # In an attribute value, a legacy reference (&copy, &not) followed by an
        # alphanumeric or '=' is kept as written, without an error: "?a=1&copy=2".
        amp = _ampersand(error, source)
        name = legacy_reference(source, amp) if amp is not None else None
        after = amp + 1 + len(name) if amp is not None and name is not None else -1
        if after != -1 and _in_attribute(error, body) and _KEPT_AFTER_LEGACY.match(source, after):
            return _not_error("legacy-reference-in-attribute")
        return _named("missing-semicolon-after-character-reference")
    if code == "illegal-codepoint-for-numeric-entity":
        return _named(_numeric_reference_error(int(error.datavars.get("charAsInt", 0))))
    if code == "invalid-codepoint":
        return _named(_input_stream_error(offending_character(error, source)))
    if code == "expected-tag-name":
        # '<' then anything but a letter, '!', '/' or '?'; or '<' at the very end.
        if error.start + 1 >= body.end:
            return _named("eof-before-tag-name")
        return _named("invalid-first-character-of-tag-name")
    if code == "expected-closing-tag-but-got-eof":
        if source[error.start : body.end] == "</":  # the tokenizer's: '</' at the end
            return _named("eof-before-tag-name")
        token = body.tokens[error.token] if error.token is not None else None
        if token is not None and token.name in _STANDARD_OPEN_AT_END:
            return _not_error("open-at-end")  # html.py points at one only html5lib objects to
        return TREE_CONSTRUCTION
    if code == "invalid-character-in-attribute-name":
        if source[error.offset - 1 : error.offset] == "=":
            return _named("unexpected-equals-sign-before-attribute-name")
        return _named("unexpected-character-in-attribute-name")
    if code == "expected-dashes-or-doctype":
        if source.startswith("<![CDATA[", error.start):
            return _named("cdata-in-html-content")
        return _named("incorrectly-opened-comment")
    if code in ("unexpected-dash-after-double-dash-in-comment", "unexpected-char-in-comment"):
        return _not_error("dashes-in-comment")
    if code == "unexpected-bang-after-double-dash-in-comment":
        if source.startswith(">", error.offset):
            return _named("incorrectly-closed-comment")
        return _not_error("bang-in-comment")
    if code == "need-space-after-doctype":
        # <!DOCTYPE> has no name, which html5lib also reports (the standard's only error).
        keyword = source.lower().find("doctype", error.start, error.offset + 1)
        if keyword != -1 and source.startswith(">", keyword + len("doctype")):
            return _not_error("doctype-without-space")
        return _named("missing-whitespace-before-doctype-name")
    if code in _DOCTYPE_CODES:
        return Judgement(True, None, "#doctype-state")
    if code == "deprecated-tag":
        return _not_error("isindex")
    if code == "unexpected-implied-end-tag-in-table-row":
        # An element still open when a row ends (foster-parented, an error when it
        # opened): html5lib's own table and row group (whose codes it commented out)
        # close one without an error, as the standard does for all three.
        return _not_error("row-context-cleared")
    if code == "XXX-undefined-error":
        token = body.tokens[error.token] if error.token is not None else None
        if closes_caption(error, token):
            return _not_error("caption-closed")
        if (error.datavars.get(CURRENT_NODE) == "rtc" and token is not None
                and token.kind == "StartTag" and token.name in ("rp", "rt")):
            return _not_error("rt-in-rtc")
    return TREE_CONSTRUCTION


def closes_caption(error: ParseError, token: Token | None) -> bool:
    """Whether ``error`` is html5lib's placeholder code for a table part's start tag or a
    </table> that closes an open <caption>, which it raises whatever is open: the
    standard's error is an element still open in the caption (html5lib's
    expected-one-end-tag-but-got-another, raised too)."""
    if error.code != "XXX-undefined-error" or token is None:
        return False
    if error.datavars.get(INSERTION_MODE) != "inCaption":
        return False  # (the mode's name in html5lib's table of them)
    if token.kind == "StartTag":
        return token.name in _CLOSE_CAPTION
    return token.kind == "EndTag" and token.name == "table"


def _not_error(reason: str) -> Judgement:
    return Judgement(False, None, NOT_ERRORS[reason])


def legacy_reference(source: str, amp: int) -> str | None:
    """The name of the reference html5lib (and the standard) read at the '&' at ``amp``:
    the longest name in the table that the alphanumerics after it start with."""
    run = _ALPHANUMERICS.match(source, amp + 1)
    if run is None:
        return None
    word = run.group()
    for length in range(min(len(word), LONGEST_ENTITY), 0, -1):
        if word[:length] in ENTITIES:
            return word[:length]
    return None


def _ampersand(error: ParseError, source: str) -> int | None:
    """Where the '&' of a character-reference error is: the last one before html5lib
    raised it (inside an attribute, the error's span starts at the tag)."""
    amp = source.rfind("&", error.start, max(error.offset, error.start + 1))
    return None if amp == -1 else amp


def _in_attribute(error: ParseError, body: BodyView) -> bool:
    token: Token | None = body.tokens[error.token] if error.token is not None else None
    if token is not None:
        return token.kind in ("StartTag", "EndTag", "EmptyTag")
    return body.source.startswith("<", error.start)  # a tag html5lib dropped (cut off)


def _numeric_reference_error(value: int) -> str:
    """The standard's error for a numeric character reference to ``value``
    (#numeric-character-reference-end-state); html5lib calls them all one code."""
    if value == 0:
        return "null-character-reference"
    if value > 0x10FFFF:
        return "character-reference-outside-unicode-range"
    if 0xD800 <= value <= 0xDFFF:
        return "surrogate-character-reference"
    if _is_noncharacter(value):
        return "noncharacter-character-reference"
    return "control-character-reference"


def _input_stream_error(character: str) -> str:
    if character == "\x00":
        return "unexpected-null-character"
    value = ord(character) if character else 0
    if 0xD800 <= value <= 0xDFFF:
        return "surrogate-in-input-stream"
    if _is_noncharacter(value):
        return "noncharacter-in-input-stream"
    return "control-character-in-input-stream"


def _is_noncharacter(value: int) -> bool:
    return 0xFDD0 <= value <= 0xFDEF or (value & 0xFFFE) == 0xFFFE


@cache  # (compiled on first use: few clippings hold such a character)
def _invalid() -> re.Pattern[str]:
    """What html5lib reports as invalid-codepoint: NUL (in the tokenizer's states) and,
    in the input stream, controls other than whitespace, noncharacters and surrogates."""
    return re.compile(
        "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
        "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
        "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
        "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
        "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
    )


def offending_character(error: ParseError, source: str) -> str:
    """The character an invalid-codepoint error is about. The input stream's errors, and
    a NUL in text, point at it; a NUL inside a tag or comment is reported at the token's
    start: the NUL is then the first one after it."""
    first = source[error.start : error.start + 1]
    if first and _invalid().match(first):
        return first
    nul = source.find("\x00", error.start, max(error.offset, error.start + 1))
    return "\x00" if nul != -1 else first
