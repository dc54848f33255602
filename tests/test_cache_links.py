"""The cache lies in the linted tree, which a repository can fill with symbolic links: a
cache folder or file linked to another application's folder or database must not lead
cliplint's writes there. Such a cache is refused, said once, and the run goes on without
it. Real runs of the command line over real files and real SQLite databases."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import GOOD_CLIPPING, run_cliplint, write

#: A timestamp in seconds, no blank line after the underline.
BAD_CLIPPING = GOOD_CLIPPING.replace("744000-->", "744-->").replace("------\n\n", "------\n")


def _repository(tmp_path: Path) -> Path:
    repository = tmp_path / "repository"
    write(repository / "ok.md", GOOD_CLIPPING)
    write(repository / "bad.md", BAD_CLIPPING)
    return repository


def _lint(repository: Path, tmp_path: Path) -> tuple[int, list[dict[str, object]], str]:
    run = run_cliplint("--isolated", "--jobs", "1", "--format", "json", ".", cwd=repository,
                       env={"XDG_CACHE_HOME": str(tmp_path / "user-cache")})
    return run.status, json.loads(run.stdout)["problems"], run.stderr


def _victim(tmp_path: Path) -> Path:
    """Another application's SQLite database."""
    database = tmp_path / "victim" / "app.sqlite"
    database.parent.mkdir()
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("CREATE TABLE bookmarks (url TEXT)")
        connection.execute("INSERT INTO bookmarks VALUES ('https://example.com/')")
    return database


def _cache_file(repository: Path) -> Path:
    [database] = (repository / ".cliplint_cache").glob("results-*.sqlite3")
    return database


def _expected(repository: Path, tmp_path: Path) -> list[dict[str, object]]:
    """The problems, from a first run that leaves the cache file (named as the next run
    will name it) behind."""
    status, problems, stderr = _lint(repository, tmp_path)
    assert (status, stderr) == (1, "") and problems
    return problems


class _Scene(NamedTuple):
    """A repository linted once (its problems ``expected``), another application's
    database ``victim`` (its bytes ``before``), and the cache file's name, its file
    removed for the test to put something else there."""

    repository: Path
    expected: list[dict[str, object]]
    victim: Path
    before: bytes
    cache_file: Path


def _scene(tmp_path: Path) -> _Scene:
    repository = _repository(tmp_path)
    expected = _expected(repository, tmp_path)
    victim = _victim(tmp_path)
    cache_file = _cache_file(repository)
    cache_file.unlink()
    return _Scene(repository, expected, victim, victim.read_bytes(), cache_file)


def _refused(stderr: str, what: str, path: Path, why: str, repository: Path) -> None:
    """One line, saying the cache is not used and why: ``what`` (folder or file) at
    ``path`` is ``why``. (The run names it from the working folder, the repository: with
    --isolated the root is ".".)"""
    [line] = stderr.splitlines()
    assert line.startswith(f"cliplint: the cache {what} "), line
    named = line.removeprefix(f"cliplint: the cache {what} ").partition(f" {why};")[0]
    assert os.path.normpath(repository / named) == str(path), line
    assert line.endswith("this run goes on without a cache (cliplint writes no cache "
                         "through a link: remove it)"), line


@pytest.mark.parametrize("target", ["relative", "absolute"])
def test_a_cache_file_linked_to_another_database_leaves_it_alone(tmp_path: Path,
                                                                 target: str) -> None:
    repository, expected, victim, before, cache_file = _scene(tmp_path)
    cache_file.symlink_to(os.path.relpath(victim, cache_file.parent) if target == "relative"
                          else victim)
    for _ in range(2):  # refused every run, said every run
        status, problems, stderr = _lint(repository, tmp_path)
        assert (status, problems) == (1, expected)
        _refused(stderr, "file", cache_file, "is a symbolic link", repository)
    assert victim.read_bytes() == before  # no table added, no journal left beside it
    assert sorted(path.name for path in victim.parent.iterdir()) == ["app.sqlite"]
    assert cache_file.is_symlink()


def test_a_cache_file_linked_to_nowhere_makes_nothing_there(tmp_path: Path) -> None:
    repository = _repository(tmp_path)
    (repository / ".cliplint_cache").mkdir()
    (repository / ".cliplint_cache" / ".gitignore").write_text("*\n")
    expected = _expected(repository, tmp_path)
    cache_file = _cache_file(repository)
    cache_file.unlink()
    cache_file.symlink_to(tmp_path / "made-by-cliplint.sqlite")
    status, problems, stderr = _lint(repository, tmp_path)
    assert (status, problems) == (1, expected)
    _refused(stderr, "file", cache_file, "is a symbolic link", repository)
    assert not (tmp_path / "made-by-cliplint.sqlite").exists()


@pytest.mark.parametrize("suffix", ["-journal", "-wal", "-shm"])
def test_a_side_file_linked_elsewhere_is_refused_too(tmp_path: Path, suffix: str) -> None:
    """SQLite's journal (or write-ahead log and its index) beside the cache file, linked to
    a file of someone else's: SQLite would open it by name."""
    repository = _repository(tmp_path)
    expected = _expected(repository, tmp_path)
    victim = _victim(tmp_path)
    before = victim.read_bytes()
    cache_file = _cache_file(repository)
    side = Path(f"{cache_file}{suffix}")
    side.symlink_to(victim)
    status, problems, stderr = _lint(repository, tmp_path)
    assert (status, problems) == (1, expected)
    _refused(stderr, "file", side, "is a symbolic link", repository)
    assert victim.read_bytes() == before


def test_a_cache_file_with_another_name_is_refused(tmp_path: Path) -> None:
    """A hard link: the same file under another name, perhaps another application's."""
    repository, expected, victim, before, cache_file = _scene(tmp_path)
    os.link(victim, cache_file)
    status, problems, stderr = _lint(repository, tmp_path)
    assert (status, problems) == (1, expected)
    _refused(stderr, "file", cache_file, "has 2 hard links", repository)
    assert victim.read_bytes() == before


@pytest.mark.parametrize("target", ["folder", "nowhere"])
def test_a_cache_folder_linked_elsewhere_gets_nothing_written(tmp_path: Path,
                                                             target: str) -> None:
    """``.cliplint_cache`` committed as a link: to another application's folder, or to
    one that does not exist (which would be made)."""
    repository = _repository(tmp_path)
    expected = _expected(repository, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    if target == "folder":
        write(elsewhere / "settings.ini", "[app]\n")
    folder = repository / ".cliplint_cache"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.symlink_to(elsewhere, target_is_directory=True)
    # A configuration too: its validation leaves a marker in the cache folder.
    write(repository / "cliplint.toml", 'select = ["timestamp-comment"]\n')
    selected = [problem for problem in expected if problem["rule"] == "timestamp-comment"]
    for arguments, problems in (("--isolated",), expected), (("--config", "cliplint.toml"),
                                                             selected):
        run = run_cliplint("--jobs", "1", "--format", "json", *arguments, ".", cwd=repository,
                           env={"XDG_CACHE_HOME": str(tmp_path / "user-cache")})
        assert run.status == 1 and json.loads(run.stdout)["problems"] == problems
        _refused(run.stderr, "folder", folder, "is a symbolic link", repository)
    if target == "folder":
        assert sorted(path.name for path in elsewhere.iterdir()) == ["settings.ini"]
    else:
        assert not elsewhere.exists()


def test_a_gitignore_linked_to_nowhere_makes_nothing_there(tmp_path: Path) -> None:
    """The cache folder's ``.gitignore`` is made when missing: never through a link."""
    repository = _repository(tmp_path)
    folder = repository / ".cliplint_cache"
    folder.mkdir()
    (folder / ".gitignore").symlink_to(tmp_path / "made-by-cliplint")
    _expected(repository, tmp_path)  # the cache itself is fine, and said nothing
    assert not (tmp_path / "made-by-cliplint").exists()
    assert (folder / ".gitignore").is_symlink()
    # and it is used: the next run finds its files there
    assert len(_cache_file(repository).read_bytes()) > 0


def test_a_plain_cache_is_still_used(tmp_path: Path) -> None:
    """The checks refuse links, not caches: a second run reads the first one's rows."""
    repository = _repository(tmp_path)
    expected = _expected(repository, tmp_path)
    with closing(sqlite3.connect(_cache_file(repository))) as connection:
        assert connection.execute("SELECT count(*) FROM entries").fetchone() == (2,)
    assert _lint(repository, tmp_path) == (1, expected, "")


@pytest.mark.parametrize("kind", ["file", "under a file"])
def test_a_cache_folder_named_by_the_variable_that_cannot_be_one_is_said(
        tmp_path: Path, kind: str) -> None:
    # CLIPLINT_CACHE_DIR naming a file (or a folder inside one) turned the cache off
    # without a word; the run goes on, its report unchanged, and says why once.
    write(tmp_path / "a.md", "<!--1686778744000-->\n[T](https://example.com/a)\n------\n\n"
          "<p>Body.</p>\n")
    write(tmp_path / "not-a-folder", "x\n")
    named = tmp_path / "not-a-folder" if kind == "file" else tmp_path / "not-a-folder" / "c"
    clean = run_cliplint("--isolated", "--no-cache", "a.md", cwd=tmp_path)
    run = run_cliplint("--isolated", "a.md", cwd=tmp_path,
                       env={"CLIPLINT_CACHE_DIR": str(named)})
    assert (run.status, run.stdout) == (clean.status, clean.stdout)
    [line] = run.stderr.splitlines()
    assert line == (f"cliplint: the cache folder {named} (CLIPLINT_CACHE_DIR) cannot be used "
                    "(Not a directory); this run goes on without a cache"), line
    assert (tmp_path / "not-a-folder").read_text() == "x\n"
    # The tree's own .cliplint_cache that cannot be one (a read-only checkout's, a file):
    # no cache, unsaid, as before.
    write(tmp_path / ".cliplint_cache", "x\n")
    quiet = run_cliplint("--isolated", "a.md", cwd=tmp_path)
    assert (quiet.status, quiet.stdout, quiet.stderr) == (clean.status, clean.stdout, "")
