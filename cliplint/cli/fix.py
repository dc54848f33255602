"""The fix run: --fix, --unsafe-fixes, --diff, --fix-only, --show-fixes."""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from cliplint.cli import EXIT_CLEAN, EXIT_INTERNAL, EXIT_PROBLEMS, UsageError
from cliplint.cli.inputs import inputs, pass_stdin_through, read_stdin, stdin_too_large
from cliplint.cli.output import exit_status, progress_wanted, write_report
from cliplint.cli.results import (
    RulesEnabled,
    apply_baseline,
    warn_of_walks,
    with_archive_rules,
)
from cliplint.streams import say

if TYPE_CHECKING:
    from cliplint.cli.context import LintOptions, RunContext
    from cliplint.config import Settings
    from cliplint.model import Problem
    from cliplint.writer import FileOutcome


def fix_command(run: RunContext) -> int:
    """--fix / --fix-only / --diff. Standard input: the fixed text goes to standard
    output (the input unchanged when it could not be fixed) and the report to standard
    error, so that an editor or a pipe never loses the clipping."""
    options, settings = run.options, run.settings
    _refuse_remote_fixes(options)
    if options.write_baseline:
        raise UsageError("--write-baseline records a lint run's problems; it cannot be "
                         "combined with --fix, --fix-only or --diff")
    from cliplint.runner import default_jobs
    from cliplint.writer import (
        FileOutcome,
        FixInterrupted,
        fix_bytes,
        fix_files,
        remove_stale_temporaries,
    )

    rules = run.rules
    unsafe = options.unsafe_fixes
    paths = run.paths
    stdin_data = None
    if options.paths == ("-",) and not paths and not options.diff:
        # --force-exclude dropped the clipping on standard input: hand it back untouched.
        pass_stdin_through(b"")
        return EXIT_CLEAN
    links: set[str] = set()
    stdin_name, files = inputs(run, links)
    stdin_whole = True
    if stdin_name is not None:
        stdin_data, stdin_whole = read_stdin(settings.max_file_size)
        outcomes = ([fix_bytes(stdin_data, rules, settings, path=stdin_name, unsafe=unsafe,
                               with_source=options.with_source)] if stdin_whole
                    else [FileOutcome(stdin_name, (stdin_too_large(stdin_name,
                                                                   settings.max_file_size),))])
    else:
        tree = None if settings.fix_outside_tree else _linted_tree(paths, settings)
        if not options.diff:
            removed = remove_stale_temporaries(files, tree)
            if removed:
                say(f"removed {len(removed)} stale temporary file"
                    f"{'s' if len(removed) != 1 else ''} of an interrupted --fix "
                    f"(e.g. {removed[0]})")
        try:
            outcomes = fix_files(files, rules, settings, unsafe=unsafe,
                                 write=not options.diff, with_source=options.with_source,
                                 jobs=options.jobs or default_jobs(), tree=tree,
                                 progress=progress_wanted(options))
        except FixInterrupted as stop:
            if not options.diff:
                _say_stopped(stop.done, len(files), stop.replaced)
            raise
    try:
        return _report(run, outcomes, links, stdin_name, stdin_data, stdin_whole=stdin_whole)
    except KeyboardInterrupt:  # after every file was done (archive rules, the report)
        if stdin_data is None and not options.diff:
            _say_stopped(outcomes, len(outcomes))
        raise


def _say_stopped(done: Sequence[FileOutcome], files: int, replaced: Sequence[str] = ()
                 ) -> None:
    """Say what a ``--fix`` (or ``--fix-only``) run that Ctrl-C or SIGTERM stopped had
    written, as the summary line says what a run fixed: ``fixed 3 problems in 2 files
    before the run was stopped; the other 398 files were not changed``. ``done``: the
    outcomes known of the ``files`` paths; ``replaced``: the files fixed by worker
    processes the signal ended before they said what they fixed. Said before ``main``'s
    ``interrupted`` or ``terminated``."""
    written = [outcome.result for outcome in done
               if outcome.written and outcome.result is not None]
    problems = sum(len(result.applied) for result in written)
    by_workers = (f"{len(replaced)} {'more ' if written else ''}file{_s(len(replaced))} "
                  f"{_were(len(replaced))} fixed by worker processes the signal ended before "
                  "they said which problems")
    if written:
        said = [f"fixed {problems} problem{_s(problems)} in {len(written)} "
                f"file{_s(len(written))} before the run was stopped"
                + (f", and {by_workers}" if replaced else "")]
    else:
        said = [by_workers if replaced else "no fixes applied before the run was stopped"]
    others = files - len(written) - len(replaced)
    if others and (written or replaced):
        said.append(f"the other {others} file{_s(others)} {_were(others)} not changed")
    elif others:
        said.append("no file was changed")
    say("; ".join(said))


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _were(count: int) -> str:
    return "was" if count == 1 else "were"


def _report(run: RunContext, outcomes: Sequence[FileOutcome], links: Collection[str],
            stdin_name: str | None, stdin_data: bytes | None, *, stdin_whole: bool) -> int:
    """What the fix run did, reported, and its exit status. ``stdin_name``: the name
    given to the clipping on standard input, when that was what it fixed; ``stdin_data``
    its bytes, whole or cut at max-file-size."""
    from cliplint.fixer import FixReport, fixed_counts, patch_names, unified_diff
    from cliplint.formats.text import render_fixes
    from cliplint.model import ENGINE_PROBLEMS, INTERNAL_ERROR
    from cliplint.plugins import renderer_of

    options, rules = run.options, run.rules
    enabled = RulesEnabled(run)
    for outcome in outcomes:
        enabled.note(outcome.path)
    enabled.finish()
    problems = [problem for outcome in outcomes for problem in outcome.problems]
    archive = stdin_name is None and not (options.diff or options.fix_only)
    if archive:
        problems += _archive_problems_after_fixing(outcomes, run, links)
    warn_of_walks(run)
    problems = apply_baseline(run, problems, [outcome.path for outcome in outcomes],
                              archive=archive,
                              on_disk=_problems_read(outcomes) if options.diff else None)
    fixed = tuple(
        entry for outcome in outcomes if outcome.result is not None and outcome.result.changed
        for entry in fixed_counts(outcome.path, outcome.result)
    )
    failures = [p for p in problems if p.rule in ENGINE_PROBLEMS]
    if options.fix_only or options.diff:
        problems = failures  # "report nothing left": only what kept a file from being fixed
    report = FixReport(problems=tuple(problems), rules=rules,
                       files=tuple(outcome.path for outcome in outcomes),
                       fixed=fixed,
                       mode="diff" if options.diff else "fix-only" if options.fix_only else "fix")
    renderer = renderer_of(run.registry, options.format)
    listing = render_fixes(report) if options.show_fixes and options.format == "text" else ""

    if options.diff:
        # A person reads a diff on a terminal: its control characters are shown, not
        # obeyed. Anywhere else a program may apply it: the bytes stay the file's.
        for_terminal = sys.stdout.isatty()
        changed = [(outcome.path, outcome.result) for outcome in outcomes
                   if outcome.result is not None and outcome.result.changed]
        patch = patch_names([path for path, _ in changed], os.getcwd())
        if options.quiet < 2:
            for name, (_, fixed_text) in zip(patch.names, changed):
                sys.stdout.write(unified_diff(name, fixed_text, for_terminal))
        sys.stdout.flush()
        if patch.root != os.path.realpath(os.getcwd()) and not options.quiet:
            say(f"the patch names files relative to {patch.root}, which holds them all "
                "(some lie outside the working folder): apply it there")
        write_report(report, options, renderer, prefix=listing, stream=sys.stderr,
                     nothing_selected=enabled.none)
    elif stdin_data is not None:
        result = outcomes[0].result
        if not stdin_whole:  # too large to fix: handed back as it came, however long
            pass_stdin_through(stdin_data)
        else:
            sys.stdout.buffer.write(result.text.encode("utf-8") if result is not None
                                    else stdin_data)
            sys.stdout.flush()
        write_report(report, options, renderer, prefix=listing, stream=sys.stderr,
                     nothing_selected=enabled.none)
    else:
        write_report(report, options, renderer, prefix=listing,
                     nothing_selected=enabled.none)

    if any(problem.rule == INTERNAL_ERROR for problem in problems):
        return EXIT_INTERNAL
    if options.diff:
        would_change = any(o.result is not None and o.result.changed for o in outcomes)
        failed = any(p.severity == "error" for p in failures)
        # --exit-zero gives 0 here too, as the README promises (and ruff does).
        return EXIT_PROBLEMS if (would_change or failed) and not options.exit_zero else EXIT_CLEAN
    return exit_status(problems, options)


def _refuse_remote_fixes(options: LintOptions) -> None:
    urls = [path for path in options.paths if "://" in path]
    if urls:
        raise UsageError(f"--fix, --fix-only and --diff write local files only: {urls[0]} is "
                         "object storage, linted read-only (download, fix, upload)")
    if options.paths_from or options.scheduler != "processes":
        raise UsageError("--fix, --fix-only and --diff run on this machine on the files named "
                         "on the command line: drop --scheduler and --paths-from")


def _linted_tree(paths: Sequence[str], settings: Settings) -> tuple[str, ...]:
    """The folders --fix may write in (symlinks resolved): the folders named on the
    command line, the folders of the files named (:func:`_folder_of_named_file`), and
    the project's (where the configuration file found for the run is: not one given with
    --config)."""
    roots = {os.path.realpath(path) if os.path.isdir(path) else _folder_of_named_file(path)
             for path in paths}
    if settings.project_folder is not None:
        roots.add(os.path.realpath(settings.project_folder))
    return tuple(sorted(roots))


def _folder_of_named_file(path: str) -> str:
    """The folder of a file named on the command line, symlinks resolved; but when a
    folder between the working folder and the file is a symlink, the folder holding that
    link: ``archive/*/*.md`` expanded through ``archive/feeds -> ~/notes`` names files
    outside the tree, as a clipping linked there does (a folder named on the command
    line, or its walk, never goes through a link below it)."""
    folder = os.path.dirname(os.path.abspath(path))
    here = os.getcwd()
    if os.path.commonpath((here, folder)) == here:
        reached = here
        for part in os.path.relpath(folder, here).split(os.sep):
            if part == ".":
                continue
            if os.path.islink(os.path.join(reached, part)):
                return os.path.realpath(reached)
            reached = os.path.join(reached, part)
    return os.path.realpath(folder)


def _problems_read(outcomes: Sequence[FileOutcome]) -> list[Problem]:
    """The problems of the files as they were read, before their fixes: what is on disk
    after a run that wrote nothing (--diff)."""
    return [problem for outcome in outcomes
            for problem in (outcome.result.found if outcome.result is not None
                            else outcome.problems)]


def _archive_problems_after_fixing(outcomes: Sequence[FileOutcome], run: RunContext,
                                   links: Collection[str]) -> list[Problem]:
    """What archive rules find once the files are fixed (from each file's records as
    written), as a lint run would report it (``links``: the files found that are
    symlinks)."""
    from cliplint.runner import FileResult, LockedCache, RunOptions, default_jobs

    results = [FileResult(outcome.path, [], outcome.records) for outcome in outcomes]
    run_options = RunOptions(jobs=run.options.jobs or default_jobs(),
                             use_cache=not run.options.no_cache, locked_cache=LockedCache())
    return [problem for result in with_archive_rules(results, run, run_options, links)
            if not result.checked for problem in result.problems]
