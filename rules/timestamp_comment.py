"""The first line must be a timestamp comment in epoch milliseconds.

Why: the timestamp comment is the only machine-readable record of when an item was
published or clipped. Archives sort, deduplicate and expire clippings by it; a missing,
second-based or garbled one silently puts an article in the wrong year.

The first line after any front matter must be ``<!--N-->`` where ``N`` is a Unix epoch
in **milliseconds** (13 digits today, ASCII ``0``-``9``: full-width ``１`` or Arabic-Indic
``٣`` digits are malformed), not before ``min-date`` and not later than now plus
``max-future``. "Now" is the end of the run's day (UTC): a result stays true all
day, so the cache keeps it for the day. The message names the timestamp's date and
``max-future``, not the run's day: a baseline still knows the problem the next day. A
timestamp in the future that would be a plausible one in microseconds or nanoseconds
(other tools' clocks) says so, with the milliseconds it would be (no fix: the digits it
drops are the writer's to drop).

Bad::

    <!--1686778744-->          seconds, not milliseconds
    <!--2023-06-14T21:03:30Z-->
    [Title](https://example.com/a/1)

Good::

    <!--1686778744000-->
    [Title](https://example.com/a/1)

Options:

- ``min-date`` (``"1995-01-01"``): earlier timestamps are implausible.
- ``max-future`` (``"1d"``): how far after the end of today (UTC) a timestamp may lie
  (``s``, ``m``, ``h``, ``d`` units).

The format's front matter is YAML between ``---`` lines (Jekyll's); what else comes
before the timestamp comment is said once, at the first line, and the title after it is
still checked (by title-link): a TOML (``+++``) or JSON (``{`` ... ``}``) front matter, a
front matter never closed, blank lines; and a front matter under the timestamp comment
(above the title), where Jekyll does not read it as one.

Fix (safe): a 10-digit epoch in seconds becomes milliseconds by appending ``000``;
whitespace inside the comment is removed (around ASCII digits only: other digits are not
converted). Nothing is invented: a missing timestamp is reported, never made up (a
``日期：`` date line holding an RFC 2822 date with its zone, ``Wed, 14 Jun 2023 21:03:30
+0000``, is quoted as a hint with its epoch: a date without a zone names no instant).
Blank lines before the timestamp comment are removed (not when no timestamp comment
follows them: the file is no nearer its format without them); nothing else is moved.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from cliplint.document import Document
from cliplint.facts import epoch_milliseconds, epoch_number
from cliplint.model import Edit, Fix
from cliplint.rule_io import Violation
from cliplint.streams import BREAKING
from cliplint_rules._time import DURATION_PATTERN, DURATION_WORDS, duration_seconds, iso_utc

ID = "timestamp-comment"
SEVERITY = "error"
FIX = "safe"
#: "In the future" depends on the day: the engine gives it (options["today"]).
INPUTS = ("today",)
OPTIONS = {
    "type": "object",
    "properties": {
        "min-date": {
            "type": "string",
            # A day that exists: the format checks YYYY-MM-DD and the day ("2023-13-45").
            "format": "date",
            "default": "1995-01-01",
            "description": "Timestamps before this date (YYYY-MM-DD, UTC) are implausible.",
        },
        "max-future": {
            "type": "string",
            "pattern": DURATION_PATTERN,
            "patternDescription": DURATION_WORDS,
            "default": "1d",
            "description": "How far after now a timestamp may lie, e.g. 1d, 12h.",
        },
    },
}

_DAY_MS = 86_400_000
_COMMENT = re.compile(r"<!--(?P<content>.*?)-->(?P<rest>.*)", re.DOTALL)
# [0-9], not \d: a date in other digits is as malformed as an epoch in them.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?")


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    header = document.header
    if not document.text.strip():
        yield Violation(0, 0, "empty file: no timestamp comment, title or body")
        return
    if header.stray is not None:
        yield _stray_lines(document)  # (which says when no timestamp comment follows)
    line = header.timestamp
    if line is None:
        if header.stray is None:
            line = header.first_line
            yield Violation(line.start, line.end, "missing timestamp comment: the first line "
                            f"should be <!--EPOCH_MS-->{_date_line_hint(document)}")
        return
    text = document.text[line.start : line.end]
    match = _COMMENT.fullmatch(text)
    if match is None:
        yield Violation(line.start, line.end, "malformed timestamp comment: no closing '-->'")
        return
    content_start = line.start + match.start("content")
    content_end = line.start + match.end("content")
    if match.group("rest").strip():
        rest_start = line.start + match.start("rest")
        yield Violation(rest_start, line.end, "unexpected text after the timestamp comment")
    content = match.group("content")
    value = content.strip()
    if value != content and epoch_number(value) is not None:
        yield Violation(content_start, content_end, "whitespace inside the timestamp comment",
                        Fix((Edit(content_start, content_end, value),), "safe",
                            "remove whitespace inside the timestamp comment"))
    yield from _check_value(value, content_start, content_end, options)


def _stray_lines(document: Document) -> Violation:
    """The one problem for lines the format does not have where the header should be
    (``Header.stray``): what they are, said once, at the first line (the title after them
    is checked by title-link). Only blank lines are removed (nothing else can go)."""
    header = document.header
    stray, timestamp = header.stray, header.timestamp
    assert stray is not None
    first, last = document.position(stray.start)[0], document.position(stray.end)[0]
    lines = f"line {first}" if first == last else f"lines {first}-{last}"
    if timestamp is not None and timestamp.start < stray.start:
        return Violation(timestamp.start, timestamp.end, f"timestamp comment above the front "
                         f"matter ({lines}): the front matter must come first, then the "
                         "timestamp comment")
    # (from the stray span's start: a doubled byte-order mark before it is not its text)
    opening = document.text[stray.start : document.line_span(first).end].strip()
    where = (f"before the timestamp comment (line {document.position(timestamp.start)[0]})"
             if timestamp is not None else "and no timestamp comment after it")
    line = header.first_line
    if opening in ("+++", "{"):
        kind = "TOML ('+++')" if opening == "+++" else "JSON ('{' ... '}')"
        return Violation(line.start, line.end, f"{kind} front matter ({lines}) {where}: the "
                         "format's front matter is YAML between '---' lines only")
    if opening == "---":
        return Violation(line.start, line.end, f"front matter never closed: no '---' line "
                         f"ends the one on line {first} {where}, so the file has no front "
                         "matter and its first line is not the timestamp comment")
    count = last - first + 1
    blank = "a blank line" if count == 1 else f"{count} blank lines"
    place = "the first line after the front matter" if header.front_matter else "the first line"
    after = document.next_line_start(stray.end)
    what = "line" if count == 1 else "lines"
    # Removed only above a timestamp comment: with none after them the blank lines stand
    # before the body's first line, and taking them away brings the file no nearer its
    # format (the timestamp comment is still missing).
    fix = (Fix((Edit(stray.start, after, ""),), "safe", f"remove the blank {what}")
           if timestamp is not None else None)
    return Violation(line.start, line.end,
                     f"{blank} {where}: the timestamp comment belongs on {place}", fix)


def _check_value(value: str, start: int, end: int, options: Mapping[str, Any]) -> Iterator[Violation]:
    if not value:
        yield Violation(start, end, "empty timestamp comment")
        return
    if _ISO_DATE.fullmatch(value):
        yield Violation(start, end, f"timestamp {value!r} is a date, not epoch milliseconds")
        return
    number = epoch_number(value)
    if number is None:
        # Other digits (１, ٣, ²) are no epoch for the pipelines that parse it, and get no
        # fix: the digits must not be mixed.
        other_digits = any(not char.isascii() and char.isnumeric() for char in value)
        yield Violation(start, end, f"malformed timestamp {value!r}: expected epoch milliseconds"
                        + (" in ASCII digits 0-9" if other_digits else ""))
        return
    earliest_ms = _parse_day(options["min-date"])
    end_of_today_ms = _parse_day(options["today"]) + _DAY_MS
    latest_ms = end_of_today_ms + duration_seconds(options["max-future"]) * 1000
    milliseconds = epoch_milliseconds(number)
    if milliseconds != number and earliest_ms <= milliseconds <= latest_ms:
        fixed = f"{milliseconds}"
        yield Violation(start, end, f"timestamp {value} is in seconds, not milliseconds "
                        f"(did you mean {fixed}?)",
                        Fix((Edit(end, end, "000"),), "safe", "convert seconds to milliseconds"))
        return
    if number < earliest_ms:
        yield Violation(start, end, f"implausible timestamp {value}: {iso_utc(number)} is before "
                        f"min-date {options['min-date']}")
    elif number > latest_ms:
        # The run's day is not named: a message that changed every day would make the
        # problem new to a baseline (and to SARIF and GitLab fingerprints) the next day.
        yield Violation(start, end, f"implausible timestamp {value}: {iso_utc(number)} is in the "
                        f"future (more than {options['max-future']} after the end of today, UTC)"
                        + _finer_unit(number, earliest_ms, latest_ms))


#: Finer units an epoch is written in by other tools, and how many make a millisecond.
_FINER_UNITS = (("microseconds", 1_000), ("nanoseconds", 1_000_000))


def _finer_unit(number: int, earliest_ms: int, latest_ms: int) -> str:
    """A hint when a timestamp in the future is a plausible one in microseconds or
    nanoseconds (Python's and JavaScript's clocks write them): no fix, as the digits it
    drops are the writer's, not cliplint's, to drop."""
    for unit, per_millisecond in _FINER_UNITS:
        if earliest_ms <= number // per_millisecond <= latest_ms:
            return f"; in {unit}, it would be {number // per_millisecond} milliseconds"
    return ""


@functools.lru_cache(maxsize=16)
def _parse_day(day: str) -> int:
    """The first millisecond of ``day`` (YYYY-MM-DD), UTC. Remembered: every file asks
    for the same two days (``min-date``, ``today``), and working one out costs more
    than checking the timestamp."""
    # fromisoformat, not strptime: the same answer for YYYY-MM-DD (the option's format),
    # without importing _strptime on every run.
    moment = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _date_line_hint(document: Document) -> str:
    span = document.header.date_line
    if span is None:
        return ""
    # The date line as a reader sees it: a bare CR (or another character that breaks a
    # line, which the document's lines do not end at) ends it, and what follows, the
    # body's first tag say, is no part of the date to quote.
    raw = BREAKING.split(document.text[span.start : span.end][3:], maxsplit=1)[0].strip()
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return ""
    if moment.tzinfo is None:
        return ""
    return f" (the date line says {raw}, which is <!--{int(moment.timestamp() * 1000)}-->)"
