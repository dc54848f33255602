"""Crash consistency of ``cliplint --fix``: ``kill -9`` at random moments, then check.

    python scripts/crash_fix.py [CORPUS] [--trials N] [--files N] [--unsafe-fixes] [--seed S]

1. Copies the first ``--files`` clippings of CORPUS (default: ../shared/corpus/oped2) to a
   temporary folder (the corpus is only read), and fixes one copy to completion: the
   fixed bytes of every file, and how long a run takes.
2. Each trial lays a fresh copy, starts ``cliplint --fix`` on it in its own process group
   (the main process and its workers), and sends SIGKILL to the whole group after a
   random delay between 0 and 1.2 times the run's length (a kill after the run ended
   counts as a trial, not a kill).
3. Right after the kill, every file must hold either its original bytes or its fixed
   bytes, nothing else (a half-written file, a lost one, an extra one); temporary files
   (``*.cliplint-tmp``) may be there, and are counted.
4. The next ``cliplint --fix`` then runs to completion: it must remove those temporary
   files (they belong to processes that no longer run), and leave every file fixed.

Prints trials, kills, files checked, temporary files left by the kills and by the next
runs, and failures; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "oped2"
TEMPORARY = ".cliplint-tmp"


def fix_command(folder: Path, unsafe: bool) -> list[str]:
    return [sys.executable, "-m", "cliplint", "--isolated", "--no-cache", "--fix", "--exit-zero",
            *(["--unsafe-fixes"] if unsafe else []), str(folder)]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (temporary files apart), by relative path."""
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in folder.rglob("*") if path.is_file() and not path.name.endswith(TEMPORARY)}


def temporaries(folder: Path) -> list[Path]:
    return [path for path in folder.rglob(f"*{TEMPORARY}")]


def copy_clippings(corpus: Path, target: Path, count: int) -> None:
    for path in sorted(corpus.rglob("*.md"))[:count]:
        destination = target / path.relative_to(corpus)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--files", type=int, default=600)
    parser.add_argument("--unsafe-fixes", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args(argv)
    rng = random.Random(options.seed)
    if not any(options.corpus.rglob("*.md")):
        parser.error(f"no clippings (*.md) under {options.corpus}")

    with tempfile.TemporaryDirectory(prefix="cliplint-crash-") as scratch:
        base = Path(scratch)
        original_folder = base / "original"
        copy_clippings(options.corpus, original_folder, options.files)
        original = snapshot(original_folder)
        reference = base / "reference"
        shutil.copytree(original_folder, reference)
        started = time.monotonic()
        subprocess.run(fix_command(reference, options.unsafe_fixes), check=True,
                       capture_output=True)
        run_time = time.monotonic() - started
        fixed = snapshot(reference)
        changing = sum(fixed[name] != original[name] for name in original)
        print(f"{len(original)} files, {changing} changed by --fix; a run takes {run_time:.1f} s")

        kills = checked = left_by_kills = left_after = 0
        failures: list[str] = []
        for trial in range(1, options.trials + 1):
            work = base / f"trial-{trial}"
            shutil.copytree(original_folder, work)
            process = subprocess.Popen(fix_command(work, options.unsafe_fixes),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
            delay = rng.uniform(0, 1.2 * run_time)
            try:
                process.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the main process and its workers
                kills += 1
            process.wait()
            _wait_for_group(process.pid)

            after_kill = snapshot(work)
            strays = temporaries(work)
            left_by_kills += len(strays)
            for name in sorted(set(original) | set(after_kill)):
                checked += 1
                if after_kill.get(name) not in (original.get(name), fixed.get(name)) or (
                        name not in after_kill):
                    failures.append(f"trial {trial}: {name} is neither its original nor its "
                                    "fixed bytes after the kill")
            subprocess.run(fix_command(work, options.unsafe_fixes), check=True,
                           capture_output=True)
            remaining = temporaries(work)
            left_after += len(remaining)
            failures += [f"trial {trial}: {path} left after the next run" for path in remaining]
            if snapshot(work) != fixed:
                failures.append(f"trial {trial}: the next run did not end with every file fixed")
            print(f"trial {trial}: killed after {delay:.2f} s"
                  f"{'' if process.returncode == -signal.SIGKILL else ' (had finished)'}, "
                  f"{len(strays)} temporary files left, "
                  f"{sum(after_kill[n] == fixed[n] != original[n] for n in original)} of "
                  f"{changing} files already fixed", flush=True)
            shutil.rmtree(work)

    print(f"trials {options.trials}, kills {kills}, files checked {checked}, temporary "
          f"files left by the kills {left_by_kills}, left after the next run {left_after}, "
          f"failures {len(failures)}")
    for failure in failures[:50]:
        print("  " + failure)
    return 1 if failures else 0


def _wait_for_group(group: int) -> None:
    """Until no process of the group is left (a killed worker may take a moment)."""
    for _ in range(200):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
