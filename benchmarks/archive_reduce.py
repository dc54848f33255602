"""What the archive rules' reduce step costs in a pre-commit run: one new clipping in focus
in a 30,000-file archive, in process.

    python benchmarks/archive_reduce.py [--corpus ../shared/corpus/oped2] [--runs 7]

The archive is the one run.py's pre-commit goal builds: the corpus ten times over, each
copy under a folder of its own, and ``new/clipping.md`` (the corpus's first clipping with
a paragraph added), the one file in focus. The records are made once (untimed); then the
engine's reduce step (cliplint.archive.reduce_archive, its filter included) runs for each
archive rule alone and for both, and the fastest of ``--runs`` is printed in ms.

To compare two versions, run it from each checkout (or with PYTHONPATH pointing at the
other's sources) in turn, and compare the figures side by side: a shared machine's speed
drifts, so only ratios of runs made close together mean anything. A benchmark, not a
test: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from cliplint.archive import ArchiveFile, archive_rules, reduce_archive
from cliplint.document import Document
from cliplint.linter import archive_records, library_settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DEFAULT_CORPUS, corpus_files  # noqa: E402

NEW = "new/clipping.md"


def archive_files(corpus: Path, times: int) -> list[ArchiveFile]:
    rules, settings = library_settings(None, None)
    paths = corpus_files(corpus)
    new_text = Path(paths[0]).read_text(encoding="utf-8") + "<p>Edit 0.</p>\n"
    new = ArchiveFile(NEW, NEW, archive_records(Document.from_text(new_text, NEW), rules,
                                                settings, path=NEW)[0])
    records = []
    for path in paths:
        relative = Path(path).relative_to(corpus).as_posix()
        text = Path(path).read_text(encoding="utf-8", errors="surrogateescape")
        records.append((relative, archive_records(Document.from_text(text, relative), rules,
                                                  settings, path=relative)[0]))
    copies = [ArchiveFile(f"copy{n}/{relative}", f"copy{n}/{relative}", record)
              for n in range(times) for relative, record in records]
    return [new, *copies]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args(argv)
    files = archive_files(arguments.corpus, arguments.times)
    rules, settings = library_settings(None, None)
    chosen = archive_rules(rules, settings)
    focus = frozenset([NEW])
    print(f"{len(files)} files, {NEW} in focus")
    for label, measured in [*((rule.id, [rule]) for rule in chosen), ("both", chosen)]:
        times = []
        for _ in range(arguments.runs):
            started = time.perf_counter()
            found = reduce_archive(files, measured, settings, "/archive", focus)
            times.append(time.perf_counter() - started)
        print(f"{label:20} {min(times) * 1000:8.1f} ms  ({len(found)} problems)")


if __name__ == "__main__":
    main()
