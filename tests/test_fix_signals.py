"""SIGTERM ends a ``--fix`` run as Ctrl-C does: no temporary file is left, no file is
half-written, the main process waits for its workers' files; then the command ends by
SIGTERM (exit status 143 in a shell).
Real processes, real files, real signals. A plugin rule holds one file's worker at a
known point (FIFOs: no timing) while the signal is sent."""

from __future__ import annotations

import os
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

def _clipping(number: int) -> str:
    # A timestamp in seconds: a safe fix, in every file.
    text = (GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->")
            .replace("A good title", f"Story {number}").replace("/a/1", f"/a/{number}"))
    return text.replace("Some article text.", "HOLD") if number == 0 else text


def _fixed(original: bytes) -> bytes:
    return original.replace(b"<!--1686778744-->", b"<!--1686778744000-->")


def _fix_run(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """A ``--fix --jobs 2`` run of its own process group over FILES clippings, its first
    file's worker held; the run, the tree and the folder of the FIFOs."""
    tree = tmp_path / "tree"
    for number in range(FILES):
        write(tree / f"{number:03}.md", _clipping(number))
    installed, hold = hold_rule(tmp_path)
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")},
                   "CLIPLINT_NO_SERVER": "1", **installed,
                   "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    run = subprocess.Popen(
        [sys.executable, "-m", "cliplint", "--isolated", "--no-cache", "--fix", "--jobs", "2",
         "--extend-select", "hold/hold", "."],
        cwd=tree, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
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
