"""The built-in rules' shortcuts give what the plain computation they replace gives.

Each shortcut is checked against the slow form it stands for, on inputs chosen to
break it (text split across pieces at awkward places, characters at the edge of a
class), so that a wrong shortcut fails here rather than changing a report.
"""

from __future__ import annotations

import re

from cliplint_rules import empty_body
from hypothesis import given, settings
from hypothesis import strategies as st

from cliplint import lint_text

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
