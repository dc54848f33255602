"""Loading plugins from entry points and collecting their rules and report formats."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache, partial
from types import ModuleType
from typing import TYPE_CHECKING, NamedTuple, cast

from cliplint import __version__
from cliplint.marks import check_marker, remember_checked
from cliplint.model import ENGINE_PROBLEMS, ENGINE_STOPS, Rule, error_text, kebab_case
from cliplint.streams import printing_aside

if TYPE_CHECKING:
    import pluggy

    from cliplint.formats import Renderer, RenderOptions
    from cliplint.model import Report

ENTRY_POINT_GROUP = "cliplint"
OWN_DISTRIBUTION = "cliplint"
#: cliplint's own entry points and their modules (pyproject.toml): a distribution that
#: calls itself cliplint is cliplint only through these.
OWN_ENTRY_POINTS = {"builtin": "cliplint_rules", "formats": "cliplint.formats"}
#: Set to 1 to load only cliplint's own rules and formats.
NO_PLUGINS_VARIABLE = "CLIPLINT_NO_PLUGINS"


class PluginError(Exception):
    """A plugin failed to load or broke a rule of the plugin contract."""


class Registry(NamedTuple):
    """Every rule and report format the installed plugins provide. (A named tuple: it is
    defined on every start, and a frozen dataclass costs several times more to define.)"""

    rules: Mapping[str, Rule]
    formats: Mapping[str, Renderer]
    plugins: Mapping[str, str]  # entry-point name -> "distribution version"
    format_plugins: Mapping[str, str]  # report format -> the entry-point name providing it


def plugins_disabled() -> bool:
    return os.environ.get(NO_PLUGINS_VARIABLE, "").strip() not in ("", "0")


@cache
def load_registry(builtins_only: bool | None = None, known_good: str | None = None,
                  snapshot: bool = False) -> Registry:
    """Load every plugin registered under the ``cliplint`` entry-point group.

    With ``builtins_only`` (default: the ``CLIPLINT_NO_PLUGINS`` variable) only
    cliplint's own entry points are loaded. Raises :class:`PluginError` when a plugin
    fails to load or one of its rules breaks the contract (see
    :meth:`cliplint.model.Rule.from_module` and :func:`check_options_schemas`).
    ``known_good``: a folder where a marker remembers that the plugins' option schemas
    were valid (as config validation does, named with the user's cache secret:
    :mod:`cliplint.marks`), so that a run need not import jsonschema.
    ``snapshot``: use the snapshot of the registry the last full load wrote when nothing
    it depends on has changed, and write one after a full load
    (:mod:`cliplint.registry_snapshot`): no plugin is then imported, nor any rule
    module before its rule runs.
    Raises ImportError when html5lib is missing or not the release cliplint's parser
    needs: checked on a full load, before any rule runs, as the parser itself loads only
    when a body is parsed (see :func:`cliplint.html.require_html5lib`). A snapshot is
    valid only while no distribution is installed or removed: html5lib is as it was.
    """
    if builtins_only is None:
        builtins_only = plugins_disabled()
    if not snapshot:
        return _load(builtins_only, known_good).registry
    from cliplint.registry_snapshot import environment, read_snapshot, write_snapshot

    started = time.time_ns()
    before = environment(builtins_only)
    found = read_snapshot(before)
    if found is not None:
        return found
    loaded = _load(builtins_only, known_good)
    write_snapshot(before, started, loaded.registry, loaded.modules, loaded.distributions,
                   loaded.format_hooks)
    return loaded.registry


class _Loaded(NamedTuple):
    """A full load: the registry, the plugins' entry-point modules, their distributions'
    metadata folders (None where unknown), and the hook that provides each report
    format (what a snapshot of the registry needs besides it)."""

    registry: Registry
    modules: list[str]
    distributions: list[str | None]
    format_hooks: dict[str, Callable[..., object]]


def _load(builtins_only: bool, known_good: str | None) -> _Loaded:
    """Import every plugin (cliplint's own alone with ``builtins_only``) and check it."""
    from cliplint.html import require_html5lib

    require_html5lib()
    # Only here: together they are a third of a one-file run's start-up.
    from importlib import metadata

    import pluggy

    from cliplint import hookspecs

    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    plugins: dict[str, str] = {}
    modules: list[str] = []
    distributions: list[str | None] = []
    for entry_point in sorted(
        metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name
    ):
        # Distribution.name and .version each parse the METADATA file again: parse it once.
        about = entry_point.dist.metadata if entry_point.dist else None
        distribution = about["Name"] if about else "unknown distribution"
        own = _own(entry_point.name, distribution or "")
        if own and entry_point.module != OWN_ENTRY_POINTS[entry_point.name]:
            raise PluginError(
                f"plugin {entry_point.name!r} from distribution {distribution!r} loads "
                f"{entry_point.module!r}, not cliplint's own {OWN_ENTRY_POINTS[entry_point.name]!r}: "
                "a distribution passing for cliplint is installed (reinstall cliplint)")
        if builtins_only and not own:
            continue
        if not own and not kebab_case(entry_point.name):
            # Its rules' ids start with it ("name/rule"): "EVIL/x" broke the report's
            # schema, "a,b/x" could not be named on the command line, "pd/sub" took ids
            # that "--select pd/" gives another plugin.
            raise PluginError(
                f"plugin {entry_point.name!r} from distribution {distribution!r}: a "
                "plugin's name (its entry point's, which its rule ids start with) must be "
                "kebab-case: lower-case letters, digits and hyphens")
        if entry_point.name in plugins:
            raise PluginError(
                f"two plugins are named {entry_point.name!r} ({plugins[entry_point.name]} "
                f"and {distribution})"
            )
        try:
            with printing_aside():  # (a print at import went into the report)
                plugin = entry_point.load()
            manager.register(plugin, name=entry_point.name)
            manager.check_pending()
            # (pluggy passes over functions not marked as hook implementations: a pack
            # that forgot @hookimpl loaded with no rules, and its ids were "unknown")
            implements = bool(manager.get_hookcallers(plugin))
        except ENGINE_STOPS:
            raise
        except BaseException as error:  # a plugin may fail in any way while importing
            raise PluginError(
                f"plugin {entry_point.name!r} from distribution {distribution!r} failed "
                f"to load: {error_text(error)}"
            ) from error
        if not implements:
            raise PluginError(
                f"plugin {entry_point.name!r} from distribution {distribution!r} implements "
                "no hook of cliplint's: mark its cliplint_rules (or cliplint_formats) "
                "function with @hookimpl (from cliplint import hookimpl)")
        version = about["Version"] if about else "?"
        plugins[entry_point.name] = f"{distribution} {version}"
        modules.append(entry_point.module)
        distributions.append(_metadata_folder(entry_point.dist))
    if "builtin" not in plugins:
        raise PluginError(
            "cliplint's built-in rules are not registered: reinstall cliplint "
            "(pip install cliplint) so that its entry points exist"
        )
    rules = _collect_rules(manager, plugins)
    # cliplint's own schemas are checked by its tests; a third party's when it loads.
    check_options_schemas([rule for rule in rules.values()
                           if not _own(rule.plugin, plugins[rule.plugin])],
                          plugins, known_good)
    formats, format_hooks, format_plugins = _collect_formats(manager, plugins)
    return _Loaded(Registry(rules=rules, formats=formats, plugins=plugins,
                            format_plugins=format_plugins),
                   modules, distributions, format_hooks)


def _metadata_folder(distribution: object) -> str | None:
    """A distribution's .dist-info or .egg-info folder, absolute; None when it is not
    one on disk (a zipped egg, a finder of another kind): importlib.metadata keeps it,
    undocumented, as ``PathDistribution._path``."""
    from pathlib import Path  # (imported by importlib.metadata already: a full load's)

    folder = getattr(distribution, "_path", None)
    return os.path.abspath(folder) if isinstance(folder, Path) else None


def _own(name: str, about: str) -> bool:
    """Whether plugin ``name`` (``about``: "distribution version", or the distribution
    alone) is cliplint's own: one of its entry points, from the distribution named
    cliplint. (Another entry point of a distribution of that name is a third party's
    plugin, held to what any is.)"""
    return name in OWN_ENTRY_POINTS and about.partition(" ")[0].lower() == OWN_DISTRIBUTION


def _where(name: str, plugins: Mapping[str, str]) -> str:
    return f"plugin {name!r} from distribution {plugins[name].split()[0]!r}"


def _hook_result(hook: Callable[[], object], failed: str) -> object:
    """What a plugin's hook function returns; a :class:`PluginError` saying ``failed``
    and what it raised (named by its type: "hook exploded" said nothing). What it prints,
    the rule modules it imports included, goes to standard error, not into the report."""
    try:
        with printing_aside():
            return hook()
    except ENGINE_STOPS:
        raise
    except BaseException as error:
        raise PluginError(f"{failed}: {error_text(error)}") from error


def _formats_of(hook: Callable[[], object]) -> dict[str, Renderer]:
    """What a cliplint_formats hook returns, as a dict (which reads the plugin's mapping)."""
    return dict(cast("Mapping[str, Renderer]", hook()))


def _collect_rules(manager: pluggy.PluginManager, plugins: Mapping[str, str]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for implementation in manager.hook.cliplint_rules.get_hookimpls():
        name = implementation.plugin_name
        where = _where(name, plugins)
        returned = _hook_result(implementation.function, f"{where} failed to provide rules")
        try:
            modules = _rule_modules(returned)
            found = [Rule.from_module(module, plugin=name) for module in modules]
        except ENGINE_STOPS:
            raise
        except BaseException as error:  # (a ValueError: what is wrong with what it gave)
            said = str(error) if type(error) is ValueError else error_text(error)
            raise PluginError(f"{where} failed to provide rules: {said}") from error
        own = _own(name, plugins[name])
        for rule in found:
            if own and not kebab_case(rule.id):
                raise PluginError(f"{where}: rule id {rule.id!r} is not kebab-case")
            if not own and not rule.id.startswith(f"{name}/"):
                raise PluginError(f"{where}: rule id {rule.id!r} must start with {name + '/'!r}")
            if not own and not kebab_case(rule.id[len(name) + 1:]):
                raise PluginError(f"{where}: rule id {rule.id!r} must be {name + '/'!r} and a "
                                  "kebab-case name (lower-case words joined by '-')")
            if rule.id in rules or rule.id in ENGINE_PROBLEMS:
                other = rules[rule.id].plugin if rule.id in rules else "the engine"
                raise PluginError(f"{where}: duplicate rule id {rule.id!r} (also in {other})")
            rules[rule.id] = rule
    return dict(sorted(rules.items()))


def _rule_modules(provided: object) -> list[ModuleType]:
    """What a ``cliplint_rules()`` hook returned, checked: a list (or other iterable,
    never a string) of modules. ``ValueError`` saying what it was otherwise."""
    if isinstance(provided, (str, bytes, ModuleType)) or not isinstance(provided, Iterable):
        raise ValueError(f"cliplint_rules() must return a list of rule modules, got "
                         f"{type(provided).__name__} {provided!r:.60}")
    modules = list(provided)
    for item in modules:
        if not isinstance(item, ModuleType):
            raise ValueError(f"cliplint_rules() must return a list of rule modules (import "
                             f"them: importlib.import_module), got a {type(item).__name__} "
                             f"{item!r:.60} among them")
    return modules


def options_description(rules: Sequence[Rule]) -> bytes:
    """What the marker of rules' option schemas that passed describes: cliplint's version
    and :data:`cliplint.config.VALIDATION`, each rule's id and schema."""
    from cliplint.config import VALIDATION

    return json.dumps([__version__, VALIDATION, [[rule.id, rule.options_schema] for rule in rules]],
                      sort_keys=True, default=repr).encode()


def check_options_schemas(rules: Sequence[Rule], plugins: Mapping[str, str],
                          known_good: str | os.PathLike[str] | None = None) -> None:
    """Raise :class:`PluginError` naming the plugin when a rule's ``OPTIONS`` is not a
    valid JSON Schema (draft 2020-12) or an option's default does not match its own
    schema: the configuration is validated against these schemas, and a rule gets the
    defaults. ``known_good`` as in :func:`load_registry`."""
    if not rules:
        return
    from cliplint.config import format_checker, validator_class

    marker = None
    if known_good is not None:
        marker = check_marker(known_good, "plugin-options-valid", options_description(rules))
        if marker is not None and os.path.exists(marker):
            return
    import jsonschema  # only here: it takes a tenth of a second to import

    validator = validator_class()
    for rule in rules:
        where = f"{_where(rule.plugin, plugins)}: rule {rule.id}"
        try:
            validator.check_schema(rule.options_schema)
        except jsonschema.SchemaError as error:
            at = "/".join(map(str, error.absolute_path)) or "(top level)"
            raise PluginError(f"{where}: OPTIONS is not a valid JSON Schema: {error.message} "
                              f"(at {at})") from None
        for option, spec in rule.options_schema.get("properties", {}).items():
            # The formats the configuration is checked with ("code-point" too).
            checker = validator(spec, format_checker=format_checker())
            mismatch = next(iter(checker.iter_errors(spec["default"])), None)
            if mismatch is not None:
                raise PluginError(f"{where}: the default of option {option!r} does not match "
                                  f"its schema: {mismatch.message}")
    remember_checked(marker)


def _collect_formats(
    manager: pluggy.PluginManager, plugins: Mapping[str, str]
) -> tuple[dict[str, Renderer], dict[str, Callable[..., object]], dict[str, str]]:
    """The report formats by name, the hook function that provides each, and the plugin
    whose hook it is."""
    formats: dict[str, Renderer] = {}
    hooks: dict[str, Callable[..., object]] = {}
    providers: dict[str, str] = {}
    for implementation in manager.hook.cliplint_formats.get_hookimpls():
        name = implementation.plugin_name
        provided = cast("dict[str, Renderer]", _hook_result(
            partial(_formats_of, implementation.function),
            f"{_where(name, plugins)} failed to provide report formats"))
        for format_name, renderer in provided.items():
            if not isinstance(format_name, str) or not callable(renderer):
                raise PluginError(f"{_where(name, plugins)}: report format {format_name!r} "
                                  "must be a name and a function render(report, options)")
            if format_name in formats:
                raise PluginError(f"{_where(name, plugins)}: duplicate report format "
                                  f"{format_name!r}")
            formats[format_name] = renderer
            hooks[format_name] = implementation.function
            providers[format_name] = name
    return formats, hooks, providers


class FormatError(Exception):
    """A plugin's report format failed to render the report (it raised, or returned
    what is not text that UTF-8 can write)."""


def renderer_of(registry: Registry, name: str) -> Renderer:
    """The renderer of report format ``name``. A third party's is wrapped so that its
    failure is a :class:`FormatError` naming the plugin and its distribution, not an
    internal error of cliplint's (cliplint's own formats are cliplint's bugs)."""
    renderer = registry.formats[name]
    plugin = registry.format_plugins[name]
    if _own(plugin, registry.plugins[plugin]):
        return renderer
    where = f"{_where(plugin, registry.plugins)}: report format {name!r}"

    def render(report: Report, options: RenderOptions) -> str:
        from cliplint.streams import utf8_encodable

        try:
            text = renderer(report, options)
        except ENGINE_STOPS:
            raise
        except BaseException as error:  # a plugin may fail in any way, sys.exit() too
            raise FormatError(f"{where} failed: {error_text(error)} (a bug in "
                              "that plugin: please report it to its authors)") from error
        if not isinstance(text, str) or not utf8_encodable(text):
            what = "text UTF-8 cannot write" if isinstance(text, str) else type(text).__name__
            raise FormatError(f"{where} returned {what}, not the report's text (a bug in "
                              "that plugin: please report it to its authors)")
        return text

    return render
