"""Count what four rules should find in a corpus, without cliplint: a cross-check.

    python scripts/count_rule_hits.py [CORPUS ...] [--tolerance HOURS] [--distribution] [--list]

For invisible-characters, title-escaping, relative-url and timestamp-consistency, counts
the problems each rule's documentation says it reports, with the standard library only:
the header is split with regexes, the body is read with ``html.parser`` (not html5lib),
the scripts ZWJ/ZWNJ belong to are told by Unicode character names (not by blocks), and
dates are found by regexes over the body's first characters (not in a parsed tree).
``--distribution`` prints, per shape of stated date, how far the timestamp lies from it
(the numbers behind timestamp-consistency's default tolerance); ``--list`` prints each hit.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT.parent / "shared" / "corpus" / "oped2", ROOT.parent / "shared" / "corpus" / "teahouse-dev"]

INVISIBLE = set("\u200b\u200c\u200d\u2060\ufeff\ufffd") | {chr(c) for c in range(0x202A, 0x202F)} \
    | {chr(c) for c in range(0x2066, 0x206A)} \
    | {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r\x0c"}
# Scripts by the first word of their characters' names.
JOINING = ("ARABIC", "SYRIAC", "NKO", "MANDAIC", "THAANA", "DEVANAGARI", "BENGALI", "GURMUKHI",
           "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA", "MALAYALAM", "SINHALA", "TIBETAN",
           "MYANMAR", "KHMER", "MONGOLIAN", "BRAHMI", "KAITHI", "SHARADA", "GRANTHA", "TIRHUTA")
UNSPACED = ("THAI", "LAO", "TIBETAN", "MYANMAR", "KHMER", "TAI THAM", "BALINESE", "JAVANESE")
HIDDEN = {"script", "style", "template", "noscript", "head", "title"}
URL_ATTRS = {("a", "href"), ("area", "href"), ("link", "href"), ("img", "src"), ("source", "src"),
             ("iframe", "src"), ("embed", "src"), ("video", "src"), ("video", "poster"),
             ("audio", "src"), ("track", "src"), ("input", "src"), ("object", "data")}
KEEP_ESCAPED = set("[]\\`*_<>~!\t\n\r") | INVISIBLE


def split(text: str) -> dict:
    """Front matter, timestamp, title, date line and body of a clipping, by regexes."""
    parts = {"front": "", "stamp": None, "title": None, "title_at": 0, "dateline": None, "body": "",
             "body_at": len(text)}
    position = 0
    front = re.match(r"---\n(.*?\n)(?:---|\.\.\.)\n", text, re.S)
    if front:
        parts["front"], position = front.group(1), front.end()
    stamp = re.compile(r"<!--(.*)-->\n").match(text, position)
    if stamp:
        parts["stamp"], position = stamp.group(1), stamp.end()
    title = re.compile(r"(\[.*?)\n-+[ \t]*\n", re.S).match(text, position)
    if title and title.group(1).count("\n") <= 5:
        parts["title"], parts["title_at"], position = title.group(1), position, title.end()
    dateline = re.compile(r"日期[：:](.*)\n").match(text, position)
    if dateline:
        parts["dateline"], position = dateline.group(1).strip(), dateline.end()
    blank = re.compile(r"[ \t]*\n").match(text, position)
    if blank and parts["title"] is not None:
        position = blank.end()
    parts["body"], parts["body_at"] = text[position:], position
    return parts


class Body(HTMLParser):
    """Text pieces (offset, text, decoded?) outside hidden elements, and start tags."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.hidden = 0
        self.texts: list[tuple[int, int, str]] = []  # (start, end, decoded text)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(source)
        self.close()

    def here(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, attrs))
        if tag in HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag in HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):  # noqa: ANN001
        if not self.hidden:
            start = self.here()
            self.texts.append((start, start + len(data), data))

    def _reference(self, written: str) -> None:
        if not self.hidden:
            start = self.here()
            end = start + len(written) + (1 if self.source.startswith(";", start + len(written)) else 0)
            self.texts.append((start, end, html.unescape(self.source[start:end])))

    def handle_charref(self, name):  # noqa: ANN001
        self._reference(f"&#{name}")

    def handle_entityref(self, name):  # noqa: ANN001
        self._reference(f"&{name}")


def script_of(char: str) -> str:
    return unicodedata.name(char, "")


def neighbour(text: str, index: int, step: int) -> str:
    while 0 <= index < len(text):
        char = text[index]
        if unicodedata.category(char) not in ("Mn", "Mc", "Me") and char not in "\ufe0e\ufe0f" \
                and not 0x1F3FB <= ord(char) <= 0x1F3FF:
            return char
        if step > 0:
            return char
        index += step
    return ""


def legitimate(char: str, before: str, after: str) -> bool:
    names = (script_of(before), script_of(after))
    if char == "\u200b":
        return all(name.startswith(UNSPACED) for name in names)
    if char in "\u200c\u200d":
        if any(name.startswith(JOINING) for name in names):
            return True
        return char == "\u200d" and all(unicodedata.category(c) == "So" for c in (before, after) if c) \
            and before and after
    return False


def invisible_hits(parts: dict) -> list[str]:
    """Runs of one invisible character in the title line and in the body's text."""
    hits: list[tuple[int, int, str, str]] = []  # start, end, char, where
    if parts["title"] is not None:
        title = parts["title"]
        for match in re.finditer(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*);|(.)", title, re.S):
            char = html.unescape(match.group()) if match.group(1) else match.group(2)
            if char in INVISIBLE:
                before = neighbour(title, match.start() - 1, -1)
                after = neighbour(title, match.end(), 1)
                if not legitimate(char, before, after):
                    hits.append((match.start(), match.end(), char, "title"))
    body = Body(parts["body"])
    source = parts["body"]
    for start, end, text in body.texts:
        raw = source[start:end] == text
        for index, char in enumerate(text):
            if char not in INVISIBLE:
                continue
            if raw:
                here = start + index
                before, after = neighbour(source, here - 1, -1), neighbour(source, here + 1, 1)
                if not legitimate(char, before, after):
                    hits.append((10**9 + here, 10**9 + here + 1, char, "body"))
            else:
                hits.append((10**9 + start, 10**9 + end, char, "body"))
    hits.sort()
    runs = []
    for hit in hits:
        if runs and runs[-1][1] == hit[0] and runs[-1][2] == hit[2]:
            runs[-1] = (runs[-1][0], hit[1], hit[2], hit[3])
        else:
            runs.append(hit)
    return [f"{where} U+{ord(char):04X}" for _, _, char, where in runs]


def title_escaping_hits(parts: dict) -> list[str]:
    title = parts["title"]
    if title is None:
        return []
    text = re.match(r"\[((?:\\.|[^\\])*?)\]\(", title, re.S)
    text = text.group(1) if text else ""
    hits = []
    for match in re.finditer(r"(\\*)&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*);"
                             r"((?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*);)?", text):
        if len(match.group(1)) % 2:
            continue
        if match.group(2) == "amp" and match.group(3) and html.unescape("&" + match.group(3)) != "&" + match.group(3):
            hits.append("twice " + match.group()[len(match.group(1)):])
            continue
        reference = "&" + match.group(2) + ";"
        decoded = html.unescape(reference)
        if decoded != reference and not set(decoded) & KEEP_ESCAPED:
            hits.append("once " + reference)
    return hits


def relative_url_hits(parts: dict) -> list[str]:
    hits = []
    for tag, attrs in Body(parts["body"]).tags:
        seen = set()
        for name, value in attrs:
            if name in seen or value is None:
                continue
            seen.add(name)
            urls = []
            if (tag, name) in URL_ATTRS:
                urls = [value]
            elif name == "srcset" and tag in ("img", "source"):
                urls = [candidate.split()[0] for candidate in re.split(r",\s+|,$", value.strip())
                        if candidate.split()]
            for url in urls:
                url = url.strip("".join(map(chr, range(0x21)))).replace("\t", "").replace("\n", "")
                if not url or url.startswith("#"):
                    continue
                try:
                    parsed = urlsplit(url.replace("\\", "/"))
                except ValueError:
                    continue
                if parsed.scheme and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*", url.split(":")[0]):
                    continue
                kind = "protocol-relative" if url.replace("\\", "/").startswith("//") else "relative"
                hits.append(f"{kind} {tag}[{name}] {url[:60]}")
    return hits


def stated_dates(parts: dict) -> list[tuple[str, datetime, datetime, datetime]]:
    """(shape, the date read as UTC, earliest, latest instant it can mean) of each date
    the clipping states."""
    dates = []
    any_zone = (timedelta(hours=14), timedelta(hours=12))
    front = re.search(r"^date:\s*['\"]?([^'\"\n]+)", parts["front"], re.M)
    if front:
        value = front.group(1).strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(re.sub(r" ([+-]\d\d):?(\d\d)$", r"\1:\2", value))
            if moment.tzinfo is None:
                utc = moment.replace(tzinfo=UTC)
                dates.append(("front matter, no zone", utc, utc - any_zone[0], utc + any_zone[1]))
            else:
                dates.append(("front matter", moment, moment, moment))
        except ValueError:
            pass
    if parts["dateline"]:
        try:
            moment = parsedate_to_datetime(parts["dateline"])
            dates.append(("日期 line", moment, moment, moment))
        except (TypeError, ValueError):
            pass
    head = parts["body"][:600]
    first = re.match(r"\s*<div>(?:<i>)?(?:([^<]{0,80})<br\s*/?>)?([^<]{1,80})(?:</i>)?</div>", head)
    if first:
        value = first.group(2).strip()
        rfc = re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d (GMT|[+-]\d{4})", value)
        iso = re.fullmatch(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?(Z)?", value)
        dmy = re.fullmatch(r"(\d\d)/(\d\d)/(\d{4}) - (\d\d):(\d\d)", value)
        cjk = re.fullmatch(r"(\d{4})年 ?(\d{1,2})月 ?(\d{1,2})日", value)
        if rfc:
            moment = parsedate_to_datetime(value)
            dates.append(("RFC 822", moment, moment, moment))
        elif iso:
            moment = datetime.fromisoformat(f"{iso.group(1)}T{iso.group(2)}").replace(tzinfo=UTC)
            if iso.group(4):
                dates.append(("ISO with Z" + (", author line" if first.group(1) is not None else ""),
                              moment, moment, moment))
            else:
                dates.append(("ISO, no zone" + (", author line" if first.group(1) is not None else ""),
                              moment, moment - any_zone[0], moment + any_zone[1]))
        elif dmy:
            day, month, year, hour, minute = map(int, dmy.groups())
            readings = []
            for d, m in ((day, month), (month, day)):
                try:
                    readings.append(datetime(year, m, d, hour, minute, tzinfo=UTC))
                except ValueError:
                    pass
            dates.append(("dd/mm/yyyy - HH:MM, no zone", readings[0], min(readings) - any_zone[0],
                          max(readings) + any_zone[1]))
        elif cjk:
            day = datetime(*map(int, cjk.groups()), tzinfo=UTC)
            dates.append(("yyyy年m月d日 (a day)", day, day - any_zone[0],
                          day + timedelta(days=1) + any_zone[1]))
    return dates


def timestamp_gaps(parts: dict) -> list[tuple[str, float, float]]:
    """(shape, hours past the latest instant the date can mean (negative: before the
    earliest, 0 inside), hours after the date read as UTC) per stated date."""
    stamp = (parts["stamp"] or "").strip()
    if not stamp.isdigit():
        return []
    moment = datetime.fromtimestamp(int(stamp) / 1000, tz=UTC)
    gaps = []
    for shape, as_utc, earliest, latest in stated_dates(parts):
        if moment > latest:
            gap = (moment - latest).total_seconds() / 3600
        elif moment < earliest:
            gap = (moment - earliest).total_seconds() / 3600
        else:
            gap = 0.0
        gaps.append((shape, gap, (moment - as_utc).total_seconds() / 3600))
    return gaps


def _quantiles(by_shape: dict[str, list[float]], over: bool = False) -> None:
    for shape, values in sorted(by_shape.items()):
        values = sorted(values)
        n = len(values)
        picked = [values[min(n - 1, int(q * (n - 1) + 0.5))] for q in (0, 0.5, 0.9, 0.99, 1)]
        line = f"    {shape}: n={n} " + " / ".join(f"{v:+.2f}" for v in picked)
        if over:
            line += " | " + "/".join(str(sum(abs(v) > h for v in values)) for h in (6, 12, 24, 48))
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="*", default=[str(c) for c in CORPORA])
    parser.add_argument("--tolerance", type=float, default=48.0, help="hours (default 48)")
    parser.add_argument("--distribution", action="store_true")
    parser.add_argument("--list", action="store_true")
    options = parser.parse_args()
    for corpus in options.corpora:
        counts: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        gaps_by_shape: dict[str, list[float]] = defaultdict(list)
        raw_by_shape: dict[str, list[float]] = defaultdict(list)
        files = 0
        for folder, _, names in os.walk(corpus):
            for name in sorted(names):
                if not name.endswith(".md"):
                    continue
                path = os.path.join(folder, name)
                files += 1
                parts = split(Path(path).read_text(encoding="utf-8"))
                found = {
                    "invisible-characters": invisible_hits(parts),
                    "title-escaping": title_escaping_hits(parts),
                    "relative-url": relative_url_hits(parts),
                    "timestamp-consistency": [],
                }
                for shape, gap, raw in timestamp_gaps(parts):
                    gaps_by_shape[shape].append(gap)
                    raw_by_shape[shape].append(raw)
                    if abs(gap) > options.tolerance:
                        found["timestamp-consistency"].append(f"{shape} {gap:+.1f}h")
                for rule, hits in found.items():
                    counts[rule] += len(hits)
                    for hit in hits:
                        kinds[f"{rule}: {hit.split()[0]}"] += 1
                        if options.list:
                            print(f"{path}: {rule}: {hit}")
        print(f"== {corpus} ({files} files)")
        for rule in ("invisible-characters", "title-escaping", "relative-url", "timestamp-consistency"):
            print(f"{rule}: {counts[rule]}")
        for kind, count in sorted(kinds.items()):
            print(f"    {kind}: {count}")
        if options.distribution:
            print("timestamp minus stated date, in hours: n, then min / median / p90 / p99 / max")
            print("  as written (a date without a zone read as UTC, a day as its first moment):")
            _quantiles(raw_by_shape)
            print("  beyond every instant the date can mean in any time zone (0: inside), and"
                  " how many beyond 6/12/24/48 h:")
            _quantiles(gaps_by_shape, over=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
