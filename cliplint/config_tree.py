"""Per-directory configuration: the nearest configuration file to each linted file.

As in ruff and markdownlint-cli2, each file is linted with the settings of the nearest
configuration file (``cliplint.toml``, ``.cliplint.toml``, ``pyproject.toml`` with a
``[tool.cliplint]`` table) in its folder or above it; the run's own configuration (the
one found from the current folder) applies where no nearer file is. As in ruff, the
nearest file applies alone: it inherits nothing from the files above it unless it says
``extend = "../cliplint.toml"`` (a path relative to the file that says it; the chain
may go on, up to :data:`MAX_EXTEND_CHAIN` files; a cycle is an error naming the
files). With ``extend``, the inheriting file's keys replace the inherited ones, except
``rules`` and ``severity`` (merged rule by rule, option by option) and
``per-file-ignores`` (merged pattern by pattern); rule selection applies layer by layer,
the inherited file's first (its ``select`` and ``ignore``, then the inheriting file's),
then the command line's. Globs (``include``, ``exclude``, ``per-file-ignores``) are
relative to the folder of the file that applies, ``archive-root`` to the file that sets
it.

Command-line flags override every file's settings; ``--isolated`` ignores all files and
``--config FILE`` uses that one file for everything, as in ruff.

Settings are resolved once per folder (:class:`ConfigTree` remembers them), so a run
with one configuration costs a few ``stat`` calls per folder more than before.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, NamedTuple

from cliplint.config import (
    ConfigError,
    FolderUnchecked,
    Selection,
    Settings,
    config_in_folder,
    file_mode,
    load_config_file,
    refuse_untrusted,
    resolve,
    validate,
)
from cliplint.digests import blake2b
from cliplint.model import Rule
from cliplint.paths import absolute_text, path_text

#: Keys merged entry by entry when a file extends another (the rest are replaced).
MERGED = ("rules", "severity", "per-file-ignores")
#: The most files an ``extend`` chain may hold. A real one holds two or three (a folder's
#: file, the archive's, an organisation's); :func:`load_layers` takes one level of stack
#: per file, and a chain of about 1,000 ran out of it (exit 3, RecursionError). The same
#: bound as a file's nesting (``MAX_TOML_DEPTH``), with the stack to spare for both.
MAX_EXTEND_CHAIN = 100


class Overrides(NamedTuple):
    """What the command line (and the user's own configuration) adds to the settings of
    every configuration file."""

    selection: Selection = Selection()
    fix_outside_tree: bool = False
    #: The rules whose online step may ask private addresses (``--online-allow-private``:
    #: every rule; the user's configuration: the rules it names).
    allow_private: frozenset[str] = frozenset()
    #: Where config validation remembers what it checked (None: --no-cache).
    use_cache: bool = True
    #: ``--file-timeout``: seconds, when given.
    file_timeout: float | None = None
    #: ``--respect-gitignore`` / ``--no-respect-gitignore``, when given.
    respect_gitignore: bool | None = None


class Layers(NamedTuple):
    """A configuration file with what it extends: one merged table, and the selection
    layers of the files from the farthest to the nearest."""

    table: dict[str, Any]
    selections: tuple[Selection, ...]


def load_layers(path: str | os.PathLike[str], rules: Mapping[str, Rule], *,
                use_cache: bool = True, _seen: tuple[str, ...] = ()) -> Layers:
    """A configuration file's table merged with the files it extends, each validated and
    checked for settings that weaken security."""
    path = path_text(path)
    folder = os.path.dirname(path) or os.curdir
    resolved = os.path.realpath(path)
    if resolved in _seen:
        chain = " -> ".join(str(seen) for seen in (*_seen, resolved))
        raise ConfigError(f"{path}: extend makes a cycle: {chain}")
    table = load_config_file(path)
    known_good = None
    if use_cache:
        from cliplint.cache import cache_folder

        known_good = cache_folder(folder)
    validate(table, rules, path, known_good=known_good, file=path)
    refuse_untrusted(table, path)
    own = dict(table)
    if "archive-root" in own:  # relative to the file that sets it
        own["archive-root"] = os.path.normpath(os.path.join(absolute_text(folder),
                                                            own["archive-root"]))
    selection = Selection(select=tuple(own.pop("select")) if "select" in own else None,
                          extend_select=tuple(own.pop("extend-select", ())),
                          ignore=tuple(own.pop("ignore", ())))
    parent_name = own.pop("extend", None)
    if parent_name is None:
        return Layers(own, (selection,))
    parent = extend_target(path, parent_name)
    try:
        mode = file_mode(parent)
    except OSError as error:  # in a folder that cannot be entered
        raise ConfigError(f"{path}: extend: cannot check {parent_name!r} ({parent}): "
                          f"{error.strerror or error}") from None
    if mode is None or not stat.S_ISREG(mode):
        raise ConfigError(f"{path}: extend: {parent_name!r} is not a file ({parent})")
    if len(_seen) + 1 >= MAX_EXTEND_CHAIN:
        raise ConfigError(f"{path}: extend: chained too deeply (more than {MAX_EXTEND_CHAIN} "
                          f"files, from {_seen[0] if _seen else resolved})")
    inherited = load_layers(parent, rules, use_cache=use_cache, _seen=(*_seen, resolved))
    merged = dict(inherited.table)
    for key, value in own.items():
        if key in MERGED and key in merged:
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return Layers(merged, (*inherited.selections, selection))


def extend_target(path: str | os.PathLike[str], name: str) -> str:
    """The file that ``extend = name`` in the configuration file ``path`` names: ``name``
    is relative to the folder of the file that says it."""
    return os.path.normpath(os.path.join(os.path.dirname(os.fspath(path)), name))


def extended_files(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """The files the configuration file ``path`` pulls in with ``extend``, nearest first,
    as far as they can be read: one that cannot be (not there yet, not TOML) is the last
    listed, and a cycle ends where a file comes round again. --watch watches them; what
    is wrong with one, the run says."""
    path = path_text(path)  # (compared with the files it names)
    chain: list[str] = []
    current = path
    while len(chain) < MAX_EXTEND_CHAIN:
        try:
            name = load_config_file(current).get("extend")
        except ConfigError:
            break
        if not isinstance(name, str) or not name:
            break
        current = extend_target(current, name)
        if current == path or current in chain:
            break
        chain.append(current)
    return tuple(chain)


def _merge(inherited: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(inherited)
    for key, value in own.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def settings_of_file(path: str | os.PathLike[str] | None, rules: Mapping[str, Rule],
                     overrides: Overrides,
                     inputs: Mapping[str, str] | None = None,
                     root: str | None = None) -> Settings:
    """The settings of a configuration file (``None``: of no file, rooted at ``root``),
    with the command line's overrides."""
    if path is None:
        settings = resolve({}, rules, root=root or os.getcwd(),
                           command_line=overrides.selection, inputs=inputs)
    else:
        path = path_text(path)
        layers = load_layers(path, rules, use_cache=overrides.use_cache)
        settings = resolve(layers.table, rules, root=os.path.dirname(path) or os.curdir,
                           source=path,
                           command_line=overrides.selection, inputs=inputs,
                           inherited=layers.selections)
    if overrides.file_timeout is not None:
        settings = replace(settings, file_timeout=overrides.file_timeout)
    if overrides.respect_gitignore is not None:
        settings = replace(settings, respect_gitignore=overrides.respect_gitignore)
    return trusted(settings, rules, overrides)


def trusted(settings: Settings, rules: Mapping[str, Rule], overrides: Overrides) -> Settings:
    """The settings with what weakens security turned on, from the command line or the
    user's own configuration only (``refuse_untrusted`` keeps it out of project files).
    ``online-allow-private`` applies to the online step of each rule it is allowed for
    that is enabled."""
    if overrides.fix_outside_tree:
        settings = replace(settings, fix_outside_tree=True)
    if overrides.allow_private:
        allowed = {rule_id: {**settings.options[rule_id], "online-allow-private": True}
                   for rule_id, rule in rules.items()
                   if rule.is_online and rule_id in settings.options
                   and rule_id in overrides.allow_private}
        settings = replace(settings, options={**settings.options, **allowed})
    return settings


class ConfigTree:
    """The settings of each folder: its nearest configuration file's, else the run's.
    Remembers each folder's answer (a run asks once per file), and is pickled with the
    settings to the worker processes."""

    def __init__(self, base: Settings, rules: Mapping[str, Rule], overrides: Overrides) -> None:
        self.base = base
        self.rules = rules
        self.overrides = overrides
        #: The run's configuration file's folder: a walk up stops there.
        self.stop = os.path.dirname(os.path.abspath(base.source)) if base.source else None
        self._folders: dict[str, Settings] = {}  # by absolute path
        self._named: dict[str, Settings] = {}  # by a file's folder as its path names it
        self._files: dict[str, Settings] = {}
        self._unentered: dict[str, bool] = {}  # by absolute path (see _never_entered)
        self._unchecked: set[str] = set()  # by absolute path (see unchecked)
        self._fingerprints: dict[int, str] = {}

    def for_file(self, path: str) -> Settings:
        """The settings of a file (asked for several times per file: by the folder's
        name as given, without making it absolute)."""
        folder = os.path.dirname(path)
        found = self._named.get(folder)
        if found is None:
            found = self._named[folder] = self.for_folder(folder or os.curdir)
        return found

    def for_folder(self, folder: str) -> Settings:
        """The settings of the files in ``folder``. A folder that cannot be checked for a
        configuration file is taken as having none (its files cannot be read either,
        and reading one says so); :meth:`unchecked` then tells it."""
        current = os.path.abspath(folder)
        passed: list[str] = []
        while True:
            found = self._folders.get(current)
            if found is not None:
                break
            passed.append(current)
            if current == self.stop:
                found = self.base
                break
            try:
                config = config_in_folder(current)
            except FolderUnchecked:
                self._unchecked.add(current)
                config = None
            if config is not None:
                found = self._settings_of(config)
                break
            parent = os.path.dirname(current)
            if parent == current:
                found = self.base
                break
            current = parent
        for folder_passed in passed:
            self._folders[folder_passed] = found
        return found

    def settings_below(self, root: str) -> list[Settings]:
        """The distinct settings of the folders at or below ``root`` (absolute) asked for
        so far: after a walk of ``root``, those of every folder it lints."""
        inside = root.rstrip(os.sep) + os.sep
        return list({id(settings): settings for folder, settings in self._folders.items()
                     if folder == root or folder.startswith(inside)}.values())

    def unchecked(self, folder: str) -> bool:
        """Whether ``folder`` could not be checked for a configuration file (after
        :meth:`for_folder` asked): which of its files a walk would lint is unknown."""
        return os.path.abspath(folder) in self._unchecked

    def skips(self, path: str) -> bool:
        """Whether a walk would leave the file out, as --force-exclude asks of the files
        named on the command line: a walk checks each entry of a folder against the
        configuration of that folder, so the file against its own folder's, and each
        folder above it, as an entry of its parent, against the parent's (a walk never
        enters an excluded folder: a configuration file inside it cannot bring it back;
        and a folder's own configuration alone says which of its files are excluded)."""
        folder = os.path.abspath(os.path.dirname(path) or os.curdir)
        # (a folder never entered first: its own configuration is then never read)
        return self._never_entered(folder) or self.for_folder(folder).is_excluded(path)

    def _never_entered(self, folder: str) -> bool:
        """Whether a walk from the run's folder never enters ``folder`` (absolute): it, or
        a folder above it, is excluded by its parent's configuration. Worked out once a
        folder: a pre-commit run names thousands of files in a few folders."""
        known = self._unentered.get(folder)
        if known is None:
            parent = os.path.dirname(folder)
            known = folder != self.stop and parent != folder and (
                self.for_folder(parent).is_excluded(folder) or self._never_entered(parent))
            self._unentered[folder] = known
        return known

    def _settings_of(self, config: str) -> Settings:
        key = absolute_text(config)
        if self.base.source is not None and key == os.path.abspath(self.base.source):
            return self.base
        settings = self._files.get(key)
        if settings is None:
            settings = replace(settings_of_file(config, self.rules, self.overrides,
                                                inputs=self.base.inputs), tree=self)
            self._files[key] = settings
        return settings

    def fingerprint(self, settings: Settings) -> str:
        """What a file's cached result depends on in settings other than the run's:
        severities, options and limits (the enabled rules are in its key already)."""
        known = self._fingerprints.get(id(settings))
        if known is None:
            described = json.dumps([settings.severity, settings.options, settings.max_file_size,
                                    settings.max_problems_per_rule], sort_keys=True, default=str)
            known = blake2b(described.encode(), digest_size=16).hexdigest()
            self._fingerprints[id(settings)] = known
        return known

    def __getstate__(self) -> dict[str, Any]:
        # Sent to the worker processes with every chunk of files: the configurations
        # read so far travel (a worker need not read and validate them again), the
        # folders' answers do not (one stat or three per folder, while they could be
        # thousands); fingerprints are keyed by identity, which does not survive the trip.
        return {**self.__dict__, "_folders": {}, "_named": {}, "_fingerprints": {}}
