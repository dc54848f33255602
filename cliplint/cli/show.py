"""What a run would do, said instead of or before doing it: --show-config,
--show-files, and --verbose's configuration line."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cliplint.cli import EXIT_CLEAN, UsageError
from cliplint.cli.inputs import lazy_inputs, refuse_missing
from cliplint.cli.results import warn_of_walks

if TYPE_CHECKING:
    from cliplint.cli.context import RunContext
    from cliplint.config import Settings
    from cliplint.model import Rule


def show_config(run: RunContext) -> int:
    """``--show-config``: the resolved configuration as JSON, a file's or folder's
    settings when one is named (ruff's --show-settings), and exit 0. A path where
    nothing is, or several, is a usage error: the settings of a path mistyped, or of
    none of several, were shown as if they were its."""
    shown = run.settings
    paths = run.options.paths
    if len(paths) > 1:
        raise UsageError("--show-config shows the settings of one file or folder: name "
                         "one path")
    if len(paths) == 1 and paths[0] != "-":
        path = paths[0]
        refuse_missing([path])
        own = shown.for_folder(path) if os.path.isdir(path) else shown.for_path(path)
        # (what walks leave out is the run's configuration's to say, not a folder's)
        shown = replace(own, respect_gitignore=shown.respect_gitignore)
    print(json.dumps(settings_data(shown, run.rules), ensure_ascii=False, indent=2))
    return EXIT_CLEAN


def show_files(run: RunContext) -> int:
    """``--show-files``: the files a run would lint, after include, exclude and
    --force-exclude, one a line (as ruff's --show-files), and exit 0."""
    from cliplint.formats.text import printable

    if run.options.batched:
        raise UsageError("--show-files lists local files: drop --scheduler, --paths-from "
                         "and URLs")
    stdin_name, found = lazy_inputs(run)
    for path in [stdin_name] if stdin_name is not None else found:
        print(printable(path))
    warn_of_walks(run)
    return EXIT_CLEAN


def config_used(run: RunContext) -> str:
    """For --verbose: the configuration file the run took its settings from, and the
    user's own configuration when there is one (its trusted settings apply to every run
    but --isolated's)."""
    if run.options.isolated:
        return "none (--isolated)"
    from cliplint.config import user_config_path

    user = user_config_path()
    also = f"; and the user configuration {user}" if os.path.isfile(user) else ""
    if run.settings.source is not None:
        return f"{os.path.abspath(run.settings.source)}{also}"
    # (Folders' own files are still looked for: one in the linted folder applies there.)
    below = "; a folder's own file applies below it" if run.settings.tree is not None else ""
    return f"none found from the current folder, the defaults{below}{also}"


def settings_data(settings: Settings, rules: Mapping[str, Rule]) -> dict[str, Any]:
    """The resolved configuration, as --show-config prints it."""
    return {
        "config-file": settings.source,
        "root": settings.root,
        "enabled": list(settings.enabled),
        "severity": {rule_id: settings.severity.get(rule_id, rule.severity)
                     for rule_id, rule in rules.items()},
        "per-file-ignores": {pattern: list(selectors)
                             for pattern, selectors in settings.per_file_ignores},
        "include": list(settings.include),
        "exclude": list(settings.exclude),
        "max-file-size": settings.max_file_size,
        "max-problems-per-rule": settings.max_problems_per_rule,
        "file-timeout": settings.file_timeout,
        "fix-outside-tree": settings.fix_outside_tree,
        "respect-gitignore": settings.respect_gitignore,
        "rules": {rule: dict(values) for rule, values in settings.options.items()},
    }
