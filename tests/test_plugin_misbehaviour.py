"""Plugins that misbehave: what their rules yield or do is their bug, and costs their
rule (an internal-error problem for that file, the run going on, exit 3), never the
run, its report or the exit status the run has earned."""

from __future__ import annotations

import json
import os
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, ROOT, Run, run_cliplint

from cliplint import lint_text
from cliplint.config import ConfigError

RULE = '''
"""A rule that misbehaves.

Why: to see what the engine makes of it.
"""
import sys
from cliplint import Edit, Fix, Violation, hookimpl
from cliplint.api import ArchiveViolation

ID = "odd/rule"
SEVERITY = "warning"
FIX = None

{body}

@hookimpl
def cliplint_rules():
    return [sys.modules[__name__]]
'''

#: A clipping with a problem of a built-in rule (a timestamp in seconds): still reported.
SECONDS = GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->")


def _archive(tmp_path: Path) -> Path:
    (tmp_path / "a.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    (tmp_path / "b.md").write_text(SECONDS, encoding="utf-8")
    return tmp_path


def _env(plugin_env: Callable[..., dict[str, str]], body: str) -> dict[str, str]:
    return plugin_env(distribution="cliplint-odd", entry_name="odd", module="cliplint_odd",
                      source=RULE.format(body=textwrap.dedent(body)))


@pytest.mark.parametrize(("body", "said"), [
    ("def check(document, options):\n    sys.exit(0)\n", "SystemExit: 0"),
    # Not an Exception: a traceback, exit 1, every file's result lost.
    ("def check(document, options):\n    class Odd(BaseException):\n        pass\n"
     "    raise Odd('x')\n", "Odd: x"),
    ("def check(document, options):\n    raise GeneratorExit('x')\n", "GeneratorExit: x"),
    # Its text is the plugin's code too: the run ended as cliplint's "internal error".
    ("def check(document, options):\n    class Odd(Exception):\n"
     "        def __str__(self):\n            raise RuntimeError\n    raise Odd()\n",
     "Odd: (its text could not be made)"),
    # Quoted whole, for every file: megabytes of report.
    ("def check(document, options):\n    raise ValueError('x' * 1_000_000)\n",
     "ValueError: " + "x" * 500 + "... (1,000,000 characters)"),
    ("def check(document, options):\n    yield 'a string'\n", "it yielded str 'a string', "
     "not a Violation"),
    ("def check(document, options):\n    yield Violation(1.5, 3.7, 'm')\n",
     "a violation's span is not two whole numbers: 1.5, 3.7"),
    ("def check(document, options):\n    yield Violation(True, False, 'm')\n",
     "a violation's span is not two whole numbers: True, False"),
    ("def check(document, options):\n    yield Violation(0, 10**9, 'm')\n",
     "a violation's span 0..1000000000 is not within the text (0.."),
    ("def check(document, options):\n    yield Violation(9, 3, 'm')\n",
     "a violation's span 9..3 is not within the text"),
    ("def check(document, options):\n    yield Violation(0, 1, 12345)\n",
     "a violation's message is a int, not text"),
    ("def check(document, options):\n    yield Violation(0, 1, 'm\\n::error file=x::y')\n",
     "a violation's message holds a control character (U+000A): it must be one line of text"),
    # A line break to str.splitlines, and the C1 CSI some terminals read as ESC [.
    ("def check(document, options):\n    yield Violation(0, 1, 'm\\x85::error file=x::y')\n",
     "a violation's message holds a control character (U+0085): it must be one line of text"),
    ("def check(document, options):\n    yield Violation(0, 1, 'm\\x9b2K')\n",
     "a violation's message holds a control character (U+009B)"),
    # A line break to JavaScript and str.splitlines.
    ("def check(document, options):\n    yield Violation(0, 1, 'm\\u2028::error file=x::y')\n",
     "a violation's message holds a line or paragraph separator (U+2028): it must be one line "
     "of text"),
    ("def check(document, options):\n    yield Violation(0, 1, 'm \\ud800')\n",
     "a violation's message holds a lone surrogate"),
    ("def check(document, options):\n    yield Violation(0, 1, 'm', severity='fatal')\n",
     "rule odd/rule reported a severity that is not one of error, warning, info: 'fatal'"),
    # (an unhashable kind ended the run as cliplint's own "internal error")
    ("def check(document, options):\n    yield Violation(0, 1, 'm', kind=['x'])\n",
     "rule odd/rule reported a kind that is not text: ['x']"),
    # Fixes: as the fixer cannot read them (it crashed, under --fix, naming no rule).
    ("def check(document, options):\n    yield Violation(0, 1, 'm', 'fix me')\n",
     "a violation's fix is a str, not a Fix"),
    ("def check(document, options):\n"
     "    yield Violation(0, 1, 'm', Fix((Edit(0, 1, 'x'),), 'yolo', 'd'))\n",
     "a fix's applicability is neither 'safe' nor 'unsafe': 'yolo'"),
    ("def check(document, options):\n"
     "    yield Violation(0, 1, 'm', Fix((e for e in [Edit(0, 1, 'x')]), 'safe', 'd'))\n",
     "a fix's edits are not a tuple of one Edit or more"),
    ("def check(document, options):\n    yield Violation(0, 1, 'm', Fix((), 'safe', 'd'))\n",
     "a fix's edits are not a tuple of one Edit or more"),
    ("def check(document, options):\n    yield Violation(0, 1, 'm', Fix(('x',), 'safe', 'd'))\n",
     "a fix holds a str, not an Edit"),
    ("def check(document, options):\n"
     "    yield Violation(0, 1, 'm', Fix((Edit(0.0, 1, 'x'),), 'safe', 'd'))\n",
     "an edit's span is not two whole numbers: 0.0, 1"),
    ("def check(document, options):\n"
     "    yield Violation(0, 1, 'm', Fix((Edit(0, 1, 5),), 'safe', 'd'))\n",
     "an edit's replacement is a int, not text"),
    # Offered as fixable ([*], and its edit in the JSON report), refused by --fix.
    ("FIX = 'safe'\ndef check(document, options):\n"
     "    yield Violation(0, 1, 'm', Fix((Edit(0, 10**9, 'x'),), 'safe', 'd'))\n",
     "an edit's span 0..1000000000 is not within the text (0.."),
    ("FIX = 'safe'\ndef check(document, options):\n"
     "    yield Violation(0, 1, 'm', Fix((Edit(0, 4, 'x'), Edit(2, 6, 'y')), 'safe', 'd'))\n",
     "a fix's own edits overlap"),
    # A fix safer than the rule declares: --fix applied it without --unsafe-fixes.
    ("def check(document, options):\n"
     "    yield Violation(0, 1, 'm', Fix((Edit(0, 1, 'x'),), 'safe', 'd'))\n",
     "a violation has a fix, but the rule declares none (FIX = None)"),
    ("FIX = 'unsafe'\ndef check(document, options):\n"
     "    yield Violation(0, 1, 'm', Fix((Edit(0, 1, 'x'),), 'safe', 'd'))\n",
     "a fix is 'safe', but the rule declares its fixes unsafe (FIX = 'unsafe')"),
    # --show-fixes printed it as it was: an escape sequence reached the terminal.
    ("def check(document, options):\n"
     "    yield Violation(0, 1, 'm', Fix((Edit(0, 1, 'x'),), 'safe', 'd\\x1b[2J'))\n",
     "a fix's description holds a control character (U+001B): it must be one line of text"),
], ids=["sys.exit", "base-exception", "generator-exit", "unprintable", "huge-text",
        "not-a-violation", "float-span", "bool-span", "past-the-end",
        "reversed", "message-not-text", "line-break", "next-line", "csi", "line-separator",
        "surrogate", "severity", "kind-not-text", "fix-not-fix",
        "applicability", "edits-generator", "no-edits", "edit-not-edit", "edit-float",
        "replacement-not-text", "edit-past-the-end", "edits-overlap", "fix-without-fix", "fix-safer-than-declared",
        "fix-description"])
def test_what_a_rule_yields_wrong_is_its_internal_error(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]], body: str, said: str) -> None:
    archive = _archive(tmp_path)
    env = _env(plugin_env, body)
    (archive / "report.json").write_text("an earlier report\n", encoding="utf-8")
    run = run_cliplint("--isolated", "--no-cache", "--select", "odd/,timestamp-comment",
                       "--format", "json", "--output-file", "report.json", "a.md", "b.md",
                       cwd=archive, env=env)
    assert run.status == 3, run.stderr
    problems = json.loads((archive / "report.json").read_text(encoding="utf-8"))["problems"]
    crashes = [(p["path"], p["message"]) for p in problems if p["rule"] == "internal-error"]
    assert [path for path, _ in crashes] == ["a.md", "b.md"]
    assert all(message.startswith("rule odd/rule crashed: ") and said in message
               for _, message in crashes), crashes
    # The run went on: the built-in rules' problems are there, the rule's are not.
    assert {(p["path"], p["rule"]) for p in problems if p["rule"] != "internal-error"} == {
        ("b.md", "timestamp-comment")}


def test_a_fix_safer_than_its_rule_declares_is_not_applied(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # A rule declared unsafe rewrote the title link under plain --fix.
    env = _env(plugin_env, "FIX = 'unsafe'\ndef check(document, options):\n"
                           "    title = document.header.title\n"
                           "    yield Violation(title.start, title.end, 'm', Fix((Edit("
                           "title.start, title.end, '[X](https://example.com/)'),), 'safe', 'd'))\n")
    archive = _archive(tmp_path)
    run = run_cliplint("--isolated", "--no-cache", "--select", "odd/", "--fix", "a.md",
                       cwd=archive, env=env)
    assert run.status == 3, run.stdout
    assert "a fix is 'safe', but the rule declares its fixes unsafe" in run.stdout
    assert (archive / "a.md").read_text(encoding="utf-8") == GOOD_CLIPPING


@pytest.mark.parametrize("how", [["--jobs", "1"], ["--jobs", "2"], ["--scheduler", "processes"]],
                         ids=["jobs-1", "jobs-2", "batched"])
@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_what_a_plugin_prints_stays_out_of_the_report(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]], how: list[str],
        output_format: str) -> None:
    # A debug print in a rule, its reduce step or at import went into the JSON or SARIF
    # on standard output: a report no reader could parse, and exit 0.
    env = _env(plugin_env, "print('printed at import')\n"
                           "def record(document, options):\n"
                           "    print('printed by the map step')\n    return 1\n"
                           "def reduce(entries, options):\n"
                           "    print('printed by the reduce step')\n"
                           "    yield ArchiveViolation(entries[0].path, 'found')\n")
    archive = _archive(tmp_path)
    for number in range(30):  # enough files for the worker pool
        (archive / f"c{number}.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    run = run_cliplint("--isolated", "--no-cache", *how, "--select",
                       "odd/,timestamp-comment", "--format", output_format, ".",
                       cwd=archive, env=env)
    assert run.status == 1, run.stderr
    report = json.loads(run.stdout)
    assert "printed" not in run.stdout
    for said in ("printed at import", "printed by the map step", "printed by the reduce step"):
        assert said in run.stderr
    found = report["problems"] if output_format == "json" else report["runs"][0]["results"]
    assert len(found) == 2  # b.md's timestamp, and the archive rule's one


def test_what_a_rules_hook_prints_stays_out_of_the_report(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # The usual layout imports the rule modules in the hook: their prints came first on
    # standard output, before the JSON.
    source = ('"""A rule."""\nimport sys\nfrom cliplint import hookimpl\nID = "loud/rule"\n'
              'SEVERITY = "error"\n\ndef check(document, options):\n    return iter(())\n\n'
              '@hookimpl\ndef cliplint_rules():\n    print("printed by the hook")\n'
              '    return [sys.modules[__name__]]\n')
    env = plugin_env(distribution="cliplint-loud", entry_name="loud", module="cliplint_loud",
                     source=source)
    archive = _archive(tmp_path)
    run = run_cliplint("--isolated", "--no-cache", "--select", "loud/,timestamp-comment",
                       "--format", "json", ".", cwd=archive, env=env)
    assert run.status == 1, run.stderr
    assert len(json.loads(run.stdout)["problems"]) == 1
    assert "printed by the hook" in run.stderr


def test_a_message_may_hold_a_tab_and_bidi_controls(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # They make no line of their own: a plugin quoting right-to-left text may hold a mark.
    env = _env(plugin_env, "def check(document, options):\n"
                           "    yield Violation(0, 1, 'a\\tb \\u200f\\u202e c')\n")
    run = run_cliplint("--isolated", "--no-cache", "--select", "odd/", "--format", "json", "a.md",
                       cwd=_archive(tmp_path), env=env)
    assert run.status == 0, run.stdout  # a warning: not an internal-error's 3
    problems = json.loads(run.stdout)["problems"]
    assert [(p["rule"], p["message"]) for p in problems] == [("odd/rule", "a\tb \u200f\u202e c")]


def test_a_rule_calling_sys_exit_does_not_pass_the_run(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # The text report on standard output: sys.exit(0) in a rule was a silent exit 0.
    env = _env(plugin_env, "def check(document, options):\n    sys.exit(0)\n")
    run = run_cliplint("--isolated", "--no-cache", "--select", "odd/,timestamp-comment", "b.md",
                       cwd=_archive(tmp_path), env=env)
    assert run.status == 3
    assert "b.md:1:1: internal-error rule odd/rule crashed: SystemExit: 0" in run.stdout
    assert "b.md:1:5: timestamp-comment" in run.stdout


@pytest.mark.parametrize(("body", "said"), [
    ("def record(document, options):\n    return 1\n"
     "def reduce(entries, options):\n    while True:\n"
     "        yield ArchiveViolation(entries[0].path, 'again')\n",
     "it reported over 1,000 problems about 2 files"),
    ("def record(document, options):\n    return 1\n"
     "def reduce(entries, options):\n    sys.exit(0)\n    yield\n", "SystemExit: 0"),
    ("def record(document, options):\n    return 1\n"
     "def reduce(entries, options):\n    class Odd(BaseException):\n        pass\n"
     "    raise Odd('x')\n    yield\n", "Odd: x"),
    ("def record(document, options):\n    return 1\n"
     "def reduce(entries, options):\n    yield ArchiveViolation('../../etc/passwd', 'm')\n",
     "it named a file that is not in the archive: '../../etc/passwd'"),
    # A related file must be one of the archive's too (None ended the run, half reported).
    ("def record(document, options):\n    return 1\n"
     "def reduce(entries, options):\n    from cliplint.api import Related\n"
     "    yield ArchiveViolation(entries[0].path, 'm', (Related(None, 'r'),))\n",
     "it named a related file that is not in the archive: None"),
    ("def record(document, options):\n    return 1\n"
     "def reduce(entries, options):\n    from cliplint.api import Related\n"
     "    yield ArchiveViolation(entries[0].path, 'm', (Related('../../etc/passwd', 'r'),))\n",
     "it named a related file that is not in the archive: '../../etc/passwd'"),
    # The engine checked a rule of one clipping's messages, not an archive rule's.
    ("def record(document, options):\n    return 1\n"
     "def reduce(entries, options):\n"
     "    yield ArchiveViolation(entries[0].path, 'm\\n./b.md:9:9: forged')\n",
     "a problem's message holds a control character (U+000A): it must be one line of text"),
    ("def record(document, options):\n    return 1\n"
     "def reduce(entries, options):\n    from cliplint.api import Related\n"
     "    yield ArchiveViolation(entries[0].path, 'm', (Related(entries[1].path, 'r\\x9b'),))\n",
     "a related file's message holds a control character (U+009B): it must be one line of "
     "text"),
    # Said as a rule of one clipping's is (it was "AttributeError: 'str' object has no
    # attribute 'path'"): what the rule yielded, and what it should have been.
    ("def record(document, options):\n    return 1\n"
     "def reduce(entries, options):\n    yield 'o'\n",
     "it yielded str 'o', not an ArchiveViolation"),
    ("def record(document, options):\n    return 1\n"
     "def reduce(entries, options):\n    yield ArchiveViolation(entries[0].path, 'm', 'b.md')\n",
     "a problem's related files are a str, not a tuple of Related"),
    ("def record(document, options):\n    return 1\n"
     "def reduce(entries, options):\n"
     "    yield ArchiveViolation(entries[0].path, 'm', (entries[1].path,))\n",
     "a problem's related files hold a str, not a Related"),
], ids=["endless", "sys.exit", "base-exception", "unknown-path", "related-none",
        "related-outside", "message-line-break", "related-message", "not-an-archive-violation",
        "related-not-a-tuple", "related-not-related"])
def test_what_a_reduce_step_does_wrong_is_its_internal_error(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]], body: str, said: str) -> None:
    # An endless reduce filled the memory (a gigabyte in seconds) until it was killed.
    env = _env(plugin_env, body)
    run = run_cliplint("--isolated", "--no-cache", "--select", "odd/,timestamp-comment", ".",
                       cwd=_archive(tmp_path), env=env)
    assert run.status == 3
    lines = run.stdout.splitlines()
    assert f".:1:1: internal-error rule odd/rule crashed: ValueError: {said}" in lines or \
        f".:1:1: internal-error rule odd/rule crashed: {said}" in lines, lines
    assert any(line.startswith("./b.md:1:5: timestamp-comment") for line in lines)


def test_a_small_archive_may_have_many_problems_of_a_reduce_step(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # Two files, 300 problems: under the cap of a thousand in all, though over ten a file
    # (path-portability's problems of one name lost the rule's whole report that way).
    env = _env(plugin_env, "def record(document, options):\n    return 1\n"
                           "def reduce(entries, options):\n    for n in range(300):\n"
                           "        yield ArchiveViolation(entries[0].path, f'm{n}')\n")
    run = run_cliplint("--isolated", "--no-cache", "--select", "odd/", "--format", "json", ".",
                       cwd=_archive(tmp_path), env=env)
    assert run.status == 0, run.stdout  # warnings
    problems = json.loads(run.stdout)["problems"]
    assert sorted(p["message"] for p in problems) == sorted(f"m{n}" for n in range(300))
    assert {p["rule"] for p in problems} == {"odd/rule"}


def test_a_reduce_step_that_never_ends_is_stopped(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # It hung the run: the per-file budget, once more for every thousand files, stops it.
    env = _env(plugin_env, "def record(document, options):\n    return 1\n"
                           "def reduce(entries, options):\n    while True:\n        pass\n"
                           "    yield\n")
    run = run_cliplint("--isolated", "--no-cache", "--select", "odd/,timestamp-comment",
                       "--file-timeout", "0.5", ".", cwd=_archive(tmp_path), env=env)
    assert run.status == 1
    assert run.stdout.splitlines()[:2] == [
        "./b.md:1:5: timestamp-comment timestamp 1686778744 is in seconds, not milliseconds "
        "(did you mean 1686778744000?) [*]",
        ".:1:1: file-timeout rule odd/rule's reduce step stopped after 0.501 s (file-timeout, "
        "once more for every thousand files); its problems are not reported"]


def test_a_plugin_calling_sys_exit_as_it_loads_is_named(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    env = _env(plugin_env, "sys.exit(0)\ndef check(document, options):\n    return iter(())\n")
    run = run_cliplint("--isolated", "--no-cache", "b.md", cwd=_archive(tmp_path), env=env)
    assert run.status == 2
    assert ("plugin 'odd' from distribution 'cliplint-odd' failed to load: SystemExit: 0"
            in run.stderr)


def test_the_library_refuses_a_selection_the_command_line_refuses() -> None:
    # It linted with no rule at all, silently, and a string was read letter by letter.
    text = (ROOT / "examples" / "harbour-reopens.md").read_text(encoding="utf-8")
    assert [p.rule for p in lint_text(text, select=["aggregator-boilerplate"])] == [
        "aggregator-boilerplate"]
    assert [p.rule for p in lint_text(text, select=iter(["aggregator-boilerplate"]))] == [
        "aggregator-boilerplate"]
    with pytest.raises(ConfigError, match="select: unknown rule 'aggregator-boilerplat' "
                                          r"\(did you mean 'aggregator-boilerplate'\?\)"):
        lint_text(text, select=["aggregator-boilerplat"])
    with pytest.raises(TypeError, match="select must be a list of rule ids"):
        lint_text(text, select="aggregator-boilerplate")
    with pytest.raises(TypeError, match="select must be a list of rule ids"):
        lint_text(text, select=[None])  # type: ignore[list-item]


def test_a_record_the_cache_cannot_hold_is_not_kept(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # A set is no JSON: the run ended in an internal error, on every run, with a cache.
    env = _env(plugin_env, "def record(document, options):\n    return {1, 2}\n"
                           "def reduce(entries, options):\n    return iter(())\n")
    archive = _archive(tmp_path)
    env = {**env, "CLIPLINT_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):  # the first run, then one that finds nothing of this in the cache
        run = run_cliplint("--isolated", "--select", "odd/,timestamp-comment", ".",
                           cwd=archive, env=env)
        assert run.status == 1, run.stdout + run.stderr
        assert "internal" not in run.stdout + run.stderr
        assert "./b.md:1:5: timestamp-comment" in run.stdout


def test_a_worker_a_rule_ends_is_said_to_have_ended(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # os._exit in a rule, in a worker: "internal error: BrokenProcessPool: ... please
    # report it", cliplint blamed for it.
    env = _env(plugin_env, "import os\ndef check(document, options):\n    os._exit(7)\n")
    archive = _archive(tmp_path)
    for number in range(30):  # enough files for the worker pool
        (archive / f"c{number}.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    run = run_cliplint("--isolated", "--no-cache", "--jobs", "2", "--select", "odd/", ".",
                       cwd=archive, env=env)
    assert run.status == 3
    assert ("cliplint: error: a worker process ended in the middle of its files: a rule's "
            "code ended its process") in run.stderr
    assert "internal error" not in run.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_record_no_process_can_be_sent_is_its_rules_internal_error(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]], jobs: str) -> None:
    # A function as a record: with --jobs 2 the worker could not send it, and the whole
    # run ended as cliplint's "internal error"; with --jobs 1 it went through.
    env = _env(plugin_env, "def record(document, options):\n    return {'f': lambda: 1}\n"
                           "def reduce(entries, options):\n    return iter(())\n")
    archive = _archive(tmp_path)
    for number in range(30):  # enough files for the worker pool
        (archive / f"c{number}.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    run = run_cliplint("--isolated", "--no-cache", "--jobs", jobs, "--select",
                       "odd/,timestamp-comment", ".", cwd=archive, env=env)
    assert run.status == 3, run.stderr
    crashes = [line for line in run.stdout.splitlines() if "internal-error" in line]
    assert len(crashes) == 32
    assert all("rule odd/rule crashed: ValueError: its map step made a record that neither "
               "JSON nor pickle can hold" in line for line in crashes)
    assert "./b.md:1:5: timestamp-comment" in run.stdout


def test_a_reduce_step_sees_records_alike_cold_and_warm(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # A tuple and a number as a key: the reduce saw them as made on a cold run and as JSON
    # gives them back on a warm one (a pack tested cold broke in its users' warm runs).
    env = _env(plugin_env, "def record(document, options):\n"
                           "    return {'pair': (1, 2), 3: 'number key'}\n"
                           "def reduce(entries, options):\n"
                           "    yield ArchiveViolation(entries[0].path, repr(entries[0].record))\n")
    archive = _archive(tmp_path)
    env = {**env, "CLIPLINT_CACHE_DIR": str(tmp_path / "cache")}
    seen = set()
    for cache in (["--no-cache"], [], []):  # no cache, a first run, a warm one
        run = run_cliplint("--isolated", *cache, "--select", "odd/", ".", cwd=archive, env=env)
        assert run.status == 0, run.stdout + run.stderr
        seen.add(run.stdout.splitlines()[0])
    assert seen == {"./a.md:1:1: warning odd/rule {'pair': [1, 2], '3': 'number key'}"}


def test_the_built_in_rules_records_are_what_json_gives_back() -> None:
    # What lets the map step hand cliplint's own records on as they are (a third party's
    # are put through JSON: see the test above).
    from cliplint.cache import stored_records
    from cliplint.linter import library_document, library_settings, lint_and_record

    rules, settings = library_settings(None, None)
    corpus = ROOT.parent / "shared" / "corpus"
    paths = [ROOT / "examples" / "harbour-reopens.md", *sorted(corpus.rglob("*.md"))[::97]]
    for path in paths:
        document = library_document(path.read_text(encoding="utf-8"), str(path), settings)
        records = lint_and_record(document, rules, settings, path=str(path))[1]
        assert records and stored_records([records])[0] is records, path


@pytest.mark.parametrize(("replacement", "said"), [
    ("Harb\\x00r", "the file would hold a NUL character, and read as a binary file"),
    ("Harb\\ud800r", "the text would hold a lone surrogate, which UTF-8 cannot write"),
], ids=["nul", "surrogate"])
def test_a_fix_that_would_leave_the_file_unreadable_is_refused(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]], replacement: str,
        said: str) -> None:
    # A "safe" fix that puts a NUL in the title was written ("All clean"), and the file
    # then read as binary; a lone surrogate was an internal error of the whole run.
    body = f'''
    from cliplint import Edit, Fix
    FIX = "safe"
    def check(document, options):
        at = document.text.find("title")
        if at != -1:
            yield Violation(at, at + 5, "m", Fix((Edit(at, at + 5, "{replacement}"),), "safe", "x"))
    '''
    env = _env(plugin_env, body)
    archive = _archive(tmp_path)
    run = run_cliplint("--isolated", "--no-cache", "--select", "odd/", "--fix", "a.md",
                       cwd=archive, env=env)
    assert run.status == 1, run.stdout + run.stderr
    assert f"fix-refused fix refused (readable) for odd/rule: {said}; nothing written" in \
        run.stdout
    assert (archive / "a.md").read_text(encoding="utf-8") == GOOD_CLIPPING


FORMAT = '''
"""A pack whose report format misbehaves."""
import sys
from cliplint.api import hookimpl

def render(report, options):
    {body}

@hookimpl
def cliplint_formats():
    return {{"odd": render}}
'''


@pytest.mark.parametrize(("body", "said"), [
    ("raise ValueError('boom')", "report format 'odd' failed: ValueError: boom"),
    ("sys.exit(0)", "report format 'odd' failed: SystemExit: 0"),
    ("return b'bytes'", "report format 'odd' returned bytes, not the report's text"),
    ("return 'text \\ud800'", "report format 'odd' returned text UTF-8 cannot write, not the "
                              "report's text"),
], ids=["raises", "exits", "bytes", "surrogate"])
@pytest.mark.parametrize("fix", [False, True], ids=["lint", "fix"])
def test_a_report_format_that_fails_names_its_plugin(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]], body: str, said: str,
        fix: bool) -> None:
    # It was "internal error ... please report it": cliplint blamed for a plugin's bug.
    env = plugin_env(distribution="cliplint-oddformat", entry_name="oddformat",
                     module="cliplint_oddformat", source=FORMAT.format(body=body))
    # Backdated, so that the first run writes the registry's snapshot and the second
    # reads it: the plugin is named either way.
    for path in (tmp_path / "site").rglob("*"):
        os.utime(path, (time.time() - 60, time.time() - 60))
    (tmp_path / "archive").mkdir()
    archive = _archive(tmp_path / "archive")
    env = {**env, "XDG_CACHE_HOME": str(tmp_path / "user-cache"),
           "CLIPLINT_CACHE_DIR": str(tmp_path / "cache")}
    for attempt in range(2):
        run = run_cliplint("--isolated", "--format", "odd", *(["--fix"] if fix else []),
                           "a.md", cwd=archive, env=env)
        assert run.status == 3, run.stdout + run.stderr
        assert run.stderr == (f"cliplint: error: plugin 'oddformat' from distribution "
                              f"'cliplint-oddformat': {said} (a bug in that plugin: please "
                              "report it to its authors)\n")
        assert list((tmp_path / "user-cache" / "cliplint").glob("plugins-*.json")), attempt


@pytest.mark.parametrize(("body", "said"), [
    # Each where its rule is disabled: the bug was dropped unseen, or told as the
    # TypeError or AttributeError it made in the suppressions' code.
    ("def check(document, options):\n    yield Violation(131.5, 132.5, 'm')\n",
     "a violation's span is not two whole numbers: 131.5, 132.5"),
    ("def check(document, options):\n    yield 'a string'\n", "it yielded str 'a string', "
     "not a Violation"),
    ("def check(document, options):\n    yield Violation(10**9, 10**9 + 1, 'm')\n",
     "a violation's span 1000000000..1000000001 is not within the text (0.."),
    ("def check(document, options):\n    yield Violation(131, 132, 'm\\n::error file=x::y')\n",
     "a violation's message holds a control character (U+000A): it must be one line of text"),
], ids=["float-span", "not-a-violation", "past-the-end", "suppressed-line-break"])
def test_a_malformed_violation_is_told_alike_in_a_file_with_suppressions(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]], body: str, said: str) -> None:
    # Suppressions read a violation's span before the engine checked it.
    clipping = GOOD_CLIPPING + "<!-- cliplint-disable odd/rule -->\n<p>More.</p>\n"
    assert clipping.index("<!-- cliplint-disable") < 131 < len(clipping)  # (the spans)
    (tmp_path / "a.md").write_text(clipping, encoding="utf-8")
    run = run_cliplint("--isolated", "--no-cache", "--select", "odd/", "--format", "json",
                       "a.md", cwd=tmp_path, env=_env(plugin_env, body))
    assert run.status == 3, run.stderr
    messages = [p["message"] for p in json.loads(run.stdout)["problems"]]
    assert len(messages) == 1 and messages[0].startswith("rule odd/rule crashed: " + said), \
        messages


@pytest.mark.parametrize("configured", [False, True])
def test_an_undeclared_kind_is_the_rules_bug_whatever_the_configured_severity(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]], configured: bool) -> None:
    # With the rule's severity configured, the kind was never looked up: the bug passed.
    env = _env(plugin_env, "def check(document, options):\n"
                           "    yield Violation(0, 1, 'm', kind='no-such-kind')\n")
    (tmp_path / "a.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    if configured:
        (tmp_path / "pyproject.toml").write_text(
            '[tool.cliplint.severity]\n"odd/rule" = "info"\n', encoding="utf-8")
    run = run_cliplint("--no-cache", "--select", "odd/", "--format", "json", "a.md",
                       cwd=tmp_path, env=env)
    assert run.status == 3, run.stderr
    assert [p["message"] for p in json.loads(run.stdout)["problems"]] == [
        "rule odd/rule crashed: rule odd/rule reported a kind it does not declare: "
        "'no-such-kind'"]


def test_an_archive_rules_undeclared_kind_is_its_bug_whatever_the_configured_severity(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    env = _env(plugin_env, "def record(document, options):\n    return 1\n"
                           "def reduce(entries, options):\n"
                           "    yield ArchiveViolation(entries[0].path, 'm', kind='nope')\n")
    archive = _archive(tmp_path)
    (archive / "pyproject.toml").write_text('[tool.cliplint.severity]\n"odd/rule" = "info"\n',
                                            encoding="utf-8")
    run = run_cliplint("--no-cache", "--select", "odd/", ".", cwd=archive, env=env)
    assert run.status == 3
    assert run.stdout.splitlines()[0] == (
        ".:1:1: internal-error rule odd/rule crashed: ValueError: rule odd/rule reported a "
        "kind it does not declare: 'nope'"), run.stdout


def _run_capped_at_one(tmp_path: Path, plugin_env: Callable[..., dict[str, str]],
                       body: str) -> Run:
    """A lint, JSON report, of a good clipping by the rule ``body`` defines, with
    max-problems-per-rule 1."""
    (tmp_path / "a.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.cliplint]\nmax-problems-per-rule = 1\n",
                                             encoding="utf-8")
    return run_cliplint("--no-cache", "--select", "odd/", "--format", "json", "a.md",
                        cwd=tmp_path, env=_env(plugin_env, body))


def test_a_malformed_violation_past_the_cap_is_the_rules_bug_too(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # Past max-problems-per-rule the violations were only counted, in a file without
    # suppressions: a malformed one passed as "1 more problem not listed", while the same
    # rule in a file with suppressions was told as the bug it is.
    run = _run_capped_at_one(tmp_path, plugin_env, "def check(document, options):\n"
                             "    yield Violation(0, 1, 'first')\n"
                             "    yield Violation(0, 1, 'second')\n"
                             "    yield Violation(10**9, 10**9 + 1, 'past the end')\n")
    assert run.status == 3, run.stderr
    messages = [p["message"] for p in json.loads(run.stdout)["problems"]]
    assert len(messages) == 1 and messages[0].startswith(
        "rule odd/rule crashed: a violation's span 1000000000..1000000001 is not within the "
        "text (0.."), messages


def test_well_formed_violations_past_the_cap_are_summed_up(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # (the check past the cap must not take a well-formed one for a bug)
    run = _run_capped_at_one(tmp_path, plugin_env, "def check(document, options):\n"
                             "    for _ in range(4):\n"
                             "        yield Violation(0, 1, 'again')\n")
    assert run.status == 0, run.stderr  # (warnings)
    assert sorted(p["message"] for p in json.loads(run.stdout)["problems"]) == [
        "3 more odd/rule problems not listed (max-problems-per-rule is 1); this is the "
        "first of them", "again"]


def test_the_archive_index_gives_records_back_as_the_entries_do(
        tmp_path: Path, plugin_env: Callable[..., dict[str, str]]) -> None:
    # A record holding a tuple comes back from the cache as its JSON gives it (a list),
    # whether a file's entry or the archive's index (a run given one file reads the
    # others from it) holds it: the index is normalised as the entries are.
    env = _env(plugin_env, "def record(document, options):\n    return {'pair': (1, 2)}\n"
                           "def reduce(entries, options):\n"
                           "    seen = ', '.join(sorted(f\"{e.path} {type(e.record['pair']).__name__}\"\n"
                           "                            for e in entries))\n"
                           "    yield ArchiveViolation('a.md', seen)\n")
    archive = _archive(tmp_path)
    (archive / ".git").mkdir()  # the archive's top: a given file is compared with it
    for name in ("a.md", "b.md"):  # old enough for their status to be trusted
        os.utime(archive / name, (1_600_000_000, 1_600_000_000))
    env = {**env, "CLIPLINT_CACHE_DIR": str(tmp_path / "cache")}

    def seen() -> str:
        run = run_cliplint("--isolated", "--select", "odd/", "--format", "json", "a.md",
                           cwd=archive, env=env)
        [problem] = json.loads(run.stdout)["problems"]
        return str(problem["message"])

    # Both just linted (b.md into the index): as JSON gives them back, as the cache would.
    assert seen() == "a.md list, b.md list"
    with open(archive / "a.md", "a", encoding="utf-8") as edited:
        edited.write("<p>An edit.</p>\n")  # (a.md linted again: the reduce runs again)
    assert seen() == "a.md list, b.md list"  # b.md from the index, as from its entry
