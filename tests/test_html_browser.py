"""The archive report in a real browser: headless Chromium (Debian's ``chromium``
package, driven by Playwright's Python package; no browser is downloaded) opens the page
of a small corpus of real clippings and hostile file names, takes screenshots, and the
DOM is checked for each section, the chart, sorting and filtering, dark mode, a page
without JavaScript, and no console error, dialog or network request. And what a rule
says of browsers holds in one (active-content's event handlers on ``<source>``).

CI installs chromium (.ci/run) and must run this test: there, a missing browser fails it.
Elsewhere it is skipped, saying what is missing. ``CLIPLINT_CHROMIUM`` names another
Chromium binary."""

from __future__ import annotations

import calendar
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, require_shared, run_cliplint, write

CHROMIUM = os.environ.get("CLIPLINT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OPED2 = SHARED / "corpus" / "oped2"
TEAHOUSE = SHARED / "corpus" / "teahouse-dev"
HOSTILE_FOLDERS = ["<img src=x onerror=alert(1)><script>alert(2)<\\script>",
                   "Tom & Jerry's \"feed\"", "中文频道 「一」"]
SECTIONS = {"summary": "Summary", "trend": "Trend", "rules": "Rules",
            "months": "Problems per month", "sources": "Sources × rules",
            "files": "Top offending files", "duplicates": "Duplicate clusters",
            "docs": "Rule documentation"}


def _sync_playwright() -> Any:
    """Playwright's entry point, or a skip (a failure in CI) saying what is missing."""
    missing = []
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
        missing.append("the playwright package (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"chromium at {CHROMIUM} (apt-get install chromium)")
    if missing:
        message = "the browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run it (.ci/run installs chromium)")
        pytest.skip(message)
    return sync_playwright


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def build_corpus(folder: Path) -> Path:
    """Real clippings from both corpora (oped2's feed folders, teahouse's _posts/ and
    archived/ twins: duplicates), and copies under hostile folder names."""
    require_shared(OPED2)
    require_shared(TEAHOUSE)
    corpus = folder / "corpus"
    for feed in sorted((OPED2 / "articles").iterdir()):
        for path in sorted(feed.glob("*.md"))[:3]:
            _copy(path, corpus / path.relative_to(OPED2))
    for path in sorted((OPED2 / "articles" / "金融时报").glob("*每日更新*.md"))[:3]:
        _copy(path, corpus / path.relative_to(OPED2))  # one article three times
    for path in sorted((TEAHOUSE / "_posts").glob("*.md"))[:4]:
        _copy(path, corpus / path.relative_to(TEAHOUSE))
        for twin in sorted((TEAHOUSE / "archived").glob(f"*/{path.name}"))[:1]:
            _copy(twin, corpus / twin.relative_to(TEAHOUSE))
    example = sorted((OPED2 / "articles" / "BBC").glob("*.md"))[5]
    for number, name in enumerate(HOSTILE_FOLDERS):
        text = example.read_text(encoding="utf-8").replace("https://www.bbc.com/",
                                                           f"https://www.bbc.com/x{number}/")
        write(corpus / "feeds" / name / f"<b onclick=alert({number})> & 'x'.md", text)
    return corpus


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page of the corpus, compared with an earlier run of it (the trend)."""
    folder = tmp_path_factory.mktemp("browser")
    corpus = build_corpus(folder)
    first = run_cliplint("--isolated", "--no-cache", "--format", "html", "--output-file",
                         "before.html", "corpus", cwd=folder)
    assert first.status == 1, first.stderr
    before = json.loads((folder / "before.stats.json").read_text(encoding="utf-8"))
    changed = next(iter(sorted(corpus.rglob("*.md"))))
    changed.write_text(changed.read_text(encoding="utf-8") + "<p>unclosed <b>bold\n",
                       encoding="utf-8")
    second = run_cliplint("--isolated", "--no-cache", "--format", "html", "--output-file",
                          "report.html", "--compare", "before.stats.json", "corpus", cwd=folder)
    assert second.status == 1, second.stderr
    assert before["files"] == json.loads(
        (folder / "report.stats.json").read_text(encoding="utf-8"))["files"]
    return folder / "report.html"


@contextmanager
def browser_page(**options: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page in a fresh headless Chromium (its own profile folder), and the list of
    what went wrong in it: console errors and warnings, script errors, dialogs, requests
    for anything but the file itself."""
    sync_playwright = _sync_playwright()
    trouble: list[str] = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900}, **options)
        try:
            page = context.new_page()
            page.on("console", lambda message: trouble.append(
                f"console {message.type}: {message.text}")
                if message.type in ("error", "warning") else None)
            page.on("pageerror", lambda error: trouble.append(f"script error: {error}"))
            page.on("dialog", lambda dialog: (trouble.append(f"dialog: {dialog.message}"),
                                              dialog.dismiss()))
            page.on("request", lambda request: trouble.append(f"request: {request.url}")
                    if not request.url.startswith("file://") else None)
            yield page, trouble
        finally:
            context.close()


def test_the_report_in_chromium(report: Path) -> None:
    with browser_page(color_scheme="light") as (page, trouble):
        page.goto(report.as_uri())
        shot = page.screenshot(path=str(report.with_suffix(".png")), full_page=True)
        assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 50_000

        for key, title in SECTIONS.items():
            heading = page.locator(f"section#{key} > h2")
            assert heading.inner_text() == title
            assert heading.is_visible()

        # The chart: stacked bars with a tooltip each, a legend, a text alternative.
        chart = page.locator("svg#months-chart")
        assert chart.is_visible() and chart.get_attribute("role") == "img"
        bars = page.locator("svg#months-chart rect")
        assert bars.count() >= 3
        assert " — " in bars.first.locator("title").text_content()
        assert chart.bounding_box()["height"] > 150
        assert page.locator("#months .legend li").count() >= 3
        assert "busiest month" in page.locator("#months figcaption").inner_text()
        assert page.locator("#months-table tbody tr").count() >= 2  # the data as a table

        # The heat table: coloured cells for the feeds, the hostile folders as text.
        sources = page.locator("#sources-table tbody th").all_inner_texts()
        assert "BBC" in sources and "Matters" in sources
        assert set(HOSTILE_FOLDERS) <= set(sources)
        darkest = page.locator("#sources-table td.h6").first
        assert page.evaluate("cell => getComputedStyle(cell).backgroundColor",
                             darkest.element_handle()) not in ("rgba(0, 0, 0, 0)", "transparent")

        # Top files, duplicate clusters (teahouse's twins, oped2's daily update), trend.
        assert page.locator("#files-table tbody tr").count() >= 10
        clusters = page.locator("#clusters > li")
        assert clusters.count() >= 4
        assert "每日更新" in page.locator("#clusters").inner_text()
        assert "before.stats.json" in page.locator("#trend").inner_text()
        assert "▲ +" in page.locator("#trend-table").inner_text()

        # Nothing of a path ran: one script, no dialog (checked below), text intact.
        assert page.evaluate("document.scripts.length") == 1
        assert "<b onclick=alert(0)> & 'x'.md" in page.locator("#files-table").inner_text()

        # A rule's name leads to its documentation in the page.
        page.locator("#rules-table a[href='#doc-well-formed-html']").click()
        assert page.url.endswith("#doc-well-formed-html")
        assert page.locator("#doc-well-formed-html").is_visible()
        assert "Bad::" in page.locator("#doc-well-formed-html pre").inner_text()

        # Sorting and filtering (the script's whole job).
        header = page.locator("#rules-table thead th", has_text="Problems")
        header.click()
        ascending = [int(v) for v in page.locator(
            "#rules-table tbody tr td:last-child").evaluate_all(
            "cells => cells.map(c => c.dataset.v)")]
        assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
        assert header.get_attribute("aria-sort") == "ascending"
        header.click()
        assert header.get_attribute("aria-sort") == "descending"
        search = page.locator("input[data-filter='rules-table']")
        assert search.is_visible()
        search.fill("timestamp")
        visible = page.locator("#rules-table tbody tr:visible td:first-child").all_inner_texts()
        assert visible and all("timestamp" in name for name in visible)
        assert trouble == []


def test_dark_mode_and_no_javascript(report: Path) -> None:
    with browser_page(color_scheme="dark", java_script_enabled=False) as (page, trouble):
        page.goto(report.as_uri())
        page.screenshot(path=str(report.with_name("report-dark.png")), full_page=False)
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == \
            "rgb(20, 20, 20)"
        text_colour = page.evaluate("getComputedStyle(document.body).color")
        assert text_colour == "rgb(232, 232, 232)"
        for key in SECTIONS:
            assert page.locator(f"section#{key}").is_visible()
        # Without the script every row is there, and the filters (useless) are hidden.
        assert page.locator("input[data-filter]:visible").count() == 0
        assert page.locator("#files-table tbody tr:visible").count() >= 10
        assert page.locator("svg#months-chart rect").count() >= 3
        assert trouble == []
    with browser_page(color_scheme="light") as (page, trouble):
        page.goto(report.as_uri())
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == \
            "rgb(255, 255, 255)"
        assert trouble == []


def test_a_browser_fires_error_at_a_media_source_never_at_a_picture_source(
        tmp_path: Path) -> None:
    # active-content reports onerror on a <source> only in a <video> or <audio> (the 320
    # Matters fallbacks in <picture> it reported were dead code): the premise, in Chromium.
    # Every URL is a missing file beside the page: nothing leaves the machine.
    page_file = tmp_path / "sources.html"
    page_file.write_text(
        "<!doctype html><script>window.fired = [];</script>"
        "<picture><source type='image/png' srcset='missing-1.png' "
        "onerror=\"fired.push('picture source')\">"
        "<img src='missing-2.png' onerror=\"fired.push('img')\"></picture>"
        "<video><source src='missing-3.webm' onerror=\"fired.push('video source')\"></video>"
        "<audio><source src='missing-4.ogg' onerror=\"fired.push('audio source')\"></audio>",
        encoding="utf-8")
    with browser_page() as (page, _):
        page.goto(page_file.as_uri())
        page.wait_for_function("['img', 'video source', 'audio source']"
                               ".every(name => window.fired.includes(name))", timeout=15_000)
        # (An error at the picture's source would come before the <img>'s, which the
        # browser fires once the source it picked has failed.)
        assert "picture source" not in page.evaluate("window.fired")


def spread_archive(folder: Path, months: int) -> Path:
    """A clipping a month for ``months`` months from 1971: timestamp comments that hold
    ids rather than times (each is a month up to the year 9999)."""
    archive = folder / "spread"
    for index in range(months):
        stamp = calendar.timegm((1971 + index // 12, index % 12 + 1, 15, 0, 0, 0)) * 1000
        write(archive / "feed" / f"{index}.md",
              f"<!--{stamp}-->\n[Title {index}](https://example.com/a/{index})\n------\n\n"
              f"<p>Text {index}</b></p>\n")
    return archive


def test_months_past_a_century_and_months_not_counted(tmp_path: Path) -> None:
    """A page with more months than it tracks shows the first 1,200 and the rest as one
    row under the table's body (which sorting leaves there); a page made from a whole
    report (--baseline) says that months were not counted, not that no file has one."""
    spread_archive(tmp_path, 1_210)
    run = run_cliplint("--isolated", "--no-cache", "--format", "html", "--output-file",
                       "spread.html", "spread", cwd=tmp_path)
    assert run.status == 1, run.stderr
    write(tmp_path / "b.json", json.dumps({"version": 1, "files_checked": 0, "problems": [],
                                           "tool": {"name": "cliplint", "version": "0.1.0"}}))
    run = run_cliplint("--isolated", "--no-cache", "--format", "html", "--baseline", "b.json",
                       "--output-file", "baseline.html", "spread", cwd=tmp_path)
    assert run.status == 1, run.stderr
    with browser_page(color_scheme="light") as (page, trouble):
        page.goto((tmp_path / "spread.html").as_uri())
        assert page.locator("svg#months-chart g.bar").count() == 1_200
        assert page.locator("#months-table tbody tr").count() == 1_200
        page.locator("#months summary").click()  # the table is in a <details>
        foot = page.locator("#months-table tfoot tr")
        assert foot.is_visible()
        assert foot.locator("th").inner_text() == \
            "10 more months (past the first 1,200 seen), counted together"
        assert foot.locator("td").first.inner_text() == "10"
        assert "10 more months (past the first 1,200 seen), counted together: 10 files" in \
            page.locator("#months > p").inner_text()
        page.locator("#months-table thead th", has_text="Files").click()
        last_row = page.locator("#months-table tbody tr").last.bounding_box()
        assert foot.bounding_box()["y"] > last_row["y"]  # sorted, the sum stays last
        page.screenshot(path=str(tmp_path / "spread.png"), full_page=False)

        page.goto((tmp_path / "baseline.html").as_uri())
        months = page.locator("section#months")
        assert months.is_visible()
        assert "Months were not counted for this page" in months.inner_text()
        assert page.locator("svg#months-chart").count() == 0
        summary = page.locator("section#summary dl").inner_text()
        assert "not counted (see Problems per month)" in summary
        assert "no readable timestamp comment" not in page.locator("main").inner_text()
        assert trouble == []
