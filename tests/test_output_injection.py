"""Scraped text (clippings' lines, their file names) must reach a terminal or a CI log as
text, never as commands: ``--diff``'s headers and lines, and the text report in GitHub
Actions. Real ``git apply``, ``patch``, a real pseudo-terminal, the real command line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import read_until_closed, run_cliplint, write

from cliplint.fixer import diff_path, visible_controls

#: A title and a body holding OSC 52 (writes the clipboard), a screen clear and a window
#: title: what a terminal would obey. The fixes (invisible-characters) remove them.
HOSTILE = ("<!--1686778744000-->\n"
           "[Esc\x1b]52;c;ZWNobyBwd25lZA==\x07 T\x1b[2J](https://example.com/esc)\n"
           "------\n\n<p>body\u200b\x1b]0;OWNED\x07 text</p>\n")
#: A clipping one fix changes: seconds in the timestamp become milliseconds.
SECONDS_CLIP = ("<!--1686778744-->\n[A title](https://example.com/a/1)\n------\n\n"
                "<p>Some article text.</p>\n")
#: File names a scraper may make, each a different trap for a diff header.
ODD_NAMES = [b"tab\there.md", b"new\nline.md", b'quo"te.md', b"back\\slash.md",
             "caf\u00e9 \u65e5\u672c.md".encode(), b"bad\xffbyte.md", b"sp ace.md",
             b"cr\rname.md", b"esc\x1b[2Jname.md", b"q y\tz.md", b"plain.md"]


def _environment(**extra: str) -> dict[str, str]:
    """No cliplint variables, no resident server, not in GitHub Actions, and a git
    configuration of our own (the developer's must not change what git apply takes)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CLIPLINT", "GIT_")) and k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    env.update(CLIPLINT_NO_SERVER="1", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    env.update(extra)
    return env


def _cliplint(folder: Path, *arguments: str, env: Mapping[str, str] | None = None
              ) -> subprocess.CompletedProcess[bytes]:
    """``python -m cliplint``, its output as bytes: a patch is bytes, not text."""
    return subprocess.run([sys.executable, "-m", "cliplint", "--isolated", "--no-cache",
                           *arguments], cwd=folder, env=env or _environment(),
                          capture_output=True, timeout=300, check=False)


def _odd_files(folder: Path) -> list[Path]:
    os.makedirs(folder, exist_ok=True)
    paths = []
    for name in ODD_NAMES:
        path = Path(os.fsdecode(os.path.join(os.fsencode(folder), name)))
        path.write_bytes(SECONDS_CLIP.encode())
        paths.append(path)
    return paths


# -- F1: --diff's headers ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "header"), [
    ("a/plain.md", "a/plain.md"),
    ("a/x\ty", '"a/x\\ty"'),
    ("a/x\ny", '"a/x\\ny"'),
    ("a/x\ry", '"a/x\\ry"'),
    ('a/x"y', '"a/x\\"y"'),
    ("a/x\\y", '"a/x\\\\y"'),
    ("a/x\x1by", '"a/x\\033y"'),
    ("a/x\x7fy", '"a/x\\177y"'),
    ("a/x\x9by", '"a/x\\302\\233y"'),  # a C1 control: its UTF-8 bytes
    ("a/x\udcffy", '"a/x\\377y"'),  # a byte of a name that is not UTF-8
    ("a/caf\u00e9 \u3000\u200b.md", "a/caf\u00e9 \u3000\u200b.md"),  # printed as it is
])
def test_diff_headers_quote_paths_as_git_does(name: str, header: str) -> None:
    assert diff_path(name) == header


def _git(folder: Path, *arguments: str) -> str:
    result = subprocess.run(["git", *arguments], cwd=folder, env=_environment(),
                            capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, f"git {' '.join(arguments)}: {result.stderr!r}"
    return result.stdout.decode("utf-8", "replace")


@pytest.fixture
def odd_repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.fail("git is needed to test that git apply takes cliplint's --diff")
    repo = tmp_path / "repo"
    _odd_files(repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-q", "-m", "x")
    return repo


@pytest.mark.parametrize("named", ["folder", "files"])
def test_git_apply_takes_the_diff_of_odd_file_names(odd_repo: Path, named: str) -> None:
    """`cliplint --diff .` (./name) and `cliplint --diff NAME...` (as pre-commit and xargs
    pass them): git apply checks and applies the patch, and the files come out as --fix
    writes them."""
    names = ["."] if named == "folder" else [os.fsdecode(name) for name in ODD_NAMES]
    diff = _cliplint(odd_repo, "--diff", *names)
    assert diff.returncode == 1, diff.stderr
    assert diff.stdout.count(b"\n--- ") + diff.stdout.startswith(b"--- ") == len(ODD_NAMES)
    patch = odd_repo.parent / "fix.patch"
    patch.write_bytes(diff.stdout)
    _git(odd_repo, "apply", "--check", str(patch))
    _git(odd_repo, "apply", str(patch))
    for name in ODD_NAMES:
        fixed = (odd_repo / os.fsdecode(name)).read_text()
        assert fixed == SECONDS_CLIP.replace("744-->", "744000-->"), name


def test_patch_takes_the_diff_of_odd_file_names(odd_repo: Path) -> None:
    """GNU patch too: it reads a name up to a space unless a tab ends it."""
    if shutil.which("patch") is None:
        pytest.skip("GNU patch is not installed")
    diff = _cliplint(odd_repo, "--diff", ".")
    result = subprocess.run(["patch", "-p1", "--batch", "--quiet"], cwd=odd_repo,
                            input=diff.stdout, capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ODD_NAMES:
        assert (odd_repo / os.fsdecode(name)).read_text().startswith("<!--1686778744000-->")


# -- F1: --diff's lines on a terminal --------------------------------------------------


def _on_a_terminal(folder: Path, *arguments: str) -> bytes:
    """What ``python -m cliplint`` writes when its standard output is a terminal."""
    import pty

    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "cliplint", "--isolated", "--no-cache", *arguments],
            cwd=folder, env=_environment(), stdin=subprocess.DEVNULL, stdout=follower,
            stderr=subprocess.DEVNULL)
    finally:
        os.close(follower)
    output = read_until_closed(leader, wait=300)
    os.close(leader)
    assert process.wait(timeout=300) == 1
    return output.replace(b"\r\n", b"\n")  # the terminal's own newline mapping


def test_diff_on_a_terminal_shows_control_characters(tmp_path: Path) -> None:
    write(tmp_path / "esc.md", HOSTILE)
    shown = _on_a_terminal(tmp_path, "--diff", "esc.md")
    assert b"\x1b" not in shown and b"\x07" not in shown
    assert b"-[Esc\\x1b]52;c;ZWNobyBwd25lZA==\\x07 T\\x1b[2J](https://example.com/esc)\n" in shown
    assert "-<p>body\u200b\\x1b]0;OWNED\\x07 text</p>\n".encode() in shown


def test_diff_elsewhere_keeps_the_bytes(tmp_path: Path) -> None:
    """Not a terminal (a pipe, a file): the patch must apply, so its bytes are the file's."""
    write(tmp_path / "esc.md", HOSTILE)
    piped = _cliplint(tmp_path, "--diff", "esc.md").stdout
    assert b"-[Esc\x1b]52;c;ZWNobyBwd25lZA==\x07 T\x1b[2J](https://example.com/esc)\n" in piped
    assert b"\\x1b" not in piped


@pytest.mark.parametrize(("line", "shown"), [
    ("-a\x1b[2Jb\n", "-a\\x1b[2Jb\n"),
    (" a\tb\n", " a\tb\n"),  # a tab is text
    ("+a\rb\r\n", "+a\\rb\r\n"),  # a CR inside a line moves the cursor; a CRLF's does not
    ("-a\x9bb\x7f\n", "-a\\x9bb\\x7f\n"),  # C1 controls and DEL too
    ("-a\u200b\u2028b", "-a\u200b\u2028b"),  # not control characters (Cc): as they are
])
def test_visible_controls(line: str, shown: str) -> None:
    assert visible_controls(line) == shown


# -- F2: the text report in GitHub Actions ---------------------------------------------

#: A name that forges an annotation, as pre-commit and xargs pass it (no ./ before it).
FORGED = "::error file=other.md,line=1::forged annotation.md"
#: A body line --show-source quotes (the BEL is what a rule reports on it).
MASKING = SECONDS_CLIP.replace("<p>Some", "::add-mask::secret\x07\n<p>Some")
_STOPPED = re.compile(r"::stop-commands::([0-9a-f]{32})\n")


def _hostile_clippings(folder: Path) -> None:
    write(folder / FORGED, SECONDS_CLIP)
    write(folder / "mask.md", MASKING)


def _actions(*arguments: str, folder: Path, actions: bool = True) -> str:
    result = run_cliplint("--isolated", "--no-cache", *arguments, cwd=folder,
                          env={"CI": "true", **({"GITHUB_ACTIONS": "true"} if actions else {})})
    assert result.status == 1, result.stderr
    return result.stdout


def _unwrapped(report: str) -> tuple[str, str]:
    """The token and what lies between ``::stop-commands::TOKEN`` and ``::TOKEN::``,
    which must be the report's first and last lines."""
    opening = _STOPPED.match(report)
    assert opening is not None, report
    token = opening.group(1)
    assert report.endswith(f"\n::{token}::\n")
    inside = report[opening.end():-len(f"::{token}::\n")]
    assert f"::{token}::" not in inside
    return token, inside


@pytest.mark.parametrize("how", [[], ["--baseline", "empty.json"], ["--fix"]],
                         ids=["streamed", "whole", "fix"])
def test_text_report_in_github_actions_stops_commands(tmp_path: Path, how: list[str]) -> None:
    """Streamed as the files come (a lint), or rendered whole (a baseline, --fix): the
    forged annotation and the quoted ::add-mask:: line lie between the two lines."""
    _hostile_clippings(tmp_path)
    write(tmp_path / "empty.json", '{"version": 1, "problems": []}')
    arguments = [*how, "--show-source", FORGED, "mask.md"]
    plain = _actions(*arguments, folder=tmp_path, actions=False) if how != ["--fix"] else None
    _, inside = _unwrapped(_actions(*arguments, folder=tmp_path))
    lines = inside.splitlines()
    assert lines[0].startswith(f"{FORGED}:1:")
    if plain is not None:
        assert "  ::add-mask::secret\ufffd" in lines  # --fix took the BEL away
        assert inside == plain  # the report itself is unchanged


def test_each_run_stops_commands_with_a_new_token(tmp_path: Path) -> None:
    _hostile_clippings(tmp_path)
    first, _ = _unwrapped(_actions(FORGED, folder=tmp_path))
    second, _ = _unwrapped(_actions(FORGED, folder=tmp_path))
    assert first != second


def test_text_report_outside_github_actions_is_unchanged(tmp_path: Path) -> None:
    _hostile_clippings(tmp_path)
    report = _actions("--show-source", FORGED, "mask.md", folder=tmp_path, actions=False)
    assert report.startswith(f"{FORGED}:1:")
    assert "stop-commands" not in report


@pytest.mark.parametrize("format_", ["json", "github", "sarif", "junit", "gitlab"])
def test_machine_formats_in_github_actions_are_not_wrapped(tmp_path: Path, format_: str) -> None:
    _hostile_clippings(tmp_path)
    wrapped = _actions("--format", format_, FORGED, "mask.md", folder=tmp_path)
    plain = _actions("--format", format_, FORGED, "mask.md", folder=tmp_path, actions=False)
    assert "stop-commands" not in wrapped
    if format_ in ("github", "json"):  # no time or random id in them
        assert wrapped == plain


def test_report_file_in_github_actions_is_not_wrapped(tmp_path: Path) -> None:
    _hostile_clippings(tmp_path)
    assert _actions("--output-file", "report.txt", FORGED, folder=tmp_path) == ""
    assert "stop-commands" not in (tmp_path / "report.txt").read_text()


def test_commands_resume_when_the_run_is_interrupted(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C after the first file's problems: the closing line is still written, or the
    runner would ignore the commands of every later step of the job."""
    from cliplint.formats import text

    _hostile_clippings(tmp_path)
    write(tmp_path / "z.md", SECONDS_CLIP)
    real = text._problem_lines
    calls = []

    def interrupt(*arguments: object) -> list[str]:
        calls.append(arguments)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(text, "_problem_lines", interrupt)
    result = run_cliplint("--isolated", "--no-cache", "--jobs", "1", FORGED, "mask.md",
                          cwd=tmp_path, env={"CI": "true", "GITHUB_ACTIONS": "true"})
    assert (result.status, len(calls)) == (130, 2)
    _, inside = _unwrapped(result.stdout)
    assert inside.startswith(FORGED)
