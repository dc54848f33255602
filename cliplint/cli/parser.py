"""The command line's parsers, and the converters of their arguments' values."""

from __future__ import annotations

import argparse
import functools
from collections.abc import Sequence
from typing import Any, NoReturn

from cliplint import __version__
from cliplint.cli import UsageError
from cliplint.cli.context import LintOptions
from cliplint.json_text import parse_json

#: The formatter argparse makes to check each argument as it is added (its metavar
#: against its nargs). argparse's own asks for the terminal's width, and importing shutil
#: for it costs a one-file run more than parsing its command line: the width matters
#: only to help and errors, formatted while the command line is parsed.
_CHECKING_FORMATTER = functools.partial(argparse.HelpFormatter, width=80)


class _Parser(argparse.ArgumentParser):
    """argparse's parser, its errors raised as :class:`UsageError`; built with
    :data:`_CHECKING_FORMATTER`, parsing with argparse's own (help at the terminal's
    width)."""

    def __init__(self, prog: str, description: str) -> None:
        super().__init__(prog=prog, description=description,
                         formatter_class=_CHECKING_FORMATTER)

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: Any = None) -> tuple[Any, list[str]]:
        self.formatter_class = argparse.HelpFormatter  # (parse_args comes here too)
        return super().parse_known_args(args, namespace)

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: Any = None) -> Any:
        """argparse's, an unknown option said with the closest known one (Python 3.11's
        argparse suggests none: ``--selcet`` was only "unrecognized")."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            said = " ".join(extra + self._closest_option(extra) for extra in extras)
            self.error(f"unrecognized arguments: {said}")
        return parsed

    def _closest_option(self, argument: str) -> str:
        """`` (did you mean '--select'?)`` for an argument that looks like a mistyped
        option (``--selcet``, ``--selcet=x``); else ``""``."""
        if not argument.startswith("-") or argument == "-":
            return ""
        from cliplint.suggest import did_you_mean  # only when something is mistyped

        return did_you_mean(argument.partition("=")[0], self._option_string_actions)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def parse_lint(arguments: Sequence[str]) -> LintOptions:
    """The options of a lint (or fix) command line; :class:`UsageError` for options that
    cannot go together (rather than one of them silently doing nothing)."""
    options = LintOptions.from_namespace(lint_parser().parse_args(arguments))
    _refuse_conflicts(options)
    return _stdin_when_named(options)


def _refuse_conflicts(options: LintOptions) -> None:
    """Refuse what ruff refuses, or what would otherwise be dropped without a word."""
    if options.isolated and options.config is not None:
        raise UsageError("--isolated ignores every configuration file: it cannot be used "
                         "with --config FILE (drop one of them)")
    if options.statistics:
        from cliplint.formats import BUILTIN_FORMATS

        # The built-in reports other than text do not change with it (a plugin's format
        # is given it in RenderOptions, and may), nor does the diff.
        if options.diff or (options.format in BUILTIN_FORMATS and options.format != "text"):
            used = "--diff" if options.diff else f"--format {options.format}"
            raise UsageError(f"--statistics prints a text table of problems per rule: it "
                             f"cannot be used with {used}")
    if options.online and options.fixing:
        used = "--diff" if options.diff else "--fix-only" if options.fix_only else "--fix"
        raise UsageError(f"--online runs the rules' online checks in a lint run; a fix run "
                         f"does not run them: it cannot be used with {used} (fix, then "
                         f"lint with --online)")
    if options.diff and options.output_file is None and options.format not in _BESIDE_A_DIFF:
        # The diff is standard output's; this report would have gone to standard error,
        # among the messages, and a program reading either would find the other's text.
        raise UsageError(f"--diff prints the diff on standard output: the --format "
                         f"{options.format} report cannot go there too; write it to a "
                         f"file with --output-file FILE")
    if options.stdin_filename is not None:
        others = [path for path in options.paths if path != "-"]
        if others:
            raise UsageError(f"--stdin-filename names the clipping read from standard "
                             f"input ('-'): it cannot be used with other paths "
                             f"({', '.join(others)})")
        if options.paths_from is not None:
            raise UsageError("--stdin-filename names the clipping read from standard "
                             "input ('-'): it cannot be used with --paths-from")


#: The reports --diff prints on standard error, beside the diff: those a person reads
#: (the text report) or the GitHub runner reads on either stream (workflow commands).
_BESIDE_A_DIFF = ("text", "github")


def _stdin_when_named(options: LintOptions) -> LintOptions:
    """``--stdin-filename`` without a path reads standard input, as in ruff (rather than
    linting the current folder, the name unused)."""
    if options.stdin_filename is not None and not options.paths:
        return options._replace(paths=("-",))
    return options


def lint_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cliplint",
        description="Lint scraped news clippings. Subcommands: 'cliplint rules [--json]', "
        "'cliplint explain RULE', 'cliplint server start|stop|status' (see 'cliplint "
        "server --help').",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files and folders to lint ('-' for standard input; default: ., "
                        "or - with --stdin-filename)")
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
    output.add_argument("--output-file", type=_file_name, metavar="FILE", help="write the report to FILE")
    output.add_argument("--compare", type=_file_name, metavar="STATS",
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
                        help="the name of the clipping read from standard input (for config and "
                        "reports); standard input is read when no PATH is given")
    config.add_argument("--force-exclude", action="store_true",
                        help="skip files the configuration excludes even when they are named "
                        "on the command line (pre-commit names every file)")
    # Two flags, not argparse's BooleanOptionalAction: its usage "[--respect-gitignore |
    # --no-respect-gitignore]" cannot be wrapped to a narrow terminal.
    config.add_argument("--respect-gitignore", action="store_true", default=None,
                        help="leave out of folders' walks what git ignores (.gitignore, "
                        ".git/info/exclude), inside a git work tree (default: the "
                        "respect-gitignore setting, true)")
    config.add_argument("--no-respect-gitignore", action="store_false",
                        dest="respect_gitignore", help="walk every file, whatever git ignores")
    baseline = parser.add_argument_group("baseline")
    baseline.add_argument("--baseline", type=_file_name, metavar="FILE",
                          help="report only problems not recorded in FILE")
    baseline.add_argument("--write-baseline", type=_file_name, metavar="FILE",
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


def rules_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cliplint rules", description="List every installed rule.")
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def explain_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cliplint explain",
                     description="Show a rule's documentation (or an engine problem's).")
    from cliplint.engine_docs import ENGINE_DOCS  # (explain prints their pages too)

    parser.add_argument("rule", metavar="RULE",
                        help="a rule's id, as 'cliplint rules' lists them (title-link, or a "
                        "plugin's 'name/rule'), or the id of a problem the engine reports "
                        f"({', '.join(ENGINE_DOCS)})")
    return parser


#: ``cliplint server``'s actions: what each does, in short and for its own help
#: (``cliplint server start --help``).
_SERVER_ACTIONS = {
    "start": ("start the server", "Start the resident server in the background (or say "
              "that it is running): from then on, 'cliplint ...' of this install and user "
              "goes through it."),
    "stop": ("stop the server", "Stop the resident server: it takes no new run at once, "
             "and ends when the runs it is running have ended."),
    "status": ("say whether the server is running", "Say whether the resident server is "
               "running, and its state: pid, start time, runs served and running."),
}
_SERVER_JSON = ("print the server's state as JSON (pid, start time, runs served and running, "
                "CPU seconds used)")


def server_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cliplint server",
                     description="A resident server that runs cliplint's commands without "
                     "importing it each time: while it is up, 'cliplint ...' of this install "
                     "and user goes through it (CLIPLINT_NO_SERVER=1: not). Linux only.")
    parser.add_argument("--json", action="store_true", help=f"status: {_SERVER_JSON}")
    actions = parser.add_subparsers(dest="action", required=True)
    for name, (short, does) in _SERVER_ACTIONS.items():
        action = actions.add_parser(name, help=short, description=does)
        # --json after the action as before it (SUPPRESS: when it is not given there, the
        # parser's stands); start and stop take it as they always did, and ignore it.
        action.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                            help=_SERVER_JSON if name == "status" else argparse.SUPPRESS)
    return parser


def _add_fix_arguments(parser: argparse.ArgumentParser) -> None:
    fixing = parser.add_argument_group(
        "fixing", "Fixes are checked before anything is written (see README, Fixing); a "
        "file whose fixes fail a check is left untouched and reported as fix-refused.")
    fixing.add_argument("--fix", action="store_true",
                        help="apply safe fixes, write the changed files, report what is left")
    fixing.add_argument("--unsafe-fixes", action="store_true",
                        help="with --fix, --fix-only or --diff: apply unsafe fixes too; the text "
                        "summary counts them as fixable with --fix")
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


def _add_scale_arguments(parser: argparse.ArgumentParser) -> None:
    scale = parser.add_argument_group(
        "beyond one machine", "Dask and object storage: pip install 'cliplint[dask,s3]'. "
        "PATHs may be fsspec URLs (s3://bucket/prefix/, file://...).")
    scale.add_argument("--scheduler", default="processes", type=_scheduler,
                       metavar="processes|dask|tcp://HOST:PORT",
                       help="where files are linted: local processes (default), a local "
                       "Dask cluster, or the Dask scheduler at an address")
    scale.add_argument("--paths-from", type=_file_name, metavar="FILE",
                       help="lint the files (paths or URLs) listed in FILE, one per line "
                       "('-': standard input); nothing is listed")
    scale.add_argument("--storage-options", type=_json_object, default={}, metavar="JSON",
                       help="fsspec storage options for URLs, e.g. "
                       "'{\"endpoint_url\": \"http://127.0.0.1:9000\"}'")
    scale.add_argument("--batch-size", type=_positive, metavar="N",
                       help="files per task with --scheduler or URLs (default 100)")


def _scheduler(value: str) -> str:
    if value in ("processes", "dask"):
        return value
    if "://" in value:
        from urllib.parse import urlsplit

        # A port that cannot be was tried for Dask's whole connect timeout (30 s) before
        # the run said it could not connect; an empty one (tcp://:) said what int('')
        # says, and no host was tried for 30 s too.
        try:
            parts = urlsplit(value)
            missing = [name for name, there in (("host", parts.hostname),
                                                ("port", parts.port is not None)) if not there]
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"not an address: {value!r} ({error})") from None
        if missing:
            raise argparse.ArgumentTypeError(f"not an address: {value!r} (no "
                                             f"{' and no '.join(missing)})")
        return value
    raise argparse.ArgumentTypeError(f"expected processes, dask or an address such as "
                                     f"tcp://HOST:PORT, got {value!r}")


def _json_object(value: str) -> dict[str, Any]:
    try:
        parsed = parse_json(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise argparse.ArgumentTypeError("expected a JSON object")
    return parsed


def _file_name(value: str) -> str:
    """A file's name: not an empty one, which the options taking it read as not given
    (``--baseline ""`` linted without a baseline, ``--paths-from ""`` the working
    folder)."""
    if not value:
        raise argparse.ArgumentTypeError("expected a file name, not an empty one")
    return value


def _positive(value: str) -> int:
    """``--jobs``, ``--batch-size``: a whole number from 1 to the configuration's
    :data:`~cliplint.config.LARGEST_COUNT` (far larger, it overflowed what the runner
    slices by: ``--jobs 10**18`` was an internal error)."""
    from cliplint.config import LARGEST_COUNT

    if not value.isdigit() or not 1 <= int(value) <= LARGEST_COUNT:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 1 to {LARGEST_COUNT:,}, got {value!r}")
    return int(value)


def _seconds(value: str) -> float:
    """``--file-timeout``: a finite number of seconds, 0 or more. NaN and infinity are
    refused, as in the configuration (cliplint/config.py): 0 says "no limit". A huge
    finite number is taken, and is no budget (cliplint/budget.py, LONGEST)."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):  # (False for NaN too)
        raise argparse.ArgumentTypeError(
            f"expected a finite number of seconds, 0 or more (0: no limit), got {value!r}")
    return seconds


def _split(value: str) -> list[str]:
    """A comma-separated list of rule selectors: at least one, as ruff asks (an empty
    ``--select ''`` would run no rule and pass)."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError(
            f"expected at least one rule (ALL, a rule id, or a plugin prefix 'name/'), "
            f"got {value!r}")
    return parts


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value!r}")
    return number

