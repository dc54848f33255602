"""Durations written in options (``1d``, ``12h``) and instants shown in messages."""

from __future__ import annotations

from datetime import UTC, datetime

#: The JSON Schema pattern of a duration option: a number and a unit. At most 15 digits,
#: more than any real duration needs, so that the seconds convert to a float (rules add
#: them to floats); "(?!\n)" because Python's "$" (jsonschema's re.search) also matches
#: before a final line feed, and "2d\n" is no duration.
DURATION_PATTERN = r"^\d{1,15}[smhd](?!\n)$"
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: Past this many significant digits a timestamp is read as this much: far beyond year
#: 9999 either way, and int() refuses more than 4300 digits, float() numbers past 1e308.
_EPOCH_DIGITS = 30
_EPOCH_CAP = 10**_EPOCH_DIGITS


def duration_seconds(text: str) -> int:
    """Seconds in a duration matching DURATION_PATTERN (``90s``, ``15m``, ``12h``, ``2d``)."""
    return int(text[:-1]) * _UNIT_SECONDS[text[-1]]


def epoch_number(digits: str) -> int | None:
    """The number a timestamp comment's digits write, or ``None`` unless they are all
    ASCII ``0``-``9`` (what pipelines parse): ``str.isdigit`` also takes ``²`` (which
    ``int`` refuses) and ``１`` or ``٣`` (which it reads, but the contract does not mean).
    More than 30 significant digits read as ``10**30``."""
    if not (digits.isascii() and digits.isdigit()):
        return None
    significant = digits.lstrip("0")
    return int(significant or "0") if len(significant) <= _EPOCH_DIGITS else _EPOCH_CAP


def iso_utc(milliseconds: int) -> str:
    """An epoch in milliseconds as ``2023-06-14T21:39:04Z``."""
    try:
        return datetime.fromtimestamp(milliseconds / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return "a date out of range"
