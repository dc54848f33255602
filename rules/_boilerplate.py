"""The aggregator-boilerplate catalogue: its entries, their JSON Schema, and loading.

The built-in catalogue is ``data/boilerplate.json``, validated against
``data/boilerplate.schema.json`` by the test suite (tests/test_aggregator_boilerplate.py)
rather than on every start: importing jsonschema alone costs a pre-commit run on one
file more than linting it. Entries from configuration have the same shape (the rule
embeds the entry schema in its options, so the engine validates them with the rest of
the config) and are validated again here, because ``check`` can also be called with
options that never went through the config.
"""

from __future__ import annotations

import fnmatch
import json
import pkgutil
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

# The regex parser of the standard library (private, hence used defensively: any
# surprise disables the prefilter instead of risking a wrong skip).
from re import _parser as _sre  # type: ignore[attr-defined]
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

from cliplint.model import Applicability

Position = Literal["trailing", "leading", "anywhere"]
#: ``elements`` value naming a bare run of text instead of an element.
TEXT_RUN = "#text"
FIRST_LINK_IS_TITLE_URL = "first-link-is-title-url"
#: Like FIRST_LINK_IS_TITLE_URL, but the query and fragment may differ: Medium's feed adds
#: ``?source=rss-...`` to an item's link and not to the link in the item's footer.
FIRST_LINK_IS_TITLE_PAGE = "first-link-is-title-page"
#: Every link of the block goes to the host of the clipping's title URL (a leading
#: ``www.`` aside): a publication's own button, not one the writer points elsewhere.
LINKS_ON_TITLE_HOST = "links-on-title-host"
#: Elements every entry allows inside its block: links, breaks and inline formatting.
ALWAYS_ALLOWED = frozenset(
    {"a", "br", "wbr", "b", "i", "em", "strong", "small", "sub", "sup", "span", "font", "u", "s"}
)


class CatalogueError(ValueError):
    """An entry does not have the catalogue's shape; the message names entry and field."""


class UrlMatch(NamedTuple):
    """Which URLs a link or image may point to. Empty tuples allow any host, path or
    query."""

    hosts: tuple[str, ...] = ()
    paths: tuple[re.Pattern[str], ...] = ()
    queries: tuple[re.Pattern[str], ...] = ()

    def matches(self, url: str | None) -> bool:
        if not self.hosts and not self.paths and not self.queries:
            return True
        if not url:
            return False
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").rstrip(".")
        except ValueError:
            return False
        if self.hosts and not any(_host_matches(host, pattern) for pattern in self.hosts):
            return False
        if self.paths and not any(pattern.search(parts.path) for pattern in self.paths):
            return False
        return not self.queries or any(pattern.search(parts.query) for pattern in self.queries)


#: Any URL at all.
ANY_URL = UrlMatch()


def _host_matches(host: str, pattern: str) -> bool:
    """A host glob matches the host itself or any of its subdomains."""
    return bool(host) and (fnmatch.fnmatchcase(host, pattern) or
                           fnmatch.fnmatchcase(host, "*." + pattern))


@dataclass(frozen=True)
class Entry:
    """One kind of aggregator boilerplate (see the schema for what each field means)."""

    name: str
    label: str
    position: Position
    fix: Applicability
    elements: frozenset[str]
    classes: frozenset[str] = frozenset()
    #: (name, values): the element's attribute ``name`` must be one of ``values``.
    attributes: tuple[tuple[str, frozenset[str]], ...] = ()
    text: tuple[re.Pattern[str], ...] = ()
    links: UrlMatch = ANY_URL
    min_links: int = 0
    max_links: int | None = None
    images: UrlMatch = ANY_URL
    max_image_size: int | None = None
    allowed: frozenset[str] = ALWAYS_ALLOWED  # elements allowed inside the block
    conditions: frozenset[str] = frozenset()
    description: str = ""
    #: Entries whose block right before this one is part of the same boilerplate.
    joins: frozenset[str] = frozenset()
    #: Derived from ``text`` (see :func:`text_needs`); never set by hand.
    needs: TextNeeds | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Derived here rather than in entry_from_json so that no Entry, however it is
        # built, can carry a prefilter that disagrees with its own patterns.
        object.__setattr__(self, "needs", text_needs(self.text))

    def may_match_text(self, text: str, start: int, end: int) -> bool:
        """False only when no block whose plain text is ``text[start:end]`` can match
        ``self.text`` (a cheap, necessary test: True proves nothing)."""
        return self.needs is None or self.needs.found(text, start, end)


# -- the text prefilter ------------------------------------------------------------------


class TextNeeds(NamedTuple):
    """Literals one of an entry's text patterns needs, for skipping blocks cheaply.

    ``alternatives`` holds one tuple of clauses per text pattern; a clause searches for
    one of a few literals. A block can match the entry only if, for some pattern, every
    clause finds something in the block's plain text (its text nodes concatenated, no
    link brackets, whitespace as written).

    Why that is safe: a pattern must fullmatch the block's *normalised* text (the plain
    text with ``[``/``]`` around links and spaces between blocks inserted, whitespace
    runs collapsed to one space). A literal holding no whitespace and no bracket that
    a match must contain therefore appears unbroken in the normalised text, hence in
    the skeleton with nothing inserted inside it, hence in the plain text. Each clause
    is compiled with the pattern's own case flags, so ``(?i)`` literals are searched
    exactly as the pattern's matcher compares them.
    """

    alternatives: tuple[tuple[Clause, ...], ...]

    def found(self, text: str, start: int, end: int) -> bool:
        # Plain loops, not any(all(...)): this runs for every candidate block. A clause
        # holds when its pattern is found, or (without one) any of its literals.
        for clauses in self.alternatives:
            for literals, pattern in clauses:
                if pattern is not None:
                    if pattern.search(text, start, end) is None:
                        break
                    continue
                for literal in literals:
                    if text.find(literal, start, end) >= 0:
                        break
                else:
                    break  # none of the literals: the clause fails
            else:
                return True
        return False


class Clause(NamedTuple):
    """One of ``literals`` must occur. Case-sensitive literals are looked for with
    ``str.find``; ``pattern`` (their alternation, with the pattern's case flags) is
    compiled only when case does not matter. Every catalogue entry has clauses, and
    compiling them all as regexes cost a one-file run more than linting the file."""

    literals: tuple[str, ...]
    pattern: re.Pattern[str] | None = None


#: Characters a needed literal never spans: the normaliser rewrites whitespace and the
#: skeleton inserts brackets (and spaces) that the plain text does not have.
_BREAKS_LITERAL = re.compile(r"[\s\[\]]")
#: Flags that change how a literal compares; the others do not apply to escaped text.
_CASE_FLAGS = re.IGNORECASE | re.ASCII


def text_needs(patterns: tuple[re.Pattern[str], ...]) -> TextNeeds | None:
    """The literals ``patterns`` need (see :class:`TextNeeds`), or None when there are
    no patterns or one of them needs no literal we can prove: the entry is then never
    skipped on its text."""
    alternatives = []
    for pattern in patterns:
        try:
            clauses = _needed(_sre.parse(pattern.pattern, pattern.flags))
        except Exception:  # noqa: BLE001 (a private parser: in doubt, no prefilter)
            return None
        if not clauses:
            return None
        flags = pattern.flags & _CASE_FLAGS
        # Longest literals first: the rarest, so that a miss is found early; but those
        # str.find looks for before those needing a regex, which is many times slower.
        found = [_clause(tuple(sorted(clause)), flags) for clause in set(clauses)]
        ordered = sorted(found, key=lambda clause: (clause.pattern is not None,
                                                    -min(map(len, clause.literals)),
                                                    clause.literals))
        alternatives.append(tuple(ordered))
    return TextNeeds(tuple(alternatives)) if alternatives else None


def _clause(literals: tuple[str, ...], flags: int) -> Clause:
    # re.ASCII alone does not change how a literal matches, and neither does IGNORECASE
    # when no character is cased: re compiles those as plain literals. Any letter or
    # non-ASCII character counts as cased here (no Unicode tables needed), so only
    # literals of ASCII digits and punctuation go to str.find.
    if not flags & re.IGNORECASE or not any(
            char.isalpha() or not char.isascii() for literal in literals for char in literal):
        return Clause(literals)
    return Clause(literals, re.compile("|".join(map(re.escape, literals)), flags))


def _needed(items: Iterable[tuple[Any, Any]]) -> list[frozenset[str]]:
    """Clauses (sets of literals, one of which must occur) that any match of the parsed
    sequence ``items`` contains. Whatever is not understood contributes nothing."""
    clauses: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            clauses.append(frozenset({"".join(run)}))
            run.clear()

    for op, argument in items:
        if op is _sre.LITERAL and not _BREAKS_LITERAL.fullmatch(chr(argument)):
            run.append(chr(argument))
            continue
        flush()
        if op is _sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = argument
            if not add_flags and not del_flags:  # scoped flags would change the case rules
                clauses += _needed(sub)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            low, _high, sub = argument
            if low >= 1:
                clauses += _needed(sub)
        elif op is _sre.ATOMIC_GROUP:
            clauses += _needed(argument)
        elif op is _sre.BRANCH:
            # One of the alternatives matches, so one of their best literals occurs.
            best = [max(_needed(alternative), key=lambda c: min(map(len, c)), default=None)
                    for alternative in argument[1]]
            if best and all(clause is not None for clause in best):
                clauses.append(frozenset().union(*best))  # type: ignore[arg-type]
    flush()
    return clauses


# -- the schema --------------------------------------------------------------------------


@cache
def catalogue_schema() -> dict[str, Any]:
    """The JSON Schema of ``boilerplate.json``."""
    schema: dict[str, Any] = json.loads(_data_file("boilerplate.schema.json"))
    return schema


@cache
def entry_schema() -> dict[str, Any]:
    """The schema of one entry; self-contained, so the rule's options can embed it."""
    entry: dict[str, Any] = catalogue_schema()["$defs"]["entry"]
    return entry


def _data_file(name: str) -> str:
    # pkgutil.get_data, not importlib.resources.files(): the same file through the
    # package's loader (from a zip too), without importing importlib.resources, its
    # readers and zipfile (about 1% of a one-file cache miss).
    data = pkgutil.get_data(__name__.rpartition(".")[0], f"data/{name}")
    if data is None:  # a loader that reads no files (none that installs cliplint)
        raise OSError(f"cannot read {name}: the package's loader reads no data files")
    return data.decode("utf-8")


def _validator(schema: Mapping[str, Any]) -> Any:  # a jsonschema.Draft202012Validator
    import jsonschema  # only for user entries: slow to import

    # The format checker makes "format": "regex" reject patterns that do not compile.
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _errors(instance: Any, schema: Mapping[str, Any], prefix: str) -> list[str]:
    messages = []
    errors = sorted(_validator(schema).iter_errors(instance),
                    key=lambda error: list(map(str, error.absolute_path)))
    for error in errors:
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}"
                       for part in error.absolute_path)
        messages.append(f"{prefix}{path}: {error.message}")
    return messages


# -- loading -----------------------------------------------------------------------------


@cache
def builtin_entries() -> tuple[Entry, ...]:
    """The catalogue shipped with cliplint (its schema is checked by the tests)."""
    data = json.loads(_data_file("boilerplate.json"))
    entries = tuple(entry_from_json(raw) for raw in data["entries"])
    duplicates = _duplicates(entry.name for entry in entries)
    if duplicates:
        raise CatalogueError(f"boilerplate.json: duplicate entry names {duplicates}")
    return entries


@cache
def builtin_names() -> tuple[str, ...]:
    return tuple(entry.name for entry in builtin_entries())


def _duplicates(names: Iterable[str]) -> list[str]:
    return sorted(name for name, count in Counter(names).items() if count > 1)


def user_entries(raw_entries: Sequence[Mapping[str, Any]]) -> tuple[Entry, ...]:
    """Entries from configuration; raise :class:`CatalogueError` naming index and field."""
    if not raw_entries:
        return ()
    problems = []
    for index, raw in enumerate(raw_entries):
        problems += _errors(raw, entry_schema(), f"entries[{index}]")
    if problems:
        raise CatalogueError("; ".join(problems))
    return tuple(entry_from_json(raw) for raw in raw_entries)


@lru_cache(maxsize=64)  # one slot per distinct configuration; bounded for long-lived processes
def catalogue(user_json: str = "[]", disabled: tuple[str, ...] = ()) -> tuple[Entry, ...]:
    """The entries a run uses: the built-in ones minus ``disabled``, plus the user's.

    ``user_json`` is the JSON text of the configured entries (hashable, for the cache).
    A user entry with a built-in entry's name replaces it.
    """
    extra = user_entries(json.loads(user_json))
    replaced = {entry.name for entry in extra} | set(disabled)
    return tuple(entry for entry in builtin_entries() if entry.name not in replaced) + extra


def entry_from_json(raw: Mapping[str, Any]) -> Entry:
    """Build an entry from its (already validated) JSON form."""
    links = raw.get("links", {})
    images = raw.get("images", {})
    return Entry(
        name=raw["name"],
        label=raw["label"],
        position=raw["position"],
        fix=raw["fix"],
        elements=frozenset(raw["elements"]),
        classes=frozenset(raw.get("class", ())),
        attributes=tuple(sorted((name, frozenset(values))
                                for name, values in raw.get("attributes", {}).items())),
        text=tuple(re.compile(pattern) for pattern in raw.get("text", ())),
        links=_url_match(links),
        min_links=links.get("min", 0),
        max_links=links.get("max"),
        images=_url_match(images),
        max_image_size=images.get("max-size"),
        allowed=ALWAYS_ALLOWED | frozenset(raw.get("allow", ())),
        conditions=frozenset(raw.get("conditions", ())),
        description=raw.get("description", ""),
        joins=frozenset(raw.get("joins", ())),
    )


def _url_match(raw: Mapping[str, Any]) -> UrlMatch:
    return UrlMatch(
        hosts=tuple(host.lower() for host in raw.get("hosts", ())),
        paths=tuple(re.compile(pattern) for pattern in raw.get("paths", ())),
        queries=tuple(re.compile(pattern) for pattern in raw.get("queries", ())),
    )
