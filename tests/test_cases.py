"""Every rule's case files, run by the kit plugin packs use too (cliplint.testing: its
docstring describes the files), and the kit itself: it fails when a rule does not do
what the files say."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, write

from cliplint.config import ConfigError
from cliplint.testing import Case, CaseFailure, check_case, find_cases

CASES = Path(__file__).parent / "cases"
ALL_CASES = find_cases(CASES)


@pytest.mark.parametrize("case", [case for case in ALL_CASES if not case.is_archive], ids=str)
def test_case(case: Case) -> None:
    check_case(case)


@pytest.mark.parametrize("case", [case for case in ALL_CASES if case.is_archive], ids=str)
def test_archive_case(case: Case) -> None:
    check_case(case)


def test_every_rule_has_failing_and_passing_cases() -> None:
    from cliplint.plugins import load_registry

    for rule in load_registry(builtins_only=True).rules.values():
        cases = [case for case in ALL_CASES if case.rule == rule.id]
        assert all(case.is_archive == rule.is_archive_rule for case in cases), rule.id
        outcomes = {bool(case.expected) for case in cases}
        assert outcomes == {True, False}, f"{rule.id} needs case files that fail and that pass"


def test_every_rule_with_a_fix_has_a_fixed_case() -> None:
    from cliplint.plugins import load_registry

    for rule in load_registry(builtins_only=True).rules.values():
        if rule.fix is None:
            continue
        suffix = ".fixed.md" if rule.fix == "safe" else ".unsafe-fixed.md"
        fixed = [case for case in ALL_CASES if case.rule == rule.id
                 and case.sibling(suffix).exists()
                 and case.sibling(suffix).read_bytes() != case.path.read_bytes()]
        assert fixed, f"{rule.id}: no case shows its {rule.fix} fix ({suffix})"


# -- the kit catches what it is for --------------------------------------------------------

SECONDS = "<!--1686778744-->\n[T](https://example.com/a)\n------\n\n<p>Body.</p>\n"


def _case(tmp_path: Path, files: dict[str, str]) -> Case:
    for name, text in files.items():
        write(tmp_path / "timestamp-comment" / name, text)
    (case,) = find_cases(tmp_path)
    return case


def test_a_wrong_position_fails(tmp_path: Path) -> None:
    case = _case(tmp_path, {"s.md": SECONDS, "s.expect": "1:6 in seconds\n"})
    with pytest.raises(CaseFailure, match=r"found:\n  1:5 timestamp-comment timestamp 1686778744"):
        check_case(case)


def test_a_wrong_fragment_fails(tmp_path: Path) -> None:
    case = _case(tmp_path, {"s.md": SECONDS, "s.expect": "1:5 in minutes\n"})
    with pytest.raises(CaseFailure, match="lacks 'in minutes'"):
        check_case(case)


def test_an_unexpected_problem_fails(tmp_path: Path) -> None:
    case = _case(tmp_path, {"s.md": SECONDS, "s.expect": ""})
    with pytest.raises(CaseFailure, match="found"):
        check_case(case)


def test_the_fixed_text_is_compared_byte_for_byte(tmp_path: Path) -> None:
    fixed = SECONDS.replace("744-->", "744000-->")
    case = _case(tmp_path, {"s.md": SECONDS, "s.expect": "1:5 in seconds\n",
                            "s.fixed.md": fixed})
    check_case(case)
    write(tmp_path / "timestamp-comment" / "s.fixed.md", fixed.replace("\n", "\r\n"))
    with pytest.raises(CaseFailure, match=r"fixed text differs from s\.fixed\.md"):
        check_case(case)


def test_unsafe_fixes_only_in_the_unsafe_file(tmp_path: Path) -> None:
    # image-proxy's unwrapping of a nested proxy is unsafe: --fix alone leaves it.
    nested = ('<img src="https://images.weserv.nl/?url=i0.wp.com/example.com/a.jpg">')
    text = SECONDS.replace("744-->", "744000-->").replace("<p>Body.</p>", nested)
    unwrapped = text.replace("https://images.weserv.nl/?url=i0.wp.com/", "https://i0.wp.com/")
    folder = tmp_path / "image-proxy"
    write(folder / "n.md", text)
    write(folder / "n.expect", "5:11 nested image proxies\n")
    write(folder / "n.fixed.md", text)
    write(folder / "n.unsafe-fixed.md", unwrapped)
    (case,) = find_cases(tmp_path)
    check_case(case)
    write(folder / "n.fixed.md", unwrapped)
    with pytest.raises(CaseFailure, match="the fixed text differs"):
        check_case(case)


def test_a_clipping_without_expectations_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "timestamp-comment" / "forgotten.md", SECONDS)
    with pytest.raises(CaseFailure, match=r"no forgotten\.expect"):
        find_cases(tmp_path)


def test_a_rule_that_is_not_installed_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "mypack" / "nothing" / "a.md", SECONDS)
    write(tmp_path / "mypack" / "nothing" / "a.expect", "")
    (case,) = find_cases(tmp_path)
    assert case.rule == "mypack/nothing"
    with pytest.raises(CaseFailure, match="no installed rule is named 'mypack/nothing'"):
        check_case(case)


# -- a case folder set up wrong fails loudly --------------------------------------------------


@pytest.mark.parametrize(("make", "said"), [
    # a misnamed folder, or a test module written before its cases
    (lambda folder: None, "no such folder: the cases are looked for there"),
    (lambda folder: folder.mkdir(), "no case in it (a case is NAME.md"),
    (lambda folder: write(folder / "notes.txt", "cases to come\n"), "no case in it"),
    (lambda folder: write(folder, "not a folder\n"), "not a folder: the cases are looked for"),
], ids=["missing", "empty", "no-case", "a-file"])
def test_a_cases_folder_without_cases_is_an_error_naming_it(
        tmp_path: Path, make: Callable[[Path], object], said: str) -> None:
    # find_cases gave [], which pytest skips ("got empty parameter set"): green, with
    # nothing tested.
    folder = tmp_path / "cases"
    make(folder)
    with pytest.raises(CaseFailure, match=f"^{re.escape(f'{folder}: {said}')}"):
        find_cases(folder)


def test_the_documented_test_module_fails_without_its_cases(tmp_path: Path) -> None:
    # The pack's test module as docs/plugins.md gives it, copied before any case exists.
    module = write(tmp_path / "tests" / "test_cases.py",
                   (ROOT / "example-pack" / "tests" / "test_cases.py").read_text(encoding="utf-8"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(module)], cwd=tmp_path, capture_output=True, text=True,
                         check=False)
    assert run.returncode != 0, run.stdout
    assert f"{tmp_path / 'tests' / 'cases'}: no such folder" in run.stdout, run.stdout
    assert "skipped" not in run.stdout


@pytest.mark.parametrize(("table", "said"), [
    ('[rules.timestamp-comment]\nbogus = 1\n',
     ["{}: invalid configuration:", "  {}:2: rules.timestamp-comment: unknown key 'bogus'"]),
    ('[rules.timestamp-comment\n', ["{}: invalid TOML: Expected ']'"]),
], ids=["invalid", "not-toml"])
def test_a_cases_invalid_configuration_names_its_file(tmp_path: Path, table: str,
                                                       said: list[str]) -> None:
    # As `cliplint --config s.toml` says it. It was "config: invalid configuration: ...",
    # naming no file, or tomllib's "Expected ']' ... (at line 1, column 25)".
    case = _case(tmp_path, {"s.md": SECONDS, "s.expect": "1:5 in seconds\n", "s.toml": table})
    with pytest.raises(ConfigError) as raised:
        check_case(case)
    expected = [start.format(case.sibling(".toml")) for start in said]
    lines = str(raised.value).splitlines()
    assert [line[: len(start)] for line, start in zip(lines, expected)] == expected, lines
