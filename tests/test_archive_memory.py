"""What a run holds of each file until the archive rules' reduce step: no more than it
needs, and exactly what the files' records and facts were."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import GOOD_CLIPPING
from hypothesis import given, strategies as st

from cliplint import archive
from cliplint.archive import Archive, ArchiveFile, Shared, with_archive_rules
from cliplint.config import resolve
from cliplint.facts import FileFacts
from cliplint.plugins import load_registry
from cliplint.runner import FileResult, RunOptions, iter_results

# Any text, lone surrogates included (a path's undecodable bytes are lone surrogates).
TEXT = st.text(st.characters(blacklist_categories=()), max_size=12)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
# Rule ids to records: JSON, and what a record may be in a run without a cache (a tuple,
# a subclass of dict, keys that are not strings).
RECORDS = st.dictionaries(
    TEXT,
    JSON | st.tuples(TEXT, st.integers())
    | st.dictionaries(st.integers() | TEXT, JSON, max_size=4).map(lambda d: _Marked(d)),
    max_size=4,
)


class _Marked(dict[Any, Any]):
    """A subclass of dict: held as the object it is."""


def _same(first: Any, second: Any) -> bool:
    """Equal, of the same types, in the same order (the two levels sharing rewrites)."""
    if type(first) is not type(second) or first != second:
        return False
    if isinstance(first, dict):
        return list(first) == list(second) and all(
            type(a) is type(b) and _same(first[a], second[b]) for a, b in zip(first, second))
    return True


@given(RECORDS)
def test_shared_records_are_the_records_given(records: dict[str, Any]) -> None:
    shared = Shared()
    again = pickle.loads(pickle.dumps(records))  # as a worker process sends them
    assert _same(shared.records(records), records)
    held = shared.records(again)
    assert _same(held, records)
    for rule_id in records:  # each key one object, the first file's
        assert next(key for key in held if key == rule_id) is next(
            key for key in shared.records(records) if key == rule_id)


def _files_reduced(monkeypatch: pytest.MonkeyPatch, results: list[FileResult],
                   root: Path) -> list[ArchiveFile]:
    """The files with_archive_rules hands to the reduce step."""
    seen: list[ArchiveFile] = []
    real = archive.reduce_archive

    def spy(files: list[ArchiveFile], *args: Any, **kwargs: Any) -> Any:
        seen.extend(files)
        return real(files, *args, **kwargs)

    monkeypatch.setattr(archive, "reduce_archive", spy)
    rules = load_registry().rules
    settings = resolve({}, rules)
    passed = list(with_archive_rules(iter(results), rules, settings, Archive(str(root)),
                                     RunOptions()))
    assert passed[: len(results)] == results
    return seen


def test_records_and_facts_are_held_once_however_many_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = {"duplicate-clipping": {"url": "https://example.com/a/1", "title": "标题",
                                     "numbers": "", "time": 1686778744000, "length": 100,
                                     "body": "0" * 24, "sketch": None}}
    facts = FileFacts("2023-06", "example.com", "host")
    # Each file's records and facts objects of their own, as they come from the workers.
    results = [FileResult(str(tmp_path / f"文件{index}.md"), [],
                          pickle.loads(pickle.dumps(record)),
                          facts=pickle.loads(pickle.dumps(facts)))
               for index in range(3)]
    files = _files_reduced(monkeypatch, results, tmp_path)
    assert [file.relative for file in files] == [f"文件{index}.md" for index in range(3)]
    assert all(_same(dict(file.records), record) and file.facts == facts for file in files)
    first, *others = files
    for other in others:
        assert other.facts is first.facts
        for (key, value), (first_key, first_value) in zip(other.records.items(),
                                                          first.records.items()):
            assert key is first_key
            assert all(a is b for a, b in zip(value, first_value))  # the record's keys
            assert value is not first_value  # the values are each file's own


def test_paths_sent_to_workers_are_held_as_they_were(tmp_path: Path) -> None:
    # Pickling a str that is not ASCII stores its UTF-8 form in it: the paths a run holds
    # until the reduce step must not keep that of the copy sent to a worker.
    for index in range(40):
        (tmp_path / f"一篇新闻稿的标题_{index:02}.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    paths = [str(path) for path in sorted(tmp_path.iterdir())]
    sizes = [sys.getsizeof(path) for path in paths]
    rules = load_registry().rules
    results = list(iter_results(paths, rules, resolve({}, rules), RunOptions(jobs=2)))
    assert [result.path for result in results] == paths
    assert all(result.path is path for result, path in zip(results, paths))
    assert [sys.getsizeof(path) for path in paths] == sizes
