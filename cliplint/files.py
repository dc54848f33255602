"""Turning command-line paths into the files to lint, and reading them safely."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from operator import attrgetter

from cliplint.config import Settings
from cliplint.model import FILE_UNREADABLE, Problem, file_problem, too_large
from cliplint.paths import relative_posix


def iter_files(paths: Sequence[str], settings: Settings,
               links: set[str] | None = None) -> Iterator[str]:
    """Files named on the command line are taken as they are; folders are walked for
    files matching ``include`` and not ``exclude`` nor ignored by git
    (``respect-gitignore``: :mod:`cliplint.gitignore`; symlinked folders are not followed,
    nor symlinked files that lead out of the tree: :func:`leads_outside`). Each file
    once, yielded as the folders are walked. A folder the walk cannot enter is yielded
    in its files' stead, as a file would be: reading it reports why (see
    :func:`read_with_stat`), as a check that left it out must not pass. Given a set as
    ``links``, adds to it each file the walks found that is a symlink, and each file
    yielded from a path that passes one (``cur/x.md``, or the folder ``cur``, with ``cur
    -> 2024``: :func:`passes_link`), as yielded (the archive rules' engine tells one file
    under two names from two files by it)."""
    seen: set[str] = set()
    last = len(paths) - 1
    for index, path in enumerate(paths):
        # (asked once a path: its files are not symlinks, but their names are second ones)
        linked = links if links is not None and passes_link(path) else None
        for candidate in _walk(path, settings, links) if os.path.isdir(path) else [path]:
            # One path's files are distinct; a file is repeated only by another path that
            # overlaps it. So the last path's files need not be remembered: one folder
            # of any size needs no memory per file.
            key = file_key(candidate)
            if key not in seen:
                if index < last:
                    seen.add(key)
                if linked is not None:
                    linked.add(candidate)
                yield candidate


def passes_link(path: str) -> bool:
    """Whether ``path`` is a symlink or passes one on its way (its real path is not its
    absolute one). The working folder's own path is taken as the system gives it, with
    its symlinks resolved: only those in ``path`` as written count, or, for an absolute
    path, any above it too."""
    return os.path.normcase(os.path.realpath(path)) != file_key(path)


#: Why nothing is at a path, as :func:`why_missing` says it.
NO_SUCH_PATH = "path does not exist"
NOT_A_FOLDER = "not a folder (a file's name followed by '/')"


def why_missing(path: str) -> str | None:
    """Why nothing is at ``path``, as far as the system says; None when something is: a
    name in a folder that cannot be entered may be there, and is not missing (reading it
    reports why it cannot be read), where ``os.path.lexists`` says False."""
    try:
        os.lstat(path)
    except PermissionError:
        return None
    except NotADirectoryError:  # "a.md/", "a.md/x": the file is there, not as a folder
        return NOT_A_FOLDER
    except (OSError, ValueError):  # (ValueError: a NUL in the name)
        return NO_SUCH_PATH
    return None


def file_key(path: str) -> str:
    """What a local file is known by when the same file is named twice: ``a.md``,
    ``./a.md`` and ``sub/../a.md`` (or ``A.md`` where case does not matter) are one."""
    return os.path.normcase(os.path.abspath(path))


def _walk(folder: str, settings: Settings, links: set[str] | None) -> Iterator[str]:
    for current, _, entries in _walk_folders(folder, settings):
        if entries is None:
            yield current
        else:
            for entry in entries:
                # (the listing asked already: no system call)
                if links is not None and is_link(entry):
                    links.add(entry.path)
                yield entry.path


def walk_entries(folder: str, settings: Settings,
                 configurations: dict[str, Settings] | None = None
                 ) -> Iterator[tuple[str, list[os.DirEntry[str]]]]:
    """The files to lint under ``folder``, a folder at a time in a stable order (a folder's
    files, then each of its folders', by name): the folder's path relative to ``folder``
    (``""``, or with ``/`` separators and a final ``/``) and its files, whose ``path`` is
    ``folder`` joined with the rest and whose ``stat()`` needs no other path look-up.
    As ``os.walk`` walks: a folder that cannot be listed or entered is skipped, a
    symlinked folder is not followed. Given a dict as ``configurations``, fills it with
    the settings each folder walked resolved to."""
    for _, below, entries in _walk_folders(folder, settings, configurations):
        if entries is not None:
            yield below, entries


def _walk_folders(folder: str, settings: Settings,
                  configurations: dict[str, Settings] | None = None
                  ) -> Iterator[tuple[str, str, list[os.DirEntry[str]] | None]]:
    """:func:`walk_entries`, each folder with its path, and a folder that cannot be
    listed, or whose configuration cannot be checked, with None for its files."""
    # Folders still to list on a stack, not by recursion: a tree may nest deeper than
    # Python's recursion limit.
    ignored = _git_ignored(folder, settings)
    waiting = [(folder, "")]
    while waiting:
        current, below = waiting.pop()
        listed = _list_folder(folder, current, below, settings, configurations, ignored)
        if listed is None:
            yield current, below, None
        else:
            files, folders = listed
            yield current, below, files
            waiting.extend(reversed(folders))


#: Given a folder's entries, what git ignores below the walked folder (paths relative to
#: it, a folder's with a final ``/``): :func:`_git_ignored`.
Ignored = Callable[[Sequence[os.DirEntry[str]]], frozenset[str]]


def _git_ignored(folder: str, settings: Settings) -> Ignored | None:
    """What git ignores below ``folder``, asked of git once, when the first pattern file
    that can apply is known (:mod:`cliplint.gitignore`): at once when one applies from
    above, else when the walk lists a folder holding a ``.gitignore``. None outside a
    git work tree, or with respect-gitignore off. When git cannot say, nothing is left
    out, and the user is told why."""
    top = git_top(folder) if settings.respect_gitignore else None
    if top is None:
        return None
    from cliplint import gitignore

    answer: frozenset[str] | None = None

    def ask() -> frozenset[str]:
        asked = settings.git_answers
        key = os.path.abspath(folder)
        if key not in asked:
            asked[key] = gitignore.ask_git(folder, top)
            if asked[key].failure is not None:
                from cliplint.streams import say

                say(f"warning: .gitignore not applied under {folder}: {asked[key].failure}")
        return asked[key].paths

    if gitignore.patterns_apply(folder, top):
        answer = ask()

    def ignored(entries: Sequence[os.DirEntry[str]]) -> frozenset[str]:
        nonlocal answer
        if answer is None and gitignore.holds_gitignore(entries):
            answer = ask()
        return answer or frozenset()

    return ignored


def _list_folder(top: str, folder: str, below: str, settings: Settings,
                 configurations: dict[str, Settings] | None, ignored: Ignored | None
                 ) -> tuple[list[os.DirEntry[str]], list[tuple[str, str]]] | None:
    """A folder's files to lint and its folders to walk (each as ``(path, below)``), by
    name, without what git ignores (``ignored``); None when it cannot be listed, or may
    be listed but not entered to look for its own configuration (which files it would
    lint is then unknown)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=attrgetter("name"))
    except OSError:
        return None
    local = settings.for_folder(folder)  # the folder's nearest configuration's
    if settings.folder_unchecked(folder):
        return None
    if configurations is not None:
        configurations[folder] = local
    files: list[os.DirEntry[str]] = []
    folders: list[os.DirEntry[str]] = []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
            # (asked here, in the loop every entry takes: a call a file showed in a walk)
            if not is_folder and entry.is_symlink() and leads_outside(entry.path, top,
                                                                      settings):
                continue
        except OSError:  # as os.path.isdir says
            is_folder = False
        (folders if is_folder else files).append(entry)
    # A folder's relative path is worked out once (pathlib is slow enough to show per
    # file); its entries' are that and their name, as relative_posix would give them.
    inside = relative_posix(folder, local.root)
    prefix = "" if inside == "." else inside.rstrip("/") + "/"
    # Below the first folder every part above an entry has passed the exclude patterns
    # already: only the entry's own name and whole path are left to match (unless the
    # folder has a configuration of its own).
    excludes = local.excludes_entry if folder != top and local is settings else (
        lambda prefix, name, local=local: local.excludes(prefix + name))
    included = local.includes_name  # is_included(path), without the path work
    kept = [entry for entry in files if included(entry.name) and not excludes(prefix, entry.name)]
    walked = [entry for entry in folders if not excludes(prefix, entry.name) and not is_link(entry)]
    left_out = frozenset() if ignored is None else ignored(entries)
    if left_out:  # (git ignores nothing: no entry asked)
        kept = [entry for entry in kept if below + entry.name not in left_out]
        walked = [entry for entry in walked if f"{below}{entry.name}/" not in left_out]
    return kept, [(entry.path, f"{below}{entry.name}/") for entry in walked]


def leads_outside(link: str, top: str, settings: Settings) -> bool:
    """Whether a symlinked file the walk meets leads out of the walked folder, the
    project's (where the configuration file found for the run is) and the git work
    tree holding it: the walk does not follow it, as it follows no symlinked folder.
    A tree under review (a pull request's, in CI) could hold ``x.md ->
    /proc/self/environ`` or a key file, whose lines the report, its annotations and
    ``--show-source`` would quote. (A file named
    on the command line is read wherever it leads: that is the user's choice; and the
    user's ``--fix-outside-tree``, which lets ``--fix`` write through such links, lets
    the walk follow them.)"""
    if settings.fix_outside_tree:
        return False  # the user's own trust (--fix-outside-tree): as --fix writes through
    target = os.path.realpath(link)
    # (the work tree's top too: `cliplint feed other` follows what `cliplint .` follows)
    roots = [top, settings.project_folder, git_top(top)]
    for root in filter(None, roots):
        real = os.path.realpath(root)
        try:
            if os.path.commonpath([real, target]) == real:
                return False
        except ValueError:  # another drive (Windows)
            continue
    return True


def git_top(folder: str) -> str | None:
    """The top of the git work tree holding ``folder``, if any."""
    current = os.path.abspath(folder)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def is_link(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is a symlink (a folder the walk does not follow; a file the
    archive rules' engine looks behind: cliplint/archive.py)."""
    try:
        return entry.is_symlink()
    except OSError:  # as os.path.islink says
        return False


def read_clipping(path: str, max_size: int) -> bytes | Problem:
    """The file's bytes, or the problem that stands in for them."""
    read = read_with_stat(path, max_size)
    return read if isinstance(read, Problem) else read[0]


def read_with_stat(path: str, max_size: int) -> tuple[bytes, os.stat_result] | Problem:
    """``read_clipping``, with the file's status as it was before it was read (a file that
    changes while it is read then looks changed next time, never unchanged)."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            return file_problem(path, FILE_UNREADABLE, _folder_unread(path))
        if not stat.S_ISREG(info.st_mode):
            return file_problem(path, FILE_UNREADABLE, "not a regular file")
        if info.st_size > max_size:
            return too_large(path, info.st_size, max_size)
        return read_to_end(path, info.st_size), info
    except OSError as error:
        return file_problem(path, FILE_UNREADABLE, f"cannot read: {error.strerror or error}")


def _folder_unread(path: str) -> str:
    """Why a folder stands where a file was to be read: the walk gave it in its files'
    stead as it cannot be listed or entered (a folder named in a manifest is neither)."""
    unchecked = "; none of the clippings in it were checked"
    try:
        with os.scandir(path):
            pass
    except OSError as error:
        return f"cannot list the folder: {error.strerror or error}{unchecked}"
    try:  # leave to enter it (``x``), which reading a file in it needs
        os.stat(os.path.join(path, os.curdir))
    except OSError as error:
        return f"cannot enter the folder: {error.strerror or error}{unchecked}"
    return "a folder, not a file (a manifest's folders are not walked: list their files)"


#: What each read asks for once the size the file's status gave has been read (it grew).
_MORE = 1 << 16


def read_to_end(path: str, size: int) -> bytes:
    """The bytes of the file at ``path``, as ``open(path, "rb").read()`` gives them, with
    ``size`` (its status's) the first read's size. ``open`` builds a buffered reader and
    asks the system whether the file is a terminal and its block size before the first
    byte is read: some 5 us a file, a fifth of reading a clipping. Read on until the end
    whatever ``size`` says (the file may have grown since its status was taken)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = [os.read(descriptor, size + 1)]
        while chunks[-1]:
            chunks.append(os.read(descriptor, _MORE))
    finally:
        os.close(descriptor)
    return chunks[0] if len(chunks) == 2 else b"".join(chunks)
