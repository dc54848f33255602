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


# -- symlinks: a file listed under two names is no copy of itself ------------------------------


def _bridge(stamp: str) -> str:
    """A clipping duplicate-clipping knows by its URL, clipped at ``stamp``."""
    return (f"<!--{stamp}-->\n[Bridge closes](https://x.org/b/1)\n------\n\n"
            "<p>The bridge closed for repairs on Monday, the city said.</p>\n")


def _linked_archive(root: Path) -> None:
    """``2024/x.md``, a copy of it clipped before it (``old/x-copy.md``), and two more
    names of ``2024/x.md``: the symlink ``latest.md`` and ``cur/x.md`` (``cur -> 2024``)."""
    write(root / "2024/x.md", _bridge("1594000000000"))
    write(root / "old/x-copy.md", _bridge("1593000000000"))
    (root / "latest.md").symlink_to(os.path.join("2024", "x.md"))
    (root / "cur").symlink_to("2024")


def _listed_and_named(root: Path, names: list[str], *options: str,
                      env: dict[str, str] | None = None) -> tuple[tuple[int, str], tuple[int, str]]:
    """The text reports of duplicate-clipping over ``names``: listed in a manifest, and
    given on the command line."""
    write(root / "list.txt", "".join(f"{name}\n" for name in names))
    arguments = ("--isolated", "--select", "duplicate-clipping", *options)
    listed = run_cliplint(*arguments, "--paths-from", "list.txt", cwd=root, env=env)
    named = run_cliplint(*arguments, *names, cwd=root, env=env)
    return (listed.status, listed.stdout), (named.status, named.stdout)


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
@pytest.mark.parametrize("name", ["latest.md", os.path.join("cur", "x.md")],
                         ids=["symlinked file", "symlinked folder"])
def test_a_symlink_listed_is_the_file_it_leads_to(tmp_path: Path, name: str,
                                                  cache: bool) -> None:
    # Listed beside the file it leads to, a second name of it was reported as that file's
    # duplicate (and named as the copy to keep where the older copy was reported), where
    # the same names on the command line are one file under two names.
    root = tmp_path / "archive"
    _linked_archive(root)
    options = () if cache else ("--no-cache",)
    env = {"CLIPLINT_CACHE_DIR": str(tmp_path / "cache")}
    copy = os.path.join("old", "x-copy.md")
    expected = (1, f"{copy}:1:1: duplicate-clipping same article URL — duplicate of "
                   f"{os.path.join('2024', 'x.md')}\nFound 1 problem (1 error) in 3 files "
                   "checked.\n")
    # With a cache: the run that fills it, and one from it.
    for _ in range(2 if cache else 1):
        listed, named = _listed_and_named(root, [name, os.path.join("2024", "x.md"), copy],
                                          *options, env=env)
        assert listed == named == expected


@pytest.mark.parametrize("link, target", [
    ("out.md", os.path.join("..", "elsewhere", "x.md")),  # out of the archive
    ("draft.md", os.path.join("drafts", "x.md")),  # to a file not listed
])
def test_a_symlink_listed_to_no_file_of_the_run_is_a_file_of_its_own(
        tmp_path: Path, link: str, target: str) -> None:
    # As on the command line: only a link to another file of the run is a second name;
    # the older clipping it leads to is kept, and the newer copy reported.
    root = tmp_path / "archive"
    write(root / "2024/x.md", _bridge("1594000000000"))
    write(root / target, _bridge("1593000000000"))
    (root / link).symlink_to(target)
    listed, named = _listed_and_named(root, [link, os.path.join("2024", "x.md")], "--no-cache")
    assert listed == named == (
        1, f"{os.path.join('2024', 'x.md')}:1:1: duplicate-clipping same article URL — "
           f"duplicate of {link}\nFound 1 problem (1 error) in 2 files checked.\n")


def test_only_a_manifests_local_paths_are_looked_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's part: each local path listed that is a symlink or passes one, once, as
    listed; a file that passes none, and a URL (``file://`` too), are not links."""
    from cliplint.batches import manifest_sources
    from cliplint.config import Settings

    _linked_archive(tmp_path)
    monkeypatch.chdir(tmp_path)
    settings = Settings(enabled=(), severity={}, options={}, root=str(tmp_path))
    lines = ["latest.md", "./latest.md", os.path.join("cur", "x.md"),
             os.path.join("2024", "x.md"), "s3://bucket/latest.md",
             (tmp_path / "latest.md").as_uri()]
    links: set[str] = set()
    assert len(list(manifest_sources(lines, settings, links))) == 5
    assert links == {"latest.md", os.path.join("cur", "x.md")}
