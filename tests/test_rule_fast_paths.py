"""The built-in rules' shortcuts give what the plain computation they replace gives.

Each shortcut is checked against the slow form it stands for, on inputs chosen to
break it (text split across pieces at awkward places, characters at the edge of a
class), so that a wrong shortcut fails here rather than changing a report.
"""

from __future__ import annotations

import itertools
import re
import sys
from xml.etree.ElementTree import Element

import pytest
from conftest import record_calls
from hypothesis import example, given, settings, strategies as st

from cliplint import lint_text
from cliplint.document import Document
from cliplint.html import Attribute, BodyView, Token, tag_attributes
from cliplint_rules import _boilerplate, _urls, active_content, empty_body
from cliplint_rules._images import (
    descriptors_end,
    descriptors_end_by_character,
    image_urls,
    scan_attributes,
    srcset_urls,
)

# Letters, digits and what is not a word character by a hair: underscore, combining
# marks, CJK and full-width punctuation, zero-width and other spaces.
_TRICKY_TEXT = st.text(alphabet="aZ09_\u0301\u00e9\u4e2d\u3002\uff1a\u200b\u00a0 \t\n-!&;\ufeff",
                       max_size=12)


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(_TRICKY_TEXT, max_size=8), limit=st.integers(-1, 40))
def test_more_words_than_counts_as_removing_the_non_words(pieces: list[str], limit: int) -> None:
    slow = _more_words_than_slow(pieces, limit)
    assert empty_body.more_words_than(iter(pieces), limit) == slow


def _more_words_than_slow(pieces: list[str], limit: int) -> bool:
    return _word_count(pieces) > limit


def _word_count(pieces: list[str]) -> int:
    return len(re.sub(r"[\W_]+", "", "".join(pieces)))


def _long_pieces(shape: str, words: int) -> list[str]:
    """Text with ``words`` letters and digits whose last piece is longer than 10."""
    if shape == "spread thin":
        return [" - ".join("x" * words) + " " * 40]
    if shape == "after a short piece":
        return ["ab9", "\u3002 " * 20 + "\u4e2d" * (words - 3) + "!" * 30]
    return ["_".join(["a\u0301"] * words) + "_" * 30]  # runs cut by marks and underscores


@pytest.mark.parametrize("words", [9, 10, 11])  # about the limit, 10
@pytest.mark.parametrize("shape", ["spread thin", "after a short piece", "marks and underscores"])
def test_more_words_than_counts_a_long_piece_as_the_slow_way(shape: str, words: int) -> None:
    # Pieces longer than the limit are read a run at a time, up to the limit.
    pieces = _long_pieces(shape, words)
    assert len(pieces[-1]) > 10
    assert empty_body.more_words_than(iter(pieces), 10) == (words > 10)
    assert empty_body.more_words_than(iter(pieces), 10) == _more_words_than_slow(pieces, 10)


def test_more_words_than_gives_the_slow_answer_for_a_megabyte_piece() -> None:
    pieces = ["", "Beijing responds, in more words than the title. " * 20_000, "tail"]
    words = _word_count(pieces)
    # Below and at the whole count the long piece is read a run at a time; at its length
    # (no shorter than the count), at once.
    for limit in (0, 124, words - 5, words - 4, words, len(pieces[1])):
        assert (empty_body.more_words_than(iter(pieces), limit)
                == _more_words_than_slow(pieces, limit)), limit


HEADER = "<!--1686778744000-->\n[Beijing responds](https://www.dw.com/zh/a-53985946)\n------\n\n"


def test_empty_body_at_the_length_threshold() -> None:
    # The title has 15 word characters: a body with more than 4 * 15 + 64 = 124 is long
    # enough to be skipped, whatever it says. Around that length, spread over several
    # text nodes, the title repeated is reported exactly when the count is at most 124.
    for repeats in (7, 8, 9):  # 105, 120, 135 word characters
        body = "".join("<p><b>Beijing</b> re_spon&shy;ds!</p>\n" for _ in range(repeats))
        problems = lint_text(HEADER + body, select=["empty-body"])
        assert [p.message for p in problems] == (
            ["the body is only the title repeated"] if repeats < 9 else []), repeats


# -- active-content ------------------------------------------------------------------------


def _active_scheme_slow(value: str) -> str | None:
    """active_content._active_scheme without its first-letter shortcut."""
    url = value.strip(_urls.URL_STRIP).translate(_urls.URL_REMOVE).lower()
    for scheme in ("javascript:", "vbscript:"):
        if url.startswith(scheme):
            return scheme
    if url.startswith("data:") and url[5:].lstrip(" \t\n\f\r").startswith("text/html"):
        return "data:text/html"
    return None


_URL_PIECES = st.sampled_from([
    "javascript:", "JaVaScRiPt:", "java\tscript:", "vbscript:", "VBSCRIPT:", "data:",
    "DATA:", "text/html", "TEXT/HTML", "http://e.com/", "d", "j", "v", " ", "\t", "\n",
    "\x00", "\x01", "\x1f", "\x7f", "\u00a0", "\u0130", "\u212a", "\uff4a", "\u0135", ":",
])


def test_only_j_v_and_d_lower_case_to_what_starts_an_active_scheme() -> None:
    # What _active_scheme's shortcut relies on, for the Unicode of this Python.
    starters = [chr(code) for code in range(sys.maxunicode + 1)
                if chr(code).lower()[:1] in ("j", "v", "d")]
    assert sorted(starters) == sorted("jvdJVD")


@settings(max_examples=1000, deadline=None)
@given(value=st.lists(_URL_PIECES, max_size=6).map("".join))
def test_active_scheme_shortcut_agrees_with_the_full_check(value: str) -> None:
    assert active_content._active_scheme(value) == _active_scheme_slow(value)


def test_only_the_gated_elements_can_be_element_problems() -> None:
    # Every tag here carries what would make one of the checked elements active.
    attributes = (' src="x.js" data="x.swf" http-equiv="refresh" action="x" srcdoc="x"'
                  ' rel="stylesheet" href="https://e.example/a.css"')
    content = "@import url(https://e.example/b.css);"  # a <style>'s CSS; text elsewhere
    names = ["p", "a", "img", "div", "svg", "math", "video", "audio", "frame", "frameset",
             "applet", "link", "style", "noscript", "template", "portal", "input", "button",
             "x-script", "scripts", *sorted(active_content._ACTIVE_ELEMENTS)]
    for name in names:
        text = f"<!--1-->\n[t](https://e.com/a)\n------\n\n<{name}{attributes}>{content}</{name}>"
        body = Document.from_text(text).body
        for index, token in enumerate(body.tokens):
            if token.kind == "StartTag":
                problem = active_content._element_problem(body, index, token, (), False)
                assert (problem is not None) == (token.name in active_content._ACTIVE_ELEMENTS)


# -- image-proxy ---------------------------------------------------------------------------


def _attributes_loop(text: str, start: int, end: int) -> list[Attribute]:
    """The attributes of a start tag, read one character at a time as html5lib's
    tokenizer does (the way cliplint read them before it used regexes)."""
    tag, space = text[start:end], " \t\n\f\r"
    length, index = len(tag), 1
    while index < length and tag[index] not in space + "/>":
        index += 1
    found: list[Attribute] = []
    while index < length:
        while index < length and (tag[index] in space or tag[index] == "/"):
            index += 1
        if index >= length or tag[index] == ">":
            break
        name_start = index
        index += 1
        while index < length and tag[index] not in space + "/>=":
            index += 1
        name = "".join(char.lower() if "A" <= char <= "Z" else char  # ASCII only
                       for char in tag[name_start:index])
        quote: str | None = None
        value_start = value_end = index
        while index < length and tag[index] in space:
            index += 1
        if index < length and tag[index] == "=":
            index += 1
            while index < length and tag[index] in space:
                index += 1
            if index < length and tag[index] in "\"'":
                quote = tag[index]
                value_start = index + 1
                close = tag.find(quote, value_start)
                value_end = close if close != -1 else length
                index = value_end + 1
            else:
                quote = ""
                value_start = index
                while index < length and tag[index] not in space + ">":
                    index += 1
                value_end = index
        found.append(Attribute(name, start + name_start, start + value_start,
                               start + value_end, quote))
    return found


_TAG_PIECES = st.sampled_from(["<img", "<IMG", " ", "\t", "\n", "\f", "\r", "/", ">", "=",
                               '"', "'", "src", "SRC", "srcset", "data-src", "a", "x y",
                               "\u00a0", "\x0b", "&amp;", "<", "\u212a", "\u0130"])


@settings(max_examples=2000, deadline=None)
@given(before=st.text(alphabet="ab<>", max_size=3), tag=st.lists(_TAG_PIECES, max_size=14),
       after=st.text(alphabet="ab<>", max_size=3))
def test_attributes_are_read_as_the_character_loop_reads_them(
        before: str, tag: list[str], after: str) -> None:
    text = before + "<img" + "".join(tag) + after
    start, end = len(before), len(text) - len(after)
    token = Token("StartTag", "img", {}, start, end)
    written = _attributes_loop(text, start, end)
    assert tag_attributes(text, start, end) == tuple(written)
    first_of_each = {}
    for attribute in written:
        first_of_each.setdefault(attribute.name, attribute)
    body = BodyView(text, start, end, (token,), (), Element("div"), {})
    assert scan_attributes(body, token) == first_of_each
    assert body.attributes(token) is body.attributes(token)  # read once


def test_image_urls_come_in_document_order_with_pictures() -> None:
    body = ('<img src="a.jpg"><picture><source srcset="b.jpg 1x, c.jpg 2x">'
            '<img src="d.jpg" srcset="e.jpg 2x, f&amp.jpg 3x"></picture><img src="g.jpg">'
            '<picture><source data-srcset="h.jpg"></picture>')
    urls = [item.url for item in image_urls(Document.from_text(HEADER + body))]
    assert urls == ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg", "f&.jpg", "g.jpg", "h.jpg"]


def _srcset_urls_loop(value: str) -> list[tuple[int, int]]:
    """_images.srcset_urls as it was written before, one character at a time."""
    spans, index, length, space = [], 0, len(value), " \t\n\f\r"
    while True:
        while index < length and (value[index] in space or value[index] == ","):
            index += 1
        if index >= length:
            return spans
        start = index
        while index < length and value[index] not in space:
            index += 1
        end = index
        if value[end - 1] == ",":
            while end > start and value[end - 1] == ",":
                end -= 1
            if end > start:
                spans.append((start, end))
            continue
        spans.append((start, end))
        index = descriptors_end_by_character(value, index)


@settings(max_examples=2000, deadline=None)
@given(value=st.lists(st.sampled_from(["a.jpg", "b", " ", "\t", "\n", "\f", "\r", "\x0b",
                                       "\u00a0", ",", ",,", "(", ")", "2x", "100w"]),
                      max_size=12).map("".join))
def test_srcset_urls_splits_as_the_character_loop_did(value: str) -> None:
    assert list(srcset_urls(value)) == _srcset_urls_loop(value)


@settings(max_examples=2000, deadline=None)
@given(value=st.text(alphabet="a ,()", max_size=12), index=st.integers(0, 13))
def test_descriptors_end_as_the_character_loop_did(value: str, index: int) -> None:
    assert descriptors_end(value, index) == descriptors_end_by_character(value, index)


@settings(max_examples=500, deadline=None)
@given(value=st.text(alphabet=" \t\n\f\r\x0b\u00a0a", max_size=8))
def test_trimmed_skips_what_the_character_loop_skipped(value: str) -> None:
    from cliplint_rules._images import _trimmed

    start, end = 0, len(value)
    while start < end and value[start] in " \t\n\f\r":
        start += 1
    while end > start and value[end - 1] in " \t\n\f\r":
        end -= 1
    assert _trimmed(value) == (start, end)


#: URLs whose netloc urlsplit reads in every way: plain or not, on a proxy or not.
_NETLOC_URLS = st.builds(
    str.__add__,
    st.sampled_from(["http://", "https://", "HtTpS://", "http:", "http:///", " http://",
                     "ftp://", "//"]),
    st.lists(st.sampled_from(["images.weserv.nl", "WSRV.NL.", "i0.wp.com", "e.com", "a", ".",
                              "/", "?", "#", "@", ":", "80", ":99999", "[", "]", "[::1]",
                              "%", "\t", "\n", "\r", " ", "\x00", "\\", "\u212a",
                              "\u0130", "\uff0f", "\u2100", "/?url=", "/?url=e.com/a.jpg",
                              "10.0.0.1", "localhost", "0x7f.1", "::1"]),
             max_size=8).map("".join),
)


@settings(max_examples=3000, deadline=None)
@given(url=_NETLOC_URLS)
@example(url="http://wsrv.nl\t/?url=e.com/a.jpg")
@example(url="http://e.com\uff0fwsrv.nl/?url=e.com/a.jpg")
@example(url="http://images.weserv.nl")
def test_a_plain_host_is_what_urlsplit_gives(url: str) -> None:
    from urllib.parse import urlsplit

    from cliplint_rules import _proxies

    host = _proxies.plain_host(url)
    if host is not None:
        parts = urlsplit(url)  # raises nothing
        assert (parts.hostname, parts.port) == (host, None)
        assert parts.netloc.lower() == host
    # The matching and the upstream check that use it agree with urlsplit's reading.
    table = _proxies.ProxyTable({})
    fast = table.match(url), _proxies.check_upstream(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_proxies, "plain_host", lambda url: None)
        assert (table.match(url), _proxies.check_upstream(url)) == fast


@settings(max_examples=1000, deadline=None)
@given(host=st.text(alphabet="09afAF.%[]:x\u0660", max_size=12))
@example(host="::")
@example(host="[::1]")
@example(host="1.2.3.4")
def test_only_a_host_with_a_colon_can_be_an_ipv6_address(host: str) -> None:
    # private_address tries IPv6 only for a host with a colon.
    import ipaddress

    try:
        ipaddress.IPv6Address(host.strip("[]"))
    except ValueError:
        return
    assert ":" in host


@settings(max_examples=1000, deadline=None)
@given(value=st.text(alphabet=" \t\n\r\x00\x1f\x0b\x0c\x85\u3000a:/#\u4e2d", max_size=10))
def test_a_url_is_read_as_the_strip_and_the_translation_read_it(value: str) -> None:
    assert _urls.url_as_read(value) == value.strip(_urls.URL_STRIP).translate(_urls.URL_REMOVE)


@settings(max_examples=1000, deadline=None)
@given(prefix=st.sampled_from(["", "http://", "https://", "HTTP://", "http:", "https:/", "//",
                               " https://", "\thttp://", "ht\ntp://"]),
       rest=st.text(alphabet="htps:/\\ \t\n#a.\x00", max_size=8))
def test_relative_url_kind_shortcut_agrees_with_the_url_parser_reading(prefix: str,
                                                                         rest: str) -> None:
    from cliplint_rules import relative_url

    value = prefix + rest
    url = _urls.url_as_read(value)
    slow = (None if not url or url.startswith("#") or _urls.SCHEME.match(url)
            else "protocol-relative" if url[:2].replace("\\", "/") == "//" else "relative")
    assert relative_url._kind(value) == slow


@settings(max_examples=2000, deadline=None)
@given(text=st.lists(st.sampled_from(
    ["&", "#", "x", "1", ";", "zwj", "zwnj", "NoBreak", "&zwj;", "&#", "\u200b", "\x00", "\x9f",
     "\ufffd", "\u4e2d", "a", " "]), max_size=12).map("".join),
       start=st.integers(0, 8), end=st.integers(0, 40))
@example(text="&&zwj;", start=0, end=6)
@example(text="&zwj;", start=0, end=4)
def test_invisible_candidates_are_what_finditer_finds(text: str, start: int, end: int) -> None:
    from cliplint_rules import invisible_characters as rule

    found = [(m.span(), m.group()) for m in rule._candidates(text, start, end)]
    assert found == [(m.span(), m.group()) for m in rule._candidate().finditer(text, start, end)]


# -- aggregator-boilerplate ----------------------------------------------------------------

_CASE_TRAPS = "()-1aAkKsS\u212a\u017fi\u0130\u0131\uff08\u00b5\u03bc\u2160\u2170"  # \u2160: cased, no letter


@settings(max_examples=1000, deadline=None)
@given(literals=st.lists(st.text(alphabet=_CASE_TRAPS, min_size=1, max_size=3),
                         min_size=1, max_size=3, unique=True),
       text=st.text(alphabet=_CASE_TRAPS + " x", max_size=12),
       flags=st.sampled_from([0, re.IGNORECASE, re.IGNORECASE | re.ASCII]),
       start=st.integers(0, 12), end=st.integers(0, 12))
@example(literals=["\u2160"], text="\u2170", flags=re.IGNORECASE, start=0, end=1)
@example(literals=["(", "k"], text="\u212a", flags=re.IGNORECASE, start=0, end=1)
@example(literals=["(1"], text="x(1", flags=re.IGNORECASE, start=1, end=3)
def test_clauses_find_what_their_regex_would(literals: list[str], text: str, flags: int,
                                             start: int, end: int) -> None:
    clause = _boilerplate._clause(tuple(sorted(literals)), flags)
    regex = re.compile("|".join(map(re.escape, sorted(literals))), flags)
    found = _boilerplate.TextNeeds(((clause,),)).found  # a clause alone, as matching asks
    assert found(text, start, end) == (regex.search(text, start, end) is not None)


_SIZES = ["", "1", "1px", " 1 ", "0", "2", "1.0", "x", "1 px"]


def test_an_image_s_size_is_asked_as_matching_asks_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """An <img> is skipped by its size before it is described: the blocks found are
    those of the entries the full match (_describe, then _matches) accepts, and only an
    image no larger than the entries' limit (1 pixel, for every pixel entry) is
    described."""
    from cliplint_rules import _boilerplate_match
    from cliplint_rules._boilerplate_match import _describe, _image_size, _matches, find_blocks

    entries = [entry for entry in _boilerplate.catalogue("[]", ()) if "img" in entry.elements]
    assert {entry.max_image_size for entry in entries} == {1}
    described = record_calls(monkeypatch, _boilerplate_match, "_describe",
                             lambda element, *rest: element)
    matched = set()
    for width, height, style, src in itertools.product(
            _SIZES, _SIZES, ["", "width:1px;height:1px", "width: 2px", "HEIGHT:1PX"],
            ["https://pixel.wp.com/b.gif?blog=1", "https://hm.baidu.com/hm.gif?si=a"]):
        attributes = "".join(f' {name}="{value}"' for name, value in
                             [("width", width), ("height", height), ("style", style)] if value)
        document = Document.from_text(f'{HEADER}<p>Text.<img src="{src}"{attributes}></p>')
        image = next(document.body.elements("img"))
        content = _describe(image)
        assert content is not None and content.images == (image,)
        matching = {entry.name for entry in entries if _matches(entry, content, None)}
        described.clear()
        found = {block.entry.name for block in find_blocks(document.body, entries, None)}
        assert found == matching, (width, height, style, src)
        size = _image_size(image)
        assert len(described) == (size is not None and size <= 1), (width, height, style)
        matched |= matching
    assert matched == {"wordpress-stats", "baidu-tongji"}  # pixels were met


@settings(max_examples=2000, deadline=None)
@given(host=st.text(alphabet="aZ09-_.", max_size=80)
       | st.builds(lambda n, rest: "a" * n + "." + rest, st.integers(60, 70),
                   st.text(alphabet="az.", max_size=10)))
@example(host="...")
@example(host="a..b")
@example(host="x" * 64 + ".com")
def test_ascii_host_skips_the_idna_codec_with_the_same_verdict(host: str) -> None:
    # host_problem uses an ASCII name as it is; the IDNA codec would give the same name,
    # or reject it for a reason the label check reports with the same message.
    from cliplint_rules._proxies import _LABEL, host_problem, ipv4_value

    name = host.rstrip(".").lower()
    if not name or ipv4_value(name) is not None:
        return
    invalid = host_problem(host) == f"{host!r} is not a valid host name"
    try:
        encoded = name.encode("idna").decode("ascii")
    except UnicodeError:
        assert invalid
    else:
        assert encoded == name
        # The verdict the codec's form of the name gets from the label check.
        assert invalid == any(len(label) > 63 or not _LABEL.fullmatch(label)
                              for label in encoded.split("."))
