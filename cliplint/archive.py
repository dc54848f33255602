"""Archive rules: what only shows between files.

An archive rule has two pure steps. While each file is linted, its *map* step
(``record``) makes a small JSON record of the file, stored in the cache with the file's
problems; once every file is linted, its *reduce* step sees every file's record, with the
file's path relative to the archive's root, and yields problems that may name several
files. See :class:`cliplint.model.Rule`.

What the archive is:

- given folders (``cliplint .``, ``cliplint articles``): the files found in them;
- given files, as pre-commit gives them: the archive root's files, so that a new clipping
  is compared with every clipping already committed. The files that were not given are
  not reported on, and they are not read again when the cache knows them: a file whose
  size and modification time are unchanged since the cache last saw it keeps its
  records (a stat, no read); the others are read, hashed and, if their content is new,
  linted, in the usual worker processes.

The archive root is ``archive-root`` from the configuration (relative to its file), else
the folder of the configuration file, else, for given files, the top of the git work
tree holding them; for given folders without a configuration file, the folders' common
parent. Paths in archive rules' records and options (``mirrors``) are relative to it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, NamedTuple

from cliplint.config import Settings
from cliplint.linter import file_problem, lint_and_record
from cliplint.model import (
    INTERNAL_ERROR,
    ArchiveEntry,
    ArchiveViolation,
    Problem,
    Related,
    Rule,
    Severity,
)
from cliplint.suppressions import ARCHIVE_KEY

if TYPE_CHECKING:
    from cliplint.facts import FileFacts
    from cliplint.runner import FileResult, RunOptions


class Archive(NamedTuple):
    """Where the archive is, and whether the files linted are only part of it."""

    root: str  # absolute
    partial: bool = False


def archive_rules(rules: Mapping[str, Rule], settings: Settings) -> list[Rule]:
    return [rules[rule_id] for rule_id in settings.enabled if rules[rule_id].is_archive_rule]


def find_archive(paths: Sequence[str], settings: Settings) -> Archive:
    """The archive a run's paths belong to (see the module's documentation)."""
    absolute = [os.path.abspath(path) for path in paths]
    folders_only = all(os.path.isdir(path) for path in absolute)
    root = settings.archive_root or (os.path.dirname(settings.source) if settings.source else None)
    if folders_only:
        return Archive(os.path.abspath(root) if root else os.path.commonpath(absolute))
    root = root or git_top(os.path.dirname(absolute[0]))
    if root is None:  # nothing beyond the files themselves
        parents = [path if os.path.isdir(path) else os.path.dirname(path) for path in absolute]
        return Archive(os.path.commonpath(parents))
    return Archive(os.path.abspath(root), partial=True)


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


class ArchiveFile(NamedTuple):
    """One file of the archive as the engine holds it until the reduce step."""

    path: str  # as reports show it
    relative: str  # to the archive root, "/" separators
    records: Mapping[str, Any]
    #: Passed on with the file's archive problems, for the archive report.
    facts: FileFacts | None = None


def with_archive_rules(
    results: Iterable[FileResult],
    rules: Mapping[str, Rule],
    settings: Settings,
    archive: Archive,
    options: RunOptions,
    plugins: Mapping[str, str] | None = None,
) -> Iterator[FileResult]:
    """``results`` as they come, then the archive rules' problems: one result per file
    they concern (``checked`` False), in path order. Holds every file's records (and
    nothing else of them) until the end."""
    from cliplint.runner import FileResult

    chosen = archive_rules(rules, settings)
    if not chosen:
        yield from results
        return
    files: list[ArchiveFile] = []
    for result in results:
        yield result
        files.append(ArchiveFile(result.path, relative_to(result.path, archive.root),
                                 result.records, result.facts))
    focus = None
    if archive.partial:
        focus = frozenset(file.relative for file in files)
        files.extend(_rest_of_archive(archive, focus, rules, settings, options, plugins))
    by_path: dict[str, list[Problem]] = {}
    for problem in reduce_archive(files, chosen, settings, archive.root, focus):
        by_path.setdefault(problem.path, []).append(problem)
    facts = {file.path: file.facts for file in files if file.path in by_path}
    for path, found in by_path.items():
        yield FileResult(path, found, checked=False, facts=facts.get(path))


def lint_archive(
    texts: Mapping[str, str],
    config: Mapping[str, Any] | None = None,
    *,
    select: Iterable[str] | None = None,
) -> list[Problem]:
    """Lint clippings given as texts, ``{path: text}`` with paths relative to the
    archive's root (``/`` separators), as one archive: each clipping's problems in the
    order given, then what archive rules (duplicate-clipping, path-portability) find
    between them. The library's counterpart of ``cliplint FOLDER``."""
    from cliplint.linter import library_document, library_settings

    rules, settings = library_settings(config, select)
    problems: list[Problem] = []
    files: list[ArchiveFile] = []
    for path, text in texts.items():
        document = library_document(text, path, settings)
        if isinstance(document, Problem):
            problems.append(document)
            files.append(ArchiveFile(path, path, {}))
            continue
        found, records = lint_and_record(document, rules, settings, path=path)
        problems.extend(found)
        files.append(ArchiveFile(path, path, records))
    chosen = archive_rules(rules, settings)
    return problems + reduce_archive(files, chosen, settings, os.getcwd())


def relative_to(path: str, root: str) -> str:
    if "://" in path:  # an object storage URL (cliplint/storage.py)
        from cliplint.storage import key_relative

        return key_relative(path, root)
    relative = os.path.relpath(os.path.abspath(path), root)
    return relative if os.sep == "/" else PurePath(relative).as_posix()


def reduce_archive(files: Sequence[ArchiveFile], chosen: Sequence[Rule], settings: Settings,
                   root: str, focus: frozenset[str] | None = None) -> list[Problem]:
    """Every archive rule's reduce step over the files, its problems in path order. With
    ``focus`` (paths relative to the root), only the problems about those files or
    naming them."""
    shown = {file.relative: file.path for file in files}
    # Problems about a file whose comments suppress the rule there (cliplint.suppressions).
    suppressed = {file.relative: file.records[ARCHIVE_KEY] for file in files
                  if ARCHIVE_KEY in file.records}
    # The rules of each file, when they may differ between files (per-file-ignores, a
    # folder's own configuration): once per file, not per rule.
    per_file_rules = ([settings.for_path(file.path).rules_for(file.path) for file in files]
                      if settings.per_file_ignores or settings.tree is not None else None)
    problems: list[Problem] = []
    for rule in chosen:
        assert rule.reduce is not None
        entries = [ArchiveEntry(file.relative, file.records.get(rule.id),
                                focus is None or file.relative in focus)
                   for index, file in enumerate(files)
                   if per_file_rules is None or rule.id in per_file_rules[index]]
        options = settings.rule_options(rule)
        configured = settings.severity.get(rule.id)
        try:
            found = [
                _problem(violation, rule.id, configured or rule.severity_of(violation), shown)
                for violation in rule.reduce(entries, options)
                if violation.path in shown  # else not a file of the archive: a rule's bug
                and rule.id not in suppressed.get(violation.path, ())
                and (focus is None or violation.path in focus
                     or any(item.path in focus for item in violation.related))
            ]
        except Exception as error:  # a crashing rule must not stop the run
            shown_root = root if "://" in root else os.path.relpath(root)
            problems.append(file_problem(shown_root, INTERNAL_ERROR,
                                         f"rule {rule.id} crashed: {type(error).__name__}: "
                                         f"{error}"))
            continue
        problems.extend(found)
    problems.sort(key=lambda p: (p.path, p.rule, p.message))
    return problems


def _problem(violation: ArchiveViolation, rule_id: str, severity: Severity,
             shown: Mapping[str, str]) -> Problem:
    related = tuple(Related(shown.get(item.path, item.path), item.message)
                    for item in violation.related)
    return Problem(shown[violation.path], rule_id, severity, violation.message, 1, 1, 1, 1,
                   related=related)


def _rest_of_archive(archive: Archive, given: frozenset[str], rules: Mapping[str, Rule],
                     settings: Settings, options: RunOptions,
                     plugins: Mapping[str, str] | None) -> list[ArchiveFile]:
    """The records of the archive's files that were not given (``given``: their paths
    relative to the root): from the cache when a file's size and modification time are
    as the cache last saw them, else by linting it (through the cache: a content it
    knows is not linted again)."""
    from cliplint.files import walk_relative
    from cliplint.runner import iter_results, open_cache

    with open_cache(rules, settings, options, plugins) as cache:
        known = cache.known_paths() if cache is not None else {}
    start = os.path.relpath(archive.root)
    found: list[ArchiveFile] = []
    stale: list[tuple[str, str]] = []
    for path, relative in walk_relative(start, settings):
        if relative in given:
            continue
        shown = relative if start == "." else path  # "feed/a.md", not "./feed/a.md"
        cached = known.get(os.path.join(archive.root, relative))
        if cached is not None:
            try:
                info = os.stat(path)
            except OSError:
                info = None
            if info is not None and (info.st_size, info.st_mtime_ns) == (cached.size,
                                                                       cached.mtime_ns):
                found.append(ArchiveFile(shown, relative, cached.records))
                continue
        stale.append((shown, relative))
    results = iter_results([shown for shown, _ in stale], rules, settings, options, plugins)
    for (_, relative), result in zip(stale, results):
        found.append(ArchiveFile(result.path, relative, result.records, result.facts))
    return found
