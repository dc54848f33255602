"""Every reader of the timestamp comment reads its digits alike: ASCII ``0``-``9`` only.

``str.isdigit`` also takes ``²`` (which ``int`` refuses: timestamp-comment crashed) and
``１`` or ``٣`` (which ``int`` reads: they passed as an epoch, and full-width seconds were
"fixed" into mixed digits). timestamp-comment reports such a comment as malformed, with no
fix; timestamp-consistency, duplicate-clipping's keep order and the report's month see no
timestamp in it.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings, strategies as st

from cliplint import fix_text, lint_archive, lint_text
from cliplint.document import Document
from cliplint.facts import file_facts

#: Stated by the body's date line: 2020-07-11T04:10:23Z.
_STATED_SECONDS = 1_594_440_623
#: The last millisecond of year 9999: later timestamps have no month.
_LAST_MS = 253_402_300_799_999
_BODY = (
    "\n[Harbour reopens](https://news.example.com/a/1)\n------\n\n"
    "<div><i>Sat, 11 Jul 2020 04:10:23 GMT</i></div>"
    "<p>The harbour reopened on Monday after three weeks of repairs, the port authority "
    "said. Ships waiting offshore began to unload cargo within hours.</p>\n"
)
_READERS = ["timestamp-comment", "timestamp-consistency", "duplicate-clipping"]
# Tolerance 0s: any timestamp timestamp-consistency sees disagrees with the stated date
# (but the two that equal it, left out below).
_CONFIG = {"rules": {"timestamp-consistency": {"tolerance": "0s"}}}

digit_like = st.one_of(
    st.sampled_from("0123456789"),
    st.characters(categories=["Nd", "No", "Nl"]),  # ١, １, ², ½, Ⅻ, 〇 ...
)


def _is_epoch(digits: str) -> bool:
    return all("0" <= char <= "9" for char in digits)


@settings(max_examples=300, deadline=None)
@given(digits=st.text(digit_like, min_size=1, max_size=40))
@example(digits="168677874²")
@example(digits="１６８６７７８７４４０００")
@example(digits="１６８６７７８７４４")
@example(digits="١٦٨٦٧٧٨٧٤٤٠٠٠")
@example(digits="Ⅻ")
@example(digits="1" * 5000)  # int() refuses more than 4300 digits
@example(digits="9" * 400)  # a float() refuses it
@example(digits="0" * 5000 + "1594440623001")
@example(digits="1594440623001")
def test_every_reader_reads_the_digits_alike(digits: str) -> None:
    significant = digits.lstrip("0")
    # The two timestamps that agree with the stated date (in milliseconds or seconds).
    if _is_epoch(digits) and significant in (f"{_STATED_SECONDS}", f"{_STATED_SECONDS}000"):
        return
    text = f"<!--{digits}-->{_BODY}"
    undated = _BODY.lstrip("\n")
    # b.md's timestamp, when duplicate-clipping sees one, puts it before a.md (none).
    problems = lint_archive({"a.md": undated, "b.md": text}, config=_CONFIG, select=_READERS)
    assert not [p for p in problems if p.rule == "internal-error"], problems

    own = [p for p in problems if p.path == "b.md"]
    malformed = any(p.rule == "timestamp-comment" and p.message.startswith("malformed timestamp")
                    for p in own)
    assert malformed == (not _is_epoch(digits))
    consistency_sees = any(p.rule == "timestamp-consistency" for p in own)
    [duplicate] = [p for p in problems if p.rule == "duplicate-clipping"]
    duplicate_sees = duplicate.path == "a.md"  # b.md kept: it has a timestamp
    assert consistency_sees == duplicate_sees == (not malformed)

    month = file_facts(Document.from_text(text)).month
    if malformed:
        assert month is None
    else:  # no month past year 9999 either
        beyond = len(significant) > len(f"{_LAST_MS}") or int(significant or "0") > _LAST_MS
        assert (month is None) == beyond

    fixed = fix_text(text, config=_CONFIG, select=["timestamp-comment"]).text
    if malformed:
        assert fixed == text  # no fix writes mixed digits
    else:
        assert _is_epoch(fixed[4 : fixed.index("-->")])


@pytest.mark.parametrize("line", ["<!--１６８６７７８７４４-->", "<!-- １６８６７７８７４４ -->"])
def test_full_width_seconds_are_malformed_and_not_fixed(line: str) -> None:
    text = f"{line}{_BODY}"
    [problem] = lint_text(text, select=["timestamp-comment"])
    assert problem.message == ("malformed timestamp '１６８６７７８７４４': expected epoch "
                               "milliseconds in ASCII digits 0-9")
    assert problem.fix is None
    assert fix_text(text, select=["timestamp-comment"]).text == text
