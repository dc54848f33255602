"""Hostile clippings: text that ran the fixer out of markers, CR-only line endings.

(Bounded work on hostile shapes is tested by counting work in tests/test_bounded_work.py.)
"""

from __future__ import annotations

import pytest

from cliplint import fix_text, lint_text
from cliplint.document import Document
from cliplint.fixer import expected_visible_text

HEADER = "<!--1686778744000-->\n[A title](https://example.com/a/1)\n------\n\n"
#: Every private-use character of the BMP: the fixer used to look for two free ones.
ALL_PRIVATE_USE = "".join(chr(code) for code in range(0xE000, 0xF900))


# -- markers around removed blocks never run out -----------------------------------------------


def test_a_block_is_removed_from_text_holding_every_private_use_character() -> None:
    body = f"<p>{ALL_PRIVATE_USE}</p><script>track()</script><p>end</p>\n"
    result = fix_text(HEADER + body, unsafe=True, select=["active-content"])
    assert result.refusal is None
    assert result.text == HEADER + f"<p>{ALL_PRIVATE_USE}</p><p>end</p>\n"
    [block] = result.removed
    assert block.text == "<script>track()</script>"


def test_the_blocks_own_text_is_cut_by_position_when_the_markers_occur_in_the_text() -> None:
    # The marker characters (U+E000, U+E001) and their stand-in (U+E002) on both sides of
    # the block and inside it: only the block's own text may be taken out.
    before = "<p>\ue000a\ue001\ue002</p>"
    block = "<div>\ue001b\ue000<i>\ue002c</i></div>"
    after = f"<p>d\ue002\ue000</p>{ALL_PRIVATE_USE}"
    text = HEADER + before + block + after
    document = Document.from_text(text)
    start = text.index(block)
    expected = expected_visible_text(document, [(start, start + len(block))])
    assert expected == "\ue000a\ue001\ue002" + f"d\ue002\ue000{ALL_PRIVATE_USE}"


def test_two_blocks_and_markers_in_the_text() -> None:
    text = HEADER + "\ue001<b>x\ue000</b>y<i>z</i>\ue000w"
    document = Document.from_text(text)
    spans = [(text.index("<b>"), text.index("</b>") + 4), (text.index("<i>"), text.index("</i>") + 4)]
    assert expected_visible_text(document, spans) == "\ue001y\ue000w"
