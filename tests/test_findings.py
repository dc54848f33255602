"""Findings: the kinds of problem a rule reports, each with its severity (Rule.findings),
used for a violation's severity and listed by ``cliplint rules``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any

import pytest

from cliplint.config import Selection, resolve
from cliplint.document import Document
from cliplint.linter import lint_document
from cliplint.model import Finding, Rule
from cliplint.rule_io import Violation


def _rule(findings: Any, *violations: Violation) -> Rule:
    module = ModuleType("demo_rule", "A demo rule.")
    module.ID, module.SEVERITY = "demo/kinds", "error"  # type: ignore[attr-defined]
    module.FINDINGS = findings  # type: ignore[attr-defined]

    def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
        yield from violations

    module.check = check  # type: ignore[attr-defined]
    return Rule.from_module(module, plugin="demo")


def _lint(rule: Rule, table: Mapping[str, Any] | None = None) -> list[tuple[str, str, str]]:
    rules = {rule.id: rule}
    settings = resolve(dict(table or {}), rules, command_line=Selection(select=(rule.id,)))
    problems = lint_document(Document.from_text("x\n"), rules, settings, path="a.md")
    return [(p.rule, p.severity, p.message) for p in problems]


FINDINGS = {"major": Finding("error", "a major thing"), "minor": Finding("info", "a minor thing")}


def test_a_violation_takes_the_severity_of_its_kind() -> None:
    rule = _rule(FINDINGS, Violation(0, 1, "big", kind="major"), Violation(0, 1, "small", kind="minor"),
                 Violation(0, 1, "plain"), Violation(0, 1, "said", severity="warning", kind="minor"))
    assert rule.severities == ("error", "info")
    assert sorted(_lint(rule)) == sorted([
        ("demo/kinds", "error", "big"), ("demo/kinds", "info", "small"),
        ("demo/kinds", "error", "plain"), ("demo/kinds", "warning", "said")])
    # The user's severity for the rule still wins over every kind.
    assert {severity for _, severity, _ in _lint(rule, {"severity": {"demo/kinds": "warning"}})} == {
        "warning"}


def test_a_violation_of_an_undeclared_kind_is_an_internal_error() -> None:
    """A typo in a kind is the rule's bug: reported like a crash, not as a problem of
    unknown weight."""
    rule = _rule(FINDINGS, Violation(0, 1, "named", kind="minor"), Violation(0, 1, "typo", kind="minro"))
    ((rule_id, severity, message),) = _lint(rule)
    assert (rule_id, severity) == ("internal-error", "error") and "'minro'" in message


def test_without_findings_a_rule_has_one_kind() -> None:
    rule = _rule(None, Violation(0, 1, "x"))
    assert dict(rule.findings) == {"problem": Finding("error", "A demo rule.")}
    assert rule.severities == ("error",)


@pytest.mark.parametrize("findings", [{"x": ("fatal", "no such severity")},
                                      {"x": Finding("fatal", "no such severity")}])  # type: ignore[arg-type]
def test_findings_must_be_declared_with_a_known_severity(findings: Any) -> None:
    with pytest.raises(ValueError, match="FINDINGS"):
        _rule(findings)
