"""A cache of lint results, so an unchanged file is not parsed again.

An entry is keyed on the file's content hash and the rules enabled for that file; the
cache file itself is named after everything else the results depend on: cliplint's
version, every plugin's version, the resolved settings and the report options. Change
any of them and a different cache file is used.

The cache file is an SQLite database, looked up a few hundred files at a time (a query
for them all) and written many thousand rows at a time (the rows are held until then,
and a run does not see its own before), so a run never holds the whole cache in memory
however many files it has. An entry holds a
file's problems, its archive-rule records and its facts for the archive report
(:mod:`cliplint.facts`). A second table maps each file's path, size and modification
time to its content key, so that an unchanged file is known without being read. For the
archive rules (:mod:`cliplint.archive`) it also keeps, per archive, an index of its
files (path, status, entry key, records) that a run given a few files reads in one go
instead of a row per file, and the reduce step's problems under a digest of everything
they depend on. SQLite's locking lets concurrent runs share it; a run that cannot read
or write it (locked too long, read-only folder) goes on without it (a lock it waited for
in vain is waited for a moment only in the rest of the run:
:class:`cliplint.runner.LockedCache`). A damaged cache file (damaged pages, not SQLite,
tables of another shape) is replaced by an empty one as soon as it is noticed, with one
line on standard error, so that it does not turn the cache off run after run.

The cache folder lies in the linted tree, where a pull request could commit a cache that
says every file is clean. So every row is signed (keyed BLAKE2b) with a secret that lives
outside the tree, in the user's own cache folder (:func:`secret_path`), made on first use;
a row without the right signature is ignored (a miss), and the run says how many it
ignored. A cache copied from another machine or user is thus rebuilt, not believed. The
key a cache file's rows are signed with is made from that secret and the file's name, so
that a row copied from one cache file into another is not believed either.

Nor is anything in the tree followed elsewhere. A repository can commit
``.cliplint_cache`` as a symbolic link to a folder, or a cache file (its name is
predictable) or SQLite's journal beside it as a link to another application's database:
SQLite, opening by name, would write its tables into that file. So the cache folder is
opened without following a link (``O_NOFOLLOW``), the cache file and its side files are
looked at from that very folder (``dir_fd``) and must be plain files (no link, no FIFO,
one hard link), the file is made by cliplint (``O_CREAT | O_NOFOLLOW``) rather than by
SQLite (``mode=rw``: SQLite never makes it by name), and once SQLite has opened it, the
file it names (``PRAGMA database_list``: its name with links resolved) must be the one
checked (device and inode) before anything is read or written. Otherwise the run says so,
once, and goes on without a cache (:func:`open_database`). What is left is a race against
a process changing the folder while the run opens it: SQLite opens by name, so a link
put in between its own resolving of the name and its ``open`` would still be followed.
That takes a process running beside the run with write access to the tree, which could
edit the user's files directly; a link committed to a repository is there before the run
starts, and is refused.
"""

from __future__ import annotations

import functools
import json
import marshal
import math
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, fields
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from cliplint import __version__
from cliplint.digests import blake2b, compare_digest
from cliplint.facts import FileFacts, facts_from_data
from cliplint.model import Edit, Fix, Problem, Related
from cliplint.paths import path_text
from cliplint.streams import say, utf8_encodable
from cliplint.xdg import xdg_folder

if TYPE_CHECKING:
    from cliplint.runner import LockedCache

CACHE_FOLDER = ".cliplint_cache"
#: Overrides where the cache lives (like XDG_CACHE_HOME for other tools).
CACHE_DIR_VARIABLE = "CLIPLINT_CACHE_DIR"
#: Entries beyond this many are dropped, oldest first, at the end of a run.
MAX_ENTRIES = 500_000
#: The archive rules' results kept (one per state of an archive a run saw, of any size:
#: small folders, a --watch session's saves, a pre-commit's files): beyond this many, the
#: oldest are dropped.
MAX_REDUCTIONS = 256
#: Archive indexes kept (one per archive root and rule selection), the newest.
MAX_ARCHIVES = 16
#: New rows are written together and committed in batches: one transaction per file would
#: be slow, and a run interrupted half-way still keeps most of its work. A batch is this
#: many rows, or fewer holding this many characters of entries (most of what the rows
#: hold), or what the last this many seconds gave: each commit rewrites the pages of the
#: entries' index that its rows fall in (their keys are random), wherever they are, so
#: few large commits write less than many small ones (a first run of 100,000 tiny files:
#: ~0.1 s of system time); the characters bound what waiting rows hold in memory when
#: entries are large, the seconds what a run killed on slow files loses.
COMMIT_EVERY = 16384
COMMIT_CHARACTERS = 4 << 20
COMMIT_SECONDS = 30.0
#: Seconds to wait for another run's write to finish before giving up on the cache.
SQLITE_TIMEOUT = 5.0
#: What a run waits for the cache once it has given it up after SQLITE_TIMEOUT (another
#: run holds it: see cliplint.runner.LockedCache): a moment, for a commit to end.
LOCKED_TIMEOUT = 0.25
#: Version 4: entries hold the file's facts. Version 5: rows are signed. Version 6: an
#: entry's key is made from the content's digest, which the files table keeps. Version 7:
#: the archives table (each archive's files, signed whole) and the reductions table (the
#: archive rules' problems). Version 8: an archive's index is named after the rules its
#: files' entries were made with; each cache file signs with a key of its own. Version 9:
#: an entry's problems, records and facts are one JSON value (one encoding, one
#: signature); an entry's key hashes the rules and inputs before the content. Version
#: 10: an archive's index is a blob of columns (:func:`_index_blob`). Version 11: that
#: blob is marshal's, not JSON's. Version 12: that blob is the archives table's last column
#: (written through incremental blob I/O, see :meth:`Cache.remember_archive`).
_FORMAT = 12
#: Bytes of an archive's index written to its blob at a time.
_BLOB_CHUNK = 1 << 20
#: Most values in one ``IN (...)`` of a query (SQLite before 3.32 allows 999 in all).
_IN_LIMIT = 500
#: The cache's JSON: ``json.dumps(value, ensure_ascii=False)`` (written by :func:`to_json`).
_JSON = json.JSONEncoder(ensure_ascii=False)
try:
    from _json import encode_basestring, make_encoder
except ImportError:  # not CPython
    _FAST_JSON = None
else:
    #: The C encoder ``_JSON.encode`` makes anew for every value (JSONEncoder.iterencode),
    #: made once; without its check for cycles (see :func:`to_json`).
    try:
        _FAST_JSON = make_encoder(None, _JSON.default, encode_basestring, None, ": ", ", ",
                                  False, False, True)
    except TypeError:  # a private function: another Python may take other arguments
        _FAST_JSON = None

#: A queued row's key: its first column (see :meth:`Cache._commit`).
_FIRST = itemgetter(0)

#: The file holding the secret that signs the cache's rows, in the user's cache folder.
SECRET_FILE = "cache-key"
SECRET_BYTES = 32


def cache_folder(root: str) -> str:
    """The cache folder of the run whose settings' root is ``root`` (as pathlib wrote
    it: :func:`cliplint.paths.path_text`)."""
    override = os.environ.get(CACHE_DIR_VARIABLE)
    return path_text(override or os.path.join(root, CACHE_FOLDER))


def secret_path() -> str:
    """``$XDG_CACHE_HOME/cliplint/cache-key`` (``~/.cache/...`` without the variable): the
    user's own, outside any linted tree."""
    base = xdg_folder("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return path_text(os.path.join(base, "cliplint", SECRET_FILE))


def cache_secret() -> bytes:
    """The secret that signs the cache's rows, made on first use (readable by the user
    alone); ``OSError`` when it can be neither read nor made.

    A run asks for it several times (the registry's snapshot, the check markers of
    :mod:`cliplint.marks`, each cache file it opens): the file is read once per process
    while it stays the same file (the same device, inode, size and modification time,
    looked at without following a link: a link, a FIFO... is read, and refused, every
    time)."""
    path = secret_path()
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return _make_secret(path)
    if not stat.S_ISREG(info.st_mode):
        return _checked_key(_read_key(path))  # refused (NotPlain), saying why
    return _key_of(path, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _key_of(path: str, device: int, inode: int, size: int, mtime_ns: int) -> bytes:
    """The key in the file ``path`` whose identity the other arguments are (the key of
    the memo: a file replaced is read again). Errors are not remembered."""
    return _checked_key(_read_key(path))


def _make_secret(path: str) -> bytes:
    """The key at ``path``, made when it is missing: by this run or a concurrent one."""
    try:
        return _checked_key(_read_key(path))
    except FileNotFoundError:
        import tempfile  # (with random: ~1 ms a start, and only the first run needs it)

        folder = os.path.dirname(path)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        # Written whole under another name, then linked into place: a concurrent run
        # reads either no secret or the whole of one, and the first one made wins.
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".cache-key.")
        try:
            os.write(handle, os.urandom(SECRET_BYTES))
            os.close(handle)
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
        return _checked_key(_read_key(path))


def _checked_key(secret: bytes) -> bytes:
    """``secret`` when it is a key (``SECRET_BYTES`` long); ``OSError`` otherwise."""
    if len(secret) != SECRET_BYTES:
        raise OSError(f"not a cliplint cache key (not {SECRET_BYTES} bytes)")
    return secret


def _read_key(path: str) -> bytes:
    """The key file's first bytes, one more than a key holds (see :func:`read_own_file`)."""
    try:
        return read_own_file(path, SECRET_BYTES + 1)
    except NotPlain as refused:
        raise OSError(f"not a cliplint cache key ({refused.why})") from None


#: Flags that keep ``os.open`` from following a link at the name it is given, and that
#: ask for a folder (none on Windows, where git does not check links out by default).
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_FOLDER = getattr(os, "O_DIRECTORY", 0)


class NotPlain(OSError):
    """A file or folder of cliplint's own that is not plainly one: a symbolic link (which
    would lead its writes elsewhere), not a regular file, or one with other names.
    ``why`` says which."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def read_own_file(path: str | os.PathLike[str], limit: int = -1) -> bytes:
    """The bytes of a file of cliplint's own (the cache's key, the registry's snapshot):
    at most ``limit`` of them (all with -1). A link at its name is not followed, and a
    FIFO or a device must neither hang the run nor fill its memory (opened without
    waiting for a writer): :class:`NotPlain` for either."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _NO_FOLLOW)
    except OSError:
        if os.path.islink(path):
            raise NotPlain("a symbolic link") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise NotPlain("not a regular file")
        with os.fdopen(os.dup(handle), "rb") as stream:
            return stream.read(limit)
    finally:
        os.close(handle)


def file_secret(secret: bytes, path: str | os.PathLike[str]) -> bytes:
    """The key that signs the rows of the cache file at ``path``: made from the user's
    secret and the file's name, so that a signed row copied into another cache file
    (other settings, other rules' code) is not believed there."""
    return blake2b(os.path.basename(os.fspath(path)).encode(), key=secret).digest()


def signature(secret: bytes, *fields: str, blob: bytes = b"") -> str:
    """A row's signature: a keyed hash of its fields, each followed by NUL, then of
    ``blob``, a last field of bytes. NUL does not occur in a field (JSON escapes it, paths
    cannot hold it) but in an archive index's name, between its root and its digest:
    every row of a table has as many fields, and is read by its key, so the fields'
    boundaries cannot be moved."""
    return _signed(blake2b(key=secret, digest_size=16), fields, blob)


def _signed(keyed: blake2b, fields: Sequence[str], blob: bytes) -> str:
    """:func:`signature`, with a hash already keyed with the secret (used up)."""
    keyed.update(("\0".join(fields) + "\0").encode("utf-8", "surrogatepass"))
    keyed.update(blob)
    return keyed.hexdigest()


def content_key(data: bytes, rules: Iterable[str],
                inputs: Iterable[tuple[str, str]] = ()) -> str:
    """The key of a file's entry: its content, the rules enabled for it, and the run
    inputs those rules ask for (``(name, value)`` pairs)."""
    return entry_key(content_digest(data), rules, inputs)


def content_digest(data: bytes) -> str:
    """A digest of a file's content alone: what the files table remembers of it."""
    return blake2b(data, digest_size=20).hexdigest()


def entry_key(content: str, rules: Iterable[str],
              inputs: Iterable[tuple[str, str]] = ()) -> str:
    """``content_key`` from the content's digest: a file whose status is unchanged
    need not be read again to find its entry."""
    return blake2b(_key_prefix(tuple(rules), tuple(inputs)) + content.encode(),
                   digest_size=20).hexdigest()


@functools.lru_cache(maxsize=64)
def _key_prefix(rules: tuple[str, ...], inputs: tuple[tuple[str, str], ...]) -> bytes:
    """What entry keys hash before the content: the rules and inputs, encoded once for a
    run's files rather than once per file."""
    return ("\0".join(rules) + "".join(f"\1{name}={value}" for name, value in inputs)
            + "\2").encode()


def code_fingerprint(modules: Iterable[str]) -> list[tuple[str, int, int]]:
    """Size and modification time of the engine's files and of the rule modules' packages,
    so that an edited rule (an editable install, a plugin under development) does not
    get stale results from the cache while the version number stays the same.

    A package's folder is listed and its files stat'ed once per process, as the registry
    is loaded once (:func:`cliplint.plugins.load_registry`): a run checks the registry's
    snapshot, then opens the cache for its files and again for the archive's reduction,
    and ``--watch`` runs the rules it loaded again."""
    folders = {os.path.dirname(__file__)}
    files: set[str] = set()
    for name in modules:
        module_file = _module_file(name)
        if not module_file:
            continue
        if "." in name or os.path.basename(module_file) == "__init__.py":
            # A rule inside a package, or a package's own: the whole package, helpers and
            # data too.
            folders.add(os.path.dirname(module_file))
        else:
            files.add(path_text(module_file))
    found = {item[0]: item for folder in folders for item in _folder_code(folder)}
    found.update((item[0], item) for item in _stat_each(files - found.keys()))
    # In the order of the paths' parts, as pathlib sorts them.
    return [found[path]
            for path in sorted(found, key=lambda path: os.path.normcase(path).split(os.sep))]


@functools.cache
def _folder_code(folder: str) -> tuple[tuple[str, int, int], ...]:
    """:func:`code_fingerprint` of the files under ``folder``."""
    return tuple(_stat_each(_code_files(folder)))


def _stat_each(paths: Iterable[str]) -> Iterator[tuple[str, int, int]]:
    """Each path with its modification time and size; none for a path gone."""
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        yield path, info.st_mtime_ns, info.st_size


def _code_files(folder: str) -> Iterator[str]:
    """The files under ``folder`` but Python's bytecode and hidden files and folders
    (``.mypy_cache``, ``.pytest_cache``: tools' caches, which change on every run of
    theirs), as ``Path(folder).rglob`` finds them (not inside linked folders), with
    os.scandir: a third of the time. Every other file, not only the .py and .json ones:
    a rule reads its data however it is written (a plugin's word list in a .txt, edited,
    was not seen, and the cache gave the old results)."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            walk = entry.is_dir() and not entry.is_symlink()
        except OSError:
            walk = False
        if walk:
            if entry.name != "__pycache__":
                yield from _code_files(entry.path)
        elif not entry.name.endswith((".pyc", ".pyo")):
            yield entry.path


@functools.cache
def _module_file(name: str) -> str | None:
    """The file of a module, imported or not: a run with the registry's snapshot
    (cliplint/registry_snapshot.py) imports a rule module only when the rule runs.
    Found once per process, as the registry is loaded (a run asks three times)."""
    if name in sys.modules:
        return getattr(sys.modules[name], "__file__", None)
    from importlib.util import find_spec

    try:
        spec = find_spec(name)  # imports the packages it is in, not the module
    except Exception:  # a package that fails to import: the rule says so when it runs
        return None
    return spec.origin if spec is not None and spec.has_location else None


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
    return blake2b(described.encode(), digest_size=16).hexdigest()


#: An entry as the cache gives it back: a file's problems, archive records and facts.
Entry = tuple[list[Problem], dict[str, Any], FileFacts | None]


class KnownFile(NamedTuple):
    """What the files table says of a path: the content (entry ``key``, and the content's
    digest) it held when it had this size and modification time."""

    size: int
    mtime_ns: int
    key: str
    content: str


class IndexedFile(NamedTuple):
    """One file of an archive's index (:meth:`Cache.archive_index`): its size and
    modification time when its content was linted, the entry key of that content and
    its archive records."""

    size: int
    mtime_ns: int
    key: str
    records: dict[str, Any]


class ArchiveIndex(NamedTuple):
    """The files of an archive as the last run given part of it left them
    (:meth:`Cache.archive_index`): a column per field, a row per file. Each content's
    entry key and records are held once, however many paths hold it: ``contents`` gives
    a file's place in ``keys`` and ``records``. Columns, not an object per file: a run
    compares tens of thousands of files with it, and most of them are unchanged."""

    paths: Sequence[str] = ()  # relative to the archive's root, "/" separators
    sizes: Sequence[int] = ()
    mtimes_ns: Sequence[int] = ()
    contents: Sequence[int] = ()
    keys: Sequence[str] = ()
    records: Sequence[dict[str, Any]] = ()

    @classmethod
    def of(cls, files: Mapping[str, IndexedFile]) -> ArchiveIndex:
        """The index of ``files`` (by path)."""
        places: dict[str, int] = {}
        records: list[dict[str, Any]] = []
        contents = []
        for file in files.values():
            place = places.setdefault(file.key, len(places))
            if place == len(records):
                records.append(file.records)
            contents.append(place)
        return cls(list(files), [file.size for file in files.values()],
                   [file.mtime_ns for file in files.values()], contents, list(places), records)

    def rows(self) -> dict[str, int]:
        """Each file's row, by path."""
        return dict(zip(self.paths, range(len(self.paths))))

    def file(self, row: int) -> IndexedFile:
        """The file of a row (see :meth:`rows`), as :meth:`Cache.remember_archive` takes it."""
        content = self.contents[row]
        return IndexedFile(self.sizes[row], self.mtimes_ns[row], self.keys[content],
                           self.records[content])


class Cache:
    """An open cache file: ``get`` entries, ``put`` new ones, ``close`` at the end.

    Every operation swallows SQLite's errors and turns the cache off: a cache is an
    optimisation, never a reason for a run to fail."""

    def __init__(self, connection: sqlite3.Connection | None, path: str | None = None,
                 secret: bytes = b"", locked: LockedCache | None = None) -> None:
        self._connection = connection
        self._path = path
        #: The run's: told when another run's lock made this cache give up.
        self._locked = locked
        #: The keyed hash every row's signature starts from, copied for each (see
        #: :meth:`_sign`).
        self._keyed = blake2b(key=secret, digest_size=16)
        #: Rows to write, by statement: written together (``executemany``) and committed
        #: at once, so that the write lock is held for that moment only (concurrent runs
        #: wait for it), not while files are linted. A run does not see them before.
        self._pending: dict[str, list[tuple[Any, ...]]] = {}
        self._uncommitted = 0
        self._uncommitted_characters = 0
        self._committed_at = time.monotonic()
        self._rebuilt = False
        #: Rows found with a wrong signature (reported once, at the end).
        self._forged = 0
        #: Rows were written: the tables may have grown past their limits.
        self._wrote = False

    @classmethod
    def open(cls, folder: str | os.PathLike[str], key: str, quiet: bool = False,
             locked: LockedCache | None = None) -> Cache:
        """The cache file of the run ``key`` in ``folder``. ``quiet``: without a key to
        sign it, or with a cache folder or file that is not plainly one (a symbolic
        link...), say nothing (a cache opened earlier in the run said it). ``locked``: the
        run's (see :class:`cliplint.runner.LockedCache`): once another run's lock has made
        a cache of the run give up, the others wait ``LOCKED_TIMEOUT`` for it, not
        ``SQLITE_TIMEOUT``."""
        path = os.path.join(folder, f"results-{key}.sqlite3")
        try:
            secret = cache_secret()
        except OSError as error:
            if not quiet:
                say(f"no key to sign the cache with ({secret_path()}: "
                    f"{getattr(error, 'strerror', None) or error}); this run goes on without "
                    "a cache (set XDG_CACHE_HOME to a folder of your own)")
            return cls(None)
        cache = cls(None, path, file_secret(secret, path), locked)
        try:
            cache._connection = open_database(
                path, LOCKED_TIMEOUT if locked is not None and locked.found else SQLITE_TIMEOUT)
        except NotPlain as refused:
            if not quiet:
                say(f"{refused.why}; this run goes on without a cache (cliplint writes no "
                    "cache through a link: remove it)")
        except OSError as error:
            # A folder that cannot be made or entered, a read-only one: no cache, unsaid
            # (a read-only checkout need not say it each run), but for one the user named.
            named = os.environ.get(CACHE_DIR_VARIABLE)
            if named and not quiet:
                say(f"the cache folder {named} ({CACHE_DIR_VARIABLE}) cannot be used "
                    f"({error.strerror or error}); this run goes on without a cache")
        except sqlite3.Error as error:
            cache._failed(error)
        return cache

    def get(self, key: str, path: str) -> Entry | None:
        """The problems (named after ``path``), archive records and facts of an entry."""
        return self.get_many([(key, path)])[0]

    def holds_entries(self) -> bool:
        """Whether the cache holds any entry (none: a first run, nothing to look up)."""
        return bool(self._rows("SELECT 1 FROM entries LIMIT 1", ()))

    def get_many(self, wanted: Sequence[tuple[str, str]]) -> list[Entry | None]:
        """:meth:`get` for each ``(key, path)``, in a query per few hundred keys rather
        than one each."""
        rows = self._select_in("SELECT key, entry, mac FROM entries WHERE key IN ({})",
                               list({key for key, _ in wanted}))
        signed = [row for row in rows if self._signed(row[2], "entry", *row[:2])]
        try:  # one decoding for them all: most of the time of a look-up is in json.loads
            # (a signed entry is one JSON value: put wrote it so)
            decoded = dict(zip((row[0] for row in signed), json.loads(
                "[" + ",".join(row[1] for row in signed) + "]")))
        except ValueError:
            return [None] * len(wanted)
        return [_entry(decoded[key], path) if key in decoded else None for key, path in wanted]

    def put(self, key: str, problems: Iterable[Problem], records: Mapping[str, Any],
            facts: FileFacts | None = None) -> None:
        if self._connection is None:
            return
        # One encoding of the three and one signature: a first run stores every file's
        # entry.
        try:
            entry = to_json([[problem_to_data(problem) for problem in problems], records, facts])
        except UNSTORABLE:
            return  # a plugin's record JSON cannot hold: the file is linted again next time
        self._write("INSERT OR REPLACE INTO entries (key, entry, mac) VALUES (?, ?, ?)",
                    (key, entry, self._sign("entry", key, entry)), len(entry))

    def remember_path(self, path: str, size: int, mtime_ns: int, key: str,
                      content: str) -> None:
        """Record that the file at ``path`` (absolute) with this size and modification
        time holds the content ``key`` (of digest ``content``)."""
        if self._connection is not None:
            mac = self._sign("file", path, str(size), str(mtime_ns), key, content)
            self._write("INSERT OR REPLACE INTO files (path, size, mtime, key, content, mac) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (path, size, mtime_ns, key, content, mac))

    def known_files(self, wanted: Mapping[str, tuple[int, int]]) -> dict[str, KnownFile]:
        """What the files table says of each path (absolute) of ``wanted`` that had the
        size and modification time given with it (and was signed): a query per few
        hundred paths."""
        rows = self._select_in("SELECT path, size, mtime, key, content, mac FROM files "
                               "WHERE path IN ({})", list(wanted))
        return {path: KnownFile(size, mtime, key, content)
                for path, size, mtime, key, content, mac in rows
                if wanted.get(path) == (size, mtime)
                and self._signed(mac, "file", path, str(size), str(mtime), key, content)}

    def archive_index(self, name: str) -> ArchiveIndex:
        """The files of an archive as the last run given part of it left them
        (:meth:`remember_archive`): one row and one signature however many files; empty
        when there is none (or none signed). ``name``: the archive's root and what its
        files' entry keys depend on (:func:`cliplint.archive.index_name`)."""
        rows = self._rows("SELECT rowid, root, mac, typeof(files) FROM archives WHERE root = ?",
                          (name,))
        if not rows:
            return ArchiveIndex()
        rowid, root, mac, kind = rows[0]
        if kind != "blob":  # never what this cache writes there
            self._forged += 1
            return ArchiveIndex()
        blob = self._blob("archives", "files", rowid)
        if blob is None or not self._signed(mac, "archive", root, blob=blob):
            return ArchiveIndex()
        return _read_index(blob)

    def holds_archive(self, name: str) -> bool:
        """Whether an index of the archive ``name`` is kept (signed or not: see
        :meth:`archive_index`), without reading it."""
        return bool(self._rows("SELECT 1 FROM archives WHERE root = ?", (name,)))

    def remember_archive(self, name: str, files: Mapping[str, IndexedFile]) -> None:
        """Keep the index of the archive ``name`` (see :meth:`archive_index`). The files'
        records as an entry's JSON gives them back (:func:`stored_records`): a tuple
        kept as one would come back as a tuple, where the entries give a list. Written
        and committed at once, through SQLite's incremental blob I/O: a value bound to a
        statement is copied by SQLite, twice (an index of 30,000 distinct clippings, 23
        MB, took 48 MB more while it was written), and a pending row would hold the
        index until the run ends, through the archive rules' reduce."""
        if self._connection is None:
            return
        try:
            blob = _index_blob(ArchiveIndex.of(files))
        except UNSTORABLE:
            return  # a record marshal cannot keep: not kept
        mac = self._sign("archive", name, blob=blob)
        try:
            self._commit()  # (the rows before it: this one is written now)
            try:
                # A zeroblob as the row's last value is not made in memory (the table
                # keeps the blob last for it); the blob is then written into it, a page
                # at a time.
                rowid = self._connection.execute(
                    "INSERT OR REPLACE INTO archives (root, mac, files) "
                    "VALUES (?, ?, zeroblob(?))", (name, mac, len(blob))).lastrowid
                assert rowid is not None  # (an INSERT's)
                with self._connection.blobopen("archives", "files", rowid) as handle:
                    view = memoryview(blob)
                    for start in range(0, len(blob), _BLOB_CHUNK):
                        handle.write(view[start:start + _BLOB_CHUNK])
            except BaseException:
                # Stopped half-way (Ctrl-C, SIGTERM, an error): the row, its blob part
                # zeros, is not left to close()'s commit, which kept it: a row that does
                # not match its signature, said "altered" by every run that read it, and
                # that kept a whole run from writing the index again (holds_archive).
                self._roll_back()
                raise
            self._wrote = True
            self._connection.commit()
        except UnicodeEncodeError:
            # A name SQLite cannot store (a root holding a lone surrogate: a folder name
            # that is not UTF-8): no index (rolled back); the next run reads the files as
            # this one did.
            pass
        except sqlite3.Error as error:
            self._failed(error)

    def _roll_back(self) -> None:
        """Undo the transaction under way; the cache is given up when even that fails
        (closing the connection undoes it)."""
        assert self._connection is not None
        try:
            self._connection.rollback()
        except sqlite3.Error:
            self._disable()

    def reduction(self, key: str) -> list[Problem] | None:
        """The archive rules' problems stored under ``key`` (see :meth:`put_reduction`)."""
        rows = self._rows("SELECT key, problems, mac FROM reductions WHERE key = ?", (key,))
        if not rows or not self._signed(rows[0][2], "reduction", *rows[0][:2]):
            return None
        try:
            return [problem_from_data(item, item.pop("path")) for item in json.loads(rows[0][1])]
        except (AttributeError, KeyError, TypeError, ValueError):
            return None

    def put_reduction(self, key: str, problems: Iterable[Problem]) -> None:
        """Keep the archive rules' problems under ``key``, a digest of everything they
        depend on (:func:`cliplint.archive.reduction_key`)."""
        if self._connection is not None:
            text = to_json([{"path": problem.path, **problem_to_data(problem)}
                            for problem in problems])
            self._write("INSERT OR REPLACE INTO reductions (key, problems, mac) "
                        "VALUES (?, ?, ?)", (key, text, self._sign("reduction", key, text)))

    def _select_in(self, query: str, values: Sequence[str]) -> list[tuple[Any, ...]]:
        """The rows of ``query``, whose ``{}`` is the placeholders of ``IN (...)``, over
        ``values`` (a query per ``_IN_LIMIT`` of them); none without a cache."""
        rows: list[tuple[Any, ...]] = []
        values = [value for value in values if _storable(value)]  # the others: never stored
        for start in range(0, len(values), _IN_LIMIT):
            part = values[start:start + _IN_LIMIT]
            found = self._rows(query.format(", ".join("?" * len(part))), part)
            if found is None:
                return []
            rows += found
        return rows

    def _rows(self, query: str, values: Sequence[str]) -> list[tuple[Any, ...]] | None:
        """The rows of ``query``; None without a cache, or when it failed."""
        if self._connection is None:
            return None
        if not all(_storable(value) for value in values):
            return []  # never stored (see _write)
        try:
            return self._connection.execute(query, values).fetchall()
        except sqlite3.Error as error:
            self._failed(error)
            return None

    def _blob(self, table: str, column: str, rowid: int) -> bytes | None:
        """A row's blob, read through SQLite's incremental blob I/O: a SELECT copies a
        large value page by page through the pager (an archive index of 30,000 distinct
        files, 24 MB: 28 ms against 9). None when it cannot be read (the row replaced
        meanwhile by another run: no index, and the run reads the files instead)."""
        assert self._connection is not None  # (a row was just read through it)
        try:
            with self._connection.blobopen(table, column, rowid, readonly=True) as handle:
                return handle.read()
        except sqlite3.Error:
            return None

    def _signed(self, mac: object, *fields: object, blob: object = b"") -> bool:
        """Whether a row's ``mac`` is its signature with this user's secret (see
        :func:`signature`); counts the rows that are not."""
        texts = [field for field in fields if isinstance(field, str)]  # SQLite's types vary
        # compare_digest refuses a str that is not ASCII (a damaged or altered row).
        if (isinstance(mac, str) and mac.isascii() and len(texts) == len(fields)
                and isinstance(blob, bytes)
                and compare_digest(mac, self._sign(*texts, blob=blob))):
            return True
        self._forged += 1
        return False

    def _sign(self, *fields: str, blob: bytes = b"") -> str:
        """:func:`signature` with this cache file's key, from a copy of the hash already
        keyed: a first run signs two rows a file, a look-up checks one, and keying a new
        hash costs a third of a signature."""
        return _signed(self._keyed.copy(), fields, blob)

    def _write(self, statement: str, values: tuple[Any, ...], size: int = 0) -> None:
        """Queue a row for the next commit; ``size``: its entry's length in characters, if it
        has one."""
        self._pending.setdefault(statement, []).append(values)
        self._uncommitted += 1
        self._uncommitted_characters += size
        if (self._uncommitted >= COMMIT_EVERY or self._uncommitted_characters >= COMMIT_CHARACTERS
                or time.monotonic() - self._committed_at >= COMMIT_SECONDS):
            try:
                self._commit()
            except sqlite3.Error as error:
                self._failed(error)

    def close(self) -> None:
        """Commit what is left and, when rows were written, drop the oldest rows beyond
        each table's limit (``MAX_ENTRIES`` entries and remembered paths,
        ``MAX_REDUCTIONS``, ``MAX_ARCHIVES``). A cache only read takes no write lock:
        it does not wait for another run's."""
        if self._forged:
            say(f"ignored {self._forged:,} cache row{'s' if self._forged != 1 else ''} "
                  f"not signed with this user's key ({secret_path()}): made by another "
                  "user or machine, or altered; they are linted again")
            self._forged = 0
        if self._connection is None:
            return
        try:
            self._commit()
            if self._wrote:
                # REPLACE gives a rewritten row a new rowid: the smallest are the oldest.
                for table, most in (("entries", MAX_ENTRIES), ("files", MAX_ENTRIES),
                                    ("reductions", MAX_REDUCTIONS), ("archives", MAX_ARCHIVES)):
                    self._connection.execute(
                        f"DELETE FROM {table} WHERE rowid <= (SELECT max(rowid) FROM {table}) - ?",
                        (most,))
                self._commit()
        except sqlite3.Error as error:
            self._failed(error)
        self._disable()

    def _commit(self) -> None:
        """Write the pending rows and commit (SQLite's errors are the caller's)."""
        assert self._connection is not None
        pending, self._pending = self._pending, {}
        self._wrote = self._wrote or bool(pending)
        for statement, rows in pending.items():
            # In the order of their key (every table's first column), so that the rows'
            # random entry keys reach each page of the index once, in order, rather than
            # pages read back and spilled again at random (a first run of 100,000 tiny
            # files: two fifths fewer page writes, four fifths fewer page reads). Stable:
            # a key queued twice keeps its last row, as the statements' REPLACE did.
            rows.sort(key=_FIRST)
            try:
                self._connection.executemany(statement, rows)
            except UnicodeEncodeError:
                # A row SQLite cannot store (text holding a lone surrogate: a file name
                # that is not UTF-8) must not take its batch down with it: the others
                # are written (again: REPLACE), that file is linted again next time.
                self._connection.executemany(statement, [
                    row for row in rows if all(_storable(value) for value in row)])
        self._connection.commit()
        self._uncommitted = self._uncommitted_characters = 0
        self._committed_at = time.monotonic()

    def _disable(self) -> None:
        self._pending = {}
        self._uncommitted = self._uncommitted_characters = 0
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def _failed(self, error: sqlite3.Error) -> None:
        """Go on without the cache after ``error``; a damaged file is replaced first."""
        self._disable()
        if self._locked is not None and (getattr(error, "sqlite_errorname", None)
                                         or "").startswith("SQLITE_BUSY"):
            self._locked.found = True  # (at once: a phase opened inside this one asks)
        if not _is_damage(error) or self._path is None or self._rebuilt:
            return
        self._rebuilt = True  # damaged again in the same run: off until the next one
        try:
            for suffix in ("", *SIDE_FILES):
                try:
                    os.unlink(f"{self._path}{suffix}")  # (a link: itself)
                except FileNotFoundError:
                    pass
            self._connection = open_database(self._path)
        except (OSError, sqlite3.Error) as again:
            say(f"the cache file {self._path} is damaged ({error}) and could not be "
                  f"replaced ({again}); this run goes on without a cache")
            return
        say(f"the cache file {self._path} was damaged ({error}); it was replaced by "
              "an empty one")


#: What :func:`to_json` and encoding its text may raise for a value a plugin's rule made
#: (a set, bytes, a cycle, a lone surrogate...): such a value is not kept.
UNSTORABLE = (TypeError, ValueError, RecursionError)


#: Files whose records :func:`stored_records` decodes as one document.
STORED_RECORDS_BATCH = 1000


def stored_records(many: Sequence[Mapping[str, Any]]) -> list[dict[str, Any] | None]:
    """Files' archive records as the cache gives them back: through their JSON (tuples
    become lists, keys strings); None for records JSON cannot hold. Decoded a thousand
    files to a document, whose parser makes each key once: the keys every file repeats
    (a rule's id, the fields of its record) are then a few strings in an archive's
    index, which marshal keeps once and gives back once (an index of 30,000 distinct
    clippings: 0.9 MB smaller, read a quarter faster, 240,000 strings fewer held).

    A file's records that are their own round trip already (:func:`_as_json_gives`:
    what a rule's map step usually makes) are given back as they are, their keys those
    the caller shares (cliplint.archive.Shared): a first run over 100,000 files encoded
    and decoded every one of them to keep the archive's index (0.5 s), and held both."""
    stored: list[dict[str, Any] | None] = [None] * len(many)
    through: list[int] = []  # the others' places
    for place, records in enumerate(many):
        if type(records) is dict and _as_json_gives(records, 0):
            stored[place] = records
        else:
            through.append(place)
    for start in range(0, len(through), STORED_RECORDS_BATCH):
        places = through[start:start + STORED_RECORDS_BATCH]
        for place, decoded in zip(places, _stored_batch([many[place] for place in places]),
                                  strict=True):
            stored[place] = decoded
    return stored


#: How deep :func:`_as_json_gives` looks before it leaves a value to JSON itself.
_DEEPEST_CHECKED = 64


def _as_json_gives(value: Any, depth: int) -> bool:
    """Whether ``value`` is what JSON gives back for it, object for object: dicts with
    ``str`` keys, lists, ``str``, ``bool``, ``None``, ``int`` and finite ``float``, each
    of exactly that type (a subclass, a tuple, a NaN is not), no deeper than
    ``_DEEPEST_CHECKED``."""
    kind = type(value)
    if kind is dict:
        if depth >= _DEEPEST_CHECKED:
            return False
        for key, item in value.items():
            # (strings and None, most of a record, without a call each)
            if type(key) is not str or not (type(item) is str or item is None
                                            or _as_json_gives(item, depth + 1)):
                return False
        return True
    if kind is list:
        if depth >= _DEEPEST_CHECKED:
            return False
        for item in value:
            if not (type(item) is str or item is None or _as_json_gives(item, depth + 1)):
                return False
        return True
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:  # (JSON writes an int in decimal: within Python's limit of digits)
        most = sys.get_int_max_str_digits()
        return most == 0 or value == 0 or math.log10(abs(value)) < most - 1
    if kind is float:
        return math.isfinite(value)
    return False


def _stored_batch(many: Sequence[Mapping[str, Any]]) -> list[dict[str, Any] | None]:
    texts: list[str | None] = []
    for records in many:
        try:
            texts.append(to_json(records))
        except UNSTORABLE:
            texts.append(None)
    try:
        decoded = iter(json.loads("[" + ",".join(text for text in texts if text is not None) + "]"))
    except UNSTORABLE:  # (a record nested as deep as the parser goes: one level more here)
        return [None if text is None else _decoded(text) for text in texts]
    return [None if text is None else next(decoded) for text in texts]


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except UNSTORABLE:
        return None


def to_json(value: Any) -> str:
    """``_JSON.encode(value)``, a microsecond sooner: a first run encodes every file's
    entry. A value it cannot encode (a cycle, an object JSON does not know) is left to
    ``_JSON.encode``, which says what is wrong as it always did."""
    if _FAST_JSON is not None:
        try:
            return "".join(_FAST_JSON(value, 0))
        except (RecursionError, TypeError, ValueError):
            pass
    return _JSON.encode(value)


def _storable(value: object) -> bool:
    """Whether SQLite can store ``value``: not a str it cannot encode as UTF-8."""
    return not isinstance(value, str) or utf8_encodable(value)


class _WrongSchema(sqlite3.DatabaseError):
    """A cache file whose tables are not the ones this version writes."""


def _is_damage(error: sqlite3.Error) -> bool:
    """Whether ``error`` says the file is damaged, not merely busy or unwritable."""
    name = getattr(error, "sqlite_errorname", None) or ""
    return isinstance(error, _WrongSchema) or name.startswith(("SQLITE_CORRUPT",
                                                               "SQLITE_NOTADB"))




#: The cache's tables and their columns, in order.
_TABLES = {
    "entries": "key TEXT PRIMARY KEY, entry TEXT NOT NULL, mac TEXT NOT NULL",
    "files": "path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL, "
             "key TEXT NOT NULL, content TEXT NOT NULL, mac TEXT NOT NULL",
    "archives": "root TEXT PRIMARY KEY, mac TEXT NOT NULL, files BLOB NOT NULL",
    "reductions": "key TEXT PRIMARY KEY, problems TEXT NOT NULL, mac TEXT NOT NULL",
}


#: What SQLite keeps beside a database, by the suffix of its name: the rollback journal,
#: and write-ahead logging's log and index (a cache file committed to the tree can ask
#: for that mode).
SIDE_FILES = ("-journal", "-wal", "-shm")


def open_database(path: str | os.PathLike[str],
                  wait: float = SQLITE_TIMEOUT) -> sqlite3.Connection:
    """The cache file at ``path`` opened with SQLite, its folder and the file made when
    missing, and its tables. Raises :class:`NotPlain` (its message for the user) when
    the folder, the file or a side file SQLite would open is a symbolic link or not a
    plain one, or when SQLite opened another file than the one checked; ``OSError`` or
    ``sqlite3.Error`` for the rest. See the module's docstring. ``wait``: the seconds
    the connection waits for another run's lock to go, opening it and after."""
    path = os.fspath(path)
    folder, name = os.path.dirname(path) or os.curdir, os.path.basename(path)
    descriptor = _open_folder(folder)
    try:
        _write_gitignore(descriptor)
        checked = _open_file(descriptor, name, path)
        try:
            for suffix in SIDE_FILES:
                _check_plain(descriptor, name + suffix, f"{path}{suffix}", missing=True)
            connection = sqlite3.connect(f"{file_uri(os.path.abspath(path))}?mode=rw",
                                         timeout=wait, uri=True)
            try:
                opened = connection.execute("PRAGMA database_list").fetchone()[2]
                if not _same_file(opened, os.fstat(checked)):
                    raise NotPlain(f"the cache file {path} changed into a link to {opened} "
                                   "while it was opened")
                return _set_up(connection)
            except BaseException:
                connection.close()
                raise
        finally:
            os.close(checked)
    finally:
        os.close(descriptor)


#: The bytes a ``file:`` URI holds as they are: RFC 3986's unreserved characters, and
#: the ``/`` between a path's parts. SQLite reads ``?`` as the start of the query, ``#``
#: as the fragment's and ``%`` as an escape (https://www.sqlite.org/uri.html), so every
#: other byte is written ``%XX``, as ``pathlib.Path.as_uri`` writes it.
_URI_PLAIN = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")


def file_uri(path: str) -> str:
    """The ``file:`` URI of the absolute ``path``, as ``pathlib.Path(path).as_uri()``
    gives it (without urllib.parse, which a cache hit need not import): its bytes
    (``os.fsencode``: a name that is not UTF-8 keeps its bytes) percent-encoded."""
    posix = path.replace(os.sep, "/")
    drive = os.path.splitdrive(path)[0]
    if len(drive) == 2 and drive[1] == ":":  # a Windows drive: file:///c:/a/b
        prefix, posix = f"file:///{drive}/", posix[2:].lstrip("/")
    else:  # POSIX, or a Windows network share: file://host/share/a/b
        prefix = "file:" if drive else "file://"
    return prefix + "".join(chr(byte) if byte in _URI_PLAIN else f"%{byte:02X}"
                            for byte in os.fsencode(posix))


def _open_folder(folder: str) -> int:
    """A descriptor of the cache folder, made when missing (its parents too), never
    through a link at its own name (its parents may be links: the user's, as
    ``~/.cache`` on another disk)."""
    try:
        return _open_plain_folder(folder)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        return _open_plain_folder(folder)


def _open_plain_folder(folder: str) -> int:
    try:
        return os.open(folder, os.O_RDONLY | _FOLDER | _NO_FOLLOW)
    except OSError:
        if os.path.islink(folder):
            raise NotPlain(f"the cache folder {folder} is a symbolic link") from None
        raise


def _open_file(folder: int, name: str, path: str) -> int:
    """A descriptor of the cache file ``name`` in the ``folder`` descriptor (``path``,
    for messages), made (empty: SQLite takes that for a new database) when missing,
    checked to be a plain file."""
    _check_plain(folder, name, path, missing=True)  # before opening: no device is opened
    try:
        handle = os.open(name, os.O_RDONLY | os.O_CREAT | os.O_NONBLOCK | _NO_FOLLOW, 0o644,
                         dir_fd=folder)
    except OSError:
        _check_plain(folder, name, path, missing=False)  # a link made meanwhile: said
        raise
    try:
        _say_if_not_plain(os.fstat(handle), path)
    except BaseException:
        os.close(handle)
        raise
    return handle


def _check_plain(folder: int, name: str, path: str, *, missing: bool) -> None:
    """Raise :class:`NotPlain` unless ``name`` in the ``folder`` descriptor is a plain
    file (a regular file of one name), or absent when ``missing`` allows it."""
    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        if missing:
            return
        raise
    _say_if_not_plain(info, path)


def _say_if_not_plain(info: os.stat_result, path: str) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise NotPlain(f"the cache file {path} is a symbolic link")
    if not stat.S_ISREG(info.st_mode):
        raise NotPlain(f"the cache file {path} is not a regular file")
    if info.st_nlink > 1:  # another name for it, perhaps another application's
        raise NotPlain(f"the cache file {path} has {info.st_nlink} hard links")


def _same_file(path: str, info: os.stat_result) -> bool:
    """Whether ``path`` (following links) is the file ``info`` describes."""
    try:
        found = os.stat(path)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (info.st_dev, info.st_ino)


def _set_up(connection: sqlite3.Connection) -> sqlite3.Connection:
    """An open cache file's connection, set up, its tables made (``_WrongSchema``
    when they have other columns)."""
    # A lost cache costs a re-lint, not data: no fsync on every commit.
    connection.execute("PRAGMA synchronous = OFF")
    for table, columns in _TABLES.items():
        connection.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
        found = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        wanted = [column.split()[0] for column in columns.split(", ")]
        if found != wanted:
            raise _WrongSchema(f"table {table} has the columns {', '.join(found)}")
    connection.commit()
    return connection


def _write_gitignore(folder: int) -> None:
    """A ``.gitignore`` that ignores everything in the cache folder (the ``folder``
    descriptor), unless there is one: made, never written through a link."""
    try:
        handle = os.open(".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW,
                         0o644, dir_fd=folder)
    except FileExistsError:  # (a link too, dangling or not: O_EXCL does not follow it)
        return
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write("# created by cliplint\n*\n")


def _index_blob(index: ArchiveIndex) -> bytes:
    """An archive's index as the cache keeps it: its columns, marshalled. A run given a
    few files of a big archive decodes the whole index: marshal decodes 30,000 distinct
    records in a third of the time JSON takes (39 vs 111 ms, 10 vs 22 MB). The blob is
    signed, so only what this cache wrote is ever decoded; the records must be as the
    entries' JSON gives them back (:meth:`Cache.remember_archive`). ``ValueError`` for
    a value marshal cannot keep."""
    return marshal.dumps((list(index.paths), list(index.sizes), list(index.mtimes_ns),
                          list(index.contents), list(index.keys), list(index.records)))


def _read_index(blob: bytes) -> ArchiveIndex:
    """The index an :func:`_index_blob` holds; empty when it is not one (another format's
    row, a shape the reader would fail on). Its sizes and times need no check: a value
    that is not the file's makes the file linted again."""
    try:
        read = marshal.loads(blob)
        if not (type(read) is tuple and len(read) == 6
                and all(type(column) is list for column in read)):
            return ArchiveIndex()
        index = ArchiveIndex(*read)
        contents = index.contents
        if (len(index.sizes) == len(index.mtimes_ns) == len(contents) == len(index.paths)
                and len(index.keys) == len(index.records)
                and all(type(path) is str for path in index.paths)
                and all(type(place) is int for place in contents)
                and all(type(key) is str for key in index.keys)
                and all(type(records) is dict for records in index.records)
                and (not contents or 0 <= min(contents) <= max(contents) < len(index.keys))):
            return index
    except (EOFError, TypeError, ValueError):
        pass
    return ArchiveIndex()


def _entry(row: Any, path: str) -> Entry | None:
    """An entry's decoded value (problems, records, facts), its problems named after
    ``path``."""
    if not (isinstance(row, list) and len(row) == 3):
        return None
    try:
        problems = [problem_from_data(item, path) for item in row[0]]
        facts = facts_from_data(row[2])
    except (KeyError, TypeError, ValueError):
        return None
    return (problems, row[1], facts) if isinstance(row[1], dict) else None


#: A problem's fields as the cache stores them: all but its path (the same content may
#: live at several paths).
_STORED_FIELDS = tuple(field.name for field in fields(Problem) if field.name != "path")


def problem_to_data(problem: Problem) -> dict[str, Any]:
    """``asdict(problem)`` without the path; a few times faster (``asdict`` copies every
    value deeply, and a first run stores every problem)."""
    data = {name: getattr(problem, name) for name in _STORED_FIELDS}
    if problem.fix is not None:
        data["fix"] = asdict(problem.fix)
    data["related"] = [asdict(item) for item in problem.related]
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
