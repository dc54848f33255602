"""The same title should not head many articles of an archive.

Why: a title shared by many articles ("Untitled", "Home", "News") is a feed's
placeholder, not the article's title: readers, search and deduplication cannot tell the
articles apart.

Titles are compared without case and spacing; a title is reported when at least
``min-articles`` clippings with different title URLs share it (copies of one article
are duplicate-clipping's business). Each clipping names a few of the others.

Bad::

    a.md  [Untitled](https://example.com/a/1)
    b.md  [Untitled](https://example.com/a/2)
    c.md  [Untitled](https://example.com/a/3)

Good: each article under its own title.

Options:

- ``min-articles`` (default 3): how many different articles must share a title.

No fix: only a keeper can tell what each title should be.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cliplint.api import ArchiveEntry, ArchiveViolation, Document, Related

ID = "example/repeated-title"
SEVERITY = "info"
FIX = None
OPTIONS = {
    "type": "object",
    "properties": {
        "min-articles": {
            "type": "integer",
            "minimum": 2,
            "default": 3,
            "description": "How many different articles must share a title.",
        },
    },
}
#: How many of the other clippings a problem names.
SHOWN = 3


def record(document: Document, options: Mapping[str, Any]) -> dict[str, str] | None:
    """The map step: the clipping's title and title URL (None without a title link)."""
    link = document.title_link
    if link is None:
        return None
    title = " ".join(document.text[link.text.start : link.text.end].split())
    return {"title": title, "url": document.text[link.url.start : link.url.end]} if title else None


def reduce(entries: Sequence[ArchiveEntry],
           options: Mapping[str, Any]) -> Iterator[ArchiveViolation]:
    """The reduce step: the clippings of each title, when enough articles share it."""
    by_title: dict[str, list[ArchiveEntry]] = {}
    paths = {entry.path for entry in entries}
    # In path order: a problem names the same files whatever order the run gives them in
    # (a run given some files of the archive gives those first).
    for entry in sorted(entries, key=lambda entry: entry.path):
        # (a symlink to another clipping of the archive is that clipping, counted once)
        if entry.record is not None and entry.link_to not in paths:
            by_title.setdefault(entry.record["title"].casefold(), []).append(entry)
    for group in by_title.values():
        if len({entry.record["url"] for entry in group}) < options["min-articles"]:
            continue
        if not any(entry.focus for entry in group):
            continue  # the run shows none of these files: no problem of theirs is shown
        # Every file of the group, even one out of focus: its problem names others, and a
        # run shows the problems that name its files too (the engine drops the rest).
        for entry in group:
            others = tuple(Related(other.path, "same title as") for other in group
                           if other is not entry)
            title = entry.record["title"]
            yield ArchiveViolation(entry.path, f"{len(group)} clippings are titled {title!r}",
                                   others[:SHOWN])
