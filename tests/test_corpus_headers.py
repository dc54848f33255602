"""The header rules over the 3,000 real clippings of the shared corpus (read-only)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import require_corpus, run_cliplint


@pytest.mark.shared
def test_header_rules_fire_exactly_where_a_plain_script_says() -> None:
    corpus = require_corpus()
    result = run_cliplint("--isolated", "--select", "timestamp-comment,title-link",
                          "--format", "json", str(corpus))
    report = json.loads(result.stdout)
    assert report["files_checked"] == 3000
    assert not [p for p in report["problems"] if p["rule"] == "internal-error"]

    files = sorted(corpus.rglob("*.md"))
    no_ms_timestamp = {
        str(path) for path in files
        if not re.fullmatch(r"<!--\d{13}-->", path.read_text(encoding="utf-8").split("\n", 1)[0])
    }
    flagged = {p["path"] for p in report["problems"] if p["rule"] == "timestamp-comment"}
    assert flagged == no_ms_timestamp
    assert len(flagged) == 165  # the corpus README's count

    titles = [p for p in report["problems"] if p["rule"] == "title-link"]
    assert [(Path(p["path"]).name, p["line"], p["message"]) for p in titles] == [
        ("1048198_德语媒体：北京的快速回应%0A%0A.md", 2, "raw newline inside the title link")
    ]
