"""respect-gitignore: folders' walks leave out what git ignores, in real git work trees,
as git itself lists them; archive rules then do not compare a clipping with an ignored
copy of it (a draft git never commits), in a run over the archive and in the pre-commit
shape (one file given, the rest of the archive walked)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_cliplint, write

ARTICLE = ("<p>The harbour reopened on Monday after three weeks of repairs, the port "
           "authority said.</p><p>Ships waiting offshore began to unload cargo within hours.</p>")
LONG_AGO = 1_500_000_000  # seconds: a file this old is not "racily clean"


def clipping(title: str, url: str, stamp: int = 1594000000000) -> str:
    return f"<!--{stamp}-->\n[{title}]({url})\n------\n\n{ARTICLE}\n"


@pytest.fixture(autouse=True)
def no_git_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own git configuration kept out, for the tests' git and cliplint's
    alike: a global excludes file would change both's answers."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(root: Path, *arguments: str) -> str:
    if shutil.which("git") is None:
        pytest.fail("git is needed to test respect-gitignore")
    return subprocess.run(["git", *arguments], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def shown_files(root: Path, *arguments: str) -> list[str]:
    result = run_cliplint("--isolated", "--show-files", *arguments, cwd=root)
    assert result.status == 0, result.stderr
    return sorted(os.path.normpath(line) for line in result.stdout.splitlines())


# -- the walk, as git lists the files ------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A git work tree with patterns of every kind: a folder pattern, a pattern with a
    wildcard, a negation, a nested .gitignore, a pattern anchored to its folder, and
    .git/info/exclude."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    for name in ["a.md", "drafts/a.md", "drafts/deeper/b.md", "notes.tmp.md", "keep.tmp.md",
                 "feeds/bbc/c.md", "feeds/bbc/old/d.md", "feeds/bbc/e.bak.md",
                 "feeds/bbc/f.bak.md", "feeds/drafts", "feeds/top.md", "top.md",
                 "private/p.md", "feeds/cnn/g.md", "feeds/cnn/h.md",
                 "feeds/bbc/kept.tmp.md"]:
        write(root / name, clipping(name, f"https://x.org/{name}"))
    write(root / ".gitignore", "# drafts are never committed\ndrafts/\n*.tmp.md\n"
                               "!keep.tmp.md\n/top.md\n")
    # Nested: relative to its folder; the negation brings back what the top's pattern
    # left out, the last match of the nearest file decides.
    write(root / "feeds/bbc/.gitignore", "old\n*.bak.md\n!f.bak.md\n!kept.tmp.md\n")
    write(root / "feeds/cnn/.gitignore", "*\n!.gitignore\n!g.md\n")
    write(root / ".git/info/exclude", "# git's own comment\nprivate/\n")
    return root


def untracked_by_git(root: Path, folder: str = ".") -> list[str]:
    """The clippings under ``folder`` that git lists as not ignored, relative to
    ``folder`` as cliplint shows them."""
    listed = git(root / folder, "ls-files", "--others", "--exclude-standard", "-z", ".")
    return sorted(os.path.normpath(os.path.join(folder, name))
                  for name in listed.split("\0") if name.endswith(".md"))


def test_a_walk_leaves_out_what_git_ignores_as_git_does(tree: Path) -> None:
    expected = untracked_by_git(tree)
    # (the patterns do something: what git lists is less than what is there)
    assert expected == ["a.md", "feeds/bbc/c.md", "feeds/bbc/f.bak.md",
                        "feeds/bbc/kept.tmp.md", "feeds/cnn/g.md", "feeds/top.md",
                        "keep.tmp.md"]
    assert shown_files(tree) == expected
    assert len(shown_files(tree, "--no-respect-gitignore")) == 15  # every clipping


def test_a_linked_work_tree_reads_its_repository_s_exclude_file(tree: Path) -> None:
    # Its .git is a file naming the repository's folder for it, whose commondir names
    # the repository's own, which holds info/exclude.
    git(tree, "add", ".gitignore", "feeds/bbc/.gitignore", "feeds/cnn/.gitignore")
    git(tree, "-c", "user.name=t", "-c", "user.email=t@x.org", "commit", "-q", "-m", "patterns")
    linked = tree.parent / "linked"
    git(tree, "worktree", "add", "-q", str(linked))
    for name in ["private/p.md", "drafts/a.md", "a.md"]:
        write(linked / name, clipping(name, f"https://x.org/{name}"))
    assert (linked / ".git").is_file()
    assert shown_files(linked) == untracked_by_git(linked) == ["a.md"]


def test_a_walk_of_a_folder_below_the_top_applies_the_patterns_above_it(tree: Path) -> None:
    # The top's .gitignore and info/exclude apply to a walk of feeds/ too, from the
    # folder the run is in as well.
    assert shown_files(tree, "feeds") == untracked_by_git(tree, "feeds")
    assert shown_files(tree / "feeds", ".") == sorted(
        os.path.relpath(path, "feeds") for path in untracked_by_git(tree, "feeds"))
    write(tree / "feeds/bbc/new.tmp.md", clipping("t", "https://x.org/t"))
    assert "feeds/bbc/new.tmp.md" not in shown_files(tree, "feeds/bbc")


def test_a_file_named_is_linted_though_git_ignores_it(tree: Path) -> None:
    # As in ruff, also with --force-exclude (which leaves out what the configuration
    # excludes): pre-commit names only files git tracks, whatever a pattern says.
    named = ["drafts/a.md", "notes.tmp.md", "feeds/bbc/old/d.md", "private/p.md"]
    assert shown_files(tree, *named) == sorted(named)
    assert shown_files(tree, "--force-exclude", *named) == sorted(named)
    result = run_cliplint("--isolated", "--select", "timestamp-comment", "notes.tmp.md",
                          cwd=tree)
    assert result.status == 0 and "All clean: 1 file checked." in result.stdout


def test_a_folder_named_is_walked_though_git_ignores_it(tree: Path) -> None:
    # Named, it is walked whole, as a named file is linted (git reads no pattern file
    # inside a folder it ignores), silently: in a folder inside it too, where git
    # refuses to list what it ignores.
    write(tree / "drafts/.gitignore", "deeper/\n")
    for folder in ["drafts", "drafts/deeper"]:
        result = run_cliplint("--isolated", "--show-files", folder, cwd=tree)
        assert (result.status, result.stderr) == (0, "")
    assert shown_files(tree, "drafts") == ["drafts/a.md", "drafts/deeper/b.md"]
    assert shown_files(tree, "drafts/deeper") == ["drafts/deeper/b.md"]


def test_respect_gitignore_false_and_the_flag_walk_every_file(tree: Path) -> None:
    everything = shown_files(tree, "--no-respect-gitignore")
    write(tree / "cliplint.toml", "respect-gitignore = false\n")
    shown = run_cliplint("--show-files", cwd=tree)
    assert sorted(map(os.path.normpath, shown.stdout.splitlines())) == everything
    # The command line decides over the configuration, either way.
    again = run_cliplint("--show-files", "--respect-gitignore", cwd=tree)
    assert sorted(map(os.path.normpath, again.stdout.splitlines())) == untracked_by_git(tree)
    config = run_cliplint("--show-config", cwd=tree)
    assert '"respect-gitignore": false' in config.stdout
    write(tree / "cliplint.toml", 'respect-gitignore = "no"\n')
    refused = run_cliplint("--show-files", cwd=tree)
    assert refused.status == 2 and "respect-gitignore" in refused.stderr


def unused_in(folder: str, value: str, run_source: str = "none found: the defaults") -> str:
    return (f"cliplint: warning: {folder}/cliplint.toml sets respect-gitignore = {value} that "
            "this run did not use: walks take respect-gitignore from the configuration found "
            f"from the current folder ({run_source}); run cliplint from {folder}, or name the "
            "file with --config\n")


def test_a_folders_respect_gitignore_other_than_the_run_s_is_warned_of(tree: Path) -> None:
    # The run's configuration decides for every folder walked: a folder's file that
    # turned it off did nothing, and nothing said so (--show-config even showed it off).
    write(tree / "feeds/cliplint.toml", "respect-gitignore = false\n")
    shown = run_cliplint("--show-files", cwd=tree)
    assert sorted(map(os.path.normpath, shown.stdout.splitlines())) == untracked_by_git(tree)
    assert shown.stderr == unused_in("feeds", "false")  # once, though three folders have it
    linted = run_cliplint("--no-cache", "--select", "timestamp-comment", "feeds", cwd=tree)
    assert (linted.status, linted.stderr) == (0, unused_in("feeds", "false"))
    fixed = run_cliplint("--diff", "--select", "timestamp-comment", ".", cwd=tree)
    assert fixed.stderr.count(unused_in("feeds", "false")) == 1
    assert '"respect-gitignore": true' in run_cliplint("--show-config", "feeds", cwd=tree).stdout
    # From its folder it is the run's, and applies: nothing to say.
    there = run_cliplint("--show-files", cwd=tree / "feeds")
    assert "./bbc/old/d.md" in there.stdout and there.stderr == ""
    # Nothing either when the command line decides, when the file gives the run's value,
    # for a file named (no walk: it is linted whatever git says), or when the file gives
    # none (it has the default without having asked for it).
    for arguments in (["--no-respect-gitignore"], ["--respect-gitignore"]):
        assert run_cliplint("--show-files", *arguments, cwd=tree).stderr == ""
    write(tree / "feeds/cliplint.toml", "respect-gitignore = true\n")
    assert run_cliplint("--show-files", cwd=tree).stderr == ""
    write(tree / "cliplint.toml", "respect-gitignore = false\n")
    assert run_cliplint("--show-files", "feeds/top.md", cwd=tree).stderr == ""
    assert run_cliplint("--show-files", cwd=tree).stderr == unused_in("feeds", "true",
                                                                       "cliplint.toml")
    write(tree / "feeds/cliplint.toml", "max-file-size = 100000\n")
    assert run_cliplint("--show-files", cwd=tree).stderr == ""


def test_a_folder_git_ignores_is_warned_of_for_its_own_respect_gitignore(tree: Path) -> None:
    # The walk does not enter drafts/, so its own file, which turns respect-gitignore
    # off to have the drafts linted, was never read and nothing said why they were not.
    write(tree / "drafts/cliplint.toml", "respect-gitignore = false\n")
    write(tree / "private/cliplint.toml", "respect-gitignore = [\n")  # not read: no error
    shown = run_cliplint("--show-files", cwd=tree)
    assert sorted(map(os.path.normpath, shown.stdout.splitlines())) == untracked_by_git(tree)
    assert (shown.status, shown.stderr) == (0, unused_in("drafts", "false"))
    there = run_cliplint("--show-files", cwd=tree / "drafts")
    assert there.stdout.splitlines() == ["./a.md", "./deeper/b.md"] and there.stderr == ""


def test_outside_a_git_work_tree_no_gitignore_is_read(tree: Path) -> None:
    # As ruff's walker requires git: a copy of the tree without its .git is walked whole.
    copy = tree.parent / "copy"
    shutil.copytree(tree, copy, ignore=shutil.ignore_patterns(".git"))
    assert shown_files(copy) == shown_files(tree, "--no-respect-gitignore")


# -- git decides: cases a hand-made matcher got wrong ---------------------------------------


def kept_by_git(root: Path) -> list[str]:
    """The clippings git keeps in its view of the work tree: those it tracks and those
    it does not ignore, as cliplint shows them (a name's control characters escaped)."""
    from cliplint.formats.text import printable

    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=root, check=True,
                            capture_output=True).stdout
    return sorted(printable(os.fsdecode(name)) for name in listed.split(b"\0")
                  if name.endswith(b".md"))


def work_tree(root: Path, files: list[str], patterns: str) -> Path:
    git(root.parent, "init", "-q", str(root))
    for name in files:
        write(root / name, clipping(name, "https://x.org/a"))
    (root / ".gitignore").write_bytes(patterns.encode())
    return root


CASES = {
    # pathspec ranked a folder's match wrongly: every file in a folder was left out
    "whitelist": (["a.md", "sub/b.md", "sub/deep/c.md", "sub/x.txt"], "*\n!*/\n!*.md\n"),
    "every-folder": (["a.md", "sub/b.md", "sub/deep/c.md"], "*/\n"),
    "every-folder-anywhere": (["a.md", "sub/b.md", "sub/deep/c.md"], "**/\n"),
    "back-from-a-folder's-contents": (["a.md", "foo/keep.md", "foo/drop.md"],
                                      "foo/**\n!foo/keep.md\n"),
    "posix-class": (["1.md", "a.md", "sub/2b.md"], "[[:digit:]]*\n"),
    # a tab is part of the pattern (git strips trailing spaces only); "\ " keeps one
    "trailing-tab-and-space": (["draft.md", "dir /x.md", "dir/y.md"],
                               "draft.md\t\ndir\\ \n"),
    "newline-in-a-name": (["new\nline.md", "keep\nme.md"], "new?line.md\n"),
    "crlf-and-bom": (["a.md", "b.md", "c.md"], "\ufeffa.md\r\nb.md\r\n"),
}


@pytest.mark.parametrize("files, patterns", CASES.values(), ids=CASES)
def test_a_walk_keeps_what_git_keeps(tmp_path: Path, files: list[str], patterns: str) -> None:
    root = work_tree(tmp_path / "repo", files, patterns)
    result = run_cliplint("--isolated", "--show-files", ".", cwd=root)
    assert (result.status, result.stderr) == (0, "")
    shown = sorted(line.removeprefix("./") for line in result.stdout.splitlines())
    assert shown == kept_by_git(root)
    assert len(shown) < len(files)  # (the patterns leave something out)


def test_git_s_ignorecase_applies(tmp_path: Path) -> None:
    root = work_tree(tmp_path / "repo", ["a.md", "drafts/b.md", "x.tmp.md"],
                     "DRAFTS/\n*.TMP.md\n")
    git(root, "config", "core.ignorecase", "true")
    assert shown_files(root) == kept_by_git(root) == ["a.md"]
    git(root, "config", "core.ignorecase", "false")
    assert shown_files(root) == kept_by_git(root) == ["a.md", "drafts/b.md", "x.tmp.md"]


def test_a_tracked_file_a_pattern_matches_is_walked(tmp_path: Path) -> None:
    # Committed files are the archive: git tracks it, whatever the pattern says.
    root = work_tree(tmp_path / "repo", ["a.md", "drafts/tracked.md", "drafts/draft.md"],
                     "drafts/\n")
    git(root, "add", "-f", "drafts/tracked.md")
    assert shown_files(root) == kept_by_git(root) == ["a.md", "drafts/tracked.md"]


def test_global_excludes_apply_when_git_is_asked(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Git is asked when a pattern file of the work tree can apply; then the user's
    # global excludes apply too, as git applies them.
    write(tmp_path / "excludes", "*.draft.md\n")
    write(tmp_path / "gitconfig", f"[core]\n\texcludesFile = {tmp_path / 'excludes'}\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    root = work_tree(tmp_path / "repo", ["a.md", "b.draft.md", "c.tmp.md"], "*.tmp.md\n")
    assert shown_files(root) == kept_by_git(root) == ["a.md"]
    (root / ".gitignore").unlink()  # no pattern file: git not asked, every file walked
    assert shown_files(root) == ["a.md", "b.draft.md", "c.tmp.md"]


def test_git_is_asked_for_a_pattern_file_met_below_or_in_info_exclude(tmp_path: Path) -> None:
    # No .gitignore at the top: one met by the walk applies, and so does info/exclude
    # alone.
    root = work_tree(tmp_path / "repo", ["a.md", "feed/b.md", "feed/c.tmp.md", "private/p.md"],
                     "")
    (root / ".gitignore").unlink()
    write(root / "feed/.gitignore", "*.tmp.md\n")
    assert shown_files(root) == kept_by_git(root) == ["a.md", "feed/b.md", "private/p.md"]
    (root / "feed/.gitignore").unlink()
    write(root / ".git/info/exclude", "# git's own comment\nprivate/\n")
    assert shown_files(root) == kept_by_git(root) == ["a.md", "feed/b.md", "feed/c.tmp.md"]


def test_without_git_every_file_is_walked_and_the_run_says_why(tmp_path: Path) -> None:
    root = work_tree(tmp_path / "repo", ["a.md", "drafts/b.md"], "drafts/\n")
    (tmp_path / "bin").mkdir()  # a PATH without git (the interpreter is named whole)
    result = run_cliplint("--isolated", "--show-files", ".", cwd=root,
                          env={"PATH": str(tmp_path / "bin")})
    assert result.status == 0
    assert sorted(result.stdout.split()) == ["./a.md", "./drafts/b.md"]
    assert result.stderr == ("cliplint: warning: .gitignore not applied under .: "
                             "git is not installed\n")


def test_a_git_folder_that_is_no_repository(tmp_path: Path) -> None:
    # The benchmarks' archive: a .git made with mkdir. Without a pattern file git is not
    # asked, and nothing is said; with one, every file is walked, and the run says why,
    # once though two walks (the lint's, the archive index's) meet it. Git does not look
    # past it for a work tree above, whose patterns are not the archive's.
    work_tree(tmp_path, [], "*.md\n")
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    for name in ["a.md", "drafts/a.md"]:
        write(root / name, clipping("Harbour reopens", "https://x.org/a/1"))
    result = run_cliplint("--isolated", "--show-files", ".", cwd=root)
    assert (result.status, result.stderr) == (0, "")
    assert sorted(result.stdout.split()) == ["./a.md", "./drafts/a.md"]
    write(root / ".gitignore", "drafts/\n")
    result = run_cliplint("--isolated", "--select", "duplicate-clipping", ".", cwd=root,
                          env={"CLIPLINT_CACHE_DIR": str(tmp_path / "cache")})
    assert result.status == 1 and "drafts/a.md" in result.stdout
    # (git's own words after its first: they differ from one version to another)
    assert result.stderr.startswith("cliplint: warning: .gitignore not applied under .: git "
                                    "ls-files failed: fatal: not a git repository")
    assert result.stderr.count("\n") == 1


# -- archive rules: a draft that git ignores is no duplicate -------------------------------


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A git work tree holding a clipping, and a copy of it in drafts/, which git
    ignores: the copy is never committed, and committing the original must not fail."""
    root = tmp_path / "repo"
    git(root.parent, "init", "-q", str(root))
    for name in ["feed/harbour.md", "drafts/harbour.md"]:
        path = write(root / name, clipping("Harbour reopens", "https://x.org/a/1"))
        os.utime(path, (LONG_AGO, LONG_AGO))
    write(root / "feed/other.md", clipping("Budget approved", "https://x.org/a/2"))
    write(root / ".gitignore", "drafts/\n")
    return root


def lint(root: Path, *arguments: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = run_cliplint("--isolated", "--select", "duplicate-clipping", *arguments,
                          cwd=root, env=env)
    assert result.status in (0, 1), result.stderr
    return result.status, result.stdout


@pytest.mark.parametrize("arguments", [["."], ["--force-exclude", "feed/harbour.md"]],
                         ids=["whole-archive", "pre-commit"])
def test_an_ignored_copy_is_no_duplicate(archive: Path, arguments: list[str]) -> None:
    status, out = lint(archive, "--no-cache", *arguments)
    assert status == 0 and "All clean" in out
    # The old walk, by the flag and by the configuration: the draft is a duplicate.
    status, out = lint(archive, "--no-cache", "--no-respect-gitignore", *arguments)
    assert status == 1 and "duplicate-clipping" in out and "drafts/harbour.md" in out
    write(archive / "cliplint.toml", "respect-gitignore = false\n")
    result = run_cliplint("--no-cache", "--select", "duplicate-clipping", *arguments,
                          cwd=archive)
    assert result.status == 1 and "drafts/harbour.md" in result.stdout


def test_a_changed_gitignore_changes_what_the_archive_rules_see_with_the_cache(
        archive: Path, tmp_path: Path) -> None:
    # The pre-commit shape with the cache: the archive's index (the files a run given
    # one file compares it with) follows the .gitignore from one run to the next, and
    # so does a run over the whole archive.
    env = {"CLIPLINT_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):
        assert lint(archive, "feed/harbour.md", env=env)[0] == 0
        assert lint(archive, ".", env=env)[0] == 0
    (archive / ".gitignore").write_text("other/\n")
    for _ in range(2):
        status, out = lint(archive, "feed/harbour.md", env=env)
        assert status == 1 and "drafts/harbour.md" in out
        assert lint(archive, ".", env=env)[0] == 1
    (archive / ".gitignore").write_text("drafts/\n")
    assert lint(archive, "feed/harbour.md", env=env)[0] == 0
    assert lint(archive, ".", env=env)[0] == 0


def test_a_hook_s_index_tells_what_is_tracked(archive: Path) -> None:
    """During ``git commit FILE`` git gives the hook a temporary index (GIT_INDEX_FILE,
    absolute, in the repository's folder): the commit is made of it. A draft tracked
    there is part of the commit, so it is compared though a pattern matches it; an index
    elsewhere (another repository's, relative to some folder) is not taken."""
    index = archive / ".git" / "next-index-1.lock"
    git(archive, "-c", f"core.indexfile={index}", "status")  # (a valid, empty index)
    subprocess.run(["git", "add", "-f", "drafts/harbour.md"], cwd=archive, check=True,
                   env={**os.environ, "GIT_INDEX_FILE": str(index)})
    status, out = lint(archive, "--no-cache", "feed/harbour.md",
                       env={"GIT_INDEX_FILE": str(index)})
    assert status == 1 and "drafts/harbour.md" in out
    assert lint(archive, "--no-cache", "feed/harbour.md")[0] == 0  # .git/index: untracked
    elsewhere = archive.parent / "index"
    shutil.copyfile(index, elsewhere)
    for given in (str(elsewhere), os.path.relpath(index, archive)):
        assert lint(archive, "--no-cache", "feed/harbour.md",
                    env={"GIT_INDEX_FILE": given})[0] == 0


def test_an_ignored_file_named_is_compared_with_the_archive(archive: Path) -> None:
    # Named, the draft is linted, and compared with the files the archive's walk finds.
    status, out = lint(archive, "--no-cache", "drafts/harbour.md")
    assert status == 1 and "feed/harbour.md" in out, out


def test_a_report_written_where_git_ignores_it_is_no_clipping_linted(archive: Path) -> None:
    # It was refused as one of the files to lint (its name matches include).
    result = run_cliplint("--isolated", "--no-cache", "--output-file", "drafts/report.md", ".",
                          cwd=archive)
    assert result.status == 0, result.stderr
    assert (archive / "drafts/report.md").read_text().startswith("All clean")
    refused = run_cliplint("--isolated", "--no-cache", "--output-file", "feed/report.md", ".",
                           cwd=archive)
    assert refused.status == 2 and "would be linted" in refused.stderr


def test_git_s_answer_leaves_out_what_it_lists_and_what_lies_in_a_folder_it_lists() -> None:
    # (--watch judges the paths of a checkout by the latest walk's answer)
    from cliplint.gitignore import GitAnswer, listed

    answer = GitAnswer(frozenset({"drafts/", "feeds/old/", "x.tmp.md"}))
    assert all(listed(answer, path) for path in
               ["drafts", "drafts/a.md", "drafts/deep/b.md", "feeds/old/c.md", "x.tmp.md"])
    assert not any(listed(answer, path) for path in
                   ["a.md", "drafts2/a.md", "feeds/c.md", "feeds/older/c.md", "y.tmp.md"])
    assert not listed(GitAnswer(frozenset()), "drafts/a.md")
