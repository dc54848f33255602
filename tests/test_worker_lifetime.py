"""Workers die with the main process: after ``kill -9`` of a ``--fix`` run, no worker goes
on writing files or waits forever, and every file is whole (its original bytes or its
fixed ones). Real processes, real files, real signals; processes are seen in /proc."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, process_runs, process_status, run_cliplint, write

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

FILES = 60


def _clipping(number: int) -> str:
    # A timestamp in seconds (a safe fix) and a body long enough that fixing takes a while.
    paragraphs = "".join(f"<p>Paragraph {i} of story {number}, with <b>some</b> text.</p>"
                         for i in range(100))
    return (GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->")
            .replace("A good title", f"Story {number}").replace("/a/1", f"/a/{number}")
            .replace("<p>Some article text.</p>", paragraphs))


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            status = process_status(int(entry))
            if status is not None and status[1] == pid:
                found.append(int(entry))
    return found


def _wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_kill_9_of_the_main_process_ends_its_workers(tmp_path: Path) -> None:
    originals = tmp_path / "originals"
    for number in range(FILES):
        write(originals / f"{number:03}.md", _clipping(number))
    tree = tmp_path / "tree"
    shutil.copytree(originals, tree)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")}
    main = subprocess.Popen([sys.executable, "-m", "cliplint", "--isolated", "--no-cache",
                             "--fix", "--jobs", "2", "."], cwd=tree, env=environment,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        def fixing() -> bool:  # the workers have started writing fixed files
            return any(path.read_bytes() != (originals / path.name).read_bytes()
                       for path in tree.glob("*.md"))

        assert _wait_for(lambda: fixing() or main.poll() is not None, 240)
        workers = _children(main.pid)
        assert main.poll() is None and len(workers) >= 2, "the run ended before the kill"
        os.kill(main.pid, signal.SIGKILL)
        main.wait()
        assert _wait_for(lambda: not any(process_runs(pid) for pid in workers), 5), \
            [process_status(pid) for pid in workers]
    finally:
        if main.poll() is None:
            main.kill()
            main.wait()
        for pid in workers:  # a failed test leaves no process behind
            if process_runs(pid):
                os.kill(pid, signal.SIGKILL)

    states = {"original": 0, "fixed": 0}
    for path in sorted(tree.glob("*.md")):
        data, original = path.read_bytes(), (originals / path.name).read_bytes()
        if data == original:
            states["original"] += 1
        else:
            assert data == _fixed(original), f"{path.name} is half-written"
            states["fixed"] += 1
    assert states["fixed"] and states["original"]  # killed half-way
    # What a worker was writing when it was killed is a temporary file: the next run
    # removes it, and fixes the rest.
    again = run_cliplint("--isolated", "--no-cache", "--fix", ".", cwd=tree)
    assert again.status == 0, again.stderr
    assert sorted(p.name for p in tree.iterdir()) == sorted(p.name for p in originals.iterdir())
    assert all(path.read_bytes() == _fixed((originals / path.name).read_bytes())
               for path in tree.iterdir())


def _fixed(original: bytes) -> bytes:
    return original.replace(b"<!--1686778744-->", b"<!--1686778744000-->")


def test_a_worker_prints_on_standard_error() -> None:
    # A worker writes no report, but shares the command's standard output: where workers
    # start by forkserver (Python 3.14's default on Linux), they import the plugins as
    # they unpickle their work, after the initializer, and a plugin's print went into it.
    script = ("import os, sys\nfrom cliplint.runner import _start_worker\n"
              "_start_worker(os.getppid())\nprint('from the worker')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=True)
    assert (done.stdout, done.stderr) == ("", "from the worker\n")
