"""Writing a file of cliplint's own (the registry's snapshot, the online answers) whole
or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def replace_whole(path: Path, text: str, prefix: str) -> None:
    """Write ``text`` (UTF-8) to ``path``: into a temporary file beside it (named
    ``prefix`` and random letters), flushed to disk, then renamed over it. A reader sees
    the old file or the new one, never part of one, also after a crash; the temporary
    file is removed when anything fails, and the error raised."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
