"""Shared test helpers: run the real command line, and build throwaway plugin
distributions that importlib.metadata finds on PYTHONPATH (no mocks of entry points)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The real data, beside the checkout as in CI: the corpora, the VOA example, the SARIF
#: schema. A test that reads it carries the marker ``@pytest.mark.shared``: without
#: ../shared (a fresh clone) it is skipped, saying why; with it, it runs.
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "oped2"
EXAMPLE = SHARED / "examples" / "voa-blinken.md"
SHARED_ABSENT = (f"needs ../shared beside the checkout (the real corpora, examples/voa-blinken.md, "
                 f"the SARIF schema), and {SHARED} is absent")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "shared: the test reads ../shared (skipped without it)")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("shared") is not None and not SHARED.is_dir():
        pytest.skip(SHARED_ABSENT)


def require_shared(path: Path) -> Path:
    """``path`` in ../shared, or skip the test saying what is missing."""
    if not SHARED.is_dir():
        pytest.skip(SHARED_ABSENT)
    if not path.exists():
        pytest.skip(f"{path} is absent from ../shared")
    return path

GOOD_CLIPPING = (
    "<!--1686778744000-->\n"
    "[A good title](https://example.com/a/1)\n"
    "------\n"
    "\n"
    "<p>Some article text.</p>\n"
)


@dataclass(frozen=True)
class Run:
    status: int
    stdout: str
    stderr: str


def run_cliplint(
    *arguments: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> Run:
    """Run ``python -m cliplint`` as a user would, in a clean environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")}
    environment.pop("NO_COLOR", None)
    environment.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "cliplint", *arguments],
        cwd=cwd,
        env=environment,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=300,
    )
    return Run(
        completed.returncode,
        completed.stdout.decode("utf-8", "replace"),
        completed.stderr.decode("utf-8", "replace"),
    )


def write(path: Path, content: str | bytes) -> Path:
    """Write a file exactly (no newline translation), making its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


@pytest.fixture
def cliplint() -> Callable[..., Run]:
    return run_cliplint


def make_plugin(
    folder: Path, *, distribution: str, entry_name: str, module: str, source: str
) -> Path:
    """Write a plugin distribution (a module plus its .dist-info with an entry point in
    the ``cliplint`` group) into ``folder``; put ``folder`` on PYTHONPATH to install it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = folder / f"{distribution.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[cliplint]\n{entry_name} = {module}\n", encoding="utf-8"
    )
    return folder


def install_pack(source: Path, site: Path) -> Path:
    """Install the rule pack in ``source`` into the folder ``site`` as pip would lay out
    a pure-Python distribution (its packages, and a .dist-info with its metadata and
    entry points), from its own pyproject.toml: offline, and in milliseconds rather than
    the seconds of a build. Put ``site`` on PYTHONPATH to use it."""
    import shutil
    import tomllib

    project = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))
    about = project["project"]
    for package in project["tool"]["setuptools"]["packages"]:
        shutil.copytree(source / package, site / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    info = site / f"{about['name'].replace('-', '_')}-{about['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {about['name']}\n"
                                   f"Version: {about['version']}\n", encoding="utf-8")
    entry_points = "".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
        for group, points in about.get("entry-points", {}).items())
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    return site


@pytest.fixture
def plugin_env(tmp_path: Path) -> Callable[..., dict[str, str]]:
    """Build a plugin distribution and return the environment that installs it."""

    def build(**kwargs: str) -> dict[str, str]:
        folder = make_plugin(tmp_path / "site", **kwargs)  # type: ignore[arg-type]
        return {"PYTHONPATH": str(folder)}

    return build


def require_corpus() -> Path:
    return require_shared(CORPUS)
