"""Between the files' results and the report of a lint or fix run: what the archive
rules find across the files (cliplint/archive.py), the baseline (cliplint/baseline.py),
and whether any rule was enabled for the files at all (:class:`RulesEnabled`)."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from cliplint.cli import UsageError
from cliplint.cli.inputs import some
from cliplint.streams import say

if TYPE_CHECKING:
    from cliplint.baseline import Check
    from cliplint.cli.context import RunContext
    from cliplint.config import Settings
    from cliplint.model import Problem
    from cliplint.runner import FileResult, RunOptions


def with_archive_rules(results: Iterable[FileResult], run: RunContext,
                       run_options: RunOptions,
                       links: Collection[str] = frozenset()) -> Iterable[FileResult]:
    """The results, then what the archive rules find (cliplint/archive.py). ``links``:
    the files found that are symlinks (:func:`cliplint.cli.inputs.lazy_inputs`), known
    once the results have all come."""
    from cliplint.archive import archive_rules, find_archive, with_archive_rules as with_rules

    paths = [path for path in run.paths if os.path.exists(path)]
    if not paths or not archive_rules(run.rules, run.settings):
        return results
    archive = find_archive(paths, run.settings)  # (ConfigError: archive-root is no folder)
    return _warned(with_rules(results, run.rules, run.settings, archive, run_options,
                              run.registry.plugins, links), run, archive.root)


def _warned(results: Iterable[FileResult], run: RunContext, root: str) -> Iterator[FileResult]:
    """``results``, then a warning for each configuration file whose archive-rule settings
    the run did not use: a keeper who sets ``mirrors`` in the archive's own file and runs
    ``cliplint archive`` from the folder above would otherwise never learn why they did
    nothing."""
    from cliplint.archive import archive_rules, unused_configurations

    yield from results
    for source, ids in unused_configurations(run.settings, root,
                                             archive_rules(run.rules, run.settings)):
        _say_unused(source, f"options or a severity of {', '.join(ids)}", "archive rules take",
                    run)


def with_walks_warned(results: Iterable[FileResult], run: RunContext) -> Iterator[FileResult]:
    """``results``, then :func:`warn_of_walks`."""
    yield from results
    warn_of_walks(run)


def warn_of_walks(run: RunContext) -> None:
    """Once the run's walks are done: a warning for each configuration file of a folder
    they walked that sets ``respect-gitignore`` to a value other than the run's. Every
    walk takes it from the run's configuration (cliplint/files.py), as ruff's does: a
    keeper who turns it off in a folder's file, to have its drafts linted, would
    otherwise never learn why they were not. A file that does not set it is not named
    (it has the default without having asked for it), nor anything when the command line
    decides (``--no-respect-gitignore`` applies to every file's settings alike). The
    top of each folder git ignores, which the walks did not enter, is looked at too: a
    ``drafts/cliplint.toml`` that turns it off is the likeliest such file."""
    settings = run.settings
    if settings.tree is None:
        return  # (--config, --isolated: one configuration for every folder)
    walked = [os.path.abspath(path) for path in run.paths
              if "://" not in path and os.path.isdir(path)]
    folders = [*(own for root in walked for own in settings.tree.settings_below(root)),
               *_settings_of_ignored_folders(settings, walked)]
    unused = {own.source: own.respect_gitignore for own in folders
              if own.source is not None and "respect-gitignore" in own.given
              and own.respect_gitignore != settings.respect_gitignore}
    for source, value in sorted(unused.items()):
        _say_unused(source, f"respect-gitignore = {str(value).lower()}",
                    "walks take respect-gitignore from", run)


def _settings_of_ignored_folders(settings: Settings, walked: Sequence[str]) -> list[Settings]:
    """The settings of each folder git ignores below the ``walked`` folders, at its top
    (as git listed it: :attr:`Settings.git_answers`; a folder inside is not looked
    into). One whose configuration cannot be read is passed over: the run did not read
    it."""
    from cliplint.config import ConfigError

    found: list[Settings] = []
    for folder in walked:
        answer = settings.git_answers.get(folder)
        for path in answer.paths if answer is not None else ():
            if path.endswith("/"):
                try:
                    found.append(settings.tree.for_folder(os.path.join(folder, path)))
                except ConfigError:
                    continue
    return found


def _say_unused(source: str, what: str, taker: str, run: RunContext) -> None:
    """The warning that a folder's configuration file ``source`` sets ``what``, which
    only the run's configuration decides (``taker`` takes it from there)."""
    shown = os.path.relpath(source)
    run_source = (os.path.relpath(run.settings.source) if run.settings.source
                  else "none found: the defaults")
    say(f"warning: {shown} sets {what} that this run did not use: {taker} the configuration "
        f"found from the current folder ({run_source}); run cliplint from "
        f"{os.path.dirname(shown) or '.'}, or name the file with --config")


class RulesEnabled:
    """Whether a rule was enabled for any file of a run (its folder's configuration, after
    per-file-ignores), learnt as the files come: a configuration may select nothing
    (``select = []``, as in ruff), and the run then reads the files and checks nothing.
    Once they have all come (:meth:`finish`) a warning says so, and the report must not
    call them clean (:meth:`none`). A file is looked at only until one has a rule: a
    usual run asks once."""

    def __init__(self, run: RunContext) -> None:
        self._run = run
        self._found = False
        #: The configuration files of the files seen without a rule (None: none, the
        #: command line alone), in the order met.
        self._sources: dict[str | None, None] = {}

    def none(self) -> bool:
        """Whether files came and no rule was enabled for any of them."""
        return bool(self._sources) and not self._found

    def note(self, path: str) -> None:
        """One more file of the run."""
        if self._found:
            return
        own = self._run.settings.for_path(path)
        if own.rules_for(path):
            self._found = True
        else:
            self._sources[own.source] = None

    def results(self, results: Iterable[FileResult]) -> Iterator[FileResult]:
        """``results`` as they come, each file noted; :meth:`finish` at the end."""
        for result in results:
            if result.checked:  # (not an archive rule's problems about a file)
                self.note(result.path)
            yield result
        self.finish()

    def finish(self) -> None:
        """Once every file is noted: the warning, when no rule was enabled for any."""
        if self.none():
            say(f"warning: no rule is selected for any file ({self._why()}): nothing was "
                "checked")

    def _why(self) -> str:
        """Whose selection left no rule: the configuration files', the command line's."""
        files = [os.path.relpath(source) for source in self._sources if source is not None]
        options = self._run.options
        given = [name for name, value in (("--select", options.select is not None),
                                          ("--extend-select", bool(options.extend_select)),
                                          ("--ignore", bool(options.ignore))) if value]
        whose = [f"the rule selection of {some(files)}"] if files else []
        if given:
            whose.append(f"the command line's {' and '.join(given)}")
        return " and ".join(whose) or "the default selection"


def write_baseline(target: str, problems: Sequence[Problem]) -> None:
    """--write-baseline: record the problems in ``target``, and say how many."""
    from cliplint import baseline

    try:
        recorded = baseline.write_file(target, problems)
    except baseline.BaselineError as error:
        raise UsageError(str(error)) from None
    count = len(recorded.entries)
    files = len({entry.path for entry in recorded.entries})
    say(f"baseline {target}: recorded {count} problem{'s' if count != 1 else ''} "
        f"in {files} file{'s' if files != 1 else ''}")


def apply_baseline(run: RunContext, problems: Sequence[Problem], files: Sequence[str], *,
                   archive: bool, online: bool = False,
                   on_disk: Sequence[Problem] | None = None) -> list[Problem]:
    """The problems not in --baseline FILE (all of them without the option). ``archive``:
    whether the run ran the archive rules; ``online``: the rules' online steps
    (--online); ``on_disk``: the problems of the files as they are on disk, when they are
    not ``problems`` (--diff: the fixes were not written)."""
    options = run.options
    if not options.baseline:
        return list(problems)
    from cliplint import baseline

    try:
        recorded = baseline.read_file(options.baseline)
    except baseline.BaselineError as error:
        raise UsageError(str(error)) from None
    base = baseline.folder_of(options.baseline)
    current = baseline.keys(problems, base)
    split = baseline.apply(problems, recorded, base, current)
    if split.suppressed:
        say(f"{split.suppressed} problem{'s' if split.suppressed != 1 else ''} suppressed "
            f"by the baseline {options.baseline}")
    found = problems if on_disk is None else on_disk
    stale = baseline.stale(recorded, current if on_disk is None else baseline.keys(found, base),
                           _checks_run(run, files, found, archive=archive, online=online), base)
    if stale:
        say(f"{stale} baseline entr{'ies no longer match' if stale != 1 else 'y no longer matches'}"
            f" (fixed?): write it again with --write-baseline")
    return list(split.new)


def _checks_run(run: RunContext, files: Sequence[str], problems: Sequence[Problem], *,
                archive: bool, online: bool) -> dict[str, frozenset[Check]]:
    """The checks that ran in full on each of ``files``, whose ``problems`` are given: the
    engine's, and those of the rules enabled for the file (its folder's configuration,
    after per-file-ignores), archive rules only when the run ran them (``archive``), and
    the online steps of those rules only when it ran them (``online``); only the
    engine's when the file's checks were cut short (unreadable, too large, out of time,
    a rule crashed)."""
    from cliplint.archive import archive_rules
    from cliplint.baseline import Check
    from cliplint.model import (
        ENGINE_PROBLEMS,
        FILE_TIMEOUT,
        FILE_TOO_LARGE,
        FILE_UNREADABLE,
        INTERNAL_ERROR,
    )

    engine = frozenset(map(Check, ENGINE_PROBLEMS))
    cut_short = {problem.path for problem in problems
                 if problem.rule in (FILE_UNREADABLE, FILE_TOO_LARGE, FILE_TIMEOUT, INTERNAL_ERROR)}
    archive_ran = {rule.id for rule in archive_rules(run.rules, run.settings)} if archive else set()
    not_run = frozenset(rule_id for rule_id, rule in run.rules.items()
                        if rule.is_archive_rule and rule_id not in archive_ran)
    # An online step shares its rule's id: only a run that took it knows what it finds.
    stepped = frozenset(rule_id for rule_id, rule in run.rules.items()
                        if rule.is_online) if online else frozenset()
    # Most files share their enabled rules (the same tuple): each set is made once.
    made: dict[tuple[str, ...], frozenset[Check]] = {}
    ran = {}
    for path in files:
        if path in cut_short:
            ran[path] = engine
            continue
        enabled = run.settings.for_path(path).rules_for(path)
        checks = made.get(enabled)
        if checks is None:
            rules = frozenset(enabled) - not_run
            checks = made[enabled] = engine.union(
                map(Check, rules), (Check(rule, online=True) for rule in rules & stepped))
        ran[path] = checks
    return ran
