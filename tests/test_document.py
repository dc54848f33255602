"""The document model: decoding, header parts and offset -> line/column."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings, strategies as st

from cliplint.document import Document, UnreadableFile, matching_bracket, matching_paren


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


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a\x00b", "binary file (contains NUL bytes)"),
        (b"ok \xe9t\xe9", "not valid UTF-8: byte 0xe9 at offset 3"),
        (b"\xff\xfe<\x00!\x00", "binary file (contains NUL bytes)"),  # UTF-16 is not a clipping
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
