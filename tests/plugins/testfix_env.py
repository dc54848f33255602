"""Install the throwaway ``cliplint-testfix`` plugin distribution for the fixer's tests.

It is installed for real, with pip, into a folder of the test session (never into the
project's environment): ``importlib.metadata`` then finds its entry point once that
folder is on ``sys.path`` (in this process) or on ``PYTHONPATH`` (in a subprocess).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent / "cliplint-testfix"


def install(base: Path) -> Path:
    """pip-install the plugin into ``base/site`` (once per test session) and return it."""
    site = base / "site"
    if (site / "cliplint_testfix").is_dir():
        return site
    source = base / "source"
    shutil.rmtree(source, ignore_errors=True)
    # Build from a copy: building writes build/ and *.egg-info next to the sources.
    shutil.copytree(SOURCE, source, ignore=shutil.ignore_patterns("build", "*.egg-info",
                                                                  "__pycache__"))
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
               "--disable-pip-version-check", "--target", str(site), str(source)]
    try:
        import wheel  # noqa: F401  (with it, no build environment has to be fetched)

        command.insert(-1, "--no-build-isolation")
    except ImportError:
        pass
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if completed.returncode != 0:
        # No package index reachable: lay the distribution out as pip would have.
        warnings.warn("pip could not install cliplint-testfix; registering it by hand:\n"
                      + completed.stderr[-2000:], stacklevel=1)
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(SOURCE / "cliplint_testfix", site / "cliplint_testfix")
        info = site / "cliplint_testfix-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cliplint-testfix\n"
                                       "Version: 1.0\n", encoding="utf-8")
        (info / "entry_points.txt").write_text("[cliplint]\ntestfix = cliplint_testfix\n",
                                               encoding="utf-8")
    return site


@pytest.fixture(scope="session")
def testfix_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install(tmp_path_factory.getbasetemp() / "cliplint-testfix")


@pytest.fixture
def testfix(testfix_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The plugin active in this process for one test (the registry is cached)."""
    from cliplint.plugins import load_registry

    monkeypatch.delenv("CLIPLINT_NO_PLUGINS", raising=False)
    monkeypatch.syspath_prepend(str(testfix_site))
    load_registry.cache_clear()
    yield testfix_site
    load_registry.cache_clear()
