"""The hooks a cliplint plugin may implement.

A plugin is a module or object registered under the entry-point group ``cliplint``::

    [project.entry-points.cliplint]
    mypack = "mypack.plugin"

whose functions are marked with :data:`cliplint.hookimpl`. cliplint's own rules and
report formats are registered the same way (``builtin`` and ``formats``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar, overload

if TYPE_CHECKING:
    from cliplint.formats import Renderer

PROJECT = "cliplint"
_F = TypeVar("_F", bound=Callable[..., object])

# The markers are pluggy's HookspecMarker and HookimplMarker for PROJECT, written out:
# a marked function carries its options where pluggy's PluginManager looks for them
# (attributes cliplint_spec and cliplint_impl). pluggy (and what it imports) then loads
# only with the plugins, not on every start: a run with the registry's snapshot
# (cliplint/registry_snapshot.py) loads none. tests/test_registry_snapshot.py checks
# that they mark a function exactly as pluggy's own markers do (as pluggy 1.5 and later
# do: pyproject.toml asks for no older one).


def hookspec(function: _F) -> _F:
    """Mark a hook specification (none of pluggy's options: cliplint's hooks need none)."""
    setattr(function, f"{PROJECT}_spec", {"firstresult": False, "historic": False,
                                           "warn_on_impl": None, "warn_on_impl_args": None})
    return function


class HookimplMarker:
    """The decorator of a plugin's hook functions, with pluggy's options."""

    __slots__ = ()

    @overload
    def __call__(self, function: _F, hookwrapper: bool = ..., optionalhook: bool = ...,
                 tryfirst: bool = ..., trylast: bool = ..., specname: str | None = ...,
                 wrapper: bool = ...) -> _F: ...

    @overload
    def __call__(self, function: None = ..., hookwrapper: bool = ...,
                 optionalhook: bool = ..., tryfirst: bool = ..., trylast: bool = ...,
                 specname: str | None = ..., wrapper: bool = ...) -> Callable[[_F], _F]: ...

    def __call__(self, function: _F | None = None, hookwrapper: bool = False,
                 optionalhook: bool = False, tryfirst: bool = False, trylast: bool = False,
                 specname: str | None = None, wrapper: bool = False
                 ) -> _F | Callable[[_F], _F]:
        def mark(marked: _F) -> _F:
            setattr(marked, f"{PROJECT}_impl", {
                "wrapper": wrapper, "hookwrapper": hookwrapper, "optionalhook": optionalhook,
                "tryfirst": tryfirst, "trylast": trylast, "specname": specname,
            })
            return marked

        return mark if function is None else mark(function)


hookimpl = HookimplMarker()

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
