"""The body rules (well-formed-html, active-content, empty-body) and the parse they share:
where errors land, token and attribute spans, fixes, huge and deep bodies, long lines.

Case files (tests/cases/<rule>/) hold the per-rule examples; this module holds what a
case file cannot say: exact offsets, properties over generated and real markup, fixes
applied, and the command line end to end.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import jsonschema
import pytest
from conftest import CORPUS, EXAMPLE, ROOT, run_cliplint
from hypothesis import given, settings, strategies as st

from cliplint import fix_text, lint_text
from cliplint.config import ConfigError
from cliplint.document import Document
from cliplint.formats.text import source_window
from cliplint.html_parse import parse_body
from cliplint.model import Edit, Problem

REPORT_SCHEMA = json.loads((ROOT / "cliplint" / "schemas" / "report.schema.json").read_text())
HEADER = "<!--1686778744000-->\n[Blinken visits Beijing](https://www.voachinese.com/a/1.html)\n------\n\n"
BODY_RULES = ["well-formed-html", "active-content", "empty-body"]


def lint_body(body: str, rules: Sequence[str] = BODY_RULES, **kwargs: object) -> list[Problem]:
    return lint_text(HEADER + body, select=list(rules), **kwargs)  # type: ignore[arg-type]


def corpus_sample(step: int = 25) -> list[Path]:
    """Every ``step``-th clipping of the shared corpus, in a stable order."""
    return sorted(CORPUS.rglob("*.md"))[::step]


# -- where html5lib's errors land ---------------------------------------------------------

# (body, error code, what the source says where the error starts)
LOCATED = [
    ("<p>a</span>b</p>", "unexpected-end-tag", "</span>"),  # raised by the tree builder
    ("<p>cut off <b", "eof-in-tag-name", "<b"),  # a token html5lib drops
    ("<p>x &foo; y</p>", "expected-named-entity", "&foo;"),  # raised by the tokenizer
    ("<p>&#0;</p>", "illegal-codepoint-for-numeric-entity", "&#0;"),
    ("<a href='?a=1&b=2'>x</a>", "expected-named-entity", "<a href"),  # inside a tag: the tag
    ("<p class=a class=b>x</p>", "duplicate-attribute", "<p class=a"),  # before the tag ends
    ("a</>b", "expected-closing-tag-but-got-right-bracket", "</>"),
    ("<p>x</p><div>never closed", "expected-closing-tag-but-got-eof", "<div>"),
    ("<p>x<script>y()", "expected-named-closing-tag-but-got-eof", "<script>"),
    ("<select><option>x", "eof-in-select", "<select>"),
    ("<a href=1>x<a href=2>y</a>", "unexpected-start-tag-implies-end-tag", "<a href=2>"),
    ("<b><p>x</b></p>", "adoption-agency-1.3", "</b>"),
    ("<div/>x</div>", "non-void-element-with-trailing-solidus", "<div/>"),
    ("<p>x\x01y</p>", "invalid-codepoint", "\x01y"),  # reported by the stream, up front
    ("<p>x</p><!-- open", "eof-in-comment", "<!-- open"),
]


@pytest.mark.parametrize(("body", "code", "written"), LOCATED, ids=[c for _, c, _ in LOCATED])
def test_errors_start_at_the_offending_token(body: str, code: str, written: str) -> None:
    source = HEADER + body
    view = parse_body(source, len(HEADER), len(source))
    error = next(error for error in view.errors if error.code == code)
    assert source[error.start :].startswith(written), source[error.start :]
    assert error.start <= error.end
    if error.token is not None:
        assert view.tokens[error.token].start == error.start


def test_error_positions_in_file_coordinates_with_crlf_and_front_matter() -> None:
    text = ("---\r\ntitle: x\r\n---\r\n" + HEADER.replace("\n", "\r\n")
            + "<div>\r\n<p>one\r\n</i>\x02\r\n<p id='a\rb'>two</span>\x01</p></div>\r\n")
    document = Document.from_text(text)
    found = [(error.code, error.start) for error in document.body.errors]
    assert found == [
        ("invalid-codepoint", text.index("\x02")),
        ("invalid-codepoint", text.index("\x01")),
        ("unexpected-end-tag", text.index("</i>")),
        ("unexpected-end-tag", text.index("</span>")),
    ]
    problems = lint_text(text, select=["well-formed-html"])
    assert [(p.line, p.column, p.message) for p in problems] == [
        (10, 1, "unexpected end tag </i> (unexpected-end-tag)"),
        (10, 5, "control character U+0002 (control-character-in-input-stream)"),
        (11, 16, "unexpected end tag </span> (unexpected-end-tag)"),
        (11, 23, "control character U+0001 (control-character-in-input-stream)"),
    ]


def test_characters_html5lib_drops_do_not_move_the_next_token() -> None:
    source = "x</><script>y()</script>"
    view = parse_body(source, 0, len(source))
    script = next(t for t in view.tokens if t.kind == "StartTag")
    assert source[script.start : script.end] == "<script>"
    element = next(view.elements("script"))
    assert view.element_span(element) == (source.index("<script>"), len(source))


@pytest.mark.shared
def test_tag_tokens_span_exactly_their_tags_in_real_clippings() -> None:
    for path in [EXAMPLE, *corpus_sample()]:
        document = Document.from_bytes(path.read_bytes())
        view = document.body
        previous_end = view.start
        for token in view.tokens:
            assert previous_end <= token.start < token.end <= view.end, path
            written = document.text[token.start : token.end]
            if token.kind in ("StartTag", "EndTag"):
                assert written.startswith("<") and written.endswith(">"), (path, written[:80])
                assert written[1 : 2 + len(token.name or "")].lower().lstrip("/").startswith(
                    token.name or ""), (path, written[:80])
            previous_end = token.end


TRICKY = [
    "<b><p>x</b>y</p>", "<a href=1><div><a href=2>x</div></a>", "<table>x<tr><td>a</table>",
    "<select><option>a<select>b", "<p><div>x</div></p>", "<svg><title>t</title><p>x",
    "<ul><li>a<li>b</ul><dl><dt>x<dd>y", "<form><form><input></form>", "<b>" * 20 + "x</p>",
    "<textarea>\n<b></textarea>", "<pre>\n\nx</pre>", "<frameset><body>", "</br></p>",
    "a\x01b\U0001fffe\U0001f600c\ufdd0<p title='\x7f'>\U0010ffff",  # invalid code points
]


@pytest.mark.parametrize("body", [*TRICKY, *(p.read_text(encoding="utf-8") for p in corpus_sample(100))])
def test_the_parse_is_html5lib_s_own(body: str) -> None:
    """Positions are added without changing what html5lib parses or reports."""
    from xml.etree import ElementTree

    import html5lib

    plain = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    expected_tree = plain.parseFragment(body)
    view = parse_body(body, 0, len(body))
    assert [error.code for error in view.errors] == [code for _, code, _ in plain.errors]
    assert ElementTree.tostring(view.fragment) == ElementTree.tostring(expected_tree)


def test_the_invalid_code_point_pre_check_misses_none_of_html5lib_s() -> None:
    """Our quick scan for a body with no invalid code point is exact: it matches every
    character html5lib's own scan does."""
    from html5lib._inputstream import invalid_unicode_re

    from cliplint.html_parse import _MAYBE_INVALID_CODEPOINT

    missed = [code for code in range(0x110000)
              if invalid_unicode_re.match(chr(code)) and not _MAYBE_INVALID_CODEPOINT.match(chr(code))]
    assert missed == []


# -- where attributes are written ----------------------------------------------------------

_names = st.sampled_from(["href", "SRC", "onclick", "OnError", "data-x", "alt", "a", "title"])
_spaces = st.sampled_from([" ", "  ", "\n", "\t", " \r\n "])
_values = st.text(alphabet="ab c=/<>'\"&;#:", max_size=8)


@st.composite
def tags(draw: st.DrawFn) -> str:
    parts = ["<" + draw(st.sampled_from(["p", "a", "img", "DIV"]))]
    for _ in range(draw(st.integers(0, 4))):
        parts.append(draw(_spaces) + draw(_names))
        value = draw(_values)
        style = draw(st.sampled_from(["none", "bare", "double", "single"]))
        around = draw(st.sampled_from(["", " ", "\n "]))
        if style == "bare" and value and not any(c in value for c in " \t\n\r>\"'=<`&"):
            parts.append(f"{around}={around}{value}")
        elif style == "double":
            parts.append(f"{around}={around}\"{value.replace(chr(34), '')}\"")
        elif style == "single":
            parts.append(f"{around}={around}'{value.replace(chr(39), '')}'")
    parts.append(draw(st.sampled_from([">", " >", "/>", " />"])))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(tags())
def test_attribute_spans_agree_with_html5lib(tag: str) -> None:
    source = tag + "text"
    view = parse_body(source, 0, len(source))
    token = view.tokens[0]
    written = view.attributes(token)
    first_seen = list(dict.fromkeys(attribute.name for attribute in written))
    assert first_seen == list(token.attributes)
    for attribute in written:
        text = source[attribute.start : attribute.end]
        assert text.lower().startswith(attribute.name)
        assert not text[-1:].isspace()


@pytest.mark.shared
def test_attribute_spans_agree_with_html5lib_on_real_clippings() -> None:
    checked = 0
    for path in corpus_sample(10):
        view = Document.from_bytes(path.read_bytes()).body
        for token in view.tokens:
            if token.kind != "StartTag" or not all(isinstance(k, str) for k in token.attributes):
                continue
            names = [attribute.name for attribute in view.attributes(token)]
            assert list(dict.fromkeys(names)) == list(token.attributes), (path, token)
            checked += 1
    assert checked > 1000


# -- active-content fixes --------------------------------------------------------------------

def apply(text: str, edits: Iterable[Edit]) -> str:
    for edit in sorted(edits, key=lambda edit: edit.start, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


FIXED = [
    ("<p>a<script>x()</script>b</p>", "<p>ab</p>"),
    ('<p><img src="a.jpg" onerror="x()" alt=""></p>', '<p><img src="a.jpg" alt=""></p>'),
    ('<p><a\nhref="javascript:x()">t</a></p>', "<p><a>t</a></p>"),
    ('<form action="/x"><p>Name <input name="n"></p></form>', '<p>Name <input name="n"></p>'),
    ('<p>x</p><iframe src="https://e.example/"></iframe>', "<p>x</p>"),
    ("<meta http-equiv=refresh content=0><p>x</p><base href=/>", "<p>x</p>"),
    ("<p>y</p><object data=https://e.example/a.swf><embed src=a.swf></object>", "<p>y</p>"),
    ('<link rel="stylesheet" href="//static.example.org/a.css"><p>z</p>', "<p>z</p>"),
    ("<p>z</p><style>@import 'https://e.example/a.css';</style>", "<p>z</p>"),
]


@pytest.mark.parametrize(("body", "fixed"), FIXED)
def test_active_content_fixes_delete_exactly_the_element_or_attribute(body: str, fixed: str) -> None:
    problems = lint_body(body, ["active-content"])
    assert problems and all(p.fix and p.fix.applicability == "unsafe" for p in problems)
    # Apply the outermost fixes only: an <embed> inside a deleted <object> goes with it.
    spans = sorted({(e.start, e.end): e for p in problems for e in p.fix.edits}.values(),  # type: ignore[union-attr]
                   key=lambda edit: (edit.start, -edit.end))
    outermost: list[Edit] = []
    for edit in spans:
        if not outermost or edit.start >= outermost[-1].end:
            outermost.append(edit)
    assert apply(HEADER + body, outermost) == HEADER + fixed
    assert lint_body(fixed, ["active-content"]) == []


def test_active_content_severities_follow_the_declared_findings() -> None:
    from cliplint_rules import active_content

    body = ('<script>x()</script><link rel="stylesheet" href="https://e.example/a.css">'
            '<iframe data-src="https://www.youtube.com/embed/1"></iframe>')
    found = [(p.severity, p.message.split(" ")[0]) for p in lint_body(
        body, ["active-content"], config={"rules": {"active-content": {"report-lazy-embeds": True}}})]
    assert found == [("error", "<script>"), ("warning", "<link"), ("info", "lazy-load")]
    kinds = ["active", "outside-resource", "lazy-embed"]
    assert [active_content.FINDINGS[kind].severity for kind in kinds] == [s for s, _ in found]
    assert [p.severity for p in lint_body(body, ["active-content"])] == ["error", "warning"]


def test_unsafe_fixes_go_through_the_fixer() -> None:
    body = ('<p>Text <img src="a.jpg" onerror="x()"></p><script>track()</script>\n'
            '<form action="/s"><p>More text</p></form>\n')
    safe = fix_text(HEADER + body, select=["active-content"])
    assert safe.text == HEADER + body  # unsafe fixes wait for --unsafe-fixes
    result = fix_text(HEADER + body, select=["active-content"], unsafe=True)
    assert result.refusal is None
    assert result.text == HEADER + '<p>Text <img src="a.jpg"></p>\n<p>More text</p>\n'


def test_no_fix_when_the_end_of_an_element_is_unknown() -> None:
    problems = lint_body("<p>x</p><script>never closed", ["active-content"])
    assert [p.message for p in problems] == ["<script> element runs inline code"]
    assert problems[0].fix is None


def test_active_content_options_are_validated() -> None:
    with pytest.raises(ConfigError, match="allowed-hosts"):
        lint_body("<p>x</p>", ["active-content"],
                  config={"rules": {"active-content": {"allowed-hosts": ["https://youtube.com/"]}}})
    with pytest.raises(ConfigError, match="ignore-codes"):
        lint_body("<p>x</p>", ["well-formed-html"],
                  config={"rules": {"well-formed-html": {"ignore-codes": "unexpected-end-tag"}}})


# -- huge and deep bodies ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["span", "div"])
def test_ten_thousand_deep_nesting(name: str) -> None:
    depth = 10_000
    balanced = f"<{name}>" * depth + "deep text<script>x()</script>" + f"</{name}>" * depth
    problems = lint_body(balanced)
    assert [(p.rule, p.message) for p in problems] == [
        ("active-content", "<script> element runs inline code")]
    assert problems[0].fix is not None

    unclosed = f"<{name}>" * depth + "deep text"
    problems = lint_body(unclosed)
    assert [p.rule for p in problems] == ["well-formed-html"]
    innermost = len(HEADER) + (depth - 1) * len(f"<{name}>")
    assert problems[0].start == innermost
    assert problems[0].message == f"<{name}> is not closed by the end of the body " \
                                  "(expected-closing-tag-but-got-eof)"


def test_ten_thousand_nested_templates() -> None:
    depth = 10_000
    balanced = "<template>" * depth + "<p>hidden</p>" + "</template>" * depth + "<p>shown text</p>"
    assert lint_body(balanced) == []
    # One error a template, each at its own start tag (up to max-problems-per-rule).
    problems = lint_body("<p>shown text</p>" + "<template>" * depth + "x")
    unclosed = [p for p in problems if p.message == "<template> is not closed by the end of "
                "the body (expected-closing-tag-but-got-eof)"]
    assert len({p.start for p in unclosed}) == len(unclosed) == 1000
    assert [p.message for p in problems if p not in unclosed] == [
        "9,000 more well-formed-html problems not listed (max-problems-per-rule is 1,000); "
        "this is the first of them"]


def test_twenty_megabyte_file_is_skipped_with_a_notice(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_text(HEADER + "<p>" + "word " * 4_000_000 + "</p>\n", encoding="utf-8")
    assert big.stat().st_size > 20_000_000
    small = tmp_path / "small.md"
    small.write_text(HEADER + "<p>x</span></p>\n", encoding="utf-8")
    result = run_cliplint("--isolated", "--format", "json", "--select", ",".join(BODY_RULES),
                          "big.md", "small.md", cwd=tmp_path)
    report = json.loads(result.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    found = sorted((p["path"], p["rule"], p["severity"]) for p in report["problems"])
    assert found == [("big.md", "file-too-large", "warning"),
                     ("small.md", "well-formed-html", "error")]
    assert result.status == 1  # the small file's error; the skipped file is a notice


# -- long lines -----------------------------------------------------------------------------

def columns(text: str) -> int:
    """Terminal columns, computed here independently of the code under test."""
    return sum(0 if unicodedata.combining(c) or unicodedata.category(c) == "Cf"
               else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_show_source_cuts_a_200_kb_body_line_around_the_error(tmp_path: Path) -> None:
    body = "<p>" + "美国国务卿布林肯周五访华。" * 15_000 + "</span> and on.</p>\n"
    (tmp_path / "a.md").write_text(HEADER + body, encoding="utf-8")
    result = run_cliplint("--isolated", "--show-source", "--select", "well-formed-html", "a.md",
                          cwd=tmp_path)
    first, source, caret = result.stdout.splitlines()[:3]
    column = body.index("</span>") + 1
    assert first == f"a.md:5:{column}: well-formed-html unexpected end tag </span> (unexpected-end-tag)"
    assert source.startswith("  …") and source.endswith("…") is False
    assert columns(source) <= 2 + 1 + 100
    # In a terminal the caret sits under the '<' of '</span>'.
    assert columns(source[: source.index("</span>")]) == caret.index("^")


@pytest.mark.parametrize(("line", "target"), [
    ("x" * 500 + "<b>" + "y" * 500, "<b>"),
    ("中文" * 300 + "<b>" + "文" * 300, "<b>"),
    ("e\u0301" * 300 + "<b>", "<b>"),  # combining accents take no column
    ("<p id='a\rb'>\ttab</i>", "</i>"),  # a stray CR must not send the cursor back
    ("short <i>", "<i>"),
])
def test_source_window_caret_lines_up_in_a_terminal(line: str, target: str) -> None:
    shown, caret = source_window(line, line.index(target) + 1)
    assert shown.isprintable()
    assert columns(shown) <= 102
    assert shown[len(shown[: shown.index(target)]) :].startswith(target)
    assert columns(shown[: shown.index(target)]) == caret


# -- clean input ------------------------------------------------------------------------------

@pytest.mark.shared
def test_clean_clippings_raise_nothing_and_the_example_is_clean() -> None:
    assert lint_text(EXAMPLE.read_text(encoding="utf-8"), select=BODY_RULES) == []
    for path in corpus_sample(50):
        problems = lint_text(path.read_text(encoding="utf-8"), select=BODY_RULES)
        assert not [p for p in problems if p.rule == "internal-error"], path
        assert not [p for p in problems if p.rule == "empty-body"], path


def test_a_template_before_the_story_is_no_problem() -> None:
    """html5lib 1.1 has no rules for <template>: the story after this one landed inside
    it (hidden: a false empty-body), with two false well-formed-html errors."""
    body = "<template><p>x</template><p>Real story here with enough words.</p>\n"
    assert lint_text(HEADER + body) == []


def test_content_moved_out_of_a_table_is_checked() -> None:
    """An image or iframe a table cannot hold is moved before the table (foster
    parenting); the rules must still see it, where it is written."""
    image = '<img src="https://images.weserv.nl/?url=127.0.0.1/a.jpg">'
    frame = '<iframe src="https://e.example/"></iframe>'
    body = f"<table>{image}{frame}<tr><td>words here</td></tr></table>"
    source = HEADER + body
    found = {(p.rule, source[p.start:p.end])
             for p in lint_body(body, ["image-proxy", "active-content"])}
    assert found == {("image-proxy", "https://images.weserv.nl/?url=127.0.0.1/a.jpg"),
                     ("active-content", '<iframe src="https://e.example/">')}
    codes = [p.message for p in lint_body(body, ["well-formed-html"])]
    assert len(codes) == 2 and all("voodoo" in code for code in codes)


# -- empty-body without the aggregator boilerplate ------------------------------------------


@pytest.mark.parametrize("body", [
    *TRICKY, "<p>a<script>b</script>c<style>d</style>e<!-- f -->g</p>", "<p>a<script>never closed",
    "<p>x</p>\r\n<title>t</title><noscript>n</noscript><template>u</template>y",
    *(p.read_text(encoding="utf-8") for p in corpus_sample(50)),
])
def test_text_outside_no_span_is_the_visible_text(body: str) -> None:
    """empty-body reads the text from the tokens when it leaves boilerplate out: with
    nothing left out, it has the words of the tree's visible text."""
    import html as html_module

    from cliplint_rules.empty_body import _words, iter_text_outside

    view = Document.from_text(HEADER + body).body
    assert _words(html_module.unescape("".join(iter_text_outside(view, [])))) == _words(
        html_module.unescape(view.visible_text))


def test_text_outside_leaves_out_exactly_the_blocks() -> None:
    from cliplint_rules import _boilerplate
    from cliplint_rules._boilerplate_match import find_blocks
    from cliplint_rules.empty_body import iter_text_outside

    body = ("<p>one</p>\n(Feed generated with FetchRSS)<script>two</script><p>three</p>"
            '<img src="https://pixel.wp.com/b.gif" width="1" height="1">'
            "<br/><br/>\n(Feed generated with FetchRSS)\n")
    view = Document.from_text(HEADER + body).body
    blocks = find_blocks(view, _boilerplate.catalogue(), None)
    assert [view.source[b.start : b.end] for b in blocks] == [
        '<img src="https://pixel.wp.com/b.gif" width="1" height="1">',
        "<br/><br/>\n(Feed generated with FetchRSS)"]
    assert "".join(iter_text_outside(view, blocks)) == "one\n(Feed generated with FetchRSS)three\n"


def test_shared_work_is_done_once_per_body_and_key() -> None:
    """aggregator-boilerplate and empty-body find the catalogue's blocks once per body."""
    from cliplint_rules import _boilerplate
    from cliplint_rules._boilerplate_match import find_blocks

    view = Document.from_text(HEADER + "<p>x</p><br/><br/>(Feed generated with FetchRSS)\n").body
    calls: list[str] = []
    assert view.shared("k", lambda: calls.append("k") or 1) == 1
    assert view.shared("k", lambda: calls.append("again") or 2) == 1
    assert calls == ["k"]
    entries = _boilerplate.catalogue()
    first = find_blocks(view, entries, None)
    assert first and find_blocks(view, entries, None) == first
    assert len(view._shared) == 2  # "k" and the blocks, found once
    assert find_blocks(view, entries, "https://example.com/") == first  # another key
    assert len(view._shared) == 3
