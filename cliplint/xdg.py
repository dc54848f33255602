"""The XDG base directory variables, read as their specification says."""

from __future__ import annotations

import os


def xdg_folder(variable: str) -> str | None:
    """An XDG base directory variable's folder (``XDG_CONFIG_HOME``, ``XDG_CACHE_HOME``,
    ``XDG_RUNTIME_DIR``), None when it is unset or relative: the XDG Base Directory
    Specification has a relative one ignored. (Taken as it is, it would read the user's
    trusted configuration, and put their cache key or server sockets, in whatever folder
    a run starts in: the archive's own.)"""
    value = os.environ.get(variable, "")
    return value if os.path.isabs(value) else None
