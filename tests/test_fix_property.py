"""Property tests: over generated clippings, fixing is idempotent, keeps every byte it
should keep, and never changes the visible article text outside the removed blocks.

The generator knows which pieces are removable (a feedx footer at the end, the test
plugin's ``<div class="promo">`` blocks) and how a fixed header looks, so it builds the
expected result independently of the fixer: the same clipping written without them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st
from plugins import testfix_env

from cliplint import fix_text
from cliplint.document import Document

# The pip-installed test plugin, as fixtures of this module.
testfix = testfix_env.testfix
testfix_site = testfix_env.testfix_site

MS = "1686778744000"
FEEDX = ('<br><hr><div>获取更多RSS：<br><a href="https://feedx.net" style="color:orange" '
         'target="_blank">https://feedx.net</a> <br><a href="https://feedx.best" '
         'style="color:orange" target="_blank">https://feedx.best</a><br></div>')
SAFE_RULES = ["timestamp-comment", "title-link", "aggregator-boilerplate", "testfix/promo"]
WHITESPACE = re.compile(r"[ \t\n\f\r]+")


@dataclass(frozen=True)
class Clipping:
    text: str  # as generated
    expected: str  # as it must be after --fix


words = st.text(
    alphabet=st.sampled_from(list("abcxyz ABC 123 .,;:!?()-'\"") + list("中国新闻报道的了")
                             + ["\u00a0", "\u3000", "é", "—"]),
    min_size=1, max_size=12,
)
inline = st.one_of(
    words,
    words.map(lambda w: f"<b>{w}</b>"),
    words.map(lambda w: f'<a href="https://example.com/a?x=1&amp;y=2">{w}</a>'),
    st.sampled_from(["<br>", "<br />", "&amp;", "&nbsp;", "&lt;b&gt;", "<!-- note -->"]),
)
paragraph = st.lists(inline, min_size=1, max_size=5).map(lambda parts: "<p>" + "".join(parts) + "</p>")
promo = st.lists(inline, min_size=1, max_size=3).map(
    lambda parts: '<div class="promo">' + "".join(parts) + "</div>")


@st.composite
def clippings(draw: st.DrawFn) -> Clipping:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    timestamp = draw(st.sampled_from(["ms", "seconds", "spaced", "missing"]))
    underline = draw(st.booleans())
    blank = draw(st.booleans())
    bom = draw(st.booleans())
    final_newline = draw(st.booleans())
    footer = draw(st.booleans())
    pieces = draw(st.lists(st.tuples(st.one_of(paragraph, promo), st.booleans()),
                           min_size=1, max_size=6))
    if not any(not piece.startswith('<div class="promo">') for piece, _ in pieces):
        pieces.append(("<p>Body text.</p>", False))

    stamp = {"ms": f"<!--{MS}-->", "seconds": f"<!--{MS[:-3]}-->",
             "spaced": f"<!-- {MS[:-3]} -->", "missing": None}[timestamp]
    fixed_stamp = None if stamp is None else f"<!--{MS}-->"
    title = "[A title](https://example.com/a/1)"

    def header(stamp_line: str | None, with_underline: bool, with_blank: bool) -> list[str]:
        lines = [stamp_line] if stamp_line else []
        lines.append(title)
        if with_underline:
            lines.append("------")
        if with_blank:
            lines.append("")
        return lines

    def body(keep_removable: bool) -> str:
        out = ""
        for piece, line_break in pieces:
            if keep_removable or not piece.startswith('<div class="promo">'):
                out += piece
            if line_break:
                out += newline  # between pieces; a removed promo leaves its line break
        if footer and keep_removable:
            out += FEEDX
        return out + (newline if final_newline else "")

    prefix = "\ufeff" if bom else ""
    text = prefix + newline.join(header(stamp, underline, blank)) + newline + body(True)
    kept = body(False)
    # A promo alone on the line under the header leaves that line empty: it then serves as
    # the blank line, and title-link adds none (the promo's removal and the blank line's
    # insertion touch, so they happen in different passes).
    needs_blank = not blank and not (kept.startswith(newline) or kept in ("", newline))
    # The underline is added safely under a timestamp comment only (without one the line
    # may be the body's own); title-link adds the blank line under an underline only.
    underlined = underline or stamp is not None
    expected = (prefix + newline.join(header(fixed_stamp, underlined,
                                             blank or (underlined and needs_blank)))
                + newline + kept)
    return Clipping(text, expected)


def visible(text: str) -> str:
    return WHITESPACE.sub(" ", Document.from_text(text).body.visible_text).strip()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(clipping=clippings())
def test_fix_is_exact_idempotent_and_keeps_the_article(testfix: Path, clipping: Clipping) -> None:
    result = fix_text(clipping.text, select=SAFE_RULES)
    assert result.refusal is None, result.refusal
    # Every byte outside the removed blocks and the header repairs is kept: line endings,
    # BOM, final newline, entities, U+00A0 and U+3000 in the prose.
    assert result.text == clipping.expected
    assert visible(result.text) == visible(clipping.expected)
    for block in result.removed:
        assert result.original.lstrip("\ufeff")[block.start:block.end] == block.text
    again = fix_text(result.text, select=SAFE_RULES)
    assert again.applied == () and again.text == result.text and again.refusal is None


hidden = st.sampled_from([
    "<script>var tracker = 1;</script>",
    '<iframe src="https://evil.example/x"></iframe>',
    '<img src="https://example.com/i.jpg" onclick="steal()">',
    '<p onclick="go()">clickable words</p>',
])


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(clipping=clippings(), extra=st.lists(st.tuples(st.integers(0, 10), hidden), max_size=3))
def test_unsafe_fixes_never_change_visible_text_outside_removed_blocks(
    testfix: Path, clipping: Clipping, extra: list[tuple[int, str]]
) -> None:
    # Active content inserted between the pieces of the body (after the header's lines).
    text = clipping.text
    body_at = text.index("\n", text.index("https://example.com/a/1")) + 1
    head, body = text[:body_at], text[body_at:]
    for position, snippet in extra:
        cut = [m.end() for m in re.finditer(r"</p>|</div>", body)]
        at = cut[position % len(cut)] if cut else 0
        body = body[:at] + snippet + body[at:]
    text = head + body
    result = fix_text(text, unsafe=True)
    again = fix_text(result.text, unsafe=True)
    assert again.text == result.text and (again.applied == () or again.refusal is not None)
    if result.refusal is not None:
        assert result.text == text  # refused: the input comes back untouched
        return
    # What may disappear: the blocks the fixes declared removed.
    from cliplint.fixer import expected_visible_text

    document = Document.from_text(text)
    removed = [(block.start, block.end) for block in result.removed]
    assert WHITESPACE.sub(" ", expected_visible_text(document, removed)).strip() == visible(
        result.text)
    # And only what the generator marked removable ever is (or carries no visible text).
    for block in result.removed:
        own = WHITESPACE.sub(" ", Document.from_text(
            "<!--1-->\n[t](https://e.com/a)\n------\n\n" + block.text).body.visible_text).strip()
        assert not own or 'class="promo"' in block.text or "获取更多RSS" in block.text, block
