"""Linting many files: cache look-ups, a process pool, and a progress bar.

Work is per file and independent. The main process reads each file once to look it up in
the cache; files not in the cache go to worker processes in chunks (thousands of small
files would otherwise drown in scheduling), each worker reading and linting its files.
Results come back in the order the files were given, whatever ``jobs`` is.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from cliplint.cache import (
    Cache,
    cache_folder,
    code_fingerprint,
    content_key,
    problem_to_data,
    run_key,
)
from cliplint.config import Settings
from cliplint.files import read_clipping
from cliplint.linter import lint_bytes
from cliplint.model import INTERNAL_ERROR, Problem, Rule

#: Below this many files to lint, starting worker processes costs more than it saves.
if TYPE_CHECKING:
    from concurrent.futures import Future

MIN_FILES_FOR_POOL = 24
MAX_CHUNK = 64
T = TypeVar("T")


@dataclass(frozen=True)
class RunOptions:
    jobs: int = 1
    use_cache: bool = False
    with_source: bool = False
    progress: bool = False


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def lint_file(path: str, rules: Mapping[str, Rule], settings: Settings,
              with_source: bool = False) -> tuple[str | None, list[Problem]]:
    """Lint one file; also return its cache key (``None`` when it could not be read)."""
    data = read_clipping(path, settings.max_file_size)
    if isinstance(data, Problem):
        return None, [data]
    problems = lint_bytes(data, rules, settings, path=path, with_source=with_source)
    return content_key(data, settings.rules_for(path)), problems


def lint_files(
    paths: Sequence[str],
    rules: Mapping[str, Rule],
    settings: Settings,
    options: RunOptions = RunOptions(),
    plugins: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Lint every file; problems come back grouped by file, in the order given."""
    cache = None
    if options.use_cache:
        code = code_fingerprint(rule.module for rule in rules.values())
        key = run_key(plugins or {}, settings, code, with_source=options.with_source)
        cache = Cache.load(cache_folder(settings.root), key)

    results: list[list[Problem] | None] = [None] * len(paths)
    pending: list[int] = []
    for index, path in enumerate(paths):
        if cache is not None:
            data = read_clipping(path, settings.max_file_size)
            if isinstance(data, Problem):
                results[index] = [data]
                continue
            hit = cache.get(content_key(data, settings.rules_for(path)), path)
            if hit is not None:
                results[index] = hit
                continue
        pending.append(index)

    new_entries: dict[str, list[dict[str, object]]] = {}
    work = partial(_lint_paths, rules=rules, settings=settings, with_source=options.with_source)
    outcomes = map_in_chunks(work, [paths[i] for i in pending], options.jobs)
    with _progress(len(pending), options.progress) as advance:
        for index, (key, problems) in zip(pending, outcomes):
            advance(1)
            results[index] = problems
            if cache is not None and key is not None and not any(
                    p.rule == INTERNAL_ERROR for p in problems):
                # Only for the cache: converting every problem costs the main process
                # time the workers could use (there are as many workers as cores).
                new_entries[key] = [problem_to_data(problem) for problem in problems]
    if cache is not None:
        cache.save(new_entries)
    return [problem for problems in results for problem in problems or ()]


def map_in_chunks(
    work: Callable[[Sequence[str]], list[T]], paths: Sequence[str], jobs: int
) -> Iterator[T]:
    """``work`` (a picklable function from a list of paths to one result per path) over
    ``paths``, in ``jobs`` worker processes when there are enough paths to be worth it;
    results one per path, in the order of ``paths``."""
    if jobs <= 1 or len(paths) < MIN_FILES_FOR_POOL:
        for path in paths:
            yield from work([path])
        return
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, min(MAX_CHUNK, len(paths) // (jobs * 4)))
    chunks = [paths[start : start + size] for start in range(0, len(paths), size)]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_interrupts) as pool:
        # A sliding window of submitted chunks (Executor.map would submit them all at
        # once), so memory does not grow with the number of files waiting.
        window: deque[Future[list[T]]] = deque()
        pending = iter(chunks)
        try:
            for chunk in itertools.islice(pending, jobs * 2):
                window.append(pool.submit(work, chunk))
            while window:
                results = window.popleft().result()
                following = next(pending, None)
                if following is not None:
                    window.append(pool.submit(work, following))
                yield from results
        except BaseException:
            # Running chunks finish their files; the rest never start.
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group; the main process alone handles it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _lint_paths(paths: Sequence[str], *, rules: Mapping[str, Rule], settings: Settings,
                with_source: bool) -> list[tuple[str | None, list[Problem]]]:
    return [lint_file(path, rules, settings, with_source) for path in paths]


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[int], object]]:
    """A progress bar on standard error (tqdm), only when asked for, and shown only once
    the run has taken a moment."""
    if not (enabled and total):
        yield lambda count: None
        return
    from tqdm import tqdm

    with tqdm(total=total, unit="file", file=sys.stderr, delay=0.5, leave=False,
              dynamic_ncols=True) as bar:
        yield bar.update
