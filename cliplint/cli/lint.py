"""The lint command: its command line, the run (or the fix run, --show-config,
--show-files), and --watch, which runs it again on every change."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence, Sized
from contextlib import nullcontext, redirect_stderr
from typing import TYPE_CHECKING, NamedTuple, TextIO, cast

from cliplint.cli import EXIT_CLEAN, EXIT_INTERNAL, UsageError, utf8_standard_output
from cliplint.cli.context import (
    load_settings,
    plugin_registry,
    refuse_overwriting_inputs,
    run_context,
)
from cliplint.cli.inputs import lazy_inputs, read_stdin, refuse_missing, stdin_too_large
from cliplint.cli.output import (
    Silent,
    exit_status,
    printed,
    progress_wanted,
    stream_report,
    write_report,
)
from cliplint.cli.parser import parse_lint
from cliplint.cli.results import (
    RulesEnabled,
    apply_baseline,
    with_archive_rules,
    with_walks_warned,
    write_baseline,
)
from cliplint.cli.show import config_used, settings_data, show_config, show_files
from cliplint.streams import say

if TYPE_CHECKING:
    from watchfiles.main import FileChange

    from cliplint.cli.context import LintOptions, RunContext
    from cliplint.config import Settings
    from cliplint.model import Problem
    from cliplint.progress import Count
    from cliplint.runner import FileResult, RunOptions



def lint_command(arguments: Sequence[str]) -> int:
    """``cliplint [OPTIONS] [PATH ...]``: one run, or --watch's runs."""
    options = parse_lint(arguments)
    if options.write_baseline is not None and (options.output_file is not None
                                               or options.format != "text"):
        # (it wrote the baseline and no report, saying nothing: a CI step then found no file)
        raise UsageError("--write-baseline writes the baseline, not a report: drop "
                         "--output-file and --format, or write the report in a second run "
                         "with --baseline")
    _require_working_folder()
    if options.format != "text" and options.output_file is None:
        utf8_standard_output()
    # -qq: the exit status only. The run's notices and warnings (a baseline's counts, no
    # clippings found, the cache's) go nowhere too; an error that ends the run is still
    # said, by the caller, once this is over.
    notices = redirect_stderr(cast(TextIO, Silent())) if options.quiet >= 2 else nullcontext()
    with notices:
        return _watch(options) if options.watch else _run(options)


def _require_working_folder() -> None:
    """Paths are shown relative to the working folder and the configuration and cache
    are looked for from it: a run cannot start in a folder deleted under its shell."""
    try:
        os.getcwd()
    except OSError as error:
        raise _working_folder_lost("", error, "cd to a folder that exists") from None


def _back_in(folder: str) -> None:
    """--watch: into its working folder ``folder`` again, by its name: a branch switch
    that took it away and brought it back made a new folder there, and the run must be
    in that one, as its shell is once it cd's there. :class:`UsageError` while there
    is none (the watch waits for it, as for a watched path taken away)."""
    try:
        os.chdir(folder)
    except OSError as error:
        raise _working_folder_lost(f" {folder}", error, "linting again once it is back"
                                   ) from None


def _working_folder_lost(named: str, error: OSError, then: str) -> UsageError:
    return UsageError(f"the working folder{named} cannot be found ({error.strerror}): it "
                      f"was deleted or moved; {then}")


def _run(options: LintOptions) -> int:
    """One run: the lint run, or the fix run, --show-config or --show-files."""
    return _run_in(run_context(options))


def _run_in(run: RunContext) -> int:
    """:func:`_run` once its context is made."""
    options = run.options
    # What start-up made (modules, the rules, their regexes) lives until the end: the
    # collector need not look at it again in every full collection, nor the workers.
    gc.freeze()
    # A parse leaves few cycles (its own are broken): collecting the young generation
    # every 50,000 allocations rather than 700 costs nothing in peak memory (47.5 vs
    # 47.2 MB over oped2) and saves ~2% of a cold run's CPU (5 pairs). Forked workers
    # inherit it.
    gc.set_threshold(50_000, 10, 10)
    if options.show_config:
        return printed(lambda: show_config(run))
    if options.show_files:
        return printed(lambda: show_files(run))
    refuse_overwriting_inputs(options, run.settings, run.paths)
    if options.verbose:
        say(f"configuration: {config_used(run)}")
    if options.fixing:
        from cliplint.cli.fix import fix_command

        return fix_command(run)
    return _lint(run)


def _lint(run: RunContext) -> int:
    """The lint run: every file's problems, reported (as they come when the format
    can), and the exit status."""
    from cliplint.model import INTERNAL_ERROR, Report
    from cliplint.plugins import renderer_of
    from cliplint.runner import FileResult, LockedCache, RunOptions, default_jobs, iter_results

    options, settings, rules = run.options, run.settings, run.rules
    streamed = options.streamed_format()
    enabled = RulesEnabled(run)
    links: set[str] = set()  # (filled by the walk: see with_archive_rules)
    stdin_name, found = lazy_inputs(run, links) if not options.batched else (None, iter(()))
    # A streamed report takes the files as they are found; the others keep the list.
    files: Sequence[str] = [] if streamed is not None else list(found)
    results: Iterable[FileResult]
    if stdin_name is not None:
        data, whole = read_stdin(settings.max_file_size)
        problems = (_lint_stdin(data, run, stdin_name)
                    if whole else [stdin_too_large(stdin_name, settings.max_file_size)])
        files = [stdin_name]
        results = [FileResult(stdin_name, problems)]
        enabled.note(stdin_name)
        enabled.finish()
    else:
        run_options = RunOptions(
            jobs=options.jobs or default_jobs(),
            use_cache=not options.no_cache,
            with_source=options.with_source,
            progress=progress_wanted(options),
            locked_cache=LockedCache(),
        )
        if options.batched:  # --scheduler, URLs, --paths-from: cliplint/batches.py
            from cliplint.cli.batched import batched_results

            results = batched_results(run, run_options)
            if streamed is None:
                results = list(results)
                files = [result.path for result in results if result.checked]
        else:
            to_lint = found if streamed is not None else files
            results = iter_results(to_lint, rules, settings, run_options, run.registry.plugins,
                                   total=_file_count(run, run_options, to_lint))
            results = with_archive_rules(results, run, run_options, links)
        results = enabled.results(with_walks_warned(results, run))
        if options.verbose:
            results = _counted(iter(results))
        if streamed is not None and options.format == "html":
            return _html_report(results, run)
        if streamed is not None:
            return stream_report(results, rules, options, streamed,
                                 nothing_selected=enabled.none)
        if options.online:
            results = list(results)  # each file's problems, for its online ones to join
        problems = [problem for result in results for problem in result.problems]

    if options.online:  # the rules' online steps: cliplint/online.py
        from cliplint.online import check_online, in_file_order

        sources: list[tuple[str, bytes | None]]
        if stdin_name is not None:
            sources = [(stdin_name, data)] if whole else []
        else:
            sources = [(path, None) for path in files]
        online = check_online(sources, rules, settings, use_cache=not options.no_cache,
                              progress=progress_wanted(options))
        problems = in_file_order(results, online)

    if options.write_baseline:
        write_baseline(options.write_baseline, problems)
        return EXIT_INTERNAL if any(p.rule == INTERNAL_ERROR for p in problems) else EXIT_CLEAN
    problems = apply_baseline(run, problems, files, archive=stdin_name is None,
                              online=options.online)
    report = Report(problems=tuple(problems), files=tuple(files), rules=rules)
    write_report(report, options, renderer_of(run.registry, options.format),
                 nothing_selected=enabled.none)

    if any(problem.rule == INTERNAL_ERROR for problem in problems):
        return EXIT_INTERNAL
    return exit_status(problems, options)


def _lint_stdin(data: bytes, run: RunContext, name: str) -> list[Problem]:
    """Standard input's problems, within the file time budget (as a file's)."""
    from cliplint.budget import within_budget
    from cliplint.linter import lint_bytes

    rules, settings = run.rules, run.settings
    found = within_budget(lambda: lint_bytes(data, rules, settings, path=name,
                                             with_source=run.options.with_source),
                          settings.file_timeout, path=name, rules=rules.values())
    return found if isinstance(found, list) else [found]


def _file_count(run: RunContext, run_options: RunOptions, files: Iterable[str]) -> Count | None:
    """The bar's total for a streamed run (its files come as they are found): counted
    by a second walk in the background, only when the bar is shown."""
    if not run_options.progress or isinstance(files, Sized):
        return None
    from cliplint.files import iter_files
    from cliplint.progress import Count

    return Count(iter_files(run.paths, run.settings))


def _counted(results: Iterator[FileResult]) -> Iterator[FileResult]:
    """``results`` as they come; at the end (--verbose) how many files were checked,
    how many of them came from the cache, and how long the run took."""
    import time

    start = time.perf_counter()
    checked = cached = 0
    for result in results:
        checked += result.checked
        cached += result.cached
        yield result
    seconds = time.perf_counter() - start
    say(f"{checked:,} file{'s' if checked != 1 else ''} checked in {seconds:.2f} s: "
        f"{cached:,} from the cache, {checked - cached:,} linted")


def _html_report(results: Iterable[FileResult], run: RunContext) -> int:
    """``--format html``: the archive report, with the configuration, the archive root
    (sources are folders relative to it), --compare's stats and the stats file."""
    from cliplint.archive import find_archive
    from cliplint.formats import archive_stats, html_report

    options = run.options
    try:
        previous = archive_stats.load(options.compare) if options.compare else None
    except archive_stats.StatsError as error:
        raise UsageError(str(error)) from None
    paths = [path for path in run.paths if os.path.exists(path)]
    page = html_report.PageContext(
        root=find_archive(paths, run.settings).root if paths else None,
        configuration=settings_data(run.settings, run.rules),
        previous=previous, previous_name=options.compare,
        stats_path=(archive_stats.stats_path(options.output_file)
                    if options.output_file else None))
    try:
        return stream_report(results, run.rules, options, "html_report",
                             html_report.page_writer(page))
    except archive_stats.StatsError as error:
        raise UsageError(str(error)) from None


def _nearest_existing(path: str) -> str:
    """``path``, or the nearest folder above it that exists: a watched file or folder
    that a branch switch took away is watched for from there until it is back."""
    while not os.path.lexists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


class _Watched(NamedTuple):
    """What --watch watches: ``trees``, the watched paths (for one taken away, the
    nearest folder above it), with everything below them; ``configs``, the
    configuration files that apply to the run (absolute), and ``gitignores``, the git
    pattern files that apply to the walks of the paths from above them: those outside
    the trees in their ``folders`` alone (:func:`_outside_folders`): another file there
    is not linted, and a folder above the paths is not watched with all it holds."""

    trees: tuple[str, ...]
    configs: frozenset[str]
    gitignores: frozenset[str] = frozenset()
    folders: tuple[str, ...] = ()

    @property
    def files(self) -> frozenset[str]:
        """The files watched for, besides what the trees hold."""
        return self.configs | self.gitignores


def _outside_folders(trees: Sequence[str], files: Iterable[str]) -> tuple[str, ...]:
    """The folders --watch watches (alone, not what is below them) for the ``files``
    outside the ``trees``: each file's folder, or while that is not there the nearest
    folder above it that is (a user configuration's folder not made yet, a repository
    without ``.git/info``): the folder made brings a run, and the next watchers watch it."""
    from cliplint.writer import inside

    folders = set()
    for file in files:
        if inside(file, trees):
            continue
        folder = _nearest_existing(os.path.dirname(file))
        folders.add(folder if os.path.isdir(folder) else os.path.dirname(folder))
    return tuple(sorted(folders))


def _watched(paths: Sequence[str], home: str, options: LintOptions, settings: Settings,
             applying: Iterable[str]) -> _Watched:
    """What --watch watches of ``paths`` linted from the working folder ``home`` (all
    absolute) with ``settings`` (the latest run's), whose walk of the paths found the
    configuration files ``applying`` below them. None with --isolated; else the user's
    own configuration, --config's file or those a walk up looks for (cliplint/config.py
    from the working folder, cliplint/config_tree.py from each linted folder): from the
    working folder and from each path up to the folder of the configuration file found
    for the run, the project's top, or to the root while none is found; and the files
    each of these and of ``applying`` extends. And, with --isolated too, the git pattern
    files above the paths (:func:`_gitignores`)."""
    from cliplint.config import CONFIG_FILES, user_config_path

    trees = tuple(_nearest_existing(path) for path in paths)
    gitignores = _gitignores(paths, settings)
    if options.isolated:
        return _Watched(trees, frozenset(), gitignores, _outside_folders(trees, gitignores))
    if options.config is not None:
        looked_for = {os.path.normpath(os.path.join(home, options.config))}
    else:
        starts = {_folder_of(_nearest_existing(start)) for start in (home, *paths)}
        looked_for = {os.path.join(folder, name) for start in starts
                      for folder in _folders_up(start, settings.project_folder)
                      for name in CONFIG_FILES}
    user = os.path.normpath(os.path.join(home, user_config_path()))
    configs = frozenset({user, *looked_for, *_extended({*looked_for, *applying})})
    return _Watched(trees, configs, gitignores, _outside_folders(trees, configs | gitignores))


def _gitignores(paths: Sequence[str], settings: Settings) -> frozenset[str]:
    """The pattern files that apply to the walks of the folders among ``paths`` as they
    start (cliplint/gitignore.py): ``.git/info/exclude`` and the ``.gitignore`` files
    from the git work tree's top down to each folder (those below it the walk meets,
    and their changes are judged by :func:`_wanted_changes`); none when the run does
    not respect them (``respect-gitignore``)."""
    if not settings.respect_gitignore:
        return frozenset()
    from cliplint.files import git_top
    from cliplint.gitignore import pattern_files

    return frozenset(found for path in paths if os.path.isdir(path)
                     for found in pattern_files(path, git_top(path)))


def _extended(configs: Iterable[str]) -> set[str]:
    """The files the configuration files ``configs`` extend, as far as they can be read
    (cliplint/config_tree.py); a file read again after each run: a new ``extend`` is
    followed."""
    from cliplint.config_tree import extended_files

    return {extended for config in configs for extended in extended_files(config)}


def _folder_of(path: str) -> str:
    return path if os.path.isdir(path) else os.path.dirname(path)


def _folders_up(folder: str, top: str | None) -> Iterator[str]:
    """``folder`` and the folders above it (absolute), up to ``top`` when it is one of
    them, else up to the root."""
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if folder == top or parent == folder:
            return
        folder = parent


#: How long (ms) a watcher waits for a first change before it answers that there was
#: none: --watch asks its watchers in turn.
_QUIET = 100


def _watchers(watched: _Watched) -> list[Generator[set[FileChange], None, None]]:
    """Watchers of ``watched``, up once first asked (:func:`_seen`): from then on each
    sees every change, also while a run goes on, and keeps it until asked. Their changes
    are judged by :func:`_wanted_changes`, as the latest run's settings say."""
    from functools import partial

    from watchfiles import watch

    watching = partial(watch, watch_filter=None, rust_timeout=_QUIET, yield_on_timeout=True,
                       raise_interrupt=True)
    made = [watching(*watched.trees)]
    if watched.folders:
        # (a folder above the paths the user may not read, up to the root: nor can
        # cliplint read a configuration file there)
        made.append(watching(*watched.folders, recursive=False,
                             ignore_permission_denied=True))
    return made


def _seen(watchers: Iterable[Iterator[set[FileChange]]]) -> set[FileChange]:
    """What ``watchers`` saw since they were last asked (each waits for a first change
    :data:`_QUIET` ms at most)."""
    return {change for watcher in watchers for change in next(watcher)}


def _close(watchers: Iterable[Generator[set[FileChange], None, None]]) -> None:
    for watcher in watchers:
        watcher.close()


def _wanted_changes(paths: Sequence[str], report: str | None, settings: Settings,
                    files: frozenset[str], walk: _Walk) -> Callable[[object, str], bool]:
    """--watch's filter of changes, as ``settings`` (the latest run's) say: one of the
    ``files`` watched for (:attr:`_Watched.files`: the configuration files that apply,
    the git pattern files above the paths), or under the watched ``paths`` (absolute) a
    configuration file's, a ``.gitignore`` in one of the folders the latest ``walk``
    entered, and a clipping's (a name ``include`` matches) or a folder's that a walk does
    not leave out (one of those folders, or one neither excluded nor ignored by git):
    added, taken away or renamed, a folder brings or takes its clippings, with no event
    of their own when it is moved. Nothing else beside them (a folder above a path is
    watched for its configuration and pattern files, or for a path taken away to come
    back; a folder made on the way to one of those ``files`` whose folder is not there
    is wanted), and never cliplint's own writes (its cache, the ``report``), or the run would
    never end. A change it cannot judge (a configuration file broken, the working folder
    gone) is wanted: the run says what is wrong."""
    from cliplint.cli.context import git_ignores
    from cliplint.config import CONFIG_FILES, ConfigError
    from cliplint.gitignore import GITIGNORE, listed
    from cliplint.paths import relative_posix

    folders = walk.folders

    def _ignored(path: str) -> bool:
        # Left out by the walk of every watched folder that holds it. The latest walk
        # tells for a path that was there, by what it met and git's answer to it (a
        # checkout changes thousands: git asked once each took minutes); git is asked
        # for one made since.
        holding = [watched for watched in paths
                   if watched != path and os.path.commonpath([path, watched]) == watched]
        return bool(holding) and all(_ignored_below(watched, path) for watched in holding)

    def _ignored_below(watched: str, path: str) -> bool:
        answer = settings.git_answers.get(watched)
        if answer is not None and listed(answer, relative_posix(path, watched)):
            return True
        if path in walk.files or path in folders:
            return False
        return git_ignores(watched, path, settings)

    def wanted(change: object, path: str) -> bool:
        if path == report:
            return False
        if path in files or path in folders:
            return True
        if not _on_the_way(path, paths):
            # A folder made (or taken away) on the way to a file watched for, whose
            # folder was not there: the next watchers watch it (:func:`_outside_folders`).
            return any(file.startswith(path + os.sep) for file in files)
        name = os.path.basename(path)
        if name in CONFIG_FILES:
            return True
        if name == GITIGNORE:  # one the walk read (not the cache folder's own)
            return os.path.dirname(path) in folders
        try:
            if os.path.isdir(path):
                return not settings.walk_skips(path) and not _ignored(path)
            # An excluded file makes no run (the cache in .cliplint_cache, written while
            # a run goes on and the watchers look, whatever ``include`` says) unless named;
            # nor does one git ignores.
            return (settings.for_folder(os.path.dirname(path)).includes_name(name)
                    and (path in paths
                         or (not settings.walk_skips(path) and not _ignored(path))))
        except (OSError, ConfigError):
            return True

    return wanted


class _Walk(NamedTuple):
    """What a walk of the watched paths met: the ``folders`` it enters (taken away, a
    folder is known to have been one only by its name), the configuration files
    (``configs``) their settings come from and the ``files`` it would lint, by their
    absolute paths."""

    folders: frozenset[str] = frozenset()
    configs: frozenset[str] = frozenset()
    files: frozenset[str] = frozenset()


def _walk(paths: Sequence[str], home: str, settings: Settings) -> _Walk:
    """A walk of ``paths`` linted from the working folder ``home`` (all absolute) with
    ``settings``; nothing met when it fails (its run failed as well, and said why)."""
    from cliplint.config import ConfigError
    from cliplint.files import walk_entries

    met: dict[str, Settings] = {}
    folders: set[str] = set()
    files: set[str] = set()
    try:
        for path in paths:
            for below, entries in walk_entries(path, settings, met):
                folders.add(os.path.normpath(os.path.join(path, below)))
                files.update(os.path.normpath(entry.path) for entry in entries)
    except (OSError, ConfigError):
        return _Walk()
    # (--config's file is named relative to the working folder, which may be gone)
    return _Walk(frozenset(folders),
                 frozenset(os.path.normpath(os.path.join(home, found.source))
                           for found in met.values() if found.source is not None),
                 frozenset(files))


def _on_the_way(path: str, paths: Sequence[str]) -> bool:
    """Whether ``path`` is one of ``paths``, inside one, or above one (a watched path
    taken away comes back a folder at a time); all absolute."""
    return any(os.path.commonpath([path, watched]) in (path, watched) for watched in paths)


def _watch(options: LintOptions) -> int:
    """``--watch``: a lint run, then another each time files change (watchfiles), with
    the configuration read again each time; Ctrl-C ends it (exit 130), as ruff's
    ``--watch``. The watchers stay up while a run goes on: what changes then makes one
    run more after it, as with watchfiles' ``run_process``. Only a lint run of local
    paths: fixing on every save would rewrite files under an editor's feet."""
    if options.fixing:
        raise UsageError("--watch lints again on every change; it does not fix "
                         "(drop --fix, --fix-only and --diff)")
    if "-" in options.paths or options.batched:
        raise UsageError("--watch watches local files: not standard input, --scheduler, "
                         "--paths-from or URLs")
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        raise UsageError("--watch needs watchfiles: pip install 'cliplint[watch]'") from None
    from cliplint.config import ConfigError

    home = os.getcwd()
    paths = [os.path.abspath(path) for path in options.paths or ["."]]
    refuse_missing(options.paths)
    report = os.path.abspath(options.output_file) if options.output_file else None
    settings = load_settings(options, plugin_registry(options).rules)
    refuse_overwriting_inputs(options, settings, options.paths or ["."])

    watched = _watched(paths, home, options, settings, _walk(paths, home, settings).configs)
    watchers = _watchers(watched)
    _seen(watchers)  # up before the first run: a change during it is seen
    try:
        while True:
            try:
                _back_in(home)
                run = run_context(options)
                settings = run.settings  # the changes to come are judged as it says
                _run_in(run)
            except (UsageError, ConfigError) as error:
                say(f"error: {error}")  # a configuration mid-edit, a path gone: said; waits
            seen: set[FileChange] = set()
            walk = _walk(paths, home, settings)
            latest = _watched(paths, home, options, settings, walk.configs)
            if latest != watched:
                # (a path taken away or back, another configuration file found or
                # extended): the new watchers are up before the old ones, asked what
                # they saw, go
                fresh = _watchers(latest)
                seen = _seen(fresh) | _seen(watchers)
                _close(watchers)
                watched, watchers = latest, fresh
            wanted = _wanted_changes(paths, report, settings, watched.files, walk)
            say("watching for changes (Ctrl-C to stop)")
            changed = {path for change, path in seen if wanted(change, path)}
            while not changed:
                changed = {path for change, path in _seen(watchers) if wanted(change, path)}
            count = len(changed)
            say(f"{count} file{'s' if count != 1 else ''} changed: linting again")
    finally:
        _close(watchers)
