"""The archive report's numbers, counted file by file as the results stream.

Only aggregates and capped lists are kept: counts per rule, per month (the first
``months_tracked`` months; later ones are counted together), per source (the first
``sources_tracked`` sources; later ones are counted together), the ``top_files`` files
with the most problems, and the biggest duplicate clusters (the first
``clusters_tracked`` clusters are counted, later copies only as copies). Memory does not
grow with the number of files. The result is the *stats document*, written next to the
page (``report.stats.json``) and read back by ``--compare``; its JSON Schema ships as
``cliplint/schemas/stats.schema.json`` (the README describes it).
"""

from __future__ import annotations

import errno
import heapq
import json
import os
import stat
from collections import Counter
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple

from cliplint import __version__
from cliplint.archive import relative_to
from cliplint.facts import source_of
from cliplint.formats import escape_surrogates
from cliplint.json_text import parse_json
from cliplint.model import Problem, Rule, Tally

if TYPE_CHECKING:
    from cliplint.runner import FileResult

STATS_VERSION = 1
#: The largest stats file ``--compare`` reads. Its lists are capped (:class:`Limits`): the
#: stats of oped2 (3,000 clippings) are 90 kB, most of it the 50 top files' and 50
#: duplicate clusters' paths and messages, which stay a few MB even with paths thousands
#: of characters long; the months, at most a century of them (``months_tracked``), are
#: under a megabyte with every rule.
#: 16 MiB is room for all of that, and still parsed in a moment and a bounded memory.
LARGEST_STATS = 16 << 20
DUPLICATE_RULE = "duplicate-clipping"
#: What duplicate-clipping's related locations say (rules/duplicate_clipping.py): a
#: template's "also in" names no copy, and is no cluster.
DUPLICATE_OF, COPY_TO_KEEP = "duplicate of", "the copy to keep"
OTHER_SOURCES = "(other sources)"
_SEVERITY_INDEX = {"error": 0, "warning": 1, "info": 2}
#: Folders made relative to the archive root, remembered (then forgotten, to stay small).
_FOLDERS_REMEMBERED = 4_096
#: The months ``YYYY-MM`` can write (:func:`month_number`), 0000-01 to 9999-12.
_MONTHS_WRITABLE = 10_000 * 12


class Limits(NamedTuple):
    """The caps that keep the report's size and memory flat."""

    top_files: int = 50
    first_problems: int = 3
    sources_shown: int = 20
    sources_tracked: int = 2_000
    clusters_shown: int = 50
    clusters_tracked: int = 10_000
    copies_shown: int = 10
    message_length: int = 300
    #: A century, room for every month of a real archive: timestamp comments that hold
    #: ids spread a few thousand files over as many months (to the year 9999), each of
    #: which was a bar and a table row.
    months_tracked: int = 1_200


class StatsError(Exception):
    """A stats file that cannot be written, or a --compare file that is not a stats
    document this version can read."""


class _Source:
    __slots__ = ("by_rule", "files")

    def __init__(self) -> None:
        self.files = 0
        self.by_rule: Counter[str] = Counter()


class _Cluster:
    __slots__ = ("copies", "keep", "size")

    def __init__(self, keep: str) -> None:
        self.keep = keep
        self.size = 1  # the copy to keep
        self.copies: list[dict[str, str]] = []


class Collector:
    """Counts a run's results (``add`` each, in order); ``document`` makes the stats.

    ``months`` False: the results carry no facts (a whole report: ``--baseline``,
    ``--online``, ``--fix``, standard input), so no month is counted, nor any file as
    having none (:func:`months_counted`)."""

    def __init__(self, rules: Mapping[str, Rule], root: str | None = None,
                 limits: Limits = Limits(), months: bool = True) -> None:
        self.tally = Tally()
        self.limits = limits
        self._root = root
        self._folders: dict[str, str] = {}
        # Per rule: errors, warnings, infos, safe fixes, unsafe fixes, files.
        self._rules: dict[str, list[int]] = {rule_id: [0] * 6 for rule_id in rules}
        self._counts_months = months
        self._no_month = _Source()
        # None's bucket is there from the start: a month's own is made once (_month).
        # Without months it is one the document never shows.
        self._months: dict[str | None, _Source] = {None: self._no_month if months
                                                   else _Source()}
        self._other_months = _Source()  # months past the tracked ones, counted together
        self._other_seen: bytearray | None = None  # those months, by month_number
        self._other_count = 0
        self._sources: dict[tuple[str, str], _Source] = {}
        self._overflow = _Source()  # sources past the tracked ones, counted together
        self._overflowed = False
        self._top: list[list[Any]] = []  # a min-heap of [count, -order, path]
        self._top_entries: dict[str, dict[str, Any]] = {}
        self._order = 0
        self._clusters: dict[str, _Cluster] = {}
        self._copies = 0
        self._untracked_copies = 0

    def add(self, result: FileResult) -> None:
        problems = result.problems
        self.tally = self.tally.add(problems, result.checked)
        facts = result.facts
        month = facts.month if facts is not None else None
        by_month = self._months.get(month)
        if by_month is None:
            by_month = self._month(month)
        source = source_of(self._relative(result.path), facts)
        by_source = self._source(source)
        if result.checked:
            by_month.files += 1
            by_source.files += 1
        if not problems:
            return
        seen: set[str] = set()
        for problem in problems:
            counts = self._rules.get(problem.rule)
            if counts is None:
                counts = self._rules[problem.rule] = [0] * 6
            counts[_SEVERITY_INDEX.get(problem.severity, 0)] += 1
            if problem.fix is not None:
                counts[3 if problem.fix.applicability == "safe" else 4] += 1
            if problem.rule not in seen:
                seen.add(problem.rule)
                counts[5] += 1
            by_month.by_rule[problem.rule] += 1
            by_source.by_rule[problem.rule] += 1
            if problem.rule == DUPLICATE_RULE and problem.related:
                self._add_copy(problem)
        self._add_top(result.path, source[0], problems)

    def _relative(self, path: str) -> str:
        """The path relative to the archive root (what a source's folder is read from).
        Files come folder by folder: each folder is made relative once."""
        if self._root is None:
            return path.replace(os.sep, "/")
        folder, name = os.path.split(path)
        relative = self._folders.get(folder)
        if relative is None:
            if len(self._folders) >= _FOLDERS_REMEMBERED:
                self._folders.clear()
            try:
                relative = relative_to(folder or ".", self._root)
            except ValueError:  # another drive
                relative = folder.replace(os.sep, "/")
            self._folders[folder] = relative
        return name if relative == "." else f"{relative}/{name}"

    def _month(self, month: str | None) -> _Source:
        """The bucket of a month not seen yet: its own, or past ``months_tracked`` the
        one they are counted together in (which remembers how many months it holds)."""
        if month is None or not self._counts_months:
            return self._months[None]
        if len(self._months) - 1 < self.limits.months_tracked:
            found = self._months[month] = _Source()
            return found
        seen = self._other_seen
        if seen is None:
            seen = self._other_seen = bytearray(_MONTHS_WRITABLE)
        number = month_number(month)
        if not seen[number]:
            seen[number] = 1
            self._other_count += 1
        return self._other_months

    def _source(self, key: tuple[str, str]) -> _Source:
        found = self._sources.get(key)
        if found is not None:
            return found
        if len(self._sources) >= self.limits.sources_tracked:
            self._overflowed = True
            return self._overflow
        found = self._sources[key] = _Source()
        return found

    def _add_top(self, path: str, source: str, problems: list[Problem]) -> None:
        entry = self._top_entries.get(path)
        if entry is not None:  # an archive rule's problems with a file already listed
            entry["problems"] += len(problems)
            self._count_severities(entry, problems)
            self._add_first(entry, problems)
            for item in self._top:
                if item[2] == path:
                    item[0] = entry["problems"]
            heapq.heapify(self._top)
            return
        count = len(problems)
        if len(self._top) >= self.limits.top_files and count <= self._top[0][0]:
            return  # the usual case: not among the files with the most problems
        self._order += 1
        entry = {"path": path, "source": source, "problems": count,
                 "error": 0, "warning": 0, "info": 0, "first": []}
        self._count_severities(entry, problems)
        self._add_first(entry, problems)
        self._top_entries[path] = entry
        item = [count, -self._order, path]
        if len(self._top) < self.limits.top_files:
            heapq.heappush(self._top, item)
        else:
            dropped = heapq.heapreplace(self._top, item)
            del self._top_entries[dropped[2]]

    @staticmethod
    def _count_severities(entry: dict[str, Any], problems: Iterable[Problem]) -> None:
        for problem in problems:
            if problem.severity in _SEVERITY_INDEX:
                entry[problem.severity] += 1

    def _add_first(self, entry: dict[str, Any], problems: Iterable[Problem]) -> None:
        first: list[dict[str, Any]] = entry["first"]
        for problem in problems:
            if len(first) >= self.limits.first_problems:
                return
            first.append({"rule": problem.rule, "severity": problem.severity,
                          "line": problem.line, "column": problem.column,
                          "message": self._cut(problem.message)})

    def _cut(self, text: str) -> str:
        limit = self.limits.message_length
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def _add_copy(self, problem: Problem) -> None:
        duplicate_of = next((item.path for item in problem.related
                             if item.message == DUPLICATE_OF), None)
        if duplicate_of is None:
            return  # a template body, not a copy
        self._copies += 1
        keep = next((item.path for item in problem.related if item.message == COPY_TO_KEEP),
                    duplicate_of)
        cluster = self._clusters.get(keep)
        if cluster is None:
            if len(self._clusters) >= self.limits.clusters_tracked:
                self._untracked_copies += 1
                return
            cluster = self._clusters[keep] = _Cluster(keep)
        cluster.size += 1
        if len(cluster.copies) < self.limits.copies_shown:
            cluster.copies.append({"path": problem.path, "duplicate_of": duplicate_of,
                                   "message": self._cut(problem.message)})

    # -- the stats document -----------------------------------------------------------

    def document(self, generated: str, configuration: Mapping[str, Any] | None = None
                 ) -> dict[str, Any]:
        """The stats of the run so far (see ``cliplint/schemas/stats.schema.json``)."""
        tally = self.tally
        no_month = self._no_month
        return {
            "version": STATS_VERSION,
            "tool": {"name": "cliplint", "version": __version__},
            "generated": generated,
            "configuration": dict(configuration) if configuration is not None else None,
            "files": tally.files,
            "problems": {"total": tally.problems, "error": tally.errors,
                         "warning": tally.warnings,
                         "info": tally.problems - tally.errors - tally.warnings,
                         "safe_fixes": tally.safe_fixes, "unsafe_fixes": tally.unsafe_fixes},
            "rules": {rule_id: {"total": sum(counts[:3]), "error": counts[0],
                                "warning": counts[1], "info": counts[2],
                                "safe_fixes": counts[3], "unsafe_fixes": counts[4],
                                "files": counts[5]}
                      for rule_id, counts in sorted(self._rules.items())},
            "months": [{"month": month, "files": bucket.files, "by_rule": _sorted(bucket.by_rule)}
                       for month, bucket in sorted((m, b) for m, b in self._months.items()
                                                   if m is not None)],
            "no_month": {"files": no_month.files, "by_rule": _sorted(no_month.by_rule)},
            **self._other_months_document(),
            "sources": self._sources_document(),
            "top_files": self._top_files(),
            "duplicates": self._duplicates(),
            "limits": self.limits._asdict(),
        }

    def _other_months_document(self) -> dict[str, Any]:
        """``other_months``, only when there are any: the stats of an archive whose
        months fit stay as they were (and readable by a cliplint without the key)."""
        if not self._other_count:
            return {}
        other = self._other_months
        return {"other_months": {"months": self._other_count, "files": other.files,
                                 "by_rule": _sorted(other.by_rule)}}

    def _sources_document(self) -> dict[str, Any]:
        ranked = sorted(self._sources.items(),
                        key=lambda item: (-item[1].by_rule.total(), -item[1].files, item[0]))
        shown = ranked[: self.limits.sources_shown]
        other = _Source()
        other.files = self._overflow.files
        other.by_rule.update(self._overflow.by_rule)
        for _, bucket in ranked[self.limits.sources_shown:]:
            other.files += bucket.files
            other.by_rule.update(bucket.by_rule)
        return {
            "count": len(self._sources),
            "exact": not self._overflowed,
            "shown": [{"name": name, "kind": kind, "files": bucket.files,
                       "total": bucket.by_rule.total(), "by_rule": _sorted(bucket.by_rule)}
                      for (name, kind), bucket in shown],
            "other": {"sources": len(ranked) - len(shown),
                      "files": other.files, "total": other.by_rule.total(),
                      "by_rule": _sorted(other.by_rule)},
        }

    def _top_files(self) -> list[dict[str, Any]]:
        ranked = sorted(self._top, key=lambda item: (-item[0], -item[1]))
        return [self._top_entries[item[2]] for item in ranked]

    def _duplicates(self) -> dict[str, Any]:
        clusters = sorted(self._clusters.values(), key=lambda c: (-c.size, c.keep))
        return {
            "copies": self._copies,
            "clusters": len(clusters),
            "exact": not self._untracked_copies,
            "listed": [{"keep": cluster.keep, "size": cluster.size, "copies": cluster.copies}
                       for cluster in clusters[: self.limits.clusters_shown]],
        }


def _sorted(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items()))


def month_number(month: str) -> int:
    """A ``YYYY-MM`` month as months since 0000-01 (which is 0)."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def months_counted(stats: Mapping[str, Any]) -> bool:
    """Whether the stats counted months. A lint run counts each file checked in a month,
    in ``no_month`` or in ``other_months``; a page made from a whole report (its results
    carry no facts) counts none of them: ``months`` empty and ``no_month`` 0 while files
    were checked, which a lint run never writes."""
    return (not stats["files"] or bool(stats["months"]) or bool(stats["no_month"]["files"])
            or "other_months" in stats)


def stats_path(report_path: str) -> str | None:
    """Where the stats of a report written to ``report_path`` go: ``report.html`` ->
    ``report.stats.json``; None when the report goes to a device or a FIFO
    (``/dev/stdout``), beside which no file is made."""
    try:
        if not stat.S_ISREG(os.stat(report_path).st_mode):
            return None
    except OSError:
        pass  # not there yet: the report makes a file
    folder, name = os.path.split(report_path)
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return os.path.join(folder, f"{stem}.stats.json")


def dumps(stats: Mapping[str, Any]) -> str:
    return json.dumps(stats, ensure_ascii=False, indent=2) + "\n"


def write(path: str, stats: Mapping[str, Any]) -> None:
    """Write the stats file. A path a run could not decode (``surrogateescape``) is
    written as JSON's escape of the lone surrogate, so the file stays UTF-8 and JSON."""
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(escape_surrogates(dumps(stats)))
    except OSError as error:
        raise StatsError(f"cannot write {path}: {error.strerror or error}") from None


def _read_stats(path: str) -> bytes:
    """The bytes of the stats file ``path``, read as a baseline is
    (:func:`cliplint.streams.read_bounded`: a device refused, a FIFO read without
    waiting for a writer, ``OSError``); :class:`StatsError` when it holds more than
    :data:`LARGEST_STATS`, of which no more is read."""
    from cliplint.streams import read_bounded

    try:
        return read_bounded(path, LARGEST_STATS)
    except OSError as error:
        if error.errno != errno.EFBIG:
            raise
    raise StatsError(f"{path} is not a cliplint stats file: it holds more than "
                     f"{LARGEST_STATS // (1 << 20)} MiB (a stats file holds aggregates "
                     "and capped lists, well under a megabyte for an archive of "
                     "millions of clippings)")


def schema() -> dict[str, Any]:
    text = resources.files("cliplint").joinpath("schemas/stats.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def load(path: str) -> dict[str, Any]:
    """A previous run's stats file, validated against the schema; :class:`StatsError`
    saying what is wrong otherwise."""
    try:
        data = parse_json(_read_stats(path).decode("utf-8"))
    except OSError as error:
        raise StatsError(f"cannot read {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise StatsError(f"{path} is not a cliplint stats file (not JSON: {error})") from None
    if isinstance(data, dict) and isinstance(data.get("version"), int) and \
            data["version"] > STATS_VERSION:
        raise StatsError(f"{path} is a stats file of version {data['version']}, newer than "
                         f"this cliplint reads ({STATS_VERSION})")
    import jsonschema

    from cliplint.config import validator_class

    mismatch = jsonschema.exceptions.best_match(validator_class()(schema()).iter_errors(data))
    if mismatch is not None:
        where = "/".join(str(part) for part in mismatch.absolute_path) or "the top level"
        raise StatsError(f"{path} is not a cliplint stats file: at {where}: {mismatch.message}")
    stats: dict[str, Any] = data
    return stats
