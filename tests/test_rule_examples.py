"""The Bad and Good examples of the rules' documentation do what it says.

A rule's docstring is its user documentation (``cliplint explain``, docs/rules/), and its
``Bad::`` and ``Good::`` blocks are what a newcomer copies to see the rule at work. For
the rules whose examples are body HTML, each example is linted here as the body of a
clipping: a Bad example must be reported by its rule, a Good one must not. (Examples of
headers, titles and archive paths are annotated by hand and are not run.)
"""

from __future__ import annotations

import textwrap

import pytest
from conftest import ROOT

from cliplint.linter import lint_text
from cliplint.plugins import load_registry

HEADER = "<!--1686778744000-->\n[Beijing responds](https://www.dw.com/zh/a-53985946)\n------\n\n"

#: Rules whose examples are body HTML, and how a Bad block is read: each of its lines
#: one example ("lines"), or the block as one example ("block").
BODY_EXAMPLES = {
    "active-content": "lines",
    "aggregator-boilerplate": "lines",
    "image-proxy": "lines",
    "well-formed-html": "block",
    "unused-suppression": "block",
}


def example_block(doc: str, label: str) -> str:
    """The indented block after ``label::`` in a docstring (dedented)."""
    lines = doc.splitlines()
    start = lines.index(f"{label}::") + 1
    block: list[str] = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)).strip("\n") + "\n"


def problems_of(rule_id: str, body: str) -> list[str]:
    return [f"{problem.line}:{problem.column} {problem.message}"
            for problem in lint_text(HEADER + body, "example.md", select=[rule_id])
            if problem.rule == rule_id]


def examples(label: str) -> list[tuple[str, str]]:
    rules = load_registry().rules
    found = []
    for rule_id, mode in BODY_EXAMPLES.items():
        block = example_block(rules[rule_id].documentation, label)
        parts = block.splitlines(keepends=True) if label == "Bad" and mode == "lines" else [block]
        found.extend((rule_id, part) for part in parts)
    return found


@pytest.mark.parametrize(("rule_id", "body"), examples("Bad"))
def test_each_bad_example_is_reported_by_its_rule(rule_id: str, body: str) -> None:
    assert problems_of(rule_id, body), f"{rule_id} reports nothing on its Bad example {body!r}"


@pytest.mark.parametrize(("rule_id", "body"), examples("Good"))
def test_a_good_example_is_not_reported_by_its_rule(rule_id: str, body: str) -> None:
    assert problems_of(rule_id, body) == []


def test_every_rule_with_body_examples_has_both() -> None:
    rules = load_registry().rules
    for rule_id in BODY_EXAMPLES:
        assert "\nBad::\n" in rules[rule_id].documentation and "\nGood::\n" in rules[rule_id].documentation, rule_id


def test_the_suppression_examples_hide_every_problem_they_are_written_for() -> None:
    # unused-suppression's Good example, and the README's first suppression example: the
    # comment covers the next line, which holds every well-formed-html problem of the
    # markup (an element left open is reported at its start tag, not at the body's end).
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Suppressing a problem in a clipping", 1)[1]
    readme_example = "\n".join(section.split("```html\n", 1)[1].splitlines()[:2]) + "\n"
    good = example_block(load_registry().rules["unused-suppression"].documentation, "Good")
    for body in (good, readme_example):
        assert "cliplint-disable-next-line well-formed-html" in body
        found = lint_text(HEADER + body + "<p>The rest of the story.</p>\n", "example.md",
                          select=["well-formed-html", "unused-suppression"])
        assert found == [], body
