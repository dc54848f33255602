"""Turning command-line paths into the files to lint, and reading them safely."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence

from cliplint.config import Settings, relative_posix
from cliplint.model import FILE_UNREADABLE, Problem, file_problem, too_large


def iter_files(paths: Sequence[str], settings: Settings) -> Iterator[str]:
    """Files named on the command line are taken as they are; folders are walked for
    files matching ``include`` and not ``exclude`` (symlinked folders are not followed).
    Each file once, yielded as the folders are walked."""
    seen: set[str] = set()
    last = len(paths) - 1
    for index, path in enumerate(paths):
        for candidate in _walk(path, settings) if os.path.isdir(path) else [path]:
            # One path's files are distinct; a file is repeated only by another path that
            # overlaps it. So the last path's files need not be remembered: one folder
            # of any size needs no memory per file.
            key = os.path.normcase(os.path.abspath(candidate))
            if key not in seen:
                if index < last:
                    seen.add(key)
                yield candidate


def _walk(folder: str, settings: Settings) -> Iterator[str]:
    for path, _ in walk_relative(folder, settings):
        yield path


def walk_relative(folder: str, settings: Settings,
                  configurations: dict[str, Settings] | None = None) -> Iterator[tuple[str, str]]:
    """The files to lint under ``folder``, each as a path (``folder`` joined with the rest)
    and relative to ``folder`` with ``/`` separators, in a stable order. Given a dict as
    ``configurations``, fills it with the settings each folder walked resolved to."""
    start = len(folder.rstrip(os.sep)) + 1
    for root, folders, names in os.walk(folder):
        local = settings.for_folder(root)  # the folder's nearest configuration's
        if configurations is not None:
            configurations[root] = local
        # A folder's relative path is worked out once (pathlib is slow enough to show per
        # file); its entries' are that and their name, as relative_posix would give them.
        inside = relative_posix(root, local.root)
        prefix = "" if inside == "." else inside.rstrip("/") + "/"
        # Below the first folder every part above an entry has passed the exclude
        # patterns already: only the entry's own name and whole path are left to match
        # (unless the folder has a configuration of its own).
        excludes = local.excludes_entry if root != folder and local is settings else (
            lambda prefix, name, local=local: local.excludes(prefix + name))
        folders[:] = sorted(f for f in folders if not excludes(prefix, f))
        below = root[start:].replace(os.sep, "/") + "/" if root != folder else ""
        for name in sorted(names):
            if not local.includes_name(name):  # is_included(path), without the path work
                continue
            if not excludes(prefix, name):
                yield os.path.join(root, name), below + name


def read_clipping(path: str, max_size: int) -> bytes | Problem:
    """The file's bytes, or the problem that stands in for them."""
    read = read_with_stat(path, max_size)
    return read if isinstance(read, Problem) else read[0]


def read_with_stat(path: str, max_size: int) -> tuple[bytes, os.stat_result] | Problem:
    """``read_clipping``, with the file's status as it was before it was read (a file that
    changes while it is read then looks changed next time, never unchanged)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return file_problem(path, FILE_UNREADABLE, "not a regular file")
        if info.st_size > max_size:
            return too_large(path, info.st_size, max_size)
        with open(path, "rb") as stream:
            return stream.read(), info
    except OSError as error:
        return file_problem(path, FILE_UNREADABLE, f"cannot read: {error.strerror or error}")
