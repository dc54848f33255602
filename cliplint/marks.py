"""Markers in the cache folder that remember a check passed (a configuration table or the
plugins' option schemas), so that a one-file run need not import jsonschema again."""

from __future__ import annotations

from pathlib import Path


def remember_checked(marker: Path | None) -> None:
    """Leave ``marker`` behind (nothing when there is none, or it cannot be written: it is
    only a shortcut for next time)."""
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass
