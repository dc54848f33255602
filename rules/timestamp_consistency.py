"""The timestamp comment must agree with the publication date the clipping states.

Why: the timestamp comment is what archives sort and expire by; the date in the
clipping is what a reader sees. When they disagree by days, one of them is wrong: a bot
that wrote the clipping time of a re-scraped old item, a date parsed in the wrong time
zone or month order, a feed that re-dated its items.

Compared with the timestamp (``<!--N-->``, epoch milliseconds), each date the clipping
states, where this archive family writes one:

- the front matter's ``date``, in a YAML front matter (``---``; its top-level keys as
  Jekyll reads them, with libyaml, here through PyYAML: a line of a quoted title, a flow
  list or a block scalar over several lines is none, nor is a nested mapping's; a date
  over two lines is read as YAML folds it, into one; of a key written twice the last
  counts; a date merged in from an anchored mapping (``<<: *defaults``) counts as
  Jekyll's safe_yaml merges it, over a date written before the ``<<`` line and under one
  written after it, named at that line, and one in a mapping written after ``<<:`` does
  not; a front matter YAML refuses, a quote never closed, say, one longer than 65,536
  characters, or one with a merge Jekyll refuses (``<<: [*a, *b]``, a merge of a scalar),
  is not read) or in Hugo's TOML one (``+++``,
  ``date = 2023-06-09T14:30:00Z``; its top-level keys, above any ``[table]``, as TOML
  reads them: a line of a multi-line string is none, and a front matter that is no TOML
  is not read),
  written as ISO dates are (Jekyll: ``2020-11-12T09:15:08.000Z``,
  ``2020-11-12 09:15:08 +0800``, ``2020-11-12``), the same with slashes, year first
  (``2023/06/09``, ``2023/6/9 14:30``), or as RSS dates are (RFC 2822, which scrapers
  copy: ``Fri, 09 Jun 2023 14:30:00 +0000``). Hugo's ``publishDate`` (or its aliases
  ``pubdate`` and ``published``, in any case) is compared instead when the front matter
  has one, as Hugo takes it for when the page was published; a key whose value holds no
  digit (Jekyll's ``published: true``, an empty value) states no date. ``lastmod`` and
  ``expiryDate`` say when the page changed and when it leaves the site: they are never
  compared. A value in none of these forms is not compared, and neither is ``date`` in
  place of a ``publishDate`` so written: ``06/09/2023`` may be June or September,
  ``June 9, 2023`` is not read;
- the ``日期：`` line under the title (``日期：Tue, 23 Jun 2020 05:40:58 +0000``);
- the body's date line: its first element, a ``<div>`` holding at most two short lines
  (split by ``<br>``) of which the last is a date alone:
  ``<div><i>Wed, 14 Jun 2023 21:03:30 GMT</i></div>``,
  ``<div><i>RAYMOND ZHONG<br>2020-07-20 12:40:46</i></div>`` (an author line, then an ISO
  date), ``<div>29/06/2020 - 17:05</div>`` (day first; when both numbers could be the
  month, either reading is accepted), ``<div><i>2020年 7月 16日</i></div>`` (a day).

A date without a time zone is read in every zone from UTC-12 to UTC+14, a day as any
moment of it, and so is one in ``CST`` or ``AST`` (RFC 822 gives them America's
offsets; Chinese and Arabic feeds write them for UTC+8 and UTC+3); the timestamp is reported when it lies more than ``tolerance`` outside
that. A timestamp that would agree if it were in seconds is ``timestamp-comment``'s
problem and is not reported here.

The default tolerance, two days, comes from the two corpora this project is tested on
(3,054 stated dates; ``scripts/count_rule_hits.py --distribution``): the timestamp is
when the feed aggregator picked the item up, never before the stated date, up to 28
hours after it for dates with a zone (95% within 3 hours, 99% within 12), up to 18 hours
past the last moment a date without a zone, or a day, can mean; the front matter's date
equals it in all 1,025 Jekyll clippings. Two days leave room above the largest lag.

Bad::

    <!--1687640344000-->                          2023-06-24T20:59:04Z
    [Title](https://example.com/a/1)
    ------

    <div><i>Wed, 14 Jun 2023 21:03:30 GMT</i></div><p>...</p>

Good::

    <!--1686778744000-->                          2023-06-14T21:39:04Z
    ...
    <div><i>Wed, 14 Jun 2023 21:03:30 GMT</i></div><p>...</p>

Options:

- ``tolerance`` (``"2d"``): how far the timestamp may lie from a stated date (``s``,
  ``m``, ``h``, ``d`` units).

Fix: none. Which of the two dates is wrong is for a person to find out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any, NamedTuple

from cliplint.document import Document
from cliplint.facts import epoch_number
from cliplint.rule_io import Violation
from cliplint_rules._time import DURATION_PATTERN, DURATION_WORDS, duration_seconds, iso_utc

ID = "timestamp-consistency"
SEVERITY = "warning"
FIX = None
OPTIONS = {
    "type": "object",
    "properties": {
        "tolerance": {
            "type": "string",
            "pattern": DURATION_PATTERN,
            "patternDescription": DURATION_WORDS,
            "default": "2d",
            "description": "How far the timestamp may lie from a stated date, e.g. 2d, 12h.",
        },
    },
}

_TIMESTAMP = re.compile(r"<!--[ \t]*([0-9]+)[ \t]*-->")
#: A top-level key of a YAML front matter (``key: value``) or a TOML one (``key = value``)
#: that states when the clipping was published: ``date``, or Hugo's ``publishDate`` and
#: its aliases, which Hugo reads in any case.
_DATE_KEYS = r"date|(?i:publishdate|pubdate|published)"
_YAML_DATE = re.compile(_DATE_KEYS)
#: Which key is compared when several are there: the first of these, as Hugo takes a
#: page's publish date (publishDate, its aliases, then date).
_KEY_ORDER = {"publishdate": 0, "pubdate": 1, "published": 2, "date": 3}


# A TOML front matter's patterns, and the rarer date forms', are compiled when first
# needed (a cache): a one-file run's start-up compiles every pattern of every rule, and
# few clippings have either.
@cache
def _toml_date() -> re.Pattern[str]:
    return re.compile(rf"^(?P<key>{_DATE_KEYS})[ \t]*=[ \t]*(?P<value>.*?)[ \t]*\r?$",
                      re.MULTILINE)


@cache
def _toml_fences() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The front matter's opening line (matched at its start) and closing line."""
    return re.compile(r"\+\+\+[ \t]*\r?\n"), re.compile(r"^\+\+\+[ \t]*\r?$", re.MULTILINE)


@cache
def _toml_table() -> re.Pattern[str]:
    """A TOML table header (``[params]``): the keys below it are not the front matter's own."""
    return re.compile(r"^[ \t]*\[", re.MULTILINE)


# ASCII digits and spaces only ([0-9], not \d): dates are written so, and a regex of
# ASCII classes compiles several times faster at start-up.
_TIME_AND_ZONE = (r"(?:[T ](?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?))?"
                  r"[ \t]*(?P<zone>Z|[+-][0-9]{2}:?[0-9]{2})?")
_ISO = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})" + _TIME_AND_ZONE)


@cache
def _slashed_date() -> re.Pattern[str]:
    """``2023/06/09``: year, month and day, as written year first (no one writes the day
    before the month after the year); the month and the day may have one digit."""
    return re.compile(r"(?P<year>[0-9]{4})/(?P<month>[0-9]{1,2})/(?P<day>[0-9]{1,2})"
                      + _TIME_AND_ZONE)


_RFC_822 = re.compile(r"(?:[A-Za-z]{3},[ \t]*)?[0-9]{1,2}[ \t]+[A-Za-z]{3}[ \t]+[0-9]{4}[ \t]+"
                      r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?:[ \t]+(?:[A-Za-z]{1,5}|[+-][0-9]{4}))?")
#: Zone names RFC 822 gives America's offsets, which feeds elsewhere write for their own:
#: China Standard Time (UTC+8) and Arabia Standard Time (UTC+3). Read as no zone.
_AMBIGUOUS_ZONE = re.compile(r"[ \t](?:CST|AST)$", re.IGNORECASE)
_DAY_MONTH = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4}) - ([0-9]{2}):([0-9]{2})")
_CJK_DAY = re.compile(r"([0-9]{4})年[ \t]*([0-9]{1,2})月[ \t]*([0-9]{1,2})日")
#: How far local time may be ahead of UTC (UTC+14, Kiribati) and behind it (UTC-12).
_AHEAD = 14 * 3600
_BEHIND = 12 * 3600
_DAY = 86400
#: The body's date line is short: its lines are at most this long.
_DATE_LINE_TEXT = 80


class _Key(NamedTuple):
    """A front matter's key that may state a date: its name, its value, and where it is
    (a YAML key, a TOML key's line)."""

    name: str
    value: str
    offset: int


class _Stated(NamedTuple):
    """A date the clipping states: where (for messages), as written, and the earliest
    and latest instants it can mean, in epoch seconds (floats: no overflow at year 1
    or 9999, where datetime arithmetic has one)."""

    where: str
    written: str
    earliest: float
    latest: float
    zoned: bool


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    span = document.header.timestamp
    if span is None:
        return
    match = _TIMESTAMP.fullmatch(document.text, span.start, span.end)
    # [0-9] only, as epoch_number reads them; it caps the absurdly long (float() and int()
    # refuse them).
    milliseconds = None if match is None else epoch_number(match.group(1))
    if match is None or milliseconds is None:
        return  # timestamp-comment reports what is wrong with it
    stated = list(_stated_dates(document))
    if not stated:
        return
    moment = milliseconds / 1000
    tolerance = duration_seconds(options.get("tolerance", "2d"))
    for date in stated:
        gap = _gap(moment, date, tolerance)
        if gap is None:
            continue
        if _gap(float(milliseconds), date, tolerance) is None:
            continue  # a timestamp in seconds: timestamp-comment's problem
        direction = "after" if gap > 0 else "before"
        # Without a zone, the gap is from the nearest moment the date can mean.
        zone, least = ("", "") if date.zoned else (", read in any time zone", "at least ")
        yield Violation(match.start(1), match.end(1), (
            f"timestamp {iso_utc(milliseconds)} is {least}{_span(abs(gap))} {direction} the date "
            f"{date.where} states ({date.written!r}{zone}); more than the tolerance of "
            f"{options.get('tolerance', '2d')}"))


def _gap(moment: float, date: _Stated, tolerance: float) -> float | None:
    """How far a moment lies past the latest (positive) or before the earliest
    (negative) instant the date can mean, when that is more than the tolerance
    (all in seconds)."""
    if moment > date.latest + tolerance:
        return moment - date.latest
    if moment < date.earliest - tolerance:
        return moment - date.earliest
    return None


def _span(seconds_apart: float) -> str:
    days, seconds = divmod(int(seconds_apart), 86400)
    if days >= 365:
        return f"{days / 365.25:.1f} years"
    if days:
        return f"{days}d {seconds // 3600}h"
    return f"{seconds // 3600}h {seconds % 3600 // 60}m"


def _stated_dates(document: Document) -> Iterator[_Stated]:
    header = document.header
    text = document.text
    found = _front_matter_date(document)
    if found is not None:
        line = document.position(found.offset)[0]
        yield from _parsed(found.value, f"the front matter (line {line})",
                           (_iso, _slashed, _rfc_822))
    if header.date_line is not None:
        value = text[header.date_line.start : header.date_line.end][3:].strip()
        line = document.position(header.date_line.start)[0]
        yield from _parsed(value, f"the 日期 line (line {line})", (_rfc_822,))
    found_line = _body_date_line(document)
    if found_line is not None:
        value, offset = found_line
        line, column = document.position(offset)
        yield from _parsed(value, f"the body's date line ({line}:{column})",
                           (_rfc_822, _iso, _day_month, _cjk_day))


def _front_matter_date(document: Document) -> _Key | None:
    """The front matter's key that states when the clipping was published: of its
    top-level keys that hold a digit, the first publishDate, pubdate, published or date,
    in that order (a key without one states no date: Jekyll's ``published: true``, an
    empty value)."""
    keys = _yaml_keys(document) if document.header.front_matter is not None \
        else _toml_keys(document)
    found = [key for key in keys if any(character in "0123456789" for character in key.value)]
    return min(found, key=lambda key: (_KEY_ORDER[key.name.lower()], key.offset), default=None)


def _yaml_keys(document: Document) -> list[_Key]:
    """The date keys of a YAML front matter, with a scalar value, as YAML reads them
    (:mod:`cliplint.yaml_front_matter`): a line of a quoted title or of a flow list over
    several lines is no key, a merged one is. Empty when the front matter is not read (a
    quote never closed: Jekyll reads no date either)."""
    front_matter = document.yaml_front_matter
    if front_matter is None:
        return []
    from yaml import ScalarNode  # (loaded: the front matter was read)

    return [_Key(name, key.value.value.strip(), key.offset)
            for name, key in front_matter.keys.items()
            if isinstance(key.value, ScalarNode) and _YAML_DATE.fullmatch(name)]


def _toml_keys(document: Document) -> list[_Key]:
    """The date keys of Hugo's TOML front matter (``+++``) before the timestamp comment,
    above its first table, as TOML reads them: a line of a multi-line string
    (``summary = '''...``) can read as a key too. Empty when the front matter is no
    TOML (Hugo would not read it either)."""
    span = _toml_span(document)
    if span is None:
        return []
    start, end = span
    found = list(_toml_date().finditer(document.text, start, end))
    if not found:
        return []
    import tomllib  # (only for a front matter that has a date key)

    # What tomllib raises for text it cannot read: TOMLDecodeError (a ValueError), the
    # ValueError of an integer longer than Python converts, and a RecursionError for
    # arrays nested thousands deep (cliplint.config reads a configuration file so too).
    try:
        keys = tomllib.loads(document.text[start:end])
    except (ValueError, RecursionError):
        return []

    def is_key(match: re.Match[str]) -> bool:
        try:  # (a line of a string need not be TOML)
            return tomllib.loads(match.group(0).strip()).items() <= keys.items()
        except (ValueError, RecursionError):
            return False

    return [_Key(match.group("key"), match.group("value").strip("'\""), match.start())
            for match in found if is_key(match)]


def _toml_span(document: Document) -> tuple[int, int] | None:
    """Where the top-level keys of Hugo's TOML front matter (``+++``) are: before the
    timestamp comment, down to its first table."""
    header = document.header
    if header.stray is None:
        return None
    text = document.text
    opening_line, closing_line = _toml_fences()
    opening = opening_line.match(text, header.stray.start, header.stray.end)
    closing = None if opening is None else closing_line.search(text, opening.end(),
                                                               header.stray.end)
    if opening is None or closing is None:
        return None
    table = _toml_table().search(text, opening.end(), closing.start())
    return opening.end(), closing.start() if table is None else table.start()


def _body_date_line(document: Document) -> tuple[str, int] | None:
    """The last line of the body's first element, when that is a short ``<div>`` of at
    most two lines, and where the element starts."""
    if document.header.body.end == document.header.body.start:
        return None
    body = document.body
    fragment = body.fragment
    if len(fragment) == 0 or (fragment.text or "").strip():
        return None
    first = fragment[0]
    token = body.start_tag(first)
    if first.tag != "div" or token is None:
        return None
    lines = [line.strip() for line in _lines(first) or () if line.strip()]
    if not lines or len(lines) > 2 or any(len(line) > _DATE_LINE_TEXT for line in lines):
        return None
    return lines[-1], token.start


def _lines(root: Any) -> list[str] | None:
    """The text of an element, cut into lines at each ``<br>``; comments left out.
    ``None`` past a few lines' worth of text: the first element may be the whole body."""
    lines = [""]
    stack = [(root, False)]
    while stack:
        element, closing = stack.pop()
        if closing:
            if element is not root and element.tail:
                lines[-1] += element.tail
            continue
        if element.tag == "br":
            lines.append("")
        elif isinstance(element.tag, str) and element.text:
            lines[-1] += element.text
        if len(lines) > 3 or len(lines[-1]) > _DATE_LINE_TEXT:
            return None
        stack.append((element, True))
        if isinstance(element.tag, str):
            stack.extend((child, False) for child in reversed(element))
    return lines


def _parsed(value: str, where: str, parsers: tuple[Any, ...]) -> Iterator[_Stated]:
    for parser in parsers:
        stated = parser(value, where)
        if stated is not None:
            yield stated
            return


def _rfc_822(value: str, where: str) -> _Stated | None:
    if not _RFC_822.fullmatch(value):
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if _AMBIGUOUS_ZONE.search(value):
        moment = moment.replace(tzinfo=None)  # its wall time, in any zone
    return _moment(moment, value, where)


def _iso(value: str, where: str, pattern: re.Pattern[str] = _ISO) -> _Stated | None:
    match = pattern.fullmatch(value)
    if match is None:
        return None
    zone = match.group("zone")
    if zone == "Z":
        zone = "+00:00"
    elif zone and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    date = f"{match.group('year')}-{match.group('month'):0>2}-{match.group('day'):0>2}"
    if match.group("time") is None:
        try:
            return _day(datetime.fromisoformat(date), value, where)
        except ValueError:
            return None
    try:
        moment = datetime.fromisoformat(f"{date}T{match.group('time')}{zone or ''}")
    except ValueError:
        return None
    return _moment(moment, value, where)


def _slashed(value: str, where: str) -> _Stated | None:
    return _iso(value, where, _slashed_date())


def _day_month(value: str, where: str) -> _Stated | None:
    match = _DAY_MONTH.fullmatch(value)
    if match is None:
        return None
    first, second, year, hour, minute = (int(group) for group in match.groups())
    readings = []
    for day, month in ((first, second), (second, first)):  # day first, as written; or US
        try:
            readings.append(_moment(datetime(year, month, day, hour, minute), value, where))
        except ValueError:
            continue
    if not readings:
        return None
    return readings[0]._replace(earliest=min(r.earliest for r in readings),
                                latest=max(r.latest for r in readings))


def _cjk_day(value: str, where: str) -> _Stated | None:
    match = _CJK_DAY.fullmatch(value)
    if match is None:
        return None
    try:
        year, month, date = (int(group) for group in match.groups())
        day = datetime(year, month, date)
    except ValueError:
        return None
    return _day(day, value, where)


def _moment(moment: datetime, value: str, where: str) -> _Stated:
    """An instant, or with no zone every instant it can be from UTC-12 to UTC+14."""
    if moment.tzinfo is not None:
        instant = moment.timestamp()
        return _Stated(where, value, instant, instant, True)
    local = moment.replace(tzinfo=UTC).timestamp()
    return _Stated(where, value, local - _AHEAD, local + _BEHIND, False)


def _day(day: datetime, value: str, where: str) -> _Stated:
    """Any moment of a day, in any time zone."""
    start = day.replace(tzinfo=UTC).timestamp()
    return _Stated(where, value, start - _AHEAD, start + _DAY + _BEHIND, False)
