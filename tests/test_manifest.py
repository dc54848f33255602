"""``--paths-from``: what a manifest names is taken as the same names on the command line
would be (one file once, the same errors), whoever wrote the manifest."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from conftest import run_cliplint, write

from cliplint.batches import RunFailed, read_manifest

#: A clipping with one problem (no timestamp comment) and nothing an archive rule sees
#: twice unless the file is linted twice.
CLIP = "[A title](https://example.com/a/1)\n------\n\n<p>Text.</p>\n"
ONE_RULE = ("--select", "timestamp-comment,duplicate-clipping")


def _linted(run_stdout: str) -> tuple[int, list[tuple[str, str]]]:
    data = json.loads(run_stdout)
    return data["files_checked"], [(p["path"], p["rule"]) for p in data["problems"]]


def test_a_file_listed_again_is_linted_once(tmp_path: Path) -> None:
    # It was linted four times, and reported as a duplicate of itself.
    write(tmp_path / "ok.md", CLIP)
    (tmp_path / "sub").mkdir()
    write(tmp_path / "list.txt", "ok.md\nok.md\n./ok.md\nsub/../ok.md\n")
    run = run_cliplint("--isolated", "--no-cache", *ONE_RULE, "--format", "json",
                       "--paths-from", "list.txt", cwd=tmp_path)
    assert run.status == 1, run.stderr
    assert _linted(run.stdout) == (1, [("ok.md", "timestamp-comment")])
    # As the same names on the command line are.
    named = run_cliplint("--isolated", "--no-cache", *ONE_RULE, "--format", "json",
                         "ok.md", "ok.md", "./ok.md", "sub/../ok.md", cwd=tmp_path)
    assert _linted(named.stdout) == _linted(run.stdout)


def test_urls_listed_again_are_linted_once_and_only_as_written(tmp_path: Path) -> None:
    from cliplint.batches import manifest_sources
    from cliplint.config import Settings

    settings = Settings(enabled=(), severity={}, options={}, root=str(tmp_path))
    # A key of object storage is what it says: "a//b" is not "a/b" (nor a local path).
    urls = ["s3://bucket/a.md", "s3://bucket/a.md", "s3://bucket//a.md", "s3://bucket/./a.md"]
    assert [source.location for source in manifest_sources(urls, settings)] == [
        "s3://bucket/a.md", "s3://bucket//a.md", "s3://bucket/./a.md"]


def test_a_byte_order_mark_is_no_part_of_the_first_name(tmp_path: Path) -> None:
    # It was: "\ufeffok.md: file-unreadable cannot read: No such file or directory".
    write(tmp_path / "ok.md", CLIP)
    (tmp_path / "list.txt").write_bytes(b"\xef\xbb\xbfok.md\r\n")  # Windows' Notepad
    run = run_cliplint("--isolated", "--no-cache", *ONE_RULE, "--format", "json",
                       "--paths-from", "list.txt", cwd=tmp_path)
    assert run.status == 1, run.stderr
    assert _linted(run.stdout) == (1, [("ok.md", "timestamp-comment")])
    # Read from standard input, and between NUL bytes, the same.
    assert list(read_manifest("-", lambda: io.StringIO("\ufeffa.md\0b.md\0"))) == ["a.md", "b.md"]
    assert list(read_manifest("-", lambda: io.StringIO("\ufeffa.md\nb.md\n"))) == ["a.md", "b.md"]
    # Between NUL bytes a name is as it is, a line end at its end too (it was cut off).
    assert list(read_manifest("-", lambda: io.StringIO("a.md\r\0b\n\0"))) == ["a.md\r", "b\n"]
    assert list(read_manifest("-", lambda: io.StringIO("a.md\r\nb\n"))) == ["a.md", "b"]
    # Only at the start: elsewhere it is a character of a name, as the file system has it.
    assert list(read_manifest("-", lambda: io.StringIO("a.md\n\ufeffb.md\n"))) == [
        "a.md", "\ufeffb.md"]


def test_names_are_read_from_a_manifest_file_as_the_file_system_has_them(
        tmp_path: Path) -> None:
    # The file was read with universal newlines and strict UTF-8: a CR inside a
    # NUL-separated name became a line feed ("./cr\n.md: No such file"), and one name
    # that is not UTF-8 failed the whole run, while the same list on standard input, and
    # the same names on the command line, were linted.
    names = [os.fsdecode(name) for name in (b"./cr\r.md", b"./bad\xff.md", b"./ok.md")]
    for name in names:
        write(tmp_path / name, CLIP)
    (tmp_path / "list0").write_bytes(b"".join(os.fsencode(name) + b"\0" for name in names))
    listed = run_cliplint("--isolated", "--no-cache", "--select", "timestamp-comment",
                          "--format", "json", "--paths-from", "list0", cwd=tmp_path)
    assert listed.status == 1, listed.stderr
    assert _linted(listed.stdout) == (3, [(name, "timestamp-comment") for name in names])
    named = run_cliplint("--isolated", "--no-cache", "--select", "timestamp-comment",
                         "--format", "json", *names, cwd=tmp_path)
    assert _linted(named.stdout) == _linted(listed.stdout)
    # On standard input the same, whatever the locale: under en_US.UTF-8 Python reads it
    # strictly (PYTHONIOENCODING says so here, in a process of its own), and a name that
    # is not UTF-8 crashed the run (exit 3).
    piped = run_cliplint("--isolated", "--no-cache", "--select", "timestamp-comment",
                         "--format", "json", "--paths-from", "-", cwd=tmp_path,
                         env={"PYTHONIOENCODING": "utf-8:strict"},
                         stdin=(tmp_path / "list0").read_bytes())
    assert piped.status == 1, piped.stderr
    assert _linted(piped.stdout) == _linted(listed.stdout)


def test_a_folder_listed_is_one_problem_saying_it_is_a_folder(tmp_path: Path) -> None:
    # "." was "not a regular file", and path-portability judged the archive's root as a
    # file named ".": "file name: ends with a dot: Windows drops it" (".." too).
    write(tmp_path / "ok.md", CLIP)
    (tmp_path / "sub").mkdir()
    write(tmp_path / "list.txt", ".\n..\n./\nsub\nok.md\n")
    run = run_cliplint("--isolated", "--no-cache", "--format", "json", "--paths-from",
                       "list.txt", cwd=tmp_path)
    assert run.status == 1, run.stderr
    found = json.loads(run.stdout)["problems"]
    assert [(p["path"], p["rule"]) for p in found] == [
        (".", "file-unreadable"), ("..", "file-unreadable"), ("sub", "file-unreadable"),
        ("ok.md", "timestamp-comment")]  # ("./" is "." listed again)
    assert {p["message"] for p in found[:3]} == {
        "a folder, not a file (a manifest's folders are not walked: list their files)"}


def test_a_url_without_fsspec_is_said_as_on_the_command_line(tmp_path: Path) -> None:
    # It was an internal error (ModuleNotFoundError, exit 3). fsspec is made missing
    # whether or not it is installed: a package of that name that cannot be imported,
    # first on the path of the run and of its worker processes.
    write(tmp_path / "missing" / "fsspec" / "__init__.py",
          "raise ModuleNotFoundError(\"No module named 'fsspec'\", name='fsspec')\n")
    write(tmp_path / "ok.md", CLIP)
    url = (tmp_path / "ok.md").as_uri()
    write(tmp_path / "list.txt", f"ok.md\n{url}\n")
    env = {"PYTHONPATH": str(tmp_path / "missing")}
    listed = run_cliplint("--isolated", "--no-cache", "--paths-from", "list.txt",
                          cwd=tmp_path, env=env)
    named = run_cliplint("--isolated", "--no-cache", url, cwd=tmp_path, env=env)
    assert named.status == 2
    assert named.stderr == ("cliplint: error: object storage URLs need fsspec: "
                            "pip install 'cliplint[s3]'\n")
    assert (listed.status, listed.stderr) == (named.status, named.stderr)


def test_a_manifest_without_line_ends_is_refused_not_gathered_whole(tmp_path: Path) -> None:
    """A file with no line end named as the manifest (a binary file, a minified JSON
    document) was one name: held whole in memory and copied again at every read, 200 MB
    ran for more than a minute. Its first name longer than any path or URL ends the run."""
    from cliplint.batches import LONGEST_MANIFEST_NAME

    write(tmp_path / "ok.md", CLIP)
    write(tmp_path / "list.txt", "ok.md\n" + "x" * (LONGEST_MANIFEST_NAME + 1))
    run = run_cliplint("--isolated", "--no-cache", "--paths-from", "list.txt", cwd=tmp_path)
    assert (run.status, run.stdout) == (2, "")
    assert run.stderr == ("cliplint: error: the manifest holds a name of more than 65,536 "
                          "characters: it lists names one per line, and no path or URL is "
                          "that long\n")
    # Read as it comes: what is past that name is never asked for (an endless stream).
    endless = _Endless("a.md\0" + "y" * 4096)
    names = read_manifest("-", lambda: endless)
    assert next(names) == "a.md"
    with pytest.raises(RunFailed, match="NUL-separated"):
        next(names)
    assert endless.given <= LONGEST_MANIFEST_NAME + 2 * 4096
    # A name as long as allowed is a name (a file that is not there).
    write(tmp_path / "list.txt", "ok.md\n" + "x" * LONGEST_MANIFEST_NAME + "\n")
    run = run_cliplint("--isolated", "--no-cache", "--paths-from", "list.txt", cwd=tmp_path)
    assert run.status == 1 and "file-unreadable" in run.stdout, run.stderr


class _Endless(io.StringIO):
    """A stream as good as endless (``--paths-from /dev/urandom``, a pipe that writes
    on): ``start``, then ``y`` up to 4 MB (an end, so that a broken reader fails the
    test rather than hang it); counts the characters it gave."""

    def __init__(self, start: str) -> None:
        super().__init__()
        self._start = start
        self.given = 0

    def read(self, size: int | None = -1) -> str:
        assert size is not None and size > 0
        if self.given < len(self._start):
            part = self._start[self.given:self.given + size]
        else:
            part = "y" * min(size, 4_000_000 - self.given)
        self.given += len(part)
        return part
