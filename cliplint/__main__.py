"""``python -m cliplint``: the ``cliplint`` command.

Python puts the working folder first on ``sys.path`` for ``-m``; the command takes it
off, as ``-P`` would (the ``cliplint`` script has its own folder there instead, never
the working folder): the folder being linted is nobody's code, and importlib.metadata
found a ``*.dist-info`` folder in it, whose entry point then loaded a plugin from it
("plugins come only from installed distributions, never from the working folder").
``python -P -m cliplint`` leaves it out from the start: then not even cliplint itself
is looked for there. (:func:`cliplint.served.identity` knows the entry is gone.)
"""

from __future__ import annotations

import sys

if not sys.flags.safe_path and sys.path:
    del sys.path[0]

from cliplint.cli import entry  # noqa: E402  (once the working folder is off the path)

entry()
