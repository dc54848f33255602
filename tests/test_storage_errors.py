"""How a storage's error answers are read (cliplint/storage.py), whatever shape they
come in: botocore's errors, behind the Python errors s3fs raises, hold the answer."""

from __future__ import annotations

from typing import Any

import pytest

from cliplint.model import FILE_UNREADABLE
from cliplint.storage import StorageError, _unreadable, describe


class _Answered(Exception):
    """An error carrying a storage's answer, as botocore's ClientError does."""

    def __init__(self, error: Any) -> None:
        super().__init__("refused")
        self.response = {"Error": error}


def _raised_from(answer: _Answered) -> PermissionError:
    try:
        raise PermissionError("Access Denied") from answer
    except PermissionError as error:
        return error


@pytest.mark.parametrize("code", [["InvalidAccessKeyId"], {"a": 1}, None, 403])
def test_an_answer_whose_code_is_no_string_is_the_objects_problem(code: Any) -> None:
    error = _raised_from(_Answered({"Code": code}))
    problem = _unreadable("s3://bucket/a.md", error)
    assert problem.rule == FILE_UNREADABLE
    assert describe(error) == "Access Denied"


def test_refused_credentials_stop_the_run() -> None:
    with pytest.raises(StorageError, match=r"credentials refused \(InvalidAccessKeyId\)"):
        _unreadable("s3://bucket/a.md", _raised_from(_Answered({"Code": "InvalidAccessKeyId"})))
