"""JSON that users give cliplint (a baseline, a stats file for ``--compare``, an option's
value): read with every failure a ``ValueError`` whose message says what is wrong."""

from __future__ import annotations

import json
from typing import Any


def parse_json(text: str | bytes) -> Any:
    """``json.loads(text)``; ``ValueError`` for text that is not JSON (a
    ``JSONDecodeError``, bytes that are not UTF-8, a number of more digits than Python
    converts) and for JSON nested past the interpreter's recursion limit. A byte order
    mark before it is read past, as RFC 8259 allows (editors on Windows write one);
    ``json.loads`` already does so for bytes."""
    if isinstance(text, str):
        text = text.removeprefix("\ufeff")
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
