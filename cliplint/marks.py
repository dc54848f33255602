"""Markers in the cache folder that remember a check passed (a configuration table or the
plugins' option schemas), so that a one-file run need not import jsonschema again.

The cache folder lies in the linted tree, where a repository can commit files: a marker
named after a digest anyone can compute would let a repository skip the check of its own
invalid configuration (the rules would then get options their schemas refuse: a pattern
that does not compile, a value of another type). So a marker's name is a keyed hash
(BLAKE2b) of what was checked, keyed with the user's secret that signs the cache's rows
(:func:`cliplint.cache.cache_secret`, outside any tree): only a run of this user can
name one. Without that secret (unreadable, not a plain file) there is no marker: the
check runs, and nothing is written.
"""

from __future__ import annotations

import os


def check_marker(folder: str | os.PathLike[str], kind: str, described: bytes) -> str | None:
    """The marker in ``folder`` that says the check ``kind`` (the name's prefix, such as
    ``config-valid``) passed for ``described`` (the checked value and what it was checked
    against, encoded): named ``<kind>-<keyed hash>``, see the module's docstring. None
    when there is no secret to name it with: nothing is trusted, nothing written."""
    # Only with a cache folder: cliplint.cache imports sqlite3, which --no-cache avoids.
    from cliplint.cache import cache_secret, signature

    try:
        secret = cache_secret()
    except OSError:  # the cache says so, when it is opened
        return None
    return os.path.join(folder, f"{kind}-{signature(secret, 'check-marker', kind, blob=described)}")


def remember_checked(marker: str | None) -> None:
    """Leave ``marker`` behind (nothing when there is none, or it cannot be written: it is
    only a shortcut for next time). Never through a symbolic link, at the cache folder
    or at the marker's name (the tree's, which a repository could commit): a link is
    left alone, and no marker written (see cliplint/cache.py)."""
    if marker is None:
        return
    try:
        folder = os.path.dirname(marker)
        if os.path.islink(folder):
            return
        os.makedirs(folder, exist_ok=True)
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK
                         | getattr(os, "O_NOFOLLOW", 0), 0o644))
    except OSError:
        pass
