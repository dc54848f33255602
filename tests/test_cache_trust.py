"""The result cache is trusted no further than it deserves: a damaged cache file is noticed,
said once and rebuilt. Real runs of the command line over real files."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import GOOD_CLIPPING, record_calls, rewrite_entries, run_cliplint, write

import cliplint.cache
from cliplint.cache import LOCKED_TIMEOUT, SQLITE_TIMEOUT
from cliplint.cli import main

FILES = 60


def _archive(folder: Path) -> Path:
    for number in range(FILES):
        text = (GOOD_CLIPPING.replace("A good title", f"Story {number}")
                .replace("/a/1", f"/a/{number}")
                .replace("<p>Some article text.</p>",
                         "".join(f"<p>Part {i} of story {number}.</p>" for i in range(20))))
        if number % 2:
            text = text.replace("<!--1686778744000-->", "<!--1686778744-->")
        write(folder / f"{number:02}.md", text)
    return folder


def _lint(archive: Path, cache: Path, *arguments: str) -> tuple[list[object], str]:
    run = run_cliplint("--isolated", "--jobs", "1", "--format", "json", *arguments, ".",
                       cwd=archive, env={"CLIPLINT_CACHE_DIR": str(cache)})
    assert run.status == 1, run.stderr
    return json.loads(run.stdout)["problems"], run.stderr


def _garble(path: Path) -> None:
    """Overwrite every page but the first (the header and the tables' definitions)."""
    data = path.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    path.write_bytes(data[:page] + bytes(range(256)) * ((len(data) - page) // 256 + 1))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _not_sqlite(path: Path) -> None:
    path.write_text("this is not a database\n" * 200)


def _wrong_schema(path: Path) -> None:
    path.unlink()
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, problems TEXT)")
    connection.execute("INSERT INTO entries VALUES ('x', '[]')")
    connection.commit()
    connection.close()


DAMAGE = {"garbled-pages": _garble, "truncated": _truncate, "not-sqlite": _not_sqlite,
          "wrong-schema": _wrong_schema}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_cache_is_said_once_and_rebuilt(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    archive = _archive(tmp_path / "archive")
    cache = tmp_path / "cache"
    expected, _ = _lint(archive, cache, "--no-cache")
    assert _lint(archive, cache) == (expected, "")
    [database] = cache.glob("results-*.sqlite3")
    damage(database)

    problems, stderr = _lint(archive, cache)
    assert problems == expected
    [line] = stderr.splitlines()
    assert line.startswith(f"cliplint: the cache file {database} was damaged (")
    assert line.endswith("it was replaced by an empty one")
    # Rebuilt: the next run finds every file in it, and says nothing.
    connection = sqlite3.connect(database)
    assert connection.execute("SELECT count(*) FROM entries").fetchone() == (FILES,)
    connection.close()
    assert _lint(archive, cache) == (expected, "")


def test_a_busy_cache_is_not_taken_for_a_damaged_one(tmp_path: Path) -> None:
    """A cache another run holds locked is left alone (not replaced, nothing said)."""
    archive = _archive(tmp_path / "archive")
    cache = tmp_path / "cache"
    expected, _ = _lint(archive, cache)
    [database] = cache.glob("results-*.sqlite3")
    before = database.stat().st_ino
    holder = sqlite3.connect(database)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        problems, stderr = _lint(archive, cache)
    finally:
        holder.rollback()
        holder.close()
    assert problems == expected and "damaged" not in stderr
    assert database.stat().st_ino == before and os.path.getsize(database) > 0


def _locked_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                capsys: pytest.CaptureFixture[str], lock: str, changed: bool,
                fix: bool = False) -> tuple[list[float], str]:
    """A one-file run in an archive, as pre-commit's (in this process), while another
    connection holds the cache ``lock`` (``BEGIN ...``): the seconds each opening of the
    cache was told to wait for a lock (the look-ups open it, the archive rules, and
    when another file of the archive ``changed``, its look-up), and whether the report
    was the one made unlocked (with ``fix``, of ``--fix`` on a copy made after it)."""
    archive = _archive(tmp_path / "archive")
    (archive / ".git").mkdir()  # the archive's root
    for path in archive.glob("*.md"):  # (not "racily clean": their status is kept)
        os.utime(path, (1_600_000_000, 1_600_000_000))
    monkeypatch.chdir(archive)
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CLIPLINT_NO_SERVER", "1")
    arguments = ["--isolated", "--jobs", "1", "--format", "json", "01.md"]
    main(arguments)
    expected = capsys.readouterr().out
    if fix:
        arguments = ["--fix", *arguments]
        shutil.copytree(archive, tmp_path / "copy")
        with monkeypatch.context() as elsewhere:
            elsewhere.chdir(tmp_path / "copy")
            main(arguments)
        expected = capsys.readouterr().out
    if changed:  # (the same problems: a paragraph more)
        write(archive / "02.md", (archive / "02.md").read_text() + "<p>Changed.</p>\n")
    [database] = (tmp_path / "cache").glob("results-*.sqlite3")
    waits = record_calls(monkeypatch, cliplint.cache, "open_database",
                         note=lambda path, wait=SQLITE_TIMEOUT: wait)
    holder = sqlite3.connect(database)
    holder.execute(f"BEGIN {lock}")
    holder.execute("SELECT count(*) FROM entries").fetchone()  # (a read lock at least)
    try:
        main(arguments)
    finally:
        holder.rollback()
        holder.close()
    captured = capsys.readouterr()
    assert captured.err == ""
    return waits, "the same report" if captured.out == expected else captured.out


def test_a_locked_cache_is_waited_for_once_a_run(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A cache another run holds locked (stopped by Ctrl-Z in the middle of a write)
    costs a run one wait, not one for each of its phases: the look-ups wait, the later
    phases a moment only. (A one-file run in an archive, as pre-commit's, waited three
    times: 15 s.)"""
    assert _locked_run(tmp_path, monkeypatch, capsys, "EXCLUSIVE", changed=True) == (
        [SQLITE_TIMEOUT, LOCKED_TIMEOUT, LOCKED_TIMEOUT], "the same report")


def test_a_locked_cache_is_waited_for_once_by_fix(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The same with ``--fix``, whose first phase to open the cache is the archive
    rules', which open it again inside (for the rest of the archive) before closing."""
    assert _locked_run(tmp_path, monkeypatch, capsys, "EXCLUSIVE", changed=False,
                       fix=True) == ([SQLITE_TIMEOUT, LOCKED_TIMEOUT], "the same report")


def test_a_cache_being_written_is_read_without_waiting(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    """Another run writing (its write lock taken, not yet committing) lets a run that
    only reads the cache go on: a phase that wrote nothing takes no write lock at its
    end (it took one to trim the tables, and waited 5 s there, each phase)."""
    assert _locked_run(tmp_path, monkeypatch, capsys, "IMMEDIATE", changed=False) == (
        [SQLITE_TIMEOUT, SQLITE_TIMEOUT], "the same report")


# -- integrity: the cache lies in the linted tree, its key does not ------------------------


def _user(tmp_path: Path, name: str) -> dict[str, str]:
    """The environment of a user whose own cache folder (the key's) is ``name``."""
    return {"XDG_CACHE_HOME": str(tmp_path / name)}


def _lint_as(archive: Path, env: dict[str, str]) -> tuple[int, list[object], str]:
    run = run_cliplint("--format", "json", "--jobs", "1", ".", cwd=archive, env=env)
    return run.status, json.loads(run.stdout)["problems"], run.stderr


def _rows(database: Path) -> list[tuple[str, list[Any], Any, Any]]:
    """Each entry's key, problems, records and facts."""
    with sqlite3.connect(database) as connection:
        return [(key, *json.loads(entry))
                for key, entry in connection.execute("SELECT key, entry FROM entries")]


def test_rows_altered_to_hide_problems_are_not_believed(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "archive")
    me = _user(tmp_path, "me")
    status, expected, _ = _lint_as(archive, me)
    assert status == 1 and len(expected) == FILES // 2
    [database] = (archive / ".cliplint_cache").glob("results-*.sqlite3")
    with sqlite3.connect(database) as connection:  # "nothing wrong here"
        connection.execute("UPDATE entries SET entry = json_set(entry, '$[0]', json('[]')) "
                           "WHERE json_array_length(entry, '$[0]') > 0")
    status, problems, stderr = _lint_as(archive, me)
    assert (status, problems) == (1, expected)
    # The clean files' rows said "[]" already: they are as cliplint signed them.
    assert f"ignored {FILES // 2} cache rows not signed with this user's key" in stderr
    assert str(tmp_path / "me" / "cliplint" / "cache-key") in stderr
    # Linted again, and signed: the next run believes its cache and says nothing.
    assert _lint_as(archive, me) == (1, expected, "")


def test_a_cache_committed_with_the_tree_is_not_believed(tmp_path: Path) -> None:
    """A pull request commits a cache, made and signed with its author's own key, that
    says every clipping is clean; CI (another user, another key) lints them all."""
    from cliplint.cache import SECRET_FILE

    archive = _archive(tmp_path / "archive")
    attacker = _user(tmp_path, "attacker")
    _lint_as(archive, attacker)
    secret = (tmp_path / "attacker" / "cliplint" / SECRET_FILE).read_bytes()
    [database] = (archive / ".cliplint_cache").glob("results-*.sqlite3")
    rewrite_entries(database, lambda _, records, facts: [[], records, facts], secret)
    assert _lint_as(archive, attacker) == (0, [], "")  # its author's key: believed

    status, problems, stderr = _lint_as(archive, _user(tmp_path, "ci"))
    assert status == 1 and len(problems) == FILES // 2
    assert f"ignored {FILES} cache rows" in stderr
    assert (tmp_path / "ci" / "cliplint" / SECRET_FILE).stat().st_mode & 0o077 == 0


def test_without_a_place_for_the_key_the_run_goes_on_without_a_cache(tmp_path: Path) -> None:
    archive = _archive(tmp_path / "archive")
    (tmp_path / "file").write_text("not a folder")
    status, problems, stderr = _lint_as(archive, {"XDG_CACHE_HOME": str(tmp_path / "file")})
    assert status == 1 and len(problems) == FILES // 2
    [line] = stderr.splitlines()
    assert line.startswith("cliplint: no key to sign the cache with") and "without a cache" in line
    assert not list((archive / ".cliplint_cache").glob("results-*.sqlite3"))


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_key_that_is_no_file_is_not_read_forever(tmp_path: Path, kind: str) -> None:
    # A FIFO nobody writes to, or a link to /dev/zero, where the key should be: said, and
    # the run goes on without a cache, instead of waiting or reading without end. (A link
    # is not followed at all: to /dev/zero, or to a key someone else chose.)
    from cliplint.cache import SECRET_FILE

    archive = _archive(tmp_path / "archive")
    key = tmp_path / "cache" / "cliplint" / SECRET_FILE
    key.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(key)
    else:
        key.symlink_to("/dev/zero")
    status, problems, stderr = _lint_as(archive, {"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert status == 1 and len(problems) == FILES // 2
    why = "not a regular file" if kind == "fifo" else "a symbolic link"
    assert stderr == (f"cliplint: no key to sign the cache with ({key}: not a cliplint cache "
                      f"key ({why})); this run goes on without a cache (set "
                      "XDG_CACHE_HOME to a folder of your own)\n")


def test_a_key_linked_to_another_file_is_not_read(tmp_path: Path) -> None:
    """A key that is a link to a regular file of 32 bytes (a key someone else can read
    and write) is not taken: said, and no cache."""
    from cliplint.cache import SECRET_BYTES, SECRET_FILE

    archive = _archive(tmp_path / "archive")
    chosen = write(tmp_path / "chosen-key", b"k" * SECRET_BYTES)
    key = tmp_path / "cache" / "cliplint" / SECRET_FILE
    key.parent.mkdir(parents=True)
    key.symlink_to(chosen)
    status, problems, stderr = _lint_as(archive, {"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert status == 1 and len(problems) == FILES // 2
    assert stderr.startswith(f"cliplint: no key to sign the cache with ({key}: not a cliplint "
                             "cache key (a symbolic link)); this run goes on without a cache")
    assert not list((archive / ".cliplint_cache").glob("results-*.sqlite3"))


def test_a_key_replaced_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process reads the key once (a run asks for it several times), but not once for
    all: a key replaced (another file), or replaced by a link, is seen as such."""
    from cliplint.cache import SECRET_BYTES, cache_secret, secret_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    made = cache_secret()
    key = Path(secret_path())
    assert key.read_bytes() == made == cache_secret()
    write(tmp_path / "new-key", b"n" * SECRET_BYTES).replace(key)
    assert cache_secret() == b"n" * SECRET_BYTES
    key.unlink()
    key.symlink_to(write(tmp_path / "chosen-key", b"k" * SECRET_BYTES))
    with pytest.raises(OSError, match="a symbolic link"):
        cache_secret()


def test_archive_records_of_the_rest_of_the_archive_are_checked_too(tmp_path: Path) -> None:
    """Given one file (pre-commit), archive rules compare it with the others' records from
    the cache: altered records ("nothing to compare") are not believed either."""
    archive = tmp_path / "archive"
    write(archive / ".git" / "HEAD", "ref: refs/heads/main\n")  # the archive's top
    for name in ("a", "b"):  # the same article (URL) stored twice, long ago
        text = GOOD_CLIPPING.replace("article text", f"article text ({name})")
        os.utime(write(archive / f"{name}.md", text), (1e9, 1e9))
    me = _user(tmp_path, "me")
    whole = run_cliplint("--format", "json", ".", cwd=archive, env=me)
    assert {p["rule"] for p in json.loads(whole.stdout)["problems"]} == {"duplicate-clipping"}
    [database] = (archive / ".cliplint_cache").glob("results-*.sqlite3")
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE entries SET entry = json_set(entry, '$[1]', json('{}'))")
    one = run_cliplint("--format", "json", "a.md", cwd=archive, env=me)
    assert [p["rule"] for p in json.loads(one.stdout)["problems"]] == ["duplicate-clipping"]
    assert "cache row" in one.stderr


# -- check markers: a configuration that validated once is not validated again ----------
# (the marker, in the cache folder, is named with the user's key: cliplint/marks.py)

#: A configuration its schema refuses: a pattern that does not compile, on which the rule
#: would crash.
INVALID = '[rules.duplicate-clipping]\nid-pattern = "(unclosed"\n'
REFUSED = ("cliplint.toml:2: rules.duplicate-clipping.id-pattern: '(unclosed' is not a "
           "valid regular expression")


def _configured(folder: Path, configuration: str) -> Path:
    """A repository of one clipping under ``configuration``."""
    write(folder / "cliplint.toml", configuration)
    write(folder / "a.md", GOOD_CLIPPING)
    return folder


def _described(repository: Path) -> bytes:
    """What the marker of the repository's configuration describes (``validate`` in
    cliplint/config.py): its table and the schema it is checked against."""
    from cliplint.config import config_schema, validated_description
    from cliplint.config_tree import load_config_file
    from cliplint.plugins import load_registry

    table = load_config_file(repository / "cliplint.toml")
    return validated_description(table, config_schema(load_registry().rules))


def _marked_by(repository: Path, user: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The marker that says the repository's configuration is valid, as a run of the
    user whose key's folder is ``user`` names it (anyone can, with a key of their own),
    committed to the repository's cache folder."""
    from cliplint.marks import check_marker

    monkeypatch.setenv("XDG_CACHE_HOME", str(user))
    marker = check_marker(repository / ".cliplint_cache", "config-valid", _described(repository))
    assert marker is not None
    return write(Path(marker), "")


def _one_file(repository: Path, env: dict[str, str], *arguments: str) -> tuple[int, list[str], str]:
    """A pre-commit's run: the status, the rules of its problems, standard error."""
    run = run_cliplint("--format", "json", *arguments, "a.md", cwd=repository, env=env)
    rules = [p["rule"] for p in json.loads(run.stdout)["problems"]] if run.stdout else []
    return run.status, rules, run.stderr


def _config_markers(repository: Path) -> list[str]:
    return sorted(path.name for path in (repository / ".cliplint_cache").glob("config-valid-*"))


def test_a_committed_unkeyed_marker_does_not_skip_validation(tmp_path: Path) -> None:
    """Beside its invalid configuration, a repository commits the marker cliplint 0.1.0
    left once a configuration validated: a digest of it anyone can compute."""
    from cliplint.digests import blake2b

    repository = _configured(tmp_path / "repository", INVALID)
    digest = blake2b(_described(repository), digest_size=16).hexdigest()
    write(repository / ".cliplint_cache" / f"config-valid-{digest}", "")
    status, _, stderr = _one_file(repository, _user(tmp_path, "ci"))
    assert status == 2 and REFUSED in stderr


def test_a_marker_named_with_another_key_does_not_skip_validation(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repository = _configured(tmp_path / "repository", INVALID)
    attacker = _user(tmp_path, "attacker")
    _marked_by(repository, tmp_path / "attacker", monkeypatch)
    # Its author's runs believe it, and the rule crashes on what the check would refuse.
    assert _one_file(repository, attacker) == (3, ["internal-error"], "")
    assert _one_file(repository, attacker, "--no-cache")[0] == 2  # (no cache: no marker)

    status, _, stderr = _one_file(repository, _user(tmp_path, "ci"))
    assert status == 2 and REFUSED in stderr


def test_a_marker_made_by_a_run_with_another_key_is_not_trusted(tmp_path: Path) -> None:
    """Made by a run (of a valid configuration), under one key; a run under another
    validates the configuration again, and leaves a marker of its own."""
    repository = _configured(tmp_path / "repository", 'select = ["timestamp-comment"]\n')
    assert _one_file(repository, _user(tmp_path, "attacker")) == (0, [], "")
    [made] = _config_markers(repository)
    status, _, stderr = _one_file(repository, _user(tmp_path, "ci"))
    assert status == 0 and "ignored 1 cache row" in stderr  # its results are not believed
    assert made in _config_markers(repository) and len(_config_markers(repository)) == 2


def test_without_a_key_no_marker_is_trusted_or_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key is a link to a key someone else chose (who can name markers with it): it
    is not read, so no marker is believed, and none is written."""
    from cliplint.cache import SECRET_FILE

    repository = _configured(tmp_path / "repository", INVALID)
    marker = _marked_by(repository, tmp_path / "chooser", monkeypatch)
    key = tmp_path / "me" / "cliplint" / SECRET_FILE
    key.parent.mkdir(parents=True)
    key.symlink_to(tmp_path / "chooser" / "cliplint" / SECRET_FILE)
    status, _, stderr = _one_file(repository, _user(tmp_path, "me"))
    assert status == 2 and REFUSED in stderr
    write(repository / "cliplint.toml", 'select = ["timestamp-comment"]\n')  # now valid
    status, _, stderr = _one_file(repository, _user(tmp_path, "me"))
    assert status == 0 and "no key to sign the cache with" in stderr
    assert _config_markers(repository) == [marker.name]
