"""Reading and writing what is not a clipping (reports, baselines, stats files,
configuration files, standard input) so that nothing waits forever and nothing is read
without bound.

A FIFO named as a report or a baseline would block ``open`` until a process opens its
other end; these helpers open it without waiting and turn "nobody there" into an error,
so that ``--output-file >(jq .)`` works and a forgotten FIFO does not hang CI. Standard
input may never end (``cliplint - < /dev/zero``): it is read only up to a limit.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from functools import cache
from typing import BinaryIO, TextIO

#: What breaks a line of a report, as the inside of a regular expression's character
#: class: the control characters (C0, DEL, C1) but the tab, and the line and paragraph
#: separators. Each can pass for a report line of its own (a line break to a reader, to
#: ``str.splitlines`` or to JavaScript) or repaint a terminal (ESC, or U+009B that some
#: terminals read as ESC [). A violation's message must hold none (cliplint/linter.py);
#: the built-in rules quote scraped text with them escaped (rules/_quoting.py).
LINE_BREAKING = "\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029"
#: The control characters of :data:`LINE_BREAKING` alone (Unicode's category Cc but the
#: tab), as a regex character class.
CONTROLS = LINE_BREAKING.removesuffix("\u2028\u2029")
#: The Unicode categories a path is not printed with: control characters, lone
#: surrogates (bytes of a name that is not UTF-8), line and paragraph separators.
UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


#: One of :data:`LINE_BREAKING`.
BREAKING = re.compile(f"[{LINE_BREAKING}]")


@cache  # (compiled when documentation is first checked: a lint run checks none)
def _breaking_but_newline() -> re.Pattern[str]:
    return re.compile(f"(?!\n)[{LINE_BREAKING}]")


def line_breaker(text: str, *, lines: bool = False) -> str | None:
    """The first character of ``text`` that would break a report line, described ("a
    control character (U+001B)", "a line or paragraph separator (U+2028)"); None when
    there is none. ``lines``: the text is lines (documentation), and may hold line
    ends. (The bidi controls are left alone: they reorder a line but cannot make one,
    and text quoting right-to-left words may hold a mark legitimately.)"""
    found = (_breaking_but_newline() if lines else BREAKING).search(text)
    if found is None:
        return None
    char = found.group()
    kind = "a line or paragraph separator" if char in "\u2028\u2029" else "a control character"
    return f"{kind} (U+{ord(char):04X})"


def python_escape(char: str) -> str:
    """A character as ``repr()`` writes it inside quotes (``\\x1b``, ``\\u202e``,
    ``\\n``): how cliplint shows what it will not print as it is."""
    return repr(char)[1:-1]


def utf8_encodable(text: str) -> bool:
    """Whether UTF-8 can write ``text``: it holds no lone surrogate (a file name that is
    not UTF-8, decoded with ``surrogateescape``; a plugin's string)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def say(message: str) -> None:
    """A message to the user on standard error, after the program's name. What a message
    quotes (a path or a value from a configuration file, which a pull request may
    write) is shown as the text report shows it: a terminal's escape sequences and the
    bidi controls as escapes; its lines stay lines."""
    if not message.isprintable():
        from cliplint.formats.text import printable

        message = "\n".join(map(printable, message.split("\n")))
    print(f"cliplint: {message}", file=sys.stderr)


@contextmanager
def printing_aside() -> Iterator[None]:
    """Standard output is the report's (JSON, SARIF): while a plugin's code runs (its
    import, its hooks, its rules, its fixes), what it prints goes to standard error
    instead of into the report. The swap is the process's, made from the main thread
    only (two threads swapping the stream at once could leave it swapped); worker
    processes, which write no report, set it aside for good (cliplint.runner's, and
    cliplint.dask's LocalCluster on standard error's descriptor). (Output written to the
    descriptor itself, from C, is not caught here.)"""
    import threading  # (only once files are linted: a cache hit never needs it)

    if sys.stdout is sys.stderr or threading.current_thread() is not threading.main_thread():
        yield
        return
    with redirect_stdout(sys.stderr):
        yield


def open_for_writing(path: str, newline: str | None = None) -> TextIO:
    """Open (create, truncate) a text file for writing. A FIFO nobody reads raises
    ``OSError`` (ENXIO) saying so instead of waiting for a reader."""
    return open(writing_descriptor(path), "w", encoding="utf-8", newline=newline)


def writing_descriptor(path: str, truncate: bool = True) -> int:
    """:func:`open_for_writing`'s descriptor (emptied only when ``truncate``)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK | (os.O_TRUNC if truncate else 0)
    try:
        descriptor = os.open(path, flags, 0o666)
    except OSError as error:
        if error.errno == errno.ENXIO:  # a FIFO (or socket) nobody reads
            raise OSError(errno.ENXIO, "no process is reading this FIFO") from None
        raise
    os.set_blocking(descriptor, True)
    return descriptor


def read_bounded(path: str, limit: int) -> bytes:
    """A file's bytes, at most ``limit`` of them. A FIFO is opened without waiting for a
    writer; when nobody writes to it there is nothing to read, which raises ``OSError``
    (ENODATA). A device is refused (``OSError``, ENODEV): ``/dev/zero`` would never end.
    A file larger than ``limit`` is refused before it is read, a FIFO once it has given
    more (``OSError``, EFBIG): read whole, a stray file of gigabytes filled the memory."""
    too_large = OSError(errno.EFBIG, f"larger than {limit:,} bytes")
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(descriptor)
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
            raise OSError(errno.ENODEV, "a device, not a file")
        if stat.S_ISDIR(info.st_mode):  # (which open() refuses, keeping the descriptor)
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise too_large
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    with open(descriptor, "rb") as stream:
        data, whole = read_at_most(stream, limit)
    if not whole:
        raise too_large
    if not data and not stat.S_ISREG(info.st_mode):
        raise OSError(errno.ENODATA, "nothing to read (a FIFO or device no process writes to)")
    return data


def read_at_most(stream: BinaryIO, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit`` + 1 bytes of ``stream``, and whether that is all of it."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def pass_through(head: bytes, source: BinaryIO, target: BinaryIO) -> None:
    """Copy ``head`` (already read from ``source``), then the rest of ``source`` as it
    comes, a chunk at a time: memory stays flat however long it is."""
    import shutil  # (it imports the compression modules: only when needed)

    target.write(head)
    shutil.copyfileobj(source, target, 1 << 20)
    target.flush()


def flush_standard_streams(ignoring: tuple[type[BaseException], ...]) -> None:
    """Flush standard output and error (either may be None: closed when Python
    started), each whatever the other did; the errors ``ignoring`` names are ignored
    (a reader gone, a stream closed)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except ignoring:
            pass
