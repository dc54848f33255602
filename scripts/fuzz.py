"""Fuzz cliplint with mutated real clippings.

    python scripts/fuzz.py [--cases N] [--seed S] [--jobs J] [--cli-every K] [--save DIR]
                           [--max-size BYTES] [--time-limit SECONDS] [SEED_FOLDER ...]

Each case takes a real clipping (SEED_FOLDERs, default: examples/ and the shared corpora
when present) and applies one to four mutators: byte flips, splices of two clippings,
truncation, tag soup, huge attributes, deep nesting, NUL/CR/U+FFFD, zero-width and
private-use floods (the fixer's marker characters among them), invalid UTF-8, BOMs,
mixed line endings, front matter variants, broken headers, and snippets that rules fix
(scripts, aggregator footers, nested proxies), so that the fixer has work to do.

Checked in this process, for every case (:func:`check`):

- the text through ``lint_text``/``fix_text`` (safe, then unsafe fixes; for bytes that
  are not UTF-8, ``lint_bytes``/``fix_bytes`` as the command line reads them, then the
  text decoded with U+FFFD): no exception and no ``internal-error``;
- a fix that changed the text is idempotent (fixing the result changes nothing and is
  not refused), and keeps the visible text: without removed blocks it is the same (runs
  of whitespace as one space); with them, the new text is the old with characters taken
  out, no more than the removed blocks held.

Cases run in chunks of 100 (:data:`CHUNK`, one task of ``--jobs``). The chunk holding every
``--cli-every``-th case (with ``--cli-every`` 100 or less: every chunk) is also written to a
temporary folder and run through the real command line (lint as json, then ``--fix``):
the exit status must be 0, 1 or 2 (3 is an internal error, a failure) and standard error
must hold no traceback.

Failing cases are written to ``--save`` (default: fuzz-failures/) with the failure, to be
replayed with ``python scripts/fuzz.py --replay FILE``. Prints cases, failures and the
rate; exits 1 on any failure. tests/test_fuzz.py runs a bounded number of cases with
hypothesis (which shrinks a failure to the fewest mutations).
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT.parent / "shared" / "corpus" / "oped2", ROOT.parent / "shared" / "corpus" / "teahouse-dev"]
#: Cases larger than this are cut: the point is shapes, not size (benchmarks/ do size).
#: ``--max-size`` lowers it for a long run, as libFuzzer's ``-max_len`` does: a case of
#: 2 KB costs about a thirtieth of a full one, so many more shapes are tried in an hour.
MAX_CASE = 256 * 1024

Mutator = Callable[[bytes, random.Random, Sequence[bytes]], bytes]


# -- seeds ----------------------------------------------------------------------------------


def load_seeds(folders: Sequence[Path], limit: int = 4000, step: int = 1) -> list[bytes]:
    """Real clippings: every ``step``-th ``*.md`` under the folders (of the first
    ``limit``, sorted)."""
    paths: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            paths += sorted(folder.rglob("*.md"))
    return [path.read_bytes() for path in paths[:limit:step]]


def default_seed_folders() -> list[Path]:
    return [ROOT / "examples", *[corpus for corpus in CORPORA if corpus.is_dir()]]


# -- mutators -------------------------------------------------------------------------------


def _at(data: bytes, rng: random.Random) -> int:
    return rng.randint(0, len(data))


def _insert(data: bytes, rng: random.Random, piece: bytes) -> bytes:
    at = _at(data, rng)
    return data[:at] + piece + data[at:]


def byte_flips(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    mutable = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        index = rng.randrange(len(mutable))
        mutable[index] ^= 1 << rng.randrange(8)
    return bytes(mutable)


def splice(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    other = rng.choice(seeds) if seeds else data
    start = _at(other, rng)
    piece = other[start:start + rng.randint(0, 4096)]
    at = _at(data, rng)
    return data[:at] + piece + data[at + rng.randint(0, 2048):]


def truncate(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    return data[:_at(data, rng)]


_SOUP = [
    "<p>", "</p>", "<div>", "</div>", "<span>", "</span>", "<b>", "</i>", "<a href=x>", "</a>",
    "<table>", "<tr>", "<td>", "</table>", "<li>", "<ul>", "<select>", "<option>", "<svg>",
    "<math>", "</svg>", "<template>", "<textarea>", "<title>", "<plaintext>", "<xmp>", "<br/>",
    "</br>", "<hr>", "<img>", "<img src=>", "<!--", "-->", "<!---->", "<!DOCTYPE html>", "<?x?>",
    "<", ">", "</", "&", "&amp;", "&#0;", "&#x110000;", "&notin", "&", "\"", "'", "=", "`",
    "<p a=1 a=2>", "<a b='", "<script>", "</script>", "<style>", "</style>", "<noscript>",
    "<frameset>", "<body>", "<html>", "<head>", "</body>", "<form>", "<iframe src=x>", "<base>",
    "<font>", "<nobr>", "<button>", "<caption>", "<col>", "<colgroup>", "<frame>", "<p/>",
]


def tag_soup(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    soup = "".join(rng.choice(_SOUP) + rng.choice(["", "", "x", " ", "\n"])
                   for _ in range(rng.randint(1, 60)))
    return _insert(data, rng, soup.encode())


def huge_attribute(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    size = rng.choice([1000, 10_000, 60_000])
    kind = rng.randrange(4)
    if kind == 0:
        piece = f'<img src="https://images.weserv.nl/?url={"a" * size}.jpg">'
    elif kind == 1:
        piece = "<p " + " ".join(f"a{n}=v" for n in range(size // 8)) + ">x</p>"
    elif kind == 2:
        piece = '<a title="' + '"' * (size // 10) + rng.choice(["", '">x</a>'])
    else:
        piece = "<p x=" + "&amp;" * (size // 5) + ">"
    return _insert(data, rng, piece.encode())


def deep_nesting(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    depth = rng.choice([50, 500, 3000])
    open_tag, close_tag = rng.choice([("<div>", "</div>"), ("<b><i>", "</i></b>"),
                                      ("<span>", "</x>"), ("<table><tr><td>", ""),
                                      ("<font>", "</font>"), ("<ul><li>", "")])
    closed = close_tag * rng.choice([0, depth // 2, depth])
    footer = rng.choice(["", "获取更多RSS：<a href=\"https://feedx.net\">https://feedx.net</a>"])
    return _insert(data, rng, (open_tag * depth + "x" + footer + closed).encode())


def nul_cr_fffd(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    for _ in range(rng.randint(1, 20)):
        data = _insert(data, rng, rng.choice(["\0", "\r", "\ufffd", "\r\r\n", "\x0c", "\x0b",
                                              "\x7f", "\ufdd0", "\uffff"]).encode())
    return data


def zero_width_flood(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    characters = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u2028\u2029"
    flood = "".join(rng.choice(characters) for _ in range(rng.choice([1, 30, 2000])))
    return _insert(data, rng, flood.encode())


def private_use_flood(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    if rng.random() < 0.3:  # all of them, the case that ran the fixer out of markers
        flood = "".join(map(chr, range(0xE000, 0xF900)))
    else:
        flood = "".join(chr(rng.choice([0xE000, 0xE001, 0xE002, rng.randrange(0xE000, 0xF900),
                                         rng.randrange(0xF0000, 0xFFFFE)]))
                        for _ in range(rng.randint(1, 300)))
    return _insert(data, rng, flood.encode())


def invalid_utf8(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    return _insert(data, rng, rng.choice([b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xe4\xb8",
                                          b"\xf4\x90\x80\x80", b"\x80", b"\xfe\xff"]))


def boms(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    bom = "\ufeff".encode()
    choice = rng.randrange(4)
    if choice == 0:
        return bom + data
    if choice == 1:
        return bom + bom + data
    if choice == 2:
        return _insert(data, rng, bom)
    return data.removeprefix(bom)


def mixed_line_endings(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    if rng.random() < 0.3:  # the whole file in one convention
        newline = rng.choice([b"\r", b"\r\n", b"\n"])
        return data.replace(b"\r\n", b"\n").replace(b"\n", newline)
    lines = data.split(b"\n")
    return b"".join(line + rng.choice([b"\n", b"\r", b"\r\n", b"\n\r"]) for line in lines[:-1]) + lines[-1]


_FRONT_MATTER = [
    "---\n---\n", "---\ntitle: x\nlayout: post\n---\n", "---\ntitle: x\n...\n", "---\n",
    "---\ntitle: [unclosed\n", "---\r\nlayout: post\r\n---\r\n", "--- \ntags: [a, b]\n--- \n",
    "---\n" + "k: v\n" * 60 + "---\n", "---\n---\n---\n", "\n---\ntitle: x\n---\n",
    "---\ntitle: \"<script>x</script>\"\n---\n",
]


def front_matter(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    return rng.choice(_FRONT_MATTER).encode() + data


_HEADER_PIECES = [
    "<!--1686778744-->", "<!--1686778744000-->", "<!--2023-06-14-->", "<!---->", "<!--",
    "<!--99999999999999999999-->", "<!--0-->", "[", "]", "(", ")", "[T](https://e.com/a)",
    "[T](javascript:x)", "[](https://e.com)", "[a\nb](https://e.com)", "------", "-",
    "日期：Tue, 23 Jun 2020 05:40:58 +0000", "\n", "\n\n", "[T](https://e.com/a b)",
]


def header(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    """Break the header: replace, drop or add one of its first lines."""
    lines = data.split(b"\n")
    index = rng.randrange(min(len(lines), 6))
    piece = rng.choice(_HEADER_PIECES).encode()
    action = rng.randrange(3)
    if action == 0:
        lines[index] = piece
    elif action == 1:
        del lines[index]
    else:
        lines.insert(index, piece)
    return b"\n".join(lines)


_FIXABLE = [
    "<script>track()</script>", "<script src=\"https://e.com/x.js\"></script>",
    "<p onclick=\"x()\">y</p>", "<a href=\"javascript:x()\">z</a>", "<form><input></form>",
    "<iframe src=\"https://e.com/\"></iframe>", "<meta http-equiv=\"refresh\" content=\"0\">",
    "<br><hr><div>获取更多RSS：<br><a href=\"https://feedx.net\" style=\"color:orange\" "
    "target=\"_blank\">https://feedx.net</a> <br></div>",
    "<p>The post <a href=\"https://e.com/p\">X</a> appeared first on <a href=\"https://e.com\">"
    "E</a>.</p>",
    "<img src=\"http://feeds.feedburner.com/~r/X/~4/abc\" height=\"1\" width=\"1\" alt=\"\"/>",
    "<img src=\"https://images.weserv.nl/?url=images.weserv.nl/?url=example.com/x.jpg\">",
    "<div class=\"feedflare\"><a href=\"http://feeds.feedburner.com/~ff/X?a=1\">Share</a></div>",
]


def fixable(data: bytes, rng: random.Random, seeds: Sequence[bytes]) -> bytes:
    pieces = "".join(rng.choice(_FIXABLE) for _ in range(rng.choice([1, 2, 5, 40])))
    if rng.random() < 0.5:
        return data.rstrip(b"\n") + pieces.encode() + b"\n"
    return _insert(data, rng, pieces.encode())


MUTATORS: dict[str, Mutator] = {
    mutator.__name__: mutator for mutator in (
        byte_flips, splice, truncate, tag_soup, huge_attribute, deep_nesting, nul_cr_fffd,
        zero_width_flood, private_use_flood, invalid_utf8, boms, mixed_line_endings,
        front_matter, header, fixable)
}

Operation = tuple[str, int]


def mutate(seed: bytes, operations: Sequence[Operation], seeds: Sequence[bytes],
           max_size: int = MAX_CASE) -> bytes:
    """Apply ``(mutator name, random seed)`` operations in turn, cutting the case to
    ``max_size`` bytes after each: a case is reproducible from its seed clipping, its
    operations and the size."""
    data = seed[:max_size]
    for name, number in operations:
        data = MUTATORS[name](data, random.Random(number), seeds)[:max_size]
    return data


def random_operations(rng: random.Random) -> list[Operation]:
    return [(rng.choice(sorted(MUTATORS)), rng.getrandbits(32)) for _ in range(rng.randint(1, 4))]


# -- checks ---------------------------------------------------------------------------------

def _collapse(text: str) -> str:
    from cliplint.html import HTML_SPACE_RUN

    return HTML_SPACE_RUN.sub(" ", text).strip(" ")


def _is_subsequence(short: str, long: str) -> bool:
    characters = iter(long)
    return all(character in characters for character in short)


def check(data: bytes) -> list[str]:
    """What is wrong with how cliplint handles ``data``; empty when nothing is."""
    from cliplint import fix_text, lint_text
    from cliplint.config import resolve
    from cliplint.linter import lint_bytes
    from cliplint.model import INTERNAL_ERROR
    from cliplint.plugins import load_registry
    from cliplint.writer import fix_bytes

    failures: list[str] = []

    def crashed(where: str, problems: Sequence[Any]) -> None:
        for problem in problems:
            if problem.rule == INTERNAL_ERROR:
                failures.append(f"{where}: internal-error: {problem.message}")

    try:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # as a file: one file-unreadable problem, never fixed
            rules = load_registry().rules
            settings = resolve({}, rules)
            crashed("lint_bytes", lint_bytes(data, rules, settings, path="case.md"))
            crashed("fix_bytes", fix_bytes(data, rules, settings, path="case.md").problems)
            text = data.decode("utf-8", "replace")  # as a library caller might pass it
        crashed("lint_text", lint_text(text))
        for unsafe in (False, True):
            result = fix_text(text, unsafe=unsafe)
            crashed(f"fix_text(unsafe={unsafe})", result.problems)
            if result.changed:
                failures += _check_fixed(text, result, unsafe)
    except Exception as error:  # noqa: BLE001  what the fuzzer is looking for
        import traceback

        failures.append(f"exception: {type(error).__name__}: {error}\n{traceback.format_exc()}")
    return failures


def _check_fixed(text: str, result: Any, unsafe: bool) -> list[str]:
    from cliplint import fix_text
    from cliplint.document import Document

    where = f"fix_text(unsafe={unsafe})"
    failures = []
    again = fix_text(result.text, unsafe=unsafe)
    if again.changed or again.refusal is not None:
        failures.append(f"{where} is not idempotent: a second fix "
                        f"{'changed the text' if again.changed else 'was refused'}")
    before = _collapse(Document.from_text(text).body.visible_text)
    after = _collapse(Document.from_text(result.text).body.visible_text)
    if not result.removed:
        if before != after:
            failures.append(f"{where} changed the visible text without removing a block")
    elif not _is_subsequence(after, before) or (
            _ink(before) - _ink(after) > sum(_ink(block.text) for block in result.removed)):
        # Counted without spaces: a character removed between two spaces (a stray DEL in
        # "a \x7f b") leaves two spaces that collapse into one, which loses nothing.
        failures.append(f"{where} changed the visible text beyond the removed blocks")
    return failures


def _ink(text: str) -> int:
    """How many characters of ``text`` are not whitespace."""
    from cliplint.html import HTML_SPACE_RUN

    return len(HTML_SPACE_RUN.sub("", text))


def check_cli(cases: Sequence[bytes]) -> list[str]:
    """Lint and fix the cases through the real command line, in one folder."""
    failures = []
    with tempfile.TemporaryDirectory(prefix="cliplint-fuzz-") as folder:
        for index, data in enumerate(cases):
            Path(folder, f"case-{index:05}.md").write_bytes(data)
        for arguments in (["--format", "json", "."], ["--fix", "--unsafe-fixes", "."]):
            completed = subprocess.run(
                [sys.executable, "-m", "cliplint", "--isolated", "--no-cache", *arguments],
                cwd=folder, capture_output=True, timeout=3600, check=False)
            stderr = completed.stderr.decode("utf-8", "replace")
            if completed.returncode not in (0, 1, 2) or "Traceback" in stderr:
                failures.append(f"cliplint {' '.join(arguments)}: exit {completed.returncode}: "
                                f"{stderr[-2000:]}")
            if arguments[1] == "json" and completed.returncode in (0, 1):
                problems = json.loads(completed.stdout)["problems"]
                failures += [f"cliplint: internal-error in {p['path']}: {p['message']}"
                             for p in problems if p["rule"] == "internal-error"]
    return failures


# -- the long run ---------------------------------------------------------------------------


@functools.cache
def _seeds(folders: tuple[str, ...]) -> list[bytes]:
    return load_seeds([Path(folder) for folder in folders])


#: Cases per task.
CHUNK = 100


def _run_cases(arguments: tuple[int, int, bool, int, list[str]]
               ) -> tuple[int, list[dict[str, Any]]]:
    """Worker: ``count`` cases from random seed ``seed`` (and, ``with_cli``, all of them
    through the command line); returns how many ran and the failing ones."""
    seed, count, with_cli, max_size, folders = arguments
    seeds = _seeds(tuple(folders))
    rng = random.Random(seed)
    failed: list[dict[str, Any]] = []
    batch: list[bytes] = []
    for _ in range(count):
        index = rng.randrange(len(seeds))
        operations = random_operations(rng)
        data = mutate(seeds[index], operations, seeds, max_size)
        for failure in check(data):
            failed.append({"seed": index, "operations": operations, "max_size": max_size,
                           "failure": failure, "data": data.hex()})
        if with_cli:
            batch.append(data)
    if with_cli:
        failed += [{"batch": True, "failure": failure} for failure in check_cli(batch)]
    return count, failed


def _holds_a_multiple(start: int, count: int, every: int) -> bool:
    """Whether cases ``start`` to ``start + count - 1`` hold a multiple of ``every``
    (0: never)."""
    return every > 0 and (start + count - 1) // every * every >= start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, help="seed clippings")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cli-every", type=int, default=1000,
                        help="also run the command line over the chunk of every K-th case "
                        "(0: never)")
    parser.add_argument("--save", type=Path, default=Path("fuzz-failures"))
    parser.add_argument("--max-size", type=int, default=MAX_CASE,
                        help=f"cut every case to this many bytes (default {MAX_CASE:,})")
    parser.add_argument("--replay", type=Path, help="check one saved case again")
    parser.add_argument("--time-limit", type=float, default=0,
                        help="stop after this many seconds (0: run every case)")
    options = parser.parse_args(argv)
    if options.replay:
        data = bytes.fromhex(json.loads(options.replay.read_text())["data"])
        failures = check(data)
        print("\n".join(failures) or "no failure")
        return 1 if failures else 0

    folders = [str(folder) for folder in (options.folders or default_seed_folders())]
    jobs = max(1, options.jobs)
    work = [(options.seed * 1_000_003 + index, min(CHUNK, options.cases - start),
             _holds_a_multiple(start, CHUNK, options.cli_every), options.max_size, folders)
            for index, start in enumerate(range(0, options.cases, CHUNK))]
    started = time.monotonic()
    done = 0
    failures: list[dict[str, Any]] = []
    if jobs == 1:
        results = map(_run_cases, work)
    else:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(jobs)
        results = pool.map(_run_cases, work)
    for count, failed in results:  # (with --jobs, the chunks in flight still finish)
        done += count
        failures += failed
        elapsed = time.monotonic() - started
        print(f"{done:,} cases, {len(failures)} failures, {done / elapsed:.1f} cases/s",
              flush=True)
        for failure in failed:
            options.save.mkdir(parents=True, exist_ok=True)
            name = f"failure-{len(list(options.save.iterdir())):04}.json"
            (options.save / name).write_text(json.dumps(failure, indent=1))
            print(f"  {failure['failure'].splitlines()[0]}  -> {options.save / name}")
        if options.time_limit and elapsed > options.time_limit:
            break
    if jobs > 1:
        pool.shutdown(cancel_futures=True)
    elapsed = time.monotonic() - started
    print(f"done: {done:,} cases in {elapsed:.0f} s ({done / elapsed:.1f} cases/s, {jobs} "
          f"process{'es' if jobs != 1 else ''}), {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
