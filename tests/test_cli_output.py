"""What a person reads from the command line: severities in plain text, the summary's
counts, paths as they are, CI reports where infos do not fail, --exit-zero on every path,
-q/-qq/-v/--show-files and the progress bar (issue 17). All through the real CLI."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

import pytest
from conftest import (
    GOOD_CLIPPING,
    held,
    hold_rule,
    let_go,
    read_until_closed,
    run_cliplint,
    write,
)

SECONDS = GOOD_CLIPPING.replace("744000-->", "744-->")  # timestamp-comment: an error
SECONDS_MESSAGE = ("timestamp 1686778744 is in seconds, not milliseconds (did you mean "
                   "1686778744000?)")
NO_BLANK = GOOD_CLIPPING.replace("------\n\n", "------\n")  # title-link, made a warning
ESCAPED = GOOD_CLIPPING.replace("A good title", "Tom &amp; Jerry")  # title-escaping: info
HELD = GOOD_CLIPPING.replace("Some article text.", "HOLD")  # the rule hold/hold holds it
RULES = "--select=timestamp-comment,title-link,title-escaping"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def three(tmp_path: Path) -> Path:
    """An archive with one error, one warning and one info."""
    write(tmp_path / "cliplint.toml", '[severity]\ntitle-link = "warning"\n')
    write(tmp_path / "a.md", SECONDS)
    write(tmp_path / "b.md", NO_BLANK)
    write(tmp_path / "c.md", ESCAPED)
    return tmp_path


def on_terminal(arguments: list[str], cwd: Path, env: dict[str, str] | None = None,
                stdout: int | None = None) -> tuple[int, str]:
    """Run cliplint with standard error (and standard output, unless ``stdout`` is
    given) on a pseudo-terminal 120 columns wide; its exit status and what the terminal
    got."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("NO_COLOR", "CI") and not k.startswith("CLIPLINT")}
    process = subprocess.Popen([sys.executable, "-m", "cliplint", *arguments], cwd=cwd,
                               stdout=follower if stdout is None else stdout,
                               stderr=follower, env=environment | (env or {}))
    os.close(follower)
    output = read_until_closed(leader, wait=300)
    status = process.wait(timeout=300)
    os.close(leader)
    return status, output.decode("utf-8", "replace")


# -- severity in plain text --------------------------------------------------------------


def test_plain_text_names_each_severity_and_counts_them(three: Path) -> None:
    result = run_cliplint(RULES, ".", cwd=three)
    assert result.status == 1  # the error fails the run
    lines = result.stdout.splitlines()
    assert lines[0].startswith("./a.md:1:5: timestamp-comment timestamp 1686778744 is in")
    assert lines[1].startswith("./b.md:4:1: warning title-link missing blank line")
    assert lines[2].startswith("./c.md:2:6: info title-escaping entity '&amp;'")
    assert lines[3] == ("Found 3 problems (1 error, 1 warning, 1 info) in 3 files checked "
                        "(3 fixable with --fix).")
    # The same words with colour on a terminal: only the escapes differ.
    status, shown = on_terminal([RULES, "."], three)
    assert status == 1 and "\x1b[" in shown
    assert ANSI.sub("", shown).replace("\r\n", "\n") == result.stdout
    assert run_cliplint(RULES, ".", cwd=three, env={"NO_COLOR": "1"}).stdout == result.stdout


def test_the_summary_says_why_a_run_with_problems_passes(three: Path) -> None:
    (three / "a.md").unlink()
    result = run_cliplint(RULES, ".", cwd=three)
    assert result.status == 0
    assert result.stdout.splitlines()[-1] == (
        "Found 2 problems (1 warning, 1 info) in 2 files checked (2 fixable with --fix). "
        "No errors: the run passes (exit status 0).")
    failing = run_cliplint(RULES, "--max-warnings", "0", ".", cwd=three)
    assert failing.status == 1 and "passes" not in failing.stdout
    assert "1 warning, more than --max-warnings 0" in failing.stderr
    within = run_cliplint(RULES, "--max-warnings", "1", "--statistics", ".", cwd=three)
    assert within.status == 0 and within.stdout.splitlines()[-1].endswith(
        "No errors, 1 within --max-warnings 1: the run passes (exit status 0).")


def test_rules_lists_every_severity_a_rule_reports() -> None:
    listing = run_cliplint("rules").stdout.splitlines()
    [image_proxy] = [line for line in listing if line.startswith("image-proxy ")]
    assert image_proxy.split()[1] == "error/warning/info"


# -- CI reports: infos are not failures ---------------------------------------------------


def test_junit_and_gitlab_do_not_fail_on_infos(three: Path) -> None:
    junit = run_cliplint(RULES, "--format", "junit", ".", cwd=three)
    suite = ET.fromstring(junit.stdout.encode("utf-8")).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "2", "0")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert [f.get("message").split(":")[0] for f in cases["./a.md"].iter("failure")] == ["error"]
    assert [f.get("message").split(":")[0] for f in cases["./b.md"].iter("failure")] == ["warning"]
    info_case = cases["./c.md"]
    assert info_case.find("failure") is None and info_case.find("skipped") is None
    assert info_case.findtext("system-out").startswith("./c.md:2:6: info title-escaping ")
    # Streamed to a file as the files are linted: the same document.
    run_cliplint(RULES, "--format", "junit", "--output-file", "out.xml", ".", cwd=three)
    assert (three / "out.xml").read_text(encoding="utf-8") == junit.stdout

    (three / "a.md").unlink()
    (three / "b.md").unlink()
    only_info = run_cliplint(RULES, "--format", "junit", ".", cwd=three)
    assert only_info.status == 0
    suite = ET.fromstring(only_info.stdout.encode("utf-8")).find("testsuite")
    assert suite is not None and suite.get("failures") == "0"


def test_gitlab_severities(three: Path) -> None:
    result = run_cliplint(RULES, "--format", "gitlab", ".", cwd=three)
    severities = {issue["location"]["path"]: issue["severity"]
                  for issue in json.loads(result.stdout)}
    # GitLab Code Quality: info, minor, major, critical, blocker.
    assert severities == {"a.md": "major", "b.md": "minor", "c.md": "info"}


# -- --exit-zero on every exit path ------------------------------------------------------


def test_exit_zero_with_diff(tmp_path: Path) -> None:
    write(tmp_path / "a.md", SECONDS)
    changed = run_cliplint("--isolated", "--diff", "a.md", cwd=tmp_path)
    assert changed.status == 1 and changed.stdout.startswith("--- a/a.md")
    zero = run_cliplint("--isolated", "--diff", "--exit-zero", "a.md", cwd=tmp_path)
    assert zero.status == 0 and zero.stdout == changed.stdout
    assert (tmp_path / "a.md").read_text() == SECONDS  # --diff writes nothing


def test_exit_zero_when_the_reader_goes_away(tmp_path: Path) -> None:
    for index in range(30):
        write(tmp_path / f"{index:02}.md", SECONDS)

    def status(*extra: str) -> int:
        reader, writer = os.pipe()
        process = subprocess.Popen([sys.executable, "-m", "cliplint", "--isolated", *extra,
                                    "."], cwd=tmp_path, stdout=writer,
                                   stderr=subprocess.DEVNULL)
        os.close(writer)
        os.close(reader)  # gone before cliplint writes a line
        return process.wait(timeout=300)

    assert status() == 1
    assert status("--exit-zero") == 0


# -- paths ---------------------------------------------------------------------------------


def test_paths_are_printed_as_they_are_save_control_characters(tmp_path: Path) -> None:
    odd = "迫近\u3000香港\u200b"
    write(tmp_path / f"{odd}.md", SECONDS)
    write(tmp_path / "new\nline.md", SECONDS)
    result = run_cliplint("--isolated", "--select", "timestamp-comment", ".", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # the newline in a name does not split its problem in two
    assert lines[0].startswith("./new\\nline.md:1:5: timestamp-comment ")
    assert lines[1].startswith(f"./{odd}.md:1:5: timestamp-comment ")  # pasteable
    # Pasted back into a shell, the path names the file.
    pasted = lines[1].split(":")[0]
    assert run_cliplint("--isolated", "--select", "timestamp-comment", pasted,
                        cwd=tmp_path).status == 1
    shown = run_cliplint("--isolated", "--show-files", ".", cwd=tmp_path).stdout
    assert shown.splitlines() == ["./new\\nline.md", f"./{odd}.md"]


def test_an_output_encoding_short_of_the_text_escapes_it(tmp_path: Path) -> None:
    # A cp1252 console, PYTHONIOENCODING=ascii: the text report escapes what it cannot
    # encode; the reports for programs are UTF-8 whatever the locale (JSON must be).
    odd = "迫近—香港"
    write(tmp_path / f"{odd}.md", SECONDS)
    ascii_only = {"PYTHONIOENCODING": "ascii"}
    text = run_cliplint("--isolated", "--select", "timestamp-comment", ".", cwd=tmp_path,
                        env=ascii_only)
    assert text.status == 1 and "internal error" not in text.stderr
    assert text.stdout.startswith("./\\u8feb\\u8fd1\\u2014\\u9999\\u6e2f.md:1:5: timestamp-comment ")
    for format_name in ("json", "sarif", "junit", "html", "gitlab", "github"):
        report = run_cliplint("--isolated", "--select", "timestamp-comment", "--format",
                              format_name, ".", cwd=tmp_path, env=ascii_only)
        assert report.status == 1 and report.stderr == "", format_name
        # (decoded as UTF-8; SARIF's URIs are percent-encoded, as RFC 3986 has them)
        shown = quote(odd) if format_name == "sarif" else odd
        assert shown in report.stdout, format_name
    problems = json.loads(run_cliplint("--isolated", "--format", "json", ".", cwd=tmp_path,
                                       env=ascii_only).stdout)["problems"]
    assert {problem["path"] for problem in problems} == {f"./{odd}.md"}
    explained = run_cliplint("explain", "aggregator-boilerplate", env=ascii_only)
    assert explained.status == 0 and "\\u83b7\\u53d6" in explained.stdout  # 获取


def _github_annotation(folder: Path, name: str) -> str:
    """The one annotation --format github writes for a clipping named ``name`` whose
    timestamp is in seconds."""
    write(folder / name, SECONDS)
    result = run_cliplint("--isolated", "--select", "timestamp-comment", "--format", "github",
                          ".", cwd=folder)
    [line] = result.stdout.splitlines()
    return line


def test_github_escapes_what_workflow_commands_need(tmp_path: Path) -> None:
    # GitHub's workflow commands: %, CR and LF escaped everywhere; ':' and ',' too in
    # the properties (file=...,line=...).
    line = _github_annotation(tmp_path, "a%b,c:d\ne.md")
    assert line.startswith("::error file=./a%25b%2Cc%3Ad%0Ae.md,line=1,col=5,")
    assert "::timestamp-comment: timestamp 1686778744" in line


def test_github_shows_control_characters_in_a_path_as_escapes(tmp_path: Path) -> None:
    # An escape sequence in a file name reached the log raw (GitHub shows ANSI colours; a
    # terminal runs an OSC); a C1 control too (U+009B is a CSI in some terminals).
    # Written so in file=, the escapes named another file (see the test below): the name
    # is in the message, where the text report shows it, and the annotation has no file.
    line = _github_annotation(tmp_path, "esc\x1b[31mRED\x1b]0;TITLE\x07\u009b.md")
    assert line.startswith("::error title=cliplint (timestamp-comment)::"
                           "./esc\\x1b[31mRED\\x1b]0;TITLE\\x07\\x9b.md:1:5: timestamp-comment: ")
    assert all(unicodedata.category(char) != "Cc" for char in line)


def test_github_names_no_file_it_cannot_name_exactly(tmp_path: Path) -> None:
    # A name that is not UTF-8 (caf\xe9.md, Latin-1) went into file= as caf\udce9.md: the
    # annotation of another file, one that may be there too. The runner takes UTF-8
    # text and decodes only %25, %0D, %0A, %3A and %2C: no file= can name the file, so
    # there is none, and the message says where, as the text report does.
    write(tmp_path / os.fsdecode(b"caf\xe9.md"), SECONDS)
    write(tmp_path / "caf\\udce9.md", SECONDS)  # the file that file= named
    result = run_cliplint("--isolated", "--select", "timestamp-comment", "--format", "github",
                          ".", cwd=tmp_path)
    text = run_cliplint("--isolated", "--select", "timestamp-comment", ".", cwd=tmp_path)
    assert sorted(result.stdout.splitlines()) == [
        "::error file=./caf\\udce9.md,line=1,col=5,endLine=1,endColumn=15,"
        "title=cliplint (timestamp-comment)::timestamp-comment: " + SECONDS_MESSAGE,
        "::error title=cliplint (timestamp-comment)::./caf\\udce9.md:1:5: timestamp-comment: "
        + SECONDS_MESSAGE]
    assert text.stdout.splitlines()[:2] == [
        "./caf\\udce9.md:1:5: timestamp-comment " + SECONDS_MESSAGE + " [*]"] * 2


def test_github_annotates_a_file_named_with_a_tab_as_it_is(tmp_path: Path) -> None:
    # Written as an escape, the tab's file was named as another file could be (a
    # backslash and a 't'), where its annotation would land; a tab runs nothing in a log.
    tab = _github_annotation(tmp_path / "tab", "a\tb.md")
    assert tab.startswith("::error file=./a\tb.md,line=1,")
    assert _github_annotation(tmp_path / "escape", "a\\tb.md").startswith(
        "::error file=./a\\tb.md,line=1,")


# -- -q, -qq, -v, --show-files -----------------------------------------------------------


def test_qq_says_nothing_but_an_error(three: Path) -> None:
    # The baseline's notices and the warning of a folder without clippings went to
    # standard error under -qq, which promises nothing but the exit status.
    run_cliplint(RULES, "--write-baseline", "base.json", "b.md", cwd=three)
    loud = run_cliplint(RULES, "--baseline", "base.json", ".", cwd=three)
    assert "1 problem suppressed by the baseline" in loud.stderr, loud.stderr
    silent = run_cliplint(RULES, "-qq", "--baseline", "base.json", ".", cwd=three)
    assert (silent.status, silent.stdout, silent.stderr) == (loud.status, "", "")
    (three / "empty").mkdir()
    empty = run_cliplint("-qq", "empty", cwd=three)
    assert (empty.status, empty.stdout, empty.stderr) == (0, "", "")
    assert "no clippings found" in run_cliplint("empty", cwd=three).stderr
    missing = run_cliplint("-qq", "--baseline", "base.json", "nothere", cwd=three)
    assert (missing.status, missing.stdout) == (2, "")
    assert missing.stderr == "cliplint: error: path does not exist: nothere\n"


def test_quiet_verbose_and_show_files(three: Path) -> None:
    write(three / "skip" / "x.md", SECONDS)
    write(three / "cliplint.toml", 'exclude = ["skip/**"]\n'
          '[severity]\ntitle-link = "warning"\n')
    loud = run_cliplint(RULES, ".", cwd=three)
    quiet = run_cliplint(RULES, "-q", ".", cwd=three)
    assert quiet.status == loud.status == 1
    assert quiet.stdout.splitlines() == loud.stdout.splitlines()[:-1]  # no summary
    silent = run_cliplint(RULES, "-qq", ".", cwd=three)
    assert (silent.status, silent.stdout, silent.stderr) == (1, "", "")
    # A report rendered whole at the end (with a baseline), not streamed: silent too.
    run_cliplint(RULES, "--write-baseline", "base.json", "b.md", cwd=three)
    silent = run_cliplint(RULES, "-qq", "--baseline", "base.json", ".", cwd=three)
    assert (silent.status, silent.stdout) == (1, "")
    assert run_cliplint(RULES, "-q", "--baseline", "base.json", ".", cwd=three).stdout.startswith(
        "./a.md:1:5: timestamp-comment")

    verbose = run_cliplint(RULES, "-v", ".", cwd=three)
    assert verbose.stdout == loud.stdout
    notes = verbose.stderr.splitlines()
    assert notes[0] == f"cliplint: configuration: {three / 'cliplint.toml'}"
    assert re.fullmatch(r"cliplint: 3 files checked in \d+\.\d\d s: 3 from the cache, "
                        r"0 linted", notes[1]), notes
    cold = run_cliplint(RULES, "-v", "--no-cache", "--isolated", "a.md", cwd=three)
    assert cold.stderr.splitlines()[0] == "cliplint: configuration: none (--isolated)"
    # From a folder with no file above it, a folder's own file still applies below it,
    # as three's does here: "the defaults" alone misled a keeper.
    above = run_cliplint(RULES, "-v", "--no-cache", three.name, cwd=three.parent)
    assert above.stderr.splitlines()[0] == (
        "cliplint: configuration: none found from the current folder, the defaults; a "
        "folder's own file applies below it")
    assert "1 file checked in" in cold.stderr and "0 from the cache, 1 linted" in cold.stderr
    # The user's own configuration applies too (its trusted settings): it was not named.
    user = write(three.parent / "xdg" / "cliplint" / "cliplint.toml", "fix-outside-tree = true\n")
    xdg = {"XDG_CONFIG_HOME": str(user.parent.parent)}
    assert run_cliplint(RULES, "-v", ".", cwd=three, env=xdg).stderr.splitlines()[0] == (
        f"cliplint: configuration: {three / 'cliplint.toml'}; and the user configuration {user}")
    assert run_cliplint(RULES, "-v", "--no-cache", three.name, cwd=three.parent,
                        env=xdg).stderr.splitlines()[0].endswith(
        f"applies below it; and the user configuration {user}")
    assert run_cliplint(RULES, "-v", "--isolated", "a.md", cwd=three, env=xdg).stderr.splitlines()[
        0] == "cliplint: configuration: none (--isolated)"

    listed = run_cliplint("--show-files", ".", cwd=three)
    assert listed.status == 0
    assert listed.stdout.splitlines() == ["./a.md", "./b.md", "./c.md"]  # skip/ excluded


# -- the progress bar ----------------------------------------------------------------------

#: tqdm's bar with a total: percentage, steps of the total, time spent < time left.
BAR = re.compile(r"(\d+)%\|[^|\r\n]*\| *(\d+)/(\d+) \[\d\d:\d\d<\d\d:\d\d")


@pytest.fixture
def slow(tmp_path: Path) -> Path:
    """An archive that takes over a second of CPU to lint, however fast the machine (the
    bar shows after 0.5 s): 60 clippings whose bodies hold 900 parse errors each."""
    body = "<p>" + "<b>x</i> &bogus; <div " * 300 + "</p>"
    for index in range(60):
        write(tmp_path / f"{index:02}.md", f"<!--1686778744-->\n[T {index}]"
              f"(https://example.com/a/{index})\n------\n\n{body}\n")
    write(tmp_path / "cliplint.toml", "")  # the archive's root, for archive rules
    return tmp_path


def bars(shown: str) -> list[tuple[int, int, int]]:
    return [tuple(map(int, found)) for found in BAR.findall(shown)]  # type: ignore[misc]


def test_the_bar_shows_total_percentage_and_time_left_in_long_runs(slow: Path) -> None:
    fast = ["--no-cache", "--jobs", "1"]
    # --statistics on a terminal: nothing else shows until the end.
    status, shown = on_terminal([*fast, "--statistics", "."], slow)
    assert status == 1 and bars(shown) and all(total == 60 for _, _, total in bars(shown))
    assert shown.rstrip().endswith("in 60 files checked (60 fixable with --fix).")
    # --diff to a file, --format html to a file: the bar on standard error alone.
    with open(slow / "diff.out", "w") as target:
        status, shown = on_terminal([*fast, "--diff", "."], slow, stdout=target.fileno())
    assert status == 1 and bars(shown) and all(total == 60 for _, _, total in bars(shown))
    assert (slow / "diff.out").read_text().count("+++ b/") == 60
    status, shown = on_terminal([*fast, "--format", "html", "--output-file", "r.html", "."],
                                slow)
    # The files are found as they are linted: their total comes from a count alongside.
    assert status == 1 and any(total == 60 for _, _, total in bars(shown)), shown[-500:]
    # One new file, the rest of the archive linted for archive rules: a bar for that too.
    # (Every rule: linting the rest for duplicate-clipping alone took ~0.55 s, too near
    # the bar's half second, and once showed none.)
    status, shown = on_terminal([*fast, "00.md"], slow)
    assert status == 1 and any(total == 59 for _, _, total in bars(shown)), shown[-500:]


def test_the_bar_and_a_streamed_report_share_the_terminal(slow: Path) -> None:
    plain = run_cliplint("--no-cache", "--jobs", "1", ".", cwd=slow, env={"NO_COLOR": "1"})
    status, shown = on_terminal(["--no-cache", "--jobs", "1", "."], slow, {"NO_COLOR": "1"})
    assert status == 1 and bars(shown)
    # Every report line reaches the terminal whole, the bar cleared around it.
    pieces = set(re.split(r"[\r\n]+", shown))
    assert all(line in pieces for line in plain.stdout.splitlines())


def test_no_bar_in_ci_with_q_or_off_a_terminal(slow: Path) -> None:
    arguments = ["--no-cache", "--jobs", "1", "--statistics", "."]
    assert not bars(on_terminal(arguments, slow, {"CI": "true"})[1])
    assert not bars(on_terminal([*arguments, "-q"], slow)[1])
    piped = run_cliplint(*arguments, cwd=slow)
    assert piped.status == 1 and "%|" not in piped.stderr


# -- --watch -------------------------------------------------------------------------------


class _Watch(NamedTuple):
    """A ``cliplint --watch`` running: ``until(stream, start)`` reads the lines of "out" or
    "err" up to the first that starts with ``start``."""

    until: Callable[[str, str], list[str]]
    process: subprocess.Popen[str]


@contextmanager
def _watching(folder: Path, *arguments: str,
              env: dict[str, str] | None = None) -> Iterator[_Watch]:
    """``cliplint --watch ARGUMENTS`` in ``folder`` (``env`` added to the environment),
    ended by Ctrl-C, which must give 130."""
    import queue
    import signal
    import threading

    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")}
    process = subprocess.Popen(
        [sys.executable, "-m", "cliplint", "--watch", *arguments], cwd=folder,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=environment | {"NO_COLOR": "1"} | (env or {}), text=True)
    lines: dict[str, queue.Queue[str]] = {"out": queue.Queue(), "err": queue.Queue()}
    readers = [threading.Thread(target=lambda s=stream, q=lines[name]: [q.put(x) for x in s],
                                daemon=True)
               for name, stream in (("out", process.stdout), ("err", process.stderr))]
    for reader in readers:
        reader.start()

    def until(name: str, start: str) -> list[str]:
        seen = [lines[name].get(timeout=120)]
        while not seen[-1].startswith(start):
            seen.append(lines[name].get(timeout=120))
        return seen

    try:
        yield _Watch(until, process)
    finally:
        process.send_signal(signal.SIGINT)
        status = process.wait(timeout=60)
        for reader in readers:  # they end at the streams' end; then the pipes are closed
            reader.join(timeout=60)
        for stream in (process.stdout, process.stderr):
            assert stream is not None
            stream.close()
    assert status == 130  # Ctrl-C ends a watch, as it ends any run


def test_watch_lints_again_when_a_clipping_changes(tmp_path: Path) -> None:
    write(tmp_path / "a.md", SECONDS)
    with _watching(tmp_path, "--isolated", "--select", "timestamp-comment", ".") as watch:
        first = watch.until("out", "Found")
        assert first[0].startswith("./a.md:1:5: timestamp-comment")
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / "a.md").write_text(GOOD_CLIPPING)
        watch.until("err", "cliplint: 1 file changed: linting again")
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / "notes.txt").write_text("not a clipping: no run")
        (tmp_path / "a.md").write_text(SECONDS)
        watch.until("err", "cliplint: 1 file changed")  # a.md alone: notes.txt is no clipping
        assert watch.until("out", "Found")[0].startswith("./a.md:1:5: timestamp-comment")
    refused = run_cliplint("--isolated", "--watch", "--fix", ".", cwd=tmp_path)
    assert refused.status == 2 and "does not fix" in refused.stderr


def test_watch_goes_on_when_the_watched_file_or_the_configuration_breaks(
        tmp_path: Path) -> None:
    # A branch switch takes the watched file away and brings it back; a configuration
    # saved half-edited is said, and the watch goes on.
    write(tmp_path / "a.md", SECONDS)
    with _watching(tmp_path, "--select", "timestamp-comment", "a.md") as watch:
        watch.until("out", "Found")
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / "a.md").unlink()
        watch.until("err", "cliplint: error: path does not exist: a.md")
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / "a.md").write_text(GOOD_CLIPPING)
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
    write(tmp_path / "a.md", SECONDS)
    with _watching(tmp_path, "--select", "timestamp-comment", ".") as watch:
        watch.until("out", "Found")
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / "cliplint.toml").write_text("select = [\n")
        watch.until("err", f"cliplint: error: {tmp_path / 'cliplint.toml'}: invalid TOML")
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / "cliplint.toml").write_text('select = ["timestamp-comment"]\n')
        assert watch.until("out", "./a.md:1:5: timestamp-comment")


def test_watch_lints_again_when_a_folder_comes_goes_or_is_renamed(tmp_path: Path) -> None:
    # A folder moved in brings its clippings with no event of their own; one moved out
    # takes them; a folder's own event was dropped, as a name include does not match.
    watched, elsewhere = tmp_path / "w", tmp_path / "elsewhere"
    write(watched / "ok.md", GOOD_CLIPPING)
    write(elsewhere / "feed" / "new.md", SECONDS)
    with _watching(watched, "--isolated", "--select", "timestamp-comment", ".") as watch:
        watch.until("out", "All clean")
        watch.until("err", "cliplint: watching for changes")
        (elsewhere / "feed").rename(watched / "feed")
        assert watch.until("out", "Found")[0].startswith("./feed/new.md:1:5: timestamp-comment")
        watch.until("err", "cliplint: watching for changes")
        (watched / "feed").rename(watched / "renamed")
        assert watch.until("out", "Found")[0].startswith("./renamed/new.md:1:5: timestamp")
        watch.until("err", "cliplint: watching for changes")
        (watched / "renamed").rename(elsewhere / "gone")
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        write(watched / "d" / "e" / "z.md", SECONDS)  # (mkdir -p, then the file at once)
        assert watch.until("out", "Found")[0].startswith("./d/e/z.md:1:5: timestamp-comment")


def test_watch_lints_again_when_the_watched_folder_comes_back(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "a.md", GOOD_CLIPPING)
    write(tmp_path / "elsewhere" / "sub" / "a.md", SECONDS)
    with _watching(tmp_path, "--isolated", "--select", "timestamp-comment", "sub") as watch:
        watch.until("out", "All clean")
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / "sub").rename(tmp_path / "old")
        watch.until("err", "cliplint: error: path does not exist: sub")
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / "elsewhere" / "sub").rename(tmp_path / "sub")  # (a branch switched back)
        assert watch.until("out", "Found")[0].startswith("sub/a.md:1:5: timestamp-comment")


def test_watch_judges_changes_by_the_latest_configuration(tmp_path: Path) -> None:
    # The include patterns read when the watch began were kept for every change after.
    write(tmp_path / "a.md", GOOD_CLIPPING)
    with _watching(tmp_path, "--select", "timestamp-comment", ".") as watch:
        watch.until("out", "All clean")
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / "cliplint.toml").write_text('include = ["*.md", "*.txt"]\n')
        watch.until("err", "cliplint: 1 file changed: linting again")
        watch.until("out", "All clean")
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / "new.txt").write_text(SECONDS)
        watch.until("err", "cliplint: 1 file changed: linting again")
        assert watch.until("out", "Found")[0].startswith("./new.txt:1:5: timestamp-comment")


def test_watch_lints_again_for_a_change_made_during_a_run(tmp_path: Path) -> None:
    # The watcher was set up again after each run: a file saved while a run went on (a
    # long run, an editor saving twice) was not linted until the next change.
    installed, hold = hold_rule(tmp_path)
    watched = tmp_path / "w"
    write(watched / "a.md", HELD)
    with _watching(watched, "--isolated", "--select", "timestamp-comment",
                   "--extend-select", "hold/hold", ".", env=installed) as watch:
        held(watch.process, hold)  # the first run holds a.md, read already
        (watched / "a.md").write_text(HELD.replace("744000-->", "744-->"))
        let_go(watch.process, hold)
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        watch.until("err", "cliplint: 1 file changed: linting again")
        assert watch.until("out", "Found")[0].startswith("./a.md:1:5: timestamp-comment")


def test_watch_makes_no_run_of_its_own_cache(tmp_path: Path) -> None:
    # The watchers see what a run writes: its cache, in .cliplint_cache, which an
    # include matching every name does not bring in (the folder is excluded).
    write(tmp_path / "cliplint.toml", 'include = ["*"]\nextend-exclude = ["*.toml"]\n'
                                      'select = ["timestamp-comment"]\n')
    write(tmp_path / "a.md", GOOD_CLIPPING)
    with _watching(tmp_path, ".") as watch:
        watch.until("out", "All clean")
        watch.until("err", "cliplint: watching for changes")
        assert (tmp_path / ".cliplint_cache").is_dir()
        (tmp_path / "a.md").write_text(SECONDS)
        assert watch.until("err", "cliplint: ") == ["cliplint: 1 file changed: linting again\n"]
        assert watch.until("out", "Found")[0].startswith("./a.md:1:5: timestamp-comment")


def test_watch_lints_again_when_the_configuration_above_the_paths_changes(
        tmp_path: Path) -> None:
    # Only the paths were watched: the working folder's cliplint.toml, which applies to
    # feeds/, was not, and saving it made no run. Nor does a clipping beside it.
    write(tmp_path / "cliplint.toml", 'select = ["title-link"]\n')
    write(tmp_path / "feeds" / "a.md", SECONDS)
    with _watching(tmp_path, "feeds") as watch:
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        write(tmp_path / "beside.md", SECONDS)  # not under feeds/: no run
        (tmp_path / "cliplint.toml").write_text('select = ["timestamp-comment"]\n')
        assert watch.until("err", "cliplint: 1 file changed")[-1] == (
            "cliplint: 1 file changed: linting again\n")
        assert watch.until("out", "Found")[0].startswith("feeds/a.md:1:5: timestamp-comment")


CHANGED = "cliplint: 1 file changed: linting again\n"


def relinted(watch: _Watch, start: str) -> list[str]:
    """After a change: the watch says one file changed, and its run's report, up to the
    line that starts with ``start``."""
    assert watch.until("err", "cliplint: 1 file changed")[-1] == CHANGED
    return watch.until("out", start)


def test_watch_passes_over_what_git_ignores_and_follows_the_gitignore(tmp_path: Path) -> None:
    # A draft in a folder git ignores makes no run; the .gitignore changed makes one,
    # and the walk then takes the draft.
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", "drafts/\n")
    write(tmp_path / "a.md", GOOD_CLIPPING)
    with _watching(tmp_path, "--isolated", "--select", "timestamp-comment", ".") as watch:
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        write(tmp_path / "drafts" / "x.md", SECONDS)
        (tmp_path / "a.md").write_text(SECONDS)
        assert watch.until("err", "cliplint: ") == [CHANGED]  # a.md alone
        assert watch.until("out", "Found")[0].startswith("./a.md:1:5: timestamp-comment")
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / ".gitignore").write_text("# nothing left out\n")
        assert watch.until("err", "cliplint: ") == [CHANGED]
        assert "./drafts/x.md:1:5: timestamp-comment" in "".join(watch.until("out", "Found"))


def test_watch_asks_git_once_a_walk_not_once_a_change(tmp_path: Path) -> None:
    # A checkout changes thousands of clippings at once: the latest walk's answer from
    # git tells for each that was there (one git process each took minutes). git runs
    # through a wrapper that counts what it is asked.
    root, tools = tmp_path / "repo", tmp_path / "tools"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    write(root / ".gitignore", "drafts/\n")
    write(root / "drafts" / "x.md", SECONDS)
    for number in range(12):
        write(root / f"a{number}.md", GOOD_CLIPPING)
    asked = tools / "asked"
    write(tools / "git", f'#!/bin/sh\necho "$*" >> {asked}\nexec {shutil.which("git")} "$@"\n')
    (tools / "git").chmod(0o755)
    path = f"{tools}{os.pathsep}{os.environ['PATH']}"
    with _watching(root, "--isolated", "--select", "timestamp-comment", ".",
                   env={"PATH": path}) as watch:
        assert watch.until("out", "All clean") == ["All clean: 12 files checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        before = asked.read_text().count("check-ignore")
        for number in range(12):
            (root / f"a{number}.md").write_text(SECONDS)
        (root / "drafts" / "x.md").write_text(GOOD_CLIPPING)  # ignored: no run of its own
        assert watch.until("err", "cliplint: ")[-1].endswith("files changed: linting again\n")
        watch.until("out", "Found")
        assert asked.read_text().count("check-ignore") == before


def test_watch_lints_again_when_a_gitignore_above_the_paths_or_info_exclude_changes(
        tmp_path: Path) -> None:
    # The .gitignore files from the work tree's top down to the watched folder and
    # .git/info/exclude apply to its walk; only those the walk met below it were
    # watched. A .gitignore beside the folder, or a clipping, makes no run.
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".git" / "info" / "exclude", "# git's comment\n")
    write(tmp_path / ".gitignore", "drafts/\n")
    write(tmp_path / "feeds" / "a.md", GOOD_CLIPPING)
    write(tmp_path / "feeds" / "drafts" / "x.md", SECONDS)
    with _watching(tmp_path, "--isolated", "--select", "timestamp-comment", "feeds") as watch:
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        write(tmp_path / "other" / ".gitignore", "a.md\n")  # not above feeds/: no run
        write(tmp_path / "beside.md", SECONDS)
        (tmp_path / ".gitignore").write_text("# nothing left out\n")
        assert watch.until("err", "cliplint: ") == [CHANGED]
        assert watch.until("out", "Found")[0].startswith("feeds/drafts/x.md:1:5: timestamp")
        watch.until("err", "cliplint: watching for changes")
        (tmp_path / ".git" / "info" / "exclude").write_text("drafts/\n")
        assert watch.until("err", "cliplint: ") == [CHANGED]
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]


def test_watch_follows_pattern_and_configuration_files_whose_folder_comes_later(
        tmp_path: Path) -> None:
    # A watched-for file outside the watched folder was watched in its folder only when
    # that folder was there: a repository without .git/info, a user configuration folder
    # not made yet; the exclude or the configuration written there later made no run.
    repo, xdg, outside = tmp_path / "repo", tmp_path / "xdg", tmp_path / "outside"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.rmtree(repo / ".git" / "info")
    xdg.mkdir()
    write(repo / "feeds" / "a.md", GOOD_CLIPPING)
    write(repo / "feeds" / "drafts" / "x.md", SECONDS)
    write(outside / "b.md", SECONDS)  # linted once the user's configuration says so
    (repo / "feeds" / "b.md").symlink_to(outside / "b.md")
    with _watching(repo / "feeds", "--select", "timestamp-comment", ".",
                   env={"XDG_CONFIG_HOME": str(xdg)}) as watch:
        assert watch.until("out", "Found")[0].startswith("./drafts/x.md:1:5: timestamp")
        watch.until("err", "cliplint: watching for changes")
        (repo / ".git" / "info").mkdir()
        assert relinted(watch, "Found")[0].startswith("./drafts/x.md:1:5: timestamp")
        watch.until("err", "cliplint: watching for changes")
        (repo / ".git" / "info" / "exclude").write_text("drafts/\n")
        assert relinted(watch, "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        (xdg / "cliplint").mkdir()
        assert relinted(watch, "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        (xdg / "cliplint" / "cliplint.toml").write_text("fix-outside-tree = true\n")
        assert relinted(watch, "Found")[0].startswith("./b.md:1:5: timestamp-comment")


def test_watch_lints_again_when_an_extended_configuration_changes(tmp_path: Path) -> None:
    # The configuration found was watched, not the file it extends: saving that one
    # changed the settings and made no run. A file beside it makes none; an extend
    # added is followed, and the file it replaced no longer makes a run.
    project, shared, other = tmp_path / "project", tmp_path / "shared", tmp_path / "other"
    write(project / "cliplint.toml", 'extend = "../shared/base.toml"\n')
    write(shared / "base.toml", 'select = ["title-link"]\n')
    write(other / "more.toml", 'select = ["title-link"]\n')
    write(project / "feeds" / "a.md", SECONDS)
    with _watching(project, "feeds") as watch:
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        (shared / "beside.toml").write_text('select = ["timestamp-comment"]\n')  # no run
        (shared / "base.toml").write_text('select = ["timestamp-comment"]\n')
        assert relinted(watch, "Found")[0].startswith("feeds/a.md:1:5: timestamp-comment")
        watch.until("err", "cliplint: watching for changes")
        (project / "cliplint.toml").write_text('extend = "../other/more.toml"\n')
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        (other / "more.toml").write_text('select = ["timestamp-comment"]\n')
        assert relinted(watch, "Found")[0].startswith("feeds/a.md:1:5: timestamp-comment")
        watch.until("err", "cliplint: watching for changes")
        (shared / "base.toml").write_text('select = ["ALL"]\n')  # extended no more: no run
        (other / "more.toml").write_text('select = ["title-link"]\n')
        assert relinted(watch, "All clean") == ["All clean: 1 file checked.\n"]


def test_watch_lints_again_when_what_a_folders_configuration_extends_changes(
        tmp_path: Path) -> None:
    # A configuration file under the watched folder may extend one outside it.
    watched, shared = tmp_path / "w", tmp_path / "shared"
    write(watched / "feeds" / "cliplint.toml", 'extend = "../../shared/feeds.toml"\n')
    write(shared / "feeds.toml", 'select = ["title-link"]\n')
    write(watched / "feeds" / "a.md", SECONDS)
    with _watching(watched, ".") as watch:
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        (shared / "feeds.toml").write_text('select = ["timestamp-comment"]\n')
        assert relinted(watch, "Found")[0].startswith("./feeds/a.md:1:5: timestamp-comment")


def test_watch_lints_again_when_the_config_file_or_what_it_extends_changes(
        tmp_path: Path) -> None:
    # --config's file was watched, the file it extends was not.
    conf, watched = tmp_path / "conf", tmp_path / "w"
    write(conf / "main.toml", 'extend = "base.toml"\n')
    write(conf / "base.toml", 'select = ["title-link"]\n')
    write(watched / "a.md", SECONDS)
    with _watching(watched, "--config", "../conf/main.toml", ".") as watch:
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        (conf / "beside.toml").write_text('select = ["timestamp-comment"]\n')  # no run
        (conf / "base.toml").write_text('select = ["timestamp-comment"]\n')
        assert relinted(watch, "Found")[0].startswith("./a.md:1:5: timestamp-comment")
        watch.until("err", "cliplint: watching for changes")
        (conf / "main.toml").write_text('extend = "base.toml"\nignore = ["timestamp-comment"]\n')
        assert relinted(watch, "No rule selected") == [
            "No rule selected: 1 file read, none checked.\n"]


def test_watch_lints_again_when_the_user_configuration_changes(tmp_path: Path) -> None:
    # The user's own configuration, which every run but --isolated's reads, was not
    # watched: turning fix-outside-tree on there (the walk then follows a link out of
    # the tree) made no run.
    xdg, watched, outside = tmp_path / "xdg", tmp_path / "w", tmp_path / "outside"
    (xdg / "cliplint").mkdir(parents=True)
    write(watched / "a.md", GOOD_CLIPPING)
    write(outside / "b.md", SECONDS)
    (watched / "b.md").symlink_to(outside / "b.md")
    with _watching(watched, "--select", "timestamp-comment", ".",
                   env={"XDG_CONFIG_HOME": str(xdg)}) as watch:
        assert watch.until("out", "All clean") == ["All clean: 1 file checked.\n"]
        watch.until("err", "cliplint: watching for changes")
        (xdg / "cliplint" / "beside.toml").write_text("fix-outside-tree = true\n")  # no run
        (xdg / "cliplint" / "cliplint.toml").write_text("fix-outside-tree = true\n")
        assert relinted(watch, "Found")[0].startswith("./b.md:1:5: timestamp-comment")


def test_watch_waits_for_its_working_folder_to_come_back(tmp_path: Path) -> None:
    # A branch switch takes the working folder away (it ended the watch: an internal
    # error, exit 3); it comes back a new folder, which the run goes into.
    watched, elsewhere = tmp_path / "w", tmp_path / "elsewhere"
    write(watched / "a.md", GOOD_CLIPPING)
    write(elsewhere / "w" / "a.md", SECONDS)
    with _watching(watched, "--isolated", "--select", "timestamp-comment") as watch:
        watch.until("out", "All clean")
        watch.until("err", "cliplint: watching for changes")
        shutil.rmtree(watched)
        assert watch.until("err", "cliplint: error: the working folder")[-1] == (
            f"cliplint: error: the working folder {watched} cannot be found (No such file "
            "or directory): it was deleted or moved; linting again once it is back\n")
        watch.until("err", "cliplint: watching for changes")
        (elsewhere / "w").rename(watched)
        assert watch.until("out", "Found")[0].startswith("./a.md:1:5: timestamp-comment")
    # (a run started in a folder already gone is refused, exit 2: test_cli.py)


def test_a_bar_given_its_total_inside_its_delay_is_not_drawn(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The count of files is known before the bar's delay runs out: the bar takes it
    without drawing itself (a report line written then would not clear it, and would
    share its line)."""
    import io
    import threading
    import time

    from cliplint import progress

    terminal = io.StringIO()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(progress, "DELAY", 3600.0)  # inside it, however slow the machine
    walked = threading.Event()

    def files() -> Iterator[str]:
        walked.wait()
        yield from ("a.md", "b.md", "c.md")

    count = progress.Count(files())
    with progress.bar(count) as advance:  # (its total unknown yet)
        walked.set()
        while count.value is None:
            time.sleep(0.001)
        advance(1)
        write = progress.report_writer(terminal.write, shown=True)
        write("a.md:1:1: title-link missing title line\n")
    assert terminal.getvalue() == "a.md:1:1: title-link missing title line\n"
