"""The fix loop: apply the fixes rules declare, re-lint, and refuse anything unsafe.

A fix is a set of edits on the text it was found in (``Document.text``, without a BOM).
One *pass* lints the text, picks the applicable fixes whose edits neither overlap nor
touch (the others wait for the next pass, where the rule re-reports them against the
new text), applies them from the end so offsets stay valid, and checks the result. The
loop ends when a lint finds no applicable fix; that final lint *is* the "second pass is
a no-op" check. It gives up, keeping the original text, when:

- a fix is malformed (edits out of range, overlapping, splitting a CRLF pair, or
  bringing line endings the file does not use);
- a pass produces a text seen before (a cycle, or a fix that changes nothing);
- fixes are still offered after :data:`MAX_PASSES` passes;
- a pass fails a safety check: the text could not be read back (a NUL) or written (a
  lone surrogate); the front matter changed, or the timestamp comment or the title
  other than by edits inside it that add no line break (a fix may decode an entity in
  the title, or make seconds milliseconds in the timestamp); the body's
  visible text changed other than by losing the visible text of the blocks a fix removed (see
  below; runs of HTML whitespace compare as one space, as a reader sees them); the body
  has more html5lib parse errors; a rule crashes on the result.

*Removed blocks.* A fix declares that it removes a block by an edit whose replacement
is empty and whose range lies in the body, starts and ends outside any tag or comment,
and holds balanced tags (every element opened in it is closed in it, nothing outside is
closed). Only such a block's *own* visible text may disappear. Its own text is measured
in context, in the text before the pass: two private-use marker characters are put
around each block (the ones the text already holds are swapped for a third, so markers
never run out), the body is parsed again, and the text between the markers is the
block's. When the markers disturb the parse (the visible text without them is not the
original) or do not come out in order (a block inside a table is foster-parented, say),
no block is taken as declared: the check then demands the visible text be unchanged,
and the fix is refused. In doubt, nothing is written.

A refusal names the rules: when several rules' fixes were applied in the failing pass,
each rule's fixes are tried alone to find which fail.

Each pass takes every applicable fix, also past ``max-problems-per-rule`` (which caps
the report only; see :func:`cliplint.linter.lint_past_the_cap`), so thousands of fixes
take one pass. Work stays linear in the number of fixes (a clipping may hold thousands
of scripts): choosing, mapping offsets back and finding blocks are binary searches, and
a refusal is blamed rule by rule, not fix by fix.
"""

from __future__ import annotations

import bisect
import operator
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from cliplint.config import Settings
from cliplint.document import BOM, Document, Span
from cliplint.linter import (
    archive_records,
    library_document,
    library_settings,
    lint_document,
    lint_past_the_cap,
)
from cliplint.model import (
    ENGINE_PROBLEMS,
    FIX_REFUSED,
    INTERNAL_ERROR,
    Applicability,
    Edit,
    Fix,
    Problem,
    Report,
    Rule,
)
from cliplint.streams import CONTROLS, UNPRINTABLE_CATEGORIES, python_escape, utf8_encodable

MAX_PASSES = 10
#: The engine problem reported when fixes were not written for a file.
_TEXT_TOKENS = frozenset({"Characters", "SpaceCharacters"})


@dataclass(frozen=True)
class AppliedFix:
    """A fix that was applied. ``edits`` are offsets into the text of pass ``pass_number``
    (pass 1 works on the original text)."""

    rule: str
    message: str
    description: str
    applicability: Applicability
    edits: tuple[Edit, ...]
    pass_number: int


@dataclass(frozen=True)
class RemovedBlock:
    """A block a fix removed, as offsets into the original text (without its BOM)."""

    rule: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Refusal:
    """Why nothing was written: the check that failed and the rules to blame."""

    check: str  # malformed-fix, repeated-state, too-many-passes, header, parse-errors, visible-text, crash
    rules: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class FixResult:
    """The outcome of fixing one text.

    ``text`` is what should be written: the input itself when nothing applied or the
    fixes were refused, so ``changed`` tells whether to write. It keeps the input's BOM.
    ``problems`` are the problems left in ``text``; on a refusal they are the original
    text's problems plus one ``fix-refused`` problem naming the rules. ``records`` are
    the archive rules' records of ``text`` (see :mod:`cliplint.archive`). ``found`` are
    the problems of ``original``, before any fix: a baseline is compared with them when
    the fixes are not written (``--diff``).
    """

    text: str
    original: str
    applied: tuple[AppliedFix, ...]
    removed: tuple[RemovedBlock, ...]
    problems: tuple[Problem, ...]
    refusal: Refusal | None = None
    passes: int = 0
    records: Mapping[str, Any] = field(default_factory=dict)
    found: tuple[Problem, ...] = ()

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def fixed_per_rule(self) -> dict[str, int]:
        """How many problems each rule had fixed."""
        return dict(Counter(fix.rule for fix in self.applied))

    def removed_per_rule(self) -> dict[str, int]:
        """Characters removed inside declared blocks, per rule."""
        removed: Counter[str] = Counter()
        for block in self.removed:
            removed[block.rule] += len(block.text)
        return dict(removed)


#: ``"fix"`` (files written, the problems left listed), ``"fix-only"`` (written, only
#: what kept a file from being fixed listed) or ``"diff"`` (nothing written, the same).
FixMode = Literal["fix", "fix-only", "diff"]


@dataclass(frozen=True)
class FixedCount:
    """For reports: how many problems of a rule were fixed in a file."""

    path: str
    rule: str
    count: int
    descriptions: tuple[str, ...]


@dataclass(frozen=True)
class Fixes:
    """What a fix run did, for its report: the problems fixed, per file and rule, and
    how the run was asked for."""

    fixed: tuple[FixedCount, ...]
    mode: FixMode

    @property
    def only_failures(self) -> bool:
        """``--fix-only`` and ``--diff`` list only what kept a file from being fixed."""
        return self.mode != "fix"


@dataclass(frozen=True)
class FixReport(Report):
    """A report after fixing: the usual problems (those left) plus what was fixed
    (``fixed``) and how the run was asked for (``mode``, see :data:`FixMode`)."""

    fixed: tuple[FixedCount, ...] = ()
    mode: FixMode = "fix"

    @property
    def fixes(self) -> Fixes:
        return Fixes(self.fixed, self.mode)


def fixed_counts(path: str, result: FixResult) -> list[FixedCount]:
    by_rule: dict[str, list[str]] = {}
    for fix in result.applied:
        by_rule.setdefault(fix.rule, []).append(fix.description)
    return [
        FixedCount(path, rule, len(descriptions), tuple(dict.fromkeys(descriptions)))
        for rule, descriptions in sorted(by_rule.items())
    ]


def unified_diff(path: str, result: FixResult, for_terminal: bool = False) -> str:
    """A unified diff of a fix (``--diff``), like ``git diff``: lines split on LF only (a CR
    inside an attribute or a U+2028 in prose is not a line break), and a missing final
    newline marked with ``\\ No newline at end of file``. The path in the ``---``/``+++``
    headers is quoted as git quotes it (``diff_path``). ``for_terminal``: the lines are for
    a person's eyes, and their control characters are shown (``visible_controls``); else
    they stay exact, so that ``git apply`` or ``patch`` gets the file's own bytes."""
    import difflib

    # git's a/ b/ prefixes (so `git apply` takes it) for relative paths; as-is otherwise.
    # `git apply` calls a path with a "." step invalid: `cliplint --diff .` names ./x.md.
    if os.path.isabs(path):
        before = after = path
    else:
        path = "/".join(step for step in path.split("/") if step not in (".", ""))
        before, after = f"a/{path}", f"b/{path}"
    lines = difflib.unified_diff(_lines(result.original), _lines(result.text),
                                 _header(before), _header(after))
    if for_terminal:
        lines = map(visible_controls, lines)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


class PatchNames(NamedTuple):
    """What a ``--diff`` patch calls each file (``names``, in the order of the paths), and
    the folder those names are relative to (``root``), where the patch applies."""

    root: str
    names: tuple[str, ...]


def patch_names(paths: Sequence[str], here: str) -> PatchNames:
    """The names a ``--diff`` patch gives the files at ``paths`` (relative to ``here``,
    the working folder, or absolute), for ``git apply`` and ``patch -p1`` to write what
    ``--fix`` writes: each file's own path, symlinks and ``..`` resolved as the system
    resolves them (a hunk for a symlink applies to neither, and ``git apply`` calls a
    path with a ``..`` step invalid, so ``sub/../x.md`` is ``x.md``). Relative paths stay
    relative: to ``here`` when every file lies under it, else to the folder holding
    them all and ``here`` (``../x.md`` from ``sub``: ``x.md``, from ``sub``'s folder);
    absolute paths stay absolute."""
    real_here = os.path.realpath(here)
    reals = [os.path.realpath(os.path.join(here, path)) for path in paths]
    relative = [real for path, real in zip(paths, reals) if not os.path.isabs(path)]
    try:
        root = os.path.commonpath([real_here, *relative])
    except ValueError:  # another drive (Windows): the names stay absolute
        return PatchNames(real_here, tuple(reals))
    return PatchNames(root, tuple(
        real if os.path.isabs(path) else os.path.relpath(real, root).replace(os.sep, "/")
        for path, real in zip(paths, reals)))


def _header(path: str) -> str:
    """The name in a ``---``/``+++`` line: ``diff_path``, then a tab after a name with a
    space, as git and GNU diff write it: ``patch`` reads a name up to a space otherwise
    (a tab ends it, where a date may follow)."""
    quoted = diff_path(path)
    return quoted + "\t" if " " in quoted else quoted


def diff_path(path: str) -> str:
    """``path`` as git writes it in a diff header, which ``git apply`` and ``patch`` read
    back: as it is when it can be, else in double quotes with C escapes (``"a/x\\ty"``).
    Quoted: control characters (a newline would split the header and a CR overwrite it on
    a terminal), line and paragraph separators, ``"`` and ``\\``, and bytes of a name that
    is not UTF-8 (lone surrogates in Python's file names), as octal escapes of their bytes.
    Other non-ASCII characters stay (git's ``core.quotePath=false``): readable, and
    ``git apply`` takes both. A space is written plainly, as git does."""
    if path.isprintable() and '"' not in path and "\\" not in path:
        return path  # the usual case, without a look at each character
    quoted = "".join(map(_quoted_char, path))
    return path if quoted == path else f'"{quoted}"'  # a U+3000 or a U+200B needs none


#: The C escapes git's quote_c_style uses, and the characters it escapes with a backslash.
_C_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
              "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _quoted_char(char: str) -> str:
    if char in _C_ESCAPES:
        return _C_ESCAPES[char]
    if unicodedata.category(char) not in UNPRINTABLE_CATEGORIES:  # as the report's paths
        return char
    try:  # a byte of a name that is not UTF-8 comes back as the byte itself
        data = char.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file name on this system decodes to
        data = char.encode("utf-8", "surrogatepass")
    return "".join(f"\\{byte:03o}" for byte in data)


def visible_controls(line: str) -> str:
    """A diff line for a terminal: each control character (Unicode category Cc: C0, DEL,
    C1) but a tab and the line's own end (LF, or the CR of a CRLF, which move nothing
    that matters) written as a Python escape (``\\x1b``, ``\\r``, ``\\x9b``), the way
    the report prints such a path, so that no escape sequence in a scraped clipping sets
    the clipboard (OSC 52), clears the screen or moves the cursor over a hunk."""
    body = line.rstrip("\r\n")
    if body.isprintable():
        return line
    return _CONTROLS_BUT_TAB.sub(lambda control: python_escape(control.group()),
                                 body) + line[len(body):]  # \x1b, \r, \x07, \x9b


#: Unicode's category Cc (C0, DEL, C1) but the tab.
_CONTROLS_BUT_TAB = re.compile(f"[{CONTROLS}]")


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def applicable(problem: Problem, unsafe: bool) -> bool:
    """Whether ``--fix`` (``unsafe=False``) or ``--fix --unsafe-fixes`` applies this fix."""
    if problem.fix is None or problem.rule in ENGINE_PROBLEMS:
        return False
    return unsafe or problem.fix.applicability == "safe"


# -- the loop -----------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, refusal: Refusal, at: int = 0) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal
        self.at = at  # offset in the original text the report points at


def fix_document(
    document: Document,
    rules: Mapping[str, Rule],
    settings: Settings,
    *,
    path: str,
    unsafe: bool = False,
    with_source: bool = False,
) -> FixResult:
    """Fix one document with the enabled rules; never raises for a bad fix."""
    original_text = (BOM if document.has_bom else "") + document.text

    def lint(document: Document) -> tuple[list[Problem], list[Problem]]:
        # The report's problems, and the fixes to apply past max-problems-per-rule.
        return lint_past_the_cap(document, rules, settings, path=path, with_source=with_source,
                                 wanted=lambda violation: violation.fix is not None and (
                                     unsafe or violation.fix.applicability == "safe"))

    first, past = lint(document)
    crashes = sum(1 for problem in first if problem.rule == INTERNAL_ERROR)
    current, problems = document, first
    seen = {document.text}
    applied: list[AppliedFix] = []
    removed: list[RemovedBlock] = []
    history: list[_PassMap] = []  # each pass's edits, sorted, in that pass's text
    try:
        for pass_number in range(1, MAX_PASSES + 2):
            candidates = [p for p in (*problems, *past) if applicable(p, unsafe)]
            if not candidates:
                break
            if pass_number > MAX_PASSES:
                raise _Refused(Refusal(
                    "too-many-passes", _rules_of(candidates),
                    f"fixes still offered after {MAX_PASSES} passes",
                ), _map_back(candidates[0].start, history))
            for problem in candidates:
                _check_well_formed(problem, current, history)
            chosen = _choose(candidates)
            new = _apply(current, [fix for _, fix in _distinct(chosen)])
            if new.text in seen:
                what = "changes nothing" if new.text == current.text else "undoes an earlier pass"
                raise _Refused(Refusal(
                    "repeated-state", _rules_of(chosen),
                    f"pass {pass_number} {what} (the fixes do not converge)",
                ), _map_back(chosen[0].start, history))
            failure = _check_pass(current, new, chosen)
            if failure is not None:
                refusal = _blame(current, chosen, failure)
                at = next(p.start for p in chosen if p.rule in refusal.rules)
                raise _Refused(refusal, _map_back(at, history))
            after, past_after = lint(new)
            crashed = [p for p in after if p.rule == INTERNAL_ERROR]
            if len(crashed) > crashes:
                # Name the fixes whose result alone makes a rule crash (all, if none does).
                # (Tried rule by rule, not fix by fix: a pass may hold thousands of fixes.)
                guilty = [problem for group in _by_rule(chosen) if sum(
                    1 for p in lint_document(_apply(current, [fix for _, fix in _distinct(group)]),
                                             rules, settings, path=path)
                    if p.rule == INTERNAL_ERROR) > crashes for problem in group] or chosen
                raise _Refused(Refusal(
                    "crash", _rules_of(guilty),
                    f"a rule crashes on the fixed text ({crashed[0].message})",
                ), _map_back(guilty[0].start, history))
            for problem in chosen:
                fix = problem.fix
                assert fix is not None
                applied.append(AppliedFix(problem.rule, problem.message, fix.description,
                                          fix.applicability, fix.edits, pass_number))
            for problem, fix in _distinct(chosen):
                for start, end in _removal_spans(current, fix):
                    removed.append(RemovedBlock(
                        problem.rule, _map_back(start, history, side="start"),
                        _map_back(end, history, side="end"), current.text[start:end]))
            history.append(_pass_map(sorted(
                {edit for _, fix in _distinct(chosen) for edit in fix.edits},
                key=lambda edit: (edit.start, edit.end))))
            seen.add(new.text)
            current, problems, past = new, after, past_after
    except _Refused as refused:
        records, crashed = archive_records(document, rules, settings, path=path)
        return FixResult(
            text=original_text,
            original=original_text,
            applied=(),
            removed=(),
            problems=tuple(sorted(
                [*first, *crashed, _refusal_problem(document, path, refused)],
                key=lambda p: (p.line, p.column, p.rule, p.message),
            )),
            refusal=refused.refusal,
            passes=len(history),
            records=records,
            found=tuple(first),
        )
    records, crashed = archive_records(current, rules, settings, path=path)
    return FixResult(
        text=(BOM if document.has_bom else "") + current.text,
        original=original_text,
        applied=tuple(applied),
        removed=tuple(sorted(removed, key=lambda block: block.start)),
        problems=tuple(sorted([*problems, *crashed],
                              key=lambda p: (p.line, p.column, p.rule, p.message))),
        passes=len(history),
        records=records,
        found=tuple(first),
    )


def fix_text(
    text: str,
    path: str | None = None,
    config: Mapping[str, Any] | None = None,
    *,
    unsafe: bool = False,
    select: Iterable[str] | None = None,
) -> FixResult:
    """Fix a clipping given as text; the library entry point, a pure function.

    ``config`` is a table shaped like ``cliplint.toml``; ``select`` narrows the rules;
    ``unsafe`` adds the unsafe fixes. The result's ``text`` keeps the input's BOM, line
    endings and final newline; it is the input itself when fixing was refused (see
    ``refusal``) or when the text is over ``max-file-size`` or holds a NUL (then its one
    problem is ``file-too-large`` or ``file-unreadable``, as with :func:`lint_text`).
    """
    rules, settings = library_settings(config, select)
    document = library_document(text, path, settings)  # (checks the text and path too)
    if isinstance(document, Problem):  # as lint_text: nothing is parsed, nothing changes
        return FixResult(text=text, original=text, applied=(), removed=(), problems=(document,),
                         found=(document,))
    return fix_document(document, rules, settings, path=path or "-", unsafe=unsafe)


def _refusal_problem(document: Document, path: str, refused: _Refused) -> Problem:
    refusal = refused.refusal
    line, column = document.position(refused.at)
    named = ", ".join(refusal.rules) or "unknown rule"
    message = f"fix refused ({refusal.check}) for {named}: {refusal.reason}; nothing written"
    return Problem(path, FIX_REFUSED, "error", message, line, column, line, column,
                   refused.at, refused.at)


def _rules_of(problems: Iterable[Problem]) -> tuple[str, ...]:
    return tuple(sorted({problem.rule for problem in problems}))


class _PassMap(NamedTuple):
    """One pass's edits (sorted, in the text before the pass) and what maps an offset in
    the text after it back: ``thresholds[k]`` is the first offset that lies past edit
    ``k``; ``deltas[k]`` how much the edits before edit ``k`` moved the text."""

    edits: tuple[Edit, ...]
    thresholds: tuple[int, ...]
    deltas: tuple[int, ...]


def _pass_map(edits: Sequence[Edit]) -> _PassMap:
    thresholds, deltas = [], [0]
    delta = 0
    for edit in edits:
        new_start = edit.start + delta
        new_end = new_start + len(edit.replacement)
        thresholds.append(max(new_end, new_start + 1))  # non-decreasing: edits are sorted
        delta += len(edit.replacement) - (edit.end - edit.start)
        deltas.append(delta)
    return _PassMap(tuple(edits), tuple(thresholds), tuple(deltas))


def _map_back(position: int, history: Sequence[_PassMap], side: str = "start") -> int:
    """Map an offset in the current text back to the original text through each pass's
    edits. An offset inside text a fix inserted maps to that edit's start (or end).
    A binary search per pass: removed blocks are mapped by the thousand."""
    for edits, thresholds, deltas in reversed(history):
        index = bisect.bisect_right(thresholds, position)  # the first edit not wholly before
        delta = deltas[index]
        mapped = None
        if index < len(edits):
            edit = edits[index]
            new_start = edit.start + delta
            new_end = new_start + len(edit.replacement)
            if position < new_start or position == new_start < new_end:
                pass  # before this edit, or at the start of the text it inserted
            elif position < new_end:  # inside inserted text: widen to the whole edit
                mapped = edit.start if side == "start" else edit.end
            elif position == new_start == new_end:  # exactly where text was deleted
                mapped = edit.end if side == "start" else edit.start
        position = mapped if mapped is not None else position - delta
    return position


# -- choosing and applying ------------------------------------------------------------------


def _check_well_formed(problem: Problem, document: Document,
                       history: Sequence[_PassMap]) -> None:
    fix = problem.fix
    assert fix is not None
    text = document.text
    reason = None
    edits = sorted(fix.edits, key=lambda edit: (edit.start, edit.end))
    if not edits:
        reason = "the fix has no edits"
    newline = document.newline()
    for index, edit in enumerate(edits):
        if reason:
            break
        if not 0 <= edit.start <= edit.end <= len(text):
            reason = f"edit {edit.start}..{edit.end} is outside the text (0..{len(text)})"
        elif index and edit.start < edits[index - 1].end:
            reason = "the fix's own edits overlap"
        elif any(0 < at < len(text) and text[at - 1] == "\r" and text[at] == "\n"
                 for at in (edit.start, edit.end)):
            reason = "an edit splits a CRLF line ending"
        elif _foreign_newlines(edit.replacement, newline):
            reason = (f"an edit inserts line endings other than the file's "
                      f"({_NEWLINE_NAMES[newline]}; use Document.newline())")
    if reason:
        raise _Refused(Refusal("malformed-fix", (problem.rule,), reason),
                       _map_back(problem.start, history))


_NEWLINE_NAMES = {"\n": "LF", "\r\n": "CRLF", "\r": "CR"}


def _foreign_newlines(replacement: str, newline: str) -> bool:
    """Whether a replacement brings line endings the file does not use."""
    others = replacement.replace(newline, "") if newline == "\r\n" else replacement
    return any(char in others for char in "\r\n" if char != newline)


def _choose(candidates: Sequence[Problem]) -> list[Problem]:
    """Fixes that neither overlap nor touch, first come first served in text order.
    A fix identical to a chosen one (two problems, one repair) rides along."""
    ordered = sorted(candidates, key=lambda p: (
        min(edit.start for edit in p.fix.edits), p.rule, p.message))  # type: ignore[union-attr]
    chosen: list[Problem] = []
    # The chosen edits, sorted by start. They neither overlap nor nest (touching is the
    # most a fix's own edits do), so their ends are sorted too, and one binary search
    # tells whether an edit conflicts with any of them.
    starts: list[int] = []
    ends: list[int] = []
    chosen_fixes: set[tuple[Edit, ...]] = set()
    for problem in ordered:
        fix = problem.fix
        assert fix is not None
        key = tuple(sorted(fix.edits, key=lambda edit: (edit.start, edit.end)))
        if key in chosen_fixes:
            chosen.append(problem)
            continue
        if any(_conflicts(edit, starts, ends) for edit in key):
            continue  # deferred: the rule reports it again on the next pass's text
        chosen.append(problem)
        chosen_fixes.add(key)
        for edit in key:
            at = bisect.bisect_right(starts, edit.start)
            starts.insert(at, edit.start)
            ends.insert(at, edit.end)
    return chosen


def _conflicts(edit: Edit, starts: Sequence[int], ends: Sequence[int]) -> bool:
    # Touching edits conflict too (as in ruff): two insertions at one offset, or an edit
    # ending where another starts, have no order a rule could rely on. The chosen edit
    # starting last at or before this one's end has the greatest end of those.
    before = bisect.bisect_right(starts, edit.end) - 1
    return before >= 0 and ends[before] >= edit.start


def _distinct(chosen: Sequence[Problem]) -> list[tuple[Problem, Fix]]:
    seen: set[tuple[Edit, ...]] = set()
    distinct = []
    for problem in chosen:
        assert problem.fix is not None
        key = tuple(sorted(problem.fix.edits, key=lambda edit: (edit.start, edit.end)))
        if key not in seen:
            seen.add(key)
            distinct.append((problem, problem.fix))
    return distinct


def _apply(document: Document, fixes: Iterable[Fix]) -> Document:
    text = document.text
    edits = sorted((edit for fix in fixes for edit in fix.edits),
                   key=lambda edit: (edit.start, edit.end), reverse=True)
    pieces: list[str] = []
    cursor = len(text)
    for edit in edits:  # from the end, so earlier offsets stay valid
        pieces.append(text[edit.end:cursor])
        pieces.append(edit.replacement)
        cursor = edit.start
    pieces.append(text[:cursor])
    return Document("".join(reversed(pieces)), document.path, document.has_bom)


# -- checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Failure:
    check: str
    reason: str


#: The parts of the header a fix may not change (but by its own edits, for all but the
#: front matter), by their field of ``Header`` and as a refusal names them.
_GUARDED_HEADER = (("front_matter", "front matter"), ("timestamp", "timestamp comment"),
                   ("title", "title"))


def _check_pass(before: Document, after: Document, chosen: Sequence[Problem]) -> _Failure | None:
    for part, name in _GUARDED_HEADER:
        span = getattr(before.header, part)
        if span is None:
            continue
        new_span = getattr(after.header, part)
        old = before.text[span.start:span.end]
        new = None if new_span is None else after.text[new_span.start:new_span.end]
        expected = old if part == "front_matter" else _as_edited(before.text, span, chosen)
        if new != expected:
            return _Failure("header", f"the {name} would change from {_excerpt(old)} to "
                            f"{_excerpt(new) if new is not None else 'nothing'}")
    unreadable = _unreadable(before.text, after.text)
    if unreadable is not None:
        return _Failure("readable", unreadable)
    old_body = before.text[before.header.body.start:]
    new_body = after.text[after.header.body.start:]
    if old_body == new_body:
        return None
    removals = [span for _, fix in _distinct(chosen) for span in _removal_spans(before, fix)]
    expected = _collapse(expected_visible_text(before, removals))
    actual = _collapse(after.body.visible_text)
    if actual != expected:
        return _Failure("visible-text", "the body's visible text would change outside the "
                        f"removed blocks: {_difference(expected, actual)}")
    old_errors, new_errors = len(before.body.errors), len(after.body.errors)
    if new_errors > old_errors:
        first_new = _first_new_error(before, after)
        return _Failure("parse-errors", f"html5lib parse errors in the body would rise from "
                        f"{old_errors} to {new_errors} ({first_new})")
    return None


def _unreadable(before: str, after: str) -> str | None:
    """Why a file holding ``after`` could not be written or read back as a clipping
    (``before`` could), or None: a NUL makes it a binary file, a lone surrogate cannot
    be written as UTF-8."""
    if "\x00" in after and "\x00" not in before:
        return "the file would hold a NUL character, and read as a binary file"
    if not utf8_encodable(after):
        return "the text would hold a lone surrogate, which UTF-8 cannot write"
    return None


def _as_edited(text: str, span: Span, chosen: Sequence[Problem]) -> str | None:
    """The title (or timestamp comment) a pass must leave: the old one with the edits
    made inside it applied.

    A fix may change the title on purpose (decode an entity, drop a zero-width space),
    or the timestamp comment (make seconds milliseconds), by edits that lie inside it and
    add no line break; any other change (an edit reaching across its ends, removing the
    line, a line break that moves where the header splits) leaves the part found after
    the pass different from this, and the pass is refused. An insertion at either end of
    the part belongs to the line before or after it (the underline title-link adds), not
    to the part. ``None`` (which no part equals) when an inside edit adds a line break."""
    old = text[span.start:span.end]
    inside = sorted(
        {edit for _, fix in _distinct(chosen) for edit in fix.edits
         if span.start <= edit.start <= edit.end <= span.end
         and not (edit.start == edit.end and edit.start in (span.start, span.end))},
        key=lambda edit: (edit.start, edit.end), reverse=True)
    for edit in inside:
        if "\n" in edit.replacement or "\r" in edit.replacement:
            return None
        start, end = edit.start - span.start, edit.end - span.start
        old = old[:start] + edit.replacement + old[end:]
    return old


def _collapse(text: str) -> str:
    """Visible text as a reader sees it: a run of HTML whitespace shows as one space (a
    fix that adds a line between two tags changes nothing a reader sees). Other spaces,
    U+00A0 and U+3000 among them, are kept as they are."""
    from cliplint.html import HTML_SPACE_RUN  # loaded already: the body is parsed

    return HTML_SPACE_RUN.sub(" ", text).strip(" ")


def _first_new_error(before: Document, after: Document) -> str:
    old = Counter(error.code for error in before.body.errors)
    for error in after.body.errors:
        if old[error.code]:
            old[error.code] -= 1
        else:
            return error.code
    return "?"


def _blame(before: Document, chosen: Sequence[Problem], failure: _Failure) -> Refusal:
    """Name the rules whose fixes fail on their own; all of the pass's rules if none
    does. Each rule's fixes are tried together, not fix by fix: a pass may hold
    thousands of fixes, and one check costs a parse of the body."""
    groups = _by_rule(chosen)
    if len(groups) > 1:
        guilty = []
        for group in groups:
            alone = _check_pass(before, _apply(before, [fix for _, fix in _distinct(group)]), group)
            if alone is not None:
                guilty.append((group[0].rule, alone))
        if guilty:
            rules = tuple(sorted({rule for rule, _ in guilty}))
            return Refusal(guilty[0][1].check, rules, guilty[0][1].reason)
    return Refusal(failure.check, _rules_of(chosen), failure.reason)


def _by_rule(problems: Sequence[Problem]) -> list[list[Problem]]:
    groups: dict[str, list[Problem]] = {}
    for problem in problems:
        groups.setdefault(problem.rule, []).append(problem)
    return list(groups.values())


def _excerpt(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _difference(expected: str, actual: str) -> str:
    index = 0
    limit = min(len(expected), len(actual))
    while index < limit and expected[index] == actual[index]:
        index += 1
    start = max(0, index - 20)
    return (f"at character {index} expected {_excerpt(expected[start:index + 40])}, "
            f"got {_excerpt(actual[start:index + 40])}")


def _removal_spans(document: Document, fix: Fix) -> list[tuple[int, int]]:
    """The declared removed blocks of a fix: adjacent empty-replacement edits merged,
    keeping those that qualify as blocks of the body."""
    spans: list[tuple[int, int]] = []
    for edit in sorted(fix.edits, key=lambda edit: (edit.start, edit.end)):
        if edit.replacement or edit.start == edit.end:
            continue
        if spans and spans[-1][1] == edit.start:
            spans[-1] = (spans[-1][0], edit.end)
        else:
            spans.append((edit.start, edit.end))
    return [span for span in spans if is_block(document, *span)]


def is_block(document: Document, start: int, end: int) -> bool:
    """Whether ``[start, end)`` is a removable block of the body: inside the body, both
    ends outside any tag, comment or doctype, and its tags balanced."""
    body = document.header.body
    if not body.start <= start < end <= body.end:
        return False
    tokens = document.body.tokens
    for position in (start, end):
        index = bisect.bisect_right(tokens, position, key=_start) - 1
        if index >= 0:
            token = tokens[index]
            if token.start < position < token.end and token.kind not in _TEXT_TOKENS:
                return False
    from cliplint.html import VOID_ELEMENTS  # loaded already: the body is parsed

    open_tags: list[str] = []
    # Only the block's own tokens are looked at (a fix may remove thousands of blocks).
    for index in range(bisect.bisect_left(tokens, start, key=_start), len(tokens)):
        token = tokens[index]
        if token.end > end:
            break
        name = (token.name or "").lower()
        if token.kind == "StartTag" and name not in VOID_ELEMENTS and not token.self_closing:
            open_tags.append(name)
        elif token.kind == "EndTag" and name not in VOID_ELEMENTS:
            if not open_tags or open_tags[-1] != name:
                return False
            open_tags.pop()
    return not open_tags


#: A token's start, the key that binary searches over the body's tokens use.
_start = operator.attrgetter("start")


def expected_visible_text(document: Document, removals: Sequence[tuple[int, int]]) -> str:
    """The body's visible text with the removed blocks' own visible text taken out.

    The blocks' own text is found by parsing the body again with marker characters
    around each block; when that is not conclusive, nothing is taken out.

    The two markers are fixed private-use characters, so they can never run out: in the
    marked copy every occurrence of them the text already held is replaced by a third
    (:data:`_STAND_IN`), which parses the same. That swap keeps every length, so a
    position in the marked copy's visible text (markers left out) is the same position
    in the original's, and the blocks' text is cut out of the original's by position.
    """
    view = document.body
    visible = view.visible_text
    if not removals:
        return visible
    spans = sorted(removals)
    text = _swap(document.text)
    pieces = []
    cursor = len(text)
    for start, end in reversed(spans):
        pieces += [text[end:cursor], _CLOSING, text[start:end], _OPENING]
        cursor = start
    pieces.append(text[:cursor])
    marked = "".join(reversed(pieces))
    from cliplint.html import iter_visible_text
    from cliplint.html_parse import parse_body

    marked_view = parse_body(marked, view.start, view.end + 2 * len(spans))
    marked_visible = "".join(iter_visible_text(marked_view.fragment))
    if marked_visible.replace(_OPENING, "").replace(_CLOSING, "") != _swap(visible):
        return visible  # the markers changed how the body parses: inconclusive
    kept = []
    count = -1
    cursor = 0  # where the current kept run starts, in the visible text without markers
    for count, marker in enumerate(_MARKER.finditer(marked_visible)):
        at = marker.start() - count  # the same position in the original's visible text
        if marker.group() != (_OPENING, _CLOSING)[count % 2]:
            return visible  # a block's text was moved or hidden: inconclusive
        if marker.group() == _OPENING:
            kept.append(visible[cursor:at])
        else:
            cursor = at
    if count + 1 != 2 * len(spans):
        return visible  # a marker was lost (inside a tag the block did not hold, say)
    kept.append(visible[cursor:])
    return "".join(kept)


#: The markers around removed blocks, and the character that stands in for them where
#: the text already holds them (see :func:`expected_visible_text`).
_OPENING, _CLOSING, _STAND_IN = "\ue000", "\ue001", "\ue002"
_MARKER = re.compile(f"[{_OPENING}{_CLOSING}]")


def _swap(text: str) -> str:
    return text.replace(_OPENING, _STAND_IN).replace(_CLOSING, _STAND_IN)


__all__ = [
    "FIX_REFUSED",
    "MAX_PASSES",
    "AppliedFix",
    "FixReport",
    "FixResult",
    "FixedCount",
    "PatchNames",
    "Refusal",
    "RemovedBlock",
    "applicable",
    "diff_path",
    "expected_visible_text",
    "fix_document",
    "fix_text",
    "fixed_counts",
    "is_block",
    "patch_names",
    "unified_diff",
    "visible_controls",
]
