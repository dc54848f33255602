"""An example rule pack for cliplint: every public module of this package is a rule."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from cliplint.api import hookimpl


@hookimpl
def cliplint_rules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{info.name}")
            for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
