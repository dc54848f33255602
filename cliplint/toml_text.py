"""TOML as a user writes it: values and key paths shown the way they are written in a
configuration file (``'^(\\d+)_'``, not Python's doubled backslashes), the line of a
file where each key is set, and for a file that is not valid TOML, the quotes a key lacks
(:func:`quoting_hint`).

tomllib gives no positions for valid TOML, so :func:`key_lines` scans the text itself:
table headers (``[a.b]``, ``[[a.b]]``), ``key = value`` lines with dotted and quoted keys,
and inside values the elements of arrays and the keys of inline tables, each at the line
where it starts. The file has already been read by tomllib, so the scan need not judge
it; on anything it does not follow it keeps what it found so far.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_value(value: Any) -> str:
    """``value`` written as TOML (a literal string when it can be one, so a regular
    expression or a glob shows its backslashes once)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if "'" not in value and not any(ord(c) < 0x20 or c == "\x7f" for c in value):
            return f"'{value}'"
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return str(value)


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted (double quotes, as keys
    usually are, unless the key holds what they would have to escape)."""
    if _BARE_KEY.fullmatch(key):
        return key
    if not re.search(r'["\\\x00-\x1f\x7f]', key):
        return f'"{key}"'
    return toml_value(key)


def key_path(path: Sequence[str | int]) -> str:
    """``rules.aggregator-boilerplate.entries[0].text[1]``, ``per-file-ignores."a/**"``."""
    written = ""
    for part in path:
        if isinstance(part, int):
            written += f"[{part}]"
        else:
            written += ("." if written else "") + toml_key(part)
    return written


def line_of(lines: Mapping[KeyPath, int], path: Sequence[str | int]) -> int | None:
    """The line of ``path``, or of the nearest key above it that has one."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


def key_lines(text: str) -> dict[KeyPath, int]:
    """Every key path set in the TOML ``text`` (array elements as ints), mapped to the
    1-based line where it is set (a table's: its header's; an implicit table's: the first
    line that makes it)."""
    scanner = _Scanner(text)
    try:
        scanner.document()
    except (IndexError, ValueError):
        pass  # something the scan does not follow: keep what it found
    return scanner.found


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.line = 1
        self.found: dict[KeyPath, int] = {}
        self.arrays: dict[KeyPath, int] = {}  # array-of-tables path -> its last index

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip(newlines=True)
            if self.at >= len(self.text):
                return
            line = self.line
            if self.text.startswith("[[", self.at):
                self.at += 2
                keys = self.resolve(self.key())
                self.expect("]]")
                index = self.arrays.get(keys, -1) + 1
                self.arrays[keys] = index
                table = (*keys, index)
                self.record(table, line)
            elif self.text.startswith("[", self.at):
                self.at += 1
                table = self.resolve(self.key())
                self.expect("]")
                self.record(table, line)
            else:
                path = (*table, *self.key())
                self.record(path, line)
                self.expect("=")
                self.value(path)

    def resolve(self, keys: tuple[str, ...]) -> KeyPath:
        """A header's key path with the current index of each array of tables in it
        (``[a.b]`` after ``[[a]]`` is a table in the last element of ``a``)."""
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            if path in self.arrays and path != keys:
                path = (*path, self.arrays[path])
        return path

    def record(self, path: KeyPath, line: int) -> None:
        for end in range(1, len(path) + 1):
            self.found.setdefault(path[:end], line)

    def value(self, path: KeyPath) -> None:
        self.skip(newlines=False)
        char = self.text[self.at]
        if char == "[":
            self.at += 1
            index = 0
            while True:
                self.skip(newlines=True)
                if self.text[self.at] == "]":
                    self.at += 1
                    return
                self.record((*path, index), self.line)
                self.value((*path, index))
                self.skip(newlines=True)
                if self.text[self.at] == ",":
                    self.at += 1
                index += 1
        elif char == "{":
            self.at += 1
            while True:
                self.skip(newlines=True)
                if self.text[self.at] == "}":
                    self.at += 1
                    return
                line = self.line
                keys = (*path, *self.key())
                self.record(keys, line)
                self.expect("=")
                self.value(keys)
                self.skip(newlines=True)
                if self.text[self.at] == ",":
                    self.at += 1
        elif char in "\"'":
            self.string()
        else:  # a number, a boolean, a date (which may hold a space)
            end = re.compile(r"[,\]}\n#]").search(self.text, self.at)
            self.at = end.start() if end else len(self.text)

    def key(self) -> tuple[str, ...]:
        parts = []
        while True:
            self.skip(newlines=False)
            if self.text[self.at] in "\"'":
                parts.append(self.string())
            else:
                bare = _BARE_KEY.match(self.text, self.at)
                if bare is None:
                    raise ValueError("not a key")
                parts.append(bare.group())
                self.at = bare.end()
            self.skip(newlines=False)
            if self.at < len(self.text) and self.text[self.at] == ".":
                self.at += 1
                continue
            return tuple(parts)

    def string(self) -> str:
        """Skip the string at ``at`` (any of TOML's four kinds) and return its value."""
        quote = self.text[self.at]
        start = self.at
        if self.text.startswith(quote * 3, self.at):
            end = self.text.index(quote * 3, self.at + 3)
            while self.text.startswith(quote, end + 3):  # up to two quotes end the content
                end += 1
            self.at = end + 3
        elif quote == "'":
            self.at = self.text.index("'", self.at + 1) + 1
        else:
            escaped = re.compile(r'"(?:[^"\\\n]|\\.)*"').match(self.text, self.at)
            if escaped is None:
                raise ValueError("unterminated string")
            self.at = escaped.end()
        written = self.text[start : self.at]
        self.line += written.count("\n")
        import tomllib

        return str(tomllib.loads(f"k = {written}")["k"])

    def skip(self, *, newlines: bool) -> None:
        """Skip spaces and comments (and line breaks, when ``newlines``)."""
        text = self.text
        while self.at < len(text):
            char = text[self.at]
            if char in " \t\r" or (newlines and char == "\n"):
                self.line += char == "\n"
                self.at += 1
            elif char == "#":
                end = text.find("\n", self.at)
                self.at = len(text) if end < 0 else end
            else:
                return

    def expect(self, token: str) -> None:
        self.skip(newlines=False)
        if not self.text.startswith(token, self.at):
            raise ValueError(f"expected {token}")
        self.at += len(token)


#: Where tomllib's message says the error is: "... (at line 3, column 14)".
_ERROR_AT = re.compile(r"\(at line (\d+), column \d+\)$")
#: A table header: its brackets, its keys, and what follows the keys.
_HEADER = re.compile(r"(?P<open>\s*\[\[?)(?P<keys>[^\]#]*)(?P<rest>.*)")
#: A ``key = value`` line: its key, and from the ``=`` on.
_ASSIGNMENT = re.compile(r"(?P<open>\s*)(?P<keys>[^=#\[]*?)(?P<rest>\s*=.*)")


def quoting_hint(text: str, error: str) -> str:
    """For tomllib's ``error`` in ``text``: `` (quote a key ...: [rules."example/x"])``
    when its line writes bare a key that holds what a bare key cannot (a plugin rule
    id's ``/``: ``[rules.example/shouting-title]``, or ``example/x = "warning"`` under
    ``[severity]``), and the line with that key quoted is valid TOML; else ``""``."""
    at = _ERROR_AT.search(error)
    lines = text.split("\n")
    if at is None or not 1 <= int(at[1]) <= len(lines):
        return ""
    number = int(at[1])
    quoted = _quoted_keys(lines[number - 1].rstrip("\r"), _table_before(lines, number))
    if quoted is None or not _valid_up_to(lines, number, quoted):
        return ""
    return (" (quote the key: in TOML a key with anything but letters, digits, '-' and "
            f"'_' in it, such as a plugin's rule id, is written in quotes: {quoted.strip()})")


#: The tables whose keys are globs, which hold dots of their own (``"docs/*.md"``).
_GLOB_TABLES = ("per-file-ignores", "tool.cliplint.per-file-ignores")


def _table_before(lines: Sequence[str], number: int) -> str:
    """The keys of the table line ``number`` is in, as its header writes them without
    spaces (``""`` before any header)."""
    for line in reversed(lines[: number - 1]):
        match = _HEADER.fullmatch(line.rstrip("\r")) if line.lstrip().startswith("[") else None
        if match is not None:
            return "".join(match["keys"].split())
    return ""


def _quoted_keys(line: str, table: str) -> str | None:
    """``line`` (in ``table``) with the bare keys that need quoting quoted; None when it
    has none. Each dotted part is quoted on its own (``[rules."example/x"]``,
    ``severity."example/x" = ...``), but for a glob of per-file-ignores, which holds dots
    of its own (``"docs/*.md" = [...]``). A line that quotes a key already is left to
    the user."""
    match = _HEADER.fullmatch(line) if line.lstrip().startswith("[") else (
        _ASSIGNMENT.fullmatch(line))
    if match is None or any(quote in match["keys"] for quote in "\"'"):
        return None
    keys = match["keys"].strip()
    if not keys or all(_BARE_KEY.fullmatch(key.strip()) for key in keys.split(".")):
        return None
    first, _, rest = keys.partition(".")
    if not match["open"].strip() and table in _GLOB_TABLES:
        keys = toml_key(keys)
    elif (not match["open"].strip() and first.strip() == "per-file-ignores"
          and f"{table}.per-file-ignores".lstrip(".") in _GLOB_TABLES):
        keys = f"{first.strip()}.{toml_key(rest.strip())}"
    else:
        keys = ".".join(toml_key(key.strip()) for key in keys.split("."))
    return f"{match['open']}{keys}{match['rest']}"


def _valid_up_to(lines: Sequence[str], number: int, replacement: str) -> bool:
    """Whether the TOML of ``lines`` with line ``number`` replaced is valid, at least up
    to that line (a later line may hold an error of its own)."""
    import tomllib

    try:
        tomllib.loads("\n".join([*lines[: number - 1], replacement, *lines[number:]]))
    except tomllib.TOMLDecodeError as error:
        later = _ERROR_AT.search(str(error))
        return later is not None and int(later[1]) > number
    except ValueError:  # (a number too long: tomllib read past the line)
        return True
    return True
