"""Paths kept as strings (cliplint/paths.py): written as pathlib wrote them, so that the
cache's files and keys and the configuration's look-ups stay what they were."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

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
