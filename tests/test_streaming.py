"""Reports written while the files are linted, and a run that holds only a window of them."""

from __future__ import annotations

import io
import itertools
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING

from cliplint import cli, runner
from cliplint.formats import (
    BUILTIN_FORMATS,
    RenderOptions,
    github,
    gitlab,
    json_report,
    junit,
    sarif,
    text,
)
from cliplint.model import Edit, Fix, Problem, Report, Tally
from cliplint.runner import FileResult, map_in_chunks


def _problem(path: str, line: int, message: str = "bad", fix: Fix | None = None,
             severity: str = "error") -> Problem:
    return Problem(path, "title-link", severity, message, line, 2, line, 5, fix=fix)  # type: ignore[arg-type]


FIX = Fix((Edit(1, 2, "é\n"),), "safe", "replace")
RESULTS = [
    FileResult("a.md", [_problem("a.md", 1, "quote \" and\nnewline", FIX), _problem("a.md", 3)]),
    FileResult("b.md", []),
    FileResult("c/中.md", [_problem("c/中.md", 2, "warn", severity="warning")]),
]

#: Engine problems (no rule behind them), the later one first by name.
WITH_ENGINE_PROBLEMS = [
    *RESULTS,
    FileResult("d.md", [Problem("d.md", "internal-error", "error", "rule x crashed", 1, 1, 1, 1)]),
    FileResult("e.md", [Problem("e.md", "file-unreadable", "error", "not UTF-8", 1, 1, 1, 1)]),
]


def _streamed(module, results: list[FileResult], options: RenderOptions) -> tuple[str, Tally]:
    out: list[str] = []
    tally = module.write_stream(iter(results), {}, options, out.append)
    return "".join(out), tally


@pytest.mark.parametrize("module", [text, github, json_report, sarif, gitlab, junit])
@pytest.mark.parametrize("results", [RESULTS, [], RESULTS[1:2], WITH_ENGINE_PROBLEMS])
@pytest.mark.parametrize("options", [RenderOptions(), RenderOptions(statistics=True)])
def test_a_streamed_report_is_the_rendered_one(module, results, options) -> None:
    report = Report(problems=tuple(p for r in results for p in r.problems),
                    files=tuple(r.path for r in results))
    streamed, tally = _streamed(module, results, options)
    assert streamed == module.render(report, options)
    assert (tally.files, tally.problems) == (len(results), len(report.problems))


def test_a_whole_report_is_taken_back_into_file_results() -> None:
    """Each file checked with the problems that follow in the report and are its own;
    then, not checked, what an archive rule found (here in c/中.md, after its own)."""
    from cliplint.formats import file_results
    from cliplint.plugins import load_registry

    rules = load_registry().rules
    duplicate = Problem("c/中.md", "duplicate-clipping", "error", "same URL", 1, 1, 1, 1)
    report = Report(problems=(*RESULTS[0].problems, *RESULTS[2].problems, duplicate),
                    files=("a.md", "b.md", "c/中.md"), rules=rules)
    assert [(r.path, r.problems, r.checked) for r in file_results(report)] == [
        ("a.md", RESULTS[0].problems, True), ("b.md", [], True),
        ("c/中.md", RESULTS[2].problems, True), ("c/中.md", [duplicate], False)]
    rendered = text.render(report, RenderOptions())
    # In the report's order: a.md's, c/中.md's, then what the archive rule found.
    assert rendered.index("a.md:3:2") < rendered.index("c/中.md:2:2") < rendered.index("same URL")
    cases = ElementTree.fromstring(junit.render(report, RenderOptions())).iter("testcase")
    assert [(case.get("classname"), case.get("name")) for case in cases] == [
        ("cliplint", "a.md"), ("cliplint", "b.md"), ("cliplint", "c/中.md"),
        ("cliplint.archive", "c/中.md")]


def test_a_fix_report_says_what_was_fixed_whole_or_streamed() -> None:
    from cliplint.fixer import FixedCount, FixReport

    fixed = (FixedCount("a.md", "title-link", 2, ("replace",)),)
    report = FixReport(problems=(), files=("a.md", "b.md"), fixed=fixed, mode="diff")
    assert text.render(report, RenderOptions()) == (
        "Would fix 2 problems in 1 file. 2 files checked.\n")
    assert json.loads(json_report.render(report, RenderOptions()))["fixed"] == [
        {"path": "a.md", "rule": "title-link", "count": 2, "descriptions": ["replace"]}]
    assert "fixed" not in json.loads(json_report.render(Report((), ("a.md",)), RenderOptions()))
    out: list[str] = []
    text.write_stream(iter(RESULTS[1:2]), {}, RenderOptions(), out.append, fixes=report.fixes)
    assert out == ["Would fix 2 problems in 1 file. 1 file checked.\n"]


def test_json_stream_is_valid_json() -> None:
    streamed, _ = _streamed(json_report, RESULTS, RenderOptions())
    data = json.loads(streamed)
    assert data["files_checked"] == 3
    assert [p["message"] for p in data["problems"]] == ["quote \" and\nnewline", "bad", "warn"]


def test_tally_counts_what_the_summary_and_exit_status_need() -> None:
    tally = Tally()
    for result in RESULTS:
        tally = tally.add(result.problems)
    assert (tally.files, tally.problems, tally.errors, tally.warnings) == (3, 3, 2, 1)
    assert (tally.safe_fixes, tally.unsafe_fixes, tally.internal_errors) == (1, 0, 0)
    assert dict(tally.by_rule) == {"title-link": 3}


def test_text_is_written_file_by_file_before_the_run_ends() -> None:
    out: list[str] = []

    def results() -> Iterator[FileResult]:
        yield RESULTS[0]
        # The next file is not linted yet: the first one's problems are already out.
        assert "a.md:1:2: title-link" in "".join(out)
        yield RESULTS[2]
        assert "c/中.md:2:2" in "".join(out)

    text.write_stream(results(), {}, RenderOptions(), out.append)
    assert out[-1].startswith("Found 3 problems (2 errors, 1 warning) in 2 files checked")


@pytest.mark.parametrize(("report_format", "problem"), [
    ("text", "timestamp-comment"), ("gitlab", "timestamp-comment:")])
def test_the_command_line_reports_a_file_before_linting_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report_format: str, problem: str
) -> None:
    for name in ("a.md", "b.md", "c.md"):
        (tmp_path / name).write_text(GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1-->"))
    stdout = _FlushedOnly()
    seen: list[str] = []
    real_lint_file = runner.lint_file

    def lint_file(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(stdout.flushed)  # what the report had put out when this file's turn came
        return real_lint_file(path, *args, **kwargs)

    monkeypatch.setattr(runner, "lint_file", lint_file)
    monkeypatch.setattr("sys.stdout", stdout)
    monkeypatch.chdir(tmp_path)
    status = cli.main(["--isolated", "--no-cache", "--jobs", "1", "--format", report_format,
                       "a.md", "b.md", "c.md"])
    assert status == 1
    assert [text.count(problem) for text in seen] == [0, 1, 2]
    assert stdout.getvalue().count(problem) == 3
    if report_format == "text":
        assert stdout.getvalue().endswith("in 3 files checked.\n")


class _FlushedOnly(io.StringIO):
    """Standard output as a reader of a pipe sees it: only what was flushed."""

    flushed = ""

    def flush(self) -> None:
        super().flush()
        self.flushed = self.getvalue()


def _echo(paths: list[str]) -> list[str]:
    return list(paths)


def test_map_in_chunks_reads_paths_only_a_window_ahead() -> None:
    taken = itertools.count()
    paths = (str(next(taken)) for _ in range(100_000))
    results = map_in_chunks(_echo, paths, jobs=2)
    assert [next(results) for _ in range(3)] == ["0", "1", "2"]
    # The chunk size is told from 2 * 4 * 64 paths; then a window of 4 chunks of 64.
    assert next(taken) < 2 * 4 * 64 + 4 * 64 + 2
    results.close()


@pytest.mark.parametrize("order", [("d", "d/a.md"), ("d/a.md", "d"), ("d", "d"), ("d", "./d/")])
def test_overlapping_paths_give_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               order: tuple[str, str]) -> None:
    from cliplint.config import resolve
    from cliplint.files import iter_files
    from cliplint.plugins import load_registry

    (tmp_path / "d").mkdir()
    for name in ("a.md", "b.md"):
        (tmp_path / "d" / name).write_text(GOOD_CLIPPING)
    monkeypatch.chdir(tmp_path)
    found = list(iter_files(list(order), resolve({}, load_registry().rules)))
    assert sorted(Path(path).name for path in found) == ["a.md", "b.md"]


def test_cache_hits_are_not_read_ahead_of_the_results() -> None:
    from cliplint.config import resolve
    from cliplint.plugins import load_registry

    taken = itertools.count()

    def look_ups() -> Iterator[runner._LookUp]:
        for index in range(100_000):
            next(taken)
            yield runner._LookUp(str(index), runner.Linted(None, [], {}))  # all hits

    settings = resolve({}, load_registry().rules)
    results = runner._lint_missing(look_ups(), {}, settings, runner.RunOptions(jobs=2),
                                   cache=None, total=None)
    assert next(results) == FileResult("0", [], cached=True)
    assert next(taken) < 2 * 4 * 64 + 4 * 64 + 2
    results.close()


def test_a_chunk_with_nothing_to_do_is_not_sent_to_a_worker() -> None:
    import os

    items = [None] * 320 + ["x"] * 192  # chunks of 64: five with nothing to do
    results = list(map_in_chunks(_pid_or_none, items, jobs=2))
    assert results[:320] == [os.getpid()] * 320  # done here: no worker woken for them
    assert os.getpid() not in results[320:]


def test_a_run_with_nothing_to_do_starts_no_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    def no_pool(jobs: int) -> None:
        raise AssertionError("a pool was started for chunks with nothing to do")

    monkeypatch.setattr(runner, "process_pool", no_pool)
    assert list(map_in_chunks(_pid_or_none, [None] * 512, jobs=2)) == [os.getpid()] * 512


def _pid_or_none(items: list[str | None]) -> list[int]:
    import os

    return [os.getpid() for _ in items]


@pytest.mark.parametrize("report_format", ["sarif", "gitlab", "json", "junit"])
def test_the_command_line_streams_whole_document_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report_format: str
) -> None:
    """These reports are written from the results as they come (not rendered from a
    list of every problem): the whole-report renderer is not called."""
    import importlib

    for name in ("a.md", "b.md"):  # two articles, not one twice (duplicate-clipping)
        (tmp_path / name).write_text(GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1-->")
                                     .replace("/a/1", f"/{name}"))
    module = importlib.import_module(f"cliplint.formats.{BUILTIN_FORMATS[report_format]}")

    def no_render(*args: object) -> str:
        raise AssertionError("rendered whole")

    monkeypatch.setattr(module, "render", no_render)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "report.json"
    status = cli.main(["--isolated", "--no-cache", "--jobs", "1", "--format", report_format,
                       "--output-file", str(out), "a.md", "b.md"])
    assert status == 1
    written = out.read_text(encoding="utf-8")
    if report_format == "junit":
        cases = ElementTree.fromstring(written).iter("testcase")
        assert [case.get("name") for case in cases] == ["a.md", "b.md"]
    else:
        assert json.dumps(json.loads(written)).count("timestamp-comment") >= 2


class _Unpickled:
    """A chunk's work telling which unpickling of it did each item (a token drawn when it
    is unpickled), in which process, and the state it was sent with."""

    def __init__(self, state: str) -> None:
        self.state = state
        self.token = "not unpickled"

    def __getstate__(self) -> dict[str, str]:
        return {"state": self.state}

    def __setstate__(self, saved: dict[str, str]) -> None:
        import uuid

        self.state = saved["state"]
        self.token = uuid.uuid4().hex

    def __call__(self, items: list[str]) -> list[tuple[str, int, str]]:
        import os

        return [(self.token, os.getpid(), self.state) for _ in items]


def test_a_worker_unpickles_the_work_once_while_it_stays_the_same() -> None:
    # Sixteen chunks of 64, two workers: one unpickling per worker, not per chunk (a
    # lint's work holds settings with reference cycles: garbage after every chunk that
    # the collector, as a run tunes it, did not free).
    results = list(map_in_chunks(_Unpickled("sent"), ["x"] * 1024, jobs=2))
    tokens: dict[int, set[str]] = {}
    for token, pid, state in results:
        tokens.setdefault(pid, set()).add(token)
        assert state == "sent"
    assert tokens and all(len(seen) == 1 for seen in tokens.values()), tokens


def test_a_chunk_s_work_is_sent_as_it_is_when_the_chunk_is_sent() -> None:
    # The configurations read so far travel with each chunk: work that changed since
    # the last chunk is unpickled anew.
    work = _Unpickled("before")
    results = map_in_chunks(work, ["x"] * 1024, jobs=2)
    first = next(results)
    work.state = "after"
    rest = list(results)
    assert first[2] == "before" and rest[-1][2] == "after"
    assert len({token for token, _, state in rest if state == "after"}) <= 2
