"""cliplint's own files (the registry's snapshot, the online answers) are written whole
or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from cliplint.whole_file import replace_whole


def test_the_new_text_replaces_the_old_and_nothing_is_left_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "answers.json"
    target.write_text("old", encoding="utf-8")
    replace_whole(target, "new ✓", ".answers-")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert [path.name for path in tmp_path.iterdir()] == ["answers.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(tmp_path: Path) -> None:
    target = tmp_path / "answers.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate: UTF-8 cannot hold it
        replace_whole(target, "half\udc80", ".answers-")
    assert target.read_text(encoding="utf-8") == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["answers.json"]
