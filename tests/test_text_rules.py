"""invisible-characters, title-escaping, relative-url and timestamp-consistency: their
fixes through ``fix_text`` and ``cliplint --fix`` on files on disk (real excerpts and
copies of real corpus files), and the pieces they are built from.

What each rule reports and does not report is in tests/cases/<rule>/.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    SHARED,
    lint_as_the_rules_see_it,
    require_shared,
    run_cliplint,
    traced_lines,
    write,
)

from cliplint import fix_text, lint_text
from cliplint.config import ConfigError
from cliplint.document import Document, Span as S, TitleLink

# -- invisible-characters -----------------------------------------------------------------

DW = ("<!--1593856449000-->\n[六神磊磊读金庸｜\u200b有没有发现：她们都很像？](https://www.dw.com/zh/a-1)\n"
      "------\n\n<p>世卫组织的流行病信\u200b\u200b息服务机构，新冠病毒已导致596,576&#8203;人丧生，"
      "维生素K\x7f。</p><p>泥沙混杂\u202c浑浊 沈\ufffds榕</p>"
      "<p><a href=\"https://x.example/?title=读金庸｜\u200b有\">del.icio.us</a></p>\n")


def test_fix_text_deletes_zero_width_control_and_stray_bidi_runs_only() -> None:
    result = fix_text(DW, select=["invisible-characters"])
    assert result.refusal is None
    assert result.text == (
        "<!--1593856449000-->\n[六神磊磊读金庸｜有没有发现：她们都很像？](https://www.dw.com/zh/a-1)\n"
        "------\n\n<p>世卫组织的流行病信息服务机构，新冠病毒已导致596,576人丧生，"
        "维生素K。</p><p>泥沙混杂浑浊 沈\ufffds榕</p>"
        "<p><a href=\"https://x.example/?title=读金庸｜\u200b有\">del.icio.us</a></p>\n")
    # The PDF closes nothing (no embedding is open): deleted like a zero-width space.
    assert result.fixed_per_rule() == {"invisible-characters": 5}
    assert "delete it (U+202C)" in [fix.description for fix in result.applied]
    # Left: U+FFFD, reported without a fix.
    assert [(p.message.split(" in ")[0], p.fix) for p in result.problems] == [
        ("U+FFFD REPLACEMENT CHARACTER", None),
    ]
    assert fix_text(result.text, select=["invisible-characters"]).applied == ()


def test_a_zero_width_space_that_ends_a_url_is_left_for_a_person() -> None:
    # A YouTube description (NodeBE4/society): deleted, the space joined the link to the
    # next word, https://bit.ly/roa-alleyMusic. Elsewhere, after a word, before a space,
    # or in an href, it is deleted as before.
    text = ("<!--1593856449000-->\n[Alley](https://www.youtube.com/watch?v=abc)\n------\n\n"
            "<div>Song: https://bit.ly/roa-alley\u200bMusic promoted by\u200b us, "
            "<a href=\"https://x.org/a\u200bb\">x</a> and https://x.org/end\u200b done. "
            "Lines run on: https://x.org/p===表(2023年3月25日)\u200b：next</div>\n")
    safe = fix_text(text, select=["invisible-characters"])
    assert safe.text == text.replace(" by\u200b us", " by us").replace(
        "end\u200b done", "end done").replace("日)\u200b：", "日)：")
    [left] = safe.problems
    assert left.fix is None and left.message.endswith(
        "between '/roa-alley' and 'Music prom': deleting it would join the URL to the word "
        "after it; left for a person")
    assert fix_text(text, select=["invisible-characters"], unsafe=True).text == safe.text


def test_zero_width_spaces_one_character_apart_are_one_problem_with_one_fix() -> None:
    # A redaction bar with a zero-width space between its blocks: one problem, one fix,
    # the text as deleting each space one by one leaves it. The space that alone ends a
    # URL stays a problem of its own, left for a person, the unsafe fix included.
    bar = "\u200b".join("\u2588" * 12)
    text = ("<!--1700049600000-->\n[T](https://example.com/a)\n------\n\n"
            f"<p>The official, {bar}, was redacted. See https://bit.ly/a\u200bM\u200bu\u200bs"
            "\u200bi\u200bc now.</p>\n")
    safe = fix_text(text, select=["invisible-characters"])
    url = "https://bit.ly/a\u200bMusic"
    assert safe.text == text.replace("\u200b", "").replace("https://bit.ly/aMusic", url)
    assert safe.fixed_per_rule() == {"invisible-characters": 2}
    [left] = safe.problems
    assert left.fix is None and left.message.endswith("left for a person")
    assert fix_text(text, select=["invisible-characters"], unsafe=True).text == safe.text


def test_fix_text_leaves_a_crlf_file_crlf_and_attributes_alone_unless_asked() -> None:
    crlf = DW.replace("\n", "\r\n")
    result = fix_text(crlf, select=["invisible-characters"])
    assert result.refusal is None and result.changed
    assert result.text.count("\r\n") == crlf.count("\r\n") and "\n" not in result.text.replace("\r\n", "")
    assert "title=读金庸｜\u200b有" in result.text
    asked = fix_text(DW, select=["invisible-characters"],
                     config={"rules": {"invisible-characters": {"attributes": True}}})
    assert asked.refusal is None and "title=读金庸｜有" in asked.text


def test_cli_fix_on_a_file(tmp_path: Path) -> None:
    path = write(tmp_path / "dw.md", DW)
    run = run_cliplint("--isolated", "--no-cache", "--select", "invisible-characters", "--fix",
                       str(path))
    assert run.status == 0, run.stderr  # a warning left: U+FFFD
    assert "Fixed 5 problems in 1 file" in run.stdout
    assert path.read_text(encoding="utf-8") == fix_text(DW, select=["invisible-characters"]).text


# The bidi controls: what each one closes, as the Unicode bidi algorithm pairs them within
# a paragraph (what is and is not reported is in tests/cases/invisible-characters/).

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _bidi(body: str) -> list[tuple[int, str, bool]]:
    """For each bidi control invisible-characters reports in a clipping with this body:
    which control of the body it is (0 the first), what the message says it does, and
    whether it has a fix."""
    head = "<!--1686778744000-->\n[T](https://example.com/a)\n------\n\n"
    text = f"{head}{body}\n"
    line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
    controls = [match.start() for match in _BIDI_CONTROLS.finditer(text)]
    return [(controls.index(line_starts[problem.line - 1] + problem.column - 1),
             problem.message.rpartition("': ")[2], problem.fix is not None)
            for problem in lint_text(text, select=["invisible-characters"])
            if problem.message.startswith("bidi control")]


STRAY, OPEN = "it closes nothing and is ignored (no reordering)", "it is never closed: it reorders"
#: A stray closer in a body that writes an opener (or markup that opens one) anywhere:
#: what it closes may depend on styling the clipping does not hold, so no fix.
UNSURE = ("it closes nothing in its paragraph as read here, but the text opens bidi "
          "controls elsewhere")
_OPENERS = ("\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "dir=",
            "<bdi", "<bdo", "unicode-bidi")


def _gated(body: str, expected: list[tuple[int, str, bool]]) -> list[tuple[int, str, bool]]:
    """``expected`` as pairing gives it, with a stray closer's fix withheld (UNSURE) when
    the body writes an opener anywhere."""
    if not any(opener in body for opener in _OPENERS):
        return expected
    return [(control, UNSURE, False) if effect == STRAY else (control, effect, fixed)
            for control, effect, fixed in expected]


@pytest.mark.parametrize(("body", "expected"), [
    # The Arabic and Hebrew examples, as Unicode recommends for mixing directions: nothing.
    ("<p>وقال \u2067@UN_News\u2069 في تغريدة</p>", []),
    ("<p>رقم الهاتف: \u202a+961 1 234 567\u202c</p>", []),
    ("<p>הוא ציטט את \u2068New York Times\u2069 בדבריו.</p>", []),
    # A pair split across inline elements matches; across two blocks it does not.
    ("<p>a \u2067<a href=x><b>@UN</b></a>\u2069 b</p>", []),
    ("<p>a \u2067@UN</p><p>b\u2069 c</p>", [(0, OPEN, False), (1, STRAY, True)]),
    ("<div>a \u2067@UN<div>b\u2069 c</div></div>", [(0, OPEN, False), (1, STRAY, True)]),
    ("<div>\u2067a<div>b</div>c\u2069</div>", [(0, OPEN, False), (1, STRAY, True)]),
    ("<ul><li>a \u2067@UN<li>b\u2069 c</ul>", [(0, OPEN, False), (1, STRAY, True)]),
    ("<table><tr><td>a \u2067@UN</td><td>b\u2069 c</td></tr></table>",
     [(0, OPEN, False), (1, STRAY, True)]),
    # Nesting: a PDF closes the embedding inside the isolate; a PDI closes the isolate and
    # every embedding inside it, after which the PDF closes nothing; a PDF cannot close an
    # embedding outside an isolate still open.
    ("<p>\u2067a \u202ab\u202c c\u2069</p>", []),
    ("<p>\u2067a \u202ab\u2069 c\u202c</p>", [(3, STRAY, True)]),
    ("<p>\u202aa \u2067b\u2069 c\u202c</p>", []),
    ("<p>\u202aa \u2067b\u202c c\u2069 d\u202c</p>", [(2, STRAY, True)]),
    # Overrides, closed or not.
    ("<p>a \u202eb\u202c c \u202db\u2069</p>",
     [(0, "it displays the text it encloses right to left, whatever the letters' direction "
          "(the Trojan Source trick); left for a person to judge", False),
      (2, "it is never closed: it displays the text after it, up to the end of its "
          "paragraph, left to right", False),
      (3, STRAY, True)]),
    # The algorithm drops a PDF that closes nothing (X9) but keeps such a PDI as a neutral
    # character: beside a number or a combining mark it may change their order (W1, W4).
    ("<p>1\u202c,5 and 1\u2069,5 and 1\u2069&#44;5</p>",
     [(0, STRAY, True),
      (1, "it closes nothing, but beside a number or a combining mark it still counts as a "
          "neutral character", False),
      (2, "it closes nothing, but", False)]),
    ("<p>a\u2069\u0301 b\u2069, 5\u2069\u2069%</p>",
     [(0, "it closes nothing, but", False), (1, STRAY, True),
      (2, "they close nothing, but beside a number or a combining mark they still count", False)]),
    # Line breaks end a paragraph where a reader sees one: <br> (</br> is one), a line
    # break in <pre>; elsewhere a line break is a space.
    ("<p>\u2067a<br>b\u2069</p>", [(0, OPEN, False), (1, STRAY, True)]),
    ("<p>\u2067a</br>b\u2069</p>", [(0, OPEN, False), (1, STRAY, True)]),
    ("<pre>\u2067a\nb\u2069</pre>", [(0, OPEN, False), (1, STRAY, True)]),
    ("<p>\u2067a\nb\u2069</p>", []),
    # Tags html5lib ignores end nothing: a stray </div>, a <td> outside a table.
    ("<p>\u2067a</div>b\u2069</p>", []),
    ("<p>\u2067a<td>b\u2069</p>", []),
    # In a table's cells, each cell is a block; outside them, html5lib (as a browser) moves
    # text before the table, into the paragraph there: a closer may close something there.
    ("<table><tr><td>\u2069b\u2067</td><td>\u202cc</td></tr></table>\u202c",
     [(0, STRAY, True), (1, OPEN, False), (2, STRAY, True), (3, STRAY, True)]),
    ("<div>\u2067a<table><tr><td>b</td></tr>c\u2069</table></div>",
     [(0, OPEN, False),
      (1, "it closes nothing here, but it is in a table outside its cells, where a browser "
          "moves text before the table; left for a person to judge", False)]),
    ("<table><tr><td><table><tr><td>a</td></tr></table>\u2069</td></tr></table>",
     [(0, "it closes nothing here, but it is in a table", False)]),
    # What a reader does not see is no part of the paragraph around it, and a form
    # control's text is a paragraph of its own.
    ("<p>\u2067a<span hidden>\u2069</span>b\u2069</p>", [(1, STRAY, True)]),
    ("<p>\u2067a<script>\u2069</script>b\u2069</p>", []),
    ("<p>\u2067a<button>b<br>c\u2069</button>d\u2069</p>", [(1, STRAY, True)]),
    # The isolate and override HTML's markup opens (dir, <bdi>, <bdo>): a closer in the
    # text may close them, and then is no stray.
    ("<p><span dir=rtl>a\u2069 b</span></p>",
     [(0, "it closes the isolate that <span> opens before the element ends", False)]),
    ("<p><bdo dir=rtl>a\u202c b</bdo></p>",
     [(0, "it closes the override that <bdo> opens before the element ends", False)]),
    ("<p><bdi>a\u202c b</bdi> <span style='unicode-bidi: embed'>c\u202c</span></p>",
     [(0, STRAY, True),
      (1, "it closes the override that <span> opens before the element ends", False)]),
    # An embedding left open in an isolate the markup opens ends with it; an isolate left
    # open takes the element's PDI, and the element's isolate stays open.
    ("<p><span dir=rtl>\u202ba</span> <span dir=ltr>\u2067b</span></p>", [(1, OPEN, False)]),
    ("<p>\u2067a <span dir=rtl>b</span>\u2069 <br dir=rtl>\u2069</p>", [(2, STRAY, True)]),
])
def test_invisible_characters_pairs_bidi_controls_as_the_bidi_algorithm(
        body: str, expected: list[tuple[int, str, bool]]) -> None:
    expected = _gated(body, expected)
    found = _bidi(body)
    assert [(control, fixed) for control, _, fixed in found] == [
        (control, fixed) for control, _, fixed in expected]
    for (_, effect, _), (_, fragment, _) in zip(found, expected):
        assert effect.startswith(fragment), (effect, fragment)


def test_invisible_characters_title_line_is_one_paragraph() -> None:
    # The title's text (the link's text) is one paragraph; in its URL no bidi control
    # belongs, paired or not; the body's stray closer (no opener in the body) is deleted.
    text = ("<!--1686778744000-->\n[\u2067@UN_News \u202aa](https://example.com/\u202c)\n"
            "------\n\n<p>\u2069b</p>\n")
    problems = lint_text(text, select=["invisible-characters"])
    assert [(p.line, p.column, p.message.split(" in ")[1].split(",")[0], p.fix is not None)
            for p in problems] == [
        (2, 2, "the title text", False), (2, 12, "the title text", False),
        (2, 36, "the title URL", False), (5, 4, "the body text", True)]
    assert problems[2].message.endswith(": no URL needs one: it can disguise what the link "
                                        "shows or where it leads; left for a person to judge")


def test_invisible_characters_bidi_in_urls_is_reported_paired_or_not() -> None:
    # A matched isolate in a URL is no way to mix directions: it disguises a file name.
    text = ("<!--1686778744000-->\n[Report](https://example.com/files/\u2067gpj.exe\u2069)\n"
            "------\n\n<p><a href=\"https://example.com/\u2067abc\u2069\">x</a> "
            "<span title=\"\u2067abc\u2069\">y</span></p>\n")
    problems = lint_text(text, select=["invisible-characters"],
                         config={"rules": {"invisible-characters": {"attributes": True}}})
    assert [(p.line, p.message.split(" in ")[1].split(",")[0], p.fix) for p in problems] == [
        (2, "the title URL", None), (2, "the title URL", None),
        (5, "the href attribute of <a>", None), (5, "the href attribute of <a>", None)]


@pytest.mark.parametrize("body", [
    # A PDI beside a number across an inline tag: deleting it joins "1,5" (W4).
    '<p dir="rtl">\u05e2\u05d1 1<b>\u2069</b>,5 \u05e2\u05d3</p>',
    "<p>1<b>\u2069</b>,5</p>",
    # An opener the paragraph model does not see (inside <noscript>, or before a break a
    # style attribute may undo): what the closer closes depends on the reader.
    "<p><noscript>\u2067</noscript>abc \u05d0\u05d1 def\u2069 ghi</p>",
    '<p>\u2067abc<br style="display:none">\u05d0\u05d1 def\u2069 ghi</p>',
    "<p>\u2067abc <span><video>x\u2069</span> \u05d0\u05d1 def\u2069 ghi</p>",
])
def test_invisible_characters_offers_no_fix_where_a_closer_may_count(body: str) -> None:
    # Found by review: each of these had the safe fix, and Chromium showed the text
    # reordered after it.
    problems = lint_text("<!--1686778744000-->\n[T](https://example.com/a)\n------\n\n"
                         + body + "\n", select=["invisible-characters"])
    closers = [p for p in problems if "POP DIRECTIONAL" in p.message]
    assert closers and all(p.fix is None for p in closers), [p.message for p in problems]


@pytest.mark.parametrize("shape", [
    # markup opening isolates, thousands deep, re-opened at every paragraph break
    lambda n: "<p>" + '<span dir="rtl">' * n + "\u2067" + "x<br>" * n + "</p>",
    lambda n: "<p>" + '<span dir="rtl">' * n + "\u2067x" + "</span>" * n + "\u2069</p>",
    lambda n: "<table>" * n + "\u2069" + "</table>" * n,
], ids=["breaks", "closes", "tables"])
def test_invisible_characters_bidi_work_is_linear(shape: Any) -> None:
    # The first shape took 54 s at 8,000 (quadratic): the stack is capped at UAX #9's depth.
    def lines(n: int) -> int:
        text = "<!--1686778744000-->\n[T](https://example.com/a)\n------\n\n" + shape(n) + "\n"
        return traced_lines(lambda: lint_text(text, select=["invisible-characters"]))
    assert lines(1600) < 6 * lines(400)


def test_cli_fix_deletes_a_stray_bidi_closer_in_a_file(tmp_path: Path) -> None:
    text = ("<!--1594991512000-->\n[中国网络观察：洪水的颂歌](https://www.voachinese.com/a/5506717.html)\n"
            "------\n\n<p>泥沙混杂\u202c浑浊发黄的洪&#x202C;水</p>\n")
    path = write(tmp_path / "voa.md", text)
    run = run_cliplint("--isolated", "--no-cache", "--select", "invisible-characters", "--fix",
                       "--format", "json", str(path))
    assert run.status == 0, run.stderr
    # Both PDFs, raw and as a reference: the body opens nothing they could close.
    assert path.read_text(encoding="utf-8") == text.replace("\u202c", "").replace("&#x202C;", "")
    assert json.loads(run.stdout)["problems"] == []
    # With an opener anywhere in the body, whether a closer closes it may depend on
    # styling the clipping does not hold: reported, not deleted.
    opened = text.replace("</p>", "</p><p>وقال \u2067@UN_News\u2069 في تغريدة \u2067</p>")
    path.write_text(opened, encoding="utf-8")
    run = run_cliplint("--isolated", "--no-cache", "--select", "invisible-characters", "--fix",
                       "--format", "json", str(path))
    assert path.read_text(encoding="utf-8") == opened
    messages = [problem["message"] for problem in json.loads(run.stdout)["problems"]]
    assert len(messages) == 3 and "it is never closed" in messages[2]
    assert all("but the text opens bidi controls elsewhere" in m for m in messages[:2])


@pytest.mark.shared
def test_cli_fix_on_the_corpus_files_deletes_only_their_stray_pdfs(tmp_path: Path) -> None:
    # The two oped2 clippings that hold a U+202C POP DIRECTIONAL FORMATTING, none opened.
    folder = require_shared(SHARED / "corpus" / "oped2" / "articles")
    originals = [folder / "中国数字时代" / "398795_大宋周刊｜哦，主媒的洪水美学.md",
                 folder / "美国之音" / "1047806_中国网络观察：洪水的颂歌.md"]
    copies = [tmp_path / f"{index}.md" for index in range(len(originals))]
    for original, copy in zip(originals, copies):
        shutil.copyfile(original, copy)
    run = run_cliplint("--isolated", "--no-cache", "--select", "invisible-characters", "--fix",
                       str(tmp_path))
    assert run.status == 0, run.stdout + run.stderr
    assert "Fixed 5 problems in 2 files" in run.stdout
    for original, copy in zip(originals, copies):
        before, after = original.read_text(encoding="utf-8"), copy.read_text(encoding="utf-8")
        assert _deleted(before, after) == ["\u202c"] * before.count("\u202c")
    left = run_cliplint("--isolated", "--no-cache", "--select", "invisible-characters",
                        "--format", "json", str(tmp_path))
    assert "bidi control" not in left.stdout


def test_invisible_characters_allow_above_the_last_code_point_is_a_config_error() -> None:
    # chr() refuses it: the rule crashed on every file.
    with pytest.raises(ConfigError, match=r"allow\[1\]: 'U\+110000' is not a Unicode code "
                                          r"point \(the last is U\+10FFFF\)"):
        lint_text(DW, select=["invisible-characters"],
                  config={"rules": {"invisible-characters": {"allow": ["U+200B", "U+110000"]}}})
    allowed = lint_text(DW, select=["invisible-characters"], config={
        "rules": {"invisible-characters": {"allow": ["U+200B", "U+10FFFF", "U+0FFFFF"]}}})
    assert allowed and not any("U+200B" in problem.message for problem in allowed)


# -- title-escaping -----------------------------------------------------------------------

ESCAPED = ("<!--1686778744000-->\n[AT&amp;amp;T 與 &amp;#22338;本 Q&amp;A &lt;b&gt;](https://example.com/a?x=1&amp;y=2)\n"
           "------\n\n<p>AT&amp;amp;T in the body is left alone.</p>\n")
DECODED = ("<!--1686778744000-->\n[AT&T 與 坂本 Q&A &lt;b&gt;](https://example.com/a?x=1&amp;y=2)\n"
           "------\n\n<p>AT&amp;amp;T in the body is left alone.</p>\n")


def test_title_escaping_decodes_one_level_per_pass() -> None:
    result = fix_text(ESCAPED, select=["title-escaping"])
    assert result.refusal is None
    assert result.text == DECODED
    assert result.passes == 2  # &amp;#22338; -> &#22338; -> 坂
    assert [fix.description for fix in result.applied] == [
        "decode one level: '&amp;'", "decode one level: '&#22338;'", "decode it to '&'",
        "decode it to '&'", "decode it to '坂'"]
    assert lint_text(DECODED, select=["title-escaping"]) == []


def test_title_escaping_cli_fix_and_severities(tmp_path: Path) -> None:
    path = write(tmp_path / "t.md", ESCAPED)
    report = run_cliplint("--isolated", "--no-cache", "--select", "title-escaping",
                          "--format", "json", str(path))
    assert report.status == 0  # warnings and infos do not fail a run
    assert [(p["column"], p["severity"]) for p in json.loads(report.stdout)["problems"]] == [
        (4, "warning"), (17, "warning"), (32, "info")]
    run = run_cliplint("--isolated", "--no-cache", "--select", "title-escaping", "--fix", str(path))
    assert run.status == 0, run.stderr
    assert path.read_text(encoding="utf-8") == DECODED


#: Titles whose references stand for what no fix may put in a title: a right-to-left
#: override escaped twice (decoded, it reversed "gpj.exe"), U+FFFD from &#0; escaped
#: twice, a line separator escaped once (decoded, a raw U+2028 in the title line), and
#: white space that is all the title holds (decoded, an empty title: title-link's error).
UNFIT = {
    "blank.md": "[&nbsp;&amp;#32;](https://news.example.org/a/4)",
    "override.md": "[Report &amp;#x202e; gpj.exe](https://news.example.org/a/1)",
    "zero.md": "[Report &amp;#0; here](https://news.example.org/a/2)",
    "separator.md": "[Line&#x2028;sep](https://news.example.org/a/3)",
}


def test_title_escaping_fix_brings_no_problem_of_another_rule(tmp_path: Path) -> None:
    clippings = {name: f"<!--1700049600000-->\n{title}\n------\n\n<p>Body.</p>\n"
                 for name, title in UNFIT.items()}
    for name, text in clippings.items():
        write(tmp_path / name, text)
    run = run_cliplint("--isolated", "--no-cache", "--fix", ".", cwd=tmp_path)
    assert run.status == 0, run.stderr
    assert "No fixes applied" in run.stdout
    for name, text in clippings.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text
    report = run_cliplint("--isolated", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    # Each title escaped twice is still reported (readers see the escape), without a fix;
    # the separator escaped once is not: the reference is how the title writes it.
    assert [(p["path"], p["rule"], p["fix"], p["message"].split(": not decoded, ")[1])
            for p in json.loads(report.stdout)["problems"]] == [
        ("./blank.md", "title-escaping", None, "the title text would read as empty"),
        ("./blank.md", "title-escaping", None, "the title text would read as empty"),
        ("./override.md", "title-escaping", None,
         "it stands for U+202E RIGHT-TO-LEFT OVERRIDE, a bidi control"),
        ("./zero.md", "title-escaping", None, "it stands for U+FFFD REPLACEMENT CHARACTER"),
    ]


#: A title whose references stand for characters a reader does not see (a left-to-right
#: mark, a soft hyphen, a zero-width space, a right-to-left override and its closer, a
#: right-to-left mark escaped twice), beside visible ones escaped once.
INVISIBLE = ("<!--1700049600000-->\n"
             "[Caf&eacute;&lrm; Q&amp;A &shy;co-op &#8203;&#x202E;gpj.exe&#x202C; &amp;rlm;]"
             "(https://news.example.org/a/1)\n------\n\n<p>Body.</p>\n")
INVISIBLE_FIXED = ("<!--1700049600000-->\n"
                   "[Café&lrm; Q&A &shy;co-op &#8203;&#x202E;gpj.exe&#x202C; &rlm;]"
                   "(https://news.example.org/a/1)\n------\n\n<p>Body.</p>\n")


def _invisible_found(path: Path) -> list[str]:
    """What invisible-characters reports in ``path``: each character and how it is
    written, without where (a fix moves it)."""
    report = run_cliplint("--isolated", "--no-cache", "--select", "invisible-characters",
                          "--format", "json", str(path))
    return [problem["message"].split(" in ")[0]
            for problem in json.loads(report.stdout)["problems"]]


def test_title_escaping_fix_keeps_references_to_invisible_characters(tmp_path: Path) -> None:
    # Decoded, each became a raw character nobody sees in an editor or a diff (the
    # override reversing what follows it): the fix decodes only the visible ones.
    path = write(tmp_path / "t.md", INVISIBLE)
    before = _invisible_found(path)
    assert before == [
        "zero-width character U+200B ZERO WIDTH SPACE (written &#8203;)",
        "bidi control U+202E RIGHT-TO-LEFT OVERRIDE (written &#x202E;)"]
    diff = run_cliplint("--isolated", "--no-cache", "--select", "title-escaping", "--diff",
                        str(path))
    assert diff.status == 1, diff.stderr
    assert f"+{INVISIBLE_FIXED.splitlines()[1]}\n" in diff.stdout
    run = run_cliplint("--isolated", "--no-cache", "--select", "title-escaping", "--fix",
                       str(path))
    assert run.status == 0, run.stderr
    assert path.read_text(encoding="utf-8") == INVISIBLE_FIXED
    # Nothing left for the rule to do (no report it cannot act on), nothing new for
    # invisible-characters.
    again = run_cliplint("--isolated", "--no-cache", "--select", "title-escaping", str(path))
    assert again.status == 0 and "All clean" in again.stdout, again.stdout
    assert _invisible_found(path) == before


#: References to default-ignorable characters that are no format characters: variation
#: selectors (one escaped twice), U+034F COMBINING GRAPHEME JOINER, Hangul fillers, a
#: Mongolian variation selector, a named reference that stands for one after a visible
#: character (``&caps;``: U+2229 and VARIATION SELECTOR-1); beside visible characters
#: escaped once.
IGNORABLE = ("<!--1700049600000-->\n"
             "[&#x2764;&#xFE0F; Caf&eacute;&#x34F; &#x3164;&#xFFA0; &amp;#xfe0f; "
             "&#xE0100;&#x180B; &caps; &#22338;&hellip;](https://news.example.org/a/2)\n"
             "------\n\n<p>Body.</p>\n")
IGNORABLE_FIXED = ("<!--1700049600000-->\n"
                   "[❤&#xFE0F; Café&#x34F; &#x3164;&#xFFA0; &#xfe0f; "
                   "&#xE0100;&#x180B; &caps; 坂…](https://news.example.org/a/2)\n"
                   "------\n\n<p>Body.</p>\n")


def test_title_escaping_fix_keeps_references_to_default_ignorable_characters(
        tmp_path: Path) -> None:
    # Decoded, each became a raw character a reader does not see (in an editor or a
    # diff either): the fix decodes only the visible ones, as it did.
    path = write(tmp_path / "t.md", IGNORABLE)
    report = run_cliplint("--isolated", "--no-cache", "--select", "title-escaping",
                          "--format", "json", str(path))
    assert [problem["message"] for problem in json.loads(report.stdout)["problems"]] == [
        "entity '&#x2764;' in the title text, which should read '❤'",
        "entity '&eacute;' in the title text, which should read 'é'",
        "entity escaped twice in the title text: '&amp;#xfe0f;' shows as '&#xfe0f;'",
        "entity '&#22338;' in the title text, which should read '坂'",
        "entity '&hellip;' in the title text, which should read '…'"]
    run = run_cliplint("--isolated", "--no-cache", "--select", "title-escaping", "--fix",
                       str(path))
    assert run.status == 0, run.stderr
    assert path.read_text(encoding="utf-8") == IGNORABLE_FIXED
    again = run_cliplint("--isolated", "--no-cache", "--select", "title-escaping", str(path))
    assert again.status == 0 and "All clean" in again.stdout, again.stdout


def test_default_ignorable_table_follows_the_property_derivation() -> None:
    """rules/_ignorable.py holds DerivedCoreProperties.txt's lines; the file derives the
    property from what unicodedata knows too: every format character (Cf) is in it but
    the interlinear annotation controls, the Egyptian hieroglyph format controls and the
    prepended concatenation marks (which are seen); the rest of it is the variation
    selectors and a few marks and letters (Mn, Lo) or unassigned."""
    from cliplint_rules._ignorable import RANGES, default_ignorable

    seen_format = {*range(0xFFF9, 0xFFFC), *range(0x13430, 0x13440),
                   *range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2,
                   0x110BD, 0x110CD}
    table = {code for first, last in RANGES for code in range(first, last + 1)}
    assert len(table) == 4174  # the file's "Total code points"
    for code in range(0x110000):
        character = chr(code)
        category = unicodedata.category(character)
        assert default_ignorable(character) == (code in table), code
        if category == "Cf":
            assert (code in table) != (code in seen_format), f"U+{code:04X}"
        elif code in table:
            assert category in ("Mn", "Lo", "Cn"), f"U+{code:04X} {category}"


# -- relative-url ---------------------------------------------------------------------------

RELATIVE = ("<!--1594799100000-->\n[RFA](https://www.rfa.org/mandarin/yataibaodao/a.html?x=1)\n------\n\n"
            "<a href=\"/mandarin/b.jpg\"><img src=\"/rfa_resources/graphics/icon-zoom.png\"></a>"
            "<a href=\"//www.reuters.com/companies/SINA.O\">SINA.O</a><img src='photo.jpg?a=1&amp;b=2'>"
            "<a href=?page=2>2</a><a href=\" ../up.html\">up</a>"
            "<img srcset=\"a@2x.jpg 2x, https://cdn.example.com/a.jpg 3x,/b.jpg 4x\">\n")
RESOLVED = ("<!--1594799100000-->\n[RFA](https://www.rfa.org/mandarin/yataibaodao/a.html?x=1)\n------\n\n"
            "<a href=\"https://www.rfa.org/mandarin/b.jpg\"><img src=\"https://www.rfa.org/rfa_resources/graphics/icon-zoom.png\"></a>"
            "<a href=\"https://www.reuters.com/companies/SINA.O\">SINA.O</a>"
            "<img src='https://www.rfa.org/mandarin/yataibaodao/photo.jpg?a=1&amp;b=2'>"
            "<a href=https://www.rfa.org/mandarin/yataibaodao/a.html?page=2>2</a>"
            "<a href=\" https://www.rfa.org/mandarin/yataibaodao/../up.html\">up</a>"
            "<img srcset=\"https://www.rfa.org/mandarin/yataibaodao/a@2x.jpg 2x, https://cdn.example.com/a.jpg 3x,"
            "https://www.rfa.org/b.jpg 4x\">\n")


def test_relative_url_fix_is_unsafe_and_resolves_against_the_title_url() -> None:
    assert not fix_text(RELATIVE, select=["relative-url"]).changed
    result = fix_text(RELATIVE, select=["relative-url"], unsafe=True)
    assert result.refusal is None
    assert result.text == RESOLVED
    assert lint_text(RESOLVED, select=["relative-url"]) == []


def test_relative_url_resolves_as_urljoin_does() -> None:
    # What the fix writes is what a URL parser makes of the relative URL and the title URL.
    from urllib.parse import urljoin

    base = "https://www.rfa.org/mandarin/yataibaodao/a.html?x=1"
    written = {"/mandarin/b.jpg": "https://www.rfa.org/mandarin/b.jpg",
               "photo.jpg?a=1&b=2": "https://www.rfa.org/mandarin/yataibaodao/photo.jpg?a=1&b=2",
               "?page=2": "https://www.rfa.org/mandarin/yataibaodao/a.html?page=2",
               "../up.html": "https://www.rfa.org/mandarin/up.html",
               "//www.reuters.com/companies/SINA.O": "https://www.reuters.com/companies/SINA.O"}
    for relative, absolute in written.items():
        assert urljoin(base, relative) == absolute
    fixes = {p.message.split("'")[1]: p.fix.description.split("'")[1]  # type: ignore[union-attr]
             for p in lint_text(RELATIVE, select=["relative-url"])}
    for relative, absolute in written.items():
        assert urljoin(fixes[relative], ".") == urljoin(absolute, ".")  # dot segments resolved


def test_relative_url_cli_needs_unsafe_fixes(tmp_path: Path) -> None:
    path = write(tmp_path / "r.md", RELATIVE)
    safe = run_cliplint("--isolated", "--no-cache", "--select", "relative-url", "--fix", str(path))
    assert path.read_text(encoding="utf-8") == RELATIVE
    assert "fixable with --fix --unsafe-fixes" in safe.stdout
    run = run_cliplint("--isolated", "--no-cache", "--select", "relative-url", "--fix",
                       "--unsafe-fixes", str(path))
    assert run.status == 0, run.stderr
    assert path.read_text(encoding="utf-8") == RESOLVED


#: Start tags whose URLs html5lib reads differently from how they are written (character
#: references, NUL, CR), or that are written oddly: the shortcut must not change a thing.
ODD_URL_TAGS = [
    "<a href=\"&#104;ttp://x.example/\">a</a>", "<a href='&#x2F;&#x2F;x.example/'>b</a>",
    "<a href=\"h&#116;tp:x\">c</a>", "<a href=\"/a&amp;b\">d</a>", "<a href=\"http://x/&notin\">e</a>",
    "<a href=\"/x\x00y\">f</a>", "<a href=\"ht\rtp://x.example/\">g</a>",
    "<a href=\"\r\n//x.example/\">h</a>", "<a HREF=\"http://x.example/\" href=\"/rel\">i</a>",
    "<a href=\"/rel\" HREF=\"http://x.example/\">j</a>", "<a href>k</a>", "<a href=\"\">l</a>",
    "<IMG SRC=\" \t/pic.jpg\">", "<img src=\"https://x.example/a.jpg\" srcset=\"/b.jpg 2x\">",
    "<video src=\"https://x.example/v\" poster=\"p.jpg\"></video>", "<a href=\"mailto:a@x\">m</a>",
    "<a href=\"#top\">n</a>", "<a href=\"\\\\x.example/\">o</a>", "<object data=\"o.swf\"></object>",
]


def test_relative_url_shortcut_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from cliplint_rules import relative_url

    text = "<!--1594799100000-->\n[T](https://x.example/a.html)\n------\n\n" + "".join(ODD_URL_TAGS)
    # (One tag holds a NUL, which lint_text calls a binary file: the shortcut is compared
    # on the rule's own terms.)
    with_shortcut = lint_as_the_rules_see_it(text, ["relative-url"])
    assert len(with_shortcut) > 5
    monkeypatch.setattr(relative_url, "_absolute_as_parsed", lambda *args: False)
    assert lint_as_the_rules_see_it(text, ["relative-url"]) == with_shortcut


def test_relative_url_does_not_locate_the_attributes_of_absolute_urls() -> None:
    from cliplint_rules import relative_url

    document = Document.from_text("<!--1594799100000-->\n[T](https://x.example/a.html)\n------\n\n"
                                  "<a href='https://x.example/b'>b</a><img src=//x.example/c.jpg>")
    problems = list(relative_url.check(document, {}))
    assert [problem.kind for problem in problems] == ["protocol-relative"]
    [token] = [token for token in document.body.tokens
               if token.kind == "StartTag" and token.name == "a"]
    assert (token.start, token.end) not in document.body._attributes  # the shortcut's work


def test_srcset_candidates_split_as_html_does() -> None:
    from cliplint_rules.relative_url import _srcset_urls

    value = " a.jpg 1x,b.jpg,, c.jpg 2x ,data:image/png;base64,AA== 3x, d(1).jpg 4x (x, y), e.jpg,"
    assert [url for _, url in _srcset_urls(value)] == [
        "a.jpg", "b.jpg", "c.jpg", "data:image/png;base64,AA==", "d(1).jpg", "e.jpg"]
    assert all(value[start:].startswith(url) for start, url in _srcset_urls(value))


# -- timestamp-consistency ------------------------------------------------------------------


def test_timestamp_consistency_offers_no_fix() -> None:
    text = ("<!--1595331682000-->\n[T](https://www.voachinese.com/a/1.html)\n------\n\n"
            "<div><i>Sat, 11 Jul 2020 04:10:23 GMT</i></div><p>x</p>\n")
    [problem] = lint_text(text, select=["timestamp-consistency"])
    assert problem.fix is None and problem.severity == "warning"
    assert not fix_text(text, select=["timestamp-consistency"], unsafe=True).changed


@pytest.mark.parametrize("tolerance", ["9" * 400 + "d", "2d\n"])
def test_timestamp_consistency_tolerance_it_cannot_use_is_a_config_error(tolerance: str) -> None:
    # Seconds too many for a float, and a duration with a line feed that Python's "$"
    # let through: the rule crashed on every file with a stated date.
    text = ("<!--1595331682000-->\n[T](https://www.voachinese.com/a/1.html)\n------\n\n"
            "<div><i>Sat, 11 Jul 2020 04:10:23 GMT</i></div><p>x</p>\n")
    with pytest.raises(ConfigError, match=r"rules\.timestamp-consistency\.tolerance: .* is not "
                                          r"a duration"):
        lint_text(text, select=["timestamp-consistency"],
                  config={"rules": {"timestamp-consistency": {"tolerance": tolerance}}})
    longest = "9" * 15 + "d"
    assert lint_text(text, select=["timestamp-consistency"],
                     config={"rules": {"timestamp-consistency": {"tolerance": longest}}}) == []


# -- the shared pieces -----------------------------------------------------------------------


@pytest.mark.parametrize(("title", "text", "url"), [
    ("[A title](https://example.com/a/1)", "A title", "https://example.com/a/1"),
    ("[a \\] [b] (c)](https://x.example/(1)) trailing", "a \\] [b] (c)", "https://x.example/(1)"),
    ("[德语媒体：北京的快速回应\n\n](https://www.dw.com/zh/a-53985946)", "德语媒体：北京的快速回应\n\n",
     "https://www.dw.com/zh/a-53985946"),
    ("[empty]()", "empty", ""),
    # As CommonMark reads the destination: without its angle brackets or a link title.
    ("[A](<https://x.example/a b>)", "A", "https://x.example/a b"),
    ("[A](<>)", "A", ""),
    ('[A](https://x.example/a "T (1)")', "A", "https://x.example/a"),
    ("[A](https://x.example/(1) 'T')", "A", "https://x.example/(1)"),
    ("[A](<https://x.example/a> (T))", "A", "https://x.example/a"),
    ('[A](https://x.example/a "a ) b")', "A", "https://x.example/a"),
    # Forms Markdown does not read as a link: all that is inside the parentheses.
    ('[A](https://x.example/a "T)', "A", 'https://x.example/a "T'),
    ("[A](<https://x.example/a)", "A", "<https://x.example/a"),
    ("[A](https://x.example/a )", "A", "https://x.example/a "),
])
def test_title_link_spans(title: str, text: str, url: str) -> None:
    document = Document.from_text(f"<!--1-->\n{title}\n------\n\n<p>x</p>\n")
    link = document.title_link
    assert isinstance(link, TitleLink)
    assert document.text[link.text.start:link.text.end] == text
    assert document.text[link.url.start:link.url.end] == url
    assert link.text.start == len("<!--1-->\n[")


@pytest.mark.parametrize("title", [
    "no link at all", "[never closed\\](https://x.example/a)", "[text] (https://x.example/a)",
    "[text](https://x.example/a", "[text]",
])
def test_title_link_is_none_when_the_title_is_no_link(title: str) -> None:
    assert Document.from_text(f"<!--1-->\n{title}\n------\n\n<p>x</p>\n").title_link is None
    assert Document.from_text("<!--1-->\n").title_link is None


def test_title_link_is_cached_and_span_typed() -> None:
    document = Document.from_text("[A](https://example.com/)\n------\n\nx")
    assert document.title_link is document.title_link
    assert document.title_link == TitleLink(S(1, 2), S(4, 24), 25)
    angled = Document.from_text('[A](<https://example.com/> "T")\n------\n\nx').title_link
    assert angled == TitleLink(S(1, 2), S(5, 25), 31)


@pytest.mark.parametrize(("reference", "text"), [
    ("&amp;", "&"), ("&amp", "&"), ("&#22338;", "坂"), ("&#x5742;", "坂"), ("&#X5742", "坂"),
    ("&#0;", "\ufffd"), ("&#xD800;", "\ufffd"), ("&#x110000;", "\ufffd"), ("&#x80;", "€"),
    ("&ZeroWidthSpace;", "\u200b"), ("&foo;", None), ("&#;", None), ("&#x;", None), ("&", None),
])
def test_references_decode_as_html_does(reference: str, text: str | None) -> None:
    from cliplint_rules._charrefs import decode

    assert decode(reference) == text


def test_invisible_characters_knows_every_name_html_gives_them() -> None:
    from html5lib.constants import entities

    from cliplint_rules.invisible_characters import NAMED, REPORTED

    names = {name.rstrip(";") for name, value in entities.items() if REPORTED.fullmatch(value)}
    assert set(NAMED) == names


# -- real files --------------------------------------------------------------------------------

_FIXABLE = set("\u200b\u200c\u200d\u2060\ufeff\x7f")


def _corpus_files_with(characters: str, limit: int) -> list[Path]:
    found = []
    for corpus in ("oped2", "teahouse-dev"):
        folder = require_shared(SHARED / "corpus" / corpus)
        for path in sorted(folder.rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            if any(char in text for char in characters):
                found.append(path)
                if len(found) >= limit:
                    return found
    return found


def _deleted(before: str, after: str) -> list[str]:
    """The characters deleted from ``before`` to give ``after``; fails unless ``after`` is
    ``before`` with characters deleted."""
    removed, index = [], 0
    for char in before:
        if index < len(after) and after[index] == char:
            index += 1
        else:
            removed.append(char)
    assert index == len(after), "not only deletions"
    return removed


@pytest.mark.shared
def test_cli_fix_on_real_files_only_deletes_invisible_characters(tmp_path: Path) -> None:
    originals = _corpus_files_with("\u200b\ufeff\x7f", limit=200)
    assert len(originals) >= 60  # 67 files in the two corpora hold one
    copies = []
    for index, original in enumerate(originals):
        copy = tmp_path / f"{index}.md"
        shutil.copyfile(original, copy)
        copies.append(copy)
    run = run_cliplint("--isolated", "--no-cache", "--select", "invisible-characters", "--fix",
                       str(tmp_path))
    assert run.status == 0, run.stdout + run.stderr
    changed = 0
    for original, copy in zip(originals, copies):
        before, after = original.read_text(encoding="utf-8"), copy.read_text(encoding="utf-8")
        changed += before != after
        # Only deletions of zero-width and control characters: the rest, in order, intact.
        removed = _deleted(before, after)
        assert set(removed) <= _FIXABLE, (original, removed[:5])
    assert changed >= 60
    left = run_cliplint("--isolated", "--no-cache", "--select", "invisible-characters",
                        "--format", "json", str(tmp_path))
    assert '"applicability"' not in left.stdout  # nothing fixable is left
    # The ZWSP inside a del.icio.us href (attributes are not checked by default) stays.
    cdt = [copy for original, copy in zip(originals, copies) if "400161_" in original.name]
    if cdt:
        assert "&amp;title=六神磊磊读金庸｜\u200b" in cdt[0].read_text(encoding="utf-8")


# -- invisible-characters: a ZWJ beside an emoji that is not a symbol (So) -----------------

_EMOJI_HEADER = "<!--1593856449000-->\n[T](https://x.example/a)\n------\n\n"


@pytest.mark.parametrize("sequence", [
    "\U0001f642\u200d\u2194\ufe0f",  # 🙂‍↔️ head shaking horizontally (RGI); ↔ is Sm
    "\u2194\ufe0f\u200d\u26a7\ufe0f",  # ↔️ before the joiner, ⚧️ after it
    "\u26a7\ufe0f\u200d\u2194\ufe0f",  # ⚧️ before, ↔️ after
    "\u2139\ufe0f\u200d\U0001f642",  # ℹ️ is a letter (Ll) and an emoji
    "1\ufe0f\u20e3\u200d\U0001f642",  # a keycap: digit, U+FE0F, U+20E3
])
def test_invisible_characters_keeps_a_zwj_between_emoji_that_are_no_symbol(
        sequence: str) -> None:
    for text in (f"{_EMOJI_HEADER}<p>{sequence}</p>\n",
                 f"<!--1593856449000-->\n[{sequence} T](https://x.example/a)\n------\n\n<p>b</p>\n"):
        assert lint_text(text, select=["invisible-characters"]) == []
        result = fix_text(text, select=["invisible-characters"])
        assert result.refusal is None and result.text == text and not result.changed


@pytest.mark.parametrize("sequence", [
    "a\u200db",  # between letters
    "a\u200d\U0001f642", "\U0001f642\u200da",  # between a letter and an emoji
    "\U0001f642\u200d\u2194",  # ↔ without U+FE0F is an arrow, not an emoji
    "a\ufe0f\u200d\U0001f642",  # U+FE0F makes no emoji of a letter
    "1\u200d\U0001f642",  # nor is a digit one without it
])
def test_invisible_characters_still_deletes_a_zwj_beside_no_emoji(sequence: str) -> None:
    text = f"{_EMOJI_HEADER}<p>{sequence}</p>\n"
    problems = lint_text(text, select=["invisible-characters"])
    assert [p.message.split(" in ")[0] for p in problems] == [
        "zero-width character U+200D ZERO WIDTH JOINER"]
    assert fix_text(text, select=["invisible-characters"]).text == text.replace("\u200d", "")


# -- invisible-characters: markup cut off by the end of the body ----------------------------

_CUT_OFF_HEADER = "<!--1686778744000-->\n[T](https://example.com/a/1)\n------\n\n"


@pytest.mark.parametrize("tail", [
    # A tag html5lib drops: no text and no attribute, whatever it holds.
    "<y z\u200bw", "<y z&#8203;w", "<y\u200bz", "</y\u200bz", "<y z\u202cw",
    '<a href="x\u200by', "<a title='x\u200by", '<a title="x\u202cy',
    # Kept, but never text: a comment, a script or a style never closed.
    "<!-- x\u200by", "<script>a\u200bb", "<style>a\u200bb",
])
@pytest.mark.parametrize("attributes", [False, True])
def test_invisible_characters_leaves_markup_cut_off_by_the_end_alone(
        tail: str, attributes: bool) -> None:
    # Found by a sweep over windwild/news-articles (KaTeX's "i<ji < ji<j" opens a tag
    # that runs to the end): a character in a cut-off tag was reported in "the body
    # text" with the safe fix, which the fix check, finding no text there, refused, and
    # the file's fixes of its text with it.
    text = f"{_CUT_OFF_HEADER}<p>one\u2060 two</p><p>x {tail}\n"
    config = {"rules": {"invisible-characters": {"attributes": attributes}}}
    problems = lint_text(text, select=["invisible-characters"], config=config)
    assert [(p.line, p.column, p.message.split(",")[0]) for p in problems] == [
        (5, 7, "zero-width character U+2060 WORD JOINER in the body text")]
    result = fix_text(text, select=["invisible-characters"], config=config)
    assert result.refusal is None and result.text == text.replace("\u2060", "")
