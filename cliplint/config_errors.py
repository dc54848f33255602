"""What an invalid configuration's errors say: for each, the file and line where the key
is set, the key path and the value as the TOML file writes them (``tool.cliplint.select[0]``,
``'^(\\d+'`` rather than Python's ``'^(\\\\d+'``), what was expected, and the closest known
name for a mistyped key or rule id. Loaded only when a configuration is invalid."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from cliplint.suggest import did_you_mean
from cliplint.toml_text import KeyPath, key_lines, key_path, line_of, toml_value

#: Where a pyproject.toml keeps cliplint's table.
PYPROJECT_TABLE = ("tool", "cliplint")
#: The most characters of a value from the file (a rule id, a key, a pattern: written as
#: TOML writes it) that a message echoes, and of a key path: a 5 MB rule id made a 5 MB
#: error. A longer one is cut (:func:`_cut`) and says how long it was.
ECHOED = 100
#: The most characters of the rest of a jsonschema message (the schema's words: an
#: enum's choices may be many), cut only in case one echoes the file's text too.
_SCHEMA_TEXT = 2_000
#: The most choices the message of a value that is none of them lists; of more, it says
#: how many there are (well-formed-html's ignore-codes takes some 170 names).
_LISTED_CHOICES = 30
#: The keyword a schema with a ``"pattern"`` may carry beside it: what a value that
#: matches is, in words, with an example (``"a duration: ..., such as 12h"``). A value
#: that does not match is then said not to be that, instead of not matching a regular
#: expression only its author reads (docs/plugins.md, Options).
PATTERN_WORDS = "patternDescription"


class _Said(NamedTuple):
    shown: KeyPath  # the key path the message names
    at: KeyPath  # the key path whose line it gives
    message: str


def describe(errors: Iterable[Any], source: str,
             given: str | os.PathLike[str] | None) -> list[str]:
    """One line per problem of ``errors`` (jsonschema's ``ValidationError``), indented,
    ``source:LINE: key.path: message`` (without the line when it is unknown: a table
    given to the library); ``given``: the file the table was read from, if any."""
    file = None if given is None else Path(given)
    lines: dict[KeyPath, int] = {}
    prefix: KeyPath = ()
    if file is not None:
        if file.name == "pyproject.toml":
            prefix = PYPROJECT_TABLE
        try:
            lines = key_lines(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            pass  # it was read a moment ago; without lines the errors still say the keys
    described = []
    written_in = file.name if file is not None else "this configuration"
    for error in errors:
        for said in _said(error, written_in):
            line = line_of(lines, (*prefix, *said.at)) if lines else None
            where = f"{source}:{line}: " if line is not None else ""
            shown = _cut(key_path((*prefix, *said.shown)), middle=True)
            described.append((line or 0, f"  {where}{shown + ': ' if shown else ''}{said.message}"))
    return [text for _, text in sorted(described, key=lambda item: item[0])]  # in file order


def _said(error: Any, written_in: str) -> list[_Said]:
    """What ``error`` says, for a table read from ``written_in`` (a file's name: in a
    file other than pyproject.toml, cliplint's keys are at the top level)."""
    path: KeyPath = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(known))
        hints = {key: did_you_mean(key, known) for key in extra}
        if not path and written_in != "pyproject.toml" and "tool" in hints:
            hints["tool"] = _pyproject_form(error.instance["tool"], written_in)
        return [_Said(path, (*path, key), f"unknown key {_cut(repr(key))}{hints[key]}")
                for key in extra]
    choices = [choice for choice in error.schema.get("enum", ()) if isinstance(choice, str)]
    if "propertyNames" in error.schema_path:  # a key the table does not allow
        if error.validator == "enum":  # an unknown rule under [rules] or [severity]
            return [_Said(path, (*path, error.instance), _unknown_rule(error.instance, choices))]
        return [_Said(path, (*path, error.instance), f"key {_message(error)}")]
    if error.validator == "enum" and "ALL" in choices:  # select, ignore, per-file-ignores
        if not isinstance(error.instance, str):  # `ignore = [1]`: no rule id, unknown or not
            return [_Said(path, path, f"{_written(error.instance)} is not a rule id: a rule "
                          "id is a string, written in quotes ('title-link', 'ALL', or a "
                          "plugin prefix 'name/')")]
        return [_Said(path, path, _unknown_rule(error.instance, choices))]
    return [_Said(path, path, _message(error))]


def _pyproject_form(tool: object, written_in: str) -> str:
    """What an unknown top-level key ``tool`` is, when it holds ``[tool.cliplint]``:
    pyproject.toml's table, written in a file of cliplint's own."""
    if not isinstance(tool, dict) or PYPROJECT_TABLE[1] not in tool:
        return ""
    return (f" (in {written_in} cliplint's keys go at the top level, without "
            "[tool.cliplint]: that table is pyproject.toml's form)")


def _unknown_rule(rule: object, choices: Sequence[str]) -> str:
    written = _cut(repr(rule)) if isinstance(rule, str) else _written(rule)
    return f"unknown rule {written}{did_you_mean(rule, choices)} (see 'cliplint rules')"


def _written(value: object) -> str:
    """``value`` as the file writes it (:func:`toml_value`), cut to :data:`ECHOED`."""
    return _cut(toml_value(value))


def _cut(text: str, middle: bool = False, limit: int = ECHOED) -> str:
    """``text`` when it has at most ``limit`` characters; else its start (with
    ``middle``, its start and its end: a key path's last key says most) around "…",
    and how long it was: ``'xxxx…' (5,000,002 characters)``."""
    if len(text) <= limit:
        return text
    length = f" ({len(text):,} characters)"
    if middle:
        half = limit // 2
        return f"{text[:half]}…{text[-half:]}{length}"
    return f"{text[:limit]}…{length}"


def _message(error: Any) -> str:
    value = error.instance
    if error.validator == "format" and error.validator_value in ("regex", "regex-with-group"):
        try:
            re.compile(value)
        except re.error as reason:
            return f"{_written(value)} is not a valid regular expression ({reason})"
        if error.validator_value == "regex-with-group":
            return (f"{_written(value)} has no group: the rule takes what the first "
                    "group, in parentheses, matches")
    if error.validator == "format" and error.validator_value == "date":
        if error.cause is not None:  # written YYYY-MM-DD, but no such day
            return f"{_written(value)} is not a valid date ({error.cause})"
        return f"{_written(value)} is not a date written YYYY-MM-DD"
    if error.validator == "format" and error.validator_value == "code-point":
        return f"{_written(value)} is not a Unicode code point (the last is U+10FFFF)"
    if error.validator == "pattern" and isinstance(error.schema.get(PATTERN_WORDS), str):
        return f"{_written(value)} is not {_cut(error.schema[PATTERN_WORDS], limit=_SCHEMA_TEXT)}"
    if error.validator == "not" and "description" in error.schema:
        # A "not" says what must not be: its description says why (jsonschema's own
        # message shows the negated schema).
        return f"{_written(value)}: {error.schema['description']}"
    if error.validator == "enum":
        choices = error.validator_value
        hint = did_you_mean(value, [choice for choice in choices if isinstance(choice, str)])
        if len(choices) > _LISTED_CHOICES:  # what they are, when the schema says it
            about = error.schema.get("description")
            said = f": {_cut(about, limit=_SCHEMA_TEXT)}" if isinstance(about, str) else ""
            return (f"{_written(value)} is not one of the {len(choices)} values it takes"
                    f"{said}{hint}")
        return _jsonschema_message(error) + hint
    return _jsonschema_message(error)


def _jsonschema_message(error: Any) -> str:
    value = error.instance
    message: str = error.message
    # jsonschema starts its messages with the value's Python repr: show it as TOML does.
    # The rest of it is the schema's (the choices of an enum, a pattern): cut only in
    # case a message echoes the file's text elsewhere.
    if message.startswith(repr(value)):
        return _written(value) + _cut(message[len(repr(value)):], limit=_SCHEMA_TEXT)
    return _cut(message, limit=_SCHEMA_TEXT)
