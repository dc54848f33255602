"""The XDG base directory variables: a relative one is ignored, as their specification
says, so that nothing of the user's own (their cache key here; their trusted
configuration in test_doors.py) is ever read from or put in the folder a run starts in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import ROOT, run_cliplint, write

from cliplint.served import server_dir
from cliplint.xdg import xdg_folder


@pytest.mark.parametrize(("value", "expected"), [
    ("/home/me/.cache", "/home/me/.cache"), ("", None), ("cache", None), ("./cache", None),
    ("~/.cache", None),  # no shell expanded it: a relative path too
])
def test_only_an_absolute_folder_counts(monkeypatch: pytest.MonkeyPatch, value: str,
                                        expected: str | None) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", value)
    assert xdg_folder("XDG_CACHE_HOME") == expected


def test_a_relative_cache_home_keeps_the_key_out_of_the_archive(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write(archive / "a.md", (ROOT / "examples" / "harbour-reopens.md").read_text(encoding="utf-8"))
    home = tmp_path / "home"
    run = run_cliplint(".", cwd=archive, env={"HOME": str(home), "XDG_CACHE_HOME": "keys"})
    assert run.status in (0, 1), run.stderr
    assert not (archive / "keys").exists()
    assert (home / ".cache" / "cliplint" / "cache-key").is_file()


def test_the_sockets_folder_is_absolute(monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLIPLINT_SERVER_DIR", "servers")
    assert server_dir() == str(tmp_path / "servers")
    monkeypatch.delenv("CLIPLINT_SERVER_DIR")
    monkeypatch.setenv("XDG_RUNTIME_DIR", "run")
    assert server_dir() == f"/tmp/cliplint-{os.getuid()}"
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    assert server_dir() == str(tmp_path / "run" / "cliplint")


def test_a_run_in_the_test_process_has_the_process_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite's in-process runs had an empty environment (conftest cleared os.environ
    # before reading it): with XDG_CACHE_HOME set, their cache key went to ~/.cache, and a
    # run in a new process ignored the rows they signed.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    write(tmp_path / "a.md", "no header\n")
    run_cliplint("--isolated", "a.md", cwd=tmp_path)
    assert (tmp_path / "home-cache" / "cliplint" / "cache-key").is_file()
