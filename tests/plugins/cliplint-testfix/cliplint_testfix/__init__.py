"""cliplint-testfix: rules whose fixes exercise cliplint's fixer.

Every rule here stays silent unless the clipping holds its trigger (an element or a
comment nobody writes by accident), so installing the plugin changes nothing else.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from cliplint import hookimpl

RULES = (
    "promo", "lossy", "chop", "unhide", "unclose", "ping", "grow", "noop",
    "upper_i", "mark_i", "bare_lf", "add_line", "drop_onclick", "bad_offsets", "explode",
    "retitle", "title_reach", "title_break", "drop_stamp",
)


@hookimpl
def cliplint_rules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{name}") for name in RULES]
