"""The values cliplint passes around: edits, fixes, problems, rules and reports.

Everything here is a frozen dataclass or named tuple of plain values, so results can
cross process boundaries (a process pool, a cache on disk) unchanged. What rules' steps
yield and are given (violations, archive entries, online answers) is in
:mod:`cliplint.rule_io`, what a fix run did in :mod:`cliplint.fixer`: a run answered
from the cache needs neither.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from cliplint.streams import line_breaker, utf8_encodable

if TYPE_CHECKING:
    from cliplint.document import Document
    from cliplint.fixer import Fixes
    from cliplint.rule_io import (
        Answer,
        ArchiveEntry,
        ArchiveViolation,
        OnlineURL,
        Verdict,
        Violation,
    )

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


class FileTimeout(BaseException):
    """The file's time budget ran out (:mod:`cliplint.budget`). A ``BaseException`` (as
    ``KeyboardInterrupt``): a rule's or the engine's ``except Exception`` must not take it
    for a crash."""


#: What ends the engine's work on a file or on the run, raised through whatever code is
#: running, a rule's too: an interrupt (Ctrl-C; SIGTERM is turned into one) and a file's
#: time running out. Whatever else a rule's or a plugin's code raises costs that rule (an
#: internal-error problem) or that plugin, not the run: any Exception, SystemExit (a
#: plugin calling sys.exit() must neither end cliplint with its own status, silently,
#: nor end the program a library call runs in), and a plugin's own BaseException
#: subclass or GeneratorExit. Each place that runs a plugin's code says
#: ``except ENGINE_STOPS: raise`` before ``except BaseException``.
ENGINE_STOPS: tuple[type[BaseException], ...] = (KeyboardInterrupt, FileTimeout)
Applicability = Literal["safe", "unsafe"]

#: Engine problems: reported like rule problems, but no rule module behind them.
FILE_UNREADABLE = "file-unreadable"
INTERNAL_ERROR = "internal-error"
FILE_TOO_LARGE = "file-too-large"
FIX_REFUSED = "fix-refused"
#: A file's checks ran past ``file-timeout`` seconds (cliplint/budget.py).
FILE_TIMEOUT = "file-timeout"
ENGINE_PROBLEMS = (FILE_UNREADABLE, INTERNAL_ERROR, FILE_TOO_LARGE, FIX_REFUSED, FILE_TIMEOUT)
#: The key of a file's archive records that lists the archive rules its comments
#: suppress (cliplint.suppressions; not a rule id: ids are kebab-case).
ARCHIVE_KEY = "@suppressed"

#: The most characters of an exception's text an internal-error message quotes.
MAX_ERROR_TEXT = 500


def error_text(error: BaseException) -> str:
    """``Type: text`` of an exception a plugin's code raised, for a message: its text cut
    to :data:`MAX_ERROR_TEXT` characters (a million-character one was quoted whole, for
    every file), or said to be unavailable when making it fails too."""
    try:
        text = str(error)
    except ENGINE_STOPS:
        raise
    except BaseException:  # its __str__ is the plugin's code as well
        text = "(its text could not be made)"
    if len(text) > MAX_ERROR_TEXT:
        text = text[:MAX_ERROR_TEXT] + f"... ({len(text):,} characters)"
    return f"{type(error).__name__}: {text}"


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
    #: Found by the rule's online step (``--online``: cliplint/online.py), which shares the
    #: rule's id, not by reading the file: a run without --online says nothing of it.
    online: bool = False


CheckFunction = Callable[["Document", Mapping[str, Any]], Iterable["Violation"]]
#: An archive rule's map step: a small JSON value (dicts, lists, strings, numbers, None)
#: describing one clipping, from its content alone (the same content at two paths gives
#: one record: it is cached by content).
RecordFunction = Callable[["Document", Mapping[str, Any]], Any]
ReduceFunction = Callable[[Sequence["ArchiveEntry"], Mapping[str, Any]],
                          Iterable["ArchiveViolation"]]


class Finding(NamedTuple):
    """One kind of problem a rule reports: its severity and what it means. A rule module
    declares them in ``FINDINGS`` (kind -> Finding); a violation names its kind."""

    severity: Severity
    description: str


#: The options the engine adds to every rule with an online step (its ``--online``
#: checks), with their defaults: how hard the engine may knock on other people's doors.
ONLINE_OPTIONS: Mapping[str, Mapping[str, Any]] = {
    "online-timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 300, "default": 10,
                       "description": "seconds to wait for one answer"},
    "online-concurrency": {"type": "integer", "minimum": 1, "maximum": 64, "default": 8,
                           "description": "requests at once"},
    "online-per-host": {"type": "integer", "minimum": 1, "maximum": 16, "default": 2,
                        "description": "requests at once to one host"},
    "online-rate": {"type": "number", "exclusiveMinimum": 0, "default": 4,
                    "description": "requests started per second to one host"},
    "online-retries": {"type": "integer", "minimum": 0, "maximum": 10, "default": 3,
                       "description": "retries after a 429 or 5xx answer or a failed "
                       "connection"},
    "online-backoff": {"type": "number", "minimum": 0, "maximum": 60, "default": 1,
                       "description": "seconds before the first retry (doubling) when "
                       "the server does not say (Retry-After)"},
    "online-cache-ttl": {"type": "integer", "minimum": 0, "default": 86400,
                         "description": "seconds an answer is remembered (0: never)"},
    "online-allow-private": {"type": "boolean", "default": False,
                             "description": "contact hosts that resolve to private, "
                             "loopback or link-local addresses"},
}

#: What a rule may ask the engine for besides the document and its options (``INPUTS``),
#: given to it in ``options`` under the same name. The cache key covers them.
RUN_INPUTS: Mapping[str, str] = {
    "today": "the run's date, UTC, as YYYY-MM-DD: a rule that compares with the "
             "current time uses it (results are then cached for the day)",
}

#: A rule's id (after its plugin's ``<plugin>/`` prefix), a kind of finding: kebab-case.
#: (A pattern's source, compiled by re's cache when a full load of the plugins first asks.)
_KEBAB_CASE = r"[a-z][a-z0-9]*(-[a-z0-9]+)*"


def kebab_case(name: str) -> bool:
    """Whether ``name`` is kebab-case (see ``_KEBAB_CASE``)."""
    return re.fullmatch(_KEBAB_CASE, name) is not None


OnlineURLsFunction = Callable[["Document", Mapping[str, Any]], Iterable["OnlineURL"]]
JudgeFunction = Callable[["Answer", Mapping[str, Any]], "Verdict | None"]


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

    Rules are pure: what they need besides the document and their options they ask for
    in ``INPUTS`` (see :data:`RUN_INPUTS`), and it comes in ``options``. A rule of one
    clipping may have an online step, run with ``--online``: ``online_urls(document,
    options)`` yields :class:`OnlineURL`, and ``online_judge(answer, options)`` turns
    each distinct URL's :class:`Answer` into a :class:`Verdict` or None; the engine does
    the asking (see :mod:`cliplint.online`) and adds :data:`ONLINE_OPTIONS` to the rule's.

    The module is checked when it is loaded: a ``ValueError`` says what is wrong.

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
    inputs: tuple[str, ...] = ()
    online_urls: OnlineURLsFunction | None = None
    online_judge: JudgeFunction | None = None

    @property
    def is_archive_rule(self) -> bool:
        """Whether the rule is an archive rule (``reduce``), not a rule of one clipping."""
        return self.reduce is not None

    @property
    def is_online(self) -> bool:
        """Whether the rule has an online step (run with ``--online``)."""
        return self.online_urls is not None

    @property
    def severities(self) -> tuple[Severity, ...]:
        """The severities the rule's findings can have, most severe first."""
        found = {finding.severity for finding in self.findings.values()} or {self.severity}
        return tuple(severity for severity in SEVERITIES if severity in found)

    def severity_of(self, violation: Violation | ArchiveViolation | Verdict,
                    configured: Severity | None = None) -> Severity:
        """The severity of one of this rule's violations: ``configured`` (the user's for
        this rule) when given, else the rule's own. ``ValueError`` for a kind or severity
        the rule does not declare, configured or not: its bug either way."""
        declared = self._declared_severity(violation)
        return configured or declared

    def _declared_severity(self, violation: Violation | ArchiveViolation | Verdict) -> Severity:
        if violation.severity is not None:
            if violation.severity not in SEVERITIES:
                raise ValueError(f"rule {self.id} reported a severity that is not one of "
                                 f"{', '.join(SEVERITIES)}: {violation.severity!r}")
            return violation.severity
        if violation.kind is None:
            return self.severity
        if not isinstance(violation.kind, str):  # (a list is no key of FINDINGS: a crash)
            raise ValueError(f"rule {self.id} reported a kind that is not text: "
                             f"{violation.kind!r:.60}")
        finding = self.findings.get(violation.kind)
        if finding is None:
            raise ValueError(f"rule {self.id} reported a kind it does not declare: {violation.kind!r}")
        return finding.severity

    @classmethod
    def from_module(cls, module: ModuleType, plugin: str = "builtin") -> Rule:
        """The rule a module defines; ``ValueError`` saying what is wrong with it."""
        name = module.__name__
        missing = [attribute for attribute in ("ID", "SEVERITY") if not hasattr(module, attribute)]
        check = getattr(module, "check", None)
        reduce = getattr(module, "reduce", None)
        if check is None and reduce is None:
            missing.append("check (a rule of one clipping) or reduce (an archive rule)")
        if missing:
            raise ValueError(f"rule module {name} lacks {', '.join(missing)}")
        if check is not None and reduce is not None:
            raise ValueError(f"rule module {name} defines both check (a rule of one clipping) "
                             "and reduce (an archive rule): a rule is one or the other")
        rule_id = module.ID
        if not isinstance(rule_id, str) or not rule_id:
            raise ValueError(f"rule module {name}: ID must be a non-empty string")
        documentation = inspect.cleandoc(module.__doc__ or "").strip()
        if not documentation:
            raise ValueError(
                f"rule module {name} ({rule_id}) has no docstring: a rule module starts with "
                "its documentation, before any import (the first line is the summary "
                "'cliplint rules' shows, the whole is what 'cliplint explain' prints)")
        unprintable = _unprintable(documentation)
        if unprintable is not None:
            raise ValueError(f"rule module {name} ({rule_id}): its docstring {unprintable}")
        severity = module.SEVERITY
        if severity not in SEVERITIES:
            raise ValueError(f"rule module {name}: SEVERITY must be one of {SEVERITIES}")
        fix = getattr(module, "FIX", None)
        if fix not in (None, "safe", "unsafe"):
            raise ValueError(f"rule module {name}: FIX must be 'safe', 'unsafe' or None")
        for function, label in ((check, "check"), (reduce, "reduce")):
            if function is not None and not callable(function):
                raise ValueError(f"rule module {name}: {label} must be a function")
        record = getattr(module, "record", None)
        online_urls = getattr(module, "online_urls", None)
        online_judge = getattr(module, "online_judge", None)
        if reduce is not None and fix is not None:
            raise ValueError(f"rule module {name}: an archive rule has no fix (FIX must be None)")
        if record is not None and (reduce is None or not callable(record)):
            raise ValueError(f"rule module {name}: record is an archive rule's map step: a "
                             "function, in a module that defines reduce")
        if (online_urls is None) != (online_judge is None) or (
                online_urls is not None and not (callable(online_urls) and callable(online_judge))):
            raise ValueError(f"rule module {name}: an online step is two functions, "
                             "online_urls and online_judge")
        if online_urls is not None and reduce is not None:
            raise ValueError(f"rule module {name}: only a rule of one clipping (check) may "
                             "have an online step")
        summary = documentation.splitlines()[0]
        findings = _findings(name, getattr(module, "FINDINGS", None), severity, summary)
        inputs = _inputs(name, getattr(module, "INPUTS", ()))
        schema = _options_schema(name, getattr(module, "OPTIONS", None),
                                 online=online_urls is not None, inputs=inputs)
        return cls(
            id=rule_id,
            summary=summary,
            documentation=documentation,
            severity=severity,
            fix=fix,
            options_schema=schema,
            check=check,
            plugin=plugin,
            module=name,
            record=record,
            reduce=reduce,
            findings=findings,
            inputs=inputs,
            online_urls=online_urls,
            online_judge=online_judge,
        )

    def default_options(self) -> dict[str, Any]:
        """Every option's default, by name: copies, so that a rule that changes its options
        (a bug: they are read-only) cannot change its schema, which the next
        configuration, a library call or ``cliplint rules`` reads them from."""
        import copy  # (already imported: dataclasses uses it)

        properties = self.options_schema.get("properties", {})
        return {name: copy.deepcopy(spec["default"]) for name, spec in properties.items()
                if "default" in spec}


def _findings(module: str, declared: Any, severity: Severity,
              summary: str) -> dict[str, Finding]:
    if declared is None:
        return {"problem": Finding(severity, summary)}
    if not isinstance(declared, Mapping) or not declared:
        raise ValueError(f"rule module {module}: FINDINGS must be a non-empty dict, kind -> "
                         "Finding(severity, description)")
    for kind, finding in declared.items():
        if not isinstance(kind, str) or not kebab_case(kind):
            raise ValueError(f"rule module {module}: FINDINGS: kind {kind!r} is not kebab-case")
        if (not isinstance(finding, Finding) or finding.severity not in SEVERITIES
                or not isinstance(finding.description, str) or not finding.description.strip()):
            raise ValueError(f"rule module {module}: FINDINGS[{kind!r}] must be a Finding whose "
                             f"severity is one of {SEVERITIES}, with a description")
        unprintable = _unprintable(finding.description)
        if unprintable is not None:
            raise ValueError(f"rule module {module}: FINDINGS[{kind!r}]: its description "
                             f"{unprintable}")
    return dict(declared)


def _inputs(module: str, declared: Any) -> tuple[str, ...]:
    if not isinstance(declared, (tuple, list, frozenset, set)) or not all(
            name in RUN_INPUTS for name in declared):
        raise ValueError(f"rule module {module}: INPUTS must be a tuple of names among "
                         f"{tuple(RUN_INPUTS)}, got {declared!r}")
    return tuple(sorted(declared))


def _options_schema(module: str, declared: Any, *, online: bool,
                    inputs: Sequence[str]) -> dict[str, Any]:
    """The rule's options schema, with the engine's online options when it has an online
    step. Checks what a run relies on without jsonschema (every option has a default);
    :func:`cliplint.plugins.check_options_schemas` checks the rest."""
    schema: Any = {"type": "object", "properties": {}} if declared is None else declared
    where = f"rule module {module}: OPTIONS"
    if not isinstance(schema, Mapping) or schema.get("type") != "object" or not isinstance(
            schema.get("properties", {}), Mapping):
        raise ValueError(f"{where} must be a JSON Schema of type 'object' with "
                         "'properties' (one per option)")
    problem = _json_problem(schema)
    if problem is not None:
        raise ValueError(f"{where} {problem}")
    properties = dict(schema.get("properties", {}))
    for option, spec in properties.items():
        if not isinstance(spec, Mapping) or "default" not in spec:
            raise ValueError(f"{where}: option {option!r} has no 'default' (every option has "
                             "one: the rule gets every option, set or not)")
        if option in inputs:
            raise ValueError(f"{where}: option {option!r} is also one of its INPUTS")
    if online:
        taken = sorted(set(properties) & set(ONLINE_OPTIONS))
        if taken:
            raise ValueError(f"{where}: {', '.join(taken)} are the engine's online options; "
                             "a rule with an online step gets them without declaring them")
        properties.update(ONLINE_OPTIONS)
    return {"additionalProperties": False, **schema, "properties": properties}


def _unprintable(text: str) -> str | None:
    """Why ``text`` (a rule's documentation, which ``cliplint explain`` prints to the
    terminal and the reports carry) cannot be shown as it is; None when it can."""
    breaker = line_breaker(text, lines=True)
    if breaker is not None:  # an escape sequence would reach the user's terminal
        return f"holds {breaker}"
    if not utf8_encodable(text):
        return "holds a lone surrogate, which UTF-8 cannot write"
    return None


#: The keywords that make a JSON Schema depend on another: each option's schema is
#: checked against its default, and documented, on its own.
_REFERENCES = ("$ref", "$dynamicRef")
#: Keywords whose value maps names (of options...) to schemas, and keywords whose value
#: is data, not a schema: "$ref" is a reference only where a keyword stands.
_NAMED_SCHEMAS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
_DATA = ("default", "const", "enum", "examples")


def _json_problem(value: Any, at: str = "", within: str = "schema") -> str | None:
    """What in an ``OPTIONS`` schema JSON cannot write and read back as it is (cliplint
    writes it in ``rules --json`` and in the registry's snapshot; its defaults reach the
    rule) or a configuration file cannot hold, or a reference; None when there is none.
    ``within``: what ``value`` is, a ``"schema"``, ``"names"`` (of schemas) or ``"data"``."""
    where = at or "the top level"
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"has a key that is not a string at {where}: {key!r}"
            if within == "schema" and key in _REFERENCES:
                return (f"uses {key} at {at}/{key}: each option's schema must stand alone "
                        "(cliplint checks and documents each option by its own schema)")
            inner = ("data" if within == "data" or key in _DATA else
                     "names" if within == "schema" and key in _NAMED_SCHEMAS else "schema")
            found = _json_problem(item, f"{at}/{key}", inner)
            if found is not None:
                return found
        return None
    if type(value) is list:
        for index, item in enumerate(value):
            found = _json_problem(item, f"{at}/{index}", within)
            if found is not None:
                return found
        return None
    if value is None or isinstance(value, (str, bool)):
        return None
    if isinstance(value, int):
        if -2**63 <= value < 2**63:
            return None
        return f"holds an integer beyond 64 bits at {where}, which TOML cannot write"
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return f"holds {value} at {where}, which JSON cannot write"
    kind = type(value).__name__
    return f"holds a {kind} at {where}, which is no JSON value" + (
        " (write a list)" if isinstance(value, tuple) else "")


@dataclass(frozen=True)
class Report:
    """The outcome of one run: every problem and every file that was checked."""

    problems: tuple[Problem, ...]
    files: tuple[str, ...]  # every file checked, in order (JUnit lists clean ones too)
    rules: Mapping[str, Rule] = field(default_factory=dict)

    @property
    def files_checked(self) -> int:
        """How many files were checked."""
        return len(self.files)

    @property
    def fixes(self) -> Fixes | None:
        """What ``--fix``, ``--fix-only`` or ``--diff`` did: ``fixed``, how many problems
        of each rule were fixed in each file, and ``mode``; ``None`` for a lint run's
        report (see :class:`cliplint.fixer.FixReport`)."""
        return None


class Tally(NamedTuple):
    """What a report's summary and the exit status need to know of a run, counted file
    by file so that the problems themselves need not be kept. (A named tuple, as
    :class:`Rule`: every run defines it.)"""

    files: int = 0
    problems: int = 0
    errors: int = 0
    warnings: int = 0
    internal_errors: int = 0
    safe_fixes: int = 0
    unsafe_fixes: int = 0
    by_rule: Mapping[str, int] = {}  # never changed: add() makes another

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


def too_large(path: str, size: int, limit: int) -> Problem:
    """Huge bodies take html5lib minutes; they are skipped with a notice instead."""
    message = f"file is {size:,} bytes, over max-file-size ({limit:,}); skipped"
    return file_problem(path, FILE_TOO_LARGE, message, severity="warning")


def file_problem(path: str, rule: str, message: str, severity: Severity = "error") -> Problem:
    """An engine problem about a whole file (unreadable, too large, I/O error)."""
    return Problem(path, rule, severity, message, 1, 1, 1, 1)
