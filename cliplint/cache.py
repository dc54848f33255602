"""A cache of lint results, so an unchanged file is not parsed again.

An entry is keyed on the file's content hash and the rules enabled for that file; the
cache file itself is named after everything else the results depend on: cliplint's
version, every plugin's version, the resolved settings and the report options. Change
any of them and a different cache file is used.

The cache file is an SQLite database, looked up one file at a time and written as
results arrive (committed every few hundred entries), so a run never holds the whole
cache in memory however many files it has. An entry holds a file's problems, its
archive-rule records and its facts for the archive report (:mod:`cliplint.facts`). A second table maps each file's path, size and modification time
to its content key, so that a run comparing a few files with the rest of the archive
(see :mod:`cliplint.archive`) knows the unchanged files without reading them. SQLite's locking lets concurrent runs share
it; a run that cannot read or write it (locked too long, read-only folder) goes on
without it, and a corrupt cache file is replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, NamedTuple

from cliplint import __version__
from cliplint.facts import FileFacts, facts_from_data
from cliplint.model import Edit, Fix, Problem, Related

CACHE_FOLDER = ".cliplint_cache"
#: Overrides where the cache lives (like XDG_CACHE_HOME for other tools).
CACHE_DIR_VARIABLE = "CLIPLINT_CACHE_DIR"
#: Entries beyond this many are dropped, oldest first, at the end of a run.
MAX_ENTRIES = 500_000
#: New entries are committed in batches: one transaction per file would be slow, and a
#: run interrupted half-way still keeps most of its work.
COMMIT_EVERY = 256
#: Seconds to wait for another run's write to finish before giving up on the cache.
SQLITE_TIMEOUT = 5.0
#: Version 4: entries hold the file's facts. Version 5: an entry's key is made from the
#: content's digest, which the files table keeps.
_FORMAT = 5


def cache_folder(root: str) -> Path:
    override = os.environ.get(CACHE_DIR_VARIABLE)
    return Path(override) if override else Path(root) / CACHE_FOLDER


def content_key(data: bytes, rules: Iterable[str],
                inputs: Iterable[tuple[str, str]] = ()) -> str:
    """The key of a file's entry: its content, the rules enabled for it, and the run
    inputs those rules ask for (``(name, value)`` pairs)."""
    return entry_key(content_digest(data), rules, inputs)


def content_digest(data: bytes) -> str:
    """A digest of a file's content alone: what the files table remembers of it."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def entry_key(content: str, rules: Iterable[str],
              inputs: Iterable[tuple[str, str]] = ()) -> str:
    """``content_key`` from the content's digest: a file whose status is unchanged
    need not be read again to find its entry."""
    digest = hashlib.blake2b(content.encode(), digest_size=20)
    digest.update("\0".join(rules).encode())
    for name, value in inputs:
        digest.update(f"\1{name}={value}".encode())
    return digest.hexdigest()


def code_fingerprint(modules: Iterable[str]) -> list[tuple[str, int, int]]:
    """Size and modification time of the engine's files and of the rule modules' packages,
    so that an edited rule (an editable install, a plugin under development) does not
    get stale results from the cache while the version number stays the same."""
    import sys

    folders = {Path(__file__).parent}
    files: set[Path] = set()
    for name in modules:
        module_file = getattr(sys.modules.get(name), "__file__", None)
        if not module_file:
            continue
        if "." in name:  # a rule inside a package: the whole package, helpers and data too
            folders.add(Path(module_file).parent)
        else:
            files.add(Path(module_file))
    for folder in folders:
        files.update(p for p in folder.rglob("*") if p.suffix in (".py", ".json"))
    fingerprint = []
    for path in sorted(files):
        try:
            info = path.stat()
        except OSError:
            continue
        fingerprint.append((str(path), info.st_mtime_ns, info.st_size))
    return fingerprint


def run_key(plugins: Mapping[str, str], settings: Any, code: Any = (), **report_options: Any) -> str:
    """A digest of everything besides a file's content and rules that results depend on."""
    described = json.dumps(
        {
            "format": _FORMAT,
            "cliplint": __version__,
            "plugins": dict(plugins),
            "code": code,
            "severity": dict(settings.severity),
            "options": {rule: dict(values) for rule, values in settings.options.items()},
            "max-file-size": settings.max_file_size,
            "max-problems-per-rule": settings.max_problems_per_rule,
            "report": report_options,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.blake2b(described.encode(), digest_size=16).hexdigest()


class KnownPath(NamedTuple):
    """What the cache knows of a file at a path: its size and modification time when its
    content was linted, and that content's archive records."""

    size: int
    mtime_ns: int
    records: dict[str, Any]


class Cache:
    """An open cache file: ``get`` entries, ``put`` new ones, ``close`` at the end.

    Every operation swallows SQLite's errors and turns the cache off: a cache is an
    optimisation, never a reason for a run to fail."""

    def __init__(self, connection: sqlite3.Connection | None) -> None:
        self._connection = connection
        self._uncommitted = 0

    @classmethod
    def open(cls, folder: Path, key: str) -> Cache:
        path = folder / f"results-{key}.sqlite3"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_gitignore(folder)
        except OSError:
            return cls(None)
        for attempt in range(2):
            try:
                return cls(_connect(path))
            except sqlite3.DatabaseError:  # not a database, or a damaged one
                if attempt:
                    break
                try:
                    path.unlink()
                except OSError:
                    break
            except sqlite3.Error:
                break
        return cls(None)

    def get(self, key: str, path: str
            ) -> tuple[list[Problem], dict[str, Any], FileFacts | None] | None:
        """The problems (named after ``path``), archive records and facts of an entry."""
        if self._connection is None:
            return None
        try:
            row = self._connection.execute(
                "SELECT problems, records, facts FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            self._disable()
            return None
        if row is None:
            return None
        try:
            problems = [problem_from_data(item, path) for item in json.loads(row[0])]
            records = json.loads(row[1])
            facts = facts_from_data(json.loads(row[2]))
        except (KeyError, TypeError, ValueError):
            return None
        return (problems, records, facts) if isinstance(records, dict) else None

    def put(self, key: str, problems: Iterable[Problem], records: Mapping[str, Any],
            facts: FileFacts | None = None) -> None:
        if self._connection is None:
            return
        data = json.dumps([problem_to_data(problem) for problem in problems], ensure_ascii=False)
        self._write("INSERT OR REPLACE INTO entries (key, problems, records, facts) "
                    "VALUES (?, ?, ?, ?)",
                    (key, data, json.dumps(records, ensure_ascii=False),
                     json.dumps(facts, ensure_ascii=False)))

    def remember_path(self, path: str, size: int, mtime_ns: int, key: str,
                      content: str = "") -> None:
        """Record that the file at ``path`` (absolute) with this size and modification
        time holds the content ``key`` (of digest ``content``)."""
        if self._connection is not None:
            self._write("INSERT OR REPLACE INTO files (path, size, mtime, key, content) "
                        "VALUES (?, ?, ?, ?, ?)", (path, size, mtime_ns, key, content))

    def known_content(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The digest of the content the file at ``path`` (absolute) held when it had
        this size and modification time, if the cache remembers it."""
        if self._connection is None:
            return None
        try:
            row = self._connection.execute(
                "SELECT content FROM files WHERE path = ? AND size = ? AND mtime = ?",
                (path, size, mtime_ns)).fetchone()
        except sqlite3.Error:
            self._disable()
            return None
        return row[0] if row and row[0] else None

    def known_paths(self) -> dict[str, KnownPath]:
        """Every remembered path whose entry is still here, with its archive records."""
        if self._connection is None:
            return {}
        try:
            rows = self._connection.execute(
                "SELECT files.path, files.size, files.mtime, entries.records FROM files "
                "JOIN entries ON entries.key = files.key").fetchall()
        except sqlite3.Error:
            self._disable()
            return {}
        known = {}
        for path, size, mtime, records in rows:
            try:
                data = json.loads(records)
            except ValueError:
                continue
            if isinstance(data, dict):
                known[path] = KnownPath(size, mtime, data)
        return known

    def _write(self, statement: str, values: tuple[Any, ...]) -> None:
        assert self._connection is not None
        try:
            self._connection.execute(statement, values)
            self._uncommitted += 1
            if self._uncommitted >= COMMIT_EVERY:
                self._commit()
        except sqlite3.Error:
            self._disable()

    def close(self) -> None:
        """Commit what is left and drop the oldest entries beyond ``MAX_ENTRIES`` (and
        the oldest remembered paths beyond as many)."""
        if self._connection is None:
            return
        try:
            # REPLACE gives a rewritten row a new rowid: the smallest are the oldest.
            for table in ("entries", "files"):
                self._connection.execute(
                    f"DELETE FROM {table} WHERE rowid <= (SELECT max(rowid) FROM {table}) - ?",
                    (MAX_ENTRIES,))
            self._commit()
        except sqlite3.Error:
            pass
        self._disable()

    def _commit(self) -> None:
        assert self._connection is not None
        self._connection.commit()
        self._uncommitted = 0

    def _disable(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=SQLITE_TIMEOUT)
    try:
        # A lost cache costs a re-lint, not data: no fsync on every commit.
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, problems TEXT NOT NULL, "
            "records TEXT NOT NULL, facts TEXT NOT NULL)")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, "
            "mtime INTEGER NOT NULL, key TEXT NOT NULL, content TEXT NOT NULL)")
        connection.commit()
    except BaseException:
        connection.close()
        raise
    return connection


def _write_gitignore(folder: Path) -> None:
    marker = folder / ".gitignore"
    if not marker.exists():
        marker.write_text("# created by cliplint\n*\n", encoding="utf-8")


def problem_to_data(problem: Problem) -> dict[str, Any]:
    data = asdict(problem)
    del data["path"]  # the same content may live at several paths
    return data


def problem_from_data(data: Mapping[str, Any], path: str) -> Problem:
    values = {**data, "path": path}
    values["related"] = tuple(Related(**item) for item in values.get("related", ()))
    fix = values.get("fix")
    if fix is not None:
        values["fix"] = Fix(
            edits=tuple(Edit(**edit) for edit in fix["edits"]),
            applicability=fix["applicability"],
            description=fix["description"],
        )
    return Problem(**values)
