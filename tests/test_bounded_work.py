"""Hostile clippings well under max-file-size must cost work linear in their size, or
bounded: fixing thousands of blocks, thousands of problems of one rule, standard input
that never ends, report and baseline files that are FIFOs.

Work is counted (traced lines of Python, violations taken from a rule), never timed.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from conftest import GOOD_CLIPPING, run_cliplint, traced_lines, write
from hypothesis import given, strategies as st

from cliplint import fix_text, lint_text
from cliplint.config import resolve
from cliplint.document import Document
from cliplint.facts import file_facts
from cliplint.fixer import _map_back, _pass_map
from cliplint.linter import COUNT_BEYOND_CAP, lint_document, lint_past_the_cap
from cliplint.model import Edit, Fix, Rule
from cliplint.plugins import load_registry
from cliplint.rule_io import Violation
from cliplint.yaml_front_matter import MAX_MERGED, MAX_TEXT, read as read_yaml_front_matter

HEADER = "<!--1686778744000-->\n[A title](https://example.com/a/1)\n------\n\n"


# -- the fixer is linear in the number of fixes -------------------------------------------------


def test_fixing_is_linear_in_the_number_of_removed_blocks() -> None:
    """Choosing fixes, finding blocks and mapping them back cost the same per block
    however many there are (each compared every block with every other: 8,000
    scripts, 208 KB, took 29 s)."""
    def fix(blocks: int) -> Callable[[], Any]:
        text = HEADER + "<p>t</p><script>1</script>" * blocks

        def work() -> None:
            result = fix_text(text, unsafe=True, select=["active-content"])
            assert result.refusal is None and len(result.removed) == blocks
        return work

    fix(1)()  # imports and the registry, outside the count
    assert traced_lines(fix(600)) < 2.2 * traced_lines(fix(300))


@given(st.data())
def test_offsets_map_back_through_a_pass(data: st.DataObject) -> None:
    """Every character a pass kept maps back to the same character of the text before it."""
    text = data.draw(st.text(alphabet="abcdef", min_size=1, max_size=40))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=12)))
    edits = [Edit(start, end, data.draw(st.sampled_from(["", "X", "YZ"])))
             for start, end in zip(cuts[::2], cuts[1::2], strict=False)]
    edits = [edit for index, edit in enumerate(edits)
             if index == 0 or edits[index - 1].end < edit.start]  # neither overlap nor touch
    pieces, cursor, kept = [], 0, []
    for edit in edits:
        pieces.append(text[cursor:edit.start])
        kept += range(cursor, edit.start)
        pieces.append(edit.replacement)
        kept += [None] * len(edit.replacement)
        cursor = edit.end
    pieces.append(text[cursor:])
    kept += range(cursor, len(text))
    history = [_pass_map(edits)]
    for position, origin in enumerate(kept):
        if origin is not None:
            assert _map_back(position, history) == origin
    for edit in edits:  # an offset inside inserted text widens to the whole edit
        new_start = len("".join(pieces[: 2 * edits.index(edit) + 1]))
        for inside in range(new_start + 1, new_start + len(edit.replacement)):
            assert _map_back(inside, history, "start") == edit.start
            assert _map_back(inside, history, "end") == edit.end


# -- a cap on problems per rule per file ---------------------------------------------------------


def test_problems_past_the_cap_are_one_summary() -> None:
    body = "<p>" + "<" * 40 + "</p>\n"
    problems = lint_text(HEADER + body, select=["well-formed-html"],
                         config={"max-problems-per-rule": 10})
    assert len(problems) == 11
    summary = problems[-1]
    assert summary.rule == "well-formed-html" and summary.severity == "error"
    assert summary.message == ("30 more well-formed-html problems not listed "
                               "(max-problems-per-rule is 10); this is the first of them")
    assert summary.column == problems[-2].column + 1  # at the first '<' left out
    assert len(lint_text(HEADER + body, select=["well-formed-html"])) == 40  # default 1,000


def _counting(check: Callable[..., Iterator[Any]], taken: list[int]) -> Callable[..., Iterator[Any]]:
    def counted(document: Document, options: Mapping[str, Any]) -> Iterator[Any]:
        for violation in check(document, options):
            taken[0] += 1
            yield violation
    return counted


@pytest.mark.parametrize("size", [MAX_TEXT, MAX_TEXT + 1])
def test_a_yaml_front_matter_past_its_bound_is_not_read(size: int) -> None:
    """PyYAML's loaders are linear in the text, but libyaml takes up to 4 µs a character
    and PyYAML's Python loader 15 µs: seconds on a front matter of max-file-size. One
    longer than MAX_TEXT characters is not read (its date not compared, no feed named)."""
    keys = "date: 2023-06-09T14:30:00Z\nauthor: Someone\n"
    front = "summary: " + "x" * (size - len(keys) - len("summary: \n")) + "\n" + keys
    assert len(front) == size
    text = f"---\n{front}---\n{HEADER}<p>x</p>\n"
    problems = lint_text(text, select=["timestamp-consistency"])
    feed = file_facts(Document.from_text(text)).feed
    assert (len(problems), feed) == ((1, "Someone") if size == MAX_TEXT else (0, "example.com"))


@pytest.mark.parametrize("merges", [MAX_MERGED // 256, MAX_MERGED // 256 + 1])
def test_a_yaml_front_matter_whose_merges_copy_too_much_is_not_read(merges: int) -> None:
    """Each merge copies every key of the mapping it names: a few thousand lines merging
    one of a few thousand keys would copy millions. A front matter whose merges copy more
    than MAX_MERGED keys in all is not read."""
    defaults = "defaults: &d {" + ", ".join(f"k{number}: x" for number in range(256)) + "}\n"
    front = defaults + "<<: *d\n" * merges + "date: 2023-06-09T14:30:00Z\nauthor: Someone\n"
    assert len(front) < MAX_TEXT
    text = f"---\n{front}---\n{HEADER}<p>x</p>\n"
    problems = lint_text(text, select=["timestamp-consistency"])
    feed = file_facts(Document.from_text(text)).feed
    read = 256 * merges <= MAX_MERGED
    assert (len(problems), feed) == ((1, "Someone") if read else (0, "example.com"))


def test_a_yaml_front_matter_is_walked_once_for_its_merges() -> None:
    """Its merges are done walking the front matter once, in the order it is written: an
    alias is not walked again where it is used, or a list of two aliases of the list
    above it, line after line, would double the work at each line."""
    def reading(lines: int) -> Callable[[], Any]:
        doubled = [f"a{number}: &a{number} [*a{number - 1}, *a{number - 1}]"
                   for number in range(1, lines)]
        text = "\n".join(["a0: &a0 [x]", *doubled, "author: Someone", ""])

        def work() -> None:
            front_matter = read_yaml_front_matter(text, 0)
            assert front_matter is not None and "author" in front_matter.keys
        return work

    reading(2)()  # the import of PyYAML, outside the count
    assert traced_lines(reading(16)) < 2.2 * traced_lines(reading(8))


@pytest.mark.parametrize("size", [5_000, 20_000])
def test_a_rule_is_not_asked_for_more_past_the_cap(size: int) -> None:
    """well-formed-html finds one error per '<': past the cap (and the count for the
    summary) the engine takes no more of them, however many the body holds."""
    rules = load_registry().rules
    taken = [0]
    rule = rules["well-formed-html"]
    counted = {rule.id: rule._replace(check=_counting(rule.check, taken))}
    settings = resolve({"max-problems-per-rule": 100}, counted)
    problems = lint_document(Document(HEADER + "<" * size), counted, settings, path="x")
    assert taken[0] == 100 + 1 + 100 * COUNT_BEYOND_CAP
    assert len(problems) == 101
    assert problems[-1].message.startswith("over 1,000 more well-formed-html problems")


def test_fixes_past_the_cap_are_bounded_by_the_text() -> None:
    """The fixer takes every fix past the cap, but a rule offering fixes forever is still
    dropped: there cannot be more fixes to apply together than characters."""
    taken = [0]

    def endless(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
        while True:
            taken[0] += 1
            yield Violation(0, 0, "again", Fix((Edit(0, 0, "x"),), "safe", "add an x"))

    rule = Rule("endless", "", "", "warning", "safe", {}, endless)
    settings = resolve({"max-problems-per-rule": 5}, {"endless": rule})
    document = Document(HEADER)
    listed, past = lint_past_the_cap(document, {"endless": rule}, settings, path="x",
                                     wanted=lambda violation: True)
    assert len(listed) == 6 and len(past) == len(HEADER) + 2
    assert taken[0] == 5 + len(HEADER) + 2
    assert listed[-1].message.startswith(f"over {len(HEADER) + 1:,} more endless problems")


def test_an_endless_rule_ends(plugin_env: Callable[..., dict[str, str]], tmp_path: Path) -> None:
    """A plugin rule that never stops yielding costs a bounded amount of work."""
    env = plugin_env(distribution="cliplint-endless", entry_name="endless", module="endless",
                     source='''
        """Yields forever."""
        import sys
        from cliplint import Violation, hookimpl
        ID = "endless/forever"
        SEVERITY = "warning"

        def check(document, options):
            while True:
                yield Violation(0, 1, "again")

        @hookimpl
        def cliplint_rules():
            return [sys.modules[__name__]]
        ''')
    write(tmp_path / "a.md", GOOD_CLIPPING)
    write(tmp_path / "cliplint.toml", "max-problems-per-rule = 5\n")
    result = run_cliplint("--no-cache", "--select", "endless/", "a.md", cwd=tmp_path, env=env)
    assert result.status == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:5] == ["a.md:1:1: warning endless/forever again"] * 5
    assert lines[5] == ("a.md:1:1: warning endless/forever over 50 more endless/forever problems not "
                        "listed (max-problems-per-rule is 5); this is the first of them")


def test_the_fixer_applies_every_fix_past_the_cap_in_one_pass() -> None:
    """The cap bounds the report, not the fixes: a pass per thousand fixes would cost a
    re-lint each, and past ten passes the fix would be refused."""
    text = HEADER + "<p>t</p><script>1</script>" * 35
    config = {"max-problems-per-rule": 10}
    result = fix_text(text, unsafe=True, config=config, select=["active-content"])
    assert result.refusal is None and result.passes == 1 and len(result.removed) == 35
    assert result.text == HEADER + "<p>t</p>" * 35
    left = fix_text(text, config=config, select=["active-content"]).problems  # unsafe: not applied
    assert len(left) == 11
    assert left[-1].message.startswith("25 more active-content problems not listed")


def test_max_problems_per_rule_is_validated() -> None:
    from cliplint.config import ConfigError

    with pytest.raises(ConfigError, match="max-problems-per-rule: 0 is less than the minimum of 1"):
        lint_text(HEADER, config={"max-problems-per-rule": 0})


# -- fix_text has lint_text's size guard --------------------------------------------------------


def test_fix_text_skips_a_text_over_max_file_size() -> None:
    text = "<!--1686778744-->\n[A title](https://example.com/a/1)\n------\n\n<p>x</p>\n"
    assert fix_text(text).changed  # seconds -> milliseconds
    result = fix_text(text, config={"max-file-size": 40})
    assert not result.changed and result.text == text and result.refusal is None
    [problem] = result.problems
    assert (problem.rule, problem.message) == (
        "file-too-large", f"file is {len(text)} bytes, over max-file-size (40); skipped")


# -- standard input, FIFOs ----------------------------------------------------------------------


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_standard_input_that_never_ends_is_file_too_large(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")}
    with open("/dev/zero", "rb") as zeros:
        completed = subprocess.run(
            [sys.executable, "-m", "cliplint", "--isolated", "-"], stdin=zeros,
            capture_output=True, timeout=120, env=environment, cwd=tmp_path,
            preexec_fn=_limit_memory)  # 1 GB: reading it all would fail long before the end
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.decode().splitlines()[0] == (
        "-:1:1: warning file-too-large standard input is over max-file-size (2,097,152 bytes); skipped")


def test_fixing_standard_input_over_the_limit_hands_it_back(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", "max-file-size = 1000\n")
    clipping = GOOD_CLIPPING.replace("000-->", "-->") + "<p>x</p>\n" * 500
    result = run_cliplint("--fix", "-", cwd=tmp_path, stdin=clipping.encode())
    assert result.status == 0
    assert result.stdout == clipping  # untouched, all of it
    assert "file-too-large standard input is over max-file-size (1,000 bytes)" in result.stderr
    small = run_cliplint("--fix", "-", cwd=tmp_path, stdin=clipping[:400].encode())
    assert small.stdout.startswith("<!--1686778744000-->")  # under the limit: fixed


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


def test_an_output_fifo_nobody_reads_is_an_error_not_a_hang(tmp_path: Path, fifo: Path) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    for option in ("--output-file", "--write-baseline"):
        result = run_cliplint("--isolated", "--no-cache", option, str(fifo), "a.md", cwd=tmp_path)
        assert result.status == 2
        assert f"cannot write {fifo}: no process is reading this FIFO" in result.stderr


def test_an_output_fifo_with_a_reader_gets_the_report(tmp_path: Path, fifo: Path) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    received: list[bytes] = []
    descriptor = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there first

    def read() -> None:
        os.set_blocking(descriptor, True)
        with open(descriptor, "rb") as stream:
            received.append(stream.read())

    result = run_cliplint("--isolated", "--no-cache", "--format", "json", "--output-file",
                          str(fifo), "a.md", cwd=tmp_path)
    reader = threading.Thread(target=read)
    reader.start()
    reader.join(30)
    assert result.status == 0, result.stderr
    assert b'"files_checked": 1' in received[0]


def test_a_pipe_read_as_a_bounded_file_is_read_up_to_its_limit() -> None:
    """What a FIFO or a pipe (``--baseline <(...)``) gives past the limit of a baseline
    or a configuration file is not read: it ends the read (EFBIG), where a file is
    refused by its size."""
    import errno

    from cliplint.streams import read_bounded

    for size in (100, 101):
        reading, writing = os.pipe()
        try:
            os.write(writing, b"x" * size)
            os.close(writing)
            if size == 100:
                assert read_bounded(f"/proc/self/fd/{reading}", 100) == b"x" * 100
            else:
                with pytest.raises(OSError) as raised:
                    read_bounded(f"/proc/self/fd/{reading}", 100)
                assert raised.value.errno == errno.EFBIG
        finally:
            os.close(reading)


def test_a_baseline_fifo_nobody_writes_is_an_error_not_a_hang(tmp_path: Path, fifo: Path) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint("--isolated", "--no-cache", "--baseline", str(fifo), "a.md", cwd=tmp_path)
    assert result.status == 2
    assert f"cannot read baseline {fifo}: nothing to read" in result.stderr
