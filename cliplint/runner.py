"""Linting many files: cache look-ups, a process pool, and a progress bar.

Work is per file and independent. The main process reads each file once to look it up in
the cache; files not in the cache go to worker processes in chunks (thousands of small
files would otherwise drown in scheduling), each worker reading and linting its files.
Results come back in the order the files were given, whatever ``jobs`` is.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections import deque
from collections.abc import (
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
    Sized,
)
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from cliplint.config import Settings
from cliplint.facts import FileFacts, file_facts
from cliplint.files import read_clipping, read_with_stat
from cliplint.model import INTERNAL_ERROR, Problem, Rule

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from cliplint.cache import Cache
    from cliplint.document import Document
    from cliplint.progress import Count

#: Below this many files to lint, starting worker processes costs more than it saves.
MIN_FILES_FOR_POOL = 24
MAX_CHUNK = 64
#: Files looked up in the cache together (a query for them all): enough to make a query's
#: cost vanish per file, few enough that memory does not grow with the run.
LOOKUP_BATCH = 256
T = TypeVar("T")
P = TypeVar("P")


class LockedCache:
    """Whether a cache the run opened was given up because another run held its file
    locked past the cache's timeout (a run stopped by Ctrl-Z in the middle of a write):
    the run's later phases then wait for it a moment only (``LOCKED_TIMEOUT``), rather
    than each as long again (a pre-commit run's three phases waited 15 s). One per run."""

    __slots__ = ("found",)

    def __init__(self) -> None:
        self.found = False


class RunOptions(NamedTuple):
    """How to run: worker processes, cache, source lines in problems, progress bar.
    (This module's records are named tuples: they are defined on every start, a
    one-file run included, and a frozen dataclass costs several times more to define.)
    ``locked_cache``: the run's own (see :class:`LockedCache`); without one, every phase
    waits for a locked cache."""

    jobs: int = 1
    use_cache: bool = False
    with_source: bool = False
    progress: bool = False
    locked_cache: LockedCache | None = None


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class FileStatus(NamedTuple):
    """A file's size and modification time before it was read, and its content's digest:
    what the cache's files table remembers of it."""

    size: int
    mtime_ns: int
    content: str


class Linted(NamedTuple):
    """One file linted: its cache key (``None`` unless asked for, or when the file could
    not be read), its problems, its archive-rule records by rule id, and what the
    archive report needs of it (``None`` when it could not be read); ``status`` when
    :func:`lint_file_for_cache` read it."""

    key: str | None
    problems: list[Problem]
    records: dict[str, Any]
    facts: FileFacts | None = None
    status: FileStatus | None = None


def lint_file(path: str, rules: Mapping[str, Rule], settings: Settings,
              with_source: bool = False) -> Linted:
    """Lint one file and make its archive records (no cache key)."""
    data = _read(path, settings)
    return data if isinstance(data, Linted) else lint_data(data, path, rules, settings,
                                                           with_source)


def lint_file_for_cache(path: str, rules: Mapping[str, Rule], settings: Settings,
                        with_source: bool = False, parts: KeyParts | None = None) -> Linted:
    """:func:`lint_file`, with the file's cache key and status (``None`` when it could
    not be read or ran out of time: nothing to cache). ``parts``: the run's
    :class:`KeyParts`, when it lints many files."""
    read = _read_with_stat(path, settings)
    if isinstance(read, Linted):
        return read
    data, info = read
    return _lint_keyed(data, path, rules, settings, with_source, path, info, parts)


def _read(path: str, settings: Settings) -> bytes | Linted:
    """The file's bytes, or what linting it comes to when it cannot be read."""
    data = read_clipping(path, settings.for_path(path).max_file_size)
    return Linted(None, [data], {}) if isinstance(data, Problem) else data


def _read_with_stat(path: str, settings: Settings) -> tuple[bytes, os.stat_result] | Linted:
    """:func:`_read`, with the file's status before it was read."""
    read = read_with_stat(path, settings.for_path(path).max_file_size)
    return Linted(None, [read], {}) if isinstance(read, Problem) else read


def lint_data(data: bytes, path: str, rules: Mapping[str, Rule], settings: Settings,
              with_source: bool = False, rules_path: str | None = None) -> Linted:
    """``lint_file`` for bytes already read. ``rules_path``: the path that
    ``per-file-ignores`` see, when it is not ``path`` (a file read on another machine
    or from object storage)."""
    linted = _lint_in_time(data, path, rules, settings, with_source, rules_path or path)
    return Linted(None, [linted], {}) if isinstance(linted, Problem) else linted


def lint_data_for_cache(data: bytes, path: str, rules: Mapping[str, Rule], settings: Settings,
                        with_source: bool = False, rules_path: str | None = None) -> Linted:
    """:func:`lint_data`, with the file's cache key (``None`` when it ran out of time)."""
    return _lint_keyed(data, path, rules, settings, with_source, rules_path or path)


def _lint_keyed(data: bytes, path: str, rules: Mapping[str, Rule], settings: Settings,
                with_source: bool, rules_path: str, info: os.stat_result | None = None,
                parts: KeyParts | None = None) -> Linted:
    """The file linted, with the cache key of its content, and its status when ``info``
    (its status before it was read) is given; no key when it ran out of time (nothing
    to cache)."""
    from cliplint.cache import content_digest, entry_key

    content = content_digest(data)
    linted = _lint_in_time(data, path, rules, settings, with_source, rules_path)
    if isinstance(linted, Problem):
        return Linted(None, [linted], {})
    parts = KeyParts(rules, settings) if parts is None else parts
    return Linted(entry_key(content, *parts(rules_path)),
                  linted.problems, linted.records, linted.facts,
                  None if info is None else FileStatus(info.st_size, info.st_mtime_ns, content))


def _lint_in_time(data: bytes, path: str, rules: Mapping[str, Rule], settings: Settings,
                  with_source: bool, rules_path: str) -> Linted | Problem:
    """The file linted, or the problem that it ran past ``file-timeout``."""
    # Imported when a file is linted: a run whose files all come from the cache need not
    # load the linter, the document model and their regular expressions (~3 ms).
    from cliplint.budget import within_budget
    from cliplint.linter import decode_clipping

    if settings.file_timeout:
        # The body's parser and html5lib, loaded here rather than on the first body a rule
        # asks for: within the budget, that file would pay for the import (tens of ms),
        # and an import the budget interrupted halfway could leave modules broken.
        import cliplint.html_parse  # noqa: F401
    return within_budget(
        lambda: _lint_decoded(decode_clipping(data, settings.for_path(rules_path), path=path), path, rules_path,
                              rules, settings, with_source),
        settings.file_timeout, path=path, rules=rules.values())


def _lint_decoded(document: Document | Problem, path: str, rules_path: str,
                  rules: Mapping[str, Rule], settings: Settings, with_source: bool) -> Linted:
    if isinstance(document, Problem):
        return Linted(None, [document], {})
    if rules_path != path:
        document = replace(document, path=rules_path)
    from cliplint.linter import lint_and_record

    problems, records = lint_and_record(document, rules, settings, path=path,
                                        with_source=with_source)
    return Linted(None, problems, records, file_facts(document))


def key_parts(path: str, rules: Mapping[str, Rule],
              settings: Settings) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """What a file's result depends on besides its content: the rules enabled for it
    and the inputs those rules ask for."""
    return KeyParts(rules, settings)(path)


class KeyParts:
    """:func:`key_parts` of many files of a run: the inputs worked out once for each
    folder configuration and selection of rules, not for every file."""

    def __init__(self, rules: Mapping[str, Rule], settings: Settings) -> None:
        self._rules = rules
        self._settings = settings
        #: By the configuration's id and the rules enabled, with the configuration (kept
        #: alive: its id cannot then be another's).
        self._inputs: dict[tuple[int, tuple[str, ...]],
                           tuple[Settings, tuple[tuple[str, str], ...]]] = {}

    def __call__(self, path: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        own = self._settings.for_path(path)  # its folder's configuration
        enabled = own.rules_for(path)
        known = self._inputs.get((id(own), enabled))
        if known is None:
            known = self._inputs[id(own), enabled] = (
                own, rule_inputs(own, enabled, self._rules, self._settings))
        return enabled, known[1]

    def __reduce__(self) -> tuple[type[KeyParts], tuple[Mapping[str, Rule], Settings]]:
        # Sent to a worker without what it worked out: ids mean nothing in another process.
        return type(self), (self._rules, self._settings)


def rule_inputs(own: Settings, enabled: Sequence[str], rules: Mapping[str, Rule],
                settings: Settings) -> tuple[tuple[str, str], ...]:
    """The inputs the ``enabled`` rules ask for under a folder's configuration ``own``,
    and that configuration's fingerprint when it is not the run's (the run's cache is
    named after the run's settings only)."""
    # Most rules ask for no input: those are passed over first (once per file).
    inputs = own.input_values(rule for rule_id in enabled
                              if (rule := rules[rule_id]).inputs and rule.check is not None)
    if own is not settings:
        inputs += (("configuration", settings.tree.fingerprint(own)),)
    return inputs


class FileResult(NamedTuple):
    """One file's problems, in the order the linter reports them, its archive records and
    its facts for the archive report (:mod:`cliplint.facts`; ``None`` when the file could
    not be read). ``checked`` is False for the problems archive rules find once every
    file is checked (they come after the files, one result per file they concern)."""

    path: str
    problems: list[Problem]
    records: Mapping[str, Any] = {}
    checked: bool = True
    facts: FileFacts | None = None
    cached: bool = False  # the result came from the cache (--verbose counts them)
    #: The file's entry key in the cache (None without a cache, or nothing to cache).
    key: str | None = None
    #: The status (with its content) this run remembered in the cache's files table for a
    #: file no look-up read (a first run's): the archive's index takes it from here rather
    #: than reading the table back. None otherwise.
    status: FileStatus | None = None


def iter_results(
    paths: Iterable[str],
    rules: Mapping[str, Rule],
    settings: Settings,
    options: RunOptions = RunOptions(),
    plugins: Mapping[str, str] | None = None,
    total: int | Count | None = None,
) -> Iterator[FileResult]:
    """Lint every file and yield its result as soon as it and every file before it are
    done, in the order given: a report can be written while the run goes on, and
    nothing here holds more than a window of files (memory stays flat however many)."""
    with open_cache(rules, settings, options, plugins) as cache:
        looked_up = (_look_up_many(cache, paths, rules, settings) if cache is not None
                     else (_LookUp(path, None) for path in paths))
        if total is None and isinstance(paths, Sized):
            total = len(paths)  # else a count of files, with no percentage until known
        yield from _lint_missing(looked_up, rules, settings, options, cache, total)


@contextmanager
def open_cache(rules: Mapping[str, Rule], settings: Settings, options: RunOptions,
               plugins: Mapping[str, str] | None, quiet: bool = False) -> Iterator[Cache | None]:
    """The run's cache (None without one), closed at the end; ``quiet``: see
    :meth:`Cache.open`."""
    if not options.use_cache:
        yield None
        return
    from cliplint.cache import Cache, cache_folder, code_fingerprint, run_key

    code = code_fingerprint(rule.module for rule in rules.values())
    key = run_key(plugins or {}, settings, code, with_source=options.with_source)
    cache = Cache.open(cache_folder(settings.root), key, quiet, options.locked_cache)
    try:
        yield cache
    finally:
        cache.close()


class _LookUp(NamedTuple):
    path: str
    #: The cached result, or None when the file must be linted.
    hit: Linted | None
    #: The file's status is to be remembered from its linting (it was not read here).
    unread: bool = False


def _look_up_many(cache: Cache, paths: Iterable[str], rules: Mapping[str, Rule],
                  settings: Settings, *, first_run_unread: bool = True) -> Iterator[_LookUp]:
    """Each path looked up, ``LOOKUP_BATCH`` at a time, in a few queries per batch rather
    than a few per file: the files whose status the cache knows are not read; the others
    are read and hashed (and their status remembered). When the cache holds no entry at
    all (a first run) there is nothing to find: with ``first_run_unread`` every file is
    then left unread, for the worker that lints it to give its key and status."""
    from cliplint.cache import entry_key

    if first_run_unread and not cache.holds_entries():
        yield from (_LookUp(path, None, unread=True) for path in paths)
        return
    parts = KeyParts(rules, settings)
    for batch in _batches(paths, LOOKUP_BATCH):
        absolute = {path: os.path.abspath(path) for path in batch}
        status = {}
        for path in batch:
            try:
                info = os.stat(path)
            except OSError:
                continue  # reading it will say what is wrong
            status[absolute[path]] = (info.st_size, info.st_mtime_ns)
        known = cache.known_files(status)
        keys: dict[str, str] = {}
        unreadable: dict[str, Linted] = {}
        for path in batch:
            found = known.get(absolute[path])
            if found is not None and found.content:
                keys[path] = entry_key(found.content, *parts(path))
                continue
            read = _read_key(cache, path, settings, parts)
            if isinstance(read, Linted):
                unreadable[path] = read
            else:
                keys[path] = read
        entries = dict(zip(keys, cache.get_many([(key, path) for path, key in keys.items()])))
        for path in batch:
            entry = entries.get(path)
            yield _LookUp(path, unreadable.get(path) if entry is None
                          else Linted(keys[path], *entry))


def _look_up(cache: Cache | None, path: str, rules: Mapping[str, Rule],
             settings: Settings) -> _LookUp:
    """One file looked up (read and hashed unless the cache knows its status), for a
    caller that lints the misses itself and does not ask for their status back
    (cliplint/batches.py)."""
    if cache is None:
        return _LookUp(path, None)
    return next(_look_up_many(cache, [path], rules, settings, first_run_unread=False))


def _read_key(cache: Cache, path: str, settings: Settings, parts: KeyParts) -> str | Linted:
    """The file's entry key, from its content (its status remembered with it), or what
    linting it comes to when it cannot be read."""
    read = _read_with_stat(path, settings)
    if isinstance(read, Linted):
        return read
    data, info = read
    from cliplint.cache import content_digest, entry_key

    status = FileStatus(info.st_size, info.st_mtime_ns, content_digest(data))
    key = entry_key(status.content, *parts(path))
    remember_path(cache, path, status, key)
    return key


#: A file modified this recently may be modified again within the same tick of its
#: modification time, keeping its size: its status says nothing (git's "racy clean").
RACY_SECONDS = 2


def remember_path(cache: Cache, path: str, status: FileStatus, key: str) -> bool:
    """Remember that the file holds the content ``key`` while its status stays as it
    was; not while it may still change unnoticed (False)."""
    if time.time_ns() - status.mtime_ns <= RACY_SECONDS * 1_000_000_000:
        return False
    cache.remember_path(os.path.abspath(path), status.size, status.mtime_ns, key,
                        status.content)
    return True


def _lint_missing(looked_up: Iterable[_LookUp], rules: Mapping[str, Rule], settings: Settings,
                  options: RunOptions, cache: Cache | None,
                  total: int | Count | None) -> Iterator[FileResult]:
    """Cache hits pass through; the other files are linted in ``jobs`` processes, and
    their results stored in the cache as they arrive."""
    # The look-ups read ahead of the results (the pool's window of chunks) and wait here,
    # in order. Hits travel through the pool too, as None (nothing to do): a run of hits
    # must not be read ahead all at once while the pool looks for the next file to lint.
    waiting: deque[_LookUp] = deque()

    def to_lint() -> Iterator[str | None]:
        for entry in looked_up:
            waiting.append(entry)
            yield None if entry.hit is not None else worker_copy(entry.path)

    # One KeyParts for the run's files (a copy of it for each chunk a worker is sent).
    lint = (lint_file if cache is None
            else partial(lint_file_for_cache, parts=KeyParts(rules, settings)))
    work = partial(_lint_paths, lint=lint, rules=rules, settings=settings,
                   with_source=options.with_source)
    from cliplint.progress import bar

    with bar(total, shown=options.progress) as advance:
        for linted in map_in_chunks(work, to_lint(), options.jobs):
            advance(1)
            entry = waiting.popleft()
            cached = entry.hit is not None
            remembered = None
            if entry.hit is not None:
                linted = entry.hit
            elif cache is None or any(p.rule == INTERNAL_ERROR for p in linted.problems):
                linted = linted._replace(key=None)  # not kept: nothing to find it by
            elif linted.key is not None:
                cache.put(linted.key, linted.problems, linted.records, linted.facts)
                if (entry.unread and linted.status is not None
                        and remember_path(cache, entry.path, linted.status, linted.key)):
                    remembered = linted.status
            yield FileResult(entry.path, linted.problems, linted.records, facts=linted.facts,
                             cached=cached, key=linted.key, status=remembered)


def worker_copy(path: str) -> str:
    """``path`` as sent to a worker process: a copy when it is not ASCII. Pickling a str
    that is not ASCII stores its UTF-8 form in the str, for as long as the str lives
    (some 130 bytes for a path of 40 CJK characters), and the path itself is held until
    the archive rules' reduce step: its copy is dropped once its chunk is done."""
    return path if path.isascii() else "".join((path, ""))


def map_in_chunks(
    work: Callable[[Sequence[P]], list[T]], paths: Iterable[P], jobs: int, *,
    left: Callable[[list[T], list[P]], object] | None = None,
) -> Generator[T, None, None]:
    """``work`` (a picklable function from a list of paths to one result per path) over
    ``paths``, in ``jobs`` worker processes when there are enough paths to be worth it;
    results one per path, in the order of ``paths``, as soon as they are ready.
    ``paths`` is read only a window ahead of the results.

    ``left``: when the run stops early (Ctrl-C, SIGTERM, an error, or the caller's own
    exception or ``close``), it is given what the worker processes did that the caller
    never got: the results of the chunks that were running (they finish first) and the
    paths of those whose results were lost (their worker was ended, by SIGTERM to the
    process group say, or a second Ctrl-C cut the wait). ``--fix`` counts on it to say
    which files it wrote."""
    paths = iter(paths)
    # Enough paths to tell the chunk size (below this many they are all in ``head``).
    head = list(itertools.islice(paths, jobs * 4 * MAX_CHUNK))
    if jobs <= 1 or len(head) < MIN_FILES_FOR_POOL:
        for path in itertools.chain(head, paths):
            yield from work([path])
        return
    size = max(1, min(MAX_CHUNK, len(head) // (jobs * 4)))
    # No more workers than chunks (``head`` holds every path when it is not full):
    # --jobs 5000 over 60 files starts 60, not 5,000 processes that wait for nothing.
    workers = min(jobs, -(-len(head) // size))
    chunks = _batches(itertools.chain(head, paths), size)
    del head
    pool = _Pool(workers)
    # A sliding window of submitted chunks (Executor.map would submit them all at
    # once), so memory does not grow with the number of files waiting.
    window: deque[tuple[list[P], Future[list[T]]]] = deque()
    untaken: deque[T] = deque()  # the results of the chunk done last not yet taken
    try:
        for chunk in itertools.islice(chunks, jobs * 2):
            window.append((chunk, pool.submit(work, chunk)))
        while window:
            results = window[0][1].result()  # (interrupted here, the chunk is still in
            window.popleft()                   # the window: ``left`` gets its results)
            untaken.extend(results)
            following = next(chunks, None)
            if following is not None:
                window.append((following, pool.submit(work, following)))
            while untaken:
                yield untaken.popleft()
    except BaseException:
        # Running chunks finish their files, and are waited for: a worker may be writing a
        # fix, and the main process may end by a signal next (cliplint/cli/__init__.py),
        # which kills the workers. The rest never start. (A shutdown without waiting
        # would make the one below wait for nothing: the executor forgets its threads.)
        try:
            pool.shutdown(cancel_futures=True)
        finally:
            if left is not None:
                left(*_left_over(untaken, window))
        raise
    finally:
        pool.shutdown()


def _left_over(untaken: Iterable[T], window: Iterable[tuple[list[P], Future[list[T]]]]
               ) -> tuple[list[T], list[P]]:
    """What :func:`map_in_chunks` gives ``left``: the results not taken (those of the
    chunks that ran to their end), and the paths of the chunks that ran, or may have,
    whose results did not come (a chunk that never started is neither)."""
    results, lost = list(untaken), []
    for chunk, future in window:
        if future.cancelled():
            continue
        if future.done() and future.exception() is None:
            results += future.result()
        else:
            lost += chunk
    return results, lost


class _Pool:
    """``jobs`` worker processes, started when the first chunk with something to do is
    submitted. A chunk of None only (cache hits: nothing to do) is done here rather than
    sent to a worker: a warm run starts no worker, nor even the pool. When the system
    refuses to start them (a limit on the user's processes: EAGAIN), every chunk is done
    here, and the run says so once."""

    def __init__(self, jobs: int) -> None:
        self._jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._alone = False  # no workers could be started: every chunk is done here

    def submit(self, work: Callable[[Sequence[P]], list[T]], chunk: list[P]) -> Future[list[T]]:
        """The chunk's results to come."""
        if not self._alone and any(item is not None for item in chunk):
            starting = self._pool is None
            try:
                if self._pool is None:
                    self._pool = process_pool(self._jobs)
                # Pickled here, as it is when the chunk is sent: as it now is (the
                # configurations read so far), and unpickled once in the worker while
                # it stays the same (see _unpickled_work).
                import pickle  # (here: a run of cache hits starts no worker)

                return self._pool.submit(_work_on, pickle.dumps(work), chunk)
            except OSError as error:
                if not starting:
                    raise
                # The first submit starts the workers (every one of them, where they are
                # forked): none can be relied on. Later, earlier chunks are running.
                self._give_up(error)
            except BaseException:
                if starting:
                    # Interrupted while the pool started (Ctrl-C): its manager thread may
                    # not have started, and shutdown() would join it ("cannot join thread
                    # before it is started", an internal error in place of the interrupt).
                    self._discard()
                raise
        from concurrent.futures import Future

        done: Future[list[T]] = Future()
        done.set_result(work(chunk))
        return done

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)

    def _give_up(self, error: OSError) -> None:
        from cliplint.streams import say

        self._discard()
        self._alone = True
        say(f"cannot start worker processes ({error.strerror or error}): linting in this "
            "process")

    def _discard(self) -> None:
        """Drop a pool whose start failed: its workers killed, nothing waited for."""
        pool, self._pool = self._pool, None
        if pool is not None:
            # The workers forked before the start failed wait for work that never
            # comes, and shutdown() does not stop them (no manager thread yet). Killed:
            # they were given nothing, and a SIGTERM is lost when it comes before a
            # forked Python has set itself up (it drops the signals pending then), which
            # left the join below waiting for ever, one run in eight under load.
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()
                process.join()
            pool.shutdown(wait=False, cancel_futures=True)


def _work_on(work: bytes, chunk: list[P]) -> list[Any]:
    """In a worker: ``work`` (pickled) over the chunk."""
    return _unpickled_work(work)(chunk)


@lru_cache(maxsize=1)
def _unpickled_work(work: bytes) -> Callable[[list[Any]], list[Any]]:
    """A chunk's work, unpickled once for the chunks that bring the same. Unpickled
    anew for each, its settings (a configuration tree and the settings that hold it:
    a reference cycle) were garbage after every chunk that the collector, tuned for a
    lint run (cliplint/cli/lint.py), freed only in a full collection, which a worker
    did not reach: some 130 kB a chunk, 23 MB of a worker's peak over 30,000 files."""
    import pickle

    loaded: Callable[[list[Any]], list[Any]] = pickle.loads(work)
    return loaded


def _batches(items: Iterable[P], size: int) -> Iterator[list[P]]:
    items = iter(items)
    while batch := list(itertools.islice(items, size)):
        yield batch


def process_pool(jobs: int) -> ProcessPoolExecutor:
    """``jobs`` worker processes that leave Ctrl-C to the main process and die with it."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker,
                               initargs=(os.getpid(),))


def _start_worker(main: int) -> None:
    import signal  # (here, in a worker: a run that lints nothing never needs it)

    # Ctrl-C reaches the whole process group; the main process alone handles it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM ends a worker, as it always did (not the main process's handler, inherited
    # by the fork: Process.terminate sends it, and the pool uses that when broken), but
    # never while it writes a fix: cliplint.writer holds it while a temporary file exists.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(main)
    # A worker writes no report: whatever prints goes to standard error, whichever
    # thread prints it (where workers start by forkserver, Python 3.14's default, they
    # import the plugins as they unpickle their work, after this).
    sys.stdout = sys.stderr


#: prctl(2) option: the signal the kernel sends a process when its parent dies.
_PR_SET_PDEATHSIG = 1


def _die_with_parent(main: int) -> None:
    """End this worker when its parent ends, whatever ends it (``kill -9`` included): an
    orphaned worker would go on fixing and writing files, then wait forever for work.
    On Linux the kernel sends it SIGKILL (a file being written is a temporary file until
    its ``os.replace``: it is left whole or not at all); elsewhere a thread checks."""
    parent = os.getppid()
    if not death_signal():
        import threading

        threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                         name="cliplint-watch-parent").start()
    # The main process may have died before the kernel was told: no signal will come.
    if not _alive(main):
        os._exit(1)


def death_signal() -> bool:
    """Ask Linux for SIGKILL when the parent dies; whether it was granted."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone; or someone else's has its number
        return False
    return True


def _lint_paths(paths: Sequence[str | None], *, lint: Callable[..., Linted],
                rules: Mapping[str, Rule], settings: Settings, with_source: bool) -> list[Linted]:
    """Lint each path with ``lint`` (:func:`lint_file` or :func:`lint_file_for_cache`);
    None (a cache hit, already known) is left alone."""
    return [lint(path, rules, settings, with_source) if path is not None
            else _NOTHING for path in paths]


_NOTHING = Linted(None, [], {})


