"""Doors: what whoever can change the linted tree must not be able to make cliplint do.

Settings that weaken security are honoured only from the command line or the user's own
configuration ($XDG_CONFIG_HOME/cliplint/cliplint.toml), never from a configuration file
of the project; --fix does not write through a symlink to a file outside the linted
tree unless the user allowed it that way. (The SSRF guard's end-to-end test, with a
proxy on 127.0.0.1, is in tests/test_online.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cliplint, write

SECONDS_CLIP = ("<!--1686778744-->\n[A title](https://example.com/a/1)\n------\n\n"
                "<p>Some article text.</p>\n")
FIXED_CLIP = SECONDS_CLIP.replace("744-->", "744000-->")
SELECT = "--select=timestamp-comment"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty user configuration folder (XDG_CONFIG_HOME)."""
    return tmp_path / "home"


def user_config(home: Path, text: str) -> None:
    write(home / "cliplint" / "cliplint.toml", text)


def run(*arguments: str, cwd: Path, home: Path):
    return run_cliplint("--no-cache", *arguments, cwd=cwd, env={"XDG_CONFIG_HOME": str(home)})


@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """A project whose clipping is a symlink to a file outside it."""
    project = tmp_path / "project"
    outside = write(tmp_path / "elsewhere" / "notes.md", SECONDS_CLIP)
    project.mkdir()
    (project / "a.md").symlink_to(outside)
    return project, outside


# -- --fix and symlinks that leave the tree --------------------------------------------------


def test_fix_does_not_write_through_a_symlink_leaving_the_tree(linked: tuple[Path, Path],
                                                               home: Path) -> None:
    project, outside = linked
    # The walk of the folder does not follow it (nor read it: see test_files_walk.py).
    result = run(SELECT, "--fix", ".", cwd=project, home=home)
    assert outside.read_text() == SECONDS_CLIP
    assert result.status == 0 and "a.md" not in result.stdout, result.stdout
    # Named on the command line (as pre-commit names files): read, and not written.
    result = run(SELECT, "--fix", "a.md", cwd=project, home=home)
    assert result.status == 1
    assert (f"a.md:1:1: fix-refused fixes not written: it leads to {outside}, outside the "
            "linted tree (allow that with --fix-outside-tree, or fix-outside-tree = true in "
            "your user configuration)") in result.stdout
    assert "Fixed" not in result.stdout
    assert outside.read_text() == SECONDS_CLIP
    assert (project / "a.md").is_symlink()


def test_fix_does_not_write_through_a_symlinked_folder_a_named_file_is_reached_by(
        tmp_path: Path, home: Path) -> None:
    # `cliplint --fix archive/*/*.md` expanded through archive/feeds -> ../elsewhere: the
    # folder of each file named, resolved, was counted in the tree, and the file written.
    project = tmp_path / "project"
    outside = write(tmp_path / "elsewhere" / "notes.md", SECONDS_CLIP)
    inside = write(project / "archive" / "own" / "a.md", SECONDS_CLIP)
    (project / "archive" / "feeds").symlink_to(outside.parent)
    result = run(SELECT, "--fix", "archive/feeds/notes.md", "archive/own/a.md", cwd=project,
                 home=home)
    assert result.status == 1, result
    assert (f"archive/feeds/notes.md:1:1: fix-refused fixes not written: it leads to "
            f"{outside}, outside the linted tree") in result.stdout
    assert outside.read_text() == SECONDS_CLIP
    assert inside.read_text() == FIXED_CLIP  # a real folder between: written
    # Named itself, the linked folder is the tree: written, as a folder named always was.
    assert run(SELECT, "--fix", "archive/feeds", cwd=project, home=home).status == 0
    assert outside.read_text() == FIXED_CLIP


def test_a_config_file_given_elsewhere_does_not_widen_the_tree(linked: tuple[Path, Path],
                                                                 home: Path) -> None:
    # The folder of a file given with --config counted as the project's: a symlink into
    # that folder (a shared configs folder, /tmp) was written through.
    project, outside = linked
    write(outside.parent / "cliplint.toml", "")
    result = run(SELECT, "--fix", "--config", str(outside.parent / "cliplint.toml"), "a.md",
                 cwd=project, home=home)
    assert outside.read_text() == SECONDS_CLIP
    assert result.status == 1 and "fix-refused fixes not written" in result.stdout


def test_the_user_can_allow_it_on_the_command_line(linked: tuple[Path, Path], home: Path) -> None:
    project, outside = linked
    result = run(SELECT, "--fix", "--fix-outside-tree", ".", cwd=project, home=home)
    assert result.status == 0, result.stdout
    assert outside.read_text() == FIXED_CLIP
    assert (project / "a.md").is_symlink()


def test_the_user_can_allow_it_in_the_user_configuration(linked: tuple[Path, Path],
                                                          home: Path) -> None:
    project, outside = linked
    user_config(home, "fix-outside-tree = true\n")
    assert run(SELECT, "--fix", ".", cwd=project, home=home).status == 0
    assert outside.read_text() == FIXED_CLIP


def test_a_relative_configuration_home_is_not_the_users(linked: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    # Relative, XDG_CONFIG_HOME would find the project's own file: it is ignored (as the
    # XDG specification says), and the user's configuration is ~/.config's. (A file named
    # as pre-commit names it: a walk of the folder would meet conf/cliplint/cliplint.toml
    # as a folder's configuration, which may not allow it either.)
    project, outside = linked
    write(project / "conf" / "cliplint" / "cliplint.toml", "fix-outside-tree = true\n")
    env = {"XDG_CONFIG_HOME": "conf", "HOME": str(tmp_path / "user")}
    refused = run_cliplint("--no-cache", SELECT, "--fix", "a.md", cwd=project, env=env)
    assert refused.status == 1 and "fix-refused" in refused.stdout
    assert outside.read_text() == SECONDS_CLIP
    user_config(tmp_path / "user" / ".config", "fix-outside-tree = true\n")
    allowed = run_cliplint("--no-cache", SELECT, "--fix", "a.md", cwd=project, env=env)
    assert allowed.status == 0, allowed.stdout
    assert outside.read_text() == FIXED_CLIP


def test_the_project_cannot_allow_it(linked: tuple[Path, Path], home: Path) -> None:
    project, outside = linked
    write(project / "cliplint.toml", "fix-outside-tree = true\n")
    result = run(SELECT, "--fix", ".", cwd=project, home=home)
    assert result.status == 2
    assert result.stderr == (
        f"cliplint: error: {project / 'cliplint.toml'}: fix-outside-tree = true weakens "
        "security, so it is honoured only from the command line (--fix-outside-tree) or "
        f"your own configuration ({home}/cliplint/cliplint.toml), never from a configuration "
        "file of the linted project\n")
    assert outside.read_text() == SECONDS_CLIP
    write(project / "cliplint.toml", "fix-outside-tree = false\n")  # harmless: allowed
    assert run(SELECT, "--fix", "a.md", cwd=project, home=home).status == 1


def test_symlinks_inside_the_tree_are_still_followed(tmp_path: Path, home: Path) -> None:
    write(tmp_path / "cliplint.toml", "")  # the project: the folder of its configuration
    target = write(tmp_path / "shared" / "a.md", SECONDS_CLIP)
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.md").symlink_to("../shared/a.md")
    result = run(SELECT, "--fix", "articles/a.md", cwd=tmp_path, home=home)
    assert result.status == 0, result.stdout
    assert target.read_text() == FIXED_CLIP


# -- where the settings may come from ----------------------------------------------------------


@pytest.mark.parametrize(("name", "text"), [
    ("cliplint.toml", "[rules.image-proxy]\nonline-allow-private = true\n"),
    (".cliplint.toml", "[rules.image-proxy]\nonline-allow-private = true\n"),
    ("pyproject.toml", "[tool.cliplint.rules.image-proxy]\nonline-allow-private = true\n"),
])
def test_a_project_cannot_allow_private_addresses(tmp_path: Path, home: Path, name: str,
                                                  text: str) -> None:
    write(tmp_path / name, text)
    write(tmp_path / "a.md", FIXED_CLIP)
    for arguments in (["a.md"], ["--config", name, "a.md"]):
        result = run(*arguments, cwd=tmp_path, home=home)
        assert result.status == 2
        assert "rules.image-proxy.online-allow-private = true weakens security" in result.stderr


def _effective(*arguments: str, cwd: Path, home: Path) -> dict:
    result = run("--show-config", *arguments, cwd=cwd, home=home)
    assert result.status == 0, result.stderr
    return json.loads(result.stdout)


def test_the_command_line_and_the_user_configuration_can(tmp_path: Path, home: Path) -> None:
    def allowed(*arguments: str) -> bool:
        shown = _effective(*arguments, cwd=tmp_path, home=home)
        return shown["rules"]["image-proxy"]["online-allow-private"]

    assert not allowed()
    assert allowed("--online-allow-private")
    user_config(home, "[rules.image-proxy]\nonline-allow-private = true\n")
    assert allowed()
    assert not allowed("--isolated")  # --isolated ignores every configuration file
    assert allowed("--isolated", "--online-allow-private")
    assert not _effective(cwd=tmp_path, home=home)["fix-outside-tree"]
    assert _effective("--fix-outside-tree", cwd=tmp_path, home=home)["fix-outside-tree"]
    user_config(home, "fix-outside-tree = true\n")
    assert _effective(cwd=tmp_path, home=home)["fix-outside-tree"]


@pytest.mark.parametrize(("text", "message"), [
    ("select = ['ALL']\n", "unknown key 'select' (the user configuration holds only "
     "fix-outside-tree, rules.<rule>.online-allow-private)"),
    ("fix-outside-tree = 'yes'\n", "fix-outside-tree: 'yes' is not of type 'boolean'"),
    ("fix-outside-tree = [\n", "invalid TOML"),
    # A misspelt rule would allow nothing, unsaid.
    ("[rules.imgae-proxy]\nonline-allow-private = true\n",
     "rules.imgae-proxy: unknown rule 'imgae-proxy' (did you mean 'image-proxy'?)"),
    ("[rules.title-link]\nonline-allow-private = false\n",
     "rules.title-link: title-link has no online step, so online-allow-private does nothing "
     "there (rules with one: image-proxy)"),
])
def test_a_bad_user_configuration_is_an_error_naming_it(tmp_path: Path, home: Path, text: str,
                                                        message: str) -> None:
    user_config(home, text)
    write(tmp_path / "a.md", FIXED_CLIP)
    result = run("a.md", cwd=tmp_path, home=home)
    assert result.status == 2
    assert result.stderr.startswith(f"cliplint: error: {home}/cliplint/cliplint.toml: ")
    assert message in result.stderr
