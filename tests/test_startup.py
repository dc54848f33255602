"""A one-file run (pre-commit) loads only what it needs: start-up is most of its time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples"

# Runs cliplint in-process on one file, then reports which modules ran their code.
_PROBE = """
import json, sys, types
from cliplint.cli import main
status = main(sys.argv[1:])
print(json.dumps({
    "status": status,
    "ran": sorted(name for name, module in sys.modules.items()
                  if type(module) is types.ModuleType),
    "deferred": sorted(name for name, module in sys.modules.items()
                       if type(module) is not types.ModuleType),
}))
"""


def _probe(where: Path, *arguments: str, configured: bool = False) -> dict[str, object]:
    """``configured``: with the configuration file in ``where`` (else ``--isolated``),
    and the user's key (cliplint/cache.py) in ``where`` too."""
    # A copy outside any git work tree: a file of one would be compared with the rest of
    # its archive (archive rules), which is not the one-file path measured here.
    example = where / "example.md"
    example.write_bytes(next(EXAMPLE.glob("*.md")).read_bytes())
    # The cache in ``where``, whatever the shell running the tests chose: a cache shared
    # with earlier runs of the same example made the first run a hit.
    env = {name: value for name, value in os.environ.items() if name != "CLIPLINT_CACHE_DIR"}
    if configured:
        env["XDG_CACHE_HOME"] = str(where / "user")
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, *(() if configured else ("--isolated",)), *arguments,
         str(example)],
        capture_output=True, text=True, check=True, cwd=where, env=env,  # the cache goes there
    )
    return json.loads(completed.stdout.splitlines()[-1])


def test_one_file_run_leaves_heavy_modules_alone(tmp_path: Path) -> None:
    found = _probe(tmp_path, "--no-cache")
    assert found["status"] == 1  # the example has a problem: the run did lint it
    ran = set(found["ran"])  # type: ignore[arg-type]
    assert "cliplint_rules.well_formed_html" in ran and "html5lib" in ran
    # Config validation, the process pool, the progress bar, HTTP, the SQLite cache,
    # and html5lib's debugging serialiser: none of them serve a one-file run.
    unwanted = {"jsonschema", "concurrent.futures", "multiprocessing", "tqdm", "httpx",
                "sqlite3", "tomllib", "html5lib._ihatexml", "traceback",
                "cliplint.formats.html_report", "cliplint.formats.html_page",
                "cliplint.formats.archive_stats",
                # Dask and object storage: only for --scheduler and URLs.
                "dask", "distributed", "fsspec", "cliplint.batches", "cliplint.storage",
                "cliplint.dask",
                # Rule documentation and what only an invalid configuration needs.
                "cliplint.docs", "cliplint.engine_docs", "cliplint.config_errors",
                "cliplint.toml_text", "cliplint.suggest", "difflib",
                # PyYAML: only for a clipping with a YAML front matter (the example has none).
                "yaml", "cliplint.yaml_front_matter"}
    assert ran & unwanted == set()
    assert "html5lib._ihatexml" in found["deferred"]  # type: ignore[operator]


def test_a_validated_configuration_is_not_validated_again(tmp_path: Path) -> None:
    """A configuration that validated leaves a marker in the cache folder (named with the
    user's key: cliplint/marks.py): the next run with it need not import jsonschema."""
    (tmp_path / "cliplint.toml").write_text('[rules.timestamp-comment]\nmin-date = "1995-01-01"\n')
    first = _probe(tmp_path, configured=True)
    again = _probe(tmp_path, configured=True)
    assert first["status"] == again["status"] == 1
    assert "jsonschema" in first["ran"]  # type: ignore[operator]
    assert "jsonschema" not in again["ran"]  # type: ignore[operator]
    assert "jsonschema" in _probe(tmp_path, "--no-cache", configured=True)["ran"]  # type: ignore[operator]


def test_cache_run_loads_sqlite(tmp_path: Path) -> None:
    # The probe above would pass if the cache were silently off: show it is not.
    found = _probe(tmp_path, "--no-cache")
    with_cache = _probe(tmp_path)
    assert "sqlite3" in with_cache["ran"]  # type: ignore[operator]
    assert "sqlite3" not in found["ran"]  # type: ignore[operator]


def test_cache_hit_leaves_html5lib_alone(tmp_path: Path) -> None:
    # A run whose results all come from the cache parses no body: the rules' view of a
    # parse (cliplint.html) must not bring the parser and html5lib with it.
    miss = _probe(tmp_path)
    hit = _probe(tmp_path)
    assert hit["status"] == miss["status"] == 1
    assert "html5lib" in miss["ran"]  # type: ignore[operator]
    loaded = {*hit["ran"], *hit["deferred"]}  # type: ignore[misc]
    assert "cliplint_rules.well_formed_html" in loaded and "cliplint.html" in loaded
    assert {name for name in loaded
            if name.partition(".")[0] == "html5lib" or name == "cliplint.html_parse"} == set()


def test_deferred_module_still_works() -> None:
    code = ("import cliplint.html_parse\nfrom html5lib import _ihatexml\n"
            "print(_ihatexml.InfosetFilter().coerceElement('a:b'))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True)
    assert completed.stdout.strip() == "aU0003Ab"


def test_a_work_tree_without_patterns_is_walked_without_asking_git(tmp_path: Path) -> None:
    """The pre-commit shape: a file of a git work tree is compared with the rest of its
    archive, which is walked; with no .gitignore nor info/exclude pattern git is not
    asked (cliplint/gitignore.py), and its subprocess module (~5 ms) is not imported."""
    (tmp_path / ".git").mkdir()  # a work tree's top, as the benchmarks make one
    found = _probe(tmp_path)
    assert found["status"] == 1
    ran = set(found["ran"])  # type: ignore[arg-type]
    assert "cliplint.gitignore" in ran  # the archive's walk did look for patterns
    assert "subprocess" not in ran
