"""Between the files' results and the report of a lint or fix run: what the archive
rules find across the files (cliplint/archive.py), and the baseline
(cliplint/baseline.py)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from cliplint.cli import UsageError
from cliplint.streams import say

if TYPE_CHECKING:
    from cliplint.cli.context import LintOptions, RunContext
    from cliplint.model import Problem
    from cliplint.runner import FileResult, RunOptions


def with_archive_rules(results: Iterable[FileResult], run: RunContext,
                       run_options: RunOptions) -> Iterable[FileResult]:
    """The results, then what the archive rules find (cliplint/archive.py)."""
    from cliplint.archive import archive_rules, find_archive, with_archive_rules as with_rules

    paths = [path for path in run.paths if os.path.exists(path)]
    if not paths or not archive_rules(run.rules, run.settings):
        return results
    archive = find_archive(paths, run.settings)  # (ConfigError: archive-root is no folder)
    return with_rules(results, run.rules, run.settings, archive, run_options,
                      run.registry.plugins)


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


def apply_baseline(options: LintOptions, problems: Sequence[Problem],
                   files: Sequence[str]) -> list[Problem]:
    """The problems not in --baseline FILE (all of them without the option)."""
    if not options.baseline:
        return list(problems)
    from cliplint import baseline

    try:
        recorded = baseline.read_file(options.baseline)
    except baseline.BaselineError as error:
        raise UsageError(str(error)) from None
    base = baseline.folder_of(options.baseline)
    split = baseline.apply(problems, recorded, base)
    if split.suppressed:
        say(f"{split.suppressed} problem{'s' if split.suppressed != 1 else ''} suppressed "
            f"by the baseline {options.baseline}")
    stale = baseline.stale(recorded, problems, files, base)
    if stale:
        say(f"{stale} baseline entr{'ies no longer match' if stale != 1 else 'y no longer matches'}"
            f" (fixed?): write it again with --write-baseline")
    return list(split.new)
