"""The text report: ``path:line:col: rule-id message``, like ruff and flake8."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from cliplint.formats import RenderOptions, full_message, whole_report
from cliplint.model import Problem, Report, Rule, Tally
from cliplint.streams import UNPRINTABLE_CATEGORIES, python_escape

if TYPE_CHECKING:
    from cliplint.fixer import Fixes
    from cliplint.runner import FileResult

#: How much of a long source line ``--show-source`` shows around the column.
SOURCE_WINDOW = 100
#: The bidirectional formatting characters: the embeddings, overrides and their pop
#: (U+202A-U+202E), the isolates and theirs (U+2066-U+2069) and the marks (U+200E,
#: U+200F, U+061C). Printed, they reorder what a terminal shows: a file name holding
#: U+202E shows what follows it backwards (``x<U+202E>txt.md`` shows as ``xdm.txt``), a
#: quoted line or message can hide what it holds (Trojan Source, CVE-2021-42574). The
#: text report shows them as it shows control characters.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
_COLORS = {"path": "1", "position": "2", "error": "31", "warning": "33", "info": "36", "caret": "31;1"}


def printable(text: str) -> str:
    """A path, or text a rule wrote (a message, a related file's message, a fix's
    description), as the text report shows it: printed as it is (CJK, U+3000, zero-width
    characters), except what would break the one-problem-per-line format, cannot be
    printed or would reorder the line: control characters (a newline, a CR, an escape),
    line and paragraph separators, lone surrogates (bytes of a name that is not UTF-8)
    and the bidi controls (:data:`BIDI_CONTROLS`) become escapes, as ``repr`` writes
    them. A path so escaped is one a shell takes back; a message may quote a clipping's
    title, URL or comment, and a rule (a plugin's) may quote it raw."""
    if text.isprintable():  # the usual case, without a look at each character
        return text
    return "".join(python_escape(char) if unicodedata.category(char) in UNPRINTABLE_CATEGORIES
                   or char in BIDI_CONTROLS else char for char in text)


def write_stream(results: Iterable[FileResult], rules: Mapping[str, Rule],
                 options: RenderOptions, write: Callable[[str], object], /, *,
                 fixes: Fixes | None = None) -> Tally:
    """The report of a lint run, written file by file as ``results`` come (the summary,
    and with ``statistics`` the whole report, at the end)."""
    paint = _painter(options.color)
    tally = Tally()
    for result in results:
        tally = tally.add(result.problems, result.checked)
        if not options.statistics and result.problems:
            write("".join(line + "\n" for problem in result.problems
                          for line in _problem_lines(problem, options, paint)))
    if options.statistics:
        write("".join(line + "\n" for line in _rule_counts(tally.by_rule, rules)))
    if options.summary:
        write(_summary_line(tally, options, fixes) + "\n")
    return tally


render = whole_report(write_stream)


def _problem_lines(problem: Problem, options: RenderOptions, paint: Callable[[str, str], str]
                   ) -> list[str]:
    lines = [
        f"{paint(printable(problem.path), 'path')}{paint(':', 'position')}"
        f"{problem.line}{paint(':', 'position')}{problem.column}{paint(':', 'position')} "
        f"{_severity_word(problem, paint)}"
        f"{paint(problem.rule, problem.severity)} {full_message(problem, printable, printable)}"
        f"{_fix_mark(problem)}"
    ]
    if options.show_source and problem.source is not None:
        source, caret = source_window(problem.source,
                                      problem.column - problem.source_column + 1)
        lines.append(f"  {source}")
        lines.append(f"  {' ' * caret}{paint('^', 'caret')}")
    return lines


def source_window(line: str, column: int, width: int = SOURCE_WINDOW) -> tuple[str, int]:
    """Cut a long line to about ``width`` terminal columns around ``column``; return it
    and the caret's offset in columns.

    The caret must land under the character in a terminal: wide (CJK) characters take
    two columns and combining or zero-width ones none, and tabs and control characters
    (a stray CR would send the cursor back) are shown as one-column stand-ins.
    """
    index = min(max(0, column - 1), len(line))
    if len(line) <= width and _columns(line) <= width:
        shown = _source_shown(line)
        return shown, _columns(shown[:index])
    start = end = index
    used = 0
    while start > 0 and used + _char_columns(line[start - 1]) <= width // 2:
        start -= 1
        used += _char_columns(line[start])
    while end < len(line) and used + _char_columns(line[end]) <= width:
        used += _char_columns(line[end])
        end += 1
    while start > 0 and used + _char_columns(line[start - 1]) <= width:
        start -= 1  # near the end of the line: fill the window leftwards
        used += _char_columns(line[start])
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(line) else ""
    window = _source_shown(line[start:end])
    return f"{prefix}{window}{suffix}", len(prefix) + _columns(window[: index - start])


def _char_columns(char: str) -> int:
    """Terminal columns of one character (what wcwidth computes, from unicodedata)."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _columns(text: str) -> int:
    return sum(map(_char_columns, text))


def _source_shown(text: str) -> str:
    """Tabs become a space, and other control characters and the bidi controls
    (:data:`BIDI_CONTROLS`: they would reorder the line shown) U+FFFD, one column each."""
    if text.isprintable():
        return text
    return "".join(" " if char == "\t" else "\ufffd" if unicodedata.category(char) == "Cc"
                   or char in BIDI_CONTROLS else char for char in text)


def _fix_mark(problem: Problem) -> str:
    if problem.fix is None:
        return ""
    return " [*]" if problem.fix.applicability == "safe" else " [unsafe fix]"


def _severity_word(problem: Problem, paint: Callable[[str, str], str]) -> str:
    """``warning `` or ``info ``: an error goes unmarked, as every problem in ruff's and
    flake8's reports, so the line keeps their shape; a warning or an info says so in
    words, with or without colour (pipes, CI logs, NO_COLOR)."""
    if problem.severity == "error":
        return ""
    return paint(problem.severity, problem.severity) + " "


def _summary_line(tally: Tally, options: RenderOptions, fixes: Fixes | None) -> str:
    files, count = tally.files, tally.problems
    done = _fixed_sentence(fixes) if fixes is not None else ""
    only_failures = fixes is not None and fixes.only_failures
    plural = "s" if files != 1 else ""
    checked = f"{files} file{plural} checked"
    if not count and options.nothing_selected is not None and options.nothing_selected():
        # Read with no rule enabled for any (select = []): "All clean" would be a false promise.
        return f"{done}No rule selected: {files} file{plural} read, none checked."
    if not count and only_failures:
        # --diff and --fix-only list only failures: "All clean" would be a false promise.
        return f"{done}{checked[0].upper()}{checked[1:]}."
    if not count:
        return f"{done}All clean: {checked}."
    hint = _fixable_hint(tally, options)
    passes = "" if only_failures else _passes(tally, options)
    return (f"{done}Found {count} problem{'s' if count != 1 else ''} ({_by_severity(tally)}) "
            f"in {checked}{hint}.{passes}")


def _fixable_hint(tally: Tally, options: RenderOptions) -> str:
    """`` (1 fixable with --fix, 1 more fixable with --fix --unsafe-fixes)``: how many
    problems the fix flags would fix. With ``--unsafe-fixes`` given, ``--fix`` applies
    the unsafe fixes too: they count among those fixable with ``--fix``, as in ruff,
    rather than asking for the flag again."""
    safe, unsafe = tally.safe_fixes, tally.unsafe_fixes
    if options.unsafe_fixes:
        safe, unsafe = safe + unsafe, 0
    hints = [f"{safe} fixable with --fix"] if safe else []
    if unsafe:
        hints.append(f"{unsafe}{' more' if safe else ''} fixable with --fix --unsafe-fixes")
    return f" ({', '.join(hints)})" if hints else ""


def _by_severity(tally: Tally) -> str:
    """``1 error, 2 warnings, 1 info``: the severities found, in that order."""
    infos = tally.problems - tally.errors - tally.warnings
    counts = ((tally.errors, "error", "errors"), (tally.warnings, "warning", "warnings"),
              (infos, "info", "infos"))
    return ", ".join(f"{number} {one if number == 1 else many}"
                     for number, one, many in counts if number)


def _passes(tally: Tally, options: RenderOptions) -> str:
    """Why a run that found problems still exits 0: only warnings and infos, which do not
    fail a run (warnings do past --max-warnings). Only in a lint or --fix report: --diff
    and --fix-only exit on what they would change or could not fix."""
    if tally.errors:
        return ""
    if options.max_warnings is not None and tally.warnings > options.max_warnings:
        return ""
    limit = (f", {tally.warnings} within --max-warnings {options.max_warnings}"
             if options.max_warnings is not None and tally.warnings else "")
    return f" No errors{limit}: the run passes (exit status 0)."


def _fixed_sentence(fixes: Fixes) -> str:
    """After --fix: "Fixed 3 problems in 2 files. " (a report of a plain lint has none)."""
    total = sum(entry.count for entry in fixes.fixed)
    files = len({entry.path for entry in fixes.fixed})
    verb = _fix_verb(fixes)
    if not total:
        return "No fixes applied. " if verb == "Fixed" else "No fixes to apply. "
    return (f"{verb} {total} problem{'s' if total != 1 else ''} in {files} "
            f"file{'s' if files != 1 else ''}. ")


def _fix_verb(fixes: Fixes) -> str:
    return "Would fix" if fixes.mode == "diff" else "Fixed"


def render_fixes(report: Report) -> str:
    """``--show-fixes``: what was fixed, per file and rule, like ruff."""
    fixes = report.fixes
    if fixes is None or not fixes.fixed:
        return ""
    total = sum(entry.count for entry in fixes.fixed)
    lines = [f"{_fix_verb(fixes)} {total} problem{'s' if total != 1 else ''}:"]
    path = None
    for entry in fixes.fixed:
        if entry.path != path:
            path = entry.path
            lines.append(f"- {printable(path)}:")
        descriptions = "; ".join(map(printable, entry.descriptions))
        lines.append(f"    {entry.count} × {entry.rule} ({descriptions})")
    return "\n".join(lines) + "\n"


def _rule_counts(counts: Mapping[str, int], rules: Mapping[str, Rule]) -> list[str]:
    """``--statistics``: one line per rule, the most frequent first."""
    lines = []
    for rule, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule_info = rules.get(rule)
        summary = rule_info.summary if rule_info else ""
        lines.append(f"{count:>7}  {rule:<24} {summary}".rstrip())
    return lines


def _painter(enabled: bool):  # type: ignore[no-untyped-def]
    def paint(text: str, role: str) -> str:
        if not enabled:
            return text
        return f"\x1b[{_COLORS.get(role, '0')}m{text}\x1b[0m"

    return paint
