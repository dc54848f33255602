"""The body must parse as HTML without errors, as the current HTML standard defines them.

Why: feeds emit unbalanced tags, stray end tags and broken character references. A
browser (and html5lib, which follows the same parsing rules) silently repairs them, each
in its own way: a stray ``</div>`` can close the wrong block, ``&foo;`` is not what its
writer meant, an unclosed ``<a>`` turns the rest of the article into a link. What a
reader, a search index or a model gets then depends on the parser.

Which errors: the parse errors of the current WHATWG HTML standard
(https://html.spec.whatwg.org/multipage/parsing.html#parse-errors), found through
html5lib 1.1. html5lib predates the standard's list: its codes are mapped onto the
standard's errors, and what the standard does not call an error is not reported. One
problem per error, at the start of the offending tag, character reference or text
(inside an attribute value: the tag; for an element left open at the end of the body:
its start tag); the same error repeated in one tag (each duplicate attribute of a mangled
``<div>``, also of one cut off by the end of the body) is one problem that says how many
times. The message ends with the standard's name for the error; the standard names none
for tree construction errors (a stray end tag, misnested formatting...), whose messages
end with html5lib's code. ``ignore-codes`` takes either.

html5lib 1.1 predates ``<template>`` (it parsed one as an unknown element, so whatever
followed its end tag stayed inside it): cliplint's parser adds the standard's template
rules (the "in template" insertion mode and the rules that lead there), so valid template
markup, table parts on their own in a template included, raises nothing. The template
errors the standard defines use the closest html5lib code: ``unexpected-end-tag`` for a
stray ``</template>`` or an end tag a template ignores, ``end-tag-too-early`` for a
``</template>`` that closes elements still open in it, and
``expected-closing-tag-but-got-eof`` for a template left open (at its start tag).

html5lib raises a placeholder, ``XXX-undefined-error``, for several errors it gave no code
of their own; their messages end with the code html5lib gives the same error elsewhere:
``unexpected-end-tag`` for an end tag whose element is not open (``</body>``: a clipping's
body is no ``<body>`` element), ``unexpected-start-tag-ignored`` for a table part a
template's table ignores, ``unexpected-start-tag`` for ``<rp>``/``<rt>`` in a ``<ruby>``
but inside another element. Text a template's column group drops keeps the placeholder:
no code fits. ``ignore-codes`` takes the placeholder for all of them. Where html5lib
raises both its placeholder and the code it stands for for one tag (a ``</body>`` inside
``<svg>`` or ``<math>``), that is one problem.

Not errors in the standard, though html5lib 1.1 reports them (reported only with
``report-html5lib-only``, as warnings):

- ``expected-named-entity`` on an ``&`` that is not followed by alphanumerics and a
  ``;``: a bare ``&``, ``AT&T``, ``?a=1&b=2``. The standard reads them as text, as
  browsers do; only ``&`` + alphanumerics + ``;`` naming nothing (``&foo;``) is its
  ``unknown-named-character-reference`` (§13.2.5.72 character reference state,
  §13.2.5.74 ambiguous ampersand state);
- ``named-entity-without-semicolon`` in an attribute value when the legacy reference
  is followed by an alphanumeric or ``=`` (``?a=1&copy=2``, ``&notx``): kept as written,
  "for historical reasons", without an error (§13.2.5.73 named character reference
  state); elsewhere it is ``missing-semicolon-after-character-reference``;
- ``unexpected-char-in-comment`` and ``unexpected-dash-after-double-dash-in-comment``:
  ``--`` inside a comment and ``--->`` (§13.2.5.51 comment end state);
- ``unexpected-bang-after-double-dash-in-comment`` unless ``--!>`` closes the comment,
  which is ``incorrectly-closed-comment`` (§13.2.5.52 comment end bang state);
- ``deprecated-tag``: ``<isindex>`` is an ordinary unknown element now (§13.2.6.4.7
  "in body");
- ``expected-closing-tag-but-got-eof`` when only ``<option>``, ``<optgroup>``,
  ``<rb>``, ``<rp>``, ``<rt>`` or ``<rtc>`` are left open (§13.2.6.4.7 "in body",
  end-of-file token);
- ``<rp>``/``<rt>`` in an open ``<rtc>``, reported as ``unexpected-start-tag``
  (§13.2.6.4.7, html5lib does not know ``rtc``);
- a table part's start tag or ``</table>`` closing an open ``<caption>``, reported as
  ``unexpected-start-tag-implies-end-tag`` and ``end-tag-too-early``: the error is an
  element left open in the caption, which html5lib reports too (§13.2.6.4.11 "in
  caption");
- ``unexpected-implied-end-tag-in-table-row``: the end of a row (``</tr>``, the next
  ``<td>``) closing an element still open in it, one moved out of the table, whose start
  tag was the error (§13.2.6.4.14 "in row": clearing the stack back to a table row
  context is no error, as html5lib has it for a table and a row group);
- ``need-space-after-doctype`` on ``<!DOCTYPE>``, which lacks a name, not a space
  (§13.2.5.53 DOCTYPE state; the missing name is reported).

html5lib's codes and the standard's names, where they differ:

- ``attributes-in-end-tag``: end-tag-with-attributes; ``self-closing-flag-on-end-tag``:
  end-tag-with-trailing-solidus;
- ``expected-tag-name`` (eof-before-tag-name at the end of the body),
  ``expected-tag-name-but-got-right-bracket``, ``expected-closing-tag-but-got-char``:
  invalid-first-character-of-tag-name; ``expected-tag-name-but-got-question-mark``:
  unexpected-question-mark-instead-of-tag-name; ``expected-closing-tag-but-got-right-
  bracket``: missing-end-tag-name;
- ``eof-in-tag-name``, ``eof-in-attribute-*``, ``expected-*-but-got-eof`` in a tag,
  ``unexpected-EOF-after-*``: eof-in-tag;
- ``invalid-character-in-attribute-name`` (unexpected-equals-sign-before-attribute-name
  for a leading ``=``), ``invalid-character-after-attribute-name``: unexpected-character-
  in-attribute-name; ``expected-attribute-value-but-got-right-bracket``: missing-
  attribute-value; ``equals-in-unquoted-attribute-value``: unexpected-character-in-
  unquoted-attribute-value; ``unexpected-character-after-attribute-value``: missing-
  whitespace-between-attributes; ``unexpected-character-after-solidus-in-tag``:
  unexpected-solidus-in-tag; ``non-void-element-with-trailing-solidus``: non-void-html-
  element-start-tag-with-trailing-solidus;
- ``expected-named-entity``: unknown-named-character-reference; ``named-entity-without-
  semicolon``, ``numeric-entity-without-semicolon``: missing-semicolon-after-character-
  reference; ``expected-numeric-entity``: absence-of-digits-in-numeric-character-
  reference; ``illegal-codepoint-for-numeric-entity``: null-, surrogate-, noncharacter-
  or control-character-reference, or character-reference-outside-unicode-range, by the
  value; ``invalid-codepoint``: unexpected-null-character, or control-character-,
  noncharacter- or surrogate-in-input-stream, by the character;
- ``expected-dashes-or-doctype``: incorrectly-opened-comment (cdata-in-html-content for
  ``<![CDATA[``); ``incorrect-comment``: abrupt-closing-of-empty-comment;
  ``eof-in-comment*``: eof-in-comment; ``eof-in-script-in-script``: eof-in-script-html-
  comment-like-text;
- DOCTYPE codes: the standard's DOCTYPE errors, except ``unexpected-char-in-doctype`` and
  ``unexpected-end-of-doctype``, which stand for several and keep html5lib's code (a
  DOCTYPE in a body is an error of its own anyway, ``unexpected-doctype``).

Some of the standard's errors html5lib 1.1 does not detect, so neither does this rule:
nested-comment, eof-in-script-html-comment-like-text outside double-escaped script
text, a NUL in a bogus comment.

Bad::

    <p>Beijing responds</span> to the <a href="/a">report <a href="/b">here</a> &c;</p>

(``unexpected end tag </span> (unexpected-end-tag)``, ``<a> inside an open <a>
(unexpected-start-tag-implies-end-tag)``, ``'&c;' is not a known character reference
(escape '&' as '&amp;') (unknown-named-character-reference)``)

Good::

    <p>Beijing responds to the <a href="/a?x=1&y=2">report</a> <a href="/b">here</a> &amp;c.</p>

Options:

- ``ignore-codes`` (``[]``): errors not to report, by the standard's name or html5lib's
  code (both are accepted), e.g. ``["missing-semicolon-after-character-reference"]``.
  A name the rule never reports is a configuration error, with the closest one it does.
- ``report-html5lib-only`` (``false``): also report the errors html5lib 1.1 reports and
  the standard does not (listed above), as warnings: html5lib's full list.

Fix: none yet. A repair is only safe where the visible text stays the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, NamedTuple

from cliplint.document import Document
from cliplint.html import (
    CURRENT_NODE,
    NAME_OPEN,
    SCOPE_ENDS_AT,
    BodyView,
    ParseError,
    Token,
    ascii_lower,
)
from cliplint.model import Finding
from cliplint.rule_io import Violation
from cliplint_rules._parse_errors import (
    REPORTED_NAMES,
    Judgement,
    closes_caption,
    judge,
    legacy_reference,
    offending_character,
)
from cliplint_rules._quoting import shown

ID = "well-formed-html"
SEVERITY = "error"
FIX = None
FINDINGS = {
    "parse-error": Finding("error", "a parse error of the current HTML standard"),
    "html5lib-only": Finding("warning", "an error html5lib 1.1 reports that the current HTML "
                             "standard does not (only with report-html5lib-only)"),
}
OPTIONS = {
    "type": "object",
    "properties": {
        "ignore-codes": {
            "type": "array",
            # An error the rule can report: a name it never reports ignored nothing.
            "items": {"enum": list(REPORTED_NAMES),
                      "description": "the errors the rule reports, by the standard's name or "
                      "html5lib's code (the name at the end of a message)"},
            "uniqueItems": True,
            "default": [],
            "description": "Errors not to report: the standard's names or html5lib's codes "
            "(the name in parentheses at the end of a message).",
        },
        "report-html5lib-only": {
            "type": "boolean",
            "default": False,
            "description": "Also report, as warnings, what html5lib 1.1 reports but the "
            "current HTML standard does not call a parse error.",
        },
    },
}



# The next two are compiled when first needed (a cache), for the few errors they serve.
@cache
def _entity() -> re.Pattern[str]:
    return re.compile(r"&#?[0-9A-Za-z]{0,32};?")


@cache
def _tag_start() -> re.Pattern[str]:
    """A tag's start as html5lib's tokenizer reads it: '<' or '</', an ASCII letter, then
    the name up to whitespace, '/' or '>'."""
    return re.compile(r"<(?P<end>/)?(?P<name>[A-Za-z][^\t\n\x0c\r />]*)")


#: html5lib's code for several errors it gave no code of their own (see _stand_in).
_PLACEHOLDER = "XXX-undefined-error"
_EOF_CODES = frozenset({
    "expected-closing-tag-but-got-eof", "expected-named-closing-tag-but-got-eof",
    "eof-in-table", "eof-in-select", "eof-in-frameset",
})
#: Tree construction codes about an end tag. When the token is a start tag, the end tag
#: was implied by it (<div> closes an open <p>): the message says so.
_END_TAG_CODES = frozenset({
    "unexpected-end-tag", "end-tag-too-early", "end-tag-too-early-ignored",
    "end-tag-too-early-named", "expected-one-end-tag-but-got-another", "unexpected-cell-end-tag",
    "adoption-agency-1.1", "adoption-agency-1.2", "adoption-agency-1.3", "adoption-agency-4.4",
})
#: Plain words for the errors about a tag, by html5lib's code ({tag}; {inner}: the current
#: node; {closed}: the element html5lib names). With the tables below and the cases
#: _describe words itself, every code html5lib 1.1 can raise in a body has plain words
#: (tests/test_parse_errors.py checks): html5lib's own text, the last resort, speaks of
#: its phases and "voodoo".
_PHRASES = {
    "unexpected-end-tag": "unexpected end tag {tag}",
    "unexpected-end-tag-treated-as": "unexpected end tag {tag}",
    "end-tag-too-early": "end tag {tag} while {inner} inside it is still open",
    "end-tag-too-early-ignored": "end tag {tag} while {inner} inside it is still open",
    "end-tag-too-early-named": "end tag {tag} while {inner} inside it is still open",
    "expected-one-end-tag-but-got-another": "end tag {tag} does not match the open element",
    "adoption-agency-1.1": "misnested end tag {tag}",
    "adoption-agency-1.2": "misnested end tag {tag}",
    "adoption-agency-1.3": "misnested end tag {tag}",
    "adoption-agency-4.4": "misnested end tag {tag}",
    "unexpected-start-tag": "unexpected start tag {tag}",
    "unexpected-start-tag-ignored": "unexpected start tag {tag}",
    "non-html-root": "unexpected start tag {tag}",
    "unexpected-start-tag-treated-as": "unexpected start tag {tag}, read as <img>",  # <image>
    "unexpected-end-tag-in-table-body": "unexpected end tag {tag}",
    "unexpected-end-tag-in-table-row": "unexpected end tag {tag}",
    "no-end-tag": "unexpected end tag {tag}: <col> has none",
    "unexpected-cell-end-tag": "end tag {tag} while {inner} inside it is still open",
    "unexpected-implied-end-tag-in-table-row": "{tag} closes the open {closed} in a table row",
    "unexpected-cell-in-table-body": "{tag} outside a table row: a <tr> is implied",
    "unexpected-start-tag-implies-table-voodoo":
        "{tag} in a table outside a cell, moved out of the table",
    "unexpected-end-tag-implies-table-voodoo": "end tag {tag} in a table outside a cell",
    "unexpected-form-in-table": "{tag} in a table outside a cell",
    "unexpected-hidden-input-in-table": "{tag} in a table outside a cell",
    "unexpected-select-in-select": "{tag} inside an open <select> closes it",
    "unexpected-input-in-select": "{tag} inside an open <select> closes it",
    "unexpected-table-element-start-tag-in-select-in-table":
        "{tag} inside an open <select> closes it",
    "unexpected-table-element-end-tag-in-select-in-table": "end tag {tag} inside an open <select>",
    "unexpected-start-tag-in-select": "{tag} is ignored inside a <select>",
    "unexpected-end-tag-in-select": "end tag {tag} is ignored inside a <select>",
    "unexpected-html-element-in-foreign-content": "{tag} ends the SVG or MathML it is in",
    "non-void-element-with-trailing-solidus": "'/>' does not close {tag} in HTML",
    "duplicate-attribute": "duplicate attribute in {tag}",
    "unexpected-character-after-attribute-value": "no space after an attribute value in {tag}",
    "invalid-character-in-attribute-name": "invalid character in an attribute name in {tag}",
    "invalid-character-after-attribute-name": "invalid character in an attribute name in {tag}",
    "unexpected-character-in-unquoted-attribute-value":
        "unquoted attribute value holds a quote, '=', '<' or '`' in {tag}",
    "equals-in-unquoted-attribute-value":
        "unquoted attribute value starts with '=', '<' or '`' in {tag}",
    "unexpected-character-after-solidus-in-tag": "stray '/' inside {tag}",
    "attributes-in-end-tag": "attributes on end tag {tag}",
    "self-closing-flag-on-end-tag": "'/>' on end tag {tag}",
    "expected-attribute-value-but-got-right-bracket":
        "attribute without a value after '=' in {tag}",
}
#: Plain words for the standard's errors whose html5lib text is not (by the standard's
#: name; {excerpt} is the offending source, quoted).
_STANDARD_PHRASES = {
    "unexpected-question-mark-instead-of-tag-name":
        "'<?' starts a processing instruction, which HTML does not have",
    "missing-end-tag-name": "end tag {excerpt} has no name",
    "eof-before-tag-name": "{excerpt} at the end of the body",
    "eof-in-tag": "tag cut off by the end of the body: {excerpt}",
    "cdata-in-html-content": "CDATA section outside SVG or MathML",
    "incorrectly-opened-comment": "{excerpt} is not followed by '--' or 'DOCTYPE'",
    "abrupt-closing-of-empty-comment": "comment closed by its own start: {excerpt}",
    "eof-in-comment": "comment not closed by the end of the body: {excerpt}",
    "eof-in-doctype": "DOCTYPE cut off by the end of the body: {excerpt}",
    "missing-doctype-name": "DOCTYPE without a name: {excerpt}",
    "missing-whitespace-before-doctype-name": "no space between 'DOCTYPE' and its name: {excerpt}",
    "invalid-character-sequence-after-doctype-name":
        "neither 'PUBLIC' nor 'SYSTEM' after the DOCTYPE name: {excerpt}",
    "eof-in-script-html-comment-like-text":
        "'<!--' in a <script> not closed by the end of the body",
}
#: Plain words, by html5lib's code, for errors that name no tag and that the standard
#: names none for ({excerpt}: the offending source, quoted).
_CODE_PHRASES = {
    "unexpected-doctype": "DOCTYPE inside the body: {excerpt}",
    "deprecated-tag": "<isindex>, which is no longer special in HTML",
    "need-space-after-doctype": "no space after 'DOCTYPE': {excerpt}",  # <!DOCTYPE>
    "unexpected-char-in-doctype": "unexpected character in a DOCTYPE: {excerpt}",
    "unexpected-end-of-doctype": "DOCTYPE ends too early: {excerpt}",
}
#: The character a numeric reference names, by the standard's error.
_NAMED_CHARACTER = {
    "null-character-reference": "U+0000 NULL",
    "character-reference-outside-unicode-range": "a value beyond U+10FFFF",
    "surrogate-character-reference": "a surrogate",
    "noncharacter-character-reference": "a noncharacter",
    "control-character-reference": "a control character",
}
#: What an invalid character in the input is, by the standard's error.
_INVALID_CHARACTER = {
    "unexpected-null-character": "NUL character",
    "control-character-in-input-stream": "control character",
    "noncharacter-in-input-stream": "noncharacter",
    "surrogate-in-input-stream": "lone surrogate",
}


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    body = document.body
    ignored = frozenset(options.get("ignore-codes", ()))
    html5lib_only = options.get("report-html5lib-only", False)
    # An error repeated in one tag (each duplicate attribute of a mangled <div>) is one
    # problem, counted: a keeper fixes the tag once. Keyed by the tag and what is said.
    found: dict[tuple[object, ...], _Found] = {}
    # Keys a placeholder error made, which a real code's error for the same tag joins
    # without counting again (see below).
    stood_in: set[tuple[object, ...]] = set()
    for error in body.errors:
        judgement = judge(error, body)
        if not judgement.error and not html5lib_only:
            continue
        token = body.tokens[error.token] if error.token is not None else None
        stand_in = _stand_in(error, token) if error.code == _PLACEHOLDER else None
        name = judgement.name or (stand_in.code if stand_in else error.code)
        if error.code in ignored or name in ignored:
            continue
        said = (_describe(error, judgement, body, stand_in), name, judgement.error)
        # A tag cut off by the end of the body is no token (html5lib drops it): where it
        # starts stands for it.
        key = ("token", error.token, *said) if error.token is not None else (
            "at", error.start, *said)
        end = max(error.end, error.start)
        if key in found:
            earlier = found[key]
            # html5lib may raise its placeholder and the code it stands for for one
            # mistake (a </body> in <svg>: foreign content's unexpected-end-tag, then "in
            # body"'s placeholder): the same words on the same tag once, not "2 times".
            once = stand_in is not None or key in stood_in
            stood_in.discard(key)
            found[key] = earlier._replace(end=max(earlier.end, end),
                                          times=earlier.times + (0 if once else 1))
        else:
            found[key] = _Found(error.start, end, *said, 1)
            if stand_in is not None:
                stood_in.add(key)
    for one in found.values():
        times = f", {one.times} times" if one.times > 1 else ""
        standard = "" if one.error else "; not an error in the HTML standard"
        yield Violation(one.start, one.end, f"{one.described}{times} ({one.name}{standard})",
                        kind="parse-error" if one.error else "html5lib-only")


class _StandIn(NamedTuple):
    """What html5lib's placeholder code stands for: the code html5lib gives the same
    error elsewhere, and the words for it ({tag}, {inner}, {excerpt} as in _describe)."""

    code: str
    phrase: str


def _stand_in(error: ParseError, token: Token | None) -> _StandIn:
    """html5lib's placeholder code, XXX-undefined-error, raised for the errors below (by
    html5parser.py), as the code it gives the same error elsewhere."""
    if token is None or token.kind not in ("StartTag", "EndTag"):
        # Text a template's column group drops: no code of html5lib's fits.
        return _StandIn(_PLACEHOLDER, "misplaced text {excerpt}")
    if closes_caption(error, token):
        code = ("unexpected-start-tag-implies-end-tag" if token.kind == "StartTag"
                else "end-tag-too-early")
        return _StandIn(code, "{tag} closes the open <caption>")
    if token.kind == "StartTag" and token.name in ("rp", "rt"):  # in a <ruby>
        return _StandIn("unexpected-start-tag", "{tag} inside an open {inner}, not directly "
                        "in <ruby>")
    if token.kind == "EndTag":
        # What it would close is not open (in scope): a </body>, since a clipping's body
        # is no <body> element; a </table> or </tr> in a template with no table open.
        return _StandIn("unexpected-end-tag", "unexpected end tag {tag}")
    # A table part a template's table ignores (a <tr> in a cell with no row open).
    return _StandIn("unexpected-start-tag-ignored", "unexpected start tag {tag}")


class _Found(NamedTuple):
    """A parse error to report, and how many times it was found in its tag."""

    start: int
    end: int
    described: str
    name: str
    error: bool
    times: int


def _describe(error: ParseError, judgement: Judgement, body: BodyView,
              stand_in: _StandIn | None = None) -> str:
    token = body.tokens[error.token] if error.token is not None else None
    tag = _tag(token, error, body)
    code = error.code
    inner = error.datavars.get(CURRENT_NODE)
    inner_tag = f"<{_short(inner)}>" if isinstance(inner, str) else "an element"
    if stand_in is not None:
        return stand_in.phrase.format(tag=tag or "tag", inner=inner_tag,
                                      excerpt=_excerpt(body.source, error.start, error.end))
    if code in _EOF_CODES and tag is not None and (token is None or token.kind != "EndTag"):
        return f"{tag} is not closed by the end of the body"
    if code in _EOF_CODES and judgement.name is None:  # an element html5lib made itself
        return f"{inner_tag} is not closed by the end of the body"
    if code == "unexpected-start-tag-implies-end-tag":
        # html5lib names an element here (a, nobr, button), not what was written; escaped
        # all the same, as every name a message quotes.
        open_name = shown(str(error.datavars.get("endName", "?")))
        return f"{tag or 'start tag'} inside an open <{open_name}>"
    if code in _END_TAG_CODES and token is not None and token.kind == "StartTag":
        # html5lib's implied end tag: the start tag closed an open element for it (one
        # html5lib names; escaped like the others).
        closed = shown(str(error.datavars.get("name") or error.datavars.get("gotName") or "?"))
        if code.startswith("adoption-agency"):
            return f"{tag} closes the open <{closed}>, which is misnested"
        return f"{tag} closes the open <{closed}> while {inner_tag} inside it is still open"
    if "entity" in code:
        return _reference_message(error, judgement, body, tag, token)
    if code == "invalid-codepoint":
        character = offending_character(error, body.source)
        what = _INVALID_CHARACTER.get(judgement.name or "", "invalid character")
        return f"{what} U+{ord(character):04X}" if character else what
    if code in ("unexpected-char-in-comment", "unexpected-dash-after-double-dash-in-comment"):
        return "'--' inside a comment"
    if code == "unexpected-bang-after-double-dash-in-comment":
        return ("comment closed by '--!>' instead of '-->'" if judgement.error
                else "'--!' inside a comment")
    boundary = error.datavars.get(SCOPE_ENDS_AT)
    if code == "end-tag-too-early" and isinstance(boundary, str):
        # A </div> inside a table cell, with the <div> around the table: it closes nothing.
        name = _short(str(error.datavars["name"]))
        return (f"end tag {tag or 'tag'} is ignored: the open <{name}> lies outside the "
                f"<{_short(boundary)}> it is in")
    if code.startswith("end-tag-too-early") and error.datavars.get(NAME_OPEN) is False:
        # html5lib's code for a </div> that closes nothing too: no inner element to blame.
        return f"unexpected end tag {tag or 'tag'}: no <{_short(str(error.datavars['name']))}> is open"
    phrase = _PHRASES.get(code)
    if phrase is not None and tag is not None:
        named = error.datavars.get("name")
        closed = f"<{_short(named)}>" if isinstance(named, str) else "an element"
        return phrase.format(tag=tag, inner=inner_tag, closed=closed)
    if judgement.name == "invalid-first-character-of-tag-name":
        source = body.source
        lead = "</" if source.startswith("</", error.start) else "<"
        after = source[error.start + len(lead) : error.start + len(lead) + 1]
        return f"{lead!r} is followed by {after!r}, not by a tag name"
    phrase = _STANDARD_PHRASES.get(judgement.name or "") or _CODE_PHRASES.get(code)
    if phrase is not None:
        return phrase.format(excerpt=_excerpt(body.source, error.start, error.end),
                             tag=tag or "tag")
    message = shown(error.message.rstrip(". "))  # html5lib's text names tags as written
    message = message[:1].lower() + message[1:]
    if tag is not None:
        return f"{message} at {tag}"
    return f"{message}: {_excerpt(body.source, error.start, error.end)}"


def _excerpt(source: str, start: int, end: int, width: int = 40) -> str:
    """The offending source, quoted and cut to ``width`` characters."""
    text = source[start : min(end, start + width)]
    return repr(text + "…") if end > start + width else repr(text)


def _tag(token: Token | None, error: ParseError, body: BodyView) -> str | None:
    """The offending tag as ``<name>`` or ``</name>``, when the error is about a tag.
    A name html5lib read from broken markup (``<divclass="x"``) is cut short."""
    name = token.name if token is not None and token.kind in ("StartTag", "EndTag") else None
    end_tag = token is not None and token.kind == "EndTag"
    if name is None:
        name = error.datavars.get("name")
    if name is None and token is None:
        # A tag cut off by the end of the body: html5lib dropped its token, not its errors
        # (each duplicate attribute of ``<x a=1 a=2 a=3``).
        cut_off = _tag_start().match(body.source, error.start, body.end)
        if cut_off is not None:
            name = _html5lib_name(cut_off.group("name"))
            end_tag = cut_off.group("end") is not None
    if not isinstance(name, str):
        return None
    name = _short(name)
    return f"</{name}>" if end_tag else f"<{name}>"


def _html5lib_name(written: str) -> str:
    """A tag name as html5lib's tokenizer makes it of what was written: ASCII letters
    lower-cased, NUL replaced."""
    return ascii_lower(written).replace("\x00", "\ufffd")


def _short(name: str, width: int = 30) -> str:
    """A tag name as written, cut short: one html5lib read from broken markup
    (``<divclass="x"``) can be long. Controls in it are escaped (``<x\\x1b[31m>``): a
    name is anything up to a space, a '/' or a '>'."""
    return shown(name if len(name) <= width else name[: width - 1] + "…")


def _reference_message(error: ParseError, judgement: Judgement, body: BodyView,
                       tag: str | None, token: Token | None) -> str:
    """Quote the character reference as written; inside an attribute html5lib points
    at the tag."""
    source = body.source
    amp = source.rfind("&", error.start, max(error.offset, error.start + 1))
    match = _entity().match(source, amp) if amp != -1 else None
    written = repr(match.group()) if match else "'&'"
    if error.code == "named-entity-without-semicolon" and amp != -1:
        name = legacy_reference(source, amp)  # the reference html5lib matched: &not(it)
        written = repr(f"&{name}") if name else written
    in_tag = (token is not None and token.kind in ("StartTag", "EndTag")) or (
        token is None and source.startswith("<", error.start))
    where = f" in an attribute of {tag}" if tag is not None and in_tag else ""
    name = judgement.name
    if name == "unknown-named-character-reference":
        return f"{written}{where} is not a known character reference (escape '&' as '&amp;')"
    if name == "missing-semicolon-after-character-reference":
        return f"character reference {written}{where} lacks its ';'"
    if name == "absence-of-digits-in-numeric-character-reference":
        return f"character reference {written}{where} has no digits"
    if name in _NAMED_CHARACTER:
        return f"character reference {written}{where} names {_NAMED_CHARACTER[name]}"
    if error.code == "expected-named-entity":  # not an error in the standard
        if written == "'&'":
            return f"'&'{where} is not followed by a character reference"
        return f"{written}{where} is not a character reference, so it reads as text"
    if error.code == "named-entity-without-semicolon":  # in an attribute, kept as written
        return f"{written}{where} lacks its ';', so it reads as text"
    return f"bad character reference {written}{where}"
