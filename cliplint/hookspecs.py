"""The hooks a cliplint plugin may implement.

A plugin is a module or object registered under the entry-point group ``cliplint``::

    [project.entry-points.cliplint]
    mypack = "mypack.plugin"

whose functions are marked with :data:`cliplint.hookimpl`. cliplint's own rules and
report formats are registered the same way (``builtin`` and ``formats``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from cliplint.formats import Renderer

PROJECT = "cliplint"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

@hookspec
def cliplint_rules() -> Sequence[ModuleType]:
    """Return the rule modules this plugin provides.

    Each module starts with a docstring documenting the rule and defines ``ID``
    (``"<plugin>/<name>"`` for a third-party plugin, where ``<plugin>`` is the
    entry-point name), ``SEVERITY``, ``FIX``, ``OPTIONS`` (a JSON Schema with defaults)
    and ``check(document, options)`` (or an archive rule's ``reduce``). See
    ``docs/plugins.md`` and :class:`cliplint.model.Rule`; the modules are checked when
    the plugin loads.
    """

@hookspec
def cliplint_formats() -> Mapping[str, Renderer]:
    """Return the report formats this plugin provides, by name (``--format NAME``).

    A renderer is a callable ``render(report, options) -> str`` taking a
    :class:`cliplint.model.Report` (the whole run's, once it is over) and
    :class:`cliplint.formats.RenderOptions`. See ``docs/plugins.md``.

    A format may be written as the built-in ones are, as a
    :class:`cliplint.formats.StreamWriter` that writes each file's problems as they
    come: ``cliplint.formats.whole_report(write_stream)`` is its renderer. (The command
    line still hands a plugin's format the whole report at the end.)
    """
