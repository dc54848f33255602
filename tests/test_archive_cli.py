"""Archive rules through the command line: every report format carries the files a
problem names, --jobs does not change the report, and a run given some files of an
archive (pre-commit) compares them with the rest, from the cache when it can."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import write

from cliplint import files as files_module
from cliplint.cli import main

ARTICLE = ("<p>The harbour reopened on Monday after three weeks of repairs, the port "
           "authority said.</p><p>Ships waiting offshore began to unload cargo within hours. "
           "Dock workers, who had been sent home, returned to work.</p>")
LONG_AGO = 1_500_000_000  # seconds: a file this old is not "racily clean"


def clipping(title: str, url: str, body: str = ARTICLE, stamp: int = 1594000000000) -> str:
    return f"<!--{stamp}-->\n[{title}]({url})\n------\n\n{body}\n"


def cli(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str]:
    status = main(["--isolated", *arguments])
    return status, capsys.readouterr().out


def enter(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the archive ``root``, with a cache of the test's own."""
    monkeypatch.chdir(root)
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small archive: one real duplicate (same URL) and one clean clipping."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))
    write(tmp_path / "news/a.md", clipping("Harbour reopens", "https://x.org/a/1"))
    write(tmp_path / "news/b.md", clipping("Harbour reopens", "https://x.org/a/1",
                                           stamp=1594000000001))
    write(tmp_path / "news/c.md", clipping("Budget approved", "https://x.org/a/2",
                                           body="<p>The council approved the budget.</p>"))
    return tmp_path


def test_text_names_the_copy_and_counts(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = cli(capsys, "--select", "duplicate-clipping", "news")
    assert status == 1
    assert out == ("news/b.md:1:1: duplicate-clipping same article URL — duplicate of "
                   "news/a.md\nFound 1 problem (1 error) in 3 files checked.\n")
    status, out = cli(capsys, "--select", "duplicate-clipping", "--statistics", "news")
    assert "      1  duplicate-clipping" in out and "3 files checked" in out


def test_json_lists_related_files(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from jsonschema import Draft202012Validator

    _status, out = cli(capsys, "--select", "duplicate-clipping", "--format", "json", "news")
    report = json.loads(out)
    schema = json.loads((Path(__file__).parents[1] / "cliplint/schemas/report.schema.json")
                        .read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(report)
    assert report["files_checked"] == 3
    [problem] = report["problems"]
    assert problem["path"] == "news/b.md"
    assert problem["related"] == [{"path": "news/a.md", "message": "duplicate of"}]


def test_sarif_related_locations(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _status, out = cli(capsys, "--select", "duplicate-clipping", "--format", "sarif", "news")
    [result] = json.loads(out)["runs"][0]["results"]
    [related] = result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "news/a.md"
    assert related["id"] == 1 and related["message"]["text"] == "duplicate of"
    assert result["message"]["text"] == "same article URL — duplicate of [news/a.md](1)"


@pytest.mark.parametrize("form", ["github", "gitlab", "junit"])
def test_ci_formats_name_the_copy(archive: Path, capsys: pytest.CaptureFixture[str],
                                  form: str) -> None:
    status, out = cli(capsys, "--select", "duplicate-clipping", "--format", form, "news")
    assert status == 1
    assert "same article URL — duplicate of news/a.md" in out
    if form == "junit":
        assert 'classname="cliplint.archive" name="news/b.md"' in out
        assert 'tests="4"' in out  # three files, then one archive test case


def test_jobs_do_not_change_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for n in range(40):  # more than the pool's threshold
        write(tmp_path / f"feed/{n:03}.md",
              clipping("Harbour reopens" if n % 7 == 0 else f"Story {n}",
                       f"https://x.org/{n % 5 if n % 3 == 0 else n}", stamp=1594000000000 + n))
    write(tmp_path / "feed/a|b.md", clipping("Odd name", "https://x.org/odd"))
    reports = []
    for jobs in ("1", "2"):
        _status, out = cli(capsys, "--no-cache", "--jobs", jobs, "--format", "json", "feed")
        reports.append(out)
    assert reports[0] == reports[1]
    rules = {problem["rule"] for problem in json.loads(reports[0])["problems"]}
    assert {"duplicate-clipping", "path-portability"} <= rules


# -- given files: compared with the rest of the archive ----------------------------------------


def git_archive(root: Path) -> None:
    """A git work tree of committed clippings, old enough for their status to count."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for n in range(5):
        path = write(root / f"feed/{n}.md", clipping(f"Story number {n}", f"https://x.org/s/{n}",
                                                     body=f"<p>Text {n} " + "word " * 30 + "</p>"))
        os.utime(path, (LONG_AGO, LONG_AGO))
    old = write(root / "feed/harbour.md", clipping("Harbour reopens", "https://x.org/a/1"))
    os.utime(old, (LONG_AGO, LONG_AGO))


def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files cliplint reads, by name."""
    seen: list[str] = []
    real = files_module.read_with_stat

    def counted(path: str, max_size: int):  # type: ignore[no-untyped-def]
        seen.append(os.path.basename(path))
        return real(path, max_size)

    monkeypatch.setattr(files_module, "read_with_stat", counted)
    from cliplint import runner
    monkeypatch.setattr(runner, "read_with_stat", counted)
    return seen


def test_a_new_file_is_compared_with_the_committed_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    git_archive(root)
    enter(root, tmp_path, monkeypatch)
    write(root / "feed/new.md", clipping("Harbour reopens!", "https://x.org/a/1?utm_source=rss",
                                               stamp=1594000009000))
    status, out = cli(capsys, "feed/new.md")
    assert status == 1
    assert out == ("feed/new.md:1:1: duplicate-clipping same article URL — duplicate of "
                   "feed/harbour.md\nFound 1 problem (1 error) in 1 file checked.\n")

    # Warm: the committed files are known by their status; only the new file is read.
    seen = reads(monkeypatch)
    status, out = cli(capsys, "feed/new.md")
    assert status == 1 and seen == ["new.md"]
    assert "duplicate of feed/harbour.md" in out

    # The twin changes: it is read again, and the duplicate is gone.
    twin = root / "feed/harbour.md"
    twin.write_text(clipping("Budget approved", "https://x.org/a/other",
                             body="<p>The council approved the budget.</p>"), encoding="utf-8")
    os.utime(twin, (LONG_AGO + 10, LONG_AGO + 10))
    seen.clear()
    status, out = cli(capsys, "feed/new.md")
    assert status == 0, out
    assert set(seen) == {"harbour.md", "new.md"}  # a changed file is read, the others not

    # Changed back, then deleted.
    twin.write_text(clipping("Harbour reopens", "https://x.org/a/1"), encoding="utf-8")
    os.utime(twin, (LONG_AGO + 20, LONG_AGO + 20))
    assert cli(capsys, "feed/new.md")[0] == 1
    twin.unlink()
    status, out = cli(capsys, "feed/new.md")
    assert status == 0 and "All clean" in out


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_from_a_folder_below_the_root_the_other_files_are_shown_from_there(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        cache: bool) -> None:
    # They were shown as the walk from the root found them, "../feed/harbour.md" beside
    # the given "new.md"; a file outside the working folder goes through "..".
    root = tmp_path / "repo"
    git_archive(root)
    other = write(root / "other/harbour.md", clipping("Harbour reopens", "https://x.org/a/1",
                                                      stamp=1594000000002))
    os.utime(other, (LONG_AGO, LONG_AGO))
    write(root / "feed/new.md", clipping("Harbour reopens", "https://x.org/a/1",
                                         stamp=1500000000000))
    monkeypatch.chdir(root / "feed")
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))
    for _ in range(2 if cache else 1):  # cold, then from the archive's index
        status, out = cli(capsys, *([] if cache else ["--no-cache"]), "new.md")
        assert status == 1
        assert sorted(out.splitlines()[:2]) == sorted([
            "harbour.md:1:1: duplicate-clipping same article URL — duplicate of new.md",
            f"{os.path.join('..', 'other', 'harbour.md')}:1:1: duplicate-clipping same "
            "article URL — duplicate of new.md"]), out


def test_an_older_new_file_reports_the_committed_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The copy to keep is the oldest, whichever was given: the committed file is then
    the one reported, because the given file is involved."""
    root = tmp_path / "repo"
    git_archive(root)
    monkeypatch.chdir(root)
    write(root / "feed/older.md", clipping("Harbour reopens", "https://x.org/a/1", stamp=1500000000000))
    status, out = cli(capsys, "--no-cache", "feed/older.md")
    assert status == 1
    assert out.startswith("feed/harbour.md:1:1: duplicate-clipping same article URL — "
                          "duplicate of feed/older.md\n")


def test_problems_between_other_files_are_not_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    git_archive(root)
    shutil.copy(root / "feed/harbour.md", root / "feed/harbour-copy.md")
    monkeypatch.chdir(root)
    status, out = cli(capsys, "--no-cache", "feed/0.md")
    assert status == 0 and "All clean: 1 file checked." in out
    status, out = cli(capsys, "--no-cache", "feed")  # the whole folder: reported
    assert status == 1 and "feed/harbour.md:1:1: duplicate-clipping" in out


def test_without_git_or_config_only_the_given_files_count(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.md", clipping("Harbour reopens", "https://x.org/a/1"))
    write(tmp_path / "b.md", clipping("Harbour reopens", "https://x.org/a/1", stamp=1594000000001))
    assert cli(capsys, "--no-cache", "a.md")[0] == 0
    status, out = cli(capsys, "--no-cache", "a.md", "b.md")
    assert status == 1 and "b.md:1:1: duplicate-clipping" in out


def test_archive_root_from_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "cliplint.toml", 'archive-root = "archive"\n')
    write(tmp_path / "archive/old.md", clipping("Harbour reopens", "https://x.org/a/1"))
    write(tmp_path / "archive/x/new.md", clipping("Harbour reopens", "https://x.org/a/1",
                                                  stamp=1594000000001))
    monkeypatch.chdir(tmp_path)
    status = main(["--no-cache", "archive/x/new.md"])
    assert status == 1
    assert "duplicate of archive/old.md" in capsys.readouterr().out


def test_a_config_file_given_elsewhere_does_not_make_its_folder_the_archive(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # `--config /tmp/shared.toml new.md` compared new.md with every clipping under /tmp
    # (minutes, and a "duplicate" from another project): a file given with --config may
    # lie anywhere, so the archive is found as without one (here: the git work tree).
    shared = tmp_path / "configs" / "cliplint.toml"
    write(shared, "")
    write(shared.parent / "elsewhere/old.md", clipping("Harbour reopens", "https://x.org/a/1"))
    root = tmp_path / "repo"
    git_archive(root)
    write(root / "feed/new.md", clipping("Harbour reopens", "https://x.org/a/1",
                                         stamp=1594000000001))
    monkeypatch.chdir(root)

    def run() -> tuple[int, str]:
        return main(["--no-cache", "--config", str(shared), "feed/new.md"]), \
            capsys.readouterr().out

    status, out = run()
    assert (status, out.splitlines()[0]) == (1, "feed/new.md:1:1: duplicate-clipping same "
                                                "article URL — duplicate of feed/harbour.md")
    # Its archive-root still counts, relative to it, as the README says.
    write(shared, 'archive-root = "elsewhere"\n')
    status, out = run()
    assert status == 1 and "duplicate of ../configs/elsewhere/old.md" in out, out


def test_baseline_knows_archive_problems_from_any_folder(
        archive: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    baseline = archive / "baseline.json"
    assert cli(capsys, "--select", "duplicate-clipping", "--write-baseline", str(baseline),
               "news")[0] == 0
    recorded = json.loads(baseline.read_text(encoding="utf-8"))["problems"]
    assert [(entry["path"], entry["rule"]) for entry in recorded] == [
        ("news/b.md", "duplicate-clipping")]
    status, out = cli(capsys, "--select", "duplicate-clipping", "--baseline", str(baseline),
                      "news")
    assert status == 0 and "All clean" in out
    monkeypatch.chdir(archive / "news")
    status, out = cli(capsys, "--select", "duplicate-clipping", "--baseline", str(baseline), ".")
    assert status == 0 and "All clean" in out
    # A third copy is a new problem; the known one stays suppressed.
    write(archive / "news/d.md", clipping("Harbour reopens", "https://x.org/a/1",
                                          stamp=1594000000002))
    status, out = cli(capsys, "--select", "duplicate-clipping", "--baseline", str(baseline), ".")
    assert status == 1
    assert out.startswith("./d.md:1:1: duplicate-clipping same article URL — duplicate of "
                          "./a.md\n")


def test_fix_reports_what_archive_rules_find_in_the_fixed_files(
        archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--fix writes the fixes, then reports the duplicates left, as a lint run would; the
    copies are compared as written (a fix that makes two files one article counts)."""
    seconds = clipping("Harbour reopens", "https://x.org/a/1").replace(
        "<!--1594000000000-->", "<!--1594000002-->")
    write(archive / "news/d.md", seconds)
    status, out = cli(capsys, "--fix", "--select", "timestamp-comment,duplicate-clipping",
                      "news")
    assert status == 1
    assert (archive / "news/d.md").read_text(encoding="utf-8").startswith("<!--1594000002000-->")
    assert out.splitlines() == [
        "news/b.md:1:1: duplicate-clipping same article URL — duplicate of news/a.md",
        "news/d.md:1:1: duplicate-clipping same article URL — duplicate of news/a.md",
        "Fixed 1 problem in 1 file. Found 2 problems (2 errors) in 4 files checked.",
    ]
    assert cli(capsys, "--fix-only", "--select", "duplicate-clipping", "news")[0] == 0


def test_the_copy_to_keep_is_the_same_before_and_after_the_timestamp_fix(
        archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A day after news/a.md, in seconds: read as milliseconds (January 1970) it was the
    # oldest copy and the one to keep, until --fix appended 000.
    write(archive / "news/d.md", clipping("Harbour reopens", "https://x.org/a/1",
                                          stamp=1594100000))
    kept = ["news/b.md:1:1: duplicate-clipping same article URL — duplicate of news/a.md",
            "news/d.md:1:1: duplicate-clipping same article URL — duplicate of news/a.md"]
    status, out = cli(capsys, "--no-cache", "--select", "duplicate-clipping", "news")
    assert (status, out.splitlines()[:-1]) == (1, kept)
    status, out = cli(capsys, "--no-cache", "--fix", "--select",
                      "timestamp-comment,duplicate-clipping", "news")
    assert (archive / "news/d.md").read_text(encoding="utf-8").startswith("<!--1594100000000-->")
    assert (status, out.splitlines()[:-1]) == (1, kept)


def test_two_articles_posted_on_one_day_of_a_hugo_archive_are_clean(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Found by a stress test: "14_" is the day of the month under YYYY/MM folders, and
    # was "same numeric id in the file name".
    monkeypatch.chdir(tmp_path)
    posts = tmp_path / "p/content/posts/2023/06"
    write(posts / "14_harbour.md", clipping("Harbour reopens", "https://example.net/h"))
    write(posts / "14_bridge.md", clipping(
        "Bridge opens", "https://example.net/b",
        body="<p>A new bridge opened to traffic two years late and far over budget.</p>"))
    status, out = cli(capsys, "--no-cache", "--select", "duplicate-clipping", "p")
    assert (status, out) == (0, "All clean: 2 files checked.\n")


# -- symlinks: one file under two names is no copy of itself ------------------------------------


def linked_archive(root: Path) -> None:
    """A git work tree of old clippings, more than a pool's worth (--jobs), one of them
    also reached by a relative symlink inside the tree: ``latest.md -> 2024/x.md``."""
    git_archive(root)
    for n in range(30):
        path = write(root / f"more/{n}.md", clipping(f"Item number {n}", f"https://y.org/{n}",
                                                     body=f"<p>Item {n} " + "word " * 30 + "</p>"))
        os.utime(path, (LONG_AGO, LONG_AGO))
    target = write(root / "2024/x.md", clipping("Bridge closes", "https://x.org/b/1",
                                                body="<p>The bridge closed for repairs on "
                                                     "Monday, the city said. " * 3 + "</p>"))
    os.utime(target, (LONG_AGO, LONG_AGO))
    (root / "latest.md").symlink_to(os.path.join("2024", "x.md"))


#: Each way a run over a whole folder reaches the reduce step: without the cache, cold and
#: then warm with it (the reduction then comes from the cache), in one process or a pool.
WHOLE_RUNS = [("--no-cache",), ("--no-cache", "--jobs", "1"), (), ("--jobs", "1")]


def runs(options: tuple[str, ...]) -> range:
    """How often a test runs with ``options``: once without a cache, twice with one (the
    run that fills it, and one from it)."""
    return range(1 if "--no-cache" in options else 2)


@pytest.mark.parametrize("options", WHOLE_RUNS, ids=" ".join)
def test_a_symlink_to_a_clipping_is_not_its_duplicate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        options: tuple[str, ...]) -> None:
    root = tmp_path / "repo"
    linked_archive(root)
    enter(root, tmp_path, monkeypatch)
    for _ in runs(options):
        status, out = cli(capsys, *options, "--select", "duplicate-clipping", ".")
        assert (status, out) == (0, "All clean: 38 files checked.\n")
    # A link's own name is still a path of the checkout, and every file's own rules still
    # run on each name.
    (root / "odd:name.md").symlink_to(os.path.join("2024", "x.md"))
    write(root / "2024/x.md", clipping("Bridge closes", "https://x.org/b/1", stamp=1594000000))
    status, out = cli(capsys, *options, "--format", "json", "--select",
                      "duplicate-clipping,timestamp-comment,path-portability", ".")
    assert status == 1
    assert sorted((problem["path"], problem["rule"])
                  for problem in json.loads(out)["problems"]) == [
        ("./2024/x.md", "timestamp-comment"), ("./latest.md", "timestamp-comment"),
        ("./odd:name.md", "path-portability"), ("./odd:name.md", "timestamp-comment")]


@pytest.mark.parametrize("options", WHOLE_RUNS, ids=" ".join)
def test_a_copy_beside_a_symlink_is_reported_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        options: tuple[str, ...]) -> None:
    root = tmp_path / "repo"
    linked_archive(root)
    shutil.copy(root / "2024/x.md", root / "copy.md")
    enter(root, tmp_path, monkeypatch)
    for _ in runs(options):
        status, out = cli(capsys, *options, "--select", "duplicate-clipping", ".")
        assert status == 1
        assert out == ("./copy.md:1:1: duplicate-clipping same article URL — duplicate of "
                       "./2024/x.md\nFound 1 problem (1 error) in 39 files checked.\n")


def older_copy_beside_a_link(root: Path) -> None:
    """``linked_archive`` and a copy of the clipping ``latest.md`` leads to, clipped
    before it (its timestamp comment is older): ``old/x-copy.md``."""
    linked_archive(root)
    text = (root / "2024/x.md").read_text(encoding="utf-8")
    write(root / "old/x-copy.md", text.replace("<!--1594000000000-->", "<!--1593000000000-->"))


@pytest.mark.parametrize("options", WHOLE_RUNS, ids=" ".join)
def test_the_copy_to_keep_is_the_one_a_symlink_leads_to(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        options: tuple[str, ...]) -> None:
    # The older copy used to be kept and 2024/x.md reported: deleting the copy reported
    # broke latest.md.
    root = tmp_path / "repo"
    older_copy_beside_a_link(root)
    enter(root, tmp_path, monkeypatch)
    for _ in runs(options):
        status, out = cli(capsys, *options, "--select", "duplicate-clipping", ".")
        assert status == 1
        assert out == ("./old/x-copy.md:1:1: duplicate-clipping same article URL — duplicate "
                       "of ./2024/x.md\nFound 1 problem (1 error) in 39 files checked.\n")


@pytest.mark.parametrize("options", WHOLE_RUNS, ids=" ".join)
def test_a_copy_reported_names_the_symlinks_that_lead_to_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        options: tuple[str, ...]) -> None:
    # Links to two copies of one article: one copy is reported, and deleting it breaks
    # its links, which the problem now names.
    root = tmp_path / "repo"
    older_copy_beside_a_link(root)
    (root / "old-latest.md").symlink_to(os.path.join("old", "x-copy.md"))
    (root / "z-latest.md").symlink_to(os.path.join("old", "x-copy.md"))
    enter(root, tmp_path, monkeypatch)
    for _ in runs(options):
        status, out = cli(capsys, *options, "--select", "duplicate-clipping", ".")
        assert status == 1
        assert out == ("./2024/x.md:1:1: duplicate-clipping same article URL — duplicate of "
                       "./old/x-copy.md, linked from ./latest.md\n"
                       "Found 1 problem (1 error) in 41 files checked.\n")


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_given_files_the_copy_to_keep_is_the_one_a_symlink_leads_to(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        cache: bool) -> None:
    """As pre-commit runs (the rest of the archive from the walk, then from the cache's
    index): given the linked clipping or its copy, the problem is the copy's (a run shows
    the problems about the files given or naming them); given the link, none."""
    root = tmp_path / "repo"
    older_copy_beside_a_link(root)
    enter(root, tmp_path, monkeypatch)
    no_cache = [] if cache else ["--no-cache"]
    for _ in range(2):
        for given in (os.path.join("2024", "x.md"), os.path.join("old", "x-copy.md")):
            status, out = cli(capsys, *no_cache, "--select", "duplicate-clipping", given)
            assert status == 1
            assert out == ("old/x-copy.md:1:1: duplicate-clipping same article URL — "
                           "duplicate of 2024/x.md\nFound 1 problem (1 error) in 1 file "
                           "checked.\n")
        status, out = cli(capsys, *no_cache, "--select", "duplicate-clipping", "latest.md")
        assert (status, out) == (0, "All clean: 1 file checked.\n")


#: The copy reported, naming the clipping to keep (the one ``latest.md`` leads to).
OLDER_COPY = ("old/x-copy.md:1:1: duplicate-clipping same article URL — duplicate of "
              "2024/x.md\n")


@pytest.mark.parametrize("options", WHOLE_RUNS, ids=" ".join)
def test_given_a_symlinked_folder_its_files_are_no_copies_of_themselves(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        options: tuple[str, ...]) -> None:
    # Found by a stress test: cur/x.md (cur -> 2024) is no symlink itself, and was
    # reported beside 2024/x.md as a copy of old/x-copy.md.
    root = tmp_path / "repo"
    older_copy_beside_a_link(root)
    (root / "cur").symlink_to("2024")
    enter(root, tmp_path, monkeypatch)
    for _ in runs(options):
        status, out = cli(capsys, *options, "--select", "duplicate-clipping", "2024", "cur",
                          "old")
        assert (status, out) == (1, OLDER_COPY + "Found 1 problem (1 error) in 3 files checked.\n")


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_given_a_file_through_a_symlinked_folder_it_is_the_file_it_leads_to(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        cache: bool) -> None:
    """As pre-commit runs, given ``cur/x.md`` (``cur -> 2024``): it is ``2024/x.md``, as
    ``latest.md`` is. It was reported as a copy of old/x-copy.md, "the copy to keep
    2024/x.md": deleting it as told deleted the copy to keep."""
    root = tmp_path / "repo"
    older_copy_beside_a_link(root)
    (root / "cur").symlink_to("2024")
    enter(root, tmp_path, monkeypatch)
    no_cache = [] if cache else ["--no-cache"]
    through = os.path.join("cur", "x.md")
    for _ in range(2):
        status, out = cli(capsys, *no_cache, "--select", "duplicate-clipping", through)
        assert (status, out) == (0, "All clean: 1 file checked.\n")
        status, out = cli(capsys, *no_cache, "--select", "duplicate-clipping", through,
                          os.path.join("old", "x-copy.md"))
        assert (status, out) == (1, OLDER_COPY + "Found 1 problem (1 error) in 2 files checked.\n")


def test_a_file_through_a_symlinked_folder_is_still_checked_under_its_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Left out by duplicate-clipping alone: path-portability and the file's own rules
    # still see the name given.
    root = tmp_path / "repo"
    linked_archive(root)
    (root / "odd:cur").symlink_to("2024")
    write(root / "2024/x.md", clipping("Bridge closes", "https://x.org/b/1", stamp=1594000000))
    monkeypatch.chdir(root)
    status, out = cli(capsys, "--no-cache", "--format", "json", "--select",
                      "duplicate-clipping,timestamp-comment,path-portability",
                      os.path.join("odd:cur", "x.md"))
    assert status == 1
    assert sorted((problem["path"], problem["rule"])
                  for problem in json.loads(out)["problems"]) == [
        ("odd:cur/x.md", "path-portability"), ("odd:cur/x.md", "timestamp-comment")]


def test_without_git_or_config_given_files_through_symlinks_are_no_copies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Only the files given are the archive then (no walk): a symlink among them, or a
    # file given through a symlinked folder, was taken for a copy of its target.
    text = clipping("Bridge closes", "https://x.org/b/1")
    write(tmp_path / "2024/x.md", text)
    write(tmp_path / "old/x-copy.md", text.replace("<!--1594000000000-->", "<!--1593000000000-->"))
    (tmp_path / "cur").symlink_to("2024")
    (tmp_path / "latest.md").symlink_to(os.path.join("2024", "x.md"))
    monkeypatch.chdir(tmp_path)
    for given in ("latest.md", os.path.join("cur", "x.md")):
        status, out = cli(capsys, "--no-cache", "--select", "duplicate-clipping", given,
                          os.path.join("2024", "x.md"), os.path.join("old", "x-copy.md"))
        assert (status, out) == (1, OLDER_COPY + "Found 1 problem (1 error) in 3 files checked.\n")


def test_a_copy_replaced_by_a_symlink_to_its_original_is_no_longer_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # The copy and the link to the original hold the same content, with the same status:
    # the reduction the cache kept for the copy is not the link's.
    root = tmp_path / "repo"
    linked_archive(root)
    (root / "latest.md").unlink()
    shutil.copy2(root / "2024/x.md", root / "latest.md")
    enter(root, tmp_path, monkeypatch)
    status, out = cli(capsys, "--select", "duplicate-clipping", ".")
    assert status == 1 and out.startswith("./latest.md:1:1: duplicate-clipping"), out
    (root / "latest.md").unlink()
    (root / "latest.md").symlink_to(os.path.join("2024", "x.md"))
    status, out = cli(capsys, "--select", "duplicate-clipping", ".")
    assert (status, out) == (0, "All clean: 38 files checked.\n")


def test_fix_reports_no_symlink_as_a_duplicate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    linked_archive(root)
    monkeypatch.chdir(root)
    status, out = cli(capsys, "--fix", "--no-cache", "--select", "duplicate-clipping", ".")
    assert (status, out) == (0, "No fixes applied. All clean: 38 files checked.\n")


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_given_a_symlink_or_its_target_neither_is_the_others_duplicate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        cache: bool) -> None:
    """As pre-commit runs: the files given, the rest of the archive from the walk, and on
    the runs after the first from the cache's index of the archive."""
    root = tmp_path / "repo"
    linked_archive(root)
    enter(root, tmp_path, monkeypatch)
    no_cache = [] if cache else ["--no-cache"]
    seen = reads(monkeypatch)
    for run, given in enumerate(("latest.md", os.path.join("2024", "x.md"), "latest.md")):
        seen.clear()
        status, out = cli(capsys, *no_cache, "--select", "duplicate-clipping", given)
        assert (status, out) == (0, "All clean: 1 file checked.\n")
        # Warm, nothing is read: the rest of the archive comes from its index.
        assert bool(seen) == (run == 0 or not cache)
    # A copy given beside them is the duplicate of the target, once.
    shutil.copy(root / "2024/x.md", root / "copy.md")
    status, out = cli(capsys, *no_cache, "--select", "duplicate-clipping", "copy.md")
    assert status == 1
    assert out == ("copy.md:1:1: duplicate-clipping same article URL — duplicate of "
                   "2024/x.md\nFound 1 problem (1 error) in 1 file checked.\n")


@pytest.mark.parametrize("configuration", [
    'extend-exclude = ["drafts"]\n',  # the walk leaves the target out
    '[per-file-ignores]\n"drafts/**" = ["duplicate-clipping"]\n',  # and the rule
])
def test_a_symlink_to_a_file_the_rule_does_not_see_is_a_clipping_of_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        configuration: str) -> None:
    # latest.md is the only name the rule sees its file by: compared as any other (a copy
    # of it is reported), as before links were looked behind.
    write(tmp_path / "cliplint.toml", configuration)
    write(tmp_path / "drafts/x.md", clipping("Harbour reopens", "https://x.org/a/1"))
    (tmp_path / "latest.md").symlink_to(os.path.join("drafts", "x.md"))
    write(tmp_path / "copy.md", clipping("Harbour reopens", "https://x.org/a/1",
                                         stamp=1594000000001))
    monkeypatch.chdir(tmp_path)
    status = main(["--no-cache", "--select", "duplicate-clipping", "."])
    assert status == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "./copy.md:1:1: duplicate-clipping same article URL — duplicate of ./latest.md")


def test_a_link_names_the_archive_file_it_leads_to(tmp_path: Path) -> None:
    """The engine's part: only a symlink to another file of the archive is one; a link
    out of it, to a file the run leaves out, or to nothing is a file of its own."""
    from cliplint.archive import ArchiveFile, _link_targets

    write(tmp_path / "archive/2024/x.md", "x")
    write(tmp_path / "elsewhere/y.md", "y")
    links = {"latest.md": os.path.join("2024", "x.md"), "2024/again.md": "x.md",
             "out.md": os.path.join("..", "elsewhere", "y.md"), "left.md": "left-out.md",
             "gone.md": "nothing.md", "self.md": "self.md"}
    write(tmp_path / "archive/left-out.md", "z")
    for link, target in links.items():
        (tmp_path / "archive" / link).symlink_to(target)
    files = [ArchiveFile(relative, relative, {}) for relative in ["2024/x.md", *links]]
    assert _link_targets(str(tmp_path / "archive"), links, files) == {
        "latest.md": "2024/x.md", "2024/again.md": "2024/x.md"}


def test_a_file_through_a_symlinked_folder_names_the_file_it_is(tmp_path: Path) -> None:
    """The engine's part: ``cur/x.md`` (``cur -> 2024``) leads to ``2024/x.md``; a file
    whose only symlink is above the archive's root (named by an absolute path through
    it) is its own."""
    from cliplint.archive import ArchiveFile, _link_targets

    write(tmp_path / "archive/2024/x.md", "x")
    (tmp_path / "archive/cur").symlink_to("2024")
    (tmp_path / "via").symlink_to("archive")
    linked = ["2024/x.md", "cur/x.md"]
    files = [ArchiveFile(relative, relative, {}) for relative in linked]
    for root in ("archive", "via"):
        assert _link_targets(str(tmp_path / root), linked, files) == {"cur/x.md": "2024/x.md"}
