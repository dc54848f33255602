"""The result cache is trusted no further than it deserves: a damaged cache file is noticed,
said once and rebuilt. Real runs of the command line over real files."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import GOOD_CLIPPING, run_cliplint, write

FILES = 60


def _archive(folder: Path) -> Path:
    for number in range(FILES):
        text = (GOOD_CLIPPING.replace("A good title", f"Story {number}")
                .replace("/a/1", f"/a/{number}")
                .replace("<p>Some article text.</p>",
                         "".join(f"<p>Part {i} of story {number}.</p>" for i in range(20))))
        if number % 2:
            text = text.replace("<!--1686778744000-->", "<!--1686778744-->")
        write(folder / f"{number:02}.md", text)
    return folder


def _lint(archive: Path, cache: Path, *arguments: str) -> tuple[list[object], str]:
    run = run_cliplint("--isolated", "--jobs", "1", "--format", "json", *arguments, ".",
                       cwd=archive, env={"CLIPLINT_CACHE_DIR": str(cache)})
    assert run.status == 1, run.stderr
    return json.loads(run.stdout)["problems"], run.stderr


def _garble(path: Path) -> None:
    """Overwrite every page but the first (the header and the tables' definitions)."""
    data = path.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    path.write_bytes(data[:page] + bytes(range(256)) * ((len(data) - page) // 256 + 1))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _not_sqlite(path: Path) -> None:
    path.write_text("this is not a database\n" * 200)


def _wrong_schema(path: Path) -> None:
    path.unlink()
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, problems TEXT)")
    connection.execute("INSERT INTO entries VALUES ('x', '[]')")
    connection.commit()
    connection.close()


DAMAGE = {"garbled-pages": _garble, "truncated": _truncate, "not-sqlite": _not_sqlite,
          "wrong-schema": _wrong_schema}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_cache_is_said_once_and_rebuilt(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    archive = _archive(tmp_path / "archive")
    cache = tmp_path / "cache"
    expected, _ = _lint(archive, cache, "--no-cache")
    assert _lint(archive, cache) == (expected, "")
    [database] = cache.glob("results-*.sqlite3")
    damage(database)

    problems, stderr = _lint(archive, cache)
    assert problems == expected
    [line] = stderr.splitlines()
    assert line.startswith(f"cliplint: the cache file {database} was damaged (")
    assert line.endswith("it was replaced by an empty one")
    # Rebuilt: the next run finds every file in it, and says nothing.
    connection = sqlite3.connect(database)
    assert connection.execute("SELECT count(*) FROM entries").fetchone() == (FILES,)
    connection.close()
    assert _lint(archive, cache) == (expected, "")


def test_a_busy_cache_is_not_taken_for_a_damaged_one(tmp_path: Path) -> None:
    """A cache another run holds locked is left alone (not replaced, nothing said)."""
    archive = _archive(tmp_path / "archive")
    cache = tmp_path / "cache"
    expected, _ = _lint(archive, cache)
    [database] = cache.glob("results-*.sqlite3")
    before = database.stat().st_ino
    holder = sqlite3.connect(database)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        problems, stderr = _lint(archive, cache)
    finally:
        holder.rollback()
        holder.close()
    assert problems == expected and "damaged" not in stderr
    assert database.stat().st_ino == before and os.path.getsize(database) > 0
