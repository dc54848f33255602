"""Baselines: the pure functions, and a round trip through the command line where a file
gains a new problem (and lines above an old one) after the baseline was written."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, run_cliplint, write

from cliplint import baseline
from cliplint.config import Selection, resolve
from cliplint.document import Document
from cliplint.linter import lint_document
from cliplint.model import Problem
from cliplint.plugins import load_registry

HEADER_RULES = "timestamp-comment,title-link"
SECONDS = GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->")


def problem(path: str = "a.md", line: int = 1, column: int = 5, source: str | None = None,
            rule: str = "timestamp-comment", message: str = "m") -> Problem:
    return Problem(path, rule, "error", message, line, column, line, column + 1, source=source)


# -- pure functions ----------------------------------------------------------------------


def test_fingerprint_ignores_line_numbers_but_not_the_text_around() -> None:
    [old] = baseline.fingerprints([problem(line=3, source="<p>abc</p>")])
    [shifted] = baseline.fingerprints([problem(line=40, source="<p>abc</p>")])
    [edited] = baseline.fingerprints([problem(line=3, source="<p>xyz</p>")])
    [other_rule] = baseline.fingerprints([problem(line=3, source="<p>abc</p>", rule="title-link")])
    assert old == shifted
    assert len({old, edited, other_rule}) == 3


def test_fingerprint_keeps_to_the_neighbourhood_on_a_long_line() -> None:
    line = "x" * 500 + "<b>" + "y" * 500
    column = 501
    [before] = baseline.fingerprints([problem(column=column, source=line)])
    far_edit = "z" + line[1:]  # an edit 500 code points away on the same line
    [after] = baseline.fingerprints([problem(column=column, source=far_edit)])
    near_edit = line[: column - 2] + "Q" + line[column - 1 :]
    [near] = baseline.fingerprints([problem(column=column, source=near_edit)])
    assert before == after
    assert before != near


def test_identical_problems_are_counted_not_merged() -> None:
    twins = [problem(line=2, source="same"), problem(line=9, source="same")]
    first, second = baseline.fingerprints(twins)
    assert first != second
    other_file = baseline.fingerprints([problem(path="b.md", source="same")])
    assert other_file == [first]  # the counter is per file


def test_build_dumps_loads_apply(tmp_path: Path) -> None:
    base = str(tmp_path)
    old = [problem(path=str(tmp_path / "d" / "a.md"), source="<!--1-->")]
    written = baseline.dumps(baseline.build(old, base))
    data = json.loads(written)
    assert data["version"] == baseline.BASELINE_VERSION
    assert [entry["path"] for entry in data["problems"]] == ["d/a.md"]
    loaded = baseline.loads(written, "b.json")
    new = problem(path=str(tmp_path / "d" / "a.md"), line=7, source="<p>new</p>", message="n")
    split = baseline.apply([old[0], new], loaded, base)
    assert split.new == (new,) and split.suppressed == 1


def test_an_online_problem_is_marked_and_an_old_file_still_reads(tmp_path: Path) -> None:
    # A rule's online step shares its id: only the mark tells a run without --online
    # that it cannot know whether the entry was fixed.
    base = str(tmp_path)
    path = str(tmp_path / "a.md")
    found = [problem(path, source="<!--1-->"),
             replace(problem(path, message="proxy answered 404"), online=True)]
    written = baseline.dumps(baseline.build(found, base))
    lines = {json.loads(line.rstrip(","))["message"]: line.strip() for line in
             written.splitlines() if line.startswith("    {")}
    assert '"online"' not in lines["m"]  # written as before the mark existed
    assert lines["proxy answered 404"].startswith(
        '{"path": "a.md", "rule": "timestamp-comment", "online": true, "fingerprint": ')
    loaded = baseline.loads(written, "b.json")
    assert {entry.message: entry.check for entry in loaded.entries} == {
        "m": baseline.Check("timestamp-comment"),
        "proxy answered 404": baseline.Check("timestamp-comment", online=True)}
    assert baseline.apply(found, loaded, base).suppressed == 2
    old = written.replace('"online": true, ', "")  # written before the mark existed
    assert {entry.online for entry in baseline.loads(old, "b.json").entries} == {False}
    assert baseline.apply(found, baseline.loads(old, "b.json"), base).suppressed == 2
    # Nothing found: only the checks that ran can say their entries were fixed.
    offline = {path: {baseline.Check("timestamp-comment")}}
    online = {path: {*offline[path], baseline.Check("timestamp-comment", online=True)}}
    assert baseline.stale(loaded, [], offline, base) == 1
    assert baseline.stale(loaded, [], online, base) == 2


def test_internal_errors_are_never_baselined(tmp_path: Path) -> None:
    crash = problem(rule="internal-error", message="rule x crashed")
    recorded = baseline.build([crash], str(tmp_path))
    assert recorded.entries == ()
    assert baseline.apply([crash], recorded, str(tmp_path)).new == (crash,)


def test_a_timestamp_in_the_future_keeps_its_fingerprint_the_next_day() -> None:
    # Its message named the run's day: the problem was new to the baseline every day.
    rules = load_registry(builtins_only=True).rules
    document = Document.from_text(
        "<!--9999999999999-->\n[T](https://example.com/a)\n------\n\n<p>Body.</p>\n")

    def found_on(today: str) -> list[Problem]:
        settings = resolve({}, rules, command_line=Selection(select=("timestamp-comment",)),
                           inputs={"today": today})
        return lint_document(document, rules, settings, path="a.md", with_source=True)

    today, tomorrow = found_on("2024-01-01"), found_on("2024-01-02")
    assert [problem.rule for problem in today] == ["timestamp-comment"]
    assert "2286-11-20T17:46:39Z is in the future" in today[0].message
    assert baseline.fingerprints(today) == baseline.fingerprints(tomorrow)


@pytest.mark.parametrize("text, expected", [
    ("{", "invalid JSON"),
    ("[]", "no \"problems\" list"),
    ('{"version": 99, "problems": []}', "version 99 is not supported"),
    ('{"version": 1, "problems": [{"path": "a.md"}]}', "problems[0]: expected path"),
    ('{"version": 1, "problems": [{"path": "a.md", "rule": "r", "fingerprint": "f", '
     '"online": "yes"}]}', 'problems[0]: "online" must be true or false'),
])
def test_bad_baseline_files_are_named(text: str, expected: str) -> None:
    with pytest.raises(baseline.BaselineError, match=r"^b\.json: ") as caught:
        baseline.loads(text, "b.json")
    assert expected in str(caught.value)


# -- the command line -----------------------------------------------------------------


def test_round_trip_new_problem_and_shifted_lines(tmp_path: Path) -> None:
    """The title-link problem in old.md is recorded; then lines are added above it and a
    new problem appears in the same file: only the new one is reported."""
    body_without_blank = SECONDS.replace("------\n\n", "------\n")  # title-link + timestamp
    write(tmp_path / "archive" / "old.md", body_without_blank)
    write(tmp_path / "archive" / "clean.md", GOOD_CLIPPING)
    wrote = run_cliplint("--isolated", "--select", HEADER_RULES,
                         "--write-baseline", "cliplint-baseline.json", "archive", cwd=tmp_path)
    assert wrote.status == 0, wrote.stderr
    assert wrote.stdout == ""
    assert "recorded 2 problems in 1 file" in wrote.stderr
    recorded = json.loads((tmp_path / "cliplint-baseline.json").read_text(encoding="utf-8"))
    assert {entry["rule"] for entry in recorded["problems"]} == {"timestamp-comment", "title-link"}
    assert {entry["path"] for entry in recorded["problems"]} == {"archive/old.md"}

    # Same problems: nothing new.
    again = run_cliplint("--isolated", "--select", HEADER_RULES,
                         "--baseline", "cliplint-baseline.json", "archive", cwd=tmp_path)
    assert again.status == 0, again.stdout + again.stderr
    assert "All clean: 2 files checked." in again.stdout
    assert "2 problems suppressed by the baseline" in again.stderr

    # Front matter shifts every line down by three; the title gains a stray bracket: new.
    shifted = "---\nlayout: post\n---\n" + body_without_blank.replace(
        "[A good title]", "[A good [title]")
    write(tmp_path / "archive" / "old.md", shifted)
    result = run_cliplint("--isolated", "--select", HEADER_RULES,
                          "--baseline", "cliplint-baseline.json", "archive", cwd=tmp_path)
    assert result.status == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("archive/old.md:5:1: title-link unbalanced brackets"), lines
    assert len(lines) == 2 and lines[1].startswith("Found 1 problem (1 error) in 2 files checked")
    assert "2 problems suppressed by the baseline" in result.stderr


def test_baseline_from_another_working_folder(tmp_path: Path) -> None:
    """Paths are relative to the baseline file, so running from a subfolder matches."""
    write(tmp_path / "archive" / "old.md", SECONDS)
    assert run_cliplint("--isolated", "--select", HEADER_RULES, "--write-baseline",
                        "b.json", "archive", cwd=tmp_path).status == 0
    inside = run_cliplint("--isolated", "--select", HEADER_RULES, "--baseline",
                          "../b.json", "old.md", cwd=tmp_path / "archive")
    assert inside.status == 0, inside.stdout + inside.stderr


@pytest.mark.parametrize("written, read", [("b.json", "$PWD/b.json"), ("$PWD/b.json", "b.json")])
def test_a_baseline_named_through_a_symlinked_working_folder(tmp_path: Path, written: str,
                                                             read: str) -> None:
    # cd link; cliplint --baseline "$PWD/b.json" .: the working folder is the real one,
    # the baseline's folder was named through the link, and every path became ../real/a.md.
    write(tmp_path / "real" / "a.md", SECONDS)
    shell = tmp_path / "link"  # where the shell is, $PWD
    shell.symlink_to(tmp_path / "real")
    wrote = run_cliplint("--isolated", "--select", HEADER_RULES, "--write-baseline",
                         written.replace("$PWD", str(shell)), ".", cwd=shell)
    assert wrote.status == 0, wrote.stderr
    recorded = json.loads((tmp_path / "real" / "b.json").read_text(encoding="utf-8"))
    assert [entry["path"] for entry in recorded["problems"]] == ["a.md"]
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--baseline",
                          read.replace("$PWD", str(shell)), ".", cwd=shell)
    assert result.status == 0, result.stdout + result.stderr
    assert "1 problem suppressed by the baseline" in result.stderr


def test_a_folder_named_through_a_symlink_keeps_its_name(tmp_path: Path) -> None:
    write(tmp_path / "store" / "feeds" / "a.md", SECONDS)
    project = tmp_path / "project"
    project.mkdir()
    (project / "feeds").symlink_to(tmp_path / "store" / "feeds")
    for baseline_file, recorded_path in [("b.json", "feeds/a.md"), ("feeds/b.json", "a.md")]:
        select = ["--isolated", "--select", HEADER_RULES]
        wrote = run_cliplint(*select, "--write-baseline", baseline_file, "feeds", cwd=project)
        assert wrote.status == 0, wrote.stderr
        recorded = json.loads((project / baseline_file).read_text(encoding="utf-8"))
        assert [entry["path"] for entry in recorded["problems"]] == [recorded_path]
        result = run_cliplint(*select, "--baseline", baseline_file, "feeds", cwd=project)
        assert result.status == 0, result.stdout + result.stderr


def test_a_baseline_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Saved again by an editor on Windows: RFC 8259 lets a reader ignore the mark.
    write(tmp_path / "a.md", SECONDS)
    assert run_cliplint("--isolated", "--select", HEADER_RULES, "--write-baseline", "b.json",
                        "a.md", cwd=tmp_path).status == 0
    baseline = tmp_path / "b.json"
    baseline.write_bytes(b"\xef\xbb\xbf" + baseline.read_bytes().replace(b"\n", b"\r\n"))
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--baseline", "b.json",
                          "a.md", cwd=tmp_path)
    assert result.status == 0, result.stdout + result.stderr
    assert "1 problem suppressed by the baseline" in result.stderr


def test_a_file_name_that_is_not_utf_8_is_recorded_and_matched(tmp_path: Path) -> None:
    # It was an internal error (UnicodeEncodeError) after the baseline file had been
    # opened: the baseline already committed was left empty, and every later run failed.
    write(tmp_path / "a.md", SECONDS)
    Path(os.fsdecode(bytes(tmp_path) + b"/bad\xff.md")).write_text(SECONDS, encoding="utf-8")
    baseline_file = tmp_path / "b.json"
    baseline_file.write_text("kept until a new one is written", encoding="utf-8")
    run = run_cliplint("--isolated", "--select", HEADER_RULES, "--write-baseline", "b.json",
                       ".", cwd=tmp_path)
    assert run.status == 0, run.stdout + run.stderr
    assert "recorded 2 problems in 2 files" in run.stderr
    written = baseline_file.read_bytes()
    assert b'"path": "bad\\udcff.md"' in written
    assert {entry["path"] for entry in json.loads(written)["problems"]} == {"a.md", "bad\udcff.md"}
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--baseline", "b.json", ".",
                          cwd=tmp_path)
    assert result.status == 0, result.stdout + result.stderr
    assert "2 problems suppressed by the baseline" in result.stderr


def test_fixed_problems_are_reported_as_stale(tmp_path: Path) -> None:
    clip = write(tmp_path / "a.md", SECONDS)
    run_cliplint("--isolated", "--select", HEADER_RULES, "--write-baseline", "b.json", "a.md",
                 cwd=tmp_path)
    write(clip, GOOD_CLIPPING)
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--baseline", "b.json",
                          "a.md", cwd=tmp_path)
    assert result.status == 0
    assert "1 baseline entry no longer matches" in result.stderr


TWO_PROBLEMS = SECONDS.replace("------\n\n", "------\n")  # timestamp-comment + title-link
STALE = "no longer match"


def _baseline_of(tmp_path: Path, *arguments: str) -> None:
    wrote = run_cliplint("--isolated", *arguments, "--write-baseline", "b.json", ".",
                         cwd=tmp_path)
    assert wrote.status == 0, wrote.stderr


@pytest.mark.parametrize("narrowed", [
    ["--isolated", "--select", "title-link"],
    ["--isolated", "--select", HEADER_RULES, "--ignore", "timestamp-comment"],
    ["--config", "narrow.toml", "--select", HEADER_RULES],  # per-file-ignores
])
def test_entries_of_rules_that_did_not_run_are_not_stale(tmp_path: Path,
                                                         narrowed: list[str]) -> None:
    # "1 baseline entry no longer matches (fixed?): write it again": a keeper who did,
    # with the same narrowed command, lost the timestamp-comment entry.
    clip = write(tmp_path / "a.md", TWO_PROBLEMS)
    _baseline_of(tmp_path, "--select", HEADER_RULES)
    write(tmp_path / "narrow.toml", "[per-file-ignores]\n'a.md' = ['timestamp-comment']\n")
    result = run_cliplint(*narrowed, "--baseline", "b.json", "a.md", cwd=tmp_path)
    assert result.status == 0, result.stdout + result.stderr
    assert "1 problem suppressed by the baseline" in result.stderr
    assert STALE not in result.stderr
    # A rule that did run still tells its fixed problems.
    write(clip, SECONDS)
    fixed = run_cliplint(*narrowed, "--baseline", "b.json", "a.md", cwd=tmp_path)
    assert "1 baseline entry no longer matches" in fixed.stderr, fixed.stderr


@pytest.mark.parametrize("run", [["--diff", "."], ["--fix-only", "."],
                                 ["--stdin-filename", "b.md", "-"]])
def test_entries_of_archive_rules_not_run_are_not_stale(tmp_path: Path, run: list[str]) -> None:
    # --diff, --fix-only and standard input run no archive rule.
    write(tmp_path / "a.md", GOOD_CLIPPING)
    write(tmp_path / "b.md", GOOD_CLIPPING.replace("744000-->", "744001-->"))
    _baseline_of(tmp_path, "--select", "duplicate-clipping")
    recorded = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["problems"]
    assert [entry["rule"] for entry in recorded] == ["duplicate-clipping"]
    result = run_cliplint("--isolated", "--select", "duplicate-clipping", "--baseline", "b.json",
                          *run, cwd=tmp_path, stdin=(tmp_path / "b.md").read_bytes())
    assert result.status == 0, result.stdout + result.stderr
    assert STALE not in result.stderr


def test_diff_compares_the_baseline_with_the_files_on_disk(tmp_path: Path) -> None:
    # --diff writes nothing: the timestamp in seconds and the missing blank line its fixes
    # would mend are still there.
    clip = write(tmp_path / "a.md", TWO_PROBLEMS)
    _baseline_of(tmp_path, "--select", HEADER_RULES)
    select = ["--isolated", "--select", HEADER_RULES, "--baseline", "b.json"]
    diff = run_cliplint(*select, "--diff", "a.md", cwd=tmp_path)
    assert diff.status == 1 and "+<!--1686778744000-->" in diff.stdout, diff
    assert STALE not in diff.stderr
    assert clip.read_text(encoding="utf-8") == TWO_PROBLEMS
    # --fix writes them: the entries are stale after it, and it says so.
    fix = run_cliplint(*select, "--fix", "a.md", cwd=tmp_path)
    assert "2 baseline entries no longer match" in fix.stderr, fix.stderr
    after = run_cliplint(*select, "--diff", "a.md", cwd=tmp_path)
    assert "2 baseline entries no longer match" in after.stderr, after.stderr


def test_entries_of_a_file_whose_checks_were_cut_short_are_not_stale(tmp_path: Path) -> None:
    write(tmp_path / "a.md", TWO_PROBLEMS)
    _baseline_of(tmp_path, "--select", HEADER_RULES)
    write(tmp_path / "small.toml", "max-file-size = 10\n")
    result = run_cliplint("--config", "small.toml", "--select", HEADER_RULES,
                          "--baseline", "b.json", "a.md", cwd=tmp_path)
    assert "file-too-large" in result.stdout, result.stdout
    assert STALE not in result.stderr


def test_missing_or_broken_baseline_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    missing = run_cliplint("--isolated", "--baseline", "nope.json", "a.md", cwd=tmp_path)
    assert missing.status == 2
    assert "nope.json" in missing.stderr and "Traceback" not in missing.stderr
    write(tmp_path / "bad.json", "{")
    broken = run_cliplint("--isolated", "--baseline", "bad.json", "a.md", cwd=tmp_path)
    assert broken.status == 2
    assert "bad.json: not a cliplint baseline" in broken.stderr


def test_baseline_with_a_machine_format(tmp_path: Path) -> None:
    write(tmp_path / "a.md", SECONDS)
    run_cliplint("--isolated", "--select", HEADER_RULES, "--write-baseline", "b.json", "a.md",
                 cwd=tmp_path)
    write(tmp_path / "b.md", SECONDS)
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--baseline", "b.json",
                          "--format", "json", "a.md", "b.md", cwd=tmp_path)
    assert result.status == 1
    assert [p["path"] for p in json.loads(result.stdout)["problems"]] == ["b.md"]


@pytest.mark.parametrize("report", [["--output-file", "report.txt"], ["--format", "json"]])
def test_write_baseline_with_a_report_asked_for_is_refused(tmp_path: Path,
                                                           report: list[str]) -> None:
    # The baseline was written and no report, silently: a CI step then found no file.
    write(tmp_path / "a.md", GOOD_CLIPPING.replace("744000-->", "744-->"))
    result = run_cliplint("--isolated", "--write-baseline", "base.json", *report, "a.md",
                          cwd=tmp_path)
    assert result.status == 2, result
    assert "--write-baseline writes the baseline, not a report" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.md"]


@pytest.mark.parametrize("report", [
    ["--format", "json", "--output-file", "b.json"],
    ["--output-file", "./b.json"],
    ["--output-file", "link.json"],  # a symlink to it
    ["--fix", "--output-file", "b.json"],
])
def test_a_report_over_the_baseline_read_is_refused(tmp_path: Path, report: list[str]) -> None:
    # The report replaced the baseline, silently: the next run could not read it.
    write(tmp_path / "a.md", SECONDS)
    _baseline_of(tmp_path, "--select", HEADER_RULES)
    (tmp_path / "link.json").symlink_to("b.json")
    recorded = (tmp_path / "b.json").read_bytes()
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--baseline", "b.json",
                          *report, "a.md", cwd=tmp_path)
    assert result.status == 2, result
    assert f"the output file {report[-1]} is the baseline --baseline reads" in result.stderr
    assert (tmp_path / "b.json").read_bytes() == recorded
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == SECONDS  # --fix wrote nothing


def test_write_baseline_may_name_the_baseline_read(tmp_path: Path) -> None:
    # Writing the baseline anew where it is read: what --write-baseline is for.
    clip = write(tmp_path / "a.md", SECONDS)
    _baseline_of(tmp_path, "--select", HEADER_RULES)
    write(clip, GOOD_CLIPPING)
    result = run_cliplint("--isolated", "--select", HEADER_RULES, "--baseline", "b.json",
                          "--write-baseline", "b.json", "a.md", cwd=tmp_path)
    assert result.status == 0, result
    assert "recorded 0 problems in 0 files" in result.stderr
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["problems"] == []
