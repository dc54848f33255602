"""Work that costs time, counted rather than timed: parsers built, objects left for the
garbage collector. (Speed itself is measured in benchmarks/run.py.)"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cliplint import html_parse

BODIES = [
    "<div><i>Wed, 14 Jun 2023 21:03:30 GMT</i></div><p>One <b>two <i>three</b> four</i></p>",
    "<table><tr><td>cell<img src=x></table><ul><li>a<li>b</ul><p>left open",
    "<p>text &amp; more</p><script>var x = '<p>';</script><!-- a comment --></div>",
]


@pytest.fixture()
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_one_parser_serves_every_body(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    original = html_parse._SpanParser.__init__

    def counting(self: html_parse._SpanParser, *args: object, **kwargs: object) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(html_parse._SpanParser, "__init__", counting)
    monkeypatch.setattr(html_parse, "_PARSERS", threading.local())
    views = [html_parse.parse_body(body, 0, len(body)) for body in BODIES * 5]
    assert len(built) == 1
    # Each view keeps its own parse: reuse leaks nothing from one body into the next.
    again = [html_parse.parse_body(body, 0, len(body)) for body in BODIES]
    for view, fresh in zip(views, again * 5):
        assert view.tokens == fresh.tokens and view.errors == fresh.errors
        assert html_parse.ElementTree.tostring(view.fragment) == html_parse.ElementTree.tostring(
            fresh.fragment)
        assert len(view.start_tags) == len(fresh.start_tags) > 0


def test_a_parse_leaves_no_cycles(collector_off: None) -> None:
    for body in BODIES:  # the parser itself is built (and kept) once
        html_parse.parse_body(body, 0, len(body))
    gc.collect()
    for body in BODIES * 10:
        view = html_parse.parse_body(body, 0, len(body))
        del view
    # Each parse made hundreds of objects; none of them needs the collector.
    assert gc.collect() == 0


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
_ENTRY = """
import atexit, sys, threading
atexit.register(print, "teardown ran")
if sys.argv[1] == "thread":  # alive until the interpreter shuts down
    threading.Thread(target=threading.main_thread().join).start()
sys.argv[1:2] = []
from cliplint.cli import entry
entry()
"""


def _entry(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _ENTRY, *arguments], capture_output=True,
                          text=True, check=False)


def test_the_command_exits_without_teardown_after_writing_everything() -> None:
    completed = _entry("plain", "--isolated", "--no-cache", "--format", "json", str(EXAMPLES))
    assert completed.returncode == 1  # the examples have problems
    report = json.loads(completed.stdout)  # flushed whole, though the exit skipped teardown
    assert report["version"] == 1 and report["problems"]
    assert "teardown ran" not in completed.stdout


def test_a_running_thread_gets_the_ordinary_exit() -> None:
    completed = _entry("thread", "--isolated", "--no-cache", "--format", "json", str(EXAMPLES))
    assert completed.returncode == 1
    assert completed.stdout.rstrip().endswith("teardown ran")


def _clipping(number: int) -> str:
    return (f"<!--{1_600_000_000_000 + number}-->\n[Story {number}](https://x.org/s/{number})\n"
            f"------\n\n<p>Text of story {number} &amp; <b>more</p>\n")


def test_a_warm_run_reads_no_unchanged_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from cliplint import runner
    from cliplint.cli import main

    folder = tmp_path / "archive"
    folder.mkdir()
    long_ago = 1_600_000_000
    for number in range(5):
        path = folder / f"{number}.md"
        path.write_text(_clipping(number), encoding="utf-8")
        os.utime(path, (long_ago, long_ago))
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    read: list[str] = []
    real = runner.read_with_stat

    def counted(path: str, max_size: int):  # type: ignore[no-untyped-def]
        read.append(os.path.basename(path))
        return real(path, max_size)

    monkeypatch.setattr(runner, "read_with_stat", counted)
    arguments = ["--isolated", "--format", "json", "--jobs", "1", "archive"]
    assert main(["--no-cache", *arguments]) == 1
    expected = capsys.readouterr().out
    assert main(arguments) == 1  # fills the cache
    assert capsys.readouterr().out == expected and len(read) == 5
    read.clear()
    assert main(arguments) == 1
    assert capsys.readouterr().out == expected
    assert read == []  # every file's size and modification time were as remembered
    # The same size, another content and modification time: read again, and linted.
    changed = folder / "3.md"
    changed.write_text(_clipping(3).replace("more", "MORE"), encoding="utf-8")
    os.utime(changed, (long_ago + 60, long_ago + 60))
    assert main(arguments) == 1
    # Only the changed file, twice: read and hashed to be looked up (its status is not
    # the one remembered), then read again to be linted (its entry is missing).
    assert read == ["3.md", "3.md"]
    assert capsys.readouterr().out == expected.replace("more", "MORE")
