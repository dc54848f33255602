"""The per-file time budget (cliplint/budget.py): a file whose checks run past
``file-timeout`` seconds gets one ``file-timeout`` problem naming the rule that was
running, and the run goes on with the other files, in one process or in a pool."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, run_cliplint, run_cliplint_subprocess, write

#: A plugin rule that never ends on a title holding SPIN, and swallows what it can: the
#: budget must stop it anyway (FileTimeout is no Exception).
SPINNING_RULE = '''
"""Spins forever on a title holding SPIN.

Why: to test the time budget.
"""
import sys
from cliplint import Violation, hookimpl

ID = "slow/spin"
SEVERITY = "warning"
FIX = None

def check(document, options):
    if "SPIN" in document.text:
        while True:
            try:
                sum(range(1000))
            except Exception:
                pass
    yield from ()

@hookimpl
def cliplint_rules():
    return [sys.modules[__name__]]
'''

FILES = 30  # more than runner.MIN_FILES_FOR_POOL: with --jobs 2 the pool lints them
SPINNING = (4, 27)


@pytest.fixture
def spinning(tmp_path: Path, plugin_env) -> tuple[Path, dict[str, str]]:
    env = plugin_env(distribution="cliplint-slow", entry_name="slow", module="cliplint_slow",
                     source=SPINNING_RULE)
    archive = tmp_path / "archive"
    for number in range(FILES):
        title = f"SPIN {number}" if number in SPINNING else f"Story {number}"
        text = (GOOD_CLIPPING.replace("A good title", title).replace("/a/1", f"/a/{number}")
                .replace("<!--1686778744000-->", "<!--1686778744-->")  # seconds: a problem
                .replace("article text", f"story number {number}"))
        write(archive / f"{number:02}.md", text)
    return archive, env


def _by_file(stdout: str) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for problem in json.loads(stdout)["problems"]:
        found.setdefault(Path(str(problem["path"])).name, []).append(problem)
    return found


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_past_its_budget_is_one_problem_and_the_run_goes_on(
        spinning: tuple[Path, dict[str, str]], jobs: str) -> None:
    archive, env = spinning
    run = run_cliplint("--isolated", "--no-cache", "--jobs", jobs, "--file-timeout", "0.5",
                       "--format", "json", ".", cwd=archive, env=env)
    assert run.status == 1, run.stderr  # problems left; no internal error (3)
    assert "Traceback" not in run.stderr
    by_file = _by_file(run.stdout)
    assert len(by_file) == FILES
    for number in range(FILES):
        problems = by_file[f"{number:02}.md"]
        if number in SPINNING:
            assert [(p["rule"], p["severity"]) for p in problems] == [("file-timeout", "error")]
            message = str(problems[0]["message"])
            assert "0.5 s (file-timeout)" in message and "in rule slow/spin" in message
        else:
            assert [p["rule"] for p in problems] == ["timestamp-comment"]


def test_the_budget_comes_from_the_configuration(spinning: tuple[Path, dict[str, str]]) -> None:
    archive, env = spinning
    (archive / "cliplint.toml").write_text("file-timeout = 0.3\n")
    run = run_cliplint("--no-cache", "--jobs", "1", "--format", "json", "04.md", "05.md",
                       cwd=archive, env=env)
    assert run.status == 1, run.stderr
    by_file = _by_file(run.stdout)
    assert "0.3 s (file-timeout)" in str(by_file["04.md"][0]["message"])
    assert [p["rule"] for p in by_file["05.md"]] == ["timestamp-comment"]
    shown = run_cliplint("--show-config", "--file-timeout", "7", cwd=archive, env=env)
    assert json.loads(shown.stdout)["file-timeout"] == 7


def test_a_batched_run_has_the_budget_too(spinning: tuple[Path, dict[str, str]]) -> None:
    archive, env = spinning
    (archive / "list.txt").write_text("".join(f"{n:02}.md\n" for n in range(FILES)))
    run = run_cliplint("--isolated", "--no-cache", "--jobs", "2", "--file-timeout", "0.5",
                       "--format", "json", "--paths-from", "list.txt", cwd=archive, env=env)
    assert run.status == 1, run.stderr
    by_file = _by_file(run.stdout)
    assert [p["rule"] for n in SPINNING for p in by_file[f"{n:02}.md"]] == ["file-timeout"] * 2
    assert [p["rule"] for p in by_file["05.md"]] == ["timestamp-comment"]


def test_fix_writes_nothing_to_a_file_past_its_budget(
        spinning: tuple[Path, dict[str, str]]) -> None:
    archive, env = spinning
    before = {path.name: path.read_bytes() for path in archive.glob("*.md")}
    run = run_cliplint("--isolated", "--jobs", "2", "--file-timeout", "0.5", "--fix",
                       "--format", "json", ".", cwd=archive, env=env)
    assert run.status == 1, run.stderr
    by_file = _by_file(run.stdout)
    for name, data in before.items():
        now = (archive / name).read_bytes()
        if int(name[:2]) in SPINNING:
            assert now == data
            assert [p["rule"] for p in by_file[name]] == ["file-timeout"]
        else:  # seconds made milliseconds
            assert now == data.replace(b"<!--1686778744-->", b"<!--1686778744000-->")


def test_standard_input_has_the_budget(spinning: tuple[Path, dict[str, str]]) -> None:
    archive, env = spinning
    run = run_cliplint("--isolated", "--file-timeout", "0.3", "-", cwd=archive, env=env,
                       stdin=(archive / "04.md").read_bytes())
    assert run.status == 1 and "file-timeout" in run.stdout and "slow/spin" in run.stdout


def test_a_body_too_slow_to_parse_is_named_as_such(tmp_path: Path) -> None:
    # About a megabyte of nested tags: html5lib takes seconds, fifty times the budget.
    body = "<b><i>x" * 140_000
    write(tmp_path / "slow.md", GOOD_CLIPPING + body + "\n")
    write(tmp_path / "fine.md", GOOD_CLIPPING)
    run = run_cliplint("--isolated", "--no-cache", "--file-timeout", "0.1", "--format", "json",
                       "slow.md", "fine.md", cwd=tmp_path)
    assert run.status == 1, run.stderr
    by_file = _by_file(run.stdout)
    assert "fine.md" not in by_file
    [problem] = by_file["slow.md"]
    assert problem["rule"] == "file-timeout"
    assert "while parsing the body for rule" in str(problem["message"])


@pytest.mark.parametrize("value", ["-1", "soon", "inf", "nan", "1e400"])
def test_a_bad_budget_is_a_usage_error(tmp_path: Path, value: str) -> None:
    run = run_cliplint("--isolated", "--file-timeout", value, ".", cwd=tmp_path)
    assert run.status == 2 and "--file-timeout" in run.stderr and "Traceback" not in run.stderr


def test_a_timeout_swallowed_once_is_raised_again() -> None:
    # A FileTimeout raised inside a garbage-collector callback is printed as "ignored"
    # and lost (seen with hypothesis's callback installed): the budget must still end
    # the work, not let it run unbounded.
    import time

    from cliplint.budget import FileTimeout, within_budget

    swallowed = []

    def work() -> str:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                time.sleep(0.01)
            except FileTimeout:  # what an ignored exception amounts to: nobody sees it
                if not swallowed:
                    swallowed.append(True)
                    continue
                raise
        return "ran to the end"

    found = within_budget(work, 0.1, path="a.md", rules=[])
    assert swallowed and not isinstance(found, str)
    assert found.rule == "file-timeout"


def test_a_timeout_lost_in_a_callback_is_not_printed_but_other_lost_errors_are(
        capsys: pytest.CaptureFixture[str]) -> None:
    # Python prints an exception raised where it cannot be passed on (a garbage-collector
    # callback, a __del__) as "Exception ignored", with a traceback; for a FileTimeout
    # that is expected (it is raised again), so within a budget it is not printed.
    import gc
    import sys
    import time

    from cliplint.budget import FileTimeout, within_budget

    def raising(error: BaseException) -> None:
        def callback(phase: str, info: object) -> None:
            gc.callbacks.remove(callback)
            raise error
        gc.callbacks.append(callback)
        gc.collect()

    def work() -> str:
        raising(ValueError("a real one"))
        raising(FileTimeout())
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            time.sleep(0.01)
        return "ran to the end"

    def printing(unraisable: sys.UnraisableHookArgs) -> None:
        print(f"ignored: {unraisable.exc_type.__name__}", file=sys.stderr)

    previous = sys.unraisablehook
    sys.unraisablehook = printing
    try:
        found = within_budget(work, 0.1, path="a.md", rules=[])
        raising(FileTimeout())  # outside a budget: printed as any other
    finally:
        sys.unraisablehook = previous
    assert not isinstance(found, str) and found.rule == "file-timeout"
    assert capsys.readouterr().err.splitlines() == ["ignored: ValueError",
                                                   "ignored: FileTimeout"]


@pytest.mark.parametrize("value", ["9999999999", "1e300"])
def test_a_budget_longer_than_the_timer_holds_is_no_budget(tmp_path: Path, value: str) -> None:
    # setitimer refuses more than about 292 years (OverflowError, exit 3, before): such a
    # budget never runs out, so it is none.
    write(tmp_path / "a.md", GOOD_CLIPPING)
    run = run_cliplint("--isolated", "--no-cache", "--file-timeout", value, "a.md",
                       cwd=tmp_path)
    assert (run.status, run.stderr) == (0, "")
    (tmp_path / "cliplint.toml").write_text(f"file-timeout = {value}\n")
    run = run_cliplint("--no-cache", "a.md", cwd=tmp_path)
    assert (run.status, run.stderr) == (0, "")


@pytest.mark.parametrize("value", ["inf", "nan", "1e400", "1" + "0" * 400])
def test_a_budget_of_no_finite_number_is_a_configuration_error(tmp_path: Path,
                                                              value: str) -> None:
    # As on the command line: 0 is how to say "no limit" (NaN passed the schema's
    # minimum, then crashed setitimer).
    write(tmp_path / "a.md", GOOD_CLIPPING)
    (tmp_path / "cliplint.toml").write_text(f"file-timeout = {value}\n")
    run = run_cliplint("--no-cache", "a.md", cwd=tmp_path)
    assert run.status == 2 and "Traceback" not in run.stderr
    assert "cliplint.toml:1: file-timeout: " in run.stderr
    assert "is not a finite number of seconds (0: no limit)" in run.stderr


@pytest.fixture
def alarm_left_alone() -> Iterator[None]:
    """Fails the test if a budget left the timer armed or its handler installed (and
    cleans up after it, for the tests that follow)."""
    handler = signal.getsignal(signal.SIGALRM)
    yield
    left = signal.getitimer(signal.ITIMER_REAL), signal.getsignal(signal.SIGALRM)
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, handler)
    assert left == ((0.0, 0.0), handler)


@pytest.mark.usefixtures("alarm_left_alone")
@pytest.mark.parametrize("when", ["armed", "disarming"])
def test_an_alarm_at_an_awkward_moment_stays_within_the_budget(
        monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    # The alarm comes the moment the timer is armed (a tiny budget), or as the work is
    # done, while the timer is being disarmed: either way the timer ends disarmed, else
    # it goes on firing FileTimeout every REPEAT seconds in code outside any budget.
    from cliplint.budget import within_budget

    setitimer = signal.setitimer

    def alarm_then(which: int, seconds: float, interval: float = 0.0) -> tuple[float, float]:
        if when == "disarming" and seconds == 0:
            signal.raise_signal(signal.SIGALRM)
        found = setitimer(which, seconds, interval)
        if when == "armed" and seconds > 0:
            signal.raise_signal(signal.SIGALRM)
        return found

    monkeypatch.setattr(signal, "setitimer", alarm_then)
    found = within_budget(lambda: "done", 5, path="a.md", rules=[])
    if when == "armed":
        assert not isinstance(found, str) and found.rule == "file-timeout"
    else:  # the work was done within the budget
        assert found == "done"


@pytest.mark.usefixtures("alarm_left_alone")
def test_a_tiny_budget_leaves_no_timer_behind() -> None:
    from cliplint.budget import within_budget

    for _ in range(20):
        found = within_budget(lambda: sum(range(100_000)), 1e-6, path="a.md", rules=[])
        assert not isinstance(found, int) and found.rule == "file-timeout"


@pytest.mark.usefixtures("alarm_left_alone")
def test_a_module_being_imported_is_not_stopped_halfway(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A module whose body the budget interrupted is dropped from sys.modules, but what it
    # had imported stays, half set up (seen with html5lib: later files crashed a rule).
    # The import runs to its end; the next alarm stops the file.
    import time

    from cliplint.budget import within_budget

    write(tmp_path / "slow_to_import.py", "import time\ntime.sleep(0.3)\nDONE = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slow_to_import", raising=False)

    def work() -> str:
        import slow_to_import  # noqa: F401

        time.sleep(3)
        return "ran to the end"

    found = within_budget(work, 0.05, path="a.md", rules=[])
    assert not isinstance(found, str) and found.rule == "file-timeout"
    assert sys.modules["slow_to_import"].DONE


def test_the_parser_is_imported_before_the_budget_starts(tmp_path: Path) -> None:
    # Importing html5lib takes tens of milliseconds: within the first file's budget, it
    # would be charged to that file (and, before, could be stopped halfway).
    write(tmp_path / "a.md", GOOD_CLIPPING)
    code = """if True:
        import sys
        import cliplint.budget as budget
        real = budget.within_budget
        def spy(*arguments, **keywords):
            print("cliplint.html_parse" in sys.modules)
            return real(*arguments, **keywords)
        budget.within_budget = spy
        from cliplint.cli import main
        sys.exit(main(["--isolated", "--no-cache", "--jobs", "1", "a.md"]))
    """
    completed = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, text=True,
                               capture_output=True, env={**os.environ, "CLIPLINT_NO_SERVER": "1"})
    assert (completed.returncode, completed.stderr) == (0, "")
    assert completed.stdout.splitlines()[0] == "True"  # and then the report


def test_a_tiny_budget_never_escapes_it(tmp_path: Path) -> None:
    # Seen with --file-timeout 1e-5, before: the alarm came before the timer was guarded,
    # the timer stayed armed and fired again outside any budget (reading the next file, a
    # worker waiting for work): a traceback ending in FileTimeout, or a broken pool.
    for number in range(1000):
        write(tmp_path / f"{number:03}.md", GOOD_CLIPPING.replace("/a/1", f"/a/{number}"))
    for jobs in [[], ["--jobs", "1"]] * 3:  # the default (a pool), and one process
        run = run_cliplint_subprocess("--isolated", "--no-cache", *jobs,
                                      "--file-timeout", "1e-5", ".", cwd=tmp_path)
        assert run.stderr == "" and run.status == 1, (jobs, run.stderr)
        assert "file-timeout" in run.stdout and "internal-error" not in run.stdout
