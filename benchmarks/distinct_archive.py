"""An archive of distinct clippings, made from a corpus of them (which is only read).

    python benchmarks/distinct_archive.py --copies 10 --into /tmp/distinct [--corpus ../shared/corpus/oped2]

run.py's ``repeated_corpus`` repeats a corpus as it is: every copy of a clipping keeps its
title and URL, so duplicate-clipping reads ten copies of oped2 as 3,000 articles with nine
duplicates each, and its title join sees 3,000 distinct titles. A real archive holds tens
of thousands of different articles, and cliplint's memory grows with them. Here copy
``copy`` (0 <= copy < copies) of every clipping is a different article:

- folder: ``articles/<feed>/<YYYY-MM>/``, one month per copy (January 2015 for copy 0),
  as archives are sharded;
- file name: the numeric id times 1,000 plus the copy (9 or 10 digits, which no rule reads
  as a ``YYYYMMDD[HH]`` date, as id + copy * 10**7 could be: 20400807); the name's text is
  kept;
- title: every CJK ideograph moved by a per-copy offset within the unified block, part
  marks and numerals (一二三…十, 上中下, 百千万, 壹贰…) kept, so that a title's numbers and
  parts stay; a title with more Latin letters than ideographs gets, besides, a per-copy
  permutation of the letters (entities such as ``&amp;`` kept). Nothing is appended: a
  word shared by a copy's titles would make its short related titles more alike and
  raise duplicates the corpus does not have. Two copies of a title share almost no pair
  of characters, as two different titles;
- URL: a made-up word per copy as the first path segment (a URL with no path, a home page,
  is left: no rule compares it);
- body: a sentence with the copy's word inserted at the start of the first ``<p>`` (or,
  without one, the first ``<div>``).

Every change depends on the copy alone, so the duplicates the corpus holds (66
duplicate-clipping problems in oped2) stay within each copy and no other arises; a file
that is not UTF-8 is copied as it is. The bodies are otherwise the corpus's bytes, so
the per-file rules do the same work on each copy. Each file keeps its original's
modification time (old enough for a cache to trust it). The output depends on the corpus
and the number of copies alone.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import string
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

#: Ideographs kept by the rotation: numerals and part marks, so that "第三" or "（上）"
#: stays a number or a part (a title's numbers are compared as numbers).
KEPT_IDEOGRAPHS = frozenset("〇零一二三四五六七八九十百千万上中下壹贰叁肆伍陆柒捌玖拾")
#: The code points the rotation moves, in order (the CJK Unified Ideographs block).
ROTATED_IDEOGRAPHS = tuple(code for code in range(0x4E00, 0x9FF0)
                           if chr(code) not in KEPT_IDEOGRAPHS)
IDEOGRAPH_POSITION: Mapping[int, int] = MappingProxyType(
    {code: position for position, code in enumerate(ROTATED_IDEOGRAPHS)})
#: A prime, so that the copies' offsets are spread over the block.
OFFSET_STEP = 7919

SYLLABLES = ("zor vak mel trin qua dex lom pry vus kel bran tol wex fim gor yul snar plo "
             "drav mib cuz hob jen rask tev ulm nix orb fyr gal").split()
#: Made-up words that would be read as numbers are drawn again.
NUMBER_WORDS = frozenset("""one two three four five six seven eight nine ten eleven twelve
thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty first second third
fourth fifth sixth seventh eighth ninth tenth""".split())

#: A clipping's title line, ``[title](url)``, looked for in its first 4,000 characters.
TITLE_LINK = re.compile(r"^\[(.*?)\]\(([^\s)]*)\)", re.MULTILINE | re.DOTALL)
TITLE_SEARCH_END = 4000
SITE_AND_PATH = re.compile(r"^(https?://[^/\s?#]+)(/[^\s]*)$")
ENTITY = re.compile(r"&#?\w+;")
PARAGRAPH_START = re.compile(r"<p(\s[^>]*)?>")
DIV_START = re.compile(r"<div>")
NUMERIC_ID = re.compile(r"(\d+)_")


def made_up_word(copy: int) -> str:
    """The copy's word (three syllables), in its URLs and body sentences."""
    draw = random.Random(1000 + copy)
    while True:
        word = "".join(draw.choice(SYLLABLES) for _ in range(3))
        if word not in NUMBER_WORDS:
            return word


def month_folder(copy: int) -> str:
    """The copy's month, ``YYYY-MM``, counted from January 2015."""
    return f"{2015 + copy // 12}-{copy % 12 + 1:02d}"


def rotate_ideographs(text: str, copy: int) -> str:
    """``text`` with every rotated ideograph moved by the copy's offset (copy 0: as it is)."""
    if copy == 0:
        return text
    offset = (copy * OFFSET_STEP) % len(ROTATED_IDEOGRAPHS)
    moved = []
    for character in text:
        position = IDEOGRAPH_POSITION.get(ord(character))
        moved.append(character if position is None else
                     chr(ROTATED_IDEOGRAPHS[(position + offset) % len(ROTATED_IDEOGRAPHS)]))
    return "".join(moved)


def permute_latin(text: str, copy: int) -> str:
    """``text`` with its Latin letters permuted by the copy's permutation, case kept and
    entities left as they are (copy 0: as it is)."""
    if copy == 0:
        return text
    permuted = list(string.ascii_lowercase)
    random.Random(5000 + copy).shuffle(permuted)
    lower = "".join(permuted)
    table = str.maketrans(string.ascii_lowercase + string.ascii_uppercase,
                          lower + lower.upper())
    pieces = []
    last = 0
    for entity in ENTITY.finditer(text):
        pieces.append(text[last:entity.start()].translate(table))
        pieces.append(entity.group())
        last = entity.end()
    pieces.append(text[last:].translate(table))
    return "".join(pieces)


def distinct_title(title: str, copy: int) -> str:
    """The copy's title: ideographs rotated; Latin letters permuted too if they outnumber
    the ideographs."""
    ideographs = sum(1 for character in title if ord(character) in IDEOGRAPH_POSITION)
    letters = sum(1 for character in title if character.isascii() and character.isalpha())
    title = rotate_ideographs(title, copy)
    return permute_latin(title, copy) if letters > ideographs else title


def distinct_url(url: str, copy: int) -> str:
    """The copy's URL: its word as the first path segment (a URL with no path as it is)."""
    site_and_path = SITE_AND_PATH.match(url)
    if site_and_path is None or site_and_path.group(2) in ("", "/"):
        return url
    return f"{site_and_path.group(1)}/{made_up_word(copy)}{site_and_path.group(2)}"


def distinct_text(text: str, copy: int) -> str:
    """The copy's clipping: its title and URL, and a sentence of its own in the body."""
    title_link = TITLE_LINK.search(text, 0, TITLE_SEARCH_END)
    if title_link is not None:
        title, url = title_link.groups()
        text = (text[:title_link.start()]
                + f"[{distinct_title(title, copy)}]({distinct_url(url, copy)})"
                + text[title_link.end():])
    word = made_up_word(copy)
    sentence = f"{word.capitalize()} kept {word} and {word[::-1]} on file. "
    body_start = PARAGRAPH_START.search(text) or DIV_START.search(text)
    if body_start is not None:
        text = text[:body_start.end()] + sentence + text[body_start.end():]
    return text


def distinct_contents(original: bytes, copy: int) -> bytes:
    """The copy's file contents; a file that is not UTF-8 as it is (file-unreadable's)."""
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        return original
    return distinct_text(text, copy).encode("utf-8")


def distinct_name(name: str, copy: int) -> str:
    """The copy's file name: a leading numeric id times 1,000 plus the copy."""
    numeric_id = NUMERIC_ID.match(name)
    if numeric_id is None:
        return name
    return f"{int(numeric_id.group(1)) * 1000 + copy}_{name[numeric_id.end():]}"


def distinct_archive(corpus: Path, copies: int, into: Path) -> Path:
    """``copies`` distinct copies of the clippings in ``corpus/articles/<feed>/*.md``, in
    ``into/articles/<feed>/<YYYY-MM>/`` (the module's docstring says how they differ).
    Files made already are kept, so an archive made for one goal serves the next; each
    file is written under a temporary name first, so none is left half-written."""
    articles = corpus / "articles"
    originals = sorted((feed.name, path.name) for feed in articles.iterdir() if feed.is_dir()
                       for path in feed.iterdir() if path.suffix == ".md")
    for copy in range(copies):
        for feed, name in originals:
            target = into / "articles" / feed / month_folder(copy) / distinct_name(name, copy)
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            original = articles / feed / name
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(distinct_contents(original.read_bytes(), copy))
            modified = original.stat().st_mtime
            os.utime(partial, (modified, modified))
            os.replace(partial, target)
    return into


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, required=True, help="copies of each clipping")
    parser.add_argument("--into", type=Path, required=True, help="the archive's folder")
    parser.add_argument("--corpus", type=Path,
                        default=Path(__file__).resolve().parent.parent.parent
                        / "shared" / "corpus" / "oped2")
    options = parser.parse_args(argv)
    if not (options.corpus / "articles").is_dir():
        raise SystemExit(f"no articles folder in the corpus: {options.corpus}")
    archive = distinct_archive(options.corpus, options.copies, options.into)
    count = sum(1 for _ in (archive / "articles").rglob("*.md"))
    print(f"{archive}: {count} clippings", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
