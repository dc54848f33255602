"""What a lint or fix run is given, made once before it starts: the command line's
options (:class:`LintOptions`), the installed rules and formats, and the settings
(:class:`RunContext`)."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from cliplint.cli import UsageError
from cliplint.streams import say

if TYPE_CHECKING:
    import argparse

    from cliplint.config import Settings
    from cliplint.model import Rule
    from cliplint.plugins import Registry


class LintOptions(NamedTuple):
    """The options of a lint (or fix) command line; ``cliplint --help`` says what each
    one means. (A named tuple, as :class:`RunContext`: defined on every start, where a
    frozen dataclass of this many fields costs a millisecond to define.)"""

    paths: tuple[str, ...]
    # rule selection
    select: tuple[str, ...] | None
    extend_select: tuple[str, ...]
    ignore: tuple[str, ...]
    # output
    format: str
    output_file: str | None
    compare: str | None
    statistics: bool
    show_source: bool
    quiet: int
    verbose: bool
    exit_zero: bool
    max_warnings: int | None
    # configuration
    config: str | None
    isolated: bool
    show_config: bool
    show_files: bool
    watch: bool
    stdin_filename: str | None
    force_exclude: bool
    respect_gitignore: bool | None
    # baseline
    baseline: str | None
    write_baseline: str | None
    # fixing
    fix: bool
    unsafe_fixes: bool
    diff: bool
    fix_only: bool
    show_fixes: bool
    fix_outside_tree: bool
    # speed
    jobs: int | None
    file_timeout: float | None
    no_cache: bool
    # beyond one machine
    scheduler: str
    paths_from: str | None
    storage_options: Mapping[str, Any]
    batch_size: int | None
    # online
    online: bool
    online_allow_private: bool

    @classmethod
    def from_namespace(cls, namespace: argparse.Namespace) -> LintOptions:
        """The options argparse parsed (one attribute per field), lists made tuples."""
        values = vars(namespace)
        return cls(**{
            **values,
            "paths": tuple(values["paths"]),
            "select": tuple(values["select"]) if values["select"] is not None else None,
            "extend_select": tuple(values["extend_select"]),
            "ignore": tuple(values["ignore"]),
        })

    @property
    def fixing(self) -> bool:
        """--fix, --fix-only or --diff: a fix run rather than a lint run."""
        return self.fix or self.fix_only or self.diff

    @property
    def batched(self) -> bool:
        """Whether the run goes through cliplint/batches.py rather than the runner."""
        return bool(self.scheduler != "processes" or self.paths_from
                    or any("://" in path for path in self.paths))

    @property
    def with_source(self) -> bool:
        # Baseline fingerprints, SARIF and GitLab fingerprints hash the text around a problem.
        return bool(self.show_source or self.baseline or self.write_baseline
                    or self.format in ("sarif", "gitlab"))

    def streamed_format(self) -> str | None:
        """The module that streams the report, when the run allows it: a baseline and
        --online need every problem before anything is reported."""
        if self.baseline or self.write_baseline or self.online:
            return None
        from cliplint.formats import BUILTIN_FORMATS

        # A plugin's format is rendered whole at the end: it holds every problem until then.
        return BUILTIN_FORMATS.get(self.format)


class RunContext(NamedTuple):
    """A lint or fix run's options, installed rules and formats, and settings, and the
    paths it lints (:func:`paths_to_lint`, worked out once: several parts of a run ask)."""

    options: LintOptions
    registry: Registry
    settings: Settings
    paths: list[str]

    @property
    def rules(self) -> Mapping[str, Rule]:
        return self.registry.rules


def paths_to_lint(options: LintOptions, settings: Settings) -> list[str]:
    """The paths named on the command line (default: the current folder). With
    --force-exclude the ones the configuration excludes are dropped, as ruff does:
    pre-commit names every staged file, excluded or not."""
    paths = list(options.paths or ["."])
    if not options.force_exclude:
        return paths
    # As a walk would leave it out: excluded by its folder's configuration or by one
    # above (a pre-commit hook must not fail on a file the CI scan never reads).
    if paths == ["-"] and options.stdin_filename and settings.walk_skips(options.stdin_filename):
        return []
    return [path for path in paths if path == "-" or not settings.walk_skips(path)]


def written_files(options: LintOptions) -> list[tuple[str, str]]:
    """The files a run writes besides the clippings, each with what the user calls it:
    the report (and the html report's stats file next to it) and the baseline."""
    written = []
    if options.output_file is not None:
        written.append(("the output file", options.output_file))
        if options.format == "html":
            from cliplint.formats.archive_stats import stats_path

            stats = stats_path(options.output_file)
            if stats is not None:
                written.append(("the output file's stats file", stats))
    if options.write_baseline is not None:
        written.append(("the baseline file", options.write_baseline))
    return written


def refuse_overwriting_inputs(options: LintOptions, settings: Settings,
                              paths: Sequence[str]) -> None:
    """:class:`UsageError` when a file the run writes (:func:`written_files`) is one of the
    clippings it lints: ``cliplint --output-file ok.md ok.md`` (or a shell glob, or a hard
    link or a symlink to it) emptied the clipping and left the report in its place. Said
    before anything is opened, so nothing is truncated. Compared as the system sees the
    files (device and inode), so any path to the same file counts; a file inside a
    linted folder counts when the walk would lint it (its name matches ``include``, it
    is not excluded), whether it exists yet or not: the report would be linted as it is
    written, or on the next run. A batched run's manifest counts too (it would be emptied
    before it is read), and so does the baseline --baseline reads; the files a manifest
    lists, and those of a URL's listing, are known only as the run meets them:
    :class:`WrittenFiles` refuses them then. A written file with other hard links is
    looked for in the linted folders by its inode. (Not checked: a symlink inside a
    linted folder to a written file.)"""
    kept = WrittenFiles.of(options)  # (a name too long for the file system: refused here)
    if not kept.files:
        return  # nothing written, or only to what no clipping can be (/dev/stdout, a FIFO)
    # With --write-baseline the run writes no report (lint_command): naming the baseline
    # it reads there writes it anew, as asked.
    if options.baseline is not None and options.write_baseline is None:
        baseline = kept.one_of(options.baseline)
        if baseline is not None:
            what, target = baseline
            raise UsageError(f"{what} {target} is the baseline --baseline reads: writing it "
                             "would replace the baseline (write it elsewhere)")
    if options.batched and options.paths_from not in (None, "-"):
        manifest = kept.one_of(options.paths_from)
        if manifest is not None:
            what, target = manifest
            raise UsageError(f"{what} {target} is the manifest --paths-from reads: writing "
                             "it would empty the list before it is read (write it elsewhere)")
    # (--paths-from's files are the manifest's, met as it is read: WrittenFiles)
    local = [] if options.paths_from else [
        local for path in paths if (local := local_file(path)) is not None]
    for what, target, status, _ in kept.files:
        clash = _linted_as(target, status, local, settings)
        if clash is None:
            continue
        if os.path.isdir(clash):
            raise UsageError(
                f"{what} {target} would be linted: it is inside the folder {clash}, which "
                "is linted, and its name matches the include patterns (write it elsewhere, "
                "or exclude it in the configuration)")
        raise _overwriting(what, target, clash)


def _overwriting(what: str, target: str, clash: str) -> UsageError:
    shown = "" if clash == target else f" ({clash})"
    return UsageError(f"{what} {target} is one of the files to lint{shown}: writing it "
                      "would overwrite the clipping (write it elsewhere)")


def local_file(path: str) -> str | None:
    """The local path of a path or URL a run is given: itself, a ``file://`` URL's path
    (as fsspec reads it: the rest of the URL as written, no ``%XX`` decoded); None for
    standard input and other URLs."""
    if path == "-":
        return None
    if path.startswith("file://"):
        return path[len("file://"):]
    return None if "://" in path else path


class WrittenFiles(NamedTuple):
    """The regular files a run writes (:func:`written_files`) as they were when it
    started, to refuse a file it reads as it goes that is one of them: a batched run
    knows a manifest's files, or a URL listing's, only then. The report is kept aside
    until the run ends (``cliplint.cli.output._kept_aside``), so a refused run
    leaves the clipping as it was."""

    files: tuple[tuple[str, str, os.stat_result | None, str], ...]  # what, as given, status, absolute

    @classmethod
    def of(cls, options: LintOptions) -> WrittenFiles:
        """:class:`UsageError` for a name too long for the file system (the html report's
        stats file, its name longer than the report's, was found so only once the report
        was written)."""
        files = []
        for what, target in written_files(options):
            try:
                status: os.stat_result | None = os.stat(target)
            except OSError as error:
                if error.errno == errno.ENAMETOOLONG:
                    raise UsageError(f"cannot write {what} {target}: {error.strerror}") from None
                status = None  # not there yet: it would be made where the clipping is not
            if status is None or stat.S_ISREG(status.st_mode):  # not /dev/stdout, a FIFO
                files.append((what, target, status, os.path.abspath(target)))
        return cls(tuple(files))

    def one_of(self, path: str) -> tuple[str, str] | None:
        """What the file at ``path`` is of the files written, and its name as given; None
        when it is none of them."""
        try:
            read: os.stat_result | None = os.stat(path)
        except OSError:
            read = None  # (reported as unreadable: nothing of it to lose)
        for what, target, status, absolute in self.files:
            if (os.path.samestat(status, read) if status is not None and read is not None
                    else os.path.abspath(path) == absolute):
                return what, target
        return None

    def refuse(self, path: str, shown: str) -> None:
        """:class:`UsageError` when the local file ``path`` (``shown`` in the report) is
        one of the files written."""
        written = self.one_of(path)
        if written is not None:
            raise _overwriting(*written, shown)


def _linted_as(target: str, written: os.stat_result | None, paths: Sequence[str],
               settings: Settings) -> str | None:
    """The path of ``paths`` through which ``target`` (a regular file, or None when it is
    not there yet, as :class:`WrittenFiles` keeps it) would be linted: a file that is the
    same file, or a folder whose walk would find it; None when none."""
    # Where a walk could meet it: the file itself, or (when the name is a symlink) the
    # link, a file entry of its folder as well.
    absolute = os.path.abspath(target)
    places = {os.path.realpath(absolute),
              os.path.join(os.path.realpath(os.path.dirname(absolute)),
                           os.path.basename(absolute))}
    for path in paths:
        try:
            linted = os.stat(path)
        except OSError:
            continue  # a path that does not exist: said when the run starts
        if stat.S_ISDIR(linted.st_mode):
            if any(_walk_finds(place, path, settings) for place in places):
                return path
            if written is not None and written.st_nlink > 1:
                other_name = _walk_meets(written, path, settings)
                if other_name is not None:
                    return other_name
        elif written is not None and os.path.samestat(written, linted):
            return path
    return None


def _walk_meets(written: os.stat_result, folder: str, settings: Settings) -> str | None:
    """The path through which a walk of ``folder`` would lint the file ``written`` under
    another name (it has other hard links), None when it would not. A walk of the folder
    before the run, asked only of a file with other links (a report file seldom has
    them): its other names are known only to the folders that hold them."""
    from cliplint.files import walk_entries

    for _, entries in walk_entries(folder, settings):
        for entry in entries:
            try:
                # (a folder's entry knows its inode: a stat only for a likely match)
                # (os.stat: a folder entry's stat has no inode on Windows)
                if entry.inode() == written.st_ino and os.path.samestat(
                        os.stat(entry.path, follow_symlinks=False), written):
                    return entry.path
            except OSError:
                continue
    return None


def _walk_finds(real: str, folder: str, settings: Settings) -> bool:
    """Whether a walk of ``folder`` would lint the file at ``real`` (its folder's
    symlinks resolved): it lies below the folder (resolved too: the walk follows no
    symlink below it, so each folder between is a real one), its name is included, it
    is not excluded (as --force-exclude decides, through the path the walk gives it) and
    git does not ignore it (``respect-gitignore``)."""
    top = os.path.realpath(folder)
    if real == top or os.path.commonpath([top, real]) != top:
        return False
    seen_as = os.path.join(folder, os.path.relpath(real, top))
    if not settings.for_folder(os.path.dirname(seen_as)).includes_name(os.path.basename(real)):
        return False
    return not settings.walk_skips(seen_as) and not git_ignores(folder, seen_as, settings)


def git_ignores(folder: str, path: str, settings: Settings) -> bool:
    """Whether a walk of ``folder`` leaves out ``path``, below it, as git ignores it: git
    asked for the one path (:mod:`cliplint.gitignore`), when a pattern file can apply to
    it, and the folder itself is not one git ignores (such a folder is walked whole)."""
    if not settings.respect_gitignore:
        return False
    from cliplint.files import git_top

    top = git_top(folder)
    if top is None:
        return False
    from cliplint.gitignore import git_ignores as ignored, patterns_apply

    return (patterns_apply(os.path.dirname(os.path.abspath(path)), top)
            and ignored(path, top) and not ignored(folder, top))


def run_context(options: LintOptions) -> RunContext:
    """The context of a run with these options; :class:`UsageError` when the format is
    unknown, --compare cannot be used, or the configuration is broken."""
    registry = plugin_registry(options)
    if options.format not in registry.formats:
        raise UsageError(f"unknown format {options.format!r} "
                         f"(choose from {', '.join(sorted(registry.formats))})")
    if options.compare and (options.format != "html" or options.streamed_format() is None
                            or options.fixing):
        raise UsageError("--compare works with --format html on a lint run (not with "
                         "--baseline, --write-baseline, --online, --fix or --diff)")
    settings = load_settings(options, registry.rules)
    return RunContext(options, registry, settings, paths_to_lint(options, settings))


def plugin_registry(options: LintOptions | None = None) -> Registry:
    """The installed rules and formats (``options`` None: a command that lints nothing)."""
    from cliplint.plugins import PluginError, load_registry, plugins_disabled

    known_good = None
    if options is not None and not options.no_cache:
        # Plugins' option schemas checked once: a marker in the cache folder, when there
        # is one here already (a run elsewhere must not leave cache folders behind).
        from cliplint.cache import cache_folder

        folder = cache_folder(os.getcwd())
        # (not a folder the user cannot enter either: the cache says so when opened)
        known_good = folder if os.path.isdir(folder) else None
    try:
        # The variable read here, not left to the cached default: main() may run again
        # in the same process with another environment. The registry's snapshot, in the
        # user's cache folder, is a cache too: --no-cache neither reads nor writes it.
        return load_registry(plugins_disabled(), known_good=known_good,
                             snapshot=options is None or not options.no_cache)
    except (ImportError, PluginError) as error:  # ImportError: html5lib missing, or the wrong one
        raise UsageError(str(error)) from None


def load_settings(options: LintOptions, rules: Mapping[str, Rule]) -> Settings:
    """The run's settings: the configuration file found from the current folder (with
    the nearest file of each linted file's folder, cliplint/config_tree.py), --config's
    for everything, or none with --isolated; the command line's flags on top."""
    from dataclasses import replace

    from cliplint.config import (
        ConfigError,
        Selection,
        UserConfig,
        check_selectors,
        file_mode,
        find_config,
        load_user_config,
        not_a_file,
    )
    from cliplint.config_tree import ConfigTree, Overrides, settings_of_file
    from cliplint.paths import path_text

    try:
        source: str | None = None
        if options.config is not None:  # (never with --isolated: the parser refuses both)
            if not options.config:  # (Path("") is the working folder)
                raise ConfigError("--config needs a file name, not an empty one")
            # As pathlib wrote the name (which ``cliplint.toml/`` names too): the
            # settings' source and root, and the checks below, take it so.
            source = path_text(options.config)
            try:
                mode = file_mode(source)
            except OSError as error:  # a folder the user cannot enter, a name too long
                raise ConfigError(f"cannot read config file {options.config}: "
                                  f"{error.strerror or error}") from None
            if mode is None:
                raise ConfigError(f"config file not found: {options.config}")
            if not stat.S_ISREG(mode):  # a folder, /dev/null
                raise ConfigError(f"config file is {not_a_file(source)}: {options.config}")
        elif not options.isolated:
            search = find_config(os.getcwd())
            source = search.found
            for misplaced in search.misplaced:
                say(f"warning: {os.path.relpath(misplaced)} holds a [cliplint] table, "
                    "which cliplint does not read: in pyproject.toml its table is "
                    "[tool.cliplint]")
        check_selectors(options.select or [], rules, "--select")
        check_selectors(options.extend_select, rules, "--extend-select")
        check_selectors(options.ignore, rules, "--ignore")
        user = UserConfig() if options.isolated else load_user_config(rules)
        overrides = Overrides(
            selection=Selection(
                select=options.select,
                extend_select=options.extend_select,
                ignore=options.ignore,
            ),
            fix_outside_tree=options.fix_outside_tree or user.fix_outside_tree,
            allow_private=(frozenset(rules) if options.online_allow_private
                           else user.allow_private),
            use_cache=not options.no_cache,
            file_timeout=options.file_timeout,
            respect_gitignore=options.respect_gitignore,
        )
        settings = settings_of_file(source, rules, overrides)
        if options.config is not None or options.isolated:
            return settings  # one configuration for every file, as in ruff
        tree = ConfigTree(settings, rules, overrides)
        tree.base = settings = replace(settings, tree=tree)
        return settings
    except ConfigError as error:
        raise UsageError(str(error)) from None
