"""When a fixed file cannot be written, the report must say so and nothing else: no
"Fixed", no --show-fixes or json ``fixed`` entry, and the problems still in the file are
listed along with ``fix-refused``. Real refusals, through the real command line."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import jsonschema
from conftest import ROOT, run_cliplint, write

REPORT_SCHEMA = json.loads((ROOT / "cliplint" / "schemas" / "report.schema.json").read_text())
#: A fixable problem (seconds) and one no fix touches (a stray end tag).
CLIP = ("<!--1686778744-->\n[A title](https://example.com/a/1)\n------\n\n"
        "<p>Some article text.</span></p>\n")
SELECT = "--select=timestamp-comment,well-formed-html"


def _hard_linked(tmp_path: Path) -> Path:
    path = write(tmp_path / "a.md", CLIP)
    os.link(path, tmp_path / "other-name.md")
    return path


def test_text_report_when_a_hard_link_refuses_the_write(tmp_path: Path) -> None:
    path = _hard_linked(tmp_path)
    result = run_cliplint("--isolated", "--no-cache", SELECT, "--fix", "--show-fixes", "a.md",
                          cwd=tmp_path)
    assert path.read_text() == CLIP
    assert result.status == 1
    lines = result.stdout.splitlines()
    assert [line.split(" ")[:2] for line in lines[:3]] == [
        ["a.md:1:1:", "fix-refused"],
        ["a.md:1:5:", "timestamp-comment"],  # still in the file: reported
        ["a.md:5:22:", "well-formed-html"],
    ]
    assert "fixes not written: the file has 2 hard links" in lines[0]
    assert "Fixed" not in result.stdout
    assert lines[-1].startswith("No fixes applied. Found 3 problems (3 errors) in 1 file checked")


def test_text_report_when_the_file_is_read_only(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", CLIP)
    path.chmod(0o444)
    result = run_cliplint("--isolated", "--no-cache", SELECT, "--fix", "a.md", cwd=tmp_path)
    assert path.read_text() == CLIP
    assert result.status == 1
    assert "fix-refused fixes not written: the file is read-only" in result.stdout.splitlines()[0]


def test_json_report_when_a_hard_link_refuses_the_write(tmp_path: Path) -> None:
    _hard_linked(tmp_path)
    result = run_cliplint("--isolated", "--no-cache", SELECT, "--fix", "--format", "json",
                          "a.md", cwd=tmp_path)
    data = json.loads(result.stdout)
    jsonschema.validate(data, REPORT_SCHEMA)
    assert data["fixed"] == []
    assert sorted(problem["rule"] for problem in data["problems"]) == [
        "fix-refused", "timestamp-comment", "well-formed-html"]


def test_a_file_changed_while_it_was_fixed(tmp_path: Path,
                                           plugin_env: Callable[..., dict[str, str]]) -> None:
    # A plugin rule that edits the file being linted, as an editor saving meanwhile would.
    env = plugin_env(distribution="cliplint-meddle", entry_name="meddle", module="meddle",
                     source='''
        """Appends to the file it lints, once."""
        import sys
        from cliplint import hookimpl
        ID = "meddle/append"
        SEVERITY = "info"

        def check(document, options):
            with open(document.path, "rb") as stream:
                data = stream.read()
            if not data.endswith(b"<!--saved-->\\n"):
                with open(document.path, "ab") as stream:
                    stream.write(b"<!--saved-->\\n")
            return []

        @hookimpl
        def cliplint_rules():
            return [sys.modules[__name__]]
        ''')
    path = write(tmp_path / "a.md", CLIP)
    result = run_cliplint("--isolated", "--no-cache", SELECT + ",meddle/", "--fix", "a.md",
                          cwd=tmp_path, env=env)
    assert path.read_text() == CLIP + "<!--saved-->\n"  # the editor's save is kept
    assert "fixes not written: the file changed while it was being fixed" in result.stdout
    assert "timestamp-comment" in result.stdout
    assert "Fixed" not in result.stdout and result.status == 1
