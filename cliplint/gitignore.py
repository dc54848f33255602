"""Which files git ignores, as a folder's walk meets them (``respect-gitignore``).

As ruff does (``respect-gitignore``, on by default), a walk inside a git work tree leaves
out what git ignores. Git itself is asked, once a walk, so its answer is git's by
definition (nested ``.gitignore`` files, ``.git/info/exclude``, ``core.excludesFile``,
``core.ignorecase``, every corner of its pattern language): ``git ls-files --others
--ignored --exclude-standard --directory`` in the walked folder lists the entries it
ignores there, an ignored folder once (with a final ``/``), which the walk then does not
enter. A file git tracks is never listed, so it is walked though a pattern matches it:
committed files are the archive.

Git is asked only when a pattern file of the work tree can apply: a ``.gitignore`` in the
walked folder or above it up to the work tree's top, a pattern in ``info/exclude``, or a
``.gitignore`` the walk meets (each folder's entries are listed before its files are
given, so a file given before lies where no ``.gitignore`` reaches). Asking costs a
subprocess that reads git's whole index (70 ms for 30,000 tracked files), which a walk
of a work tree without patterns does not pay; the user's global excludes then do not
apply either.

When git cannot answer (not installed, a ``.git`` that is no repository, a
``safe.directory`` refusal) every file is walked, as before, and the run says why once.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Sequence
from operator import attrgetter
from typing import NamedTuple

GITIGNORE = ".gitignore"
#: Seconds git is given to answer (it reads the index and lists the untracked folders).
GIT_TIMEOUT = 60
#: Variables that would point git at another repository than the walked folder's (a
#: hook runs with some of them set, relative to its own working folder).
_REPOSITORY_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR",
                         "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE", "GIT_PREFIX",
                         "GIT_DISCOVERY_ACROSS_FILESYSTEM")


class GitAnswer(NamedTuple):
    """What git ignores below a walked folder: ``paths`` relative to it, with ``/``
    separators and a final ``/`` for a folder; ``failure``, when git could not say, why."""

    paths: frozenset[str]
    failure: str | None = None


def patterns_apply(folder: str, top: str) -> bool:
    """Whether a pattern file of the work tree at ``top`` applies to ``folder`` as a walk
    of it starts: a ``.gitignore`` there or in a folder above it up to the top, or a
    pattern in the repository's ``info/exclude`` (git writes only comments there)."""
    if any(os.path.lexists(path) for path in _gitignores_down_to(folder, top)):
        return True
    exclude = _exclude_file(top)  # (a .git file is read only then)
    return exclude is not None and _holds_pattern(exclude)


def pattern_files(folder: str, top: str | None) -> list[str]:
    """The paths of the pattern files that apply from above as a walk of ``folder``
    starts, there or not (``top``: the work tree's, None outside one): those
    :func:`patterns_apply` looks at. --watch watches for them: one added, changed or
    taken away changes what the walk takes."""
    if top is None:
        return []
    exclude = _exclude_file(top)
    return [*([] if exclude is None else [exclude]), *_gitignores_down_to(folder, top)]


def _gitignores_down_to(folder: str, top: str) -> list[str]:
    """The ``.gitignore`` of each folder from the work tree's ``top`` down to ``folder``
    (below it), there or not."""
    relative = os.path.relpath(os.path.abspath(folder), top)
    names = [] if relative == os.curdir else relative.split(os.sep)
    return [os.path.join(top, *names[:depth], GITIGNORE) for depth in range(len(names) + 1)]


def _exclude_file(top: str) -> str | None:
    """The repository's ``info/exclude`` for the work tree at ``top`` (:func:`_git_folder`),
    normalised as a watcher names a file (a ``.git`` file may name its folder with ``..``);
    None when there is no git folder."""
    git = _git_folder(top)
    return None if git is None else os.path.normpath(os.path.join(git, "info", "exclude"))


def ask_git(folder: str, top: str) -> GitAnswer:
    """What git ignores below ``folder`` (in the work tree at ``top``). Nothing when the
    folder itself is one git ignores (git lists it as ``./``) or lies in one: a folder
    named is walked whole, as a file named is linted. Nothing, with why, when git cannot
    say."""
    listed = _git(folder, top, "ls-files", "-z", "--others", "--ignored",
                  "--exclude-standard", "--directory")
    if isinstance(listed, bytes):
        return GitAnswer(frozenset(os.fsdecode(path) for path in listed.split(b"\0") if path))
    # (git refuses to list a folder inside an ignored one: "not superset of prefix")
    if _git(folder, top, "check-ignore", "-q", ".") == b"":
        return GitAnswer(frozenset())
    return GitAnswer(frozenset(), listed)


def git_ignores(path: str, top: str) -> bool:
    """Whether git ignores ``path`` in the work tree at ``top`` (a file it tracks it does
    not; when git cannot say, it does not)."""
    relative = os.path.relpath(os.path.abspath(path), top)
    return _git(top, top, "check-ignore", "-q", "--", relative) == b""


def listed(answer: GitAnswer, relative: str) -> bool:
    """Whether git's ``answer`` for a walked folder leaves out ``relative`` (below that
    folder, ``/`` separators): it lists the path, or a folder it lies in. (A path made
    since git was asked is not listed: a walk of it would ask again.)"""
    paths = answer.paths
    if not paths:
        return False
    if relative in paths or f"{relative}/" in paths:
        return True
    parts = relative.split("/")
    return any("/".join(parts[:end]) + "/" in paths for end in range(1, len(parts)))


def _git(folder: str, top: str, *arguments: str) -> bytes | str:
    """Git's standard output for ``arguments`` run in ``folder``, or why it failed. Git
    looks for the repository no higher than ``top``: a ``.git`` there that is none (a
    benchmark's empty folder) is not passed over for one above it."""
    import subprocess  # (only to ask git: a walk of a work tree without patterns does not)

    env = {name: value for name, value in os.environ.items()
           if name not in _REPOSITORY_VARIABLES}
    env.update(GIT_OPTIONAL_LOCKS="0", GIT_CEILING_DIRECTORIES=os.path.dirname(top),
               LC_ALL="C")
    index = _hook_index(top)
    if index is not None:
        env["GIT_INDEX_FILE"] = index
    try:
        done = subprocess.run(["git", "-C", folder, *arguments], stdin=subprocess.DEVNULL,
                              capture_output=True, env=env, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        return "git is not installed"
    except subprocess.TimeoutExpired:
        return f"git did not answer in {GIT_TIMEOUT} seconds"
    except OSError as error:
        return f"git could not be run: {error.strerror or error}"
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"git {arguments[0]} failed: {said[0] if said else f'exit {done.returncode}'}"
    return done.stdout


def _hook_index(top: str) -> str | None:
    """The index git gave a hook of the work tree at ``top`` (``GIT_INDEX_FILE``: during
    ``git commit FILE``, a temporary index, the one the commit is made of), when it is
    one of that repository's: what is tracked, and so kept, is what the commit holds.
    Any other index (relative to the hook's folder, another repository's) is not used."""
    index = os.environ.get("GIT_INDEX_FILE", "")
    git = _git_folder(top) if os.path.isabs(index) else None
    if git is None:
        return None
    home = os.path.realpath(git)
    return index if os.path.commonpath([os.path.realpath(index), home]) == home else None


def _holds_pattern(path: str) -> bool:
    """Whether the pattern file at ``path`` holds a line other than a comment."""
    try:
        with open(path, "rb") as lines:
            return any(line.strip() and not line.startswith(b"#") for line in lines)
    except OSError:
        return False


def _git_folder(top: str) -> str | None:
    """The git folder that holds the work tree's ``info``: its ``.git``, or the one a
    ``.git`` file names (a linked work tree's, a submodule's), or the ``commondir`` that
    one names in turn (a linked work tree's ``info`` is its repository's)."""
    git = os.path.join(top, ".git")
    if os.path.isdir(git):
        return git
    named = _named_folder(git, top)
    if named is None:
        return None
    return _named_folder(os.path.join(named, "commondir"), named, prefix="") or named


def _named_folder(path: str, base: str, prefix: str = "gitdir:") -> str | None:
    """The folder a small git file at ``path`` names after ``prefix`` (relative to
    ``base``), None when it cannot be read or names none."""
    try:
        with open(path, "rb") as small:
            text = os.fsdecode(small.read(4096))
    except (OSError, ValueError):
        return None
    if not text.startswith(prefix):
        return None
    named = text[len(prefix):].strip()
    return os.path.join(base, named) if named else None


def holds_gitignore(entries: Sequence[os.DirEntry[str]]) -> bool:
    """Whether a folder's entries, sorted by name, hold a ``.gitignore`` (a look-up by
    bisection: a folder of thousands of clippings is not gone through for it)."""
    place = bisect_left(entries, GITIGNORE, key=attrgetter("name"))
    return place < len(entries) and entries[place].name == GITIGNORE
