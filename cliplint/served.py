"""A run handed to the resident server (``cliplint server start``), when one is up.

The server (:mod:`cliplint.server`) has imported cliplint, its rules and html5lib once;
for each run it forks a copy of itself that takes this process's working folder,
environment, process attributes (:func:`process_attributes`), arguments and standard
streams (the descriptors themselves, passed over the socket), runs the command as this
process would, and exits with its status. This process then exits with that status:
same output, same files written, same exit status, without paying for the imports.

Only a server of this user's, in a folder nobody else can enter, of this very install,
Python and search path serves (:func:`identity`); anything else, or no server at all,
and the caller runs the command itself. So it does, saying why on standard error, when
the server does not start the run within :data:`START_TIMEOUT` seconds (stopped with
``kill -STOP``, or wedged); once started, the run has no deadline. This module
imports nothing beyond what Python has loaded at start-up until a server's socket
exists: without a server, a run pays one ``stat``.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from cliplint.xdg import xdg_folder

if TYPE_CHECKING:
    import socket

#: Set (to anything but "" or "0") to run in this process even when a server is up.
NO_SERVER_VARIABLE = "CLIPLINT_NO_SERVER"
#: Where the servers' sockets are (default: $XDG_RUNTIME_DIR/cliplint, else
#: /tmp/cliplint-UID); the folder must be the user's own and closed to others.
SERVER_DIR_VARIABLE = "CLIPLINT_SERVER_DIR"
#: Seconds the server has to take a command's request and start its run (it answers
#: "started" at once when it does); a server stopped (``kill -STOP``) or wedged does not,
#: and the command runs itself. Once the run has started, it takes as long as it takes.
START_TIMEOUT = 5.0
#: The server's line that asks for the standard streams, once it has checked the request.
STREAMS = "streams"
#: What a client sends during its run: interrupted (Ctrl-C), the run is interrupted too;
#: terminated (SIGTERM), the run is terminated, as SIGTERM ends a run; stopped (Ctrl-Z),
#: the run is stopped; continued, the run goes on.
INTERRUPT, TERMINATE, SUSPEND, RESUME = b"i", b"t", b"z", b"c"


def server_dir() -> str:
    """The sockets' folder, absolute: the server runs in ``/``, so a relative
    ``CLIPLINT_SERVER_DIR`` is taken from the working folder here."""
    override = os.environ.get(SERVER_DIR_VARIABLE)
    if override:
        return os.path.abspath(override)
    runtime = xdg_folder("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "cliplint")
    return os.path.join("/tmp", f"cliplint-{os.getuid()}")


def identity() -> list[object]:
    """What a server must share with a client to run its commands as the client itself
    would: the environment's prefix (a virtualenv, whichever of its ``python``,
    ``python3``... runs) and Python's version, the flags and ``-X`` options that change
    how code runs (the hash seed among them), the warning options, the module search path (which finds the plugins) and cliplint's own
    folder. (The path's first entry is the script's folder, which Python puts there for
    the ``cliplint`` script, not for cliplint; ``python -m cliplint`` has taken its own,
    the working folder, off: cliplint/__main__.py; ``-P`` puts none.) Compared by the
    server (:mod:`cliplint.server`), so that it never answers another install."""
    flags = sys.flags
    # (__main__'s spec: set for ``-m``, None for a script)
    script_folder_first = (not flags.safe_path
                           and getattr(sys.modules.get("__main__"), "__spec__", None) is None)
    return [sys.prefix, sys.version, sys.warnoptions, sys._xoptions,
            [flags.optimize, flags.dev_mode, flags.utf8_mode, flags.bytes_warning,
             flags.warn_default_encoding, flags.int_max_str_digits,
             flags.hash_randomization, os.environ.get("PYTHONHASHSEED")],
            sys.path[1:] if script_folder_first else sys.path,
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
    when no server can run it (none up, another install's, this platform, a folder or
    server not the user's own, or ``CLIPLINT_NO_SERVER``), and the caller runs it. A run
    the server's copy ended by a signal ends this process by the same signal."""
    if (os.environ.get(NO_SERVER_VARIABLE, "") not in ("", "0")
            or (arguments and arguments[0] == "server") or not hasattr(os, "fork")):
        return None
    path = socket_path()
    if not (os.path.exists(path) and private(os.path.dirname(path))):
        return None
    try:
        folder = os.getcwd()
    except OSError:
        return None  # a working folder deleted: the copy could not take it
    # Before the socket exists: with a standard stream closed, the socket would take its
    # number and be passed as that stream.
    descriptors = [fd for fd in (0, 1, 2) if _is_open(fd)]
    import socket

    # Made before connecting: the server waits for it only a moment once connected.
    request = encoded({
        "identity": identity(), "argv": [sys.argv[0], *arguments], "cwd": folder,
        "env": dict(os.environ), "descriptors": descriptors, "process": process_attributes(),
        "streams": [_described(stream) for stream in (sys.stdin, sys.stdout, sys.stderr)],
    })
    import time

    deadline = time.monotonic() + START_TIMEOUT
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with connection:
        try:
            connection.settimeout(START_TIMEOUT)  # a full backlog makes connect wait
            connection.connect(path)
            if peer_uid(connection) != os.getuid():
                return None  # another user's process on this user's socket
        except TimeoutError:
            _not_taken(path)
            return None
        except OSError:
            return None  # a socket left by a server that is gone
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        # The request, then, when the server has checked it and asks for them, the
        # standard streams (never left in the socket of a server that is stopped).
        connection.settimeout(max(0.001, deadline - time.monotonic()))
        send(connection, request, [])
        said = _started(connection, deadline)
        if said == STREAMS:
            connection.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                socket.send_fds(connection, [b"s"], descriptors)
            except OSError:
                pass  # it went away: what it said instead (or nothing) is read next
            said = _started(connection, deadline)
        if said == "late":
            _not_taken(path)
            return None
        if said == "interrupted":
            return 130
        if said != "started":
            return None  # "refused: ...", or nothing: the run did not start
        connection.settimeout(None)
        return _status(connection)


def encoded(request: dict[str, object]) -> bytes:
    """A request as it goes over the socket: JSON, undecodable bytes of paths and
    variables kept (surrogate escapes)."""
    import json

    return json.dumps(request, ensure_ascii=False).encode("utf-8", "surrogateescape")


def send(connection: socket.socket, request: bytes, descriptors: list[int]) -> None:
    """Send a request: its length (with the descriptors), then its bytes. A server that
    refused it before reading it has closed the connection: its refusal is there to
    read, so a failed send is not an error here."""
    import socket

    try:
        socket.send_fds(connection, [len(request).to_bytes(8, "big")], descriptors)
        connection.sendall(request)
    except OSError:
        pass


def private(folder: str) -> bool:
    """Whether ``folder`` is a folder of this user's that nobody else can enter: else
    another user could have put a server there to be handed this user's runs."""
    import stat

    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & 0o077)


def peer_uid(connection: socket.socket) -> int:
    """The user id of the process at the other end of a Unix socket (SO_PEERCRED)."""
    return _peer_credentials(connection)[1]


def peer_pid(connection: socket.socket) -> int:
    """The process id at the other end of a Unix socket (SO_PEERCRED): a client's, or
    for a client, the server's (the process that listens on the socket)."""
    return _peer_credentials(connection)[0]


def _peer_credentials(connection: socket.socket) -> tuple[int, int, int]:
    """The pid, uid and gid of the process at the other end (``struct ucred``)."""
    import socket
    import struct

    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                        struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", credentials)
    return int(pid), int(uid), int(gid)


def process_attributes() -> dict[str, object]:
    """What a process gives the programs it runs besides its environment: umask, groups,
    resource limits and scheduling priority. The server's copy takes them (or refuses
    the run when it may not: a limit above its own, a higher priority, other groups)."""
    import resource

    umask = os.umask(0o22)
    os.umask(umask)
    return {"umask": umask, "gid": os.getgid(), "groups": sorted(os.getgroups()),
            "priority": os.getpriority(os.PRIO_PROCESS, 0),
            "limits": {name: resource.getrlimit(getattr(resource, name))
                       for name in dir(resource) if name.startswith("RLIMIT_")}}


def _described(stream: object) -> list[object] | None:
    """A standard stream as the copy rebuilds it: its encoding, error handler, line
    buffering and write-through (``-u``)."""
    if stream is None:
        return None
    return [getattr(stream, "encoding", "utf-8"), getattr(stream, "errors", "strict"),
            bool(getattr(stream, "line_buffering", False)),
            bool(getattr(stream, "write_through", False))]


def _started(connection: socket.socket, deadline: float) -> str:
    """The server's next line, as it comes until ``deadline`` (``time.monotonic()``):
    :data:`STREAMS`, "started" when the run has started, "refused: ...", "" when it went
    away; "late" when it said nothing in time, "interrupted" when this
    command was interrupted meanwhile (Ctrl-C: said here; a run the server started
    sees its client go, and ends)."""
    import time

    answer = b""
    while not answer.endswith(b"\n"):
        try:
            # Past the deadline, what has come still counts (this command was stopped?).
            connection.settimeout(max(0.001, deadline - time.monotonic()))
            chunk = connection.recv(1)  # no further than the line: the rest is the run's
        except TimeoutError:
            return "late"
        except KeyboardInterrupt:
            print("cliplint: interrupted", file=sys.stderr)
            return "interrupted"
        except OSError:
            chunk = b""
        if not chunk:
            break
        answer += chunk
    return answer.decode("utf-8", "replace").rstrip("\n")


def _not_taken(path: str) -> None:
    """Say that the server did not take the command, which then runs itself."""
    print(f"cliplint: the server ({path}) did not start the run within {START_TIMEOUT:g} s; "
          f"running it here (`cliplint server status` says why; {NO_SERVER_VARIABLE}=1 "
          f"runs without it)", file=sys.stderr)


def _status(connection: socket.socket) -> int:
    """The run's exit status as the server answers it once the run has started (no
    deadline: a run takes as long as it takes), 3 when the server went away during it.
    Ctrl-C here interrupts the run there, which says so on the shared standard error;
    SIGTERM here terminates it there as SIGTERM ends a run (the files being written are
    finished, the cache commits what it has), and this process ends by it once the run
    has (killed at once, it took the run with it: a run killed, not terminated); a
    second SIGTERM ends this process at once, and the run with it, as a second signal
    ends a run at once (and a server that does not answer cannot keep it);
    Ctrl-Z stops it with this process, and it goes on when this one does."""
    import signal

    def terminated(number: int, frame: object) -> None:
        # The default first, then the server told: a second SIGTERM from here on ends this
        # process at once. The other way round, one coming in between ran this handler
        # again, or was dropped ("ignored due to race condition"), and the command waited
        # on for a run that may never end (a stopped one).
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _tell(connection, TERMINATE)

    def stopped(number: int, frame: object) -> None:
        _tell(connection, SUSPEND)
        os.kill(os.getpid(), signal.SIGSTOP)

    def continued(number: int, frame: object) -> None:
        _tell(connection, RESUME)

    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGTSTP, stopped)
    signal.signal(signal.SIGCONT, continued)
    answer = b""
    while True:
        try:
            chunk = connection.recv(256)
        except KeyboardInterrupt:
            _tell(connection, INTERRUPT)
            continue
        except OSError:
            chunk = b""
        if not chunk:
            break
        answer += chunk
    lines = answer.decode("utf-8", "replace").splitlines()
    if len(lines) == 1 and lines[0].partition(" ")[2].isdigit():
        kind, _, number = lines[0].partition(" ")
        if kind == "exit":
            return int(number)
        if kind == "signal":
            signal.signal(int(number), signal.SIG_DFL)
            os.kill(os.getpid(), int(number))
            return 128 + int(number)  # a signal this process does not die of
    print("cliplint: internal error: the server went away during the run "
          f"(run with {NO_SERVER_VARIABLE}=1 to run without it)", file=sys.stderr)
    return 3


def _tell(connection: socket.socket, what: bytes) -> None:
    try:
        connection.sendall(what)
    except OSError:
        pass


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True
