"""Rules are pure: the same document, options and inputs give the same problems, so the
cache may keep them. What a rule needs from outside (the day) comes in as an input the
cache key covers."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from conftest import ROOT, run_cliplint

from cliplint.config import Selection, current_inputs, resolve
from cliplint.document import Document
from cliplint.linter import lint_document
from cliplint.plugins import load_registry
from cliplint.runner import RunOptions, iter_results

# 2024-01-01T00:00:00Z is 1704067200000.
DAY_MS = 86_400_000
JAN_1 = 1_704_067_200_000


def _clipping(timestamp: int) -> str:
    return f"<!--{timestamp}-->\n[T](https://example.com/a)\n------\n\n<p>Body.</p>\n"


def _settings(today: str, *rules: str, root: str = ".") -> object:
    registry = load_registry(builtins_only=True).rules
    return resolve({}, registry, root=root, command_line=Selection(select=rules or None),
                   inputs={"today": today})


def _messages(text: str, today: str) -> list[str]:
    rules = load_registry(builtins_only=True).rules
    settings = _settings(today, "timestamp-comment")
    problems = lint_document(Document.from_text(text), rules, settings, path="a.md")  # type: ignore[arg-type]
    return [problem.message for problem in problems]


def test_in_the_future_is_relative_to_the_end_of_the_runs_day() -> None:
    # max-future is 1d: the latest plausible instant is the end of Jan 2 (Jan 1 + 1 day).
    assert _messages(_clipping(JAN_1 + 2 * DAY_MS - 1), "2024-01-01") == []
    (message,) = _messages(_clipping(JAN_1 + 2 * DAY_MS + 1), "2024-01-01")
    assert message.endswith("is in the future (more than 1d after the end of today, UTC)")
    # The same clipping a day later is fine: the rule reads no clock of its own.
    assert _messages(_clipping(JAN_1 + 2 * DAY_MS + 1), "2024-01-02") == []


def test_the_runs_day_is_the_utc_date() -> None:
    assert current_inputs(0) == {"today": "1970-01-01"}
    assert current_inputs(JAN_1 / 1000 - 1) == {"today": "2023-12-31"}


def _cached_keys(folder: Path) -> set[str]:
    (cache_file,) = folder.glob("results-*.sqlite3")
    with closing(sqlite3.connect(cache_file)) as connection:
        return {key for (key,) in connection.execute("SELECT key FROM entries")}


def _run(path: Path, today: str, *rules: str) -> list[str]:
    registry = load_registry(builtins_only=True).rules
    settings = _settings(today, *rules, root=str(path.parent))
    results = iter_results([str(path)], registry, settings,  # type: ignore[arg-type]
                           RunOptions(use_cache=True))
    return [problem.message for result in results for problem in result.problems]


def test_a_cached_in_the_future_does_not_outlive_its_day(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLIPLINT_CACHE_DIR", raising=False)
    clipping = tmp_path / "a.md"
    clipping.write_text(_clipping(JAN_1 + 2 * DAY_MS + 1), encoding="utf-8")
    cache = tmp_path / ".cliplint_cache"

    first = _run(clipping, "2024-01-01", "timestamp-comment")
    assert len(first) == 1 and "in the future" in first[0]
    assert _run(clipping, "2024-01-01", "timestamp-comment") == first
    assert len(_cached_keys(cache)) == 1  # the same day: the same entry, the cache serves it

    assert _run(clipping, "2024-01-02", "timestamp-comment") == []  # a new day: linted again
    assert len(_cached_keys(cache)) == 2

    # A rule that asks for no input keeps its entries from one day to the next.
    _run(clipping, "2024-01-01", "title-link")
    _run(clipping, "2024-01-05", "title-link")
    assert len(_cached_keys(cache)) == 3


def test_no_builtin_rule_reads_the_clock_or_the_environment() -> None:
    """What a rule needs from outside comes in as an input: a rule module that reads the
    clock, the environment or files of its own would give the cache stale answers."""
    forbidden = re.compile(r"\btime\.time\(|\bdatetime\.now\(|\bdate\.today\(|\butcnow\(|"
                           r"\bos\.environ|\bos\.getenv\(|\bopen\(|\bsocket\.|\brandom\.|"
                           r"\blocaltime\(|\bastimezone\(\)")
    found = [f"{path.name}:{number}: {line.strip()}"
             for path in sorted((ROOT / "rules").glob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if forbidden.search(line) and not line.lstrip().startswith("#")]
    assert found == []


def test_results_do_not_depend_on_the_machines_time_zone_or_locale(tmp_path: Path) -> None:
    cases = ROOT / "tests" / "cases"
    runs = [run_cliplint("--isolated", "--no-cache", "--exit-zero", "--format", "json",
                         "--select", "ALL", str(cases), cwd=tmp_path,
                         env={"TZ": zone, "LC_ALL": locale, "LANG": locale})
            for zone, locale in (("UTC", "C"), ("Pacific/Kiritimati", "C.UTF-8"),
                                 ("America/Adak", "C"))]
    outputs = [[(p["path"], p["line"], p["column"], p["rule"], p["message"])
                for p in json.loads(run.stdout)["problems"]] for run in runs]
    assert outputs[0] and outputs[0] == outputs[1] == outputs[2]
