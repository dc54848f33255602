"""Inline suppressions through the command line: the three forms, what must not suppress
(a comment in <script> or an attribute, a suppression of another rule, the line after
next), unknown ids, unused suppressions and their fix, and suppressions with the cache,
--fix, a baseline, archive rules and a plugin's rule ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_plugin, record_calls, run_cliplint, write

from cliplint.cli import main

HEAD = "<!--1686778744000-->\n[A good title](https://example.com/a/1)\n------\n\n"
ZWSP = "\u200b"  # invisible-characters: a warning with a safe fix
UNCLOSED = "<p>a stray</span> end tag</p>"  # well-formed-html: unexpected-end-tag


def clipping(body: str, head: str = HEAD) -> str:
    return head + body + "\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def lint(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, list[dict]]:
    """Run the command line with --format json; the status and the problems."""
    status = main(["--isolated", "--format", "json", *arguments])
    out = capsys.readouterr().out
    return status, json.loads(out)["problems"]


def found(problems: list[dict]) -> list[tuple[int, str]]:
    return sorted((problem["line"], problem["rule"]) for problem in problems)


def test_next_line_suppresses_the_next_line_only(folder: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    write(folder / "a.md", clipping(
        "<!-- cliplint-disable-next-line well-formed-html -- the feed's markup -->\n"
        f"{UNCLOSED}\n{UNCLOSED}"))
    status, problems = lint(capsys, "--select", "well-formed-html,unused-suppression", "a.md")
    assert found(problems) == [(7, "well-formed-html")]
    assert status == 1


def test_a_suppression_of_another_rule_does_not_hide_this_one(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(folder / "a.md", clipping(
        "<!-- cliplint-disable-next-line invisible-characters -->\n"
        f"{UNCLOSED}\n"
        "<!-- cliplint-disable well-formed-html -->\n"
        f"<p>zero{ZWSP}width</p>\n"
        "<!-- cliplint-enable well-formed-html -->"))
    _, problems = lint(capsys, "--select", "well-formed-html,invisible-characters", "a.md")
    assert found(problems) == [(6, "well-formed-html"), (8, "invisible-characters")]


@pytest.mark.parametrize("body", [
    f"<script>// <!-- cliplint-disable-file --></script>\n{UNCLOSED}",
    f"<style>/* <!-- cliplint-disable-file --> */</style>\n{UNCLOSED}",
    f"<textarea><!-- cliplint-disable-file --></textarea>\n{UNCLOSED}",
    f'<a title="<!-- cliplint-disable-file -->" href="https://example.com/">x</a>\n{UNCLOSED}',
    f"<p>&lt;!-- cliplint-disable-file --&gt;</p>\n{UNCLOSED}",
])
def test_comments_that_are_not_comments_do_not_suppress(
        body: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(folder / "a.md", clipping(body))
    _, problems = lint(capsys, "--select", "well-formed-html,unused-suppression", "a.md")
    assert (6, "well-formed-html") in found(problems)
    assert all(problem["rule"] != "unused-suppression" for problem in problems)


def test_a_stretch_starts_and_ends_inside_one_line(folder: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # Bodies are often one long line: a stretch is measured in characters, not lines.
    write(folder / "a.md", clipping(
        f"<p>a{ZWSP}</p><!-- cliplint-disable invisible-characters --><p>b{ZWSP}</p>"
        f"<!-- cliplint-enable invisible-characters --><p>c{ZWSP}</p>"))
    _, problems = lint(capsys, "--select", "invisible-characters", "a.md")
    columns = [problem["column"] for problem in problems]
    assert len(problems) == 2 and columns[0] < 10 and columns[1] > 100


def test_disable_without_enable_runs_to_the_end_and_enable_one_of_all(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(folder / "a.md", clipping(
        f"<p>a{ZWSP}</p>\n<!-- cliplint-disable -->\n{UNCLOSED}\n<p>b{ZWSP}</p>\n"
        f"<!-- cliplint-enable invisible-characters -->\n{UNCLOSED}\n<p>c{ZWSP}</p>"))
    _, problems = lint(capsys, "--select", "well-formed-html,invisible-characters", "a.md")
    assert found(problems) == [(5, "invisible-characters"), (11, "invisible-characters")]


def test_file_level_suppression_reaches_the_header(folder: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    head = "<!--1686778744-->\n[A good title](https://example.com/a/1)\n------\n\n"
    write(folder / "a.md", clipping(
        f"<p>text{ZWSP}</p>\n<!-- cliplint-disable-file timestamp-comment -- seconds, kept -->",
        head))
    _, problems = lint(capsys, "a.md")
    assert found(problems) == [(5, "invisible-characters")]
    write(folder / "b.md", clipping(f"<p>text{ZWSP}</p>\n<!-- cliplint-disable-file -->", head))
    _, problems = lint(capsys, "b.md")
    assert problems == []


def test_unknown_ids_and_misspelt_directives_are_warnings(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(folder / "a.md", clipping(
        "<!-- cliplint-disable-next-line well-formed-htm -->\n"
        f"{UNCLOSED}\n<!-- cliplint-disable-nextline well-formed-html -->\n{UNCLOSED}"))
    _status, problems = lint(capsys, "a.md")
    assert found(problems) == [(5, "unused-suppression"), (6, "well-formed-html"),
                               (7, "unused-suppression"), (8, "well-formed-html")]
    unknown, misspelt = [p for p in problems if p["rule"] == "unused-suppression"]
    assert unknown["severity"] == "warning" and "'well-formed-htm'" in unknown["message"]
    assert misspelt["severity"] == "warning" and "not a suppression" in misspelt["message"]
    assert unknown["fix"] is None and misspelt["fix"] is None


def test_unused_suppression_is_an_info_and_fix_removes_its_line(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = clipping("<p>fine</p>\n  <!-- cliplint-disable-next-line well-formed-html -->\n"
                    "<p>still fine</p>")
    write(folder / "a.md", text)
    status, problems = lint(capsys, "a.md")
    assert [(p["line"], p["rule"], p["severity"]) for p in problems] == [
        (6, "unused-suppression", "info")]
    assert problems[0]["fix"]["applicability"] == "safe"
    assert status == 0  # an info never fails the run
    assert main(["--isolated", "--fix", "a.md"]) == 0
    assert (folder / "a.md").read_text() == clipping("<p>fine</p>\n<p>still fine</p>")


def test_fix_removes_an_unused_disable_and_the_enable_that_ended_it(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # --fix removed the unused disable and left its enable behind, which nothing reported:
    # an enable that ends no disable is an unused suppression of its own.
    text = clipping("<!-- cliplint-disable well-formed-html -- the feed's markup -->\n"
                    "<p>fixed since</p>\n<!-- cliplint-enable well-formed-html -->\n<p>more</p>")
    write(folder / "a.md", text)
    _, problems = lint(capsys, "a.md")
    assert found(problems) == [(5, "unused-suppression")]  # the enable ends the disable
    assert main(["--isolated", "--fix", "a.md"]) == 0
    assert (folder / "a.md").read_text() == clipping("<p>fixed since</p>\n<p>more</p>")


def test_partly_used_or_inline_suppressions_need_unsafe_fixes(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = clipping("<!-- cliplint-disable-next-line well-formed-html, invisible-characters -->\n"
                    f"{UNCLOSED}\n<p>x</p><!-- cliplint-disable-next-line invisible-characters -->")
    write(folder / "a.md", text)
    _, problems = lint(capsys, "a.md")
    unused = [p for p in problems if p["rule"] == "unused-suppression"]
    assert [(p["line"], p["fix"]["applicability"]) for p in unused] == [(5, "unsafe"),
                                                                        (7, "unsafe")]
    assert "no invisible-characters problem" in unused[0]["message"]
    main(["--isolated", "--fix", "a.md"])
    assert (folder / "a.md").read_text() == text  # nothing safe to do
    capsys.readouterr()
    main(["--isolated", "--fix", "--unsafe-fixes", "a.md"])
    assert (folder / "a.md").read_text() == clipping(
        f"<!-- cliplint-disable-next-line well-formed-html -->\n{UNCLOSED}\n<p>x</p>")


def test_unused_is_judged_only_for_enabled_rules(folder: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # --select narrows the run: the suppression of a rule that did not run may be needed.
    write(folder / "a.md", clipping("<!-- cliplint-disable-next-line well-formed-html -->\n"
                                    f"{UNCLOSED}"))
    _, problems = lint(capsys, "--select", "invisible-characters,unused-suppression", "a.md")
    assert problems == []
    _, problems = lint(capsys, "--select", "well-formed-html,unused-suppression", "a.md")
    assert problems == []  # used
    write(folder / "a.md", clipping("<!-- cliplint-disable-next-line well-formed-html -->\n"
                                    "<p>fine</p>"))
    _, problems = lint(capsys, "--select", "well-formed-html,unused-suppression", "a.md")
    assert found(problems) == [(5, "unused-suppression")]
    # A suppression of every rule: judged only when every rule runs.
    write(folder / "a.md", clipping("<!-- cliplint-disable-next-line -->\n<p>fine</p>"))
    _, problems = lint(capsys, "--select", "well-formed-html,unused-suppression", "a.md")
    assert problems == []
    _, problems = lint(capsys, "a.md")
    assert [(p["line"], p["message"]) for p in problems] == [
        (5, "unused suppression: nothing to suppress on the next line")]


def test_unused_suppression_can_itself_be_suppressed_or_ignored(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "<!-- cliplint-disable-next-line well-formed-html -->\n<p>fine</p>"
    write(folder / "a.md", clipping(body + "\n<!-- cliplint-disable-file unused-suppression -->"))
    _, problems = lint(capsys, "a.md")
    assert problems == []
    write(folder / "b.md", clipping(body))
    _, problems = lint(capsys, "--ignore", "unused-suppression", "b.md")
    assert problems == []


def test_fix_does_not_touch_a_suppressed_problem(folder: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    text = clipping(f"<!-- cliplint-disable-next-line invisible-characters -->\n<p>a{ZWSP}</p>\n"
                    f"<p>b{ZWSP}</p>")
    write(folder / "a.md", text)
    assert main(["--isolated", "--fix", "a.md"]) == 0
    assert (folder / "a.md").read_text() == clipping(
        f"<!-- cliplint-disable-next-line invisible-characters -->\n<p>a{ZWSP}</p>\n<p>b</p>")


def test_cached_results_follow_the_comments(folder: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    suppressed = clipping(f"<!-- cliplint-disable-next-line invisible-characters -->\n"
                          f"<p>a{ZWSP}</p>")
    write(folder / "a.md", suppressed)
    first = lint(capsys, "a.md")
    assert first == lint(capsys, "a.md") == (0, [])  # the second from the cache
    assert list((folder / "cache").iterdir())
    write(folder / "a.md", suppressed.replace("invisible-characters", "well-formed-html"))
    _, problems = lint(capsys, "a.md")
    assert found(problems) == [(5, "unused-suppression"), (6, "invisible-characters")]


def test_a_baseline_does_not_record_suppressed_problems(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(folder / "a.md", clipping(f"<!-- cliplint-disable invisible-characters -->\n"
                                    f"<p>a{ZWSP}</p>"))
    assert main(["--isolated", "--write-baseline", "base.json", "a.md"]) == 0
    assert json.loads((folder / "base.json").read_text())["problems"] == []
    write(folder / "a.md", clipping(f"<p>a{ZWSP}</p>"))
    _, problems = lint(capsys, "--baseline", "base.json", "a.md")
    assert found(problems) == [(5, "invisible-characters")]


ARTICLE = ("<p>The harbour reopened on Monday after three weeks of repairs, the port "
           "authority said.</p><p>Ships waiting offshore began to unload cargo.</p>")


@pytest.mark.parametrize("comment, hidden", [
    ("<!-- cliplint-disable-file duplicate-clipping -->", True),
    ("<!-- cliplint-disable-file -->", True),
    ("<!-- cliplint-disable-next-line duplicate-clipping -- a correction, kept -->", True),
    ("<!-- cliplint-disable-file path-portability -->", False),
    ("<!-- cliplint-disable -->", False),  # a stretch of every rule: not the whole file
])
def test_archive_problems_about_a_file_follow_its_comments(
        comment: str, hidden: bool, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / ".git").mkdir()  # the archive of files given alone: the work tree's
    write(folder / "news/a.md", clipping(ARTICLE))
    write(folder / "news/b.md", clipping(f"{ARTICLE}\n{comment}").replace(
        "1686778744000", "1686778744001"))
    for jobs in ("1", "2"):
        _, problems = lint(capsys, "--select", "duplicate-clipping,unused-suppression",
                           "--jobs", jobs, "news")
        assert [p["rule"] for p in problems if p["path"] == "news/b.md"
                and p["rule"] == "duplicate-clipping"] == ([] if hidden else ["duplicate-clipping"])
    # Given one file (pre-commit), the other comes from the cache: the same verdict.
    _, problems = lint(capsys, "--select", "duplicate-clipping", "news/b.md")
    assert [p["rule"] for p in problems] == ([] if hidden else ["duplicate-clipping"])


def test_plugin_ids_and_prefixes(tmp_path: Path) -> None:
    site = make_plugin(tmp_path / "site", distribution="cliplint-pack", entry_name="pack",
                       module="pack_rules", source='''
        """A pack."""
        import types
        from cliplint.hookspecs import hookimpl
        from cliplint.rule_io import Violation

        rule = types.ModuleType("pack_rules.word")
        rule.__doc__ = """Bodies must not say 'forbidden'.

        Bad::

            forbidden

        Good::

            allowed
        """
        rule.ID = "pack/word"
        rule.SEVERITY = "error"
        def check(document, options):
            start = document.text.find("forbidden")
            while start != -1:
                yield Violation(start, start + 9, "a forbidden word")
                start = document.text.find("forbidden", start + 1)
        rule.check = check

        @hookimpl
        def cliplint_rules():
            return [rule]
    ''')
    env = {"PYTHONPATH": str(site)}
    write(tmp_path / "a.md", clipping("<!-- cliplint-disable-next-line pack/ -->\n<p>forbidden</p>"))
    write(tmp_path / "b.md", clipping("<!-- cliplint-disable-next-line pack/word -->\n"
                                      "<p>forbidden</p>\n<p>forbidden</p>"))
    write(tmp_path / "c.md", clipping("<!-- cliplint-disable-next-line pack/wrd, other/ -->\n"
                                      "<p>forbidden</p>"))
    result = run_cliplint("--isolated", "--no-cache", "--select", "pack/,unused-suppression",
                          "a.md", "b.md", "c.md", cwd=tmp_path,
                          env=env)
    lines = result.stdout.splitlines()
    assert [line.replace(" warning ", " ").split(" ")[0:2] for line in lines[:-1]] == [
        ["b.md:7:4:", "pack/word"],
        ["c.md:5:1:", "unused-suppression"], ["c.md:5:1:", "unused-suppression"],
        ["c.md:6:4:", "pack/word"]], result.stdout
    assert "(did you mean 'pack/word'?)" in lines[1] + lines[2]
    assert "'pack/wrd'" in lines[1] + lines[2] and "'other/'" in lines[1] + lines[2]


def test_lint_and_record_scans_a_file_for_suppressions_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The problems and the archive records of a file come from one scan of its
    comments (and one look-up of its settings), and the records still carry it."""
    from cliplint import linter
    from cliplint.document import Document
    from cliplint.model import ARCHIVE_KEY

    scans = record_calls(monkeypatch, linter, "find_suppressions",
                         lambda document: document.path)
    rules, settings = linter.library_settings(None, None)
    text = clipping(f"{ARTICLE}\n<!-- cliplint-disable-file duplicate-clipping -->")
    problems, records = linter.lint_and_record(Document.from_text(text, "a.md"), rules,
                                               settings, path="a.md")
    assert scans == ["a.md"]
    assert records[ARCHIVE_KEY] and "duplicate-clipping" in records
    assert not [p for p in problems if p.rule == "unused-suppression"]


def test_a_suppression_past_what_the_cap_read_is_not_taken_for_unused(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Past ten times max-problems-per-rule a rule is no longer asked: the suppressions of
    # its later problems were judged to hide nothing, and --fix removed them.
    write(folder / "cliplint.toml", "max-problems-per-rule = 2\n")
    text = clipping(f"{UNCLOSED * 30}\n"
                    "<!-- cliplint-disable-next-line well-formed-html -- keep -->\n"
                    f"{UNCLOSED}\n<!-- cliplint-disable-next-line title-link -->\n<p>x</p>")
    write(folder / "a.md", text)
    status, problems = main(["--format", "json", "--no-cache", "a.md"]), json.loads(
        capsys.readouterr().out)["problems"]
    assert status == 1
    # title-link's suppression still hides nothing: it is still reported.
    assert [p["line"] for p in problems if p["rule"] == "unused-suppression"] == [8]
    assert main(["--fix", "--no-cache", "a.md"]) == 1
    capsys.readouterr()
    fixed = (folder / "a.md").read_text(encoding="utf-8")
    assert "well-formed-html -- keep -->" in fixed and "title-link -->" not in fixed
    # Under the cap, a suppression that hides nothing is reported as before.
    write(folder / "a.md", clipping(
        f"{UNCLOSED}\n<!-- cliplint-disable-next-line well-formed-html -->\n<p>x</p>"))
    main(["--format", "json", "--no-cache", "a.md"])
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [p["line"] for p in problems if p["rule"] == "unused-suppression"] == [6]


def test_a_crashing_rules_suppressions_are_not_taken_for_unused(tmp_path: Path) -> None:
    # A rule that raises as it is called never had its suppressions asked: --fix removed
    # them as unused (a generator's were left unjudged: both are now).
    site = make_plugin(tmp_path / "site", distribution="cliplint-crash", entry_name="crash",
                       module="crash_rules", source='''
        """A pack."""
        import types
        from cliplint.hookspecs import hookimpl

        rule = types.ModuleType("crash_rules.boom")
        rule.__doc__ = """Crashes.

        Bad::

            x

        Good::

            y
        """
        rule.ID = "crash/boom"
        rule.SEVERITY = "error"
        def check(document, options):
            raise ValueError("boom")
        rule.check = check

        @hookimpl
        def cliplint_rules():
            return [rule]
    ''')
    text = clipping("<!-- cliplint-disable-next-line crash/boom -- kept -->\n<p>x</p>")
    write(tmp_path / "a.md", text)
    result = run_cliplint("--isolated", "--no-cache", "--fix",
                          "--select", "crash/,unused-suppression", "a.md", cwd=tmp_path,
                          env={"PYTHONPATH": str(site)})
    assert result.status == 3, result
    assert "internal-error rule crash/boom crashed: ValueError: boom" in result.stdout
    assert "unused-suppression" not in result.stdout
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == text
