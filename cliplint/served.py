"""A run handed to the resident server (``cliplint server start``), when one is up.

The server (:mod:`cliplint.server`) has imported cliplint, its rules and html5lib once;
for each run it forks a copy of itself that takes this process's working folder,
environment, umask, arguments and standard streams (the descriptors themselves, passed
over the socket), runs the command as this process would, and exits with its status.
This process then exits with that status: same output, same files written, same exit
status, without paying for the imports.

Only a server of this very install, Python and search path serves (:func:`identity`);
anything else, or no server at all, and the caller runs the command itself. This module
imports nothing beyond what Python has loaded at start-up until a server's socket
exists: without a server, a run pays one ``stat``.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket

#: Set (to anything but "" or "0") to run in this process even when a server is up.
NO_SERVER_VARIABLE = "CLIPLINT_NO_SERVER"
#: Where the servers' sockets are (default: $XDG_RUNTIME_DIR/cliplint, else
#: /tmp/cliplint-UID); the folder must be the user's own and closed to others.
SERVER_DIR_VARIABLE = "CLIPLINT_SERVER_DIR"
#: The byte a client sends when it is interrupted (Ctrl-C): the run is interrupted too.
INTERRUPT = b"i"


def server_dir() -> str:
    override = os.environ.get(SERVER_DIR_VARIABLE)
    if override:
        return override
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "cliplint")
    return os.path.join("/tmp", f"cliplint-{os.getuid()}")


def identity() -> list[object]:
    """What a server must share with a client to run its commands as the client itself
    would: the environment's prefix (a virtualenv, whichever of its ``python``,
    ``python3``... runs) and Python's version, the flags that change how code runs, the
    warning options, the module search path (which finds the plugins) and cliplint's own
    folder. (The path's first entry is the script's folder or the working folder, which
    Python puts there for the script, not for cliplint.) Compared by the server
    (:mod:`cliplint.server`), so that it never answers another install."""
    flags = sys.flags
    return [sys.prefix, sys.version, sys.warnoptions,
            [flags.optimize, flags.dev_mode, flags.utf8_mode, flags.bytes_warning,
             flags.warn_default_encoding, flags.int_max_str_digits],
            sys.path if flags.safe_path else sys.path[1:],
            os.path.dirname(os.path.abspath(__file__)), sys.getfilesystemencoding()]


def socket_path() -> str:
    """The socket of this install's server: a name per Python environment (its prefix)
    and cliplint folder (another install's server is another socket), short enough for
    AF_UNIX."""
    from zlib import crc32

    install = f"{sys.prefix}\0{os.path.dirname(os.path.abspath(__file__))}"
    return os.path.join(server_dir(), f"{crc32(install.encode(errors='surrogatepass')):08x}.sock")


def run_served(arguments: list[str]) -> int | None:
    """Run the command through this install's server and return its exit status; None
    when no server can run it (none up, another install's, this platform, or
    ``CLIPLINT_NO_SERVER``), and the caller runs it."""
    if (os.environ.get(NO_SERVER_VARIABLE, "") not in ("", "0")
            or (arguments and arguments[0] == "server") or not hasattr(os, "fork")):
        return None
    path = socket_path()
    if not os.path.exists(path):
        return None
    import json
    import socket

    try:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(path)
    except OSError:
        return None  # a socket left by a server that is gone
    with connection:
        umask = os.umask(0o22)
        os.umask(umask)
        descriptors = [fd for fd in (0, 1, 2) if _is_open(fd)]
        request = json.dumps({
            "identity": identity(), "argv": [sys.argv[0], *arguments], "cwd": os.getcwd(),
            "env": dict(os.environ), "umask": umask, "descriptors": descriptors,
            "streams": [[stream.encoding, stream.errors] if stream is not None else None
                        for stream in (sys.stdin, sys.stdout, sys.stderr)],
        }, ensure_ascii=False).encode("utf-8", "surrogateescape")
        try:
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:
                    stream.flush()
            socket.send_fds(connection, [len(request).to_bytes(8, "big")], descriptors)
            connection.sendall(request)
        except OSError:
            pass  # refused before the request was read, or gone: the answer says which
        return _status(connection)


def _status(connection: socket.socket) -> int | None:
    """The run's exit status as the server answers it: None when it refused the run
    (it did not start: the caller runs it), 3 when the server went away during it.
    Ctrl-C here interrupts the run there, which says so on the shared standard error."""
    answer = b""
    while True:
        try:
            chunk = connection.recv(256)
        except KeyboardInterrupt:
            connection.sendall(INTERRUPT)
            continue
        except OSError:
            chunk = b""
        if not chunk:
            break
        answer += chunk
    lines = answer.decode("utf-8", "replace").splitlines()
    if not lines or lines[0] != "started":
        return None  # "refused: ...", or nothing: the run did not start
    if len(lines) == 2 and lines[1].startswith("exit ") and lines[1][5:].lstrip("-").isdigit():
        return int(lines[1][5:])
    print("cliplint: internal error: the server went away during the run "
          f"(run with {NO_SERVER_VARIABLE}=1 to run without it)", file=sys.stderr)
    return 3


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True
