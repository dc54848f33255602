"""The title link as CommonMark reads it, through the command line on files on disk: a
destination in angle brackets (``[T](<https://x.org/a>)``) and a link title after it
(``[T](https://x.org/a "T")``), as markdownify and other HTML-to-Markdown converters write
them. Its URL is the destination alone, for title-link and for every rule that reads it
(relative-url's base, duplicate-clipping's URL, empty-body's video exemption); what is
still no well-formed link is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cliplint, write

BODY = ("<p>The harbour reopened on Wednesday after a week of repairs to the sea wall, "
        "officials said.</p>")


def clipping(title_line: str, body: str = BODY) -> str:
    return f"<!--1686778744000-->\n{title_line}\n------\n\n{body}\n"


@pytest.mark.parametrize("title_line", [
    "[H](<https://example.com/a/1>)",
    '[H](https://example.com/a/1 "H")',
    "[H](https://example.com/a/1 'H')",
    "[H](https://example.com/a/1 (H))",
    '[H](<https://example.com/a/1> "A \\"quoted\\" title (with a paren)")',
    '[H](https://example.com/a/1 "a ) inside the quotes")',
])
def test_a_title_link_markdown_reads_is_clean_for_every_rule(tmp_path: Path, title_line: str) -> None:
    path = write(tmp_path / "c.md", clipping(title_line))
    run = run_cliplint("--isolated", "--no-cache", str(path))
    assert (run.status, run.stdout) == (0, "All clean: 1 file checked.\n"), run.stdout


@pytest.mark.parametrize(("title_line", "column", "message"), [
    # Valid CommonMark, but the contract reports a space in the URL.
    ("[H](<https://x.org/a b>)", 21, "space in the title URL"),
    ("[H](<>)", 6, "empty title URL"),
    ('[H](https://x.org/a "H)', 21, "unclosed link title after the title URL: '\"' never closed"),
    ("[H](https://x.org/a 'H)", 21, "unclosed link title after the title URL: \"'\" never closed"),
    ("[H](<https://x.org/a)", 5, "unbalanced angle brackets around the title URL"),
    ("[H](<https://x.org/a>b)", 22, "text after the '>' that closes the title URL"),
    ('[H](https://x.org/a "H" b)', 24, "text after the link title in the title link"),
    # A space with no link title after it is still a space in the URL.
    ("[H](https://x.org/a b)", 20, "space in the title URL"),
    ("[H](https://x.org/a )", 20, "space in the title URL"),
    ("[H](<a/1>)", 6, "title URL 'a/1' is not an absolute http(s) URL"),
])
def test_what_is_no_well_formed_title_link_is_still_reported(
        tmp_path: Path, title_line: str, column: int, message: str) -> None:
    path = write(tmp_path / "c.md", clipping(title_line))
    run = run_cliplint("--isolated", "--no-cache", "--select", "title-link", str(path))
    assert run.status == 1
    assert run.stdout.splitlines()[0] == f"{path}:2:{column}: title-link {message}"


RELATIVE = clipping("[H](<https://example.com/a/1.html>)",
                    '<p>Repairs. <img src="/img/p.jpg"> <a href="b.html">More</a></p>')
RESOLVED = clipping("[H](<https://example.com/a/1.html>)",
                    '<p>Repairs. <img src="https://example.com/img/p.jpg"> '
                    '<a href="https://example.com/a/b.html">More</a></p>')


@pytest.mark.parametrize("title_line", [
    "[H](<https://example.com/a/1.html>)", '[H](https://example.com/a/1.html "H")'])
def test_relative_url_resolves_against_the_url_in_angle_brackets_or_before_a_title(
        tmp_path: Path, title_line: str) -> None:
    before = RELATIVE.replace("[H](<https://example.com/a/1.html>)", title_line)
    after = RESOLVED.replace("[H](<https://example.com/a/1.html>)", title_line)
    path = write(tmp_path / "r.md", before)
    arguments = ("--isolated", "--no-cache", "--select", "relative-url", "--unsafe-fixes")
    diff = run_cliplint(*arguments, "--diff", str(path))
    assert '+<p>Repairs. <img src="https://example.com/img/p.jpg"> ' in diff.stdout, diff.stdout
    assert path.read_text(encoding="utf-8") == before
    run = run_cliplint(*arguments, "--fix", str(path))
    assert run.status == 0, run.stdout
    assert path.read_text(encoding="utf-8") == after


def test_duplicate_clipping_matches_a_url_in_angle_brackets_with_the_same_url_bare(
        tmp_path: Path) -> None:
    # Titles that do not agree, the same body: only the URL makes them one article.
    write(tmp_path / "a.md", clipping("[a](<https://x.org/1>)"))
    write(tmp_path / "b.md", clipping("[b](https://x.org/1)"))
    run = run_cliplint("--isolated", "--no-cache", "--select", "duplicate-clipping", str(tmp_path))
    assert run.status == 1
    assert f"{tmp_path / 'b.md'}:1:1: duplicate-clipping same article URL — duplicate of " \
           f"{tmp_path / 'a.md'}" in run.stdout


@pytest.mark.parametrize("title_line", [
    "[Live tonight](<https://www.youtube.com/watch?v=vBD7YN-LM98>)",
    '[Live tonight](https://www.youtube.com/watch?v=vBD7YN-LM98 "Live tonight")'])
def test_empty_body_exempts_a_video_linked_in_angle_brackets_or_before_a_title(
        tmp_path: Path, title_line: str) -> None:
    path = write(tmp_path / "v.md", clipping(title_line, "<div>\n\n</div>"))
    run = run_cliplint("--isolated", "--no-cache", "--select", "empty-body", str(path))
    assert (run.status, run.stdout) == (0, "All clean: 1 file checked.\n"), run.stdout


def test_fixes_of_the_title_line_keep_the_angle_brackets_and_the_link_title(
        tmp_path: Path) -> None:
    # title-escaping's (on the text) and title-link's underline and blank line: the run
    # ends clean, the destination and link title as they were.
    path = write(tmp_path / "u.md", f"<!--1686778744000-->\n"
                 f'[Tom &amp;amp; Jerry](<https://example.com/a/1> "T")\n{BODY}\n')
    run = run_cliplint("--isolated", "--no-cache", "--fix", str(path))
    assert run.status == 0, run.stdout
    assert path.read_text(encoding="utf-8") == clipping(
        '[Tom & Jerry](<https://example.com/a/1> "T")')
