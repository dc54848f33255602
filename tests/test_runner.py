"""Running over many files: one parse per file, --jobs, and the result cache."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from conftest import (
    EXAMPLE,
    GOOD_CLIPPING,
    ROOT,
    record_calls,
    require_corpus,
    rewrite_entries,
    run_cliplint,
)

from cliplint import html_parse, lint_text
from cliplint.cache import run_key
from cliplint.config import resolve
from cliplint.plugins import load_registry


@pytest.mark.shared
def test_one_html_parse_per_file_serves_every_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_calls(monkeypatch, html_parse, "parse_body")
    rules = load_registry().rules
    body_rules = [rule for rule in rules if rule not in ("timestamp-comment", "title-link")]
    lint_text(EXAMPLE.read_text(encoding="utf-8"), select=["ALL"])
    assert len(calls) == (1 if body_rules else 0)


def corpus_sample(tmp_path: Path, count: int = 120) -> Path:
    corpus = require_corpus()
    sample = tmp_path / "sample"
    for path in sorted(corpus.rglob("*.md"))[::25][:count]:
        target = sample / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return sample


def problems_of(stdout: str) -> list[tuple]:
    return [(p["path"], p["line"], p["column"], p["rule"], p["message"])
            for p in json.loads(stdout)["problems"]]


@pytest.mark.shared
def test_jobs_give_the_same_results_as_one_process(tmp_path: Path) -> None:
    sample = corpus_sample(tmp_path)
    one = run_cliplint("--isolated", "--no-cache", "--jobs", "1", "--format", "json", ".", cwd=sample)
    two = run_cliplint("--isolated", "--no-cache", "--jobs", "2", "--format", "json", ".", cwd=sample)
    assert one.status == two.status
    assert problems_of(one.stdout) == problems_of(two.stdout)
    assert json.loads(two.stdout)["files_checked"] == 120
    assert problems_of(one.stdout)  # the sample has problems to compare


def test_no_more_workers_than_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # --jobs 200 over 30 files: as many workers as there are chunks to give them (30,
    # of one file each), not 200 processes started to wait for nothing.
    from cliplint import runner

    started: list[int] = []
    real = runner.process_pool

    def counted(jobs: int) -> object:
        started.append(jobs)
        return real(jobs)

    monkeypatch.setattr(runner, "process_pool", counted)
    for index in range(30):
        (tmp_path / f"{index:02}.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    many = run_cliplint("--isolated", "--no-cache", "--jobs", "200", "--format", "json", ".",
                        cwd=tmp_path)
    assert started == [30]
    one = run_cliplint("--isolated", "--no-cache", "--jobs", "1", "--format", "json", ".",
                       cwd=tmp_path)
    assert (many.status, many.stdout) == (one.status, one.stdout)
    assert json.loads(many.stdout)["files_checked"] == 30


@pytest.mark.parametrize("forks_allowed", [0, 1])
def test_workers_the_system_refuses_leave_the_run_to_the_main_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks_allowed: int) -> None:
    # fork() failing with EAGAIN, as under a limit on the user's processes (which root,
    # running this suite, is not held to: hence the patched fork, the one thing faked).
    # With one worker started before the refusal, that worker must not be left waiting.
    import errno
    import multiprocessing
    import os

    for index in range(30):
        (tmp_path / f"{index:02}.md").write_text(
            GOOD_CLIPPING if index % 3 else (ROOT / "examples" / "harbour-reopens.md").read_text(
                encoding="utf-8"),
            encoding="utf-8")
    one = run_cliplint("--isolated", "--no-cache", "--jobs", "1", "--format", "json", ".",
                       cwd=tmp_path)
    real_fork, forks = os.fork, []

    def refusing_fork() -> int:
        forks.append(1)
        if len(forks) > forks_allowed:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        return real_fork()

    monkeypatch.setattr(os, "fork", refusing_fork)
    refused = run_cliplint("--isolated", "--no-cache", "--jobs", "2", "--format", "json", ".",
                           cwd=tmp_path)
    assert (refused.status, refused.stdout) == (one.status, one.stdout)
    assert refused.stderr == ("cliplint: cannot start worker processes (Resource temporarily "
                              "unavailable): linting in this process\n")
    assert len(forks) == forks_allowed + 1 and not multiprocessing.active_children()


def test_ctrl_c_while_the_workers_start_is_an_interrupt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl-C that lands as the pool starts its manager thread (seen once for real, a
    # narrow window: hence the patched start, the one thing faked): the shutdown joined
    # the thread never started, and "internal error: RuntimeError: cannot join thread
    # before it is started", exit 3, replaced the interrupt.
    import multiprocessing
    from concurrent.futures import process

    for index in range(30):
        (tmp_path / f"{index:02}.md").write_text(GOOD_CLIPPING, encoding="utf-8")

    def interrupted(thread: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(process._ExecutorManagerThread, "start", interrupted)
    run = run_cliplint("--isolated", "--no-cache", "--jobs", "2", ".", cwd=tmp_path)
    assert (run.status, run.stderr) == (130, "cliplint: interrupted\n"), run.stderr
    assert not multiprocessing.active_children()


def test_bad_jobs_value(tmp_path: Path) -> None:
    result = run_cliplint("--jobs", "0", cwd=tmp_path)
    assert result.status == 2 and "expected a whole number from 1 to 1,000,000,000" in result.stderr


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("results-*.sqlite3"))


def cache_entries(cache_file: Path) -> dict[str, list[dict[str, object]]]:
    with closing(sqlite3.connect(cache_file)) as connection:
        rows = connection.execute("SELECT key, entry FROM entries").fetchall()
    return {key: json.loads(entry)[0] for key, entry in rows}


def test_cache_is_read_and_invalidated_by_content(tmp_path: Path) -> None:
    clip = tmp_path / "a.md"
    clip.write_text(GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->"))
    first = run_cliplint("--isolated", "--format", "json", "a.md", cwd=tmp_path)
    (cache_file,) = cache_files(tmp_path / ".cliplint_cache")
    assert (tmp_path / ".cliplint_cache" / ".gitignore").read_text().endswith("*\n")

    # Plant a marker in the stored entry: seeing it proves the next run read the cache.
    ((key, entry),) = cache_entries(cache_file).items()
    entry[0]["message"] = "from the cache"
    rewrite_entries(cache_file, lambda _, records, facts: [entry, records, facts], key=key)
    second = run_cliplint("--isolated", "--format", "json", "a.md", cwd=tmp_path)
    assert [p[4] for p in problems_of(second.stdout)] == ["from the cache"]
    assert run_cliplint("--isolated", "--no-cache", "--format", "json", "a.md",
                        cwd=tmp_path).stdout == first.stdout

    clip.write_text(clip.read_text() + "<p>more</p>\n")  # new content: the entry no longer applies
    third = run_cliplint("--isolated", "--format", "json", "a.md", cwd=tmp_path)
    assert "from the cache" not in third.stdout
    assert problems_of(third.stdout) == problems_of(first.stdout)


def test_a_manifest_of_local_files_reads_the_cache(tmp_path: Path) -> None:
    """--paths-from goes through cliplint/batches.py, which looks local files up in the
    same cache as a plain run (its look-up once crashed there: an internal error)."""
    clip = tmp_path / "a.md"
    clip.write_text(GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->"))
    (tmp_path / "list.txt").write_text("a.md\n")
    first = run_cliplint("--isolated", "--format", "json", "a.md", cwd=tmp_path)
    (cache_file,) = cache_files(tmp_path / ".cliplint_cache")
    ((key, entry),) = cache_entries(cache_file).items()
    entry[0]["message"] = "from the cache"
    rewrite_entries(cache_file, lambda _, records, facts: [entry, records, facts], key=key)
    listed = run_cliplint("--isolated", "--format", "json", "--paths-from", "list.txt",
                          cwd=tmp_path)
    assert listed.status == 1, listed.stderr
    assert [p[4] for p in problems_of(listed.stdout)] == ["from the cache"]
    assert problems_of(first.stdout) != problems_of(listed.stdout)


def test_cache_key_follows_config_and_rules(tmp_path: Path) -> None:
    clip = tmp_path / "a.md"
    clip.write_text(GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->"))
    run_cliplint("--format", "json", "a.md", cwd=tmp_path)
    (tmp_path / "cliplint.toml").write_text("[severity]\ntimestamp-comment = 'warning'\n")
    result = run_cliplint("--format", "json", "a.md", cwd=tmp_path)
    assert json.loads(result.stdout)["problems"][0]["severity"] == "warning"
    assert len(cache_files(tmp_path / ".cliplint_cache")) == 2
    selected = run_cliplint("--format", "json", "--select", "title-link", "a.md", cwd=tmp_path)
    assert json.loads(selected.stdout)["problems"] == []


def test_run_key_changes_with_versions_and_settings() -> None:
    rules = load_registry().rules
    settings = resolve({}, rules)
    other = resolve({"rules": {"timestamp-comment": {"min-date": "2000-01-01"}}}, rules)
    base = run_key({"builtin": "cliplint 0.1.0"}, settings)
    assert base == run_key({"builtin": "cliplint 0.1.0"}, settings)
    assert base != run_key({"builtin": "cliplint 0.1.0", "x": "pack 1.0"}, settings)
    assert base != run_key({"builtin": "cliplint 0.1.0"}, other)
    assert base != run_key({"builtin": "cliplint 0.1.0"}, settings, with_source=True)


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(GOOD_CLIPPING)
    run_cliplint("--isolated", "a.md", cwd=tmp_path)
    (cache_file,) = cache_files(tmp_path / ".cliplint_cache")
    cache_file.write_bytes(b"\x00garbage{")
    result = run_cliplint("--isolated", "a.md", cwd=tmp_path)
    assert result.status == 0 and "All clean" in result.stdout
    assert len(cache_entries(cache_file)) == 1  # replaced by a working cache


def test_no_cache_and_cache_dir_override(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(GOOD_CLIPPING)
    run_cliplint("--isolated", "--no-cache", "a.md", cwd=tmp_path)
    assert not (tmp_path / ".cliplint_cache").exists()
    elsewhere = tmp_path / "elsewhere"
    run_cliplint("--isolated", "a.md", cwd=tmp_path, env={"CLIPLINT_CACHE_DIR": str(elsewhere)})
    assert cache_files(elsewhere) and not (tmp_path / ".cliplint_cache").exists()


def test_editing_a_rule_module_invalidates_the_cache(tmp_path: Path, plugin_env) -> None:
    source = '''
"""Says hello."""
import sys
from cliplint import Violation, hookimpl
ID = "hello/hi"
SEVERITY = "error"
FIX = None
def check(document, options):
    yield Violation(0, 0, "MESSAGE")
@hookimpl
def cliplint_rules():
    return [sys.modules[__name__]]
'''
    env = plugin_env(distribution="cliplint-hello", entry_name="hello", module="cliplint_hello",
                     source=source.replace("MESSAGE", "first version"))
    (tmp_path / "a.md").write_text(GOOD_CLIPPING)
    first = run_cliplint("--isolated", "--select", "hello/", "a.md", cwd=tmp_path, env=env)
    assert "first version" in first.stdout
    module = tmp_path / "site" / "cliplint_hello.py"
    module.write_text(module.read_text().replace("first version", "second version"))
    second = run_cliplint("--isolated", "--select", "hello/", "a.md", cwd=tmp_path, env=env)
    assert "second version" in second.stdout


@pytest.mark.parametrize("rule_module", ["rule", "__init__"])
def test_editing_a_data_file_of_a_rule_package_invalidates_the_cache(
        tmp_path: Path, rule_module: str) -> None:
    # The rule reads a word list: edited (a .txt, not a .py or .json), the cache gave the
    # old word's results while --no-cache gave the new one's. The rule in a module of the
    # package, or in the package's own __init__.py.
    site = tmp_path / "site"
    package = site / "cliplint_words"
    package.mkdir(parents=True)
    rule = ('"""Says the word."""\nimport sys\nfrom pathlib import Path\n'
            'from cliplint import Violation, hookimpl\nID = "words/say"\nSEVERITY = "error"\n'
            'FIX = None\n\ndef check(document, options):\n'
            '    word = Path(__file__).with_name("words.txt").read_text(encoding="utf-8").strip()\n'
            '    yield Violation(0, 0, word)\n')
    if rule_module == "__init__":
        (package / "__init__.py").write_text(
            rule + "\n@hookimpl\ndef cliplint_rules():\n    return [sys.modules[__name__]]\n",
            encoding="utf-8")
    else:
        (package / "__init__.py").write_text(
            "import importlib\nfrom cliplint import hookimpl\n\n@hookimpl\n"
            "def cliplint_rules():\n    return [importlib.import_module('cliplint_words.rule')]\n",
            encoding="utf-8")
        (package / "rule.py").write_text(rule, encoding="utf-8")
    words = package / "words.txt"
    words.write_text("first-word\n", encoding="utf-8")
    tool_cache = package / ".mypy_cache"  # a tool's, written on each of its runs: not code
    tool_cache.mkdir()
    info = site / "cliplint_words-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cliplint-words\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text("[cliplint]\nwords = cliplint_words\n", encoding="utf-8")
    env = {"PYTHONPATH": str(site)}
    (tmp_path / "a.md").write_text(GOOD_CLIPPING)
    first = run_cliplint("--isolated", "--select", "words/", "a.md", cwd=tmp_path, env=env)
    assert "first-word" in first.stdout, first.stderr
    (tool_cache / "cache.json").write_text("{}", encoding="utf-8")
    again = run_cliplint("--isolated", "-v", "--select", "words/", "a.md", cwd=tmp_path, env=env)
    assert "1 from the cache" in again.stderr, again.stderr
    words.write_text("second-word\n", encoding="utf-8")
    second = run_cliplint("--isolated", "--select", "words/", "a.md", cwd=tmp_path, env=env)
    assert "second-word" in second.stdout


def test_key_parts_of_many_files_are_each_files_own() -> None:
    """KeyParts works the inputs out once per configuration and rule selection: each
    file still gets its own rules (per-file-ignores) and the inputs they ask for, and a
    copy sent to a worker starts afresh (the ids it kept mean nothing there)."""
    import pickle

    from cliplint.runner import KeyParts, key_parts, rule_inputs

    rules = load_registry().rules
    settings = resolve({"per-file-ignores": {"legacy/**": ["timestamp-comment"]}}, rules)
    parts = KeyParts(rules, settings)
    paths = ["news/a.md", "legacy/b.md", "news/c.md", "legacy/d.md"]
    found = [parts(path) for path in paths]
    assert found == [key_parts(path, rules, settings) for path in paths]
    current, legacy = found[0], found[1]
    assert "timestamp-comment" in current[0] and "timestamp-comment" not in legacy[0]
    assert ("today", settings.inputs["today"]) in current[1]  # timestamp-comment asks for it
    assert "today" not in dict(legacy[1])
    assert current[1] == rule_inputs(settings, current[0], rules, settings)
    copy = pickle.loads(pickle.dumps(parts))
    assert vars(copy)["_inputs"] == {} and copy("legacy/e.md") == legacy
