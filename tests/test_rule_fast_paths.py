"""The built-in rules' shortcuts give what the plain computation they replace gives.

Each shortcut is checked against the slow form it stands for, on inputs chosen to
break it (text split across pieces at awkward places, characters at the edge of a
class), so that a wrong shortcut fails here rather than changing a report.
"""

from __future__ import annotations

import re
import sys

from cliplint_rules import active_content, empty_body
from hypothesis import given, settings
from hypothesis import strategies as st

from cliplint import lint_text
from cliplint.document import Document

# Letters, digits and what is not a word character by a hair: underscore, combining
# marks, CJK and full-width punctuation, zero-width and other spaces.
_TRICKY_TEXT = st.text(alphabet="aZ09_\u0301\u00e9\u4e2d\u3002\uff1a\u200b\u00a0 \t\n-!&;\ufeff",
                       max_size=12)


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(_TRICKY_TEXT, max_size=8), limit=st.integers(-1, 40))
def test_more_words_than_counts_as_removing_the_non_words(pieces: list[str], limit: int) -> None:
    slow = len(re.sub(r"[\W_]+", "", "".join(pieces))) > limit
    assert empty_body.more_words_than(iter(pieces), limit) == slow


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
    url = value.strip(active_content._URL_STRIP).translate(active_content._URL_REMOVE).lower()
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
    attributes = ' src="x.js" data="x.swf" http-equiv="refresh" action="x" srcdoc="x"'
    names = ["p", "a", "img", "div", "svg", "math", "video", "audio", "frame", "frameset",
             "applet", "link", "style", "noscript", "template", "portal", "input", "button",
             "x-script", "scripts", *sorted(active_content._ACTIVE_ELEMENTS)]
    for name in names:
        text = f"<!--1-->\n[t](https://e.com/a)\n------\n\n<{name}{attributes}></{name}>"
        body = Document.from_text(text).body
        for index, token in enumerate(body.tokens):
            if token.kind == "StartTag":
                problem = active_content._element_problem(body, index, token, ())
                assert (problem is not None) == (token.name in active_content._ACTIVE_ELEMENTS)
