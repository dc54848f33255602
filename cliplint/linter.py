"""Running rules over one document: pure functions from text (or bytes) to problems."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cliplint.config import ConfigError, Settings, resolve, validate
from cliplint.document import BINARY, Document, UnreadableFile
from cliplint.model import (
    ARCHIVE_KEY,
    ENGINE_STOPS,
    FILE_UNREADABLE,
    INTERNAL_ERROR,
    Applicability,
    Edit,
    Fix,
    Problem,
    Rule,
    Severity,
    error_text,
    file_problem,
    too_large,
)
from cliplint.rule_io import OnlineURL, Violation
from cliplint.streams import line_breaker, printing_aside, utf8_encodable
from cliplint.suppressions import (
    UNUSED_SUPPRESSION,
    Suppressions,
    archive_suppressed,
    find,
    unused_violations,
)

#: Past the cap, a rule's further violations are counted, up to this many times the cap,
#: for the summary's message; then the rule is no longer asked.
COUNT_BEYOND_CAP = 10


def lint_document(
    document: Document,
    rules: Mapping[str, Rule],
    settings: Settings,
    *,
    path: str,
    with_source: bool = False,
) -> list[Problem]:
    """Run every enabled rule on a document. A rule that raises becomes an
    ``internal-error`` problem naming the rule; the other rules still run.

    A rule's first ``max-problems-per-rule`` violations become problems; past that,
    one more problem of the rule, at the first violation left out, says how many more
    there are. The rule's generator is counted on only up to :data:`COUNT_BEYOND_CAP`
    times the cap and then dropped, so neither the time nor the memory a file costs
    grows without bound with what a hostile body makes a rule find."""
    return lint_past_the_cap(document, rules, settings, path=path, with_source=with_source)[0]


def lint_past_the_cap(
    document: Document,
    rules: Mapping[str, Rule],
    settings: Settings,
    *,
    path: str,
    with_source: bool = False,
    wanted: Callable[[Violation], bool] | None = None,
) -> tuple[list[Problem], list[Problem]]:
    """:func:`lint_document`, and the violations past the cap that ``wanted`` accepts,
    as problems apart. The fixer wants the fixes it will apply, all of them: a cap on
    them would cost a pass (a full re-lint) per thousand fixes, while the report stays
    capped. There are at most as many as the text has characters (fixes the fixer
    applies together neither overlap nor touch), so the work stays linear."""
    return _lint_in_scope(document, rules, _file_scope(document, settings), path=path,
                          with_source=with_source, wanted=wanted)


@dataclass(frozen=True, slots=True)
class _FileScope:
    """What linting a document and making its archive records both start from: the
    settings of its folder, the rules enabled for it and its inline suppressions
    (``None`` when it has none)."""

    settings: Settings
    enabled: tuple[str, ...]
    suppressions: Suppressions | None


def _file_scope(document: Document, settings: Settings) -> _FileScope:
    """The scope of a document under the run's settings."""
    own = settings.for_path(document.path)  # its folder's configuration
    return _FileScope(own, own.rules_for(document.path), find_suppressions(document))


def _lint_in_scope(
    document: Document,
    rules: Mapping[str, Rule],
    scope: _FileScope,
    *,
    path: str,
    with_source: bool,
    wanted: Callable[[Violation], bool] | None,
) -> tuple[list[Problem], list[Problem]]:
    """:func:`lint_past_the_cap` in a scope already found."""
    settings, enabled, suppressions = scope.settings, scope.enabled, scope.suppressions
    problems: list[Problem] = []
    wanted_problems: list[Problem] = []
    cap = settings.max_problems_per_rule
    cut_short: set[str] = set()  # rules whose violations were not all read (cap, crash)
    for rule_id in enabled:
        rule = rules[rule_id]
        if rule.check is None or rule_id == UNUSED_SUPPRESSION:
            continue  # an archive rule (see archive_records); unused-suppression: below
        try:
            found = rule.check(document, settings.rule_options(rule))
            if suppressions:
                # Suppressions read a violation's span: checked first, so that a
                # plugin's malformed one is told as it is told without suppressions.
                found = _to_the_end(suppressions.filter(
                    _checked(found, len(document.text)), rule_id, document.position),
                    cut_short, rule_id)
            listed, past = _capped(found, rule_id, cap, wanted, len(document.text) + 1,
                                   None if suppressions else len(document.text))
        except _Malformed as error:
            problems.append(_malformed_problem(document, path, rule_id, error))
            cut_short.add(rule_id)
            continue
        except ENGINE_STOPS:
            raise
        except BaseException as error:  # a crashing rule must not stop the run
            problems.append(crash_problem(document, path, rule_id, error))
            cut_short.add(rule_id)  # (its suppressions cannot be judged either)
            continue
        if listed or past:  # most rules find nothing in most files
            _add_problems(document, path, rule, settings, (listed, past),
                          (problems, wanted_problems), with_source, checked=bool(suppressions))
    if suppressions and UNUSED_SUPPRESSION in enabled and UNUSED_SUPPRESSION in rules:
        # Only now is it known which suppressions hid something.
        _use_for_online_steps(document, rules, enabled, settings, suppressions)
        unused = list(suppressions.filter(
            unused_violations(document, suppressions, rules, enabled, cut_short),
            UNUSED_SUPPRESSION, document.position))
        _add_problems(document, path, rules[UNUSED_SUPPRESSION], settings, (unused, []),
                      (problems, wanted_problems), with_source)
    problems.sort(key=lambda p: (p.line, p.column, p.rule, p.message))
    return problems, wanted_problems


def _to_the_end(violations: Iterable[Violation], cut_short: set[str],
                rule_id: str) -> Iterator[Violation]:
    """``violations``, the rule's id added to ``cut_short`` unless they are read to the
    end: the suppressions of the violations not read (past ``max-problems-per-rule``,
    see :func:`_capped`) were not asked, and cannot be said to hide nothing."""
    cut_short.add(rule_id)
    yield from violations
    cut_short.discard(rule_id)


def _use_for_online_steps(document: Document, rules: Mapping[str, Rule],
                          enabled: Collection[str], settings: Settings,
                          suppressions: Suppressions) -> None:
    """Mark used the suppressions that would hide a problem of a rule's online step (a
    URL it asks for under ``--online``, whose answer may be a problem): linting, offline,
    cannot tell whether they hide one, and ``--fix`` removed them as unused."""
    length = len(document.text)
    for rule_id in enabled:
        rule = rules[rule_id]
        if rule.online_urls is None:
            continue
        try:
            with printing_aside():
                # (at most as many as a rule may report: an endless one is --online's bug)
                asked = list(itertools.islice(rule.online_urls(
                    document, settings.rule_options(rule)), settings.max_problems_per_rule))
            starts = [item.start for item in asked if isinstance(item, OnlineURL)
                      and type(item.start) is int and 0 <= item.start <= length]
        except ENGINE_STOPS:
            raise
        except BaseException:  # noqa: BLE001  (its bugs are --online's to report)
            continue
        for start in starts:
            suppressions.hides(rule_id, start, document.position(start)[0])


def find_suppressions(document: Document) -> Suppressions | None:
    """The document's inline suppressions (None when it has none: the usual case, found
    with a substring search)."""
    directives, malformed = find(document)
    return Suppressions(directives, malformed) if directives or malformed else None


def _add_problems(document: Document, path: str, rule: Rule, settings: Settings,
                  found: tuple[list[Violation], list[Violation]],
                  into: tuple[list[Problem], list[Problem]], with_source: bool,
                  checked: bool = False) -> None:
    """A rule's violations as problems: the listed ones, and those past the cap.
    ``checked``: each was checked as the rule yielded it (see ``_checked``)."""
    configured = settings.severity.get(rule.id)
    try:
        for violations in found:
            for violation in violations:
                if not checked:
                    _check_violation(violation, len(document.text))
                if violation.fix is not None:
                    _check_strength(violation.fix, rule.fix)
        severities = [[rule.severity_of(violation, configured) for violation in violations]
                      for violations in found]
    except ValueError as error:  # a malformed violation, a kind or severity not declared
        into[0].append(_malformed_problem(document, path, rule.id, error))
        return
    for violations, kinds, problems in zip(found, severities, into):
        problems.extend(_problem(document, path, rule.id, severity, violation, with_source)
                        for severity, violation in zip(kinds, violations))


def _check_violation(violation: object, length: int) -> None:
    """``ValueError`` saying what is wrong with a violation a rule yielded, if anything:
    a plugin's bug must not become a report that points nowhere or breaks its schema."""
    if not isinstance(violation, Violation):
        raise ValueError(f"it yielded {type(violation).__name__} {violation!r:.60}, not a "
                         "Violation")
    start, end = violation.start, violation.end
    if type(start) is not int or type(end) is not int:  # (bool is an int subclass)
        raise ValueError(f"a violation's span is not two whole numbers: {start!r:.30}, "
                         f"{end!r:.30}")
    if not 0 <= start <= end <= length:
        raise ValueError(f"a violation's span {start}..{end} is not within the text "
                         f"(0..{length})")
    check_line(violation.message, "a violation's message")
    if violation.fix is not None:
        _check_fix(violation.fix, length)


class _Malformed(Exception):
    """A violation a rule yielded is not one the engine can report (see
    :func:`_check_violation`)."""


def _checked(found: Iterable[Violation], length: int) -> Iterator[Violation]:
    """The violations as the rule yields them, each checked (``_Malformed``)."""
    for violation in found:
        try:
            _check_violation(violation, length)
        except ValueError as error:
            raise _Malformed(str(error)) from None
        yield violation


def _malformed_problem(document: Document, path: str, rule_id: str,
                       error: Exception) -> Problem:
    """The ``internal-error`` problem of a rule that yielded what it must not."""
    return _problem(document, path, INTERNAL_ERROR, "error",
                    Violation(0, 0, f"rule {rule_id} crashed: {error}"), with_source=False)


def check_line(text: object, what: str) -> None:
    """``ValueError`` unless ``text`` (``what`` it is: a violation's message, a fix's
    description...) is one line of text that UTF-8 can write: a line break would pass for
    a report line of its own, an escape sequence would repaint the terminal."""
    if not isinstance(text, str):
        raise ValueError(f"{what} is a {type(text).__name__}, not text")
    breaker = line_breaker(text)
    if breaker is not None:
        raise ValueError(f"{what} holds {breaker}: it must be one line of text")
    if not utf8_encodable(text):
        raise ValueError(f"{what} holds a lone surrogate, which no report can be written with")


def _check_strength(fix: Fix, strongest: Applicability | None) -> None:
    """``ValueError`` when a fix is safer than the rule's ``FIX`` says its fixes can be:
    ``--fix`` applies safe fixes without asking, and a rule declared unsafe (or without
    fixes) that offers a safe one is taken at its word by ``cliplint rules``, not by the
    fixer."""
    if strongest is None:
        raise ValueError("a violation has a fix, but the rule declares none (FIX = None)")
    if fix.applicability == "safe" and strongest == "unsafe":
        raise ValueError("a fix is 'safe', but the rule declares its fixes unsafe "
                         "(FIX = 'unsafe')")


def _check_fix(fix: object, length: int) -> None:
    """``ValueError`` when a violation's fix is not of the shape the fixer reads, or its
    edits do not fit a text of ``length`` characters (outside it, or overlapping each
    other): the report would offer it as fixable, and --fix refuse it. How its edits meet
    the text (a CRLF split, other line endings) is the fixer's to say: a
    ``malformed-fix`` refusal."""
    if not isinstance(fix, Fix):
        raise ValueError(f"a violation's fix is a {type(fix).__name__}, not a Fix")
    if fix.applicability not in ("safe", "unsafe"):
        raise ValueError(f"a fix's applicability is neither 'safe' nor 'unsafe': "
                         f"{fix.applicability!r:.30}")
    check_line(fix.description, "a fix's description")  # (--show-fixes prints it)
    if not isinstance(fix.edits, tuple) or not fix.edits:
        raise ValueError("a fix's edits are not a tuple of one Edit or more")
    for edit in fix.edits:
        if not isinstance(edit, Edit):
            raise ValueError(f"a fix holds a {type(edit).__name__}, not an Edit")
        if type(edit.start) is not int or type(edit.end) is not int:
            raise ValueError(f"an edit's span is not two whole numbers: {edit.start!r:.30}, "
                             f"{edit.end!r:.30}")
        if not isinstance(edit.replacement, str):
            raise ValueError(f"an edit's replacement is a {type(edit.replacement).__name__}, "
                             "not text")
        if not 0 <= edit.start <= edit.end <= length:
            raise ValueError(f"an edit's span {edit.start}..{edit.end} is not within the "
                             f"text (0..{length})")
    edits = sorted(fix.edits, key=lambda edit: (edit.start, edit.end))
    if any(later.start < earlier.end for earlier, later in itertools.pairwise(edits)):
        raise ValueError("a fix's own edits overlap")


def _capped(found: Iterable[Violation], rule_id: str, cap: int,
            wanted: Callable[[Violation], bool] | None,
            most_wanted: int, length: int | None = None) -> tuple[list[Violation], list[Violation]]:
    """The first ``cap`` violations with a summary of the rest when there are more, and
    the rest that ``wanted`` accepts (at most ``most_wanted`` of them). ``length``: the
    text's, when the violations were not checked as they came (see ``_checked``): those
    past the cap are checked here (``_Malformed``), the listed ones with the problems."""
    found = iter(found)
    listed = list(itertools.islice(found, cap))
    if len(listed) < cap:
        return listed, []
    if length is not None:  # a malformed one past the cap is the rule's bug all the same
        found = _checked(found, length)
    past: list[Violation] = []
    first = None
    more = others = 0
    stopped = False
    for violation in found:
        if first is None:
            first = violation
        more += 1
        if wanted is not None and wanted(violation):
            past.append(violation)
            stopped = len(past) > most_wanted
        else:
            others += 1
            stopped = others > cap * COUNT_BEYOND_CAP
        if stopped:
            break
    if first is None:
        return listed, []
    count = f"over {more - 1:,}" if stopped else f"{more:,}"
    listed.append(Violation(
        first.start, first.end,
        f"{count} more {rule_id} problems not listed (max-problems-per-rule is {cap:,}); "
        "this is the first of them", severity=first.severity, kind=first.kind))
    return listed, past


def lint_and_record(
    document: Document,
    rules: Mapping[str, Rule],
    settings: Settings,
    *,
    path: str,
    with_source: bool = False,
) -> tuple[list[Problem], dict[str, Any]]:
    """:func:`lint_document`, and the archive records of :func:`archive_records` (a map
    step that crashed is one more problem, in order)."""
    scope = _file_scope(document, settings)  # once, for both
    problems = _lint_in_scope(document, rules, scope, path=path, with_source=with_source,
                              wanted=None)[0]
    records, crashes = _records_in_scope(document, rules, scope, path=path)
    if crashes:
        problems = sorted([*problems, *crashes], key=lambda p: (p.line, p.column, p.rule, p.message))
    return problems, records


def archive_records(
    document: Document,
    rules: Mapping[str, Rule],
    settings: Settings,
    *,
    path: str,
) -> tuple[dict[str, Any], list[Problem]]:
    """The map step of every archive rule enabled for the document: its records by rule
    id, and an ``internal-error`` problem for each map step that raised. A map step gets
    the rule's options without its inputs: a record describes the content alone (it is
    cached by content, and by path to spare reading files again)."""
    return _records_in_scope(document, rules, _file_scope(document, settings), path=path)


def _records_in_scope(
    document: Document,
    rules: Mapping[str, Rule],
    scope: _FileScope,
    *,
    path: str,
) -> tuple[dict[str, Any], list[Problem]]:
    """:func:`archive_records` in a scope already found."""
    settings, enabled, suppressions = scope.settings, scope.enabled, scope.suppressions
    records: dict[str, Any] = {}
    problems: list[Problem] = []
    for rule_id in enabled:
        rule = rules[rule_id]
        if rule.record is None:
            continue
        try:
            record = rule.record(document, settings.options.get(rule_id, {}))
            # (cliplint's own records are JSON's already: a test over the corpora)
            records[rule_id] = record if rule.plugin == "builtin" else _as_sent(record)
        except ENGINE_STOPS:
            raise
        except BaseException as error:  # a crashing rule must not stop the run
            problems.append(crash_problem(document, path, rule_id, error))
    if suppressions:
        # The archive rules whose problems about this file its comments suppress: the
        # reduce step drops them (cliplint.archive.reduce_archive).
        hidden = archive_suppressed(suppressions, (rule_id for rule_id in enabled
                                                   if rules[rule_id].is_archive_rule))
        if hidden:
            records[ARCHIVE_KEY] = hidden
    return records, problems


def _as_sent(record: Any) -> Any:
    """A third party's record as its reduce step gets it from the cache: through JSON (a
    tuple as a list, a number key as a string), so that it is not one way cold and
    another warm; as made when JSON cannot hold it (a set: not cached either).
    ``ValueError`` when pickle cannot hold it either (a function, a structure nested past
    the recursion limit): a worker could not send it to the main process, and the whole
    run failed with --jobs 2 and not with --jobs 1."""
    from cliplint.cache import stored_records

    stored = stored_records([{"": record}])[0]
    if stored is not None:
        return stored[""]
    import pickle

    try:
        pickle.dumps(record)
    except ENGINE_STOPS:
        raise
    except BaseException as error:
        raise ValueError(f"its map step made a record that neither JSON nor pickle can "
                         f"hold ({error_text(error)})") from None
    return record


def crash_problem(document: Document, path: str, rule_id: str, error: BaseException) -> Problem:
    """The ``internal-error`` problem of a rule that raised on a document."""
    return _problem(document, path, INTERNAL_ERROR, "error",
                    Violation(0, 0, f"rule {rule_id} crashed: {error_text(error)}"),
                    with_source=False)


def lint_bytes(
    data: bytes,
    rules: Mapping[str, Rule],
    settings: Settings,
    *,
    path: str,
    with_source: bool = False,
) -> list[Problem]:
    """Decode and lint a file's bytes; undecodable or oversized input is one problem."""
    document = decode_clipping(data, settings, path=path)
    if isinstance(document, Problem):
        return [document]
    return lint_document(document, rules, settings, path=path, with_source=with_source)


def decode_clipping(data: bytes, settings: Settings, *, path: str) -> Document | Problem:
    """The document in a file's bytes, or the one problem that stands in for it (too
    large to parse in reasonable time, binary, not UTF-8)."""
    if len(data) > settings.max_file_size:
        return too_large(path, len(data), settings.max_file_size)
    try:
        return Document.from_bytes(data, path=path)
    except UnreadableFile as error:
        return file_problem(path, FILE_UNREADABLE, str(error))


def text_too_large(text: str, settings: Settings, *, path: str) -> Problem | None:
    """``too_large`` for a text given to the library, measured as its UTF-8 file."""
    if len(text) * 4 <= settings.max_file_size:  # no need to encode it to know
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return too_large(path, size, settings.max_file_size) if size > settings.max_file_size else None


def _problem(
    document: Document,
    path: str,
    rule_id: str,
    severity: Severity,
    violation: Violation,
    with_source: bool,
) -> Problem:
    line, column = document.position(violation.start)
    end_line, end_column = document.position(max(violation.end, violation.start))
    return Problem(
        path=path,
        rule=rule_id,
        severity=severity,
        message=violation.message,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        start=violation.start,
        end=violation.end,
        fix=violation.fix,
        **(source_excerpt(document, line, column) if with_source else {}),
    )


#: Code points kept on either side of a problem's column in ``Problem.source``: more than
#: any consumer shows (--show-source: 100 terminal columns; baseline fingerprints: 32
#: before, 152 after).
SOURCE_MARGIN = 300


def source_excerpt(document: Document, line: int, column: int) -> dict[str, Any]:
    """``source`` and ``source_column`` for a problem at ``line``:``column``."""
    text = document.line_text(line)
    start = max(0, column - 1 - SOURCE_MARGIN)
    return {"source": text[start : column - 1 + SOURCE_MARGIN], "source_column": start + 1}


def lint_text(
    text: str,
    path: str | None = None,
    config: Mapping[str, Any] | None = None,
    *,
    select: Iterable[str] | None = None,
) -> list[Problem]:
    """Lint a clipping given as text; the library entry point.

    ``config`` is a table shaped like ``cliplint.toml`` (validated the same way: a
    :class:`cliplint.config.ConfigError`, a ``ValueError``, says what is wrong);
    ``select`` narrows the rules further. Plugins are the installed ones. Archive rules
    need the other clippings of the archive: see :func:`cliplint.archive.lint_archive`.
    """
    rules, settings = library_settings(config, select)
    document = library_document(text, path, settings)
    if isinstance(document, Problem):
        return [document]
    return lint_document(document, rules, settings, path=path or "-")


def library_settings(config: Mapping[str, Any] | None,
                     select: Iterable[str] | None) -> tuple[Mapping[str, Rule], Settings]:
    """The installed rules, and the settings of a config table given to the library.
    ``select`` names rules as ``--select`` does: an unknown one is a ``ConfigError`` (as
    on the command line, not a silent run of no rule), a bare string a ``TypeError``."""
    from cliplint.config import Selection, check_selectors
    from cliplint.plugins import load_registry

    if config is not None and not isinstance(config, Mapping):
        raise TypeError(f"config must be a mapping (a cliplint.toml table), got "
                        f"{type(config).__name__}")
    rules = load_registry().rules
    table = _lists_for_tuples(dict(config or {}))
    validate(table, rules, source="config")
    if "extend" in table:  # (it was ignored: the library reads no file)
        raise ConfigError("config: extend names a configuration file to build on, which the "
                          "library does not read: pass the whole table (tomllib reads a file)")
    selection = Selection()
    if select is not None:
        chosen = () if isinstance(select, str) else tuple(select)
        if isinstance(select, str) or not all(isinstance(item, str) for item in chosen):
            raise TypeError(f"select must be a list of rule ids, got {select!r:.80}")
        check_selectors(chosen, rules, "select")
        selection = Selection(select=chosen)
    return rules, resolve(table, rules, command_line=selection)


#: Deeper than any configuration nests (a rule's option in a table: four): a table
#: that holds itself (``d["rules"] = d``) ended in a RecursionError.
_DEEPEST_CONFIG = 32


def _lists_for_tuples(value: Any, where: str = "config", depth: int = 0) -> Any:
    """A config table with its tuples as lists: a TOML array is a list, and Python code
    writes ``("title-link",)`` as readily (JSON Schema's "array" is a list only, which
    made "['title-link'] is not of type 'array'"). :class:`ConfigError` for what no TOML
    file can hold: a key that is not a str (an int key of ``per-file-ignores`` passed
    the schema and failed in the glob matching), a table nested past
    :data:`_DEEPEST_CONFIG` (or holding itself)."""
    if depth > _DEEPEST_CONFIG and isinstance(value, (Mapping, list, tuple)):
        raise ConfigError(f"{where[:100]}...: nested more than {_DEEPEST_CONFIG} deep "
                          "(does a table hold itself?)")
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise ConfigError(f"{where}: keys are strings, as in a TOML file; got "
                                  f"{key!r:.80} ({type(key).__name__})")
        return {key: _lists_for_tuples(item, f"{where}.{key}", depth + 1)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists_for_tuples(item, f"{where}[{index}]", depth + 1)
                for index, item in enumerate(value)]
    return value


def check_library_input(text: object, path: object) -> None:
    """``TypeError`` for a text or a path of the wrong type given to the library (they
    failed deep inside, or made problems whose path no report can write)."""
    if not isinstance(text, str):
        hint = ("; decode it first (cliplint reads files as UTF-8)"
                if isinstance(text, (bytes, bytearray)) else "")
        raise TypeError(f"the text must be a str, got {type(text).__name__}{hint}")
    if path is not None and not isinstance(path, str):
        raise TypeError(f"the path must be a str or None, got {type(path).__name__}")


def library_document(text: str, path: str | None, settings: Settings) -> Document | Problem:
    """The document of a text given to the library, or the one problem that stands in
    for it, as for a file holding the text: too large, or binary (a NUL)."""
    check_library_input(text, path)
    oversized = text_too_large(text, settings, path=path or "-")
    if oversized is not None:
        return oversized
    if "\x00" in text:
        return file_problem(path or "-", FILE_UNREADABLE, BINARY)
    surrogate = _lone_surrogate(text)
    if surrogate is not None:
        # No file holds one (a file's bytes decode as UTF-8 or are unreadable), and the
        # rules quote what they find: a rule that met it crashed (its message could not
        # be written), duplicate-clipping's map step too. A scraper's json.loads('"\\udc80"')
        # makes one.
        return file_problem(path or "-", FILE_UNREADABLE,
                            f"not Unicode text UTF-8 can write: a lone surrogate "
                            f"U+{ord(text[surrogate]):04X} at offset {surrogate}")
    return Document.from_text(text, path=path)


def _lone_surrogate(text: str) -> int | None:
    """The offset of the first lone surrogate in ``text``, None when it holds none."""
    if utf8_encodable(text):
        return None
    return next(index for index, char in enumerate(text) if "\ud800" <= char <= "\udfff")
