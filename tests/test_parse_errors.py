"""html5lib 1.1's parse errors judged by the current HTML standard (cliplint_rules._parse_errors)
and what well-formed-html reports of them.

The expected names are the standard's (https://html.spec.whatwg.org/multipage/parsing.html
#parse-errors); most cases are shaped like the tokenizer tests of html5lib-tests, whose
expectations use the standard's names.
"""

from __future__ import annotations

import pytest
from conftest import CORPUS

from cliplint import lint_text
from cliplint.document import Document
from cliplint.html_parse import parse_body
from cliplint_rules._parse_errors import NOT_ERRORS, SAME, judge

HEADER = "<!--1686778744000-->\n[Beijing responds](https://www.dw.com/zh/a-53985946)\n------\n\n"

# (body, html5lib's code, the standard's name, or None where the standard sees no error)
JUDGED = [
    # character references: the standard's ambiguous ampersand is narrower than html5lib's
    ("AT&T", "expected-named-entity", None),
    ("a &- b", "expected-named-entity", None),
    ("<a href='?a=1&b=2'>x</a>", "expected-named-entity", None),
    ("x &foo; y", "expected-named-entity", "unknown-named-character-reference"),
    ("<a href='?a=1&foo;'>x</a>", "expected-named-entity", "unknown-named-character-reference"),
    ("&amp x", "named-entity-without-semicolon", "missing-semicolon-after-character-reference"),
    ("&notit;", "named-entity-without-semicolon", "missing-semicolon-after-character-reference"),
    ("<a href='?a=1&copy=2'>x</a>", "named-entity-without-semicolon", None),
    ("<a title='&notin x'>x</a>", "named-entity-without-semicolon", None),
    ("<a title='&amp x'>x</a>", "named-entity-without-semicolon",
     "missing-semicolon-after-character-reference"),
    ("&#x;", "expected-numeric-entity", "absence-of-digits-in-numeric-character-reference"),
    ("&#65", "numeric-entity-without-semicolon", "missing-semicolon-after-character-reference"),
    ("&#0;", "illegal-codepoint-for-numeric-entity", "null-character-reference"),
    ("&#x110000;", "illegal-codepoint-for-numeric-entity",
     "character-reference-outside-unicode-range"),
    ("&#xD800;", "illegal-codepoint-for-numeric-entity", "surrogate-character-reference"),
    ("&#xFDD0;", "illegal-codepoint-for-numeric-entity", "noncharacter-character-reference"),
    ("&#x80;", "illegal-codepoint-for-numeric-entity", "control-character-reference"),
    ("&#x0D;", "illegal-codepoint-for-numeric-entity", "control-character-reference"),
    # the input stream
    ("a\x00b", "invalid-codepoint", "unexpected-null-character"),
    ("<p title='\x00'>x</p>", "invalid-codepoint", "unexpected-null-character"),
    ("a\x01b", "invalid-codepoint", "control-character-in-input-stream"),
    ("a\x9fb", "invalid-codepoint", "control-character-in-input-stream"),
    ("a\ufffeb", "invalid-codepoint", "noncharacter-in-input-stream"),
    # tags
    ("< p>", "expected-tag-name", "invalid-first-character-of-tag-name"),
    ("x <", "expected-tag-name", "eof-before-tag-name"),
    ("x </", "expected-closing-tag-but-got-eof", "eof-before-tag-name"),
    ("<>", "expected-tag-name-but-got-right-bracket", "invalid-first-character-of-tag-name"),
    ("<?xml x?>", "expected-tag-name-but-got-question-mark",
     "unexpected-question-mark-instead-of-tag-name"),
    ("</>", "expected-closing-tag-but-got-right-bracket", "missing-end-tag-name"),
    ("</ p>", "expected-closing-tag-but-got-char", "invalid-first-character-of-tag-name"),
    ("<b", "eof-in-tag-name", "eof-in-tag"),
    ("<a b='x'", "unexpected-EOF-after-attribute-value", "eof-in-tag"),
    ("<p a=1 a=2>x</p>", "duplicate-attribute", "duplicate-attribute"),
    ("<p =a>x</p>", "invalid-character-in-attribute-name",
     "unexpected-equals-sign-before-attribute-name"),
    ("<p a\"b>x</p>", "invalid-character-in-attribute-name",
     "unexpected-character-in-attribute-name"),
    ("<p a=>x</p>", "expected-attribute-value-but-got-right-bracket", "missing-attribute-value"),
    ("<p a=b=c>x</p>", "unexpected-character-in-unquoted-attribute-value",
     "unexpected-character-in-unquoted-attribute-value"),
    ("<p a='b'c>x</p>", "unexpected-character-after-attribute-value",
     "missing-whitespace-between-attributes"),
    ("<p a / b>x</p>", "unexpected-character-after-solidus-in-tag", "unexpected-solidus-in-tag"),
    ("</p a=b>", "attributes-in-end-tag", "end-tag-with-attributes"),
    ("</p/>", "self-closing-flag-on-end-tag", "end-tag-with-trailing-solidus"),
    ("<div/>x</div>", "non-void-element-with-trailing-solidus",
     "non-void-html-element-start-tag-with-trailing-solidus"),
    # comments
    ("<!x>", "expected-dashes-or-doctype", "incorrectly-opened-comment"),
    ("<![CDATA[x]]>", "expected-dashes-or-doctype", "cdata-in-html-content"),
    ("<!-->", "incorrect-comment", "abrupt-closing-of-empty-comment"),
    ("<!-- x", "eof-in-comment", "eof-in-comment"),
    ("<!-- a -- b -->", "unexpected-char-in-comment", None),
    ("<!-- a --->", "unexpected-dash-after-double-dash-in-comment", None),
    ("<!-- a --!>", "unexpected-bang-after-double-dash-in-comment", "incorrectly-closed-comment"),
    ("<!-- a --!b -->", "unexpected-bang-after-double-dash-in-comment", None),
    ("<!DOCTYPE>", "need-space-after-doctype", None),
    ("<!DOCTYPEhtml>", "need-space-after-doctype", "missing-whitespace-before-doctype-name"),
    # tree construction: unnamed in the standard, but errors; or not errors at all
    ("<p>a</span>b</p>", "unexpected-end-tag", None),
    ("<isindex>", "deprecated-tag", None),
    ("<option>x", "expected-closing-tag-but-got-eof", None),
    ("<ruby><rtc><rt>x</rt></rtc></ruby>", "XXX-undefined-error", None),
    ("<ruby>a<span><rt>x</rt></span></ruby>", "XXX-undefined-error", None),
    ("<table><caption>x</table>", "XXX-undefined-error", None),
    ("<table><caption>x<tr>", "XXX-undefined-error", None),
    ("<p>x</p></body>", "XXX-undefined-error", None),
    ("<table><tr><div>x</tr></table>", "unexpected-implied-end-tag-in-table-row", None),
]
NOT_AN_ERROR = {
    ("AT&T", "expected-named-entity"), ("a &- b", "expected-named-entity"),
    ("<a href='?a=1&b=2'>x</a>", "expected-named-entity"),
    ("<a href='?a=1&copy=2'>x</a>", "named-entity-without-semicolon"),
    ("<a title='&notin x'>x</a>", "named-entity-without-semicolon"),
    ("<!-- a -- b -->", "unexpected-char-in-comment"),
    ("<!-- a --->", "unexpected-dash-after-double-dash-in-comment"),
    ("<!-- a --!b -->", "unexpected-bang-after-double-dash-in-comment"),
    ("<!DOCTYPE>", "need-space-after-doctype"), ("<isindex>", "deprecated-tag"),
    ("<option>x", "expected-closing-tag-but-got-eof"),
    ("<ruby><rtc><rt>x</rt></rtc></ruby>", "XXX-undefined-error"),
    ("<table><caption>x</table>", "XXX-undefined-error"),
    ("<table><caption>x<tr>", "XXX-undefined-error"),
    ("<table><tr><div>x</tr></table>", "unexpected-implied-end-tag-in-table-row"),
}


@pytest.mark.parametrize(("body", "code", "name"), JUDGED, ids=[f"{c}:{b[:12]!r}" for b, c, _ in JUDGED])
def test_html5lib_errors_are_judged_by_the_standard(body: str, code: str, name: str | None) -> None:
    source = HEADER + body
    view = parse_body(source, len(HEADER), len(source))
    errors = [error for error in view.errors if error.code == code]
    assert errors, [error.code for error in view.errors]
    judgement = judge(errors[0], view)
    assert judgement.name == name
    assert judgement.error == ((body, code) not in NOT_AN_ERROR)
    if judgement.error and judgement.name is None:
        assert judgement.section == "#tree-construction"
    if not judgement.error:
        assert judgement.section in NOT_ERRORS.values()


def test_every_tokenizer_code_has_a_judgement() -> None:
    """html5lib's tokenizer codes are all mapped: none falls through to the tree
    construction default by accident."""
    import ast
    from pathlib import Path

    import html5lib

    source = (Path(html5lib.__file__).parent / "_tokenizer.py").read_text(encoding="utf-8")
    codes = {node.value for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and node.value[:1].isalpha() and "-" in node.value and " " not in node.value}
    judged_in_code = {code for _, code, _ in JUDGED}
    assert codes - set(SAME) - judged_in_code - {"unexpected-end-of-doctype",
                                                 "unexpected-char-in-doctype"} == set()


def _messages(body: str, **options: object) -> list[tuple[str, str]]:
    config = {"rules": {"well-formed-html": options}} if options else None
    return [(p.severity, p.message) for p in lint_text(HEADER + body, config=config,
                                                         select=["well-formed-html"])]


def test_what_the_standard_does_not_call_an_error_is_not_reported() -> None:
    body = "<p>AT&T <a href='?a=1&b=2&copy=3'>x</a> <!-- a -- b --> <option>o"
    assert _messages(body) == []
    html5lib_only = _messages(body, **{"report-html5lib-only": True})
    assert [severity for severity, _ in html5lib_only] == ["warning"] * 5
    assert all("not an error in the HTML standard" in message for _, message in html5lib_only)
    assert "(expected-named-entity; not an error in the HTML standard)" in html5lib_only[0][1]


def test_messages_name_the_standard_s_error() -> None:
    assert _messages("<p>x &foo; y &amp z</p>") == [
        ("error", "'&foo;' is not a known character reference (escape '&' as '&amp;') "
                  "(unknown-named-character-reference)"),
        ("error", "character reference '&amp' lacks its ';' "
                  "(missing-semicolon-after-character-reference)"),
    ]


@pytest.mark.parametrize("ignored", ["unknown-named-character-reference", "expected-named-entity"])
def test_ignore_codes_takes_the_standard_s_name_or_html5lib_s_code(ignored: str) -> None:
    assert _messages("<p>x &foo; y</p>", **{"ignore-codes": [ignored]}) == []


def _raised_codes() -> set[str]:
    """The codes html5lib's tokenizer and parser, and cliplint's parser, raise (found in
    their source), and the placeholder html5lib's parseError() raises by default."""
    import re
    from pathlib import Path

    import html5lib

    import cliplint.html_parse

    raised = {"XXX-undefined-error"}
    sources = [*(Path(html5lib.__file__).parent / name
                 for name in ("_tokenizer.py", "html5parser.py", "_inputstream.py")),
               Path(cliplint.html_parse.__file__)]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        # The tokenizer's error tokens ({"type": ParseError, "data": "code"}): a code
        # holds a letter and a '-', the data of other tokens ("<", "html") does not.
        raised |= set(re.findall(r'"data":\s*"([A-Za-z][A-Za-z0-9.]*-[A-Za-z0-9.-]+)"', text))
        raised |= set(re.findall(r'parseError\(\s*"([a-zA-Z0-9.-]+)"', text))
    return raised


#: A body that raises each code html5lib 1.1 raises in a body, and each case that a code's
#: words depend on.
RAISING = [
    # the tokenizer
    ("attributes-in-end-tag", "</p a=b>"),
    ("duplicate-attribute", "<p a=1 a=2>x</p>"),
    ("duplicate-attribute", "<p a=1 a=2"),
    ("eof-in-attribute-name", "<p ab"),
    ("eof-in-attribute-value-double-quote", '<p a="b'),
    ("eof-in-attribute-value-no-quotes", "<p a=b"),
    ("eof-in-attribute-value-single-quote", "<p a='b"),
    ("eof-in-comment", "<!-- x"),
    ("eof-in-comment-double-dash", "<!-- x --"),
    ("eof-in-comment-end-bang-state", "<!-- x --!"),
    ("eof-in-comment-end-dash", "<!-- x -"),
    ("eof-in-doctype", '<!DOCTYPE html PUBLIC "x'),
    ("eof-in-doctype-name", "<!DOCTYPE ht"),
    ("eof-in-script-in-script", "<script><!--<script>"),
    ("eof-in-tag-name", "<b"),
    ("equals-in-unquoted-attribute-value", "<p a==b>x</p>"),
    ("expected-attribute-name-but-got-eof", "<p "),
    ("expected-attribute-value-but-got-eof", "<p a="),
    ("expected-attribute-value-but-got-right-bracket", "<p a=>x</p>"),
    ("expected-closing-tag-but-got-char", "</ p>"),
    ("expected-closing-tag-but-got-eof", "x </"),
    ("expected-closing-tag-but-got-right-bracket", "</>"),
    ("expected-dashes-or-doctype", "<!x>"),
    ("expected-dashes-or-doctype", "<![CDATA[x]]>"),
    ("expected-doctype-name-but-got-eof", "<!DOCTYPE "),
    ("expected-doctype-name-but-got-right-bracket", "<!DOCTYPE>"),
    ("expected-end-of-tag-but-got-eof", "<p a "),
    ("expected-named-entity", "x &foo; y"),
    ("expected-named-entity", "AT&T"),
    ("expected-numeric-entity", "&#x;"),
    ("expected-space-or-right-bracket-in-doctype", "<!DOCTYPE html x>"),
    ("expected-tag-name", "< p>"),
    ("expected-tag-name", "x <"),
    ("expected-tag-name-but-got-question-mark", "<?xml x?>"),
    ("expected-tag-name-but-got-right-bracket", "<>"),
    ("illegal-codepoint-for-numeric-entity", "&#0;"),
    ("incorrect-comment", "<!-->"),
    ("invalid-character-after-attribute-name", "<p a <>x</p>"),
    ("invalid-character-in-attribute-name", "<p =a>x</p>"),
    ("invalid-codepoint", "a\x01b"),
    ("named-entity-without-semicolon", "&amp x"),
    ("named-entity-without-semicolon", "<a href='?a=1&copy=2'>x</a>"),
    ("need-space-after-doctype", "<!DOCTYPE>"),
    ("need-space-after-doctype", "<!DOCTYPEhtml>"),
    ("numeric-entity-without-semicolon", "&#65"),
    ("self-closing-flag-on-end-tag", "</p/>"),
    ("unexpected-EOF-after-attribute-value", "<a b='x'"),
    ("unexpected-EOF-after-solidus-in-tag", "<p a/"),
    ("unexpected-bang-after-double-dash-in-comment", "<!-- a --!>"),
    ("unexpected-bang-after-double-dash-in-comment", "<!-- a --!b -->"),
    ("unexpected-char-in-comment", "<!-- a -- b -->"),
    ("unexpected-char-in-doctype", '<!DOCTYPE html PUBLIC"x">'),
    ("unexpected-character-after-attribute-value", "<p a='b'c>x</p>"),
    ("unexpected-character-after-solidus-in-tag", "<p a / b>x</p>"),
    ("unexpected-character-in-unquoted-attribute-value", "<p a=b=c>x</p>"),
    ("unexpected-dash-after-double-dash-in-comment", "<!-- a --->"),
    ("unexpected-end-of-doctype", "<!DOCTYPE html PUBLIC>"),
    # tree construction
    ("XXX-undefined-error", "<p>x</p></body>"),
    ("XXX-undefined-error", "<ruby>a<span><rt>x</rt></span></ruby>"),
    ("XXX-undefined-error", "<table><caption>x</table>"),
    ("XXX-undefined-error", "<table><caption>x<tr>"),
    ("XXX-undefined-error", "<template><col><b>x</b></template>"),
    ("adoption-agency-1.2", "<div><b>x</div></b>"),
    ("adoption-agency-1.3", "<b><p>x</b>y</p>"),
        ("deprecated-tag", "<isindex>"),
    ("end-tag-too-early", "<div><span>x</div>"),
    ("end-tag-too-early-ignored", "<form><div>x</form></div>"),
    ("end-tag-too-early-named", "<table><b>x</table>"),
    ("eof-in-select", "<select><option>x"),
    ("eof-in-table", "<table>"),
    ("expected-closing-tag-but-got-eof", "<div>x"),
    ("expected-named-closing-tag-but-got-eof", "<style>x"),
    ("expected-one-end-tag-but-got-another", "<table><caption><b>x</caption></table>"),
    ("no-end-tag", "<template><col></col></template>"),
    ("non-html-root", "<html>"),
    ("non-void-element-with-trailing-solidus", "<div/>x</div>"),
    ("unexpected-cell-end-tag", "<table><tr><td><span>x</td></tr></table>"),
    ("unexpected-cell-end-tag", "<table><tr><td><span>x<tr>"),
    ("unexpected-cell-in-table-body", "<table><tbody><td>x</td></tbody></table>"),
    ("unexpected-doctype", "<!DOCTYPE html>"),
    ("unexpected-end-tag", "<p>a</span>b</p>"),
    ("unexpected-end-tag-implies-table-voodoo", "<table></span></table>"),
    ("unexpected-end-tag-in-select", "<select></span></select>"),
    ("unexpected-end-tag-in-table-body", "<table><tbody></tr></tbody></table>"),
    ("unexpected-end-tag-in-table-row", "<table><tr></td></tr></table>"),
    ("unexpected-end-tag-treated-as", "a</br>b"),
    ("unexpected-form-in-table", "<table><form></table>"),
    ("unexpected-hidden-input-in-table", "<table><input type=hidden></table>"),
    ("unexpected-html-element-in-foreign-content", "<svg><p>x</p>"),
    ("unexpected-implied-end-tag-in-table-row", "<table><tr><div>x</tr></table>"),
    ("unexpected-input-in-select", "<select><input></select>"),
    ("unexpected-select-in-select", "<select><select>"),
    ("unexpected-start-tag", "<h1><h2>x</h2></h1>"),
    ("unexpected-start-tag-ignored", "<p>x<head></p>"),
    ("unexpected-start-tag-implies-end-tag", "<a>x<a>y</a>"),
    ("unexpected-start-tag-implies-table-voodoo", "<table><h1>x</h1></table>"),
    ("unexpected-start-tag-in-select", "<select><span></select>"),
    ("unexpected-start-tag-treated-as", "<image src=x>"),
    ("unexpected-table-element-end-tag-in-select-in-table",
     "<table><tr><td><select></td></tr></table>"),
    ("unexpected-table-element-start-tag-in-select-in-table",
     "<table><tr><td><select><td>x</td></tr></table>"),
]
#: The codes html5lib 1.1 raises that a body never gets: it is parsed as a fragment in a
#: <div>, "in body", so never before <html>, in or after <head>, after </body> or in a
#: frameset; html5lib commented out the raise of unexpected-implied-end-tag-in-table (the
#: scan finds the comment), and adoption-agency-4.4's branch is dead (the one before it
#: takes every such end tag).
UNREACHABLE_IN_A_BODY = frozenset({
    "char-in-head-noscript", "end-tag-after-implied-root", "eof-in-frameset",
    "eof-in-head-noscript", "expected-doctype-but-got-chars", "expected-doctype-but-got-end-tag",
    "expected-doctype-but-got-eof", "expected-doctype-but-got-start-tag",
    "expected-eof-but-got-char", "expected-eof-but-got-end-tag", "expected-eof-but-got-start-tag",
    "two-heads-are-not-better-than-one", "unexpected-char-after-body",
    "unexpected-char-after-frameset", "unexpected-char-in-frameset",
    "unexpected-end-tag-after-body", "unexpected-end-tag-after-body-innerhtml",
    "unexpected-end-tag-after-frameset", "unexpected-end-tag-before-html",
    "unexpected-end-tag-in-frameset", "unexpected-frameset-in-frameset-innerhtml",
    "unexpected-inhead-noscript-tag", "unexpected-start-tag-after-body",
    "unexpected-start-tag-after-frameset", "unexpected-start-tag-in-frameset",
    "unexpected-start-tag-out-of-my-head", "unknown-doctype",
    "unexpected-implied-end-tag-in-table", "adoption-agency-4.4",
})


def test_every_code_a_body_can_raise_is_listed() -> None:
    raised = {code for code, _ in RAISING}
    assert raised | UNREACHABLE_IN_A_BODY == _raised_codes()
    assert not raised & UNREACHABLE_IN_A_BODY


@pytest.mark.parametrize(("code", "body"), RAISING, ids=[f"{c}:{b[:12]!r}" for c, b in RAISING])
def test_every_code_a_body_raises_has_the_rule_s_words(code: str, body: str) -> None:
    """Not html5lib's text, which speaks of its phases ("in the table body phase",
    "caused voodoo mode", "undefined error (this sucks and should be fixed)")."""
    source = HEADER + body
    errors = [error for error in parse_body(source, len(HEADER), len(source)).errors
              if error.code == code]
    assert errors
    messages = [message for _, message in _messages(body, **{"report-html5lib-only": True})]
    for error in errors:
        own = error.message.rstrip(". ")
        own = own[:1].lower() + own[1:]
        assert not [message for message in messages if own in message]


def test_the_names_ignore_codes_takes_are_html5lib_s_codes_and_the_standard_s_names() -> None:
    """Written out in the module (its rule loads without html5lib): every code html5lib
    1.1 lists or its tokenizer and parser raise, and every name :func:`judge` gives."""
    import ast
    import inspect

    from html5lib.constants import E

    from cliplint_rules import _parse_errors

    raised = _raised_codes()
    assert "expected-end-of-tag-but-got-eof" in raised  # (the scan finds the tokenizer's)
    assert set(_parse_errors.HTML5LIB_CODES) == set(E) | raised

    given = set()
    for node in ast.walk(ast.parse(inspect.getsource(_parse_errors))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_named":
            if isinstance(node.args[0], ast.Constant):
                given.add(node.args[0].value)
        if isinstance(node, ast.FunctionDef) and node.name.endswith("_error"):
            given |= {returned.value.value for returned in ast.walk(node)
                      if isinstance(returned, ast.Return)
                      and isinstance(returned.value, ast.Constant)}
    assert len(given) > 30
    assert given == _parse_errors.STANDARD_NAMES
    assert set(_parse_errors.REPORTED_NAMES) == given | set(_parse_errors.HTML5LIB_CODES)


@pytest.mark.parametrize(("ignored", "hint"), [
    ("no-such-code", ""),
    ("unexpected-end-tagg", " (did you mean 'unexpected-end-tag'?)"),
    ("Unknown-Named-Character-Reference", " (did you mean 'unknown-named-character-reference'?)"),
])
def test_ignore_codes_refuses_a_name_the_rule_never_reports(ignored: str, hint: str) -> None:
    # It was taken, and ignored nothing.
    from cliplint.config import ConfigError
    from cliplint_rules._parse_errors import REPORTED_NAMES

    with pytest.raises(ConfigError) as refused:
        _messages("<p>x &foo; y</p>", **{"ignore-codes": ["expected-named-entity", ignored]})
    assert str(refused.value).splitlines()[1:] == [
        f"  rules.well-formed-html.ignore-codes[1]: {ignored!r} is not one of the "
        f"{len(REPORTED_NAMES)} values it takes: the errors the rule reports, by the "
        f"standard's name or html5lib's code (the name at the end of a message){hint}"]


@pytest.mark.parametrize("ignored", ["unexpected-end-tag", "XXX-undefined-error"])
def test_ignore_codes_takes_the_code_a_placeholder_is_reported_as_or_the_placeholder(
        ignored: str) -> None:
    assert _messages("<p>x</p></body>") == [
        ("error", "unexpected end tag </body> (unexpected-end-tag)")]
    assert _messages("<p>x</p></body>", **{"ignore-codes": [ignored]}) == []


def test_an_implied_end_tag_says_what_happened() -> None:
    """html5lib raises "unexpected end tag (p)" while it handles a <div> start tag: the
    message must not call the <div> an end tag."""
    source = HEADER + "<p><span>one<div>two</div><ul><li><b>a<li>b</ul>"
    problems = lint_text(source, select=["well-formed-html"])
    found = [(source[p.start : p.end], p.message) for p in problems]
    assert found[:2] == [
        ("<div>", "<div> closes the open <p> while <span> inside it is still open "
                  "(unexpected-end-tag)"),
        ("<li>", "<li> closes the open <li> while <b> inside it is still open (end-tag-too-early)"),
    ]


def test_positions_are_html5lib_s_error_starts() -> None:
    """Judging by the standard drops errors; it never moves one."""
    body = "<p>AT&T &foo; <a href='?a=1&b=2'>x</span></a> &#0; <b"
    source = HEADER + body
    starts = {error.start for error in parse_body(source, len(HEADER), len(source)).errors}
    problems = lint_text(source, select=["well-formed-html"],
                         config={"rules": {"well-formed-html": {"report-html5lib-only": True}}})
    assert len(problems) == len(parse_body(source, len(HEADER), len(source)).errors)
    assert {p.start for p in problems} == starts


@pytest.mark.shared
def test_no_bare_ampersand_is_reported_on_the_corpus() -> None:
    """On real archives the bare '&' in URLs and text was 44% of all problems."""
    dropped = 0
    for path in sorted(CORPUS.rglob("*.md"))[::10]:
        document = Document.from_bytes(path.read_bytes())
        dropped += sum(not judge(error, document.body).error for error in document.body.errors)
        messages = [p.message for p in lint_text(document.text, select=["well-formed-html"])]
        assert not [m for m in messages if "expected-named-entity" in m or "reads as text" in m]
    assert dropped > 0  # the sample does hold errors only html5lib reports


def test_an_end_tag_that_closes_nothing_blames_no_inner_element() -> None:
    """html5lib raises end-tag-too-early both for a </div> that leaves a <span> open
    inside the <div> and for a </div> when no <div> is open at all."""
    assert _messages("<p>x</div></p>") == [
        ("error", "unexpected end tag </div>: no <div> is open (end-tag-too-early)")]
    assert _messages("<div><span>x</div>") == [
        ("error", "end tag </div> while <span> inside it is still open (end-tag-too-early)")]
