"""The library entry points, called in-process as a scraper would."""

from __future__ import annotations

import pickle

import pytest
from conftest import GOOD_CLIPPING

from cliplint import lint_text
from cliplint.config import ConfigError


def test_lint_text_returns_picklable_problems() -> None:
    problems = lint_text(GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->"), path="a.md")
    assert [(p.rule, p.line, p.column, p.path) for p in problems] == [("timestamp-comment", 1, 5, "a.md")]
    assert pickle.loads(pickle.dumps(problems)) == problems


def test_lint_text_validates_its_config() -> None:
    with pytest.raises(ConfigError, match=r"config: invalid configuration:\n  selct: unknown|unknown key 'selct'"):
        lint_text(GOOD_CLIPPING, config={"selct": ["ALL"]})


def test_lint_text_applies_max_file_size() -> None:
    text = GOOD_CLIPPING + "<p>" + "中" * 100 + "</p>\n"
    (problem,) = lint_text(text, config={"max-file-size": 200})
    assert problem.rule == "file-too-large" and problem.severity == "warning"
    assert f"file is {len(text.encode()):,} bytes" in problem.message
    assert lint_text(text, config={"max-file-size": 10_000}) == []
