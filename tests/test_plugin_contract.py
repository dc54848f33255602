"""The plugin contract is checked when plugins load: a rule module that breaks it stops the
run with exit status 2 and a message naming the plugin, never an internal error later."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import GOOD_CLIPPING, make_plugin, run_cliplint, run_cliplint_subprocess

from cliplint.model import Finding, Rule
from cliplint.plugins import PluginError, check_options_schemas, load_registry

GOOD = '''
"""Titles must not be all capitals.

Why: shouting titles are usually scraped from a promo banner.
"""
import sys
from cliplint.api import Finding, Violation, hookimpl

ID = "shout/shouting-title"
SEVERITY = "warning"
FIX = None
OPTIONS = {"type": "object", "properties": {"min-letters": {"type": "integer", "default": 3}}}

def check(document, options):
    yield from ()

@hookimpl
def cliplint_rules():
    return [sys.modules[__name__]]
'''


def _env(plugin_env: Callable[..., dict[str, str]], source: str) -> dict[str, str]:
    return plugin_env(distribution="cliplint-shout", entry_name="shout", module="cliplint_shout",
                      source=source)


@pytest.mark.parametrize(("change", "said"), [
    # The README's old example: the docstring after the imports is no docstring at all.
    (lambda s: s.replace('\n"""Titles must not be all capitals.\n\nWhy: shouting titles are '
                         'usually scraped from a promo banner.\n"""\nimport sys\n',
                         '\nimport sys\n"""Titles must not be all capitals."""\n'),
     "has no docstring: a rule module starts with its documentation, before any import"),
    (lambda s: s.replace('"integer", "default": 3', '"integer"'),
     "option 'min-letters' has no 'default'"),
    (lambda s: s.replace('"type": "integer"', '"type": "int"'),
     "OPTIONS is not a valid JSON Schema: 'int' is not valid under any of the given schemas"),
    (lambda s: s.replace('"default": 3', '"default": "three"'),
     "the default of option 'min-letters' does not match its schema: 'three' is not of type "
     "'integer'"),
    # An integer by JSON Schema's letter, which a rule slicing with it crashed on.
    (lambda s: s.replace('"default": 3', '"default": 3.0'),
     "the default of option 'min-letters' does not match its schema: 3.0 is not of type "
     "'integer'"),
    (lambda s: s.replace('FIX = None', 'FIX = None\nFINDINGS = {"caps": ("warning", "all caps")}'),
     "FINDINGS['caps'] must be a Finding"),
    (lambda s: s.replace('ID = "shout/shouting-title"', 'ID = "shout/Shouting_Title"'),
     "rule id 'shout/Shouting_Title' must be 'shout/' and a kebab-case name"),
])
def test_a_broken_rule_module_stops_the_run_naming_the_plugin(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]],
        change: Callable[[str], str], said: str) -> None:
    broken = change(GOOD)
    assert broken != GOOD
    env = _env(plugin_env, broken)
    (tmp_path / "a.md").write_text(GOOD_CLIPPING)
    for arguments in (["--isolated", "a.md"], ["rules"]):
        result = run_cliplint(*arguments, cwd=tmp_path, env=env)
        assert result.status == 2, result.stderr
        assert "plugin 'shout' from distribution 'cliplint-shout'" in result.stderr
        assert said in result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_the_good_module_loads(tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # The parametrized test above changes this module: it must itself be fine.
    result = run_cliplint("rules", "--json", env=_env(plugin_env, GOOD))
    assert result.status == 0, result.stderr
    listing = {rule["id"]: rule for rule in json.loads(result.stdout)}
    assert listing["shout/shouting-title"]["summary"] == "Titles must not be all capitals."


# -- each check, on modules built in-process ------------------------------------------------


def _module(**attributes: Any) -> ModuleType:
    module = ModuleType("demo_rule", attributes.pop("doc", "A demo rule.\n\nWhy: a test."))
    values = {"ID": "demo/rule", "SEVERITY": "error", "FIX": None,
              "check": lambda document, options: iter(())}
    values.update(attributes)
    for name, value in values.items():
        if value is not None or name == "FIX":
            setattr(module, name, value)
    return module


def test_no_plugin_is_loaded_from_the_working_folder(tmp_path: Path) -> None:
    """``python -m cliplint`` in a folder holding a plugin distribution (a committed
    ``*.dist-info`` and its module) does not run it: plugins come only from installed
    distributions. Python put the working folder first on the search path, where
    importlib.metadata found it. The same folder on PYTHONPATH does install it."""
    folder = make_plugin(tmp_path / "archive", distribution="stowaway", entry_name="stowaway",
                         module="stowaway_rules", source="""
        from pathlib import Path
        Path(__file__).with_name("ran").write_text("imported")
        """)
    (folder / "a.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    result = run_cliplint_subprocess("--isolated", "--no-cache", "a.md", cwd=folder)
    assert (result.status, result.stderr) == (0, "")
    assert not (folder / "ran").exists()
    result = run_cliplint_subprocess("--isolated", "--no-cache", "a.md", cwd=tmp_path,
                                     env={"PYTHONPATH": str(folder)})
    assert (folder / "ran").read_text(encoding="utf-8") == "imported"


def test_options_of_plain_json_values_load() -> None:
    # No false alarm at the edges: 64-bit integers, floats, nested lists and objects, and
    # "$ref" as an option's name or a string (only the keyword is a reference).
    options = {"type": "object", "properties": {
        "low": {"type": "integer", "default": -2**63}, "high": {"default": 2**63 - 1},
        "ratio": {"type": "number", "default": 0.5},
        "nested": {"default": [{"a": [1, None, True, "x"]}]},
        "$ref": {"type": "object", "default": {"$ref": "#/x"}, "examples": [{"$ref": 1}]}}}
    rule = Rule.from_module(_module(OPTIONS=options), plugin="demo")
    assert rule.options_schema["properties"]["low"]["default"] == -2**63


def test_a_rule_changing_its_options_leaves_its_schema_alone() -> None:
    # A rule appended to an option's default list: the schema itself grew, call after
    # call of the library, and the next configuration started from what it had left.
    from cliplint.config import resolve

    options = {"type": "object", "properties": {
        "allowed": {"type": "array", "items": {"type": "string"}, "default": []}}}
    rule = Rule.from_module(_module(OPTIONS=options), plugin="demo")
    for _ in range(3):
        given = resolve({}, {rule.id: rule}).rule_options(rule)
        assert given["allowed"] == []
        given["allowed"].append("www.example.com")
    assert rule.options_schema["properties"]["allowed"]["default"] == []


@pytest.mark.parametrize(("attributes", "said"), [
    ({"doc": None}, "has no docstring"),
    ({"doc": "   \n  "}, "has no docstring"),
    # `cliplint explain` printed an escape sequence to the terminal, or failed.
    ({"doc": "Title.\n\n\x1b[2J\x1b[31mred"},
     "its docstring holds a control character (U+001B)"),
    ({"doc": "Title.\r\nMore."}, "its docstring holds a control character (U+000D)"),
    # C1 controls too, as in a message: U+009B is ESC [ to some terminals.
    ({"doc": "Title.\n\n\x9b2Jcleared"}, "its docstring holds a control character (U+009B)"),
    ({"doc": "Title.\u2028More."}, "its docstring holds a line or paragraph separator (U+2028)"),
    ({"FINDINGS": {"big": Finding("error", "next\x85line")}},
     "FINDINGS['big']: its description holds a control character (U+0085)"),
    ({"doc": "Title \ud800."}, "its docstring holds a lone surrogate, which UTF-8 cannot"),
    ({"FINDINGS": {"big": Finding("error", "bell\x07")}},
     "FINDINGS['big']: its description holds a control character (U+0007)"),
    ({"ID": ""}, "ID must be a non-empty string"),
    ({"ID": 7}, "ID must be a non-empty string"),
    ({"SEVERITY": "fatal"}, "SEVERITY must be one of"),
    ({"FIX": "maybe"}, "FIX must be 'safe', 'unsafe' or None"),
    ({"check": "not a function"}, "check must be a function"),
    ({"record": lambda document, options: {}}, "record is an archive rule's map step"),
    ({"OPTIONS": {"properties": {}}}, "OPTIONS must be a JSON Schema of type 'object'"),
    ({"OPTIONS": {"type": "object", "properties": {"x": {"type": "integer"}}}},
     "option 'x' has no 'default'"),
    ({"OPTIONS": {"type": "object", "properties": {"x": 3}}}, "option 'x' has no 'default'"),
    # What JSON cannot write and read back (rules --json, the registry's snapshot), what a
    # configuration file cannot hold, and references: the first load or `rules --json`
    # failed (a ValueError past 4,300 digits, NaN written as NaN, a set no JSON at all),
    # and a $ref could not be resolved when the default was checked on its own.
    ({"OPTIONS": {"type": "object", "properties": {"x": {"default": 10**5000}}}},
     "OPTIONS holds an integer beyond 64 bits at /properties/x/default, which TOML cannot"),
    ({"OPTIONS": {"type": "object", "properties": {"x": {"default": -2**63 - 1}}}},
     "OPTIONS holds an integer beyond 64 bits at /properties/x/default"),
    ({"OPTIONS": {"type": "object", "properties": {"x": {"default": float("nan")}}}},
     "OPTIONS holds nan at /properties/x/default, which JSON cannot write"),
    ({"OPTIONS": {"type": "object", "properties": {"x": {"default": float("-inf")}}}},
     "OPTIONS holds -inf at /properties/x/default"),
    ({"OPTIONS": {"type": "object", "properties": {"x": {"default": {1, 2}}}}},
     "OPTIONS holds a set at /properties/x/default, which is no JSON value"),
    ({"OPTIONS": {"type": "object", "properties": {"x": {"default": ["a", ("b",)]}}}},
     "OPTIONS holds a tuple at /properties/x/default/1, which is no JSON value (write a list)"),
    ({"OPTIONS": {"type": "object", "properties": {"x": {"default": 1}}, 7: {}}},
     "OPTIONS has a key that is not a string at the top level: 7"),
    ({"OPTIONS": {"type": "object",
                  "properties": {"x": {"$ref": "https://example.com/s.json", "default": 1}}}},
     "OPTIONS uses $ref at /properties/x/$ref: each option's schema must stand alone"),
    ({"OPTIONS": {"type": "object", "$defs": {"n": {"$dynamicRef": "#n"}},
                  "properties": {"x": {"default": 1}}}},
     "OPTIONS uses $dynamicRef at /$defs/n/$dynamicRef"),
    ({"FINDINGS": {}}, "FINDINGS must be a non-empty dict"),
    ({"FINDINGS": [Finding("error", "x")]}, "FINDINGS must be a non-empty dict"),
    ({"FINDINGS": {"Big_One": Finding("error", "x")}}, "kind 'Big_One' is not kebab-case"),
    ({"FINDINGS": {"big": Finding("error", " ")}}, "with a description"),
    ({"FINDINGS": {"big": Finding("fatal", "x")}}, "FINDINGS['big'] must be a Finding"),
    ({"INPUTS": ("clock",)}, "INPUTS must be a tuple of names among ('today',)"),
    ({"INPUTS": "today"}, "INPUTS must be a tuple"),
    ({"INPUTS": ("today",),
      "OPTIONS": {"type": "object", "properties": {"today": {"type": "string", "default": ""}}}},
     "option 'today' is also one of its INPUTS"),
    ({"online_urls": lambda document, options: iter(())}, "an online step is two functions"),
    ({"online_judge": lambda answer, options: None}, "an online step is two functions"),
    ({"online_urls": lambda document, options: iter(()),
      "online_judge": lambda answer, options: None,
      "OPTIONS": {"type": "object",
                  "properties": {"online-timeout": {"type": "number", "default": 1}}}},
     "online-timeout are the engine's online options"),
    ({"check": None, "reduce": lambda entries, options: iter(()),
      "online_urls": lambda document, options: iter(()),
      "online_judge": lambda answer, options: None},
     "only a rule of one clipping (check) may have an online step"),
])
def test_rule_module_checks(attributes: dict[str, Any], said: str) -> None:
    with pytest.raises(ValueError, match=None) as raised:
        Rule.from_module(_module(**attributes), plugin="demo")
    assert said in str(raised.value)


@pytest.mark.parametrize(("attributes", "said"), [
    ({"check": None},
     "rule module demo_rule lacks check (a rule of one clipping) or reduce (an archive rule)"),
    ({"reduce": lambda entries, options: iter(())},
     "rule module demo_rule defines both check (a rule of one clipping) and reduce (an "
     "archive rule): a rule is one or the other"),
], ids=["neither", "both"])
def test_a_rule_module_is_told_whether_it_lacks_check_and_reduce_or_has_both(
        attributes: dict[str, Any], said: str) -> None:
    # Both were "lacks check (...) or reduce (...), not both": a module that has both
    # lacks nothing, and one that has neither was told "not both".
    with pytest.raises(ValueError, match=None) as raised:
        Rule.from_module(_module(**attributes), plugin="demo")
    assert str(raised.value) == said


def test_a_rule_with_an_online_step_gets_the_engines_online_options() -> None:
    rule = Rule.from_module(_module(online_urls=lambda document, options: iter(()),
                                    online_judge=lambda answer, options: None), plugin="demo")
    assert rule.is_online
    defaults = rule.default_options()
    assert defaults["online-timeout"] == 10 and defaults["online-allow-private"] is False
    assert not Rule.from_module(_module(), plugin="demo").default_options()


def _rule_with_options(properties: dict[str, Any]) -> Rule:
    return Rule.from_module(_module(OPTIONS={"type": "object", "properties": properties}),
                            plugin="demo")


def test_option_schemas_are_checked_with_jsonschema(tmp_path: Path) -> None:
    plugins = {"demo": "cliplint-demo 1.0"}
    good = _rule_with_options({"n": {"type": "integer", "minimum": 0, "default": 3}})
    check_options_schemas([good], plugins)
    bad_schema = _rule_with_options({"n": {"type": "integer", "minimum": "zero", "default": 3}})
    with pytest.raises(PluginError, match=r"plugin 'demo' from distribution 'cliplint-demo': "
                       r"rule demo/rule: OPTIONS is not a valid JSON Schema: 'zero' is not of "
                       r"type 'number' \(at properties/n/minimum\)"):
        check_options_schemas([bad_schema], plugins)
    bad_default = _rule_with_options({"n": {"type": "integer", "minimum": 0, "default": -1}})
    with pytest.raises(PluginError, match="the default of option 'n' does not match its schema: "
                       "-1 is less than the minimum of 0"):
        check_options_schemas([bad_default], plugins)
    bad_pattern = _rule_with_options({"p": {"type": "string", "format": "regex",
                                            "default": "(unclosed"}})
    with pytest.raises(PluginError, match="the default of option 'p'"):
        check_options_schemas([bad_pattern], plugins)


def test_a_valid_verdict_is_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user"))  # the key's folder
    folder = tmp_path / "cache"
    folder.mkdir()
    plugins = {"demo": "cliplint-demo 1.0"}
    good = _rule_with_options({"n": {"type": "integer", "default": 3}})
    check_options_schemas([good], plugins, known_good=folder)
    (marker,) = folder.iterdir()
    assert marker.name.startswith("plugin-options-valid-")
    # A marker says nothing about another schema.
    bad = _rule_with_options({"n": {"type": "integer", "default": "3"}})
    with pytest.raises(PluginError):
        check_options_schemas([bad], plugins, known_good=folder)
    assert list(folder.iterdir()) == [marker]


# A plugin's schema that the check refuses (its default is not of its own type), and a
# marker that would say it passed: committed to the cache folder (in the linted tree).
_DEMO = {"demo": "cliplint-demo 1.0"}
_BAD_DEFAULT = {"n": {"type": "integer", "default": "3"}}


def _described(rules: list[Rule]) -> bytes:
    """What a marker of the plugins' schemas describes (cliplint/plugins.py)."""
    from cliplint.plugins import options_description

    return options_description(rules)


def _unkeyed_marker(rules: list[Rule]) -> str:
    """The marker's name as cliplint 0.1.0 wrote it: a digest anyone can compute."""
    from cliplint.digests import blake2b

    return f"plugin-options-valid-{blake2b(_described(rules), digest_size=16).hexdigest()}"


def _marker_under(rules: list[Rule], folder: Path, user: Path,
                  monkeypatch: pytest.MonkeyPatch) -> Path:
    """The marker that says ``rules``' schemas passed, as a run of the user whose key's
    folder is ``user`` names it, made in ``folder``; that user's run trusts it."""
    from cliplint.marks import check_marker

    monkeypatch.setenv("XDG_CACHE_HOME", str(user))
    marker = check_marker(folder, "plugin-options-valid", _described(rules))
    assert marker is not None
    Path(marker).touch()
    check_options_schemas(rules, _DEMO, known_good=folder)  # believed by its maker
    return Path(marker)


def test_a_committed_unkeyed_marker_does_not_skip_the_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user"))
    bad = [_rule_with_options(_BAD_DEFAULT)]
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / _unkeyed_marker(bad)).touch()
    with pytest.raises(PluginError, match="the default of option 'n' does not match"):
        check_options_schemas(bad, _DEMO, known_good=folder)


def test_a_marker_made_with_another_key_does_not_skip_the_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = [_rule_with_options(_BAD_DEFAULT)]
    folder = tmp_path / "cache"
    folder.mkdir()
    marker = _marker_under(bad, folder, tmp_path / "attacker", monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "me"))
    with pytest.raises(PluginError, match="the default of option 'n' does not match"):
        check_options_schemas(bad, _DEMO, known_good=folder)
    assert list(folder.iterdir()) == [marker]


def test_without_a_key_no_marker_is_trusted_or_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key is a link (to a key someone else chose, and could name markers with): it
    is not read, so no marker is believed, and none is written."""
    from cliplint.cache import SECRET_FILE

    bad = [_rule_with_options(_BAD_DEFAULT)]
    folder = tmp_path / "cache"
    folder.mkdir()
    marker = _marker_under(bad, folder, tmp_path / "chooser", monkeypatch)
    key = tmp_path / "me" / "cliplint" / SECRET_FILE
    key.parent.mkdir(parents=True)
    key.symlink_to(tmp_path / "chooser" / "cliplint" / SECRET_FILE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "me"))
    with pytest.raises(PluginError, match="the default of option 'n' does not match"):
        check_options_schemas(bad, _DEMO, known_good=folder)
    good = _rule_with_options({"n": {"type": "integer", "default": 3}})
    check_options_schemas([good], _DEMO, known_good=folder)
    assert list(folder.iterdir()) == [marker]


def test_builtin_option_schemas_are_valid() -> None:
    """cliplint's own schemas are not checked at every start (jsonschema is slow to
    import): here instead."""
    rules = load_registry(builtins_only=True).rules
    check_options_schemas(list(rules.values()), {"builtin": "cliplint 0"})


_PROBE = """
import json, sys
from cliplint.cli import main
status = main(sys.argv[1:])
print(json.dumps({"status": status, "jsonschema": "jsonschema" in sys.modules}))
"""


def test_a_packs_schemas_are_checked_once_per_cache_folder(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    env = _env(plugin_env, GOOD)
    work = tmp_path / "work"
    work.mkdir()
    (work / "a.md").write_text(GOOD_CLIPPING)

    def probe(*arguments: str) -> dict[str, Any]:
        completed = subprocess.run([sys.executable, "-c", _PROBE, "--isolated", *arguments,
                                    "a.md"], cwd=work, env={**_clean_env(), **env},
                                   capture_output=True, text=True, check=True)
        return json.loads(completed.stdout.splitlines()[-1])  # type: ignore[no-any-return]

    assert probe("--no-cache") == {"status": 0, "jsonschema": True}
    assert not (work / ".cliplint_cache").exists()  # --no-cache: no marker, no folder
    # No cache folder here yet: checked, and the run makes the folder (its results cache).
    assert probe() == {"status": 0, "jsonschema": True}
    assert not list((work / ".cliplint_cache").glob("plugin-options-valid-*"))
    assert probe() == {"status": 0, "jsonschema": True}  # checked, and remembered there
    assert probe() == {"status": 0, "jsonschema": False}
    assert probe("--no-cache") == {"status": 0, "jsonschema": True}  # --no-cache reads nothing


def _clean_env() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if not key.startswith("CLIPLINT")}


def test_a_format_that_is_not_a_function_is_refused(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    source = ('"""A pack with a broken format."""\nfrom cliplint.api import hookimpl\n\n'
              '@hookimpl\ndef cliplint_formats():\n    return {"csv": "not a function"}\n')
    env = plugin_env(distribution="cliplint-csv", entry_name="csv", module="cliplint_csv",
                     source=source)
    result = run_cliplint("rules", env=env)
    assert result.status == 2
    assert ("plugin 'csv' from distribution 'cliplint-csv': report format 'csv' must be a name "
            "and a function render(report, options)") in result.stderr


@pytest.mark.parametrize(("returned", "said"), [
    ('["cliplint_named"]', "got a str 'cliplint_named' among them"),
    ("sys.modules[__name__]", "got module <module 'cliplint_named'"),
    ("None", "got NoneType None"),
    ('"cliplint_named"', "got str 'cliplint_named'"),
])
def test_a_rules_hook_that_returns_no_list_of_modules_is_said_plainly(
        plugin_env: Callable[..., dict[str, str]], returned: str, said: str) -> None:
    # It was "'str' object has no attribute '__name__'", "'module' object is not iterable".
    source = ('"""A pack that names its rules."""\nimport sys\nfrom cliplint import hookimpl\n'
              'ID = "named/rule"\nSEVERITY = "error"\n\ndef check(document, options):\n'
              f'    return iter(())\n\n@hookimpl\ndef cliplint_rules():\n    return {returned}\n')
    env = plugin_env(distribution="cliplint-named", entry_name="named",
                     module="cliplint_named", source=source)
    result = run_cliplint("rules", env=env)
    assert result.status == 2
    assert result.stderr.startswith(
        "cliplint: error: plugin 'named' from distribution 'cliplint-named' failed to provide "
        "rules: cliplint_rules() must return a list of rule modules")
    assert said in result.stderr


@pytest.mark.parametrize("name", ["EVIL", "a.b", "x,y", "pack/sub"])
def test_a_plugin_whose_name_is_not_kebab_case_is_refused(
        plugin_env: Callable[..., dict[str, str]], name: str) -> None:
    # Its rule ids start with it: "EVIL/rule" broke the JSON report's own schema, "x,y/rule"
    # could not be named with --select, "pack/sub/rule" came with another pack's "pack/".
    rule_id = f"{name}/rule"
    source = (f'"""A rule."""\nimport sys\nfrom cliplint import hookimpl\nID = {rule_id!r}\n'
              'SEVERITY = "error"\n\ndef check(document, options):\n    return iter(())\n\n'
              '@hookimpl\ndef cliplint_rules():\n    return [sys.modules[__name__]]\n')
    env = plugin_env(distribution="cliplint-odd-name", entry_name=name,
                     module="cliplint_odd_name", source=source)
    result = run_cliplint("rules", env=env)
    assert result.status == 2
    assert (f"cliplint: error: plugin {name!r} from distribution 'cliplint-odd-name': a "
            "plugin's name (its entry point's, which its rule ids start with) must be "
            "kebab-case") in result.stderr


def test_a_plugin_that_marks_no_hook_is_refused(
        plugin_env: Callable[..., dict[str, str]]) -> None:
    # Without @hookimpl pluggy passes over the function: the pack loaded with no rules.
    source = ('"""A rule."""\nimport sys\nID = "unmarked/rule"\nSEVERITY = "error"\n\n'
              'def check(document, options):\n    return iter(())\n\n'
              'def cliplint_rules():\n    return [sys.modules[__name__]]\n')
    env = plugin_env(distribution="cliplint-unmarked", entry_name="unmarked",
                     module="cliplint_unmarked", source=source)
    result = run_cliplint("--select", "unmarked/rule", ".", env=env)
    assert result.status == 2
    assert ("plugin 'unmarked' from distribution 'cliplint-unmarked' implements no hook of "
            "cliplint's: mark its cliplint_rules (or cliplint_formats) function with "
            "@hookimpl") in result.stderr


def test_what_a_rules_hook_raises_is_named_and_cut(
        plugin_env: Callable[..., dict[str, str]]) -> None:
    # Its own ValueError was quoted whole (a million characters) and without its type, as
    # if cliplint had judged what the hook gave.
    source = ('"""A pack."""\nfrom cliplint import hookimpl\n\n@hookimpl\n'
              'def cliplint_rules():\n    raise ValueError("x" * 100_000)\n')
    env = plugin_env(distribution="cliplint-named", entry_name="named",
                     module="cliplint_named", source=source)
    result = run_cliplint("rules", env=env)
    assert result.status == 2
    assert result.stderr == (
        "cliplint: error: plugin 'named' from distribution 'cliplint-named' failed to provide "
        f"rules: ValueError: {'x' * 500}... (100,000 characters)\n")


def test_the_values_rules_see_and_yield_have_type_hints_tools_can_read() -> None:
    # Tools that check or document plugins (typeguard, pydantic, Sphinx) read annotations
    # with typing.get_type_hints: every name they use must exist where the class lives.
    import typing

    from cliplint import api

    for name in ("Violation", "ArchiveEntry", "ArchiveViolation", "OnlineURL", "Answer",
                 "Verdict", "Edit", "Fix", "Related", "Finding", "Problem"):
        assert typing.get_type_hints(getattr(api, name)), name
