"""``cliplint --fix`` and friends through the real command line, on real files.

Most tests call ``cliplint.cli.main`` in this process (with the pip-installed
``cliplint-testfix`` plugin when they need deliberate fixes); a few run ``python -m
cliplint`` in a subprocess, as a user or a pre-commit hook would.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
from conftest import EXAMPLE, ROOT, run_cliplint, write
from plugins import testfix_env

from cliplint.cli import main

# The pip-installed test plugin, as fixtures of this module.
testfix = testfix_env.testfix
testfix_site = testfix_env.testfix_site

REPORT_SCHEMA = json.loads((ROOT / "cliplint" / "schemas" / "report.schema.json").read_text())
HEADERS = "--select=timestamp-comment,title-link"
WITH_PLUGIN = "--select=timestamp-comment,title-link,testfix/"
SECONDS_CLIP = ("<!--1686778744-->\n[A title](https://example.com/a/1)\n------\n\n"
                "<p>Some article text.</p>\n")
FIXED_CLIP = SECONDS_CLIP.replace("744-->", "744000-->")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)


def cli(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    status = main(["--isolated", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def valid_json(text: str) -> dict:
    data = json.loads(text)
    jsonschema.validate(data, REPORT_SCHEMA)
    return data


def test_fix_writes_and_exits_0_when_nothing_is_left(tmp_path: Path, capsys) -> None:
    path = write(tmp_path / "a.md", SECONDS_CLIP)
    status, out, _ = cli(capsys, HEADERS, "--fix", "a.md")
    assert status == 0
    assert path.read_text() == FIXED_CLIP
    assert out.splitlines()[-1] == "Fixed 1 problem in 1 file. All clean: 1 file checked."


def test_fix_exits_1_when_problems_are_left(tmp_path: Path, capsys) -> None:
    write(tmp_path / "a.md", SECONDS_CLIP)
    write(tmp_path / "b.md", FIXED_CLIP.replace("<!--1686778744000-->\n", ""))  # no timestamp
    status, out, _ = cli(capsys, HEADERS, "--fix", ".")
    assert status == 1
    assert "./b.md:1:1: timestamp-comment missing timestamp comment" in out
    assert "Fixed 1 problem in 1 file. Found 1 problem (1 error) in 2 files checked." in out


def test_diff_prints_a_unified_diff_and_leaves_the_file_untouched(tmp_path: Path, capsys) -> None:
    path = write(tmp_path / "a.md", SECONDS_CLIP.replace("\n", "\r\n").rstrip("\r\n"))
    before = path.stat()
    status, out, err = cli(capsys, HEADERS, "--diff", "a.md")
    assert status == 1
    assert out == ("--- a/a.md\n+++ b/a.md\n@@ -1,4 +1,4 @@\n-<!--1686778744-->\r\n"
                   "+<!--1686778744000-->\r\n [A title](https://example.com/a/1)\r\n"
                   " ------\r\n \r\n")
    assert "Would fix 1 problem in 1 file." in err
    assert path.read_bytes() == SECONDS_CLIP.replace("\n", "\r\n").rstrip("\r\n").encode()
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_diff_exits_0_when_nothing_would_change(tmp_path: Path, capsys) -> None:
    write(tmp_path / "a.md", FIXED_CLIP.replace("<!--1686778744000-->\n", ""))
    status, out, _ = cli(capsys, HEADERS, "--diff", "a.md")
    assert (status, out) == (0, "")


def test_fix_only_reports_nothing_left(tmp_path: Path, capsys) -> None:
    path = write(tmp_path / "a.md", SECONDS_CLIP)
    write(tmp_path / "b.md", FIXED_CLIP.replace("<!--1686778744000-->\n", ""))
    status, out, _ = cli(capsys, HEADERS, "--fix-only", ".")
    assert status == 0
    assert out == "Fixed 1 problem in 1 file. 2 files checked.\n"
    assert path.read_text() == FIXED_CLIP


def test_show_fixes_lists_files_and_rules(tmp_path: Path, capsys) -> None:
    write(tmp_path / "a.md", SECONDS_CLIP.replace("------\n\n", "------\n"))
    status, out, _ = cli(capsys, HEADERS, "--fix", "--show-fixes", "a.md")
    assert status == 0
    assert out.splitlines()[:4] == [
        "Fixed 2 problems:",
        "- a.md:",
        "    1 × timestamp-comment (convert seconds to milliseconds)",
        "    1 × title-link (add a blank line)",
    ]


def test_fixable_hints_name_the_flag(tmp_path: Path, capsys, testfix: Path) -> None:
    write(tmp_path / "a.md", SECONDS_CLIP.replace("<p>", '<p onclick="x()">'))
    status, out, _ = cli(capsys, WITH_PLUGIN, "a.md")
    assert status == 1
    lines = out.splitlines()
    assert lines[-1] == ("Found 2 problems (1 error, 1 warning) in 1 file checked (1 fixable with --fix, "
                         "1 more fixable with --fix --unsafe-fixes).")
    assert any(line.endswith("onclick attribute [unsafe fix]") for line in lines)
    status, out, _ = cli(capsys, WITH_PLUGIN, "--format", "json", "a.md")
    flags = {p["rule"]: p["fix"]["flag"] for p in valid_json(out)["problems"]}
    assert flags == {"timestamp-comment": "--fix", "testfix/drop-onclick": "--fix --unsafe-fixes"}


def test_unsafe_fixes_flag(tmp_path: Path, capsys, testfix: Path) -> None:
    path = write(tmp_path / "a.md", SECONDS_CLIP.replace("<p>", '<p onclick="x()">'))
    status, out, _ = cli(capsys, WITH_PLUGIN, "--fix", "--format", "json", "a.md")
    data = valid_json(out)
    assert status == 0  # the unsafe fix's problem is a warning
    assert [(f["rule"], f["count"]) for f in data["fixed"]] == [("timestamp-comment", 1)]
    assert [p["rule"] for p in data["problems"]] == ["testfix/drop-onclick"]
    assert 'onclick' in path.read_text()
    status, out, _ = cli(capsys, WITH_PLUGIN, "--fix", "--unsafe-fixes", "--format", "json", "a.md")
    data = valid_json(out)
    assert (status, data["problems"]) == (0, [])
    assert data["fixed"] == [{"path": "a.md", "rule": "testfix/drop-onclick", "count": 1,
                              "descriptions": ["remove the onclick attribute"]}]
    assert path.read_text() == FIXED_CLIP


def test_refused_fix_names_file_and_rule_and_writes_nothing(tmp_path: Path, capsys,
                                                           testfix: Path) -> None:
    original = SECONDS_CLIP.replace("<p>Some", "<!--lossy--><p>Some")
    path = write(tmp_path / "a.md", original)
    good = write(tmp_path / "b.md", SECONDS_CLIP)
    status, out, _ = cli(capsys, WITH_PLUGIN, "--fix", ".")
    assert status == 1
    assert path.read_text() == original  # not even the safe timestamp fix
    assert good.read_text() == FIXED_CLIP  # the other file is fixed all the same
    [line] = [line for line in out.splitlines() if "fix-refused" in line]
    assert line.startswith("./a.md:5:13: fix-refused fix refused (visible-text) for "
                           "testfix/lossy: the body's visible text would change")
    status, out, _ = cli(capsys, WITH_PLUGIN, "--fix-only", "--format", "json", ".")
    data = valid_json(out)
    assert status == 1
    assert [p["rule"] for p in data["problems"]] == ["fix-refused"]
    status, out, err = cli(capsys, WITH_PLUGIN, "--diff", ".")
    assert status == 1 and out == "" and "fix-refused" in err


def test_fixer_crash_on_one_file_exits_3_and_the_rest_is_fixed(tmp_path: Path, capsys,
                                                               testfix: Path) -> None:
    bad = write(tmp_path / "a.md", SECONDS_CLIP.replace("</p>", "</p><!--bad-offsets-->"))
    good = write(tmp_path / "b.md", SECONDS_CLIP)
    status, out, _ = cli(capsys, WITH_PLUGIN, "--fix", ".")
    assert status == 3
    # The rule's unreadable fix is its internal error; the other rules' fixes are made.
    assert ("./a.md:1:1: internal-error rule testfix/bad-offsets crashed: an edit's span is "
            "not two whole numbers: None, None") in out
    assert bad.read_text() == FIXED_CLIP.replace("</p>", "</p><!--bad-offsets-->")
    assert good.read_text() == FIXED_CLIP


def test_an_equals_underline_becomes_dashes_only_with_unsafe_fixes(tmp_path: Path,
                                                                   capsys) -> None:
    """A '=' underline is no missing one: --fix wrote '------' and a blank line above it,
    which left '======' in the body as a paragraph. Making it '-' turns the h1 into an
    h2, so the fix is unsafe; no line of '=' is left."""
    clip = ("<!--1686778744000-->\n[Rates held](https://example.com/a)\n======\n"
            "日期：Tue, 05 Mar 2024 02:00:00 GMT\n\n<p>Some article text.</p>\n")
    path = write(tmp_path / "a.md", clip)
    status, out, _ = cli(capsys, HEADERS, "--fix", "a.md")
    assert status == 1 and path.read_text() == clip
    assert out.startswith("a.md:3:1: title-link '=' underline under the title where the "
                          "format has '-' [unsafe fix]\n")
    assert "(1 fixable with --fix --unsafe-fixes)" in out
    status, out, _ = cli(capsys, HEADERS, "--fix", "--unsafe-fixes", "a.md")
    assert status == 0, out
    assert path.read_text() == clip.replace("======", "------")


EQUALS_CLIP = ("<!--1686778744-->\n[Rates held](https://example.com/a)\n======\n\n"
               "<p>Some article text.</p>\n")  # a safe fix (seconds) and an unsafe one (=)


def test_unsafe_fixes_without_fix_counts_them_as_fixable_with_fix(tmp_path: Path,
                                                                  capsys) -> None:
    """--unsafe-fixes alone fixes nothing: the summary counted its fixes as waiting for
    --fix --unsafe-fixes, the flag just given. As in ruff, --fix would now apply them."""
    path = write(tmp_path / "a.md", EQUALS_CLIP)
    status, out, _ = cli(capsys, HEADERS, "--unsafe-fixes", "a.md")
    assert status == 1 and path.read_text() == EQUALS_CLIP
    assert out.splitlines() == [
        "a.md:1:5: timestamp-comment timestamp 1686778744 is in seconds, not milliseconds "
        "(did you mean 1686778744000?) [*]",
        "a.md:3:1: title-link '=' underline under the title where the format has '-' "
        "[unsafe fix]",  # the fix is still unsafe: the mark says so
        "Found 2 problems (2 errors) in 1 file checked (2 fixable with --fix)."]
    status, out, _ = cli(capsys, HEADERS, "--unsafe-fixes", "--statistics", "a.md")
    assert out.splitlines()[-1] == "Found 2 problems (2 errors) in 1 file checked (2 fixable with --fix)."
    # What it promised: --fix (with the --unsafe-fixes given) fixes both.
    status, out, _ = cli(capsys, HEADERS, "--unsafe-fixes", "--fix", "a.md")
    assert (status, out.splitlines()[-1]) == (0, "Fixed 2 problems in 1 file. All clean: 1 file checked.")
    assert path.read_text() == FIXED_CLIP.replace("[A title](https://example.com/a/1)",
                                                  "[Rates held](https://example.com/a)")


def test_unsafe_fixes_alone_with_only_unsafe_fixes_says_no_more(tmp_path: Path, capsys) -> None:
    """Only unsafe fixes, --unsafe-fixes given: "1 fixable with --fix", not "1 more"."""
    write(tmp_path / "a.md", EQUALS_CLIP.replace("744-->", "744000-->"))
    status, out, _ = cli(capsys, HEADERS, "--unsafe-fixes", "a.md")
    assert status == 1
    assert out.splitlines()[-1] == "Found 1 problem (1 error) in 1 file checked (1 fixable with --fix)."
    assert "--unsafe-fixes" not in out


def test_a_header_under_a_long_front_matter_is_fixed_as_reported(tmp_path: Path,
                                                                 capsys) -> None:
    """Under a front matter of 38 lines the header was cut at line 40: a false 'missing
    underline' said fixable, and --fix refused it (too many passes)."""
    front_matter = "---\ntags:\n" + "- tag\n" * 35 + "---\n"
    clip = front_matter + ("<!--1686778744-->\n[A title](https://example.com/a/1)\n------\n"
                           "<p>Some article text.</p>\n")
    path = write(tmp_path / "a.md", clip)
    status, out, _ = cli(capsys, HEADERS, "a.md")
    assert status == 1
    assert out.splitlines()[:2] == [
        "a.md:39:5: timestamp-comment timestamp 1686778744 is in seconds, not milliseconds "
        "(did you mean 1686778744000?) [*]",
        "a.md:42:1: title-link missing blank line between the header and the body [*]"]
    assert "(2 fixable with --fix)" in out
    status, out, _ = cli(capsys, HEADERS, "--fix", "a.md")
    assert status == 0, out
    assert out.splitlines()[-1] == "Fixed 2 problems in 1 file. All clean: 1 file checked."
    assert path.read_text() == front_matter + FIXED_CLIP


def test_json_report_after_fix_validates(tmp_path: Path, capsys) -> None:
    write(tmp_path / "a.md", SECONDS_CLIP)
    write(tmp_path / "b.md", b"\xff\xfe not utf-8")
    status, out, _ = cli(capsys, HEADERS, "--fix", "--format", "json", ".")
    data = valid_json(out)
    assert status == 1
    assert data["fixed"] == [{"path": "./a.md", "rule": "timestamp-comment", "count": 1,
                              "descriptions": ["convert seconds to milliseconds"]}]
    assert [p["rule"] for p in data["problems"]] == ["file-unreadable"]
    assert (tmp_path / "b.md").read_bytes() == b"\xff\xfe not utf-8"


def test_stdin_is_fixed_to_stdout(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    class Stdin:
        buffer = io.BytesIO(SECONDS_CLIP.encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    out_bytes = io.BytesIO()

    class Stdout(io.TextIOWrapper):
        pass

    stdout = io.TextIOWrapper(out_bytes, encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stdout)
    status = main(["--isolated", HEADERS, "--fix", "-"])
    stdout.flush()
    assert status == 0
    assert out_bytes.getvalue() == FIXED_CLIP.encode()
    assert "Fixed 1 problem in 1 file." in capsys.readouterr().err


def test_stdin_fix_as_a_user_runs_it(tmp_path: Path) -> None:
    result = run_cliplint("--isolated", HEADERS, "--fix", "--stdin-filename", "a.md", "-",
                          cwd=tmp_path, stdin=SECONDS_CLIP.replace("\n", "\r\n").encode())
    assert result.status == 0
    assert result.stdout == FIXED_CLIP.replace("\n", "\r\n")
    (tmp_path / "cliplint.toml").write_text('exclude = ["a.md"]\n')
    excluded = run_cliplint(HEADERS, "--fix", "--force-exclude", "--stdin-filename", "a.md", "-",
                            cwd=tmp_path, stdin=SECONDS_CLIP.encode())
    assert (excluded.status, excluded.stdout) == (0, SECONDS_CLIP)  # handed back untouched


def test_many_files_with_jobs_match_one_process(tmp_path: Path, capsys) -> None:
    for index in range(40):
        write(tmp_path / "one" / f"{index:02}.md", SECONDS_CLIP)
    shutil.copytree(tmp_path / "one", tmp_path / "many")
    serial = cli(capsys, HEADERS, "--fix", "--jobs", "1", "--format", "json", "one")
    parallel = cli(capsys, HEADERS, "--fix", "--jobs", "3", "--format", "json", "many")
    assert serial[0] == parallel[0] == 0
    assert len(valid_json(parallel[1])["fixed"]) == 40
    for index in range(40):
        assert (tmp_path / "many" / f"{index:02}.md").read_text() == FIXED_CLIP


# -- as a user runs it ---------------------------------------------------------------------------


def test_subprocess_fix_keeps_crlf_and_bom_and_mode(tmp_path: Path, testfix_site: Path) -> None:
    crlf = write(tmp_path / "crlf.md", SECONDS_CLIP.replace("\n", "\r\n"))
    bom = write(tmp_path / "bom.md", b"\xef\xbb\xbf" + SECONDS_CLIP.encode())
    crlf.chmod(0o640)
    result = run_cliplint("--isolated", WITH_PLUGIN, "--fix", ".", cwd=tmp_path,
                          env={"PYTHONPATH": str(testfix_site)})
    assert result.status == 0, result.stdout + result.stderr
    assert crlf.read_bytes() == FIXED_CLIP.replace("\n", "\r\n").encode()
    assert bom.read_bytes() == b"\xef\xbb\xbf" + FIXED_CLIP.encode()
    assert oct(crlf.stat().st_mode & 0o777) == oct(0o640)
    again = run_cliplint("--isolated", WITH_PLUGIN, "--diff", ".", cwd=tmp_path,
                         env={"PYTHONPATH": str(testfix_site)})
    assert (again.status, again.stdout) == (0, "")


def test_subprocess_refusal_exit_status(tmp_path: Path, testfix_site: Path) -> None:
    original = SECONDS_CLIP.replace("<p>Some", "<!--ping--><p>Some")
    path = write(tmp_path / "a.md", original)
    result = run_cliplint("--isolated", WITH_PLUGIN, "--fix", "a.md", cwd=tmp_path,
                          env={"PYTHONPATH": str(testfix_site)})
    assert result.status == 1
    assert "fix-refused fix refused (repeated-state) for testfix/ping" in result.stdout
    assert path.read_text() == original


# -- the acceptance: the shared VOA example ------------------------------------------------


@pytest.mark.shared
def test_voa_example_loses_the_feedx_footer_and_nothing_else(tmp_path: Path) -> None:
    original = EXAMPLE.read_bytes()
    path = write(tmp_path / "voa-blinken.md", original)
    result = run_cliplint("--isolated", "--fix", "--show-fixes", "voa-blinken.md", cwd=tmp_path)
    assert result.status == 0, result.stdout + result.stderr
    assert "aggregator-boilerplate" in result.stdout
    end = "恢复”。</p>".encode()
    cut = original.index(end) + len(end)
    assert original[cut:].startswith(b"<br><hr><div>") and original.endswith(b"</div>\n")
    assert path.read_bytes() == original[:cut] + b"\n"
    before = path.stat()
    again = run_cliplint("--isolated", "--fix", "voa-blinken.md", cwd=tmp_path)
    assert again.status == 0 and "No fixes applied." in again.stdout
    assert path.read_bytes() == original[:cut] + b"\n"
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert os.path.getsize(path) < len(original)
