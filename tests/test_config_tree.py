"""Per-directory configuration through the command line: the nearest configuration file
of each linted file applies (alone, as in ruff), ``extend`` inherits, errors name the
file, command-line flags still win, --isolated and --config use one configuration, and
the cache, --fix, archive rules and include/exclude follow each folder's settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cliplint, write

from cliplint.cli import main

HEAD = "<!--1686778744000-->\n[A good title](https://example.com/a/{n})\n------\n\n"
ZWSP = "\u200b"
# Two problems: invisible-characters (a warning, safe fix) and well-formed-html (an error).
BODY = f"<p>zero{ZWSP}width</p><p>a stray</span> end tag</p>\n"


def clipping(n: int, body: str = BODY) -> str:
    return HEAD.format(n=n) + body


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """top.md under a configuration that ignores invisible-characters, sub/a.md under one
    that ignores well-formed-html, sub/deeper/b.md with no file of its own."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))
    write(tmp_path / "cliplint.toml", "ignore = ['invisible-characters']\n")
    write(tmp_path / "sub" / "cliplint.toml", "ignore = ['well-formed-html']\n")
    write(tmp_path / "top.md", clipping(1))
    write(tmp_path / "sub" / "a.md", clipping(2))
    write(tmp_path / "sub" / "deeper" / "b.md", clipping(3))
    return tmp_path


def problems(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, list[tuple[str, str]]]:
    status = main(["--format", "json", *arguments])
    found = json.loads(capsys.readouterr().out)["problems"]
    return status, sorted((p["path"].removeprefix("./"), p["rule"]) for p in found)


def test_the_nearest_file_applies_alone(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for jobs in ("1", "2"):
        _, found = problems(capsys, "--no-cache", "--jobs", jobs, "--ignore",
                            "duplicate-clipping", ".")
        assert found == [("sub/a.md", "invisible-characters"),
                         ("sub/deeper/b.md", "invisible-characters"),
                         ("top.md", "well-formed-html")]
    # Named files (pre-commit), and from inside the folder: the same files' settings.
    _, found = problems(capsys, "--ignore", "duplicate-clipping", "top.md", "sub/deeper/b.md")
    assert found == [("sub/deeper/b.md", "invisible-characters"), ("top.md", "well-formed-html")]


def test_extend_inherits_and_merges_rule_options(tree: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    write(tree / "cliplint.toml", "ignore = ['invisible-characters']\n"
          "[rules.timestamp-comment]\nmin-date = '2024-01-01'\n")
    write(tree / "sub" / "cliplint.toml", "extend = '../cliplint.toml'\n"
          "ignore = ['well-formed-html']\n[severity]\ntimestamp-comment = 'warning'\n"
          "[rules.timestamp-comment]\nmax-future = '2d'\n")
    status = main(["--format", "json", "--select", "ALL", "--ignore", "duplicate-clipping",
                   "--show-config", "sub/a.md"])
    shown = json.loads(capsys.readouterr().out)
    assert status == 0 and shown["config-file"].endswith("sub/cliplint.toml")
    assert shown["rules"]["timestamp-comment"] == {"min-date": "2024-01-01", "max-future": "2d"}
    _, found = problems(capsys, "--ignore", "duplicate-clipping", "sub")
    assert found == [("sub/a.md", "timestamp-comment"), ("sub/deeper/b.md", "timestamp-comment")]
    status, _ = problems(capsys, "--ignore", "duplicate-clipping", "sub/a.md")
    assert status == 0  # the inherited rule's problem is a warning here


def test_extend_chain_selection_layers(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # select in the inherited file, extend-select in the inheriting one: both apply.
    write(tree / "base.toml", "select = ['well-formed-html']\n")
    write(tree / "sub" / "cliplint.toml", "extend = '../base.toml'\n"
          "extend-select = ['invisible-characters']\n")
    _, found = problems(capsys, "sub/a.md")
    assert found == [("sub/a.md", "invisible-characters"), ("sub/a.md", "well-formed-html")]


@pytest.mark.parametrize("files, message", [
    ({"sub/cliplint.toml": "extend = '../other/cliplint.toml'\n",
      "other/cliplint.toml": "extend = '../sub/cliplint.toml'\n"},
     "extend makes a cycle: {root}/"),
    ({"sub/cliplint.toml": "extend = 'cliplint.toml'\n"}, "extend makes a cycle"),
    ({"sub/cliplint.toml": "extend = '../nope.toml'\n"}, "sub/cliplint.toml: extend: "
     "'../nope.toml' is not a file"),
    ({"sub/cliplint.toml": "selec = ['ALL']\n"}, "sub/cliplint.toml: invalid configuration"),
    ({"sub/cliplint.toml": "fix-outside-tree = true\n"}, "sub/cliplint.toml: fix-outside-tree "
     "= true weakens security"),
    ({"sub/pyproject.toml": "[tool.cliplint]\nextend = 3\n"}, "sub/pyproject.toml: invalid "
     "configuration"),
])
@pytest.mark.parametrize("arguments", [(".",), ("sub/a.md",), ("--no-cache", "--jobs", "2", "sub/a.md")])
def test_a_bad_folder_configuration_exits_2_naming_it(
        files: dict[str, str], message: str, arguments: tuple[str, ...], tree: Path) -> None:
    (tree / "sub" / "cliplint.toml").unlink()
    for name, content in files.items():
        write(tree / name, content)
    result = run_cliplint(*arguments, cwd=tree, env={"CLIPLINT_CACHE_DIR": str(tree / "cache")})
    assert result.status == 2, result.stdout + result.stderr
    assert message.format(root=tree.resolve()) in result.stderr
    for name in files:  # a cycle names every file in it
        assert "cycle" not in message or f"{tree.resolve()}/{name}" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_the_files_a_configuration_extends_as_far_as_they_can_be_read(tmp_path: Path) -> None:
    # What --watch watches besides the file (test_cli_output.py): the chain, nearest
    # first; a file not there yet (or not TOML) is the last; a cycle ends where a file
    # comes round again.
    from cliplint.config_tree import extended_files

    first, second = tmp_path / "a" / "cliplint.toml", tmp_path / "b.toml"
    third = tmp_path / "c" / "c.toml"
    write(first, "extend = '../b.toml'\n")
    write(second, "extend = 'c/c.toml'\n")
    write(third, "extend = '../a/cliplint.toml'\n")
    assert extended_files(first) == _texts(second, third)
    assert extended_files(second) == _texts(third, first)
    write(third, "extend = 'missing.toml'\n")
    assert extended_files(first) == _texts(second, third, tmp_path / "c" / "missing.toml")
    write(third, "extend = [\n")
    assert extended_files(first) == _texts(second, third)
    write(third, "select = ['ALL']\n")
    assert extended_files(first) == _texts(second, third)
    assert extended_files(third) == ()


def test_an_extend_chain_too_long_is_an_error_naming_the_file(tree: Path) -> None:
    # About 1,000 files ran out of stack (exit 3, RecursionError). As many as allowed are
    # read, the farthest's settings inherited; past that, the file whose extend is one
    # too many is named.
    from cliplint.config_tree import MAX_EXTEND_CHAIN

    def chain(files: int) -> None:
        for number in range(files - 1):
            write(tree / "chain" / f"{number}.toml", f"extend = '{number + 1}.toml'\n")
        write(tree / "chain" / f"{files - 1}.toml", "select = ['well-formed-html']\n")

    chain(MAX_EXTEND_CHAIN - 1)  # and sub/cliplint.toml first
    write(tree / "sub" / "cliplint.toml", "extend = '../chain/0.toml'\n")
    result = run_cliplint("--no-cache", "--format", "json", "sub/a.md", cwd=tree)
    assert result.status == 1, result.stderr
    assert [p["rule"] for p in json.loads(result.stdout)["problems"]] == ["well-formed-html"]
    chain(1_200)  # refused at its file MAX_EXTEND_CHAIN (after sub/cliplint.toml: one less)
    last = MAX_EXTEND_CHAIN - 2
    for arguments, name, first in [
            (("sub/a.md",), f"{tree}/chain/{last}.toml", tree / "sub" / "cliplint.toml"),
            (("--config", "chain/0.toml", "top.md"), f"chain/{last + 1}.toml",
             tree / "chain" / "0.toml")]:
        result = run_cliplint("--no-cache", *arguments, cwd=tree)
        assert result.status == 2, result.stdout + result.stderr
        assert result.stderr == (f"cliplint: error: {name}: extend: chained too deeply (more "
                                 f"than {MAX_EXTEND_CHAIN} files, from {first.resolve()})\n")


def test_command_line_flags_override_every_file(tree: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    _, found = problems(capsys, "--select", "well-formed-html", ".")
    assert found == [("sub/a.md", "well-formed-html"), ("sub/deeper/b.md", "well-formed-html"),
                     ("top.md", "well-formed-html")]
    _, found = problems(capsys, "--ignore", "invisible-characters,duplicate-clipping", ".")
    assert found == [("top.md", "well-formed-html")]


def test_isolated_and_config_use_one_configuration(tree: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _, found = problems(capsys, "--isolated", "--select", "well-formed-html,invisible-characters",
                        "sub")
    assert len(found) == 4
    _, found = problems(capsys, "--config", "cliplint.toml", "--ignore", "duplicate-clipping",
                        "sub")
    assert found == [("sub/a.md", "well-formed-html"), ("sub/deeper/b.md", "well-formed-html")]


def test_pyproject_with_a_table_counts_and_without_is_skipped(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tree / "sub" / "deeper" / "pyproject.toml", "[project]\nname = 'x'\n")
    _, found = problems(capsys, "--ignore", "duplicate-clipping", "sub/deeper")
    assert found == [("sub/deeper/b.md", "invisible-characters")]  # sub/cliplint.toml's
    write(tree / "sub" / "deeper" / "pyproject.toml", "[tool.cliplint]\nselect = ['ALL']\n")
    _, found = problems(capsys, "--ignore", "duplicate-clipping", "sub/deeper")
    assert found == [("sub/deeper/b.md", "invisible-characters"),
                     ("sub/deeper/b.md", "well-formed-html")]


def test_include_exclude_and_per_file_ignores_are_the_folders(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tree / "sub" / "cliplint.toml", "exclude = ['deeper']\ninclude = ['*.md', '*.txt']\n"
          "[per-file-ignores]\n'notes/*.txt' = ['well-formed-html']\n")
    write(tree / "sub" / "notes" / "c.txt", clipping(4))
    write(tree / "top.txt", clipping(5))  # the top's include is *.md
    _, found = problems(capsys, "--ignore", "duplicate-clipping", ".")
    assert found == [("sub/a.md", "invisible-characters"), ("sub/a.md", "well-formed-html"),
                     ("sub/notes/c.txt", "invisible-characters"), ("top.md", "well-formed-html")]
    # --force-exclude drops a named file its own folder's configuration excludes.
    _, found = problems(capsys, "--force-exclude", "sub/deeper/b.md", "top.md")
    assert found == [("top.md", "well-formed-html")]


def test_the_cache_follows_each_folders_configuration(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, first = problems(capsys, "--ignore", "duplicate-clipping", ".")
    assert problems(capsys, "--ignore", "duplicate-clipping", ".")[1] == first
    assert list((tree / "cache").iterdir())
    # Options and severities of a folder's file are part of its files' cache keys.
    write(tree / "sub" / "cliplint.toml", "ignore = ['well-formed-html']\n"
          "[severity]\ninvisible-characters = 'error'\n")
    status = main(["--format", "json", "--ignore", "duplicate-clipping", "sub/a.md"])
    (problem,) = json.loads(capsys.readouterr().out)["problems"]
    assert (problem["rule"], problem["severity"], status) == ("invisible-characters", "error", 1)


def test_folders_enabling_the_same_rules_keep_their_own_cached_results(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # The same file in two folders whose configurations enable the same rules but give
    # one of them another severity: their entries' keys differ (the folder's
    # configuration is one of the key's inputs), in the run that writes them and in the
    # run that reads them back.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLIPLINT_CACHE_DIR", str(tmp_path / "cache"))
    write(tmp_path / "a" / "cliplint.toml", "select = ['invisible-characters']\n"
          "[severity]\ninvisible-characters = 'error'\n")
    write(tmp_path / "b" / "cliplint.toml", "select = ['invisible-characters']\n"
          "[severity]\ninvisible-characters = 'info'\n")
    for folder in ("a", "b"):
        write(tmp_path / folder / "x.md", clipping(1))

    def severities() -> list[tuple[str, str]]:
        main(["--format", "json", "--jobs", "1", "a", "b"])
        return sorted((p["path"], p["severity"])
                      for p in json.loads(capsys.readouterr().out)["problems"])

    expected = [("a/x.md", "error"), ("b/x.md", "info")]
    assert severities() == expected
    assert severities() == expected  # from the cache


def test_fix_follows_each_folders_configuration(tree: Path) -> None:
    assert main(["--fix", "--exit-zero", "."]) == 0
    assert ZWSP in (tree / "top.md").read_text()  # ignored there: not fixed
    assert ZWSP not in (tree / "sub" / "a.md").read_text()
    assert ZWSP not in (tree / "sub" / "deeper" / "b.md").read_text()


def test_archive_rules_leave_out_the_folders_that_turn_them_off(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "<p>The same article stored in three folders, word for word.</p>\n"
    for path in ("top.md", "sub/a.md", "sub/deeper/b.md"):
        write(tree / path, clipping(9, body))
    write(tree / "cliplint.toml", "select = ['duplicate-clipping']\n")
    write(tree / "sub" / "cliplint.toml", "select = ['duplicate-clipping']\n")
    _, found = problems(capsys, ".")
    assert len(found) == 2  # three copies: two are duplicates of the first
    write(tree / "sub" / "cliplint.toml", "select = ['well-formed-html']\n")
    _, found = problems(capsys, ".")
    assert found == []  # sub's files are not compared: top.md has no copy left


def test_a_folders_archive_rule_options_the_run_does_not_use_are_warned_of(
        tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Archive rules take the run's configuration: options a folder's file gives them do
    nothing there, and the run says so (a keeper's ``mirrors`` in the archive's own file,
    run from the folder above, found nothing amiss and said nothing)."""
    body = "<p>The same article stored in two folders, word for word, as Jekyll does.</p>\n"
    write(tree / "sub" / "_posts" / "a.md", clipping(9, body))
    write(tree / "sub" / "archived" / "a.md", clipping(9, body))
    write(tree / "sub" / "cliplint.toml", "[rules.duplicate-clipping]\n"
          "mirrors = [['_posts', 'archived']]\n")
    main(["--select", "duplicate-clipping", "sub"])
    captured = capsys.readouterr()
    assert "duplicate of sub/_posts/a.md" in captured.out  # from here: not mirrors
    assert captured.err == (
        "cliplint: warning: sub/cliplint.toml sets options or a severity of "
        "duplicate-clipping that this run did not use: archive rules take the configuration "
        "found from the current folder (cliplint.toml); run cliplint from sub, or name the "
        "file with --config\n")
    monkeypatch.chdir(tree / "sub")
    assert main(["--select", "duplicate-clipping", "."]) == 0
    assert capsys.readouterr().err == ""  # from its folder: used, and nothing to say
    monkeypatch.chdir(tree)
    # A folder's file that turns rules on or off for its files, or gives the run's
    # options again, changes nothing the run ignores; nor one that sets nothing for the
    # rule where the run's configuration does (it has the defaults without asking).
    write(tree / "sub" / "cliplint.toml", "ignore = ['well-formed-html']\n"
          "[rules.duplicate-clipping]\nmirrors = []\n")
    main(["--select", "duplicate-clipping", "sub"])
    assert capsys.readouterr().err == ""
    write(tree / "cliplint.toml", "[severity]\nduplicate-clipping = 'warning'\n"
          "[rules.duplicate-clipping]\ntemplates = true\n")
    write(tree / "sub" / "cliplint.toml", "ignore = ['well-formed-html']\n")
    main(["--select", "duplicate-clipping", "sub"])
    assert capsys.readouterr().err == ""
    write(tree / "sub" / "cliplint.toml", "[severity]\nduplicate-clipping = 'info'\n")
    main(["--select", "duplicate-clipping", "sub"])
    assert "sub/cliplint.toml sets options or a severity of duplicate-clipping" in (
        capsys.readouterr().err)


def test_without_a_configuration_at_the_top_a_folders_file_still_applies(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "cliplint.toml").unlink()
    _, found = problems(capsys, "--ignore", "duplicate-clipping", ".")
    assert found == [("sub/a.md", "invisible-characters"),
                     ("sub/deeper/b.md", "invisible-characters"),
                     ("top.md", "invisible-characters"), ("top.md", "well-formed-html")]


def test_files_under_the_run_s_own_configuration_share_its_rules(tree: Path) -> None:
    # An archive run asks each file's rules (for its archive rules and the reduction's
    # key); where every folder has the run's configuration they are the run's, said
    # once (None), not once per file. A folder's own file makes them per file.
    from cliplint.archive import ArchiveFile, _rules_per_file
    from cliplint.cli.context import run_context
    from cliplint.cli.parser import parse_lint

    def rules_per_file() -> object:
        run = run_context(parse_lint(["."]))
        files = [ArchiveFile(f"./{relative}", relative, {})
                 for relative in ("top.md", "sub/a.md", "sub/deeper/b.md")]
        return _rules_per_file(files, run.settings)

    own = rules_per_file()
    assert isinstance(own, list) and "invisible-characters" not in own[0]
    assert "well-formed-html" not in own[1] and own[1] == own[2]
    (tree / "sub" / "cliplint.toml").unlink()
    assert rules_per_file() is None



def _texts(*paths: Path) -> tuple[str, ...]:
    """The paths as extended_files gives them: strings."""
    return tuple(map(str, paths))
