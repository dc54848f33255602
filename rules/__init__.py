"""cliplint's built-in rules: one module per rule, registered like any plugin.

Every public module in this package is a rule (see :class:`cliplint.model.Rule`);
adding a module is all it takes to add a rule.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from cliplint.hookspecs import hookimpl


@hookimpl
def cliplint_rules() -> list[ModuleType]:
    # pkgutil only here: a run with the registry's snapshot imports this package (to find
    # its rule modules' files) without loading its rules.
    import pkgutil

    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_") and not info.ispkg
    ]
