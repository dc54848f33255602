"""Linting many files: the loop between the command line and the pure linter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cliplint.config import Settings
from cliplint.files import read_clipping
from cliplint.linter import lint_bytes
from cliplint.model import Problem, Rule


def lint_file(path: str, rules: Mapping[str, Rule], settings: Settings,
              with_source: bool = False) -> list[Problem]:
    data = read_clipping(path, settings.max_file_size)
    if isinstance(data, Problem):
        return [data]
    return lint_bytes(data, rules, settings, path=path, with_source=with_source)


def lint_files(paths: Sequence[str], rules: Mapping[str, Rule], settings: Settings,
               with_source: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        problems.extend(lint_file(path, rules, settings, with_source))
    return problems
