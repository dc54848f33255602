"""The command line end to end: bad input, exit statuses, messages and output options."""

from __future__ import annotations

import io
import json
import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import EXAMPLE, GOOD_CLIPPING, ROOT, read_until_closed, run_cliplint, write

REPORT_SCHEMA = json.loads((ROOT / "cliplint" / "schemas" / "report.schema.json").read_text())


def json_report(stdout: str) -> dict:
    data = json.loads(stdout)
    jsonschema.validate(data, REPORT_SCHEMA)
    return data


@pytest.mark.shared
def test_shared_example_has_no_header_problems() -> None:
    result = run_cliplint("--select", "timestamp-comment,title-link", "--format", "json", str(EXAMPLE))
    data = json_report(result.stdout)
    assert result.status == 0, result.stderr
    assert data["files_checked"] == 1 and data["problems"] == []


def test_good_file_exits_0(tmp_path: Path) -> None:
    clip = write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint("--isolated", str(clip), cwd=tmp_path)
    assert result.status == 0, result.stdout + result.stderr
    assert "All clean: 1 file checked." in result.stdout


def test_problem_line_format_and_exit_1(tmp_path: Path) -> None:
    clip = write(tmp_path / "a.md", GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->"))
    result = run_cliplint("--isolated", "a.md", cwd=tmp_path)
    assert result.status == 1
    assert result.stdout.splitlines()[0] == (
        "a.md:1:5: timestamp-comment timestamp 1686778744 is in seconds, not milliseconds "
        "(did you mean 1686778744000?) [*]"
    )
    assert clip.read_text() .startswith("<!--1686778744-->")  # linting never writes


def test_empty_file(tmp_path: Path) -> None:
    write(tmp_path / "empty.md", "")
    result = run_cliplint("--isolated", "--select", "timestamp-comment", "empty.md", cwd=tmp_path)
    assert result.status == 1
    assert result.stdout.startswith("empty.md:1:1: timestamp-comment empty file")


def test_binary_file_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    write(tmp_path / "a-binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path / "b-good.md", GOOD_CLIPPING)
    result = run_cliplint("--isolated", ".", cwd=tmp_path)
    assert result.status == 1
    assert result.stdout.splitlines()[0] == (
        "a-binary.md:1:1: file-unreadable binary file (contains NUL bytes)"
    ).replace("a-binary.md", os.path.join(".", "a-binary.md"))
    assert "2 files checked" in result.stdout


def test_non_utf8_file(tmp_path: Path) -> None:
    write(tmp_path / "latin.md", GOOD_CLIPPING.replace("Some", "S\xf6me").encode("latin-1"))
    result = run_cliplint("--isolated", "latin.md", cwd=tmp_path)
    assert result.status == 1
    offset = GOOD_CLIPPING.index("Some") + 1
    assert result.stdout.splitlines()[0] == (
        f"latin.md:1:1: file-unreadable not valid UTF-8: byte 0xf6 at offset {offset}"
    )
    assert "Traceback" not in result.stderr


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = run_cliplint("--isolated", "nope.md", cwd=tmp_path)
    assert result.status == 2
    assert result.stderr.strip() == "cliplint: error: path does not exist: nope.md"
    assert result.stdout == ""


@pytest.mark.parametrize(("arguments", "said"), [
    (("rule",), "path does not exist: rule (did you mean the subcommand 'rules'?)"),
    (("explian", "title-link"), "path does not exist: explian (did you mean the subcommand "
     "'explain'?), title-link"),
    (("sever", "status"), "path does not exist: sever (did you mean the subcommand "
     "'server'?), status"),
    (("help",), "path does not exist: help (for help: 'cliplint --help')"),
    # Not where a subcommand is named, or no word like one: said as before.
    (("--isolated", "rule"), "path does not exist: rule"),
    (("a.md", "rule"), "path does not exist: rule"),
    (("rule.md",), "path does not exist: rule.md"),
    (("zzz",), "path does not exist: zzz"),
])
def test_a_mistyped_subcommand_is_said_to_be_one(tmp_path: Path, arguments: tuple[str, ...],
                                                 said: str) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint(*arguments, cwd=tmp_path)
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == f"cliplint: error: {said}\n"


def test_a_path_named_like_a_subcommand_is_linted_when_it_is_there(tmp_path: Path) -> None:
    write(tmp_path / "rule" / "a.md", GOOD_CLIPPING)
    result = run_cliplint("rule", "--no-cache", cwd=tmp_path)
    assert (result.status, result.stderr) == (0, "")
    assert "1 file checked" in result.stdout
    # There, and another path not: the other is said, without a hint after the first.
    other = run_cliplint("rule", "nope.md", "--no-cache", cwd=tmp_path)
    assert other.stderr == "cliplint: error: path does not exist: nope.md\n"


@pytest.mark.parametrize("arguments", [(), ("--scheduler", "dask"), ("--watch",)])
def test_a_file_named_as_a_folder_is_said_so_not_missing(tmp_path: Path,
                                                         arguments: tuple[str, ...]) -> None:
    # "a.md/" was "path does not exist": the system says "Not a directory" (ENOTDIR).
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint("--isolated", *arguments, "a.md/", "a.md/b.md", "nope.md",
                          cwd=tmp_path)
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == ("cliplint: error: not a folder (a file's name followed by '/'): "
                             "a.md/, a.md/b.md; path does not exist: nope.md\n")


def test_folder_without_clippings_exits_0_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "notes" / "readme.txt", "not a clipping")
    result = run_cliplint("--isolated", "notes", cwd=tmp_path)
    assert result.status == 0
    assert "cliplint: warning: no clippings found under notes (include: *.md, *.markdown)" in result.stderr
    assert "0 files checked" in result.stdout


def test_directory_is_walked_with_include_and_exclude(tmp_path: Path) -> None:
    write(tmp_path / "a" / "one.md", GOOD_CLIPPING)
    write(tmp_path / "a" / "two.markdown", GOOD_CLIPPING.replace("/a/1", "/a/2"))
    write(tmp_path / "a" / "drafts" / "three.md", "no timestamp")
    write(tmp_path / ".git" / "x.md", "no timestamp")
    write(tmp_path / "cliplint.toml", 'include = ["*.md", "*.markdown"]\nextend-exclude = ["drafts"]\n')
    result = run_cliplint("--format", "json", ".", cwd=tmp_path)
    data = json_report(result.stdout)
    assert data["files_checked"] == 2 and result.status == 0


def test_folders_give_every_file_the_hooks_pass_as_markdown(tmp_path: Path) -> None:
    # The hooks take what pre-commit's identify types as markdown; `cliplint .` by default
    # must lint the same files.
    from identify.extensions import EXTENSIONS

    extensions = sorted(ext for ext, tags in EXTENSIONS.items() if "markdown" in tags)
    assert {"md", "markdown"} <= set(extensions)
    for number, extension in enumerate(extensions):
        write(tmp_path / "archive" / f"a{number}.{extension}",
              GOOD_CLIPPING.replace("/a/1", f"/a/{number + 10}"))
    write(tmp_path / "archive" / "notes.txt", "not a clipping")
    result = run_cliplint("--isolated", "--format", "json", "archive", cwd=tmp_path)
    assert json_report(result.stdout)["files_checked"] == len(extensions), result.stderr


def test_odd_filenames(tmp_path: Path) -> None:
    names = ["what?.md", "a|b.md", "中文 标题.md", "line\nbreak.md"]
    for name in names:
        write(tmp_path / name, "no header at all\n")
    result = run_cliplint("--isolated", "--select", "timestamp-comment", ".", cwd=tmp_path)
    assert result.status == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len(names) + 1  # one line per problem, plus the summary
    assert any(line.startswith("./line\\nbreak.md:1:1:") for line in lines)
    data = json_report(run_cliplint("--isolated", "--select", "timestamp-comment", "--format",
                                    "json", ".", cwd=tmp_path).stdout)
    assert sorted(p["path"] for p in data["problems"]) == sorted(f"./{n}" for n in names)


def test_stdin_with_filename(tmp_path: Path) -> None:
    result = run_cliplint("--isolated", "-", "--stdin-filename", "incoming/x.md",
                          stdin=b"[T](https://example.com)\n------\n\n<p>x</p>\n", cwd=tmp_path)
    assert result.status == 1
    assert result.stdout.startswith("incoming/x.md:1:1: timestamp-comment missing timestamp")


def test_stdin_filename_alone_reads_standard_input(tmp_path: Path) -> None:
    # As in ruff; it linted the current folder, the name unused.
    write(tmp_path / "other.md", "no header\n")
    result = run_cliplint("--isolated", "--stdin-filename", "incoming/x.md",
                          stdin=b"[T](https://example.com)\n------\n\n<p>x</p>\n", cwd=tmp_path)
    assert result.status == 1
    assert result.stdout.startswith("incoming/x.md:1:1: timestamp-comment missing timestamp")
    assert "other.md" not in result.stdout


@pytest.mark.parametrize("others", [["a.md"], ["-", "a.md"], ["--paths-from", "list.txt"]])
def test_stdin_filename_with_other_paths_is_refused(tmp_path: Path, others: list[str]) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    write(tmp_path / "list.txt", "a.md\n")
    result = run_cliplint("--isolated", "--stdin-filename", "x.md", *others, cwd=tmp_path)
    assert result.status == 2, result.stdout
    assert ("--stdin-filename names the clipping read from standard input ('-'): it cannot "
            "be used with ") in result.stderr
    assert result.stdout == ""


def test_stdin_cannot_mix_with_paths(tmp_path: Path) -> None:
    result = run_cliplint("--isolated", "-", "a.md", cwd=tmp_path)
    assert result.status == 2
    assert "cannot be mixed" in result.stderr


def test_selection_options(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "no header\n")
    both = run_cliplint("--isolated", "--format", "json", "--select", "timestamp-comment,title-link",
                        "a.md", cwd=tmp_path)
    assert {p["rule"] for p in json_report(both.stdout)["problems"]} == {"timestamp-comment", "title-link"}
    ignored = run_cliplint("--isolated", "--format", "json", "--select", "timestamp-comment,title-link",
                           "--ignore", "title-link", "a.md", cwd=tmp_path)
    assert {p["rule"] for p in json_report(ignored.stdout)["problems"]} == {"timestamp-comment"}
    extended = run_cliplint("--isolated", "--format", "json", "--select", "title-link",
                            "--extend-select", "timestamp-comment", "a.md", cwd=tmp_path)
    assert {p["rule"] for p in json_report(extended.stdout)["problems"]} == {"timestamp-comment", "title-link"}
    unknown = run_cliplint("--isolated", "--select", "no-such-rule", "a.md", cwd=tmp_path)
    assert unknown.status == 2
    assert "--select: unknown rule 'no-such-rule'" in unknown.stderr


@pytest.mark.parametrize("option", ["--select", "--extend-select", "--ignore"])
@pytest.mark.parametrize("value", ["", ",", " , "])
def test_an_empty_selection_is_refused(tmp_path: Path, option: str, value: str) -> None:
    # --select '' ran no rule and passed: "All clean", exit 0. ruff refuses it too.
    write(tmp_path / "a.md", "no header\n")
    result = run_cliplint("--isolated", option, value, "a.md", cwd=tmp_path)
    assert result.status == 2, result.stdout
    assert f"argument {option}: expected at least one rule" in result.stderr


@pytest.mark.parametrize("option", ["--baseline", "--write-baseline", "--paths-from",
                                    "--output-file", "--compare"])
def test_an_empty_file_name_is_refused(tmp_path: Path, option: str) -> None:
    # Read as not given: --baseline "" linted without the baseline, --write-baseline ""
    # wrote none and failed, --paths-from "" linted the working folder.
    write(tmp_path / "a.md", "no header\n")
    result = run_cliplint("--isolated", option, "", "a.md", cwd=tmp_path)
    assert (result.status, result.stdout) == (2, ""), result.stdout
    assert f"argument {option}: expected a file name, not an empty one" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.md"]


NOTHING_SELECTED = "cliplint: warning: no rule is selected for any file ({}): nothing was checked"


@pytest.mark.parametrize(("name", "table"), [("cliplint.toml", ""),
                                             ("pyproject.toml", "[tool.cliplint]\n")])
def test_a_configuration_may_still_select_nothing(tmp_path: Path, name: str,
                                                  table: str) -> None:
    # As in ruff, and the run passes (nothing found); but it said "All clean: 1 file
    # checked." with no word that no rule ran.
    write(tmp_path / name, f"{table}select = []\n")
    write(tmp_path / "a.md", "no header\n")
    result = run_cliplint("a.md", cwd=tmp_path)
    assert result.status == 0
    assert result.stdout == "No rule selected: 1 file read, none checked.\n"
    assert NOTHING_SELECTED.format(f"the rule selection of {name}") in result.stderr


@pytest.mark.parametrize("arguments", [
    [], ["--format", "json"], ["--baseline", "empty.json"], ["--fix"], ["--diff"],
    ["--stdin-filename", "a.md", "-"]])
def test_selecting_nothing_is_said_by_every_kind_of_run(tmp_path: Path,
                                                        arguments: list[str]) -> None:
    # Streamed and whole reports, fix runs, standard input: each says it once.
    write(tmp_path / "cliplint.toml", "select = []\n")
    write(tmp_path / "a.md", "no header\n")
    write(tmp_path / "empty.json", '{"version": 1, "problems": []}\n')
    result = run_cliplint(*arguments, *([] if "-" in arguments else ["a.md"]), cwd=tmp_path,
                          stdin=b"no header\n")
    assert result.status == 0, result.stderr
    assert result.stderr.count(NOTHING_SELECTED.format(
        "the rule selection of cliplint.toml")) == 1, result.stderr
    assert "All clean" not in result.stdout + result.stderr


def test_selecting_nothing_is_a_warning_as_others_are(tmp_path: Path) -> None:
    # -q: the problems (none) and the warnings, as "no clippings found"; -qq: nothing.
    write(tmp_path / "a.md", "no header\n")
    quiet = run_cliplint("--isolated", "--ignore", "ALL", "-q", "a.md", cwd=tmp_path)
    assert (quiet.status, quiet.stdout) == (0, "")
    assert quiet.stderr == NOTHING_SELECTED.format("the command line's --ignore") + "\n"
    silent = run_cliplint("--isolated", "--ignore", "ALL", "-qq", "a.md", cwd=tmp_path)
    assert (silent.status, silent.stdout, silent.stderr) == (0, "", "")


def test_a_rule_for_any_file_is_no_warning(tmp_path: Path) -> None:
    # One folder selects nothing, another something; or per-file-ignores leave one file
    # its rules: the run checked something, and its summary is the usual one.
    write(tmp_path / "cliplint.toml", "select = []\n")
    write(tmp_path / "a.md", GOOD_CLIPPING)
    write(tmp_path / "feeds" / "cliplint.toml", 'select = ["title-link"]\n')
    write(tmp_path / "feeds" / "b.md", GOOD_CLIPPING)
    folders = run_cliplint("a.md", "feeds/b.md", cwd=tmp_path)
    assert (folders.status, folders.stdout, folders.stderr) == (
        0, "All clean: 2 files checked.\n", "")
    write(tmp_path / "cliplint.toml", '[per-file-ignores]\n"a.md" = ["ALL"]\n')
    ignores = run_cliplint("a.md", "feeds/b.md", cwd=tmp_path)
    assert (ignores.status, ignores.stdout, ignores.stderr) == (
        0, "All clean: 2 files checked.\n", "")
    alone = run_cliplint("a.md", cwd=tmp_path)
    assert alone.stdout == "No rule selected: 1 file read, none checked.\n"
    assert NOTHING_SELECTED.format("the rule selection of cliplint.toml") in alone.stderr


@pytest.mark.parametrize("arguments", [
    ["--format", "json"], ["--format", "github"], ["--format", "sarif"], ["--format", "junit"],
    ["--format", "gitlab"], ["--format", "html"], ["--diff"]])
def test_statistics_is_refused_where_it_would_be_ignored(tmp_path: Path,
                                                         arguments: list[str]) -> None:
    write(tmp_path / "a.md", "no header\n")
    result = run_cliplint("--isolated", "--statistics", *arguments, "a.md", cwd=tmp_path)
    assert result.status == 2, result.stdout
    assert ("--statistics prints a text table of problems per rule: it cannot be used with "
            f"{' '.join(arguments)}") in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("option", ["--jobs", "--batch-size"])
def test_counts_past_the_largest_are_refused(tmp_path: Path, option: str) -> None:
    # --jobs 10**19 overflowed what the runner slices the files by: an internal error.
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint("--isolated", option, str(10**19), "a.md", cwd=tmp_path)
    assert result.status == 2, result.stderr
    assert f"expected a whole number from 1 to 1,000,000,000, got '{10**19}'" in result.stderr
    assert run_cliplint("--isolated", option, "1000000000", "a.md", cwd=tmp_path).status == 0


@pytest.mark.parametrize(("address", "why"), [
    ("tcp://127.0.0.1:99999", "Port out of range 0-65535"),
    ("tcp://host:port", "Port could not be cast to integer value as 'port'"),
    ("tcp://[::1:8786", "Invalid IPv6 URL"),
    # With Dask: "invalid literal for int() with base 10: ''", or 30 s to time out.
    ("tcp://:", "no host and no port"), ("tcp://host:", "no port"), ("tcp://host", "no port"),
    ("tcp://[::1]:", "no port"), ("tcp://:8786", "no host")])
def test_a_scheduler_address_that_cannot_be_is_a_usage_error(tmp_path: Path, address: str,
                                                             why: str) -> None:
    # It was tried for Dask's whole connect timeout, 30 s, before the run gave up.
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint("--isolated", "--no-cache", "--scheduler", address, "a.md",
                          cwd=tmp_path)
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == (f"cliplint: error: argument --scheduler: not an address: "
                             f"{address!r} ({why}) (see 'cliplint --help')\n")


def test_unknown_option_exits_2(tmp_path: Path) -> None:
    result = run_cliplint("--no-such-flag", cwd=tmp_path)
    assert result.status == 2
    assert result.stderr.startswith("cliplint: error: unrecognized arguments: --no-such-flag")


@pytest.mark.parametrize(("arguments", "said"), [
    (("--selcet", "title-link", "a.md"), "unrecognized arguments: --selcet (did you mean "
     "'--select'?) (see 'cliplint --help')"),
    (("--selcet=title-link", "--isolatd", "a.md"), "unrecognized arguments: "
     "--selcet=title-link (did you mean '--select'?) --isolatd (did you mean '--isolated'?) "
     "(see 'cliplint --help')"),
    (("--zzzz", "a.md"), "unrecognized arguments: --zzzz (see 'cliplint --help')"),
    (("rules", "--jsn"), "unrecognized arguments: --jsn (did you mean '--json'?) (see "
     "'cliplint rules --help')"),
])
def test_a_mistyped_option_gets_a_suggestion(tmp_path: Path, arguments: tuple[str, ...],
                                             said: str) -> None:
    # Python 3.11's argparse suggests nothing.
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint(*arguments, cwd=tmp_path)
    assert (result.status, result.stdout) == (2, "")
    assert result.stderr == f"cliplint: error: {said}\n"


def test_unknown_format_exits_2(tmp_path: Path) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint("--isolated", "--format", "yaml", "a.md", cwd=tmp_path)
    assert result.status == 2
    assert "unknown format 'yaml'" in result.stderr


def test_json_report_validates_and_carries_fix(tmp_path: Path) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->"))
    result = run_cliplint("--isolated", "--format", "json", "a.md", cwd=tmp_path)
    data = json_report(result.stdout)
    (problem,) = data["problems"]
    assert problem["rule"] == "timestamp-comment"
    assert (problem["line"], problem["column"]) == (1, 5)
    assert problem["end"] == {"line": 1, "column": 15}
    assert problem["fix"]["applicability"] == "safe"
    assert problem["fix"]["edits"] == [{"start": 14, "end": 14, "content": "000"}]


def test_github_format(tmp_path: Path) -> None:
    write(tmp_path / "a,b.md", GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--x-->"))
    result = run_cliplint("--isolated", "--format", "github", "a,b.md", cwd=tmp_path)
    assert result.status == 1
    assert result.stdout == (
        "::error file=a%2Cb.md,line=1,col=5,endLine=1,endColumn=6,"
        "title=cliplint (timestamp-comment)::timestamp-comment: malformed timestamp 'x': "
        "expected epoch milliseconds\n"
    )


def test_output_file_statistics_and_exit_zero(tmp_path: Path) -> None:
    for name in ("a.md", "b.md"):
        write(tmp_path / name, "no header\n")
    result = run_cliplint("--isolated", "--statistics", "--exit-zero", "--output-file", "out.txt",
                          "--select", "timestamp-comment", ".", cwd=tmp_path)
    assert result.status == 0 and result.stdout == ""
    report = (tmp_path / "out.txt").read_text()
    assert report.splitlines()[0].split() [:2] == ["2", "timestamp-comment"]
    assert "Found 2 problems (2 errors) in 2 files checked." in report


def test_show_source_cuts_long_lines(tmp_path: Path) -> None:
    long_title = "x" * 500
    write(tmp_path / "a.md", f"<!--1686778744000-->\n[{long_title}](https://example.com/a b)\n------\n\n<p>t</p>\n")
    result = run_cliplint("--isolated", "--show-source", "--select", "title-link", "a.md", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("a.md:2:525: title-link space in the title URL")
    source, caret = lines[1], lines[2]
    assert len(source) < 120 and source.startswith("  …")
    assert source[caret.index("^")] == " "  # the caret sits under the space
    assert source[caret.index("^") - 1] == "a"


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "no header\n")

    def on_terminal(extra_env: dict[str, str]) -> str:
        leader, follower = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | extra_env
        process = subprocess.Popen([sys.executable, "-m", "cliplint", "--isolated", "a.md"],
                                   cwd=tmp_path, stdout=follower, stderr=follower, env=env)
        os.close(follower)
        output = read_until_closed(leader)
        process.wait(timeout=60)
        os.close(leader)
        return output.decode()

    assert "\x1b[" in on_terminal({})
    assert "\x1b[" not in on_terminal({"NO_COLOR": "1"})
    assert "\x1b[" not in run_cliplint("--isolated", "a.md", cwd=tmp_path).stdout


def test_version() -> None:
    from cliplint import __version__

    result = run_cliplint("--version")
    assert result.status == 0 and result.stdout.strip() == f"cliplint {__version__}"


def test_rules_json_lists_metadata() -> None:
    result = run_cliplint("rules", "--json")
    listing = json.loads(result.stdout)
    by_id = {rule["id"]: rule for rule in listing}
    for rule_id in ("timestamp-comment", "title-link"):
        rule = by_id[rule_id]
        assert rule["severity"] == "error" and rule["fixable"] == "safe"
        assert rule["summary"] and rule["options"]["type"] == "object"
    assert by_id["timestamp-comment"]["options"]["properties"]["min-date"]["default"] == "1995-01-01"
    assert by_id["timestamp-comment"]["findings"] == [
        {"kind": "problem", "severity": "error", "description": by_id["timestamp-comment"]["summary"]}]
    proxy = {finding["kind"]: finding["severity"] for finding in by_id["image-proxy"]["findings"]}
    assert proxy["lost"] == "error" and proxy["nested"] == "warning" and proxy["opaque"] == "info"
    assert all(finding["description"] for finding in by_id["image-proxy"]["findings"])


def test_rules_text_shows_every_severity_a_rule_can_report() -> None:
    lines = {line.split()[0]: line.split()[1] for line in run_cliplint("rules").stdout.splitlines()}
    assert lines["image-proxy"] == "error/warning/info"
    assert lines["title-link"] == "error"


def test_explain() -> None:
    result = run_cliplint("explain", "timestamp-comment")
    assert result.status == 0
    assert result.stdout.startswith("timestamp-comment (error, safe fix, from builtin)")
    assert "min-date" in result.stdout
    unknown = run_cliplint("explain", "nope")
    assert unknown.status == 2 and "unknown rule 'nope' (see 'cliplint rules')" in unknown.stderr


def test_explain_renders_the_documentation_for_a_terminal() -> None:
    result = run_cliplint("explain", "title-link")
    assert result.status == 0
    # No reStructuredText (``x``, Bad::) and no Markdown marks (`x`, fences) left.
    assert "``" not in result.stdout and "::" not in result.stdout
    assert "`" not in result.stdout
    assert "its URL is an absolute http(s) URL" in result.stdout
    assert "Bad:\n\n    [Beijing responds\n\n    ](https://www.dw.com/zh/a-53985946)\n" \
        "    ------\n\nGood:" in result.stdout
    findings = run_cliplint("explain", "image-proxy").stdout
    assert "Findings\n--------\n\n- lost (error): " in findings


@pytest.mark.parametrize("problem", ["fix-refused", "file-too-large", "internal-error",
                                     "file-unreadable"])
def test_explain_engine_problems(problem: str) -> None:
    result = run_cliplint("explain", problem)
    assert result.status == 0, result.stderr
    assert result.stdout.startswith(f"{problem} (")
    assert "a problem the engine reports, not a rule" in result.stdout.splitlines()[0]
    assert "What to do:" in result.stdout and "`" not in result.stdout


def test_mistyped_rule_ids_get_a_suggestion(tmp_path: Path) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    for option in ("--select", "--ignore", "--extend-select"):
        result = run_cliplint("--isolated", option, "title-link,timestamp-coment", "a.md",
                              cwd=tmp_path)
        assert result.status == 2
        assert (f"{option}: unknown rule 'timestamp-coment' (did you mean "
                "'timestamp-comment'?)") in result.stderr
    explained = run_cliplint("explain", "fix-refussed")
    assert explained.status == 2
    assert "unknown rule 'fix-refussed' (did you mean 'fix-refused'?)" in explained.stderr
    far = run_cliplint("--isolated", "--select", "zzzz", "a.md", cwd=tmp_path)
    assert "unknown rule 'zzzz' (see 'cliplint rules')" in far.stderr  # nothing close


@pytest.mark.parametrize(("written", "meant"), [
    ("TITLE-LINK", "title-link"),  # difflib alone found nothing: it compares case too
    ("TIMESTAMP-COMENT", "timestamp-comment"),  # the wrong case and a typo
    ("all", "ALL"),
])
def test_a_rule_id_in_the_wrong_case_gets_a_suggestion(tmp_path: Path, written: str,
                                                       meant: str) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint("--isolated", "--select", written, "a.md", cwd=tmp_path)
    assert result.status == 2
    assert f"--select: unknown rule {written!r} (did you mean {meant!r}?)" in result.stderr


def test_explain_suggests_the_id_of_a_rule_named_in_the_wrong_case() -> None:
    explained = run_cliplint("explain", "TITLE-LINK")
    assert explained.status == 2
    assert "unknown rule 'TITLE-LINK' (did you mean 'title-link'?)" in explained.stderr


def test_interrupt_exits_130(tmp_path: Path) -> None:
    import threading

    process = subprocess.Popen([sys.executable, "-m", "cliplint", "--isolated", "-"],
                               cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    # More than a pipe holds (64 KiB): the write ends only once cliplint is reading
    # standard input, its interrupt handling in place; then it waits for the rest.
    assert process.stdin is not None
    writer = threading.Thread(target=process.stdin.write, args=(b"<p>x</p>\n" * 32_768,),
                              daemon=True)
    writer.start()
    writer.join(timeout=120)
    assert not writer.is_alive() and process.poll() is None
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert b"cliplint: interrupted" in stderr and b"Traceback" not in stderr


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_fix_hint_in_summary(tmp_path: Path, newline: str) -> None:
    text = GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->").replace("\n", newline)
    write(tmp_path / "a.md", text)
    result = run_cliplint("--isolated", "a.md", cwd=tmp_path)
    assert "(1 fixable with --fix)" in result.stdout


def test_help_is_wrapped_at_the_terminals_width() -> None:
    # argparse checks each argument with a formatter as it is added: cliplint's has a fixed
    # width (no shutil to import); the help is formatted at the terminal's.
    for columns in (60, 150):
        run = run_cliplint("--help", env={"COLUMNS": str(columns)})
        assert run.status == 0
        widest = max(len(line) for line in run.stdout.splitlines())
        assert columns - 10 < widest <= columns


def test_the_help_names_every_subcommand_and_what_explain_takes() -> None:
    from cliplint.engine_docs import ENGINE_DOCS

    top = " ".join(run_cliplint("--help", env={"COLUMNS": "1000"}).stdout.split())
    assert ("Subcommands: 'cliplint rules [--json]', 'cliplint explain RULE', 'cliplint "
            "server start|stop|status'") in top
    explain = run_cliplint("explain", "--help", env={"COLUMNS": "1000"})
    assert explain.stdout.startswith("usage: cliplint explain [-h] RULE\n")
    said = " ".join(explain.stdout.split())  # (the RULE argument had no help)
    assert "RULE a rule's id, as 'cliplint rules' lists them" in said
    assert f"or the id of a problem the engine reports ({', '.join(ENGINE_DOCS)})" in said


@pytest.mark.parametrize(("action", "says"), [
    ("start", "Start the resident server in the background"),
    ("stop", "Stop the resident server: it takes no new run at once"),
    ("status", "Say whether the resident server is running"),
])
def test_each_server_action_has_help_of_its_own(action: str, says: str) -> None:
    # `cliplint server start --help` showed the help of `cliplint server`.
    run = run_cliplint("server", action, "--help", env={"COLUMNS": "200"})
    assert (run.status, run.stderr) == (0, "")
    assert run.stdout.startswith(f"usage: cliplint server {action} [-h]")
    assert says in run.stdout
    assert ("--json" in run.stdout) == (action == "status")


@pytest.mark.parametrize("arguments", [
    ("status",), ("status", "--json"), ("--json", "status"), ("start", "--json"),
    ("--json", "stop"), ("stop",),
])
def test_the_server_s_command_lines_are_read_as_before(arguments: tuple[str, ...]) -> None:
    from cliplint.cli.parser import server_parser

    parsed = vars(server_parser().parse_args(arguments))
    assert parsed == {"action": next(a for a in arguments if a != "--json"),
                      "json": "--json" in arguments}


def test_a_closed_standard_output_is_said_not_crashed_on(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("<!--x-->\n", encoding="utf-8")
    done = subprocess.run(["sh", "-c", f"exec {sys.executable} -m cliplint a.md >&-"],
                          cwd=tmp_path, capture_output=True, timeout=120,
                          env={**os.environ, "CLIPLINT_NO_SERVER": "1"})
    assert done.returncode == 2
    assert done.stderr == (b"cliplint: error: standard output is closed (redirect it to "
                           b"/dev/null to discard the report)\n")


def test_a_manifest_may_list_names_between_nul_bytes(tmp_path: Path) -> None:
    # `find . -print0 | cliplint --paths-from -`: a name may hold a line end, never a NUL.
    names = ["./new\nline.md", "./a b.md", "./ok.md"]
    for name in names:
        (tmp_path / name).write_text("<!--x-->\n", encoding="utf-8")
    run = run_cliplint("--isolated", "--select", "timestamp-comment", "--format", "json",
                       "--paths-from", "-", cwd=tmp_path,
                       stdin="\0".join(names).encode() + b"\0")
    assert run.status == 1, run.stderr
    assert [problem["path"] for problem in json.loads(run.stdout)["problems"]] == names
    # Past the first read, names cross the reads' bounds whole.
    from cliplint.batches import read_manifest

    many = [f"feed/{index:05}.md" for index in range(2_000)]
    assert list(read_manifest("-", lambda: io.StringIO("\0".join(many)))) == many
    assert list(read_manifest("-", lambda: io.StringIO("\n".join(many) + "\n"))) == many
    # A NUL in a list of lines is not a name: said, exit 2, not a crash.
    mixed = run_cliplint("--isolated", "--paths-from", "-", cwd=tmp_path,
                         stdin="\n".join(many).encode() + b"\n./ok.md\0")
    assert mixed.status == 2
    assert mixed.stderr.endswith("error: the manifest holds a NUL byte past its start: it "
                                 "lists names one per line, or NUL-separated from the first\n")


@pytest.mark.parametrize("arguments", [["-"], ["--paths-from", "-"]])
def test_a_closed_standard_input_is_said_not_crashed_on(tmp_path: Path,
                                                        arguments: list[str]) -> None:
    done = subprocess.run(["sh", "-c", f"exec {sys.executable} -m cliplint {' '.join(arguments)} <&-"],
                          cwd=tmp_path, capture_output=True, timeout=120,
                          env={**os.environ, "CLIPLINT_NO_SERVER": "1"})
    assert done.returncode == 2
    assert done.stderr == b"cliplint: error: standard input is closed: '-' reads from it\n"


def test_a_baseline_that_is_a_device_is_refused(tmp_path: Path) -> None:
    # /dev/zero never ends: refused before a byte is read (a FIFO, as `<(...)` gives, is
    # read as a file is).
    (tmp_path / "a.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    run = run_cliplint("--isolated", "--baseline", "/dev/zero", "a.md", cwd=tmp_path)
    assert run.status == 2
    assert run.stderr.endswith("error: cannot read baseline /dev/zero: a device, not a file\n")


@pytest.mark.parametrize("option", ["--baseline", "--compare", "--storage-options"])
@pytest.mark.parametrize("text", ["[" * 100_000, '{"version": 1, "x": ' + "9" * 5_000 + "}"])
def test_hostile_json_inputs_are_said_not_crashed_on(tmp_path: Path, option: str,
                                                     text: str) -> None:
    # JSON nested past the interpreter's recursion limit, or a number too long to convert.
    (tmp_path / "a.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    (tmp_path / "given.json").write_text(text, encoding="utf-8")
    value = text if option == "--storage-options" else "given.json"
    extra = ["--format", "html", "--output-file", "r.html"] if option == "--compare" else []
    run = run_cliplint("--isolated", *extra, option, value, "a.md", cwd=tmp_path)
    assert run.status == 2 and "internal error" not in run.stderr, run.stderr
    assert "nested too deeply" in run.stderr if text.startswith("[") else "4300" in run.stderr


def test_paths_that_cannot_be_looked_at_are_said_not_crashed_on(tmp_path: Path) -> None:
    # A name too long (or a folder the user cannot enter: the same OSError, as root cannot
    # be refused) for --config and for the cache folder.
    (tmp_path / "a.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    too_long = tmp_path / ("x" * 300)
    config = run_cliplint("--config", str(too_long / "c.toml"), "a.md", cwd=tmp_path)
    assert config.status == 2
    assert config.stderr.endswith(f"error: cannot read config file {too_long / 'c.toml'}: "
                                  "File name too long\n")
    cached = run_cliplint("--isolated", "a.md", cwd=tmp_path,
                          env={"CLIPLINT_CACHE_DIR": str(too_long / "cache")})
    assert cached.status == 0 and "internal error" not in cached.stderr


def test_a_deleted_working_folder_is_said_not_crashed_on(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("<!--x-->\n", encoding="utf-8")
    done = subprocess.run(
        ["sh", "-c", f"mkdir gone && cd gone && rmdir ../gone && "
                     f"exec {sys.executable} -m cliplint --isolated {tmp_path / 'a.md'}"],
        cwd=tmp_path, capture_output=True, timeout=120,
        env={**os.environ, "CLIPLINT_NO_SERVER": "1"})
    assert done.returncode == 2
    assert done.stderr == (b"cliplint: error: the working folder cannot be found (No such "
                           b"file or directory): it was deleted or moved; cd to a folder "
                           b"that exists\n")


def test_a_report_file_that_cannot_be_written_to_the_end_is_said(tmp_path: Path) -> None:
    for index in range(40):
        (tmp_path / f"a{index}.md").write_text("<!--x-->\n", encoding="utf-8")
    # A file size limit (sh: in blocks of 512 bytes) the report runs into mid-run.
    done = subprocess.run(
        ["sh", "-c", f"ulimit -f 1 && exec {sys.executable} -m cliplint "
                     "--output-file report.json ."],
        cwd=tmp_path, capture_output=True, timeout=120,
        env={**os.environ, "CLIPLINT_NO_SERVER": "1"})
    assert done.returncode == 2, done.stderr
    assert done.stderr == b"cliplint: error: cannot write report.json: File too large\n"


@pytest.mark.parametrize("arguments", [["--no-cache", "."], ["--no-cache", "--format", "json", "."],
                                       ["--no-cache", "--diff", "."], ["explain", "title-link"]])
def test_standard_output_without_room_is_said(tmp_path: Path, arguments: list[str]) -> None:
    # `cliplint . > report.txt` on a full disk: the report's writes fail mid-run.
    for index in range(40):  # timestamps in seconds: a problem each, and a fix (--diff)
        (tmp_path / f"a{index}.md").write_text(
            GOOD_CLIPPING.replace("744000-->", "744-->"), encoding="utf-8")
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "cliplint", *arguments],
                              cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, timeout=120,
                              env={**os.environ, "CLIPLINT_NO_SERVER": "1"})
    assert done.returncode == 2
    assert done.stderr == b"cliplint: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("extra", [["--format", "json"], ["--format", "junit"],
                                   ["--format", "sarif"], ["--fix", "--format", "json"]])
def test_a_report_that_cannot_be_spooled_is_said(tmp_path: Path, extra: list[str]) -> None:
    # The streamed formats hold their items in a temporary file until the counts that
    # come first are known; a full disk there is the machine's trouble, not a crash.
    for index in range(40):
        (tmp_path / f"a{index}.md").write_text("<!--x-->\n", encoding="utf-8")
    done = subprocess.run(
        ["sh", "-c", f"ulimit -f 4 && exec {sys.executable} -m cliplint --no-cache "
                     f"{' '.join(extra)} ."],  # standard output: a pipe, not limited
        cwd=tmp_path, capture_output=True, timeout=120,
        env={**os.environ, "CLIPLINT_NO_SERVER": "1", "TMPDIR": str(tmp_path)})
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr == (f"cliplint: error: cannot spool the report in {tmp_path}: File "
                           "too large (TMPDIR names the folder to use)\n").encode()
