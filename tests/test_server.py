"""The resident server (``cliplint server``), as real processes on a real Unix socket.

Each test starts a server of this install in a private folder of its own (short: a
socket's path has at most 107 bytes), runs ``python -m cliplint`` through it and
without it, and compares what a user sees: standard output and error, exit status,
files written. The server's ``status`` says how many runs it served, so a test knows
a run went through it rather than falling back.
"""

from __future__ import annotations

import json
import os
import re
import select
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from conftest import make_plugin, process_runs, write

import cliplint.server
from cliplint import __version__
from cliplint.served import TERMINATE
from cliplint.server import changed_files, module_files, supported

pytestmark = pytest.mark.skipif(supported() is not None, reason=str(supported()))

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BROKEN = "<!--1590000000000-->\n[No body](https://example.com/a)\n------\n\n<p>one<p>two</div>\n"


@dataclass(frozen=True)
class Served:
    folder: Path
    environment: dict[str, str]

    def run(self, *arguments: str, cwd: Path, served: bool = True,
            env: Mapping[str, str] | None = None, stdin: bytes = b"",
            python: tuple[str, ...] = ()) -> subprocess.CompletedProcess[bytes]:
        environment = {**self.environment, **(env or {}),
                       "CLIPLINT_NO_SERVER": "0" if served else "1"}
        return subprocess.run([sys.executable, *python, "-m", "cliplint", *arguments],
                              cwd=cwd, env=environment, input=stdin, capture_output=True,
                              timeout=120)

    def watch(self, cwd: Path, *, output: int = subprocess.DEVNULL,
              closed_stdin: bool = False) -> subprocess.Popen[bytes]:
        """A served ``cliplint --watch .``, running until it is interrupted or killed."""
        command = f"exec {sys.executable} -m cliplint --watch ." + (" <&-" * closed_stdin)
        return subprocess.Popen(["sh", "-c", command], cwd=cwd,
                                env={**self.environment, "CLIPLINT_NO_SERVER": "0"},
                                stdout=output, stderr=output)

    @contextmanager
    def watching(self, cwd: Path, *, output: int = subprocess.DEVNULL,
                 closed_stdin: bool = False) -> Iterator[subprocess.Popen[bytes]]:
        """:meth:`watch`, once the server runs it; killed at the end."""
        client = self.watch(cwd, output=output, closed_stdin=closed_stdin)
        try:
            _wait_for(lambda: _running(self) == 1)
            yield client
        finally:
            client.kill()

    def status(self) -> dict[str, object] | None:
        done = self.run("server", "status", "--json", cwd=self.folder)
        return json.loads(done.stdout) if done.returncode == 0 else None

    def served(self) -> int:
        status = self.status()
        assert status is not None, "the server is not running"
        served = status["served"]
        assert isinstance(served, int)
        return served

    def log(self) -> str:
        return "".join(path.read_text(encoding="utf-8")
                       for path in self.folder.glob("*.log"))


def _environment(folder: Path, cache: Path) -> dict[str, str]:
    # PYTHONUNBUFFERED (set in some shells and CI) would hide how streams are buffered.
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("CLIPLINT")
                   and key not in ("NO_COLOR", "PYTHONUNBUFFERED")}
    return {**environment, "CLIPLINT_SERVER_DIR": str(folder),
            "CLIPLINT_CACHE_DIR": str(cache)}


@pytest.fixture
def short_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="cls-", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _start(folder: Path, environment: dict[str, str]) -> Served:
    server = Served(folder / "servers", environment)
    started = server.run("server", "start", cwd=folder)
    assert started.returncode == 0, started.stderr
    assert b"cliplint server started (pid " in started.stdout
    return server


@pytest.fixture
def server(short_folder: Path) -> Iterator[Served]:
    served = _start(short_folder, _environment(short_folder / "servers", short_folder / "cache"))
    try:
        yield served
    finally:
        _stop(served)


def _stop(server: Served) -> None:
    status = server.status()
    stopped = server.run("server", "stop", cwd=server.folder)
    if status is not None:
        assert stopped.returncode == 0, stopped.stderr
        pid = status["pid"]
        assert isinstance(pid, int)
        _wait_gone(pid)


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not process_runs(pid):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError(f"the server (pid {pid}) did not stop")


def _archive(folder: Path) -> Path:
    archive = folder / "archive"
    shutil.copytree(EXAMPLES, archive)
    write(archive / "broken.md", BROKEN)
    write(archive / "copy.md", (EXAMPLES / "harbour-reopens.md").read_bytes())
    return archive


def test_a_served_run_is_the_run_itself(server: Served, short_folder: Path) -> None:
    archive = _archive(short_folder)
    commands: list[tuple[str, ...]] = [
        (".",), ("--format", "json", "."), ("--select", "well-formed-html", "broken.md"),
        ("--isolated", "--no-cache", "-"), ("missing.md",), ("--no-such-flag",), ("rules",),
        ("explain", "title-link"), ("--version",),
    ]
    for arguments in commands:
        before = server.served()
        here = server.run(*arguments, cwd=archive, served=False, stdin=BROKEN.encode())
        there = server.run(*arguments, cwd=archive, stdin=BROKEN.encode())
        assert server.served() == before + 1, arguments
        assert (there.returncode, there.stdout, there.stderr) == (
            here.returncode, here.stdout, here.stderr), arguments
    before = server.served()
    assert server.run(".", cwd=archive).returncode == 1
    assert server.run("missing.md", cwd=archive).returncode == 2
    assert server.served() == before + 2


def test_any_name_of_the_environments_python_is_served(server: Served,
                                                       short_folder: Path) -> None:
    archive = _archive(short_folder)
    executable = Path(sys.executable)
    sibling = executable.with_name("python3" if executable.name != "python3" else "python")
    before = server.served()
    done = subprocess.run([str(sibling), "-m", "cliplint", "."], cwd=archive,
                          env={**server.environment, "CLIPLINT_NO_SERVER": "0"},
                          capture_output=True, timeout=120)
    assert done.returncode == 1 and b"aggregator-boilerplate" in done.stdout
    assert server.served() == before + 1


def test_a_served_fix_writes_the_same_files(server: Served, short_folder: Path) -> None:
    served, unserved = _archive(short_folder / "a"), _archive(short_folder / "b")
    before = server.served()
    there = server.run("--fix", "--unsafe-fixes", ".", cwd=served)
    assert server.served() == before + 1
    here = server.run("--fix", "--unsafe-fixes", ".", cwd=unserved, served=False)
    assert (there.returncode, there.stdout, there.stderr) == (
        here.returncode, here.stdout, here.stderr)
    assert b"Fixed" in there.stdout or b"fixed" in there.stdout
    for path in unserved.iterdir():
        assert (served / path.name).read_bytes() == path.read_bytes(), path.name
    assert (served / "harbour-reopens.md").read_bytes() != (EXAMPLES / "harbour-reopens.md").read_bytes()


def test_a_run_takes_the_clients_environment_umask_and_folder(server: Served,
                                                              short_folder: Path) -> None:
    archive = _archive(short_folder)
    cache = short_folder / "own-cache"
    before = server.served()
    done = subprocess.run(
        ["sh", "-c", f"umask 077 && exec {sys.executable} -m cliplint --exit-zero "
                     "--format json --output-file report.json ."],
        cwd=archive, env={**server.environment, "CLIPLINT_CACHE_DIR": str(cache),
                          "CLIPLINT_NO_SERVER": "0"},
        capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert server.served() == before + 1
    report = archive / "report.json"
    assert json.loads(report.read_text(encoding="utf-8"))["tool"]["name"] == "cliplint"
    assert report.stat().st_mode & 0o777 == 0o600
    assert any(cache.iterdir()), "the run did not use the client's CLIPLINT_CACHE_DIR"


def _signalled_watch(server: Served, short_folder: Path, number: int) -> tuple[int, bytes]:
    """A served ``--watch`` sent the signal ``number`` once it watches: its exit status
    and standard error, once the server runs nothing (it served that one run)."""
    archive = _archive(short_folder)
    before = server.served()
    with server.watching(archive, output=subprocess.PIPE) as client:
        # Said while the run goes on: standard error is line-buffered, as Python's is.
        assert client.stderr is not None
        seen = _read_until(client.stderr, b"cliplint: watching for changes")
        client.send_signal(number)
        _, error = client.communicate(timeout=60)
    assert server.served() == before + 1
    _wait_for(lambda: _running(server) == 0)
    return client.returncode, seen + error


def test_ctrl_c_interrupts_the_served_run(server: Served, short_folder: Path) -> None:
    status, error = _signalled_watch(server, short_folder, signal.SIGINT)
    assert status == 130
    assert b"interrupted" in error


def test_sigterm_to_the_command_terminates_the_served_run_as_it_ends_a_run(
        server: Served, short_folder: Path) -> None:
    """SIGTERM to the command (a CI job cancelled, ``timeout``) ends its served run as
    it ends a run in the command's own process: the run says so (its files finished,
    its cache committed), then the command ends by SIGTERM. Before, the command died of
    it at once and took the run with it, killed, saying nothing."""
    status, error = _signalled_watch(server, short_folder, signal.SIGTERM)
    assert status == -signal.SIGTERM
    assert error.endswith(b"cliplint: terminated\n")


def test_a_second_sigterm_ends_the_command_and_its_served_run_at_once(
        server: Served, short_folder: Path) -> None:
    """The first SIGTERM asks the run to end; a second one, before it has, ends the
    command at once, and the server kills the run (a run stopped meanwhile here, so that
    the first cannot end it)."""
    archive = _archive(short_folder)
    with server.watching(archive) as client:
        (copy,) = _runs(server)
        os.kill(copy, signal.SIGSTOP)
        _wait_for(lambda: _state(copy) == "T")
        _wait_for(lambda: _passes_signals_on(client.pid))
        client.send_signal(signal.SIGTERM)
        _wait_for(lambda: _pending(copy, signal.SIGTERM))  # passed on, not yet taken
        client.send_signal(signal.SIGTERM)
        assert client.wait(timeout=60) == -signal.SIGTERM
        _wait_for(lambda: _running(server) == 0)


#: A served command's last part (``_status``), on the socket whose descriptor is its
#: argument: the first SIGTERM comes as the run goes on, a second one right as the first
#: is passed on to the server.
_TWO_SIGTERMS = """
import os, signal, socket, sys
from cliplint import served

class Connection(socket.socket):
    waiting = False

    def recv(self, size):
        if not Connection.waiting:
            Connection.waiting = True
            os.kill(os.getpid(), signal.SIGTERM)
        return super().recv(size)

tell = served._tell
seconds = []

def told(connection, what):
    tell(connection, what)
    if what == served.TERMINATE and not seconds:
        seconds.append(True)
        os.kill(os.getpid(), signal.SIGTERM)

served._tell = told
sys.exit(served._status(Connection(fileno=int(sys.argv[1]))))
"""


def test_a_second_sigterm_as_the_first_is_passed_on_ends_the_command() -> None:
    # The command passed the first SIGTERM on, then took SIGTERM's default: a second one
    # in between ran the handler again (or was dropped), and the command waited on for
    # a run that need never end (the test above, flaky under load).
    ours, theirs = socket.socketpair()
    with ours:
        with theirs:
            command = subprocess.Popen(
                [sys.executable, "-c", _TWO_SIGTERMS, str(theirs.fileno())],
                pass_fds=[theirs.fileno()], stderr=subprocess.PIPE)
        told = ours.recv(64)
    # (Our end closed: a command still there sees its server gone, and exits 3.)
    _, error = command.communicate(timeout=60)
    assert (command.returncode, told) == (-signal.SIGTERM, TERMINATE), error


def _pending(pid: int, number: int) -> bool:
    """Whether the signal ``number`` waits for the process ``pid`` to take it."""
    return any(_signal_set(pid, name, number) for name in ("SigPnd", "ShdPnd"))


def _signal_set(pid: int, field: str, number: int) -> bool:
    """Whether the signal ``number`` is in the set ``field`` of /proc/PID/status."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        fields = dict(line.split(":", 1) for line in status if ":" in line)
    return bool(int(fields[field], 16) >> (number - 1) & 1)


def _passes_signals_on(client: int) -> bool:
    """Whether a served command has its handlers that pass signals on to its run (set
    once the server said "started"; SIGCONT's is the last). Before, SIGTERM kills it
    and Ctrl-Z stops it alone: the run is told nothing."""
    return _signal_set(client, "SigCgt", signal.SIGCONT)


def test_a_client_that_goes_away_takes_its_run_with_it(server: Served,
                                                       short_folder: Path) -> None:
    archive = _archive(short_folder)
    with server.watching(archive) as watching:
        # Another run is served meanwhile: the server does not wait for the first.
        before = server.served()
        assert server.run("--format", "json", ".", cwd=archive).returncode == 1
        assert server.served() == before + 1
        watching.kill()
        watching.wait(timeout=60)
        _wait_for(lambda: _running(server) == 0)


def test_a_run_holds_nothing_of_another(server: Served, short_folder: Path) -> None:
    # The second run's copy is forked while the first one's connection is open in the
    # server: if the copy kept it, the first client would wait for its end forever.
    archive = _archive(short_folder)
    first, second = server.watch(archive), server.watch(archive)
    try:
        _wait_for(lambda: _running(server) == 2)
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=30) == 130
        assert _running(server) == 1 and second.poll() is None
    finally:
        first.kill()
        second.kill()


def _shell(server: Served, script: str, cwd: Path, served: bool = True,
           stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """``script`` in sh, ``$CLIPLINT`` the command, with the server's environment."""
    return subprocess.run(
        ["sh", "-c", script], cwd=cwd, input=stdin, capture_output=True, timeout=120,
        env={**server.environment, "CLIPLINT": f"{sys.executable} -m cliplint",
             "CLIPLINT_NO_SERVER": "0" if served else "1"})


def test_streams_are_the_clients_own(server: Served, short_folder: Path) -> None:
    archive = _archive(short_folder)
    numbers = re.compile(rb"[0-9]+(\.[0-9]+)?")
    cases = [
        # Both streams into one pipe: stderr is line-buffered, as Python makes it.
        ("$CLIPLINT -v . 2>&1", b""),
        # Standard input split at LF only: a CR is part of a path.
        ("printf 'harbour-reopens.md\\r\\nx\\ry.md\\n' | $CLIPLINT --paths-from -", b""),
        ("PYTHONIOENCODING=ascii:backslashreplace $CLIPLINT --isolated -", BROKEN.encode()
         .replace(b"one", "\u4e00".encode())),
        ("ulimit -f 1 && $CLIPLINT --format json --output-file big.json .", b""),
    ]
    for script, stdin in cases:
        before = server.served()
        there = _shell(server, script, archive, stdin=stdin)
        assert server.served() == before + 1, script
        here = _shell(server, script, archive, served=False, stdin=stdin)
        assert (there.returncode, numbers.sub(b"N", there.stdout), there.stderr) == (
            here.returncode, numbers.sub(b"N", here.stdout), here.stderr), script
    # (what the cases show, so that they show something)
    assert b"harbour-reopens.md" in _shell(server, cases[0][0], archive).stdout
    assert b"in 2 files checked" in _shell(server, cases[1][0], archive).stdout


def test_a_closed_standard_stream_stays_closed(server: Served, short_folder: Path) -> None:
    archive = _archive(short_folder)
    before = server.served()
    with server.watching(archive, closed_stdin=True) as client:
        client.kill()  # its socket, not passed as standard input, closes with it
        client.wait(timeout=60)
        _wait_for(lambda: _running(server) == 0)
        assert server.served() == before + 1


def test_a_run_ended_by_a_signal_ends_its_client_so(server: Served,
                                                    short_folder: Path) -> None:
    archive = _archive(short_folder)
    with server.watching(archive) as client:
        (copy,) = _runs(server)
        _wait_for(lambda: _passes_signals_on(client.pid))
        client.send_signal(signal.SIGTSTP)  # Ctrl-Z: the run stops with its client
        # Both stopped before the shell's `fg`: the client stops itself once it has told
        # the server, and a SIGCONT sent before that would be followed by its SIGSTOP.
        _wait_for(lambda: _state(copy) == "T" and _state(client.pid) == "T")
        client.send_signal(signal.SIGCONT)
        _wait_for(lambda: _state(copy) != "T")
        os.kill(copy, signal.SIGTERM)
        assert client.wait(timeout=60) == -signal.SIGTERM


def _read_until(stream: IO[bytes], wanted: bytes, seconds: float = 60) -> bytes:
    """What ``stream`` gives until ``wanted`` appears in it, read as it comes."""
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"{wanted!r} did not come; came: {seen!r}")
        seen += os.read(stream.fileno(), 4096)
    return seen


def test_a_server_whose_socket_was_removed_stops(server: Served, short_folder: Path) -> None:
    # A cleaner of /tmp (or a hand) removes the socket: no command can reach the server,
    # and it would hold the lock against a new one (`server start` waited 30 s, then
    # failed). It notices within a second, stops, and a new one starts.
    status = server.status()
    assert status is not None and isinstance(status["pid"], int)
    [sock] = server.folder.glob("*.sock")
    sock.unlink()
    _wait_gone(status["pid"])
    assert f"the socket {sock} is gone: stopping" in server.log()
    again = server.run("server", "start", cwd=short_folder)
    assert again.returncode == 0, again.stderr
    assert server.status() is not None


def test_a_deleted_working_folder_runs_by_itself(server: Served, short_folder: Path) -> None:
    gone = short_folder / "gone"
    gone.mkdir()
    done = _shell(server, "cd gone && rmdir ../gone && $CLIPLINT --version", short_folder)
    assert (done.returncode, done.stdout, done.stderr) == (
        0, f"cliplint {__version__}\n".encode(), b"")
    assert server.served() == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root, to raise a command's priority")
def test_a_command_of_a_higher_priority_runs_by_itself(server: Served,
                                                       short_folder: Path) -> None:
    archive = _archive(short_folder)
    there = _shell(server, "nice -n -5 $CLIPLINT --format json .", archive)
    here = _shell(server, "nice -n -5 $CLIPLINT --format json .", archive, served=False)
    assert (there.returncode, there.stdout) == (here.returncode, here.stdout)
    assert there.returncode == 1 and server.served() == 0
    assert "a higher scheduling priority than the server's" in server.log()


@pytest.mark.parametrize(("served", "running", "said"), [
    (1, 1, "1 run served; it ends when the 1 run it is running ends)"),
    (2, 3, "2 runs served; it ends when the 3 runs it is running end)"),
    (0, 0, "0 runs served)"),
])
def test_what_stop_and_status_say_agrees_with_the_numbers(served: int, running: int,
                                                          said: str) -> None:
    # "1 runs served", "when its 1 running end".
    from cliplint.cli.server import _describe, _stopped

    stopped = {"pid": 7, "served": served, "running": running}
    assert _stopped(stopped) == f"cliplint server stopped (pid 7, {said}"
    status = _describe({**stopped, "started": None}, "/s")
    assert status == (f"cliplint server running (pid 7, since ?, {said.split(';')[0].rstrip(')')}"
                      f", {running} running, socket /s)")


def _runs(server: Served) -> list[int]:
    status = server.status()
    assert status is not None and isinstance(status["runs"], list)
    return [int(pid) for pid in status["runs"]]


def _state(pid: int) -> str:
    """A process's state letter (R, S, T for stopped...), from /proc."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_a_stopping_server_takes_no_new_run(server: Served, short_folder: Path) -> None:
    archive = _archive(short_folder)
    watching = server.watch(archive)
    try:
        _wait_for(lambda: _running(server) == 1)
        stopped = server.run("server", "stop", cwd=server.folder)
        assert stopped.returncode == 0
        assert b"it ends when the 1 run it is running ends)" in stopped.stdout
        # No socket now: a command runs by itself, at once, and the server is left alone.
        alone = server.run("--version", cwd=archive)
        assert alone.returncode == 0 and server.status() is None
        assert watching.poll() is None
    finally:
        watching.send_signal(signal.SIGINT)
        watching.wait(timeout=60)


def test_one_server_however_many_starts(short_folder: Path) -> None:
    server = Served(short_folder / "servers",
                    _environment(short_folder / "servers", short_folder / "cache"))
    starts = [subprocess.Popen([sys.executable, "-m", "cliplint", "server", "start"],
                               cwd=short_folder, env=server.environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
              for _ in range(3)]
    try:
        said = [start.communicate(timeout=120) for start in starts]
        assert [start.returncode for start in starts] == [0, 0, 0], said
        status = server.status()
        assert status is not None
        pids = {re.search(rb"pid ([0-9]+)", out).group(1) for out, _ in said}  # type: ignore[union-attr]
        assert pids == {str(status["pid"]).encode()}
        servers = subprocess.run(["pgrep", "-f", f"cliplint.server {server.folder}"],
                                 capture_output=True, check=False).stdout.split()
        assert len(servers) == 1, servers
    finally:
        _stop(server)


def test_another_interpreter_setup_is_run_by_the_client(server: Served,
                                                        short_folder: Path) -> None:
    archive = _archive(short_folder)
    before = server.served()
    there = server.run("--format", "json", ".", cwd=archive, python=("-O",))
    here = server.run("--format", "json", ".", cwd=archive, served=False)
    assert (there.returncode, there.stdout) == (here.returncode, here.stdout)
    assert server.served() == before
    assert "another interpreter, search path or install" in server.log()


def test_changed_code_stops_the_server_and_the_run_uses_the_new_code(
        short_folder: Path) -> None:
    site = make_plugin(short_folder / "site", distribution="cliplint-shout",
                       entry_name="shout", module="shout_rules", source=_plugin("first"))
    environment = {**_environment(short_folder / "servers", short_folder / "cache"),
                   "PYTHONPATH": str(site)}
    server = _start(short_folder, environment)
    try:
        archive = _archive(short_folder)
        first = server.run("--select", "shout/", "broken.md", cwd=archive)
        assert b"first" in first.stdout and server.served() == 1
        (site / "shout_rules.py").write_text(_plugin("second"), encoding="utf-8")
        second = server.run("--select", "shout/", "broken.md", cwd=archive)
        assert b"second" in second.stdout, second.stdout
        assert "code changed on disk" in server.log() and "shout_rules.py" in server.log()
        _wait_for(lambda: server.status() is None)
    finally:
        _stop(server)


def _plugin(word: str) -> str:
    return _rule_pack("shout/word", f'"{word}"')


def _rule_pack(rule_id: str, message: str) -> str:
    """A plugin's module: one rule, ``rule_id``, whose one problem per file says what
    the Python expression ``message`` gives."""
    return textwrap.dedent(f'''
        """A rule that says {message}."""
        import sys
        import time

        from cliplint import Violation, hookimpl

        ID = "{rule_id}"
        SEVERITY = "warning"
        FIX = None


        def check(document, options):
            yield Violation(0, 1, {message})


        @hookimpl
        def cliplint_rules():
            return [sys.modules[__name__]]
    ''')


def test_a_run_keeps_the_commands_time_zone(short_folder: Path) -> None:
    site = make_plugin(short_folder / "site", distribution="cliplint-clock",
                       entry_name="clock", module="clock_rules", source=_CLOCK)
    environment = {**_environment(short_folder / "servers", short_folder / "cache"),
                   "PYTHONPATH": str(site)}
    environment.pop("TZ", None)
    server = _start(short_folder, environment)
    try:
        archive = _archive(short_folder)
        zone = {"TZ": "JST-9"}  # POSIX: needs no time zone files
        there = server.run("--select", "clock/", "broken.md", cwd=archive, env=zone)
        assert server.served() == 1
        here = server.run("--select", "clock/", "broken.md", cwd=archive, env=zone,
                          served=False)
        assert there.stdout == here.stdout and b"offset +0900" in there.stdout
    finally:
        _stop(server)


_CLOCK = _rule_pack("clock/offset", '"offset " + time.strftime("%z")')


def test_the_sockets_folder_must_be_the_users_alone(short_folder: Path) -> None:
    folder = short_folder / "open"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    server = Served(folder, _environment(folder, short_folder / "cache"))
    started = server.run("server", "start", cwd=short_folder)
    assert started.returncode == 2
    assert b"is open to other users (mode 755); it must be 700" in started.stderr
    assert not list(folder.glob("*.sock"))


def test_a_server_in_a_folder_others_can_enter_is_not_trusted(server: Served,
                                                              short_folder: Path) -> None:
    archive = _archive(short_folder)
    before = server.served()
    server.folder.chmod(0o755)  # (another user could have put a server there)
    try:
        alone = server.run(".", cwd=archive)
    finally:
        server.folder.chmod(0o700)
    assert alone.returncode == 1 and b"aggregator-boilerplate" in alone.stdout
    assert server.served() == before


def test_without_a_server_the_command_runs_itself(short_folder: Path) -> None:
    folder = short_folder / "servers"
    server = Served(folder, _environment(folder, short_folder / "cache"))
    assert server.run("server", "status", cwd=short_folder).returncode == 1
    archive = _archive(short_folder)
    alone = server.run(".", cwd=archive)
    # A socket file left by a server that is gone: refused connections, run here.
    folder.mkdir(mode=0o700)
    left = subprocess.run([sys.executable, "-c", _LEFT_SOCKET], cwd=folder,
                          env=server.environment, check=True, timeout=60)
    assert left.returncode == 0 and list(folder.glob("*.sock"))
    again = server.run(".", cwd=archive)
    assert (again.returncode, again.stdout, again.stderr) == (
        alone.returncode, alone.stdout, alone.stderr)
    assert alone.returncode == 1 and b"aggregator-boilerplate" in alone.stdout
    stop = server.run("server", "stop", cwd=short_folder)
    assert (stop.returncode, stop.stdout) == (1, b"cliplint server is not running\n")


_LEFT_SOCKET = """
import socket
from cliplint.served import socket_path
socket.socket(socket.AF_UNIX).bind(socket_path())
"""


def test_start_stop_and_status(server: Served) -> None:
    again = server.run("server", "start", cwd=server.folder)
    assert again.returncode == 0 and b"already running" in again.stdout
    status = server.status()
    assert status is not None and status["served"] == 0 and status["running"] == 0
    said = server.run("server", "status", cwd=server.folder)
    assert said.returncode == 0 and b"cliplint server running (pid " in said.stdout
    stopped = server.run("server", "stop", cwd=server.folder)
    assert stopped.returncode == 0 and b"cliplint server stopped" in stopped.stdout
    pid = status["pid"]
    assert isinstance(pid, int)
    _wait_gone(pid)
    assert not list(server.folder.glob("*.sock"))
    assert server.run("server", "status", cwd=server.folder).returncode == 1


def test_a_relative_sockets_folder_is_the_working_folders(short_folder: Path) -> None:
    # The server runs in /: it must be handed the folder the command meant.
    environment = {**_environment(short_folder / "servers", short_folder / "cache"),
                   "CLIPLINT_SERVER_DIR": "servers"}
    server = Served(short_folder / "servers", environment)
    started = server.run("server", "start", cwd=short_folder)
    assert started.returncode == 0, started.stderr + server.log().encode()
    try:
        assert list(server.folder.glob("*.sock"))
        archive = _archive(short_folder)
        linted = server.run(".", cwd=archive, env={"CLIPLINT_SERVER_DIR": "../servers"})
        assert linted.returncode == 1 and b"aggregator-boilerplate" in linted.stdout
        said = server.run("server", "status", "--json", cwd=short_folder)
        assert said.returncode == 0 and json.loads(said.stdout)["served"] == 1
    finally:
        stopped = server.run("server", "stop", cwd=short_folder)
    assert stopped.returncode == 0 and b"cliplint server stopped" in stopped.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root, to connect as another user")
def test_another_user_is_refused(server: Served) -> None:
    # Opened to everyone after the start checked it: the socket's peer is still checked.
    server.folder.parent.chmod(0o755)
    server.folder.chmod(0o755)
    for socket_file in server.folder.glob("*.sock"):
        socket_file.chmod(0o666)
    # Everything imported first: the other user cannot read this Python's files. A raw
    # request: cliplint's own client would not even connect to another user's folder.
    script = ("import os, socket, zlib; from cliplint.served import socket_path; "
              "path = socket_path(); os.setgid(65534); os.setuid(65534); "
              "client = socket.socket(socket.AF_UNIX); client.connect(path)\n"
              "try: client.sendall(bytes(7) + bytes([20]) + b'{\"command\": \"status\"}')\n"
              "except OSError: pass\n"
              "print(client.recv(4096))")
    done = subprocess.run([sys.executable, "-c", script], env=server.environment,
                          cwd="/", capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert b"the client runs as user 65534" in done.stdout
    # cliplint's own client trusts no server in a folder others can enter.
    assert server.status() is None
    server.folder.chmod(0o700)
    assert server.served() == 0


def test_the_servers_code_check_sees_an_edit(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    module = write(tmp_path / "edited_module_for_the_check.py", "VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("edited_module_for_the_check")
    try:
        files = module_files()
        assert str(module) in files and changed_files(files) == []
        module.write_text("VALUE = 2\n", encoding="utf-8")  # the same size
        os.utime(module, ns=(time.time_ns(), files[str(module)][1] + 1))
        assert changed_files(files) == [str(module)]
        files = module_files()
        module.write_text("VALUE = 22\n", encoding="utf-8")
        os.utime(module, ns=(time.time_ns(), files[str(module)][1]))  # the same time
        assert changed_files(files) == [str(module)]
    finally:
        sys.modules.pop("edited_module_for_the_check", None)


def _running(server: Served) -> int:
    status = server.status()
    assert status is not None
    running = status["running"]
    assert isinstance(running, int)
    return running


def _wait_for(condition: object, seconds: float = 60) -> None:
    assert callable(condition)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_ctrl_c_as_the_copy_sets_up_the_run_is_an_interrupted_run(tmp_path: Path) -> None:
    # The server counts a run from its fork: Ctrl-C may reach the copy before the
    # command's own handler does (seen in CI: the client then said "the server went
    # away" and exited 3). Here it arrives as the copy takes the client's attributes.
    from cliplint import server

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy
        try:
            os.close(read_end)

            def interrupted(process: object) -> None:
                raise KeyboardInterrupt

            server._take_attributes = interrupted  # type: ignore[assignment]
            request = {"cwd": str(tmp_path), "env": dict(os.environ), "process": {},
                       "argv": ["cliplint", "."]}
            server._run_copy(request, {2: write_end}, set())  # (exits)
        finally:
            os._exit(99)  # never back into pytest
    os.close(write_end)
    said = b""
    while chunk := os.read(read_end, 4096):
        said += chunk
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 130
    assert said == b"cliplint: interrupted\n"


@contextmanager
def _one_run() -> Iterator[tuple[cliplint.server._Run, socket.socket, selectors.BaseSelector,
                                 cliplint.server._State]]:
    """A run started in this process as the server starts one (``_start_run``), over a
    socket pair: the run, the client's end, the server's selector and state. The copy is
    killed at the end."""
    ours, theirs = socket.socketpair()
    events = selectors.DefaultSelector()
    listener = socket.socket(socket.AF_UNIX)
    state = cliplint.server._State(listener, "/nonexistent/cliplint.sock", 0)
    try:
        cliplint.server._start_run(ours, {"descriptors": [], "cwd": "/nonexistent"}, [],
                                   events, state)
        (run,) = state.runs.values()
        try:
            yield run, theirs, events, state
        finally:
            try:
                os.kill(run.pid, signal.SIGKILL)
                os.waitpid(run.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
    finally:
        for item in (ours, theirs, listener, events):
            item.close()


def test_a_run_is_its_own_process_group_before_its_copy_runs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Seen in CI: a client killed as its run started. The copy had not made its process
    # group yet, the server's kill of that group found none, and the --watch run went on
    # for ever, with no client (the server could not stop).
    def slow_copy(*_: object) -> None:
        try:
            cliplint.server._close_inherited()  # the client's end too, as a copy does
            time.sleep(60)  # not yet at its own setpgid
        finally:
            os._exit(0)

    monkeypatch.setattr(cliplint.server, "_run_copy", slow_copy)
    with _one_run() as (run, client, events, state):
        assert os.getpgid(run.pid) == run.pid
        client.close()
        cliplint.server._client_said(run.connection, events, state)
        _, status = os.waitpid(run.pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_a_terminate_as_the_copy_starts_ends_the_copy_not_the_server(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Until the copy sets its own handler it has the server's (stop taking runs, remove
    # the socket): SIGTERM coming then, as a client is terminated, must end the copy.
    read_end, write_end = os.pipe()
    real_fork = os.fork

    def fork_then_terminated() -> int:
        pid = real_fork()
        if pid == 0:
            os.kill(os.getpid(), signal.SIGTERM)
        return pid

    previous = signal.signal(signal.SIGTERM, lambda *_: os.write(write_end, b"server's"))
    monkeypatch.setattr(os, "fork", fork_then_terminated)
    try:
        with _one_run() as (run, _, _, _):
            monkeypatch.undo()
            _, status = os.waitpid(run.pid, 0)
    finally:
        signal.signal(signal.SIGTERM, previous)
        os.close(write_end)
    said = os.read(read_end, 64)
    os.close(read_end)
    assert said == b""
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM


def test_idle_connections_hold_up_no_run(server: Served, short_folder: Path) -> None:
    # The server read each connected client's request in turn, waiting up to 5 s for
    # each: thirty that said nothing held a real command up for 150 s.
    import socket

    archive = _archive(short_folder)
    [path] = server.folder.glob("*.sock")
    idle = [socket.socket(socket.AF_UNIX) for _ in range(30)]
    try:
        for connection in idle:
            connection.connect(str(path))
        before = server.served()
        done = server.run(".", cwd=archive)
        assert (done.returncode, done.stderr) == (1, b"")
        assert server.served() == before + 1
    finally:
        for connection in idle:
            connection.close()


def test_a_stopped_server_is_not_waited_for(server: Served, short_folder: Path) -> None:
    # `kill -STOP` on the server (or a server wedged): the command waited forever.
    archive = _archive(short_folder)
    status = server.status()
    assert status is not None and isinstance(status["pid"], int)
    here = server.run(".", cwd=archive, served=False)
    os.kill(status["pid"], signal.SIGSTOP)
    try:
        there = server.run(".", cwd=archive)
    finally:
        os.kill(status["pid"], signal.SIGCONT)
    assert (there.returncode, there.stdout) == (here.returncode, here.stdout)
    said = there.stderr.decode()
    assert re.fullmatch(r"cliplint: the server \(\S+\.sock\) did not start the run within 5 s; "
                        r"running it here \(`cliplint server status` says why; "
                        r"CLIPLINT_NO_SERVER=1 runs without it\)\n", said), said
    # (status, not stop, which refuses a server that does not answer: status says it is
    # stopped and how to continue it, test_server_commands_say_a_stopped_server_does_not_answer)
    # Continued, the server finds the command gone (its streams never sent): it does
    # not run it as well.
    _wait_for(lambda: "refused a run: a request cut short" in server.log())
    assert server.served() == 0


def test_server_commands_say_a_stopped_server_does_not_answer(server: Served,
                                                               short_folder: Path) -> None:
    # `kill -STOP` on the server: status and stop waited 5 s and said "not running" (exit
    # 1), start waited 35 s and said it "did not answer within 30 s" of the server it had
    # started beside it; the stop, read once the server went on, stopped it after all.
    status = server.status()
    assert status is not None and isinstance(status["pid"], int)
    pid = status["pid"]
    os.kill(pid, signal.SIGSTOP)
    try:
        # The three at once: each waits its 5 s for the stopped server on its own.
        with ThreadPoolExecutor(3) as pool:
            said = dict(zip(("status", "stop", "start"), pool.map(
                lambda action: server.run("server", action, cwd=short_folder),
                ("status", "stop", "start"))))
    finally:
        os.kill(pid, signal.SIGCONT)
    for action, done in said.items():
        assert (done.returncode, done.stdout) == (2, b""), (action, done)
        assert re.fullmatch(rf"cliplint: error: the server \(pid {pid}, socket \S+\.sock\) "
                            rf"does not answer within 5 s: it is stopped \(kill -STOP\); "
                            rf"`kill -CONT {pid}` continues it\n", done.stderr.decode()), done
    # Continued, it ignores the stop its command gave up on, and serves on.
    _wait_for(lambda: "ignored a stop: its command went away unanswered" in server.log())
    after = server.status()
    assert after is not None and (after["pid"], after["stopping"]) == (pid, False)


def test_a_socket_path_too_long_is_said_plainly(short_folder: Path) -> None:
    folder = short_folder / ("x" * 120)
    server = Served(folder, _environment(folder, short_folder / "cache"))
    started = server.run("server", "start", cwd=short_folder)
    assert started.returncode == 2
    assert re.fullmatch(rb"cliplint: error: the server did not start: the socket's path \S+ "
                        rb"has 1[0-9]{2} bytes, more than a Unix socket's 107: set "
                        rb"CLIPLINT_SERVER_DIR to a shorter folder\n", started.stderr), started.stderr
    assert not folder.exists()


def test_a_sockets_folder_that_is_a_file_is_said_plainly(short_folder: Path) -> None:
    folder = write(short_folder / "file", "")
    for where, said in ((folder, f"{folder} is not a folder"),
                        (folder / "sub", f"the folder {folder / 'sub'} cannot be made: "
                                         "Not a directory")):
        server = Served(where, _environment(where, short_folder / "cache"))
        started = server.run("server", "start", cwd=short_folder)
        assert (started.returncode, started.stderr.decode()) == (
            2, f"cliplint: error: the server did not start: {said}\n")
        status = server.run("server", "status", "--json", cwd=short_folder)
        assert status.returncode == 1
        said = json.loads(status.stdout)
        assert said == {"pid": None, "socket": said["socket"]}
        assert re.fullmatch(rf"{re.escape(str(where))}/[0-9a-f]{{8}}\.sock", said["socket"])
