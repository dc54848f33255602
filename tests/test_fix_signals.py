"""SIGTERM ends a ``--fix`` run as Ctrl-C does: no temporary file is left, no file is
half-written, the main process waits for its workers' files; then the command ends by
SIGTERM (exit status 143 in a shell).
Real processes, real files, real signals. A plugin rule holds one file's worker at a
known point (FIFOs: no timing) while the signal is sent."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, hold_rule, signalled, write

from cliplint.writer import TEMPORARY_SUFFIX

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and signals")

FILES = 60  # enough for the worker pool (runner.MIN_FILES_FOR_POOL), in chunks of 7

def _clipping(number: int, held: int = 0) -> str:
    # A timestamp in seconds: a safe fix, in every file.
    text = (GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->")
            .replace("A good title", f"Story {number}").replace("/a/1", f"/a/{number}"))
    return text.replace("Some article text.", "HOLD") if number == held else text


def _fixed(original: bytes) -> bytes:
    return original.replace(b"<!--1686778744-->", b"<!--1686778744000-->")


def _fix_run(tmp_path: Path, *, held: int = 0, files: int = FILES, jobs: int = 2,
             arguments: tuple[str, ...] = ()) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """A ``--fix --jobs 2`` run (or as ``jobs`` and ``arguments`` say) of its own process
    group over FILES clippings (or ``files``), the process fixing the first (or
    ``held``) held; the run, the tree and the folder of the FIFOs. Its standard output
    goes to the file ``stdout`` beside the tree."""
    tree = tmp_path / "tree"
    for number in range(files):
        write(tree / f"{number:03}.md", _clipping(number, held))
    installed, hold = hold_rule(tmp_path)
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")},
                   "CLIPLINT_NO_SERVER": "1", **installed,
                   "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    with open(tmp_path / "stdout", "wb") as stdout:
        run = subprocess.Popen(
            [sys.executable, "-m", "cliplint", "--isolated", "--no-cache", "--fix", "--jobs",
             str(jobs), "--extend-select", "hold/hold", *arguments, "."],
            cwd=tree, env=environment, stdout=stdout, stderr=subprocess.PIPE,
            start_new_session=True)  # its own process group, as a shell's job
    return run, tree, hold


def _check_tree(tree: Path, held_finished: bool) -> None:
    """No temporary file; every file whole (as it was, or fixed); the held one fixed when
    its worker was to finish it; the files after the running chunks never started."""
    assert not [path.name for path in tree.iterdir() if path.name.endswith(TEMPORARY_SUFFIX)]
    states = []
    for number in range(FILES):
        data, original = (tree / f"{number:03}.md").read_bytes(), _clipping(number).encode()
        assert data in (original, _fixed(original)), f"{number:03}.md is half-written"
        states.append(data == original)
    assert states[0] is not held_finished, "the held file was not finished, or was"
    assert any(states), "the run was not ended early"


@pytest.mark.parametrize("to", ["main process", "process group"])
def test_sigterm_during_fix_lets_the_workers_finish_their_files(tmp_path: Path,
                                                                to: str) -> None:
    """``kill -TERM PID`` (the main process alone): the workers finish the files they are
    on, the held one too. The whole group (``kill -TERM -PGID``, as a CI runner or
    systemd stopping a job does): the workers end too, but none while writing a file
    (the held one was not being written: it stays as it was). Both: a clean end."""
    run, tree, hold = _fix_run(tmp_path)
    to_whom = os.kill if to == "main process" else os.killpg
    worker, stderr = signalled(run, hold, lambda pid: to_whom(pid, signal.SIGTERM))
    assert worker != run.pid, "the first file was not fixed in a worker process"
    # Ended by SIGTERM after all, once clean (a shell says 143, 128 + 15).
    assert run.returncode == -signal.SIGTERM, (run.returncode, stderr)
    assert stderr.decode().endswith("cliplint: terminated\n"), stderr
    assert worker  # (it ran)
    _check_tree(tree, held_finished=to == "main process")


#: replace_file with a real signal arriving while its temporary file exists (the
#: comparison with the bytes the fix was made from, ``expected``, sends it): SIGINT as the
#: main process handles it (KeyboardInterrupt), or SIGTERM as a worker takes it (it ends
#: the process).
_IN_PROCESS = textwrap.dedent('''
    import os, signal, sys
    from cliplint.writer import replace_file

    number = signal.Signals[sys.argv[2]]
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    class Signalling(bytes):
        def __ne__(self, other):  # the file read again, right before the rename
            os.kill(os.getpid(), number)
            return bytes.__ne__(self, other)

    target = sys.argv[1]
    old = open(target, "rb").read()
    try:
        replace_file(target, b"new bytes\\n", expected=Signalling(old))
    except KeyboardInterrupt:
        print("interrupted")
''')


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_signal_while_a_file_is_written_leaves_no_temporary(tmp_path: Path,
                                                              name: str) -> None:
    """Ctrl-C or SIGTERM arrives while the temporary file exists: it takes effect once the
    file is in place, in the main process (a few files: no workers) as in a worker."""
    target = write(tmp_path / "a.md", "old bytes\n")
    done = subprocess.run([sys.executable, "-c", _IN_PROCESS, str(target), name],
                          capture_output=True, text=True, timeout=60)
    if name == "SIGINT":
        assert done.stdout == "interrupted\n", done.stderr  # the signal was not lost
    else:
        assert done.returncode == -signal.SIGTERM, done.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.md"]
    assert target.read_bytes() == b"new bytes\n"  # written whole before it was handled


def _fixed_on_disk(tree: Path, files: int, held: int) -> int:
    """How many of the tree's files hold their fixed bytes; every other one holds its old
    bytes (checked: none half-written)."""
    fixed = 0
    for number in range(files):
        data, original = (tree / f"{number:03}.md").read_bytes(), _clipping(number, held).encode()
        assert data in (original, _fixed(original)), f"{number:03}.md is half-written"
        fixed += data != original
    return fixed


@pytest.mark.parametrize("report", ["text", "json"])
def test_an_interrupted_fix_says_what_it_fixed_before(tmp_path: Path, report: str) -> None:
    """Ctrl-C in the middle of a one-process ``--fix``: standard error says how many
    files were fixed (the five before the held one) and that the others were not
    changed, before ``interrupted``; the exit status stays 130, and standard output
    gets no report, half a JSON document least of all. ``--diff`` (whose report is
    the text one), which writes nothing, says nothing of fixes."""
    for mode in ("--fix", "--diff"):
        where = tmp_path / mode.lstrip("-")
        where.mkdir()
        run, tree, hold = _fix_run(where, held=5, files=10, jobs=1, arguments=(
            "--format", report) if mode == "--fix" else ("--diff",))
        worker, stderr = signalled(run, hold, lambda pid: os.killpg(pid, signal.SIGINT))
        assert worker == run.pid  # (one process)
        assert run.returncode == 130, stderr
        assert (where / "stdout").read_bytes() == b""
        if mode == "--diff":
            assert stderr.decode() == "cliplint: interrupted\n"
            assert _fixed_on_disk(tree, 10, held=5) == 0
            continue
        assert stderr.decode() == (
            "cliplint: fixed 5 problems in 5 files before the run was stopped; the other 5 "
            "files were not changed\ncliplint: interrupted\n")
        assert _fixed_on_disk(tree, 10, held=5) == 5


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_a_stopped_fix_counts_the_files_its_workers_finish(tmp_path: Path, name: str) -> None:
    """``--jobs 2``, the signal sent to the whole process group (Ctrl-C in a shell,
    ``kill -TERM -PGID``) while the held file's worker is on the seventh file of its
    chunk. Ctrl-C: the workers finish their chunks, and the main process counts what
    they wrote. SIGTERM ends the workers too, before they can say what they fixed: the
    files they had fixed (the held worker's first six, at least) are counted from the
    disk. Either way the count is the files fixed on disk."""
    run, tree, hold = _fix_run(tmp_path, held=6)  # the last file of the first chunk
    number = signal.Signals[name]
    worker, stderr = signalled(run, hold, lambda pid: os.killpg(pid, number))
    assert worker != run.pid, "the held file was not fixed in a worker process"
    fixed = _fixed_on_disk(tree, FILES, held=6)
    assert fixed < FILES, "the run was not ended early"
    said = stderr.decode()
    if name == "SIGINT":
        assert run.returncode == 130, said
        assert fixed >= 7, "the held worker did not finish its chunk"
        assert said == (f"cliplint: fixed {fixed} problems in {fixed} files before the run was "
                        f"stopped; the other {FILES - fixed} files were not changed\n"
                        "cliplint: interrupted\n")
        return
    assert run.returncode == -signal.SIGTERM, said
    # Some chunks may have come back whole before the signal (not the held one).
    counted = re.fullmatch(
        r"cliplint: (?:fixed (\d+) problems in \1 files before the run was stopped, and "
        r"(\d+) more|(\d+)) files were fixed by worker processes the signal ended before they "
        r"said which problems; the other (\d+) files were not changed\ncliplint: terminated\n",
        said)
    assert counted is not None, said
    reported, unreported = int(counted[1] or 0), int(counted[2] or counted[3])
    assert unreported >= 6, said  # the held worker's files before the held one
    assert (reported + unreported, int(counted[4])) == (fixed, FILES - fixed), said


#: A ``--fix`` run (``main``) in which Ctrl-C comes as a file is renamed into place
#: ("rename:2": the second; held meanwhile, raised once it is: that file is fixed), or
#: as the report is written, once every file is done (a real signal, sent from a
#: profile hook). With "refused", fork() fails as under a limit on the user's processes
#: (which root, running this suite, is not held to: the one thing faked), and the
#: workers' chunks are fixed in the main process.
_SIGNAL_AT = textwrap.dedent('''
    import errno, os, signal, sys
    from cliplint.cli import main

    renames = []

    at, _, count = sys.argv[1].partition(":")

    def profile(frame, event, function):
        if at == "rename" and event == "c_call" and function is os.replace:
            renames.append(function)
            if len(renames) == int(count):
                os.kill(os.getpid(), signal.SIGINT)
        elif at == "report" and event == "call" and (
                frame.f_code.co_name == "write_report"):
            os.kill(os.getpid(), signal.SIGINT)

    def refused():
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    if sys.argv[2] == "refused":
        os.fork = refused
    sys.setprofile(profile)
    sys.exit(main(sys.argv[3:]))
''')


@pytest.mark.parametrize(("at", "jobs", "said"), [
    ("rename:2", 1, "fixed 2 problems in 2 files before the run was stopped; the other 28 "
                    "files were not changed"),
    # Two workers refused: the main process fixes their chunks (of 3 files), and says
    # what the chunk it was on had fixed; and, stopped in the fifth chunk (fixed as the
    # first one's results wait to be taken), the four before too.
    ("rename:2", 2, "fixed 2 problems in 2 files before the run was stopped; the other 28 "
                    "files were not changed"),
    ("rename:14", 2, "fixed 14 problems in 14 files before the run was stopped; the other "
                     "16 files were not changed"),
    ("report", 1, "fixed 30 problems in 30 files before the run was stopped"),
])
def test_a_fix_stopped_as_a_file_is_renamed_or_reported_counts_it(
        tmp_path: Path, at: str, jobs: int, said: str) -> None:
    """Ctrl-C while a file is renamed into place waits for it, and the file is counted;
    once every file is fixed (as the report is written), they are all counted."""
    for number in range(30):
        write(tmp_path / f"{number:03}.md", _clipping(number, held=-1))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")}
    done = subprocess.run(
        [sys.executable, "-c", _SIGNAL_AT, at, "refused" if jobs > 1 else "-", "--isolated",
         "--no-cache", "--fix", "--jobs", str(jobs), "."],
        cwd=tmp_path, env={**environment, "CLIPLINT_NO_SERVER": "1"}, capture_output=True,
        timeout=120)
    assert done.returncode == 130, done.stderr
    refusal = ("cliplint: cannot start worker processes (Resource temporarily unavailable): "
               "linting in this process\n" if jobs > 1 else "")
    assert done.stderr.decode() == f"{refusal}cliplint: {said}\ncliplint: interrupted\n"
    assert done.stdout == b""
    assert _fixed_on_disk(tmp_path, 30, held=-1) == int(said.split()[1])
