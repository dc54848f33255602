"""Configuration: finding the file, validating it, and resolving the settings of a run.

Sources, nearest first when walking up from the current folder: ``cliplint.toml``,
``.cliplint.toml``, then ``pyproject.toml`` with a ``[tool.cliplint]`` table. The whole
file is validated against a JSON Schema assembled from the engine's keys and every
rule's option schema.

Settings that weaken security (:data:`TRUSTED_ONLY`) are honoured only from the command
line or the user's own configuration (:func:`user_config_path`), never from a
configuration file of the project: whoever can change the linted tree (a pull request
in CI) must not be able to switch a guard off.
"""

from __future__ import annotations

import errno
import fnmatch
import functools
import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from cliplint.marks import check_marker, remember_checked
from cliplint.model import SEVERITIES, Rule, Severity
from cliplint.paths import path_text, relative_posix
from cliplint.xdg import xdg_folder

if TYPE_CHECKING:
    from cliplint.gitignore import GitAnswer

CONFIG_FILES = ("cliplint.toml", ".cliplint.toml", "pyproject.toml")
#: Markdown as pre-commit's hooks (``types: [markdown]``, identify) see it: .md, .markdown,
#: in any case (identify lowers the extension: the hook passed ``X.MD``, which a folder's
#: walk skipped), whether a configuration leaves ``include`` out or writes these two; other
#: patterns match case as fnmatch does.
DEFAULT_INCLUDE = ("*.md", "*.markdown")
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".cliplint_cache", "node_modules", ".venv", "__pycache__")
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024  # html5lib takes ~10 s on a 2 MB body
#: Problems listed per rule per file; the rest are one summary problem. Real archives
#: have at most ~100 (a 2 MB body of '<' would make two million).
DEFAULT_MAX_PROBLEMS_PER_RULE = 1000
#: The largest count a setting takes (``max-problems-per-rule``, ``max-file-size``,
#: ``--jobs``, ``--batch-size``): far more than any archive needs, and far below what
#: the engine slices and reads by (a Python index, ``sys.maxsize``), which a larger one
#: overflowed: every rule crashed.
LARGEST_COUNT = 1_000_000_000
#: Seconds a file's checks may take before they are stopped (cliplint/budget.py): six
#: times what html5lib takes on a body of max-file-size, so that only a hostile or
#: pathological file reaches it, even on a busy machine.
DEFAULT_FILE_TIMEOUT = 60.0
ALL = "ALL"


class ConfigError(ValueError):
    """The configuration is unreadable or invalid; the message names file and key. (A
    ValueError: what Python raises for a value of the right type that is wrong, and what
    a program using the library catches.)"""


class FolderUnchecked(ConfigError):
    """A folder that may hold a configuration file cannot be checked for one: cliplint may
    not enter it (a folder whose mode lacks ``x`` for the user), or the system refused
    to say. Nothing in the folder can be read either; its files' settings are unknown."""


class Selection(NamedTuple):
    """One layer of rule selection (the config file's, then the command line's). (A named
    tuple: it is defined on every start, and a frozen dataclass costs more to define.)"""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """The resolved settings of a run. Globs are relative to ``root``."""

    enabled: tuple[str, ...]
    severity: Mapping[str, Severity]  # the user's overrides of rules' default severities
    options: Mapping[str, Mapping[str, Any]]
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_problems_per_rule: int = DEFAULT_MAX_PROBLEMS_PER_RULE
    #: Seconds a file's checks may take (0: no limit); see cliplint/budget.py.
    file_timeout: float = DEFAULT_FILE_TIMEOUT
    #: --fix may write through a symlink to a file outside the linted tree (trusted only).
    fix_outside_tree: bool = False
    #: Walks leave out what git ignores (cliplint/gitignore.py). The run's configuration
    #: decides, as in ruff: a walk's folders share one answer.
    respect_gitignore: bool = True
    root: str = "."
    source: str | None = None
    #: The folder archive rules compare files within (``archive-root``), when configured.
    archive_root: str | None = None
    #: The keys its configuration file gives (itself or through ``extend``): a folder's
    #: file that gives what only the run's configuration decides is named in a warning
    #: (cliplint/cli/results.py), and one that does not give it is not.
    given: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    #: The run's inputs (see :data:`cliplint.model.RUN_INPUTS`), fixed when the settings
    #: are made: every file of a run sees the same.
    inputs: Mapping[str, str] = field(default_factory=lambda: current_inputs())
    #: Per-directory configuration (a :class:`cliplint.config_tree.ConfigTree`): the
    #: settings of the nearest configuration file to each file. None: these settings
    #: apply to every file (--config, --isolated, the library).
    tree: Any = field(default=None, compare=False, repr=False)

    def for_path(self, path: str | None) -> Settings:
        """The settings of one file: its nearest configuration file's (see
        :mod:`cliplint.config_tree`), these when there is no tree."""
        if self.tree is None or path is None or "://" in path:
            return self
        return self._own(self.tree.for_file(path))

    def for_folder(self, folder: str) -> Settings:
        """The settings of the files in a folder (see :meth:`for_path`)."""
        return self if self.tree is None else self._own(self.tree.for_folder(folder))

    def folder_unchecked(self, folder: str) -> bool:
        """Whether ``folder`` could not be checked for a configuration file of its own
        (after :meth:`for_folder` asked): its settings, and so which of its files are
        linted, are unknown."""
        return self.tree is not None and bool(self.tree.unchecked(folder))

    @property
    def project_folder(self) -> str | None:
        """The folder of the configuration file found for the run, the project's top:
        where archive rules' archive and --fix's tree begin by default. None with
        --config (a file given there may lie anywhere, as a shared one does: its folder
        is no project), --isolated, the library, or no file found."""
        if self.tree is None or self.source is None:
            return None
        return os.path.dirname(self.source)

    def _own(self, found: Settings) -> Settings:
        # The run's configuration is these settings, also when they are a copy made
        # with dataclasses.replace (batches make the root absolute).
        return self if found is self.tree.base and self.source == found.source else found

    def rule_options(self, rule: Rule) -> Mapping[str, Any]:
        """What a rule gets as ``options``: its options, and the inputs it asks for."""
        options = self.options.get(rule.id, {})
        if not rule.inputs:
            return options
        return {**options, **{name: self.inputs[name] for name in rule.inputs}}

    def input_values(self, rules: Iterable[Rule]) -> tuple[tuple[str, str], ...]:
        """The inputs the rules ask for, with their values: what a file's cached result
        depends on besides its content and the settings."""
        names = sorted({name for rule in rules for name in rule.inputs})
        return tuple((name, self.inputs[name]) for name in names)

    def rules_for(self, path: str | None) -> tuple[str, ...]:
        """The rules enabled for one file, after ``per-file-ignores``."""
        if path is None or not self.per_file_ignores:
            return self.enabled
        relative = relative_posix(path, self.root)
        ignored: set[str] = set()
        for glob, selectors in self._ignore_globs:
            if glob.matches(relative):
                ignored.update(_expand(selectors, self.enabled))
        return tuple(rule for rule in self.enabled if rule not in ignored)

    def is_excluded(self, path: str) -> bool:
        return self.excludes(relative_posix(path, self.root))

    def walk_skips(self, path: str) -> bool:
        """Whether a walk leaves out the file or folder at ``path``: excluded by the
        configuration of its folder or of one above (``ConfigTree.skips``), or by these
        settings when they apply to every file."""
        return self.tree.skips(path) if self.tree is not None else self.is_excluded(path)

    def excludes(self, relative: str) -> bool:
        """``is_excluded`` for a path already made relative (see ``relative_posix``)."""
        return any(glob.matches(relative) for glob in self._exclude_globs)

    @functools.cached_property
    def git_answers(self) -> dict[str, GitAnswer]:
        """What git said it ignores below each folder walked with these settings, by the
        folder's absolute path (:mod:`cliplint.gitignore`): asked once a run, and a
        failure said once, where the lint's walk and the archive's index walk the same
        folder (:func:`cliplint.files.walk_entries`)."""
        return {}

    # Compiled once per settings. (Looked up per file and pattern in a cache of 256
    # patterns, a configuration of more compiled every pattern again for every file: 300
    # per-file-ignores made a run on 3,000 files three times slower.)
    @functools.cached_property
    def _ignore_globs(self) -> tuple[tuple[_Glob, tuple[str, ...]], ...]:
        return tuple((_glob(pattern), selectors)
                     for pattern, selectors in self.per_file_ignores)

    @functools.cached_property
    def _exclude_globs(self) -> tuple[_Glob, ...]:
        return tuple(_glob(pattern) for pattern in self.exclude)

    def excludes_entry(self, prefix: str, name: str) -> bool:
        """``excludes(prefix + name)`` for an entry of a folder ``prefix`` (``""`` or
        ending with ``/``) that a walk reached without excluding it or any folder above
        it: then a pattern without ``/`` can only match the name or the whole path."""
        names, whole, name_only, inside = self._exclude_matchers
        return name in names or bool(
            (whole and whole.match(prefix + name)) or (name_only and name_only.match(name))
            or (inside and inside.match(prefix + name)))

    @functools.cached_property
    def _exclude_matchers(self) -> tuple[frozenset[str], re.Pattern[str] | None,
                                         re.Pattern[str] | None, re.Pattern[str] | None]:
        """The exclude patterns as a set of names and three regular expressions (the
        whole path; a name, for patterns without ``/``; a path inside, for patterns with
        ``/``): a few look-ups a file instead of two matches per pattern. A pattern
        without wildcards or ``/`` (``.git``, the defaults) can only match an entry by
        its name, which a set answers without a regular expression."""
        names = frozenset(p.rstrip("/") for p in self.exclude if _is_plain_name(p))
        rest = [p for p in self.exclude if not _is_plain_name(p)]
        bare = [p.rstrip("/") for p in rest if "/" not in p.rstrip("/")]
        nested = [p.rstrip("/") + "/*" for p in rest if "/" in p.rstrip("/")]
        return names, _alternatives(rest), _alternatives(bare), _alternatives(nested)

    def includes_name(self, name: str) -> bool:
        """Whether a file of this name is linted when found in a folder."""
        return self._include_regex is not None and bool(self._include_regex.match(name))

    @functools.cached_property
    def _include_regex(self) -> re.Pattern[str] | None:
        """The include patterns as one regular expression: one match a file, not a
        ``fnmatchcase`` call (and its cache look-up) per pattern."""
        return _alternatives(self.include, ignore_case=self.include == DEFAULT_INCLUDE)


def current_inputs(now: float | None = None) -> dict[str, str]:
    """The run inputs at ``now`` (seconds since the epoch; default: the clock)."""
    import time

    return {"today": time.strftime("%Y-%m-%d", time.gmtime(now))}


Match = Callable[[str], "re.Match[str] | None"]


class _Glob(NamedTuple):
    whole: Match  # the whole relative path
    part: Match | None  # one part of it (a pattern without "/")
    inside: Match  # a path inside what the pattern names (a pattern with "/")

    def matches(self, relative: str) -> bool:
        """A glob matches the whole relative path, or (without a ``/``) any of its parts."""
        if self.whole(relative) is not None:
            return True
        if self.part is not None:
            return any(self.part(name) is not None for name in relative.split("/"))
        return self.inside(relative) is not None


def _glob(pattern: str) -> _Glob:
    """A pattern's regular expressions (compiled once a run: Settings keeps them)."""
    whole = _fnmatch_regex(pattern)
    bare = pattern.rstrip("/")
    if "/" not in bare:
        part = _fnmatch_regex(bare)
        return _Glob(whole, part, part)
    return _Glob(whole, None, _fnmatch_regex(bare + "/*"))


def _alternatives(patterns: Sequence[str], ignore_case: bool = False) -> re.Pattern[str] | None:
    """One regular expression matching what any of the globs matches (None: none)."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{_translated(pattern)})" for pattern in patterns),
                      re.IGNORECASE if ignore_case else 0)


def _is_plain_name(pattern: str) -> bool:
    """Whether a glob names one file or folder, without wildcards or ``/`` (a final
    ``/`` aside): it then matches an entry exactly when it is the entry's name."""
    bare = pattern.rstrip("/")
    return bool(bare) and not any(character in bare for character in "*?[/")


def _fnmatch_regex(pattern: str) -> Callable[[str], re.Match[str] | None]:
    # What fnmatch.fnmatchcase does, without its per-call look-up of the compiled pattern.
    return re.compile(_translated(pattern)).match


def _translated(pattern: str) -> str:
    """A glob as a regular expression, as fnmatch reads it, but for a leading ``**/``,
    which matches at the top too, as in ruff and .gitignore: fnmatch's ``*`` crosses
    ``/`` but the ``/`` must be there, so ``**/a.md`` missed the folder's own ``a.md``."""
    if pattern.startswith("**/"):
        return f"(?:{fnmatch.translate(pattern)})|(?:{fnmatch.translate(pattern[3:])})"
    return fnmatch.translate(pattern)


class Search(NamedTuple):
    """What a walk up the folders found: the nearest configuration file (None: none),
    and the pyproject.toml files it passed that hold a top-level ``[cliplint]`` table
    but no ``[tool.cliplint]``: written for cliplint, which reads only ``[tool.cliplint]``
    there, so the command warns of them."""

    found: str | None
    misplaced: tuple[str, ...] = ()


def find_config(start: str | os.PathLike[str]) -> Search:
    """The nearest config file walking up from ``start`` (see :class:`Search`)."""
    misplaced: list[str] = []
    folder = path_text(start)
    while True:
        found, passed = _folder_config(folder)
        if passed is not None:
            misplaced.append(passed)
        if found is not None:
            return Search(found, tuple(misplaced))
        parent = os.path.dirname(folder) or os.curdir  # (as Path.parents: "." ends "a/b")
        if parent == folder:
            return Search(None, tuple(misplaced))
        folder = parent


def config_in_folder(folder: str | os.PathLike[str]) -> str | None:
    """The config file of one folder, if it has one. Raises :class:`FolderUnchecked` when
    the folder cannot be checked (``Path.is_file`` raises rather than answer when the
    folder may be listed but not entered: it cannot tell)."""
    return _folder_config(path_text(folder))[0]


#: What Path.is_file takes for "no file there" (pathlib's own list).
_NOTHING_THERE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


def file_mode(path: str | os.PathLike[str]) -> int | None:
    """The mode of what ``path`` names (following links); None when nothing is there,
    as ``Path.is_file`` and ``Path.exists`` take it (a name that cannot be a file's:
    a NUL in it). ``OSError`` for the rest (a folder on the way that cannot be entered:
    whether there is a file cannot be told)."""
    try:
        return os.stat(path).st_mode
    except OSError as error:
        if error.errno in _NOTHING_THERE:
            return None
        raise
    except ValueError:
        return None


def _folder_config(folder: str) -> tuple[str | None, str | None]:
    """:func:`config_in_folder` of a folder written as :func:`path_text` writes it, and
    the folder's pyproject.toml when it was read and holds a top-level ``[cliplint]``
    table instead of ``[tool.cliplint]``."""
    for name in CONFIG_FILES:
        candidate = name if folder == os.curdir else os.path.join(folder, name)
        try:
            mode = file_mode(candidate)
        except OSError as error:
            raise FolderUnchecked(f"cannot check {folder} for a configuration file: "
                                  f"{error.strerror or error}") from None
        if mode is None:
            continue
        if not stat.S_ISREG(mode):
            # Passed over, the folder's files would get another folder's settings unsaid.
            raise ConfigError(f"{candidate} is {not_a_file(candidate)}: cliplint reads "
                              "its configuration from that name")
        if name != "pyproject.toml":
            return candidate, None
        table = _load_toml(candidate)
        if _has_cliplint_key(table):
            return candidate, None
        return None, candidate if isinstance(table.get("cliplint"), dict) else None
    return None, None


def _has_cliplint_key(pyproject: Mapping[str, Any]) -> bool:
    """Whether a pyproject.toml's table says ``tool.cliplint``: one whose ``tool`` is no
    table (``tool = "cliplint"``, ``tool = 3``) has no ``[tool.cliplint]`` and is not
    cliplint's (``in`` on a string tested a substring, on a number crashed)."""
    tool = pyproject.get("tool", {})
    return isinstance(tool, dict) and "cliplint" in tool


#: How deep tables and arrays may nest in a configuration file. A real one nests about
#: eight deep (``tool.cliplint.rules.<rule>.entries[0].text[0]``); far deeper, the
#: recursive code that reads, checks and prints a table (tomllib, json, jsonschema)
#: would run out of stack.
MAX_TOML_DEPTH = 100
#: The largest configuration file read (a pyproject.toml looked at for a
#: ``[tool.cliplint]`` table too): a real one holds a few kilobytes, a catalogue of
#: boilerplate entries some more; read whole, a stray file of gigabytes filled the memory.
LARGEST_CONFIG = 16 << 20


def _load_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    import tomllib  # only when there is a config file to read

    from cliplint.streams import read_bounded

    try:
        data = read_bounded(os.fspath(path), LARGEST_CONFIG)
    except OSError as error:
        if error.errno == errno.EFBIG:
            raise ConfigError(f"{path}: holds more than {LARGEST_CONFIG // (1 << 20)} MiB: "
                              "not a configuration file cliplint reads") from None
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        # Decoded here, not by tomllib.load, to say where the bad byte is.
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 (byte 0x{data[error.start]:02x} at "
                          f"offset {error.start}): TOML files are UTF-8") from None
    if text.startswith("\ufeff"):  # tomllib's "Invalid statement (at line 1, column 1)"
        raise ConfigError(f"{path}: starts with a byte order mark (BOM), which TOML does "
                          "not allow: save the file as UTF-8 without one")
    too_deep = ConfigError(f"{path}: nested too deeply (tables and arrays more than "
                           f"{MAX_TOML_DEPTH} levels deep)")
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        from cliplint.toml_text import quoting_hint  # only when the file is not TOML

        raise ConfigError(f"{path}: invalid TOML: {error}{quoting_hint(text, str(error))}"
                          ) from None
    except RecursionError:  # tomllib reads nested arrays and inline tables recursively
        raise too_deep from None
    except ValueError:
        # The one other ValueError tomllib lets through: int() refusing an integer of
        # more digits than Python converts (sys.get_int_max_str_digits()).
        raise ConfigError(f"{path}: invalid TOML: a number too long (more than "
                          f"{sys.get_int_max_str_digits()} digits)") from None
    if _deeper_than(table, MAX_TOML_DEPTH):  # dotted keys nest without recursion
        raise too_deep
    return table


def _deeper_than(table: Mapping[str, Any], limit: int) -> bool:
    """Whether tables and arrays nest more than ``limit`` levels (a loop, not recursion:
    the point is not to run out of stack)."""
    pending: list[tuple[Any, int]] = [(table, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children
                       if isinstance(child, (dict, list)))
    return False


def load_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The cliplint table of a config file (``[tool.cliplint]`` in pyproject.toml)."""
    path = path_text(path)
    data = _load_toml(path)
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):  # named with --config: skipped when looked for
            raise ConfigError(f"{path}: tool: expected a table")
        table = tool.get("cliplint", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: tool.cliplint: expected a table")
        return table
    return data


# -- settings that weaken security -----------------------------------------------------------


class Trusted(NamedTuple):
    """A key path that weakens security when true, and the command-line flag that sets it
    (``*`` in a path stands for any key: any rule's ``online-allow-private``)."""

    path: tuple[str, ...]
    flag: str


TRUSTED_ONLY = (
    Trusted(("fix-outside-tree",), "--fix-outside-tree"),
    Trusted(("rules", "*", "online-allow-private"), "--online-allow-private"),
)


def user_config_path() -> str:
    """The user's own configuration: ``$XDG_CONFIG_HOME/cliplint/cliplint.toml``
    (``~/.config/cliplint/cliplint.toml`` without the variable, or with a relative one:
    a trusted configuration is never read from the folder a run starts in)."""
    base = xdg_folder("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return path_text(os.path.join(base, "cliplint", "cliplint.toml"))


def _matches(key_path: Sequence[str], pattern: Sequence[str]) -> bool:
    return len(key_path) == len(pattern) and all(
        wanted in ("*", key) for key, wanted in zip(key_path, pattern))


def refuse_untrusted(table: Mapping[str, Any], source: str) -> None:
    """Raise :class:`ConfigError` when a project's configuration turns on a setting that
    weakens security (setting it to false is harmless and allowed)."""
    for key_path, value in _leaves(table):
        trusted = _trusted(key_path)
        if trusted is not None and value is True:
            raise ConfigError(
                f"{source}: {'.'.join(key_path)} = true weakens security, so it is "
                f"honoured only from the command line ({trusted.flag}) or your own "
                f"configuration ({user_config_path()}), never from a configuration file "
                "of the linted project")


@dataclass(frozen=True)
class UserConfig:
    """What the user's own configuration turns on: ``--fix-outside-tree``, and
    ``online-allow-private`` for the online step of the rules it names (each rule its own,
    as its table says; ``--online-allow-private`` is every rule's)."""

    fix_outside_tree: bool = False
    allow_private: frozenset[str] = frozenset()


def load_user_config(rules: Mapping[str, Rule]) -> UserConfig:
    """The user's own configuration. It holds only the :data:`TRUSTED_ONLY` settings, in
    the shape a project's configuration would use, for installed rules with an online
    step; anything else there is an error naming the file (a misspelt rule would allow
    nothing, unsaid)."""
    path = user_config_path()
    mode = file_mode(path)
    if mode is None:
        return UserConfig()
    if not stat.S_ISREG(mode):  # a folder there would otherwise drop the settings unsaid
        raise ConfigError(f"{path}: the user configuration is {not_a_file(path)}")
    table = _load_toml(path)
    fix_outside_tree = False
    allow_private: set[str] = set()
    for key_path, value in _leaves(table):
        trusted = _trusted(key_path)
        if trusted is None:
            keys = ", ".join(".".join(trusted.path).replace("*", "<rule>")
                             for trusted in TRUSTED_ONLY)
            raise ConfigError(f"{path}: unknown key {'.'.join(key_path)!r} (the user "
                              f"configuration holds only {keys})")
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: {'.'.join(key_path)}: {value!r} is not of type 'boolean'")
        if key_path[0] == "rules":
            _check_online_rule(key_path[1], rules, path)
            if value:
                allow_private.add(key_path[1])
        else:
            fix_outside_tree = fix_outside_tree or value
    return UserConfig(fix_outside_tree, frozenset(allow_private))


def _check_online_rule(rule_id: str, rules: Mapping[str, Rule], path: str) -> None:
    from cliplint.suggest import did_you_mean

    if rule_id not in rules:
        raise ConfigError(f"{path}: rules.{rule_id}: unknown rule {rule_id!r}"
                          f"{did_you_mean(rule_id, rules)} (see 'cliplint rules')")
    if not rules[rule_id].is_online:
        online = sorted(rule for rule, rule_of in rules.items() if rule_of.is_online)
        raise ConfigError(f"{path}: rules.{rule_id}: {rule_id} has no online step, so "
                          f"online-allow-private does nothing there (rules with one: "
                          f"{', '.join(online) or 'none installed'})")


def not_a_file(path: str | os.PathLike[str]) -> str:
    """What a path that exists but is no regular file is, for a message."""
    return "a folder, not a file" if os.path.isdir(path) else "not a regular file"


def _trusted(key_path: Sequence[str]) -> Trusted | None:
    return next((trusted for trusted in TRUSTED_ONLY if _matches(key_path, trusted.path)), None)


def _leaves(table: Mapping[str, Any],
            prefix: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], Any]]:
    for key, value in table.items():
        if isinstance(value, Mapping) and value:
            yield from _leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def config_schema(rules: Mapping[str, Rule]) -> dict[str, Any]:
    """The JSON Schema of a config table, for the rules that are installed."""
    plugin_prefixes = sorted({rule_id.split("/")[0] + "/" for rule_id in rules if "/" in rule_id})
    selector = {"enum": [ALL, *rules, *plugin_prefixes]}
    selectors = {"type": "array", "items": selector}
    globs = {"type": "array", "items": {"type": "string", "minLength": 1}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "extend": {"type": "string", "minLength": 1},
            "select": selectors,
            "extend-select": selectors,
            "ignore": selectors,
            "per-file-ignores": {"type": "object", "propertyNames": {"minLength": 1},
                                 "additionalProperties": selectors},
            "include": globs,
            "exclude": globs,
            "extend-exclude": globs,
            "max-file-size": {"type": "integer", "minimum": 1, "maximum": LARGEST_COUNT},
            "archive-root": {"type": "string", "minLength": 1},
            "max-problems-per-rule": {"type": "integer", "minimum": 1,
                                      "maximum": LARGEST_COUNT},
            "file-timeout": {"type": "number", "minimum": 0},
            "fix-outside-tree": {"type": "boolean"},
            "respect-gitignore": {"type": "boolean"},
            "severity": {
                "type": "object",
                "propertyNames": {"enum": list(rules)},
                "additionalProperties": {"enum": list(SEVERITIES)},
            },
            "rules": {
                "type": "object",
                "propertyNames": {"enum": list(rules)},
                "properties": {rule_id: dict(rule.options_schema) for rule_id, rule in rules.items()},
            },
        },
    }


def _file_timeout_errors(table: Mapping[str, Any]) -> list[Any]:
    """``file-timeout`` as a jsonschema error when it is no finite number of seconds:
    TOML's ``nan`` and ``inf``, or an integer too large to be a float, which the schema's
    ``minimum`` lets through. Refused, as ``--file-timeout`` refuses them: 0 is the way
    to say "no limit" (README), a NaN budget means nothing, and ``--show-config``
    prints JSON, which has neither. A huge finite number is taken: it is no budget
    (cliplint/budget.py, LONGEST)."""
    value = table.get("file-timeout")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return []  # the schema's "type" says so
    try:
        seconds = float(value)
    except OverflowError:
        seconds = math.inf
    if not (math.isnan(seconds) or seconds == math.inf):
        return []  # (-inf is below the schema's "minimum")
    import jsonschema

    return [jsonschema.ValidationError(
        # Starting with the value's repr, as jsonschema's own, for config_errors to
        # write it as TOML does.
        f"{value!r} is not a finite number of seconds (0: no limit)",
        validator="finite", path=["file-timeout"], instance=value, schema={},
        schema_path=["properties", "file-timeout"])]


def validate(
    table: Mapping[str, Any],
    rules: Mapping[str, Rule],
    source: str,
    *,
    known_good: str | os.PathLike[str] | None = None,
    file: str | os.PathLike[str] | None = None,
) -> None:
    """Raise :class:`ConfigError` naming the file, key path and expectation.

    ``known_good`` is a folder where a marker records each (table, schema) pair that
    validated, so that a one-file run (pre-commit) need not import jsonschema again:
    named with the user's cache secret, so that a repository cannot commit one for its
    own invalid table (:mod:`cliplint.marks`).
    ``file``: the TOML file the table was read from, whose lines the errors give.
    """
    if not table:
        return  # nothing to check, and jsonschema is slow to import
    schema = config_schema(rules)
    marker = None
    if known_good is not None:
        marker = check_marker(known_good, "config-valid", validated_description(table, schema))
        if marker is not None and os.path.exists(marker):
            return

    # Format checks too: a rule's option may be a regular expression ("format": "regex"),
    # a date ("date"), a code point ("code-point"); the rule trusts what passed.
    validator = validator_class()(schema, format_checker=format_checker())
    found = [*validator.iter_errors(table), *_file_timeout_errors(table)]
    errors = sorted(found, key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        remember_checked(marker)
        return
    from cliplint.config_errors import describe  # only when there is an error

    raise ConfigError("\n".join([f"{source}: invalid configuration:",
                                  *describe(errors, source, file)]))


#: What validation means besides the schemas, in the description a marker of a check
#: that passed is named with: bumped when the checks change, so that a table or schema
#: an earlier cliplint passed is checked again. (2: an integer is a whole number.)
VALIDATION = 2


def validated_description(table: Mapping[str, Any], schema: Mapping[str, Any]) -> bytes:
    """What the marker of a configuration table that passed describes: the table, the
    schema it was checked against, and :data:`VALIDATION`."""
    return json.dumps([VALIDATION, table, schema], sort_keys=True, default=str).encode()


@functools.cache
def validator_class() -> Any:  # a jsonschema validator class
    """JSON Schema's draft 2020-12 validator, whose ``integer`` is a whole JSON number
    written without a fraction part: ``1.0`` (TOML's float) is one by the draft's letter,
    yet a count given as one crashed every rule (``islice`` takes no float) or showed
    as ``5.0`` in messages. Configurations, rules' options and stats files are checked
    with it."""
    import jsonschema

    draft = jsonschema.Draft202012Validator
    integers = draft.TYPE_CHECKER.redefine(
        "integer", lambda _, instance: isinstance(instance, int) and not isinstance(instance, bool))
    return jsonschema.validators.extend(draft, type_checker=integers)  # type: ignore[no-untyped-call]


#: The last Unicode code point (chr() refuses any above).
MAX_CODE_POINT = 0x10FFFF


@functools.cache
def format_checker() -> Any:  # a jsonschema.FormatChecker
    """The ``format`` checks options are validated with: JSON Schema's (draft 2020-12:
    ``regex``, ``date``...) and cliplint's own ``code-point``, a Unicode code point
    written ``U+200B``, and ``regex-with-group``, a regular expression that captures."""
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    checker.checkers.update(jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("code-point")(_is_code_point)
    checker.checks("regex-with-group")(_has_group)
    return checker


def _has_group(instance: object) -> bool:
    """``regex-with-group``: a regular expression with a capturing group, for an option
    whose first group is what the rule takes (a pattern without one would match nothing
    the rule can use, silently)."""
    if not isinstance(instance, str):
        return True
    try:
        return re.compile(instance).groups > 0
    except re.error:
        return False


def _is_code_point(instance: object) -> bool:
    # Only the number's range: how it is written is for the option's "pattern" to say
    # (one message, not two, for "200B").
    if not isinstance(instance, str) or not re.fullmatch(r"U\+[0-9A-Fa-f]+", instance):
        return True
    return int(instance[2:], 16) <= MAX_CODE_POINT


def resolve(
    table: Mapping[str, Any],
    rules: Mapping[str, Rule],
    *,
    root: str = ".",
    source: str | None = None,
    command_line: Selection = Selection(),
    inputs: Mapping[str, str] | None = None,
    inherited: Sequence[Selection] = (),
) -> Settings:
    """Turn a validated config table and the command line's selection into settings.
    ``inputs``: the run's inputs (default: :func:`current_inputs`). ``inherited``: the
    selections of the files the table's file extends, farthest first."""
    file_selection = Selection(
        select=tuple(table["select"]) if "select" in table else None,
        extend_select=tuple(table.get("extend-select", ())),
        ignore=tuple(table.get("ignore", ())),
    )
    enabled = select_rules(list(rules), [*inherited, file_selection, command_line])
    severity = dict(table.get("severity", {}))  # only what the user set
    rule_options = table.get("rules", {})
    options = {
        rule_id: {**rule.default_options(), **rule_options.get(rule_id, {})}
        for rule_id, rule in rules.items()
    }
    exclude = tuple(table.get("exclude", DEFAULT_EXCLUDE)) + tuple(table.get("extend-exclude", ()))
    return Settings(
        enabled=enabled,
        severity=severity,
        options=options,
        per_file_ignores=tuple(
            (pattern, tuple(selectors))
            for pattern, selectors in table.get("per-file-ignores", {}).items()
        ),
        include=tuple(table.get("include", DEFAULT_INCLUDE)),
        exclude=exclude,
        max_file_size=table.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
        max_problems_per_rule=table.get("max-problems-per-rule", DEFAULT_MAX_PROBLEMS_PER_RULE),
        file_timeout=float(table.get("file-timeout", DEFAULT_FILE_TIMEOUT)),
        fix_outside_tree=bool(table.get("fix-outside-tree", False)),
        respect_gitignore=bool(table.get("respect-gitignore", True)),
        root=root,
        source=source,
        archive_root=(os.path.normpath(os.path.join(os.path.abspath(root), table["archive-root"]))
                      if "archive-root" in table else None),
        given=frozenset(table),
        inputs=dict(inputs) if inputs is not None else current_inputs(),
    )


def select_rules(known: Sequence[str], layers: Iterable[Selection]) -> tuple[str, ...]:
    """Apply selection layers in order: ``select`` resets, then extend, then ignore."""
    enabled = list(known)
    for layer in layers:
        if layer.select is not None:
            enabled = _expand(layer.select, known)
        enabled += [rule for rule in _expand(layer.extend_select, known) if rule not in enabled]
        ignored = set(_expand(layer.ignore, known))
        enabled = [rule for rule in enabled if rule not in ignored]
    return tuple(rule for rule in known if rule in enabled)


def _expand(selectors: Iterable[str], known: Sequence[str]) -> list[str]:
    chosen: list[str] = []
    for selector in selectors:
        if selector == ALL:
            chosen.extend(known)
        elif selector.endswith("/"):
            chosen.extend(rule for rule in known if rule.startswith(selector))
        else:
            chosen.append(selector)
    return chosen


def check_selectors(selectors: Iterable[str], rules: Mapping[str, Rule], option: str) -> None:
    """Command-line selectors must name installed rules too."""
    for selector in selectors:
        if selector == ALL or selector in rules:
            continue
        if selector.endswith("/") and any(rule.startswith(selector) for rule in rules):
            continue
        from cliplint.suggest import did_you_mean  # only when there is an error

        hint = did_you_mean(selector, [ALL, *rules])
        raise ConfigError(f"{option}: unknown rule {selector!r}{hint} (see 'cliplint rules')")
