"""A baseline: the problems an archive already has, so that only new ones are reported.

A big archive adopts cliplint without first fixing 60,000 old files:
``cliplint --write-baseline FILE`` records today's problems, ``cliplint --baseline FILE``
then reports only the problems that are not in it.

A problem is identified by its path (relative to the baseline file's folder, so the
baseline works from any working folder), its rule, and a *fingerprint*: a hash of the
rule, the message, the text around the problem on its own line, and an occurrence
counter among the problems of that file with the same three. Line and column numbers
are not part of it, so adding or removing lines above an old problem, or text elsewhere
on its line, leaves it suppressed; editing the text right around it makes it new. Two
identical problems on identical lines are told apart by the counter only, so a new copy
inserted above an old one is reported in the old one's place (the count stays right).

The same fingerprints go into SARIF ``partialFingerprints`` and GitLab Code Quality
``fingerprint``, so dashboards track a problem across runs the same way.

The file is JSON, one entry per line and sorted, so that a baseline diffs well in git::

    {
      "version": 1,
      "tool": "cliplint 0.2.0",
      "problems": [
        {"path": "BBC/1.md", "rule": "title-link", "fingerprint": "9c0d…", "message": "…"},
        {"path": "BBC/2.md", "rule": "mypack/links", "online": true, "fingerprint": "…", …},
        …
      ]
    }

``"online": true`` marks a problem a rule's online step found (``--online``), which a run
without --online cannot tell fixed (the step shares the rule's id); an entry without it
(every entry of a baseline written before it existed) is one the rule found in the file.

Everything here is a pure function but ``read_file`` and ``write_file``, the file's
input and output, and ``relative_path``, which asks the system for the working folder
and, for a path that leads out of the baseline's folder, for its symlinks.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import NamedTuple

from cliplint import __version__
from cliplint.json_text import parse_json
from cliplint.model import INTERNAL_ERROR, Problem
from cliplint.streams import open_for_writing, read_bounded, utf8_encodable

BASELINE_VERSION = 1
#: Code points of the problem's line kept on each side of it in the fingerprint: enough to
#: tell two problems on one long body line apart, little enough that an unrelated edit
#: elsewhere on that line does not make an old problem new.
CONTEXT = 32
#: A long span (a whole unclosed element) is fingerprinted by its first code points only.
MAX_SPAN = 120
#: The largest baseline ``--baseline`` reads: an entry is some 330 bytes (oped2's 4,079
#: problems: 1.3 MB), so room for 1.6 million problems, where a stray file of
#: gigabytes, read whole, filled the memory.
LARGEST_BASELINE = 512 << 20
#: Never baselined: a crash must always be seen.
NEVER_BASELINED = frozenset({INTERNAL_ERROR})


class BaselineError(Exception):
    """The baseline file cannot be read or is not a cliplint baseline."""


class Check(NamedTuple):
    """What finds a rule's problems: the rule reading the file, or its online step
    (``online``), which asks the network under the same rule id."""

    rule: str
    online: bool = False


@dataclass(frozen=True)
class Entry:
    """One recorded problem. ``message`` is for the people reading the file; ``online``:
    the rule's online step found it (:attr:`cliplint.model.Problem.online`)."""

    path: str
    rule: str
    fingerprint: str
    message: str = ""
    online: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.rule, self.fingerprint)

    @property
    def check(self) -> Check:
        return Check(self.rule, self.online)


@dataclass(frozen=True)
class Baseline:
    entries: tuple[Entry, ...]

    def keys(self) -> frozenset[tuple[str, str, str]]:
        return frozenset(entry.key for entry in self.entries)


def context(problem: Problem) -> str:
    """The text around a problem on its line. Needs ``problem.source`` (lint with
    ``with_source=True``); without it the fingerprint rests on rule and message alone."""
    line = problem.source  # may be an excerpt of the line, from problem.source_column
    if line is None:
        return ""
    start = problem.column - problem.source_column
    end = (problem.end_column - problem.source_column if problem.end_line == problem.line
           else len(line))
    end = min(max(end, start), start + MAX_SPAN)
    return line[max(0, start - CONTEXT) : end + CONTEXT]


def fingerprints(problems: Sequence[Problem]) -> list[str]:
    """One fingerprint per problem, in the order given. Problems of one file must come
    in the order of their position (as the linter returns them): the occurrence counter
    counts in that order."""
    seen: Counter[tuple[str, str, str, str]] = Counter()
    result = []
    for problem in problems:
        key = (problem.path, problem.rule, problem.message, context(problem))
        occurrence = seen[key]
        seen[key] += 1
        digest = hashlib.sha256()
        for part in (problem.rule, problem.message, key[3], str(occurrence)):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        result.append(digest.hexdigest()[:32])
    return result


def relative_path(path: str, base: str) -> str:
    """``path`` relative to the folder ``base``, with ``/`` separators: how a baseline
    names files wherever cliplint is run from. As named (a folder named through a
    symlink keeps its name), unless that leads out of ``base`` and the path with its
    folders' symlinks resolved does not: relative paths start from the working folder
    the system gives, resolved, while ``base`` may be named through a symlink, as
    ``--baseline "$PWD/b.json"`` is in a shell that entered the folder through one."""
    absolute = os.path.abspath(path)
    relative = _relative(absolute, os.path.abspath(base))
    if _leads_out(relative):
        real = os.path.join(os.path.realpath(os.path.dirname(absolute)),
                            os.path.basename(absolute))  # (a symlinked file keeps its name)
        resolved = _relative(real, os.path.realpath(base))
        if not _leads_out(resolved):
            relative = resolved
    return PurePath(relative).as_posix()


def _relative(path: str, base: str) -> str:
    try:
        return os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return path


def _leads_out(relative: str) -> bool:
    return relative == os.pardir or relative.startswith(os.pardir + os.sep)


def _names(problems: Iterable[Problem], base: str) -> dict[str, str]:
    """:func:`relative_path` of each problem's path, worked out once for a file's problems."""
    return {path: relative_path(path, base) for path in {problem.path for problem in problems}}


def keys(problems: Sequence[Problem], base: str) -> list[tuple[str, str, str]]:
    """Each problem's key in a baseline, in order: its path relative to the folder
    ``base``, its rule and its fingerprint (:attr:`Entry.key`)."""
    names = _names(problems, base)
    return [(names[problem.path], problem.rule, fingerprint)
            for problem, fingerprint in zip(problems, fingerprints(problems))]


def build(problems: Sequence[Problem], base: str) -> Baseline:
    """The baseline of these problems, paths relative to the folder ``base``."""
    entries = {
        Entry(*key, problem.message, problem.online)
        for problem, key in zip(problems, keys(problems, base))
        if problem.rule not in NEVER_BASELINED
    }
    return Baseline(tuple(sorted(entries, key=lambda entry: (*entry.key, entry.message))))


def dumps(baseline: Baseline) -> str:
    lines = [
        # An entry UTF-8 cannot write (a file name that is not UTF-8, read with
        # surrogateescape) is escaped, "\udcff": JSON reads it back as the same name.
        json.dumps(_entry_data(entry), ensure_ascii=not all(
            map(utf8_encodable, (entry.path, entry.rule, entry.fingerprint, entry.message))))
        for entry in baseline.entries
    ]
    body = ",\n    ".join(lines)
    problems = f"[\n    {body}\n  ]" if lines else "[]"
    return (f'{{\n  "version": {BASELINE_VERSION},\n  "tool": "cliplint {__version__}",\n'
            f'  "problems": {problems}\n}}\n')


def _entry_data(entry: Entry) -> dict[str, object]:
    """An entry as the file has it: ``online`` only when true, so that an entry of a rule
    reading its file is written as it always was."""
    marked: dict[str, object] = {"online": True} if entry.online else {}
    return {"path": entry.path, "rule": entry.rule, **marked,
            "fingerprint": entry.fingerprint, "message": entry.message}


def loads(text: str, source: str) -> Baseline:
    """Parse a baseline file; :class:`BaselineError` names ``source`` and what is wrong."""
    try:
        data = parse_json(text)
    except ValueError as error:
        raise BaselineError(f"{source}: not a cliplint baseline (invalid JSON: {error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("problems"), list):
        raise BaselineError(f"{source}: not a cliplint baseline (no \"problems\" list)")
    if data.get("version") != BASELINE_VERSION:
        raise BaselineError(f"{source}: baseline version {data.get('version')!r} is not "
                            f"supported (expected {BASELINE_VERSION}); write it again "
                            "with --write-baseline")
    entries = []
    for index, item in enumerate(data["problems"]):
        item = item if isinstance(item, dict) else {}
        path, rule, fingerprint = item.get("path"), item.get("rule"), item.get("fingerprint")
        if not (isinstance(path, str) and isinstance(rule, str) and isinstance(fingerprint, str)):
            raise BaselineError(f"{source}: problems[{index}]: expected path, rule and "
                                "fingerprint strings")
        online = item.get("online", False)
        if not isinstance(online, bool):
            raise BaselineError(f"{source}: problems[{index}]: \"online\" must be true or "
                                "false")
        message = item.get("message", "")
        entries.append(Entry(path, rule, fingerprint,
                             message if isinstance(message, str) else "", online))
    return Baseline(tuple(entries))


def read_file(path: str) -> Baseline:
    """The baseline in the file ``path``; :class:`BaselineError` says why it cannot be read."""
    try:
        data = read_bounded(path, LARGEST_BASELINE)
    except OSError as error:
        if error.errno == errno.EFBIG:
            raise BaselineError(
                f"{path} is not a cliplint baseline: it holds more than "
                f"{LARGEST_BASELINE // (1 << 20)} MiB (room for 1.6 million problems; "
                "one of 4,079 holds 1.3 MB)") from None
        raise BaselineError(f"cannot read baseline {path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BaselineError(f"{path}: not a cliplint baseline (not UTF-8: byte "
                            f"0x{data[error.start]:02x} at offset {error.start})") from None
    return loads(text, path)


def write_file(path: str, problems: Sequence[Problem]) -> Baseline:
    """Record the problems in the file ``path``, their paths relative to its folder;
    :class:`BaselineError` says why it cannot be written."""
    recorded = build(problems, folder_of(path))
    text = dumps(recorded)  # before the file is opened, and so emptied
    try:
        with open_for_writing(path, newline="\n") as stream:
            stream.write(text)
    except OSError as error:
        raise BaselineError(f"cannot write {path}: {error.strerror or error}") from None
    return recorded


def folder_of(path: str) -> str:
    """The folder of the baseline file ``path``: the paths it records are relative to it."""
    return os.path.dirname(os.path.abspath(path))


@dataclass(frozen=True)
class Split:
    """Problems after a baseline: the new ones, and how many it suppressed."""

    new: tuple[Problem, ...]
    suppressed: int


def apply(problems: Sequence[Problem], baseline: Baseline, base: str,
          problem_keys: Sequence[tuple[str, str, str]] | None = None) -> Split:
    """Keep only the problems the baseline does not record. ``problem_keys``: their
    :func:`keys`, when the caller has them already."""
    known = baseline.keys()
    new = []
    for problem, key in zip(problems, problem_keys if problem_keys is not None
                            else keys(problems, base)):
        if problem.rule in NEVER_BASELINED or key not in known:
            new.append(problem)
    return Split(tuple(new), len(problems) - len(new))


def stale(baseline: Baseline, current: Iterable[tuple[str, str, str]],
          ran: Mapping[str, Collection[Check]], base: str) -> int:
    """How many entries no longer match a problem (fixed since; ``current``: the
    :func:`keys` of the problems found): a hint to write the baseline again. ``ran``
    names the files checked, each with the checks that ran on it in full: only an entry
    of one of those can be told fixed. Of a check the run left out for the file (a rule
    not selected, ignored there, an archive rule the run did not run, an online step in
    a run without --online) the problems say nothing, and a keeper who wrote the baseline
    again from the same narrowed command would lose its entries."""
    files = {relative_path(path, base): checks for path, checks in ran.items()}
    found = set(current)
    return sum(1 for entry in baseline.entries
               if entry.check in files.get(entry.path, ()) and entry.key not in found)
