"""The cache's bulk mechanisms: look-ups of many files at once, the archive's index and
the archive rules' kept results. Each is believed only when signed, and used only when
nothing it depends on changed."""

from __future__ import annotations

import json
import marshal
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from conftest import record_calls, write

from cliplint import cache as cache_module
from cliplint.archive import ArchiveFile, reduction_key
from cliplint.cache import (
    ArchiveIndex,
    Cache,
    IndexedFile,
    cache_secret,
    file_secret,
    signature,
)
from cliplint.cli import main
from cliplint.config import resolve
from cliplint.model import Problem, Related
from cliplint.plugins import load_registry

LONG_AGO = 1_500_000_000  # seconds: a file this old is not "racily clean"
BODY = ("<p>The harbour reopened on Monday after three weeks of repairs, the port "
        "authority said.</p><p>Ships waiting offshore began to unload cargo within hours.</p>")


def clipping(title: str, url: str, stamp: int = 1594000000000, body: str = BODY) -> str:
    return f"<!--{stamp}-->\n[{title}]({url})\n------\n\n{body}\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cache]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    opened = Cache.open(tmp_path / "cache", "k")
    yield opened
    opened.close()


def reopened(cache: Cache, folder: Path) -> Cache:
    """The cache closed (what it wrote committed: a run reads it from then on), opened
    again."""
    cache.close()
    return Cache.open(folder, "k")


def altered(cache: Cache, folder: Path, statement: str) -> Cache:
    """The cache closed, altered by ``statement``, opened again."""
    cache.close()
    with closing(sqlite3.connect(folder / "results-k.sqlite3")) as connection, connection:
        connection.execute(statement)
    return Cache.open(folder, "k")


def ignored_rows(cache: Cache, capsys: pytest.CaptureFixture[str]) -> str:
    """What closing the cache says of the rows it did not believe."""
    cache.close()
    return capsys.readouterr().err


def problem(path: str, message: str) -> Problem:
    return Problem(path, "rule-x", "error", message, 1, 2, 1, 3,
                   related=(Related("other.md", "see"),))


def test_a_bulk_look_up_finds_what_point_look_ups_find(cache: Cache, tmp_path: Path) -> None:
    for number in range(5):
        cache.put(f"key{number}", [problem("ignored", f"message {number}")],
                  {"rule-x": {"n": number}})
    assert cache.get("key0", "a.md") is None  # written at the next commit
    cache = reopened(cache, tmp_path / "cache")
    wanted = [("key3", "c.md"), ("absent", "x.md"), ("key0", "a.md"), ("key3", "d.md")]
    found = cache.get_many(wanted)
    assert found == [cache.get(key, path) for key, path in wanted]
    assert found[1] is None
    assert found[0] is not None and found[0][0][0].path == "c.md"
    assert found[3] is not None and found[3][0][0].path == "d.md"
    assert found[2] is not None and found[2][1] == {"rule-x": {"n": 0}}


def test_a_bulk_look_up_goes_past_the_limit_of_one_query(cache: Cache, tmp_path: Path) -> None:
    keys = [f"key{number}" for number in range(1234)]
    for key in keys:
        cache.put(key, [], {"rule-x": key})
    cache = reopened(cache, tmp_path / "cache")
    found = cache.get_many([(key, f"{key}.md") for key in keys])
    assert [entry[1]["rule-x"] for entry in found if entry is not None] == keys


def test_known_files_need_the_same_status_and_a_signature(
        cache: Cache, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache.remember_path("/a.md", 10, 100, "key-a", "content-a")
    cache.remember_path("/b.md", 20, 200, "key-b", "content-b")
    cache.remember_path("/c.md", 30, 300, "key-c", "content-c")
    cache = altered(cache, tmp_path / "cache", "UPDATE files SET key = 'forged' WHERE path = '/c.md'")
    found = cache.known_files({"/a.md": (10, 100), "/b.md": (20, 201), "/c.md": (30, 300),
                               "/d.md": (1, 1)})
    assert found == {"/a.md": (10, 100, "key-a", "content-a")}
    assert "ignored 1 cache row not signed" in ignored_rows(cache, capsys)


def test_the_archive_index_is_read_back_and_a_forged_one_is_ignored(
        cache: Cache, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {"feed/a.md": IndexedFile(10, 100, "key-a", {"rule-x": [1]}),
             "feed/b.md": IndexedFile(20, 200, "key-a", {"rule-x": [1]}),
             "c.md": IndexedFile(30, 300, "key-c", {})}
    cache.remember_archive("/archive", files)
    cache = reopened(cache, tmp_path / "cache")
    index = cache.archive_index("/archive")
    assert {path: index.file(row) for path, row in index.rows().items()} == files
    assert index.keys == ["key-a", "key-c"]  # each content's records once
    assert cache.archive_index("/elsewhere") == ArchiveIndex()
    cache.close()
    with closing(sqlite3.connect(tmp_path / "cache" / "results-k.sqlite3")) as connection, \
            connection:
        [(blob,)] = connection.execute("SELECT files FROM archives").fetchall()
        connection.execute("UPDATE archives SET files = ?",  # a.md moved, its mac as it was
                           (blob.replace(b"feed/a.md", b"feed/x.md"),))
    cache = Cache.open(tmp_path / "cache", "k")
    assert cache.archive_index("/archive") == ArchiveIndex()
    assert "ignored 1 cache row not signed" in ignored_rows(cache, capsys)


def test_an_archive_index_replaced_while_it_is_read_is_no_index(cache: Cache,
                                                               tmp_path: Path) -> None:
    """The index is read by its row's id after its look-up: a run that replaced the row
    in between (REPLACE gives it another id) leaves nothing to read, not an error (the
    files are then read instead)."""
    cache.remember_archive("/archive", {"a.md": IndexedFile(10, 100, "key-a", {})})
    cache = reopened(cache, tmp_path / "cache")
    assert cache.archive_index("/archive").paths == ["a.md"]
    assert cache._blob("archives", "files", 10**9) is None
    cache.close()


def test_an_archive_index_of_another_type_or_shape_is_not_believed(
        cache: Cache, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {"a.md": IndexedFile(10, 100, "key-a", {"rule-x": [1]})}
    cache.remember_archive("/archive", files)
    cache = altered(cache, tmp_path / "cache", "UPDATE archives SET files = 'not an index'")
    assert cache.archive_index("/archive") == ArchiveIndex()
    assert "ignored 1 cache row not signed" in ignored_rows(cache, capsys)
    # Signed, but not an index (a row of another version's format, or a shape the reader
    # would fail on): empty, not a crash.
    def signed(blob: bytes) -> ArchiveIndex:
        with closing(sqlite3.connect(tmp_path / "cache" / "results-k.sqlite3")) as connection, \
                connection:
            connection.execute("UPDATE archives SET files = ?, mac = ?", (
                blob, signature(file_secret(cache_secret(), Path("results-k.sqlite3")),
                                "archive", "/archive", blob=blob)))
        with closing(Cache.open(tmp_path / "cache", "k")) as reopened:
            return reopened.archive_index("/archive")

    one = (["a.md"], [1], [1], [0], ["k"], [{}])  # paths, sizes, times, contents, keys, records

    def changed(column: int, value: list[Any]) -> bytes:
        return marshal.dumps(tuple(value if place == column else kept
                                   for place, kept in enumerate(one)))

    assert signed(marshal.dumps(one)).paths == ["a.md"]  # as written
    old_format = json.dumps({"sizes": [1], "mtimes": [1], "contents": [0], "keys": ["k"],
                             "records": [{}]}).encode() + b"\0a.md"  # version 10's
    for blob in [b"[]", b"\xff\0a.md", old_format, marshal.dumps([]),
                 marshal.dumps(one[:5]), marshal.dumps(list(one)),
                 marshal.dumps(one)[:-3],  # cut short
                 changed(3, [1]),  # no such content
                 changed(0, ["a.md", "b.md"]),  # a path more than sizes
                 changed(4, ["k", "l"]),  # a key more than records
                 changed(3, [0.5]), changed(3, [False]), changed(4, [1]),
                 changed(5, [[]]), changed(0, [b"a.md"]), changed(1, (1,))]:
        assert signed(blob) == ArchiveIndex(), blob


def test_a_kept_reduction_is_read_back_and_a_forged_one_is_ignored(
        cache: Cache, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept = [problem("feed/a.md", "duplicate"), problem("feed/b.md", "another")]
    cache.put_reduction("r1", kept)
    cache = reopened(cache, tmp_path / "cache")
    assert cache.reduction("r1") == kept
    assert cache.reduction("r2") is None
    cache = altered(cache, tmp_path / "cache", "UPDATE reductions SET problems = '[]'")
    assert cache.reduction("r1") is None
    assert "ignored 1 cache row not signed" in ignored_rows(cache, capsys)


def test_the_reduction_key_follows_everything_the_reduce_step_reads() -> None:
    registry = load_registry()
    settings = resolve({}, registry.rules)
    chosen = [registry.rules["duplicate-clipping"]]
    files = [ArchiveFile("a.md", "a.md", {}, key="k1"), ArchiveFile("b.md", "b.md", {}, key="k2")]
    key = reduction_key(files, chosen, settings, None)
    assert key is not None and key == reduction_key(list(files), chosen, settings, None)
    changed = [files[0], files[1]._replace(key="k3")]  # b.md's content changed
    moved = [files[0], files[1]._replace(path="c.md", relative="c.md")]
    # The same file shown from other folders: the problems name it so.
    shown = [[files[0], files[1]._replace(path=f"../{folder}/b.md")] for folder in "xy"]
    others = {
        reduction_key(changed, chosen, settings, None),
        reduction_key(moved, chosen, settings, None),
        *(reduction_key(elsewhere, chosen, settings, None) for elsewhere in shown),
        reduction_key(files[::-1], chosen, settings, None),
        reduction_key(files, chosen, settings, frozenset({"a.md"})),
        reduction_key(files, [*chosen, registry.rules["path-portability"]], settings, None),
        reduction_key(files, chosen, resolve({"severity": {"duplicate-clipping": "warning"}},
                                             registry.rules), None),
        reduction_key(files, chosen, resolve(
            {"rules": {"duplicate-clipping": {"kinds": ["url"]}}}, registry.rules), None),
    }
    assert key not in others and len(others) == 9
    # Per-file rules: b.md leaves duplicate-clipping out, then a.md does.
    ignoring = [reduction_key(files, chosen, resolve({"per-file-ignores": {name: [
        "duplicate-clipping"]}}, registry.rules), None) for name in ("b.md", "a.md")]
    assert len({key, *others, *ignoring}) == 12
    assert reduction_key([*files, ArchiveFile("d.md", "d.md", {})], chosen, settings,
                         None) is None  # a file nothing was kept of: reduced every time


# -- through the command line ---------------------------------------------------------------


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree's top holding two copies of one article and a third clipping,
    written long ago."""
    root = tmp_path / "repo"
    write(root / ".git" / "HEAD", "ref: refs/heads/main\n")
    for name, text in {"feed/a.md": clipping("Harbour reopens", "https://x.org/a/1"),
                       "feed/b.md": clipping("Harbour reopens", "https://x.org/a/1",
                                             stamp=1594000009000),
                       "feed/c.md": clipping("Budget approved", "https://x.org/a/2",
                                             body="<p>The council approved it.</p>")}.items():
        os.utime(write(root / name, text), (LONG_AGO, LONG_AGO))
    monkeypatch.chdir(root)
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return root


def lint(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[list[tuple[str, str]], str]:
    main(["--isolated", "--format", "json", *paths])
    captured = capsys.readouterr()
    return ([(p["path"], p["message"]) for p in json.loads(captured.out)["problems"]
             if p["rule"] == "duplicate-clipping"], captured.err)


def database(root: Path) -> Path:
    [found] = (root.parent / "cache").glob("results-*.sqlite3")
    return found


def mark_reductions(root: Path) -> None:
    """Every kept reduction says "from the cache" instead, signed as cliplint would."""
    with closing(sqlite3.connect(database(root))) as connection, connection:
        for key, text in connection.execute("SELECT key, problems FROM reductions").fetchall():
            marked = json.dumps([{**item, "message": "from the cache"}
                                 for item in json.loads(text)])
            connection.execute("UPDATE reductions SET problems = ?, mac = ? WHERE key = ?",
                               (marked, signature(file_secret(cache_secret(), database(root)), "reduction", key, marked),
                                key))


def test_an_unchanged_archive_is_not_reduced_again(archive: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    expected = [("feed/b.md", "same article URL")]
    assert lint(capsys, "feed") == (expected, "")
    mark_reductions(archive)
    assert lint(capsys, "feed") == ([("feed/b.md", "from the cache")], "")

    # One file's content changes: reduced again (its copy is gone).
    twin = archive / "feed/b.md"
    twin.write_text(clipping("Port strike ends", "https://x.org/a/3",
                             body="<p>Dock workers returned.</p>"), encoding="utf-8")
    os.utime(twin, (LONG_AGO + 10, LONG_AGO + 10))
    assert lint(capsys, "feed") == ([], "")
    # Another file joins: reduced again.
    os.utime(write(archive / "feed/d.md", clipping("Harbour reopens", "https://x.org/a/1",
                                                   stamp=1594000099000)),
             (LONG_AGO, LONG_AGO))
    assert lint(capsys, "feed") == ([("feed/d.md", "same article URL")], "")


def test_a_run_takes_the_code_fingerprint_once(archive: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # A run opens the cache twice, for its files and for the archive's reduction: the rule
    # modules' package is listed (and its files stat'ed) once, not each time.
    import cliplint_rules

    lint(capsys, "feed")  # the registry loaded (once per process, as the fingerprint)
    cache_module._folder_code.cache_clear()
    rules_folder = os.path.dirname(cliplint_rules.__file__)
    walks = record_calls(monkeypatch, cache_module, "_code_files", lambda folder: folder)
    mark_reductions(archive)
    assert lint(capsys, "feed") == ([("feed/b.md", "from the cache")], "")  # both opened
    assert walks.count(rules_folder) == 1


def test_a_forged_reduction_is_not_believed(archive: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    expected = [("feed/b.md", "same article URL")]
    assert lint(capsys, "feed") == (expected, "")
    with closing(sqlite3.connect(database(archive))) as connection, connection:
        connection.execute("UPDATE reductions SET problems = '[]'")  # "no copies here"
    problems, stderr = lint(capsys, "feed")
    assert problems == expected
    assert "ignored 1 cache row not signed with this user's key" in stderr


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files read, and the files a run lints or looks up in the cache (as "?path")."""
    from cliplint import files, runner

    seen: list[str] = []
    real_read, real_results = files.read_with_stat, runner.iter_results

    def read(path: str, max_size: int) -> Any:
        seen.append(os.path.relpath(path))
        return real_read(path, max_size)

    def results(paths: Iterable[str], *arguments: Any, **keywords: Any) -> Any:
        listed = list(paths)
        seen.extend(f"?{os.path.relpath(path)}" for path in listed)
        return real_results(listed, *arguments, **keywords)

    monkeypatch.setattr(files, "read_with_stat", read)
    monkeypatch.setattr(runner, "read_with_stat", read)
    monkeypatch.setattr(runner, "iter_results", results)
    return seen


def test_a_given_file_is_compared_with_the_archive_index(
        archive: Path, capsys: pytest.CaptureFixture[str], reads: list[str]) -> None:
    """Given one file (pre-commit), the others come from the archive's index: built by
    the first run, believed only when signed, and not for a file whose status changed."""
    expected = [("feed/b.md", "same article URL")]
    assert lint(capsys, "feed/b.md") == (expected, "")
    with closing(sqlite3.connect(database(archive))) as connection:
        [(blob,)] = connection.execute("SELECT files FROM archives").fetchall()
    assert sorted(marshal.loads(blob)[0]) == ["feed/a.md", "feed/c.md"]
    reads.clear()
    assert lint(capsys, "feed/b.md") == (expected, "")
    # The given file looked up (its status known: not read); the others neither read nor
    # looked up: they came from the index.
    assert reads == ["?feed/b.md"]

    # The index altered ("a.md is about something else"): not believed.
    with closing(sqlite3.connect(database(archive))) as connection, connection:
        connection.execute("UPDATE archives SET files = "
                           "CAST(replace(CAST(files AS TEXT), 'x.org/a/1', 'x.org/z') AS BLOB)")
        connection.execute("DELETE FROM reductions")
    reads.clear()
    problems, stderr = lint(capsys, "feed/b.md")
    assert problems == expected and "ignored 1 cache row" in stderr
    assert reads == ["?feed/b.md", "?feed/a.md", "?feed/c.md"]  # not from the index

    # a.md changes (a status the index does not know): read again, the copy is gone.
    first = archive / "feed/a.md"
    first.write_text(clipping("Port strike ends", "https://x.org/a/9",
                              body="<p>Dock workers returned.</p>"), encoding="utf-8")
    os.utime(first, (LONG_AGO + 10, LONG_AGO + 10))
    assert lint(capsys, "feed/b.md") == ([], "")


def test_a_run_over_the_whole_archive_keeps_its_index(
        archive: Path, capsys: pytest.CaptureFixture[str], reads: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder run at the archive's root keeps the archive's index when there is none:
    the first run given one file after it looks up that file only, not every other file
    of the archive (it looked up all 300,000 of them, five times the time of the runs
    after it). An index already kept is not written again."""
    expected = [("feed/b.md", "same article URL")]
    written = record_calls(monkeypatch, Cache, "remember_archive",
                           lambda cache, name, files: sorted(files))
    assert lint(capsys, ".") == ([("./feed/b.md", "same article URL")], "")
    assert written == [["feed/a.md", "feed/b.md", "feed/c.md"]]
    reads.clear()
    assert lint(capsys, "feed/b.md") == (expected, "")
    assert reads == ["?feed/b.md"]  # the others from the index
    written.clear()
    assert lint(capsys, ".") == ([("./feed/b.md", "same article URL")], "")
    assert written == []


def test_the_archive_index_holds_the_keys_its_records_repeat_once(
        archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The index a folder run keeps holds each key of the files' records once (marshal
    refers back to a string it wrote), not once a file: decoding 30,000 distinct
    records' keys cost a quarter of reading the index, and 13 MB. The index read back
    holds the records as the cache's entries give them."""
    lint(capsys, ".")
    with closing(sqlite3.connect(database(archive))) as connection:
        [(blob,)] = connection.execute("SELECT files FROM archives").fetchall()
    for key in (b"duplicate-clipping", b"sketch", b"title"):
        assert blob.count(key) == 1
    paths, _, _, contents, _, records = marshal.loads(blob)
    by_path = {path: records[content] for path, content in zip(paths, contents, strict=True)}
    assert by_path["feed/a.md"]["duplicate-clipping"]["title"] == "harbourreopens"
    assert by_path["feed/c.md"]["duplicate-clipping"]["url"] == "https://x.org/a/2"


def test_a_first_run_keeps_the_archive_index_from_what_it_remembered(
        archive: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A first folder run keeps the archive's index from each file's status as it
    remembered it in the files table while linting, not by reading the table back
    (rows and signatures: 0.6 s of CPU in a first run over 100,000 files); the index holds every
    file with its status, and the next run given one file looks up that file alone."""
    import cliplint.files

    asked = record_calls(monkeypatch, cache_module.Cache, "known_files",
                         lambda cache, wanted: sorted(wanted))
    walks = record_calls(monkeypatch, cliplint.files, "walk_entries")
    lint(capsys, ".")
    assert asked == []
    assert walks == []  # the run's own walk was the archive's: no second one to stat it
    with closing(sqlite3.connect(database(archive))) as connection:
        [(blob,)] = connection.execute("SELECT files FROM archives").fetchall()
    paths, sizes, mtimes, _, _, _ = marshal.loads(blob)
    assert paths == ["feed/a.md", "feed/b.md", "feed/c.md"]
    assert [(size, mtime) for size, mtime in zip(sizes, mtimes, strict=True)] == [
        (os.stat(path).st_size, os.stat(path).st_mtime_ns) for path in paths]
    found, _ = lint(capsys, "feed/b.md")
    assert found == [("feed/b.md", "same article URL")]
    # The given file's own look-up alone: the others came from the index.
    assert asked == [[str(archive / "feed" / "b.md")]]


def test_a_first_run_that_remembered_not_every_file_walks_the_archive_for_the_index(
        archive: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A file changed just now is not remembered ("racily clean": its status says
    nothing yet): the first run then stats the archive to make its index, as a run whose
    files came from the cache does, and the index holds the files whose status the cache
    knows, without that one (the next run given a file looks it up again)."""
    import cliplint.files

    (archive / "feed" / "c.md").touch()
    walks = record_calls(monkeypatch, cliplint.files, "walk_entries")
    lint(capsys, ".")
    assert len(walks) == 1
    with closing(sqlite3.connect(database(archive))) as connection:
        [(blob,)] = connection.execute("SELECT files FROM archives").fetchall()
    assert marshal.loads(blob)[0] == ["feed/a.md", "feed/b.md"]


def test_a_first_run_given_more_than_the_root_walks_the_archive_for_the_index(
        archive: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``cliplint . old`` with ``old`` excluded (and a configuration of its own): the run's
    files are more than the archive's walk finds, its folders' configurations more than
    a run given some files resolves. Its index is then made from a walk, as before: named
    by the walked folders' configurations and holding their files only, so that the next
    run given one file finds it and looks up that file alone (made from what the run
    remembered, the index was kept under a name no such run asks for)."""
    write(archive / "cliplint.toml", 'extend-exclude = ["old"]\n')
    write(archive / "old" / "cliplint.toml", 'ignore = ["path-portability"]\n')
    os.utime(write(archive / "old" / "a.md", clipping("Harbour reopens", "https://x.org/a/1")),
             (LONG_AGO, LONG_AGO))
    asked = record_calls(monkeypatch, cache_module.Cache, "known_files",
                         lambda cache, wanted: sorted(wanted))
    main(["--format", "json", "--exit-zero", ".", "old"])
    capsys.readouterr()
    with closing(sqlite3.connect(database(archive))) as connection:
        [(blob,)] = connection.execute("SELECT files FROM archives").fetchall()
    assert marshal.loads(blob)[0] == ["feed/a.md", "feed/b.md", "feed/c.md"]
    del asked[:]
    main(["--format", "json", "--exit-zero", "feed/b.md"])
    assert asked == [[str(archive / "feed" / "b.md")]]


def test_an_int_json_cannot_write_under_a_lower_digit_limit_is_not_kept() -> None:
    """PYTHONINTMAXSTRDIGITS=640: an int of 1,001 digits cannot be written as JSON, so a
    record holding it is none the cache keeps (as its entry is not), not the same object."""
    previous = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        assert cache_module.stored_records([{"rule": {"a": 10 ** 1000}}, {"rule": 7}]) == [
            None, {"rule": 7}]
    finally:
        sys.set_int_max_str_digits(previous)


def test_stored_records_are_the_json_round_trip_of_each_files_records() -> None:
    """Records come back as JSON gives them (tuples as lists, keys as strings), None for
    those JSON cannot hold; the keys the files repeat are one string each (in a
    batch). Records that are their own round trip come back as they are, not copied.
    A record nested so deep that the batch's document is too deep to read costs the
    others nothing: each is decoded alone."""
    many: list[dict[Any, Any]] = [
        {"rule": {"a": (1, 2), 3: None}}, {"rule": {"a": [0.5, True, None, -7]}},
        {"rule": {"a": {1, 2}}}, {"rule": {"a": "ü\ud800"}}, {"rule": {"a": (3,)}},
        {"rule": {"a": 10 ** 5000}}, {"rule": [{1: 2}]}]
    stored = cache_module.stored_records(many)
    assert stored == [
        {"rule": {"a": [1, 2], "3": None}}, {"rule": {"a": [0.5, True, None, -7]}}, None,
        {"rule": {"a": "ü\ud800"}}, {"rule": {"a": [3]}}, None, {"rule": [{"1": 2}]}]
    assert stored[1] is many[1] and stored[3] is many[3]  # their own round trip
    first, fifth = stored[0], stored[4]
    assert first is not None and fifth is not None and first is not many[0]
    [(one, inner_one)] = first.items()
    [(five, inner_five)] = fifth.items()
    assert one is five and next(iter(inner_one)) is next(iter(inner_five))
    nested: list[Any] = [0]
    while True:  # the deepest list JSON writes here, as the records of a file
        try:
            cache_module.to_json({"rule": nested})
        except RecursionError:
            break
        nested = [nested]
    # Some depth below it is written by stored_records (a few calls deeper) but too deep
    # to read inside the batch's document.
    while nested and type(nested) is list and len(nested) == 1:
        nested = nested[0]
        stored = cache_module.stored_records([{"rule": nested}, {"rule": 1}])
        assert len(stored) == 2 and stored[1] == {"rule": 1}
        if stored[0] is not None:  # read back whole: the shallower ones are too
            break


@pytest.mark.parametrize("isolated", [True, False])
def test_a_run_over_the_whole_archive_with_its_index_kept_does_not_walk_it_again(
        archive: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        isolated: bool) -> None:
    """Whether the index is kept is asked under the name the run's own walk gives it
    (the settings its folders resolved to: the run's, or with configuration files looked
    for, a folder's own), not after a second walk of the archive (5% of a warm run)."""
    import cliplint.files

    write(archive / "cliplint.toml", "")
    write(archive / "feed" / "cliplint.toml", '[rules.duplicate-clipping]\nkinds = ["url"]\n')
    options = ["--isolated"] if isolated else []
    written = record_calls(monkeypatch, Cache, "remember_archive",
                           lambda cache, name, files: sorted(files))
    main([*options, "--format", "json", "."])
    first = capsys.readouterr().out
    assert written == [["feed/a.md", "feed/b.md", "feed/c.md"]]
    walks = record_calls(monkeypatch, cliplint.files, "walk_entries")
    main([*options, "--format", "json", "."])
    assert capsys.readouterr().out == first
    assert (walks, written) == ([], [["feed/a.md", "feed/b.md", "feed/c.md"]])


def test_a_folder_run_over_part_of_the_archive_keeps_no_index(
        archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The archive's root is configured above the folder linted: the run does not hold
    every file of the archive, and keeps no index of it."""
    write(archive / "cliplint.toml", "")
    write(archive / "other" / "d.md", clipping("Budget approved", "https://x.org/a/2"))
    main(["--format", "json", "feed"])
    captured = capsys.readouterr()
    assert captured.err == ""
    assert [(p["path"], p["message"]) for p in json.loads(captured.out)["problems"]] == [
        ("feed/b.md", "same article URL")]
    with closing(sqlite3.connect(database(archive))) as connection:
        assert connection.execute("SELECT count(*) FROM archives").fetchone() == (0,)


def test_a_folder_run_reads_no_configuration_of_a_folder_it_was_not_given(
        archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run given a folder below the archive's root walks no other folder of it to see
    whether it was given the whole archive: a broken configuration there failed the run
    with a cache (exit 2, "unknown key") and not without one."""
    write(archive / "cliplint.toml", "")
    write(archive / "other" / "cliplint.toml", "foo = 1\n")
    write(archive / "other" / "d.md", clipping("Budget approved", "https://x.org/a/2"))
    statuses = [main(["--format", "json", *extra, "feed"]) for extra in ([], ["--no-cache"], [])]
    captured = capsys.readouterr()
    assert "foo" not in captured.err, captured.err
    assert statuses == [1, 1, 1]


def test_the_archive_index_of_another_rule_selection_is_not_used(
        archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run selecting other rules leaves an index whose records lack the rules it did
    not run: a later run with every rule must not take the archive's files from it (it
    lost the copy for good before: the index was named after the archive's root only)."""
    expected = [("feed/b.md", "same article URL")]
    main(["--isolated", "--select", "path-portability", "feed/b.md"])
    capsys.readouterr()
    assert lint(capsys, "feed/b.md") == (expected, "")
    with closing(sqlite3.connect(database(archive))) as connection:
        names = [name for (name,) in connection.execute("SELECT root FROM archives")]
    assert len(names) == 2 and len({name.split("\0")[0] for name in names}) == 1
    assert lint(capsys, "feed/b.md") == (expected, "")  # now from its own index


def test_a_row_copied_from_another_cache_file_is_not_believed(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """Each cache file signs with a key of its own: a row signed for one run's settings
    means nothing in another's file."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    first, second = (Cache.open(tmp_path / "cache", name) for name in ("one", "two"))
    first.put("key", [], {"duplicate-clipping": {"url": "x"}})
    first.close()
    second.close()
    files = sorted((tmp_path / "cache").glob("results-*.sqlite3"))
    with closing(sqlite3.connect(files[0])) as source, \
            closing(sqlite3.connect(files[1])) as target, target:
        target.execute("INSERT INTO entries VALUES (?, ?, ?)",
                       source.execute("SELECT * FROM entries").fetchone())
    reopened = Cache.open(tmp_path / "cache", "two")
    assert reopened.get("key", "a.md") is None
    reopened.close()
    assert Cache.open(tmp_path / "cache", "one").get("key", "a.md") is not None


def test_a_signature_that_is_not_ascii_is_a_forged_row_not_a_crash(
        archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = [("feed/b.md", "same article URL")]
    assert lint(capsys, "feed") == (expected, "")
    with closing(sqlite3.connect(database(archive))) as connection, connection:
        connection.execute("UPDATE entries SET mac = 'é'")
    problems, stderr = lint(capsys, "feed")
    assert problems == expected
    assert "ignored 3 cache rows not signed with this user's key" in stderr


def test_a_file_name_that_is_not_utf8_is_linted_and_the_rest_is_cached(
        archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SQLite cannot store a name holding a lone surrogate (a name that is not UTF-8):
    that file's rows are left out, not the run or the other files' rows."""
    odd = os.fsdecode(b"feed/d\xff.md")
    write(archive / odd, clipping("Harbour reopens", "https://x.org/a/1",
                                  stamp=1594000019000))
    problems, stderr = lint(capsys, "feed")
    assert stderr == ""
    assert sorted(path for path, _ in problems) == ["feed/b.md", odd]
    with closing(sqlite3.connect(database(archive))) as connection:
        remembered = sorted(os.path.basename(path) for (path,) in
                            connection.execute("SELECT path FROM files"))
    assert remembered == ["a.md", "b.md", "c.md"]
    assert lint(capsys, "feed") == (problems, "")


def findings(capsys: pytest.CaptureFixture[str], *arguments: str) -> list[tuple[str, ...]]:
    """The duplicate-clipping problems of a run: the file, the message, the files named."""
    main(["--isolated", "--format", "json", *arguments])
    return [(p["path"], p["message"], *(item["path"] for item in p["related"]))
            for p in json.loads(capsys.readouterr().out)["problems"]
            if p["rule"] == "duplicate-clipping"]


def test_every_file_of_the_archive_is_checked_for_change_not_its_folders(
        archive: Path, capsys: pytest.CaptureFixture[str], reads: list[str]) -> None:
    """The index is believed file by file, on each file's own status: an edit in place
    that keeps the size, a file added or removed, a folder renamed are all seen (as a
    run without the cache sees them), though the folders' modification times are set
    back each time."""
    feed = archive / "feed"

    def seen() -> list[tuple[str, ...]]:
        for folder in (archive, *(path for path in archive.rglob("*") if path.is_dir())):
            os.utime(folder, (LONG_AGO, LONG_AGO))
        found = findings(capsys, "feed/b.md")
        assert found == findings(capsys, "--no-cache", "feed/b.md")
        return found

    assert seen() == [("feed/b.md", "same article URL", "feed/a.md")]
    # a.md edited in place: the same size, another URL (the same body still).
    first = feed / "a.md"
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("x.org/a/1", "x.org/a/7"), encoding="utf-8")
    assert len(first.read_bytes()) == len(text.encode())
    os.utime(first, (LONG_AGO + 5, LONG_AGO + 5))
    reads.clear()
    assert seen() == [("feed/b.md", "same body under the same title", "feed/a.md")]
    assert reads[:2] == ["?feed/b.md", "?feed/a.md"]  # a.md alone read again

    # A file added (an older copy of b.md), then the folder holding it renamed.
    os.utime(write(archive / "old" / "d.md", (feed / "b.md").read_text(encoding="utf-8")
                   .replace("<!--1594000009000-->", "<!--1593000000000-->")),
             (LONG_AGO, LONG_AGO))
    assert seen() == [("feed/b.md", "same article URL", "old/d.md")]
    (archive / "old").rename(archive / "older")
    assert seen() == [("feed/b.md", "same article URL", "older/d.md")]

    # The copy removed.
    (archive / "older" / "d.md").unlink()
    assert seen() == [("feed/b.md", "same body under the same title", "feed/a.md")]


def test_an_entry_is_one_signed_value_of_problems_records_and_facts(
        cache: Cache, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An entry's row is its key, one JSON value (problems, records, facts) and one
    signature of both; a signed value of another shape is a miss, not a crash."""
    from cliplint.facts import FileFacts

    facts = FileFacts("2020-09", "example.com", "host")
    cache.put("whole", [problem("ignored", "found")], {"rule-x": {"n": 1}}, facts)
    cache.put("odd", [], {})
    cache = reopened(cache, tmp_path / "cache")
    database = tmp_path / "cache" / "results-k.sqlite3"
    with closing(sqlite3.connect(database)) as connection:
        rows = dict(connection.execute("SELECT key, entry FROM entries").fetchall())
    problems, records, stored_facts = json.loads(rows["whole"])
    assert [item["message"] for item in problems] == ["found"] and "path" not in problems[0]
    assert (records, stored_facts) == ({"rule-x": {"n": 1}}, list(facts))
    assert cache.get("whole", "a.md") == ([problem("a.md", "found")], {"rule-x": {"n": 1}},
                                          facts)
    secret = file_secret(cache_secret(), database)
    cache.close()
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("UPDATE entries SET entry = '[[], {}]', mac = ? WHERE key = 'odd'",
                           (signature(secret, "entry", "odd", "[[], {}]"),))
    cache = Cache.open(tmp_path / "cache", "k")
    assert cache.get("odd", "a.md") is None
    assert cache.get("whole", "a.md") is not None
    assert ignored_rows(cache, capsys) == ""  # signed: not forged, merely unusable


def test_entry_keys_hash_the_rules_and_inputs_then_the_content() -> None:
    """The start of the hash is made once per rule selection and copied: the key is as
    if hashed whole, every time, and tells rules, inputs and content apart."""
    from cliplint.cache import entry_key
    from cliplint.digests import blake2b

    content = "ab" * 20
    expected = blake2b(b"rule-a\0rule-b\1today=2026-01-01\2" + content.encode(),
                       digest_size=20).hexdigest()
    for _ in range(2):
        assert entry_key(content, ("rule-a", "rule-b"), (("today", "2026-01-01"),)) == expected
    assert entry_key(content, iter(["rule-a", "rule-b"]),
                     iter([("today", "2026-01-01")])) == expected
    others = {entry_key(content, ("rule-a",), (("today", "2026-01-01"),)),
              entry_key(content, ("rule-a", "rule-b"), (("today", "2026-01-02"),)),
              entry_key("cd" * 20, ("rule-a", "rule-b"), (("today", "2026-01-01"),)),
              entry_key(content, ("rule-a", "rule-b"))}
    assert len(others) == 4 and expected not in others


@pytest.mark.parametrize("value", [
    [], {}, "é\u2028\0\"\\", [1.5, float("nan"), float("-inf"), -0.0, 10**30, True, None],
    {"a": {"b": [1, "ü", ["\udc80"]]}}, {2: 2, 2.5: 3, None: 4, True: 5},
    {"b": 1, "a": 2, "c": {"z": 0, "y": 1}},  # keys in their order, not sorted
])
def test_the_cache_json_is_json_encoders(value: object,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from cliplint import cache as cache_module

    expected = json.dumps(value, ensure_ascii=False)
    # By the encoder made once: the one made per value (the fallback) is not used.
    monkeypatch.setattr(cache_module._JSON, "encode", None)
    assert cache_module.to_json(value) == expected


def test_what_the_cache_json_cannot_encode_fails_as_json_encoders_do() -> None:
    from cliplint.cache import to_json

    looped: list[object] = []
    looped.append(looped)
    with pytest.raises(ValueError, match="Circular reference"):
        to_json({"records": looped})
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        to_json([{1}])


def test_waiting_rows_are_committed_by_count_by_size_or_by_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run's rows wait to be written together: until there are COMMIT_EVERY of them,
    their entries hold COMMIT_CHARACTERS (large entries must not pile up in memory), or
    COMMIT_SECONDS have passed (a run killed on slow files keeps what it did)."""
    import cliplint.cache as cache_module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    database = tmp_path / "cache" / "results-k.sqlite3"

    def committed() -> int:
        with closing(sqlite3.connect(database)) as connection:
            return int(connection.execute("SELECT count(*) FROM entries").fetchone()[0])

    monkeypatch.setattr(cache_module, "COMMIT_EVERY", 1000)
    monkeypatch.setattr(cache_module, "COMMIT_CHARACTERS", 2500)
    cache = Cache.open(tmp_path / "cache", "k")
    for number in range(3):
        cache.put(f"large{number}", [], {"rule-x": "x" * 1000})
        assert committed() == (3 if number == 2 else 0)
    monkeypatch.setattr(cache_module, "COMMIT_EVERY", 4)
    for number in range(2):
        cache.put(f"small{number}", [], {})
        cache.remember_path(f"/small{number}.md", 1, 2, f"small{number}", "content")
        assert committed() == (5 if number == 1 else 3)
    monkeypatch.setattr(cache_module, "COMMIT_EVERY", 1000)
    cache.put("slow0", [], {})
    assert committed() == 5
    monkeypatch.setattr(cache_module, "COMMIT_SECONDS", 0.0)
    cache.put("slow1", [], {})
    assert committed() == 7
    cache.close()


def test_a_batch_is_written_in_the_order_of_its_keys_the_last_of_a_key_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Waiting rows are written in the order of their keys (random entry keys then reach
    each page of the index once), and a key queued twice in a batch keeps its last row,
    as writing them in the order queued did (the later rows here would sort first)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    cache = Cache.open(tmp_path / "cache", "k")
    for key in ("c", "a", "d", "b"):
        cache.put(key, [], {"rule-x": f"9 first {key}"})
        cache.remember_path(f"/{key}.md", 3, 4, key, "content")
    cache.put("a", [], {"rule-x": "0 second a"})
    cache.remember_path("/a.md", 1, 2, "a", "content")
    cache.close()
    with closing(sqlite3.connect(tmp_path / "cache" / "results-k.sqlite3")) as connection:
        entries = connection.execute("SELECT key FROM entries ORDER BY rowid").fetchall()
        paths = connection.execute("SELECT path, size FROM files ORDER BY rowid").fetchall()
    assert [key for key, in entries] == ["a", "b", "c", "d"]
    assert paths == [("/a.md", 1), ("/b.md", 3), ("/c.md", 3), ("/d.md", 3)]
    cache = Cache.open(tmp_path / "cache", "k")
    assert cache.get_many([("a", "a.md")])[0] == ([], {"rule-x": "0 second a"}, None)
    assert cache.known_files({"/a.md": (1, 2)})["/a.md"].size == 1
    cache.close()


def test_every_row_is_signed_with_the_cache_files_key_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each row's signature is :func:`signature` with the cache file's key over that
    row's fields alone (the cache signs from a copy of a hash already keyed: nothing of
    one row may reach the next), and the cache believes such rows."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    database = tmp_path / "cache" / "results-k.sqlite3"
    cache = Cache.open(tmp_path / "cache", "k")
    for key in ("a", "b"):
        cache.put(key, [], {"rule-x": key})
        cache.remember_path(f"/{key}.md", 1, 2, key, f"content {key}")
    cache.put_reduction("reduced", [])
    cache.remember_archive("root\0digest", {"x.md": IndexedFile(1, 2, "a", {})})
    cache.close()
    signing = file_secret(cache_secret(), database)
    with closing(sqlite3.connect(database)) as connection:
        entries = connection.execute("SELECT key, entry, mac FROM entries").fetchall()
        files = connection.execute("SELECT * FROM files").fetchall()
        reductions = connection.execute("SELECT * FROM reductions").fetchall()
        archives = connection.execute("SELECT root, files, mac FROM archives").fetchall()
    assert len(entries) == len(files) == 2 and len(reductions) == len(archives) == 1
    for key, entry, mac in entries:
        assert mac == signature(signing, "entry", key, entry)
    for path, size, mtime, key, content, mac in files:
        assert mac == signature(signing, "file", path, str(size), str(mtime), key, content)
    assert reductions[0][2] == signature(signing, "reduction", *reductions[0][:2])
    assert archives[0][2] == signature(signing, "archive", archives[0][0], blob=archives[0][1])
    cache = Cache.open(tmp_path / "cache", "k")
    assert cache.get_many([("a", "a.md"), ("b", "b.md")]) == [
        ([], {"rule-x": "a"}, None), ([], {"rule-x": "b"}, None)]
    assert set(cache.known_files({"/a.md": (1, 2), "/b.md": (1, 2)})) == {"/a.md", "/b.md"}
    assert cache.reduction("reduced") == []
    assert cache.archive_index("root\0digest").paths == ["x.md"]
    cache.close()


def test_an_archives_index_is_committed_when_it_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index of several of the blob's chunks is in the cache file as soon as it is
    kept (another connection reads it, signed, before the run ends: it is not held
    pending through the reduce), and is read back whole."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(cache_module, "_BLOB_CHUNK", 1000)
    files = {f"feed/{number:05d}.md": IndexedFile(number, number * 7, f"key{number}",
                                                  {"rule-x": {"title": f"title {number}"}})
             for number in range(300)}
    cache = Cache.open(tmp_path / "cache", "k")
    cache.put("pending", [], {})  # a row before it, committed with it
    cache.remember_archive("root\0digest", files)
    database = tmp_path / "cache" / "results-k.sqlite3"
    with closing(sqlite3.connect(database)) as connection:
        (name, blob, mac), = connection.execute("SELECT root, files, mac FROM archives")
        assert connection.execute("SELECT key FROM entries").fetchall() == [("pending",)]
    assert len(blob) > 5 * 1000  # written in several chunks
    assert mac == signature(file_secret(cache_secret(), database), "archive", name, blob=blob)
    cache.close()
    index = Cache.open(tmp_path / "cache", "k").archive_index("root\0digest")
    assert [index.file(row) for row in range(len(index.paths))] == list(files.values())
    assert index.paths == list(files)


def test_an_archive_whose_name_sqlite_cannot_store_has_no_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A root holding a lone surrogate (a folder name that is not UTF-8) is not kept,
    and the cache goes on: the rows after it are kept."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    cache = Cache.open(tmp_path / "cache", "k")
    cache.remember_archive("/tmp/\udcff\0digest", {"x.md": IndexedFile(1, 2, "a", {})})
    cache.put("after", [], {"rule-x": 1})
    cache.close()
    cache = Cache.open(tmp_path / "cache", "k")
    assert cache.archive_index("/tmp/\udcff\0digest").paths == ()
    assert cache.get_many([("after", "x.md")]) == [([], {"rule-x": 1}, None)]
    cache.close()


def test_an_archives_index_stopped_while_it_is_written_is_not_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or SIGTERM) while the index's blob is written, then the cache closed as a
    stopped run closes it: no row is left, neither half written (its blob partly zeros,
    which the next run read as a row not signed with the user's key, and which kept a
    whole run from writing the index again) nor any other."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(cache_module, "_BLOB_CHUNK", 1000)
    files = {f"feed/{number:05d}.md": IndexedFile(number, number, f"key{number}", {})
             for number in range(300)}
    cache = Cache.open(tmp_path / "cache", "k")
    writes: list[object] = []

    def stop_at_second_write(frame: object, event: str, argument: object) -> None:
        # (where a signal lands: between two of the blob's writes)
        if event == "c_call" and isinstance(getattr(argument, "__self__", None), sqlite3.Blob):
            writes.append(argument)
            if len(writes) == 2:
                raise KeyboardInterrupt

    sys.setprofile(stop_at_second_write)
    try:
        with pytest.raises(KeyboardInterrupt):
            cache.remember_archive("root\0digest", files)
    finally:
        sys.setprofile(None)
    cache.close()
    cache = Cache.open(tmp_path / "cache", "k")
    assert not cache.holds_archive("root\0digest")
    assert cache.archive_index("root\0digest").paths == ()
    cache.close()
    assert len(writes) == 2
