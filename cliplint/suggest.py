"""'Did you mean ...?' for a mistyped name (a rule id, a configuration key)."""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` naming the choice closest to ``word``, or ``""`` when none
    is close enough (see :func:`closest`)."""
    close = closest(word, choices)
    return f" (did you mean {close!r}?)" if close is not None else ""


def closest(word: object, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word``: one that differs from it only in case
    (``TITLE-LINK``, ``all``), else the one most like it, case aside, with difflib's
    similarity of at least 0.6 (``get_close_matches``); None when none is close enough.
    (Case aside: difflib compares characters as they are, and ``TITLE-LINK`` had nothing
    in common with ``title-link``.)"""
    if not isinstance(word, str):
        return None
    import difflib  # only when something is mistyped

    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(choice.casefold(), choice)
    folded = word.casefold()
    if folded in by_folded:
        return by_folded[folded]
    close = difflib.get_close_matches(folded, list(by_folded), n=1)
    return by_folded[close[0]] if close else None
