"""cliplint on a Dask cluster (``pip install 'cliplint[dask]'``).

From the command line, ``--scheduler dask`` starts a ``LocalCluster`` (one worker
process per core, or ``--jobs``) and ``--scheduler tcp://HOST:PORT`` connects to a
running scheduler. From Python (a notebook)::

    from distributed import Client
    from cliplint.dask import lint_paths

    client = Client("tcp://scheduler:8786")
    run = lint_paths(["s3://bucket/clippings/"], {"select": ["ALL"]}, client=client)
    for result in run:                      # FileResults, in order, as batches come back
        ...
    text = lint_paths(paths, client=client).report("json")   # the report a CLI run writes

Each batch of files is one task (``distributed.Client.submit``, futures rather than a
dask.bag: results must come back in order while the next batches are queued, and a
window of submitted batches keeps the scheduler's and the client's memory flat). A task
that raises is retried (``RETRIES``); a worker that dies has its running batches given
to another worker by the scheduler; results already fetched are not recomputed.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from cliplint.batches import (
    DEFAULT_BATCH_SIZE,
    RETRIES,
    Batch,
    Item,
    Job,
    RunFailed,
    RunStats,
    WorkerMismatch,
    archive_of,
    batched_results,
    lint_batch,
    manifest_sources,
    sources,
)
from cliplint.storage import StorageError

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

    from cliplint.model import Rule, Tally
    from cliplint.runner import FileResult

#: Seconds to wait for a scheduler that has no worker yet.
WAIT_FOR_WORKERS = 30


class DaskEngine:
    """Batches as tasks on a Dask cluster (see :class:`cliplint.batches.Engine`)."""

    def __init__(self, client: Client) -> None:
        from distributed import as_completed

        self._client = client
        scheduler = client.scheduler
        assert scheduler is not None  # (a client that started)
        self._scheduler = str(scheduler.address)  # (named if it is lost)
        # Futures as they end, their results fetched by next_done: fetched in
        # as_completed's own tasks (with_results), a fetch the lost scheduler broke was
        # a traceback on standard error, and its batch never came.
        self._done = as_completed()

    def slots(self) -> int:
        return max(1, sum(self._client.nthreads().values()))

    def submit(self, items: list[Item], job: Job) -> Hashable:
        future = self._client.submit(lint_batch, items, job, retries=RETRIES, pure=False)
        self._done.add(future)
        return future.key

    def next_done(self) -> tuple[Hashable, Batch]:
        from concurrent.futures import CancelledError

        from distributed import KilledWorker

        future = next(self._done)
        try:
            batch: Batch = future.result()
        except (StorageError, WorkerMismatch) as error:
            raise RunFailed(str(error)) from None
        except KilledWorker as error:
            raise RunFailed(f"workers died running one batch again and again ({error}); "
                            "a file of it may crash the parser, or the workers lack memory"
                            ) from None
        except CancelledError as error:
            raise _cancelled(self._scheduler, error) from None
        except OSError as error:  # CommClosedError and the like: the scheduler went away
            raise _lost_scheduler(self._scheduler, error) from None
        key = future.key
        future.release()  # the result is here: the cluster can forget it
        return key, batch


def _lost_scheduler(scheduler: str, error: OSError | None = None) -> RunFailed:
    """The run's failure when the scheduler at the address ``scheduler`` goes away;
    ``error`` is what said so, if it was not a batch cancelled for it. A connection that
    closed is said so plainly (Dask names its ends, or its pool); one not made again as
    Dask says it ("Timed out trying to connect to ... after 30 s")."""
    from distributed.comm.core import CommClosedError

    why = "the connection to it closed" if error is None or isinstance(
        error, CommClosedError) else error
    return RunFailed(f"lost the Dask scheduler at {scheduler}: {why}")


def _cancelled(scheduler: str, error: BaseException) -> RunFailed:
    """The run's failure when a batch's future is cancelled: most often by the client,
    for the connection to the scheduler closed (it cancels every future then); by
    someone's ``Client.cancel`` or ``Client.restart`` otherwise."""
    reason = getattr(error, "reason", None)
    if reason == "scheduler-connection-lost":
        return _lost_scheduler(scheduler)
    return RunFailed(f"a batch was cancelled on the Dask scheduler at {scheduler} "
                     f"({reason})")


@contextmanager
def _standard_output_on_standard_error() -> Iterator[None]:
    """Descriptor 1 on standard error while the LocalCluster's processes start: they
    inherit it, and write no report, but share the command's standard output, which is
    the report's. A plugin imported there (the workers unpickle the rules before any
    code of cliplint's runs) printed into the JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@contextmanager
def connect(scheduler: str, jobs: int) -> Iterator[Client]:
    """A client of a new LocalCluster (``dask``) or of the scheduler at an address,
    closed at the end. Raises :class:`RunFailed` when there is none to be had."""
    try:
        from distributed import Client
    except ImportError:
        raise RunFailed("--scheduler needs Dask: pip install 'cliplint[dask]'") from None
    if scheduler == "dask":
        with _local_cluster(jobs) as cluster, _closing(Client(cluster)) as client:
            yield client
        return
    with _closing(_client_of(scheduler)) as client:
        try:
            client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
        except TimeoutError:
            raise RunFailed(f"the Dask scheduler at {scheduler} has no workers (waited "
                            f"{WAIT_FOR_WORKERS} s)") from None
        except OSError as error:  # (TimeoutError is one: caught above)
            raise _lost_scheduler(scheduler, error) from None
        yield client


@contextmanager
def _local_cluster(jobs: int) -> Iterator[LocalCluster]:
    """A new LocalCluster of ``jobs`` worker processes, closed at the end.

    Ctrl-C reaches the whole process group, and the command alone handles it (closing
    the cluster): SIGINT is held while the cluster starts (:func:`_hold_interrupts`), so
    that its processes are born ignoring it, and a Ctrl-C meanwhile is raised once the
    cluster has started, and closes it. (A worker still importing Dask printed its
    KeyboardInterrupt's traceback, and a cluster interrupted as it started failed to
    close with Dask's "AssertionError: Status.init".)"""
    from multiprocessing import resource_tracker

    from distributed import LocalCluster

    # (multiprocessing's resource tracker, started with the first process, lets SIGINT
    # through in the thread that starts it: it would let it through while held, and a
    # Ctrl-C would reach that thread, to be ignored there)
    resource_tracker.ensure_running()
    held = _hold_interrupts()
    try:
        # The scheduler serves HTTP whatever is asked: on a free local port, not on
        # 8787 (taken by another cluster, it would print a warning).
        with _standard_output_on_standard_error():
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                   dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    except BaseException:
        _let_interrupts_go(held)
        raise
    try:
        _let_interrupts_go(held)  # (a Ctrl-C held meanwhile is raised here)
        yield cluster
    finally:
        cluster.close()


class _HeldInterrupts(NamedTuple):
    handler: Any  # SIGINT's handler before (signal.signal's)
    blocked: set[int | signal.Signals]


def _hold_interrupts() -> _HeldInterrupts | None:
    """SIGINT ignored, so that processes started meanwhile are born ignoring it (an
    ignored signal stays ignored through ``exec``, and Python then sets no handler for
    it), and blocked, so that a Ctrl-C meanwhile waits instead of being lost (Linux keeps
    a blocked signal pending even while it is ignored; elsewhere it may be lost, and the
    run goes on). None where the handler cannot be set (not the main thread), put back
    (one set outside Python) or signals cannot be blocked (Windows)."""
    if (not hasattr(signal, "pthread_sigmask")
            or threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is None):
        return None
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    return _HeldInterrupts(signal.signal(signal.SIGINT, signal.SIG_IGN), blocked)


def _let_interrupts_go(held: _HeldInterrupts | None) -> None:
    """SIGINT handled and let through as before :func:`_hold_interrupts`."""
    if held is not None:
        signal.signal(signal.SIGINT, held.handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, held.blocked)


@contextmanager
def _closing(client: Client) -> Iterator[Client]:
    """``client`` (the run's own), closed at the end. Dask's client logger says nothing
    meanwhile: what it says of a scheduler gone away ("Failed to reconnect to scheduler
    after 30.00 seconds, closing client", or, the client closed while it tries again,
    the traceback of that task cancelled) the run says itself, in one line."""
    logger = logging.getLogger("distributed.client")
    disabled = logger.disabled
    logger.disabled = True
    try:
        with client:
            yield client
    finally:
        logger.disabled = disabled


def _client_of(scheduler: str) -> Client:
    """A client of the scheduler at the address ``scheduler``; :class:`RunFailed` when
    none answers there. Made in a thread of its own, waited for as long as Dask's
    configuration gives a connection (``distributed.comm.timeouts.connect``, 30 s by
    default): a server that takes the connection and never answers as a scheduler does
    (the dashboard's port, given by mistake) kept ``Client()`` waiting for ever, and one
    that answered other bytes made it allocate what their first eight said (a
    MemoryError)."""
    import dask
    from dask.utils import parse_timedelta
    from distributed import Client

    deadline = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"),
                               default="seconds")
    made: list[Client | BaseException] = []
    done = threading.Event()

    def make() -> None:
        try:
            made.append(Client(scheduler, timeout=deadline))
        except BaseException as error:  # (said by the caller, in the run's thread)
            made.append(error)
        done.set()

    # A daemon: one still waiting must not keep the process from ending.
    threading.Thread(target=make, name="cliplint-dask-connect", daemon=True).start()
    done.wait(2 * deadline)  # (the client's own timeout, then as long again)
    if not made:
        raise RunFailed(f"no Dask scheduler answered at {scheduler} within {2 * deadline:g} s "
                        "(is it the address of the scheduler, not of its dashboard?)")
    found = made[0]
    if isinstance(found, BaseException):
        why = str(found) or f"it does not answer as a Dask scheduler ({type(found).__name__})"
        raise RunFailed(f"cannot reach the Dask scheduler at {scheduler}: {why}")
    return found


class LintRun:
    """A lint run on a cluster: iterate it for each file's result (then the archive
    rules' results), or write its report. It runs once, as it is iterated."""

    def __init__(self, results: Iterator[FileResult], rules: Mapping[str, Rule],
                 stats: RunStats) -> None:
        self._results = results
        self.rules = rules
        self.stats = stats

    def __iter__(self) -> Iterator[FileResult]:
        return self._results

    def write(self, format: str, write: Callable[[str], object]) -> Tally:
        """Stream the report in a built-in format (``text``, ``json``, ``sarif``,
        ``github``, ``junit``, ``gitlab``) to ``write``, as the command line does."""
        import importlib

        from cliplint.formats import BUILTIN_FORMATS, RenderOptions

        writer = importlib.import_module(f"cliplint.formats.{BUILTIN_FORMATS[format]}")
        return writer.write_stream(self._results, self.rules, RenderOptions(), write)

    def report(self, format: str = "json") -> str:
        """The whole report as text."""
        parts: list[str] = []
        self.write(format, parts.append)
        return "".join(parts)


def lint_paths(
    paths: Iterable[str],
    config: Mapping[str, Any] | None = None,
    *,
    client: Client | None = None,
    select: Iterable[str] | None = None,
    walk: bool = True,
    storage_options: Mapping[str, Any] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    use_cache: bool = False,
    with_source: bool = False,
) -> LintRun:
    """Lint files, folders, URLs and URL prefixes on a Dask cluster: the library's
    counterpart of ``cliplint --scheduler …``. ``config`` is a table shaped like
    ``cliplint.toml`` (as for :func:`cliplint.lint_text`). Folders and prefixes are
    walked; with ``walk=False`` each path is taken as a file, as ``--paths-from`` takes
    a manifest's lines (nothing is listed: give millions of keys this way). Without a
    ``client``, a LocalCluster runs for the length of the run. Archive rules (on by
    default) reduce on the client once every file is in."""
    from cliplint.archive import with_archive_rules
    from cliplint.linter import library_settings
    from cliplint.plugins import load_registry
    from cliplint.runner import LockedCache, RunOptions, default_jobs

    rules, settings = library_settings(config, select)
    plugins = load_registry().plugins
    options = RunOptions(use_cache=use_cache, with_source=with_source,
                         locked_cache=LockedCache())
    options_given = dict(storage_options or {})
    stats = RunStats()
    named = [] if not walk else list(paths)

    def run() -> Iterator[FileResult]:
        # The local files that are symlinks or were reached through one, filled as they
        # are found: the archive rules take each for the file it leads to, as a local
        # run does (a link beside its target is no duplicate of it).
        links: set[str] = set()
        with (connect("dask", default_jobs()) if client is None
              else _given(client)) as used:
            found = (sources(named, settings, options_given, links) if walk
                     else manifest_sources(paths, settings, links))
            results = batched_results(found, rules, settings, options, plugins,
                                      DaskEngine(used), storage_options=options_given,
                                      batch_size=batch_size, stats=stats)
            archive = archive_of(named, settings, not walk, options_given)
            yield from with_archive_rules(results, rules, settings, archive, options, plugins,
                                          links)

    return LintRun(run(), rules, stats)


@contextmanager
def _given(client: Client) -> Iterator[Client]:
    yield client  # the caller's client: theirs to close
