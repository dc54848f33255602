"""Every path in the archive must be one that Windows, macOS and Linux can all check out.

Why: scraped titles become file names, and titles hold ``?``, ``|``, ``:`` and quotes.
Git stores such names happily, but a Windows user cannot clone an archive that holds one
(``error: invalid path``), and on macOS (and Windows) two names that differ only in case
or in Unicode normalisation are one file: checking out the archive silently loses one
of them.

An archive rule: it looks at the paths of all the archive's clippings, relative to the
archive's root (the folder above it is the user's business). Reported, per file (a
folder's problem once, on the first file under it):

- a character Windows forbids in names: ``< > : " \\ | ? *`` and control characters
  (U+0000–U+001F, e.g. a newline in a title that became a name);
- a name ending with a dot or a space (Windows drops them: two names become one);
- a name Windows reserves: ``CON``, ``PRN``, ``AUX``, ``NUL``, ``COM0``–``COM9``,
  ``LPT0``–``LPT9`` (also with superscript digits), with any extension (``nul.md``);
- a name longer than ``max-name-bytes`` bytes in UTF-8 (255: ext4 and most file
  systems; 143 where home folders are encrypted with eCryptfs);
- a path longer than ``max-path-length`` characters (UTF-16 code units, as Windows counts
  them), leaving room for the folder the archive is checked out into under Windows'
  260-character limit;
- a name whose bytes are not UTF-8 (a title saved in a legacy encoding): macOS's file
  systems refuse it and Git for Windows cannot check it out;
- two names in one folder that are equal when case is ignored (macOS and Windows keep
  one), or after Unicode normalisation (NFC and NFD: macOS normalises names, NTFS and
  Linux's file systems do not), reported on the second, naming the first; the message
  says each name's form, as the two print alike.

The message names the offending character, its code point and its positions in the name
(one problem for each character, however often it occurs: a title scraped in the wrong
encoding becomes a name of ``?``). A file's problems come as its path reads: its folders'
first, then its name's in the order of the positions they name (what concerns the whole
name first, its end last), then its path's length, then the names it collides with.

Bad::

    articles/BBC/美国波特兰示威：特朗普派联邦执法人员抓捕示威者|BBC.md
    articles/BBC/Report.md  and  articles/BBC/report.md

Good::

    articles/BBC/美国波特兰示威：特朗普派联邦执法人员抓捕示威者｜BBC.md

Options:

- ``max-name-bytes`` (``255``): the longest name, in bytes of UTF-8.
- ``max-path-length`` (``200``): the longest path relative to the archive root, in UTF-16
  code units; ``0`` turns the check off.

Fix: none: renaming a clipping breaks every link to it, so it is the keeper's call.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from cliplint.model import Related
from cliplint.rule_io import ArchiveEntry, ArchiveViolation

ID = "path-portability"
SEVERITY = "error"
FIX = None
OPTIONS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "max-name-bytes": {"type": "integer", "minimum": 1, "default": 255},
        "max-path-length": {"type": "integer", "minimum": 0, "default": 200},
    },
}

#: Whatever could make a name a problem, in one search: most names pass with it alone.
_SUSPECT = re.compile(r'[<>:"\\|?*\x00-\x1f\udc80-\udcff]|[. ]$|^(?:con|prn|aux|nul|com|lpt)',
                      re.IGNORECASE)


# What _SUSPECT found, told apart: compiled for the first suspect name (a cache), as few
# names are.
@cache
def _forbidden() -> re.Pattern[str]:
    return re.compile(r'[<>:"\\|?*\x00-\x1f]')


@cache
def _not_utf8() -> re.Pattern[str]:
    """A byte of a name that is no UTF-8, as a path read from the disk holds it: a lone
    surrogate U+DC80-U+DCFF (Python's "surrogateescape", os.fsdecode)."""
    return re.compile("[\udc80-\udcff]")


@cache
def _reserved() -> re.Pattern[str]:
    return re.compile(r"(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\..*)?", re.IGNORECASE)


def reduce(entries: Sequence[ArchiveEntry], options: Mapping[str, Any]) -> Iterator[ArchiveViolation]:
    # Not the archive's root itself (".": a folder listed in a manifest, unread, whose
    # "name" ended with a dot) nor what is above it.
    inside = [entry for entry in entries
              if entry.path not in (".", "..") and not entry.path.startswith("../")]
    if not any(entry.focus for entry in inside):
        return  # every problem would concern files the run does not show
    if not all(entry.focus for entry in inside):
        inside = _in_reach(inside)
    inside.sort(key=lambda entry: entry.path)
    by_folder: defaultdict[str, list[str]] = defaultdict(list)
    focused: set[str] = set()
    for entry in inside:
        folder, _, name = entry.path.rpartition("/")
        by_folder[folder].append(name)
        while entry.focus and folder not in focused:
            # Its folders too: a file beside one of them may collide with its name
            # ("a/deep" and "a/Deep/b.md"), a problem that names the focused file.
            focused.add(folder)
            folder = folder.rpartition("/")[0]
    first_file = _first_files(by_folder)
    max_bytes, max_length = options["max-name-bytes"], options["max-path-length"]
    for folder in sorted(first_file):
        if first_file[folder] == folder:
            continue  # a file, not a folder
        # A folder's name is reported once, on the first file under it.
        for message in _name_problems(folder.rpartition("/")[2], max_bytes):
            yield ArchiveViolation(first_file[folder], f"folder name {folder!r}: {message}")
    for entry in inside:
        if not entry.focus:
            continue
        for message in _name_problems(entry.path.rpartition("/")[2], max_bytes):
            yield ArchiveViolation(entry.path, f"file name: {message}")
        length = _utf16_length(entry.path, max_length)
        if max_length and length > max_length:
            yield ArchiveViolation(entry.path, f"path is {length} characters long (UTF-16), "
                                   f"over max-path-length ({max_length})")
    yield from _collisions(by_folder, focused, first_file)


def _in_reach(inside: Sequence[ArchiveEntry]) -> list[ArchiveEntry]:
    """The files whose names the problems about the focused files depend on: in each
    folder of their paths, its files and, for each folder in it, the first file under
    that folder (where the folder's problems are reported, and what names it in
    collisions). The problems that concern a focused file are then those of the whole
    archive."""
    paths = sorted(entry.path for entry in inside)
    wanted: set[str] = set()
    folders = {"/".join(parts[:depth]) for parts in (entry.path.split("/") for entry in inside
                                                      if entry.focus)
               for depth in range(len(parts))}
    for folder in folders:
        prefix = f"{folder}/" if folder else ""
        # The paths under the folder, in order: "0" is the character after "/".
        at = bisect.bisect_left(paths, prefix)
        end = bisect.bisect_left(paths, f"{folder}0") if folder else len(paths)
        while at < end:
            wanted.add(paths[at])  # a file of the folder, or the first under a folder in it
            child, slash, _ = paths[at][len(prefix):].partition("/")
            at = bisect.bisect_left(paths, f"{prefix}{child}0", at) if slash else at + 1
    return [entry for entry in inside if entry.path in wanted]


def _first_files(by_folder: Mapping[str, list[str]]) -> dict[str, str]:
    """For every file its own path, and for every folder (every prefix of a file's path)
    the first file under it: where a problem with the folder is reported."""
    first: dict[str, str] = {}
    for folder, names in by_folder.items():
        for name in names:
            path = f"{folder}/{name}" if folder else name
            first[path] = path
        below = f"{folder}/{names[0]}" if folder else names[0]
        while folder:
            first[folder] = min(first.get(folder, below), below)
            folder = folder.rpartition("/")[0]
    return first


def _utf16_length(path: str, limit: int) -> int:
    """The length Windows counts (UTF-16 code units), measured only when it may matter."""
    if 2 * len(path) <= limit:
        return len(path)  # at most 2 units per character: within the limit anyway
    return len(path.encode("utf-16-le", "surrogatepass")) // 2


def _utf8_size(name: str) -> int:
    """The bytes of ``name`` on disk: a byte of a name that is no UTF-8 is read as a lone
    surrogate (U+DC80-U+DCFF, Python's "surrogateescape") and is one byte, not three."""
    try:
        return len(name.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # another lone surrogate (a name given to the library)
        return len(name.encode("utf-8", "surrogatepass"))


def _name_problems(name: str, max_bytes: int) -> Iterator[str]:
    """A name's problems, in the order of the positions in the name they name (what is
    wrong with the whole name first, its end last): the engine keeps a reduce step's
    order for one file, and a reader follows the name from its start."""
    placed = sorted(_placed_problems(name, max_bytes), key=lambda problem: problem[0])
    return (message for _, message in placed)


def _placed_problems(name: str, max_bytes: int) -> Iterator[tuple[int, str]]:
    """A name's problems, each after the first position in the name it names (0: the
    whole name)."""
    if 4 * len(name) > max_bytes:  # a character is at most 4 bytes of UTF-8
        size = _utf8_size(name)
        if size > max_bytes:
            yield 0, f"{size} bytes long in UTF-8, over max-name-bytes ({max_bytes})"
    if not _SUSPECT.search(name):
        return
    positions: dict[str, list[int]] = {}
    for found in _forbidden().finditer(name):
        positions.setdefault(found.group(), []).append(found.start() + 1)
    for char, where in positions.items():
        # (repr escapes a control character once: '\t')
        yield where[0], (f"{char!r} (U+{ord(char):04X}) {_positions(where)}: Windows forbids "
                         "it in names")
    not_utf8 = [found.start() + 1 for found in _not_utf8().finditer(name)]
    if not_utf8:
        # (the bytes themselves, not the surrogates that stand for them: a report is UTF-8)
        shown = " ".join(dict.fromkeys(f"0x{ord(name[at - 1]) - 0xDC00:02X}" for at in not_utf8))
        yield not_utf8[0], (f"bytes that are not UTF-8 ({shown}) {_positions(not_utf8)}: "
                            "macOS refuses the name, Git for Windows cannot check it out")
    if name.endswith((".", " ")):
        end = "a dot" if name.endswith(".") else "a space"
        yield len(name), f"ends with {end}: Windows drops it"
    if _reserved().fullmatch(name.rstrip(". ")):
        yield 0, f"{name.split('.')[0]!r} is a name Windows reserves for a device"


#: The positions of a character a message lists before it says how many more there are.
_MOST_POSITIONS = 5


def _positions(where: Sequence[int]) -> str:
    """Where a character stands in a name: ``at position 3``, ``at positions 3, 9``,
    ``at positions 1, 2, 3, 4, 5 and 13 more`` (a title scraped in the wrong encoding
    becomes a name of ``?``: one problem for the character, not one for each)."""
    if len(where) == 1:
        return f"at position {where[0]}"
    listed = ", ".join(map(str, where[:_MOST_POSITIONS]))
    more = len(where) - _MOST_POSITIONS
    return f"at positions {listed}" + (f" and {more} more" if more > 0 else "")


def _collisions(by_folder: Mapping[str, list[str]], focused: set[str],
                first_file: Mapping[str, str]) -> Iterator[ArchiveViolation]:
    """Names that one folder of a case-insensitive or normalising file system cannot hold
    apart. Folders are compared too: ``A/x.md`` and ``a/y.md`` land in one folder. Files
    are compared only in the folders of focused files' paths."""
    children: defaultdict[str, set[str]] = defaultdict(set)
    for folder, names in by_folder.items():
        if folder in focused:
            children[folder].update(names)
        while folder:
            parent, _, name = folder.rpartition("/")
            children[parent].add(name)
            folder = parent
    for folder in sorted(children):
        seen: dict[tuple[str, str], str] = {}
        for name in sorted(children[folder]):
            normal = unicodedata.normalize("NFC", name)
            for how, key in (("normalisation", normal), ("case", normal.casefold())):
                other = seen.get((how, key))
                if other is not None and other != name:
                    where = f"{folder}/{name}" if folder else name
                    there = f"{folder}/{other}" if folder else other
                    kind = "file" if first_file[where] == where else "folder"
                    yield ArchiveViolation(first_file[where], _collision(kind, name, other, how),
                                           (Related(first_file[there], "collides with"),))
                    break
                seen.setdefault((how, key), name)


def _collision(kind: str, name: str, other: str, how: str) -> str:
    """What two names one folder cannot hold apart have in common, and where: equal
    after Unicode normalisation (the two look the same, so each says its form: macOS's
    file systems normalise, NTFS and Linux's do not), or only in case."""
    if how == "normalisation":
        return (f"{kind} name {name!r} ({_form(name)}) and {other!r} ({_form(other)}) are "
                "the same after Unicode normalisation: a normalising file system (macOS) "
                "keeps only one")
    return (f"{kind} name {name!r} and {other!r} differ only in case: a case-insensitive "
            "file system (macOS, Windows) keeps only one")


def _form(name: str) -> str:
    """The Unicode normalisation form a name is written in."""
    for form in ("NFC", "NFD"):
        if unicodedata.is_normalized(form, name):
            return form
    return "neither NFC nor NFD"
