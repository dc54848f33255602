"""The built-in rules quote the clipping in their messages (a tag name, a URL's host, the
text around a character): what would garble a report line is quoted as an escape.

The engine refuses a message holding a control character or a line separator (an
``internal-error`` for the rule and file: exit 3 even with ``--exit-zero``, and all the
rule's problems in the file lost); a bidi control it lets through would reorder the rest
of the report line in a bidi-aware viewer. Neither may come from scraped text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cliplint, write
from hypothesis import HealthCheck, example, given, settings, strategies as st

from cliplint.document import Document
from cliplint.linter import library_settings, lint_document
from cliplint.model import Problem

HEADER = "<!--1686778744000-->\n[A title](https://example.com/a/1)\n------\n\n"
#: The characters no message may hold raw: C0 (a few), DEL, C1 (U+0085 NEXT LINE, U+009B
#: CONTROL SEQUENCE INTRODUCER), the line and paragraph separators, the bidi controls
#: and marks.
HOSTILE = ("\x00\x07\x09\x0a\x0b\x0c\x0d\x1b\x7f\x80\x85\x9b\x9f\u2028\u2029"
           "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
#: Options that make the rules say more (and quote more).
TALKATIVE = {"rules": {
    "invisible-characters": {"attributes": True},
    "well-formed-html": {"report-html5lib-only": True},
    "active-content": {"report-lazy-embeds": True},
    "image-proxy": {"report-opaque": True},
}}


def _lint(text: str, config: Mapping[str, Any] | None = TALKATIVE) -> list[Problem]:
    """Every built-in rule's problems in ``text``, a NUL in it too (``lint_text`` would
    call such a text a binary file, as the command line does the file)."""
    rules, run_settings = library_settings(config, None)
    return lint_document(Document.from_text(text), rules, run_settings, path="-")


def _raw(text: str) -> list[str]:
    return [f"U+{ord(char):04X}" for char in text if char in HOSTILE]


# -- the audit's two reproductions, on the command line -----------------------------------


@pytest.mark.parametrize(("body", "reported"), [
    ("<p>a\u200bb\x0cc</p>",
     ":5:5: warning invisible-characters zero-width character U+200B ZERO WIDTH SPACE in "
     "the body text, between '<p>a' and 'b\\u000cc</p>' [*]\n"),
    ("<p>x</x\x1b[31m></p>",
     ":5:5: well-formed-html unexpected end tag </x\\x1b[31m> (unexpected-end-tag)\n"),
], ids=["form-feed-in-context", "escape-in-tag-name"])
def test_a_quoted_control_character_is_escaped_not_an_internal_error(
        tmp_path: Path, body: str, reported: str) -> None:
    path = write(tmp_path / "clip.md", HEADER + body + "\n")
    run = run_cliplint("--isolated", "--no-cache", "--exit-zero", str(path))
    assert run.status == 0, run.stdout
    assert "internal-error" not in run.stdout
    assert str(path) + reported in run.stdout


# -- each rule, each kind of character ----------------------------------------------------


#: White space to HTML (a form feed) ends a name; to the rule's reading of CSS (Python's
#: ``\s``) a url(): those spots cannot hold it.
_NAME = "\x0c"
_CSS = "\x0c\x85\u2028"
#: (rule, body with {c} where the character goes, the message with {e} where its escape
#: is, the characters that cannot stand there).
QUOTES = [
    ("invisible-characters", "<p>a\u200bb{c}</p>",
     "zero-width character U+200B ZERO WIDTH SPACE in the body text, between '<p>a' and "
     "'b{e}</p>'", ""),
    ("invisible-characters", '<p t{c}="a\u200bb">t</p>',
     "U+200B ZERO WIDTH SPACE in the t{e} attribute of <p>, between", _NAME),
    ("invisible-characters", '<p{c} title="a\u200bb">t</p>',
     "U+200B ZERO WIDTH SPACE in the title attribute of <p{e}>, between", _NAME),
    ("well-formed-html", "<p>x</x{c}></p>", "unexpected end tag </x{e}> (unexpected-end-tag)",
     _NAME),
    ("well-formed-html", "<ul><li><x{c}>a<li>b</ul>",
     "<li> closes the open <li> while <x{e}> inside it is still open", _NAME),
    ("well-formed-html", "<table><x{c}>t</table>",
     "<x{e}> in a table outside a cell, moved out of the table", _NAME),
    ("active-content", '<p{c} onclick="f()">t</p>', "event-handler attribute onclick on <p{e}>",
     _NAME),
    ("active-content", '<p x{c}:onclick="f()">t</p>',  # the fix names it too
     "event-handler attribute x{e}:onclick on <p>", _NAME),
    ("active-content", '<script src="http://a{c}.example/a.js"></script>',
     "<script> element runs code from a{e}.example (src)", ""),
    ("active-content", '<link rel=stylesheet href="https://a{c}.example/">',
     "<link rel=stylesheet> loads a resource from a{e}.example", ""),
    ("active-content", '<iframe src="https://a{c}.example/"></iframe>',
     "<iframe> embeds a{e}.example", ""),
    ("active-content", "<style>@import url(http://a{c}.example/a.css)</style>",
     "<style> element loads a resource from a{e}.example", _CSS),
    ("active-content", '<base href{c}="/">', "<base> element changes where links lead (href{e})",
     _NAME),
    ("image-proxy", '<img src="https://i0.wp.com/a.example/x.png?q{c}=1">',
     "Photon drops the upstream's query ('q{e}' is no Photon parameter)", ""),
    ("image-proxy", '<img src="https://thumbor.ftacademy.cn/unsafe/a{c}b/x.png">',
     "opaque image proxy: thumbor.ftacademy.cn -> a{e}b/x.png (a path for thumbor's own loader)",
     ""),
]
CHARACTERS = {"ESC": "\x1b", "FF": "\x0c", "NEL": "\x85", "CSI": "\x9b", "LS": "\u2028",
              "RLO": "\u202e", "RLM": "\u200f"}


@pytest.mark.parametrize(("rule", "body", "message", "char"), [
    pytest.param(rule, body, message, char, id=f"{rule}-{index}-{name}")
    for index, (rule, body, message, cannot_hold) in enumerate(QUOTES)
    for name, char in CHARACTERS.items()
    if char not in cannot_hold
])
def test_each_rule_quotes_each_kind_of_character_as_an_escape(
        rule: str, body: str, message: str, char: str) -> None:
    # invisible-characters writes its escapes \u000c, as it writes the characters it
    # reports; the others as repr() does, as their quoted excerpts and URLs are.
    escape = f"\\u{ord(char):04x}" if rule == "invisible-characters" else repr(char)[1:-1]
    problems = _lint(HEADER + body.format(c=char) + "\n")
    assert [p.message for p in problems if p.rule == "internal-error"] == []
    messages = [p.message for p in problems if p.rule == rule]
    assert any(message.format(e=escape) in m for m in messages), messages
    fixes = [p.fix.description for p in problems if p.fix is not None]
    assert [d for d in fixes if _raw(d)] == []


# -- any text, anywhere a rule quotes from --------------------------------------------------

#: Any character (no lone surrogate: a clipping is UTF-8), the hostile ones often.
_CHARS = st.one_of(st.sampled_from(HOSTILE), st.characters(codec="utf-8"))
_TEXT = st.text(_CHARS, max_size=12)
#: Bodies whose rules quote a piece of text: a tag's name, an attribute's name or value, a
#: URL's host, path or query, the text around a character.
_BODIES = [
    "<p>{0}\u200b{1}</p>",
    "<{0} {1}=\"a\u200b{2}\">t</{0}>",
    "<p>x</{0}></p><{1}><i></{1}>",
    "<{0} on{1}=\"f()\" {1}:onclick=\"f()\" href=\"javascript:{2}\">t</{0}>",
    "<script src=\"http://{0}/{1}.js\"></script><form action=\"{2}\"></form>",
    "<link rel=stylesheet href=\"https://{0}/\"><style>@import url(http://{1}/a.css)</style>",
    "<iframe src=\"https://{0}/\"></iframe><iframe data-src=\"{1}\"></iframe><base {2}>",
    "<meta http-equiv=refresh content=\"{0}\"><a href=\"{1}\">{2}</a><img src=\"/{0}\">",
    "<img src=\"https://i0.wp.com/{0}/x.png?{1}=1\"><img src=\"https://wsrv.nl/?url={2}\">",
    "<img src=\"https://wsrv.nl/?url=a.example/x.png&{0}=1/\"><img src=\"https://{1}.wp.com/{2}\">",
    "<img src=\"https://thumbor.ftacademy.cn/unsafe/{0}/x.png\"><p>&{1};&#{2};</p><!{0}>",
]


@st.composite
def _clippings(draw: st.DrawFn) -> str:
    title, host, path, a, b, c = (draw(_TEXT) for _ in range(6))
    body = draw(st.sampled_from(_BODIES)).format(a, b, c)
    return (f"<!--1686778744000-->\n[{title}](https://{host}.example/{path})\n------\n\n"
            f"{body}\n")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_clippings())
@example(text=HEADER + "<p>a\u200bb\x0cc</p>\n")
@example(text=HEADER + "<p>x</x\x1b[31m></p>\n")
@example(text="<!--1686778744000-->\n[a\u202e\x9bb](https://a\x85.example/\u2028)\n------\n\n"
         "<p x\x1b=\"a\u200b\u200f\">t</p>\n")
def test_no_built_in_rule_quotes_a_hostile_character_raw(text: str) -> None:
    problems = _lint(text)
    assert [p.message for p in problems if p.rule == "internal-error"] == []
    for problem in problems:
        assert _raw(problem.message) == [], (problem.rule, problem.message)
        if problem.fix is not None:
            assert _raw(problem.fix.description) == [], (problem.rule, problem.fix.description)
