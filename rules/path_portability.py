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
- two names in one folder that are equal when case is ignored, or after Unicode
  normalisation (NFC and NFD: macOS writes the latter), reported on the second, naming
  the first.

The message names the offending character, its code point and its position in the name.

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

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cliplint.model import ArchiveEntry, ArchiveViolation, Related

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

_FORBIDDEN = re.compile(r'[<>:"\\|?*\x00-\x1f]')
_RESERVED = re.compile(r"(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\..*)?", re.IGNORECASE)


def reduce(entries: Sequence[ArchiveEntry], options: Mapping[str, Any]) -> Iterator[ArchiveViolation]:
    paths = sorted({entry.path for entry in entries if not entry.path.startswith("../")})
    reported_folders: set[str] = set()
    for path in paths:
        parts = path.split("/")
        for depth, name in enumerate(parts):
            where = "/".join(parts[: depth + 1])
            is_folder = depth < len(parts) - 1
            if is_folder and where in reported_folders:
                continue
            messages = list(_name_problems(name, options["max-name-bytes"]))
            if messages and is_folder:
                reported_folders.add(where)
            kind = f"folder name {where!r}" if is_folder else "file name"
            for message in messages:
                yield ArchiveViolation(path, f"{kind}: {message}")
        limit = options["max-path-length"]
        length = len(path.encode("utf-16-le", "surrogatepass")) // 2
        if limit and length > limit:
            yield ArchiveViolation(path, f"path is {length} characters long (UTF-16), over "
                                   f"max-path-length ({limit})")
    yield from _collisions(paths)


def _name_problems(name: str, max_bytes: int) -> Iterator[str]:
    for found in _FORBIDDEN.finditer(name):
        char = found.group()
        shown = repr(char)[1:-1] if not char.isprintable() else char
        yield (f"{shown!r} (U+{ord(char):04X}) at position {found.start() + 1}: "
               "Windows forbids it in names")
    if name.endswith((".", " ")):
        yield f"ends with {'a dot' if name.endswith('.') else 'a space'}: Windows drops it"
    if _RESERVED.fullmatch(name.rstrip(". ")):
        yield f"{name.split('.')[0]!r} is a name Windows reserves for a device"
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        yield f"{size} bytes long in UTF-8, over max-name-bytes ({max_bytes})"


def _collisions(paths: Sequence[str]) -> Iterator[ArchiveViolation]:
    """Names that one folder of a case-insensitive or normalising file system cannot hold
    apart. Folders are compared too: ``A/x.md`` and ``a/y.md`` land in one folder."""
    children: defaultdict[str, set[str]] = defaultdict(set)
    first_file: dict[str, str] = {}
    for path in paths:
        parts = path.split("/")
        for depth in range(len(parts)):
            where = "/".join(parts[: depth + 1])
            children["/".join(parts[:depth])].add(parts[depth])
            first_file.setdefault(where, path)
    for folder in sorted(children):
        seen: dict[tuple[str, str], str] = {}
        for name in sorted(children[folder]):
            normal = unicodedata.normalize("NFC", name)
            for how, key in (("are the same after Unicode normalisation (NFC/NFD)", normal),
                             ("differ only in case", normal.casefold())):
                other = seen.get((how, key))
                if other is not None and other != name:
                    where = f"{folder}/{name}" if folder else name
                    there = f"{folder}/{other}" if folder else other
                    kind = "file" if first_file[where] == where else "folder"
                    yield ArchiveViolation(
                        first_file[where],
                        f"{kind} name {name!r} and {other!r} {how}: a case-insensitive or "
                        "normalising file system (macOS, Windows) keeps only one",
                        (Related(first_file[there], "collides with"),),
                    )
                    break
                seen.setdefault((how, key), name)
