"""Shared test helpers: run the real command line, and build throwaway plugin
distributions that importlib.metadata finds on PYTHONPATH (no mocks of entry points)."""

from __future__ import annotations

import errno
import functools
import io
import itertools
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The real data, beside the checkout as in CI: the corpora, the VOA example, the SARIF
#: schema. A test that reads it carries the marker ``@pytest.mark.shared``: without
#: ../shared (a fresh clone) it is skipped, saying why; with it, it runs.
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "oped2"
EXAMPLE = SHARED / "examples" / "voa-blinken.md"
SHARED_ABSENT = (f"needs ../shared beside the checkout (the real corpora, examples/voa-blinken.md, "
                 f"the SARIF schema), and {SHARED} is absent")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "shared: the test reads ../shared (skipped without it)")
    # The suite run in GitHub Actions: the text report is wrapped there (::stop-commands::),
    # and every test but those of that wrapping expects it plain. Dropped for the whole
    # session, not by an autouse fixture: that would set monkeypatch up before a test's own
    # fixtures and undo its patches after them (test_file_timeout's alarm fixtures).
    os.environ.pop("GITHUB_ACTIONS", None)
    # A shell without job control starts a background command (`pytest &` in a script)
    # with Ctrl-C ignored, which every process it starts inherits: the tests that end a
    # run with Ctrl-C (a watch, a served run, a fix) then waited for nothing and left the
    # run behind. A handler is not inherited through exec: the processes start as usual.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    _check_json_reports()


#: What is wrong with the JSON reports the current test made, by :func:`_check_json_reports`.
_INVALID_REPORTS: list[str] = []


def _check_json_reports() -> None:
    """Every JSON report a command line makes in this process is checked against the
    shipped schema as the format writes it ("every test that emits JSON validates
    against it"); :func:`run_cliplint_subprocess` checks those of a new process. A report
    that does not validate fails the test that made it (:func:`pytest_runtest_call`),
    even when the command took the error for its own and exited 3. For the session, not
    per test: see the comment in :func:`pytest_configure`."""
    from cliplint.formats import json_report

    write_stream = json_report.write_stream

    def checked(results: Any, rules: Any, options: Any, write: Callable[[str], object], /,
                **keywords: Any) -> Any:
        chunks: list[str] = []

        def kept(text: str) -> object:
            chunks.append(text)
            return write(text)

        tally = write_stream(results, rules, options, kept, **keywords)
        problem = report_problem("".join(chunks))
        if problem is not None:
            _INVALID_REPORTS.append(problem)
        return tally

    json_report.write_stream = checked


def report_problem(text: str) -> str | None:
    """What is wrong with a JSON report's text (not JSON, or not valid under
    cliplint/schemas/report.schema.json), None when nothing is."""
    import json

    import jsonschema

    try:
        jsonschema.validate(json.loads(text), _report_schema())
    except (ValueError, jsonschema.ValidationError) as error:
        return f"a JSON report that does not follow its schema: {error}"[:2000]
    return None


@functools.cache
def _report_schema() -> Any:
    import json

    return json.loads((ROOT / "cliplint" / "schemas" / "report.schema.json").read_text(
        encoding="utf-8"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    _INVALID_REPORTS.clear()
    yield
    if _INVALID_REPORTS:
        invalid = list(_INVALID_REPORTS)
        _INVALID_REPORTS.clear()
        pytest.fail("\n".join(invalid))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("shared") is not None and not SHARED.is_dir():
        pytest.skip(SHARED_ABSENT)


def require_shared(path: Path) -> Path:
    """``path`` in ../shared, or skip the test saying what is missing."""
    if not SHARED.is_dir():
        pytest.skip(SHARED_ABSENT)
    if not path.exists():
        pytest.skip(f"{path} is absent from ../shared")
    return path

GOOD_CLIPPING = (
    "<!--1686778744000-->\n"
    "[A good title](https://example.com/a/1)\n"
    "------\n"
    "\n"
    "<p>Some article text.</p>\n"
)


@dataclass(frozen=True)
class Run:
    status: int
    stdout: str
    stderr: str


def run_cliplint(
    *arguments: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> Run:
    """Run the command line as a user would, in a clean environment: in this process
    through ``cliplint.cli.main(argv)`` (its own working folder, environment, standard
    streams and exit status), or in a fresh ``python -m cliplint`` when ``env`` sets
    something only a new interpreter reads (PYTHONPATH, TZ, the cloud clients' settings)."""
    if os.environ.get(ALL_IN_SUBPROCESSES) or any(
            not name.startswith(IN_PROCESS_VARIABLES) for name in env or {}):
        return run_cliplint_subprocess(*arguments, cwd=cwd, env=env, stdin=stdin)
    return _run_in_process(list(arguments), cwd=cwd, env=env, stdin=stdin)


#: Set (to 1) to run every test's command line in a new process, as before (to tell
#: whether a failure comes from running in the test process, and to compare times).
ALL_IN_SUBPROCESSES = "CLIPLINT_TESTS_IN_SUBPROCESSES"
#: Variables cliplint reads when it runs (not when an interpreter or a library starts):
#: setting them still lets a test run in this process.
IN_PROCESS_VARIABLES = ("CLIPLINT_", "XDG_", "NO_COLOR", "CI", "HOME", "GITHUB_ACTIONS")


def _environment(env: Mapping[str, str] | None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")}
    environment.pop("NO_COLOR", None)
    environment.pop("GITHUB_ACTIONS", None)  # the suite run in Actions: reports as elsewhere
    # A resident server the developer started serves no test but the server's own.
    environment["CLIPLINT_NO_SERVER"] = "1"
    environment.update(env or {})
    return environment


def run_cliplint_subprocess(
    *arguments: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> Run:
    """Run ``python -m cliplint`` in a new process: for what only a whole process shows
    (start-up, the interpreter's own environment, signals, pipes, the exit itself)."""
    completed = subprocess.run(
        [sys.executable, "-m", "cliplint", *arguments],
        cwd=cwd,
        env=_environment(env),
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=300,
    )
    run = Run(
        completed.returncode,
        completed.stdout.decode("utf-8", "replace"),
        completed.stderr.decode("utf-8", "replace"),
    )
    if _json_report_on_stdout(arguments) and run.stdout.startswith("{"):
        problem = report_problem(run.stdout)
        assert problem is None, problem
    return run


def _json_report_on_stdout(arguments: tuple[str, ...]) -> bool:
    """Whether a command line writes a JSON report on standard output."""
    wanted = ("--format", "json") in itertools.pairwise(arguments)
    return (wanted or "--format=json" in arguments) and not any(
        argument.startswith("--output-file") for argument in arguments)


class _Captured(io.BytesIO):
    """A standard stream's bytes, still readable after the command closed the stream
    (it closes stderr when its reader went away)."""

    def close(self) -> None:
        pass


def _run_in_process(
    argv: list[str], *, cwd: Path | None, env: Mapping[str, str] | None, stdin: bytes | None
) -> Run:
    from cliplint.cli import main_status

    out, err = _Captured(), _Captured()
    streams = (sys.stdin, sys.stdout, sys.stderr)
    saved_environment, saved_folder = dict(os.environ), os.getcwd()
    environment = _environment(env)  # (from this process's: before it is cleared)
    # As in a new process with pipes: UTF-8, strict on stdout, backslashes on stderr.
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace",
                                  newline="\n", line_buffering=True)
    os.environ.clear()
    os.environ.update(environment)
    try:
        if cwd is not None:
            os.chdir(cwd)
        status = main_status(argv)
        for stream in (sys.stdout, sys.stderr):
            if not stream.closed:
                stream.flush()
    finally:
        os.chdir(saved_folder)
        os.environ.clear()
        os.environ.update(saved_environment)
        sys.stdin, sys.stdout, sys.stderr = streams
    return Run(status, out.getvalue().decode("utf-8", "replace"),
               err.getvalue().decode("utf-8", "replace"))


def rewrite_entries(cache_file: Path, change: Callable[[Any, Any, Any], list[Any]],
                    secret: bytes | None = None, key: str | None = None) -> None:
    """Rewrite the cache file's entries (the one under ``key``, when given): each becomes
    ``change(problems, records, facts)``, signed as cliplint signs what it writes, with
    this user's key or ``secret`` (another user's)."""
    import json
    import sqlite3
    from contextlib import closing

    from cliplint.cache import cache_secret, file_secret, signature

    signing = file_secret(cache_secret() if secret is None else secret, cache_file)
    with closing(sqlite3.connect(cache_file)) as connection, connection:
        rows = connection.execute("SELECT key, entry FROM entries").fetchall()
        for found, entry in rows:
            if key is None or found == key:
                entry = json.dumps(change(*json.loads(entry)))
                connection.execute("UPDATE entries SET entry = ?, mac = ? WHERE key = ?",
                                   (entry, signature(signing, "entry", found, entry), found))


def read_until_closed(descriptor: int, wait: float = 60) -> bytes:
    """What the reading end of a pipe, FIFO or terminal gives until its writers are gone
    (a terminal says so with EIO), waiting at most ``wait`` seconds for each chunk; also
    for a descriptor opened non-blocking (a FIFO opened before its writer)."""
    chunks = []
    while select.select([descriptor], [], [], wait)[0]:
        try:
            chunk = os.read(descriptor, 65536)
        except BlockingIOError:
            continue
        except OSError:  # EIO: the terminal's other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def process_status(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent, from /proc (Linux), or None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[0], int(fields[1])


def process_runs(pid: int) -> bool:
    """Whether the process still runs. A zombie does not: it has ended, and waits only
    for its parent to reap it (init, for a server that left its command; in some
    containers init reaps a second or two later, which ``kill(pid, 0)`` would wait for)."""
    status = process_status(pid)
    return status is not None and status[0] not in "ZX"


def write(path: Path, content: str | bytes) -> Path:
    """Write a file exactly (no newline translation), making its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


@pytest.fixture
def cliplint() -> Callable[..., Run]:
    return run_cliplint


def make_plugin(
    folder: Path, *, distribution: str, entry_name: str, module: str, source: str
) -> Path:
    """Write a plugin distribution (a module plus its .dist-info with an entry point in
    the ``cliplint`` group) into ``folder``; put ``folder`` on PYTHONPATH to install it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = folder / f"{distribution.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[cliplint]\n{entry_name} = {module}\n", encoding="utf-8"
    )
    return folder


#: A rule that, the first time it sees a clipping holding "HOLD", says so through the FIFO
#: ``ready`` and waits to be let go through the FIFO ``go`` (both in $HOLD_FOLDER).
HOLD_RULE = '''
"""Holds one clipping's check until the test lets it go."""
import os
import sys

from cliplint import hookimpl

ID = "hold/hold"
SEVERITY = "info"


def check(document, options):
    folder = os.environ.get("HOLD_FOLDER")
    if folder and "HOLD" in document.text:
        try:
            os.close(os.open(os.path.join(folder, "held"), os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return ()  # held once already
        with open(os.path.join(folder, "ready"), "w") as ready:
            ready.write(f"{os.getpid()}\\n")
        with open(os.path.join(folder, "go")) as go:
            go.read()
    return ()


@hookimpl
def cliplint_rules():
    return [sys.modules[__name__]]
'''


def hold_rule(where: Path) -> tuple[dict[str, str], Path]:
    """The rule ``hold/hold`` (HOLD_RULE) made in ``where``: the environment that installs
    it (and names its folder), and its folder of FIFOs (see :func:`held`, :func:`let_go`)."""
    hold = where / "hold"
    hold.mkdir()
    os.mkfifo(hold / "ready")
    os.mkfifo(hold / "go")
    site = make_plugin(where / "site", distribution="cliplint-hold", entry_name="hold",
                       module="cliplint_hold", source=HOLD_RULE)
    return {"PYTHONPATH": str(site), "HOLD_FOLDER": str(hold)}, hold


def held(run: subprocess.Popen[bytes], hold: Path) -> int:
    """Wait until the rule hold/hold holds a file (it writes its process's pid to
    ``ready``): that pid. (Opened without waiting, and looked at while the run lasts: a
    run that fails before it gets there must fail the test, not hang it.)"""
    descriptor = os.open(hold / "ready", os.O_RDONLY | os.O_NONBLOCK)
    said = b""
    try:
        while not said.endswith(b"\n"):
            try:
                said += os.read(descriptor, 64)
            except BlockingIOError:
                pass
            if run.poll() is not None:
                raise AssertionError(f"the run ended first: {run.communicate()[1]!r}")
            time.sleep(0.02)
    finally:
        os.close(descriptor)
    return int(said)


def let_go(run: subprocess.Popen[bytes], hold: Path) -> None:
    """Let the held file's process go on: open ``go`` for writing, once it waits there.
    Unless the run ends first (a worker a signal ended never opens it)."""
    while run.poll() is None:
        try:
            os.close(os.open(hold / "go", os.O_WRONLY | os.O_NONBLOCK))
            return
        except OSError as error:  # ENXIO: no reader yet (or any more)
            if error.errno != errno.ENXIO:
                raise
        time.sleep(0.02)


def signalled(run: subprocess.Popen[bytes], hold: Path,
              send: Callable[[int], object]) -> tuple[int, bytes]:
    """Once hold/hold holds a file of ``run`` (its own process group), ``send(run.pid)``
    (a signal to it or its group), let the file go and wait for the run to end: the pid
    of the process that held the file, and what the run said on standard error. A run
    still going at the end is killed with its group."""
    try:
        worker = held(run, hold)
        send(run.pid)
        let_go(run, hold)  # (the signal reached the held process first, if sent to it)
        _, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    return worker, stderr


def install_pack(source: Path, site: Path) -> Path:
    """Install the rule pack in ``source`` into the folder ``site`` as pip would lay out
    a pure-Python distribution (its packages, and a .dist-info with its metadata and
    entry points), from its own pyproject.toml: offline, and in milliseconds rather than
    the seconds of a build. Put ``site`` on PYTHONPATH to use it."""
    import shutil
    import tomllib

    project = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))
    about = project["project"]
    for package in project["tool"]["setuptools"]["packages"]:
        shutil.copytree(source / package, site / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    info = site / f"{about['name'].replace('-', '_')}-{about['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {about['name']}\n"
                                   f"Version: {about['version']}\n", encoding="utf-8")
    entry_points = "".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
        for group, points in about.get("entry-points", {}).items())
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    return site


@pytest.fixture
def plugin_env(tmp_path: Path) -> Callable[..., dict[str, str]]:
    """Build a plugin distribution and return the environment that installs it."""

    def build(**kwargs: str) -> dict[str, str]:
        folder = make_plugin(tmp_path / "site", **kwargs)  # type: ignore[arg-type]
        return {"PYTHONPATH": str(folder)}

    return build


def record_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str,
                 note: Callable[..., Any] = lambda *arguments, **keywords: arguments
                 ) -> list[Any]:
    """``owner.name`` wrapped for the test: each call runs as before, noted first — what
    ``note`` makes of its arguments (default: the positional ones). The notes, in order."""
    notes: list[Any] = []
    real = getattr(owner, name)

    def noted(*arguments: Any, **keywords: Any) -> Any:
        notes.append(note(*arguments, **keywords))
        return real(*arguments, **keywords)

    monkeypatch.setattr(owner, name, noted)
    return notes


def lint_as_the_rules_see_it(text: str, select: list[str], path: str = "-") -> list[Any]:
    """The problems the ``select``ed rules find in ``text``, past the library's refusal of
    a text that a clipping file cannot hold (a NUL: ``lint_text`` calls it a binary file,
    as the command line does the file): for tests of a rule's own exactness on any text
    html5lib reads differently from how it is written, a NUL among them."""
    from cliplint.document import Document
    from cliplint.linter import library_settings, lint_document

    rules, settings = library_settings(None, select)
    return lint_document(Document.from_text(text, path=path), rules, settings, path=path)


def traced_lines(work: Callable[[], object]) -> int:
    """How many lines of Python ``work`` runs: a measure of work that, unlike time, does
    not depend on the machine or on what else it is doing."""
    lines = 0

    def trace(frame: Any, event: str, arg: Any) -> Any:
        nonlocal lines
        lines += event == "line"
        return trace

    sys.settrace(trace)
    try:
        work()
    finally:
        sys.settrace(None)
    return lines


def require_corpus() -> Path:
    return require_shared(CORPUS)
