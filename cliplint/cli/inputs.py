"""What a run works on: the files under the paths named, or the clipping on standard
input."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TextIO, TypeVar

from cliplint.cli import MissingPaths, UsageError
from cliplint.streams import pass_through, read_at_most, say

if TYPE_CHECKING:
    from cliplint.cli.context import RunContext
    from cliplint.config import Settings
    from cliplint.model import Problem

_T = TypeVar("_T")


def inputs(run: RunContext, links: set[str] | None = None) -> tuple[str | None, list[str]]:
    """What to work on: the name of the clipping on standard input, or the files
    (``links`` as in :func:`lazy_inputs`)."""
    stdin_name, files = lazy_inputs(run, links)
    return stdin_name, list(files)


def lazy_inputs(run: RunContext,
                links: set[str] | None = None) -> tuple[str | None, Iterator[str]]:
    """``inputs``, the files found as they are needed (a streamed report need not hold
    a list of them all). Given a set as ``links``, the files found that are symlinks
    are added to it as they are found (:func:`cliplint.files.iter_files`)."""
    from cliplint.files import iter_files

    paths = run.paths
    if "-" in paths:
        if len(paths) > 1:
            raise UsageError("'-' (standard input) cannot be mixed with other paths")
        return run.options.stdin_filename or "-", iter(())
    refuse_missing(paths)
    return None, warn_if_none(iter_files(paths, run.settings, links), paths, run.settings)


def refuse_missing(paths: Iterable[str]) -> None:
    """A usage error naming the local paths where nothing is, by what the system says
    (``path does not exist: nope.md; not a folder (...): a.md/``)."""
    from cliplint.files import why_missing

    missing: dict[str, list[str]] = {}
    for path in paths:
        why = why_missing(path)
        if why is not None:
            missing.setdefault(why, []).append(path)
    if missing:
        raise MissingPaths(missing)


def warn_if_none(found: Iterator[_T], paths: Sequence[str], settings: Settings) -> Iterator[_T]:
    """``found`` as it comes; a warning at the end when it was empty."""
    anything = False
    for item in found:
        anything = True
        yield item
    if not anything and paths:
        say(f"warning: no clippings found under {some(paths)} "
            f"(include: {some(settings.include)})")


def some(items: Sequence[str], most: int = 10) -> str:
    """The first ``most`` of ``items``, and how many there are when that is not all:
    200,000 include globs made a warning of 1.9 MB."""
    shown = ", ".join(items[:most])
    return shown if len(items) <= most else f"{shown}, ... ({len(items):,} in all)"


def standard_input() -> TextIO:
    """Standard input, for ``-`` and ``--paths-from -``; a usage error when it was closed
    before Python started (``<&-``)."""
    if sys.stdin is None:
        raise UsageError("standard input is closed: '-' reads from it")
    if isinstance(sys.stdin, io.TextIOWrapper) and sys.stdin.errors != "surrogateescape":
        # A name that is not UTF-8 is kept as its bytes, as a manifest file's and the
        # command line's are, whatever the locale: Python reads standard input so only
        # under the C or POSIX locale or in UTF-8 mode, strictly under en_US.UTF-8 (a
        # crash, exit 3). A clipping on standard input is read as bytes.
        sys.stdin.reconfigure(errors="surrogateescape")
    return sys.stdin


def read_stdin(limit: int) -> tuple[bytes, bool]:
    """Standard input, and whether that is all of it: reading stops past ``limit`` bytes
    (max-file-size), as it might never end (``< /dev/zero``)."""
    return read_at_most(standard_input().buffer, limit)


def pass_stdin_through(head: bytes) -> None:
    """Hand standard input (``head`` already read) back on standard output untouched,
    however long it is."""
    pass_through(head, standard_input().buffer, sys.stdout.buffer)


def stdin_too_large(name: str, limit: int) -> Problem:
    from cliplint.model import FILE_TOO_LARGE, file_problem

    return file_problem(name, FILE_TOO_LARGE, f"standard input is over max-file-size "
                        f"({limit:,} bytes); skipped", severity="warning")
