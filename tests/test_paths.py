"""Paths kept as strings (cliplint/paths.py): written as pathlib wrote them, so that the
cache's files and keys and the configuration's look-ups stay what they were; and the
cache file's ``file:`` URI (cliplint/cache.py), which pathlib's ``as_uri`` wrote."""

from __future__ import annotations

import itertools
import os
from contextlib import closing
from pathlib import Path

import pytest

from cliplint.cache import Cache, file_uri
from cliplint.model import Problem
from cliplint.paths import absolute_text, path_text, relative_posix

#: Pieces of paths, put together two or three at a time: separators doubled and
#: trailing, ``.`` and ``..`` parts, POSIX's implementation-defined ``//`` root.
PIECES = ["", "/", "//", "///", ".", "..", "a", "b c", "中", "./", "a/", "a//b", "/./"]
PATHS = sorted({"".join(pieces) for count in (1, 2, 3)
                for pieces in itertools.product(PIECES, repeat=count)})
ROOTS = ["", ".", "/", "//", "a", "a/b", "..", "a/..", "/tmp", "/tmp/"]


def test_paths_are_written_as_pathlib_writes_them() -> None:
    assert [path_text(path) for path in PATHS] == [str(Path(path)) for path in PATHS]
    assert [absolute_text(path) for path in PATHS] == [str(Path(path).absolute())
                                                       for path in PATHS]
    assert path_text(Path("a") / "b") == os.path.join("a", "b")  # a Path given: its text


def _pathlib_relative(path: str, root: str) -> str:
    """What cliplint.config.relative_posix gave when it used pathlib."""
    absolute = Path(path).absolute()
    try:
        return absolute.relative_to(Path(root).absolute()).as_posix()
    except ValueError:
        return absolute.as_posix()


@pytest.mark.parametrize("root", [*ROOTS, os.getcwd(), os.getcwd() + "/"])
def test_relative_paths_are_what_pathlib_made_of_them(root: str) -> None:
    assert ([relative_posix(path, root) for path in PATHS]
            == [_pathlib_relative(path, root) for path in PATHS])


@pytest.mark.parametrize("name", ["/a/b.sqlite3", "/a?b#c%d e/中文\nf.sqlite3",
                                  "/~a-_.b/+&=;:@$!'()*,[]", os.fsdecode(b"/x/\xff\x80y"),
                                  "//host/share/c"])
def test_a_file_uri_is_what_pathlib_made(name: str) -> None:
    assert file_uri(name) == Path(name).as_uri()


def test_a_cache_folder_named_with_what_a_uri_escapes(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite opens the cache file by its ``file:`` URI, where ``?`` starts the query,
    ``#`` the fragment and ``%`` an escape: a folder named with them (and a space, CJK,
    a newline) holds the cache all the same, and nothing is made elsewhere."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    folder = tmp_path / "a?b#c%25d e中文\nf"
    problem = Problem("x.md", "title-link", "warning", "a problem", 1, 1, 1, 2)
    with closing(Cache.open(folder, "k")) as cache:
        cache.put("key", [problem], {})
    assert sorted(os.listdir(tmp_path)) == sorted(["home", folder.name])
    assert "results-k.sqlite3" in os.listdir(folder)
    with closing(Cache.open(str(folder), "k")) as cache:
        entry = cache.get("key", "x.md")
    assert entry is not None and entry[0] == [problem]
