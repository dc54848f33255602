"""Reading a clipping (cliplint.files.read_to_end): the bytes open().read() gives, however
the size it is told compares with the file's."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings, strategies as st

from cliplint.files import read_to_end, read_with_stat


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=3000), hint=st.integers(min_value=0, max_value=200_000))
def test_a_file_is_read_whole_whatever_size_it_is_said_to_have(tmp_path_factory: object,
                                                               data: bytes, hint: int) -> None:
    # A size below the file's is a file that grew since its status was taken: the reads
    # go on to the end. (A larger one: the first read finds the end.)
    folder = tmp_path_factory.mktemp("read")  # type: ignore[attr-defined]
    path = folder / "a.md"
    path.write_bytes(data)
    with open(path, "rb") as stream:
        expected = stream.read()
    assert read_to_end(str(path), hint % (len(data) + 2)) == expected
    assert read_to_end(str(path), hint) == expected


def test_a_file_larger_than_one_read_is_read_whole(tmp_path: Path) -> None:
    # More than the size it is said to have plus several reads of the rest.
    data = bytes(range(256)) * 1000
    path = tmp_path / "big.md"
    path.write_bytes(data)
    assert read_to_end(str(path), 0) == data
    assert read_to_end(str(path), 10) == data
    read = read_with_stat(str(path), 10**9)
    assert not isinstance(read, Exception) and read[0] == data  # type: ignore[index]


def test_an_empty_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    assert read_to_end(str(path), 0) == b""
