"""'Did you mean ...?' for a mistyped name (a rule id, a configuration key)."""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` naming the choice closest to ``word``, or ``""`` when none
    is close enough (difflib's similarity of at least 0.6, ``get_close_matches``)."""
    if not isinstance(word, str):
        return ""
    import difflib  # only when something is mistyped

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
