"""``cliplint rules``: every installed rule, as a table or as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cliplint.cli import EXIT_CLEAN
from cliplint.cli.context import plugin_registry
from cliplint.cli.output import printed
from cliplint.cli.parser import rules_parser

if TYPE_CHECKING:
    from cliplint.model import Rule


def rules_command(arguments: Sequence[str]) -> int:
    as_json = bool(rules_parser().parse_args(arguments).json)
    rules = plugin_registry().rules
    return printed(lambda: _print_rules(rules, as_json))


def _print_rules(rules: Mapping[str, Rule], as_json: bool) -> int:
    if as_json:
        print(json.dumps(_listing(rules), ensure_ascii=False, indent=2))
        return EXIT_CLEAN
    width = max((len(rule_id) for rule_id in rules), default=10)
    for rule in rules.values():
        # Every severity the rule's findings can have: "error" alone would oversell a
        # rule that mostly warns.
        severities = "/".join(rule.severities)
        print(f"{rule.id:<{width}}  {severities:<18}  {rule.fix or '-':<6}  {rule.summary}")
    return EXIT_CLEAN


def _listing(rules: Mapping[str, Rule]) -> list[dict[str, Any]]:
    """``--json``: each rule's id, summary, severities, findings, fix, plugin, options."""
    return [
        {
            "id": rule.id,
            "summary": rule.summary,
            "severity": rule.severity,
            "findings": [{"kind": kind, "severity": finding.severity,
                          "description": finding.description}
                         for kind, finding in rule.findings.items()],
            "fixable": rule.fix,
            "online": rule.is_online,
            "plugin": rule.plugin,
            "options": rule.options_schema,
        }
        for rule in rules.values()
    ]
