"""The library entry points, called in-process as a scraper would."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, run_cliplint

from cliplint import fix_text, lint_text
from cliplint.config import ConfigError


def test_lint_text_returns_picklable_problems() -> None:
    problems = lint_text(GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->"), path="a.md")
    assert [(p.rule, p.line, p.column, p.path) for p in problems] == [("timestamp-comment", 1, 5, "a.md")]
    assert pickle.loads(pickle.dumps(problems)) == problems


def test_lint_text_validates_its_config() -> None:
    with pytest.raises(ConfigError, match=r"config: invalid configuration:\n  selct: unknown|unknown key 'selct'"):
        lint_text(GOOD_CLIPPING, config={"selct": ["ALL"]})
    # A ValueError, as Python's own wrong values are: a scraper catches that.
    with pytest.raises(ValueError, match="max-file-size"):
        fix_text(GOOD_CLIPPING, config={"max-file-size": -1})
    # Past sys.maxsize, every rule crashed: "Stop argument for islice() must be ...".
    with pytest.raises(ConfigError, match="max-problems-per-rule: 1000000000000000000000000000000 "
                       "is greater than the maximum of 1000000000"):
        lint_text(GOOD_CLIPPING, config={"max-problems-per-rule": 10**30})


def test_the_errors_the_library_and_documents_raise_are_exported() -> None:
    # docs/plugins.md says Document.from_bytes raises UnreadableFile, and lint_text a
    # ConfigError: neither could be imported from cliplint.api (nor cliplint).
    import cliplint
    from cliplint import api

    for module in (api, cliplint):
        with pytest.raises(module.ConfigError, match="unknown key 'selct'"):
            lint_text(GOOD_CLIPPING, config={"selct": ["ALL"]})
        with pytest.raises(module.UnreadableFile):
            module.Document.from_bytes(b"\x00\x01binary")
    assert api.ConfigError is ConfigError and issubclass(api.ConfigError, ValueError)


def test_a_config_may_give_tuples_for_arrays() -> None:
    # "select: ['title-link'] is not of type 'array'" said a tuple was refused, as a list.
    seconds = GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->")
    assert lint_text(seconds, config={"select": ("title-link",)}) == []
    [problem] = lint_text(seconds, config={"select": ("timestamp-comment", "title-link"),
                                           "rules": {"timestamp-comment": {
                                               "min-date": "2001-01-01"}}})
    assert problem.rule == "timestamp-comment"
    with pytest.raises(ConfigError, match=r"select\[0\]: unknown rule 'nope'"):
        lint_text(GOOD_CLIPPING, config={"select": ("nope",)})


def test_lint_text_applies_max_file_size() -> None:
    text = GOOD_CLIPPING + "<p>" + "中" * 100 + "</p>\n"
    (problem,) = lint_text(text, config={"max-file-size": 200})
    assert problem.rule == "file-too-large" and problem.severity == "warning"
    assert f"file is {len(text.encode()):,} bytes" in problem.message
    assert lint_text(text, config={"max-file-size": 10_000}) == []


def test_a_text_holding_nul_is_a_binary_file_as_on_the_command_line(tmp_path: Path) -> None:
    # The library linted it (invisible-characters, well-formed-html) where the command
    # line reports the file holding it as binary, and stops there.
    from cliplint.archive import lint_archive

    text = GOOD_CLIPPING.replace("article", "art\x00icle")
    assert "\x00" in text
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    run = run_cliplint("--isolated", "--no-cache", "--format", "json", "a.md", cwd=tmp_path)
    [expected] = json.loads(run.stdout)["problems"]
    for problems in (lint_text(text, path="a.md"), lint_archive({"a.md": text}),
                     fix_text(text, path="a.md").problems):
        [problem] = problems
        assert (problem.rule, problem.severity, problem.message, problem.line) == (
            expected["rule"], expected["severity"], expected["message"], expected["line"])
        assert problem.message == "binary file (contains NUL bytes)"
    result = fix_text(text, path="a.md")
    assert result.text == text and not result.changed
    assert lint_text(text.replace("\x00", "")) == []  # the same text without it is clean


@pytest.mark.parametrize("where", ["<p>y\udc80</p>", "<iframe src=\"https://e\udc80.com/\"></iframe>"])
def test_a_text_holding_a_lone_surrogate_is_unreadable_not_a_crash(where: str) -> None:
    # No file holds one (its bytes decode as UTF-8 or are unreadable); a scraper's
    # json.loads('"\\udc80"') makes one. well-formed-html and active-content quoted it and
    # crashed (internal-error, their other problems lost), duplicate-clipping's map too.
    from cliplint.archive import lint_archive

    text = GOOD_CLIPPING.replace("<p>", where + "<p>", 1)
    assert where in text
    for problems in (lint_text(text, path="a.md"), lint_archive({"a.md": text}),
                     fix_text(text, path="a.md").problems):
        [problem] = problems
        assert (problem.rule, problem.path, problem.line) == ("file-unreadable", "a.md", 1)
        assert problem.message == ("not Unicode text UTF-8 can write: a lone surrogate "
                                   f"U+DC80 at offset {text.index(chr(0xDC80))}")
    assert not fix_text(text, path="a.md").changed


def test_a_config_no_toml_file_could_hold_is_a_config_error() -> None:
    # An int key of per-file-ignores passed the schema and failed in fnmatch (TypeError);
    # a table holding itself ended in a RecursionError.
    with pytest.raises(ConfigError, match=r"^config\.per-file-ignores: keys are strings, as "
                       r"in a TOML file; got 1 \(int\)$"):
        lint_text(GOOD_CLIPPING, path="a.md", config={"per-file-ignores": {1: ["title-link"]}})
    with pytest.raises(ConfigError, match=r"^config: keys are strings.*got b'select' \(bytes\)"):
        lint_text(GOOD_CLIPPING, config={b"select": ["ALL"]})
    table: dict[str, object] = {}
    table["rules"] = table
    with pytest.raises(ConfigError, match=r"^config\.rules\.rules\..*: nested more than 32 "
                       r"deep \(does a table hold itself\?\)$"):
        fix_text(GOOD_CLIPPING, config=table)
    # As deep as a real configuration nests: taken.
    assert lint_text(GOOD_CLIPPING, config={"rules": {"aggregator-boilerplate": {"entries": [
        {"name": "my-planet", "label": "Planet footer", "position": "trailing",
         "fix": "safe", "elements": ["p"], "text": ["Syndicated by Planet"],
         "links": {"hosts": ["planet.example.org"], "min": 1, "max": 1}}]}}}) == []


def test_arguments_of_the_wrong_type_are_said_plainly() -> None:
    # They failed deep inside (a bytes text: "startswith first arg must be bytes"), or
    # made problems whose path no report could write.
    from cliplint.archive import lint_archive

    text = GOOD_CLIPPING
    calls = {
        "the text must be a str, got bytes; decode it first": lambda: lint_text(text.encode()),
        "the text must be a str, got NoneType": lambda: lint_text(None),
        "the path must be a str or None, got int": lambda: lint_text(text, path=5),
        "the path must be a str or None, got PosixPath": lambda: fix_text(text, path=Path("a")),
        "the text must be a str, got bytes": lambda: fix_text(text.encode()),
        "config must be a mapping (a cliplint.toml table), got list":
            lambda: lint_text(text, config=[1, 2]),
        "texts must be a mapping of paths to texts, got list": lambda: lint_archive([text]),
        "the path must be a str or None, got int (archive)": lambda: lint_archive({1: text}),
    }
    for said, call in calls.items():
        with pytest.raises(TypeError) as raised:
            call()
        assert str(raised.value).startswith(said.removesuffix(" (archive)")), said


def test_a_config_that_extends_a_file_is_refused() -> None:
    # It was ignored without a word: the library reads no file.
    seconds = GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->")
    with pytest.raises(ConfigError, match="config: extend names a configuration file"):
        lint_text(seconds, config={"extend": "/etc/passwd"})
