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
  records (a stat, no read: the cache keeps an index of the archive's files, read in
  one go, which such runs and a run over the whole archive leave); the others are read,
  hashed and, if their content is new, linted, in the usual worker processes.

A file that the walk finds to be a symlink to another file of the archive (both
walked), or that was named through a symlinked folder (``cur/x.md``, or the folder
``cur``, with ``cur -> 2024``: the walk follows no symlinked folder, but a path given
may pass one), is that file under another name: the reduce step is told so
(:attr:`ArchiveEntry.link_to <cliplint.rule_io.ArchiveEntry>`), so that one file
reached by two paths is not taken for two copies. Only symlinks are looked behind, the
walk's and those the paths given pass (asked once a path; a ``--paths-from`` manifest's
local paths are paths given, its URLs have none): no other file is asked about.

With a cache, the reduce step's problems are kept too, under a digest of everything
they depend on (:func:`reduction_key`): an archive whose files and settings are as a
run before saw them is not reduced again.

The archive root is ``archive-root`` from the configuration (relative to its file), else
the folder of the configuration file found for the run (not of one given with
--config, which may lie anywhere: :attr:`Settings.project_folder`), else, for given
files, the top of the git work tree holding them; for given folders without such a
file, the folders' common parent. Paths in archive rules' records and options (``mirrors``) are relative to it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from functools import partial
from itertools import repeat
from operator import attrgetter
from types import EllipsisType, MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from cliplint.config import Settings
from cliplint.digests import blake2b
from cliplint.files import git_top
from cliplint.model import (
    ARCHIVE_KEY,
    ENGINE_STOPS,
    FILE_TIMEOUT,
    INTERNAL_ERROR,
    Problem,
    Related,
    Rule,
    Severity,
    error_text,
    file_problem,
)

if TYPE_CHECKING:
    from cliplint.cache import Cache, IndexedFile, KnownFile
    from cliplint.facts import FileFacts
    from cliplint.rule_io import ArchiveEntry, ArchiveViolation
    from cliplint.runner import FileResult, FileStatus, RunOptions


#: The problems an archive rule's reduce step may report, per file of the archive, on
#: average: far more than any finds (a file is in one group of duplicates), far fewer
#: than an endless generator would pile up.
MOST_PROBLEMS_PER_FILE = 10
#: ... and at least this many in all: a small archive may hold one file with many
#: (path-portability: a name's forbidden characters, its folders' names), and a
#: thousand problems are no danger to the memory.
MOST_PROBLEMS_AT_LEAST = 1000


class Archive(NamedTuple):
    """Where the archive is, and whether the files linted are only part of it."""

    root: str  # absolute
    partial: bool = False
    #: The root itself was among the folders the run was given: the run's walk was the
    #: archive's own (only then may it keep the archive's index, see
    #: :func:`_index_whole_archive`).
    root_given: bool = False
    #: ... and was the only path given: the run's files are then the archive's walk's,
    #: neither more (a folder the walk leaves out, excluded, ignored by git or reached
    #: through a symlink, named besides the root) nor resolved with more configurations.
    root_only: bool = False


def archive_rules(rules: Mapping[str, Rule], settings: Settings) -> list[Rule]:
    return [rules[rule_id] for rule_id in settings.enabled if rules[rule_id].is_archive_rule]


def find_archive(paths: Sequence[str], settings: Settings) -> Archive:
    """The archive a run's paths belong to (see the module's documentation).
    :class:`~cliplint.config.ConfigError` when ``archive-root`` is no folder."""
    root = configured_root(settings)
    absolute = [os.path.abspath(path) for path in paths]
    folders_only = all(os.path.isdir(path) for path in absolute)
    if folders_only:
        top = os.path.abspath(root) if root else os.path.commonpath(absolute)
        return Archive(top, root_given=top in absolute,
                       root_only=all(path == top for path in absolute))
    root = root or git_top(os.path.dirname(absolute[0]))
    if root is None:  # nothing beyond the files themselves
        parents = [path if os.path.isdir(path) else os.path.dirname(path) for path in absolute]
        return Archive(os.path.commonpath(parents))
    return Archive(os.path.abspath(root), partial=True)


def configured_root(settings: Settings) -> str | None:
    """The archive root the configuration gives: ``archive-root``, else the folder of
    the configuration file found for the run (None: neither).
    :class:`~cliplint.config.ConfigError` when ``archive-root`` is no folder: a missing
    one changed silently what the archive rules compare, a file made path-portability
    judge the paths from it. Asked when the archive is needed, not when the
    configuration is read: a run without archive rules (``--select``, standard input, an
    editor's) does not need the folder, which may be a checkout CI lacks."""
    root = settings.archive_root
    if root is None or os.path.isdir(root):
        return root or settings.project_folder
    from cliplint.config import ConfigError

    what = "is not a folder" if os.path.lexists(root) else "does not exist"
    raise ConfigError(f"archive-root {root} {what} (relative to the configuration file "
                      f"that sets it: {settings.source}): archive rules compare the files "
                      "within it")


class ArchiveFile(NamedTuple):
    """One file of the archive as the engine holds it until the reduce step."""

    path: str  # as reports show it
    relative: str  # to the archive root, "/" separators
    records: Mapping[str, Any]
    #: Passed on with the file's archive problems, for the archive report.
    facts: FileFacts | None = None
    #: The file's entry key in the cache, which its records are a function of (None
    #: without a cache, or when nothing was kept).
    key: str | None = None


class Shared:
    """Equal small values of the files held until the reduce step, held once: the keys of
    their records (a rule's id, the fields of its record) and their facts. Each file's
    records and facts come from a worker process or the cache as objects of their own:
    of the ~2 KB a file held, some 450 bytes were the same few keys again and some 200
    the same facts (a month, a feed). Exact: the values are equal objects of the same
    types, in the same order."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._facts: dict[FileFacts, FileFacts] = {}

    def records(self, records: Mapping[str, Any]) -> dict[str, Any]:
        """``records`` (by rule id), their keys and those of each record that is a dict
        shared; the values themselves as they are."""
        return {self._key(rule_id): self._record(record) for rule_id, record in records.items()}

    def facts(self, facts: FileFacts | None) -> FileFacts | None:
        return facts if facts is None else self._facts.setdefault(facts, facts)

    def _record(self, record: Any) -> Any:
        if type(record) is not dict:  # a dict's subclass, a list, None: as it is
            return record
        return {self._key(key): value for key, value in record.items()}

    def _key(self, key: Any) -> Any:
        # A str only: a key of a subclass of str stays the object it is.
        return self._keys.setdefault(key, key) if type(key) is str else key


def with_archive_rules(
    results: Iterable[FileResult],
    rules: Mapping[str, Rule],
    settings: Settings,
    archive: Archive,
    options: RunOptions,
    plugins: Mapping[str, str] | None = None,
    links: Collection[str] = frozenset(),
) -> Iterator[FileResult]:
    """``results`` as they come, then the archive rules' problems: one result per file
    they concern (``checked`` False), in path order. Holds every file's records (and
    nothing else of them) until the end. ``links``: the paths of the results that are
    symlinks or were reached through one (:func:`cliplint.files.iter_files`; filled by
    the time the results end)."""
    from cliplint.runner import FileResult, open_cache

    chosen = archive_rules(rules, settings)
    if not chosen:
        yield from results
        return
    files: list[ArchiveFile] = []
    shared = Shared()
    remembered: dict[str, FileStatus] = {}  # (a first run's: see FileResult.status)
    for result in results:
        yield result
        file = ArchiveFile(result.path, relative_to(result.path, archive.root),
                           shared.records(result.records), shared.facts(result.facts),
                           result.key)
        files.append(file)
        if result.status is not None:
            remembered[file.relative] = result.status
    focus = None
    by_path: dict[str, list[Problem]] = {}
    # The files' look-ups opened the cache before: they said whatever was wrong with it.
    with open_cache(rules, settings, options, plugins, quiet=True) as cache:
        given = [file.relative for file in files if file.path in links] if links else []
        if archive.partial:
            focus = frozenset(file.relative for file in files)
            rest, linked = _rest_of_archive(archive, focus, rules, settings, options, plugins,
                                            cache)
            files.extend(rest)
            # (the walk does not follow a symlinked folder: ``cur/x.md``, given, is known as
            # a link only by the look at the paths given; a given symlink may be in both)
            linked += given
        else:
            linked = given
            if cache is not None and archive.root_given:
                _index_whole_archive(cache, archive, files, rules, settings, remembered)
        targets = _link_targets(archive.root, linked, files) if linked else {}
        for problem in _reduce_through(cache, files, chosen, settings, archive.root, focus,
                                       targets):
            by_path.setdefault(problem.path, []).append(problem)
    facts = {file.path: file.facts for file in files if file.path in by_path}
    for path, found in by_path.items():
        yield FileResult(path, found, checked=False, facts=facts.get(path))


def unused_configurations(settings: Settings, root: str,
                          chosen: Sequence[Rule]) -> list[tuple[str, list[str]]]:
    """The configuration files of folders walked at or below ``root`` that give archive
    rules (``chosen``) options or a severity other than the run's, which the archive rules
    take (README: Configuration): each file with the ids of those rules. After a run, so
    that the walk has met them. A file gives what it sets (or inherits with ``extend``):
    options other than the rule's defaults, a severity; a file that sets nothing for the
    rule has the defaults without having asked for them, and is not named."""
    if settings.tree is None:
        return []
    unused: dict[str, list[str]] = {}
    for own in settings.tree.settings_below(os.path.abspath(root)):
        if own is settings or own.source is None:
            continue
        ids = [rule.id for rule in chosen
               if (own.options.get(rule.id, {}) != rule.default_options()
                   and own.options.get(rule.id, {}) != settings.options.get(rule.id, {}))
               or own.severity.get(rule.id, settings.severity.get(rule.id))
               != settings.severity.get(rule.id)]
        if ids:
            unused[own.source] = ids
    return sorted(unused.items())


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
    from cliplint.linter import library_document, library_settings, lint_and_record

    if not isinstance(texts, Mapping):
        raise TypeError(f"texts must be a mapping of paths to texts, got {type(texts).__name__}")
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
    absolute = os.path.abspath(path)
    inside = root.rstrip(os.sep) + os.sep
    # What relpath would say of a path below the root, without its work (once per file).
    relative = (absolute[len(inside):] if absolute.startswith(inside)
                else os.path.relpath(absolute, root))
    # (on Windows abspath and relpath have made it normal already: only the separators)
    return relative if os.sep == "/" else relative.replace(os.sep, "/")


def _link_targets(root: str, linked: Iterable[str],
                 files: Iterable[ArchiveFile]) -> dict[str, str]:
    """Of the files that are symlinks or were reached through one (``linked``, their
    paths relative to ``root``), those that lead to another of ``files``, each with that
    file's relative path: one file under two names. A link leading elsewhere (out of the
    archive, to a file the run leaves out, nowhere) is a file of its own, as any other;
    so is a file whose only symlink is above the root (its real path is its own)."""
    relatives = {file.relative for file in files}
    real_root = os.path.realpath(root)
    real_folders: dict[str, str] = {}
    targets: dict[str, str] = {}
    for link in linked:
        # (a path from the real root passes no symlink: the file of the archive at that
        # relative path is the link's target itself)
        target = relative_to(_real_path(os.path.join(root, link), real_folders), real_root)
        if target != link and target in relatives:
            targets[link] = target
    return targets


def _real_path(path: str, real_folders: dict[str, str]) -> str:
    """``os.path.realpath(path)`` (``path`` absolute and normal), each folder resolved
    once in ``real_folders``: every file of a folder named through a symlink is linked
    (``cur`` -> ``2024``; all of an archive's, named by an absolute path through a
    symlink above it), and resolving each whole cost some 50 us a file."""
    if os.path.islink(path):
        return os.path.realpath(path)
    folder, name = os.path.split(path)
    real = real_folders.get(folder)
    if real is None:
        real = real_folders[folder] = os.path.realpath(folder)
    return os.path.join(real, name)


def _reduce_through(cache: Cache | None, files: Sequence[ArchiveFile], chosen: Sequence[Rule],
                    settings: Settings, root: str, focus: frozenset[str] | None,
                    links: Mapping[str, str]) -> list[Problem]:
    """:func:`reduce_archive`, its problems taken from the cache when it holds them
    for these files and settings, else kept there."""
    if cache is None:
        return reduce_archive(files, chosen, settings, root, focus, links=links)
    own_rules = _rules_per_file(files, settings)  # worked out once for both
    key = reduction_key(files, chosen, settings, focus, own_rules=own_rules, links=links)
    problems = cache.reduction(key) if key is not None else None
    if problems is None:
        problems = reduce_archive(files, chosen, settings, root, focus, own_rules=own_rules,
                                  links=links)
        if key is not None and not any(problem.rule == INTERNAL_ERROR for problem in problems):
            cache.put_reduction(key, problems)
    return problems


def reduction_key(files: Sequence[ArchiveFile], chosen: Sequence[Rule], settings: Settings,
                  focus: frozenset[str] | None, *,
                  own_rules: OwnRules | EllipsisType = ...,
                  links: Mapping[str, str] = MappingProxyType({})) -> str | None:
    """A digest of everything :func:`reduce_archive` depends on beyond what names the
    cache file (the run's settings, the rules' code): the rules chosen, their options
    and severity, each file's paths, entry key (its records are a function of it) and
    own rules, in order, the focus and the links between files. None when a file has
    no entry key. ``own_rules``: each file's rules when already worked out
    (:func:`_rules_per_file`; None: the same for every file)."""
    if any(file.key is None for file in files):
        return None
    digest = blake2b(digest_size=20)
    # (the links only when there are any: an archive without them keeps its key)
    digest.update(json.dumps(
        [[rule.id, settings.rule_options(rule), settings.severity.get(rule.id)]
         for rule in chosen] + [sorted(focus) if focus is not None else None]
        + ([sorted(links.items())] if links else []),
        sort_keys=True, default=str).encode())
    if own_rules is ...:
        own_rules = _rules_per_file(files, settings)
    # A column at a time, as many fields in each as files, each field ended by a NUL
    # (none holds one; \1 only separates a file's rule ids): a join per column, no
    # string made per file (an archive of tens of thousands is described on every run
    # given part of it). The paths as shown only when they are not the relative ones
    # (they are, in a run from the archive's root): half the bytes to hash.
    relatives = list(map(_RELATIVE, files))
    shown = list(map(_SHOWN, files))
    columns: list[Iterable[str]] = [relatives, map(_KEY, files)]
    if shown != relatives:
        columns.append(shown)
    if own_rules is not None:
        columns.append(map("\1".join, own_rules))
    digest.update(f"{len(files)} {shown != relatives:d} {own_rules is not None:d}\0".encode())
    for column in columns:
        digest.update("\0".join(column).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


_RELATIVE = attrgetter("relative")
_SHOWN = attrgetter("path")
_KEY = attrgetter("key")


#: Each file's rules (:func:`_rules_per_file`), None when they are the run's for every file.
OwnRules = Sequence[tuple[str, ...]] | None


def _rules_per_file(files: Sequence[ArchiveFile], settings: Settings) -> OwnRules:
    """The rules of each file, when they may differ between files (per-file-ignores, a
    folder's own configuration): once per file, not per rule; None when every file's
    folder has the run's configuration and it ignores nothing per file (the usual case,
    also when configuration files are looked for: a folder's answer asked once)."""
    if not (settings.per_file_ignores or settings.tree is not None):
        return None
    rules: list[tuple[str, ...]] = []
    differ = bool(settings.per_file_ignores)
    folder, own = None, settings
    for file in files:
        # Files come folder by folder (a walk's order): a folder's configuration is
        # asked once per run of its files.
        here = file.relative.rpartition("/")[0]
        if here != folder:
            folder, own = here, settings.for_path(file.path)
            differ = differ or own is not settings
        rules.append(own.rules_for(file.path))
    return rules if differ else None


def reduce_archive(files: Sequence[ArchiveFile], chosen: Sequence[Rule], settings: Settings,
                   root: str, focus: frozenset[str] | None = None, *,
                   own_rules: OwnRules | EllipsisType = ...,
                   links: Mapping[str, str] = MappingProxyType({})) -> list[Problem]:
    """Every archive rule's reduce step over the files, its problems in path order (a
    rule's about one file in the order it yields them). With ``focus`` (paths relative
    to the root), only the problems about those files or naming them. ``own_rules`` as
    in :func:`reduction_key`; ``links``: the files that are symlinks to another of them,
    with its path (:func:`_link_targets`)."""
    # (only a reduce needs them: not a cached run)
    from cliplint.budget import within_budget
    from cliplint.rule_io import ArchiveEntry

    shown = {file.relative: file.path for file in files}
    # Problems about a file whose comments suppress the rule there (cliplint.suppressions).
    suppressed = {file.relative: file.records[ARCHIVE_KEY] for file in files
                  if ARCHIVE_KEY in file.records}
    per_file_rules = _rules_per_file(files, settings) if own_rules is ... else own_rules
    shown_root = root if "://" in root else os.path.relpath(root)
    problems: list[Problem] = []
    # What every rule's entries share, worked out once: a pre-commit run builds an entry
    # for each file of the archive and each rule, built from columns at C speed
    # (ArchiveEntry._make over zip: 30,000 files, two rules: 38 -> 30 ms).
    relatives = [file.relative for file in files]
    in_focus = repeat(True) if focus is None else [relative in focus for relative in relatives]
    link_targets = repeat(None) if not links else [links.get(relative) for relative in relatives]
    for rule in chosen:
        records = [file.records.get(rule.id) for file in files]
        entries = list(map(ArchiveEntry._make, zip(relatives, records, in_focus, link_targets)))
        if per_file_rules is not None:
            entries = [entry for entry, own in zip(entries, per_file_rules, strict=True)
                       if rule.id in own]
        # The per-file budget, once more for every thousand files: a reduce step that
        # never ends is a rule's bug, and must not hang a CI job.
        budget = settings.file_timeout * (1 + len(entries) / 1000)
        try:
            found = within_budget(
                partial(_reduced, rule, entries, settings, shown, suppressed, focus), budget,
                path=shown_root, rules=(rule,))
        except ENGINE_STOPS:
            raise
        except BaseException as error:  # a crashing rule must not stop the run
            problems.append(file_problem(shown_root, INTERNAL_ERROR, f"rule {rule.id} crashed: "
                                         f"{error_text(error)}"))
            continue
        if isinstance(found, Problem):  # its time ran out (said as a reduce step's)
            found = file_problem(shown_root, FILE_TIMEOUT, f"rule {rule.id}'s reduce step "
                                 f"stopped after {budget:g} s (file-timeout, once more for "
                                 "every thousand files); its problems are not reported")
            problems.append(found)
            continue
        problems.extend(found)
    # A rule's problems about one file in the order it yields them (all are at 1:1: their
    # messages say where, path-portability's at which positions of a name), not by
    # message: "':' at position 6" came before "'|' at position 2". (Sorted is stable.)
    problems.sort(key=lambda p: (p.path, p.rule))
    return problems


def _reduced(rule: Rule, entries: Sequence[ArchiveEntry], settings: Settings,
             shown: Mapping[str, str], suppressed: Mapping[str, Any],
             focus: frozenset[str] | None) -> list[Problem]:
    """One archive rule's problems, those the run shows; ``ValueError`` for what it
    does that is its bug."""
    assert rule.reduce is not None
    configured = settings.severity.get(rule.id)
    # A rule's bug, not an archive: an endless reduce would fill the memory.
    most = max(MOST_PROBLEMS_AT_LEAST, (len(entries) + 1) * MOST_PROBLEMS_PER_FILE)
    found = []
    for count, violation in enumerate(rule.reduce(entries, settings.rule_options(rule)), 1):
        if count > most:
            raise ValueError(f"it reported over {most:,} problems about {len(entries):,} files")
        _check_archive_violation(violation, shown)
        # (asked even when the problem is not shown: an undeclared kind is its bug)
        severity = rule.severity_of(violation, configured)
        if (rule.id not in suppressed.get(violation.path, ())
                and (focus is None or violation.path in focus
                     or any(item.path in focus for item in violation.related))):
            found.append(_problem(violation, rule.id, severity, shown))
    return found


def _check_archive_violation(violation: object, shown: Mapping[str, str]) -> None:
    """``ValueError`` saying what is wrong with what a reduce step yielded, if anything,
    in the words :func:`cliplint.linter._check_violation` has for a check's violations
    (what was yielded, and what it should have been): reading a field of a str was
    "AttributeError: 'str' object has no attribute 'path'"."""
    from cliplint.linter import check_line
    from cliplint.rule_io import ArchiveViolation

    if not isinstance(violation, ArchiveViolation):
        raise ValueError(f"it yielded {type(violation).__name__} {violation!r:.60}, not an "
                         "ArchiveViolation")
    if not isinstance(violation.path, str) or violation.path not in shown:
        raise ValueError(f"it named a file that is not in the archive: {violation.path!r:.80}")
    check_line(violation.message, "a problem's message")
    # (a list of them works as well as the tuple the field's type says: not refused)
    if not isinstance(violation.related, tuple | list):
        raise ValueError(f"a problem's related files are a {type(violation.related).__name__}, "
                         "not a tuple of Related")
    for item in violation.related:
        if not isinstance(item, Related):
            raise ValueError(f"a problem's related files hold a {type(item).__name__}, not a "
                             "Related")
        check_line(item.message, "a related file's message")
        if not isinstance(item.path, str) or item.path not in shown:
            raise ValueError(f"it named a related file that is not in the archive: "
                             f"{item.path!r:.80}")


def _problem(violation: ArchiveViolation, rule_id: str, severity: Severity,
             shown: Mapping[str, str]) -> Problem:
    related = tuple(Related(shown.get(item.path, item.path), item.message)
                    for item in violation.related)
    return Problem(shown[violation.path], rule_id, severity, violation.message, 1, 1, 1, 1,
                   related=related)


def _rest_of_archive(archive: Archive, given: frozenset[str], rules: Mapping[str, Rule],
                     settings: Settings, options: RunOptions, plugins: Mapping[str, str] | None,
                     cache: Cache | None) -> tuple[list[ArchiveFile], list[str]]:
    """The records of the archive's files that were not given (``given``: their paths
    relative to the root), in the order of the walk: from the cache's index of the
    archive when a file's size and modification time are as the index says, else
    through the cache (a content it knows is not linted again) or by linting it. The
    index is then brought up to date. With them, the relative paths of the files
    walked, given or not, that are symlinks."""
    from cliplint.cache import ArchiveIndex
    from cliplint.files import is_link, walk_entries
    from cliplint.runner import iter_results

    start = os.path.relpath(archive.root)
    folders: dict[str, Settings] = {}
    # (the index's name depends on the configuration of every folder walked) Each file's
    # path relative to the root, path as shown and status, asked as the walk goes.
    # (From the root, a file is shown by its relative path: the same string, not a copy
    # of it for each file.)
    walked = [(relative, relative if shown is None else shown + entry.name, _status(entry),
               is_link(entry))
              for below, entries in walk_entries(start, settings, folders)
              for shown in (_shown_folder(start, below),)
              for entry in entries
              for relative in (below + entry.name,)]
    name = index_name(archive.root, folders.values(), rules, settings)
    index = cache.archive_index(name) if cache is not None else ArchiveIndex()
    rows = index.rows()
    sizes, mtimes, contents, keys, records = (index.sizes, index.mtimes_ns, index.contents,
                                              index.keys, index.records)
    found: list[ArchiveFile | None] = []
    kept = [rows[relative] for relative in given if relative in rows]
    stale: list[tuple[int, str, str, tuple[int, int] | None]] = []  # place, paths, status
    linked: list[str] = []
    # One pass over tens of thousands of files, most of them unchanged: no object made
    # for a file beyond the one the reduce step reads.
    for relative, shown, status, link in walked:
        if link:
            linked.append(relative)
        if relative in given:
            continue
        row = rows.get(relative)
        if row is not None and status is not None and status == (sizes[row], mtimes[row]):
            content = contents[row]
            found.append(ArchiveFile(shown, relative, records[content], None, keys[content]))
            kept.append(row)
        else:
            stale.append((len(found), shown, relative, status))
            found.append(None)
    if stale:
        results = iter_results([shown for _, shown, _, _ in stale], rules, settings, options,
                               plugins)
        # strict: the look-ups run to their end, and their cache is closed before this
        # one writes.
        shared = Shared()  # (their keys kept once in the index: see stored_records)
        for (place, _, relative, _), result in zip(stale, results, strict=True):
            found[place] = ArchiveFile(result.path, relative, shared.records(result.records),
                                       result.facts, result.key)
    complete = [file for file in found if file is not None]
    if cache is not None:
        added = _confirmed(cache, archive.root, [(complete[place], status)
                                                 for place, _, _, status in stale],
                           rules, settings)
        if added or len(kept) != len(index.paths):
            cache.remember_archive(name, {**{index.paths[row]: index.file(row) for row in kept},
                                          **added})
    return complete, linked


def _shown_folder(start: str, below: str) -> str | None:
    """How a run shows the files of a folder of the archive (``below``, relative to its
    root, which is ``start`` from the working folder): relative to the working folder,
    as the files it was given ("feed/a.md", not "./feed/a.md"; from a folder below the
    root "x/a.md", not "../feed/x/a.md"); None when that is their path relative to the
    root (the run is at the root). Worked out once a folder."""
    if start == ".":
        return None
    folder = os.path.relpath(os.path.join(start, below))
    return "" if folder == "." else folder + os.sep


def _index_whole_archive(cache: Cache, archive: Archive, files: Sequence[ArchiveFile],
                         rules: Mapping[str, Rule], settings: Settings,
                         remembered: Mapping[str, FileStatus]) -> None:
    """After a run over every file of the archive (``cliplint .`` at its root), keep the
    archive's index when the cache holds none: else the first run given a few files
    found none, and looked up every other file of the archive in the cache (at 30,000
    files, 2.0 s of CPU where the runs after it took 0.55 s). An index already kept is
    left as it is, unread (reading it to compare cost a run that changed nothing a
    seventh of its time, and as much memory as the index's records): runs given a few
    files bring it up to date as they go, looking up only the files whose status it does
    not know. The entries are those the cache's files table confirms
    (:func:`_confirmed`). Asked only of a run given the root itself: a run over part of
    the archive (a folder below a configured root, files) leaves the index alone, and
    walks no folder it was not given (whose configuration, broken, would then have
    failed the run with a cache and not without)."""
    from cliplint.files import walk_entries

    # Whether an index is kept, known without walking the archive again (a warm run's 5%):
    # its name from the settings the run's own walk resolved its folders to (a run over
    # part of the archive keeps none, whatever it finds so named).
    seen = [settings] if settings.tree is None else settings.tree.settings_below(archive.root)
    if seen and cache.holds_archive(index_name(archive.root, seen, rules, settings)):
        return
    if archive.root_only and seen and _all_remembered(files, remembered):
        # A first run remembered every file's status as it read it: its own walk of the
        # archive was the walk, and walking it again to stat every file cost a first run
        # over 100,000 tiny files 2-3% of its CPU. (A file that changes, appears or goes
        # meanwhile is what the index's next user finds anyway: it stats the archive.)
        # Given the root alone: a folder named besides it that the walk leaves out
        # (``cliplint . old``, old excluded with a configuration of its own) added its
        # files to the index and its configuration to the index's name, which no run
        # given a few files asks for.
        added = _confirmed(cache, archive.root, [
            (file, (remembered[file.relative].size, remembered[file.relative].mtime_ns))
            for file in files], rules, settings, remembered)
        if added:
            cache.remember_archive(index_name(archive.root, seen, rules, settings), added)
        return
    start = os.path.relpath(archive.root)
    # Each file's status by its path relative to the root, taken as the walk goes (after
    # the files' look-up: the files table says what content a status held, whenever it
    # was taken).
    walked: dict[str, tuple[int, int] | None] = {}
    folders: dict[str, Settings] = {}
    for below, entries in walk_entries(start, settings, folders):
        for entry in entries:
            walked[below + entry.name] = _status(entry)
    ran = {file.relative: file for file in files}
    if not walked or not all(relative in ran for relative in walked):
        return  # not the whole archive as a run given part of it walks it
    name = index_name(archive.root, folders.values(), rules, settings)
    if cache.holds_archive(name):
        return
    linted = [(ran[relative], status) for relative, status in walked.items()]
    # (the walk's map, a few hundred bytes a file, is not held while the index is made:
    # that is a first run's peak of memory)
    del walked, ran
    added = _confirmed(cache, archive.root, linted, rules, settings, remembered)
    del linted
    if added:
        cache.remember_archive(name, added)


def _all_remembered(files: Sequence[ArchiveFile], remembered: Mapping[str, FileStatus]) -> bool:
    """Whether this run remembered the status of every file it ran over (a first run;
    given the archive's root, its files are the walk's)."""
    return bool(files) and all(file.relative in remembered for file in files)


def _status(entry: os.DirEntry[str]) -> tuple[int, int] | None:
    """A walked file's size and modification time, None when they cannot be had. (The
    entry keeps the stat result it asked for, a dozen objects: a caller that keeps the
    entries of a whole archive asks as it walks, and keeps this instead.)"""
    try:
        info = entry.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def index_name(root: str, folders: Iterable[Settings], rules: Mapping[str, Rule],
                settings: Settings) -> str:
    """The name of the archive's index in the cache: its root, and a digest of what its
    files' entry keys depend on besides their content, for every configuration its
    folders resolve to (the rules each enables, per-file-ignores, the inputs those rules
    ask for, a folder's own settings). A run selecting other rules (``--select``, a
    changed ``per-file-ignores`` or folder configuration) thus reads another index,
    never records made without the rules it runs."""
    from cliplint.runner import rule_inputs

    described = sorted(json.dumps([own.source, own.enabled, own.per_file_ignores,
                                   rule_inputs(own, own.enabled, rules, settings)],
                                  sort_keys=True, default=str)
                       for own in {id(own): own for own in folders}.values())
    digest = blake2b("\n".join(described).encode(), digest_size=16).hexdigest()
    return f"{root}\0{digest}"


def _confirmed(cache: Cache, root: str, linted: Sequence[tuple[ArchiveFile, tuple[int, int] | None]],
               rules: Mapping[str, Rule], settings: Settings,
               remembered: Mapping[str, FileStatus] = MappingProxyType({})
               ) -> dict[str, IndexedFile]:
    """The index's entries for files just linted (with their status before): those the
    cache's files table says held the content of their entry key with that status (the
    look-up that read them remembered it; or remembered the content under another
    rule selection's key), by path relative to the root. What this run remembered there
    itself (``remembered``, by relative path) is taken as it is, not read back: at 100,000
    files reading the table's rows and checking their signatures cost 0.6 s of CPU."""
    from cliplint.cache import IndexedFile, KnownFile, entry_key, stored_records
    from cliplint.runner import KeyParts

    files: dict[str, ArchiveFile] = {}
    status: dict[str, tuple[int, int]] = {}
    matched: list[tuple[str, KnownFile, str]] = []  # relative path, status, entry key
    records: list[Mapping[str, Any]] = []
    for file, before in linted:
        if file.key is None or before is None:
            continue
        own = remembered.get(file.relative)
        if own is not None and (own.size, own.mtime_ns) == before:
            matched.append((file.relative, KnownFile(own.size, own.mtime_ns, file.key, own.content),
                            file.key))
            records.append(file.records)
            continue
        path = os.path.join(root, file.relative)
        files[path] = file
        status[path] = before
    parts = KeyParts(rules, settings)
    for path, known in (cache.known_files(status) if status else {}).items():
        file = files[path]
        key = file.key
        if key is not None and (known.key == key
                                or entry_key(known.content, *parts(file.path)) == key):
            matched.append((file.relative, known, key))
            records.append(file.records)
    # (records that are not JSON, as their entry could not be kept either: linted again)
    return {relative: IndexedFile(known.size, known.mtime_ns, key, stored)
            for (relative, known, key), stored in zip(matched, stored_records(records),
                                                      strict=True)
            if stored is not None}
