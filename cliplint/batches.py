"""Linting in batches on workers that may be other machines: local processes, or a Dask
cluster (:mod:`cliplint.dask`), over local paths and object storage URLs.

The client (the process that writes the report) turns the paths into *sources* (folders
and URL prefixes walked, manifests read line by line), looks each one up in the cache,
and sends the others to the workers in batches. A worker reads its batch's files itself
(object storage: every request of the batch at once), lints them and sends back each
file's problems and archive records. The client yields the results in the order of the
sources, as soon as a result and every one before it are in, so a report streams and
the client holds only a window of batches, however many files there are. Archive rules
reduce on the client (:func:`cliplint.archive.with_archive_rules`).

The cache is the client's. A local file is looked up by its content hash, as in a local
run (the client reads it; a cache hit is never sent to a worker). An object is looked up
by the content tag its listing shows (S3's ETag) and its size, without reading it; an
object named in a manifest has no listing, so it is read and linted every time.
"""

from __future__ import annotations

import os
import socket
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import IO, Any, NamedTuple, Protocol

from cliplint.archive import Archive, configured_root, find_archive
from cliplint.config import Settings
from cliplint.files import file_key, iter_files, passes_link, read_clipping
from cliplint.model import INTERNAL_ERROR, Problem, Rule, too_large
from cliplint.progress import bar
from cliplint.runner import (
    FileResult,
    Linted,
    RunOptions,
    _look_up,
    key_parts,
    lint_data,
    lint_data_for_cache,
    open_cache,
)
from cliplint.storage import (
    StorageError,
    is_url,
    list_objects,
    names_prefix,
    object_key,
    read_objects,
)

#: Files per batch. A task costs the scheduler 0.2-1 ms and a file ~2.4 ms of CPU (more on
#: a busy machine); 100 files make a task of a quarter of a second or more: the overhead is
#: under 1%, a lost worker costs a quarter of a second, and the last batches straggle
#: little. Reads from object storage overlap within a batch, so a batch is also how many
#: requests a worker has in flight. (benchmarks/scale_out.py measures 10 to 1,000.)
DEFAULT_BATCH_SIZE = 100
#: A batch is tried again this many times when it raises (a storage error); a worker
#: that dies is the scheduler's business (Dask gives its tasks to another worker).
RETRIES = 2


class RunFailed(Exception):
    """The run cannot go on: storage or cluster unreachable, workers unlike the client.
    The command line says so and exits 2."""


class Source(NamedTuple):
    """One file to lint: the path reports show, where a worker reads it (an absolute path
    or a URL), the absolute path that ``per-file-ignores`` see, and what a listing said
    of it (size, content tag)."""

    shown: str
    location: str
    rules_path: str
    size: int | None = None
    tag: str | None = None


class Item(NamedTuple):
    """A file a worker is to lint; ``key`` is its cache key when the client knows it
    (an object's tag), else the worker computes it (``Job.keyed``) or there is none."""

    shown: str
    location: str
    rules_path: str
    key: str | None = None


class Job(NamedTuple):
    """What every batch of a run shares. Sent with each batch (about 40 KB pickled): a
    worker that restarts needs nothing from the client but its tasks."""

    rules: Mapping[str, Rule]
    settings: Settings
    with_source: bool
    keyed: bool
    storage_options: Mapping[str, Any]
    #: The client's plugins (entry point -> "distribution version"): a worker with other
    #: versions would lint by other rules.
    plugins: Mapping[str, str]


class BatchStats(NamedTuple):
    """What one batch cost, where (datatrove's per-task stats, in small)."""

    worker: str
    files: int
    bytes_read: int
    read_seconds: float
    lint_seconds: float


class Batch(NamedTuple):
    results: list[Linted]
    stats: BatchStats


@dataclass
class RunStats:
    """A run's counts so far (a notebook shows them; the benchmark reports them)."""

    files: int = 0
    cache_hits: int = 0
    batches: int = 0
    linted: int = 0
    bytes_read: int = 0
    read_seconds: float = 0.0
    lint_seconds: float = 0.0
    workers: set[str] = field(default_factory=set)

    def add(self, stats: BatchStats) -> None:
        self.batches += 1
        self.linted += stats.files
        self.bytes_read += stats.bytes_read
        self.read_seconds += stats.read_seconds
        self.lint_seconds += stats.lint_seconds
        self.workers.add(stats.worker)


# -- on the workers ------------------------------------------------------------------------


def lint_batch(items: Sequence[Item], job: Job) -> Batch:
    """Read and lint a batch of files (runs on a worker)."""
    _check_plugins(tuple(sorted(job.plugins.items())))
    started = time.perf_counter()
    limit = job.settings.max_file_size
    contents: list[bytes | Problem] = [b""] * len(items)
    remote = [index for index, item in enumerate(items) if is_url(item.location)]
    if remote:
        found = read_objects([items[index].location for index in remote], job.storage_options,
                             limit)
        for index, content in zip(remote, found):
            contents[index] = content
    for index, item in enumerate(items):
        if not is_url(item.location):
            contents[index] = read_clipping(item.location, limit)
    read = time.perf_counter()
    results = [_lint_item(item, content, job) for item, content in zip(items, contents)]
    stats = BatchStats(f"{socket.gethostname()}:{os.getpid()}", len(items),
                       sum(len(c) for c in contents if isinstance(c, bytes)),
                       read - started, time.perf_counter() - read)
    return Batch(results, stats)


def _lint_item(item: Item, content: bytes | Problem, job: Job) -> Linted:
    if isinstance(content, Problem):  # unreadable: nothing to cache
        return Linted(None, [replace(content, path=item.shown)], {})
    if len(content) > job.settings.max_file_size:  # an object read up to one byte past
        from cliplint.storage import object_size

        size = object_size(item.location, job.storage_options) or len(content)
        return Linted(None, [too_large(item.shown, size, job.settings.max_file_size)], {})
    keyed = job.keyed and item.key is None and not is_url(item.location)
    lint = lint_data_for_cache if keyed else lint_data
    linted = lint(content, item.shown, job.rules, job.settings, job.with_source,
                  rules_path=item.rules_path)
    return linted if item.key is None else linted._replace(key=item.key)


@lru_cache(maxsize=4)
def _check_plugins(expected: tuple[tuple[str, str], ...]) -> None:
    """Refuse to lint with other plugins (or versions) than the client's (once per
    worker process and run configuration)."""
    from cliplint.plugins import load_registry

    here = load_registry().plugins
    if dict(expected) != dict(here):
        mine = ", ".join(f"{name}={version}" for name, version in sorted(here.items()))
        theirs = ", ".join(f"{name}={version}" for name, version in expected)
        raise WorkerMismatch(f"worker {socket.gethostname()} has plugins {mine}; the client "
                             f"has {theirs}: install the same cliplint and plugins on both")


class WorkerMismatch(Exception):
    """A worker's cliplint or plugins differ from the client's."""


# -- on the client ---------------------------------------------------------------------------


class Engine(Protocol):
    """Where batches run: ``submit`` one and get a handle; ``next_done`` waits for any
    submitted batch and gives its handle and result (or raises its error)."""

    def slots(self) -> int: ...

    def submit(self, items: list[Item], job: Job) -> Hashable: ...

    def next_done(self) -> tuple[Hashable, Batch]: ...


class ProcessEngine:
    """Batches in local worker processes (``--scheduler processes``)."""

    def __init__(self, jobs: int) -> None:
        from cliplint.runner import process_pool

        self._jobs = jobs
        self._pool = process_pool(jobs)
        self._pending: set[Any] = set()
        self._done: deque[Any] = deque()

    def slots(self) -> int:
        return self._jobs

    def submit(self, items: list[Item], job: Job) -> Hashable:
        future = self._pool.submit(lint_batch, items, job)
        self._pending.add(future)
        return future

    def next_done(self) -> tuple[Hashable, Batch]:
        from concurrent.futures import FIRST_COMPLETED, wait

        if not self._done:
            done, self._pending = wait(self._pending, return_when=FIRST_COMPLETED)
            self._done.extend(done)
        future = self._done.popleft()
        try:
            return future, future.result()
        except (StorageError, WorkerMismatch) as error:
            raise RunFailed(str(error)) from None

    def close(self) -> None:
        # Joined when nothing is running (the run went through): a pool left to stop on
        # its own races the interpreter's exit, whose hook then writes to the pool's
        # closed wake-up pipe ("Exception ignored ... Bad file descriptor" on stderr).
        # After an error, running batches are not waited for.
        self._pool.shutdown(wait=not any(not future.done() for future in self._pending),
                            cancel_futures=True)


@contextmanager
def open_engine(scheduler: str, jobs: int) -> Iterator[Engine]:
    """The engine ``--scheduler`` names: ``processes`` (local worker processes), ``dask``
    (a LocalCluster of ``jobs`` workers) or a Dask scheduler's address."""
    if scheduler == "processes":
        engine = ProcessEngine(jobs)
        try:
            yield engine
        finally:
            engine.close()
        return
    from cliplint.dask import DaskEngine, connect

    with connect(scheduler, jobs) as client:
        yield DaskEngine(client)


class _Entry(NamedTuple):
    shown: str
    hit: Linted | None
    item: Item | None


def batched_results(
    sources: Iterable[Source],
    rules: Mapping[str, Rule],
    settings: Settings,
    options: RunOptions,
    plugins: Mapping[str, str],
    engine: Engine,
    *,
    storage_options: Mapping[str, Any] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    total: int | None = None,
    stats: RunStats | None = None,
) -> Iterator[FileResult]:
    """Every source's result, in order, linted on ``engine`` (see the module's
    documentation); ``stats`` (if given) is kept up to date as batches come back."""
    stats = stats if stats is not None else RunStats()
    # Workers may run in another folder, or on another machine: globs count from an
    # absolute root.
    settings = replace(settings, root=os.path.abspath(settings.root))
    job = Job(rules, settings, options.with_source, options.use_cache,
              dict(storage_options or {}), dict(plugins))
    with open_cache(rules, settings, options, plugins) as cache, \
            bar(total, shown=options.progress) as advance:
        entries = (_entry(source, cache, rules, settings) for source in sources)
        groups = _groups(entries, batch_size)
        for entry, linted in _in_order(groups, engine, job, advance, stats):
            stats.files += 1
            if entry.hit is not None:
                stats.cache_hits += entry.hit.key is not None
            elif cache is not None and linted.key is not None and not any(
                    p.rule == INTERNAL_ERROR for p in linted.problems):
                cache.put(linted.key, linted.problems, linted.records, linted.facts)
            yield FileResult(entry.shown, linted.problems, linted.records, facts=linted.facts)


def _entry(source: Source, cache: Any, rules: Mapping[str, Rule], settings: Settings) -> _Entry:
    """A source looked up on the client: its result when known, else the item to lint."""
    item = Item(source.shown, source.location, source.rules_path)
    if source.size is not None and source.size > settings.max_file_size:
        return _Entry(source.shown, Linted(None, [too_large(
            source.shown, source.size, settings.max_file_size)], {}), None)
    if cache is None:
        return _Entry(source.shown, None, item)
    if not is_url(source.location):
        found = _look_up(cache, source.shown, rules, settings).hit
        return _Entry(source.shown, found, None if found is not None else item)
    if source.tag is None:
        return _Entry(source.shown, None, item)
    key = object_key(source.tag, source.size, *key_parts(source.rules_path, rules, settings))
    cached = cache.get(key, source.shown)
    if cached is not None:
        return _Entry(source.shown, Linted(key, *cached), None)
    return _Entry(source.shown, None, item._replace(key=key))


def _groups(entries: Iterable[_Entry], size: int) -> Iterator[list[_Entry]]:
    """Entries in groups of ``size`` to lint; a run of cache hits does not wait for
    enough files to lint beyond eight batches' worth."""
    group: list[_Entry] = []
    misses = 0
    for entry in entries:
        group.append(entry)
        misses += entry.item is not None
        if misses >= size or len(group) >= 8 * size:
            yield group
            group, misses = [], 0
    if group:
        yield group


def _in_order(groups: Iterator[list[_Entry]], engine: Engine, job: Job,
              advance: Callable[[int], object],
              stats: RunStats) -> Iterator[tuple[_Entry, Linted]]:
    """Each entry with its result, in order. A window of batches is in flight (twice the
    workers' slots, so that none waits for work); a batch's result is fetched as soon as
    it is done, whatever its place (a worker that dies then loses only the batches it
    was running), and kept until the ones before it are in."""
    window = max(2, 2 * engine.slots())
    waiting: deque[tuple[list[_Entry], Hashable | None]] = deque()
    sizes: dict[Hashable, int] = {}
    finished: dict[Hashable, list[Linted]] = {}

    def fill() -> None:
        while len(sizes) < window and len(waiting) < 2 * window:
            group = next(groups, None)
            if group is None:
                return
            items = [entry.item for entry in group if entry.item is not None]
            handle = engine.submit(items, job) if items else None
            if handle is None:
                advance(len(group))
            else:
                sizes[handle] = len(group)
            waiting.append((group, handle))

    fill()
    while waiting:
        group, handle = waiting[0]
        while handle is not None and handle not in finished:
            done, batch = engine.next_done()
            finished[done] = batch.results
            stats.add(batch.stats)
            advance(sizes.pop(done))
            fill()
        waiting.popleft()
        results = iter(finished.pop(handle) if handle is not None else ())
        for entry in group:
            if entry.hit is not None:
                yield entry, entry.hit
            else:
                yield entry, next(results)
        fill()


# -- what to lint ------------------------------------------------------------------------------


def sources(paths: Sequence[str], settings: Settings, storage_options: Mapping[str, Any],
            links: set[str] | None = None) -> Iterator[Source]:
    """The files under the paths named on the command line, in order: folders and URL
    prefixes walked, files and objects as named. Raises :class:`RunFailed` for a path
    that does not exist or storage that cannot be reached. ``links``: as
    :func:`cliplint.files.iter_files` fills it, for the local folders' walks."""
    local: list[str] = []
    for path in paths:
        if not is_url(path):
            local.append(path)
            continue
        yield from _local_sources(local, settings, links)
        local = []
        try:
            for listed in list_objects(path, settings, storage_options):
                yield Source(listed.url, listed.url,
                             os.path.join(os.path.abspath(settings.root), listed.relative),
                             listed.size, listed.etag)
        except StorageError as error:
            raise RunFailed(str(error)) from None
    yield from _local_sources(local, settings, links)


def _local_sources(paths: list[str], settings: Settings,
                   links: set[str] | None) -> Iterator[Source]:
    for path in iter_files(paths, settings, links) if paths else ():
        absolute = os.path.abspath(path)
        yield Source(path, absolute, absolute)


def manifest_sources(lines: Iterable[str], settings: Settings,
                     links: set[str] | None = None) -> Iterator[Source]:
    """The files a manifest names, one per line (blank lines skipped), taken as they are:
    nothing is listed, and a file that is missing is reported as unreadable. A file named
    again (``a.md``, ``./a.md``: as the command line's paths, :func:`file_key`; a URL as
    written) is linted once, where it is first named. Given a set as ``links``, adds to
    it each local path that is a symlink or passes one, as
    :func:`cliplint.files.iter_files` does for the command line's paths (a URL has none)."""
    root = os.path.abspath(settings.root)
    seen: set[str] = set()
    for path in lines:
        if not path.strip():
            continue
        key = path if is_url(path) else file_key(path)
        if key in seen:
            continue
        seen.add(key)
        if is_url(path):
            yield Source(path, path, os.path.join(root, path.partition("://")[2]))
        else:
            if links is not None and passes_link(path):
                links.add(path)
            absolute = os.path.abspath(path)
            yield Source(path, absolute, absolute)


def read_manifest(name: str, stdin: Callable[[], IO[str]]) -> Iterator[str]:
    """The entries of a manifest file (``-``: what ``stdin`` gives), read as they are needed:
    its lines, or the names between NUL bytes when its first characters hold one
    (``find -print0``, ``git ls-files -z``: a name may hold a line end, never a NUL)."""
    if name == "-":
        yield from _entries(stdin())
        return
    try:
        # Read as standard input is (and as the command line's names are decoded): no
        # line end translated (a CR inside a NUL-separated name stays a CR), and a name
        # that is not UTF-8 kept as its bytes (surrogateescape), for open() to find.
        stream = open(name, encoding="utf-8", errors="surrogateescape",  # noqa: SIM115
                      newline="")  # (closed by the with below)
    except OSError as error:
        raise RunFailed(f"cannot read the manifest {name}: {error.strerror or error}") from None
    with stream:
        yield from _entries(stream)


#: Characters of a manifest read at a time: its first read decides how names are apart.
_MANIFEST_CHUNK = 4096
#: The longest name a manifest may hold, in characters: far beyond a path (4,096 bytes
#: on Linux) or an object's URL (a key of S3 is at most 1,024 bytes). Without a bound, a
#: file with no line end (a binary file, a minified JSON document named by mistake) was
#: gathered into one name with the whole file held in memory and copied again at every
#: read: 200 MB ran for more than a minute and would have taken hours.
LONGEST_MANIFEST_NAME = 65536


def _entries(stream: IO[str]) -> Iterator[str]:
    """The names in ``stream``: between NUL bytes, as they are, if its first characters
    hold one; else its lines, without their line ends (LF or CRLF)."""
    text = stream.read(_MANIFEST_CHUNK)
    # A byte order mark (Windows' Notepad and PowerShell write one) is no part of a name.
    text = text.removeprefix("\ufeff")
    if "\0" not in text:
        for line in _split(stream, text, "\n"):
            yield line.rstrip("\r\n")
        return
    yield from _split(stream, text, "\0")


def _split(stream: IO[str], text: str, separator: str) -> Iterator[str]:
    """The names between ``separator`` in ``text`` and the rest of ``stream``."""
    while text:
        *names, rest = text.split(separator)
        if separator == "\n" and "\0" in text:  # no name holds one: not a list of names
            raise RunFailed("the manifest holds a NUL byte past its start: it lists names "
                            "one per line, or NUL-separated from the first")
        if len(rest) > LONGEST_MANIFEST_NAME:
            apart = "NUL-separated" if separator == "\0" else "one per line"
            raise RunFailed(f"the manifest holds a name of more than "
                            f"{LONGEST_MANIFEST_NAME:,} characters: it lists names {apart}, "
                            "and no path or URL is that long")
        yield from names
        more = stream.read(_MANIFEST_CHUNK)
        if not more:
            if rest:
                yield rest
            return
        text = rest + more


def archive_of(paths: Sequence[str], settings: Settings, manifest: bool,
               storage_options: Mapping[str, Any]) -> Archive:
    """The archive a batched run's files belong to: for URLs, the prefix they share; for
    a manifest, the configured archive root, the configuration's folder or the current
    folder (URLs in a manifest then count from their bucket); else as in a local run."""
    if manifest:
        root = configured_root(settings) or os.getcwd()
        return Archive(os.path.abspath(root))
    urls = [path for path in paths if is_url(path)]
    if not urls:
        return find_archive(paths, settings)
    try:
        prefixes = [url.rstrip("/") + "/" if names_prefix(url, storage_options)
                    else url.rpartition("/")[0] + "/" for url in urls]
    except StorageError as error:
        raise RunFailed(str(error)) from None
    common = os.path.commonprefix(prefixes)  # noqa: RUF071  (cut back to a "/" next)
    return Archive(common[: common.rfind("/") + 1])
