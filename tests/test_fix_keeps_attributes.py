"""``--fix`` must not change who may read or write a file: the file it writes keeps the
owner, the mode and the extended attributes (a POSIX ACL among them) of the one it
replaces, and when one of them cannot be kept the file is left as it is, reported
``fix-refused``. Real files, real attributes, through the real command line.

Some refusals need a process that lacks a privilege (CAP_CHOWN, CAP_SYS_ADMIN) while the
test, to set the file up, has it: as root, cliplint then runs under ``setpriv`` with that
capability taken out of its bounding set; as an ordinary user those tests are skipped,
since no ordinary user can give a file another owner or a ``security.*`` attribute."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Run, run_cliplint, write

#: Seconds in the timestamp (fixed to milliseconds), and a stray end tag no fix touches.
CLIP = ("<!--1686778744-->\n[A title](https://example.com/a/1)\n------\n\n"
        "<p>Some article text.</span></p>\n")
FIXED = CLIP.replace("1686778744", "1686778744000")
SELECT = "--select=timestamp-comment,well-formed-html"

ACCESS_ACL = "system.posix_acl_access"
DEFAULT_ACL = "system.posix_acl_default"
NOBODY = 65534
#: An ACL entry's id when it names no one (the owner's, the group's, mask, other).
_NO_ID = 2**32 - 1


def acl(*, user: int, user_rights: int) -> bytes:
    """A POSIX ACL as Linux stores it in ``system.posix_acl_*``: owner rw, group r, mask
    rw, other r, and ``user`` with ``user_rights`` (4 read, 2 write)."""
    entries = [(0x01, 6, _NO_ID), (0x02, user_rights, user), (0x04, 4, _NO_ID),
               (0x10, 6, _NO_ID), (0x20, 4, _NO_ID)]
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *entry) for entry in entries)


def set_attribute(path: Path, name: str, value: bytes) -> None:
    """Set an extended attribute, or skip the test when this platform or file system
    has none of that kind."""
    if not hasattr(os, "setxattr"):
        pytest.skip("extended attributes need Linux (os.setxattr)")
    try:
        os.setxattr(path, name, value)
    except OSError as error:
        if error.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            pytest.skip(f"the file system of {path.parent} has no {name.split('.')[0]}.* "
                        "extended attributes")
        raise


def attributes(path: Path) -> dict[str, bytes]:
    return {name: os.getxattr(path, name) for name in os.listxattr(path)}


def temporaries(folder: Path) -> list[str]:
    return [entry.name for entry in folder.iterdir() if entry.name.endswith(".cliplint-tmp")]


def without(capability: str) -> list[str]:
    """The command that runs the rest as root without ``capability``; skips the test
    when the process cannot be made so (not root, no setpriv, or no CAP_SETPCAP)."""
    if os.geteuid() != 0:
        pytest.skip("needs root: only root can set up a file whose owner or attributes "
                    "the fixing process may not set")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("needs setpriv (util-linux) to run cliplint without a capability")
    command = [setpriv, f"--bounding-set=-{capability}", "--inh-caps=-all", "--"]
    if subprocess.run([*command, "true"], capture_output=True).returncode != 0:
        pytest.skip(f"setpriv cannot drop {capability} here (no CAP_SETPCAP)")
    return command


def run_without(capability: str, *arguments: str, cwd: Path) -> Run:
    completed = subprocess.run(
        [*without(capability), sys.executable, "-m", "cliplint", *arguments], cwd=cwd,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("CLIPLINT")},
             "CLIPLINT_NO_SERVER": "1", "XDG_CACHE_HOME": str(cwd / "xdg")},
        capture_output=True, timeout=300)
    return Run(completed.returncode, completed.stdout.decode(), completed.stderr.decode())


def test_a_user_attribute_and_an_acl_survive_a_fix(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", CLIP)
    path.chmod(0o664)
    set_attribute(path, "user.cliplint-test", b"kept")
    set_attribute(path, ACCESS_ACL, acl(user=NOBODY, user_rights=6))
    before = attributes(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    result = run_cliplint("--isolated", "--no-cache", SELECT, "--fix", "a.md", cwd=tmp_path)
    assert path.read_text() == FIXED, result.stdout
    assert attributes(path) == before  # nobody may still write it
    assert before[ACCESS_ACL] == acl(user=NOBODY, user_rights=6)
    assert stat.S_IMODE(path.stat().st_mode) == mode == 0o664
    assert "fix-refused" not in result.stdout


def test_an_acl_the_folder_gives_new_files_is_not_added(tmp_path: Path) -> None:
    # The temporary file inherits the folder's default ACL; the file it replaces was
    # made before that ACL and has none: the fix must not let user nobody in.
    folder = tmp_path / "feed"
    path = write(folder / "a.md", CLIP)
    path.chmod(0o644)
    set_attribute(folder, DEFAULT_ACL, acl(user=NOBODY, user_rights=6))
    result = run_cliplint("--isolated", "--no-cache", SELECT, "--fix", "a.md", cwd=folder)
    assert path.read_text() == FIXED, result.stdout
    assert ACCESS_ACL not in os.listxattr(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_root_keeps_another_users_owner_and_setuid_bit(tmp_path: Path) -> None:
    # chown clears the setuid bit: it must come before the mode is set.
    if os.geteuid() != 0:
        pytest.skip("needs root, to give the file another owner")
    path = write(tmp_path / "a.md", CLIP)
    os.chown(path, NOBODY, NOBODY)
    path.chmod(0o4755)
    result = run_cliplint("--isolated", "--no-cache", SELECT, "--fix", "a.md", cwd=tmp_path)
    assert path.read_text() == FIXED, result.stdout
    info = path.stat()
    assert (info.st_uid, info.st_gid) == (NOBODY, NOBODY)
    assert stat.S_IMODE(info.st_mode) == 0o4755


def test_a_file_whose_owner_cannot_be_kept_is_left_unchanged(tmp_path: Path) -> None:
    # A 664 file of user nobody, group root, fixed by a process that may write it but
    # may not chown: written, it would become that process's, and nobody could not
    # write it any more.
    path = write(tmp_path / "a.md", CLIP)
    os.chown(path, NOBODY, 0)
    path.chmod(0o664)
    result = run_without("chown", "--isolated", "--no-cache", SELECT, "--fix", "a.md",
                         cwd=tmp_path)
    assert path.read_text() == CLIP
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (NOBODY, 0, 0o664)
    assert result.status == 1, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("a.md:1:1: fix-refused fixes not written: cannot keep its owner "
                            f"(user {NOBODY}, group 0)"), first
    assert first.endswith("; left as it is")
    assert "timestamp-comment" in result.stdout  # still in the file: reported
    assert "Fixed" not in result.stdout
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize(("mode", "written"), [(0o644, True), (0o664, False), (0o2644, False)])
def test_a_group_we_cannot_keep_may_go_only_when_it_grants_nothing(
        tmp_path: Path, mode: int, written: bool) -> None:
    # Our own file, of a group we are not in (docker run -u): its group may not be kept.
    # When the group may do no more than anyone, losing it changes nobody's access.
    path = write(tmp_path / "a.md", CLIP)
    os.chown(path, 0, 1000)
    path.chmod(mode)
    result = run_without("chown", "--isolated", "--no-cache", SELECT, "--fix", "a.md",
                         cwd=tmp_path)
    info = path.stat()
    if written:
        assert path.read_text() == FIXED, result.stdout
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, mode)
    else:
        assert path.read_text() == CLIP
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (0, 1000, mode)
        assert result.stdout.startswith("a.md:1:1: fix-refused fixes not written: cannot "
                                        "keep its group (user 0, group 1000)"), result.stdout
    assert temporaries(tmp_path) == []


def test_a_file_whose_attribute_cannot_be_set_is_left_unchanged(tmp_path: Path) -> None:
    # Anyone may read a security.* attribute; setting one takes CAP_SYS_ADMIN.
    path = write(tmp_path / "a.md", CLIP)
    without("sys_admin")  # before setting it: as an ordinary user that would fail
    set_attribute(path, "security.cliplint-test", b"label")
    result = run_without("sys_admin", "--isolated", "--no-cache", SELECT, "--fix", "a.md",
                         cwd=tmp_path)
    assert path.read_text() == CLIP
    assert os.getxattr(path, "security.cliplint-test") == b"label"
    assert result.status == 1, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("a.md:1:1: fix-refused fixes not written: cannot keep its "
                            "extended attribute security.cliplint-test: "), first
    assert first.endswith("; left as it is")
    assert "Fixed" not in result.stdout
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize("name", ["security.ima", "security.evm"])
def test_a_file_whose_content_is_signed_is_left_unchanged(tmp_path: Path, name: str) -> None:
    # IMA's hash (or EVM's signature) of the content: copied onto the fixed file it would
    # be false (an appraising kernel refuses to open it); left off, the file is unsigned.
    if os.geteuid() != 0:
        pytest.skip("needs root: setting a security.* attribute takes CAP_SYS_ADMIN")
    path = write(tmp_path / "a.md", CLIP)
    set_attribute(path, name, b"\x03\x02" + bytes(20))
    result = run_cliplint("--isolated", "--no-cache", SELECT, "--fix", "a.md", cwd=tmp_path)
    assert path.read_text() == CLIP
    assert os.getxattr(path, name) == b"\x03\x02" + bytes(20)
    assert result.status == 1, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == (f"a.md:1:1: fix-refused fixes not written: its content is signed "
                     f"({name}: the fix would change what is signed); left as it is"), first
    assert temporaries(tmp_path) == []
