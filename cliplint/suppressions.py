"""Inline suppressions: HTML comments in a clipping's body that silence rules.

::

    <!-- cliplint-disable-next-line RULE[, RULE] -- reason -->   the next line only
    <!-- cliplint-disable RULE -->  ...  <!-- cliplint-enable RULE -->   a stretch
    <!-- cliplint-disable-file RULE -->                        the whole file

No rule list (or ``ALL``) means every rule; a rule may be named by its id or, as in
``--select``, by a plugin's prefix (``pack/``). Everything after `` -- `` is the reason,
for people. A stretch starts right after its ``disable`` comment and ends right before
its ``enable`` comment (or at the end of the file): it may start and end inside a line,
which matters in clippings whose body is one long line.

Only real comments of the body count: they are found among the tokens html5lib read (a
comment inside ``<script>``, ``<style>``, ``<textarea>`` or an attribute value is text,
not a comment). Engine problems (``file-unreadable``, ``internal-error``...) cannot be
suppressed. A problem an archive rule reports about a file is about the whole file: it
is suppressed by a ``disable-file`` comment of that file, or by any suppression of that
file that names the rule (see :func:`archive_suppressed`).

Which suppressions were used is known only once every rule has run; the engine then
reports the unused ones, and rule ids it does not know, as ``unused-suppression``
(:func:`unused_violations`; documented in ``rules/unused_suppression.py``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from cliplint.model import Edit, Fix, Rule
from cliplint.rule_io import Violation

if TYPE_CHECKING:
    from cliplint.document import Document

UNUSED_SUPPRESSION = "unused-suppression"
ALL = "ALL"
_SEPARATORS = re.compile(r"[\s,]+")


# The two patterns below are compiled when a body first mentions cliplint (a cache):
# most bodies do not, and a one-file run's start-up would compile them for nothing.
@cache
def _directive() -> re.Pattern[str]:
    return re.compile(
        r"\s*cliplint-(?P<kind>disable-next-line|disable-file|disable|enable)(?=\s|$)"
        r"(?P<rules>.*?)(?:\s--(?P<reason>.*))?\s*\Z", re.S)


@cache
def _looks_like_one() -> re.Pattern[str]:
    """A comment that starts like a suppression, which is reported (``malformed``) when
    it is none: ``cliplint-`` and anything (``cliplint-disabel``), or cliplint as a person
    may write it (``Cliplint``, ``CLIPLINT``: what the substring searches in :func:`find`
    look for) and a separator, then a word starting like disable or enable
    (``CLIPLINT-DISABLE``, ``cliplint: disable``). A comment that mentions cliplint
    otherwise (``<!-- cliplint checked this -->``) is none of its business."""
    return re.compile(r"\s*(?:cliplint-|(?:cliplint|Cliplint|CLIPLINT)[-:_\s]\s*(?i:dis|en))")


DISABLING = ("disable", "disable-next-line", "disable-file")

class Directive(NamedTuple):
    """One suppression comment: its kind, the rules it names (``()``: every rule), where
    the comment is, and the line it applies to (``disable-next-line``)."""

    kind: str  # disable-next-line, disable, enable, disable-file
    selectors: tuple[str, ...]
    start: int
    end: int
    next_line: int


class Malformed(NamedTuple):
    """A comment that starts like a suppression and is not one (a misspelt directive)."""

    start: int
    end: int
    text: str


def covers(selector: str | None, rule_id: str) -> bool:
    """Whether a selector (``None``: every rule) names a rule."""
    return selector is None or selector == rule_id or (
        selector.endswith("/") and rule_id.startswith(selector))


def find(document: Document) -> tuple[tuple[Directive, ...], tuple[Malformed, ...]]:
    """The suppression comments of the body, in order, and the malformed ones. Costs
    two substring searches unless the body holds "cliplint" (then the body's parse,
    which body rules share)."""
    body_start = document.header.body.start
    text = document.text
    # (Two substring searches, not a case-blind regex over every body: the spellings a
    # person writes, cliplint, Cliplint, CLIPLINT.)
    if text.find("liplint", body_start) == -1 and text.find("LIPLINT", body_start) == -1:
        return (), ()
    directives: list[Directive] = []
    malformed: list[Malformed] = []
    for token in document.body.tokens:
        if token.kind != "Comment" or not text.startswith("<!--", token.start):
            continue
        inner_end = token.end - 3 if text.startswith("-->", token.end - 3) else None
        if inner_end is None or inner_end < token.start + 4:
            continue  # an unterminated comment runs to the end: not a directive
        inner = text[token.start + 4 : inner_end]
        if not _looks_like_one().match(inner):
            continue
        match = _directive().match(inner)
        if match is None:
            malformed.append(Malformed(token.start, token.end, inner.strip()))
            continue
        names = [name for name in _SEPARATORS.split(match["rules"]) if name]
        selectors = () if not names or ALL in names else tuple(dict.fromkeys(names))
        last_line = document.position(token.end - 1)[0]
        directives.append(Directive(match["kind"], selectors, token.start, token.end,
                                    last_line + 1))
    return tuple(directives), tuple(malformed)


class _Stretch(NamedTuple):
    """What ``disable``/``enable`` comments leave disabled from ``start`` on: the active
    (directive index, selector) pairs, and the selectors enabled again inside them."""

    start: int
    active: tuple[tuple[int, str | None], ...]
    exceptions: tuple[str, ...]


class Suppressions:
    """A document's directives, and which of their selectors hid a problem so far (one
    per lint of a document: it is filled as the rules' violations go by)."""

    def __init__(self, directives: tuple[Directive, ...],
                 malformed: tuple[Malformed, ...] = ()) -> None:
        self.directives = directives
        self.malformed = malformed
        self.used: set[tuple[int, str | None]] = set()
        self._next_line: dict[int, list[int]] = {}
        self._file: list[int] = []
        for index, directive in enumerate(directives):
            if directive.kind == "disable-next-line":
                self._next_line.setdefault(directive.next_line, []).append(index)
            elif directive.kind == "disable-file":
                self._file.append(index)
        self._stretches, self.idle_enables = _stretches(directives)
        self._starts = [stretch.start for stretch in self._stretches]

    def __bool__(self) -> bool:
        return bool(self.directives or self.malformed)

    def hides(self, rule_id: str, offset: int, line: int) -> bool:
        """Whether a problem of ``rule_id`` at ``offset`` (on ``line``) is suppressed;
        the most specific suppression that hides it is marked used."""
        for index in self._next_line.get(line, ()):
            if self._use(index, self.directives[index].selectors, rule_id):
                return True
        position = bisect.bisect_right(self._starts, offset) - 1
        if position >= 0:
            stretch = self._stretches[position]
            if not any(covers(selector, rule_id) for selector in stretch.exceptions):
                for index, selector in reversed(stretch.active):
                    if covers(selector, rule_id):
                        self.used.add((index, selector))
                        return True
        return any(self._use(index, self.directives[index].selectors, rule_id)
                   for index in self._file)

    def _use(self, index: int, selectors: tuple[str, ...], rule_id: str) -> bool:
        for selector in selectors or (None,):
            if covers(selector, rule_id):
                self.used.add((index, selector))
                return True
        return False

    def filter(self, violations: Iterable[Violation], rule_id: str,
               position: Callable[[int], tuple[int, int]]) -> Iterator[Violation]:
        """The violations of a rule that no suppression hides."""
        for violation in violations:
            if not self.hides(rule_id, violation.start, position(violation.start)[0]):
                yield violation


def _stretches(directives: tuple[Directive, ...]
               ) -> tuple[list[_Stretch], frozenset[tuple[int, str | None]]]:
    """The stretches the ``disable``/``enable`` comments make, and the (directive index,
    selector) pairs of the ``enable`` comments that end nothing: no ``disable`` of their
    rules is in force where they stand (none came before, an ``enable`` ended it already,
    or the rules are disabled by ``disable-file``, which no ``enable`` ends)."""
    stretches: list[_Stretch] = []
    idle: set[tuple[int, str | None]] = set()
    active: list[tuple[int, str | None]] = []
    exceptions: list[str] = []
    for index, directive in enumerate(directives):
        if directive.kind not in ("disable", "enable"):
            continue
        for selector in directive.selectors or (None,):
            if directive.kind == "disable":
                exceptions = [name for name in exceptions if not covers(selector, name)]
                active.append((index, selector))
                continue
            still = [(i, s) for i, s in active
                     if not (selector is None or (s is not None and covers(selector, s)))]
            ended = len(still) != len(active)
            active = still
            if selector is None:
                exceptions = []
            elif any(s is None or covers(s, selector) for _, s in active):
                # (a rule enabled again inside a wider disable: an exception, unless it
                # is one already)
                ended = ended or selector not in exceptions
                exceptions.append(selector)
            if not ended:
                idle.add((index, selector))
        stretches.append(_Stretch(directive.end if directive.kind == "disable"
                                  else directive.start, tuple(active), tuple(exceptions)))
    return stretches, frozenset(idle)


def archive_suppressed(suppressions: Suppressions, archive_ids: Iterable[str]) -> list[str]:
    """The archive rules (of ``archive_ids``) whose problems about this file are
    suppressed: by a ``disable-file`` comment, or by any suppression naming the rule (its
    problems are about the whole file, not a line)."""
    hidden = []
    for rule_id in archive_ids:
        for directive in suppressions.directives:
            if directive.kind not in DISABLING:
                continue
            if directive.kind == "disable-file" and not directive.selectors:
                hidden.append(rule_id)
                break
            if any(covers(selector, rule_id) for selector in directive.selectors):
                hidden.append(rule_id)
                break
    return hidden


def is_known(selector: str, known: Collection[str]) -> bool:
    return selector == ALL or selector in known or (
        selector.endswith("/") and any(rule_id.startswith(selector) for rule_id in known))


def unused_violations(document: Document, suppressions: Suppressions,
                      rules: Mapping[str, Rule], enabled: Collection[str],
                      cut_short: Collection[str] = ()) -> Iterator[Violation]:
    """``unused-suppression``'s violations, once every other rule has run: malformed
    directives, rule ids nobody knows, and selectors that hid nothing.

    A selector is judged only when a rule it names is enabled for the file (a run
    narrowed with ``--select`` cannot tell whether the others' suppressions are needed;
    a suppression of every rule, only when every rule of one clipping is enabled), and
    not when it could hide an enabled archive rule's problem about the file: those are
    found after every file is linted; nor when it names a rule of ``cut_short``, whose
    violations were not all read (past ``max-problems-per-rule``, or it crashed)."""
    archive_ids = {rule_id for rule_id in enabled if rules[rule_id].is_archive_rule}
    every_rule_runs = all(rule_id in enabled for rule_id, rule in rules.items()
                          if not rule.is_archive_rule)
    for bad in suppressions.malformed:
        yield Violation(bad.start, bad.end,
                        f"not a suppression: {_shorten(bad.text)!r} (expected cliplint-disable, "
                        "cliplint-enable, cliplint-disable-next-line or cliplint-disable-file)",
                        kind="malformed")
    for index, directive in enumerate(suppressions.directives):
        unknown = [s for s in directive.selectors if not is_known(s, rules)]
        for name in unknown:
            from cliplint.suggest import did_you_mean  # only for a mistyped id

            yield Violation(directive.start, directive.end,
                            f"suppression names an unknown rule {name!r}"
                            f"{did_you_mean(name, rules)} (see 'cliplint rules')",
                            kind="unknown-rule")
        if directive.kind == "enable":
            idle = [selector for selector in directive.selectors or (None,)
                    if (index, selector) in suppressions.idle_enables and selector not in unknown]
            if idle:
                yield _idle_enable(document, directive, idle)
            continue
        if directive.kind not in DISABLING:
            continue
        unused: list[str | None] = []
        for selector in directive.selectors or (None,):
            if selector in unknown:
                continue
            named = [rule_id for rule_id in enabled if covers(selector, rule_id)]
            whole_file = selector is not None or directive.kind == "disable-file"
            if not named or (whole_file and any(r in archive_ids for r in named)) or (
                    selector is None and not every_rule_runs) or any(
                    r in cut_short for r in named):
                continue
            if (index, selector) not in suppressions.used:
                unused.append(selector)
        if not unused:
            continue
        whole = len(unused) == len(directive.selectors or (None,))
        what = ("nothing to suppress" if unused == [None] else
                "no " + ", ".join(str(s) for s in unused) + " problem to suppress")
        where = {"disable-next-line": " on the next line", "disable-file": " in this file",
                 "disable": " where it applies"}[directive.kind]
        yield Violation(directive.start, directive.end,
                        f"unused suppression: {what}{where}",
                        fix=_removal(document, directive, unused, whole), kind="unused")


def _idle_enable(document: Document, directive: Directive,
                 idle: list[str | None]) -> Violation:
    """An ``enable`` comment (or some of its rules) that ends no ``disable``: left behind
    when its ``disable`` went (``--fix`` removes an unused one), or written after a
    ``disable-file``, which it does not end."""
    what = ("no cliplint-disable is in force here" if idle == [None] else
            "no cliplint-disable of " + ", ".join(str(s) for s in idle) + " is in force here")
    whole = len(idle) == len(directive.selectors or (None,))
    return Violation(directive.start, directive.end,
                     f"unused suppression: nothing to enable again ({what})",
                     fix=_removal(document, directive, idle, whole), kind="unused")


def _removal(document: Document, directive: Directive, unused: list[str | None],
             whole: bool) -> Fix:
    """Removing the unused part of a suppression: safe for a whole comment alone on its
    line (the line goes), unsafe otherwise (the comment goes, or only the unused rule
    names: the text around it was written by someone)."""
    text = document.text
    if not whole:
        kept = [s for s in directive.selectors if s not in unused]
        inner = text[directive.start + 4 : directive.end - 3]
        reason = _directive().match(inner)
        tail = f" --{reason['reason']}" if reason is not None and reason["reason"] else ""
        replacement = f"<!-- cliplint-{directive.kind} {', '.join(kept)}{tail.rstrip()} -->"
        return Fix((Edit(directive.start, directive.end, replacement),), "unsafe",
                   "remove the unused rule names from the suppression")
    line, _ = document.position(directive.start)
    span = document.line_span(line)
    alone = (document.position(directive.end)[0] == line
             and not text[span.start : directive.start].strip()
             and not text[directive.end : span.end].strip())
    if alone:
        end = document.next_line_start(directive.start)
        return Fix((Edit(span.start, end if end > span.end else span.end, ""),), "safe",
                   "remove the unused suppression's line")
    return Fix((Edit(directive.start, directive.end, ""),), "unsafe",
               "remove the unused suppression comment")


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
