"""The README's test command in a fresh clone without ../shared: the tests of the real
data are skipped, saying why, and nothing fails; with ../shared they run (CI)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SHARED_ABSENT

#: What tests/conftest.py names in ../shared, and the helpers that skip without it.
SHARED_NAMES = {"SHARED", "CORPUS", "EXAMPLE"}
SKIPPING = {"require_shared", "require_corpus"}


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _unmarked_readers(tree: ast.Module) -> list[str]:
    """The tests of a module that read ../shared (through a name of conftest's, a constant
    made of one, or a helper that uses one without skipping) and lack the marker."""
    readers = {alias.asname or alias.name for node in tree.body
               if isinstance(node, ast.ImportFrom) and node.module == "conftest"
               for alias in node.names} & SHARED_NAMES
    changed = True
    while changed:  # constants and helpers built on the names, to a fixed point
        changed = False
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = _names(node.targets[0] if isinstance(node, ast.Assign) else node.target)
                uses = _names(node.value) if node.value is not None else set()
            elif isinstance(node, ast.FunctionDef) and not node.name.startswith("test_"):
                targets, uses = {node.name}, set().union(*(map(_names, node.body)))
                if uses & SKIPPING:
                    continue  # a helper that skips without ../shared
            else:
                continue
            if uses & readers and not targets <= readers:
                readers |= targets
                changed = True
    unmarked = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            marked = any("shared" in ast.unparse(d) and "mark" in ast.unparse(d)
                         for d in node.decorator_list)
            if set().union(*(map(_names, node.body))) & readers and not marked:
                unmarked.append(node.name)
    return unmarked


def test_every_test_that_reads_shared_carries_the_marker() -> None:
    unmarked = {path.name: found for path in sorted((ROOT / "tests").glob("test_*.py"))
                if (found := _unmarked_readers(ast.parse(path.read_text(encoding="utf-8"))))}
    assert unmarked == {}, "add @pytest.mark.shared"


def test_a_checkout_without_shared_skips_those_tests_saying_why(tmp_path: Path) -> None:
    clone = tmp_path / "clone"  # tmp_path/shared does not exist
    shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "*.egg-info", ".cliplint_cache", ".pytest_cache",
        "test_fresh_clone.py"))
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-m", "shared",
         # (a module skipped whole when an extra is missing says so at collection)
         "--ignore", "tests/test_distributed.py", "tests"],
        cwd=clone, capture_output=True, text=True, timeout=600)
    output = completed.stdout
    assert completed.returncode == 0, output[-3000:]
    summary = output.strip().splitlines()[-1]
    skipped = int(re.search(r"(\d+) skipped", summary).group(1))  # type: ignore[union-attr]
    assert skipped >= 15 and "passed" not in summary and "failed" not in summary, summary
    reasons = re.findall(r"^SKIPPED \[(\d+)\] [^:]+:\d+: (.*)$", output, re.MULTILINE)
    assert sum(int(count) for count, _ in reasons) == skipped
    absent = SHARED_ABSENT.replace(str(ROOT.parent / "shared"), str(tmp_path / "shared"))
    assert {reason for _, reason in reasons} == {absent}
