"""Hostile clippings: text that ran the fixer out of markers, CR-only line endings.

(Bounded work on hostile shapes is tested by counting work in tests/test_bounded_work.py.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from plugins import testfix_env

from cliplint import fix_text, lint_text
from cliplint.document import Document
from cliplint.facts import file_facts
from cliplint.fixer import expected_visible_text

# The pip-installed test plugin, as fixtures of this module.
testfix = testfix_env.testfix
testfix_site = testfix_env.testfix_site

HEADER = "<!--1686778744000-->\n[A title](https://example.com/a/1)\n------\n\n"
#: Every private-use character of the BMP: the fixer used to look for two free ones.
ALL_PRIVATE_USE = "".join(chr(code) for code in range(0xE000, 0xF900))


# -- markers around removed blocks never run out -----------------------------------------------


def test_a_block_is_removed_from_text_holding_every_private_use_character() -> None:
    body = f"<p>{ALL_PRIVATE_USE}</p><script>track()</script><p>end</p>\n"
    result = fix_text(HEADER + body, unsafe=True, select=["active-content"])
    assert result.refusal is None
    assert result.text == HEADER + f"<p>{ALL_PRIVATE_USE}</p><p>end</p>\n"
    [block] = result.removed
    assert block.text == "<script>track()</script>"


def test_the_blocks_own_text_is_cut_by_position_when_the_markers_occur_in_the_text() -> None:
    # The marker characters (U+E000, U+E001) and their stand-in (U+E002) on both sides of
    # the block and inside it: only the block's own text may be taken out.
    before = "<p>\ue000a\ue001\ue002</p>"
    block = "<div>\ue001b\ue000<i>\ue002c</i></div>"
    after = f"<p>d\ue002\ue000</p>{ALL_PRIVATE_USE}"
    text = HEADER + before + block + after
    document = Document.from_text(text)
    start = text.index(block)
    expected = expected_visible_text(document, [(start, start + len(block))])
    assert expected == "\ue000a\ue001\ue002" + f"d\ue002\ue000{ALL_PRIVATE_USE}"


def test_two_blocks_and_markers_in_the_text() -> None:
    text = HEADER + "\ue001<b>x\ue000</b>y<i>z</i>\ue000w"
    document = Document.from_text(text)
    spans = [(text.index("<b>"), text.index("</b>") + 4), (text.index("<i>"), text.index("</i>") + 4)]
    assert expected_visible_text(document, spans) == "\ue001y\ue000w"


# -- CR-only line endings lint and fix like LF and CRLF ----------------------------------------

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "harbour-reopens.md"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def _located(problems: list[Any]) -> list[tuple[Any, ...]]:
    return [(p.rule, p.line, p.column, p.end_line, p.end_column, p.message) for p in problems]


def _multi_line_clippings() -> list[Path]:
    """The example and a few corpus clippings whose bodies span several lines."""
    paths = [EXAMPLE]
    if CORPUS.is_dir():
        found = sorted(CORPUS.glob("teahouse-dev/**/*.md"))[:400:40]
        found += sorted(CORPUS.glob("oped2/**/*.md"))[:3000:300]
        paths += [path for path in found if path.read_text(encoding="utf-8").count("\n") > 6]
    return paths


@pytest.mark.parametrize("path", _multi_line_clippings(), ids=lambda path: path.name[:16])
def test_a_cr_only_clipping_is_linted_like_its_lf_original(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "\r" not in text
    expected = _located(lint_text(text))
    for newline in ("\r", "\r\n"):
        assert _located(lint_text(text.replace("\n", newline))) == expected


def test_a_cr_only_body_is_seen_by_the_body_rules() -> None:
    text = HEADER.replace("\n", "\r") + "<p>a</p>\r<p>b</p>\r<script>x()</script>\r"
    problems = lint_text(text)
    assert _located(problems) == [
        ("active-content", 7, 1, 7, 9, "<script> element runs inline code"),
    ]
    document = Document.from_text(text)
    assert document.newline() == "\r"
    assert document.line_text(2) == "[A title](https://example.com/a/1)"
    assert text[document.header.body.start:].startswith("<p>a</p>")


def test_fixes_in_a_cr_only_file_use_cr() -> None:
    lf = "<!--1686778744-->\n[A title](https://example.com/a/1)\n<p>x</p>\n"
    cr = lf.replace("\n", "\r")
    result = fix_text(cr, select=["timestamp-comment", "title-link"])
    assert result.refusal is None
    assert result.text == fix_text(lf, select=["timestamp-comment", "title-link"]).text.replace("\n", "\r")
    assert result.text == "<!--1686778744000-->\r[A title](https://example.com/a/1)\r------\r\r<p>x</p>\r"
    assert "\n" not in result.text


def test_mixed_endings() -> None:
    # A CR header over an LF body (lines joined from two sources): every break counts.
    text = "<!--1686778744000-->\r[T](https://example.com/a)\r------\r\r<p>a</p>\n<script>x()</script>\r\n"
    document = Document.from_text(text)
    assert document.newline() == "\r"
    assert [document.line_text(line) for line in range(1, 7)] == [
        "<!--1686778744000-->", "[T](https://example.com/a)", "------", "", "<p>a</p>",
        "<script>x()</script>"]
    assert _located(lint_text(text)) == [
        ("active-content", 6, 1, 6, 9, "<script> element runs inline code")]
    # An LF file keeps a lone CR (inside an attribute, say) inside its line, as before.
    text = HEADER + '<p title="a\rb">x</p>\n<script>x()</script>\n'
    document = Document.from_text(text)
    assert document.newline() == "\n"
    assert document.line_text(5) == '<p title="a\rb">x</p>'
    assert [(p.rule, p.line) for p in lint_text(text)] == [("active-content", 6)]
    # A CRLF file with a stray LF line: both are breaks (as before).
    text = HEADER.replace("\n", "\r\n") + "<p>x</p>\n<script>x()</script>\r\n"
    assert [(p.rule, p.line) for p in lint_text(text)] == [("active-content", 6)]


def test_a_raw_newline_in_the_title_of_a_cr_file() -> None:
    text = "<!--1686778744000-->\r[A\rtitle](https://example.com/a)\r------\r\r<p>x</p>\r"
    [problem] = lint_text(text, select=["title-link"])
    assert (problem.line, problem.column, problem.end_line, problem.end_column) == (2, 3, 3, 1)
    assert problem.message == "raw newline inside the title link"


@pytest.mark.parametrize("above", ["BREAKING:", "<!--1686778744000-->"])
def test_a_line_above_the_title_link_is_a_title_line_that_is_no_link(above: str) -> None:
    """A line of its own between the timestamp comment and the title link (a bot's
    "BREAKING:", the comment written twice) is where the title link belongs: said so,
    at that line, not "raw newline inside the title link", which it is not in. A title
    link broken over lines is still that."""
    text = f"<!--1686778744000-->\n{above}\n[T](https://example.com/t/q)\n------\n\n<p>x</p>\n"
    [problem] = lint_text(text, select=["title-link"])
    assert (problem.line, problem.column, problem.end_line, problem.end_column,
            problem.message) == (2, 1, 2, len(above) + 1, "title line is not a [text](url) link")
    broken = "<!--1686778744000-->\n[T part\nmore](https://example.com/t/q)\n------\n\n<p>x</p>\n"
    [problem] = lint_text(broken, select=["title-link"])
    assert (problem.line, problem.column, problem.message) == (
        2, 8, "raw newline inside the title link")


def test_a_hard_coded_lf_in_a_cr_file_is_a_malformed_fix(testfix: Path) -> None:
    cr = HEADER.replace("\n", "\r")
    result = fix_text(cr + "<p>x</p><!--bare-lf-->\r", select=["testfix/bare-lf"])
    assert result.refusal is not None
    assert (result.refusal.check, result.refusal.rules) == ("malformed-fix", ("testfix/bare-lf",))
    assert "CR" in result.refusal.reason
    result = fix_text(cr + "<p>x</p><!--add-line-->\r", select=["testfix/add-line"])
    assert result.refusal is None
    assert result.text == cr + "<p>x</p><!--add-line-->\r<!--added-->\r"


@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "1" * 5000])
def test_a_toml_front_matter_tomllib_cannot_read_is_not_read(value: str) -> None:
    # Arrays nested 5,000 deep crashed timestamp-consistency (RecursionError, exit 3); an
    # integer longer than Python converts raises ValueError. Such a front matter is not
    # read; a line of a multi-line string holding one is no key, and the real key is.
    head = "+++\ntitle = 'x'\n{}date = 2023-06-09T14:30:00Z\n+++\n"
    rest = "<!--1687185000000-->\n[T](https://example.com/a)\n------\n\n<p>x</p>\n"
    unread = head.format(f"summary = {value}\n") + rest
    assert lint_text(unread, select=["timestamp-consistency"]) == []
    in_a_string = head.format(f"summary = \'\'\'\ndate = {value}\n\'\'\'\n") + rest
    [late] = lint_text(in_a_string, select=["timestamp-consistency"])
    assert "10d 0h after the date the front matter (line 6) states" in late.message


@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "python"])
@pytest.mark.parametrize("nested", ["[{}]", "[{}", "{{a: {}}}"], ids=["list", "unclosed", "mapping"])
@pytest.mark.parametrize("depth", [3, 5000])
def test_a_yaml_front_matter_nested_5000_deep_is_not_read(
        depth: int, nested: str, libyaml: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # libyaml refuses a front matter nested past 1,000 levels; PyYAML's own loader (a
    # PyYAML built without libyaml has no CBaseLoader) runs out of recursion composing
    # it. Either way it is not read, without a crash: no date compared, no feed named.
    if not libyaml:
        monkeypatch.delattr(yaml, "CBaseLoader")
    value = "x"
    for _ in range(depth):
        value = nested.format(value)
    text = (f"---\ntags: {value}\nauthor: Someone\ndate: 2023-06-09T14:30:00Z\n---\n"
            "<!--1687185000000-->\n[T](https://example.com/a)\n------\n\n<p>x</p>\n")
    problems = lint_text(text, select=["timestamp-consistency"])
    feed = file_facts(Document.from_text(text)).feed
    read = depth == 3 and nested != "[{}"
    assert ([problem.line for problem in problems], feed) == (
        ([6], "Someone") if read else ([], "example.com"))
