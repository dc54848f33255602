"""The folder walk (cliplint.files.walk_entries): the files os.walk would give, in the same
order, and the plain exclude names matched as the globs match them."""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import write

from cliplint.config import Settings
from cliplint.files import iter_files, walk_entries


def os_walk_files(folder: str, settings: Settings) -> Iterator[tuple[str, str]]:
    """What the walk gave when it was made of os.walk: (path, relative) of each file."""
    start = len(folder.rstrip(os.sep)) + 1
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(name for name in folders
                            if not settings.is_excluded(os.path.join(root, name)))
        below = root[start:].replace(os.sep, "/") + "/" if root != folder else ""
        for name in sorted(names):
            path = os.path.join(root, name)
            if (any(fnmatch.fnmatchcase(name, glob) for glob in settings.include)
                    and not settings.is_excluded(path)):
                yield path, below + name


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ["b.md", "a.md", "notes.txt", "x.markdown", "sub/c.md", "sub/deep/d.md",
                 ".git/e.md", "node_modules/f.md", "keep/g.draft.md", "keep/h.md",
                 "keep/skip/i.md", "é t/j.md", "B/k.md"]:
        write(tmp_path / name, "x\n")
    (tmp_path / "linked").symlink_to(tmp_path / "sub")  # a symlinked folder: not followed
    (tmp_path / "l.md").symlink_to(tmp_path / "a.md")  # a symlinked file: a file
    (tmp_path / "broken.md").symlink_to(tmp_path / "nowhere.md")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("exclude", [(".git", "node_modules"), ("keep/skip", "*.draft.md"),
                                     ("sub/", "B"), ("su?", "[k]eep"), ("*",), ()])
@pytest.mark.parametrize("folder", [".", "./", "keep", "sub//deep", "TREE"])
def test_the_walk_gives_what_os_walk_gave(tree: Path, exclude: tuple[str, ...],
                                          folder: str) -> None:
    folder = str(tree) if folder == "TREE" else folder
    settings = Settings(enabled=(), severity={}, options={}, exclude=exclude)
    configurations: dict[str, Settings] = {}
    walked = [(entry.path, below + entry.name)
              for below, entries in walk_entries(folder, settings, configurations)
              for entry in entries]
    assert walked == list(os_walk_files(folder, settings))
    assert list(iter_files([folder], settings)) == [path for path, _ in walked]
    assert configurations and all(local is settings for local in configurations.values())
    if folder == "." and exclude == (".git", "node_modules"):
        assert [relative for _, relative in walked] == [
            "a.md", "b.md", "broken.md", "l.md", "x.markdown", "B/k.md", "keep/g.draft.md",
            "keep/h.md", "keep/skip/i.md", "sub/c.md", "sub/deep/d.md", "é t/j.md"]


def test_a_walked_entry_gives_the_status_of_the_file(tree: Path) -> None:
    settings = Settings(enabled=(), severity={}, options={})
    checked = 0
    for _, entries in walk_entries(".", settings):
        for entry in entries:
            if entry.name != "broken.md":
                assert entry.stat().st_mtime_ns == os.stat(entry.path).st_mtime_ns
                checked += 1
    assert checked == 11  # the 12 files walked from "." (see above) but the broken link


@pytest.mark.parametrize("exclude", [(".git", "keep/", "a.md"), ("*.md", "keep"),
                                     ("keep/*", "b"), ("[ab].md", "sub/deep", "x")])
def test_plain_exclude_names_match_as_the_globs_do(exclude: tuple[str, ...]) -> None:
    settings = Settings(enabled=(), severity={}, options={}, exclude=exclude)
    for prefix in ["", "keep/", "sub/", "a/b/"]:
        parts = prefix.split("/")[:-1]
        if any(settings.excludes("/".join(parts[:end])) for end in range(1, len(parts) + 1)):
            continue  # the walk never reaches it
        for name in [".git", "keep", "a.md", "b", "b.md", "x", "deep", "c.md", "keep.md"]:
            assert settings.excludes_entry(prefix, name) == settings.excludes(prefix + name), (
                prefix, name)


def test_a_tree_deeper_than_the_recursion_limit_is_walked(tmp_path: Path) -> None:
    # (os.walk of Python 3.11 recursed, and such an archive ended the run in an internal
    # error.) Each level is a one-letter folder: the path stays under PATH_MAX.
    levels = sys.getrecursionlimit() + 100
    folder = tmp_path / "top"
    folder.mkdir()
    deep = str(folder)
    try:
        for _ in range(levels):
            os.mkdir(os.path.join(deep, "a"))
            deep = os.path.join(deep, "a")
        write(Path(deep) / "z.md", "x\n")
        write(folder / "y.md", "x\n")
        settings = Settings(enabled=(), severity={}, options={}, root=str(folder))
        found = list(iter_files([str(folder)], settings))
        assert found == [str(folder / "y.md"), os.path.join(deep, "z.md")]
    finally:
        # Removed here, bottom up: shutil.rmtree of Python 3.11 recurses too, and pytest
        # would fail to clear its old temporary folders.
        if os.path.exists(os.path.join(deep, "z.md")):
            os.remove(os.path.join(deep, "z.md"))
        while deep != str(folder):
            os.rmdir(deep)
            deep = os.path.dirname(deep)


def test_a_symlinked_file_leading_out_of_the_folder_is_not_followed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A tree under review could hold x.md -> /proc/self/environ: its lines were quoted in
    # the report. A link inside the folder is a file as before; a file named is read.
    write(tmp_path / "secret/env.md", "SECRET_TOKEN=abc\n")
    write(tmp_path / "archive/a.md", "x\n")
    (tmp_path / "archive/in.md").symlink_to("a.md")
    (tmp_path / "archive/sub").mkdir()
    (tmp_path / "archive/sub/up.md").symlink_to("../a.md")  # out of sub/, in the archive
    (tmp_path / "archive/out.md").symlink_to(tmp_path / "secret/env.md")
    (tmp_path / "archive/rel.md").symlink_to("../secret/env.md")
    monkeypatch.chdir(tmp_path)
    settings = Settings(enabled=(), severity={}, options={})
    assert list(iter_files(["archive"], settings)) == [
        os.path.join("archive", name) for name in ("a.md", "in.md", "sub/up.md")]
    assert list(iter_files([os.path.join("archive", "out.md")], settings)) == [
        os.path.join("archive", "out.md")]
    assert [entry.name for _, entries in walk_entries("archive/sub", settings)
            for entry in entries] == []  # walked alone, sub/ is the folder: up.md leads out


def test_a_link_within_the_git_work_tree_is_followed_from_any_folder_of_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `cliplint feed other` must lint what `cliplint .` lints: feed/x.md leads out of feed/
    # but not out of the work tree.
    (tmp_path / ".git").mkdir()
    write(tmp_path / "other/y.md", "x\n")
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed/x.md").symlink_to("../other/y.md")
    monkeypatch.chdir(tmp_path)
    settings = Settings(enabled=(), severity={}, options={})
    assert list(iter_files(["feed", "other"], settings)) == [
        os.path.join("feed", "x.md"), os.path.join("other", "y.md")]
    (tmp_path / ".git").rmdir()  # no work tree, no configuration: the folder bounds it
    assert list(iter_files(["feed", "other"], settings)) == [os.path.join("other", "y.md")]


def test_a_file_url_walk_follows_no_link_out_of_the_tree(tmp_path: Path) -> None:
    pytest.importorskip("fsspec", reason="file:// URLs need the fsspec extra ('cliplint[s3]')")
    from cliplint.storage import list_objects

    write(tmp_path / "secret/env.md", "SECRET_TOKEN=abc\n")
    write(tmp_path / "tree/a.md", "x\n")
    (tmp_path / "tree/in.md").symlink_to("a.md")
    (tmp_path / "tree/out.md").symlink_to(tmp_path / "secret/env.md")
    (tmp_path / "tree/folder").symlink_to(tmp_path / "secret")
    settings = Settings(enabled=(), severity={}, options={})
    listed = [item.relative for item in list_objects(f"file://{tmp_path}/tree/", settings, {})]
    assert listed == ["a.md", "in.md"]


def test_the_default_include_takes_markdown_in_any_case(tmp_path: Path) -> None:
    # pre-commit's hook (types: [markdown]: identify lowers the extension) passed X.MD,
    # which `cliplint .` skipped: the two disagreed on the same tree.
    from conftest import run_cliplint

    for name in ["a.md", "B.MD", "c.Markdown", "d.txt", "e.MDX"]:
        write(tmp_path / name, "x\n")
    listed = run_cliplint("--show-files", ".", cwd=tmp_path)
    assert listed.stdout.split() == ["./B.MD", "./a.md", "./c.Markdown"]
    # A configuration's own patterns match case as fnmatch does.
    write(tmp_path / "cliplint.toml", "include = ['*.md']\n")
    listed = run_cliplint("--show-files", ".", cwd=tmp_path)
    assert listed.stdout.split() == ["./a.md"]
