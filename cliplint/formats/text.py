"""The text report: ``path:line:col: rule-id message``, like ruff and flake8."""

from __future__ import annotations

from collections import Counter

from cliplint.formats import RenderOptions
from cliplint.model import Problem, Report

#: How much of a long source line ``--show-source`` shows around the column.
SOURCE_WINDOW = 100
_COLORS = {"path": "1", "position": "2", "error": "31", "warning": "33", "info": "36", "caret": "31;1"}


def printable_path(path: str) -> str:
    """Paths may hold newlines and control characters; keep one problem per line."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in path)


def render(report: Report, options: RenderOptions) -> str:
    paint = _painter(options.color)
    if options.statistics:
        return _statistics(report)
    lines: list[str] = []
    for problem in report.problems:
        lines.append(
            f"{paint(printable_path(problem.path), 'path')}{paint(':', 'position')}"
            f"{problem.line}{paint(':', 'position')}{problem.column}{paint(':', 'position')} "
            f"{paint(problem.rule, problem.severity)} {problem.message}{_fix_mark(problem)}"
        )
        if options.show_source and problem.source is not None:
            source, caret = source_window(problem.source, problem.column)
            lines.append(f"  {source}")
            lines.append(f"  {' ' * caret}{paint('^', 'caret')}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def source_window(line: str, column: int, width: int = SOURCE_WINDOW) -> tuple[str, int]:
    """Cut a long line to ``width`` characters around ``column``; return it and the
    caret's offset in it. Tabs become spaces so the caret lines up."""
    line = line.replace("\t", " ")
    index = max(0, column - 1)
    if len(line) <= width:
        return line, min(index, len(line))
    start = max(0, min(index - width // 2, len(line) - width))
    window = line[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(line) else ""
    return f"{prefix}{window}{suffix}", index - start + len(prefix)


def _fix_mark(problem: Problem) -> str:
    if problem.fix is None:
        return ""
    return " [*]" if problem.fix.applicability == "safe" else " [unsafe fix]"


def _summary(report: Report) -> str:
    count = len(report.problems)
    files = report.files_checked
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    done = _fixed_sentence(report)
    if not count and getattr(report, "mode", "fix") != "fix":
        # --diff and --fix-only list only failures: "All clean" would be a false promise.
        return f"{done}{checked[0].upper()}{checked[1:]}."
    if not count:
        return f"{done}All clean: {checked}."
    safe = sum(1 for p in report.problems if p.fix and p.fix.applicability == "safe")
    unsafe = sum(1 for p in report.problems if p.fix and p.fix.applicability == "unsafe")
    hints = [f"{safe} fixable with --fix"] if safe else []
    if unsafe:
        hints.append(f"{unsafe}{' more' if safe else ''} fixable with --fix --unsafe-fixes")
    hint = f" ({', '.join(hints)})" if hints else ""
    return f"{done}Found {count} problem{'s' if count != 1 else ''} in {checked}{hint}."


def _fixed_sentence(report: Report) -> str:
    """After --fix: "Fixed 3 problems in 2 files. " (a report of a plain lint has none)."""
    fixed = getattr(report, "fixed", None)
    if fixed is None:
        return ""
    total = sum(entry.count for entry in fixed)
    files = len({entry.path for entry in fixed})
    verb = "Would fix" if getattr(report, "mode", "fix") == "diff" else "Fixed"
    if not total:
        return "No fixes applied. " if verb == "Fixed" else "No fixes to apply. "
    return (f"{verb} {total} problem{'s' if total != 1 else ''} in {files} "
            f"file{'s' if files != 1 else ''}. ")


def render_fixes(report: Report) -> str:
    """``--show-fixes``: what was fixed, per file and rule, like ruff."""
    fixed = getattr(report, "fixed", ()) or ()
    if not fixed:
        return ""
    verb = "Would fix" if getattr(report, "mode", "fix") == "diff" else "Fixed"
    total = sum(entry.count for entry in fixed)
    lines = [f"{verb} {total} problem{'s' if total != 1 else ''}:"]
    path = None
    for entry in fixed:
        if entry.path != path:
            path = entry.path
            lines.append(f"- {printable_path(path)}:")
        lines.append(f"    {entry.count} × {entry.rule} ({'; '.join(entry.descriptions)})")
    return "\n".join(lines) + "\n"


def _statistics(report: Report) -> str:
    counts = Counter(problem.rule for problem in report.problems)
    lines = []
    for rule, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule_info = report.rules.get(rule)
        summary = rule_info.summary if rule_info else ""
        lines.append(f"{count:>7}  {rule:<24} {summary}".rstrip())
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _painter(enabled: bool):  # type: ignore[no-untyped-def]
    def paint(text: str, role: str) -> str:
        if not enabled:
            return text
        return f"\x1b[{_COLORS.get(role, '0')}m{text}\x1b[0m"

    return paint
