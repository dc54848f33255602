"""Report items written to a temporary file as they come, then put into their document.

For reports that stream: what comes before the list in the document (a count of files,
the rules that occurred) is known only when the run ends, and holding the items in
memory until then would make memory grow with the number of problems.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from types import TracebackType
from typing import Any

from cliplint.formats import SpoolError, escape_surrogates

#: Characters copied out of the spool at a time.
_CHUNK = 1 << 16


def _spool_error(error: OSError) -> SpoolError:
    return SpoolError(f"cannot spool the report in {tempfile.gettempdir()}: "
                      f"{error.strerror or error} (TMPDIR names the folder to use)")


class Spool:
    """A temporary file of report text: written as it comes, copied out at the end. Its
    own file's errors are :class:`~cliplint.formats.SpoolError`; the errors of ``write`` in
    :meth:`copy_out` (standard output's, the report file's) are left as they are."""

    def __init__(self) -> None:
        try:
            # newline="": read back as written (a CR in a path stays a CR).
            self._file = tempfile.TemporaryFile(  # noqa: SIM115  (closed by __exit__)
                "w+", encoding="utf-8", newline="")
        except OSError as error:
            raise _spool_error(error) from None

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            self._file.close()
        except OSError:
            # A write that failed left its text in the buffer, and closing tries it again
            # (that failure is the one raised); the descriptor is closed all the same,
            # and nothing written is wanted once it is copied out.
            pass

    def write(self, text: str) -> None:
        try:
            self._file.write(text)
        except OSError as error:
            raise _spool_error(error) from None

    def copy_out(self, write: Callable[[str], object]) -> None:
        """Everything written so far, passed on to ``write``."""
        try:
            self._file.seek(0)  # (writes what is buffered first)
        except OSError as error:
            raise _spool_error(error) from None
        while True:
            try:
                chunk = self._file.read(_CHUNK)
            except OSError as error:
                raise _spool_error(error) from None
            if not chunk:
                return
            write(chunk)


class JsonListSpool:
    """The items of one list of a document that ``json.dumps(indent=2)`` writes, at
    ``depth`` (how many containers enclose the list's items)."""

    def __init__(self, depth: int) -> None:
        self._spool = Spool()
        self._newline = "\n" + "  " * depth
        self.count = 0

    def __enter__(self) -> JsonListSpool:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._spool.__exit__(kind, error, traceback)

    def add(self, item: Any) -> None:
        text = escape_surrogates(json.dumps(item, ensure_ascii=False, indent=2))
        self._spool.write(("," if self.count else "") + self._newline
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
        self._spool.copy_out(write)
        write(self._newline[:-2] + "]" + tail + "\n")
