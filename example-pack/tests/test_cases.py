"""The pack's rules on its case files (see cliplint.testing for what the files say)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cliplint.testing import Case, check_case, find_cases


@pytest.mark.parametrize("case", find_cases(Path(__file__).parent / "cases"), ids=str)
def test_case(case: Case) -> None:
    check_case(case)
