"""Check ``cliplint --fix`` over a copy of a corpus, independently of the fixer.

    python scripts/check_fix_corpus.py [CORPUS] [--unsafe-fixes] [--jobs N] [--keep]

1. Copies CORPUS (default: ../shared/corpus/oped2) to a temporary folder; the original
   is only read.
2. Lints the copy (``--format json``) and keeps, per file, the edits of every fix that
   ``--fix`` may apply, in original offsets, as the rules declared them.
3. Runs ``cliplint --fix`` on the copy and times it.
4. For every file: the fixed bytes must equal the original with exactly those declared
   edits applied; a file that changed otherwise (or needed a second pass) is a failure.
   Deletions (removed blocks) and other edits (an unwrapped image URL, a header repair)
   are counted apart: with safe fixes on a feedx archive, all should be deletions.
5. Lints the copy again: no problem may be left with a fix ``--fix`` would apply.

Prints files changed, bytes removed per rule and the run time; exits 1 on any failure.
Uses only the command line and the JSON report, not cliplint's fixer code.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "oped2"


def cliplint(*arguments: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "cliplint", "--isolated", "--no-cache",
                           *arguments], capture_output=True, check=False)


def report(*arguments: str) -> dict:
    completed = cliplint("--format", "json", *arguments)
    if completed.returncode not in (0, 1):
        sys.exit(f"cliplint failed ({completed.returncode}): {completed.stderr.decode()}")
    return json.loads(completed.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--unsafe-fixes", action="store_true")
    parser.add_argument("--jobs", default=None, help="passed to cliplint --jobs")
    parser.add_argument("--keep", action="store_true", help="keep the fixed copy")
    options = parser.parse_args()
    flags = ["--unsafe-fixes"] if options.unsafe_fixes else []
    jobs = ["--jobs", options.jobs] if options.jobs else []

    work = Path(tempfile.mkdtemp(prefix="cliplint-fix-corpus-"))
    copy = work / "corpus"
    shutil.copytree(options.corpus, copy)
    try:
        return check(copy, flags, jobs)
    finally:
        if options.keep:
            print(f"fixed copy kept in {copy}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def applies(fix: dict | None, flags: list[str]) -> bool:
    return fix is not None and (fix["applicability"] == "safe" or "--unsafe-fixes" in flags)


def check(copy: Path, flags: list[str], jobs: list[str]) -> int:
    os.chdir(copy)
    originals = {str(path): path.read_bytes() for path in Path(".").rglob("*.md")}
    before = report(*jobs, ".")
    declared: dict[str, list[tuple[str, list[dict]]]] = {}
    for problem in before["problems"]:
        if applies(problem["fix"], flags):
            path = os.path.normpath(problem["path"])
            declared.setdefault(path, []).append((problem["rule"], problem["fix"]["edits"]))

    started = time.perf_counter()
    fixed_run = cliplint("--fix", "--format", "json", *flags, *jobs, ".")
    elapsed = time.perf_counter() - started
    fixed_report = json.loads(fixed_run.stdout)

    failures: list[str] = []
    removed_bytes: Counter[str] = Counter()
    removed_blocks: Counter[str] = Counter()
    rewritten: Counter[str] = Counter()
    changed = 0
    for path, original in originals.items():
        now = Path(path).read_bytes()
        if now == original:
            continue
        changed += 1
        expected, why = apply_declared(original, declared.get(os.path.normpath(path), []))
        if why:
            failures.append(f"{path}: {why}")
        elif now != expected:
            failures.append(f"{path}: differs from the original outside the declared removed "
                            "blocks (a fix needed a second pass, or wrote other bytes)")
        else:
            every_edit = [edit for _, edits in declared[os.path.normpath(path)] for edit in edits]
            for rule, edits in declared[os.path.normpath(path)]:
                for edit in edits:
                    if subsumed(edit, every_edit):
                        continue
                    if edit["content"]:
                        rewritten[rule] += 1  # an unwrapped URL, a fixed header: not a removal
                        continue
                    removed_text = text_of(original)[edit["start"]:edit["end"]]
                    removed_bytes[rule] += len(removed_text.encode("utf-8"))
                    removed_blocks[rule] += 1

    after = report(*jobs, ".")
    left = [p for p in after["problems"] if applies(p["fix"], flags)]
    refused = [p for p in fixed_report["problems"] if p["rule"] == "fix-refused"]
    failures += [f"{p['path']}: still fixable after --fix: {p['rule']} {p['message']}"
                 for p in left]

    fixed_counts = Counter()
    for entry in fixed_report.get("fixed", []):
        fixed_counts[entry["rule"]] += entry["count"]
    print(f"files: {len(originals)}, changed by --fix {' '.join(flags)}: {changed} "
          f"(exit status {fixed_run.returncode})")
    print(f"--fix run time: {elapsed:.2f} s ({' '.join(jobs) or 'default --jobs'})")
    for rule in sorted(set(removed_bytes) | set(fixed_counts) | set(rewritten)):
        print(f"  {rule}: {fixed_counts[rule]} fixes, {removed_blocks[rule]} deletions "
              f"({removed_bytes[rule]:,} bytes removed), {rewritten[rule]} other edits")
    print(f"fix-refused: {len(refused)}")
    for problem in refused[:20]:
        print(f"  {problem['path']}: {problem['message']}")
    print(f"problems before: {len(before['problems'])}, after: {len(after['problems'])}, "
          f"still fixable: {len(left)}")
    for line in failures[:50]:
        print(f"FAIL {line}")
    others = sum(rewritten.values())
    where = "removed blocks" if not others else f"edits ({others} of them not deletions)"
    print(f"OK: every changed file differs from its original only inside the declared {where}"
          if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


def subsumed(edit: dict, edits: list[dict]) -> bool:
    """Whether an edit lies inside another declared edit that deletes: it goes with the
    deleted block (relative-url's prefix in the src of an <iframe> active-content deletes)."""
    return any(other is not edit and not other["content"] and other["end"] > other["start"]
               and other["start"] <= edit["start"] and edit["end"] <= other["end"]
               for other in edits)


def text_of(data: bytes) -> str:
    text = data.decode("utf-8")
    return text.removeprefix("\ufeff")


def apply_declared(original: bytes, fixes: list[tuple[str, list[dict]]]) -> tuple[bytes, str]:
    """The original with the declared deletions applied; or why that is not possible."""
    text = text_of(original)
    bom = original.startswith(b"\xef\xbb\xbf")
    edits = sorted((edit for _, rule_edits in fixes for edit in rule_edits),
                   key=lambda edit: edit["start"])
    if not edits:
        return original, "changed although no fix was declared for it"
    edits = [edit for edit in edits if not subsumed(edit, edits)]
    for first, second in pairwise(edits):
        if first["end"] > second["start"]:
            return original, "declared deletions overlap"
    pieces, cursor = [], 0
    for edit in edits:
        pieces.append(text[cursor:edit["start"]])
        pieces.append(edit["content"])
        cursor = edit["end"]
    pieces.append(text[cursor:])
    return (b"\xef\xbb\xbf" if bom else b"") + "".join(pieces).encode("utf-8"), ""


if __name__ == "__main__":
    sys.exit(main())
