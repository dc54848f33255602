"""The registry's snapshot (cliplint/registry_snapshot.py): a run that finds a valid one
loads no plugin and no rule before it runs; any change to the plugins, a damaged or
altered snapshot, makes the next run load them in full (their contract checked again)."""

from __future__ import annotations

import compileall
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from conftest import GOOD_CLIPPING, make_plugin

import cliplint_rules
from cliplint import plugins
from cliplint.archive import ArchiveFile, archive_rules, reduce_archive
from cliplint.cache import signature
from cliplint.config import resolve
from cliplint.formats import RenderOptions
from cliplint.hookspecs import PROJECT, hookimpl, hookspec
from cliplint.linter import library_document, lint_and_record
from cliplint.model import Problem, Report, Rule
from cliplint.plugins import Registry, load_registry
from cliplint.registry_snapshot import (
    FUNCTIONS,
    METADATA_FILES,
    SETTLED_NS,
    ModuleFunction,
    environment,
    read_snapshot,
    write_snapshot,
)

CASES = Path(__file__).parent / "cases"

#: pathlib and what it imports (urllib.parse imports ipaddress): a twentieth of a
#: one-file hit's start-up, whose modules keep paths as strings (cliplint/paths.py).
PATHLIB = {"pathlib", "urllib.parse", "ipaddress"}

# Runs cliplint in-process, then prints its report and which modules it imported. An
# editable install's finder (setuptools', which site runs) imports pathlib before the
# run: it is forgotten (the finder keeps its own), so that the run's own import shows.
_PROBE = f"""
import json, sys
for name in {sorted(PATHLIB)!r}:
    sys.modules.pop(name, None)
from cliplint.cli import main
status = main(sys.argv[1:])
sys.stdout.flush()
print(json.dumps({{"status": status, "modules": sorted(sys.modules)}}))
"""

#: What loading the plugins in full (pluggy, importlib.metadata, the rules' view of a
#: parse) or linting (html5lib) imports, and a cache hit with the snapshot must not.
PLUGIN_MACHINERY = {"pluggy", "importlib.metadata", "html5lib", "cliplint.html"}

SHOUT = '''
"""Titles must not be all capitals."""
from cliplint import Violation, hookimpl
import sys

ID = "{id}"
SEVERITY = "{severity}"

def check(document, options):
    title = document.header.title
    text = document.text[title.start:title.end] if title else ""
    if any(c.isalpha() for c in text) and text.split("](")[0].isupper():
        yield Violation(title.start, title.end, "title is all capitals")

@hookimpl
def cliplint_rules():
    return [sys.modules[__name__]]
'''


class Snapshots:
    """A folder to lint and the environment of its runs: the user's cache folder (where
    the snapshot lies) and the results cache in scratch folders, and plugins installed
    in ``site`` (on PYTHONPATH)."""

    def __init__(self, root: Path) -> None:
        self.work = root / "work"  # the current folder (on sys.path): left unchanged
        self.work.mkdir()
        (self.work / "a.md").write_text(GOOD_CLIPPING.replace("A good title", "BREAKING NEWS"))
        self.site = root / "site"
        self.site.mkdir()
        self.user_cache = root / "user-cache"
        self.env = {**{key: value for key, value in os.environ.items()
                       if not key.startswith("CLIPLINT")},
                    "XDG_CACHE_HOME": str(self.user_cache),
                    "CLIPLINT_CACHE_DIR": str(root / "results"),
                    "PYTHONPATH": str(self.site)}

    def run(self, *arguments: str, **env: str) -> tuple[int, list[dict[str, Any]], set[str]]:
        """A run's status, problems (its JSON report's) and imported modules; ``env``:
        variables set for this run alone."""
        completed = self.completed(*arguments, **env)
        completed.check_returncode()
        report, _, last = completed.stdout.rstrip("\n").rpartition("\n")
        found = json.loads(last)
        return found["status"], json.loads(report)["problems"], set(found["modules"])

    def completed(self, *arguments: str, isolated: bool = True,
                  **env: str) -> subprocess.CompletedProcess[str]:
        """A run of cliplint, as :meth:`run` makes it (``python -c``: ``python -m``
        would put another folder on sys.path, and so never use the same snapshot);
        ``isolated``: with ``--isolated``, else with the configuration files found."""
        return subprocess.run(
            [sys.executable, "-c", _PROBE, *(("--isolated",) if isolated else ()),
             "--format", "json", *arguments, "a.md"],
            cwd=self.work, env={**self.env, **env}, capture_output=True, text=True)

    def snapshots(self) -> list[Path]:
        return list((self.user_cache / "cliplint").glob("plugins-*.json"))

    def install(self, distribution: str, entry: str, severity: str = "warning") -> Path:
        """Install a plugin with one rule, ``ENTRY/shouting-title``; its module."""
        module = distribution.replace("-", "_")
        make_plugin(self.site, distribution=distribution, entry_name=entry, module=module,
                    source=SHOUT.format(id=f"{entry}/shouting-title", severity=severity))
        installed = self.site / f"{module}.py"
        backdate(installed, *self.site.glob(f"{module}-*.dist-info/*"))
        # Compiled, as pip compiles what it installs: else the first run's import writes
        # site/__pycache__, the folder on sys.path changes, and the snapshot that run
        # wrote is stale at once (with PYTHONDONTWRITEBYTECODE unset, as most users have
        # it, four tests failed).
        compileall.compile_file(installed, quiet=1)
        return installed


def backdate(*files: Path, seconds: int = 60) -> None:
    """Set the files' modification time ``seconds`` before now: a snapshot is written
    only when the files it names changed before the load that writes it began
    (registry_snapshot.SETTLED_NS)."""
    modified = time.time_ns() - seconds * 1_000_000_000
    for path in files:
        os.utime(path, ns=(modified, modified))


@pytest.fixture
def snapshots(tmp_path: Path) -> Snapshots:
    return Snapshots(tmp_path)


class Shouting(NamedTuple):
    """Runs with the plugin ``shout`` installed, and the first one's result (a full
    load, which wrote the snapshot). Shared by the tests that change none of it."""

    snapshots: Snapshots
    first: tuple[int, list[dict[str, Any]], set[str]]


@pytest.fixture(scope="module")
def shouting(tmp_path_factory: pytest.TempPathFactory) -> Shouting:
    snapshots = Snapshots(tmp_path_factory.mktemp("shouting"))
    snapshots.install("cliplint-shout", "shout")
    return Shouting(snapshots, snapshots.run())


def _loaded(modules: set[str]) -> set[str]:
    """The plugin machinery and the rule modules among ``modules``."""
    return {name for name in modules
            if name in PLUGIN_MACHINERY or name.startswith("cliplint_rules.")}


def _shouting(problems: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(problem["rule"], problem["severity"]) for problem in problems
            if problem["rule"].endswith("/shouting-title")]


def test_a_cache_hit_with_the_snapshot_loads_no_plugin_and_no_rule(snapshots: Snapshots) -> None:
    one_clipping = ("--select", "title-link,well-formed-html")  # no archive rule to run
    status, problems, modules = snapshots.run(*one_clipping)
    assert modules >= PLUGIN_MACHINERY  # no snapshot yet: loaded in full, and linted
    assert "cliplint_rules.title_link" in modules
    assert len(snapshots.snapshots()) == 1
    hit_status, hit_problems, hit_modules = snapshots.run(*one_clipping)
    assert (hit_status, hit_problems) == (status, problems)
    assert _loaded(hit_modules) == set()
    # Nor the linter and its document model (cliplint.runner imports them to lint), nor
    # OpenSSL (hashlib's and hmac's import of it: cliplint.digests).
    assert {"cliplint.linter", "cliplint.document", "_hashlib"}.isdisjoint(hit_modules)


def test_a_cache_hit_leaves_what_only_linting_needs_alone(snapshots: Snapshots) -> None:
    # Each costs a hit about a millisecond and serves another path: the cache key's first
    # writing (tempfile), the progress bar and the worker pool (threading, signal), titles
    # read from bodies (html's entities), sketches packed (base64), and comments' rule
    # suppressions (the records say which), the terminal's width (shutil: argparse's help
    # formatter); nor, the archive being unchanged, the archive rules, whose reduction the
    # cache holds, and what their steps yield and are given (cliplint.rule_io). The text
    # report: the json report spools through a temporary file.
    first = _text_run(snapshots)
    # The first run loads in full, writes the snapshot, and reduces the archive.
    assert {"pluggy", "cliplint_rules.duplicate_clipping", "cliplint.rule_io"} <= first
    hit = _text_run(snapshots)
    assert "pluggy" not in hit
    assert hit & {"tempfile", "threading", "signal", "html", "base64", "shutil",
                   "cliplint.suppressions", "cliplint.rule_io",
                   "cliplint_rules.duplicate_clipping", "cliplint_rules.path_portability",
                   *PATHLIB} == set()


def test_a_cache_hit_with_a_configuration_file_leaves_pathlib_alone(
        snapshots: Snapshots) -> None:
    # The configuration found walking up, read, its validation remembered by a marker in
    # the cache folder (cliplint/marks.py), its per-file-ignores matched: paths as strings.
    (snapshots.work / "cliplint.toml").write_text(
        '[rules.timestamp-comment]\nmin-date = "1995-01-01"\n\n'
        '[per-file-ignores]\n"drafts/*.md" = ["title-link"]\n', encoding="utf-8")
    first = _text_run(snapshots, isolated=False)
    assert {"pluggy", "jsonschema"} <= first  # loaded in full, the configuration validated
    hit = _text_run(snapshots, isolated=False)
    assert "tomllib" in hit  # the configuration was read
    assert hit & {"pluggy", "jsonschema", *PATHLIB} == set()


def _text_run(snapshots: Snapshots, isolated: bool = True) -> set[str]:
    """The modules a run with the text report imported."""
    completed = snapshots.completed("--format", "text", isolated=isolated)
    completed.check_returncode()
    return set(json.loads(completed.stdout.splitlines()[-1])["modules"])


def test_a_run_with_the_snapshot_runs_its_rules(shouting: Shouting) -> None:
    status, problems, modules = shouting.first
    assert "pluggy" in modules
    assert _shouting(problems) == [("shout/shouting-title", "warning")]
    # An empty results cache: every rule runs, its module imported when first called.
    empty = shouting.snapshots.env["CLIPLINT_CACHE_DIR"] + "-empty"
    again = shouting.snapshots.run(CLIPLINT_CACHE_DIR=empty)
    assert again[:2] == (status, problems)
    assert "pluggy" not in again[2] and "cliplint_rules.title_link" in again[2]


def test_no_cache_neither_reads_nor_writes_the_snapshot(shouting: Shouting,
                                                         tmp_path: Path) -> None:
    snapshots = shouting.snapshots
    (path,) = snapshots.snapshots()
    written = os.stat(path)
    assert "pluggy" in snapshots.run("--no-cache")[2]  # not read
    assert os.stat(path)[:9] == written[:9]  # nor written again (a new file each time)
    assert "pluggy" not in snapshots.run()[2]  # though it is valid
    # Nor written where there is none yet.
    snapshots.run("--no-cache", XDG_CACHE_HOME=str(tmp_path))
    assert list(tmp_path.rglob("plugins-*.json")) == []


def test_an_edited_plugin_is_loaded_again(snapshots: Snapshots) -> None:
    module = snapshots.install("cliplint-shout", "shout", severity="warning")
    snapshots.run()
    assert "pluggy" not in snapshots.run()[2]
    # Edited in place, as in an editable install: no folder of sys.path changes.
    module.write_text(module.read_text().replace('"warning"', '"error"'))
    backdate(module, seconds=50)
    _, problems, modules = snapshots.run()
    assert "pluggy" in modules
    assert _shouting(problems) == [("shout/shouting-title", "error")]
    assert "pluggy" not in snapshots.run()[2]  # the snapshot written again
    # An edit that keeps the file's size (its time alone tells); and the contract is
    # checked again: a rule id whose name is not kebab-case.
    edited = module.read_text().replace('"shout/shouting-title"', '"shout/shouting_title"')
    assert len(edited) == len(module.read_text())
    module.write_text(edited)
    backdate(module, seconds=40)
    failed = snapshots.completed()
    assert json.loads(failed.stdout.splitlines()[-1])["status"] == 2
    assert "rule id 'shout/shouting_title' must be 'shout/' and a kebab-case" in failed.stderr


def test_a_new_plugin_distribution_is_found(snapshots: Snapshots) -> None:
    snapshots.install("cliplint-shout", "shout")
    snapshots.run()
    assert "pluggy" not in snapshots.run()[2]
    snapshots.install("cliplint-yell", "yell")
    _, problems, modules = snapshots.run()
    assert "pluggy" in modules
    assert _shouting(problems) == [("shout/shouting-title", "warning"),
                                   ("yell/shouting-title", "warning")]


def test_entry_points_rewritten_in_place_are_read_again(snapshots: Snapshots) -> None:
    # As a legacy editable install (setup.py develop) rewrites its .egg-info: the file
    # changes, no folder on sys.path does.
    snapshots.install("cliplint-shout", "shout")
    snapshots.run()
    assert "pluggy" not in snapshots.run()[2]
    (info,) = snapshots.site.glob("*.dist-info")
    folders = {folder: os.stat(folder).st_mtime_ns for folder in (snapshots.site, info)}
    entry_points = info / "entry_points.txt"
    entry_points.write_text("[cliplint]\n", encoding="utf-8")  # no plugin any more
    for folder, modified in folders.items():
        os.utime(folder, ns=(modified, modified))
    _, problems, modules = snapshots.run()
    assert "pluggy" in modules
    assert _shouting(problems) == []


def test_no_snapshot_when_a_plugins_metadata_is_not_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(plugins, "_metadata_folder", lambda distribution: None)
    load_registry.__wrapped__(True, None, True)  # a full load
    assert list(tmp_path.rglob("plugins-*.json")) == []


def test_no_snapshot_names_a_file_changed_as_the_plugins_loaded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    before = environment(True)
    loaded = plugins._load(True, None)
    # Every file a snapshot names: cliplint's, the built-in rules' (code and data: every
    # file but bytecode, as cliplint.cache.code_fingerprint lists them), their metadata's.
    named = [*(path for package in (plugins, cliplint_rules)
               for path in Path(package.__file__).parent.rglob("*")
               if path.is_file() and "__pycache__" not in path.parts),
             *(Path(folder) / name for folder in loaded.distributions if folder
               for name in METADATA_FILES if (Path(folder) / name).exists())]
    newest = max(os.stat(path).st_mtime_ns for path in named)

    def written(started: int) -> bool:
        write_snapshot(before, started, loaded.registry, loaded.modules,
                       loaded.distributions, loaded.format_hooks)
        return bool(list(tmp_path.rglob("plugins-*.json")))

    assert not written(newest)  # one of cliplint's files changed as the load began
    assert written(newest + SETTLED_NS + 1)


def test_a_path_entry_utf_8_cannot_hold_writes_no_snapshot(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "path", [*sys.path, str(tmp_path / "caf\udce9")])  # latin-1
    assert load_registry.__wrapped__(True, None, True).rules  # no UnicodeEncodeError
    assert list(tmp_path.rglob("*plugins-*")) == []  # nor a temporary file left


@pytest.fixture(scope="module")
def builtin_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's cache folder holding the snapshot of cliplint's own plugins, written by
    this process (so valid in its environment)."""
    user_cache = tmp_path_factory.mktemp("builtin-snapshot")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("XDG_CACHE_HOME", str(user_cache))
        load_registry.__wrapped__(True, None, True)  # a full load, which writes it
    return user_cache


@pytest.mark.parametrize("damage", ["truncated", "garbage", "altered", "other key"])
def test_a_damaged_or_altered_snapshot_is_replaced(builtin_snapshot: Path, damage: str,
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    user_cache = tmp_path / "user-cache"
    shutil.copytree(builtin_snapshot, user_cache)
    monkeypatch.setenv("XDG_CACHE_HOME", str(user_cache))
    (path,) = user_cache.rglob("plugins-*.json")
    expected = read_snapshot(environment(True))
    assert expected is not None  # undamaged, it is used
    mac, _, body = path.read_text(encoding="utf-8").partition("\n")
    if damage == "truncated":
        path.write_text(f"{mac}\n{body[:len(body) // 2]}", encoding="utf-8")
    elif damage == "garbage":
        path.write_bytes(b"\xff\x00 not a snapshot")
    elif damage == "altered":  # a rule's severity changed, the signature left as it was
        altered = body.replace('"severity": "warning"', '"severity": "info"')
        assert altered != body
        path.write_text(f"{mac}\n{altered}", encoding="utf-8")
    else:  # signed with another user's key
        path.write_text(f"{signature(b'x' * 32, 'plugins', body)}\n{body}", encoding="utf-8")
    assert read_snapshot(environment(True)) is None  # ignored
    loaded = load_registry.__wrapped__(True, None, True)  # so loaded in full
    assert _described_rules(loaded) == _described_rules(expected)
    replaced = read_snapshot(environment(True))  # and written again
    assert replaced is not None
    assert _described_rules(replaced) == _described_rules(expected)


def test_a_snapshot_that_is_a_link_is_not_followed(builtin_snapshot: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A link to a good snapshot (signed with this user's key) is not read: a miss, the
    plugins loaded in full, and a file written in its place (the link's target left as
    it was)."""
    user_cache = tmp_path / "user-cache"
    shutil.copytree(builtin_snapshot, user_cache)
    monkeypatch.setenv("XDG_CACHE_HOME", str(user_cache))
    (path,) = user_cache.rglob("plugins-*.json")
    elsewhere = tmp_path / "elsewhere.json"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    assert read_snapshot(environment(True)) is None
    load_registry.__wrapped__(True, None, True)
    assert not path.is_symlink() and read_snapshot(environment(True)) is not None
    assert elsewhere.read_bytes() == before


def _described_rules(registry: Registry) -> dict[str, dict[str, Any]]:
    return {rule_id: _metadata(rule) for rule_id, rule in registry.rules.items()}


def test_the_snapshot_gives_the_same_rules(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    load = load_registry.__wrapped__  # not the registry this process keeps
    loaded = load(True, None, True)  # a full load, which writes the snapshot
    snapshot = load(True, None, True)
    assert snapshot.plugins == loaded.plugins
    assert list(snapshot.formats) == list(loaded.formats)
    assert snapshot.format_plugins == loaded.format_plugins
    assert list(loaded.format_plugins) == list(loaded.formats)
    assert {loaded.plugins[plugin].split()[0] for plugin in loaded.format_plugins.values()} \
        == {"cliplint"}
    assert list(snapshot.rules) == list(loaded.rules)
    for rule_id, rule in loaded.rules.items():
        lazy = snapshot.rules[rule_id]
        assert _metadata(lazy) == _metadata(rule)
        for name in FUNCTIONS:
            assert (getattr(lazy, name) is None) == (getattr(rule, name) is None)
            assert getattr(lazy, name) is None or isinstance(getattr(lazy, name), ModuleFunction)
    expected = _results(loaded.rules)
    assert any(problem.rule == "duplicate-clipping" for problem in expected)
    assert _results(snapshot.rules) == expected
    # As the process pool's workers get them: pickled, and imported there on first call.
    assert _results(pickle.loads(pickle.dumps(snapshot.rules))) == expected
    # A whole report (--baseline, --fix...) goes through the registry's formats.
    report = Report(tuple(expected), tuple(sorted({p.path for p in expected})), loaded.rules)
    for name in ("text", "json", "sarif"):
        rendered = snapshot.formats[name](report, RenderOptions())
        assert rendered == loaded.formats[name](report, RenderOptions())
        assert "duplicate-clipping" in rendered


def _metadata(rule: Rule) -> dict[str, Any]:
    return {field: value for field, value in rule._asdict().items() if field not in FUNCTIONS}


def _results(rules: Mapping[str, Rule]) -> list[Problem]:
    """Every problem the rules find in the rules' case files, the archive rules' too."""
    settings = resolve({}, rules, inputs={"today": "2024-01-01"})
    problems: list[Problem] = []
    files: list[ArchiveFile] = []
    for path in sorted(CASES.rglob("*.md")):
        name = path.relative_to(CASES).as_posix()
        document = library_document(path.read_text(encoding="utf-8", errors="replace"), name,
                                    settings)
        assert not isinstance(document, Problem)
        found, records = lint_and_record(document, rules, settings, path=name)
        problems.extend(found)
        files.append(ArchiveFile(name, name, records))
    return problems + reduce_archive(files, archive_rules(rules, settings), settings, ".")


def test_the_markers_mark_functions_as_pluggys_do() -> None:
    import pluggy

    pluggys_impl = pluggy.HookimplMarker(PROJECT)
    for options in ({}, {"tryfirst": True}, {"trylast": True, "optionalhook": True},
                    {"hookwrapper": True, "specname": "cliplint_rules"}, {"wrapper": True}):
        assert vars(hookimpl(_function(), **options)) == vars(pluggys_impl(_function(),
                                                                            **options))
        assert vars(hookimpl(**options)(_function())) == vars(pluggys_impl(**options)(
            _function()))
    assert vars(hookspec(_function())) == vars(pluggy.HookspecMarker(PROJECT)(_function()))


def _function() -> Callable[[], None]:
    def hook() -> None:
        """A hook."""

    return hook
