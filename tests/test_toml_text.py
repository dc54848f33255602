"""TOML as the user wrote it: the line of every key (for configuration errors) and values
and key paths written back as TOML."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

from cliplint.toml_text import key_lines, key_path, line_of, toml_value

TRICKY = '''\
# a comment [not.a.table] = 1
top = "a # not a comment"   # a comment
"quoted.key" = 1
dotted.inner = 'x'
multi = """
line one
line two"""

[table]
list = [
  "a",  # first
  'b',

  ["c", 'd'],
]
inline = { a = 1, "b.c" = { d = [1,
  2] } }
date = 1979-05-27 07:32:00Z

[[array]]
name = "first"

[[array]]
name = "second"
[array.sub]
deep = "it's"

[table.'literal key']
x = LLL
multi
literal\\LLL
after = true
'''.replace("LLL", "'" * 3)  # a multi-line literal string (its backslash is text)


def _leaves(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    yield path


def test_every_key_and_element_tomllib_reads_has_its_line() -> None:
    lines = key_lines(TRICKY)
    for path in _leaves(tomllib.loads(TRICKY)):
        if path:
            assert path in lines, path


@pytest.mark.parametrize(("path", "line"), [
    (("top",), 2),
    (("quoted.key",), 3),
    (("dotted", "inner"), 4),
    (("multi",), 5),
    (("table",), 9),
    (("table", "list", 0), 11),
    (("table", "list", 1), 12),
    (("table", "list", 2, 1), 14),
    (("table", "inline", "b.c", "d", 1), 17),
    (("table", "date"), 18),
    (("array", 0, "name"), 21),
    (("array", 1), 23),
    (("array", 1, "sub", "deep"), 26),
    (("table", "literal key", "x"), 29),
    (("table", "literal key", "after"), 32),
])
def test_key_lines(path: tuple[str | int, ...], line: int) -> None:
    assert key_lines(TRICKY)[path] == line


def test_a_path_without_a_line_of_its_own_takes_its_parents() -> None:
    lines = key_lines("[rules.timestamp-comment]\nmin-date = 1995\n")
    assert line_of(lines, ("rules", "timestamp-comment", "max-past")) == 1
    assert line_of(lines, ("rules", "timestamp-comment", "min-date")) == 2
    assert line_of(lines, ("select",)) is None


def test_what_the_scan_does_not_follow_keeps_what_it_found() -> None:
    # Not TOML (tomllib would have refused it before): no exception, the lines before.
    assert key_lines("a = 1\nb = ???\n[c\n") == {("a",): 1, ("b",): 2}


def test_values_and_key_paths_are_written_as_toml() -> None:
    assert toml_value(r"^(\d+)_") == r"'^(\d+)_'"  # a backslash once, as written
    assert toml_value("it's") == '"it\'s"'
    assert toml_value([1, True, "a"]) == "[1, true, 'a']"
    assert toml_value({"a b": 1}) == '{ "a b" = 1 }'
    assert key_path(["per-file-ignores", "legacy/**", 0]) == 'per-file-ignores."legacy/**"[0]'
    assert key_path(["rules", "example/shouting-title", "min-letters"]) == \
        'rules."example/shouting-title".min-letters'
    assert key_path(["a\\b"]) == "'a\\b'"
