"""Loading plugins from entry points and collecting their rules and report formats."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from importlib import metadata
from typing import TYPE_CHECKING, NamedTuple

import pluggy

from cliplint import hookspecs
from cliplint.model import ENGINE_PROBLEMS, Rule

if TYPE_CHECKING:
    from cliplint.formats import Renderer

ENTRY_POINT_GROUP = "cliplint"
OWN_DISTRIBUTION = "cliplint"
#: Set to 1 to load only cliplint's own rules and formats.
NO_PLUGINS_VARIABLE = "CLIPLINT_NO_PLUGINS"
_BUILTIN_ID = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


class PluginError(Exception):
    """A plugin failed to load or broke a rule of the plugin contract."""


class Registry(NamedTuple):
    """Every rule and report format the installed plugins provide. (A named tuple: it is
    defined on every start, and a frozen dataclass costs several times more to define.)"""

    rules: Mapping[str, Rule]
    formats: Mapping[str, Renderer]
    plugins: Mapping[str, str]  # entry-point name -> "distribution version"


def plugins_disabled() -> bool:
    return os.environ.get(NO_PLUGINS_VARIABLE, "").strip() not in ("", "0")


@cache
def load_registry(builtins_only: bool | None = None) -> Registry:
    """Load every plugin registered under the ``cliplint`` entry-point group.

    With ``builtins_only`` (default: the ``CLIPLINT_NO_PLUGINS`` variable) only
    cliplint's own entry points are loaded. Raises :class:`PluginError`.
    """
    if builtins_only is None:
        builtins_only = plugins_disabled()
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    plugins: dict[str, str] = {}
    for entry_point in sorted(
        metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name
    ):
        # Distribution.name and .version each parse the METADATA file again: parse it once.
        about = entry_point.dist.metadata if entry_point.dist else None
        distribution = about["Name"] if about else "unknown distribution"
        own = (distribution or "").lower() == OWN_DISTRIBUTION
        if builtins_only and not own:
            continue
        if entry_point.name in plugins:
            raise PluginError(
                f"two plugins are named {entry_point.name!r} ({plugins[entry_point.name]} "
                f"and {distribution})"
            )
        try:
            plugin = entry_point.load()
            manager.register(plugin, name=entry_point.name)
            manager.check_pending()
        except Exception as error:  # a plugin may fail in any way while importing
            raise PluginError(
                f"plugin {entry_point.name!r} from distribution {distribution!r} failed "
                f"to load: {type(error).__name__}: {error}"
            ) from error
        version = about["Version"] if about else "?"
        plugins[entry_point.name] = f"{distribution} {version}"
    if "builtin" not in plugins:
        raise PluginError(
            "cliplint's built-in rules are not registered: reinstall cliplint "
            "(pip install cliplint) so that its entry points exist"
        )
    return Registry(
        rules=_collect_rules(manager, plugins),
        formats=_collect_formats(manager, plugins),
        plugins=plugins,
    )


def _collect_rules(manager: pluggy.PluginManager, plugins: Mapping[str, str]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for implementation in manager.hook.cliplint_rules.get_hookimpls():
        name = implementation.plugin_name
        where = f"plugin {name!r} from distribution {plugins[name].split()[0]!r}"
        try:
            modules = list(implementation.function())
            found = [Rule.from_module(module, plugin=name) for module in modules]
        except Exception as error:
            raise PluginError(f"{where} failed to provide rules: {error}") from error
        own = plugins[name].split()[0].lower() == OWN_DISTRIBUTION
        for rule in found:
            if own and not _BUILTIN_ID.fullmatch(rule.id):
                raise PluginError(f"{where}: rule id {rule.id!r} is not kebab-case")
            if not own and not rule.id.startswith(f"{name}/"):
                raise PluginError(f"{where}: rule id {rule.id!r} must start with {name + '/'!r}")
            if rule.id in rules or rule.id in ENGINE_PROBLEMS:
                other = rules[rule.id].plugin if rule.id in rules else "the engine"
                raise PluginError(f"{where}: duplicate rule id {rule.id!r} (also in {other})")
            rules[rule.id] = rule
    return dict(sorted(rules.items()))


def _collect_formats(
    manager: pluggy.PluginManager, plugins: Mapping[str, str]
) -> dict[str, Renderer]:
    formats: dict[str, Renderer] = {}
    for implementation in manager.hook.cliplint_formats.get_hookimpls():
        name = implementation.plugin_name
        for format_name, renderer in dict(implementation.function()).items():
            if format_name in formats:
                raise PluginError(
                    f"plugin {name!r} from distribution {plugins[name].split()[0]!r}: "
                    f"duplicate report format {format_name!r}"
                )
            formats[format_name] = renderer
    return formats
