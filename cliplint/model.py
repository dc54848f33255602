"""The values cliplint passes around: edits, fixes, violations, problems and rules.

Everything here is a frozen dataclass of plain values, so results can cross process
boundaries (a process pool, a cache on disk) unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from cliplint.document import Document

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
Applicability = Literal["safe", "unsafe"]

#: Engine problems: reported like rule problems, but no rule module behind them.
FILE_UNREADABLE = "file-unreadable"
INTERNAL_ERROR = "internal-error"
FILE_TOO_LARGE = "file-too-large"
FIX_REFUSED = "fix-refused"
ENGINE_PROBLEMS = (FILE_UNREADABLE, INTERNAL_ERROR, FILE_TOO_LARGE, FIX_REFUSED)


# slots=True on the values a run holds by the thousand: a third of the memory of a dict.
@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` of the original (BOM-less) text with ``replacement``."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A set of edits that together repair one violation."""

    edits: tuple[Edit, ...]
    applicability: Applicability
    description: str


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule's ``check`` yields: a span of the document text and a message.

    ``start``/``end`` are code-point offsets into ``Document.text``; the engine turns
    them into lines and columns.
    """

    start: int
    end: int
    message: str
    fix: Fix | None = None
    #: Overrides the rule's default severity for this violation (a user's configured
    #: severity for the rule still wins).
    severity: Severity | None = None
    #: Which of the rule's ``FINDINGS`` this is: its severity is the finding's (unless
    #: ``severity`` says otherwise). None: the rule's default severity.
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class Related:
    """Another file a problem points at (the copy a duplicate duplicates), with what it
    is to that problem."""

    path: str
    message: str


@dataclass(frozen=True, slots=True)
class Problem:
    """A violation located in a file, as reports show it. Lines and columns are 1-based;
    columns count code points."""

    path: str
    rule: str
    severity: Severity
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int = 0
    end: int = 0
    fix: Fix | None = None
    #: Only when asked for: the problem's source line, or on a long line (bodies are often
    #: one 200 KB line) an excerpt of it around the problem that starts at ``source_column``.
    source: str | None = None
    source_column: int = 1
    #: Other files the problem is about (an archive rule's problem may name several).
    related: tuple[Related, ...] = ()


CheckFunction = Callable[["Document", Mapping[str, Any]], Iterable[Violation]]
#: An archive rule's map step: a small JSON value (dicts, lists, strings, numbers, None)
#: describing one clipping, from its content alone (the same content at two paths gives
#: one record: it is cached by content).
RecordFunction = Callable[["Document", Mapping[str, Any]], Any]
ReduceFunction = Callable[[Sequence["ArchiveEntry"], Mapping[str, Any]],
                          Iterable["ArchiveViolation"]]


class ArchiveEntry(NamedTuple):
    """One file of the archive as an archive rule's reduce step sees it: its path relative
    to the archive's root (``/`` separators), and the record its map step made of it
    (``None`` when the file could not be read, or the rule has no map step).

    ``focus`` is False for a file whose problems the run does not show (a run given some
    files of an archive shows only the problems about them or naming them): a rule may
    skip the work of problems that concern no focused file; the engine drops them
    anyway, so a rule that ignores ``focus`` is just slower."""

    path: str
    record: Any
    focus: bool = True


@dataclass(frozen=True, slots=True)
class ArchiveViolation:
    """What an archive rule's ``reduce`` yields: a problem with one file of the archive
    (``path`` as in :class:`ArchiveEntry`), which may name other files (``related``, their
    paths as in :class:`ArchiveEntry` too)."""

    path: str
    message: str
    related: tuple[Related, ...] = ()
    severity: Severity | None = None
    kind: str | None = None  # as in Violation


class Finding(NamedTuple):
    """One kind of problem a rule reports: its severity and what it means. A rule module
    declares them in ``FINDINGS`` (kind -> Finding); a violation names its kind."""

    severity: Severity
    description: str


class Rule(NamedTuple):
    """A rule as the engine sees it, built from a rule module.

    A rule module defines ``ID``, ``SEVERITY``, ``FIX`` (``"safe"``, ``"unsafe"`` or
    ``None``), ``OPTIONS`` (a JSON Schema object whose properties carry defaults) and
    either ``check(document, options)``, a generator of :class:`Violation` (a rule of
    one clipping), or ``reduce(entries, options)``, a generator of
    :class:`ArchiveViolation` over every file of the archive (an archive rule), with an
    optional map step ``record(document, options)`` that makes each file's
    :class:`ArchiveEntry` record while the file is linted. Its docstring is its user
    documentation; the first line is the summary.

    A rule that reports several kinds of problem of different weight declares them in
    ``FINDINGS``, kind -> :class:`Finding`; its violations then name their ``kind``, and
    ``SEVERITY`` is the severity of violations that name none. Without ``FINDINGS`` the
    rule has one kind, ``problem``, of severity ``SEVERITY``.

    (A named tuple, unlike the values above: every start defines it, and a frozen
    dataclass costs several times more to define.)
    """

    id: str
    summary: str
    documentation: str
    severity: Severity
    fix: Applicability | None
    options_schema: Mapping[str, Any]
    check: CheckFunction | None
    plugin: str = "builtin"
    module: str = ""
    record: RecordFunction | None = None
    reduce: ReduceFunction | None = None
    findings: Mapping[str, Finding] = {}

    @property
    def is_archive_rule(self) -> bool:
        return self.reduce is not None

    @property
    def severities(self) -> tuple[Severity, ...]:
        """The severities the rule's findings can have, most severe first."""
        found = {finding.severity for finding in self.findings.values()} or {self.severity}
        return tuple(severity for severity in SEVERITIES if severity in found)

    def severity_of(self, violation: Violation | ArchiveViolation) -> Severity:
        """The severity of one of this rule's violations, before the user's configuration."""
        if violation.severity is not None:
            return violation.severity
        if violation.kind is None:
            return self.severity
        finding = self.findings.get(violation.kind)
        if finding is None:
            raise ValueError(f"rule {self.id} reported a kind it does not declare: {violation.kind!r}")
        return finding.severity

    @classmethod
    def from_module(cls, module: ModuleType, plugin: str = "builtin") -> Rule:
        missing = [name for name in ("ID", "SEVERITY") if not hasattr(module, name)]
        check = getattr(module, "check", None)
        reduce = getattr(module, "reduce", None)
        if (check is None) == (reduce is None):
            missing.append("check (a rule of one clipping) or reduce (an archive rule), "
                           "not both")
        if missing:
            raise ValueError(f"rule module {module.__name__} lacks {', '.join(missing)}")
        documentation = inspect.cleandoc(module.__doc__ or "")
        severity = module.SEVERITY
        if severity not in SEVERITIES:
            raise ValueError(f"rule module {module.__name__}: SEVERITY must be one of {SEVERITIES}")
        fix = getattr(module, "FIX", None)
        if fix not in (None, "safe", "unsafe"):
            raise ValueError(f"rule module {module.__name__}: FIX must be 'safe', 'unsafe' or None")
        if reduce is not None and fix is not None:
            raise ValueError(f"rule module {module.__name__}: an archive rule has no fix "
                             "(FIX must be None)")
        schema = getattr(module, "OPTIONS", None) or {"type": "object", "properties": {}}
        schema = {"additionalProperties": False, **schema}
        summary = documentation.splitlines()[0] if documentation else module.ID
        findings = dict(getattr(module, "FINDINGS", None) or {"problem": Finding(severity, summary)})
        for kind, finding in findings.items():
            if not isinstance(finding, Finding) or finding.severity not in SEVERITIES:
                raise ValueError(f"rule module {module.__name__}: FINDINGS[{kind!r}] must be a "
                                 f"Finding whose severity is one of {SEVERITIES}")
        return cls(
            id=module.ID,
            summary=summary,
            documentation=documentation,
            severity=severity,
            fix=fix,
            options_schema=schema,
            check=check,
            plugin=plugin,
            module=module.__name__,
            record=getattr(module, "record", None) if reduce is not None else None,
            reduce=reduce,
            findings=findings,
        )

    def default_options(self) -> dict[str, Any]:
        properties = self.options_schema.get("properties", {})
        return {name: spec["default"] for name, spec in properties.items() if "default" in spec}


@dataclass(frozen=True)
class Report:
    """The outcome of one run: every problem and every file that was checked."""

    problems: tuple[Problem, ...]
    files: tuple[str, ...]  # every file checked, in order (JUnit lists clean ones too)
    rules: Mapping[str, Rule] = field(default_factory=dict)

    @property
    def files_checked(self) -> int:
        return len(self.files)


@dataclass(frozen=True)
class Tally:
    """What a report's summary and the exit status need to know of a run, counted file
    by file so that the problems themselves need not be kept."""

    files: int = 0
    problems: int = 0
    errors: int = 0
    warnings: int = 0
    internal_errors: int = 0
    safe_fixes: int = 0
    unsafe_fixes: int = 0
    by_rule: Mapping[str, int] = field(default_factory=dict)

    def add(self, problems: Iterable[Problem], checked: bool = True) -> Tally:
        """This tally with one more file and its problems (``checked`` False: problems an
        archive rule found once every file was checked, not another file)."""
        problems = tuple(problems)
        by_rule = dict(self.by_rule)
        for problem in problems:
            by_rule[problem.rule] = by_rule.get(problem.rule, 0) + 1
        return Tally(
            files=self.files + checked,
            problems=self.problems + len(problems),
            errors=self.errors + sum(p.severity == "error" for p in problems),
            warnings=self.warnings + sum(p.severity == "warning" for p in problems),
            internal_errors=self.internal_errors + sum(p.rule == INTERNAL_ERROR for p in problems),
            safe_fixes=self.safe_fixes + sum(_fix_is(p, "safe") for p in problems),
            unsafe_fixes=self.unsafe_fixes + sum(_fix_is(p, "unsafe") for p in problems),
            by_rule=by_rule,
        )


def _fix_is(problem: Problem, applicability: Applicability) -> bool:
    return problem.fix is not None and problem.fix.applicability == applicability
