"""``--diff`` shows the patch ``--fix`` would write: the same refusals, one hunk per file
(whatever paths lead to it), under names ``git apply`` takes. Each scene is built twice on
disk; ``--diff``'s patch is applied to one with the real ``git apply``, ``--fix`` runs on
the other, and the two trees must come out byte for byte the same."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, run_cliplint, write

#: A clipping one fix changes (seconds become milliseconds); ``{n}`` keeps each distinct.
SECONDS_CLIP = ("<!--1686778744-->\n[Title {n}](https://example.com/a/{n})\n------\n\n"
                "<p>Some article text.</p>\n")
OPTIONS = ("--isolated", "--no-cache", "--select=timestamp-comment")


def _clip(n: int) -> str:
    return SECONDS_CLIP.format(n=n)


def _git(folder: Path, *arguments: str) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed to test that git apply takes cliplint's --diff")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    result = subprocess.run(["git", *arguments], cwd=folder, env=env, capture_output=True,
                            timeout=120, check=False)
    assert result.returncode == 0, f"git {' '.join(arguments)}: {result.stderr!r}"


def _tree(folder: Path) -> dict[str, object]:
    """Every entry under ``folder`` but .git: a file's bytes, mode and link count, a
    symlink's target."""
    entries: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if name == ".git" or name.startswith(".git/"):
            continue
        info = path.lstat()
        if path.is_symlink():
            entries[name] = ("link", os.readlink(path))
        elif path.is_file():
            entries[name] = (path.read_bytes(), oct(info.st_mode), info.st_nlink)
    return entries


def _counts(report: str) -> tuple[str, str]:
    """'N problems in M files' of "Fixed ..." or "Would fix ...", and the fix-refused
    lines (the rule and why), as --fix and --diff word them alike."""
    found = re.search(r"(?:Fixed|Would fix) (\d+ problems? in \d+ files?)", report)
    refused = sorted(re.sub(r"^\S+ ", "", line) for line in report.splitlines()
                     if " fix-refused " in line)
    return (found.group(1) if found else "no fixes"), "\n".join(refused)


def _same_as_fix(tmp_path: Path, build: Callable[[Path], None], here: str,
                 arguments: tuple[str, ...], apply_in: str = ".") -> Run:
    """Build the scene twice; apply ``--diff``'s patch (git apply, from ``apply_in``) to
    one and run ``--fix`` on the other, both from ``here``; the trees and the counts must
    be equal. Returns the --diff run."""
    diffed, fixed = tmp_path / "diffed", tmp_path / "fixed"
    for scene in (diffed, fixed):
        scene.mkdir()
        build(scene)
        _git(scene, "init", "-q")
    diff = run_cliplint(*OPTIONS, "--diff", *arguments, cwd=diffed / here)
    assert diff.status == 1, diff.stderr
    patch = tmp_path / "fixes.patch"
    patch.write_text(diff.stdout, encoding="utf-8", newline="")
    _git(diffed / apply_in, "apply", str(patch))
    fix = run_cliplint(*OPTIONS, "--fix", *arguments, cwd=fixed / here)
    assert _tree(diffed) == _tree(fixed)
    assert _counts(diff.stderr.replace(str(diffed), "SCENE")) == _counts(
        fix.stdout.replace(str(fixed), "SCENE"))
    return diff


def _linked(scene: Path) -> None:
    """A clipping, a symlink to it walked before it, and another clipping."""
    write(scene / "2024" / "x.md", _clip(1))
    write(scene / "other.md", _clip(2))
    (scene / "latest.md").symlink_to(Path("2024") / "x.md")


def test_a_file_and_a_symlink_to_it_make_one_hunk(tmp_path: Path) -> None:
    """latest.md -> 2024/x.md, both walked: one hunk, naming the file itself (git apply
    and patch refuse a hunk for a symlink), counted once."""
    diff = _same_as_fix(tmp_path, _linked, ".", (".",))
    assert "Would fix 2 problems in 2 files" in diff.stderr
    assert re.findall("^--- (.*)", diff.stdout, re.M) == ["a/2024/x.md", "a/other.md"]


def _refused(scene: Path) -> None:
    """In the linted folder w: a read-only file, one with a second name outside it, a
    symlink leading out of it, and one file --fix writes."""
    write(scene / "w" / "fine.md", _clip(1))
    write(scene / "w" / "read-only.md", _clip(2)).chmod(0o444)
    os.link(write(scene / "w" / "linked.md", _clip(3)), scene / "second-name.md")
    write(scene / "outside" / "o.md", _clip(4))
    (scene / "w" / "out.md").symlink_to(Path("..") / "outside" / "o.md")


def test_what_fix_refuses_is_not_in_the_patch(tmp_path: Path) -> None:
    stderr = _same_as_fix(tmp_path, _refused, ".", ("w", "w/out.md")).stderr
    assert "Would fix 1 problem in 1 file" in stderr
    assert "the file is read-only" in stderr
    assert "the file has 2 hard links" in stderr
    assert "outside the linted tree" in stderr


def _nested(scene: Path) -> None:
    write(scene / "x.md", _clip(1))
    write(scene / "sub" / "y.md", _clip(2))


def test_a_path_with_a_dot_dot_step_is_named_without_it(tmp_path: Path) -> None:
    diff = _same_as_fix(tmp_path, _nested, ".", ("sub/../x.md",))
    assert diff.stdout.startswith("--- a/x.md\n+++ b/x.md\n")


def test_a_path_above_the_working_folder_is_named_from_a_folder_holding_all(
        tmp_path: Path) -> None:
    """From sub, ``../x.md y.md`` names x.md and sub/y.md, relative to the folder
    above (git apply and patch refuse a ``..`` step), and says to apply it there."""
    diff = _same_as_fix(tmp_path, _nested, "sub", ("../x.md", "y.md"), apply_in=".")
    assert re.findall("^--- (.*)", diff.stdout, re.M) == ["a/x.md", "a/sub/y.md"]
    assert (f"the patch names files relative to {os.path.realpath(tmp_path / 'diffed')}, "
            "which holds them all") in diff.stderr
