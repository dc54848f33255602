"""The fixer and the safe writer, on real files on disk.

Built-in header fixes cover the byte-level promises (CRLF, BOM, final newline, mode,
symlinks, undecodable files); the ``cliplint-testfix`` plugin (tests/plugins/), installed
with pip into a temporary folder, brings fixes that are right, wrong on purpose, cyclic,
endless or overlapping.
"""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

import pytest
from plugins import testfix_env

from cliplint import fix_text as library_fix_text, lint_text
from cliplint.config import resolve
from cliplint.document import Document
from cliplint.fixer import (
    FIX_REFUSED,
    MAX_PASSES,
    expected_visible_text,
    is_block,
    unified_diff,
)
from cliplint.plugins import load_registry
from cliplint.writer import WriteError, fix_file, replace_file

# The pip-installed test plugin, as fixtures of this module.
testfix = testfix_env.testfix
testfix_site = testfix_env.testfix_site

HEADER = "<!--1686778744000-->\n[A title](https://example.com/a/1)\n------\n\n"
SECONDS = "<!--1686778744-->"
MS = "<!--1686778744000-->"


#: Built-in rules other than the header rules are being written alongside; keep these
#: tests about the fixer, not about them.
RULES = ["timestamp-comment", "title-link", "testfix/"]


def fix_text(text: str, **options):
    options.setdefault("select", RULES if _plugin_active() else RULES[:2])
    return library_fix_text(text, **options)


def _plugin_active() -> bool:
    return any(rule.startswith("testfix/") for rule in load_registry().rules)


def clip(body: str, *, newline: str = "\n", header: str = HEADER) -> str:
    return (header + body).replace("\n", newline)


def fix_path(path: Path, *, unsafe: bool = False):
    rules = load_registry().rules
    from cliplint.config import Selection

    selection = Selection(select=tuple(RULES if _plugin_active() else RULES[:2]))
    settings = resolve({}, rules, root=str(path.parent), command_line=selection)
    return fix_file(str(path), rules, settings, unsafe=unsafe)


def no_temporary_files(folder: Path) -> bool:
    return not [name for name in os.listdir(folder) if name.endswith(".cliplint-tmp")]


# -- bytes outside the edits ------------------------------------------------------------------


def test_crlf_file_stays_crlf(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    original = (f"{SECONDS}\r\n[A title](https://example.com/a/1)\r\n------\r\n"
                "<p>one</p>\r\n<p>two</p>\r\n").encode()
    path.write_bytes(original)
    outcome = fix_path(path)
    assert outcome.written
    assert path.read_bytes() == (f"{MS}\r\n[A title](https://example.com/a/1)\r\n------\r\n"
                                 "\r\n<p>one</p>\r\n<p>two</p>\r\n").encode()
    assert b"\n" not in path.read_bytes().replace(b"\r\n", b"")
    assert {fix.rule for fix in outcome.result.applied} == {"timestamp-comment", "title-link"}


def test_missing_final_newline_stays_missing(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(clip("<p>last</p>", header=HEADER.replace(MS, SECONDS)).encode())
    assert fix_path(path).written
    assert path.read_bytes() == clip("<p>last</p>").encode()
    assert not path.read_bytes().endswith(b"\n")


def test_bom_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    text = clip("<p>x</p>\n", header=HEADER.replace(MS, SECONDS))
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert fix_path(path).written
    assert path.read_bytes() == b"\xef\xbb\xbf" + clip("<p>x</p>\n").encode()


def test_mode_0640_is_kept_and_the_file_is_replaced_atomically(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(clip("<p>x</p>\n", header=HEADER.replace(MS, SECONDS)).encode())
    path.chmod(0o640)
    inode = path.stat().st_ino
    assert fix_path(path).written
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode  # a new file moved into place, not rewritten in place
    assert no_temporary_files(tmp_path)


def test_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "store" / "real.md"
    target.parent.mkdir()
    target.write_bytes(clip("<p>x</p>\n", header=HEADER.replace(MS, SECONDS)).encode())
    target.chmod(0o600)
    link = tmp_path / "link.md"
    link.symlink_to(os.path.relpath(target, tmp_path))
    assert fix_path(link).written
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(target, tmp_path)
    assert target.read_bytes() == clip("<p>x</p>\n").encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert no_temporary_files(target.parent)


def test_hard_linked_file_is_not_split(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    original = clip("<p>x</p>\n", header=HEADER.replace(MS, SECONDS)).encode()
    path.write_bytes(original)
    os.link(path, tmp_path / "b.md")
    outcome = fix_path(path)
    assert not outcome.written
    assert path.read_bytes() == original == (tmp_path / "b.md").read_bytes()
    [refused] = [p for p in outcome.problems if p.rule == FIX_REFUSED]
    assert "hard links" in refused.message and refused.path == str(path)


@pytest.mark.parametrize("mode", [0o444, 0o400])
def test_read_only_file_is_not_rewritten(tmp_path: Path, mode: int) -> None:
    # os.replace needs only the folder's permission; 0o400 is still read-only though
    # its owner could write it after a chmod (and root ignores the bits altogether).
    path = tmp_path / "a.md"
    original = clip("<p>x</p>\n", header=HEADER.replace(MS, SECONDS)).encode()
    path.write_bytes(original)
    path.chmod(mode)
    outcome = fix_path(path)
    assert not outcome.written
    assert path.read_bytes() == original
    assert stat.S_IMODE(path.stat().st_mode) == mode
    [refused] = [p for p in outcome.problems if p.rule == FIX_REFUSED]
    assert "read-only" in refused.message
    assert no_temporary_files(tmp_path)


@pytest.mark.parametrize("data", [
    (SECONDS + "\n[Caf\xe9](https://example.com/a)\n------\n\n<p>x</p>\n").encode("latin-1"),
    (SECONDS + "\n[A](https://example.com/a)\n------\n\n<p>\x00</p>\n").encode(),
], ids=["latin-1", "binary"])
def test_undecodable_file_is_never_written(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(data)
    before = path.stat()
    outcome = fix_path(path)
    assert not outcome.written and outcome.result is None
    assert [p.rule for p in outcome.problems] == ["file-unreadable"]
    assert path.read_bytes() == data
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_clean_file_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(clip("<p>x</p>\n").encode())
    before = path.stat()
    outcome = fix_path(path)
    assert not outcome.written and not outcome.result.changed
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_replace_file_refuses_a_file_changed_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"edited by someone else")
    with pytest.raises(WriteError, match="changed while"):
        replace_file(str(path), b"new", expected=b"what we read")
    assert path.read_bytes() == b"edited by someone else"
    assert no_temporary_files(tmp_path)


def test_replace_file_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="not a regular file"):
        replace_file(str(tmp_path), b"x")


# -- the loop with the header rules -----------------------------------------------------------


def test_overlapping_fixes_of_one_rule_converge_over_two_passes() -> None:
    # The whitespace fix rewrites the comment's content; the seconds fix appends at its
    # end: touching edits, so the second waits for pass 2.
    result = fix_text(clip("<p>x</p>\n", header=HEADER.replace(MS, "<!-- 1686778744 -->")))
    assert result.text == clip("<p>x</p>\n")
    assert result.passes == 2
    assert [(fix.rule, fix.pass_number) for fix in result.applied] == [
        ("timestamp-comment", 1), ("timestamp-comment", 2)]
    assert fix_text(result.text).applied == ()


def test_missing_underline_and_blank_line_use_the_files_newline() -> None:
    text = f"{MS}\r\n[T](https://example.com/a)\r\n<p>x</p>\r\n"
    result = fix_text(text, select=["title-link"])
    assert result.text == f"{MS}\r\n[T](https://example.com/a)\r\n------\r\n\r\n<p>x</p>\r\n"
    assert result.passes == 2  # the blank line is only reported once the underline is there


def test_result_is_picklable_and_remaining_problems_are_reported() -> None:
    result = fix_text("[T](https://example.com/a)\n------\n\n<p>x</p>\n")
    assert not result.changed and result.refusal is None
    assert [p.rule for p in result.problems] == [
        p.rule for p in lint_text(result.text, select=RULES[:2])]
    assert pickle.loads(pickle.dumps(result)) == result


def test_unsafe_fixes_only_when_asked(testfix: Path) -> None:
    text = clip('<p onclick="go()">hello</p>\n')
    safe = fix_text(text)
    assert not safe.changed
    assert [p.rule for p in safe.problems if p.fix] == ["testfix/drop-onclick"]
    unsafe = fix_text(text, unsafe=True)
    assert unsafe.text == clip("<p>hello</p>\n")
    assert unsafe.fixed_per_rule() == {"testfix/drop-onclick": 1}


def test_unified_diff_marks_a_missing_final_newline_and_splits_on_lf_only() -> None:
    text = clip("<p>a\u2028b\rc</p>", header=HEADER.replace("------\n\n", "------\n"))
    result = fix_text(text)
    assert unified_diff("x.md", result) == (
        "--- a/x.md\n+++ b/x.md\n@@ -1,4 +1,5 @@\n <!--1686778744000-->\n"
        " [A title](https://example.com/a/1)\n ------\n+\n <p>a\u2028b\rc</p>\n"
        "\\ No newline at end of file\n")
    assert unified_diff("/abs/x.md", result).startswith("--- /abs/x.md\n+++ /abs/x.md\n")


# -- removed blocks ---------------------------------------------------------------------------


def test_a_declared_block_removal_is_applied_exactly(testfix: Path) -> None:
    body = '<p>kept</p><div class="promo">Buy <b>now</b></div><p>also kept</p>\n'
    result = fix_text(clip(body))
    assert result.refusal is None
    assert result.text == clip("<p>kept</p><p>also kept</p>\n")
    [block] = result.removed
    assert (block.rule, block.text) == ("testfix/promo", '<div class="promo">Buy <b>now</b></div>')
    assert result.original[block.start:block.end] == block.text
    assert result.removed_per_rule() == {"testfix/promo": len(block.text)}


def test_removed_blocks_map_back_to_the_original_through_earlier_passes(testfix: Path) -> None:
    # Pass 1 adds a blank line and a ms suffix before the blocks; pass 1 also removes the
    # first promo; the nested-tag pair needs two passes. Offsets must still be original ones.
    header = f"{SECONDS}\n[T](https://example.com/a)\n------\n"
    body = ('<p><i class="t">x</i></p><div class="promo">one</div><p>mid</p>'
            '<div class="promo">two</div>\n')
    result = fix_text(header + body)
    assert result.refusal is None
    assert len(result.removed) == 2
    for block in result.removed:
        assert result.original[block.start:block.end] == block.text
    assert result.text == (f"{MS}\n[T](https://example.com/a)\n------\n\n"
                           '<p><I data-seen class="t">x</I></p><p>mid</p>\n'.replace("</I>", "</i>"))


def test_is_block_and_the_expected_visible_text() -> None:
    text = clip("<p>a<b>b</b></p><div>c<p>d</p></div>e &amp; f\n")
    document = Document.from_text(text)
    body = document.header.body.start
    span = (text.index("<div>"), text.index("</div>") + len("</div>"))
    assert is_block(document, *span)
    assert expected_visible_text(document, [span]) == "ab" + "e & f\n"
    assert not is_block(document, text.index("<div>"), text.index("<p>d"))  # <div> left open
    assert not is_block(document, body + 1, span[1])  # starts inside a tag
    assert not is_block(document, 0, span[1])  # reaches into the header
    # A block cut through an entity: the markers change the parse, so nothing is declared.
    amp = text.index("&amp;")
    assert expected_visible_text(document, [(amp + 2, amp + 3)]) == document.body.visible_text


# -- wrong fixes are refused, and nothing is written -------------------------------------------


@pytest.mark.parametrize(("trigger", "unsafe", "rule", "check"), [
    ("<!--lossy--><p>precious paragraph</p>", False, "testfix/lossy", "visible-text"),
    ("<!--chop--><p>precious paragraph</p>", False, "testfix/chop", "visible-text"),
    ("<!--unhide--><script>var secret = 1</script><p>x</p>", True, "testfix/unhide",
     "visible-text"),
    ("<!--unclose--><p><b>bold</b> text</p>", False, "testfix/unclose", "parse-errors"),
    ("<!--ping--><p>x</p>", False, "testfix/ping", "repeated-state"),
    ("<!--noop--><p>x</p>", False, "testfix/noop", "repeated-state"),
    ("<!--grow--><p>x</p>", False, "testfix/grow", "too-many-passes"),
    ("<!--explode--><p>x</p>", False, "testfix/explode", "crash"),
    ("<!--title-reach--><p>x</p>", False, "testfix/title-reach", "header"),
    ("<!--title-break--><p>x</p>", False, "testfix/title-break", "header"),
    # It was written: the guard covered the front matter and the title only.
    ("<!--drop-stamp--><p>x</p>", False, "testfix/drop-stamp", "header"),
])
def test_a_wrong_fix_is_refused_and_named(testfix: Path, tmp_path: Path, trigger: str,
                                          unsafe: bool, rule: str, check: str) -> None:
    path = tmp_path / "a.md"
    original = clip(f"<p>intro</p>{trigger}<p>end</p>\n", header=HEADER.replace(MS, SECONDS))
    path.write_bytes(original.encode())
    outcome = fix_path(path, unsafe=unsafe)
    assert not outcome.written
    assert path.read_bytes() == original.encode()
    result = outcome.result
    assert result.refusal is not None
    assert (result.refusal.check, result.refusal.rules) == (check, (rule,))
    assert result.text == original and result.applied == ()
    [refused] = [p for p in outcome.problems if p.rule == FIX_REFUSED]
    assert refused.path == str(path) and rule in refused.message and refused.severity == "error"
    assert "nothing written" in refused.message
    # The original problems are still all reported, the timestamp's among them.
    assert "timestamp-comment" in {p.rule for p in outcome.problems}
    if check == "too-many-passes":
        assert f"after {MAX_PASSES} passes" in refused.message


def test_a_fix_may_change_the_title_by_edits_inside_it(testfix: Path) -> None:
    # (title-escaping and invisible-characters do; an edit reaching out of the title, or
    # adding a line break inside it, is refused above.)
    result = fix_text(clip("<p>x</p><!--retitle-->\n"))
    assert result.refusal is None
    assert result.text == clip("<p>x</p><!--retitle-->\n",
                               header=HEADER.replace("[A title]", "[Retitled]"))


def test_a_hard_coded_lf_in_a_crlf_file_is_a_malformed_fix(testfix: Path) -> None:
    result = fix_text(clip("<p>x</p><!--bare-lf-->\n", newline="\r\n"))
    assert result.refusal is not None
    assert (result.refusal.check, result.refusal.rules) == ("malformed-fix", ("testfix/bare-lf",))
    assert "CRLF" in result.refusal.reason


def test_a_line_added_with_the_files_newline_keeps_crlf(testfix: Path) -> None:
    result = fix_text(clip("<p>x</p><!--add-line-->\n", newline="\r\n"))
    assert result.refusal is None
    assert result.text == clip("<p>x</p><!--add-line-->\n<!--added-->\n", newline="\r\n")


def test_two_rules_whose_fixes_overlap_converge(testfix: Path) -> None:
    # testfix/upper-i rewrites the tag name, testfix/mark-i inserts right after it: the
    # edits touch, so one is deferred; both end up applied and a second run is a no-op.
    text = clip('<p><i class="t">x</i> and <i class="t">y</i></p>\n')
    result = fix_text(text)
    assert result.refusal is None
    assert result.text == clip('<p><I data-seen class="t">x</i> and <I data-seen class="t">y</i></p>\n')
    assert result.passes == 2
    assert result.fixed_per_rule() == {"testfix/upper-i": 2, "testfix/mark-i": 2}
    again = fix_text(result.text)
    assert again.applied == () and again.text == result.text


def test_only_the_failing_rule_of_a_pass_is_named(testfix: Path) -> None:
    # The promo removal is fine; the lossy one is not; they run in the same pass.
    text = clip('<div class="promo">ad</div><!--lossy--><p>precious</p>\n')
    result = fix_text(text)
    assert result.refusal is not None and result.refusal.rules == ("testfix/lossy",)
    assert not result.changed


def test_a_fix_the_fixer_cannot_read_costs_its_rule(testfix: Path, tmp_path: Path) -> None:
    # An edit without offsets is that rule's internal-error, found as the file is linted
    # (as a rule that raises); the other rules' fixes are made.
    path = tmp_path / "a.md"
    original = clip("<p>x</p><!--bad-offsets-->\n", header=HEADER.replace(MS, SECONDS))
    path.write_bytes(original.encode())
    outcome = fix_path(path)
    assert outcome.written and path.read_bytes() == clip("<p>x</p><!--bad-offsets-->\n").encode()
    [problem] = outcome.problems
    assert problem.rule == "internal-error" and problem.message == (
        "rule testfix/bad-offsets crashed: an edit's span is not two whole numbers: None, None")


def test_a_crash_of_the_fixer_itself_costs_one_file(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # A bug in the fixer (none is known: hence the patched function, the one thing faked).
    from cliplint import writer

    def crashing(*arguments: object, **keywords: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(writer, "fix_document", crashing)
    path = tmp_path / "a.md"
    original = clip("<p>x</p>\n", header=HEADER.replace(MS, SECONDS))
    path.write_bytes(original.encode())
    outcome = fix_path(path)
    assert not outcome.written and path.read_bytes() == original.encode()
    [problem] = outcome.problems
    assert problem.rule == "internal-error" and problem.message == (
        "the fixer crashed on this file, nothing written: RuntimeError: a bug")
