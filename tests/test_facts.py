"""The per-file facts of the archive report: a clipping's month and feed, made from the
one parse of each file and kept in the cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import GOOD_CLIPPING, SHARED, require_shared, rewrite_entries, write

from cliplint import cli, html_parse
from cliplint.document import Document
from cliplint.facts import FileFacts, facts_from_data, file_facts, folder_source, source_of

TEAHOUSE = SHARED / "corpus" / "teahouse-dev"
OPED2 = SHARED / "corpus" / "oped2"


def _facts(text: str) -> FileFacts:
    return file_facts(Document.from_text(text))


def _corpus_file(corpus: Path, relative: str) -> Path:
    return require_shared(corpus / relative)


@pytest.mark.shared
def test_a_feedx_clipping_has_its_month_and_host() -> None:
    path = _corpus_file(OPED2, "articles/BBC/1048026_英国指责中国“严重”侵犯新疆维族人权 中国称指控不实.md")
    facts = file_facts(Document.from_bytes(path.read_bytes()))
    assert facts == FileFacts("2020-07", "bbc.com", "host")
    assert source_of("articles/BBC/x.md", facts) == ("BBC", "folder")  # the folder wins


@pytest.mark.shared
def test_a_jekyll_clipping_names_its_feed_in_the_front_matter() -> None:
    path = _corpus_file(TEAHOUSE, "_posts/2018-10-10-“何不食肉糜”的劉瑜——自由派公知的衰落.md")
    facts = file_facts(Document.from_bytes(path.read_bytes()))
    assert facts == FileFacts("2018-10", "Matters", "category")
    # _posts/ and dated folders are no feed: the front matter's category is.
    assert source_of("_posts/2018-10-10-x.md", facts) == ("Matters", "category")
    assert source_of("archived/2018-10-10/2018-10-10-x.md", facts) == ("Matters", "category")


@pytest.mark.shared
def test_a_clipping_without_timestamp_has_no_month() -> None:
    path = _corpus_file(OPED2, "articles/中国数字时代/400093_质化研究 | 社会性别视角下的农村留守女性生命史.md")
    assert file_facts(Document.from_bytes(path.read_bytes())).month is None


@pytest.mark.parametrize(("front_matter", "expected"), [
    ("categories: [ 老楊到處說 ]\nauthor: 老楊到處說", ("老楊到處說", "category")),
    ("categories: [\"Hong Kong\", News]", ("Hong Kong", "category")),
    ("categories: news politics", ("news", "category")),  # Jekyll: a space-separated list
    ("categories:\n  - Matters\n  - Other", ("Matters", "category")),
    ("category: Hong Kong News", ("Hong Kong News", "category")),
    ("author: 城寨 Singjai", ("城寨 Singjai", "author")),
    ("author: \"Quoted: Name\"", ("Quoted: Name", "author")),
    ("author:\n  name: Jane Doe", ("Jane Doe", "author")),
    ("categories: []\nauthor: someone", ("someone", "author")),
    ("title: no feed here", ("example.com", "host")),
    # Quoted scalars as YAML reads them (the backslash was shown, the list cut at a comma).
    ('author: "\'\\">x"', ("'\">x", "author")),
    ('author: "Caf\\u00e9 \\x41\\\\B" # a comment', ("Café A\\B", "author")),
    ("author: 'It''s Name'", ("It's Name", "author")),
    ('categories: ["a, b", c]', ("a, b", "category")),
    ("categories: [ 'x, y' ]", ("x, y", "category")),
    ("categories: [plain, other]", ("plain", "category")),
    # The front matter as YAML reads it (it was read line by line): a line of a quoted
    # title or a flow list is no key, a block list's item is one entry, of keys written
    # twice the last counts (as in Jekyll), and a front matter YAML refuses is not read.
    ('title: "A long\nauthor: Not the author"\nauthor: Real', ("Real", "author")),
    ("tags: [a,\ncategories: not-a-category]\nauthor: Real", ("Real", "author")),
    ("categories:\n  - World News\n  - Other", ("World News", "category")),
    ("author: First\nauthor: Last", ("Last", "author")),
    ('author: "not closed', ("example.com", "host")),
    # The categories as Jekyll makes them (Document#merge_categories! and
    # #populate_categories): a categories string is split at whitespace, quoted or not,
    # at ASCII whitespace only (Ruby's String#split); category is taken whole.
    ('categories: "news politics"', ("news", "category")),
    ("categories: ' news  politics'", ("news", "category")),
    ("categories: >\n  news\n  politics", ("news", "category")),
    ("categories: |\n  news\n  politics", ("news", "category")),
    ("categories: 新聞\u3000評論 香港", ("新聞\u3000評論", "category")),
    ("categories: 'a\u00a0b c'", ("a\u00a0b", "category")),
    ("category: 'Hong Kong News'", ("Hong Kong News", "category")),
    ("category: [World News, Other]", ("World News", "category")),
    # categories before category: pluralized_array_from_hash prefers category only for
    # the entries it adds after categories' own.
    ("categories: Tech Talk\ncategory: Other", ("Tech", "category")),
    ("category: Other\ncategories: [Tech]", ("Tech", "category")),
    ("categories: ''\ncategory: Other", ("Other", "category")),
    # A plain null (safe_yaml's nil, in any case) names no feed; a quoted one is text.
    ("categories: ~\ncategory: Other", ("Other", "category")),
    ("categories: null\nauthor: Someone", ("Someone", "author")),
    ("categories: NULL\nauthor: Someone", ("Someone", "author")),
    ("category: Null\nauthor: Someone", ("Someone", "author")),
    ("author: null", ("example.com", "host")),
    ("categories: 'null'", ("null", "category")),
])
def test_the_feed_from_front_matter(front_matter: str, expected: tuple[str, str]) -> None:
    facts = _facts(f"---\n{front_matter}\n---\n{GOOD_CLIPPING}")
    assert (facts.feed, facts.feed_kind) == expected


@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "python"])
@pytest.mark.parametrize(("front_matter", "expected"), [
    # Merge keys as Jekyll's safe_yaml does them: an alias of a mapping, plain or quoted
    # key, merged keys over the ones written before, under the ones written after.
    ("defaults: &d\n  categories: [BBC]\n<<: *d", ("BBC", "category")),
    ("defaults: &d {author: Merged}\n'<<': *d", ("Merged", "author")),
    ("defaults: &d {author: Merged}\n\"<<\": *d", ("Merged", "author")),
    ("author: Written\ndefaults: &d {author: Merged}\n<<: *d", ("Merged", "author")),
    ("defaults: &d {author: Merged}\n<<: *d\nauthor: Written", ("Written", "author")),
    # The merged mapping's own merges are done; one anchored anywhere is merged.
    ("a: &a {author: A}\nb: &b {<<: *a, layout: post}\n<<: *b", ("A", "author")),
    ("feeds: [&a {author: A}]\n<<: *a", ("A", "author")),
    # ... as it is at the merge: the keys a mapping holding the merge has so far.
    ("a: &a\n  author: A\n  b: &b {<<: *a}\n  author: Later\n<<: *b", ("A", "author")),
    # A mapping written in place is merged empty.
    ("<<: {author: InPlace}", ("example.com", "host")),
    ("<<:\n  author: InPlace", ("example.com", "host")),
    # A merge of anything else makes Ruby raise: Jekyll reads no front matter at all.
    ("a: &a {author: A}\n<<: [*a]\nauthor: Written", ("example.com", "host")),
    ("s: &s Someone\n<<: *s\nauthor: Written", ("example.com", "host")),
    ("l: &l [Someone]\n<<: *l\nauthor: Written", ("example.com", "host")),
    ("<<:\nauthor: Written", ("example.com", "host")),
    ("a: &a {author: A}\nnested: {deep: {<<: [*a]}}\nauthor: Written", ("example.com", "host")),
    # A "<<" that is no key, or a key other than "<<", is no merge.
    ("author: '<<'", ("<<", "author")),
    ("author: Written\na: &a {author: A}\n'<< ': *a", ("Written", "author")),
])
def test_the_feed_through_merge_keys(front_matter: str, expected: tuple[str, str],
                                     libyaml: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not libyaml:  # PyYAML's own composer (a PyYAML built without libyaml)
        monkeypatch.delattr(yaml, "CBaseLoader")
    facts = _facts(f"---\n{front_matter}\n---\n{GOOD_CLIPPING}")
    assert (facts.feed, facts.feed_kind) == expected


@pytest.mark.parametrize(("title", "host"), [
    ("[T](https://WWW.Example.COM:8080/a)", "example.com"),
    ("[T](http://user:pw@news.example.org/a)", "news.example.org"),
    ("[T](https://[2001:db8::1]:443/a)", "[2001:db8::1]"),
    ("[T](/relative/only)", None),
    ("[T]()", None),
    ("no link at all", None),
])
def test_the_feed_from_the_title_host(title: str, host: str | None) -> None:
    facts = _facts(f"<!--1686778744000-->\n{title}\n------\n\n<p>x</p>\n")
    assert facts.feed == host
    assert facts.feed_kind == ("host" if host else None)


@pytest.mark.parametrize(("line", "month"), [
    ("<!--1686778744000-->", "2023-06"),
    ("<!--1686778744-->", "2023-06"),  # seconds (timestamp-comment reports it): same month
    ("<!-- 1686778744000 -->", "2023-06"),
    ("<!--0-->", "1970-01"),
    ("<!--99999999999999999-->", None),  # beyond year 9999, or too many digits
    ("<!--9999999999999999-->", None),
    ("<!--2023-06-14-->", None),
    ("<!--１２３-->", None),  # full-width digits are no epoch
    ("<!--168677874400²-->", None),  # nor a superscript one (int() refuses it)
    ("<!--" + "0" * 5000 + "1686778744000-->", "2023-06"),  # leading zeros do not count
    ("<!--1686778744000", None),
    ("[no timestamp](https://example.com/a)", None),
])
def test_the_month_of_the_timestamp(line: str, month: str | None) -> None:
    assert _facts(GOOD_CLIPPING.replace("<!--1686778744000-->", line)).month == month


@pytest.mark.parametrize(("relative", "folder"), [
    ("articles/BBC/1048026_x.md", "BBC"),
    ("feeds/路透/a.md", "路透"),
    ("a.md", None),
    ("archived/2021-03-04/a.md", None),
    ("2021/03/a.md", None),
    ("news/20210304/a.md", None),
    ("_posts/a.md", None),
    (".hidden/a.md", None),
])
def test_the_feed_folder(relative: str, folder: str | None) -> None:
    assert folder_source(relative) == folder


def test_without_facts_or_folder_the_source_is_unknown() -> None:
    assert source_of("a.md", None) == ("(unknown)", "unknown")
    assert source_of("a.md", FileFacts(None, None, None)) == ("(unknown)", "unknown")


def test_long_feed_names_are_cut() -> None:
    facts = _facts(f"---\nauthor: {'x' * 500}\n---\n{GOOD_CLIPPING}")
    assert facts.feed is not None and len(facts.feed) == 80 and facts.feed.endswith("…")


def test_facts_from_the_cache_are_checked() -> None:
    assert facts_from_data(["2020-07", "BBC", "folder"]) == FileFacts("2020-07", "BBC", "folder")
    for bad in (None, [], ["2020-07", 3, "x"], {"month": "2020-07"}, ["a", "b"]):
        assert facts_from_data(bad) is None


def _archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    for feed, number in (("alpha", 1), ("alpha", 2), ("beta", 3)):
        write(folder / feed / f"{number}.md",
              GOOD_CLIPPING.replace("/a/1", f"/a/{number}").replace("<p>Some", "<p>Some<b>"))
    return folder


def test_the_report_parses_each_file_once_and_reads_facts_from_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's months and sources come from the one parse of each file, and from the
    cache when the file is unchanged (no parse at all then)."""
    _archive(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))
    parsed: list[object] = []
    real_parse = html_parse.parse_body
    monkeypatch.setattr(html_parse, "parse_body", lambda *a, **k: parsed.append(a) or real_parse(*a, **k))

    def stats_of_run() -> dict[str, object]:
        assert cli.main(["--isolated", "--jobs", "1", "--format", "html", "--output-file",
                         "report.html", "archive"]) == 1
        return json.loads((tmp_path / "report.stats.json").read_text(encoding="utf-8"))

    first = stats_of_run()
    assert len(parsed) == 3
    assert first["months"][0]["month"] == "2023-06" and first["months"][0]["files"] == 3
    assert [(s["name"], s["files"]) for s in first["sources"]["shown"]] == [("alpha", 2),
                                                                           ("beta", 1)]
    parsed.clear()
    second = stats_of_run()
    assert parsed == []  # every file from the cache
    assert second["months"] == first["months"] and second["sources"] == first["sources"]


def test_facts_survive_the_cache_and_worker_processes(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A planted month in the cache shows in the next report: facts are read from it."""

    folder = _archive(tmp_path)
    for number in range(4, 40):  # enough files for the process pool
        shutil.copyfile(folder / "beta" / "3.md", folder / "beta" / f"{number}.md")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))
    arguments = ["--isolated", "--jobs", "2", "--select", "well-formed-html", "--format", "html",
                 "--output-file", "report.html", "archive"]
    assert cli.main(arguments) == 1
    stats = json.loads((tmp_path / "report.stats.json").read_text(encoding="utf-8"))
    ((month,),) = [stats["months"]]
    assert (month["month"], month["files"], list(month["by_rule"])) == (
        "2023-06", 39, ["well-formed-html"])
    (cache_file,) = (tmp_path / "cache").glob("results-*.sqlite3")
    # Signed with this user's key, as cliplint signs what it writes.
    rewrite_entries(cache_file,
                    lambda problems, records, _: [problems, records, ["1999-12", None, None]])
    assert cli.main(arguments) == 1
    stats = json.loads((tmp_path / "report.stats.json").read_text(encoding="utf-8"))
    assert [month["month"] for month in stats["months"]] == ["1999-12"]
