"""The command line: a thin layer over the config, runner and formats.

Exit status: 0 no problems left; 1 problems left; 2 usage, config or plugin error, or a
path that does not exist; 3 a rule crashed (the other files were still linted);
130 interrupted.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence, Sized
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar, cast

from cliplint import __version__
from cliplint.streams import open_for_writing, pass_through, read_at_most, read_text

if TYPE_CHECKING:
    pass

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
_T = TypeVar("_T")


class UsageError(Exception):
    """Bad command line, config or plugin: exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value!r}")
    return int(value)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}")
    return seconds


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _lint_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cliplint",
        description="Lint scraped news clippings. Subcommands: 'cliplint rules [--json]', "
        "'cliplint explain RULE'.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files and folders to lint ('-' for standard input; default: .)")
    parser.add_argument("--version", action="version", version=f"cliplint {__version__}")
    selection = parser.add_argument_group("rule selection")
    selection.add_argument("--select", type=_split, metavar="RULE[,RULE]",
                           help="only these rules (ALL, an id, or a plugin prefix 'name/')")
    selection.add_argument("--extend-select", type=_split, default=[], metavar="RULE[,RULE]",
                           help="add rules to the selection")
    selection.add_argument("--ignore", type=_split, default=[], metavar="RULE[,RULE]",
                           help="leave these rules out")
    output = parser.add_argument_group("output")
    output.add_argument("--format", default="text", metavar="FORMAT",
                        help="text (default), json, github, sarif, junit, gitlab, html (the "
                        "archive report), or one a plugin provides")
    output.add_argument("--output-file", metavar="FILE", help="write the report to FILE")
    output.add_argument("--compare", metavar="STATS",
                        help="with --format html: show the change per rule since the run "
                        "that wrote STATS (the REPORT.stats.json written next to an html "
                        "--output-file)")
    output.add_argument("--statistics", action="store_true",
                        help="count problems per rule instead of listing them")
    output.add_argument("--show-source", action="store_true",
                        help="show the offending source line with a caret")
    output.add_argument("-q", "--quiet", action="count", default=0,
                        help="print the problems and nothing else (no summary, no progress "
                        "bar); -qq: print nothing, only the exit status tells")
    output.add_argument("-v", "--verbose", action="store_true",
                        help="also say on standard error which configuration file was "
                        "used, how many files came from the cache, and how long it took")
    output.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when problems are found")
    output.add_argument("--max-warnings", type=_count, metavar="N",
                        help="exit 1 when more than N warnings are found (by default "
                        "warnings do not fail the run)")
    config = parser.add_argument_group("configuration")
    config.add_argument("--config", metavar="FILE", help="use this config file")
    config.add_argument("--isolated", action="store_true", help="ignore all config files")
    config.add_argument("--show-config", action="store_true",
                        help="print the resolved configuration (the one PATH gets, when "
                        "one PATH is given) and exit")
    config.add_argument("--show-files", action="store_true",
                        help="print the files that would be linted, one a line, and exit")
    config.add_argument("--watch", action="store_true",
                        help="lint, then lint again whenever a clipping or a configuration "
                        "file changes, until Ctrl-C (pip install 'cliplint[watch]')")
    config.add_argument("--stdin-filename", metavar="NAME",
                        help="the name of the clipping read from '-' (for config and reports)")
    config.add_argument("--force-exclude", action="store_true",
                        help="skip files the configuration excludes even when they are named "
                        "on the command line (pre-commit names every file)")
    baseline = parser.add_argument_group("baseline")
    baseline.add_argument("--baseline", metavar="FILE",
                          help="report only problems not recorded in FILE")
    baseline.add_argument("--write-baseline", metavar="FILE",
                          help="record today's problems in FILE and exit 0")
    _add_fix_arguments(parser)
    speed = parser.add_argument_group("speed")
    speed.add_argument("--jobs", "-j", type=_positive, metavar="N",
                       help="worker processes (default: all cores)")
    speed.add_argument("--file-timeout", type=_seconds, metavar="SECONDS",
                       help="stop a file's checks after SECONDS and report file-timeout "
                       "(default: 60; 0: no limit)")
    speed.add_argument("--no-cache", action="store_true",
                       help="neither read nor write the result cache (.cliplint_cache/)")
    _add_scale_arguments(parser)
    parser.add_argument("--online", action="store_true",
                        help="also run the online step of the rules that have one (they "
                        "ask the network, e.g. whether an image still loads)")
    parser.add_argument("--online-allow-private", action="store_true",
                        help="with --online, also ask hosts at private, loopback or "
                        "link-local addresses (only here or in the user configuration, "
                        "never in a project's)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if arguments and arguments[0] == "rules":
            return _rules_command(arguments[1:])
        if arguments and arguments[0] == "explain":
            return _explain_command(arguments[1:])
        return _lint_command(arguments)
    except UsageError as error:
        _say(f"error: {error}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say to it. Not a failure
        # with --exit-zero, which promises 0 whatever the run found.
        sys.stderr.close()
        return EXIT_CLEAN if "--exit-zero" in arguments else EXIT_PROBLEMS
    except Exception as error:  # a bug in cliplint itself: say so plainly
        from cliplint.config import ConfigError

        if isinstance(error, ConfigError):  # a folder's configuration, found during the run
            _say(f"error: {error}")
            return EXIT_USAGE
        if os.environ.get("CLIPLINT_DEBUG"):
            import traceback

            traceback.print_exc()
        _say(f"internal error: {type(error).__name__}: {error} "
             "(set CLIPLINT_DEBUG=1 for a traceback, and please report it)")
        return EXIT_INTERNAL


def entry() -> NoReturn:
    """The command: ``main``, then exit without tearing the interpreter down. Freeing
    every module and object one by one at exit cost a one-file run about a seventh of
    its time, and nothing is left to clean up: reports are written and closed, the
    cache is closed, worker processes are joined. The output streams are flushed first.
    (A thread still running, as a library may leave one, gets the ordinary exit.)"""
    status = main()
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):  # the reader went away, or the stream is closed
        pass
    try:
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    if "threading" in sys.modules and sys.modules["threading"].active_count() > 1:
        sys.exit(status)
    os._exit(status)


def _say(message: str) -> None:
    print(f"cliplint: {message}", file=sys.stderr)


def _registry(options: argparse.Namespace | None = None) -> Any:
    from cliplint.plugins import PluginError, load_registry, plugins_disabled

    known_good = None
    if options is not None and not options.no_cache:
        # Plugins' option schemas checked once: a marker in the cache folder, when there
        # is one here already (a run elsewhere must not leave cache folders behind).
        from cliplint.cache import cache_folder

        folder = cache_folder(str(Path.cwd()))
        known_good = folder if folder.is_dir() else None
    try:
        import cliplint.html  # noqa: F401  (checks the html5lib release it needs)
    except ImportError as error:  # html5lib missing, or not the release cliplint needs
        raise UsageError(str(error)) from None
    try:
        # The variable read here, not left to the cached default: main() may run again
        # in the same process with another environment.
        return load_registry(plugins_disabled(), known_good=known_good)
    except PluginError as error:
        raise UsageError(str(error)) from None


def _rules_command(arguments: list[str]) -> int:
    parser = _Parser(prog="cliplint rules", description="List every installed rule.")
    parser.add_argument("--json", action="store_true", help="print JSON")
    options = parser.parse_args(arguments)
    rules = _registry().rules
    if options.json:
        listing = [
            {
                "id": rule.id,
                "summary": rule.summary,
                "severity": rule.severity,
                "findings": [{"kind": kind, "severity": finding.severity,
                              "description": finding.description}
                             for kind, finding in rule.findings.items()],
                "fixable": rule.fix,
                "online": rule.is_online,
                "plugin": rule.plugin,
                "options": rule.options_schema,
            }
            for rule in rules.values()
        ]
        print(json.dumps(listing, ensure_ascii=False, indent=2))
        return EXIT_CLEAN
    width = max((len(rule_id) for rule_id in rules), default=10)
    for rule in rules.values():
        # Every severity the rule's findings can have: "error" alone would oversell a
        # rule that mostly warns.
        severities = "/".join(rule.severities)
        print(f"{rule.id:<{width}}  {severities:<18}  {rule.fix or '-':<6}  {rule.summary}")
    return EXIT_CLEAN


def _explain_command(arguments: list[str]) -> int:
    parser = _Parser(prog="cliplint explain",
                     description="Show a rule's documentation (or an engine problem's).")
    parser.add_argument("rule")
    options = parser.parse_args(arguments)
    from cliplint.docs import explanation

    rules = _registry().rules
    text = explanation(options.rule, rules)
    if text is None:
        from cliplint.engine_docs import ENGINE_DOCS
        from cliplint.suggest import did_you_mean

        hint = did_you_mean(options.rule, [*rules, *ENGINE_DOCS])
        raise UsageError(f"unknown rule {options.rule!r}{hint} (see 'cliplint rules')")
    print(text)
    return EXIT_CLEAN


def _load_settings(options: argparse.Namespace, rules: Any) -> Any:
    """The run's settings: the configuration file found from the current folder (with
    the nearest file of each linted file's folder, cliplint/config_tree.py), --config's
    for everything, or none with --isolated; the command line's flags on top."""
    from dataclasses import replace

    from cliplint.config import (
        ConfigError,
        Selection,
        check_selectors,
        find_config,
        load_user_config,
    )
    from cliplint.config_tree import ConfigTree, Overrides, settings_of_file

    try:
        source: Path | None = None
        if options.config and not options.isolated:
            source = Path(options.config)
            if not source.is_file():
                raise ConfigError(f"config file not found: {options.config}")
        elif not options.isolated:
            source = find_config(Path.cwd())
        for option in ("select", "extend_select", "ignore"):
            check_selectors(getattr(options, option) or [], rules, "--" + option.replace("_", "-"))
        user = {} if options.isolated else load_user_config()
        overrides = Overrides(
            selection=Selection(
                select=tuple(options.select) if options.select is not None else None,
                extend_select=tuple(options.extend_select),
                ignore=tuple(options.ignore),
            ),
            fix_outside_tree=bool(options.fix_outside_tree or user.get("--fix-outside-tree")),
            allow_private=bool(options.online_allow_private or user.get("--online-allow-private")),
            use_cache=not options.no_cache,
            file_timeout=options.file_timeout,
        )
        settings = settings_of_file(source, rules, overrides)
        if options.config or options.isolated:
            return settings  # one configuration for every file, as in ruff
        tree = ConfigTree(settings, rules, overrides)
        tree.base = settings = replace(settings, tree=tree)
        return settings
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _lint_command(arguments: list[str], watching: bool = False) -> int:
    options = _lint_parser().parse_args(arguments)
    if options.watch and not watching:
        return _watch(options, arguments)
    registry = _registry(options)
    rules = registry.rules
    if options.format not in registry.formats:
        raise UsageError(f"unknown format {options.format!r} "
                         f"(choose from {', '.join(sorted(registry.formats))})")
    if options.compare and (options.format != "html" or _streamed_format(options) is None
                            or options.fix or options.fix_only or options.diff):
        raise UsageError("--compare works with --format html on a lint run (not with "
                         "--baseline, --write-baseline, --online, --fix or --diff)")
    settings = _load_settings(options, rules)
    # What start-up made (modules, the rules, their regexes) lives until the end: the
    # collector need not look at it again in every full collection, nor the workers.
    gc.freeze()
    if options.show_config:  # a file's or folder's settings when one is named (ruff's --show-settings)
        shown = settings
        if len(options.paths) == 1 and options.paths[0] != "-":
            path = options.paths[0]
            shown = settings.for_folder(path) if os.path.isdir(path) else settings.for_path(path)
        print(_settings_as_json(shown, rules))
        return EXIT_CLEAN
    if options.show_files:
        return _show_files(options, settings)
    if options.verbose:
        _say(f"configuration: {_config_used(options, settings)}")
    if options.fix or options.fix_only or options.diff:
        _refuse_remote_fixes(options)
        if options.write_baseline:
            raise UsageError("--write-baseline records a lint run's problems; it cannot be "
                             "combined with --fix, --fix-only or --diff")
        return _fix_command(options, registry, settings)

    from cliplint.model import INTERNAL_ERROR, Report
    from cliplint.runner import FileResult, RunOptions, default_jobs, iter_results

    streamed = _streamed_format(options)
    stdin_name, found = _lazy_inputs(options, settings) if not _batched(options) else (None, [])
    # A streamed report takes the files as they are found; the others keep the list.
    files: Sequence[str] = [] if streamed is not None else list(found)
    results: Iterable[Any]
    if stdin_name is not None:
        data, whole = _read_stdin(settings.max_file_size)
        problems = (_lint_stdin(data, rules, settings, stdin_name, _with_source(options))
                    if whole else [_stdin_too_large(stdin_name, settings.max_file_size)])
        files = [stdin_name]
        results = [FileResult(stdin_name, problems)]
    else:
        run_options = RunOptions(
            jobs=options.jobs or default_jobs(),
            use_cache=not options.no_cache,
            with_source=_with_source(options),
            progress=_progress_wanted(options),
        )
        if _batched(options):  # --scheduler, URLs, --paths-from: cliplint/batches.py
            results = _batched_results(options, registry, settings, run_options)
            if streamed is None:
                results = list(results)
                files = [result.path for result in results if result.checked]
        else:
            to_lint = found if streamed is not None else files
            results = iter_results(to_lint, rules, settings, run_options, registry.plugins,
                                   total=_file_count(options, settings, run_options, to_lint))
            results = _with_archive_rules(results, options, registry, settings, run_options)
        if options.verbose:
            results = _counted(iter(results))
        if streamed is not None and options.format == "html":
            return _html_report(results, registry, options, settings)
        if streamed is not None:
            return _stream_report(results, rules, options, streamed)
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
                              progress=_progress_wanted(options))
        problems = in_file_order(results, online)

    if options.write_baseline:
        _write_baseline(options.write_baseline, problems)
        return EXIT_INTERNAL if any(p.rule == INTERNAL_ERROR for p in problems) else EXIT_CLEAN
    problems = _apply_baseline(options, problems, files)
    report = Report(problems=tuple(problems), files=tuple(files), rules=rules)
    _write_report(report, options, registry.formats[options.format])

    if any(problem.rule == INTERNAL_ERROR for problem in problems):
        return EXIT_INTERNAL
    return _exit_status(problems, options)


#: The files whose change starts a --watch run again, besides the clippings.
CONFIG_NAMES = ("cliplint.toml", ".cliplint.toml", "pyproject.toml")


def _watch(options: argparse.Namespace, arguments: list[str]) -> int:
    """``--watch``: a lint run, then another each time files change (watchfiles), with
    the configuration read again each time; Ctrl-C ends it (exit 130), as ruff's
    ``--watch``. Only a lint run of local paths: fixing on every save would rewrite
    files under an editor's feet."""
    if options.fix or options.fix_only or options.diff:
        raise UsageError("--watch lints again on every change; it does not fix "
                         "(drop --fix, --fix-only and --diff)")
    if "-" in options.paths or _batched(options):
        raise UsageError("--watch watches local files: not standard input, --scheduler, "
                         "--paths-from or URLs")
    try:
        from watchfiles import watch
    except ImportError:
        raise UsageError("--watch needs watchfiles: pip install 'cliplint[watch]'") from None
    paths = [os.path.abspath(path) for path in options.paths or ["."]]
    missing = [path for path in options.paths if not os.path.lexists(path)]
    if missing:
        raise UsageError("path does not exist: " + ", ".join(missing))
    report = os.path.abspath(options.output_file) if options.output_file else None
    settings = _load_settings(options, _registry(options).rules)

    def wanted(change: object, path: str) -> bool:
        # Clippings and configuration files only: never cliplint's own writes (its cache,
        # the report), or the run would never end.
        name = os.path.basename(path)
        return path != report and (settings.includes_name(name) or name in CONFIG_NAMES)

    while True:
        try:
            _lint_command(arguments, watching=True)
        except UsageError as error:  # a broken configuration, mid-edit: say so and wait
            _say(f"error: {error}")
        # Said once the watcher is set up (its first yield, at the latest after a
        # quiet half second): a change from then on is not missed.
        watching = False
        for changes in watch(*paths, watch_filter=wanted, raise_interrupt=True,
                             rust_timeout=500, yield_on_timeout=True):
            if not watching:
                _say("watching for changes (Ctrl-C to stop)")
                watching = True
            if changes:
                count = len({path for _, path in changes})
                _say(f"{count} file{'s' if count != 1 else ''} changed: linting again")
                break


def _show_files(options: argparse.Namespace, settings: Any) -> int:
    """``--show-files``: the files a run would lint, after include, exclude and
    --force-exclude, one a line (as ruff's --show-files), and exit 0."""
    from cliplint.formats.text import printable_path

    if _batched(options):
        raise UsageError("--show-files lists local files: drop --scheduler, --paths-from "
                         "and URLs")
    stdin_name, found = _lazy_inputs(options, settings)
    for path in [stdin_name] if stdin_name is not None else found:
        print(printable_path(path))
    return EXIT_CLEAN


def _file_count(options: argparse.Namespace, settings: Any, run_options: Any,
                files: Iterable[str]) -> Any:
    """The bar's total for a streamed run (its files come as they are found): counted
    by a second walk in the background, only when the bar is shown."""
    if not run_options.progress or isinstance(files, Sized):
        return None
    from cliplint.files import iter_files
    from cliplint.progress import Count

    return Count(iter_files(_paths_to_lint(options, settings), settings))


def _config_used(options: argparse.Namespace, settings: Any) -> str:
    """For --verbose: the configuration file the run took its settings from."""
    if settings.source is not None:
        return str(os.path.abspath(settings.source))
    return "none (--isolated)" if options.isolated else "none found, the defaults"


def _progress_wanted(options: argparse.Namespace) -> bool:
    """A progress bar on standard error: on a terminal, never in CI, not with -q."""
    from cliplint.progress import wanted

    return wanted() and not options.quiet


def _counted(results: Iterator[Any]) -> Iterator[Any]:
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
    _say(f"{checked:,} file{'s' if checked != 1 else ''} checked in {seconds:.2f} s: "
         f"{cached:,} from the cache, {checked - cached:,} linted")


def _with_archive_rules(results: Any, options: argparse.Namespace, registry: Any,
                        settings: Any, run_options: Any) -> Any:
    """The results, then what the archive rules find (cliplint/archive.py)."""
    from cliplint.archive import archive_rules, find_archive, with_archive_rules

    paths = [path for path in _paths_to_lint(options, settings) if os.path.exists(path)]
    if not paths or not archive_rules(registry.rules, settings):
        return results
    archive = find_archive(paths, settings)
    return with_archive_rules(results, registry.rules, settings, archive, run_options,
                              registry.plugins)


def _archive_problems_after_fixing(outcomes: Sequence[Any], options: argparse.Namespace,
                                   registry: Any, settings: Any) -> list[Any]:
    """What archive rules find once the files are fixed (from each file's records as
    written), as a lint run would report it."""
    from cliplint.runner import FileResult, RunOptions, default_jobs

    results = [FileResult(outcome.path, [], outcome.records) for outcome in outcomes]
    run_options = RunOptions(jobs=options.jobs or default_jobs(),
                             use_cache=not options.no_cache)
    return [problem for result in
            _with_archive_rules(results, options, registry, settings, run_options)
            if not result.checked for problem in result.problems]


def _streamed_format(options: argparse.Namespace) -> str | None:
    """The module that streams the report, when the run allows it: a baseline and
    --online need every problem before anything is reported."""
    if options.baseline or options.write_baseline or options.online:
        return None
    from cliplint.formats import BUILTIN_FORMATS

    # A plugin's format is rendered whole at the end: it holds every problem until then.
    return BUILTIN_FORMATS.get(options.format)


def _stream_report(results: Any, rules: Any, options: argparse.Namespace, module: str,
                   writer: Any = None) -> int:
    """Write the report as ``results`` come; the exit status from its tally."""
    import importlib

    writer = writer or importlib.import_module(f"cliplint.formats.{module}").write_stream
    from cliplint.progress import report_writer

    with _report_stream(options) as stream:
        def write(text: str) -> None:
            stream.write(text)
            stream.flush()  # each file's problems as soon as they are known

        # The bar on standard error steps aside while report lines reach the terminal.
        shared = _progress_wanted(options) and stream.isatty()
        tally = writer(results, rules, _render_options(options, stream),
                       report_writer(write, shared))
    if tally.internal_errors:
        return EXIT_INTERNAL
    return _status(tally.errors > 0, tally.warnings, options)


def _html_report(results: Any, registry: Any, options: argparse.Namespace,
                 settings: Any) -> int:
    """``--format html``: the archive report, with the configuration, the archive root
    (sources are folders relative to it), --compare's stats and the stats file."""
    from cliplint.archive import find_archive
    from cliplint.formats import archive_stats, html_report

    try:
        previous = archive_stats.load(options.compare) if options.compare else None
    except archive_stats.StatsError as error:
        raise UsageError(str(error)) from None
    paths = [path for path in _paths_to_lint(options, settings) if os.path.exists(path)]
    context = html_report.PageContext(
        root=find_archive(paths, settings).root if paths else None,
        configuration=_settings_data(settings, registry.rules),
        previous=previous, previous_name=options.compare,
        stats_path=(archive_stats.stats_path(options.output_file)
                    if options.output_file else None))

    def write_stream(results: Any, rules: Any, render_options: Any, write: Any) -> Any:
        return html_report.write_report(results, rules, context, write)

    try:
        return _stream_report(results, registry.rules, options, "html_report", write_stream)
    except archive_stats.StatsError as error:
        raise UsageError(str(error)) from None


@contextmanager
def _report_stream(options: argparse.Namespace) -> Iterator[TextIO]:
    """Standard output, or --output-file opened before the run (a bad path fails fast)."""
    if options.output_file is None:
        yield cast(TextIO, _Silent()) if options.quiet >= 2 else sys.stdout  # -qq: the exit status only
        return
    with _open_report(options.output_file) as stream:
        yield stream


class _Silent:
    """Where the report goes with -qq: nowhere."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value!r}")
    return number


def _inputs(options: argparse.Namespace, settings: Any) -> tuple[str | None, list[str]]:
    """What to work on: the name of the clipping on standard input, or the files."""
    stdin_name, files = _lazy_inputs(options, settings)
    return stdin_name, list(files)


def _lazy_inputs(options: argparse.Namespace,
                 settings: Any) -> tuple[str | None, Iterator[str]]:
    """``_inputs``, the files found as they are needed (a streamed report need not hold
    a list of them all)."""
    from cliplint.files import iter_files

    paths = _paths_to_lint(options, settings)
    if "-" in paths:
        if len(paths) > 1:
            raise UsageError("'-' (standard input) cannot be mixed with other paths")
        return options.stdin_filename or "-", iter(())
    missing = [path for path in paths if not os.path.lexists(path)]
    if missing:
        raise UsageError("path does not exist: " + ", ".join(missing))
    return None, _warn_if_none(iter_files(paths, settings), paths, settings)


def _warn_if_none(files: Iterator[_T], paths: Sequence[str], settings: Any) -> Iterator[_T]:
    found = False
    for path in files:
        found = True
        yield path
    if not found and paths:
        _say(f"warning: no clippings found under {', '.join(paths)} "
             f"(include: {', '.join(settings.include)})")


def _paths_to_lint(options: argparse.Namespace, settings: Any) -> list[str]:
    """The paths named on the command line (default: the current folder). With
    --force-exclude the ones the configuration excludes are dropped, as ruff does:
    pre-commit names every staged file, excluded or not."""
    paths = options.paths or ["."]
    if not options.force_exclude:
        return paths
    if paths == ["-"] and options.stdin_filename and settings.is_excluded(options.stdin_filename):
        return []
    return [path for path in paths
            if path == "-" or not settings.for_path(path).is_excluded(path)]


def _with_source(options: argparse.Namespace) -> bool:
    # Baseline fingerprints, SARIF and GitLab fingerprints hash the text around a problem.
    return bool(options.show_source or options.baseline or options.write_baseline
                or options.format in ("sarif", "gitlab"))


def _exit_status(problems: Sequence[Any], options: argparse.Namespace) -> int:
    errors = any(problem.severity == "error" for problem in problems)
    warnings = sum(1 for problem in problems if problem.severity == "warning")
    return _status(errors, warnings, options)


def _status(errors: bool, warnings: int, options: argparse.Namespace) -> int:
    """0 or 1 after the report: errors fail the run; warnings only past --max-warnings;
    infos never. --exit-zero wins."""
    if options.exit_zero:
        return EXIT_CLEAN
    if errors:
        return EXIT_PROBLEMS
    if options.max_warnings is not None and warnings > options.max_warnings:
        _say(f"{warnings} warning{'s' if warnings != 1 else ''}, more than --max-warnings "
             f"{options.max_warnings}")
        return EXIT_PROBLEMS
    return EXIT_CLEAN


def _write_baseline(target: str, problems: Sequence[Any]) -> None:
    from cliplint import baseline

    recorded = baseline.build(problems, os.path.dirname(os.path.abspath(target)))
    try:
        with open_for_writing(target, newline="\n") as stream:
            stream.write(baseline.dumps(recorded))
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror or error}") from None
    count = len(recorded.entries)
    files = len({entry.path for entry in recorded.entries})
    _say(f"baseline {target}: recorded {count} problem{'s' if count != 1 else ''} "
         f"in {files} file{'s' if files != 1 else ''}")


def _apply_baseline(options: argparse.Namespace, problems: Sequence[Any],
                    files: Sequence[str]) -> list[Any]:
    """The problems not in --baseline FILE (all of them without the option)."""
    if not options.baseline:
        return list(problems)
    from cliplint import baseline

    try:
        recorded = baseline.loads(read_text(options.baseline), options.baseline)
    except OSError as error:
        raise UsageError(f"cannot read baseline {options.baseline}: "
                         f"{error.strerror or error}") from None
    except (baseline.BaselineError, UnicodeDecodeError) as error:
        raise UsageError(str(error)) from None
    base = os.path.dirname(os.path.abspath(options.baseline))
    split = baseline.apply(problems, recorded, base)
    if split.suppressed:
        _say(f"{split.suppressed} problem{'s' if split.suppressed != 1 else ''} suppressed "
             f"by the baseline {options.baseline}")
    stale = baseline.stale(recorded, problems, files, base)
    if stale:
        _say(f"{stale} baseline entr{'ies no longer match' if stale != 1 else 'y no longer matches'}"
             f" (fixed?): write it again with --write-baseline")
    return list(split.new)


def _render_options(options: argparse.Namespace, stream: Any) -> Any:
    from cliplint.formats import RenderOptions

    to_terminal = options.output_file is None and stream.isatty()
    return RenderOptions(
        show_source=options.show_source,
        color=to_terminal and not os.environ.get("NO_COLOR"),
        statistics=options.statistics,
        summary=not options.quiet,
        max_warnings=options.max_warnings,
    )


def _write_report(report: Any, options: argparse.Namespace, renderer: Any,
                  prefix: str = "", stream: Any = None) -> None:
    stream = stream or sys.stdout
    text = prefix + renderer(report, _render_options(options, stream))
    if options.output_file is None:
        if options.quiet >= 2:
            return  # -qq: only the exit status tells
        stream.write(text)
        stream.flush()
        return
    try:
        with _open_report(options.output_file) as stream:
            stream.write(text)
    except OSError as error:
        raise UsageError(f"cannot write {options.output_file}: {error.strerror or error}") from None


def _open_report(path: str) -> TextIO:
    try:
        return open_for_writing(path)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _read_stdin(limit: int) -> tuple[bytes, bool]:
    """Standard input, and whether that is all of it: reading stops past ``limit`` bytes
    (max-file-size), as it might never end (``< /dev/zero``)."""
    return read_at_most(sys.stdin.buffer, limit)


def _pass_through(head: bytes) -> None:
    """Hand standard input back on standard output untouched, however long it is."""
    pass_through(head, sys.stdin.buffer, sys.stdout.buffer)


def _stdin_too_large(name: str, limit: int) -> Any:
    from cliplint.linter import file_problem
    from cliplint.model import FILE_TOO_LARGE

    return file_problem(name, FILE_TOO_LARGE, f"standard input is over max-file-size "
                        f"({limit:,} bytes); skipped", severity="warning")


def _lint_stdin(data: bytes, rules: Any, settings: Any, name: str, with_source: bool) -> list[Any]:
    """Standard input's problems, within the file time budget (as a file's)."""
    from cliplint.budget import within_budget
    from cliplint.linter import lint_bytes

    found = within_budget(lambda: lint_bytes(data, rules, settings, path=name,
                                             with_source=with_source),
                          settings.file_timeout, path=name, rules=rules.values())
    return found if isinstance(found, list) else [found]


def _settings_as_json(settings: Any, rules: Any) -> str:
    return json.dumps(_settings_data(settings, rules), ensure_ascii=False, indent=2)


def _settings_data(settings: Any, rules: Any) -> dict[str, Any]:
    """The resolved configuration, as --show-config prints it."""
    return {
        "config-file": settings.source,
        "root": settings.root,
        "enabled": list(settings.enabled),
        "severity": {rule_id: settings.severity.get(rule_id, rule.severity)
                     for rule_id, rule in rules.items()},
        "per-file-ignores": {pattern: list(rules) for pattern, rules in settings.per_file_ignores},
        "include": list(settings.include),
        "exclude": list(settings.exclude),
        "max-file-size": settings.max_file_size,
        "max-problems-per-rule": settings.max_problems_per_rule,
        "file-timeout": settings.file_timeout,
        "fix-outside-tree": settings.fix_outside_tree,
        "rules": {rule: dict(values) for rule, values in settings.options.items()},
    }


# -- beyond one machine: --scheduler, URLs, --paths-from (cliplint/batches.py) --------------


def _add_scale_arguments(parser: argparse.ArgumentParser) -> None:
    scale = parser.add_argument_group(
        "beyond one machine", "Dask and object storage: pip install 'cliplint[dask,s3]'. "
        "PATHs may be fsspec URLs (s3://bucket/prefix/, file://...).")
    scale.add_argument("--scheduler", default="processes", type=_scheduler,
                       metavar="processes|dask|tcp://HOST:PORT",
                       help="where files are linted: local processes (default), a local "
                       "Dask cluster, or the Dask scheduler at an address")
    scale.add_argument("--paths-from", metavar="FILE",
                       help="lint the files (paths or URLs) listed in FILE, one per line "
                       "('-': standard input); nothing is listed")
    scale.add_argument("--storage-options", type=_json_object, default={}, metavar="JSON",
                       help="fsspec storage options for URLs, e.g. "
                       "'{\"endpoint_url\": \"http://127.0.0.1:9000\"}'")
    scale.add_argument("--batch-size", type=_positive, metavar="N",
                       help="files per task with --scheduler or URLs (default 100)")


def _scheduler(value: str) -> str:
    if value in ("processes", "dask") or "://" in value:
        return value
    raise argparse.ArgumentTypeError(f"expected processes, dask or an address such as "
                                     f"tcp://HOST:PORT, got {value!r}")


def _json_object(value: str) -> dict[str, Any]:
    try:
        parsed = json.loads(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise argparse.ArgumentTypeError("expected a JSON object")
    return parsed


def _batched(options: argparse.Namespace) -> bool:
    """Whether the run goes through cliplint/batches.py rather than the runner."""
    return bool(options.scheduler != "processes" or options.paths_from
                or any("://" in path for path in options.paths))


def _refuse_remote_fixes(options: argparse.Namespace) -> None:
    urls = [path for path in options.paths if "://" in path]
    if urls:
        raise UsageError(f"--fix, --fix-only and --diff write local files only: {urls[0]} is "
                         "object storage, linted read-only (download, fix, upload)")
    if options.paths_from or options.scheduler != "processes":
        raise UsageError("--fix, --fix-only and --diff run on this machine on the files named "
                         "on the command line: drop --scheduler and --paths-from")


def _batched_results(options: argparse.Namespace, registry: Any, settings: Any,
                     run_options: Any) -> Iterator[Any]:
    """The results of a run on --scheduler's workers, then the archive rules'."""
    from cliplint.archive import archive_rules, with_archive_rules
    from cliplint.batches import (
        DEFAULT_BATCH_SIZE,
        RunFailed,
        archive_of,
        batched_results,
        manifest_sources,
        open_engine,
        read_manifest,
        sources,
    )

    if options.paths_from and options.paths:
        raise UsageError("give the paths on the command line or in --paths-from, not both")
    paths = [] if options.paths_from else _paths_to_lint(options, settings)
    if "-" in paths:
        raise UsageError("'-' (standard input) cannot be linted with --scheduler")
    missing = [path for path in paths if "://" not in path and not os.path.lexists(path)]
    if missing:
        raise UsageError("path does not exist: " + ", ".join(missing))
    storage = options.storage_options
    try:
        with open_engine(options.scheduler, run_options.jobs) as engine:
            found = (manifest_sources(read_manifest(options.paths_from, sys.stdin), settings)
                     if options.paths_from else sources(paths, settings, storage))
            results = batched_results(found, registry.rules, settings, run_options,
                                      registry.plugins, engine, storage_options=storage,
                                      batch_size=options.batch_size or DEFAULT_BATCH_SIZE)
            if archive_rules(registry.rules, settings):
                archive = archive_of(paths, settings, bool(options.paths_from), storage)
                results = with_archive_rules(results, registry.rules, settings, archive,
                                             run_options, registry.plugins)
            yield from _warn_if_none(results, paths, settings)
    except RunFailed as error:
        raise UsageError(str(error)) from None


# -- fixing: --fix, --unsafe-fixes, --diff, --fix-only, --show-fixes ------------------------


def _linted_tree(paths: Sequence[str], settings: Any) -> tuple[str, ...]:
    """The folders --fix may write in (symlinks resolved): the folders named on the
    command line, the folders of the files named, and the project's (where its
    configuration file is)."""
    roots = {os.path.realpath(path) if os.path.isdir(path)
             else os.path.realpath(os.path.dirname(os.path.abspath(path))) for path in paths}
    if settings.source is not None:
        roots.add(os.path.realpath(settings.root))
    return tuple(sorted(roots))


def _add_fix_arguments(parser: argparse.ArgumentParser) -> None:
    fixing = parser.add_argument_group(
        "fixing", "Fixes are checked before anything is written (see README, Fixing); a "
        "file whose fixes fail a check is left untouched and reported as fix-refused.")
    fixing.add_argument("--fix", action="store_true",
                        help="apply safe fixes, write the changed files, report what is left")
    fixing.add_argument("--unsafe-fixes", action="store_true",
                        help="with --fix, --fix-only or --diff: apply unsafe fixes too")
    fixing.add_argument("--diff", action="store_true",
                        help="print a unified diff of the fixes and write nothing; exit 1 "
                        "if a file would change")
    fixing.add_argument("--fix-only", action="store_true",
                        help="apply fixes and report only what went wrong (refused fixes, "
                        "unreadable files), not the problems left")
    fixing.add_argument("--show-fixes", action="store_true",
                        help="list what was fixed, per file and rule")
    fixing.add_argument("--fix-outside-tree", action="store_true",
                        help="write through symlinks to files outside the linted tree (only "
                        "here or in the user configuration, never in a project's)")


def _fix_command(options: argparse.Namespace, registry: Any, settings: Any) -> int:
    """--fix / --fix-only / --diff. Standard input: the fixed text goes to standard
    output (the input unchanged when it could not be fixed) and the report to standard
    error, so that an editor or a pipe never loses the clipping."""
    from cliplint.fixer import FixReport, fixed_counts, unified_diff
    from cliplint.formats.text import render_fixes
    from cliplint.model import ENGINE_PROBLEMS, INTERNAL_ERROR
    from cliplint.runner import default_jobs
    from cliplint.writer import FileOutcome, fix_bytes, fix_files, remove_stale_temporaries

    rules = registry.rules
    unsafe = bool(options.unsafe_fixes)
    paths = _paths_to_lint(options, settings)
    stdin_data = None
    if options.paths == ["-"] and not paths and not options.diff:
        # --force-exclude dropped the clipping on standard input: hand it back untouched.
        _pass_through(b"")
        return EXIT_CLEAN
    stdin_name, files = _inputs(options, settings)
    stdin_whole = True
    if stdin_name is not None:
        stdin_data, stdin_whole = _read_stdin(settings.max_file_size)
        outcomes = ([fix_bytes(stdin_data, rules, settings, path=stdin_name, unsafe=unsafe,
                               with_source=_with_source(options))] if stdin_whole
                    else [FileOutcome(stdin_name, (_stdin_too_large(stdin_name,
                                                                    settings.max_file_size),))])
    else:
        tree = None if settings.fix_outside_tree else _linted_tree(paths, settings)
        if not options.diff:
            removed = remove_stale_temporaries(files, tree)
            if removed:
                _say(f"removed {len(removed)} stale temporary file"
                     f"{'s' if len(removed) != 1 else ''} of an interrupted --fix "
                     f"(e.g. {removed[0]})")
        outcomes = fix_files(files, rules, settings, unsafe=unsafe, write=not options.diff,
                             with_source=_with_source(options),
                             jobs=options.jobs or default_jobs(), tree=tree,
                             progress=_progress_wanted(options))

    problems = [problem for outcome in outcomes for problem in outcome.problems]
    if stdin_name is None and not (options.diff or options.fix_only):
        problems += _archive_problems_after_fixing(outcomes, options, registry, settings)
    problems = _apply_baseline(options, problems, [outcome.path for outcome in outcomes])
    fixed = tuple(
        entry for outcome in outcomes if outcome.result is not None and outcome.result.changed
        for entry in fixed_counts(outcome.path, outcome.result)
    )
    failures = [p for p in problems if p.rule in ENGINE_PROBLEMS]
    if options.fix_only or options.diff:
        problems = failures  # "report nothing left": only what kept a file from being fixed
    report = FixReport(problems=tuple(problems), rules=rules,
                       files=tuple(outcome.path for outcome in outcomes),
                       fixed=fixed, unsafe=unsafe,
                       mode="diff" if options.diff else "fix-only" if options.fix_only else "fix")
    renderer = registry.formats[options.format]
    listing = render_fixes(report) if options.show_fixes and options.format == "text" else ""

    if options.diff:
        for outcome in outcomes:
            if outcome.result is not None and outcome.result.changed and options.quiet < 2:
                sys.stdout.write(unified_diff(outcome.path, outcome.result))
        sys.stdout.flush()
        _write_report(report, options, renderer, prefix=listing, stream=sys.stderr)
    elif stdin_data is not None:
        result = outcomes[0].result
        if not stdin_whole:  # too large to fix: handed back as it came, however long
            _pass_through(stdin_data)
        else:
            sys.stdout.buffer.write(result.text.encode("utf-8") if result is not None
                                    else stdin_data)
            sys.stdout.flush()
        _write_report(report, options, renderer, prefix=listing, stream=sys.stderr)
    else:
        _write_report(report, options, renderer, prefix=listing)

    if any(problem.rule == INTERNAL_ERROR for problem in problems):
        return EXIT_INTERNAL
    if options.diff:
        would_change = any(o.result is not None and o.result.changed for o in outcomes)
        failed = any(p.severity == "error" for p in failures)
        # --exit-zero gives 0 here too, as the README promises (and ruff does).
        return EXIT_PROBLEMS if (would_change or failed) and not options.exit_zero else EXIT_CLEAN
    return _exit_status(problems, options)
