"""Markers in the cache folder that remember a check passed (a configuration table or the
plugins' option schemas), so that a one-file run need not import jsonschema again."""

from __future__ import annotations

import os
from pathlib import Path


def remember_checked(marker: Path | None) -> None:
    """Leave ``marker`` behind (nothing when there is none, or it cannot be written: it is
    only a shortcut for next time). Never through a symbolic link, at the cache folder
    or at the marker's name (the tree's, which a repository could commit): a link is
    left alone, and no marker written (see cliplint/cache.py)."""
    if marker is None:
        return
    try:
        if os.path.islink(marker.parent):
            return
        marker.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK
                         | getattr(os, "O_NOFOLLOW", 0), 0o644))
    except OSError:
        pass
