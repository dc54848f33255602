"""cliplint/html_parse.py uses html5lib's internals, so it needs the one release it is
written against: pinned in pyproject.toml and checked, with a clear error (exit 2), by the
command line at start (from html5lib's source: it does not import html5lib) and when the
parser is imported."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, ROOT, run_cliplint, write

from cliplint.html import HTML5LIB_VERSION


def test_the_pin_the_check_and_the_installed_release_agree() -> None:
    import html5lib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    [pin] = [spec for spec in project["dependencies"] if spec.startswith("html5lib")]
    assert pin == f"html5lib=={HTML5LIB_VERSION}"
    assert html5lib.__version__ == HTML5LIB_VERSION


@pytest.fixture(params=['__version__ = "1.2.dev0"\n', '__version__ = ".".join(["1", "2.dev0"])\n'],
                ids=["written", "computed"])
def other_html5lib(tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """An html5lib of another release, found first on PYTHONPATH (as a development
    checkout of html5lib would be); its release written out in its source (which the
    command line reads) or computed (the command line then imports it to ask)."""
    write(tmp_path / "site" / "html5lib" / "__init__.py", request.param)
    return {"PYTHONPATH": str(tmp_path / "site")}


@pytest.mark.parametrize("arguments", [
    ["--isolated", "a.md"], ["--isolated", "--fix", "a.md"], ["rules"], ["--isolated", "-"]])
def test_another_html5lib_is_a_clear_error(tmp_path: Path, other_html5lib: dict[str, str],
                                           arguments: list[str]) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint(*arguments, cwd=tmp_path, env=other_html5lib,
                          stdin=GOOD_CLIPPING.encode())
    assert result.status == 2
    site = Path(other_html5lib["PYTHONPATH"])
    assert result.stderr == (
        "cliplint: error: cliplint needs html5lib 1.1 exactly (it uses html5lib's internals), "
        f"but html5lib 1.2.dev0 is installed ({site / 'html5lib' / '__init__.py'}): "
        "pip install 'html5lib==1.1'\n")
    assert result.stdout == ""


def test_the_library_says_the_same(other_html5lib: dict[str, str]) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "import cliplint; cliplint.lint_text('x')"],
        capture_output=True, text=True, env={**other_html5lib}, timeout=120)
    assert completed.returncode != 0
    assert re.search(r"cliplint needs html5lib 1\.1 exactly .* but html5lib 1\.2\.dev0 is "
                     r"installed", completed.stderr)


def test_the_release_is_read_from_the_source_without_importing_html5lib() -> None:
    """(A pattern for the ``__version__`` line that stopped matching would not show in the
    tests above: the check then imports html5lib to ask it, with the same verdict.)"""
    completed = subprocess.run(
        [sys.executable, "-c", "import sys; from cliplint.html import require_html5lib; "
         "require_html5lib(); print('html5lib' in sys.modules)"],
        capture_output=True, text=True, check=True, timeout=120)
    assert completed.stdout == "False\n"
