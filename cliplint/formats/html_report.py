"""The archive report: one self-contained HTML page (``--format html``) and its stats.

Written from the streaming report path: each file's result is counted as it comes
(:mod:`archive_stats`), and the page (:mod:`html_page`) is made from the counts at the
end, so memory stays flat however many files a run has. With ``--output-file
REPORT.html`` the counts are also written as ``REPORT.stats.json``; ``--compare`` reads
such a file to show the change per rule since then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from cliplint.formats import RenderOptions, StreamWriter, whole_report
from cliplint.formats.archive_stats import Collector
from cliplint.formats.html_page import page
from cliplint.model import Problem, Report, Rule, Tally

if TYPE_CHECKING:
    from cliplint.fixer import Fixes
    from cliplint.runner import FileResult


class PageContext(NamedTuple):
    """What the command line knows besides the results: the archive root (sources are
    folders relative to it), the configuration used, a previous run's stats (and the
    name of their file), where to write this run's stats, and the time of the run.
    ``months`` False when the results carry no facts (a whole report): the page then
    says months were not counted, not that no clipping has a timestamp."""

    root: str | None = None
    configuration: Mapping[str, Any] | None = None
    previous: Mapping[str, Any] | None = None
    previous_name: str | None = None
    stats_path: str | None = None
    generated: str | None = None
    months: bool = True


def write_stream(results: Iterable[FileResult], rules: Mapping[str, Rule],
                 options: RenderOptions, write: Callable[[str], object], /, *,
                 fixes: Fixes | None = None) -> Tally:
    """The page of a lint run, without what the command line adds (:class:`PageContext`).
    A whole report (``--baseline``, ``--online``, ``--fix``, standard input) makes the
    same page, without the per-file facts a lint run carries (months not counted,
    sources from folders or "(unknown)")."""
    return write_report(results, rules, PageContext(), write)


def page_writer(context: PageContext) -> StreamWriter:
    """:func:`write_stream` with what ``context`` says."""

    def write_stream(results: Iterable[FileResult], rules: Mapping[str, Rule],
                     options: RenderOptions, write: Callable[[str], object], /, *,
                     fixes: Fixes | None = None) -> Tally:
        return write_report(results, rules, context, write)

    return write_stream


def _all_problems_by_file(report: Report) -> Iterator[FileResult]:
    """A whole report's results for the page: each file checked with all its problems
    (what archive rules found in it too, so that it ranks among the files with the most
    problems by all of them), then the problems of files not in the list."""
    from cliplint.runner import FileResult

    by_path: dict[str, list[Problem]] = {}
    for problem in report.problems:
        by_path.setdefault(problem.path, []).append(problem)
    for path in report.files:
        yield FileResult(path, by_path.pop(path, []))
    for path, problems in by_path.items():
        yield FileResult(path, problems, checked=False)


render = whole_report(page_writer(PageContext(months=False)), _all_problems_by_file)


def write_report(results: Iterable[FileResult], rules: Mapping[str, Rule],
                 context: PageContext, write: Callable[[str], object]) -> Tally:
    """Count the results as they come, then write the page (and the stats file when
    ``context.stats_path`` says where)."""
    collector = Collector(rules, context.root, months=context.months)
    for result in results:
        collector.add(result)
    generated = context.generated or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    stats = collector.document(generated, context.configuration)
    write(page(stats, rules, context.previous, context.previous_name))
    if context.stats_path is not None:
        from cliplint.formats import archive_stats

        archive_stats.write(context.stats_path, stats)
    return collector.tally
