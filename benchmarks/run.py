"""Benchmark cliplint against the HTML checkers a user might run instead.

    python benchmarks/run.py [--corpus ../shared/corpus/oped2] [--runs 5] [--memory]

Runs each command several times on the same files and prints one table of medians, with
ratios to cliplint. Tools that are not installed are listed as such and skipped:
``tidy`` (Debian package), ``htmlhint``, ``html-validate`` and ``vnu`` (the npm packages
htmlhint, html-validate and vnu-jar; point ``--node-modules`` at their folder; vnu needs
java). This is a benchmark, not a test: timings depend on the machine, so they are
compared side by side in one run and never asserted.

``--memory`` also lints a folder holding the corpus ten times over (hard links), to show
that peak memory stays flat as the number of files grows.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "oped2"
TIME = shutil.which("time") or "/usr/bin/time"


@dataclass(frozen=True)
class Measurement:
    name: str
    seconds: list[float]
    peak_rss_mb: float

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the measured commands. Bytecode writing is allowed even if this
    shell turns it off: an installed cliplint has its ``.pyc`` files (pip and pre-commit
    compile them), and timing a recompile of every module on each run would be unfair."""
    environment = {**os.environ, **(extra or {})}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


@dataclass(frozen=True)
class Benchmark:
    name: str
    command: list[str]
    runs: int
    env: dict[str, str] | None = None


def measure_all(benchmarks: Sequence[Benchmark]) -> list[Measurement]:
    """Run each command once to warm up (bytecode, disk cache), then its runs, taking
    turns with the other commands: a shared machine's speed drifts by a third within
    minutes, and the ratio of two commands timed minutes apart would measure the drift.
    Wall time and the peak RSS of each command's biggest process."""
    for benchmark in benchmarks:
        subprocess.run(benchmark.command, check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL,
                       env=child_environment(benchmark.env))
    seconds: dict[str, list[float]] = {benchmark.name: [] for benchmark in benchmarks}
    peaks: dict[str, list[float]] = {benchmark.name: [] for benchmark in benchmarks}
    for turn in range(max((benchmark.runs for benchmark in benchmarks), default=0)):
        for benchmark in benchmarks:
            if turn < benchmark.runs:
                wall, peak = _run_once(benchmark)
                seconds[benchmark.name].append(wall)
                peaks[benchmark.name].append(peak)
    return [Measurement(b.name, seconds[b.name], max(peaks[b.name])) for b in benchmarks]


def _run_once(benchmark: Benchmark, ok_statuses: Sequence[int] = (0, 1, 2)) -> tuple[float, float]:
    with tempfile.NamedTemporaryFile("r") as rusage:
        started = time.perf_counter()
        completed = subprocess.run([TIME, "-f", "%M", "-o", rusage.name, *benchmark.command],
                                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   env=child_environment(benchmark.env))
        wall = time.perf_counter() - started
        if completed.returncode not in ok_statuses:
            raise SystemExit(f"{benchmark.name} failed ({completed.returncode}): "
                             f"{completed.stderr.decode(errors='replace')[-2000:]}")
        lines = [line for line in Path(rusage.name).read_text().splitlines() if line.strip()]
        return wall, int(lines[-1]) / 1024


def corpus_files(corpus: Path) -> list[str]:
    return sorted(str(path) for path in corpus.rglob("*.md"))


def repeated_corpus(corpus: Path, times: int, into: Path) -> Path:
    """The corpus ``times`` over, as hard links (copies across file systems)."""
    for copy in range(times):
        for path in corpus.rglob("*.md"):
            target = into / f"copy{copy}" / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:
                shutil.copyfile(path, target)
    return into


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--node-modules", type=Path, default=None,
                        help="folder holding htmlhint, html-validate and vnu-jar")
    parser.add_argument("--memory", action="store_true",
                        help="also compare peak memory on 3,000 vs 30,000 files")
    options = parser.parse_args(argv)
    if not options.corpus.is_dir():
        raise SystemExit(f"corpus not found: {options.corpus}")
    files = corpus_files(options.corpus)
    cliplint = [sys.executable, "-m", "cliplint", "--isolated"]
    runs = options.runs
    missing: list[str] = []

    with tempfile.TemporaryDirectory() as scratch:
        cache = {"CLIPLINT_CACHE_DIR": str(Path(scratch) / "cache")}
        benchmarks = [
            Benchmark("cliplint cold (all rules, all cores)",
                      [*cliplint, "--no-cache", str(options.corpus)], runs),
            Benchmark("cliplint warm cache", [*cliplint, str(options.corpus)], runs, cache),
            Benchmark("cliplint one file (--no-cache)",
                      [*cliplint, "--no-cache", files[len(files) // 2]], runs),
            # The floor under the one-file time: Python starting and importing the
            # libraries cliplint cannot lint without (html5lib with the etree tree
            # builder that its parse() uses by default, pluggy and the entry points).
            Benchmark("python importing html5lib, pluggy (floor)",
                      [sys.executable, "-c",
                       "import html5lib.treebuilders.etree, pluggy, importlib.metadata"], runs),
            Benchmark("cliplint cold, --jobs 1",
                      [*cliplint, "--no-cache", "--jobs", "1", str(options.corpus)],
                      max(1, runs // 2)),
        ]
        for name, command in _external_tools(options.node_modules, files).items():
            if command is None:
                missing.append(name)
            else:
                benchmarks.append(Benchmark(name, command, runs))
        results = measure_all(benchmarks)

        if options.memory:
            big = repeated_corpus(options.corpus, 10, Path(scratch) / "x10")
            results += measure_all([Benchmark("cliplint cold, corpus x10 (30,000 files)",
                                              [*cliplint, "--no-cache", str(big)], 1)])

    _print_table(results, len(files))
    if missing:
        print(f"\nnot installed, skipped: {', '.join(missing)}")
    return 0


def _external_tools(node_modules: Path | None, files: list[str]) -> dict[str, list[str] | None]:
    def node_tool(name: str) -> str | None:
        if node_modules is not None and (node_modules / ".bin" / name).exists():
            return str(node_modules / ".bin" / name)
        return shutil.which(name)

    tidy = shutil.which("tidy")
    htmlhint = node_tool("htmlhint")
    html_validate = node_tool("html-validate")
    vnu_jar = None
    if node_modules is not None:
        candidate = node_modules / "vnu-jar" / "build" / "dist" / "vnu.jar"
        vnu_jar = candidate if candidate.exists() else None
    java = shutil.which("java")
    return {
        "tidy -q -e": [tidy, "-q", "-e", *files] if tidy else None,
        "htmlhint": [htmlhint, *files] if htmlhint else None,
        "html-validate": [html_validate, *files] if html_validate else None,
        "vnu (Nu validator)": ([java, "-jar", str(vnu_jar), "--errors-only", *files]
                               if vnu_jar and java else None),
    }


def _print_table(results: list[Measurement], file_count: int) -> None:
    cold = results[0].median
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {file_count} files")
    print(f"{'command':<44} {'median s':>9} {'min s':>7} {'max s':>7} {'peak MB':>8} "
          f"{'vs cliplint cold':>17}")
    for result in results:
        ratio = result.median / cold if cold else float("nan")
        print(f"{result.name:<44} {result.median:>9.3f} {min(result.seconds):>7.3f} "
              f"{max(result.seconds):>7.3f} {result.peak_rss_mb:>8.1f} {ratio:>16.2f}x")


if __name__ == "__main__":
    sys.exit(main())
