"""A bounded fuzz run: mutated real clippings through lint_text/fix_text and the command
line (scripts/fuzz.py holds the mutators and the checks; run it for the long run).

hypothesis picks the seed clipping and the mutations, and shrinks a failure to the
fewest mutations: the report names them, and ``mutate`` rebuilds the case.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

ROOT = Path(__file__).resolve().parent.parent


def _load_fuzz() -> Any:  # scripts/ is not a package
    spec = importlib.util.spec_from_file_location("cliplint_fuzz", ROOT / "scripts" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fuzz = _load_fuzz()
# A few seeds of each kind keep the run short: the example, then a spread of the corpora.
SEEDS = fuzz.load_seeds(fuzz.default_seed_folders(), step=400)
operations = st.lists(st.tuples(st.sampled_from(sorted(fuzz.MUTATORS)), st.integers(0, 2**32 - 1)),
                      min_size=1, max_size=3)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(seed=st.integers(0, len(SEEDS) - 1), operations=operations)
# Found before: every private-use character, and a block to remove (ValueError).
@example(seed=0, operations=[("private_use_flood", 1), ("fixable", 1)])
def test_mutated_clippings(seed: int, operations: list[tuple[str, int]]) -> None:
    data = fuzz.mutate(SEEDS[seed], operations, SEEDS)
    assert fuzz.check(data) == []


@pytest.mark.parametrize("name", sorted(fuzz.MUTATORS))
def test_each_mutator_changes_a_clipping(name: str) -> None:
    """No mutator is a silent no-op (that would leave a shape untested)."""
    seed = SEEDS[0]
    changed = {fuzz.MUTATORS[name](seed, random.Random(number), SEEDS) != seed
               for number in range(8)}
    assert True in changed


def test_the_checks_catch_what_they_look_for() -> None:
    """The oracle itself: a lossy 'fix' and a non-idempotent one are reported."""
    from cliplint.fixer import FixResult

    text = "<!--1686778744000-->\n[T](https://e.com/a)\n------\n\n<p>keep this</p>\n"
    lossy = FixResult(text.replace("keep ", ""), text, (), (), ())
    assert fuzz._check_fixed(text, lossy, unsafe=False) == [
        "fix_text(unsafe=False) changed the visible text without removing a block"]
    # Found by the long run: a stray control character between two spaces, removed as a
    # block, leaves spaces that collapse into one: nothing visible is lost.
    from dataclasses import replace

    from cliplint.fixer import RemovedBlock

    spaced = text.replace("keep this", "keep \x7f this")
    stray = spaced.index("\x7f")
    cleaned = FixResult(spaced.replace("\x7f", ""), spaced, (),
                        (RemovedBlock("invisible-characters", stray, stray + 1, "\x7f"),), ())
    assert fuzz._check_fixed(spaced, cleaned, unsafe=False) == []
    eaten = replace(cleaned, text=spaced.replace(" \x7f this", ""))
    assert fuzz._check_fixed(spaced, eaten, unsafe=False) == [
        "fix_text(unsafe=False) changed the visible text beyond the removed blocks"]
    unfinished = FixResult(text.replace("000-->", "-->"), text, (), (), ())
    assert fuzz._check_fixed(text, unfinished, unsafe=False) == [
        "fix_text(unsafe=False) is not idempotent: a second fix changed the text"]


def test_the_command_line_on_mutated_clippings() -> None:
    rng = random.Random(16)
    cases = [fuzz.mutate(rng.choice(SEEDS), fuzz.random_operations(rng), SEEDS)
             for _ in range(8)]
    assert fuzz.check_cli(cases) == []


@pytest.mark.parametrize(("cases", "every", "through_cli"), [
    (250, 100, [100, 100, 50]),   # every chunk
    (250, 1000, [100]),           # the chunk of case 0 (a run shorter than --cli-every)
    (2500, 1000, [100, 100, 100]),  # cases 0, 1000 and 2000
    (250, 0, []),
])
def test_the_long_run_sends_chunks_through_the_command_line(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cases: int, every: int,
        through_cli: list[int]) -> None:
    # The driver alone: the checks are recorded, not run.
    sent: list[int] = []
    monkeypatch.setattr(fuzz, "check", lambda data: [])
    monkeypatch.setattr(fuzz, "check_cli", lambda batch: sent.append(len(batch)) or [])
    status = fuzz.main(["--cases", str(cases), "--cli-every", str(every), "--max-size", "64",
                        "--save", str(tmp_path), str(ROOT / "examples")])
    assert status == 0 and sent == through_cli
