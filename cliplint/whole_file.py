"""Writing a file of cliplint's own (the registry's snapshot, the online answers) whole
or not at all."""

from __future__ import annotations

import os
import tempfile


def replace_whole(path: str | os.PathLike[str], text: str, prefix: str) -> None:
    """Write ``text`` (UTF-8) to ``path``: into a temporary file beside it (named
    ``prefix`` and random letters), flushed to disk, then renamed over it. A reader sees
    the old file or the new one, never part of one, also after a crash; the temporary
    file is removed when anything fails, and the error raised."""
    folder = os.path.dirname(os.fspath(path)) or os.curdir
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=prefix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
