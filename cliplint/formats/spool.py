"""Report items written to a temporary file as they come, then put into their document.

For reports that stream: what comes before the list in the document (a count of files,
the rules that occurred) is known only when the run ends, and holding the items in
memory until then would make memory grow with the number of problems.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

from cliplint.formats import escape_surrogates


class JsonListSpool:
    """The items of one list of a document that ``json.dumps(indent=2)`` writes, at
    ``depth`` (how many containers enclose the list's items)."""

    def __init__(self, depth: int) -> None:
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115  (kept open; closed by close())
        self._newline = "\n" + "  " * depth
        self.count = 0

    def __enter__(self) -> JsonListSpool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._file.close()

    def add(self, item: Any) -> None:
        text = escape_surrogates(json.dumps(item, ensure_ascii=False, indent=2))
        self._file.write(("," if self.count else "") + self._newline
                         + text.replace("\n", self._newline))
        self.count += 1

    def write_document(self, document: Any, key: str, write: Callable[[str], object]) -> None:
        """Write ``document`` as ``json.dumps(indent=2)`` does, with the items as the list
        under ``key`` (which must be empty in ``document``, and the only such key)."""
        text = escape_surrogates(json.dumps(document, ensure_ascii=False, indent=2))
        if not self.count:
            write(text + "\n")
            return
        # A key is the only place the marker can be: a string value escapes its quotes.
        head, tail = text.split(f'"{key}": []')
        write(f'{head}"{key}": [')
        copy_out(self._file, write)
        write(self._newline[:-2] + "]" + tail + "\n")


def copy_out(spool: IO[str], write: Callable[[str], object]) -> None:
    """Everything written to the temporary file ``spool``, passed on to ``write``."""
    spool.seek(0)
    shutil.copyfileobj(spool, _Writer(write))


class _Writer:
    """A file-like front for a ``write`` function (for ``shutil.copyfileobj``)."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write
