"""A ``kill -9`` during ``--fix`` can leave ``.NAME.PID.XXXXXXXX.cliplint-tmp`` behind; the
next ``--fix`` removes those whose process no longer runs, and says so. Linting never
writes, so it leaves them alone. (scripts/crash_fix.py kills real runs.)"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, run_cliplint, write

from cliplint.writer import replace_file


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _leftovers(folder: Path, dead_pid: int) -> dict[str, Path]:
    write(folder / "a.md", GOOD_CLIPPING.replace("000-->", "-->"))
    made = {
        "stale": folder / f".a.md.{dead_pid}.k2_x9q0z.cliplint-tmp",
        "running": folder / f".a.md.{os.getpid()}.abcdefgh.cliplint-tmp",  # this test runs
        "not ours": folder / ".a.md.cliplint-tmp",
        "stale in a subfolder": folder / "sub" / f".b.md.{dead_pid}.aaaaaaaa.cliplint-tmp",
    }
    for path in made.values():
        write(path, "half a clipping")
    write(folder / "sub" / "b.md", GOOD_CLIPPING.replace("/a/1", "/b/2"))
    made["a folder"] = folder / f".c.md.{dead_pid}.bbbbbbbb.cliplint-tmp"
    made["a folder"].mkdir()
    made["a link"] = folder / f".d.md.{dead_pid}.cccccccc.cliplint-tmp"
    made["a link"].symlink_to("a.md")
    return made


def test_fix_removes_the_stale_temporary_files_and_says_so(tmp_path: Path, dead_pid: int) -> None:
    made = _leftovers(tmp_path, dead_pid)
    result = run_cliplint("--isolated", "--no-cache", "--fix", ".", cwd=tmp_path)
    assert result.status == 0, result.stdout
    gone = {name for name, path in made.items() if not os.path.lexists(path)}
    assert gone == {"stale", "stale in a subfolder"}
    assert result.stderr.startswith("cliplint: removed 2 stale temporary files of an "
                                    "interrupted --fix (e.g. ")
    assert (tmp_path / "a.md").read_text().startswith("<!--1686778744000-->")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_temporary_file_of_a_process_not_yet_reaped_is_stale(tmp_path: Path) -> None:
    # A worker killed with its main process is a zombie until something reaps it; its
    # number still answers signal 0, but it writes nothing any more.
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        stat = Path(f"/proc/{child.pid}/stat")
        while stat.read_bytes().rpartition(b")")[2].split()[0] != b"Z":
            time.sleep(0.01)  # until it has ended (not reaped: this test is its parent)
        write(tmp_path / "a.md", GOOD_CLIPPING)
        left = write(tmp_path / f".a.md.{child.pid}.zzzzzzzz.cliplint-tmp", "half")
        result = run_cliplint("--isolated", "--no-cache", "--fix", ".", cwd=tmp_path)
        assert result.status == 0 and not left.exists(), result.stderr
    finally:
        child.wait()


def test_linting_and_diff_leave_them_alone(tmp_path: Path, dead_pid: int) -> None:
    made = _leftovers(tmp_path, dead_pid)
    for arguments in (["."], ["--diff", "."]):
        run_cliplint("--isolated", "--no-cache", *arguments, cwd=tmp_path)
        assert all(os.path.lexists(path) for path in made.values())


def _temporary_of(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The name of the temporary file the writer renames over ``path`` as it writes
    ``new``: what a kill between its making and the rename would leave. The rename is
    watched (and done), not replaced."""
    seen: list[str] = []
    original_replace = os.replace

    def look(source: str, target: str) -> None:
        seen.append(os.path.basename(source))
        original_replace(source, target)

    monkeypatch.setattr(os, "replace", look)
    replace_file(str(path), b"new\n")
    [name] = seen
    return name


def test_the_writer_names_its_temporary_files_after_its_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "a.md", "old\n")
    name = _temporary_of(path, monkeypatch)
    assert path.read_bytes() == b"new\n"
    assert name.startswith(f".a.md.{os.getpid()}.") and name.endswith(".cliplint-tmp")
    assert len(name) == len(f".a.md.{os.getpid()}.") + 8 + len(".cliplint-tmp")


@pytest.mark.parametrize("name", ["a" * 252 + ".md", "新" * 84 + ".md"],
                         ids=["255 ASCII bytes", "255 bytes of UTF-8"])
def test_a_file_with_a_name_as_long_as_allowed_is_fixed(tmp_path: Path, name: str) -> None:
    # The temporary name holds the file's: whole, it was too long a name to be made,
    # and such a file was never fixed ("fix-refused ... File name too long").
    assert len(os.fsencode(name)) == 255
    path = write(tmp_path / name, GOOD_CLIPPING.replace("000-->", "-->"))
    result = run_cliplint("--isolated", "--no-cache", "--fix", "--select", "timestamp-comment",
                          name, cwd=tmp_path)
    assert result.status == 0, result.stdout + result.stderr
    assert path.read_text(encoding="utf-8") == GOOD_CLIPPING
    assert sorted(os.listdir(tmp_path)) == [name]


def test_a_cut_temporary_name_is_still_known_as_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dead_pid: int) -> None:
    """What a kill would leave of a long name's write is removed by the next --fix."""
    name = "新" * 84 + ".md"
    path = write(tmp_path / name, "old\n")
    temporary = _temporary_of(path, monkeypatch)
    assert len(os.fsencode(temporary)) <= 255
    assert temporary.startswith(".新") and f".{os.getpid()}." in temporary
    left = write(tmp_path / temporary.replace(f".{os.getpid()}.", f".{dead_pid}."), "half")
    monkeypatch.undo()
    result = run_cliplint("--isolated", "--no-cache", "--fix", name, cwd=tmp_path)
    assert not left.exists(), result.stderr
