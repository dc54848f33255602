"""The document model: decoding, header parts and offset -> line/column."""

from __future__ import annotations

import pytest
from conftest import traced_lines
from hypothesis import example, given, settings, strategies as st

from cliplint.document import (
    Document,
    UnreadableFile,
    _front_matter_close,
    matching_bracket,
    matching_paren,
)


def test_positions_count_code_points_and_lines() -> None:
    document = Document.from_text("ab\n中文x\r\nlast")
    assert document.position(0) == (1, 1)
    assert document.position(3) == (2, 1)
    assert document.position(5) == (2, 3)  # after two CJK characters: column 3
    assert document.position(8) == (3, 1)  # CRLF is one line break
    assert document.line_text(2) == "中文x"
    assert document.newline() == "\n"
    assert Document.from_text("a\r\nb").newline() == "\r\n"


def test_bom_is_kept_aside_and_offsets_ignore_it() -> None:
    document = Document.from_bytes("\ufeff<!--1-->\n".encode())
    assert document.has_bom and document.text == "<!--1-->\n"
    assert document.header.timestamp is not None and document.header.timestamp.start == 0


@pytest.mark.parametrize("marks", [2, 3])
def test_a_bom_written_again_hides_no_part_of_the_header(marks: int) -> None:
    """U+FEFF after the BOM (a BOM written twice) is stepped over: the timestamp comment or
    the front matter is found after it, and nothing but invisible-characters reports it
    (it made a missing timestamp comment and a title that is no link, and --fix refused
    the file)."""
    from cliplint import lint_text

    clipping = "<!--1686778744000-->\n[T](https://example.com/a)\n------\n\n<p>Body text.</p>\n"
    for text in (clipping, "---\nlayout: post\n---\n" + clipping):
        document = Document.from_bytes(("\ufeff" * marks + text).encode())
        header = document.header
        assert document.has_bom and header.marks == (0, marks - 1)
        assert document.text[header.timestamp.start : header.timestamp.end] == "<!--1686778744000-->"
        assert document.text[header.title.start : header.title.end] == "[T](https://example.com/a)"
        if text.startswith("---"):
            assert document.text[header.front_matter.start : header.front_matter.end] \
                == "---\nlayout: post\n---"
        problems = lint_text("\ufeff" * marks + text)
        assert [(p.rule, p.line, p.column) for p in problems] == [("invisible-characters", 1, 1)]
        assert "a byte-order mark written again" in problems[0].message


@pytest.mark.parametrize(("marks", "findings"), [
    ("\u200b", 1),
    ("\u2060\u200b\u200b", 1),  # different zero-width characters that touch: one blob
    ("\u200d\ufeff", 2),  # a byte-order mark written again is said apart
])
def test_zero_width_characters_before_the_header_hide_no_part_of_it(marks: str,
                                                                    findings: int) -> None:
    """A zero-width space (or joiner...) before the timestamp comment hid it as a BOM
    written again did: the first line was taken for the title, invisible-characters said
    "in the title", and its safe fix was refused every time (the header guard saw the
    header change)."""
    from cliplint import fix_text, lint_text

    clipping = "<!--1686778744000-->\n[T](https://example.com/a)\n------\n\n<p>Body text.</p>\n"
    document = Document.from_text(marks + clipping)
    header = document.header
    assert header.marks == (0, len(marks))
    assert document.text[header.timestamp.start : header.timestamp.end] == "<!--1686778744000-->"
    problems = lint_text(marks + clipping)
    assert [(p.rule, p.line) for p in problems] == [("invisible-characters", 1)] * findings
    assert all("in the file's first characters" in p.message for p in problems)
    assert all(("byte-order mark" in p.message) == ("FEFF" in p.message) for p in problems)
    assert fix_text(marks + clipping).text == clipping


def test_a_bom_written_again_changes_nothing_a_rule_says_of_what_follows() -> None:
    """The stray U+FEFF is reported once, by invisible-characters, whatever follows it: a
    TOML front matter stays one (it was "4 blank lines", removed by a safe fix), a text
    with no header at all does not report it again as its body's."""
    from cliplint import fix_text, lint_text

    toml = "+++\ntitle = 'T'\ndate = 2020-07-01\n+++\n<!--1593561600000-->\n" \
           "[T](https://example.com/a)\n------\n\n<p>Body text.</p>\n"
    problems = lint_text("\ufeff\ufeff" + toml)
    assert [p.rule for p in problems] == ["invisible-characters", "timestamp-comment"]
    assert "a byte-order mark written again" in problems[0].message
    assert problems[1].message.startswith("TOML ('+++') front matter (lines 1-4)")
    fixed = fix_text("\ufeff\ufeff" + toml).text
    assert fixed == "\ufeff" + toml  # the mark deleted, the front matter kept
    bare = lint_text("\ufeff\ufeff\ufeffhello world, no header here\n",
                     select=["invisible-characters"])
    assert [(p.line, p.column, p.message.split(" in ")[0]) for p in bare] == [
        (1, 1, "zero-width character U+FEFF ZERO WIDTH NO-BREAK SPACE \u00d72")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a\x00b", "binary file (contains NUL bytes)"),
        (b"ok \xe9t\xe9", "not valid UTF-8: byte 0xe9 at offset 3"),
        # UTF-16 and UTF-32 (Notepad's "Unicode") named by their byte-order mark; NULs
        # inside their text, a mark without text of that encoding, or none: binary.
        ("\ufeff<!--1-->".encode("utf-16-le"), "UTF-16 text (byte-order mark FF FE), not "
         "UTF-8: convert it, e.g. with iconv -f UTF-16 -t UTF-8"),
        ("\ufeff<!--1-->".encode("utf-16-be"), "UTF-16 text (byte-order mark FE FF)"),
        ("\ufeff<!--1-->".encode("utf-32-le"), "UTF-32 text (byte-order mark FF FE 00 00)"),
        ("\ufeff<!--1-->".encode("utf-32-be"), "UTF-32 text (byte-order mark 00 00 FE FF)"),
        # CJK text in UTF-16 has no NUL byte: not UTF-8, named by its mark all the same.
        ("\ufeff\u65b0\u95fb\u5feb\u8baf".encode("utf-16-le"), "UTF-16 text (byte-order mark FF FE)"),
        ("\ufeff\u65b0\u95fb".encode("utf-16-be"), "UTF-16 text (byte-order mark FE FF)"),
        (b"\xff\xfe\x2d\x4e\x2d", "not valid UTF-8: byte 0xff at offset 0"),  # odd length: no UTF-16
        ("\ufeffa\x00b".encode("utf-16-le"), "binary file (contains NUL bytes)"),
        (b"\xff\xfe<\x00\x00\xdc", "binary file (contains NUL bytes)"),  # a lone surrogate
        ("<!--1-->".encode("utf-16-le"), "binary file (contains NUL bytes)"),
    ],
)
def test_unreadable_bytes(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableFile, match=message.replace("(", r"\(").replace(")", r"\)")):
        Document.from_bytes(data)


def test_header_parts_with_front_matter_and_crlf() -> None:
    text = "---\r\nlayout: post\r\n---\r\n<!--1686778744000-->\r\n[T](https://e.com/a)\r\n---\r\n\r\n<p>x</p>\r\n"
    document = Document.from_text(text)
    header = document.header
    assert text[header.front_matter.start : header.front_matter.end] == "---\r\nlayout: post\r\n---"
    assert text[header.timestamp.start : header.timestamp.end] == "<!--1686778744000-->"
    assert text[header.title.start : header.title.end] == "[T](https://e.com/a)"
    assert text[header.underline.start : header.underline.end] == "---"
    assert text[header.body.start :] == "<p>x</p>\r\n"
    assert document.position(header.body.start) == (8, 1)


def test_date_line_belongs_to_the_header() -> None:
    text = "[T](https://e.com/a)\n------\n日期：Tue, 23 Jun 2020 05:40:58 +0000\n\n<p>x</p>\n"
    header = Document.from_text(text).header
    assert header.timestamp is None
    assert text[header.date_line.start : header.date_line.end].startswith("日期：Tue")
    assert text[header.body.start :] == "<p>x</p>\n"


def test_broken_title_spans_lines_up_to_the_underline() -> None:
    text = "<!--1-->\n[Title\n\n](https://e.com/a)\n------\n\n<p>x</p>\n"
    header = Document.from_text(text).header
    assert text[header.title.start : header.title.end] == "[Title\n\n](https://e.com/a)"
    assert text[header.body.start :] == "<p>x</p>\n"


def test_body_positions_survive_crlf() -> None:
    text = "<!--1-->\r\n[T](https://e.com/a)\r\n---\r\n\r\n<p>one\r\ntwo</span>\r\n"
    document = Document.from_text(text)
    (error,) = [e for e in document.body.errors if e.code == "unexpected-end-tag"]
    assert text[error.start : error.end] == "</span>"
    assert document.position(error.start) == (6, 4)


def test_unclosed_front_matter_is_not_front_matter() -> None:
    header = Document.from_text("---\nnot closed\n").header
    assert header.front_matter is None and header.timestamp is None


def test_an_equals_underline_ends_the_title_and_the_body_starts_after_it() -> None:
    text = "<!--1-->\n[T](https://e.com/a)\n======\n\n<p>x</p>\n"
    header = Document.from_text(text).header
    assert text[header.title.start : header.title.end] == "[T](https://e.com/a)"
    assert text[header.underline.start : header.underline.end] == "======"
    assert text[header.body.start :] == "<p>x</p>\n"


@pytest.mark.parametrize("lines", [37, 38, 39, 200])
def test_the_header_is_looked_for_after_a_front_matter_however_long(lines: int) -> None:
    """The 40 lines the header is looked for in count from the end of the front matter
    (from the start of the file, a Jekyll tag list of 37 lines pushed the blank line,
    38 the underline and 40 all the header out of them)."""
    front_matter = "---\ntags:\n" + "- tag\n" * (lines - 3) + "---\n"
    text = front_matter + "<!--1-->\n[T](https://e.com/a)\n------\n\n<p>x</p>\n"
    document = Document.from_text(text)
    header = document.header
    assert text[header.front_matter.start : header.front_matter.end] == front_matter[:-1]
    assert document.position(header.timestamp.start) == (lines + 1, 1)
    assert header.underline is not None and header.blank is not None
    assert text[header.body.start :] == "<p>x</p>\n"


def _close_by_lines(document: Document) -> int | None:
    """_front_matter_close as a loop over the lines (what the regex stands for)."""
    for index in range(1, len(document.line_starts)):
        if document.line_text(index + 1).rstrip() in ("---", "..."):
            return index
    return None


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["---", "...", "-", "\n", "\r\n", "\r", " ", "\x0b",
                                 "\u2028", "x"]), max_size=12))
@example(["---", "\n", "...", "\r", "\r", "\n"])  # a lone CR is whitespace in a LF file
@example(["---", "\r", "x", "\r", "---", "\r\n"])  # a CR file: every break counts
@example(["---", "\n", "---", "\r", "x", "\n"])  # ...and not in a LF one
def test_the_front_matter_closes_where_a_loop_over_lines_says(pieces: list[str]) -> None:
    document = Document.from_text("".join(pieces))
    assert _front_matter_close(document) == _close_by_lines(document)


@pytest.mark.parametrize("line", ["title: x", "---x", "-- -", "--- x", "a\r---\rb"])
def test_looking_for_the_end_of_a_front_matter_is_not_a_walk_over_lines(line: str) -> None:
    """A front matter never closed is looked for to the end of the file in one regex
    search, not line by line in Python (the header finder stays bounded); in a LF file a
    lone CR starts no line to look at."""
    def work(count: int) -> int:
        document = Document.from_text("---\n" + f"{line}\n" * count + "<p>x</p>\n")
        document.line_starts  # noqa: B018  (found once for every rule, outside the count)
        return traced_lines(lambda: _front_matter_close(document))

    assert work(100_000) == work(10)


def _bracket_loop(text: str) -> int | None:
    """matching_bracket as a loop over characters (what the regex walk stands for)."""
    depth = index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == "[":
            depth += 1
        elif text[index] == "]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def _paren_loop(text: str, open_index: int) -> int | None:
    depth = 0
    for index in range(open_index, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


@settings(max_examples=2000, deadline=None)
@given(text=st.text(alphabet="[]()\\a\n", max_size=14), open_index=st.integers(0, 15))
@example(text="[a\\]b]", open_index=0)
@example(text="[a\\\\]b]", open_index=0)
@example(text="[\\\n]", open_index=0)
def test_brackets_and_parentheses_close_where_a_character_loop_says(text: str,
                                                                    open_index: int) -> None:
    assert matching_bracket(text) == _bracket_loop(text)
    assert matching_paren(text, open_index) == _paren_loop(text, open_index)
