"""What the archive report costs: ``--format html`` against ``--format text`` on the dev
corpora, and the report's size as the archive grows.

    python benchmarks/html_report.py [--corpus PATH ...] [--runs 3] [--times 10]

Prints, for each corpus (default: both shared dev corpora):

- a cold run (``--no-cache --jobs 1``, every rule, the report to a file) in each format,
  the commands taking turns (see run.py): the ratio of their CPU time (user + system) is
  what counting the results and writing the page and its stats file add to a run; the
  same with a warm cache, where linting is skipped and the report's share is biggest;
- the size of the page and of its stats file for the corpus and for the corpus ``--times``
  over (hard links: 30,000 files for oped2), which grows only with the capped lists.

A benchmark, not a test: the figures depend on the machine and are compared side by side.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from archive import cpu_and_wall, interleaved, report  # noqa: E402
from run import DEFAULT_CORPUS, repeated_corpus  # noqa: E402

DEV_CORPORA = (DEFAULT_CORPUS, DEFAULT_CORPUS.parent / "teahouse-dev")


def formats(cliplint: list[str], corpus: Path, scratch: Path,
            cache: bool) -> dict[str, list[str]]:
    run = [*cliplint, "--exit-zero", *([] if cache else ["--no-cache"]), "--jobs", "1"]
    return {
        f"--format text{'' if cache else ' --no-cache'}": [
            *run, "--format", "text", "--output-file", str(scratch / "report.txt"), str(corpus)],
        f"--format html{'' if cache else ' --no-cache'}": [
            *run, "--format", "html", "--output-file", str(scratch / "report.html"), str(corpus)],
    }


def sizes(cliplint: list[str], corpus: Path, scratch: Path, env: dict[str, str],
          times: int) -> None:
    """The page and its stats at 1 and ``times`` copies of the corpus (the copies come
    from the cache: same content)."""
    print(f"\nreport size ({corpus.name})")
    print(f"{'files':>8} {'page bytes':>12} {'stats bytes':>12}")
    archive = repeated_corpus(corpus, times, scratch / f"{corpus.name}-x{times}")
    for folder in (corpus, archive):
        page = scratch / f"size-{folder.name}.html"
        cpu_and_wall([*cliplint, "--exit-zero", "--format", "html", "--output-file", str(page),
                      str(folder)], scratch, env)
        stats = page.with_name(page.stem + ".stats.json")
        files = sum(1 for _ in folder.rglob("*.md"))
        print(f"{files:>8,} {page.stat().st_size:>12,} {stats.stat().st_size:>12,}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--times", type=int, default=10)
    options = parser.parse_args(argv)
    cliplint = [sys.executable, "-m", "cliplint", "--isolated"]
    for corpus in [path.resolve() for path in options.corpus or DEV_CORPORA]:
        with tempfile.TemporaryDirectory() as scratch_name:
            scratch = Path(scratch_name)
            env = {"CLIPLINT_CACHE_DIR": str(scratch / "cache")}
            cold = interleaved(formats(cliplint, corpus, scratch, cache=False), options.runs,
                               scratch, env)
            report(f"cold run, {corpus.name}", cold, "--format text --no-cache")
            warm = interleaved(formats(cliplint, corpus, scratch, cache=True), options.runs,
                               scratch, env)
            report(f"warm cache, {corpus.name}", warm, "--format text")
            sizes(cliplint, corpus, scratch, env, options.times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
