"""The resident server: cliplint imported once, a forked copy of it per run.

``cliplint server start`` runs :func:`serve` in the background. It imports what a run
imports (the engine, the installed rules, html5lib), then waits on a Unix socket in a
folder only its user can enter (:func:`cliplint.served.server_dir`). For each client
(:func:`cliplint.served.run_served`, which the ``cliplint`` command tries first, after
checking the folder and the server's user itself) it:

- reads its request as it comes, beside the other clients' (each has
  :data:`REQUEST_TIMEOUT` seconds to send its own: one that says nothing holds up no
  other);
- checks that the peer is its own user (the socket's credentials) and shares its
  Python environment, flags, search path and install (:func:`cliplint.served.identity`),
  that it can take the client's groups, priority and resource limits, and that no
  module it has imported changed on disk since (a reinstall or an edit: the server then
  refuses and stops, and the client runs the command itself);
- asks the client for its standard streams (the descriptors, passed over the socket:
  only now, so that a server stopped before holds none), forks, and tells the client
  the run has started (a client told nothing within
  :data:`cliplint.served.START_TIMEOUT` seconds, by a server stopped or wedged, runs
  the command itself); the copy, leader of its own process group, takes the client's
  standard streams, folder, environment, umask, priority, limits and arguments, runs
  ``cliplint.cli.main`` and exits with its status (or dies of a signal), which the
  server passes back. Configuration, cache and files are read by that copy as by any run.

A client interrupted (Ctrl-C) interrupts its run, one terminated (SIGTERM) terminates
it, one stopped (Ctrl-Z) stops it until it goes on, one that goes away kills it. Linux only (fork, ``pidfd_open``,
``SO_PEERCRED``). Refusals and failures are written to ``SOCKET.log`` beside the socket,
one line each; ``status`` tells its state (pid, runs served and running, CPU used).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from cliplint.served import (
    INTERRUPT,
    RESUME,
    SERVER_DIR_VARIABLE,
    STREAMS,
    SUSPEND,
    TERMINATE,
    encoded,
    identity,
    peer_pid,
    peer_uid,
    private,
    send,
    socket_path,
)

#: Bytes a socket's path may have (Linux's sun_path, less its final NUL).
MAX_SOCKET_PATH = 107
#: Bytes a request may hold (its arguments and environment): far above any real one.
MAX_REQUEST = 16 << 20
#: Seconds a connected client has to send its request (it sends it at once); others'
#: are read meanwhile.
REQUEST_TIMEOUT = 5.0
#: Seconds a server has to answer ``cliplint server status``, ``stop`` or ``start`` (it
#: answers at once); one stopped (``kill -STOP``) or wedged does not, and the command
#: says so (:class:`Unanswered`) rather than waiting, or taking it for no server.
ANSWER_TIMEOUT = 5.0


class Unanswered(Exception):
    """A server is there (its socket takes connections), but said nothing within
    :data:`ANSWER_TIMEOUT` seconds. Its message says which (``pid``, when the connection
    was made) and what to do."""

    def __init__(self, path: str, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        super().__init__(_unanswered(path, pid))


def _unanswered(path: str, pid: int | None) -> str:
    server = f"the server (pid {pid}, socket {path})" if pid else f"the server at {path}"
    said = f"{server} does not answer within {ANSWER_TIMEOUT:g} s"
    if pid is not None and process_state(pid) == "T":
        return f"{said}: it is stopped (kill -STOP); `kill -CONT {pid}` continues it"
    return f"{said}: is it stopped or wedged? (see {path}.log)"


def process_state(pid: int) -> str | None:
    """The state Linux shows for a process (``R`` running, ``S`` sleeping, ``T``
    stopped...), None when it cannot be read (no such process)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            line = stat.read()
    except OSError:
        return None
    # "pid (command) state ...": the command may hold spaces and parentheses.
    fields = line.rpartition(b")")[2].split()
    return fields[0].decode("ascii", "replace") if fields else None


def supported() -> str | None:
    """None when this platform can run the server, else why not."""
    if not (hasattr(os, "fork") and hasattr(os, "pidfd_open")
            and hasattr(socket, "SO_PEERCRED") and hasattr(socket, "send_fds")):
        return "the server needs Linux (fork, pidfd_open and SO_PEERCRED)"
    return None


def private_folder(path: str) -> None:
    """Make the sockets' folder, or check it: a folder of this user's that nobody else
    can enter (as ssh-agent's). Raises ``OSError`` saying what is wrong."""
    import stat

    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except FileExistsError:  # a file of that name (or a link to none)
        raise OSError(f"{path} is not a folder") from None
    except OSError as error:
        raise OSError(f"the folder {path} cannot be made: {error.strerror}") from None
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise OSError(f"{path} is not a folder")
    if info.st_uid != os.getuid():
        raise OSError(f"{path} belongs to another user")
    if info.st_mode & 0o077:
        raise OSError(f"{path} is open to other users (mode {info.st_mode & 0o777:o}); "
                      "it must be 700")


def module_files() -> dict[str, tuple[int, int]]:
    """Every imported module's file with its size and modification time: the code the
    server runs, to tell when it changed on disk (:func:`changed_files`)."""
    files: dict[str, tuple[int, int]] = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path not in files:
            try:
                info = os.stat(path)
            except OSError:
                continue
            files[path] = (info.st_size, info.st_mtime_ns)
    return files


def changed_files(files: dict[str, tuple[int, int]]) -> list[str]:
    """The files of :func:`module_files` that are no longer as they were."""
    changed = []
    for path, status in files.items():
        try:
            info = os.stat(path)
        except OSError:
            changed.append(path)
            continue
        if (info.st_size, info.st_mtime_ns) != status:
            changed.append(path)
    return changed


def preload() -> None:
    """Import what a run imports: the command line, the engine, the parser and every
    installed plugin with its rules. Then forget what was worked out on the way (the
    registry, the code's fingerprint...): each run finds them again as any run does, so
    that a plugin installed since, or a changed configuration, is seen."""
    import importlib

    for name in ("cliplint.archive", "cliplint.cache", "cliplint.cli.context",
                 "cliplint.cli.lint", "cliplint.cli.output", "cliplint.formats.text",
                 "cliplint.html_parse", "cliplint.linter", "cliplint.rule_io",
                 "cliplint.runner"):
        importlib.import_module(name)
    from cliplint.plugins import load_registry

    try:
        load_registry(snapshot=False)
    except Exception:  # a broken plugin: each run says so, as it would without a server
        pass
    for name, module in list(sys.modules.items()):
        if name.partition(".")[0] in ("cliplint", "cliplint_rules"):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


@dataclass
class _Run:
    """A run in progress: the client's connection and the forked copy's process (the
    leader of its own process group, with the workers it starts)."""

    connection: socket.socket
    pid: int
    pidfd: int


@dataclass
class _State:
    listener: socket.socket
    path: str
    inode: int  # the socket's, to unlink it only while it is this server's
    started: float = field(default_factory=time.time)
    served: int = 0
    runs: dict[int, _Run] = field(default_factory=dict)  # by pidfd
    stopping: bool = False


def serve(path: str) -> int:
    """Serve runs on the socket ``path`` until told to stop (``SIGTERM``, a ``stop``
    request) or until the code changes; then take no new run (the socket is removed at
    once: new commands run by themselves) and end when the runs in flight have. One
    server per socket: the lock beside it is held for the server's life, and a second
    server started meanwhile leaves at once. The caller has made ``path``'s folder
    private."""
    import fcntl

    lock = os.open(path + ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return 0  # another server holds it (``start`` then reports that one)
    preload()
    code = module_files()
    me = json.loads(encoded({"identity": identity()}))["identity"]  # as a request holds it
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.lexists(path):
        os.unlink(path)  # a socket left by a server that is gone (the lock says so)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    # What is imported now is shared with every copy, never collected: copies start sooner.
    import gc

    gc.collect()
    gc.freeze()
    state = _State(listener, path, os.stat(path).st_ino)
    events = selectors.DefaultSelector()
    events.register(listener, selectors.EVENT_READ, "listener")
    signal.signal(signal.SIGTERM, lambda *_: _stop_taking(state, events))
    log = _Log(path + ".log")
    try:
        wait = 1.0
        while not (state.stopping and not state.runs):
            for key, _ in events.select(timeout=wait):
                if key.data == "listener":
                    _accept(events, state, log)
                elif isinstance(key.data, _Pending):
                    _read(key.data, events, state, code, me, log)
                elif key.data == "client":
                    _client_said(key.fileobj, events, state)  # type: ignore[arg-type]
                else:
                    _finished(key.data, events, state)
            if not state.stopping and not _still(path, state.inode):
                # The socket was removed (by hand, a cleaner of /tmp): no command can
                # reach this server, which would hold the lock against a new one.
                log.write(f"the socket {path} is gone: stopping")
                _stop_taking(state, events)
            wait = _late(events, log)
    finally:
        _stop_taking(state, events)
        events.close()
        os.close(lock)
    return 0


def _stop_taking(state: _State, events: selectors.BaseSelector) -> None:
    """Take no new run: the socket closed and removed, so that a command finds no
    server and runs by itself instead of waiting for one that will not answer."""
    if state.stopping:
        return
    state.stopping = True
    try:
        events.unregister(state.listener)
    except (KeyError, ValueError):
        pass
    state.listener.close()
    if _still(state.path, state.inode):
        os.unlink(state.path)


def _accept(events: selectors.BaseSelector, state: _State, log: _Log) -> None:
    """A client connected: its request is read as it comes (:func:`_read`), beside
    the others', each with its own deadline; one that says nothing delays no other."""
    try:
        connection, _ = state.listener.accept()
    except OSError:
        return
    try:
        uid = peer_uid(connection)
        if uid != os.getuid():
            raise _Refusal(f"the client runs as user {uid}, the server as {os.getuid()}")
        connection.setblocking(False)
        events.register(connection, selectors.EVENT_READ,
                        _Pending(connection, time.monotonic() + REQUEST_TIMEOUT))
    except _Refusal as refusal:
        log.write(f"refused a run: {refusal}")
        _send(connection, f"refused: {refusal}\n")
        connection.close()
    except Exception as error:
        log.write(f"could not take a run: {type(error).__name__}: {error}")
        connection.close()


@dataclass
class _Pending:
    """A connected client whose run has not started: its request (8 bytes of length,
    then the bytes), and once that is read and checked (``request``), its standard
    streams' descriptors (one byte that carries them); until ``deadline``
    (``time.monotonic()``). The descriptors come only when the server asks for them:
    sent with the request, they would sit in a stopped server's socket, and a pipe they
    are the ends of would stay open after the command gave up and ran by itself."""

    connection: socket.socket
    deadline: float
    header: bytearray = field(default_factory=bytearray)
    body: bytearray = field(default_factory=bytearray)
    request: dict[str, object] | None = None
    descriptors: list[int] = field(default_factory=list)

    def read(self) -> bool:
        """Read what has come (the socket is non-blocking): whether what is awaited (the
        request, or the descriptors) is whole. Raises :class:`_Refusal` for a request
        cut short or too long."""
        if len(self.header) < 8 or self.request is not None:
            wanted = 1 if self.request is not None else 8 - len(self.header)
            chunk, descriptors, _, _ = socket.recv_fds(self.connection, wanted, 3)
            self.descriptors.extend(descriptors)
            if self.request is None:
                self.header += chunk
        else:
            chunk = self.connection.recv(min(1 << 20, self.size - len(self.body)))
            self.body += chunk
        if not chunk:
            raise _Refusal("a request cut short")
        return self.request is not None or (len(self.header) == 8
                                            and len(self.body) == self.size)

    @property
    def size(self) -> int:
        size = int.from_bytes(self.header, "big")
        if size > MAX_REQUEST:
            raise _Refusal(f"a request of {size} bytes")
        return size

    def close(self) -> None:
        for fd in self.descriptors:
            os.close(fd)
        self.descriptors = []


def _read(pending: _Pending, events: selectors.BaseSelector, state: _State,
          code: dict[str, tuple[int, int]], me: list[object], log: _Log) -> None:
    """A client's request, or its descriptors, came in part: once whole, the request is
    answered (``status``, ``stop``) or checked, and the descriptors asked for; once they
    have come, the run starts."""
    connection = pending.connection
    try:
        if not pending.read():
            return
        if pending.request is None:
            request = _request(pending.body)
            if request.get("command") in ("status", "stop"):
                events.unregister(connection)
                if request["command"] == "stop" and _gone(connection):
                    # Its command gave up waiting (this server was stopped or wedged) and
                    # said the server did not answer: it must not stop now, unasked.
                    log.write("ignored a stop: its command went away unanswered")
                    _drop(pending, events)
                    return
                connection.settimeout(REQUEST_TIMEOUT)
                _answer_command(connection, request["command"], events, state)
                _drop(pending, events)
                return
            _check(request, code, me, state, events)
            pending.request = request
            _send(connection, f"{STREAMS}\n")  # a line: the socket's buffer takes it
            return
        events.unregister(connection)
        connection.settimeout(REQUEST_TIMEOUT)
        try:
            _start_run(connection, pending.request, pending.descriptors, events, state)
        finally:
            pending.close()  # the run's copy has its own
    except (BlockingIOError, InterruptedError):
        return  # nothing came after all
    except _Refusal as refusal:
        log.write(f"refused a run: {refusal}")
        _send(connection, f"refused: {refusal}\n")
        _drop(pending, events)
    except Exception as error:  # a broken request, not a reason to stop serving
        log.write(f"could not take a run: {type(error).__name__}: {error}")
        _drop(pending, events)


def _registered(events: selectors.BaseSelector) -> list[object]:
    return [key.fileobj for key in events.get_map().values()]


def _drop(pending: _Pending, events: selectors.BaseSelector) -> None:
    """Forget a client whose request will not run: its connection and descriptors."""
    if pending.connection in _registered(events):
        events.unregister(pending.connection)
    pending.close()
    pending.connection.close()


def _late(events: selectors.BaseSelector, log: _Log) -> float:
    """Drop the clients whose request did not come in time; the seconds until the next
    one's deadline (at most 1)."""
    now = time.monotonic()
    wait = 1.0
    for key in list(events.get_map().values()):
        if isinstance(key.data, _Pending):
            if key.data.deadline <= now:
                log.write(f"could not take a run: no request within {REQUEST_TIMEOUT:g} s")
                _drop(key.data, events)
            else:
                wait = min(wait, key.data.deadline - now)
    return wait


class _Refusal(Exception):
    """A request the server does not run; the client runs it itself."""


def _request(body: bytes | bytearray) -> dict[str, object]:
    request = json.loads(body.decode("utf-8", "surrogateescape"))
    if not isinstance(request, dict):
        raise _Refusal("a request that is not an object")
    return request


def _check(request: dict[str, object], code: dict[str, tuple[int, int]], me: list[object],
           state: _State, events: selectors.BaseSelector) -> None:
    """Refuse a run the copy could not run as the client would, or that came as the
    server was stopping."""
    if state.stopping:
        raise _Refusal("the server is stopping")
    if request.get("identity") != me:
        raise _Refusal("another interpreter, search path or install")
    changed = changed_files(code)
    if changed:
        _stop_taking(state, events)
        raise _Refusal(f"code changed on disk ({changed[0]}{' and more' * (len(changed) > 1)}); "
                       "the server stops")
    refusal = _unmatched(request.get("process"))
    if refusal is not None:
        raise _Refusal(refusal)


def _unmatched(process: object) -> str | None:
    """Why the copy could not take the client's process attributes
    (:func:`cliplint.served.process_attributes`), None when it can: the same groups,
    no higher priority, no limit above its own hard ones."""
    import resource

    if not isinstance(process, dict):
        return "a request without the process's attributes"
    if process.get("gid") != os.getgid() or process.get("groups") != sorted(os.getgroups()):
        return "other groups than the server's"
    if not isinstance(process.get("priority"), int) or process["priority"] < os.getpriority(
            os.PRIO_PROCESS, 0):
        return "a higher scheduling priority than the server's"
    limits = process.get("limits")
    if not isinstance(limits, dict):
        return "a request without the process's limits"
    for name, (_soft, hard) in limits.items():
        own = getattr(resource, name, None) if name.startswith("RLIMIT_") else None
        if own is None:
            return f"a limit this server does not know ({name})"
        ceiling = resource.getrlimit(own)[1]
        if ceiling != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY
                                                  or hard > ceiling):
            return f"a limit above the server's ({name})"
    return None


def _answer_command(connection: socket.socket, command: object,
                    events: selectors.BaseSelector, state: _State) -> None:
    """``status`` and ``stop``, from any client of this user (another install's too)."""
    if command == "stop":
        _stop_taking(state, events)
    import resource

    # Its own CPU and its finished runs' (as the kernel counts a waited-for child's).
    cpu = sum(usage.ru_utime + usage.ru_stime for usage in (
        resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))
    _send(connection, json.dumps({
        "pid": os.getpid(), "started": state.started, "served": state.served,
        "running": len(state.runs), "runs": sorted(run.pid for run in state.runs.values()),
        "stopping": state.stopping, "cpu_seconds": cpu}) + "\n")


def _start_run(connection: socket.socket, request: dict[str, object], descriptors: list[int],
               events: selectors.BaseSelector, state: _State) -> None:
    wanted = request.get("descriptors")
    if not (isinstance(wanted, list) and len(wanted) == len(descriptors)
            and all(fd in (0, 1, 2) for fd in wanted)):
        raise _Refusal("standard streams that do not match the request")
    if _gone(connection):
        # It stopped waiting (the server was slow to take it: it runs the command itself).
        raise _Refusal("the client went away before its run started")
    connection.settimeout(None)
    # SIGTERM held over the fork: the copy has the server's handler until it sets its
    # own, and a client's terminate coming then would stop the server, not the run.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        pid = os.fork()
        if pid == 0:  # the copy: never returns
            _run_copy(request, dict(zip(wanted, descriptors)), held)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    # Its own process group at once, as a shell makes a job's (the copy makes it too): a
    # client gone or stopped before the copy got there would signal a group not yet
    # there, and a run of --watch would go on for ever with no client.
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass  # it has ended already (its end is read as any other's)
    pidfd = os.pidfd_open(pid)
    state.runs[pidfd] = _Run(connection, pid, pidfd)
    state.served += 1
    events.register(pidfd, selectors.EVENT_READ, pidfd)
    events.register(connection, selectors.EVENT_READ, "client")
    _send(connection, "started\n")


def _run_copy(request: dict[str, object], streams: dict[int, int],
              held: set[int | signal.Signals]) -> None:
    """In the forked copy: become the client's process, run its command, exit.
    ``held``: the signal mask to restore once the copy's own handlers are set."""
    status = 3
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # one pending ends the copy
        from cliplint.runner import death_signal

        # A server killed mid-run must not leave its run going on without a client.
        server = os.getppid()
        death_signal()
        if os.getppid() != server:
            return
        os.setpgid(0, 0)  # its workers with it: stopped and killed as one, as a command's
        for number in (0, 1, 2):
            if number in streams:
                os.dup2(streams[number], number)
            else:
                os.close(number)
        _close_inherited()
        os.chdir(str(request["cwd"]))
        environment = request["env"]
        assert isinstance(environment, dict)
        os.environ.clear()
        os.environ.update(environment)
        time.tzset()  # TZ, as a new process reads it
        _take_attributes(request["process"])
        argv = request["argv"]
        assert isinstance(argv, list)
        sys.argv = [str(item) for item in argv]
        _own_streams(request.get("streams"), streams)
        from cliplint.cli import main_status
        from cliplint.streams import flush_standard_streams

        status = main_status(sys.argv[1:])
        _join_threads()
        flush_standard_streams(ignoring=(BrokenPipeError, ValueError))
    except KeyboardInterrupt:
        # Ctrl-C as the copy set up the run, or after the command's own handling of it
        # (a copy is running, for the server, from its fork): interrupted, as the
        # command says it, not an error of the server's.
        status = 130
        try:
            os.write(2, b"cliplint: interrupted\n")
        except OSError:
            pass
    except BaseException as error:  # the server's own bug: said on the client's stderr
        try:
            os.write(2, f"cliplint: internal error in the server: {type(error).__name__}: "
                        f"{error}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(status)


def _take_attributes(process: object) -> None:
    """The client's umask, priority and resource limits (checked by :func:`_unmatched`)."""
    import resource

    assert isinstance(process, dict)
    os.umask(int(process["umask"]))
    os.setpriority(os.PRIO_PROCESS, 0, int(process["priority"]))
    for name, (soft, hard) in process["limits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))


def _join_threads() -> None:
    """Wait for the threads a run left that Python would wait for at exit (as the
    command does, :func:`cliplint.cli.entry`)."""
    if "threading" in sys.modules:
        threading = sys.modules["threading"]
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()


def _own_streams(described: object, streams: dict[int, int]) -> None:
    """Standard streams as the client's, over the descriptors it passed: as Python makes
    them (no newline translation) with the client's encodings, error handlers, line
    buffering (a terminal's stdout; stderr always) and write-through (``-u``)."""
    import io

    kinds = described if isinstance(described, list) and len(described) == 3 else [None] * 3
    opened: list[io.TextIOWrapper | None] = []
    for number, kind in enumerate(kinds):
        if number not in streams or not (isinstance(kind, list) and len(kind) == 4):
            opened.append(None)
            continue
        encoding, errors, line_buffering, write_through = kind
        # Open for the rest of the run, as Python's own standard streams.
        binary = open(number, "wb" if number else "rb",  # noqa: SIM115
                      buffering=0 if number and write_through else -1, closefd=False)
        opened.append(io.TextIOWrapper(binary, encoding=encoding, errors=errors, newline="\n",
                                       line_buffering=line_buffering,
                                       write_through=write_through))
    sys.stdin, sys.stdout, sys.stderr = opened


def _close_inherited() -> None:
    """Close every descriptor but the standard streams: nothing of the server's (its
    socket, other clients' connections and streams) stays open in a run, where a pipe it
    held would never see its end. The open ones are listed by the kernel: closing up to
    the limit of open files, which may be a billion, could take minutes."""
    try:
        numbers = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc
        os.closerange(3, 65536)
        return
    for number in numbers:
        if number > 2:
            try:
                os.close(number)
            except OSError:
                pass  # the listing's own descriptor, closed already


def _client_said(connection: socket.socket, events: selectors.BaseSelector,
                 state: _State) -> None:
    """A running run's client wrote (Ctrl-C: interrupt the run; SIGTERM: terminate it;
    Ctrl-Z: stop it; then continue it) or went away (kill the run, its workers with it)."""
    run = next((run for run in state.runs.values() if run.connection is connection), None)
    if run is None:
        return
    try:
        said = connection.recv(64)
    except OSError:
        said = b""
    try:
        if not said:
            events.unregister(connection)  # it stays readable: not again
            os.killpg(run.pid, signal.SIGKILL)
            return
        for byte in said:
            if bytes([byte]) == INTERRUPT:
                os.kill(run.pid, signal.SIGINT)  # as Ctrl-C: the workers ignore it
            elif bytes([byte]) == TERMINATE:
                os.kill(run.pid, signal.SIGTERM)  # as `kill PID`: its workers finish
            elif bytes([byte]) == SUSPEND:
                os.killpg(run.pid, signal.SIGSTOP)
            elif bytes([byte]) == RESUME:
                os.killpg(run.pid, signal.SIGCONT)
    except ProcessLookupError:
        pass


def _finished(pidfd: int, events: selectors.BaseSelector, state: _State) -> None:
    run = state.runs.pop(pidfd)
    _, wait_status, _ = os.wait4(run.pid, 0)
    events.unregister(pidfd)
    os.close(pidfd)
    if run.connection in (key.fileobj for key in events.get_map().values()):
        events.unregister(run.connection)
    if os.WIFSIGNALED(wait_status):  # the client ends by the same signal
        _send(run.connection, f"signal {os.WTERMSIG(wait_status)}\n")
    else:
        _send(run.connection, f"exit {os.waitstatus_to_exitcode(wait_status)}\n")
    run.connection.close()


def _gone(connection: socket.socket) -> bool:
    """Whether the client has closed its end (it has sent all it sends before its run)."""
    timeout = connection.gettimeout()
    connection.setblocking(False)  # with a timeout, Python would wait for something to read
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True
    finally:
        connection.settimeout(timeout)


def _send(connection: socket.socket, text: str) -> None:
    try:
        connection.sendall(text.encode())
    except OSError:
        pass


def _still(path: str, inode: int) -> bool:
    """Whether ``path`` is still this server's socket (a newer server may have taken it)."""
    try:
        return os.stat(path).st_ino == inode
    except OSError:
        return False


class _Log:
    """One line per refusal or failure, with the time, in ``SOCKET.log``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def write(self, line: str) -> None:
        try:
            with open(self.path, "a", encoding="utf-8") as log:
                log.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {line}\n")
        except OSError:
            pass


def ask(command: str, path: str | None = None) -> dict[str, object] | None:
    """Ask the server of this install ``status`` or ``stop``: its answer, or None when
    none is up. Raises :class:`Unanswered` when one is up but does not answer in time."""
    path = path or socket_path()
    answer = b""
    pid = None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(ANSWER_TIMEOUT)  # a full backlog makes connect wait
            connection.connect(path)
            if not private(os.path.dirname(path)) or peer_uid(connection) != os.getuid():
                return None  # not this user's server
            pid = peer_pid(connection)
            send(connection, encoded({"command": command}), [])
            while chunk := connection.recv(4096):
                answer += chunk
    except TimeoutError:
        if not answer:
            raise Unanswered(path, pid) from None
    except OSError:
        if not answer:
            return None
    if answer.startswith(b"refused: "):
        return {"refused": answer[9:].decode("utf-8", "replace").strip()}
    try:
        read = json.loads(answer)
    except ValueError:
        return None
    return read if isinstance(read, dict) else None


def start(path: str | None = None, wait: float = 30.0) -> dict[str, object]:
    """Start this install's server in the background and wait until it answers: its
    status. Raises ``OSError`` saying why it could not, :class:`Unanswered` when a
    server is up but does not answer (none is started beside it)."""
    import subprocess

    path = path or socket_path()
    length = len(os.fsencode(path))
    if length > MAX_SOCKET_PATH:
        raise OSError(f"the socket's path {path} has {length} bytes, more than a Unix socket's "
                      f"{MAX_SOCKET_PATH}: set {SERVER_DIR_VARIABLE} to a shorter folder")
    private_folder(os.path.dirname(path))
    running = ask("status", path)
    if running is not None:
        if "refused" in running:
            raise OSError(f"a server at {path} refused: {running['refused']}")
        return {**running, "already": True}
    with open(os.devnull, "rb") as nothing, open(path + ".log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-P", "-m", "cliplint.server", path], stdin=nothing, stdout=log,
            stderr=log, cwd="/", start_new_session=True)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            answer = ask("status", path)
        except Unanswered:  # slow to start on a loaded machine: it has until the deadline
            answer = None
        if answer is not None:
            if "refused" in answer:
                process.kill()
                raise OSError(f"the server refused: {answer['refused']}")
            return answer
        # Exit status 0: another server started meanwhile holds the lock; it answers.
        if process.poll() is not None and process.returncode != 0:
            raise OSError(f"the server exited at start with status {process.returncode} "
                          f"(see {path}.log)")
        time.sleep(0.05)
    process.kill()
    raise OSError(f"the server did not answer within {wait:g} s (see {path}.log)")


def stop(path: str | None = None, wait: float = 30.0) -> dict[str, object] | None:
    """Stop this install's server (after its runs end): its last status, None when
    none was up. Raises :class:`Unanswered` when one is up but does not answer: it is
    not stopped (it ignores the request if it reads it later)."""
    path = path or socket_path()
    answer = ask("stop", path)
    if answer is None or "refused" in answer:
        return answer
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and os.path.exists(path):
        time.sleep(0.05)
    return answer


def _main(arguments: Iterable[str]) -> int:
    (path,) = arguments
    os.chdir("/")
    return serve(path)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
