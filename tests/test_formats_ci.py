"""CI-facing behaviour: JUnit and GitLab Code Quality reports, --max-warnings and per-rule
severity in the exit status, and --force-exclude for files named on the command line."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, run_cliplint, write

HEADER_RULES = "timestamp-comment,title-link"
SECONDS = GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->")
NO_BLANK = GOOD_CLIPPING.replace("------\n\n", "------\n")


# -- JUnit -------------------------------------------------------------------------------


def test_junit_one_testcase_per_file_one_failure_per_problem(tmp_path: Path) -> None:
    write(tmp_path / "a" / "bad.md", SECONDS.replace("------\n\n", "------\n"))
    write(tmp_path / "a" / "good.md", GOOD_CLIPPING)
    write(tmp_path / "a" / "esc\x1bape & <odd>.md", SECONDS)  # not even valid in XML 1.0
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--format", "junit", "a",
                          cwd=tmp_path)
    assert result.status == 1, result.stderr
    root = ET.fromstring(result.stdout.encode("utf-8"))
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "cliplint"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "3", "0")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert set(cases) == {"a/bad.md", "a/good.md", "a/esc\\x1bape & <odd>.md"}
    assert cases["a/good.md"].findall("failure") == []  # a clean file is a passing test
    failures = cases["a/bad.md"].findall("failure")
    assert [f.get("type") for f in failures] == ["timestamp-comment", "title-link"]
    assert failures[0].get("message").startswith("error: timestamp 1686778744 is in seconds")
    assert failures[0].text.startswith("a/bad.md:1:5: timestamp-comment ")
    assert all(case.get("classname") == "cliplint" and case.get("file") == name
               for name, case in cases.items())


def test_junit_report_lines_show_a_line_break_in_a_path_as_an_escape(tmp_path: Path) -> None:
    # A CR in a path came back from the report's temporary file as a line feed, and a
    # line feed in a path forged a report line of its own in a failure's text.
    forged = "nl\nevil.md:9:9: title-link FORGED LINE.md"
    for name in ("cr\rOVERWRITE.md", forged):
        write(tmp_path / "a" / name, SECONDS)
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--format", "junit", "a",
                          cwd=tmp_path)
    assert result.status == 1, result.stderr
    assert "&#13;" in result.stdout  # the testcase's name: an attribute keeps it, escaped
    cases = {case.get("name"): case for case in ET.fromstring(result.stdout).iter("testcase")}
    assert set(cases) == {"a/cr\rOVERWRITE.md", f"a/{forged}"}
    texts = [failure.text for case in cases.values() for failure in case.findall("failure")]
    paths = sorted(text.split(":1:5: timestamp-comment ")[0] for text in texts)
    assert paths == ["a/cr\\rOVERWRITE.md", "a/nl\\nevil.md:9:9: title-link FORGED LINE.md"]
    # And the files a problem names besides its own (a duplicate's copy).
    write(tmp_path / "b" / "z.md", GOOD_CLIPPING)  # the copy of the odd name
    write(tmp_path / "b" / forged, GOOD_CLIPPING)
    result = run_cliplint("--isolated", "--select", "duplicate-clipping", "--format", "junit",
                          "b", cwd=tmp_path)
    texts = [failure.text for failure in ET.fromstring(result.stdout).iter("failure")]
    assert texts and all("\n" not in text for text in texts), texts
    assert any("b/nl\\nevil.md:9:9: title-link FORGED LINE.md" in text for text in texts)
    assert all("\n" not in text and "\r" not in text for text in texts)


def test_a_spooled_report_comes_back_as_written() -> None:
    # (A report's temporary file: read back with universal newlines, a CR was a LF.)
    from cliplint.formats.spool import Spool

    written = "a\rb\r\nc\n\u2028d"
    out: list[str] = []
    with Spool() as spool:
        spool.write(written)
        spool.copy_out(out.append)
    assert "".join(out) == written


def test_junit_for_a_clean_run(tmp_path: Path) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint("--isolated", "--format", "junit", "a.md", cwd=tmp_path)
    assert result.status == 0
    suite = ET.fromstring(result.stdout.encode("utf-8")).find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")
    assert [case.get("name") for case in suite.iter("testcase")] == ["a.md"]


# -- GitLab Code Quality ----------------------------------------------------------------


def test_gitlab_code_quality_shape(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", '[severity]\ntitle-link = "warning"\n')
    write(tmp_path / "中文 目录" / "x?.md", SECONDS.replace("------\n\n", "------\n"))
    write(tmp_path / "copy.md", SECONDS)
    result = run_cliplint("--select", HEADER_RULES, "--format", "gitlab", ".", cwd=tmp_path)
    assert result.status == 1
    issues = json.loads(result.stdout)
    assert isinstance(issues, list) and len(issues) == 3
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["description"].startswith(issue["check_name"] + ": ")
    by_path = {(i["location"]["path"], i["check_name"]): i for i in issues}
    assert set(by_path) == {("copy.md", "timestamp-comment"),
                            ("中文 目录/x?.md", "timestamp-comment"),
                            ("中文 目录/x?.md", "title-link")}
    assert by_path[("中文 目录/x?.md", "title-link")]["severity"] == "minor"
    assert by_path[("copy.md", "timestamp-comment")]["severity"] == "major"
    assert by_path[("中文 目录/x?.md", "title-link")]["location"]["lines"]["begin"] == 4
    # The same problem in two files: two issues, told apart by their fingerprints.
    assert len({issue["fingerprint"] for issue in issues}) == 3
    again = json.loads(run_cliplint("--select", HEADER_RULES, "--format", "gitlab", ".",
                                    cwd=tmp_path).stdout)
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]


# -- exit status: severity and --max-warnings --------------------------------------------


@pytest.mark.parametrize("severity, arguments, status", [
    ("error", [], 1),
    ("warning", [], 0),                         # warnings do not fail by default
    ("warning", ["--max-warnings", "1"], 0),    # one warning is not more than one
    ("warning", ["--max-warnings", "0"], 1),
    ("warning", ["--max-warnings", "0", "--exit-zero"], 0),
    ("info", ["--max-warnings", "0"], 0),       # infos never fail
])
def test_exit_status_follows_configured_severity(
    tmp_path: Path, severity: str, arguments: list[str], status: int
) -> None:
    write(tmp_path / "cliplint.toml", f'[severity]\ntitle-link = "{severity}"\n')
    write(tmp_path / "a.md", NO_BLANK)
    result = run_cliplint("--select", "title-link", *arguments, "a.md", cwd=tmp_path)
    assert result.status == status, result.stdout + result.stderr
    # The severity in words, errors unmarked (as ruff's lines), with or without colour.
    word = "" if severity == "error" else f"{severity} "
    assert f"a.md:4:1: {word}title-link missing blank line" in result.stdout
    if status == 1 and severity == "warning":
        assert "1 warning, more than --max-warnings 0" in result.stderr
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith(f"Found 1 problem (1 {severity}) in 1 file checked")
    # A run that finds problems and still passes says why; a failing one does not.
    passes = "No errors" in summary and "the run passes (exit status 0)" in summary
    assert passes == (severity != "error" and status == 0 and "--exit-zero" not in arguments)


def test_max_warnings_counts_every_file(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", '[severity]\ntitle-link = "warning"\n')
    for name in ("a.md", "b.md", "c.md"):
        write(tmp_path / name, NO_BLANK)
    assert run_cliplint("--select", "title-link", "--max-warnings", "3", ".",
                        cwd=tmp_path).status == 0
    failed = run_cliplint("--select", "title-link", "--max-warnings", "2", ".", cwd=tmp_path)
    assert failed.status == 1
    assert "3 warnings, more than --max-warnings 2" in failed.stderr


@pytest.mark.parametrize("value", ["-1", "many"])
def test_max_warnings_must_be_a_count(tmp_path: Path, value: str) -> None:
    result = run_cliplint("--isolated", "--max-warnings", value, cwd=tmp_path)
    assert result.status == 2
    assert "--max-warnings" in result.stderr and "Traceback" not in result.stderr


def test_max_warnings_after_fixing(tmp_path: Path) -> None:
    """--fix applies the safe fixes, then the warnings left count as in a lint run."""
    write(tmp_path / "cliplint.toml", '[severity]\ntitle-link = "warning"\n')
    write(tmp_path / "a.md", SECONDS.replace("[A good title](https://example.com/a/1)",
                                             "[A good title](https://exa mple.com/a/1)"))
    result = run_cliplint("--fix", "--select", HEADER_RULES, "--max-warnings", "0", "a.md",
                          cwd=tmp_path)
    assert result.status == 1, result.stdout + result.stderr
    assert (tmp_path / "a.md").read_text(encoding="utf-8").startswith("<!--1686778744000-->")
    assert "space in the title URL" in result.stdout


# -- --force-exclude ---------------------------------------------------------------------


def test_force_exclude_skips_explicitly_named_excluded_files(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", 'extend-exclude = ["drafts", "README.md"]\n')
    write(tmp_path / "README.md", "# Not a clipping\n")
    write(tmp_path / "drafts" / "x.md", SECONDS)
    write(tmp_path / "news" / "y.md", SECONDS)
    named = ["README.md", "drafts/x.md", "news/y.md"]
    without = run_cliplint("--select", HEADER_RULES, *named, cwd=tmp_path)
    assert {line.split(":")[0] for line in without.stdout.splitlines()[:-1]} == set(named)
    forced = run_cliplint("--select", HEADER_RULES, "--force-exclude", *named, cwd=tmp_path)
    assert forced.status == 1
    assert [line.split(":")[0] for line in forced.stdout.splitlines()[:-1]] == ["news/y.md"]
    assert "1 file checked" in forced.stdout


def test_force_exclude_with_every_file_excluded_lints_nothing(tmp_path: Path) -> None:
    """Not the current folder either (no paths left must not mean '.')."""
    write(tmp_path / "cliplint.toml", 'extend-exclude = ["drafts"]\n')
    write(tmp_path / "drafts" / "x.md", SECONDS)
    write(tmp_path / "bad.md", SECONDS)
    result = run_cliplint("--force-exclude", "drafts/x.md", cwd=tmp_path)
    assert result.status == 0, result.stdout
    assert "0 files checked" in result.stdout and result.stderr == ""


def test_force_exclude_with_fix(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", 'extend-exclude = ["drafts"]\n')
    draft = write(tmp_path / "drafts" / "x.md", SECONDS)
    news = write(tmp_path / "news" / "y.md", SECONDS)
    result = run_cliplint("--fix", "--force-exclude", "drafts/x.md", "news/y.md", cwd=tmp_path)
    assert result.status == 0, result.stdout + result.stderr
    assert draft.read_text(encoding="utf-8") == SECONDS
    assert news.read_text(encoding="utf-8") == GOOD_CLIPPING


def test_force_exclude_with_stdin_filename(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", 'extend-exclude = ["drafts"]\n')
    skipped = run_cliplint("--force-exclude", "--stdin-filename", "drafts/x.md", "-",
                           cwd=tmp_path, stdin=SECONDS.encode())
    assert skipped.status == 0 and "0 files checked" in skipped.stdout
    linted = run_cliplint("--force-exclude", "--stdin-filename", "news/x.md", "-",
                          cwd=tmp_path, stdin=SECONDS.encode())
    assert linted.status == 1 and linted.stdout.startswith("news/x.md:1:5: timestamp-comment")


def test_force_exclude_skips_what_a_walk_skips_under_folder_configurations(
        tmp_path: Path) -> None:
    # A folder the top configuration excludes, holding its own configuration file: the
    # walk never enters it, but a file named in it was linted (by its folder's settings,
    # which exclude nothing), so the pre-commit hook failed on what CI never reads.
    write(tmp_path / "cliplint.toml", 'extend-exclude = ["feeds/bbc"]\n')
    write(tmp_path / "feeds" / "bbc" / "cliplint.toml", "")
    write(tmp_path / "feeds" / "bbc" / "a.md", SECONDS)
    # ...and one a middle folder's configuration excludes, below a folder of its own.
    write(tmp_path / "feeds" / "dw" / "cliplint.toml", 'extend-exclude = ["old"]\n')
    write(tmp_path / "feeds" / "dw" / "old" / "cliplint.toml", "")
    write(tmp_path / "feeds" / "dw" / "old" / "b.md", SECONDS)
    write(tmp_path / "feeds" / "dw" / "c.md", SECONDS)
    # And the other way round: a folder's own configuration alone says which of its
    # files are excluded (the top's "*.draft.md" does not reach into feeds/dw).
    write(tmp_path / "cliplint.toml", 'extend-exclude = ["feeds/bbc", "*.draft.md"]\n')
    write(tmp_path / "feeds" / "dw" / "d.draft.md", SECONDS)
    write(tmp_path / "e.draft.md", SECONDS)
    walked = run_cliplint("--select", HEADER_RULES, ".", cwd=tmp_path)
    assert sorted(line.split(":")[0] for line in walked.stdout.splitlines()[:-1]) == [
        "./feeds/dw/c.md", "./feeds/dw/d.draft.md"]
    named = ["feeds/bbc/a.md", "feeds/dw/old/b.md", "feeds/dw/c.md", "feeds/dw/d.draft.md",
             "e.draft.md"]
    forced = run_cliplint("--select", HEADER_RULES, "--force-exclude", *named, cwd=tmp_path)
    assert sorted(line.split(":")[0] for line in forced.stdout.splitlines()[:-1]) == [
        "feeds/dw/c.md", "feeds/dw/d.draft.md"]
    for name, status in (("feeds/bbc/x.md", 0), ("feeds/dw/old/x.md", 0),
                         ("feeds/dw/x.md", 1), ("feeds/dw/x.draft.md", 1), ("x.draft.md", 0)):
        piped = run_cliplint("--select", HEADER_RULES, "--force-exclude", "--stdin-filename",
                             name, "-", cwd=tmp_path, stdin=SECONDS.encode())
        assert piped.status == status, (name, piped.stdout)


# -- a file name that is not UTF-8 ------------------------------------------------------


@pytest.mark.parametrize("report", ["json", "sarif", "gitlab", "junit", "github", "text"])
def test_every_format_reports_a_file_name_that_is_not_utf8(tmp_path: Path, report: str) -> None:
    """Such a name reaches cliplint as a str with a lone surrogate (surrogateescape),
    which UTF-8 cannot hold: the report stays UTF-8 (JSON's escape of the surrogate,
    SARIF's percent-encoded byte) instead of the run ending in an internal error."""
    write(tmp_path / "a" / os.fsdecode(b"bad\xff.md"), SECONDS)
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--format", report, "a",
                          cwd=tmp_path)
    assert (result.status, result.stderr) == (1, "")
    if report in ("json", "sarif", "gitlab"):
        document = json.loads(result.stdout)
        shown = {"json": lambda: document["problems"][0]["path"],
                 "sarif": lambda: document["runs"][0]["results"][0]["locations"][0][
                     "physicalLocation"]["artifactLocation"]["uri"],
                 "gitlab": lambda: document[0]["location"]["path"]}[report]()
        assert shown == {"json": "a/bad\udcff.md", "sarif": "a/bad%FF.md",
                         "gitlab": "a/bad\udcff.md"}[report]
    if report == "text":
        assert result.stdout.startswith("a/bad\\udcff.md:")
    if report == "junit":
        # The name as the text report escapes it (it was a/bad\xdcff.md: neither that
        # nor the byte).
        [case] = ET.fromstring(result.stdout.encode("utf-8")).iter("testcase")
        assert case.get("name") == case.get("file") == "a/bad\\udcff.md"


def test_force_exclude_reads_no_configuration_of_a_folder_a_walk_never_enters(
        tmp_path: Path) -> None:
    # The walk never enters drafts/, so its broken configuration never fails `cliplint .`;
    # the pre-commit hook, naming a file in it, read that configuration first (exit 2).
    write(tmp_path / "cliplint.toml", 'extend-exclude = ["drafts"]\n')
    write(tmp_path / "drafts" / "cliplint.toml", "foo = 1\n")
    write(tmp_path / "drafts" / "a.md", SECONDS)
    assert run_cliplint(".", cwd=tmp_path).status == 0
    named = run_cliplint("--force-exclude", "drafts/a.md", cwd=tmp_path)
    assert (named.status, named.stderr) == (0, ""), named.stderr
    assert "0 files checked" in named.stdout
    piped = run_cliplint("--force-exclude", "--stdin-filename", "drafts/a.md", "-",
                         cwd=tmp_path, stdin=SECONDS.encode())
    assert (piped.status, piped.stderr) == (0, ""), piped.stderr
