"""The pre-commit hooks, run by real pre-commit in throwaway git repositories.

pre-commit builds its own virtualenv and pip-installs cliplint from a git repository,
so these tests need the package index (as a user's first run does). The cliplint
repository used is a snapshot of this checkout's working tree (tracked and untracked
files, not ignored ones) committed in a temporary folder: ``pre-commit try-repo`` on a
dirty checkout would take modified tracked files but silently leave out new untracked
ones.

Two ways in, as the README describes them:

- ``pre-commit try-repo`` (trying the hooks before adopting them). try-repo always uses
  a fresh store in a temporary folder, whatever PRE_COMMIT_HOME says, so each call
  builds the hook environment again (~45 s); there are two calls.
- the README's ``.pre-commit-config.yaml`` snippet (``repo:`` + ``rev:``) with
  ``pre-commit install`` and ``git commit``, sharing one PRE_COMMIT_HOME for the module
  so that environment is built once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml  # PyYAML comes with pre-commit
from conftest import GOOD_CLIPPING, ROOT

SECONDS = GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->")
TIMEOUT = 900


@dataclass(frozen=True)
class HookRepo:
    path: Path
    rev: str


@dataclass(frozen=True)
class Run:
    status: int
    output: str


def run(command: list[str], cwd: Path, env: Mapping[str, str]) -> Run:
    completed = subprocess.run(command, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
                               check=False,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=TIMEOUT)
    return Run(completed.returncode, completed.stdout.decode("utf-8", "replace"))


def git(cwd: Path, env: Mapping[str, str], *arguments: str) -> str:
    result = run(["git", *arguments], cwd, env)
    assert result.status == 0, f"git {' '.join(arguments)}: {result.output}"
    return result.output.strip()


def pre_commit(cwd: Path, env: Mapping[str, str], *arguments: str) -> Run:
    return run([sys.executable, "-m", "pre_commit", *arguments], cwd, env)


@pytest.fixture(scope="module")
def base_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """No cliplint variables, no colour, and a git configuration of our own: the
    developer's global one (hooksPath, signing, templates) must not change the outcome."""
    if shutil.which("git") is None:
        pytest.fail("git is needed to test the pre-commit hooks")
    folder = tmp_path_factory.mktemp("git-home")
    global_config = folder / "gitconfig"
    global_config.write_text(
        "[user]\n\tname = cliplint tests\n\temail = tests@cliplint.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CLIPLINT", "PRE_COMMIT", "GIT_"))}
    env.update(GIT_CONFIG_GLOBAL=str(global_config), GIT_CONFIG_NOSYSTEM="1",
               PRE_COMMIT_COLOR="never", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")))
    env.pop("NO_COLOR", None)
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, base_env: dict[str, str]) -> HookRepo:
    """This checkout's working tree, committed in a repository of its own."""
    listed = git(ROOT, base_env, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    target = tmp_path_factory.mktemp("cliplint-src")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # tracked files deleted in the working tree are left out
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    assert (target / ".pre-commit-hooks.yaml").is_file()
    git(target, base_env, "init", "-q")
    git(target, base_env, "add", "-A")
    git(target, base_env, "commit", "-q", "-m", "snapshot of the cliplint checkout")
    return HookRepo(target, git(target, base_env, "rev-parse", "HEAD"))


def clippings_repo(folder: Path, env: Mapping[str, str], files: Mapping[str, str]) -> Path:
    folder.mkdir(parents=True)
    git(folder, env, "init", "-q")
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8", newline="")
    git(folder, env, "add", "-A")
    git(folder, env, "commit", "-q", "-m", "clippings")
    return folder


def hook_status(output: str, name: str) -> str:
    """'Passed', 'Failed' or 'Skipped' from pre-commit's ``name.....Status`` line."""
    match = re.search(rf"^{re.escape(name)}\.+\(?[^.\n]*?\)?(Passed|Failed|Skipped)$",
                      output, re.MULTILINE)
    assert match, f"no status line for {name!r} in:\n{output}"
    return match.group(1)


def hook_section(output: str, hook_id: str) -> str:
    """The lines pre-commit prints under one hook's status line."""
    start = output.index(f"- hook id: {hook_id}\n")
    following = re.search(r"^\S.*\.{3,}", output[start:], re.MULTILINE)
    return output[start : start + following.start()] if following else output[start:]


# -- pre-commit try-repo -------------------------------------------------------------------


def test_try_repo_both_hooks(tmp_path: Path, base_env: dict[str, str],
                             hook_repo: HookRepo) -> None:
    """try-repo with no hook id runs every hook of .pre-commit-hooks.yaml: the check hook
    fails on the bad clipping (and names only it), the fix hook rewrites it and pre-commit
    reports the modification; the good clipping is left as it was. Then, on the fixed
    tree, both pass."""
    good = GOOD_CLIPPING.replace("/a/1", "/a/2")  # another article: no duplicate once fixed
    repo = clippings_repo(tmp_path / "archive", base_env,
                          {"news/bad.md": SECONDS, "news/good.md": good})
    first = pre_commit(repo, base_env, "try-repo", str(hook_repo.path), "--ref", hook_repo.rev,
                       "--all-files")
    assert first.status == 1, first.output
    assert hook_status(first.output, "cliplint") == "Failed"
    check = hook_section(first.output, "cliplint")
    assert "- exit code: 1" in check
    assert "news/bad.md:1:5: timestamp-comment timestamp 1686778744 is in seconds" in check
    assert "good.md" not in check

    assert hook_status(first.output, "cliplint (fix)") == "Failed"
    assert "- files were modified by this hook" in hook_section(first.output, "cliplint-fix")
    assert (repo / "news" / "bad.md").read_text(encoding="utf-8") == GOOD_CLIPPING
    assert git(repo, base_env, "diff", "--name-only") == "news/bad.md"

    second = pre_commit(repo, base_env, "try-repo", str(hook_repo.path), "cliplint",
                        "--ref", hook_repo.rev, "--all-files")
    assert second.status == 0, second.output
    assert hook_status(second.output, "cliplint") == "Passed"


# -- the README snippet: .pre-commit-config.yaml, pre-commit install, git commit ---------


def readme_snippet() -> dict:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", readme, re.DOTALL)
    assert block, "README.md lost its .pre-commit-config.yaml snippet"
    return yaml.safe_load(block.group(1))


def write_config(repo: Path, hook_repo: HookRepo, hook_ids: list[str]) -> None:
    """The README's snippet, with this checkout's snapshot in place of cliplint's public
    repository URL and tag (and the hooks asked for)."""
    config = readme_snippet()
    [entry] = config["repos"]
    assert entry["hooks"] == [{"id": "cliplint"}] and entry["rev"].startswith("v")
    entry.update(repo=str(hook_repo.path), rev=hook_repo.rev,
                 hooks=[{"id": hook_id} for hook_id in hook_ids])
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


def test_snippet_blocks_a_commit_of_a_bad_clipping(tmp_path: Path, base_env: dict[str, str],
                                                   hook_repo: HookRepo) -> None:
    """As a user: the config, `pre-commit install`, then `git commit`. The repository's
    README.md is Markdown but no clipping; cliplint.toml excludes it, and the hook's
    --force-exclude honours that although pre-commit names the file."""
    repo = clippings_repo(tmp_path / "archive", base_env, {
        "README.md": "# My archive\n\nNot a clipping.\n",
        "cliplint.toml": 'extend-exclude = ["README.md"]\n',
    })
    write_config(repo, hook_repo, ["cliplint"])
    git(repo, base_env, "add", ".pre-commit-config.yaml")
    installed = pre_commit(repo, base_env, "install")
    assert installed.status == 0, installed.output

    (repo / "README.md").write_text("# My archive\n\nStill not a clipping.\n", encoding="utf-8")
    (repo / "BBC").mkdir()
    (repo / "BBC" / "bad.md").write_text(SECONDS, encoding="utf-8")
    git(repo, base_env, "add", "-A")
    blocked = run(["git", "commit", "-m", "add a clipping"], repo, base_env)
    assert blocked.status != 0, blocked.output
    assert hook_status(blocked.output, "cliplint") == "Failed"
    section = hook_section(blocked.output, "cliplint")
    assert "BBC/bad.md:1:5: timestamp-comment" in section
    assert "README.md" not in section
    assert "1 file checked" in section

    (repo / "BBC" / "bad.md").write_text(GOOD_CLIPPING, encoding="utf-8")
    git(repo, base_env, "add", "-A")
    committed = run(["git", "commit", "-m", "add a clipping"], repo, base_env)
    assert committed.status == 0, committed.output
    assert hook_status(committed.output, "cliplint") == "Passed"


def test_snippet_blocks_a_commit_of_a_committed_article(
        tmp_path: Path, base_env: dict[str, str], hook_repo: HookRepo) -> None:
    """pre-commit names only the new file; duplicate-clipping still compares it with the
    clippings already committed, and the commit fails naming the committed copy."""
    repo = clippings_repo(tmp_path / "archive", base_env, {
        "BBC/1048026_harbour.md": GOOD_CLIPPING,
        "BBC/1048027_budget.md": GOOD_CLIPPING.replace("/a/1", "/a/2"),
    })
    write_config(repo, hook_repo, ["cliplint"])
    git(repo, base_env, "add", ".pre-commit-config.yaml")
    assert pre_commit(repo, base_env, "install").status == 0
    (repo / "BBC" / "1048100_harbour-again.md").write_text(
        GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778999000-->")
        .replace("/a/1", "/a/1?utm_source=rss"), encoding="utf-8")
    git(repo, base_env, "add", "-A")
    blocked = run(["git", "commit", "-m", "add a clipping"], repo, base_env)
    assert blocked.status != 0, blocked.output
    section = hook_section(blocked.output, "cliplint")
    assert ("BBC/1048100_harbour-again.md:1:1: duplicate-clipping same article URL — "
            "duplicate of BBC/1048026_harbour.md") in section
    assert "1 file checked" in section


def test_snippet_fix_hook(tmp_path: Path, base_env: dict[str, str],
                          hook_repo: HookRepo) -> None:
    """cliplint-fix in the user's config: the file is fixed, pre-commit fails the run
    because files changed, and a second run passes. A problem with no fix stays reported."""
    no_blank = SECONDS.replace("------\n\n", "------\n")
    unfixable = GOOD_CLIPPING.replace("https://example.com/a/1", "https://exa mple.com/b/2")
    repo = clippings_repo(tmp_path / "archive", base_env,
                          {"a.md": no_blank, "b.md": unfixable})
    write_config(repo, hook_repo, ["cliplint-fix"])
    first = pre_commit(repo, base_env, "run", "--all-files")
    assert first.status == 1, first.output
    assert hook_status(first.output, "cliplint (fix)") == "Failed"
    section = hook_section(first.output, "cliplint-fix")
    assert "- files were modified by this hook" in section
    assert "b.md:2:" in section and "space in the title URL" in section
    assert (repo / "a.md").read_text(encoding="utf-8") == GOOD_CLIPPING
    assert (repo / "b.md").read_text(encoding="utf-8") == unfixable

    (repo / "b.md").write_text(GOOD_CLIPPING.replace("/a/1", "/b/2"), encoding="utf-8")
    second = pre_commit(repo, base_env, "run", "--all-files")
    assert second.status == 0, second.output
    assert hook_status(second.output, "cliplint (fix)") == "Passed"
