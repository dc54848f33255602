"""The example rule pack (example-pack/) and the pages that quote it: the README's plugin
snippet and docs/plugins.md are the pack's files, a pack built from the README alone
works (rules, explain, a hit, a fix, a config error), and the pack's own tests pass with
cliplint's testing kit."""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, ROOT, install_pack, run_cliplint, write

from cliplint import api
from cliplint.docs import ALIASES, REFERENCE_END, REFERENCE_START, api_reference

PACK = ROOT / "example-pack"
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "plugins.md"
#: A fenced block right after ``<!-- file: PATH -->`` is the file PATH, whole.
_FILE_BLOCK = re.compile(r"<!-- file: (?P<path>\S+) -->\n```\w*\n(?P<text>.*?)```\n", re.DOTALL)
SHOUTING = GOOD_CLIPPING.replace("A good title", "HARBOUR REOPENS AFTER THE STORM")


def _file_blocks(page: Path) -> dict[str, str]:
    return {match["path"]: match["text"]
            for match in _FILE_BLOCK.finditer(page.read_text(encoding="utf-8"))}


@pytest.mark.parametrize(("page", "files"), [
    (README, {"example-pack/pyproject.toml", "example-pack/cliplint_example/__init__.py",
              "example-pack/cliplint_example/shouting_title.py"}),
    (GUIDE, {"example-pack/pyproject.toml", "example-pack/cliplint_example/__init__.py",
             "example-pack/cliplint_example/shouting_title.py",
             "example-pack/cliplint_example/repeated_title.py",
             "example-pack/tests/test_cases.py"}),
], ids=["README", "plugins.md"])
def test_the_pages_quote_the_packs_files_exactly(page: Path, files: set[str]) -> None:
    blocks = _file_blocks(page)
    assert set(blocks) == files
    for path, text in blocks.items():
        assert text == (ROOT / path).read_text(encoding="utf-8"), f"{page.name}: {path}"


@pytest.fixture(scope="module")
def readme_pack(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The pack a stranger writes from the README alone, installed next to cliplint."""
    source = tmp_path_factory.mktemp("readme-pack")
    for path, text in _file_blocks(README).items():
        write(source / Path(path).relative_to("example-pack"), text)
    site = install_pack(source, tmp_path_factory.mktemp("readme-site"))
    return {"PYTHONPATH": str(site)}


def test_readme_pack_is_listed_and_explained(readme_pack: dict[str, str]) -> None:
    listing = run_cliplint("rules", env=readme_pack)
    assert listing.status == 0, listing.stderr
    (line,) = [line for line in listing.stdout.splitlines() if line.startswith("example/")]
    assert line.split() == ["example/shouting-title", "warning", "unsafe", "Titles", "must",
                            "not", "be", "written", "in", "capitals."]
    explained = run_cliplint("explain", "example/shouting-title", env=readme_pack)
    assert explained.status == 0
    assert explained.stdout.startswith("example/shouting-title (warning, unsafe fix, from "
                                       "example)\n\nTitles must not be written in capitals.\n")
    assert "Fix (unsafe): the title is put in sentence case" in explained.stdout


def test_readme_pack_finds_and_fixes(tmp_path: Path, readme_pack: dict[str, str]) -> None:
    clipping = write(tmp_path / "a.md", SHOUTING)
    found = run_cliplint("--isolated", "--format", "json", "a.md", cwd=tmp_path, env=readme_pack)
    assert found.status == 0  # a warning does not fail the run
    assert [(p["rule"], p["severity"], p["line"], p["column"], p["message"])
            for p in json.loads(found.stdout)["problems"]] == [
        ("example/shouting-title", "warning", 2, 2, "title in capitals")]

    safe_only = run_cliplint("--isolated", "--fix", "a.md", cwd=tmp_path, env=readme_pack)
    assert safe_only.status == 0 and clipping.read_text() == SHOUTING  # the fix is unsafe
    fixed = run_cliplint("--isolated", "--fix", "--unsafe-fixes", "a.md", cwd=tmp_path,
                         env=readme_pack)
    assert fixed.status == 0, fixed.stdout + fixed.stderr
    assert clipping.read_text() == SHOUTING.replace("HARBOUR REOPENS AFTER THE STORM",
                                                     "Harbour reopens after the storm")


def test_readme_pack_options_are_validated(tmp_path: Path, readme_pack: dict[str, str]) -> None:
    write(tmp_path / "a.md", SHOUTING)
    config = write(tmp_path / "cliplint.toml",
                   '[rules."example/shouting-title"]\nmin-letters = "ten"\n')
    wrong = run_cliplint("a.md", cwd=tmp_path, env=readme_pack)
    assert wrong.status == 2
    assert "cliplint.toml: invalid configuration" in wrong.stderr
    assert "rules.\"example/shouting-title\".min-letters: 'ten' is not of type 'integer'" in wrong.stderr
    write(config, '[rules.example/shouting-title]\nmin-letters = 10\n')  # unquoted
    unquoted = run_cliplint("a.md", cwd=tmp_path, env=readme_pack)
    assert unquoted.status == 2 and "invalid TOML" in unquoted.stderr
    write(config, '[rules."example/shouting-title"]\nmin-letters = 50\n')
    quiet = run_cliplint("--format", "json", "a.md", cwd=tmp_path, env=readme_pack)
    assert quiet.status == 0 and json.loads(quiet.stdout)["problems"] == []


@pytest.fixture(scope="module")
def pack_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_pack(PACK, tmp_path_factory.mktemp("pack-site"))


def test_the_packs_own_tests_pass(pack_site: Path) -> None:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("CLIPLINT")}
    environment.update(PYTHONPATH=str(pack_site), PYTHONDONTWRITEBYTECODE="1")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=PACK, env=environment, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert re.search(r"\b1[0-9] passed\b", completed.stdout), completed.stdout[-500:]


def test_the_packs_archive_rule_runs(tmp_path: Path, pack_site: Path) -> None:
    for number in (1, 2, 3):
        write(tmp_path / "feed" / f"{number}.md",
              GOOD_CLIPPING.replace("A good title", "Untitled").replace("/a/1", f"/a/{number}"))
    write(tmp_path / "feed" / "4.md", GOOD_CLIPPING)
    result = run_cliplint("--isolated", "--format", "json", "--select", "example/", "feed",
                          cwd=tmp_path, env={"PYTHONPATH": str(pack_site)})
    assert result.status == 0
    assert [(p["path"], p["rule"], p["severity"], p["message"], len(p["related"]))
            for p in json.loads(result.stdout)["problems"]] == [
        (f"feed/{n}.md", "example/repeated-title", "info", "3 clippings are titled 'Untitled'", 2)
        for n in (1, 2, 3)]


def test_the_packs_archive_rule_counts_a_symlink_as_the_clipping_it_leads_to(
        tmp_path: Path, pack_site: Path) -> None:
    # The page says a rule comparing contents should not take one file under two names
    # for two: its own example counted latest.md -> feed/3.md as a fourth "Untitled".
    for number in (1, 2, 3):
        write(tmp_path / "feed" / f"{number}.md",
              GOOD_CLIPPING.replace("A good title", "Untitled").replace("/a/1", f"/a/{number}"))
    (tmp_path / "feed" / "latest.md").symlink_to("3.md")
    result = run_cliplint("--isolated", "--no-cache", "--format", "json", "--select",
                          "example/", "feed", cwd=tmp_path, env={"PYTHONPATH": str(pack_site)})
    assert result.status == 0, result.stderr
    assert [(p["path"], p["message"], len(p["related"]))
            for p in json.loads(result.stdout)["problems"]] == [
        (f"feed/{n}.md", "3 clippings are titled 'Untitled'", 2) for n in (1, 2, 3)]


def test_the_packs_archive_rule_shows_a_run_given_some_files_what_names_them(
        tmp_path: Path, pack_site: Path) -> None:
    # A run given some files of an archive shows the problems about them or naming them
    # (README). The example skipped every file out of focus: a run given 1.md did not show
    # 2.md's "same title as 1.md", where duplicate-clipping shows its kind.
    for number in (1, 2, 3, 4, 5):
        write(tmp_path / "feed" / f"{number}.md",
              GOOD_CLIPPING.replace("A good title", "Untitled").replace("/a/1", f"/a/{number}"))
    # (its folder is the archive's root: the files given are seen with the rest of it)
    write(tmp_path / "cliplint.toml", 'select = ["example/"]\n')

    def problems(*given: str) -> list[tuple[str, list[str]]]:
        run = run_cliplint("--no-cache", "--format", "json", *given, cwd=tmp_path,
                           env={"PYTHONPATH": str(pack_site)})
        assert run.status == 0, run.stderr
        return [(p["path"], [item["path"] for item in p["related"]])
                for p in json.loads(run.stdout)["problems"]]

    whole = problems("feed")
    assert [path for path, _ in whole] == [f"feed/{n}.md" for n in (1, 2, 3, 4, 5)]
    for given in ("feed/1.md", "feed/5.md"):  # named by others' problems, and by none
        shown = [(path, related) for path, related in whole
                 if path == given or given in related]
        assert problems(given) == shown
    assert len(shown) == 1  # 5.md's own: the others name the first three of them


# -- docs/plugins.md -----------------------------------------------------------------------


def test_the_reference_is_generated_from_the_code() -> None:
    page = GUIDE.read_text(encoding="utf-8")
    shown = page.split(REFERENCE_START, 1)[1].split(REFERENCE_END, 1)[0].strip()
    assert shown == api_reference(), "run: python scripts/update_readme.py"


def test_every_exported_name_is_documented() -> None:
    from cliplint.docs import _DOCS, _members

    assert set(api.__all__) == set(api.EXPORTS)
    for name in api.EXPORTS:
        value = getattr(api, name)
        assert getattr(sys.modules["cliplint"], name) is value  # re-exported by cliplint
        if name in ALIASES or name in _DOCS:
            continue
        doc = inspect.getdoc(value) or ""
        # Not the docstring a named tuple or dataclass gets when it has none.
        assert doc.strip() and not doc.startswith(f"{name}("), f"{name} has no docstring"
        for signature, member_doc in _members(value):
            assert member_doc.strip(), f"{name}.{signature} has no docstring"


def _example(name: str) -> str:
    """The code block after ``<!-- example: NAME -->`` in docs/plugins.md."""
    page = GUIDE.read_text(encoding="utf-8")
    return page.split(f"<!-- example: {name} -->\n```python\n", 1)[1].split("```", 1)[0]


def test_the_format_example_renders_a_report() -> None:
    code = _example("format")
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/plugins.md", "exec"), namespace)
    from cliplint import lint_text
    from cliplint.formats import RenderOptions
    from cliplint.model import Report

    problems = lint_text(GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->"),
                         path="a.md", select=["timestamp-comment"])
    formats = namespace["cliplint_formats"]()  # type: ignore[operator]
    text = formats["csv"](Report(tuple(problems), ("a.md",)), RenderOptions())
    assert text.splitlines() == [
        "path,line,column,rule,severity,message",
        'a.md,1,5,timestamp-comment,error,"timestamp 1686778744 is in seconds, not milliseconds '
        '(did you mean 1686778744000?)"',
    ]


def test_a_format_goes_in_a_pack_where_the_page_says(tmp_path: Path) -> None:
    # The page did not say where: a module of its own in the rules' package was loaded
    # as a rule, and refused.
    source = tmp_path / "pack"
    shutil.copytree(PACK, source, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    render = _example("format").split("\n\n@hookimpl", 1)[0] + "\n"
    write(tmp_path / "feed" / "a.md", SHOUTING)

    write(source / "cliplint_example" / "csv_format.py", _example("format"))
    site = install_pack(source, tmp_path / "site-public")
    refused = run_cliplint("--isolated", "--format", "csv", "feed", cwd=tmp_path,
                           env={"PYTHONPATH": str(site)})
    assert refused.status == 2
    assert ("rule module cliplint_example.csv_format lacks ID, SEVERITY, check (a rule of one "
            "clipping) or reduce (an archive rule)") in refused.stderr

    (source / "cliplint_example" / "csv_format.py").unlink()
    write(source / "cliplint_example" / "_csv_format.py", render)
    package = source / "cliplint_example" / "__init__.py"
    write(package, package.read_text(encoding="utf-8") + "\n\n" + _example("format-in-pack"))
    site = install_pack(source, tmp_path / "site-private")
    found = run_cliplint("--isolated", "--format", "csv", "--select", "example/", "feed",
                         cwd=tmp_path, env={"PYTHONPATH": str(site)})
    assert found.status == 0, found.stderr
    assert found.stdout.splitlines() == [
        "path,line,column,rule,severity,message",
        "feed/a.md,2,2,example/shouting-title,warning,title in capitals"]
