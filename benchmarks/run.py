"""cliplint's performance goals, each measured as a ratio to its baseline in one run.

    python benchmarks/run.py [--corpus ../shared/corpus/oped2] [--runs 5] [--only GOAL,...]

Each goal pairs a cliplint command with a baseline command on the same files: what
cliplint cannot avoid (a plain script parsing every body with html5lib; Python importing
html5lib and pluggy), what a user would run instead (``tidy -q -e``), or cliplint's own
run without the cache. The two commands run in turn, A B A B ..., after one run of each
to warm up, and the ratio is taken pair by pair: a shared machine's speed drifts by a
third within minutes, so only side-by-side ratios mean anything. The figure is CPU time
(user + system, the process and the workers it waited for), the median of the pairs'
ratios; memory is the peak resident size of the largest process. Prints one table:
goal, the medians, the ratio, the limit and whether it is met.

The ``*-served`` goals run the same commands through a resident server (``cliplint
server start``, started before the goal's runs and stopped after, its start not counted):
the CPU of a run is the command's plus what the server used meanwhile, the forked copy
that ran it included (``cliplint server status --json``, ``cpu_seconds``). Every other
goal runs without a server (``CLIPLINT_NO_SERVER=1``), even if one is up.

The 30,000-file archive is the corpus ten times over: as hard links, every copy the
same clippings (``memory``, ``pre-commit`` and its variants), or, for the ``*-distinct``
goals, 30,000 distinct clippings (benchmarks/distinct_archive.py: each copy of a
clipping with its own title, URL, first sentence, name and month folder, as a real
archive's articles differ). The 100,000-file one holds tiny distinct clippings. All are
made in a temporary folder, never in the repository. ``tidy`` is Debian's package;
without it that goal is skipped and says so.
A benchmark, not a test: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from distinct_archive import distinct_archive

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "oped2"


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the measured commands. Bytecode writing is allowed even if this
    shell turns it off: an installed cliplint has its ``.pyc`` files (pip and pre-commit
    compile them), and timing a recompile of every module on each run would be unfair.
    No run goes through a resident server (``cliplint server``) but a served goal's."""
    environment = {**os.environ, "CLIPLINT_NO_SERVER": "1", **(extra or {})}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def corpus_files(corpus: Path) -> list[str]:
    return sorted(str(path) for path in corpus.rglob("*.md"))


def repeated_corpus(corpus: Path, times: int, into: Path) -> Path:
    """The corpus ``times`` over, as hard links (copies across file systems): the same
    clippings in every copy (benchmarks/distinct_archive.py makes distinct ones)."""
    for copy in range(times):
        for path in corpus.rglob("*.md"):
            target = into / f"copy{copy}" / path.relative_to(corpus)
            if target.exists():  # made already, for another goal
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:
                shutil.copyfile(path, target)
    return into


def tiny_archive(count: int, into: Path) -> Path:
    """``count`` tiny distinct clippings (a timestamp, a title link, one paragraph), in
    folders of 1,000, dated well in the past so that their status can be trusted."""
    old = time.time() - 86_400
    for index in range(count):
        folder = into / f"feed{index // 1000:03d}"
        if index % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"item{index:06d}.md"
        path.write_text(f"<!--{1_600_000_000_000 + index * 60_000}-->\n"
                        f"[Item {index} of the tiny archive](https://example.com/news/{index})\n"
                        f"------\n\n<p>Paragraph number {index}, <b>bold</b>.</p>\n",
                        encoding="utf-8")
        os.utime(path, (old, old))
    return into


@dataclass(frozen=True)
class Side:
    """One command of a goal; ``prepare`` runs before each of its runs, untimed."""

    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    prepare: Callable[[], object] | None = None
    #: Exit statuses of a run that went through (tidy says 2 when it found errors).
    ok: tuple[int, ...] = (0, 1)
    #: Served: the command goes through a resident server (``cliplint server``) whose
    #: sockets are in this folder; its CPU for the run is counted with the command's.
    server_dir: Path | None = None


@dataclass(frozen=True)
class Usage:
    cpu: float
    wall: float
    peak_mb: float


@dataclass(frozen=True)
class Goal:
    name: str
    measured: Side
    baseline: Side
    limit: float
    runs: int
    figure: str = "cpu"  # or "peak": the ratio of peak memory


def run_once(side: Side) -> Usage:
    """CPU and wall seconds and peak memory of one run, from the kernel's accounting of
    the finished process (its waited-for children, the workers, included)."""
    if side.prepare is not None:
        side.prepare()
    server_before = _server_cpu(side)
    started = time.perf_counter()
    process = subprocess.Popen(side.command, cwd=side.cwd, env=child_environment(side.env),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    error = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in side.ok:
        raise SystemExit(f"{side.name} failed ({process.returncode}): "
                         f"{error.decode(errors='replace')[-2000:]}")
    served = _server_cpu(side) - server_before
    return Usage(usage.ru_utime + usage.ru_stime + served, wall, usage.ru_maxrss / 1024)


def _server_cpu(side: Side) -> float:
    """The CPU seconds a served side's server has used so far, its finished runs'
    included (0 for a side that is not served)."""
    if side.server_dir is None:
        return 0.0
    from cliplint.served import socket_path
    from cliplint.server import ask

    answer = ask("status", _served_socket(side.server_dir, socket_path))
    if answer is None or not isinstance(answer.get("cpu_seconds"), float):
        raise SystemExit(f"{side.name}: the server does not answer ({answer})")
    return float(answer["cpu_seconds"])


def _served_socket(folder: Path, socket_path: Callable[[], str]) -> str:
    """This install's socket in ``folder`` (as a command run with CLIPLINT_SERVER_DIR
    set to it finds it)."""
    return str(folder / os.path.basename(socket_path()))


@dataclass(frozen=True)
class Result:
    goal: Goal
    measured: list[Usage]
    baseline: list[Usage]

    def ratio(self) -> float:
        if self.goal.figure == "peak":
            return max(u.peak_mb for u in self.measured) / max(u.peak_mb for u in self.baseline)
        return statistics.median(a.cpu / b.cpu for a, b in zip(self.measured, self.baseline))

    def figures(self) -> tuple[float, float]:
        if self.goal.figure == "peak":
            return (max(u.peak_mb for u in self.measured), max(u.peak_mb for u in self.baseline))
        return (statistics.median(u.cpu for u in self.measured),
                statistics.median(u.cpu for u in self.baseline))


def measure(goal: Goal, warmup: int = 1) -> Result:
    """Both sides in turn, after ``warmup`` runs of each; a served side's server is
    started first (its start not counted) and stopped at the end."""
    folder = goal.measured.server_dir
    if folder is None:
        return _measure(goal, warmup)
    from cliplint.served import socket_path
    from cliplint.server import private_folder, start, stop

    private_folder(str(folder))
    path = _served_socket(folder, socket_path)
    start(path)
    try:
        return _measure(goal, warmup)
    finally:
        stop(path)


def _measure(goal: Goal, warmup: int) -> Result:
    for _ in range(warmup):
        run_once(goal.measured)
        run_once(goal.baseline)
    measured, baseline = [], []
    for _ in range(goal.runs):
        measured.append(run_once(goal.measured))
        baseline.append(run_once(goal.baseline))
    return Result(goal, measured, baseline)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=5, help="pairs per goal (large ones: fewer)")
    parser.add_argument("--only", default="",
                        help="comma-separated goal keys: " + ", ".join(GOAL_KEYS))
    options = parser.parse_args(argv)
    corpus = options.corpus.resolve()
    if not corpus.is_dir():
        raise SystemExit(f"corpus not found: {corpus}")
    if not os.access(CLIPLINT_COMMAND, os.X_OK):
        raise SystemExit(f"no cliplint command beside this Python ({CLIPLINT_COMMAND}): "
                         "run this with the Python of an install of cliplint")
    wanted = [key for key in options.only.split(",") if key] or list(GOAL_KEYS)
    unknown = set(wanted) - set(GOAL_KEYS)
    if unknown:
        raise SystemExit(f"unknown goals: {', '.join(sorted(unknown))}")
    _wait_until_settled()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; command: python benchmarks/run.py "
          + " ".join(argv if argv is not None else sys.argv[1:]), flush=True)
    with tempfile.TemporaryDirectory(prefix="cliplint-bench-") as scratch:
        results: list[Result] = []
        skipped: list[tuple[str, str]] = []
        for key in wanted:
            goal_or_reason = GOAL_KEYS[key](corpus, Path(scratch), options.runs)
            if isinstance(goal_or_reason, str):
                skipped.append((key, goal_or_reason))
                continue
            result = measure(goal_or_reason, warmup=0 if "100,000" in goal_or_reason.name else 1)
            print(_row(result), flush=True)
            results.append(result)
    print()
    _print_table(results, skipped)
    return 0


def _wait_until_settled() -> None:
    """Wait until the install's files are older than the snapshot of the plugins asks
    (cliplint/registry_snapshot.py, ``SETTLED_NS``): until then no snapshot is written,
    and every run, the measured ones included, loads the plugins in full (a one-file hit
    just after ``pip install .`` read 1.53x instead of 0.77x)."""
    from cliplint import registry_snapshot

    package = Path(registry_snapshot.__file__).parent
    newest = max(path.stat().st_mtime_ns
                 for path in (package, package.parent, *package.iterdir(), Path(CLIPLINT_COMMAND)))
    wait = (newest + registry_snapshot.SETTLED_NS - time.time_ns()) / 1e9
    if wait > 0:
        time.sleep(wait + 0.5)


# Goals --------------------------------------------------------------------------------

#: The ``cliplint`` command of this Python's install, as users and pre-commit run it. Not
#: ``python -m cliplint``: that puts the working folder first on ``sys.path``, which the
#: snapshot of the plugins depends on (cliplint/registry_snapshot.py), so two sides run
#: from two folders made each other's snapshot stale and both loaded every plugin anew.
CLIPLINT_COMMAND = str(Path(sys.executable).with_name("cliplint"))
CLIPLINT_OPTIONS = ["--isolated", "--exit-zero"]
CLIPLINT = [CLIPLINT_COMMAND, *CLIPLINT_OPTIONS]
_IMPORTS = Side("python -c 'import html5lib, pluggy'",
                [sys.executable, "-c", "import html5lib, pluggy"])


def _fresh(folder: Path) -> Callable[[], None]:
    def remove() -> None:
        shutil.rmtree(folder, ignore_errors=True)
    return remove


def _cache(scratch: Path, name: str) -> dict[str, str]:
    return {"CLIPLINT_CACHE_DIR": str(scratch / name)}


def cold(corpus: Path, scratch: Path, runs: int) -> Goal:
    return Goal(
        "cold, 3,000 files, all rules, --jobs 1 / plain html5lib parse script",
        Side("cliplint --no-cache --jobs 1", [*CLIPLINT, "--no-cache", "--jobs", "1", str(corpus)]),
        Side("benchmarks/plain_parse.py", [sys.executable, str(HERE / "plain_parse.py"),
                                           str(corpus)]),
        1.3, max(1, runs // 2))


def _first_run(name: str, folder: Path, scratch: Path, runs: int) -> Goal:
    cache = scratch / f"first-run-{folder.name}"
    return Goal(
        f"first run with an empty cache, {name} / --no-cache",
        Side("cliplint, empty cache", [*CLIPLINT, str(folder)],
             _cache(scratch, cache.name), prepare=_fresh(cache)),
        Side("cliplint --no-cache", [*CLIPLINT, "--no-cache", str(folder)]),
        1.1, runs)


def first_run(corpus: Path, scratch: Path, runs: int) -> Goal:
    return _first_run("3,000 files", corpus, scratch, runs)


def first_run_100k(corpus: Path, scratch: Path, runs: int) -> Goal:
    folder = tiny_archive(100_000, scratch / "tiny")
    return _first_run("100,000 tiny files", folder, scratch, max(1, runs // 3))


def warm(corpus: Path, scratch: Path, runs: int) -> Goal | str:
    tidy = shutil.which("tidy")
    if tidy is None:
        return "tidy is not installed (Debian: apt-get install tidy)"
    return Goal(
        "warm, 3,000 unchanged files / tidy -q -e",
        Side("cliplint, warm cache", [*CLIPLINT, str(corpus)], _cache(scratch, "warm")),
        Side("tidy -q -e", [tidy, "-q", "-e", *corpus_files(corpus)], ok=(0, 1, 2)),
        0.3, runs)


def _one_file(scratch: Path) -> Path:
    folder = scratch / "one"
    folder.mkdir(exist_ok=True)
    return folder / "clipping.md"


def one_hit(corpus: Path, scratch: Path, runs: int) -> Goal:
    path = _one_file(scratch)
    shutil.copyfile(corpus_files(corpus)[len(corpus_files(corpus)) // 2], path)
    return Goal(
        "one file, cache hit / import html5lib, pluggy",
        Side("cliplint one file, hit", [*CLIPLINT, str(path)], _cache(scratch, "one-hit")),
        _IMPORTS, 0.8, runs * 2)


def _changing(path: Path, original: bytes) -> Callable[[], None]:
    """Before each run, the file holds new content (a miss), written long enough ago. New
    to every cache: the edits are random, not counted, since several goals edit the same
    file into the same cache (a count starting again at 0 made later goals' misses hits)."""

    def change() -> None:
        path.write_bytes(original + f"<p>Edit {os.urandom(8).hex()}.</p>\n".encode())
        old = time.time() - 60
        os.utime(path, (old, old))
    return change


def _miss_side(corpus: Path, scratch: Path) -> Side:
    path = _one_file(scratch)
    original = Path(corpus_files(corpus)[len(corpus_files(corpus)) // 2]).read_bytes()
    return Side("cliplint one file, miss", [*CLIPLINT, str(path)],
                _cache(scratch, "one-miss"), prepare=_changing(path, original))


def one_miss(corpus: Path, scratch: Path, runs: int) -> Goal:
    return Goal("one file, cache miss / import html5lib, pluggy", _miss_side(corpus, scratch),
                _IMPORTS, 1.2, runs * 2)


def pre_commit(corpus: Path, scratch: Path, runs: int) -> Goal:
    return _pre_commit(corpus, scratch, runs, repeated_corpus(corpus, 10, scratch / "archive"),
                       "archive-cache", "")


def pre_commit_distinct(corpus: Path, scratch: Path, runs: int) -> Goal:
    """The pre-commit shape in an archive of 30,000 distinct clippings (as a real archive
    holds), not ten hard-linked copies of 3,000: the cache's index holds ten times the
    records, a run given one file decodes them all, and duplicate-clipping compares the
    new file with 30,000 different titles and URLs."""
    archive = distinct_archive(corpus, 10, scratch / "distinct")
    return _pre_commit(corpus, scratch, runs, archive, "distinct-cache", ", distinct files")


def _pre_commit(corpus: Path, scratch: Path, runs: int, archive: Path, cache: str,
                kind: str) -> Goal:
    (archive / ".git").mkdir(exist_ok=True)  # a git work tree's top, as pre-commit runs in
    new = archive / "new" / "clipping.md"
    new.parent.mkdir(exist_ok=True)
    original = Path(corpus_files(corpus)[0]).read_bytes()
    env = _cache(scratch, cache)
    prepare = _changing(new, original)
    prepare()
    # The archive's cache, filled once (untimed).
    run_once(Side("fill", [*CLIPLINT, "new/clipping.md"], env, archive))
    return Goal(
        f"pre-commit: one new file in a 30,000-file archive{kind}, warm cache / one-file miss",
        Side("cliplint new/clipping.md", [*CLIPLINT, "new/clipping.md"], env, archive, prepare),
        _miss_side(corpus, scratch), 1.5, runs * 2)


def pre_commit_floor(corpus: Path, scratch: Path, runs: int) -> Goal:
    """Not a goal of cliplint's but a bound on the pre-commit goal: the one-file miss run
    after listing the 30,000-file archive's folders and stat-ing its files, which any
    run that trusts no file unseen must do (benchmarks/_walk_then.py). A ratio above the
    pre-commit goal's limit says no run without a resident watcher can meet it."""
    archive = repeated_corpus(corpus, 10, scratch / "archive")
    miss = _miss_side(corpus, scratch)
    walk_then = [sys.executable, str(HERE / "_walk_then.py"), str(archive), CLIPLINT_COMMAND,
                 *CLIPLINT_OPTIONS]
    return Goal(
        "pre-commit floor: walk and stat 30,000 files, then the one-file miss / one-file miss",
        replace(miss, name="walk, stat, one-file miss",
                command=[*walk_then, *miss.command[len(CLIPLINT):]],
                env=_cache(scratch, "floor-miss")),
        miss, 1.5, runs * 2)


def _served(side: Side, scratch: Path) -> Side:
    """``side`` through a resident server (``cliplint server start``; started and
    stopped by :func:`measure`)."""
    folder = scratch / "servers"
    return Side(f"{side.name}, served", side.command,
                {**side.env, "CLIPLINT_NO_SERVER": "0", "CLIPLINT_SERVER_DIR": str(folder)},
                side.cwd, side.prepare, side.ok, folder)


def one_hit_served(corpus: Path, scratch: Path, runs: int) -> Goal:
    goal = one_hit(corpus, scratch, runs)
    return replace(goal, name=goal.name.replace("hit", "hit, served", 1),
                   measured=_served(goal.measured, scratch))


def one_miss_served(corpus: Path, scratch: Path, runs: int) -> Goal:
    goal = one_miss(corpus, scratch, runs)
    return replace(goal, name=goal.name.replace("miss", "miss, served", 1),
                   measured=_served(goal.measured, scratch))


def pre_commit_served(corpus: Path, scratch: Path, runs: int) -> Goal:
    """The pre-commit shape, both sides served: the one new file against the served
    one-file miss."""
    goal = pre_commit(corpus, scratch, runs)
    return replace(goal, name=goal.name.replace("warm cache", "warm cache, served", 1),
                   measured=_served(goal.measured, scratch),
                   baseline=_served(goal.baseline, scratch))


def memory(corpus: Path, scratch: Path, runs: int) -> Goal:
    return _memory(corpus, repeated_corpus(corpus, 10, scratch / "x10"), "files")


def memory_distinct(corpus: Path, scratch: Path, runs: int) -> Goal:
    """``memory`` over 30,000 distinct clippings: every title and URL held and joined,
    where ten hard-linked copies hold the corpus's 3,000 (the archive made apart from
    ``pre-commit-distinct``'s, which gets a new file and a ``.git`` folder)."""
    return _memory(corpus, distinct_archive(corpus, 10, scratch / "distinct-x10"),
                   "distinct clippings")


def _memory(corpus: Path, big: Path, kind: str) -> Goal:
    """Peak memory of a cold run over ``big`` (30,000 ``kind``) against one over the
    corpus."""
    return Goal(
        f"peak memory, cold, 30,000 {kind} / 3,000 files",
        Side(f"cliplint --no-cache, 30,000 {kind}", [*CLIPLINT, "--no-cache", str(big)]),
        Side("cliplint --no-cache, 3,000 files", [*CLIPLINT, "--no-cache", str(corpus)]),
        1.1, 1, figure="peak")


GOAL_KEYS: dict[str, Callable[[Path, Path, int], Goal | str]] = {
    "cold": cold, "first-run": first_run, "first-run-100k": first_run_100k, "warm": warm,
    "one-hit": one_hit, "one-miss": one_miss, "pre-commit": pre_commit, "memory": memory,
    "one-hit-served": one_hit_served, "one-miss-served": one_miss_served,
    "pre-commit-served": pre_commit_served,
    "pre-commit-floor": pre_commit_floor,
    "pre-commit-distinct": pre_commit_distinct,
    "memory-distinct": memory_distinct,
}


def _row(result: Result) -> str:
    goal = result.goal
    measured, baseline = result.figures()
    unit = "MB" if goal.figure == "peak" else "s"
    met = "yes" if result.ratio() <= goal.limit else "NO"
    return (f"{goal.name:<82} {measured:>8.3f}{unit:<2} {baseline:>8.3f}{unit:<2} "
            f"{result.ratio():>6.2f}x {goal.limit:>5.2f}x {met:>4}  ({goal.runs} pairs)")


def _print_table(results: list[Result], skipped: list[tuple[str, str]]) -> None:
    print(f"{'goal (measured / baseline)':<82} {'measured':>10} {'baseline':>10} "
          f"{'ratio':>7} {'limit':>6} {'met':>4}")
    for result in results:
        print(_row(result))
    for key, reason in skipped:
        print(f"{key:<82} skipped: {reason}")
    print("CPU figures: medians of user + system seconds; ratio: median of the pairs' ratios.")


if __name__ == "__main__":
    sys.exit(main())
