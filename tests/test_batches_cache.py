"""A batched run (--paths-from, --scheduler) over local files with the cache, as a
local run: its first run fills the cache and its second reports the same from it."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path

from conftest import GOOD_CLIPPING, run_cliplint, write


def test_a_batched_run_of_local_files_uses_the_cache(tmp_path: Path) -> None:
    for number in range(30):
        text = (GOOD_CLIPPING.replace("A good title", f"Story {number}")
                .replace("/a/1", f"/a/{number}").replace("article text", f"story {number}"))
        if number % 3 == 0:
            text = text.replace("<!--1686778744000-->", "<!--1686778744-->")
        os.utime(write(tmp_path / f"{number:02}.md", text), (1_500_000_000, 1_500_000_000))
    (tmp_path / "list.txt").write_text("".join(f"{n:02}.md\n" for n in range(30)))
    runs, remembered = [], []
    for _ in range(2):
        runs.append(run_cliplint("--isolated", "--format", "json", "--paths-from", "list.txt",
                                 cwd=tmp_path, env={"CLIPLINT_CACHE_DIR": str(tmp_path / "cache")}))
        [database] = (tmp_path / "cache").glob("results-*.sqlite3")
        with closing(sqlite3.connect(database)) as connection:
            remembered.append(sorted(Path(path).name for (path,)
                                     in connection.execute("SELECT path FROM files")))
    for run in runs:
        assert run.status == 1, run.stderr
    cold, warm = (json.loads(run.stdout)["problems"] for run in runs)
    assert warm == cold and len(cold) == 10
    # The first run remembered each file's status: the next knows it without reading it.
    assert remembered[0] == [f"{n:02}.md" for n in range(30)]
