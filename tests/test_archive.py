"""Archive rules: path-portability per kind of name, duplicate-clipping's options and
URL canonicalisation, and that neither does quadratic work on big clusters.

Names that Windows cannot check out are built here, not committed under tests/cases:
cliplint's own repository must stay portable.
"""

from __future__ import annotations

import binascii
import os
import re
import zlib
from array import array
from collections.abc import Iterator
from typing import Any

import pytest

from cliplint import lint_archive
from cliplint.formats import full_message
from cliplint_rules import _similarity, duplicate_clipping
from cliplint_rules.duplicate_clipping import canonical_url, normal_title, title_numbers


def clipping(title: str = "A title", url: str = "https://example.com/a/1",
             body: str = "<p>Some article text.</p>", stamp: int | None = 1594000000000) -> str:
    head = f"<!--{stamp}-->\n" if stamp is not None else ""
    return f"{head}[{title}]({url})\n------\n\n{body}\n"


def portability(*paths: str, **options: object) -> list[tuple[str, str]]:
    """(path, message with related files) of what path-portability reports."""
    texts = {path: clipping(url=f"https://example.com/{n}") for n, path in enumerate(paths)}
    config = {"rules": {"path-portability": options}} if options else None
    return [(p.path, full_message(p))
            for p in lint_archive(texts, config, select=["path-portability"])]


# -- path-portability -----------------------------------------------------------------------


@pytest.mark.parametrize("char", list('<>:"|?*\\') + ["\n", "\x01", "\x1f"])
def test_each_character_windows_forbids(char: str) -> None:
    name = f"news/ab{char}cd.md"
    [(path, message)] = portability(name, "news/fine.md")
    assert path == name
    assert f"U+{ord(char):04X}" in message and "at position 3" in message
    # The character as Python writes it, escaped once: '\n' was written '\\n'.
    assert message.startswith(f"file name: {char!r} (U+")


def test_a_character_is_one_problem_however_often_it_occurs() -> None:
    # A title scraped in the wrong encoding: a name of "?" was a problem for each one.
    found = portability("news/1049001_??????????????????.md", "news/a|b|c:d.md",
                        "news/fine.md")
    assert found == [
        ("news/1049001_??????????????????.md", "file name: '?' (U+003F) at positions 9, 10, "
         "11, 12, 13 and 13 more: Windows forbids it in names"),
        ("news/a|b|c:d.md", "file name: '|' (U+007C) at positions 2, 4: Windows forbids it "
         "in names"),
        ("news/a|b|c:d.md", "file name: ':' (U+003A) at position 6: Windows forbids it in "
         "names"),
    ]
    five = portability("news/?a?b?c?d?.md")
    assert five == [("news/?a?b?c?d?.md", "file name: '?' (U+003F) at positions 1, 3, 5, 7, "
                     "9: Windows forbids it in names")]


def test_a_names_problems_come_in_the_order_of_the_positions_they_name() -> None:
    # All at 1:1, they came sorted by message: here ':' at 10, '?' at 8, '\\' at 6, then
    # the bytes at 1 (oped2: "'|' at position 13" after "':' at position 33"). What
    # concerns the whole name comes first, its end last.
    latin1 = os.fsdecode(b"\xe9t\xe9")
    odd, reserved = f"news/{latin1} a\\b?c:d.", "news/nul.x?y.md"
    assert portability(odd, reserved) == [
        (reserved, "file name: 'nul' is a name Windows reserves for a device"),
        (reserved, "file name: '?' (U+003F) at position 6: Windows forbids it in names"),
        (odd, "file name: bytes that are not UTF-8 (0xE9) at positions 1, 3: macOS refuses "
         "the name, Git for Windows cannot check it out"),
        (odd, "file name: '\\\\' (U+005C) at position 6: Windows forbids it in names"),
        (odd, "file name: '?' (U+003F) at position 8: Windows forbids it in names"),
        (odd, "file name: ':' (U+003A) at position 10: Windows forbids it in names"),
        (odd, "file name: ends with a dot: Windows drops it"),
    ]


def test_characters_windows_accepts_are_not_reported() -> None:
    # Full-width forms, CJK punctuation, spaces inside, percent-escapes, emoji.
    assert portability("news/美国波特兰示威：特朗普｜BBC？＊＂.md", "news/a %0A b.md",
                       "news/🙂 (1).md", "news/[x] {y} #z.md") == []


def test_trailing_dot_and_space_of_a_folder_are_reported_once() -> None:
    found = portability("feed./a.md", "feed./b.md", "other /c.md")
    assert found == [
        ("feed./a.md", "folder name 'feed.': ends with a dot: Windows drops it"),
        ("other /c.md", "folder name 'other ': ends with a space: Windows drops it"),
    ]


@pytest.mark.parametrize("name", ["con.md", "NUL.md", "com1.txt.md", "Lpt9.md", "lpt¹.md",
                                  "aux"])
def test_reserved_device_names(name: str) -> None:
    [(path, message)] = portability(f"a/{name}")
    assert path == f"a/{name}"
    assert "is a name Windows reserves for a device" in message


@pytest.mark.parametrize("name", ["console.md", "icon.md", "con-game.md", "com10.md", "nully.md"])
def test_names_that_only_look_reserved(name: str) -> None:
    assert portability(f"a/{name}") == []


def test_name_length_in_bytes() -> None:
    long_name = "字" * 84 + ".md"  # 255 bytes: the limit itself is fine
    longer = "字" * 85 + ".md"  # 258
    found = portability(f"a/{long_name}", f"a/{longer}")
    assert found == [(f"a/{longer}", "file name: 258 bytes long in UTF-8, over "
                                     "max-name-bytes (255)")]
    assert len(portability(f"a/{'x' * 150}.md", **{"max-name-bytes": 143})) == 1


def test_name_length_counts_a_byte_that_is_no_utf8_as_one_byte() -> None:
    # A name's byte that is no UTF-8 reaches the rule as a lone surrogate (os.fsdecode):
    # one byte on disk, not the three of an encoded surrogate.
    fits = os.fsdecode(b"x" * 250 + b"\xff.md")  # 254 bytes
    over = os.fsdecode(b"x" * 251 + b"\xff\xfe.md")  # 256 bytes
    found = portability(f"a/{fits}", f"a/{over}", **{"max-path-length": 0})
    assert [problem for problem in found if "long in UTF-8" in problem[1]] == [
        (f"a/{over}", "file name: 256 bytes long in UTF-8, over max-name-bytes (255)")]
    # A lone surrogate of another kind (a name given to the library) counts as encoded.
    assert portability("a/" + "x" * 250 + "\ud800.md", **{"max-path-length": 0}) == [
        ("a/" + "x" * 250 + "\ud800.md", "file name: 256 bytes long in UTF-8, over "
                                         "max-name-bytes (255)")]


def test_a_name_whose_bytes_are_not_utf8() -> None:
    # A title saved in a legacy encoding (GBK, Latin-1): macOS refuses such a name, Git
    # for Windows cannot check it out. Each byte named once, with where it stands.
    latin1 = os.fsdecode("Café crème.md".encode("latin-1"))
    gbk = os.fsdecode("新闻".encode("gbk") + b".md")
    folder = os.fsdecode(b"caf\xe9")
    found = portability(f"news/{latin1}", f"news/{gbk}", f"{folder}/a.md", "news/café.md")
    assert found == [
        (f"{folder}/a.md", "folder name 'caf\\udce9': bytes that are not UTF-8 (0xE9) at "
         "position 4: macOS refuses the name, Git for Windows cannot check it out"),
        (f"news/{latin1}", "file name: bytes that are not UTF-8 (0xE9 0xE8) at positions 4, "
         "8: macOS refuses the name, Git for Windows cannot check it out"),
        (f"news/{gbk}", "file name: bytes that are not UTF-8 (0xD0 0xC2 0xCE 0xC5) at "
         "positions 1, 2, 3, 4: macOS refuses the name, Git for Windows cannot check it out"),
    ]


def test_path_length_counts_utf16_units_and_can_be_turned_off() -> None:
    path = "a/" + "𝄞" * 50 + ".md"  # 50 code points, 100 UTF-16 units
    [(_, message)] = portability(path, **{"max-path-length": 90})
    assert "path is 105 characters long (UTF-16)" in message
    assert portability(path, **{"max-path-length": 0}) == []


def test_names_that_differ_only_in_case() -> None:
    found = portability("news/Report.md", "news/report.md", "news/other.md")
    assert found == [("news/report.md", "file name 'report.md' and 'Report.md' differ only in "
                      "case: a case-insensitive file system (macOS, Windows) keeps only one "
                      "— collides with news/Report.md")]


def test_names_that_differ_only_in_unicode_normalisation() -> None:
    composed, decomposed = "caf\u00e9.md", "cafe\u0301.md"
    [(path, message)] = portability(f"n/{composed}", f"n/{decomposed}")
    assert path == f"n/{composed}"  # sorted: the decomposed one comes first
    # The two names print alike: each says its form. NTFS does not normalise names.
    assert message == (f"file name {composed!r} (NFC) and {decomposed!r} (NFD) are the same "
                       "after Unicode normalisation: a normalising file system (macOS) keeps "
                       f"only one — collides with n/{decomposed}")


def test_folders_that_differ_only_in_case_are_one_problem() -> None:
    found = portability("BBC/a.md", "BBC/b.md", "bbc/c.md", "bbc/d.md")
    assert found == [("bbc/c.md", "folder name 'bbc' and 'BBC' differ only in case: a "
                      "case-insensitive file system (macOS, Windows) keeps only one — "
                      "collides with BBC/a.md")]


# -- duplicate-clipping ------------------------------------------------------------------------

ARTICLE = ("<p>The harbour reopened on Monday after three weeks of repairs, the port "
           "authority said.</p><p>Ships waiting offshore began to unload cargo within hours. "
           "Dock workers, who had been sent home, returned to work.</p>")


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://news.example.com/a/1", "https://news.example.com/a/1"),
    ("HTTP://News.Example.COM:80/a/1/", "https://news.example.com/a/1"),
    ("https://news.example.com:443/a/1#comments", "https://news.example.com/a/1"),
    ("https://news.example.com:8443/a/1", "https://news.example.com:8443/a/1"),
    ("https://x.org/a?utm_source=rss&b=2&a=1&fbclid=x&UTM_Medium=y", "https://x.org/a?a=1&b=2"),
    ("https://x.org/%E5%9B%9E%E9%A1%BE", "https://x.org/%E5%9B%9E%E9%A1%BE"),
    ("https://x.org/%25E5%259B%259E%25E9%25A1%25BE", "https://x.org/%E5%9B%9E%E9%A1%BE"),
    ("https://x.org/回顾", "https://x.org/%E5%9B%9E%E9%A1%BE"),
    ("https://www.youtube.com/watch?v=abc", "https://www.youtube.com/watch?v=abc"),
    ("https://news.example.com/", None),
    ("https://news.example.com/?utm_source=x", None),
    ("ftp://x.org/a", None),
    ("https:///a", None),
    ("https://x.org:99999/a", None),
])
def test_canonical_url(url: str, canonical: str | None) -> None:
    assert canonical_url(url) == canonical


def test_canonical_url_drops_configured_parameters() -> None:
    assert canonical_url("https://medium.com/p/1?source=rss-85307064eb48------2",
                         ["source"]) == "https://medium.com/p/1"


def test_title_normalisation_and_numbers() -> None:
    assert normal_title("港民主派 &amp; 中联办: \\[初选\\]") == normal_title("港民主派&中联办：[初选]")
    assert normal_title(" \\* ") is None
    assert title_numbers("誰當選？（上） feat. 第２期 episode 12") == "(上) 2 12"
    assert title_numbers("【二】x") == "【二】"


def duplicates(texts: dict[str, str], **options: object) -> list[tuple[str, str]]:
    config = {"rules": {"duplicate-clipping": options}} if options else None
    return [(p.path, full_message(p))
            for p in lint_archive(texts, config, select=["duplicate-clipping"])]


def test_kinds_option_leaves_out_the_kinds_not_chosen() -> None:
    texts = {"a/1_x.md": clipping(url="https://x.org/1", body=ARTICLE),
             "a/1_y.md": clipping(url="https://x.org/2", body="<p>Other.</p>", stamp=1594000000001),
             "b.md": clipping(url="https://x.org/1", body="<p>Else.</p>", stamp=1594000000002)}
    assert [path for path, _ in duplicates(texts)] == ["a/1_y.md", "b.md"]
    assert [path for path, _ in duplicates(texts, kinds=["id"])] == ["a/1_y.md"]
    assert [path for path, _ in duplicates(texts, kinds=["url"])] == ["b.md"]
    assert duplicates(texts, kinds=[]) == []


def test_near_similarity_threshold() -> None:
    more = ARTICLE + "<p>A new paragraph was added to this copy, with two clauses.</p>"
    texts = {"a.md": clipping(url="https://x.org/1", body=ARTICLE),
             "b.md": clipping(url="https://x.org/2", body=more, stamp=1594000000001)}
    [(path, message)] = duplicates(texts)
    assert path == "b.md" and "nearly the same body (similarity 0.75) under the same title" in message
    assert duplicates(texts, **{"near-similarity": 0.8}) == []


def test_titles_must_agree_for_a_body_match() -> None:
    texts = {"a.md": clipping(title="Harbour reopens", url="https://x.org/1", body=ARTICLE),
             "b.md": clipping(title="Storm hits the coast", url="https://x.org/2", body=ARTICLE,
                              stamp=1594000000001),
             "c.md": clipping(title="Harbour reopens!", url="https://x.org/3", body=ARTICLE,
                              stamp=1594000000002)}
    assert duplicates(texts) == [("c.md", "same body under the same title — duplicate of a.md")]
    assert duplicates(texts, **{"title-similarity": 1.0}) == [
        ("c.md", "same body under the same title — duplicate of a.md")]


def test_short_bodies_are_not_compared() -> None:
    texts = {"a.md": clipping(url="https://x.org/1", body="<p>Live now.</p>"),
             "b.md": clipping(url="https://x.org/2", body="<p>Live now.</p>")}
    assert duplicates(texts) == []
    assert len(duplicates(texts, **{"min-body-length": 5})) == 1


def test_id_pattern_option() -> None:
    texts = {"a/2020-01-01-x.md": clipping(url="https://x.org/1"),
             "a/2020-01-01-y.md": clipping(url="https://x.org/2", stamp=1594000000001)}
    assert duplicates(texts) == []  # a date is no numeric id
    [(path, message)] = duplicates(texts, **{"id-pattern": r"^(\d{4}-\d\d-\d\d)-"})
    assert path == "a/2020-01-01-y.md" and "same numeric id" in message


def test_unreadable_and_titleless_clippings_take_no_part() -> None:
    texts = {"a.md": "no clipping at all\n", "b.md": "", "c.md": clipping(url="https://x.org/1")}
    assert duplicates(texts) == []


# -- no quadratic work -----------------------------------------------------------------------


@pytest.fixture
def comparisons(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the similarity measurements the join makes."""
    count = [0]
    measure = _similarity.jaccard

    def counted(first: frozenset[object], second: frozenset[object]) -> float:
        count[0] += 1
        return measure(first, second)

    monkeypatch.setattr(_similarity, "jaccard", counted)
    return count


def _near_copies(n: int) -> dict[str, str]:
    """n clippings under one title whose bodies are one template plus a line of their
    own: every pair is a near match."""
    return {f"live/{i:05}.md": clipping(title="城寨 Singjai is live", url=f"https://y.tube/{i}",
                                        body=f"{ARTICLE}<p>Episode tag {i:05}</p>",
                                        stamp=1594000000000 + i) for i in range(n)}


def test_near_copies_cost_linear_work(comparisons: list[int]) -> None:
    counts = []
    for n in (100, 200):
        comparisons[0] = 0
        found = duplicates(_near_copies(n))
        assert len(found) == n - 1
        counts.append(comparisons[0])
    assert counts[1] <= 2 * counts[0] + 10, counts  # pairwise would be 4x


def test_template_bodies_and_numbered_titles_are_not_compared(comparisons: list[int]) -> None:
    template = {f"v/{i:05}.md": clipping(title=f"Daily briefing, episode {i}",
                                         url=f"https://y.tube/{i}", body=ARTICLE,
                                         stamp=1594000000000 + i) for i in range(300)}
    assert duplicates(template) == []
    assert comparisons[0] == 0


def test_thousands_of_copies_of_one_url() -> None:
    copies = {f"c/{i:05}.md": clipping(url="https://x.org/1", stamp=1594000000000 + i)
              for i in range(3000)}
    found = duplicates(copies)
    assert len(found) == 2999
    assert all(message == "same article URL — duplicate of c/00000.md" for _, message in found)


# -- focus: a run on some files of an archive --------------------------------------------------


def test_focus_changes_no_problem_about_the_focused_files() -> None:
    """Given some files, rules skip work for the rest (ArchiveEntry.focus); the problems
    about the given files, or naming them, are those of a whole run."""
    from cliplint.archive import ArchiveFile, archive_rules, reduce_archive
    from cliplint.document import Document
    from cliplint.linter import archive_records, library_settings

    texts = {
        "a/1_x.md": clipping(url="https://x.org/1", body=ARTICLE),
        "a/1_y.md": clipping(url="https://x.org/2", stamp=1594000000001),
        "a/c.md": clipping(url="https://x.org/1", stamp=1594000000002),
        "a/d.md": clipping(title="Other", url="https://x.org/9", body=ARTICLE),
        "a/e.md": clipping(title="Other", url="https://x.org/10", body=ARTICLE, stamp=1),
        "b/Q.md": clipping(url="https://x.org/20"), "b/q.md": clipping(url="https://x.org/21"),
        "B/x.md": clipping(url="https://x.org/22"), "c?/z.md": clipping(url="https://x.org/23"),
        "c?/w|.md": clipping(url="https://x.org/24"),
    }
    rules, settings = library_settings({"rules": {"duplicate-clipping": {"templates": True}}},
                                       None)
    files = [ArchiveFile(path, path, archive_records(Document.from_text(text, path), rules,
                                                    settings, path=path)[0])
             for path, text in texts.items()]
    chosen = archive_rules(rules, settings)
    everything = reduce_archive(files, chosen, settings, "/archive")
    assert {p.rule for p in everything} == {"duplicate-clipping", "path-portability"}
    for given in (["a/c.md"], ["a/e.md"], ["b/q.md"], ["c?/w|.md"], ["a/1_y.md", "B/x.md"]):
        focus = frozenset(given)
        expected = [p for p in everything
                    if p.path in focus or any(item.path in focus for item in p.related)]
        assert reduce_archive(files, chosen, settings, "/archive", focus) == expected, given
        assert expected, given


def test_a_reduce_step_gets_each_file_s_record_focus_and_link() -> None:
    """The entries an archive rule's reduce step is given: each file of the archive once,
    in the order given, with its record for that rule, whether it is in focus, and the
    file it is a symlink to."""
    from cliplint.archive import ArchiveFile, reduce_archive
    from cliplint.linter import library_settings
    from cliplint.rule_io import ArchiveEntry

    rules, settings = library_settings(None, None)
    seen: dict[str, list[ArchiveEntry]] = {}

    def capture(rule_id: str) -> Any:
        def reduce(entries: list[ArchiveEntry], options: Any) -> Iterator[Any]:
            seen[rule_id] = list(entries)
            yield from ()
        return reduce

    chosen = [rules[rule_id]._replace(reduce=capture(rule_id))
              for rule_id in ("duplicate-clipping", "path-portability")]
    files = [ArchiveFile(f"shown/{name}", name, {"duplicate-clipping": f"record of {name}"})
             for name in ("b.md", "a.md", "latest.md")]
    reduce_archive(files, chosen, settings, "/archive", frozenset({"a.md", "latest.md"}),
                   links={"latest.md": "b.md"})
    assert seen == {
        "duplicate-clipping": [ArchiveEntry("b.md", "record of b.md", False, None),
                               ArchiveEntry("a.md", "record of a.md", True, None),
                               ArchiveEntry("latest.md", "record of latest.md", True, "b.md")],
        "path-portability": [ArchiveEntry("b.md", None, False, None),
                             ArchiveEntry("a.md", None, True, None),
                             ArchiveEntry("latest.md", None, True, "b.md")]}
    reduce_archive(files, chosen, settings, "/archive")  # the whole archive: all in focus
    assert [entry.focus for entry in seen["path-portability"]] == [True, True, True]
    assert all(type(entry) is ArchiveEntry for entry in seen["duplicate-clipping"])


# -- how bodies are compared ---------------------------------------------------------------------


def _sentences(count: int, start: int = 0) -> list[str]:
    return [f"Sentence number {n} says something of its own about the harbour."
            for n in range(start, start + count)]


def test_long_bodies_are_compared_on_both_sketches_together() -> None:
    """Two bodies of 150 and 145 clauses (one holds the other: similarity 0.967) are
    compared on the 64 lowest hashes of both sketches: at least 59 of those 64 are shared.
    Comparing the two sketches as sets would say (64 - a) / (64 + a), about 0.91."""
    full = _sentences(150)
    texts = {"a.md": clipping(url="https://x.org/1", body="<p>" + " ".join(full) + "</p>"),
             "b.md": clipping(url="https://x.org/2", body="<p>" + " ".join(full[5:]) + "</p>",
                              stamp=1594000000001)}
    [(_, message)] = duplicates(texts)
    similarity = float(message.split("similarity ")[1].split(")")[0])
    assert 0.92 <= similarity < 1.0, message


def test_a_sketch_holds_the_lowest_crcs_of_the_clauses() -> None:
    """The sketch packs the CRC-32 of each distinct clause (the text between breaks and
    line ends, spacing folded as str.split folds it, in UTF-8, a lone surrogate as
    surrogatepass writes it), lowest first, the SKETCH_SIZE lowest; a text of breaks
    alone has no clause, and its sketch no hash (not that of an empty one)."""
    spaces = [" ", "  ", "\t", "\u3000", "\xa0", "\u2028", "\x1c", "\x85", "\r"]
    pieces = [f"clause{spaces[n % len(spaces)]}{n} Ü 中文{spaces[n // 7 % len(spaces)]}"
              for n in range(100)] + ["lone \ud800 surrogate"]
    text = "".join(piece + ".!?;,:。！？；，、：…\n"[n % 12] + spaces[n % 5]
                   for n, piece in enumerate(pieces * 2))
    clauses = {" ".join(clause.split()) for clause in re.findall(r"[^\n.!?;,:。！？；，、：…]+", text)}
    clauses.discard("")
    assert len(clauses) == len(pieces)
    expected = sorted(zlib.crc32(clause.encode("utf-8", "surrogatepass")) for clause in clauses)
    packed = array("I")
    sketch = duplicate_clipping._sketch(duplicate_clipping._folded_lines(text))
    packed.frombytes(binascii.a2b_base64(sketch))
    assert list(packed) == expected[:duplicate_clipping.SKETCH_SIZE]
    assert duplicate_clipping._sketch(duplicate_clipping._folded_lines("... ,\n 。 \u2028")) == ""


def test_a_body_is_hashed_on_its_words() -> None:
    """A record's body hash and length are those of the visible text's words (case
    folded) joined by single spaces, however the text is spaced across lines."""
    from cliplint.digests import blake2b
    from cliplint.document import Document

    body = "<p>\u3000One  Two\t</p>\n\n<div>\xa0three <b>FOUR</b></div><p> </p>\u2028five"
    document = Document.from_text(clipping(url="https://x.org/1", body=body))
    options = {"ignore-query-parameters": []}
    record = duplicate_clipping.record(document, options)
    words = "one two three four five"
    assert record["length"] == len(words)
    assert record["body"] == blake2b(words.encode(), digest_size=12).hexdigest()


def test_part_marks_make_two_titles() -> None:
    body = "<p>" + " ".join(_sentences(6)) + "</p>"
    for first, second in (("寻衅滋事（一）", "寻衅滋事（二）"), ("两岸发展？(上)", "两岸发展？(下)"),
                          ("两岸发展？(上)", "两岸发展？"), ("Episode 12", "Episode 13")):
        texts = {"a.md": clipping(title="不正确的历史记忆那些" + first, url="https://x.org/1",
                                  body=body),
                 "b.md": clipping(title="不正确的历史记忆那些" + second, url="https://x.org/2",
                                  body=body, stamp=1594000000001)}
        assert duplicates(texts) == [], (first, second)


def test_line_breaks_and_element_edges_end_clauses() -> None:
    lines = [f"line {n} of a plain text description without any punctuation"
             for n in range(20)]
    changed = [*lines[:-1], "a last line that was rewritten from start to end"]
    texts = {"a.md": clipping(url="https://x.org/1", body="<br>".join(lines)),
             "b.md": clipping(url="https://x.org/2", body="<br>\n".join(changed),
                              stamp=1594000000001)}
    [(_, message)] = duplicates(texts)
    assert "nearly the same body (similarity 0.90)" in message
    spaced = {"a.md": clipping(url="https://x.org/1", body="<p>" + "</p><p>".join(lines) + "</p>"),
              "b.md": clipping(url="https://x.org/2", body="<p>" + "</p>\n   <p>".join(lines)
                               + "</p>", stamp=1594000000001)}
    assert duplicates(spaced) == [("b.md", "same body under the same title — duplicate of a.md")]


# -- ids that are dates, numbers written as words, links shared by a feed -----------------


def _two(first: str, second: str, **parts: tuple[str, str]) -> dict[str, str]:
    """Two clippings at these paths, other in every way (title, URL, body) but ``parts``."""
    titles = parts.get("title", ("Bridge closed for repairs", "Council passes the budget"))
    urls = parts.get("url", ("https://x.org/bridge", "https://x.org/budget"))
    bodies = parts.get("body", ("<p>" + " ".join(_sentences(6)) + "</p>",
                                "<p>" + " ".join(_sentences(6, 100)) + "</p>"))
    return {first: clipping(title=titles[0], url=urls[0], body=bodies[0]),
            second: clipping(title=titles[1], url=urls[1], body=bodies[1], stamp=1594000000001)}


#: One title for two clippings (that agrees): what makes two files of one numeric id one
#: article, so that a test of dates in names tells an id from a date.
BRIEFING_TITLES = ("Morning briefing", "Morning briefing")


@pytest.mark.parametrize(("first", "second"), [
    ("a/20240305_bridge.md", "a/20240305_budget.md"),
    ("a/2024_03_05_bridge.md", "a/2024_04_11_budget.md"),
    ("a/2024_3_5_bridge.md", "a/2024_12_31_budget.md"),
    ("a/2024_02_29_bridge.md", "a/2024_02_29_budget.md"),  # a leap day
    ("a/2024030509_bridge.md", "a/2024030509_budget.md"),  # HH
    ("a/202403051230_bridge.md", "a/202403051230_budget.md"),  # HHMM
    ("a/20240305123045_bridge.md", "a/20240305123045_budget.md"),  # HHMMSS
])
def test_a_date_at_the_start_of_a_name_is_no_id(first: str, second: str) -> None:
    # Two issues of a daily briefing, under one title: a date is no article's id.
    assert duplicates(_two(first, second, title=BRIEFING_TITLES)) == []


@pytest.mark.parametrize(("first", "second"), [
    ("a/398145_bridge.md", "a/398145_budget.md"),  # oped2's post ids
    ("a/1048441_bridge.md", "a/1048441_budget.md"),
    ("a/20240230_bridge.md", "a/20240230_budget.md"),  # no such day
    ("a/20241305_bridge.md", "a/20241305_budget.md"),  # no such month
    ("a/2023_02_29_bridge.md", "a/2023_02_29_budget.md"),  # 2023 is no leap year
    ("a/1850_03_05_bridge.md", "a/1850_03_05_budget.md"),  # not a year of 1900-2099
    ("a/2024_bridge.md", "a/2024_budget.md"),  # a year without a month and a day
    ("a/2024_10_123_bridge.md", "a/2024_10_123_budget.md"),  # 123 is no day
    ("a/202403052530_bridge.md", "a/202403052530_budget.md"),  # no 25th hour
    ("a/2024030525_bridge.md", "a/2024030525_budget.md"),  # no 25th hour (HH)
])
def test_a_number_that_is_no_date_is_still_an_id(first: str, second: str) -> None:
    [(path, message)] = duplicates(_two(first, second, title=BRIEFING_TITLES))
    assert path == second and message.startswith("same numeric id in the file name")


def test_a_date_captured_by_the_id_pattern_is_no_id() -> None:
    texts = _two("a/2024-03-05-bridge.md", "a/2024-03-05-budget.md", title=BRIEFING_TITLES)
    assert duplicates(texts, **{"id-pattern": r"^(\d+)-"}) == []
    assert len(duplicates(_two("a/2024-bridge.md", "a/2024-budget.md", title=BRIEFING_TITLES),
                          **{"id-pattern": r"^(\d+)-"})) == 1


@pytest.mark.parametrize(("first", "second"), [
    ("content/posts/2023/06/14_bridge.md", "content/posts/2023/06/14_budget.md"),  # a day
    ("clips/2020-07-01/0930_bridge.md", "clips/2020-07-01/0930_budget.md"),  # HHMM
    ("a/398145_bridge.md", "a/398145_budget.md"),  # a post id, but two articles
])
def test_a_number_shared_by_clippings_with_nothing_else_in_common_is_no_id(
        first: str, second: str) -> None:
    # Found by a stress test on a Hugo-shaped archive: a day of the month (or a time of
    # day) at the start of two articles' names made them "same numeric id".
    assert duplicates(_two(first, second)) == []


HUGO = "content/posts/2023/06"


def test_a_copy_beside_a_shared_number_names_its_own_original_to_keep() -> None:
    # The groups merged through the day number: the budget's copy named the bridge file
    # as the one to keep, and a script deleting every reported copy lost the budget.
    texts = _two(f"{HUGO}/14_bridge.md", f"{HUGO}/14_budget.md")
    texts["archive/budget.md"] = texts[f"{HUGO}/14_budget.md"].replace(
        "<!--1594000000001-->", "<!--1594000000002-->")
    assert duplicates(texts) == [
        ("archive/budget.md", f"same article URL — duplicate of {HUGO}/14_budget.md")]


@pytest.mark.parametrize("parts", [
    # oped2's 398507: retitled, the URL's slug with it, the same body.
    {"body": (ARTICLE, ARTICLE)},
    # Retitled, a paragraph added: nearly the same body.
    {"body": ("<p>" + " ".join(_sentences(20)) + "</p>",
              "<p>" + " ".join(_sentences(22)) + "</p>")},
    # A tag added to the title: titles that agree.
    {"title": ("多米诺效应｜不寒而栗：查无此人", "【昨日重现】多米诺效应｜不寒而栗：查无此人")},
    # oped2's 400807: the post's text replaced by its source's, retitled, under the
    # post's one URL.
    {"url": ("https://x.org/2020/06/400807", "https://x.org/2020/06/400807")},
])
def test_a_retitled_article_under_its_id_is_still_a_duplicate(
        parts: dict[str, tuple[str, str]]) -> None:
    texts = _two("a/398507_first.md", "a/398507_second.md", **parts)
    assert duplicates(texts, kinds=["id"]) == [
        ("a/398507_second.md", "same numeric id in the file name — duplicate of "
         "a/398507_first.md")]


def test_a_feed_s_page_is_nothing_in_common_for_a_shared_number() -> None:
    # Every item of a feed linked to its section page (three titles: a feed's page), two
    # of them on the 14th: the page and the day say nothing of one article.
    section = ("https://x.org/news", "https://x.org/news")
    texts = _two(f"{HUGO}/14_bridge.md", f"{HUGO}/14_budget.md", url=section)
    texts[f"{HUGO}/15_ferry.md"] = clipping(title="Ferry strike ends", url=section[0],
                                            body="<p>Ferries run again.</p>")
    assert duplicates(texts) == []
    del texts[f"{HUGO}/15_ferry.md"]  # a page of two titles is an article's
    assert [path for path, _ in duplicates(texts)] == [f"{HUGO}/14_budget.md"]


def test_a_timestamp_in_seconds_is_read_as_seconds_for_the_copy_to_keep() -> None:
    # 30 June 2020 in seconds was read as milliseconds (19 January 1970): the copy of
    # 24 June was reported, and after timestamp-comment's fix (000 appended) the other.
    texts = {"a/x.md": clipping(stamp=1593500000), "b/x.md": clipping(stamp=1593000000000)}
    assert duplicates(texts) == [("a/x.md", "same article URL — duplicate of b/x.md")]
    # Spaces inside the comment, which timestamp-comment's fix removes, are read through.
    texts["b/x.md"] = texts["b/x.md"].replace("<!--1593000000000-->", "<!-- 1593000000000 -->")
    assert duplicates(texts) == [("a/x.md", "same article URL — duplicate of b/x.md")]


@pytest.mark.parametrize(("title", "numbers"), [
    ("The valley runs dry: Part One", "1"),
    ("The valley runs dry, Part 1", "1"),
    ("The valley runs dry, part TWO", "2"),
    ("The first episode", "1"),
    ("Second Episode: the twentieth day", "2"),  # only a word that numbers a part
    ("Part II", "2"),
    ("Chapter XII, and XX", "12"),
    ("The valley runs dry, Part I", "1"),
    ("Vol. V of IV", "5"),
    ("No. X", "10"),
    ("Why I left, and what I found", ""),  # the pronoun
    ("My counterpart I met", ""),  # whole words: no "part" here
    ("Xi meets the mayor on X", ""),  # no numerals: not upper case, no word before
    ("Someone stone-faced, oneself", ""),  # whole words only
    ("twenty-first", ""),
    # Found by review: words that number nothing made copies of one article disagree.
    ("First look: Apple Vision Pro 2", "2"),
    ("Apple Vision Pro 2: a first look", "2"),
    ("Fed holds rates in 2024 for a second time", "2024"),
    ("XI JINPING MEETS BIDEN IN SAN FRANCISCO", ""),
    ("Queen Elizabeth II dies at 96", "96"),
    ("Nurses say IV drip shortage worsens", ""),
])
def test_number_words_and_roman_numerals_are_numbers(title: str, numbers: str) -> None:
    assert title_numbers(title) == numbers


@pytest.mark.parametrize(("first", "second", "same"), [
    ("The valley runs dry: Part One", "The valley runs dry: Part Two", False),
    ("The valley runs dry, Part I", "The valley runs dry, Part II", False),
    ("The valley runs dry, first episode", "The valley runs dry, second episode", False),
    ("The valley runs dry, Part III", "The valley runs dry, Part IV", False),
    ("The valley runs dry: Part One", "The valley runs dry, Part 1", True),
    ("The valley runs dry: Part One", "The valley runs dry, Part I", True),
    ("Why I left the valey, part two", "Why I left the valley, Part 2", True),
])
def test_titles_with_other_number_words_disagree(first: str, second: str, same: bool) -> None:
    body = "<p>" + " ".join(_sentences(6)) + "</p>"
    texts = _two("a.md", "b.md", title=(first, second), body=(body, body))
    assert len(duplicates(texts)) == same, (first, second)


LIVE = "https://news.example.org/live/election-2024"


@pytest.mark.parametrize("urls", [
    (f"{LIVE}#block-1000", f"{LIVE}#block-1001"),  # a live blog's entries
    ("https://www.example-town.gov/news/", "https://www.example-town.gov/news/"),  # a feed's
])
def test_a_shared_link_alone_is_no_duplicate(urls: tuple[str, str]) -> None:
    assert duplicates(_two("a.md", "b.md", url=urls)) == []


@pytest.mark.parametrize("parts", [
    {"title": ("Daily tracker", "Daily tracker")},  # updated under one title
    {"title": ("Harbour reopens after repairs", "Harbour reopens after repair")},  # a typo
    {"body": (ARTICLE, ARTICLE)},  # retitled, the same body
    {"body": ("<p>" + " ".join(_sentences(20)) + "</p>",  # retitled, a paragraph added
              "<p>" + " ".join(_sentences(22)) + "</p>")},
])
def test_a_shared_link_with_agreeing_titles_or_bodies_is_a_duplicate(
        parts: dict[str, tuple[str, str]]) -> None:
    texts = _two("a.md", "b.md", url=("https://x.org/1", "https://x.org/1#top"), **parts)
    assert duplicates(texts, kinds=["url"]) == [("b.md", "same article URL — duplicate of a.md")]


def test_a_reference_in_the_title_url_is_read_as_markdown_reads_it() -> None:
    # "&amp;" in a link's URL is "&" (CommonMark decodes references there): one URL.
    texts = _two("a.md", "b.md", url=("https://x.org/a?id=12&amp;lang=en",
                                       "https://x.org/a?id=12&lang=en"),
                 title=("Daily tracker", "Daily tracker"))
    assert duplicates(texts, kinds=["url"]) == [("b.md", "same article URL — duplicate of a.md")]


def test_a_shared_link_without_titles_needs_agreeing_bodies() -> None:
    texts = _two("a.md", "b.md", url=("https://x.org/1", "https://x.org/1"), title=("", ""))
    assert duplicates(texts, kinds=["url"]) == []
    texts = _two("a.md", "b.md", url=("https://x.org/1", "https://x.org/1"), title=("", ""),
                 body=(ARTICLE, ARTICLE))
    assert duplicates(texts, kinds=["url"]) == [("b.md", "same article URL — duplicate of a.md")]


def test_a_page_linked_under_many_titles_shares_a_template_not_an_article() -> None:
    # A podcast feed links each episode to the show's page, with the show's description
    # as the body: three titles, one body, no duplicate (found by review: each episode was
    # "same article URL"). Two titles with one body stay a retitle (above).
    description = "<p>" + " ".join(_sentences(6)) + "</p>"
    texts = {f"e{number}.md": clipping(title=f"Episode {number}: {topic}", body=description,
                                       url="https://example.com/podcasts/harbour-hour",
                                       stamp=1594000000000 + number)
             for number, topic in ((12, "The lighthouse keepers"), (13, "Herring season"),
                                   (14, "A storm in March"))}
    assert duplicates(texts, kinds=["url"]) == []


def test_one_video_under_three_titles_is_one_video() -> None:
    # A channel retitled a video twice, scraped each time (NodeBE4/society, d3PNZPVBNpw):
    # three titles made the video's page a feed's, and its copies were not reported. A
    # link to one item (distinct-items) is no feed's page; other videos' pages stay apart.
    description = "<div>" + " ".join(_sentences(6)) + "</div>"
    video = "https://www.youtube.com/watch?v=d3PNZPVBNpw"
    texts = {f"{n}.md": clipping(title=title, body=description, url=video,
                                 stamp=1608861143000 + n)
             for n, title in enumerate(("Street stalls of Dongguan", "A day with migrant workers",
                                        "Selling under the summer sun"))}
    assert duplicates(texts, kinds=["url"]) == [
        ("1.md", "same article URL — duplicate of 0.md"),
        ("2.md", "same article URL — duplicate of 0.md")]
    # With the id too, a shared number and the video's page: still one video, reported once.
    numbered = {f"2020/400807_{name}": text for name, text in texts.items()}
    assert [path for path, _ in duplicates(numbered)] == ["2020/400807_1.md", "2020/400807_2.md"]
    # Its description rewritten each time: one number and the video's page still agree.
    rewritten = {path: text.replace(description, f"<div>{' '.join(_sentences(6, 10 * n))}</div>")
                 for n, (path, text) in enumerate(numbered.items())}
    assert [(path, message) for path, message in duplicates(rewritten)] == [
        ("2020/400807_1.md", "same numeric id in the file name — duplicate of 2020/400807_0.md"),
        ("2020/400807_2.md", "same numeric id in the file name — duplicate of 2020/400807_0.md")]
    # Three videos of a channel under its standard description: three videos.
    others = {f"{n}.md": clipping(title=title, body=description, stamp=1608861143000 + n,
                                  url=f"https://www.youtube.com/watch?v=video{n}")
              for n, title in enumerate(("One", "Two", "Three"))}
    assert duplicates(others) == []


def test_a_short_body_does_not_make_a_shared_link_a_duplicate() -> None:
    texts = _two("a.md", "b.md", url=("https://x.org/1", "https://x.org/1"),
                 body=("<p>Live now.</p>", "<p>Live now.</p>"))
    assert duplicates(texts, kinds=["url"]) == []
    assert len(duplicates(texts, kinds=["url"], **{"min-body-length": 5})) == 1


def test_a_feed_linking_every_item_to_one_page_costs_linear_work(
        comparisons: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """Titles and bodies of one link are grouped and joined, not compared pairwise (the
    similarity measurements of titles and of bodies counted)."""
    measure = duplicate_clipping._sketch_similarity

    def counted(first: frozenset[int], second: frozenset[int]) -> float:
        comparisons[0] += 1
        return measure(first, second)

    monkeypatch.setattr(duplicate_clipping, "_sketch_similarity", counted)
    counts = []
    for n in (150, 300):
        items = {f"f/{i:05}.md": clipping(title=f"Notice {i:05} from the {WORDS[i % 7]} desk",
                                          url="https://www.example-town.gov/news/",
                                          body="<p>" + " ".join(_sentences(6, 10 * i)) + "</p>",
                                          stamp=1594000000000 + i) for i in range(n)}
        comparisons[0] = 0
        assert duplicates(items) == []
        counts.append(comparisons[0])
    assert counts[1] <= 2 * counts[0] + 10, counts  # pairwise would be 4x


WORDS = ("harbour", "council", "school", "river", "market", "railway", "museum")


# -- the issues of a series: one template, different news ------------------------------------

_HOUR = 60 * 60 * 1000
_DAY = 24 * _HOUR
_MONDAY_6AM = 1709532000000  # 2024-03-04 06:00 UTC

_BRIEFING_TOP = ("<p>Good morning. Here is what you need to know before you start your day. "
                 "This newsletter is sent every weekday at 6 a.m.; forward it to a friend, "
                 "or reply to tell us what you think.</p><h2>Top stories</h2>")
_BRIEFING_END = ("<h2>Before you go</h2><p>That is all for today. See you tomorrow.</p>"
                 "<p>You are receiving this email because you subscribed to the Morning "
                 "Briefing. Unsubscribe at any time, or manage your preferences.</p>"
                 "<p>Example Media, 1 Main Street, Springfield. Copyright 2024 Example Media.</p>")
_STORIES = {
    "mon": ("The city council approved next year's budget by seven votes to two.",
            "The Main Street bridge will close for three weeks of repairs."),
    "tue": ("A storm knocked out power to 20,000 homes overnight.",
            "The school board elected a retired teacher as its new chair."),
    "wed": ("The museum reopened after a two-year renovation.",
            "The airport expansion was delayed by a year."),
    "thu": ("Bus fares rise by 10 cents from April.",
            "The harbour festival returns in June after a three-year break."),
    "fri": ("The library will open on Sundays from next month.",
            "A family bakery on Elm Street won the regional bread prize."),
}


def _briefing(day: str, end: str = _BRIEFING_END, more: str = "") -> str:
    stories = "".join(f"<li>{story}</li>" for story in _STORIES[day])
    return f"{_BRIEFING_TOP}<ul>{stories}</ul>{more}{end}"


def _briefings() -> dict[str, str]:
    """A week of a daily digest: one title, one template, two stories of its own each."""
    return {f"briefing/2024-03-0{4 + n}.md": clipping(
        title="Morning Briefing", url=f"https://news.example.org/newsletters/2024-03-0{4 + n}",
        body=_briefing(day), stamp=_MONDAY_6AM + n * _DAY) for n, day in enumerate(_STORIES)}


def test_the_issues_of_a_series_are_not_copies_of_each_other() -> None:
    series = _briefings()
    assert duplicates(series) == []
    # Two issues alone are as likely an article and its re-scrape: nearly the same.
    [(path, message)] = duplicates(dict(list(series.items())[:2]))
    assert path == "briefing/2024-03-05.md" and "nearly the same body (similarity 0.77)" in message


def test_a_copy_of_an_issue_of_a_series_is_still_a_duplicate() -> None:
    """Tuesday's issue clipped again on Saturday, from the newsletter's web archive
    (other URLs): once with its footer changed, once with a correction added."""
    texts = _briefings()
    web_end = _BRIEFING_END.replace("You are receiving this email", "View it in your browser. "
                                    "You were sent this email")
    texts["web/tuesday.md"] = clipping(
        title="Morning Briefing", url="https://news.example.org/archive/morning-briefing/tue",
        body=_briefing("tue", web_end), stamp=_MONDAY_6AM + 5 * _DAY + 3 * _HOUR)
    texts["web/tuesday-corrected.md"] = clipping(
        title="Morning Briefing", url="https://news.example.org/archive/morning-briefing/tue-2",
        body=_briefing("tue", more="<p>Correction: an earlier version of this newsletter "
                                   "misstated how many homes lost power.</p>"),
        stamp=_MONDAY_6AM + 5 * _DAY + 5 * _HOUR)
    assert duplicates(texts) == [
        ("web/tuesday-corrected.md", "nearly the same body (similarity 0.91) under the same "
                                     "title — duplicate of briefing/2024-03-05.md"),
        ("web/tuesday.md", "nearly the same body (similarity 0.86) under the same title — "
                           "duplicate of briefing/2024-03-05.md"),
    ]


_DISCLAIMER = (
    "<p><b>Forward-Looking Statements</b></p><p>This press release contains forward-looking "
    "statements within the meaning of the Private Securities Litigation Reform Act of 1995. "
    "Words such as anticipate, believe, estimate, expect, intend, may, plan, should and will "
    "identify forward-looking statements. These statements are based on current expectations "
    "and are subject to risks and uncertainties; actual results may differ materially. "
    "We undertake no obligation to update any forward-looking statement.</p>"
    "<p><b>About Acme Corp</b></p><p>Acme Corp is a leading maker of widgets. Founded in 1950, "
    "it employs 10,000 people in 40 countries. Its shares trade on the New York Stock "
    "Exchange under the symbol ACME.</p>")
_QUARTERS = (("2023/11/15", "Nov. 15, 2023", "0.24", "Dec. 15, 2023", "Dec. 1, 2023"),
             ("2024/02/15", "Feb. 15, 2024", "0.25", "March 15, 2024", "March 1, 2024"),
             ("2024/05/15", "May 15, 2024", "0.25", "June 14, 2024", "June 1, 2024"),
             ("2024/08/15", "Aug. 15, 2024", "0.27", "Sept. 13, 2024", "Sept. 3, 2024"))


def _release(date: str, dividend: str, paid: str, record: str,
             contact: str = "Investor contact: Jane Roe, investors@acme.example.") -> str:
    return (f"<p>NEW YORK, {date} — The Board of Directors of Acme Corp declared a quarterly "
            f"cash dividend of ${dividend} per share, payable on {paid} to shareholders of "
            f"record on {record}.</p>{_DISCLAIMER}<p>{contact}</p>")


def test_the_releases_of_a_company_under_one_title_are_not_copies() -> None:
    """A company's quarterly release, one title every quarter, and the third one carried
    by a second wire the same day: that one is a copy."""
    texts = {f"pr/acme-dividend-{path[:7].replace('/', '-')}.md": clipping(
        title="Acme Corp Declares Quarterly Dividend",
        url=f"https://www.globenewswire.example/news-release/{path}/acme-dividend.html",
        body=_release(date, dividend, paid, record),
        stamp=_MONDAY_6AM + n * 91 * _DAY) for n, (path, date, dividend, paid, record)
        in enumerate(_QUARTERS)}
    assert duplicates(texts) == []
    _, date, dividend, paid, record = _QUARTERS[2]
    texts["wire/acme-dividend.md"] = clipping(
        title="Acme Corp Declares Quarterly Dividend",
        url="https://www.businesswire.example/news/home/20240515005123/en/",
        body=_release(date, dividend, paid, record, "Contact: Acme Corp Investor Relations."),
        stamp=_MONDAY_6AM + 2 * 91 * _DAY + 2 * _HOUR)
    assert duplicates(texts) == [("wire/acme-dividend.md", "nearly the same body (similarity "
                                  "0.81) under the same title — duplicate of "
                                  "pr/acme-dividend-2024-05.md")]


def test_copies_published_together_are_judged_whole() -> None:
    """One article carried by three sites under one title within hours, each with a line
    of its own: the shared text is no series' template."""
    sites = ("www.sitea.example", "www.siteb.example", "www.sitec.example")
    texts = {f"{n}.md": clipping(title="Harbour reopens", url=f"https://{site}/news/harbour",
                                 body=f"{ARTICLE}<p>Copyright {site}, all rights reserved.</p>",
                                 stamp=_MONDAY_6AM + n * 3 * _HOUR)
             for n, site in enumerate(sites)}
    found = duplicates(texts)
    assert [path for path, _ in found] == ["1.md", "2.md"]
    assert all("nearly the same body" in message for _, message in found)


def test_copies_without_timestamps_are_no_series() -> None:
    """Three sites' copies of one article, none with a timestamp: nothing says they were
    published apart, so the article is no series' template."""
    sites = ("www.sitea.example", "www.siteb.example", "www.sitec.example")
    texts = {f"{n}.md": clipping(title="Harbour reopens", url=f"https://{site}/news/harbour",
                                 body=f"{ARTICLE}<p>Copyright {site}, all rights reserved.</p>",
                                 stamp=None)
             for n, site in enumerate(sites)}
    found = duplicates(texts)
    assert [path for path, _ in found] == ["1.md", "2.md"]
    assert all("nearly the same body" in message for _, message in found)


@pytest.mark.parametrize("same_url", [True, False])
def test_two_copies_days_apart_are_duplicates(same_url: bool) -> None:
    """An article and its re-scrape a week later (a footer changed, a paragraph added):
    two bodies are no series."""
    end = "<p>Follow us for more news from the harbour.</p>"
    for first, second in ((ARTICLE + end, ARTICLE + "<p>Read more from our port reporter.</p>"),
                          (ARTICLE, ARTICLE + "<p>A new paragraph was added to this copy.</p>")):
        texts = {"a.md": clipping(url="https://x.org/1", body=first),
                 "b.md": clipping(url="https://x.org/1" if same_url else "https://x.org/2",
                                  body=second, stamp=1594000000000 + 7 * _DAY)}
        [(path, message)] = duplicates(texts)
        assert path == "b.md"
        assert message.startswith("same article URL" if same_url else "nearly the same body")


def test_long_issues_of_a_series_are_told_apart_on_their_own_clauses() -> None:
    """Bodies of more than 64 clauses (their sketches keep the 64 lowest hashes): five
    weekly issues of a 100-sentence template with 12 sentences of their own, and a
    re-scrape of the third with 3 sentences added."""
    template = _sentences(100)

    def issue(n: int, extra: int = 0) -> str:
        own = [f"Issue {n} reports item {k} of the week." for k in range(12 + extra)]
        return "<p>" + " ".join(template[:50] + own + template[50:]) + "</p>"

    texts = {f"w/{n}.md": clipping(title="Weekly port report", url=f"https://x.org/w/{n}",
                                   body=issue(n), stamp=_MONDAY_6AM + 7 * n * _DAY)
             for n in range(5)}
    assert duplicates(texts) == []
    texts["copy.md"] = clipping(title="Weekly port report", url="https://x.org/w/copy",
                                body=issue(2, 3), stamp=_MONDAY_6AM + 30 * _DAY)
    [(path, message)] = duplicates(texts)
    assert path == "copy.md" and message.endswith("duplicate of w/2.md"), message


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the bodies' similarity measurements (sketches, and their own parts)."""
    count = [0]
    measure = duplicate_clipping.sketch_similarity

    def counted(first: frozenset[int], second: frozenset[int], size: int) -> float:
        count[0] += 1
        return measure(first, second, size)

    monkeypatch.setattr(duplicate_clipping, "sketch_similarity", counted)
    return count


def test_a_long_series_costs_linear_work(measured: list[int]) -> None:
    """A daily feed of hundreds of issues under one title: no pair of issues is measured
    when their own parts share nothing (pairwise would be n²/2)."""
    counts = []
    for n in (200, 400):
        measured[0] = 0
        texts = {f"d/{i:05}.md": clipping(
            title="Morning Briefing", url=f"https://x.org/d/{i}",
            body=f"{_BRIEFING_TOP}<ul><li>Story {i} of the day.</li><li>And story {i}b.</li>"
                 f"</ul>{_BRIEFING_END}", stamp=_MONDAY_6AM + i * _DAY) for i in range(n)}
        assert duplicates(texts) == []
        counts.append(measured[0])
    assert counts[1] <= 2 * counts[0] + 10, counts


def test_an_issue_s_news_without_its_template_is_not_nearly_the_same_body() -> None:
    """A teaser holding Tuesday's stories, and a line of its own, is not nearly the
    same body as Tuesday's issue: their own parts are one, the bodies are not."""
    texts = _briefings()
    stories = "".join(f"<p>{story}</p>" for story in _STORIES["tue"])
    texts["teaser.md"] = clipping(title="Morning Briefing", url="https://x.org/teaser",
                                  body=f"{stories}<p>Read the whole briefing on our site.</p>",
                                  stamp=_MONDAY_6AM + 6 * _DAY)
    assert duplicates(texts) == []


@pytest.mark.parametrize(("letters", "most"), [
    (60, 1800),  # a small alphabet, pairs recur: 880 bytes a title now, 5,400 before
    # Most pairs in one title only (as in Chinese titles): 1,200 now, 4,600 with those
    # pairs held, 6,700 with them indexed too.
    (20_000, 2400),
])
def test_the_title_join_holds_each_title_s_pairs_compactly(letters: int, most: int) -> None:
    """The join of titles holds every distinct title's pairs of characters until it ends:
    as tuples, each pair once however many titles hold it, not a frozenset of strings of
    its own per title (3 KB a title: 90 MB for 30,000 distinct titles); the pairs no
    other title holds are only counted. Counted with tracemalloc, not timed."""
    import random
    import tracemalloc

    rng = random.Random(37)
    alphabet = [chr(0x4E00 + n) for n in range(letters)]
    titles = sorted({"".join(rng.choice(alphabet) for _ in range(36)) for _ in range(2000)})
    clippings = [duplicate_clipping._Clipping(f"{n}.md", True, None, title, "", None, 0,
                                              None, None) for n, title in enumerate(titles)]
    duplicate_clipping._join_titles(clippings[:10], 0.7)  # (anything imported on first use)
    tracemalloc.start()
    try:
        similar = duplicate_clipping._join_titles(clippings, 0.7)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert similar == set()  # random titles: none alike (the join found nothing to hold)
    assert peak / len(titles) < most, peak / len(titles)  # bytes a title
