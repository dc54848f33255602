"""The archive report (--format html) and its stats file: what they count, that they stay
small however many files, that nothing in a path or message gets into the page as
markup, and --compare. (The page in a real browser: tests/test_html_browser.py.)"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
import jsonschema
import pytest
from conftest import GOOD_CLIPPING, read_until_closed, run_cliplint, write

from cliplint import cli
from cliplint.archive import lint_archive
from cliplint.facts import FileFacts
from cliplint.formats import RenderOptions, archive_stats, html_page, html_report
from cliplint.formats.archive_stats import Collector, Limits
from cliplint.model import Edit, Fix, Problem, Related, Report
from cliplint.plugins import load_registry
from cliplint.runner import FileResult

RULES = load_registry().rules
GENERATED = "2025-01-02T03:04:05Z"
SVG = "{http://www.w3.org/2000/svg}"
VALIDATOR = jsonschema.Draft202012Validator(archive_stats.schema())
SAFE = Fix((Edit(0, 1, ""),), "safe", "drop")
UNSAFE = Fix((Edit(0, 1, ""),), "unsafe", "drop")


def problem(path: str, rule: str = "title-link", severity: str = "error", message: str = "bad",
            line: int = 1, fix: Fix | None = None, related: tuple[Related, ...] = ()) -> Problem:
    return Problem(path, rule, severity, message, line, 1, line, 2, fix=fix,  # type: ignore[arg-type]
                   related=related)


def stats_of(results: list[FileResult], root: str | None = None,
             limits: Limits = Limits()) -> dict[str, Any]:
    collector = Collector(RULES, root, limits)
    for result in results:
        collector.add(result)
    stats = collector.document(GENERATED, {"enabled": sorted(RULES), "config-file": None})
    VALIDATOR.validate(stats)
    return stats


def page_of(results: list[FileResult], previous: dict[str, Any] | None = None,
            configuration: dict[str, Any] | None = None) -> str:
    out: list[str] = []
    context = html_report.PageContext(configuration=configuration, previous=previous,
                                      previous_name="old.stats.json", generated=GENERATED)
    html_report.write_report(iter(results), RULES, context, out.append)
    return "".join(out)


def parse(page: str) -> Element:
    return html5lib.parse(page, namespaceHTMLElements=False)


def text_of(element: Element) -> str:
    return "".join(element.itertext())


def section(document: Element, key: str) -> Element:
    found = document.find(f".//section[@id='{key}']")
    assert found is not None, key
    return found


# -- what the stats count ---------------------------------------------------------------------


def test_counts_per_rule_month_source_and_file() -> None:
    results = [
        FileResult("arc/BBC/a.md", [problem("arc/BBC/a.md", fix=SAFE),
                                    problem("arc/BBC/a.md", "well-formed-html", "warning"),
                                    problem("arc/BBC/a.md", "well-formed-html", "warning")],
                   facts=FileFacts("2020-06", "bbc.com", "host")),
        FileResult("arc/BBC/b.md", [], facts=FileFacts("2020-07", "bbc.com", "host")),
        FileResult("arc/2021-03-04/c.md", [problem("arc/2021-03-04/c.md", "relative-url", "info",
                                                   fix=UNSAFE)],
                   facts=FileFacts(None, "Matters", "category")),
        FileResult("arc/bad.md", [problem("arc/bad.md", "file-unreadable")]),
    ]
    stats = stats_of(results, root="arc")
    assert stats["files"] == 4
    assert stats["problems"] == {"total": 5, "error": 2, "warning": 2, "info": 1,
                                 "safe_fixes": 1, "unsafe_fixes": 1}
    assert stats["rules"]["well-formed-html"] == {"total": 2, "error": 0, "warning": 2, "info": 0,
                                                  "safe_fixes": 0, "unsafe_fixes": 0, "files": 1}
    assert stats["rules"]["file-unreadable"]["total"] == 1  # an engine problem: listed too
    assert stats["rules"]["empty-body"]["total"] == 0  # every installed rule, with no hits too
    assert set(RULES) <= set(stats["rules"])
    assert stats["months"] == [
        {"month": "2020-06", "files": 1, "by_rule": {"title-link": 1, "well-formed-html": 2}},
        {"month": "2020-07", "files": 1, "by_rule": {}}]
    assert stats["no_month"] == {"files": 2, "by_rule": {"file-unreadable": 1, "relative-url": 1}}
    sources = [(s["name"], s["kind"], s["files"], s["total"]) for s in stats["sources"]["shown"]]
    assert sources == [("BBC", "folder", 2, 3), ("(unknown)", "unknown", 1, 1),
                       ("Matters", "category", 1, 1)]
    top = [(entry["path"], entry["problems"], entry["warning"]) for entry in stats["top_files"]]
    assert top == [("arc/BBC/a.md", 3, 2), ("arc/2021-03-04/c.md", 1, 0), ("arc/bad.md", 1, 0)]
    assert len(stats["top_files"][0]["first"]) == 3


def test_archive_problems_join_their_file_and_month() -> None:
    """duplicate-clipping's problems come after the files (checked False): they count
    for the file's month, source and place among the top files, not as another file."""
    facts = FileFacts("2020-07", None, None)
    results = [FileResult("feed/a.md", [problem("feed/a.md")], facts=facts),
               FileResult("feed/b.md", [problem("feed/b.md"), problem("feed/b.md")], facts=facts),
               FileResult("feed/a.md", [problem("feed/a.md", "duplicate-clipping", related=(
                   Related("feed/b.md", "duplicate of"),)), problem("feed/a.md", "path-portability")],
                          checked=False, facts=facts)]
    stats = stats_of(results, root="feed/..")
    assert stats["files"] == 2
    assert stats["months"][0]["files"] == 2
    assert stats["months"][0]["by_rule"]["duplicate-clipping"] == 1
    assert [(e["path"], e["problems"]) for e in stats["top_files"]] == [("feed/a.md", 3),
                                                                      ("feed/b.md", 2)]
    assert stats["sources"]["shown"][0]["files"] == 2


def test_duplicate_clusters_from_duplicate_clipping() -> None:
    """The clusters as the real rule reports them: each copy names the copy it
    duplicates and the copy to keep; a template's "also in" is no cluster."""
    def clipping(url: str, title: str, body: str, stamp: int) -> str:
        return f"<!--{stamp}-->\n[{title}]({url})\n------\n\n<p>{body}</p>\n"

    long_body = "A body long enough to be compared by the duplicate rule, sentence one. " * 3
    edited = "An edited body, long enough to be compared by the duplicate rule, again. " * 3
    template = "Subscribe to the channel, follow us on every network, support the show. " * 3
    texts = {  # copy: old's URL; copy2: copy's body, not old's (a chain to the copy to keep)
        "feed/old.md": clipping("https://example.com/a/1", "Story", long_body, 1600000000000),
        "feed/copy.md": clipping("https://example.com/a/1?utm_source=x", "Story", edited,
                                 1600000001000),
        "feed/copy2.md": clipping("https://example.com/b/9", "Story", edited, 1600000002000),
        **{f"tv/{n}.md": clipping(f"https://example.com/v/{n}", f"Video {n} about {n * 7}",
                                  template, 1600000000000 + n) for n in range(4)},
    }
    problems = lint_archive(texts, {"rules": {"duplicate-clipping": {"templates": True}}},
                            select=["duplicate-clipping"])
    assert any("template" in p.message for p in problems)  # the rule did find one
    by_path: dict[str, list[Problem]] = {}
    for found in problems:
        by_path.setdefault(found.path, []).append(found)
    results = [FileResult(path, [], facts=None) for path in texts]
    results += [FileResult(path, found, checked=False) for path, found in by_path.items()]
    duplicates = stats_of(results)["duplicates"]
    assert (duplicates["copies"], duplicates["clusters"], duplicates["exact"]) == (2, 1, True)
    (cluster,) = duplicates["listed"]
    assert cluster["keep"] == "feed/old.md" and cluster["size"] == 3
    assert sorted((copy["path"], copy["duplicate_of"]) for copy in cluster["copies"]) == [
        ("feed/copy.md", "feed/old.md"), ("feed/copy2.md", "feed/copy.md")]
    page = parse(page_of(results))
    listed = section(page, "duplicates")
    assert "3 copies" in text_of(listed) and "feed/copy2.md" in text_of(listed)


def synthetic(count: int, sources: int = 40) -> Iterator[FileResult]:
    """Files with problems of a few rules over many months and sources, and a duplicate
    of the first file for one in ten."""
    for index in range(count):
        path = f"arc/feed{index % sources}/{index}.md"
        month = f"{2000 + index % 20}-{index % 12 + 1:02d}"
        problems = [problem(path, rule, line=line, message=f"message {index} <&>")
                    for line, rule in enumerate(("well-formed-html", "relative-url",
                                                 "image-proxy")[: index % 4], 1)]
        problems += [problem(path, "title-link", line=9)] * (index % 7)
        yield FileResult(path, problems, facts=FileFacts(month, None, None))
        if index % 10 == 9:
            yield FileResult(path, [problem(path, "duplicate-clipping", related=(
                Related(f"arc/feed0/{index % 100}.md", "duplicate of"),
                Related("arc/feed0/0.md", "the copy to keep")))], checked=False)


def test_the_report_does_not_grow_with_the_number_of_files() -> None:
    """Aggregates and capped lists only: ten times the files, the same page size (give
    or take the digits of bigger counts)."""
    small = page_of(list(synthetic(2_000)))
    big = page_of(list(synthetic(20_000)))
    assert len(big) < len(small) * 1.05
    assert len(big) < 1_000_000
    stats = stats_of(list(synthetic(20_000)))
    assert stats["files"] == 20_000 and len(stats["top_files"]) == 50
    assert stats["duplicates"]["copies"] == 2_000
    assert len(stats["duplicates"]["listed"][0]["copies"]) == 10


def test_memory_stays_flat_however_many_files() -> None:
    """What the collector keeps after ten times the files: the same, give or take (the
    results themselves come from a generator and are dropped as they are counted)."""
    import tracemalloc

    def kept(count: int) -> int:
        tracemalloc.start()
        collector = Collector(RULES, "arc", Limits(sources_tracked=100))
        for result in synthetic(count, sources=300):
            collector.add(result)
        current, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(collector._top) == 50 and len(collector._sources) == 100
        return current

    small, big = kept(1_000), kept(10_000)
    assert big < small * 1.2, (small, big)


def test_the_top_files_are_those_with_the_most_problems() -> None:
    counts = [(index * 37) % 101 for index in range(400)]  # 0..100, in a scrambled order
    results = [FileResult(f"{index}.md", [problem(f"{index}.md")] * count)
               for index, count in enumerate(counts)]
    collector = Collector(RULES, limits=Limits(top_files=20))
    for result in results:
        collector.add(result)
    assert len(collector._top_entries) == 20  # evicted files are forgotten
    top = collector.document(GENERATED)["top_files"]
    expected = sorted(range(400), key=lambda index: (-counts[index], index))[:20]
    assert [entry["path"] for entry in top] == [f"{index}.md" for index in expected]
    assert [entry["problems"] for entry in top] == [counts[index] for index in expected]


def test_sources_past_the_tracked_ones_are_counted_together() -> None:
    stats = stats_of(list(synthetic(500, sources=50)), root="arc",
                     limits=Limits(sources_tracked=10, sources_shown=4))
    sources = stats["sources"]
    assert (sources["count"], sources["exact"], len(sources["shown"])) == (10, False, 4)
    shown_files = sum(entry["files"] for entry in sources["shown"])
    assert shown_files + sources["other"]["files"] == 500
    assert sum(e["total"] for e in sources["shown"]) + sources["other"]["total"] == \
        stats["problems"]["total"]
    page = parse(page_of(list(synthetic(500, sources=50))))
    assert "other sources" in text_of(section(page, "sources"))


def spread_over_months(count: int, first_year: int = 1971) -> Iterator[FileResult]:
    """A file a month, ``count`` months from January of ``first_year`` (timestamp
    comments that hold ids: up to the year 9999 they are all months)."""
    for index in range(count):
        path = f"feed/{index}.md"
        month = f"{first_year + index // 12:04d}-{index % 12 + 1:02d}"
        yield FileResult(path, [problem(path, ("title-link", "well-formed-html")[index % 2])],
                         facts=FileFacts(month, None, None))


def test_months_past_the_tracked_ones_are_counted_together() -> None:
    results = [*spread_over_months(12),
               # a month already counted, one already counted together, and an archive
               # rule's problem in one of those
               *spread_over_months(1), *list(spread_over_months(12))[7:9],
               FileResult("feed/8.md", [problem("feed/8.md", "duplicate-clipping")],
                          checked=False, facts=FileFacts("1971-09", None, None)),
               FileResult("none.md", [problem("none.md")], facts=FileFacts(None, None, None))]
    stats = stats_of(results, limits=Limits(months_tracked=5))
    assert [entry["month"] for entry in stats["months"]] == [
        "1971-01", "1971-02", "1971-03", "1971-04", "1971-05"]  # the first seen
    assert stats["months"][0]["files"] == 2
    assert stats["other_months"] == {"months": 7, "files": 9, "by_rule": {
        "duplicate-clipping": 1, "title-link": 4, "well-formed-html": 5}}
    assert stats["no_month"] == {"files": 1, "by_rule": {"title-link": 1}}
    assert sum(entry["files"] for entry in stats["months"]) + 9 + 1 == stats["files"] == 16
    assert stats["limits"]["months_tracked"] == 5
    months = section(parse(page_of(results)), "months")  # (the default limit: all months)
    assert "more months" not in text_of(months)


def test_a_page_of_thousands_of_months_stays_the_size_of_a_century() -> None:
    """Timestamp comments that hold ids spread 3,000 files over 3,000 months: a bar and
    a row each made a page of 1.4 MB (52.7 MB for 40,000 files, and a stats file
    --compare refused). Past the first 1,200 months they are counted together."""
    century = page_of(list(spread_over_months(1_300)))
    spread = page_of(list(spread_over_months(3_000)))
    assert len(spread) < len(century) * 1.02
    stats = stats_of(list(spread_over_months(3_000)))
    assert len(stats["months"]) == 1_200
    assert stats["other_months"]["months"] == stats["other_months"]["files"] == 1_800
    assert len(archive_stats.dumps(stats)) < 300_000
    months = section(parse(spread), "months")
    foot = months.find(".//table[@id='months-table']/tfoot")
    assert foot is not None
    assert [text_of(cell) for cell in foot.iter() if cell.tag in ("th", "td")] == [
        "1,800 more months (past the first 1,200 seen), counted together", "1,800",
        "900", "900", "1,800"]
    assert "1,800 more months (past the first 1,200 seen), counted together: 1,800 files " \
        "(1,800 problems); they are not in the chart." in text_of(months)
    assert len(months.findall(f".//{SVG}g")) == 1_200


def test_clusters_past_the_tracked_ones_count_as_copies() -> None:
    results = [FileResult(f"{n}.md", [problem(f"{n}.md", "duplicate-clipping", related=(
        Related(f"keep{n}.md", "duplicate of"),))], checked=False) for n in range(30)]
    duplicates = stats_of(results, limits=Limits(clusters_tracked=5, clusters_shown=3))[
        "duplicates"]
    assert (duplicates["copies"], duplicates["clusters"], duplicates["exact"]) == (30, 5, False)
    assert len(duplicates["listed"]) == 3


# -- bad input --------------------------------------------------------------------------------

HOSTILE_PATHS = [
    "feeds/<script>alert(1)</script>/a.md",
    'feeds/"><img src=x onerror=alert(2)>/b.md',
    "feeds/Tom & Jerry's/c&amp;.md",
    "feeds/中文频道/報告「一」.md",
    "feeds/line\nbreak/d.md",
    "feeds/undecodable/\udcff.md",
    "top \"quoted\" & <i>.md",  # no folder: its source is the front matter's <b>feed</b>
]
HOSTILE_MESSAGES = ["</pre></td><script>alert(3)</script>", "<!-- comment --> & &amp; \"'",
                    "]]></svg><iframe src=//evil.example>"]


def hostile_results() -> list[FileResult]:
    results = []
    for index, path in enumerate(HOSTILE_PATHS):
        message = HOSTILE_MESSAGES[index % len(HOSTILE_MESSAGES)]
        results.append(FileResult(path, [
            problem(path, "well-formed-html", message=message),
            problem(path, "evil/<b onclick=x>", message=message),
        ], facts=FileFacts("2021-03", "<b>feed</b>", "category")))
    results.append(FileResult(HOSTILE_PATHS[1], [problem(HOSTILE_PATHS[1], "duplicate-clipping",
                              message=HOSTILE_MESSAGES[0],
                              related=(Related(HOSTILE_PATHS[0], "duplicate of"),))],
                              checked=False))
    return results


def test_nothing_in_paths_or_messages_becomes_markup() -> None:
    configuration = {"enabled": ["<script>x</script>"], "config-file": "</pre><script>y</script>"}
    previous = stats_of([FileResult("x.md", [problem("x.md", "evil/<b onclick=x>")])])
    page = page_of(hostile_results(), previous=previous, configuration=configuration)
    page.encode("utf-8")  # no lone surrogate reaches the page
    document = parse(page)
    local = [(element.tag.rpartition("}")[2], element) for element in document.iter()]
    scripts = [element for name, element in local if name == "script"]
    assert [script.text for script in scripts] == [html_page.SCRIPT]
    for name, element in local:  # HTML and SVG elements alike
        assert name not in ("img", "iframe", "object", "embed", "link", "base", "b", "i",
                            "foreignObject"), name
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        assert not any("javascript:" in value.lower() for value in element.attrib.values())
    shown = text_of(document)
    for path in [*HOSTILE_PATHS[:4], HOSTILE_PATHS[6]]:
        assert path in shown
    assert "feeds/line\\nbreak/d.md" in shown and "feeds/undecodable/\\udcff.md" in shown
    for message in HOSTILE_MESSAGES:
        assert message in shown
    assert "evil/<b onclick=x>" in shown
    assert "<b>feed</b>" in shown
    assert "</pre><script>y</script>" in shown


def test_documentation_and_configuration_keep_their_lines() -> None:
    # Both showed "\\n" between their lines (the escapes that keep a path on one line).
    configuration = {"enabled": ["title-link"], "config-file": "cliplint.toml",
                     "tab": "a\tb", "bell": "a\x07b"}
    document = parse(page_of(hostile_results(), configuration=configuration))
    pres = {element.get("class"): "".join(element.itertext())
            for element in document.iter("pre")}
    shown_docs = ["".join(element.itertext()) for element in document.iter("pre")
                  if element.get("class") == "doc"]
    assert shown_docs and all("\\n" not in doc and "\n\n" in doc for doc in shown_docs)
    assert set(shown_docs) <= {rule.documentation for rule in RULES.values()}
    shown = json.loads(pres[None])  # the configuration: JSON that reads back
    assert (shown["config-file"], shown["tab"], shown["bell"]) == ("cliplint.toml", "a\tb",
                                                                   "a\x07b")
    assert "\n  " in pres[None]  # indented, a key a line


def test_the_stats_file_holds_undecodable_paths_as_json(tmp_path: Path) -> None:
    target = tmp_path / "r.stats.json"
    stats = stats_of(hostile_results())
    archive_stats.write(str(target), stats)
    loaded = archive_stats.load(str(target))
    assert "feeds/undecodable/\udcff.md" in [entry["path"] for entry in loaded["top_files"]]


def test_no_timestamps_at_all() -> None:
    results = [FileResult(f"{n}.md", [problem(f"{n}.md")], facts=FileFacts(None, None, None))
               for n in range(3)]
    document = parse(page_of(results))
    months = section(document, "months")
    assert "No clipping has a readable timestamp comment" in text_of(months)
    assert months.find(f".//{SVG}svg") is None


@pytest.mark.parametrize("results", [[], [FileResult("only.md", [])],
                                     [FileResult("only.md", [problem("only.md")],
                                                 facts=FileFacts("2024-02", None, None))]])
def test_empty_and_one_file_runs(results: list[FileResult]) -> None:
    document = parse(page_of(results))
    for key in ("summary", "trend", "rules", "months", "sources", "files", "duplicates", "docs"):
        section(document, key)
    if results and results[0].problems:
        chart = document.find(f".//{SVG}svg[@id='months-chart']")
        assert len(chart.findall(f".//{SVG}rect")) == 1


def test_a_month_axis_skips_nothing_unless_a_stray_date_stretches_it() -> None:
    assert html_page._month_axis(["2020-11", "2021-02"]) == (
        ["2020-11", "2020-12", "2021-01", "2021-02"], True)
    assert html_page._month_axis(["2001-01", "2286-11"]) == (["2001-01", "2286-11"], False)


def test_the_page_policy_allows_only_its_own_style_and_script() -> None:
    page = page_of([FileResult("a.md", [problem("a.md")])])
    policy = parse(page).find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    assert "default-src 'none'" in policy
    assert html_page._hash(html_page.STYLE) in policy and html_page._hash(html_page.SCRIPT) in policy
    assert f"<style>{html_page.STYLE}</style>" in page
    assert "http://" not in page.split("<body>")[0] and "https://" not in page.split("<body>")[0]


def test_stats_path() -> None:
    assert archive_stats.stats_path(os.path.join("out", "report.html")) == os.path.join(
        "out", "report.stats.json")
    assert archive_stats.stats_path("report") == "report.stats.json"
    assert archive_stats.stats_path(".html") == ".html.stats.json"


def test_a_report_to_a_fifo_or_device_makes_no_stats_file_beside_it(tmp_path: Path) -> None:
    # --output-file /dev/stdout made /dev/stdout.stats.json (as root; else it failed).
    import threading

    write(tmp_path / "a.md", GOOD_CLIPPING)
    fifo = tmp_path / "report.html"
    os.mkfifo(fifo)
    assert archive_stats.stats_path(str(fifo)) is None
    assert archive_stats.stats_path(os.devnull) is None
    # A reader there before the run (one that came late left cliplint "no process is
    # reading this FIFO"), reading as it writes (a page fills a pipe's buffer).
    descriptor = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    received: list[bytes] = []
    # (on Linux a FIFO no writer has opened yet is not readable: the reader waits)
    reader = threading.Thread(target=lambda: received.append(read_until_closed(descriptor)))
    reader.start()
    try:
        done = run_cliplint("--isolated", "--no-cache", "--format", "html", "--output-file",
                            str(fifo), "a.md", cwd=tmp_path)
    finally:
        reader.join(60)
        os.close(descriptor)
    page = b"".join(received)
    assert done.status == 0, done
    assert page.startswith(b"<!DOCTYPE html>")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.md", "report.html"]


def test_a_report_rendered_whole_is_the_same_page() -> None:
    results = [FileResult("a.md", [problem("a.md")]), FileResult("b.md", [])]
    report = Report(problems=tuple(p for r in results for p in r.problems),
                    files=("a.md", "b.md"), rules=RULES)
    rendered = html_report.render(report, RenderOptions())
    streamed: list[str] = []
    write_stream = html_report.page_writer(html_report.PageContext(months=False))
    write_stream(iter(results), RULES, RenderOptions(), streamed.append)
    drop_time = lambda page: page.replace(  # noqa: E731
        page.split("generated ")[1].split(" ")[0], "")
    assert drop_time(rendered) == drop_time("".join(streamed))


def test_a_report_rendered_whole_counts_no_month() -> None:
    """A whole report's results carry no timestamps: its page said that every file had
    none ("2 files have no readable timestamp comment"), and its stats counted them so."""
    report = Report(problems=(problem("a.md"),), files=("a.md", "b.md"), rules=RULES)
    document = parse(html_report.render(report, RenderOptions()))
    months = text_of(section(document, "months"))
    assert months == "Problems per month" + html_page.MONTHS_NOT_COUNTED
    facts = [text_of(item) for item in section(document, "summary").iter()
             if item.tag in ("dt", "dd")]
    assert facts[facts.index("Files without a timestamp comment") + 1] == \
        "not counted (see Problems per month)"
    collector = Collector(RULES, months=False)
    for result in html_report._all_problems_by_file(report):
        collector.add(result)
    stats = collector.document(GENERATED)
    VALIDATOR.validate(stats)
    assert (stats["files"], stats["months"], stats["no_month"]) == (
        2, [], {"files": 0, "by_rule": {}})
    assert not archive_stats.months_counted(stats)


@pytest.mark.parametrize("facts", [None, FileFacts(None, None, None)])
def test_a_lint_run_without_timestamps_counted_its_months(facts: FileFacts | None) -> None:
    # Unreadable files (no facts) or none with a timestamp: the months were counted.
    stats = stats_of([FileResult("a.md", [problem("a.md")], facts=facts)])
    assert archive_stats.months_counted(stats)
    assert stats["no_month"]["files"] == 1


# -- the command line -------------------------------------------------------------------------


def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    for feed, number in (("alpha", 1), ("alpha", 2), ("beta", 3)):
        write(folder / feed / f"{number}.md",
              GOOD_CLIPPING.replace("/a/1", f"/a/{number}").replace("<p>Some", "<p>Some<b>"))
    write(folder / "beta" / "4.md", GOOD_CLIPPING.replace("<!--1686778744000-->\n", "")
          .replace("/a/1", "/a/4"))
    return folder


def test_compare_shows_the_change_per_rule(tmp_path: Path) -> None:
    folder = archive(tmp_path)
    first = run_cliplint("--isolated", "--no-cache", "--format", "html", "--output-file",
                         "old.html", "archive", cwd=tmp_path)
    assert first.status == 1 and first.stdout == ""
    old = json.loads((tmp_path / "old.stats.json").read_text(encoding="utf-8"))
    VALIDATOR.validate(old)
    assert old["rules"]["timestamp-comment"]["total"] == 1
    assert old["configuration"]["enabled"] and old["configuration"]["config-file"] is None
    (folder / "beta" / "4.md").write_text(GOOD_CLIPPING.replace("/a/1", "/a/4"), encoding="utf-8")
    second = run_cliplint("--isolated", "--no-cache", "--format", "html", "--output-file",
                          "new.html", "--compare", "old.stats.json", "archive", cwd=tmp_path)
    assert second.status == 1, second.stderr
    trend = section(parse((tmp_path / "new.html").read_text(encoding="utf-8")), "trend")
    rows = {text_of(row.find("td")): [text_of(cell) for cell in row.findall("td")[1:]]
            for row in trend.findall(".//tbody/tr")}
    assert rows["timestamp-comment"] == ["1", "0", "▼ −1"]
    assert "old.stats.json" in text_of(trend)
    VALIDATOR.validate(json.loads((tmp_path / "new.stats.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize(("content", "expected"), [
    ("not json", "not a cliplint stats file (not JSON"),
    ('{"version": 1, "tool": {"name": "cliplint", "version": "0.1.0"}}',
     "is not a cliplint stats file: at the top level: 'generated' is a required property"),
    ('{"version": 7}', "version 7, newer than this cliplint reads (1)"),
])
def test_a_bad_compare_file_is_a_usage_error(tmp_path: Path, content: str, expected: str) -> None:
    archive(tmp_path)
    (tmp_path / "old.stats.json").write_text(content, encoding="utf-8")
    result = run_cliplint("--isolated", "--no-cache", "--format", "html", "--output-file",
                          "new.html", "--compare", "old.stats.json", "archive", cwd=tmp_path)
    assert result.status == 2 and expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "new.html").exists()  # refused before anything is linted


def test_a_compare_file_with_a_wrong_value_names_where(tmp_path: Path) -> None:
    archive(tmp_path)
    good = stats_of([FileResult("a.md", [])])
    good["rules"]["title-link"]["error"] = -1
    (tmp_path / "old.stats.json").write_text(json.dumps(good), encoding="utf-8")
    result = run_cliplint("--isolated", "--no-cache", "--format", "html", "--compare",
                          "old.stats.json", "archive", cwd=tmp_path)
    assert result.status == 2 and "at rules/title-link/error: -1 is less than the minimum" \
        in result.stderr
    # A whole number written with a fraction part is no count cliplint writes.
    good["rules"]["title-link"]["error"] = 0
    (tmp_path / "old.stats.json").write_text(json.dumps(good).replace(
        '"total": 0', '"total": 0.0', 1), encoding="utf-8")
    result = run_cliplint("--isolated", "--no-cache", "--format", "html", "--compare",
                          "old.stats.json", "archive", cwd=tmp_path)
    assert result.status == 2 and "0.0 is not of type 'integer'" in result.stderr


@pytest.mark.parametrize("arguments", [["--format", "text"], ["--format", "html", "--fix"],
                                       ["--format", "html", "--baseline", "b.json"]])
def test_compare_only_with_an_html_lint_run(tmp_path: Path, arguments: list[str]) -> None:
    archive(tmp_path)
    result = run_cliplint("--isolated", "--no-cache", *arguments, "--compare", "x.json",
                          "archive", cwd=tmp_path)
    assert result.status == 2 and "--compare works with --format html" in result.stderr


def test_the_page_goes_to_standard_output_without_a_stats_file(tmp_path: Path) -> None:
    archive(tmp_path)
    result = run_cliplint("--isolated", "--no-cache", "--format", "html", "archive",
                          cwd=tmp_path)
    assert result.status == 1 and result.stdout.startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob("*.stats.json"))
    assert section(parse(result.stdout), "sources") is not None


def test_an_unwritable_stats_file_is_a_usage_error(tmp_path: Path) -> None:
    archive(tmp_path)
    (tmp_path / "r.stats.json").mkdir()  # a folder where the file should go
    result = run_cliplint("--isolated", "--no-cache", "--format", "html", "--output-file",
                          "r.html", "archive", cwd=tmp_path)
    assert result.status == 2 and "cannot write r.stats.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_html_streams_from_the_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line counts the results as they come: the whole-report renderer is
    never called, and a baseline run (which holds every problem) still gets a page."""
    archive(tmp_path)
    monkeypatch.chdir(tmp_path)
    real_render = html_report.render
    monkeypatch.setattr(html_report, "render", lambda *a: pytest.fail("rendered whole"))
    assert cli.main(["--isolated", "--no-cache", "--jobs", "1", "--format", "html",
                     "--output-file", "r.html", "archive"]) == 1
    assert "<svg" in (tmp_path / "r.html").read_text(encoding="utf-8")
    monkeypatch.setattr(html_report, "render", real_render)
    assert cli.main(["--isolated", "--no-cache", "--write-baseline", "b.json", "archive"]) == 0
    assert cli.main(["--isolated", "--no-cache", "--format", "html", "--baseline", "b.json",
                     "--output-file", "b.html", "archive"]) == 0
    document = parse((tmp_path / "b.html").read_text(encoding="utf-8"))
    assert "4 files checked" in text_of(document.find(".//header"))


@pytest.mark.parametrize("run", ["baseline", "stdin"])
def test_a_page_of_a_whole_report_says_months_were_not_counted(tmp_path: Path,
                                                              run: str) -> None:
    folder = archive(tmp_path)
    if run == "baseline":
        (tmp_path / "b.json").write_text('{"version": 1, "tool": {"name": "cliplint", '
                                         '"version": "0.1.0"}, "files_checked": 0, '
                                         '"problems": []}', encoding="utf-8")
        result = run_cliplint("--isolated", "--no-cache", "--format", "html", "--baseline",
                              "b.json", "--output-file", "r.html", "archive", cwd=tmp_path)
    else:
        result = run_cliplint("--isolated", "--no-cache", "--format", "html", "--output-file",
                              "r.html", "-", cwd=tmp_path,
                              stdin=(folder / "alpha" / "1.md").read_bytes())
    assert result.status == 1, result.stderr
    document = parse((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert html_page.MONTHS_NOT_COUNTED in text_of(section(document, "months"))
    assert "no readable timestamp comment" not in text_of(document)
    assert not list(tmp_path.glob("*.stats.json"))  # (a whole report writes none)


def test_archive_problems_come_with_their_file_month(tmp_path: Path) -> None:
    """duplicate-clipping's problems (found once every file is linted) carry the facts
    of the file they are about: they count in its month."""
    write(tmp_path / "feed" / "a.md", GOOD_CLIPPING)
    write(tmp_path / "feed" / "b.md", GOOD_CLIPPING.replace("<!--1686778744000-->",
                                                            "<!--1686778745000-->"))
    result = run_cliplint("--isolated", "--no-cache", "--format", "html", "--output-file",
                          "r.html", "feed", cwd=tmp_path)
    assert result.status == 1, result.stderr
    stats = json.loads((tmp_path / "r.stats.json").read_text(encoding="utf-8"))
    assert stats["months"] == [{"month": "2023-06", "files": 2,
                                "by_rule": {"duplicate-clipping": 1}}]
    assert stats["duplicates"]["listed"] == [{"keep": "feed/a.md", "size": 2, "copies": [
        {"path": "feed/b.md", "duplicate_of": "feed/a.md", "message": "same article URL"}]}]
