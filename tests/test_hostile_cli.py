"""The command line against hostile or careless use: a report or a baseline written over
the clippings linted, standard error closed, --compare given a device or a huge file,
--diff beside a report for programs, a reader that goes away, --online with a fix run,
huge or mistyped values in a configuration, bidi controls in a file name or a line
shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, run_cliplint, write

SECONDS = GOOD_CLIPPING.replace("744000-->", "744-->")  # timestamp-comment: an error, fixable
ISOLATED = ("--isolated", "--no-cache")


def _environment(**extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")}
    environment.update(CLIPLINT_NO_SERVER="1", **extra)
    return environment


# -- a report or a baseline never overwrites a clipping linted ---------------------------


@pytest.fixture
def clipping(tmp_path: Path) -> Path:
    write(tmp_path / "ok.md", SECONDS)
    os.link(tmp_path / "ok.md", tmp_path / "hard.md")
    (tmp_path / "link.md").symlink_to("ok.md")
    return tmp_path


@pytest.mark.parametrize("arguments", [
    ["--output-file", "ok.md", "ok.md"],
    ["--output-file", "./ok.md", "ok.md"],
    ["--output-file", "hard.md", "ok.md"],  # a hard link to it
    ["--output-file", "link.md", "ok.md"],  # a symlink to it
    ["--output-file", "ok.md", "link.md"],
    ["--write-baseline", "ok.md", "ok.md"],
    ["--format", "html", "--output-file", "ok.md", "ok.md"],
    ["--format", "json", "--output-file", "ok.md", "other.md", "ok.md"],  # a shell glob's
    ["--fix", "--output-file", "ok.md", "ok.md"],
    ["--diff", "--output-file", "ok.md", "ok.md"],
])
def test_a_report_named_as_a_linted_file_is_refused_before_it_is_opened(
        clipping: Path, arguments: list[str]) -> None:
    write(clipping / "other.md", SECONDS)
    result = run_cliplint(*ISOLATED, *arguments, cwd=clipping)
    assert result.status == 2, result
    assert "is one of the files to lint" in result.stderr
    assert result.stdout == ""
    assert (clipping / "ok.md").read_text(encoding="utf-8") == SECONDS  # not even truncated


@pytest.mark.parametrize("arguments", [
    # The files a manifest lists are met as it is read: the report, opened first, was
    # emptying the clipping (then linted as an empty file, then overwritten).
    ["--output-file", "ok.md", "--paths-from", "list.txt"],
    ["--output-file", "hard.md", "--paths-from", "list.txt"],
    ["--format", "json", "--output-file", "link.md", "--paths-from", "list.txt"],
    ["--format", "html", "--output-file", "ok.md", "--paths-from", "list.txt"],
    ["--write-baseline", "ok.md", "--paths-from", "list.txt"],
    ["--output-file", "ok.md", "file://{folder}/ok.md"],
])
def test_a_report_named_as_a_file_a_batched_run_meets_is_refused_and_the_file_kept(
        clipping: Path, arguments: list[str]) -> None:
    write(clipping / "other.md", SECONDS)
    write(clipping / "list.txt", "other.md\nok.md\n")
    given = [argument.format(folder=clipping) for argument in arguments]
    result = run_cliplint(*ISOLATED, *given, cwd=clipping)
    assert result.status == 2, result
    assert "is one of the files to lint" in result.stderr
    assert (clipping / "ok.md").read_text(encoding="utf-8") == SECONDS


@pytest.mark.parametrize("option", ["--output-file", "--write-baseline"])
def test_a_report_that_is_a_hard_link_to_a_clipping_in_a_linted_folder_is_refused(
        tmp_path: Path, option: str) -> None:
    # Compared by path only inside a folder: the clipping, found by the walk under its
    # own name, was emptied and linted as an empty file, then the report written over it.
    write(tmp_path / "p/deep/a.md", SECONDS)
    write(tmp_path / "p/b.md", SECONDS)
    os.link(tmp_path / "p/deep/a.md", tmp_path / "report.txt")
    result = run_cliplint(*ISOLATED, option, "report.txt", "p", cwd=tmp_path)
    assert result.status == 2, result
    assert f"report.txt is one of the files to lint ({os.path.join('p', 'deep', 'a.md')})" \
        in result.stderr
    assert (tmp_path / "p/deep/a.md").read_text(encoding="utf-8") == SECONDS
    # A hard link the walk would not lint (its name is not included) is no clipping.
    os.unlink(tmp_path / "p/deep/a.md")
    os.link(tmp_path / "report.txt", tmp_path / "p/deep/a.txt")
    written = run_cliplint(*ISOLATED, option, "report.txt", "p", cwd=tmp_path)
    assert written.status in (0, 1) and "files to lint" not in written.stderr, written


def test_a_report_named_as_the_manifest_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # It was emptied before it was read: "All clean: 0 files checked", exit 0.
    write(tmp_path / "ok.md", SECONDS)
    write(tmp_path / "list.txt", "ok.md\n")
    result = run_cliplint(*ISOLATED, "--paths-from", "list.txt", "--output-file", "list.txt",
                          cwd=tmp_path)
    assert result.status == 2, result
    assert "the output file list.txt is the manifest --paths-from reads" in result.stderr
    assert (tmp_path / "list.txt").read_text(encoding="utf-8") == "ok.md\n"


def test_a_batched_runs_report_replaces_the_file_once_the_run_has_ended(
        tmp_path: Path) -> None:
    write(tmp_path / "ok.md", SECONDS)
    write(tmp_path / "list.txt", "ok.md\n")
    write(tmp_path / "report.txt", "an earlier report, longer than the new one " * 20)
    result = run_cliplint(*ISOLATED, "--paths-from", "list.txt", "--output-file", "report.txt",
                          cwd=tmp_path)
    assert result.status == 1, result
    local = run_cliplint(*ISOLATED, "--output-file", "expected.txt", "ok.md", cwd=tmp_path)
    assert local.status == 1, local
    report = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert report == (tmp_path / "expected.txt").read_text(encoding="utf-8")
    assert report.startswith("ok.md:1:5: timestamp-comment")  # (what it shows, so it shows)
    # A run that fails on the way leaves the earlier report as it was.
    write(tmp_path / "report.txt", "kept\n")
    write(tmp_path / "list.txt", "ok.md\nreport.txt\n")
    refused = run_cliplint(*ISOLATED, "--paths-from", "list.txt", "--output-file", "report.txt",
                           cwd=tmp_path)
    assert refused.status == 2 and (tmp_path / "report.txt").read_text() == "kept\n"


def test_a_stats_file_whose_name_is_too_long_is_refused_before_the_report_is_written(
        tmp_path: Path) -> None:
    # report.html's stats file, "report.stats.json", is 6 bytes longer: the report was
    # written, then the run failed on its stats file.
    write(tmp_path / "ok.md", SECONDS)
    report = "r" * 245 + ".html"  # 250 bytes: a name; its stats file's, 256: none
    result = run_cliplint(*ISOLATED, "--format", "html", "--output-file", report, "ok.md",
                          cwd=tmp_path)
    assert result.status == 2, result
    assert f"cannot write the output file's stats file {'r' * 245}.stats.json: File name " \
           "too long" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["ok.md"]


def test_a_report_the_walk_of_a_linted_folder_would_find_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write(archive / "a.md", SECONDS)
    write(archive / "report.md", "an earlier report\n")
    for target in ("archive/report.md", "archive/new.md", "archive/sub/../new.md"):
        (archive / "sub").mkdir(exist_ok=True)
        result = run_cliplint(*ISOLATED, "--output-file", target, "archive", cwd=tmp_path)
        assert result.status == 2, (target, result)
        assert f"{target} would be linted: it is inside the folder archive" in result.stderr
    assert (archive / "report.md").read_text(encoding="utf-8") == "an earlier report\n"
    assert not (archive / "new.md").exists()
    # Run from inside it, the folder named '.': the same.
    inside = run_cliplint(*ISOLATED, "--output-file", "report.md", cwd=archive)
    assert inside.status == 2 and "inside the folder ." in inside.stderr


def test_a_report_in_a_linted_folder_that_the_walk_leaves_out_is_written(
        tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write(archive / "a.md", SECONDS)
    write(tmp_path / "cliplint.toml", 'exclude = ["reports"]\n')
    (archive / "reports").mkdir()
    # Not a clipping by name (include: *.md), or excluded: the walk never lints it.
    for target in ("archive/report.json", "archive/reports/report.md"):
        result = run_cliplint("--no-cache", "--output-file", target, "archive", cwd=tmp_path)
        assert result.status == 1, (target, result)
        assert "a.md:1:5: timestamp-comment" in (tmp_path / target).read_text(encoding="utf-8")


# -- a closed standard error -------------------------------------------------------------


@pytest.mark.parametrize("extra", [[], ["-qq"]])
def test_a_closed_standard_error_drops_its_messages_and_the_run_goes_on(
        tmp_path: Path, extra: list[str]) -> None:
    write(tmp_path / "ok.md", SECONDS)
    done = subprocess.run(
        ["sh", "-c", f'exec "$0" -m cliplint --isolated --no-cache {" ".join(extra)} ok.md 2>&-',
         sys.executable], cwd=tmp_path, capture_output=True, timeout=120,
        env=_environment())
    assert done.returncode == 1, done
    assert done.stdout.decode().startswith("" if extra else "ok.md:1:5: timestamp-comment")
    assert b"error" not in done.stdout.replace(b"(1 error)", b"")  # no message there


def test_an_error_with_standard_error_closed_is_not_printed_on_standard_output(
        tmp_path: Path) -> None:
    done = subprocess.run(
        ["sh", "-c", 'exec "$0" -m cliplint --isolated missing.md 2>&-', sys.executable],
        cwd=tmp_path, capture_output=True, timeout=120, env=_environment())
    assert (done.returncode, done.stdout) == (2, b"")


# -- --compare reads a stats file, never a device or without bound -------------------------


def test_compare_refuses_a_device_and_leaves_the_report_alone(tmp_path: Path) -> None:
    write(tmp_path / "ok.md", GOOD_CLIPPING)
    write(tmp_path / "rep" / "r.html", "an earlier report\n")
    result = run_cliplint(*ISOLATED, "--format", "html", "--output-file", "rep/r.html",
                          "--compare", "/dev/zero", "ok.md", cwd=tmp_path)
    assert result.status == 2
    assert result.stderr == "cliplint: error: cannot read /dev/zero: a device, not a file\n"
    assert (tmp_path / "rep" / "r.html").read_text(encoding="utf-8") == "an earlier report\n"


def test_compare_reads_no_more_than_the_largest_stats_file(tmp_path: Path) -> None:
    from cliplint.formats.archive_stats import LARGEST_STATS

    write(tmp_path / "ok.md", GOOD_CLIPPING)
    with open(tmp_path / "huge.json", "wb") as huge:
        huge.truncate(LARGEST_STATS + 1)  # sparse: no disk used
    result = run_cliplint(*ISOLATED, "--format", "html", "--output-file", "r.html",
                          "--compare", "huge.json", "ok.md", cwd=tmp_path)
    assert result.status == 2
    assert result.stderr == ("cliplint: error: huge.json is not a cliplint stats file: it "
                             "holds more than 16 MiB (a stats file holds aggregates and "
                             "capped lists, well under a megabyte for an archive of "
                             "millions of clippings)\n")
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("enabled", [[1, "title-link"], [None], "title-link"])
def test_compare_refuses_a_stats_file_whose_enabled_rules_are_not_names(
        tmp_path: Path, enabled: object) -> None:
    """The rules a stats file says were enabled are compared with today's: other than a
    list of names (a stats file edited or made by another program), an internal error
    (exit 3: sorted() of an int and a str), or a string's letters taken for rules."""
    write(tmp_path / "ok.md", GOOD_CLIPPING)
    made = run_cliplint(*ISOLATED, "--format", "html", "--output-file", "r.html", "ok.md",
                        cwd=tmp_path)
    assert made.status == 0, made.stderr
    stats = json.loads((tmp_path / "r.stats.json").read_text(encoding="utf-8"))
    stats["configuration"]["enabled"] = enabled
    write(tmp_path / "old.json", json.dumps(stats))
    result = run_cliplint(*ISOLATED, "--format", "html", "--output-file", "new.html",
                          "--compare", "old.json", "ok.md", cwd=tmp_path)
    assert (result.status, result.stdout) == (2, ""), result.stderr
    assert result.stderr.startswith("cliplint: error: old.json is not a cliplint stats "
                                    "file: at configuration/enabled")
    assert not (tmp_path / "new.html").exists()


def test_a_baseline_or_configuration_file_of_gigabytes_is_refused_unread(
        tmp_path: Path) -> None:
    """A file named as a baseline or found as the configuration that is far larger than
    any real one is refused, exit 2, before it is read: read whole, a file of 2 GB made
    a MemoryError, exit 3, or filled the memory."""
    from cliplint.baseline import LARGEST_BASELINE
    from cliplint.config import LARGEST_CONFIG

    write(tmp_path / "ok.md", GOOD_CLIPPING)
    with open(tmp_path / "baseline.json", "wb") as huge:
        huge.truncate(LARGEST_BASELINE + 1)  # sparse: no disk used
    result = run_cliplint(*ISOLATED, "--baseline", "baseline.json", "ok.md", cwd=tmp_path)
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == ("cliplint: error: baseline.json is not a cliplint baseline: it "
                             "holds more than 512 MiB (room for 1.6 million problems; one "
                             "of 4,079 holds 1.3 MB)\n")
    with open(tmp_path / "cliplint.toml", "wb") as huge:
        huge.truncate(LARGEST_CONFIG + 1)
    result = run_cliplint("--no-cache", "ok.md", cwd=tmp_path)
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == (f"cliplint: error: {tmp_path / 'cliplint.toml'}: holds more "
                             "than 16 MiB: not a configuration file cliplint reads\n")


def test_an_empty_config_name_is_an_error_not_the_nearest_configuration(
        tmp_path: Path) -> None:
    # An unset variable (`--config "$CONFIG"`): before, the nearest file was used quietly.
    write(tmp_path / "ok.md", GOOD_CLIPPING)
    write(tmp_path / "cliplint.toml", 'select = ["title-link"]\n')
    result = run_cliplint("--no-cache", "--config", "", "ok.md", cwd=tmp_path)
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == "cliplint: error: --config needs a file name, not an empty one\n"


def test_the_no_clippings_warning_names_some_globs_not_all(tmp_path: Path) -> None:
    # 200,000 include globs made a warning of 1.9 MB.
    globs = [f"*.g{number}" for number in range(300)]
    write(tmp_path / "cliplint.toml", f"include = {json.dumps(globs)}\n")
    (tmp_path / "empty").mkdir()
    result = run_cliplint("--no-cache", "empty", cwd=tmp_path)
    assert result.status == 0
    assert result.stderr == ("cliplint: warning: no clippings found under empty (include: "
                             + ", ".join(globs[:10]) + ", ... (300 in all))\n")


def test_a_baseline_that_is_not_utf8_says_where(tmp_path: Path) -> None:
    write(tmp_path / "ok.md", GOOD_CLIPPING)
    (tmp_path / "b.json").write_bytes(b'{"version": 1, "problems": ["\xff"]}')
    result = run_cliplint(*ISOLATED, "--baseline", "b.json", "ok.md", cwd=tmp_path)
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == ("cliplint: error: b.json: not a cliplint baseline (not UTF-8: "
                             "byte 0xff at offset 29)\n")


# -- --diff and a report for programs ------------------------------------------------------


@pytest.mark.parametrize("format_name", ["json", "sarif", "junit", "gitlab", "html"])
def test_diff_with_a_report_for_programs_needs_an_output_file(
        tmp_path: Path, format_name: str) -> None:
    write(tmp_path / "ok.md", SECONDS)
    refused = run_cliplint(*ISOLATED, "--diff", "--format", format_name, "ok.md", cwd=tmp_path)
    assert refused.status == 2 and refused.stdout == ""
    assert (f"--diff prints the diff on standard output: the --format {format_name} report "
            "cannot go there too; write it to a file with --output-file FILE") in refused.stderr
    if format_name == "json":
        done = run_cliplint(*ISOLATED, "--diff", "--format", "json", "--output-file",
                            "r.json", "ok.md", cwd=tmp_path)
        assert done.status == 1 and done.stdout.startswith("--- a/ok.md")
        assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["version"] == 1


@pytest.mark.parametrize("format_name", ["text", "github"])
def test_diff_with_a_report_people_or_the_runner_read_still_works(
        tmp_path: Path, format_name: str) -> None:
    write(tmp_path / "ok.md", SECONDS)
    done = run_cliplint(*ISOLATED, "--diff", "--format", format_name, "ok.md", cwd=tmp_path)
    assert done.status == 1 and done.stdout.startswith("--- a/ok.md")


#: A plugin whose rules quote clipping text raw, as the engine allows (a bidi control makes
#: no line of its own): a message, a fix's description and a related file's message.
QUOTING_RULES = '''
"""Rules that quote raw.

Why: to see how the reports show what they quote.
"""
from types import ModuleType
from cliplint import Edit, Fix, Violation, hookimpl
from cliplint.api import ArchiveViolation, Related

CONTROLS = {controls!r}


def check(document, options):
    if not document.text.startswith("<!-- "):
        yield Violation(0, 4, f"title {{CONTROLS}}quoted",
                        Fix((Edit(4, 4, " "),), "safe", f"keep {{CONTROLS}}it"))


def record(document, options):
    return None


def reduce(entries, options):
    first, second = sorted(entry.path for entry in entries)
    yield ArchiveViolation(first, f"copy {{CONTROLS}}of", (Related(second, f"see {{CONTROLS}}"),))


def rule(name, **attributes):
    module = ModuleType(f"cliplint_quoting.{{name}}", __doc__)
    vars(module).update(ID=f"quoting/{{name}}", SEVERITY="warning", **attributes)
    return module


@hookimpl
def cliplint_rules():
    return [rule("quote", FIX="safe", check=check),
            rule("copies", FIX=None, record=record, reduce=reduce)]
'''


def test_reports_people_read_show_bidi_controls_in_messages_as_escapes(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # Trojan Source through a message: a rule quoting a title, a URL or a comment raw puts
    # its controls on the reader's terminal (the built-in rules quote them escaped).
    env = plugin_env(distribution="cliplint-quoting", entry_name="quoting",
                     module="cliplint_quoting", source=QUOTING_RULES.format(controls=BIDI))
    write(tmp_path / "a.md", GOOD_CLIPPING)
    write(tmp_path / "b.md", GOOD_CLIPPING)
    escaped = "".join(f"\\u{ord(char):04x}" for char in BIDI)
    lint = (*ISOLATED, "--select", "quoting/", "a.md", "b.md")
    text = run_cliplint(*lint, cwd=tmp_path, env=env).stdout
    assert f"a.md:1:1: warning quoting/quote title {escaped}quoted [*]" in text.splitlines()
    assert (f"a.md:1:1: warning quoting/copies copy {escaped}of — see {escaped} b.md"
            in text.splitlines())
    # JUnit's report lines are the text report's (its attributes are data); GitHub's
    # annotations are read by people (their file property names the file as it is).
    junit = run_cliplint(*lint, "--format", "junit", cwd=tmp_path, env=env).stdout
    failures = {(failure.get("message"), failure.text)
                for failure in ET.fromstring(junit).iter("failure")}
    assert (f"warning: copy {BIDI}of — see {BIDI} b.md",
            f"a.md:1:1: warning quoting/copies copy {escaped}of — see {escaped} b.md") in failures
    github = run_cliplint(*lint, "--format", "github", cwd=tmp_path, env=env).stdout
    assert f"::quoting/copies: copy {escaped}of — see {escaped} b.md" in github
    # The data formats keep the messages as the rules wrote them: a program reads them.
    problems = json.loads(run_cliplint(*lint, "--format", "json", cwd=tmp_path,
                                       env=env).stdout)["problems"]
    assert {(problem["message"], *(item["message"] for item in problem.get("related", ())))
            for problem in problems} == {(f"title {BIDI}quoted",),
                                         (f"copy {BIDI}of", f"see {BIDI}")}
    fixed = run_cliplint(*ISOLATED, "--select", "quoting/quote", "--fix", "--show-fixes",
                         "a.md", cwd=tmp_path, env=env).stdout
    assert f"    1 × quoting/quote (keep {escaped}it)" in fixed.splitlines()
    lines = [line for _, line in failures]
    for shown in (text, *lines, github, fixed):
        assert not any(char in shown for char in BIDI)


# -- a reader that goes away ---------------------------------------------------------------


@pytest.mark.parametrize("buffered", [True, False])
@pytest.mark.parametrize("command", [["rules"], ["explain", "aggregator-boilerplate"],
                                     ["--isolated", "--show-files", "."]])
def test_a_command_that_only_prints_exits_0_when_its_reader_goes_away(
        tmp_path: Path, command: list[str], buffered: bool) -> None:
    # `cliplint rules | head -1`: the reader got what it wanted, however the output is
    # buffered (it was 1 when the pipe broke during a write, 0 at the last flush).
    write(tmp_path / "a.md", SECONDS)
    environment = _environment()
    environment.pop("PYTHONUNBUFFERED", None)
    if not buffered:
        environment["PYTHONUNBUFFERED"] = "1"
    reader, writer = os.pipe()
    process = subprocess.Popen([sys.executable, "-m", "cliplint", *command], cwd=tmp_path,
                               stdout=writer, stderr=subprocess.PIPE, env=environment)
    os.close(writer)
    os.close(reader)  # gone before cliplint writes a line
    _, said = process.communicate(timeout=120)
    assert (process.returncode, said) == (0, b"")


# -- --online and a fix run ----------------------------------------------------------------


@pytest.mark.parametrize("fixing", ["--fix", "--fix-only", "--diff"])
def test_online_with_a_fix_run_is_refused(tmp_path: Path, fixing: str) -> None:
    write(tmp_path / "ok.md", SECONDS)
    result = run_cliplint(*ISOLATED, "--online", fixing, "ok.md", cwd=tmp_path)
    assert result.status == 2
    assert f"--online runs the rules' online checks in a lint run; a fix run does not run " \
           f"them: it cannot be used with {fixing}" in result.stderr
    assert (tmp_path / "ok.md").read_text(encoding="utf-8") == SECONDS


# -- what a configuration's errors echo ------------------------------------------------------


def test_a_huge_value_in_a_configuration_is_echoed_cut(tmp_path: Path) -> None:
    write(tmp_path / "ok.md", GOOD_CLIPPING)
    write(tmp_path / "cliplint.toml",
          f'ignore = ["{"x" * 5_000_000}"]\ninclude = "{"y" * 1_000_000}"\n'
          f'[per-file-ignores]\n"{"g" * 2_000_000}" = ["nope"]\n')
    result = run_cliplint("--no-cache", "--config", "cliplint.toml", "ok.md", cwd=tmp_path)
    assert result.status == 2
    lines = result.stderr.splitlines()[1:]
    assert lines == [
        f"  cliplint.toml:1: ignore[0]: unknown rule '{'x' * 99}… (5,000,002 characters) "
        "(see 'cliplint rules')",
        f"  cliplint.toml:2: include: '{'y' * 99}… (1,000,002 characters) is not of type "
        "'array'",
        f"  cliplint.toml:4: per-file-ignores.{'g' * 33}…{'g' * 47}[0] (2,000,020 characters): "
        "unknown rule 'nope' (see 'cliplint rules')",
    ]


def test_a_rule_id_that_is_no_string_is_said_to_be_one(tmp_path: Path) -> None:
    write(tmp_path / "ok.md", GOOD_CLIPPING)
    write(tmp_path / "cliplint.toml", "ignore = [1]\nselect = [true]\n")
    result = run_cliplint("--no-cache", "--config", "cliplint.toml", "ok.md", cwd=tmp_path)
    assert result.status == 2
    assert result.stderr.splitlines()[1:] == [
        "  cliplint.toml:1: ignore[0]: 1 is not a rule id: a rule id is a string, written "
        "in quotes ('title-link', 'ALL', or a plugin prefix 'name/')",
        "  cliplint.toml:2: select[0]: true is not a rule id: a rule id is a string, written "
        "in quotes ('title-link', 'ALL', or a plugin prefix 'name/')",
    ]


# -- bidi controls in the text report ------------------------------------------------------

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_the_text_report_shows_bidi_controls_as_escapes(tmp_path: Path) -> None:
    # Trojan Source: U+202E in a name shows what follows it backwards ('x<RLO>dm.md' reads
    # 'xdm.md' reversed); in a line shown by --show-source it hides what the line holds.
    name = f"x{BIDI}dm.md"
    write(tmp_path / name, SECONDS.replace("Some article", f"Some {BIDI} article"))
    text = run_cliplint(*ISOLATED, "--show-source", ".", cwd=tmp_path).stdout
    escaped = "".join(f"\\u{ord(char):04x}" for char in BIDI)
    lines = text.splitlines()
    assert lines[0].startswith(f"./x{escaped}dm.md:1:5: timestamp-comment ")
    # (invisible-characters reports each control: each report shows the line)
    shown = [index for index, line in enumerate(lines) if line.startswith("  <p>Some ")]
    assert {lines[index] for index in shown} == {
        f"  <p>Some {chr(0xFFFD) * len(BIDI)} article text.</p>"}
    # Each caret under its control: one column each, as shown.
    columns = [int(lines[index - 1].split(":")[2]) for index in shown]
    assert len(columns) > 1
    assert [lines[index + 1] for index in shown] == [
        "  " + " " * (column - 1) + "^" for column in columns]
    assert not any(char in text for char in BIDI)  # (the messages quote them escaped)
    # The JSON report keeps the name as it is: a program reads it.
    problems = json.loads(run_cliplint(*ISOLATED, "--format", "json", ".",
                                       cwd=tmp_path).stdout)["problems"]
    assert {problem["path"] for problem in problems} == {f"./{name}"}



@pytest.mark.parametrize("setting", ["extend", "archive-root"])
def test_a_configuration_value_quoted_in_an_error_cannot_drive_the_terminal(
        tmp_path: Path, setting: str) -> None:
    # A pull request's cliplint.toml is the author's text: its value was printed with the
    # terminal's escape sequences (ESC [ 31 m turned the rest of the log red) and bidi
    # controls raw. They are escaped as in the text report; the message stays one line.
    write(tmp_path / "ok.md", GOOD_CLIPPING)
    write(tmp_path / "cliplint.toml", f'{setting} = "x\\u001b[31m\\u202e"\n')
    result = run_cliplint("--no-cache", "ok.md", cwd=tmp_path)
    assert result.status == 2, result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert r"x\x1b[31m\u202e" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1
