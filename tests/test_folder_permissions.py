"""Folders and files cliplint may not read: each is a reported problem (file-unreadable,
exit 1), never a crash, a silent skip or "All clean" (CI would pass an archive it never
checked), nor a "path does not exist".

The permission bits are what is tested, and root ignores them: as root (the suite's CI
runs as root), cliplint runs under ``setpriv`` with the capabilities that override them
taken out of its bounding set, as an ordinary user; as an ordinary user, as it is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, Run, write

#: What lets root read and enter whatever the bits say.
_OVERRIDES = "-dac_override,-dac_read_search,-fowner"


def _as_a_user() -> list[str]:
    """The command that runs the rest as an ordinary user would, permission-wise."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    # Not a skip: without it these tests would check nothing as root.
    assert setpriv is not None, "as root, these tests need setpriv (util-linux)"
    return [setpriv, "--bounding-set", _OVERRIDES, "--"]


def run_as_a_user(*arguments: str, cwd: Path) -> Run:
    completed = subprocess.run(
        [*_as_a_user(), sys.executable, "-m", "cliplint", *arguments], cwd=cwd,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")},
             "CLIPLINT_NO_SERVER": "1", "XDG_CACHE_HOME": str(cwd / "xdg")},
        capture_output=True, timeout=300)
    return Run(completed.returncode, completed.stdout.decode(), completed.stderr.decode())


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Path]:
    """``open.md``; ``noexec/`` (mode 600: listed, not entered) and ``closed/`` (mode 000),
    each with a clipping; a configuration file at the top, so that each folder's own is
    looked for. Modes restored afterwards, for the clean-up."""
    write(tmp_path / "cliplint.toml", "")
    write(tmp_path / "open.md", GOOD_CLIPPING)
    for name in ("noexec", "closed"):
        write(tmp_path / name / "c.md", GOOD_CLIPPING)
    (tmp_path / "noexec").chmod(0o600)
    (tmp_path / "closed").chmod(0o000)
    try:
        yield tmp_path
    finally:
        for name in ("noexec", "closed"):
            (tmp_path / name).chmod(0o755)


def test_the_commands_run_as_a_user_cannot_read_what_a_user_cannot(tree: Path) -> None:
    # The premise of the tests below: without it they would prove nothing.
    done = subprocess.run([*_as_a_user(), sys.executable, "-c",
                           "import os, sys; os.stat(sys.argv[1])", "closed/c.md"],
                          cwd=tree, capture_output=True)
    assert done.returncode == 1 and b"PermissionError" in done.stderr


UNENTERED = ("noexec:1:1: file-unreadable cannot enter the folder: Permission denied; "
             "none of the clippings in it were checked")
UNLISTED = ("closed:1:1: file-unreadable cannot list the folder: Permission denied; "
            "none of the clippings in it were checked")


def test_a_folder_that_cannot_be_entered_or_listed_is_a_problem(tree: Path) -> None:
    # Mode 600 made the look for noexec/cliplint.toml raise (an internal error, exit 3);
    # mode 000 was skipped without a word.
    run = run_as_a_user("--no-cache", ".", cwd=tree)
    assert run.status == 1, run.stderr
    assert run.stdout.splitlines() == ["./" + UNLISTED, "./" + UNENTERED,
                                       "Found 2 problems (2 errors) in 3 files checked."]
    assert run.stderr == ""
    # Without configuration files there is none to look for: a folder that can be
    # listed gives its files, each unreadable.
    isolated = run_as_a_user("--isolated", "--no-cache", ".", cwd=tree)
    assert isolated.status == 1, isolated.stderr
    assert isolated.stdout.splitlines()[:2] == [
        "./" + UNLISTED, "./noexec/c.md:1:1: file-unreadable cannot read: Permission denied"]


def test_a_closed_folder_alone_is_not_all_clean(tree: Path) -> None:
    # It was "no clippings found", "All clean: 0 files checked", exit 0: CI passed.
    run = run_as_a_user("closed", cwd=tree)  # with the cache: an unreadable file is not kept
    assert run.status == 1, run.stderr
    assert run.stdout.splitlines() == ["closed" + UNLISTED.removeprefix("closed"),
                                       "Found 1 problem (1 error) in 1 file checked."]
    again = run_as_a_user("--format", "json", "closed", cwd=tree)
    assert again.status == 1 and '"rule": "file-unreadable"' in again.stdout


def test_a_file_in_a_closed_folder_is_unreadable_not_missing(tree: Path) -> None:
    # It was "path does not exist" (exit 2): it may well exist.
    run = run_as_a_user("--no-cache", "closed/c.md", "noexec/c.md", "open.md", cwd=tree)
    assert run.status == 1, run.stderr
    assert run.stdout.splitlines()[:2] == [
        "closed/c.md:1:1: file-unreadable cannot read: Permission denied",
        "noexec/c.md:1:1: file-unreadable cannot read: Permission denied"]
    assert "3 files checked" in run.stdout.splitlines()[-1]
    # What is not there is still missing.
    missing = run_as_a_user("--no-cache", "nothing.md", cwd=tree)
    assert missing.status == 2
    assert missing.stderr == "cliplint: error: path does not exist: nothing.md\n"


def test_configuration_that_cannot_be_checked_is_a_configuration_error(tree: Path) -> None:
    # The run's own configuration, and a file it extends, in a folder that cannot be
    # entered: said, exit 2 (it was an internal error, exit 3).
    write(tree / "cliplint.toml", 'extend = "noexec/base.toml"\n')
    extend = run_as_a_user("--no-cache", "open.md", cwd=tree)
    assert extend.status == 2
    assert extend.stderr == (f"cliplint: error: {tree / 'cliplint.toml'}: extend: cannot check "
                             f"'noexec/base.toml' ({tree / 'noexec' / 'base.toml'}): "
                             "Permission denied\n")
    write(tree / "cliplint.toml", "")
    (tree / "noexec").chmod(0o700)
    write(tree / "noexec" / "deeper" / "d.md", GOOD_CLIPPING)
    # Started in noexec/deeper, the run loses its way up: noexec is closed behind it.
    done = subprocess.run(
        [*_as_a_user(), "sh", "-c", 'chmod 600 .. && exec "$0" -m cliplint --no-cache d.md',
         sys.executable], cwd=tree / "noexec" / "deeper", capture_output=True, timeout=300,
        env={**os.environ, "CLIPLINT_NO_SERVER": "1"})
    assert done.returncode == 2
    assert done.stderr.decode() == (f"cliplint: error: cannot check {tree / 'noexec' / 'deeper'} "
                                    "for a configuration file: Permission denied\n")
