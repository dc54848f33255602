"""The Bad and Good examples of the rules' documentation do what it says.

A rule's docstring is its user documentation (``cliplint explain``, docs/rules/), and its
``Bad::`` and ``Good::`` blocks are what a newcomer copies to see the rule at work. For
the rules whose examples hold body HTML, each example is linted here as the body of a
clipping, with every rule on (a suppression example needs the rule it names): a Bad
example must be reported by its rule, a Good one must not. Only an example's lines of
HTML are taken (a title line or ``...`` beside them sets the scene), and ``⟨U+200B⟩``
stands for the character it names, as the docstrings say. (Examples of headers, titles
and archive paths are annotated by hand and are not run.)
"""

from __future__ import annotations

import re
import textwrap

import pytest
from conftest import ROOT

from cliplint.linter import lint_text
from cliplint.plugins import load_registry

HEADER = "<!--1686778744000-->\n[Beijing responds](https://www.dw.com/zh/a-53985946)\n------\n\n"


class Reading:
    """How a rule's Bad block is read: each line of HTML an example of its own, or the
    block one example whose problems of that rule are exactly ``problems`` (listed in
    its docstring)."""

    def __init__(self, each_line: bool, problems: int | None = None) -> None:
        self.each_line = each_line
        self.problems = problems


BODY_EXAMPLES = {
    "active-content": Reading(each_line=True),
    "aggregator-boilerplate": Reading(each_line=True),
    "image-proxy": Reading(each_line=True),
    "invisible-characters": Reading(each_line=True),
    "relative-url": Reading(each_line=True),
    # Its three problems, as its docstring lists them.
    "well-formed-html": Reading(each_line=False, problems=3),
    # A stale suppression, a misspelt one and an enable that ends no disable.
    "unused-suppression": Reading(each_line=False, problems=3),
}

_CODE_POINT = re.compile(r"⟨U\+([0-9A-F]{4,6})⟩")


def example_block(doc: str, label: str) -> list[str]:
    """The lines of HTML of the indented block after ``label::`` in a docstring."""
    lines = doc.splitlines()
    start = lines.index(f"{label}::") + 1
    block: list[str] = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break
        block.append(line)
    html = [_CODE_POINT.sub(lambda found: chr(int(found[1], 16)), line)
            for line in textwrap.dedent("\n".join(block)).splitlines()]
    return [line for line in html if line.startswith("<")]


def problems_of(rule_id: str, body: str) -> list[str]:
    return [problem.message for problem in lint_text(HEADER + body, "example.md")
            if problem.rule == rule_id]


def examples(label: str) -> list[tuple[str, str]]:
    rules = load_registry().rules
    found = []
    for rule_id, reading in BODY_EXAMPLES.items():
        lines = example_block(rules[rule_id].documentation, label)
        assert lines, f"{rule_id} has no {label} example of HTML"
        if label == "Bad" and reading.each_line:
            found.extend((rule_id, line + "\n") for line in lines)
        else:
            found.append((rule_id, "\n".join(lines) + "\n"))
    return found


@pytest.mark.parametrize(("rule_id", "body"), examples("Bad"))
def test_each_bad_example_is_reported_by_its_rule(rule_id: str, body: str) -> None:
    found = problems_of(rule_id, body)
    expected = BODY_EXAMPLES[rule_id].problems
    if expected is None:
        assert found, f"{rule_id} reports nothing on its Bad example {body!r}"
    else:
        assert len(found) == expected, found


@pytest.mark.parametrize(("rule_id", "body"), examples("Good"))
def test_a_good_example_is_not_reported_by_its_rule(rule_id: str, body: str) -> None:
    assert problems_of(rule_id, body) == []


def test_well_formed_htmls_bad_example_gives_the_problems_it_lists() -> None:
    documentation = load_registry().rules["well-formed-html"].documentation
    [body] = example_block(documentation, "Bad")
    for message in problems_of("well-formed-html", body + "\n"):
        assert f"``{message}``" in " ".join(documentation.split()), message


def test_the_suppression_examples_hide_every_problem_they_are_written_for() -> None:
    # unused-suppression's Good example, and the README's first suppression example: the
    # comment covers the next line, which holds every well-formed-html problem of the
    # markup (an element left open is reported at its start tag, not at the body's end).
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Suppressing a problem in a clipping", 1)[1]
    readme_example = "\n".join(section.split("```html\n", 1)[1].splitlines()[:2]) + "\n"
    good = "\n".join(example_block(
        load_registry().rules["unused-suppression"].documentation, "Good")) + "\n"
    for body in (good, readme_example):
        assert "cliplint-disable-next-line well-formed-html" in body
        found = lint_text(HEADER + body + "<p>The rest of the story.</p>\n", "example.md",
                          select=["well-formed-html", "unused-suppression"])
        assert found == [], body
