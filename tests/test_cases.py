"""Every rule's case files, run by the kit plugin packs use too (cliplint.testing: its
docstring describes the files), and the kit itself: it fails when a rule does not do
what the files say."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

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
