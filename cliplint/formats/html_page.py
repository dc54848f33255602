"""The archive report's page, made from the stats document (:mod:`archive_stats`).

Plain Python builds the markup: every string is escaped on its way into the page unless
it is :class:`Markup` made here (a template engine would add a dependency for a dozen
small functions). The page is self-contained: inline CSS, inline SVG charts, a few lines
of inline JavaScript (sorting, filtering), no request to anything, which its Content
Security Policy enforces: only the page's own style and script (by hash) may run.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cliplint.formats.archive_stats import month_number, months_counted
from cliplint.formats.text import printable
from cliplint.model import Rule

#: Okabe & Ito's colour-blind-safe palette (its black left out: it vanishes in dark
#: mode), then grey for the rules beyond them.
SERIES_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
                  "#CC79A7")
OTHER_RULES = "other rules"
#: Heat levels of the source × rule table (0: no problem).
HEAT_LEVELS = 6
#: A month axis longer than this shows only the months with clippings.
MAX_CONTIGUOUS_MONTHS = 360


class Markup(str):
    """Text that is already HTML (made by this module): not escaped again."""

    __slots__ = ()


def text(value: object) -> Markup:
    """Any value as HTML text: escaped, quotes too, and characters a page cannot show
    (controls, lone surrogates of undecodable file names) and the bidi controls, which
    would reorder what the page shows (:func:`cliplint.formats.text.printable`), written
    as escapes."""
    if isinstance(value, Markup):
        return value
    shown = value if isinstance(value, str) else str(value)
    return Markup(html.escape(printable(shown), quote=True))


def preformatted(value: str) -> Markup:
    """Text for a ``<pre>`` (a rule's documentation, the configuration's JSON): as
    :func:`text`, but its line ends and tabs kept, which ``text`` would show as ``\\n``."""
    return Markup("\n".join("\t".join(text(part) for part in line.split("\t"))
                             for line in value.split("\n")))


def tag(name: str, *children: object, **attributes: object) -> Markup:
    """``<name attributes>children</name>``; attribute names: ``class_`` -> ``class``,
    ``aria_label`` -> ``aria-label``; None or False leaves an attribute out, True writes
    it bare."""
    parts = [f"<{name}"]
    for key, value in attributes.items():
        if value is None or value is False:
            continue
        key = key.rstrip("_").replace("_", "-")
        parts.append(f" {key}" if value is True else f' {key}="{text(value)}"')
    parts.append(">")
    parts.extend(_flatten(children))
    if name not in _VOID:
        parts.append(f"</{name}>")
    return Markup("".join(parts))


_VOID = {"meta", "input", "br", "hr", "col", "img", "link"}


def _flatten(children: Iterable[object]) -> Iterable[str]:
    for child in children:
        if child is None or child is False:
            continue
        if isinstance(child, str):
            yield text(child)
        elif isinstance(child, (list, tuple)) or hasattr(child, "__next__"):
            yield from _flatten(child)  # type: ignore[arg-type]
        else:
            yield text(child)


def number(value: int) -> str:
    return f"{value:,}"


def anchor(rule_id: str) -> str:
    """An id for a rule's documentation: any rule id (plugin ids hold ``/``) made safe."""
    return "doc-" + re.sub(r"[^A-Za-z0-9-]", lambda m: f"_{ord(m.group()):x}_", rule_id)


# -- the page -------------------------------------------------------------------------------


def page(stats: Mapping[str, Any], rules: Mapping[str, Rule],
         previous: Mapping[str, Any] | None = None, previous_name: str | None = None) -> str:
    """The whole page."""
    order = _rule_order(stats)
    body = tag(
        "body",
        tag("header",
            tag("h1", "cliplint archive report"),
            tag("p", f"{number(stats['files'])} files checked, "
                     f"{number(stats['problems']['total'])} problems — generated "
                     f"{stats['generated']} by cliplint {stats['tool']['version']}",
                class_="muted"),
            tag("nav", tag("ul", [tag("li", tag("a", title, href=f"#{key}"))
                                  for key, title in _SECTIONS]), aria_label="Sections")),
        tag("main",
            _summary(stats, rules),
            _trend(stats, previous, previous_name),
            _rules_table(stats, rules),
            _months(stats, order),
            _sources(stats, order),
            _top_files(stats),
            _duplicates(stats),
            _documentation(stats, rules)),
        tag("footer", tag("p", _limits_note(stats), class_="muted")),
        Markup(f"<script>{SCRIPT}</script>"),
    )
    head = Markup(
        '<meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark">'
        '<meta name="generator" content="cliplint">'
    ) + tag("title", f"cliplint archive report — {number(stats['files'])} files") + Markup(
        f"<style>{STYLE}</style>")
    return f'<!DOCTYPE html>\n<html lang="en">\n<head>{head}</head>\n{body}\n</html>\n'


_SECTIONS = (("summary", "Summary"), ("trend", "Trend"), ("rules", "Rules"),
             ("months", "Per month"), ("sources", "Sources"), ("files", "Top files"),
             ("duplicates", "Duplicates"), ("docs", "Rule documentation"))


def _section(key: str, title: str, *content: object) -> Markup:
    return tag("section", tag("h2", title), *content, id=key)


def _rule_order(stats: Mapping[str, Any]) -> list[str]:
    """Rules with problems, the most first."""
    found = [(counts["total"], rule_id) for rule_id, counts in stats["rules"].items()
             if counts["total"]]
    return [rule_id for _, rule_id in sorted(found, key=lambda item: (-item[0], item[1]))]


def _summary(stats: Mapping[str, Any], rules: Mapping[str, Rule]) -> Markup:
    problems = stats["problems"]
    configuration = stats["configuration"]
    no_month = (number(stats["no_month"]["files"]) if months_counted(stats)
                else "not counted (see Problems per month)")
    facts = [
        ("Files checked", number(stats["files"])),
        ("Problems", number(problems["total"])),
        ("Errors", number(problems["error"])),
        ("Warnings", number(problems["warning"])),
        ("Infos", number(problems["info"])),
        ("Fixable with --fix", number(problems["safe_fixes"])),
        ("Fixable with --fix --unsafe-fixes", number(problems["unsafe_fixes"])),
        ("Files without a timestamp comment", no_month),
        ("Duplicate copies", number(stats["duplicates"]["copies"])),
        ("cliplint version", stats["tool"]["version"]),
        ("Generated (UTC)", stats["generated"]),
    ]
    if configuration is not None:
        enabled = configuration.get("enabled", [])
        facts.append(("Configuration file", configuration.get("config-file") or
                      "none (defaults)"))
        facts.append(("Rules enabled", f"{len(enabled)} of {len(rules)}"))
        shown = tag("details", tag("summary", "Configuration used"),
                    tag("pre", preformatted(json.dumps(configuration, ensure_ascii=False, indent=2))))
    else:
        shown = tag("p", "The configuration was not recorded for this report.",
                    class_="muted")
    return _section(
        "summary", "Summary",
        tag("dl", [[tag("dt", name), tag("dd", value)] for name, value in facts],
            class_="facts"),
        shown)


def _trend(stats: Mapping[str, Any], previous: Mapping[str, Any] | None,
           previous_name: str | None) -> Markup:
    if previous is None:
        return _section("trend", "Trend", tag(
            "p", "No previous run to compare with. Run again with --compare "
                 "PREVIOUS.stats.json (the stats file a report writes next to itself) to "
                 "see the change per rule.", class_="muted"))
    before, now = previous["rules"], stats["rules"]
    rows = []
    for rule_id in sorted(set(before) | set(now),
                          key=lambda r: (-abs(_total(now, r) - _total(before, r)), r)):
        was, is_ = _total(before, rule_id), _total(now, rule_id)
        if not was and not is_:
            continue
        rows.append(tag("tr", tag("td", tag("a", rule_id, href=f"#{anchor(rule_id)}")),
                        _count_cell(was), _count_cell(is_), _change_cell(is_ - was)))
    total_before, total_now = previous["problems"]["total"], stats["problems"]["total"]
    rows_total = tag("tr", tag("th", "All rules", scope="row"), _count_cell(total_before),
                     _count_cell(total_now), _change_cell(total_now - total_before))
    notes = [f"Compared with {previous_name or 'a previous run'}, generated "
             f"{previous['generated']} by cliplint {previous['tool']['version']}: "
             f"{number(previous['files'])} files then, {number(stats['files'])} now."]
    then_enabled = (previous.get("configuration") or {}).get("enabled")
    now_enabled = (stats.get("configuration") or {}).get("enabled")
    if then_enabled is not None and now_enabled is not None and \
            sorted(then_enabled) != sorted(now_enabled):
        added = sorted(set(now_enabled) - set(then_enabled))
        dropped = sorted(set(then_enabled) - set(now_enabled))
        notes.append("The rules enabled differ: " + "; ".join(
            part for part in (f"added {', '.join(added)}" if added else "",
                              f"dropped {', '.join(dropped)}" if dropped else "") if part)
            + ".")
    return _section(
        "trend", "Trend",
        [tag("p", note) for note in notes],
        tag("table",
            tag("caption", "Problems per rule then and now (▲ more, ▼ fewer)"),
            tag("thead", tag("tr", tag("th", "Rule", scope="col"),
                             tag("th", "Then", scope="col", class_="n"),
                             tag("th", "Now", scope="col", class_="n"),
                             tag("th", "Change", scope="col", class_="n"))),
            tag("tbody", rows or tag("tr", tag("td", "No problems then or now.", colspan=4))),
            tag("tfoot", rows_total),
            class_="sortable", id="trend-table"))


def _total(rules: Mapping[str, Any], rule_id: str) -> int:
    counts = rules.get(rule_id)
    return int(counts["total"]) if counts else 0


def _count_cell(value: int, class_: str = "n") -> Markup:
    return tag("td", number(value), class_=class_, data_v=value)


def _change_cell(change: int) -> Markup:
    if change > 0:
        shown, kind = f"▲ +{number(change)}", "up"
    elif change < 0:
        shown, kind = f"▼ −{number(-change)}", "down"
    else:
        shown, kind = "0", "same"
    return tag("td", shown, class_=f"n {kind}", data_v=change)


def _rules_table(stats: Mapping[str, Any], rules: Mapping[str, Rule]) -> Markup:
    configuration = stats["configuration"]
    enabled = set(configuration.get("enabled", ())) if configuration is not None else None
    rows = []
    for rule_id, counts in sorted(stats["rules"].items(),
                                  key=lambda item: (-item[1]["total"], item[0])):
        rule = rules.get(rule_id)
        summary = rule.summary if rule is not None else "engine problem (no rule)"
        state = ("yes" if rule_id in enabled else "no") if enabled is not None and rule else ""
        name = tag("a", rule_id, href=f"#{anchor(rule_id)}") if rule is not None else rule_id
        rows.append(tag(
            "tr",
            tag("td", tag("code", name)),
            tag("td", summary),
            tag("td", state),
            _count_cell(counts["files"]),
            _count_cell(counts["error"]), _count_cell(counts["warning"]),
            _count_cell(counts["info"]),
            _count_cell(counts["safe_fixes"]), _count_cell(counts["unsafe_fixes"]),
            _count_cell(counts["total"], class_="n total"),
            class_=None if counts["total"] else "quiet"))
    heads = [("Rule", ""), ("Summary", ""), ("Enabled", ""), ("Files", "n"),
             ("Errors", "n"), ("Warnings", "n"), ("Infos", "n"), ("Safe fixes", "n"),
             ("Unsafe fixes", "n"), ("Problems", "n")]
    return _section(
        "rules", "Rules",
        tag("p", "Every installed rule, with the problems it found by severity (as "
                 "configured). A rule's name leads to its documentation below.",
            class_="muted"),
        _filter("rules-table", "Filter rules"),
        tag("table",
            tag("thead", tag("tr", [tag("th", head, scope="col", class_=kind or None)
                                    for head, kind in heads])),
            tag("tbody", rows),
            class_="sortable", id="rules-table"))


def _filter(table_id: str, label: str) -> Markup:
    # Hidden until the script shows it: without JavaScript it would do nothing.
    return tag("input", type="search", placeholder=label, aria_label=label,
               data_filter=table_id, class_="filter", hidden=True)


# -- problems per month --------------------------------------------------------------------


def _series(order: Sequence[str]) -> tuple[list[str], dict[str, int]]:
    """The chart's series (the rules with the most problems, then the others together)
    and each rule's series index."""
    named = list(order[: len(SERIES_COLOURS)])
    index = {rule_id: i for i, rule_id in enumerate(named)}
    if len(order) > len(named):
        for rule_id in order[len(named):]:
            index[rule_id] = len(named)
        named.append(OTHER_RULES)
    return named, index


def _month_axis(months: Sequence[str]) -> tuple[list[str], bool]:
    """Every month from the first to the last (empty ones too), or only the months with
    clippings when that span is too long (a stray timestamp in 2286)."""
    if not months:
        return [], True
    first, last = month_number(months[0]), month_number(months[-1])
    if last - first >= MAX_CONTIGUOUS_MONTHS:
        return list(months), False
    return [f"{n // 12:04d}-{n % 12 + 1:02d}" for n in range(first, last + 1)], True


#: What the page says when its results carried no facts (a whole report).
MONTHS_NOT_COUNTED = (
    "Months were not counted for this page: it was made from every problem at the end of "
    "the run (--baseline, --online, --fix or standard input), which does not carry the "
    "clippings' timestamp comments. A lint run of the files (cliplint --format html PATH) "
    "shows the problems per month.")


def _months(stats: Mapping[str, Any], order: Sequence[str]) -> Markup:
    if not months_counted(stats):
        return _section("months", "Problems per month",
                        tag("p", MONTHS_NOT_COUNTED, class_="muted"))
    data = {entry["month"]: entry for entry in stats["months"]}
    no_month = stats["no_month"]
    other = stats.get("other_months")
    no_month_note = (f"{number(no_month['files'])} files have no readable timestamp comment "
                     f"({number(sum(no_month['by_rule'].values()))} problems); they are not "
                     "in the chart." if no_month["files"] or no_month["by_rule"] else "")
    other_note = (f"{_other_months_label(stats)}: {number(other['files'])} files "
                  f"({number(sum(other['by_rule'].values()))} problems); they are not in "
                  "the chart." if other else "")
    notes = " ".join(note for note in (no_month_note, other_note) if note)
    if not data:
        return _section("months", "Problems per month", tag(
            "p", ("" if other else "No clipping has a readable timestamp comment: there is "
                                    "no month to show. ") + notes, class_="muted"))
    counted = [*data.values(), *([other] if other else [])]
    month_order = [rule_id for rule_id in order
                   if any(rule_id in entry["by_rule"] for entry in counted)]
    series, index = _series(month_order)
    axis, contiguous = _month_axis(sorted(data))
    stacks = [_stack(data[month]["by_rule"] if month in data else {}, index, len(series))
              for month in axis]
    totals = [sum(values) for values in stacks]
    busiest = max(range(len(axis)), key=lambda i: (totals[i], -i))
    description = (
        f"Problems per month of the clippings' timestamps, stacked by rule, "
        f"{axis[0]} to {axis[-1]} ({len(data)} months with clippings"
        f"{'' if contiguous else '; only those months are shown'}). The busiest month is "
        f"{axis[busiest]} with {number(totals[busiest])} problems.")
    chart = _stacked_bars(axis, series, stacks, description)
    legend = tag("ul", [tag("li", _swatch(i), " ", name) for i, name in enumerate(series)],
                 class_="legend", aria_hidden="true")
    foot = tag("tfoot", _month_row(_other_months_label(stats), other["files"],
                                   _stack(other["by_rule"], index, len(series)))
               ) if other else None
    table = tag(
        "details",
        tag("summary", "The chart's data as a table"),
        tag("table",
            tag("thead", tag("tr", tag("th", "Month", scope="col"),
                             tag("th", "Files", scope="col", class_="n"),
                             [tag("th", name, scope="col", class_="n") for name in series],
                             tag("th", "All", scope="col", class_="n"))),
            tag("tbody", [_month_row(month, data[month]["files"], values)
                          for month, values in zip(axis, stacks) if month in data]),
            foot,
            class_="sortable", id="months-table"))
    return _section("months", "Problems per month",
                    tag("figure", chart, legend, tag("figcaption", description)),
                    tag("p", notes, class_="muted") if notes else None,
                    table)


def _stack(by_rule: Mapping[str, int], index: Mapping[str, int], width: int) -> list[int]:
    """A month's problems by series (``index``: each rule's), ``width`` of them."""
    values = [0] * width
    for rule_id, count in by_rule.items():
        values[index[rule_id]] += count
    return values


def _month_row(label: str, files: int, values: Sequence[int]) -> Markup:
    """A row of the months' table: its month (or months), files, problems by series and
    all of them."""
    return tag("tr", tag("th", label, scope="row"), _count_cell(files),
               [_count_cell(value) for value in values], _count_cell(sum(values)))


def _other_months_label(stats: Mapping[str, Any]) -> str:
    """What the months past ``months_tracked`` are called where they are counted."""
    tracked = stats["limits"].get("months_tracked")
    past = f" (past the first {number(tracked)} seen)" if tracked is not None else ""
    return f"{number(stats['other_months']['months'])} more months{past}, counted together"


def _swatch(series: int) -> Markup:
    return Markup(f'<svg class="swatch" width="12" height="12" viewBox="0 0 12 12">'
                  f'<rect class="c{series}" width="12" height="12"/></svg>')


def _stacked_bars(axis: Sequence[str], series: Sequence[str], stacks: Sequence[Sequence[int]],
                  description: str) -> Markup:
    width, height = 960, 300
    left, right, top, bottom = 64, 12, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((sum(values) for values in stacks), default=0) or 1
    step = _nice_step(peak / 4)
    ceiling = math.ceil(peak / step) * step
    band = plot_w / len(axis)
    bar = max(1.0, min(band * 0.8, 48.0))
    parts = [f'<svg class="chart" id="months-chart" viewBox="0 0 {width} {height}" '
             f'role="img" aria-labelledby="months-title months-desc" '
             f'preserveAspectRatio="xMidYMid meet">',
             '<title id="months-title">Problems per month by rule</title>',
             f'<desc id="months-desc">{text(description)}</desc>']
    for tick in range(0, int(ceiling) + 1, int(step)):
        y = top + plot_h - plot_h * tick / ceiling
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" '
                     f'y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{text(number(tick))}</text>')
    label_every = max(1, math.ceil(len(axis) * 64 / plot_w))
    for i, (month, values) in enumerate(zip(axis, stacks)):
        x = left + band * i + (band - bar) / 2
        y = top + plot_h
        parts.append(f'<g class="bar" data-month="{text(month)}">')
        for k, value in enumerate(values):
            if not value:
                continue
            h = plot_h * value / ceiling
            y -= h
            parts.append(f'<rect class="c{k}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                         f'height="{h:.2f}"><title>{text(month)} — {text(series[k])}: '
                         f'{text(number(value))}</title></rect>')
        parts.append("</g>")
        if i % label_every == 0:
            parts.append(f'<text class="tick" x="{x + bar / 2:.1f}" y="{height - bottom + 16}" '
                         f'text-anchor="middle">{text(month)}</text>')
    parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
                 f'y2="{top + plot_h}"/></svg>')
    return Markup("".join(parts))


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least ``raw`` (and at least 1)."""
    if raw <= 1:
        return 1
    power: float = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


# -- sources × rules ------------------------------------------------------------------------


def _sources(stats: Mapping[str, Any], order: Sequence[str]) -> Markup:
    sources = stats["sources"]
    shown, other = sources["shown"], sources["other"]
    rows_data = [(entry["name"], entry["kind"], entry["files"], entry["total"],
                  entry["by_rule"]) for entry in shown]
    columns = [rule_id for rule_id in order
               if any(rule_id in entry[4] for entry in rows_data)
               or rule_id in other["by_rule"]]
    if not rows_data:
        return _section("sources", "Sources × rules",
                        tag("p", "No files were checked.", class_="muted"))
    peak = max((count for entry in rows_data for count in entry[4].values()), default=0)

    def row(name: object, kind: str, files: int, total: int,
            by_rule: Mapping[str, int]) -> Markup:
        return tag("tr", tag("th", name, scope="row"), tag("td", kind),
                   _count_cell(files), _count_cell(total, class_="n total"),
                   [_heat_cell(by_rule.get(rule_id, 0), peak, name, rule_id)
                    for rule_id in columns])

    body = [row(*entry) for entry in rows_data]
    foot = None
    if other["sources"] or other["files"]:
        label = (f"{number(other['sources'])} other sources"
                 if sources["exact"] else f"{number(other['sources'])} other sources and more")
        foot = tag("tfoot", row(label, "", other["files"], other["total"], other["by_rule"]))
    note = (f"The {len(rows_data)} sources with the most problems of "
            f"{number(sources['count'])}{'' if sources['exact'] else '+'}; darker cells hold "
            "more problems (each cell shows its count). A source is the feed folder (one "
            "folder per feed), else the front matter's categories or author, else the title "
            "link's host.")
    return _section(
        "sources", "Sources × rules",
        tag("p", note, class_="muted"),
        tag("div",
            tag("table",
                tag("thead", tag("tr", tag("th", "Source", scope="col"),
                                 tag("th", "From", scope="col"),
                                 tag("th", "Files", scope="col", class_="n"),
                                 tag("th", "Problems", scope="col", class_="n"),
                                 [tag("th", tag("span", rule_id), scope="col",
                                      class_="n rule")
                                  for rule_id in columns])),
                tag("tbody", body), foot,
                class_="sortable heat", id="sources-table"),
            class_="scroll"))


def _heat_cell(count: int, peak: int, source: object, rule_id: str) -> Markup:
    level = 0
    if count and peak:
        level = min(HEAT_LEVELS,
                    max(1, math.ceil(HEAT_LEVELS * math.log1p(count) / math.log1p(peak))))
    return tag("td", number(count) if count else "·", class_=f"n h{level}", data_v=count,
               title=f"{source} · {rule_id}: {number(count)}")


# -- top files and duplicates ---------------------------------------------------------------


def _top_files(stats: Mapping[str, Any]) -> Markup:
    files = stats["top_files"]
    if not files:
        return _section("files", "Top offending files",
                        tag("p", "No file has a problem.", class_="muted"))
    rows = []
    for rank, entry in enumerate(files, 1):
        first = tag("ul", [tag("li", tag("code", f"{item['line']}:{item['column']}"), " ",
                               tag("a", item["rule"], href=f"#{anchor(item['rule'])}",
                                   class_=f"sev {item['severity']}"), " ", item["message"])
                           for item in entry["first"]], class_="first")
        rows.append(tag("tr", _count_cell(rank), tag("td", tag("code", entry["path"])),
                        tag("td", entry["source"]),
                        _count_cell(entry["problems"], class_="n total"),
                        _count_cell(entry["error"]), _count_cell(entry["warning"]),
                        _count_cell(entry["info"]), tag("td", first)))
    limit = stats["limits"]["top_files"]
    return _section(
        "files", "Top offending files",
        tag("p", f"The {len(files)} files with the most problems (at most {limit}), with "
                 f"their first {stats['limits']['first_problems']} problems.", class_="muted"),
        _filter("files-table", "Filter files"),
        tag("div", tag(
            "table",
            tag("thead", tag("tr", [tag("th", head, scope="col", class_=kind or None)
                                    for head, kind in (("#", "n"), ("File", ""),
                                                       ("Source", ""), ("Problems", "n"),
                                                       ("Errors", "n"), ("Warnings", "n"),
                                                       ("Infos", "n"),
                                                       ("First problems", ""))])),
            tag("tbody", rows), class_="sortable", id="files-table"), class_="scroll"))


def _duplicates(stats: Mapping[str, Any]) -> Markup:
    duplicates = stats["duplicates"]
    if not duplicates["copies"]:
        enabled = (stats["configuration"] or {}).get("enabled")
        why = (" (duplicate-clipping was not enabled)" if enabled is not None
               and "duplicate-clipping" not in enabled else "")
        return _section("duplicates", "Duplicate clusters",
                        tag("p", f"No duplicate clippings{why}.", class_="muted"))
    clusters = duplicates["listed"]
    count = f"{number(duplicates['clusters'])}{'' if duplicates['exact'] else '+'}"
    items = []
    for cluster in clusters:
        more = cluster["size"] - 1 - len(cluster["copies"])
        items.append(tag(
            "li",
            tag("p", tag("strong", f"{cluster['size']} copies"), " — keep ",
                tag("code", cluster["keep"])),
            tag("ul", [tag("li", tag("code", copy["path"]), " — ", copy["message"],
                           [" (duplicate of ", tag("code", copy["duplicate_of"]), ")"]
                           if copy["duplicate_of"] != cluster["keep"] else None)
                       for copy in cluster["copies"]],
                tag("li", f"and {number(more)} more", class_="muted") if more > 0 else None),
            class_="cluster"))
    return _section(
        "duplicates", "Duplicate clusters",
        tag("p", f"{number(duplicates['copies'])} copies in {count} clusters "
                 f"(duplicate-clipping); the {len(clusters)} biggest clusters. The copy to "
                 "keep is the oldest; nothing is deleted.", class_="muted"),
        tag("ol", items, class_="clusters", id="clusters"))


# -- documentation and notes ----------------------------------------------------------------


def _documentation(stats: Mapping[str, Any], rules: Mapping[str, Rule]) -> Markup:
    shown = [rule_id for rule_id in sorted(stats["rules"]) if rule_id in rules]
    articles = []
    for rule_id in shown:
        rule = rules[rule_id]
        fix = {"safe": "safe fix", "unsafe": "unsafe fix", None: "no fix"}.get(rule.fix, "")
        articles.append(tag("article",
                            tag("h3", tag("code", rule_id)),
                            tag("p", f"{rule.severity} by default, {fix}, from {rule.plugin}",
                                class_="muted"),
                            tag("pre", preformatted(rule.documentation), class_="doc"),
                            id=anchor(rule_id)))
    return _section("docs", "Rule documentation", articles)


def _limits_note(stats: Mapping[str, Any]) -> str:
    limits = stats["limits"]
    return (f"Aggregates and capped lists only: the top {limits['top_files']} files, the "
            f"{limits['sources_shown']} sources with the most problems, the "
            f"{limits['clusters_shown']} biggest duplicate clusters. The numbers are also in "
            "the stats file written next to this page (see the README).")


# -- style and script -----------------------------------------------------------------------

STYLE = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1b;--muted:#595959;--line:#d4d4d4;
--panel:#f4f5f7;--link:#0b57a4;--up:#a3002a;--down:#00604a;--error:#a3002a;
--warning:#7a4d00;--info:#1d4f91;--other:#8c8c8c}
@media (prefers-color-scheme:dark){:root{--bg:#141414;--fg:#e8e8e8;--muted:#ababab;
--line:#3b3b3b;--panel:#1f1f1f;--link:#8ec5ff;--up:#ff8fa3;--down:#7be0bf;
--error:#ff8fa3;--warning:#ffc56b;--info:#9cc7ff;--other:#9e9e9e}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1240px;padding:1rem 1.5rem 3rem;background:var(--bg);
color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",
"Noto Sans CJK SC","Microsoft YaHei",sans-serif}
a{color:var(--link)}h1{font-size:1.6rem;margin:.2rem 0}h2{margin-top:2.2rem;
border-bottom:1px solid var(--line);padding-bottom:.2rem}
.muted{color:var(--muted)}code,pre{font-family:ui-monospace,"SFMono-Regular",Menlo,
Consolas,"Noto Sans Mono CJK SC",monospace;font-size:.9em}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem 1rem}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.2rem 1.2rem}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;margin:.5rem 0;min-width:50%}
caption{text-align:left;color:var(--muted);padding:.2rem 0}
th,td{border-bottom:1px solid var(--line);padding:.25rem .5rem;text-align:left;
vertical-align:top}
thead th{position:sticky;top:0;background:var(--bg)}
.sortable thead th{cursor:pointer}.sortable thead th[aria-sort=ascending]::after{content:" ▲"}
.sortable thead th[aria-sort=descending]::after{content:" ▼"}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.total{font-weight:600}#rules-table td:first-child code{white-space:nowrap}tr.quiet td{color:var(--muted)}
tfoot th,tfoot td{border-top:2px solid var(--line);font-weight:600}
.up{color:var(--up)}.down{color:var(--down)}
.sev.error{color:var(--error)}.sev.warning{color:var(--warning)}.sev.info{color:var(--info)}
.scroll{overflow-x:auto}
ul.first{margin:0;padding-left:1rem}ul.first li{overflow-wrap:anywhere}
#files-table{width:100%}#files-table td:nth-child(2){min-width:14rem;max-width:24rem}
#files-table td:last-child{min-width:24rem}
td code{overflow-wrap:anywhere}
.filter{display:block;margin:.5rem 0;padding:.3rem .5rem;min-width:18rem;
background:var(--panel);color:var(--fg);border:1px solid var(--line);border-radius:4px}
.filter[hidden]{display:none}
pre{background:var(--panel);padding:.6rem .8rem;border-radius:4px;white-space:pre-wrap;
overflow-wrap:anywhere}
article:target{outline:2px solid var(--link);outline-offset:4px}
figure{margin:0}svg.chart{width:100%;height:auto;max-height:360px;display:block}
svg.chart text{fill:var(--muted);font-size:12px}svg.chart .grid{stroke:var(--line)}
svg.chart .axis{stroke:var(--muted)}svg.chart rect{stroke:var(--bg);stroke-width:.5}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}
.swatch{vertical-align:-1px}
.c0{fill:#E69F00}.c1{fill:#56B4E9}.c2{fill:#009E73}.c3{fill:#F0E442}.c4{fill:#0072B2}
.c5{fill:#D55E00}.c6{fill:#CC79A7}.c7{fill:var(--other)}
table.heat th.rule span{writing-mode:vertical-rl;transform:rotate(180deg);
white-space:nowrap;font-weight:500}
table.heat td{text-align:center}
.h0{color:var(--muted)}.h1{background:#eef4fb}.h2{background:#d3e4f5}.h3{background:#a9cbe9}
.h4{background:#6fa6d6;color:#0c0c0c}.h5{background:#2f6fae;color:#fff}
.h6{background:#123f73;color:#fff}
@media (prefers-color-scheme:dark){.h1{background:#13263a}.h2{background:#173553}
.h3{background:#1d4c78}.h4{background:#2a66a0;color:#fff}.h5{background:#5596d4;
color:#0c0c0c}.h6{background:#9cc8f0;color:#0c0c0c}}
ol.clusters li.cluster{margin-bottom:.6rem}ol.clusters p{margin:.1rem 0}
footer{margin-top:3rem}
"""

SCRIPT = """
(function(){
"use strict";
function value(cell){
  var v=cell.getAttribute("data-v");
  return v===null?cell.textContent.trim().toLowerCase():parseFloat(v);
}
function sortBy(table,header,index){
  var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
  var ascending=header.getAttribute("aria-sort")!=="ascending";
  rows.sort(function(a,b){
    var x=value(a.cells[index]),y=value(b.cells[index]);
    var order=(typeof x==="number"&&typeof y==="number")?x-y:String(x).localeCompare(String(y));
    return ascending?order:-order;
  });
  Array.prototype.forEach.call(header.parentNode.cells,function(cell){
    cell.removeAttribute("aria-sort");
  });
  header.setAttribute("aria-sort",ascending?"ascending":"descending");
  rows.forEach(function(row){body.appendChild(row);});
}
Array.prototype.forEach.call(document.querySelectorAll("table.sortable"),function(table){
  if(!table.tHead||!table.tBodies.length){return;}
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(header,index){
    header.tabIndex=0;
    header.addEventListener("click",function(){sortBy(table,header,index);});
    header.addEventListener("keydown",function(event){
      if(event.key==="Enter"||event.key===" "){event.preventDefault();sortBy(table,header,index);}
    });
  });
});
Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"),function(input){
  var table=document.getElementById(input.getAttribute("data-filter"));
  if(!table){return;}
  input.hidden=false;
  input.addEventListener("input",function(){
    var query=input.value.trim().toLowerCase();
    Array.prototype.forEach.call(table.tBodies[0].rows,function(row){
      row.hidden=query!==""&&row.textContent.toLowerCase().indexOf(query)<0;
    });
  });
});
})();
"""


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


#: Nothing may load or run but the page's own style and script.
_POLICY = (f"default-src 'none'; style-src {_hash(STYLE)}; script-src {_hash(SCRIPT)}; "
           "img-src 'none'; base-uri 'none'; form-action 'none'")
