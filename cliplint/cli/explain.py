"""``cliplint explain RULE``: a rule's documentation (or an engine problem's)."""

from __future__ import annotations

from collections.abc import Sequence

from cliplint.cli import EXIT_CLEAN, UsageError
from cliplint.cli.context import plugin_registry
from cliplint.cli.output import printed
from cliplint.cli.parser import explain_parser


def explain_command(arguments: Sequence[str]) -> int:
    rule_id = str(explain_parser().parse_args(arguments).rule)
    from cliplint.docs import explanation

    rules = plugin_registry().rules
    text = explanation(rule_id, rules)
    if text is None:
        from cliplint.engine_docs import ENGINE_DOCS
        from cliplint.suggest import did_you_mean

        hint = did_you_mean(rule_id, [*rules, *ENGINE_DOCS])
        raise UsageError(f"unknown rule {rule_id!r}{hint} (see 'cliplint rules')")
    return printed(lambda: _print(text))


def _print(text: str) -> int:
    print(text)
    return EXIT_CLEAN
