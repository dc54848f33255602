"""Plugins: real throwaway distributions found through their entry points."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import GOOD_CLIPPING, run_cliplint

SHOUTING_RULE = '''
"""Titles must not be all capitals.

Why: shouting titles are usually scraped from a promo banner.
"""
from cliplint import Violation, hookimpl
import sys

ID = "{prefix}shouting-title"
SEVERITY = "warning"
FIX = None
OPTIONS = {{"type": "object", "properties": {{"min-letters": {{"type": "integer", "default": 3}}}}}}

def check(document, options):
    title = document.header.title
    if title is None:
        return
    text = document.text[title.start:title.end]
    letters = [c for c in text.split("](")[0] if c.isalpha()]
    if len(letters) >= options["min-letters"] and all(c.isupper() for c in letters):
        yield Violation(title.start, title.end, "title is all capitals")

@hookimpl
def cliplint_rules():
    return [sys.modules[__name__]]
'''


def shouting_env(plugin_env, prefix: str = "shout/") -> dict[str, str]:
    return plugin_env(distribution="cliplint-shout", entry_name="shout", module="cliplint_shout",
                      source=SHOUTING_RULE.format(prefix=prefix))


def test_plugin_rule_runs_with_options(tmp_path: Path, plugin_env) -> None:
    env = shouting_env(plugin_env)
    (tmp_path / "a.md").write_text(GOOD_CLIPPING.replace("A good title", "BREAKING NEWS"))
    result = run_cliplint("--isolated", "--format", "json", "a.md", cwd=tmp_path, env=env)
    problems = json.loads(result.stdout)["problems"]
    assert [(p["rule"], p["severity"], p["line"]) for p in problems] == [("shout/shouting-title", "warning", 2)]
    (tmp_path / "cliplint.toml").write_text("[rules.'shout/shouting-title']\nmin-letters = 50\n")
    quiet = run_cliplint("--format", "json", "a.md", cwd=tmp_path, env=env)
    assert json.loads(quiet.stdout)["problems"] == []
    listing = json.loads(run_cliplint("rules", "--json", env=env).stdout)
    assert {"id": "shout/shouting-title", "plugin": "shout"}.items() <= next(
        r for r in listing if r["id"] == "shout/shouting-title").items()


def test_no_plugins_variable_loads_only_builtins(tmp_path: Path, plugin_env) -> None:
    env = shouting_env(plugin_env) | {"CLIPLINT_NO_PLUGINS": "1"}
    listing = json.loads(run_cliplint("rules", "--json", env=env).stdout)
    assert all(rule["plugin"] == "builtin" for rule in listing)


def test_plugin_that_fails_to_load_exits_2_naming_distribution(tmp_path: Path, plugin_env) -> None:
    env = plugin_env(distribution="cliplint-broken", entry_name="broken", module="cliplint_broken",
                     source="import no_such_module_anywhere\n")
    (tmp_path / "a.md").write_text(GOOD_CLIPPING)
    result = run_cliplint("--isolated", "a.md", cwd=tmp_path, env=env)
    assert result.status == 2
    assert ("plugin 'broken' from distribution 'cliplint-broken' failed to load: "
            "ModuleNotFoundError") in result.stderr
    assert "Traceback" not in result.stderr


def test_plugin_rule_without_prefix_is_refused(tmp_path: Path, plugin_env) -> None:
    env = shouting_env(plugin_env, prefix="")
    result = run_cliplint("rules", env=env)
    assert result.status == 2
    assert "rule id 'shouting-title' must start with 'shout/'" in result.stderr


def _passing_for_cliplint(site: Path, entry_points: str) -> dict[str, str]:
    """A distribution named cliplint with these entry points, ahead of the real one on
    the path (importlib.metadata then sees its metadata only), and the shouting rule's
    module: the environment that installs it."""
    info = site / "cliplint-9.9.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cliplint\nVersion: 9.9\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[cliplint]\n{entry_points}", encoding="utf-8")
    (site / "cliplint_shout.py").write_text(SHOUTING_RULE.format(prefix=""), encoding="utf-8")
    return {"PYTHONPATH": str(site)}


def test_a_distribution_calling_itself_cliplint_is_cliplint_only_by_its_entry_points(
        tmp_path: Path) -> None:
    # Its other entry points passed for cliplint's own: a rule without its plugin's
    # prefix, an options schema left unchecked, loaded even with CLIPLINT_NO_PLUGINS=1.
    env = _passing_for_cliplint(tmp_path / "site", "builtin = cliplint_rules\n"
                                "formats = cliplint.formats\nshout = cliplint_shout\n")
    refused = run_cliplint("rules", cwd=tmp_path, env=env)
    assert refused.status == 2
    assert ("plugin 'shout' from distribution 'cliplint': rule id 'shouting-title' must start "
            "with 'shout/'") in refused.stderr, refused.stderr
    only_own = run_cliplint("rules", "--json", cwd=tmp_path,
                            env=env | {"CLIPLINT_NO_PLUGINS": "1"})
    assert only_own.status == 0, only_own.stderr
    listing = json.loads(only_own.stdout)
    assert {rule["plugin"] for rule in listing} == {"builtin"}
    assert "shouting-title" not in {rule["id"] for rule in listing}


def test_an_entry_point_of_cliplint_loading_another_module_is_refused(tmp_path: Path) -> None:
    env = _passing_for_cliplint(tmp_path / "site", "builtin = cliplint_shout\n"
                                "formats = cliplint.formats\n")
    for variables in ({}, {"CLIPLINT_NO_PLUGINS": "1"}):
        refused = run_cliplint("rules", cwd=tmp_path, env=env | variables)
        assert refused.status == 2
        assert ("plugin 'builtin' from distribution 'cliplint' loads 'cliplint_shout', not "
                "cliplint's own 'cliplint_rules': a distribution passing for cliplint is "
                "installed (reinstall cliplint)") in refused.stderr, refused.stderr


def test_duplicate_rule_ids_are_an_error(tmp_path: Path, plugin_env) -> None:
    source = SHOUTING_RULE.format(prefix="shout/")
    plugin_env(distribution="cliplint-shout", entry_name="shout", module="cliplint_shout", source=source)
    env = plugin_env(distribution="cliplint-shout-two", entry_name="shout2", module="cliplint_shout_two",
                     source=source.replace("return [sys.modules[__name__]]",
                                           "import cliplint_shout; return [cliplint_shout]"))
    result = run_cliplint("rules", env=env)
    assert result.status == 2
    assert "must start with 'shout2/'" in result.stderr or "duplicate rule id" in result.stderr


def test_crashing_rule_is_an_internal_error_and_the_run_goes_on(tmp_path: Path, plugin_env) -> None:
    source = SHOUTING_RULE.format(prefix="shout/").replace(
        "    title = document.header.title\n",
        "    if 'crash' in document.text:\n        raise ValueError('boom')\n    title = document.header.title\n",
    )
    env = plugin_env(distribution="cliplint-shout", entry_name="shout", module="cliplint_shout", source=source)
    (tmp_path / "a.md").write_text(GOOD_CLIPPING.replace("Some", "crash"))
    (tmp_path / "b.md").write_text(GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1-->"))
    result = run_cliplint("--isolated", ".", cwd=tmp_path, env=env)
    assert result.status == 3
    lines = result.stdout.splitlines()
    assert "./a.md:1:1: internal-error rule shout/shouting-title crashed: ValueError: boom" in lines
    assert any(line.startswith("./b.md:1:5: timestamp-comment") for line in lines)

