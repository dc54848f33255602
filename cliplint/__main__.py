from __future__ import annotations

from cliplint.cli import entry

entry()
