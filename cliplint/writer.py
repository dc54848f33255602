"""Fixing files on disk, and writing them so that a crash never leaves half a file.

Writing (:func:`replace_file`): the new bytes go to a temporary file in the target's own
folder (so the final rename never crosses file systems), get the target's owner, mode
and extended attributes (its POSIX ACL among them: who may read and write it), are
fsync'ed, and ``os.replace`` moves them over the target; the folder is fsync'ed too. When
any of those cannot be kept (a user who may write another user's file but may not chown
it, an attribute only a privileged process may set), the file is left alone: a fix
never changes who may read or write a file. An access ACL that the folder's default ACL
gives new files, and the target does not have, is dropped for the same reason. Right
before the move the target is read again: if it no longer holds the bytes the fix was
computed from (an editor saved meanwhile), it is left alone.

Symlinks are *followed*: the link's final target is rewritten and the link stays a link
pointing at it (replacing the link itself by a regular file would silently detach it).
A target outside the linted tree (``tree``: a clipping linked to ``~/.bashrc``, say) is
refused unless the user allowed it (``fix-outside-tree``, trusted settings only). A file
with several hard links is refused: ``os.replace`` would give this path a new inode and
leave the other names holding the old text. A read-only file (no write permission for us,
or none for anyone, which root would otherwise ignore) is refused too.

Temporary files are named ``.NAME.PID.XXXXXXXX.cliplint-tmp`` (PID: the process writing
it; NAME cut short when the whole would be too long a name). While one exists, Ctrl-C
and SIGTERM wait (they are blocked, then handled once it is renamed into place or
removed): a run interrupted while it writes a file, in its own process or in a worker
process, ends with that file written whole (the main process then waits for its
workers' files: cliplint/cli/__init__.py), and tells which files it had written
(:class:`FixInterrupted`), for ``--fix`` to say. A ``kill -9`` between
creating one and the rename leaves it behind; the next ``--fix`` removes those of
processes that no longer run (:func:`remove_stale_temporaries`) and says so.

Only changed files are written; the bytes come from :func:`cliplint.fixer.fix_document`,
whose edits leave every other character as it was, and are encoded back to UTF-8 (with
the BOM the file had). A file that is not UTF-8, or binary, is never fixed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

from cliplint.budget import within_budget
from cliplint.config import Settings
from cliplint.files import read_clipping
from cliplint.fixer import FixResult, fix_document
from cliplint.linter import decode_clipping, lint_and_record
from cliplint.model import (
    ENGINE_STOPS,
    FIX_REFUSED,
    INTERNAL_ERROR,
    Problem,
    Rule,
    error_text,
    file_problem,
)
from cliplint.runner import map_in_chunks


class WriteError(Exception):
    """The file could not be replaced; it was left as it was."""


class StoppedAfterWriting(KeyboardInterrupt):
    """Ctrl-C or SIGTERM that came while :func:`replace_file` wrote a file, held until
    the file was in place, and raised then: the file *was* replaced (a plain
    ``KeyboardInterrupt`` from it means it was not)."""


class FixInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM that stopped :func:`fix_files` (``cliplint.cli`` tells which
    from the handler that ran, not from this): ``done``, the outcomes of the files it
    fixed before (every file it wrote and knows of is among them, ``written``), and
    ``replaced``, the files a worker process replaced (each whole, fixed) but that the
    signal ended before it said so, by SIGTERM to the whole process group say: what
    fixes they got is not known. No other file was touched."""

    def __init__(self, done: Sequence[FileOutcome], replaced: Sequence[str] = ()) -> None:
        super().__init__()
        self.done = tuple(done)
        self.replaced = tuple(replaced)


@dataclass(frozen=True)
class FileOutcome:
    """What fixing one file did. ``result`` is ``None`` when the file could not be read
    as a clipping, or its fixes could not be written (then ``problems`` are the ones
    still in the file, and a ``fix-refused`` saying why); ``written`` tells whether the
    file on disk changed."""

    path: str
    problems: tuple[Problem, ...]
    result: FixResult | None = None
    written: bool = False
    #: The archive rules' records of the file as it now is (see cliplint/archive.py).
    records: Mapping[str, Any] = field(default_factory=dict)


def fix_file(
    path: str,
    rules: Mapping[str, Rule],
    settings: Settings,
    *,
    unsafe: bool = False,
    write: bool = True,
    with_source: bool = False,
    tree: Sequence[str] | None = None,
    fixed_through: Fixed | None = None,
) -> FileOutcome:
    """Read, fix and (with ``write``) safely rewrite one file; with ``tree`` (resolved
    folders), only when the file, symlinks followed, lies inside one of them. Without
    ``write`` nothing is written, but a fix that would not be is refused all the same.
    ``fixed_through``: the file was fixed through another path already (see
    :func:`fix_files`); this path's fix starts from the bytes that gave, and may not
    change them again."""
    data = read_clipping(path, settings.max_file_size) if fixed_through is None else (
        fixed_through.data)
    if isinstance(data, Problem):
        return FileOutcome(path, (data,))
    outcome = fix_bytes(data, rules, settings, path=path, unsafe=unsafe, with_source=with_source)
    result = outcome.result
    if result is None or not result.changed:
        return outcome
    fixed = FileOutcome(path, outcome.problems, result, written=write, records=result.records)
    # The same checks whether or not the file is written: --diff's patch holds what
    # --fix would write, no more.
    try:
        if tree is not None:
            check_inside(path, tree)
        if fixed_through is not None:
            raise WriteError(f"it was fixed through {fixed_through.path} already, which "
                             "leads to the same file, and this path's settings would "
                             "change it again")
        if write:
            replace_file(path, encode(result), expected=data)
        else:
            replaceable(path)
    except StoppedAfterWriting as stop:
        raise FixInterrupted((fixed,)) from stop
    except WriteError as error:
        # The file keeps its problems, all of them; none was fixed (so no result).
        problem = file_problem(path, FIX_REFUSED, f"fixes not written: {error}")
        document = decode_clipping(data, settings, path=path)
        assert not isinstance(document, Problem)  # it was fixed: it decodes
        left, records = lint_and_record(document, rules, settings, path=path,
                                        with_source=with_source)
        return FileOutcome(path, tuple(sorted(
            (*left, problem), key=lambda p: (p.line, p.column, p.rule, p.message))),
            records=records)
    return fixed


def fix_files(
    paths: Sequence[str],
    rules: Mapping[str, Rule],
    settings: Settings,
    *,
    unsafe: bool = False,
    write: bool = True,
    with_source: bool = False,
    jobs: int = 1,
    tree: Sequence[str] | None = None,
    progress: bool = False,
) -> list[FileOutcome]:
    """Fix many files, in worker processes when there are enough of them; outcomes come
    back in the order of ``paths``. Each file is written by the process that fixed it.
    ``progress``: a progress bar on standard error (:mod:`cliplint.progress`).

    One path per file: a file named by several paths (a symlink and its target, both
    walked) is fixed through the first; the others come after every first path is done,
    in order, each fixed from the bytes the file holds by then (written or, without
    ``write``, as they would be), which a later path may not change again. So two
    workers never fix one file at once (one would find it changed meanwhile), and
    ``--diff`` has one hunk per file, the one ``--fix`` writes.

    Stopped by Ctrl-C or SIGTERM, it raises :class:`FixInterrupted`, saying what it
    did before: the files being fixed are finished first (see :func:`map_in_chunks`)."""
    from cliplint.progress import bar

    work = partial(_fix_paths, rules=rules, settings=settings, unsafe=unsafe, write=write,
                   with_source=with_source, tree=tree)
    keys = [_identity(path) for path in paths]
    first = {key: index for index, key in reversed(list(enumerate(keys))) if key is not None}
    leading = [index for index, key in enumerate(keys) if key is None or first[key] == index]
    outcomes: dict[int, FileOutcome] = {}
    fixed: dict[tuple[int, int], Fixed | None] = {}
    # Stopped early: what the worker processes did that the loop never got.
    unreported: list[FileOutcome] = []
    lost: list[str] = []

    def left(results: list[FileOutcome], paths_lost: list[str]) -> None:
        unreported.extend(results)
        lost.extend(paths_lost)

    try:
        with bar(len(paths), shown=progress) as advance, contextlib.closing(
                map_in_chunks(work, [paths[i] for i in leading], jobs, left=left)) as done:
            for index, outcome in zip(leading, done):
                outcomes[index] = outcome
                advance(1)
            for index, key in enumerate(keys):
                if index in outcomes:
                    continue
                assert key is not None  # only a path with an identity follows another
                earlier = fixed[key] if key in fixed else _fixed(outcomes[first[key]])
                outcomes[index] = fix_file(paths[index], rules, settings, unsafe=unsafe,
                                           write=write, with_source=with_source, tree=tree,
                                           fixed_through=earlier)
                fixed[key] = earlier or _fixed(outcomes[index])
                advance(1)
    except KeyboardInterrupt as stop:
        before = stop.done if isinstance(stop, FixInterrupted) else ()
        raise FixInterrupted((*outcomes.values(), *unreported, *before),
                             _replaced(lost, dict(zip(paths, keys)))) from stop
    return [outcomes[index] for index in range(len(paths))]


def _replaced(paths: Iterable[str], identities: Mapping[str, tuple[int, int] | None]
              ) -> list[str]:
    """The paths whose file is no longer the one ``identities`` saw before the run:
    replaced since (``os.replace`` gives the path a new inode), by a worker's fix."""
    return [path for path in paths
            if identities.get(path) is not None
            and _identity(path) not in (None, identities[path])]


class Fixed(NamedTuple):
    """A file fixed through one of its paths: that path, and the bytes it then holds."""

    path: str
    data: bytes


def _fixed(outcome: FileOutcome) -> Fixed | None:
    """What fixing a file through ``outcome.path`` left in it (or would leave, in a run
    that writes nothing); None when it left the file as it was."""
    result = outcome.result
    return Fixed(outcome.path, encode(result)) if result is not None and result.changed else None


def _identity(path: str) -> tuple[int, int] | None:
    """Which file ``path`` leads to (device and inode, symlinks followed); None when it
    cannot be told (its reading then says why)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _fix_paths(paths: Sequence[str], *, rules: Mapping[str, Rule], settings: Settings,
               unsafe: bool, write: bool, with_source: bool,
               tree: Sequence[str] | None) -> list[FileOutcome]:
    """A chunk's files fixed. Stopped (in the main process: a worker ignores Ctrl-C and
    dies of SIGTERM), it says what it fixed before, as :class:`FixInterrupted`."""
    done: list[FileOutcome] = []
    try:
        for path in paths:
            done.append(fix_file(path, rules, settings, unsafe=unsafe, write=write,
                                 with_source=with_source, tree=tree))
    except KeyboardInterrupt as stop:
        raise FixInterrupted((*done, *(stop.done if isinstance(stop, FixInterrupted)
                                       else ()))) from stop
    return done


def inside(target: str, tree: Sequence[str]) -> bool:
    """Whether a resolved path lies in one of the resolved folders of ``tree``."""
    return any(os.path.commonpath((target, root)) == root for root in tree)


def check_inside(path: str, tree: Sequence[str]) -> None:
    """Raise :class:`WriteError` when ``path`` (symlinks followed) leaves ``tree``."""
    target = os.path.realpath(path)
    if not inside(target, tree):
        raise WriteError(f"it leads to {target}, outside the linted tree (allow that with "
                         "--fix-outside-tree, or fix-outside-tree = true in your user "
                         "configuration)")


def fix_bytes(
    data: bytes,
    rules: Mapping[str, Rule],
    settings: Settings,
    *,
    path: str,
    unsafe: bool = False,
    with_source: bool = False,
) -> FileOutcome:
    """Fix a file's bytes in memory; undecodable or oversized input is one problem, and
    so is running out of the file's time budget (``file-timeout``)."""
    outcome = within_budget(lambda: _fix_in_memory(data, rules, settings, path=path,
                                                   unsafe=unsafe, with_source=with_source),
                            settings.file_timeout, path=path, rules=rules.values())
    return FileOutcome(path, (outcome,)) if isinstance(outcome, Problem) else outcome


def _fix_in_memory(data: bytes, rules: Mapping[str, Rule], settings: Settings, *, path: str,
                   unsafe: bool, with_source: bool) -> FileOutcome:
    document = decode_clipping(data, settings, path=path)
    if isinstance(document, Problem):
        return FileOutcome(path, (document,))
    try:
        result = fix_document(document, rules, settings, path=path, unsafe=unsafe,
                              with_source=with_source)
    except ENGINE_STOPS:
        raise
    except BaseException as error:  # a bug in the fixer or a rule costs one file, not the run
        message = (f"the fixer crashed on this file, nothing written: "
                   f"{error_text(error)}")
        return FileOutcome(path, (file_problem(path, INTERNAL_ERROR, message),))
    return FileOutcome(path, result.problems, result, records=result.records)


def encode(result: FixResult) -> bytes:
    """The bytes to write. UTF-8 decoding is one-to-one, so every character outside the
    edits comes back as the very bytes it was read from."""
    return result.text.encode("utf-8")


#: Write permission for anyone: a file with none is read-only, for root too.
_ANY_WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def replace_file(path: str, data: bytes, *, expected: bytes | None = None) -> None:
    """Atomically replace the file at ``path`` (its symlink target, if it is a link).

    The new file keeps the owner, the mode and the extended attributes (POSIX ACLs
    included) of the old; when one of them cannot be kept, the file is not written.
    With ``expected``, refuse when the file no longer holds those bytes.
    Raises :class:`WriteError`; the file is then untouched and no temporary file is left.
    A Ctrl-C or SIGTERM that comes meanwhile waits until the file is in place, and is
    raised then as :class:`StoppedAfterWriting`.
    """
    target = replaceable(path)
    replaced = False
    try:
        with _signals_held():
            _write_through_temporary(target, data, expected)
            replaced = True
            # (Held still: a file a stopped run reports as fixed has its rename on disk.)
            _fsync_folder(os.path.dirname(target.path) or ".")
    except KeyboardInterrupt as stop:
        if not replaced:  # held while the file was refused (or, on Windows, came early)
            raise
        raise StoppedAfterWriting from stop


class Target(NamedTuple):
    """A file :func:`replace_file` may replace: its path (symlinks followed), what
    ``os.stat`` said of it and its extended attributes, which the new file gets."""

    path: str
    info: os.stat_result
    attributes: dict[str, bytes]


def replaceable(path: str) -> Target:
    """The file at ``path`` (its symlink target) when :func:`replace_file` may replace
    it, as far as can be told without writing; else :class:`WriteError` saying why.
    ``--diff`` asks this too, so that its patch leaves out what ``--fix`` would refuse.
    (Whether the owner and the attributes can be kept shows only on writing.)"""
    target = os.path.realpath(path)
    try:
        info = os.stat(target)
    except OSError as error:
        raise WriteError(f"cannot stat: {error.strerror or error}") from None
    if not stat.S_ISREG(info.st_mode):
        raise WriteError("not a regular file")
    if info.st_nlink > 1:
        raise WriteError(f"the file has {info.st_nlink} hard links; replacing it would "
                         "split them")
    if not info.st_mode & _ANY_WRITE or not os.access(target, os.W_OK):
        # os.replace needs only the folder's permission: without this a file made
        # read-only would be rewritten (and stay read-only), as no editor would save it.
        raise WriteError("the file is read-only")
    attributes = _attributes(target)
    signed = sorted(_CONTENT_SIGNATURES.intersection(attributes))
    if signed:
        # Copied, the old hash would not be the new content's (an IMA-appraising kernel
        # then refuses to open the file); dropped, the file would lose its signature.
        raise WriteError(f"its content is signed ({' and '.join(signed)}: the fix would "
                         "change what is signed); left as it is")
    return Target(target, info, attributes)


#: The signals that end a run cleanly (cliplint/cli/__init__.py): held while a temporary
#: file exists.
_ENDING = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM kept waiting while the block runs (in this thread), then
    handled: raised where the run goes on, with no temporary file behind. (Not on
    Windows, which has no signal mask.)"""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _ENDING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _write_through_temporary(target: Target, data: bytes, expected: bytes | None) -> None:
    """:func:`replace_file`'s writing: a temporary file beside ``target``, renamed over
    it, or removed (whatever is raised)."""
    folder, name = os.path.split(target.path)
    pid = f".{os.getpid()}."
    # Room for the widest process id _TEMPORARY knows, not this one's: the cut name is
    # the same whichever process writes it.
    room = _NAME_MAX - len(".") - len(".123456789.") - _RANDOM - len(TEMPORARY_SUFFIX)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{_cut_to_bytes(name, room)}{pid}",
                                                 suffix=TEMPORARY_SUFFIX, dir=folder or ".")
    except OSError as error:
        raise WriteError(f"cannot create a temporary file in {folder or '.'}: "
                         f"{error.strerror or error}") from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            _keep_attributes(target, stream.fileno())
            os.fsync(stream.fileno())
        if expected is not None and _read(target.path) != expected:
            raise WriteError("the file changed while it was being fixed; left as it is")
        os.replace(temporary, target.path)
    except OSError as error:
        _remove(temporary)
        raise WriteError(f"cannot write: {error.strerror or error}") from None
    except BaseException:  # WriteError; or a signal not held, a file-timeout...
        _remove(temporary)
        raise


def _keep_attributes(target: Target, descriptor: int) -> None:
    """Give the temporary file (open as ``descriptor``) the owner, the mode and the
    extended attributes (POSIX ACLs among them) ``target`` has, or raise
    :class:`WriteError`: a fix that would change who may read or write the file is not
    written. The order matters: chown clears the setuid and setgid bits, so it comes
    before chmod; chmod rewrites an ACL's mask, and setting the ACL sets the group bits,
    so the ACL comes after chmod. The result is checked against the target at the end."""
    info, attributes = target.info, target.attributes
    mode = stat.S_IMODE(info.st_mode)
    owners = hasattr(os, "fchown")  # not on Windows, which has no such owners
    group_kept = True
    owner = _owner(descriptor) if owners else None
    if owners and (info.st_uid, info.st_gid) != owner:
        try:
            os.fchown(descriptor, info.st_uid, info.st_gid)
        except PermissionError as error:
            # Written anyway, the file would become ours: its owner, who may write it
            # now, could not any more (a 664 file of another user, fixed by a member of
            # its group). Only its group may change, when the group is given no more
            # than anyone (a file of ours, of a group we are not in: docker run -u).
            ours = owner is not None and info.st_uid == owner[0]
            if not (ours and _group_grants_nothing(mode, attributes)):
                raise WriteError(f"cannot keep its {'group' if ours else 'owner'} (user "
                                 f"{info.st_uid}, group {info.st_gid}): "
                                 f"{error.strerror or error}; left as it is") from None
            group_kept = False
    if _ACCESS_ACL not in attributes and _attribute(descriptor, _ACCESS_ACL) is not None:
        # Inherited from the folder's default ACL: it would let others in whom the
        # file does not.
        _remove_attribute(descriptor, _ACCESS_ACL)
    os.fchmod(descriptor, mode)
    for name, value in attributes.items():
        _set_attribute(descriptor, name, value)
    result = os.fstat(descriptor)
    if stat.S_IMODE(result.st_mode) != mode:
        raise WriteError(f"cannot keep its mode {mode:04o} (it would be "
                         f"{stat.S_IMODE(result.st_mode):04o}); left as it is")
    if owners and (result.st_uid, result.st_gid if group_kept else info.st_gid) != (
            info.st_uid, info.st_gid):
        raise WriteError(f"cannot keep its owner (user {info.st_uid}, group "
                         f"{info.st_gid}); left as it is")
    for name, value in attributes.items():
        if _attribute(descriptor, name) != value:
            raise WriteError(f"cannot keep its extended attribute {name}: it reads back "
                             "differently; left as it is")


def _group_grants_nothing(mode: int, attributes: Mapping[str, bytes]) -> bool:
    """Whether a file's group may do no more with it than anyone: the group's bits are
    the others', no ACL names more, and no setgid bit gives the group a meaning."""
    return (_ACCESS_ACL not in attributes and not mode & stat.S_ISGID
            and (mode >> 3) & 0o7 == mode & 0o7)


#: The extended attribute that holds a file's POSIX access ACL (Linux).
_ACCESS_ACL = "system.posix_acl_access"
#: The extended attributes that sign a file's content (Linux's integrity subsystems,
#: IMA and EVM): a fix cannot keep them true.
_CONTENT_SIGNATURES = frozenset({"security.ima", "security.evm"})


def _attributes(path: str) -> dict[str, bytes]:
    """The extended attributes of the file at ``path`` that we can see (none where the
    platform or the file system has none); :class:`WriteError` when they cannot be
    read, since they could not be kept."""
    if not hasattr(os, "listxattr"):
        return {}
    try:
        names = os.listxattr(path)
    except OSError as error:
        if error.errno in _NO_ATTRIBUTES:
            return {}
        raise WriteError(f"cannot read its extended attributes: "
                         f"{error.strerror or error}; left as it is") from None
    attributes = {}
    for name in names:
        try:
            attributes[name] = os.getxattr(path, name)
        except OSError as error:
            if error.errno in _NO_ATTRIBUTES:
                continue  # removed meanwhile
            raise WriteError(f"cannot read its extended attribute {name}: "
                             f"{error.strerror or error}; left as it is") from None
    return attributes


def _attribute(descriptor: int, name: str) -> bytes | None:
    if not hasattr(os, "getxattr"):  # (Linux only)
        return None
    try:
        return os.getxattr(descriptor, name)
    except OSError:
        return None


def _set_attribute(descriptor: int, name: str, value: bytes) -> None:
    if _attribute(descriptor, name) == value:
        return  # the system set it so already (a security label): nothing to change
    try:
        os.setxattr(descriptor, name, value)
    except OSError as error:
        raise WriteError(f"cannot keep its extended attribute {name}: "
                         f"{error.strerror or error}; left as it is") from None


def _remove_attribute(descriptor: int, name: str) -> None:
    try:
        os.removexattr(descriptor, name)
    except OSError as error:
        raise WriteError(f"cannot drop the extended attribute {name} its folder gives "
                         f"new files: {error.strerror or error}; left as it is") from None


#: errno values that mean a file has no (such) extended attributes, rather than that
#: they could not be read.
_NO_ATTRIBUTES = {errno.ENOTSUP, errno.ENODATA, getattr(errno, "ENOATTR", errno.ENODATA)}


def remove_stale_temporaries(paths: Iterable[str], tree: Sequence[str] | None) -> list[str]:
    """Remove the temporary files an interrupted ``--fix`` left in the folders of
    ``paths`` (where their fixes would be written; within ``tree`` when given): regular
    files named as :func:`replace_file` names them, whose process no longer runs. Returns
    their paths. (Linting never writes, so only ``--fix`` calls this.)"""
    folders = {os.path.dirname(os.path.realpath(path)) for path in paths}
    removed = []
    for folder in sorted(folders):
        if tree is not None and not inside(folder, tree):
            continue
        try:
            entries = [entry for entry in os.scandir(folder)
                       if entry.name.endswith(TEMPORARY_SUFFIX)]
        except OSError:
            continue
        for entry in entries:
            match = _TEMPORARY.fullmatch(entry.name)
            if match is None or not entry.is_file(follow_symlinks=False):
                continue
            if _running(int(match["pid"])):
                continue  # another run is writing it right now
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(entry.path)
    return removed


TEMPORARY_SUFFIX = ".cliplint-tmp"
#: ``.NAME.PID.XXXXXXXX.cliplint-tmp``; tempfile's random part is 8 of [a-z0-9_].
_TEMPORARY = re.compile(r"\..+\.(?P<pid>[0-9]{1,9})\.[a-z0-9_]{8}" + re.escape(TEMPORARY_SUFFIX))
#: The longest file name, in bytes, that the usual file systems take (ext4, XFS, Btrfs,
#: APFS): a temporary name must fit in it too.
_NAME_MAX = 255
#: The length of tempfile's random part.
_RANDOM = 8


def _cut_to_bytes(name: str, limit: int) -> str:
    """``name``, its end cut off so that it takes at most ``limit`` bytes on disk (whole
    characters): a temporary name holds the target's name, and with a name as long as
    the file system allows (255 bytes, which path-portability accepts) it was too long
    to be made, and the file could never be fixed."""
    while len(os.fsencode(name)) > limit:
        name = name[:-1]
    return name


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:  # signal 0: only asks whether the process exists (pid 0, our group, does)
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: it runs
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Whether the process has ended and waits to be reaped: a worker killed with its
    main process stays a zombie until an init process reaps it, which some containers'
    first process never does. (Linux; elsewhere False.)"""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            state = stream.read().rpartition(b")")[2].split()[:1]
    except OSError:
        return False
    return state in ([b"Z"], [b"X"])


def _owner(descriptor: int) -> tuple[int, int]:
    info = os.fstat(descriptor)
    return info.st_uid, info.st_gid


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError:
        return None


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _fsync_folder(folder: str) -> None:
    # So the rename itself survives a power cut; not possible everywhere (Windows).
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
