"""Durations written in options (``1d``, ``12h``) and instants shown in messages."""

from __future__ import annotations

from datetime import UTC, datetime

#: The JSON Schema pattern of a duration option: a number and a unit. At most 15 digits,
#: more than any real duration needs, so that the seconds convert to a float (rules add
#: them to floats); "(?!\n)" because Python's "$" (jsonschema's re.search) also matches
#: before a final line feed, and "2d\n" is no duration.
DURATION_PATTERN = r"^\d{1,15}[smhd](?!\n)$"
#: DURATION_PATTERN in words, for a configuration error ("patternDescription").
DURATION_WORDS = ("a duration: up to 15 digits and one of s, m, h, d (seconds, minutes, "
                  "hours, days), such as 12h")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration_seconds(text: str) -> int:
    """Seconds in a duration matching DURATION_PATTERN (``90s``, ``15m``, ``12h``, ``2d``)."""
    return int(text[:-1]) * _UNIT_SECONDS[text[-1]]


def iso_utc(milliseconds: int) -> str:
    """An epoch in milliseconds as ``2023-06-14T21:39:04Z``, or where it lies when no
    calendar date of the years 1-9999 is that instant."""
    try:
        return datetime.fromtimestamp(milliseconds / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return "a date past the year 9999" if milliseconds > 0 else "a date before the year 1"
