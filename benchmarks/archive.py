"""What archive rules cost: their map step in a cold run, and a pre-commit run on one new
file in a 30,000-file archive with a warm cache.

    python benchmarks/archive.py [--corpus ../shared/corpus/oped2] [--runs 5]

Prints, each measured in one run with the commands taking turns (see run.py):

- a cold ``--jobs 1`` run over the corpus with every rule, against the same run without
  the archive rules (``--ignore duplicate-clipping,path-portability``): the ratio is what
  making the records and reducing them adds (user + system CPU);
- one new clipping given, as pre-commit gives it, in a git work tree holding the corpus
  ten times over (30,000 files, hard links), after one run has filled the cache: against
  today's one-file run (the same file, archive rules off, no cache);
- bytes per record: the records' JSON in the cache, and the memory the reduce step's
  input takes in the process (tracemalloc).

A benchmark, not a test: the figures depend on the machine and are compared side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DEFAULT_CORPUS, child_environment, repeated_corpus  # noqa: E402

ARCHIVE_RULES = "duplicate-clipping,path-portability"


def cpu_and_wall(command: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """User + system CPU seconds of the command and its children, and wall seconds."""
    before = os.times()
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=child_environment(env), check=False,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = os.times()
    if completed.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({completed.returncode}): "
                         f"{completed.stderr.decode(errors='replace')[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system
                                                          - before.children_system)
    return cpu, wall


def interleaved(commands: dict[str, list[str]], runs: int, cwd: Path,
                env: dict[str, str]) -> dict[str, list[tuple[float, float]]]:
    """Each command once to warm up, then ``runs`` turns of all of them."""
    for command in commands.values():
        cpu_and_wall(command, cwd, env)
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            found[name].append(cpu_and_wall(command, cwd, env))
    return found


def report(title: str, found: dict[str, list[tuple[float, float]]], base: str) -> None:
    print(f"\n{title}")
    print(f"{'command':<58} {'cpu s':>7} {'wall s':>7} {'cpu ratio':>10} {'wall ratio':>10}")
    base_cpu = statistics.median(cpu for cpu, _ in found[base])
    base_wall = statistics.median(wall for _, wall in found[base])
    for name, values in found.items():
        cpu = statistics.median(value[0] for value in values)
        wall = statistics.median(value[1] for value in values)
        print(f"{name:<58} {cpu:>7.3f} {wall:>7.3f} {cpu / base_cpu:>9.2f}x "
              f"{wall / base_wall:>9.2f}x")


def record_sizes(corpus: Path) -> None:
    """Bytes per record, in the cache's JSON and in memory as the reduce step gets them."""
    from cliplint.archive import ArchiveFile
    from cliplint.config import resolve
    from cliplint.document import Document
    from cliplint.linter import archive_records
    from cliplint.plugins import load_registry

    rules = load_registry().rules
    settings = resolve({}, rules)
    paths = sorted(corpus.rglob("*.md"))
    tracemalloc.start()
    files = []
    for path in paths:
        document = Document.from_bytes(path.read_bytes(), str(path))
        records, _ = archive_records(document, rules, settings, path=str(path))
        files.append(ArchiveFile(str(path), str(path.relative_to(corpus)), records))
        del document  # only the records stay, as in a run
    in_memory, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    stored = sum(len(json.dumps(file.records, ensure_ascii=False).encode()) for file in files)
    print(f"\nrecords of {len(files)} files: {stored / len(files):.0f} bytes of JSON each in "
          f"the cache; {in_memory / len(files):.0f} bytes each in memory (the paths and the "
          "record, as the reduce step gets them)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args(argv)
    corpus = options.corpus.resolve()
    cliplint = [sys.executable, "-m", "cliplint", "--isolated"]
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        env = {"CLIPLINT_CACHE_DIR": str(scratch / "cache")}
        cold = interleaved({
            "cold --jobs 1, every rule": [*cliplint, "--no-cache", "--jobs", "1", str(corpus)],
            "cold --jobs 1, archive rules off": [*cliplint, "--no-cache", "--jobs", "1",
                                                 "--ignore", ARCHIVE_RULES, str(corpus)],
        }, max(1, options.runs // 2), scratch, env)
        report(f"map and reduce in a cold run ({corpus.name})", cold,
               "cold --jobs 1, archive rules off")

        archive = repeated_corpus(corpus, 10, scratch / "archive")
        (archive / ".git").mkdir()  # a git work tree's top, as pre-commit runs in
        new = archive / "new" / "clipping.md"
        new.parent.mkdir()
        shutil.copyfile(next(corpus.rglob("*.md")), new)
        with new.open("a", encoding="utf-8") as stream:
            stream.write("<p>A paragraph only this new clipping has.</p>\n")
        started = time.perf_counter()
        cpu_and_wall([*cliplint, "new/clipping.md"], archive, env)  # fills the cache
        print(f"\nfilling the cache for 30,000 files took {time.perf_counter() - started:.1f} s")
        outside = scratch / "outside"
        outside.mkdir()
        shutil.copyfile(new, outside / "clipping.md")
        one = interleaved({
            "one new file, 30,000-file archive, warm cache": [*cliplint, "new/clipping.md"],
            "one file, archive rules off, no cache (today's run)": [
                *cliplint, "--no-cache", "--ignore", ARCHIVE_RULES, str(outside / "clipping.md")],
        }, options.runs, archive, env)
        report("pre-commit shape", one, "one file, archive rules off, no cache (today's run)")
    record_sizes(corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
