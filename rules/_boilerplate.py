"""The aggregator-boilerplate catalogue: its entries, their JSON Schema, and loading.

The built-in catalogue is ``data/boilerplate.json``, validated against
``data/boilerplate.schema.json`` when it is first loaded. Entries from configuration
have the same shape (the rule embeds the entry schema in its options, so the engine
validates them with the rest of the config) and are validated again here, because
``check`` can also be called with options that never went through the config.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal
from urllib.parse import urlsplit

import jsonschema

Position = Literal["trailing", "leading", "anywhere"]
Applicability = Literal["safe", "unsafe"]
#: ``elements`` value naming a bare run of text instead of an element.
TEXT_RUN = "#text"
FIRST_LINK_IS_TITLE_URL = "first-link-is-title-url"
#: Elements every entry allows inside its block: links, breaks and inline formatting.
ALWAYS_ALLOWED = frozenset(
    {"a", "br", "wbr", "b", "i", "em", "strong", "small", "sub", "sup", "span", "font", "u", "s"}
)


class CatalogueError(ValueError):
    """An entry does not have the catalogue's shape; the message names entry and field."""


@dataclass(frozen=True)
class UrlMatch:
    """Which URLs a link or image may point to. Empty tuples allow any host or path."""

    hosts: tuple[str, ...] = ()
    paths: tuple[re.Pattern[str], ...] = ()

    def matches(self, url: str | None) -> bool:
        if not self.hosts and not self.paths:
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
        return not self.paths or any(pattern.search(parts.path) for pattern in self.paths)


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
    text: tuple[re.Pattern[str], ...] = ()
    links: UrlMatch = UrlMatch()
    min_links: int = 0
    max_links: int | None = None
    images: UrlMatch = UrlMatch()
    max_image_size: int | None = None
    allowed: frozenset[str] = ALWAYS_ALLOWED  # elements allowed inside the block
    conditions: frozenset[str] = frozenset()
    description: str = ""


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
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


def _validator(schema: Mapping[str, Any]) -> jsonschema.Draft202012Validator:
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
    """The catalogue shipped with cliplint, validated once."""
    data = json.loads(_data_file("boilerplate.json"))
    problems = _errors(data, catalogue_schema(), "boilerplate.json")
    if problems:
        raise CatalogueError("; ".join(problems))
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
        text=tuple(re.compile(pattern) for pattern in raw.get("text", ())),
        links=_url_match(links),
        min_links=links.get("min", 0),
        max_links=links.get("max"),
        images=_url_match(images),
        max_image_size=images.get("max-size"),
        allowed=ALWAYS_ALLOWED | frozenset(raw.get("allow", ())),
        conditions=frozenset(raw.get("conditions", ())),
        description=raw.get("description", ""),
    )


def _url_match(raw: Mapping[str, Any]) -> UrlMatch:
    return UrlMatch(
        hosts=tuple(host.lower() for host in raw.get("hosts", ())),
        paths=tuple(re.compile(pattern) for pattern in raw.get("paths", ())),
    )
