"""Configuration: discovery, validation messages, and what each key does."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import GOOD_CLIPPING, record_calls, run_cliplint, write

SECONDS = GOOD_CLIPPING.replace("<!--1686778744000-->", "<!--1686778744-->")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cliplint.toml", "select = [\n", "cliplint.toml: invalid TOML: "),
        ("cliplint.toml", "colour = true\n", "cliplint.toml: invalid configuration:\n  cliplint.toml:1: unknown key 'colour'"),
        ("cliplint.toml", "select = 'title-link'\n", "  cliplint.toml:1: select: 'title-link' is not of type 'array'"),
        ("cliplint.toml", "select = ['title-lnk']\n", "  cliplint.toml:1: select[0]: unknown rule 'title-lnk'"),
        ("cliplint.toml", "[severity]\ntitle-link = 'fatal'\n", "  cliplint.toml:2: severity.title-link: 'fatal' is not one of ['error', 'warning', 'info']"),
        ("cliplint.toml", "[rules.timestamp-comment]\nmin-date = 1995\n", "  cliplint.toml:2: rules.timestamp-comment.min-date: 1995 is not of type 'string'"),
        ("cliplint.toml", "[rules.timestamp-comment]\nmax-past = '1d'\n", "  cliplint.toml:2: rules.timestamp-comment: unknown key 'max-past'"),
        # Dates and durations the rules could not use: they crashed the rule on every file.
        ("cliplint.toml", "[rules.timestamp-comment]\nmin-date = '2023-13-45'\n", "  cliplint.toml:2: rules.timestamp-comment.min-date: '2023-13-45' is not a valid date (month must be in 1..12)"),
        ("cliplint.toml", "[rules.timestamp-comment]\nmin-date = '0000-00-00'\n", "  cliplint.toml:2: rules.timestamp-comment.min-date: '0000-00-00' is not a valid date (year 0 is out of range)"),
        ("cliplint.toml", "[rules.timestamp-comment]\nmin-date = '2023/01/01'\n", "  cliplint.toml:2: rules.timestamp-comment.min-date: '2023/01/01' is not a date written YYYY-MM-DD"),
        ("cliplint.toml", "[rules.timestamp-comment]\nmax-future = \"1d\\n\"\n", "  cliplint.toml:2: rules.timestamp-comment.max-future: \"1d\\n\" is not a duration: "),
        ("cliplint.toml", f"[rules.timestamp-comment]\nmax-future = '{'9' * 400}d'\n", "  cliplint.toml:2: rules.timestamp-comment.max-future: '999"),
        ("cliplint.toml", "[rules.no-such-rule]\n", "  cliplint.toml:1: rules: unknown rule 'no-such-rule'"),
        # An empty pattern matched nothing, quietly (exclude = [""] was refused already).
        ("cliplint.toml", "[per-file-ignores]\n'' = ['title-link']\n",
         "  cliplint.toml:2: per-file-ignores: key '' should be non-empty"),
        ("cliplint.toml", "[[rules.aggregator-boilerplate.entries]]\nname = 'mine'\nlabel = 'Mine'\n"
         "position = 'trailing'\nfix = 'safe'\nelements = ['p']\ntext = ['(unclosed']\n",
         "  cliplint.toml:7: rules.aggregator-boilerplate.entries[0].text[0]: '(unclosed' is not a "
         "valid regular expression (missing ), unterminated subpattern at position 0)"),
        ("pyproject.toml", "[tool.cliplint]\nignore = [1]\n", "pyproject.toml: invalid configuration:\n  pyproject.toml:2: tool.cliplint.ignore[0]: 1 is not a "
             "rule id: a rule id is a string"),
        ("pyproject.toml", "[tool.cliplint]\ncolour = true\n", "  pyproject.toml:2: tool.cliplint: unknown key 'colour'"),
        # Past sys.maxsize, every rule crashed (itertools.islice); reading overflowed too.
        ("cliplint.toml", "max-problems-per-rule = 10000000000000000000\n",
         "  cliplint.toml:1: max-problems-per-rule: 10000000000000000000 is greater than the maximum of 1000000000"),
        ("cliplint.toml", "max-file-size = 1000000000000000000000\n",
         "  cliplint.toml:1: max-file-size: 1000000000000000000000 is greater than the maximum of 1000000000"),
        # TOML's 1.0 is an integer by JSON Schema's letter: every rule crashed (islice).
        ("cliplint.toml", "max-problems-per-rule = 1.0\n",
         "  cliplint.toml:1: max-problems-per-rule: 1.0 is not of type 'integer'"),
        ("cliplint.toml", "[rules.path-portability]\nmax-name-bytes = 5.0\n",
         "  cliplint.toml:2: rules.path-portability.max-name-bytes: 5.0 is not of type 'integer'"),
    ],
)
def test_invalid_config_exits_2_naming_file_and_key(tmp_path: Path, name: str, content: str, message: str) -> None:
    write(tmp_path / name, content)
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint("--config", name, "a.md", cwd=tmp_path)
    assert result.status == 2, result.stdout
    assert result.stderr.startswith("cliplint: error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("content", "quoted"), [
    ("[rules.example/shouting-title]\nmin-letters = 10\n", '[rules."example/shouting-title"]'),
    ("select = ['ALL']\n\n  [rules.example/shouting-title]  # mine\n",
     '[rules."example/shouting-title"]  # mine'),
    ("[severity]\nexample/shouting-title = 'warning'\n", "\"example/shouting-title\" = 'warning'"),
    # A glob holds dots of its own: the whole key is quoted, not each part.
    ("[per-file-ignores]\nlegacy/*.md = ['title-link']\n", "\"legacy/*.md\" = ['title-link']"),
    ("per-file-ignores.legacy/*.md = ['title-link']\n",
     "per-file-ignores.\"legacy/*.md\" = ['title-link']"),
    # Elsewhere each dotted part is a key: quoted whole, they made a key cliplint does not
    # know ("severity.example/x" = ...).
    ("severity.example/shouting-title = 'warning'\n",
     "severity.\"example/shouting-title\" = 'warning'"),
    ("[rules]\nexample/shouting-title.min-letters = 3\n",
     "\"example/shouting-title\".min-letters = 3"),
    # The line quoted is valid; a later line's error is another matter.
    ("[rules.example/shouting-title]\nmin-letters = \n", '[rules."example/shouting-title"]'),
    # Nothing to quote, or quoting would not make the line valid: tomllib's message alone.
    ("select = [\n", None),
    ("[rules.title-link\n", None),
    ("[rules.example/shouting-title] = 3\n", None),
    ("[rules.\"example/shouting-title]\n", None),
])
def test_an_unquoted_key_that_needs_quotes_is_said_to_need_them(
        tmp_path: Path, content: str, quoted: str | None) -> None:
    write(tmp_path / "cliplint.toml", content)
    write(tmp_path / "a.md", GOOD_CLIPPING)
    result = run_cliplint("a.md", cwd=tmp_path)
    assert result.status == 2
    said = result.stderr.splitlines()
    assert len(said) == 1 and said[0].startswith("cliplint: error: ")
    assert ": invalid TOML: " in said[0]
    hint = ("(quote the key: in TOML a key with anything but letters, digits, '-' and '_' in "
            "it, such as a plugin's rule id, is written in quotes: ")
    if quoted is None:
        assert hint not in said[0]
    else:
        assert said[0].endswith(f"{hint}{quoted})")


# Config files tomllib cannot read, or reads into what crashed the code after it.
UNREADABLE = [
    # GBK: the first two bytes happen to be UTF-8 (U+05E2), the third is not.
    (b"select = ['ALL']\n" + "# 注释\n".encode("gbk"), ":2: not UTF-8 (byte 0xca at offset 21)"),
    (b'include = ["\xff\xfe"]\n', ":1: not UTF-8 (byte 0xff at offset 12)"),
    (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n",
     ": nested too deeply (tables and arrays more than 100 levels deep)"),
    (b"x = " + b"1" * 5000 + b"\n", ": invalid TOML: a number too long (more than 4300 digits)"),
    # Dotted keys nest without recursion in tomllib, but not in what reads the table next.
    (b".".join([b"a"] * 3000) + b" = 1\n",
     ": nested too deeply (tables and arrays more than 100 levels deep)"),
    # tomllib said only "Invalid statement (at line 1, column 1)".
    (b"\xef\xbb\xbfselect = ['ALL']\n", ": starts with a byte order mark (BOM)"),
]


@pytest.mark.parametrize(("content", "message"), UNREADABLE,
                         ids=["gbk", "ff-fe", "deep-array", "long-integer", "deep-dotted-key", "bom"])
@pytest.mark.parametrize("how", ["found", "--config", "pyproject.toml", "user configuration"])
def test_unreadable_config_file_exits_2_naming_it(tmp_path: Path, content: bytes, message: str,
                                                   how: str) -> None:
    write(tmp_path / "a.md", GOOD_CLIPPING)
    arguments: list[str] = []
    env: dict[str, str] = {}
    name = "cliplint.toml"
    if how == "found":
        write(tmp_path / name, content)
    elif how == "--config":
        name = "mine.toml"
        write(tmp_path / name, content)
        arguments = ["--config", name]
    elif how == "pyproject.toml":
        name = "pyproject.toml"  # the table after the content: the offsets stay the same
        write(tmp_path / name, content + b"\n[tool.cliplint]\n")
    else:
        write(tmp_path / "xdg" / "cliplint" / name, content)
        env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    result = run_cliplint(*arguments, "a.md", cwd=tmp_path, env=env)
    assert result.status == 2, result.stderr
    assert result.stderr.startswith("cliplint: error: ")
    assert f"{name}{message}" in result.stderr


def test_show_config_of_a_deeply_nested_key_exits_2(tmp_path: Path) -> None:
    # With the cache on: validate's json.dumps of the table ran out of stack too.
    write(tmp_path / "cliplint.toml", "[rules." + ".".join(["a"] * 3000) + "]\n")
    result = run_cliplint("--show-config", cwd=tmp_path)
    assert result.status == 2, result.stderr
    assert "cliplint.toml: nested too deeply" in result.stderr


def test_show_config_of_a_path_mistyped_or_of_several_exits_2(tmp_path: Path) -> None:
    # A mistyped path showed the top folder's settings, exit 0, as if they were its own;
    # of several paths, none was shown.
    write(tmp_path / "feeds" / "bbc" / "cliplint.toml", "ignore = ['title-link']\n")
    write(tmp_path / "feeds" / "bbc" / "a.md", "")
    shown = run_cliplint("--show-config", "feeds/bbc/a.md", cwd=tmp_path)
    assert shown.status == 0 and json.loads(shown.stdout)["config-file"].endswith("cliplint.toml")
    mistyped = run_cliplint("--show-config", "feeds/bcc/a.md", cwd=tmp_path)
    assert (mistyped.status, mistyped.stdout) == (2, "")
    assert mistyped.stderr == "cliplint: error: path does not exist: feeds/bcc/a.md\n"
    several = run_cliplint("--show-config", "feeds/bbc/a.md", "feeds", cwd=tmp_path)
    assert (several.status, several.stdout) == (2, "")
    assert "name one path" in several.stderr


def test_config_nested_as_deep_as_allowed_is_read(tmp_path: Path) -> None:
    from cliplint.config import MAX_TOML_DEPTH, ConfigError, _load_toml

    def nested(arrays: int) -> Path:  # the file's table is the first level
        return write(tmp_path / "cliplint.toml", "x = " + "[" * arrays + "]" * arrays + "\n")

    _load_toml(nested(MAX_TOML_DEPTH - 1))
    with pytest.raises(ConfigError, match="nested too deeply"):
        _load_toml(nested(MAX_TOML_DEPTH))


def test_config_is_found_walking_up_and_options_apply(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", "[rules.timestamp-comment]\nmin-date = '2024-01-01'\n")
    write(tmp_path / "deep" / "er" / "a.md", GOOD_CLIPPING)
    result = run_cliplint("a.md", cwd=tmp_path / "deep" / "er")
    assert result.status == 1
    assert "before min-date 2024-01-01" in result.stdout
    isolated = run_cliplint("--isolated", "a.md", cwd=tmp_path / "deep" / "er")
    assert isolated.status == 0


def test_nearest_config_wins_and_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", "ignore = ['timestamp-comment']\n")
    write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'x'\n")
    write(tmp_path / "sub" / "a.md", SECONDS)
    assert run_cliplint("a.md", cwd=tmp_path / "sub").status == 0
    write(tmp_path / "sub" / ".cliplint.toml", "select = ['ALL']\n")
    assert run_cliplint("a.md", cwd=tmp_path / "sub").status == 1


def test_a_pyproject_with_a_top_level_cliplint_table_is_warned_of_once(tmp_path: Path) -> None:
    # It was ignored without a word: the run took the defaults (or a file farther up).
    warning = ("cliplint: warning: {} holds a [cliplint] table, which cliplint does not "
               "read: in pyproject.toml its table is [tool.cliplint]\n")
    write(tmp_path / "cliplint.toml", "ignore = ['timestamp-comment']\n")
    write(tmp_path / "sub" / "pyproject.toml", "[cliplint]\nselect = ['ALL']\n")
    for folder in ("a", "b", "c"):  # three clippings, not copies of one (duplicate-clipping)
        write(tmp_path / "sub" / folder / "a.md", SECONDS.replace("A good title", folder)
              .replace("/a/1", f"/{folder}").replace("Some article", f"The {folder}"))
    result = run_cliplint("--no-cache", ".", cwd=tmp_path / "sub")
    assert (result.status, result.stderr) == (0, warning.format("pyproject.toml"))  # once
    below = run_cliplint("--no-cache", "a.md", cwd=tmp_path / "sub" / "a")
    assert (below.status, below.stderr) == (0, warning.format("../pyproject.toml"))
    # Not read (--isolated), or read for its [tool.cliplint]: nothing to say.
    assert run_cliplint("--isolated", "a.md", cwd=tmp_path / "sub" / "a").stderr == ""
    write(tmp_path / "sub" / "pyproject.toml", "[cliplint]\n[tool.cliplint]\n")
    assert run_cliplint("--no-cache", "a.md", cwd=tmp_path / "sub" / "a").stderr == ""
    write(tmp_path / "sub" / "pyproject.toml", "cliplint = 'x'\n")  # no table
    assert run_cliplint("--no-cache", "a.md", cwd=tmp_path / "sub" / "a").stderr == ""


@pytest.mark.parametrize("tool", ["3", "'cliplint'", "'x-cliplint'", "['cliplint']", "true",
                                  "1.5", "1979-05-27"])
def test_a_pyproject_whose_tool_is_no_table_is_not_cliplints(tmp_path: Path, tool: str) -> None:
    # It crashed the run (exit 3: `"cliplint" in 3`, `3.get`), and a string counted as
    # naming cliplint when it held the word. Looked for, it is skipped (here, in the
    # folder of the file linted, and below the run's folder); named, it is an error.
    write(tmp_path / "cliplint.toml", "ignore = ['timestamp-comment']\n")
    write(tmp_path / "sub" / "pyproject.toml", f"tool = {tool}\n")
    write(tmp_path / "sub" / "a.md", SECONDS)
    assert run_cliplint("a.md", cwd=tmp_path / "sub").status == 0
    assert run_cliplint("sub/a.md", cwd=tmp_path).status == 0
    named = run_cliplint("--config", "sub/pyproject.toml", "sub/a.md", cwd=tmp_path)
    assert named.status == 2, named.stderr
    assert named.stderr == "cliplint: error: sub/pyproject.toml: tool: expected a table\n"


def test_explicit_config_and_missing_config(tmp_path: Path) -> None:
    write(tmp_path / "conf" / "strict.toml", "[severity]\ntimestamp-comment = 'warning'\n")
    write(tmp_path / "a.md", SECONDS)
    result = run_cliplint("--config", "conf/strict.toml", "--format", "json", "a.md", cwd=tmp_path)
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["severity"] == "warning"
    assert result.status == 0  # warnings alone do not fail the run
    missing = run_cliplint("--config", "nope.toml", "a.md", cwd=tmp_path)
    assert missing.status == 2 and "config file not found: nope.toml" in missing.stderr
    # Something that is there but no file is not "not found".
    device = run_cliplint("--config", os.devnull, "a.md", cwd=tmp_path)
    assert device.status == 2
    assert f"config file is not a regular file: {os.devnull}" in device.stderr
    folder = run_cliplint("--config", "conf", "a.md", cwd=tmp_path)
    assert folder.status == 2 and "config file is a folder, not a file: conf" in folder.stderr
    # A name written with a slash at its end names the file, as pathlib read it (the
    # pathlib-free check said "not found").
    slashed = run_cliplint("--config", "conf/strict.toml/", "--format", "json", "a.md",
                           cwd=tmp_path)
    assert slashed.status == 0, slashed.stderr
    assert [problem["severity"] for problem in json.loads(slashed.stdout)["problems"]] == [
        "warning"]


def test_isolated_and_config_together_are_refused(tmp_path: Path) -> None:
    # --isolated dropped --config without a word, even a missing file; ruff refuses both.
    write(tmp_path / "strict.toml", "[severity]\ntimestamp-comment = 'warning'\n")
    write(tmp_path / "a.md", SECONDS)
    for config in ("strict.toml", "nope.toml"):
        result = run_cliplint("--isolated", "--config", config, "a.md", cwd=tmp_path)
        assert result.status == 2, result.stdout
        assert "--isolated ignores every configuration file: it cannot be used with " \
            "--config FILE" in result.stderr
        assert result.stdout == ""


def test_a_user_configuration_that_is_a_folder_is_an_error(tmp_path: Path) -> None:
    # It was skipped without a word, its settings lost, as a missing one is.
    (tmp_path / "xdg" / "cliplint" / "cliplint.toml").mkdir(parents=True)
    write(tmp_path / "a.md", GOOD_CLIPPING)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    result = run_cliplint("a.md", cwd=tmp_path, env=env)
    assert result.status == 2, result.stdout
    assert (f"{tmp_path / 'xdg' / 'cliplint' / 'cliplint.toml'}: the user configuration is "
            "a folder, not a file") in result.stderr
    assert run_cliplint("--isolated", "a.md", cwd=tmp_path, env=env).status == 0


@pytest.mark.parametrize("where", [".", "feed"])
@pytest.mark.parametrize("name", ["cliplint.toml", ".cliplint.toml", "pyproject.toml"])
def test_a_project_configuration_that_is_a_folder_is_an_error(tmp_path: Path, where: str,
                                                              name: str) -> None:
    # It was passed over without a word: the folder's files got the settings of the
    # configuration above it (here: timestamp-comment off), or none.
    if where != ".":
        write(tmp_path / "cliplint.toml", "ignore = ['timestamp-comment']\n")
    (tmp_path / where / name).mkdir(parents=True, exist_ok=where == ".")
    write(tmp_path / "feed" / "a.md", SECONDS)
    for arguments in (["."], ["feed/a.md"], ["--no-cache", "."]):
        result = run_cliplint(*arguments, cwd=tmp_path)
        assert result.status == 2, result.stdout
        assert result.stderr == (f"cliplint: error: {tmp_path / where / name} is a folder, "
                                 "not a file: cliplint reads its configuration from that name\n")
    assert run_cliplint("--isolated", ".", cwd=tmp_path).status == 1


@pytest.mark.parametrize(("name", "content", "said"), [
    # A missing archive root changed what duplicate-clipping compared, without a word; a
    # file made path-portability judge the paths from it.
    ("cliplint.toml", "archive-root = 'gone'\n", "gone does not exist"),
    ("pyproject.toml", "[tool.cliplint]\narchive-root = 'a.md'\n", "a.md is not a folder"),
])
def test_an_archive_root_that_is_no_folder_is_refused_when_archive_rules_run(
        tmp_path: Path, name: str, content: str, said: str) -> None:
    write(tmp_path / name, content)
    write(tmp_path / "a.md", GOOD_CLIPPING)
    refused = run_cliplint("--config", name, "a.md", cwd=tmp_path)
    assert refused.status == 2, refused.stdout
    assert refused.stderr == (
        f"cliplint: error: archive-root {tmp_path / said.split()[0]} {said.split(' ', 1)[1]} "
        f"(relative to the configuration file that sets it: {name}): archive rules compare "
        "the files within it\n")
    # A run without archive rules does not need it (a checkout CI or an editor lacks).
    for arguments, stdin in ((["--select", "timestamp-comment", "a.md"], None),
                             (["--stdin-filename", "a.md"], GOOD_CLIPPING.encode())):
        ran = run_cliplint("--config", name, *arguments, cwd=tmp_path, stdin=stdin)
        assert (ran.status, ran.stderr) == (0, ""), (arguments, ran.stderr)


def test_archive_root_is_resolved_from_the_file_that_sets_it(tmp_path: Path) -> None:
    write(tmp_path / "conf" / "cliplint.toml", "archive-root = '../archive'\n")
    write(tmp_path / "archive" / "a.md", GOOD_CLIPPING)
    # From the current folder, conf/../archive is there; ./../archive is not.
    found = run_cliplint("--config", "conf/cliplint.toml", "archive", cwd=tmp_path)
    assert found.status == 0, found.stderr
    (tmp_path / "archive" / "a.md").unlink()
    (tmp_path / "archive").rmdir()
    write(tmp_path / "elsewhere" / "a.md", GOOD_CLIPPING)
    gone = run_cliplint("--config", "conf/cliplint.toml", "elsewhere", cwd=tmp_path)
    assert gone.status == 2
    assert f"archive-root {tmp_path / 'archive'} does not exist" in gone.stderr


@pytest.mark.parametrize("setting", ["max-problems-per-rule", "max-file-size"])
def test_counts_as_large_as_allowed_are_taken(tmp_path: Path, setting: str) -> None:
    from cliplint.config import LARGEST_COUNT

    write(tmp_path / "cliplint.toml", f"{setting} = {LARGEST_COUNT}\n")
    write(tmp_path / "a.md", SECONDS)
    result = run_cliplint("a.md", cwd=tmp_path)
    assert result.status == 1 and "timestamp-comment" in result.stdout, result.stderr
    assert "internal-error" not in result.stdout


def test_per_file_ignores(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", "[per-file-ignores]\n'legacy/**' = ['timestamp-comment']\n")
    write(tmp_path / "legacy" / "old" / "a.md", SECONDS)
    write(tmp_path / "new" / "b.md", SECONDS.replace("/a/1", "/a/2"))
    result = run_cliplint("--format", "json", ".", cwd=tmp_path)
    paths = [p["path"] for p in json.loads(result.stdout)["problems"]]
    assert paths == ["./new/b.md"]


def test_a_leading_double_star_matches_at_the_top_too(tmp_path: Path) -> None:
    # As in ruff and .gitignore. fnmatch's "**/a.md" wants a "/" before "a.md": the
    # folder's own a.md was still reported, and "**/drafts" did not exclude ./drafts.
    write(tmp_path / "cliplint.toml", "extend-exclude = ['**/drafts']\n"
          "[per-file-ignores]\n'**/a.md' = ['timestamp-comment']\n")
    write(tmp_path / "a.md", SECONDS)
    write(tmp_path / "feed" / "a.md", SECONDS.replace("/a/1", "/a/2"))
    write(tmp_path / "feed" / "b.md", SECONDS.replace("/a/1", "/a/3"))
    write(tmp_path / "drafts" / "c.md", SECONDS.replace("/a/1", "/a/4"))
    write(tmp_path / "feed" / "drafts" / "d.md", SECONDS.replace("/a/1", "/a/5"))
    result = run_cliplint("--format", "json", ".", cwd=tmp_path)
    assert [p["path"] for p in json.loads(result.stdout)["problems"]] == ["./feed/b.md"]
    assert json.loads(result.stdout)["files_checked"] == 3


def test_command_line_select_overrides_config(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", "ignore = ['timestamp-comment']\n")
    write(tmp_path / "a.md", SECONDS)
    assert run_cliplint("a.md", cwd=tmp_path).status == 0
    assert run_cliplint("--select", "timestamp-comment", "a.md", cwd=tmp_path).status == 1


def test_show_config(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", "ignore = ['title-link']\n[severity]\ntimestamp-comment = 'info'\n")
    result = run_cliplint("--show-config", cwd=tmp_path)
    shown = json.loads(result.stdout)
    assert result.status == 0
    assert shown["config-file"].endswith("cliplint.toml")
    assert "title-link" not in shown["enabled"] and "timestamp-comment" in shown["enabled"]
    assert shown["severity"]["timestamp-comment"] == "info"
    assert shown["severity"]["title-link"] == "error"
    assert shown["rules"]["timestamp-comment"] == {"min-date": "1995-01-01", "max-future": "1d"}


def test_max_file_size(tmp_path: Path) -> None:
    write(tmp_path / "cliplint.toml", "max-file-size = 100\n")
    big = write(tmp_path / "big.md", GOOD_CLIPPING + "<p>" + "x" * 200 + "</p>\n")
    result = run_cliplint("big.md", cwd=tmp_path)
    assert result.status == 0  # a notice, not a failure
    size = big.stat().st_size
    assert result.stdout.startswith(f"big.md:1:1: warning file-too-large file is {size} bytes, over max-file-size (100)")


@pytest.mark.parametrize("root", [".", "./", "a", "a/", "a//b", "./a/./b", "/tmp", "/tmp/", "/",
                                  "..", "../x", "a/../b"])
@pytest.mark.parametrize("config_root", [".", "/tmp", "a"])
def test_walked_paths_agree_with_relative_posix(root: str, config_root: str) -> None:
    # files._walk works out a folder's relative path once and appends each entry's name;
    # that must be what relative_posix gives for the entry's own path.
    import os

    from cliplint.paths import relative_posix

    inside = relative_posix(root, config_root)
    prefix = "" if inside == "." else inside.rstrip("/") + "/"
    for name in ["x.md", "b c", "é?|", "new\nline", ".hidden"]:
        assert prefix + name == relative_posix(os.path.join(root, name), config_root)


def test_exclude_applies_in_nested_folders(tmp_path: Path) -> None:
    write(tmp_path / "keep" / "a.md", GOOD_CLIPPING)
    write(tmp_path / "keep" / "skip" / "b.md", GOOD_CLIPPING)
    write(tmp_path / "keep" / "c.draft.md", GOOD_CLIPPING)
    (tmp_path / ".cliplint.toml").write_text(
        'exclude = ["keep/skip", "*.draft.md"]\n', encoding="utf-8")
    result = run_cliplint("--format", "json", "--no-cache", ".", cwd=tmp_path)
    assert json.loads(result.stdout)["files_checked"] == 1


def test_entry_exclusion_agrees_with_whole_path_exclusion() -> None:
    """A folder walk asks about each entry with excludes_entry (the parts above it have
    passed already); it must agree with excludes on the whole path."""
    from hypothesis import given, settings, strategies as st

    from cliplint.config import resolve
    from cliplint.plugins import load_registry

    patterns = [".git", "node_modules", "drafts*", "a/b", "x/*.md", "*.bak", "[ab]c", "d?",
                "a*z", "deep/er/"]
    configured = resolve({"exclude": patterns}, load_registry().rules)
    name = st.sampled_from([".git", "node_modules", "drafts1", "a", "b", "x", "y.md", "z.bak",
                            "ac", "bc", "dd", "d", "abz", "deep", "er", "plain.md"])

    @settings(max_examples=2000, deadline=None)
    @given(st.lists(name, min_size=1, max_size=5))
    def agree(parts: list[str]) -> None:
        above = ["/".join(parts[:i]) for i in range(1, len(parts))]
        if any(configured.excludes(folder) for folder in above):
            return  # a walk never gets there
        prefix = "".join(part + "/" for part in parts[:-1])
        assert configured.excludes_entry(prefix, parts[-1]) == configured.excludes(
            prefix + parts[-1])

    agree()


def test_config_errors_in_pyproject_give_lines_toml_values_and_suggestions(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", """\
[project]
name = "archive"

[tool.cliplint]
ignore = ["titel-link"]
exlude = ["drafts"]

[tool.cliplint.per-file-ignores]
"legacy/**" = ["timestamp-coment"]

[tool.cliplint.severity]
titlelink = "warning"

[tool.cliplint.rules.duplicate-clipping]
id-pattern = '^(\\d+_'

[tool.cliplint.rules.timestamp-coment]
""")
    source, said = _refused_configuration(tmp_path / "pyproject.toml")
    assert said == f"""\
cliplint: error: {source}: invalid configuration:
  {source}:5: tool.cliplint.ignore[0]: unknown rule 'titel-link' (did you mean 'title-link'?) (see 'cliplint rules')
  {source}:6: tool.cliplint: unknown key 'exlude' (did you mean 'exclude'?)
  {source}:9: tool.cliplint.per-file-ignores."legacy/**"[0]: unknown rule 'timestamp-coment' (did you mean 'timestamp-comment'?) (see 'cliplint rules')
  {source}:12: tool.cliplint.severity: unknown rule 'titlelink' (did you mean 'title-link'?) (see 'cliplint rules')
  {source}:15: tool.cliplint.rules.duplicate-clipping.id-pattern: '^(\\d+_' is not a valid regular expression (missing ), unterminated subpattern at position 1)
  {source}:17: tool.cliplint.rules: unknown rule 'timestamp-coment' (did you mean 'timestamp-comment'?) (see 'cliplint rules')
"""


def test_a_pattern_whose_first_group_a_rule_takes_must_have_one(tmp_path: Path) -> None:
    # Without a group, id-pattern and distinct-items matched and gave nothing, silently:
    # no id, no item, the check the keeper asked for never made.
    write(tmp_path / "cliplint.toml", """\
[rules.duplicate-clipping]
id-pattern = '^\\d+_'
distinct-items = ['youtube\\.com/watch\\?v=([\\w-]+)', 'vimeo\\.com/\\d+', '(?:x)', '(']
""")
    source, said = _refused_configuration(tmp_path / "cliplint.toml")
    assert said == f"""\
cliplint: error: {source}: invalid configuration:
  {source}:2: rules.duplicate-clipping.id-pattern: '^\\d+_' has no group: the rule takes what the first group, in parentheses, matches
  {source}:3: rules.duplicate-clipping.distinct-items[1]: 'vimeo\\.com/\\d+' has no group: the rule takes what the first group, in parentheses, matches
  {source}:3: rules.duplicate-clipping.distinct-items[2]: '(?:x)' has no group: the rule takes what the first group, in parentheses, matches
  {source}:3: rules.duplicate-clipping.distinct-items[3]: '(' is not a valid regular expression (missing ), unterminated subpattern at position 0)
"""


def test_a_key_a_table_does_not_allow_is_said_as_such_not_as_an_unknown_rule(
        tmp_path: Path) -> None:
    # The names of a boilerplate entry's attributes are keys with a pattern, not rules.
    write(tmp_path / "cliplint.toml", "[rules.aggregator-boilerplate]\nentries = [{ name = 'p', "
          "label = 'P', position = 'anywhere', fix = 'unsafe', elements = ['p'], "
          "attributes = { Data-Kind = ['promo'] } }]\n")
    source, said = _refused_configuration(tmp_path / "cliplint.toml")
    assert said == f"""\
cliplint: error: {source}: invalid configuration:
  {source}:2: rules.aggregator-boilerplate.entries[0].attributes: key 'Data-Kind' is not an attribute name in lower case, such as data-component-name
"""


def test_a_value_that_fails_a_pattern_is_told_what_is_expected_in_words(
        tmp_path: Path) -> None:
    # It said: '1w' does not match '^\\d{1,15}[smhd](?!\\n)$'.
    write(tmp_path / "cliplint.toml", "[rules.timestamp-comment]\nmax-future = '1w'\n"
          "[rules.active-content]\nallowed-hosts = ['https://www.youtube.com/']\n")
    source, said = _refused_configuration(tmp_path / "cliplint.toml")
    assert said == f"""\
cliplint: error: {source}: invalid configuration:
  {source}:2: rules.timestamp-comment.max-future: '1w' is not a duration: up to 15 digits and one of s, m, h, d (seconds, minutes, hours, days), such as 12h
  {source}:4: rules.active-content.allowed-hosts[0]: 'https://www.youtube.com/' is not a host name such as www.youtube.com or *.youtube.com, without scheme, path or port
"""


def _patterns(schema: object, at: str = "") -> list[tuple[str, dict[str, object]]]:
    """Every (sub)schema of ``schema`` that holds a ``"pattern"``, with where it is."""
    found = []
    if isinstance(schema, dict):
        if isinstance(schema.get("pattern"), str):
            found.append((at, schema))
        for key, value in schema.items():
            found += _patterns(value, f"{at}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found += _patterns(value, f"{at}/{index}")
    return found


def test_every_pattern_of_the_configuration_says_in_words_what_it_expects() -> None:
    """The engine's keys and every built-in rule's options: no user is shown a regular
    expression instead of what to write."""
    from cliplint.config import config_schema
    from cliplint.config_errors import PATTERN_WORDS
    from cliplint.plugins import load_registry

    patterns = _patterns(config_schema(load_registry(builtins_only=True).rules))
    assert len(patterns) >= 10  # the walk finds them (a duration, hosts, entries' names...)
    unsaid = [at for at, schema in patterns if not isinstance(schema.get(PATTERN_WORDS), str)]
    assert unsaid == []


def test_a_plugin_pattern_without_words_is_said_as_before() -> None:
    """A plugin's schema that does not say its pattern in words: jsonschema's message,
    the pattern as the file would write it."""
    from cliplint.config import ConfigError, validate
    from cliplint.model import Rule

    def schema(words: dict[str, str]) -> dict[str, object]:
        return {"type": "object", "properties": {"code": {
            "type": "string", "pattern": "^[A-Z]{3}$", "default": "ABC", **words}}}

    def said(words: dict[str, str]) -> str:
        rule = Rule("pack/codes", "", "", "warning", None, schema(words), None)
        with pytest.raises(ConfigError) as raised:
            validate({"rules": {"pack/codes": {"code": "abcd"}}}, {"pack/codes": rule}, "t.toml")
        return str(raised.value).splitlines()[1]

    assert said({}) == "  rules.\"pack/codes\".code: 'abcd' does not match '^[A-Z]{3}$'"
    assert said({"patternDescription": "three capital letters, such as ABC"}) == (
        "  rules.\"pack/codes\".code: 'abcd' is not three capital letters, such as ABC")


@pytest.mark.parametrize(("name", "content", "said"), [
    ("cliplint.toml", "[tool.cliplint]\nselect = ['ALL']\n", "1: unknown key 'tool' (in "
     "cliplint.toml cliplint's keys go at the top level, without [tool.cliplint]: that table "
     "is pyproject.toml's form)"),
    (".cliplint.toml", "select = ['ALL']\n[tool.cliplint.rules.title-link]\n", "2: unknown "
     "key 'tool' (in .cliplint.toml cliplint's keys go at the top level, without "
     "[tool.cliplint]: that table is pyproject.toml's form)"),
    # A key 'tool' that is not pyproject.toml's table, and pyproject.toml's own.
    ("cliplint.toml", "tool = 'x'\n", "1: unknown key 'tool'"),
    ("pyproject.toml", "[tool.cliplint.tool.cliplint]\n", "1: tool.cliplint: unknown key 'tool'"),
])
def test_pyproject_toml_s_table_in_cliplint_s_own_file_is_said_to_be_so(
        tmp_path: Path, name: str, content: str, said: str) -> None:
    source, refused = _refused_configuration(write(tmp_path / name, content))
    assert refused == f"cliplint: error: {source}: invalid configuration:\n  {source}:{said}\n"


def _refused_configuration(source: Path) -> tuple[Path, str]:
    """A run beside the configuration ``source``: refused (exit 2); what it said."""
    write(source.parent / "a.md", GOOD_CLIPPING)
    result = run_cliplint("a.md", cwd=source.parent)
    assert result.status == 2
    return source, result.stderr


def test_a_valid_config_loads_no_error_reporting(tmp_path: Path) -> None:
    # Line numbers, TOML values and suggestions cost nothing until a configuration is wrong.
    write(tmp_path / "cliplint.toml", "ignore = ['title-link']\n")
    write(tmp_path / "a.md", GOOD_CLIPPING)
    probe = ("import sys; from cliplint.cli import main; status = main(['--no-cache', 'a.md']); "
             "print(status, sorted(m for m in ('cliplint.toml_text', 'cliplint.config_errors', "
             "'cliplint.suggest', 'difflib') if m in sys.modules))")
    import subprocess
    import sys

    completed = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                               text=True, check=True)
    assert completed.stdout.split("\n")[-2] == "0 []"
    write(tmp_path / "cliplint.toml", "ignore = ['titel-link']\n")
    completed = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                               text=True, check=True)
    assert completed.stdout.split("\n")[-2] == (
        "2 ['cliplint.config_errors', 'cliplint.suggest', 'cliplint.toml_text', 'difflib']")


def test_each_glob_is_compiled_once_however_many_there_are(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted, not timed: per-file-ignores and exclude patterns are asked about for
    every file. Looked up in a cache of 256 patterns, 300 were each compiled again for
    every file (a run on 3,000 files three times slower); the settings keep them."""
    import fnmatch
    import pickle

    from cliplint.config import Settings

    translated = record_calls(monkeypatch, fnmatch, "translate", lambda pattern: pattern)
    many = 300
    settings = Settings(enabled=("title-link", "timestamp-comment"), severity={}, options={},
                        per_file_ignores=tuple((f"zz{i}*", ("title-link",)) for i in range(many))
                        + (("legacy/**", ("timestamp-comment",)),),
                        exclude=tuple(f"drafts{i}/" for i in range(many)), root="/archive")
    paths = [f"/archive/{folder}/{n}.md" for folder in ("legacy", "new") for n in range(10)]
    for path in paths:
        expected = ("title-link",) if path.startswith("/archive/legacy/") else (
            "title-link", "timestamp-comment")
        assert settings.rules_for(path) == expected
        assert not settings.is_excluded(path)
    assert settings.is_excluded("/archive/drafts299/a.md")
    # Each pattern: its whole-path and its part (or inside) expressions, once.
    assert len(translated) <= 2 * (2 * many + 1)
    # What a worker gets: the same answers, without compiling them again.
    copied = pickle.loads(pickle.dumps(settings))
    translated.clear()
    assert [copied.rules_for(p) for p in paths] == [settings.rules_for(p) for p in paths]
    assert translated == []
