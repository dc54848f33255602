"""A plain, independent reference for cliplint's two archive rules, to check them against.

    python scripts/archive_reference.py ARCHIVE [--mirrors "_posts,archived/*"] [--groups] [--json OUT]

Finds in ARCHIVE (every ``*.md`` under it; paths are relative to ARCHIVE):

- duplicate clippings per kind (``url``, ``id``, ``body``, ``near``), their groups (connected
  components over all kinds, minus mirror pairs), the copy to keep per group (oldest timestamp,
  then path; none last) and the files that would be reported;
- path-portability problems per check.

Written from the rules' docstrings only (rules/duplicate_clipping.py, rules/path_portability.py),
without importing cliplint: it parses the clipping format itself, takes the visible text from
html5lib's tree, and compares every pair of files (near: on the FULL clause sets, no sketch).
The only shortcut is the size filter Jaccard(A, B) >= t  =>  min(|A|,|B|) >= t * max(|A|,|B|),
which cannot change the result. Prints counts (``--groups``: every group, its copy to keep and
the pairs on each other file); ``--json OUT`` writes everything as JSON.

Interpretations where the docstrings are silent or loose (each marked "interpretation:" below):
visible text breaks lines at block elements and <br> (like a browser's innerText) and keeps
<noscript> and <iframe> text; "spacing folded" turns every whitespace run into one space;
punctuation is Unicode category P*; entities are decoded until nothing changes (double-escaped
titles); "the same numbers" means the same multiset of digit runs and of part marks (一…十, 上中下
in brackets); two folders "of one group" of mirrors may match the same glob; a reserved name is
the part before the first dot; the collision key folds case and NFC together.
"""

from __future__ import annotations

import argparse
import fnmatch
import html
import json
import re
import sys
import unicodedata
from collections import defaultdict
from itertools import combinations
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

import html5lib

MIN_BODY_LENGTH = 80
NEAR_SIMILARITY = 0.7
TITLE_SIMILARITY = 0.7
ID_PATTERN = re.compile(r"^(\d+)_")
TRACKING = ["utm_*", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid",
            "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "spm"]
HIDDEN = {"script", "style", "template"}
# interpretation: "line breaks" of the visible text are newlines in text and the boundaries
# of these elements (what a browser's innerText would break at).
BLOCKS = {"address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl",
          "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
          "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
          "table", "td", "th", "tr", "ul"}


class Clipping(NamedTuple):
    path: str                # relative to the archive, '/'-separated
    timestamp: int | None
    title: str
    url: str
    text: str                # visible text of the body


# ---------------------------------------------------------------- parsing the clipping format

def parse_clipping(path: str, source: str, blocks: bool = True) -> Clipping:
    lines = source.split("\n")
    i = 0
    if lines and lines[0].rstrip("\r") == "---":                  # Jekyll front matter
        ends = [j for j in range(1, len(lines)) if lines[j].rstrip("\r") == "---"]
        i = ends[0] + 1 if ends else 0
    timestamp = None
    if i < len(lines) and (m := re.fullmatch(r"<!--([0-9]+)-->\s*", lines[i])):
        # (past 30 significant digits, as the rule reads it: int() refuses 4,300)
        digits = m.group(1).lstrip("0")
        timestamp, i = int(digits or "0") if len(digits) <= 30 else 10**30, i + 1
    underline = next((j for j in range(i, len(lines)) if re.fullmatch(r"-+\s*", lines[j])), None)
    if underline is None:
        return Clipping(path, timestamp, "", "", "")
    head = "\n".join(lines[i:underline])
    m = re.fullmatch(r"\s*\[(.*)\]\((\S*)\)\s*", head, re.DOTALL)   # greedy: the last "]("
    title, url = (m.group(1), m.group(2)) if m else ("", "")
    body = "\n".join(lines[underline + 1:])
    return Clipping(path, timestamp, title, url, visible_text(body, blocks))


def visible_text(body: str, blocks: bool = True) -> str:
    """Text of the parsed fragment; with `blocks`, block elements and <br> also break lines."""
    fragment = html5lib.parseFragment(body, treebuilder="etree", namespaceHTMLElements=False)
    parts: list[str] = []

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else "#comment"
        if tag not in HIDDEN and tag != "#comment":
            if blocks and tag in BLOCKS:
                parts.append("\n")
            parts.append(element.text or "")
            for child in element:
                walk(child)
            if blocks and tag in BLOCKS:
                parts.append("\n")
        parts.append(element.tail or "")

    parts.append(fragment.text or "")
    for child in fragment:
        walk(child)
    return "".join(parts)


# ---------------------------------------------------------------- keys and similarities

def fold(text: str) -> str:
    """Case and spacing folded (interpretation: whitespace runs become one space)."""
    return " ".join(text.casefold().split())


def clauses(text: str) -> frozenset[str]:
    """The visible text cut at punctuation (Unicode category P*) and line breaks, folded."""
    cut = "".join("\n" if unicodedata.category(c).startswith("P") else c for c in text)
    return frozenset(c for c in (fold(part) for part in cut.splitlines()) if c)


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def canonical_url(url: str) -> str | None:
    """None for what is not an article URL (not http(s), no host, a site's home page)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower() + (f":{port}" if port not in (None, 80, 443) else "")
    path = undo_percent(parts.path).rstrip("/")
    query = sorted((undo_percent(k), undo_percent(v))
                   for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not any(fnmatch.fnmatchcase(undo_percent(k), p) for p in TRACKING))
    if not path and not query:
        return None
    return "https://" + host + path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")


def undo_percent(text: str) -> str:
    while (decoded := unquote(text)) != text:    # "also when a copy encoded it twice"
        text = decoded
    return text


class Title(NamedTuple):
    normal: str                 # letters and digits only
    pairs: frozenset[str]       # character pairs of `normal`
    numbers: tuple[str, ...]    # digit runs and part marks, sorted


PART_MARK = re.compile(r"[(\[【〔]\s*([一二三四五六七八九十上中下]+)\s*[)\]】〕]")


def title_key(raw: str) -> Title:
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", raw)              # Markdown escapes
    while (decoded := html.unescape(text)) != text:                 # also double-escaped
        text = decoded
    text = unicodedata.normalize("NFKC", text).casefold()
    normal = "".join(c for c in text if unicodedata.category(c)[0] in "LN")
    # interpretation: "the same numbers" = the same multiset of digit runs and of part marks.
    numbers = tuple(sorted(re.findall(r"\d+", text) + PART_MARK.findall(text)))
    return Title(normal, frozenset(normal[k:k + 2] for k in range(len(normal) - 1)), numbers)


def titles_agree(a: Title, b: Title) -> str | None:
    """'same', 'similar' or None."""
    if a.normal == b.normal:
        return "same"
    if a.numbers == b.numbers and jaccard(a.pairs, b.pairs) >= TITLE_SIMILARITY:
        return "similar"
    return None


# ---------------------------------------------------------------- duplicate-clipping

def is_mirror_pair(a: str, b: str, mirrors: list[list[str]]) -> bool:
    """interpretation: same file name, both folders match a glob of one group (any globs)."""
    pa, pb = PurePosixPath(a), PurePosixPath(b)
    if pa.name != pb.name:
        return False
    return any(any(fnmatch.fnmatchcase(str(pa.parent), g) for g in group)
               and any(fnmatch.fnmatchcase(str(pb.parent), g) for g in group)
               for group in mirrors)


def find_pairs(clips: list[Clipping]) -> dict[str, dict[tuple[str, str], str]]:
    """Per kind: {(path_a, path_b): detail}, path_a < path_b, every pair of files compared."""
    found: dict[str, dict[tuple[str, str], str]] = {k: {} for k in ("url", "id", "body", "near")}
    urls = [canonical_url(c.url) for c in clips]
    titles = [title_key(c.title) for c in clips]
    texts = [fold(c.text) for c in clips]
    ids = [(str(PurePosixPath(c.path).parent), m.group(1))
           if (m := ID_PATTERN.match(PurePosixPath(c.path).name)) else None for c in clips]
    for i, j in combinations(range(len(clips)), 2):
        key = tuple(sorted((clips[i].path, clips[j].path)))
        if urls[i] is not None and urls[i] == urls[j]:
            found["url"][key] = urls[i]
        if ids[i] is not None and ids[i] == ids[j]:
            found["id"][key] = ids[i][1]
    # Bodies: only long enough ones; sorted by clause count so the size filter can stop early.
    sets = {k: clauses(c.text) for k, c in enumerate(clips) if len(texts[k]) >= MIN_BODY_LENGTH}
    long = sorted(sets, key=lambda k: len(sets[k]))
    for x, i in enumerate(long):
        for j in long[x + 1:]:
            if len(sets[i]) < NEAR_SIMILARITY * len(sets[j]):
                break                         # every later j is larger still
            same_text = texts[i] == texts[j]
            similarity = 1.0 if same_text else jaccard(sets[i], sets[j])
            if similarity < NEAR_SIMILARITY:
                continue
            agree = titles_agree(titles[i], titles[j])
            if agree is None:
                continue
            key = tuple(sorted((clips[i].path, clips[j].path)))
            if same_text:
                found["body"][key] = f"{agree} title"
            else:
                found["near"][key] = f"{similarity:.3f} {agree} title"
    return found


def template_groups(clips: list[Clipping]) -> list[list[str]]:
    """Groups of >= 3 clippings sharing one body whose titles do not all agree (info)."""
    by_body: dict[str, list[Clipping]] = defaultdict(list)
    for c in clips:
        if len(t := fold(c.text)) >= MIN_BODY_LENGTH:
            by_body[t].append(c)
    return sorted(sorted(c.path for c in group) for group in by_body.values()
                  if len(group) >= 3 and any(titles_agree(title_key(a.title), title_key(b.title))
                                             is None for a, b in combinations(group, 2)))


def components(paths: list[str], edges) -> list[list[str]]:
    parent = {p: p for p in paths}

    def root(p: str) -> str:
        while parent[p] != p:
            p = parent[p]
        return p

    for a, b in edges:
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for p in paths:
        groups[root(p)].append(p)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def keep_order(clip: Clipping) -> tuple:
    return (clip.timestamp is None, clip.timestamp or 0, clip.path)


def duplicates(clips: list[Clipping], mirrors: list[list[str]]) -> dict:
    by_path = {c.path: c for c in clips}
    pairs = find_pairs(clips)
    mirror_pairs = sorted({k for kind in pairs.values() for k in kind
                           if is_mirror_pair(*k, mirrors)})
    for kind in pairs.values():
        for k in mirror_pairs:
            kind.pop(k, None)

    def grouped(edges) -> list[dict]:
        out = []
        for group in components(list(by_path), edges):
            keep = min((by_path[p] for p in group), key=keep_order).path
            out.append({"keep": keep, "files": group, "reported": [p for p in group if p != keep]})
        return out

    per_kind = {kind: {"pairs": [[a, b, d] for (a, b), d in sorted(found.items())],
                       "groups": grouped(found)} for kind, found in pairs.items()}
    groups = grouped([k for found in pairs.values() for k in found])
    return {"per_kind": per_kind, "groups": groups,
            "reported": sorted(p for g in groups for p in g["reported"]),
            "mirror_pairs": [list(k) for k in mirror_pairs],
            "template_groups": template_groups(clips)}


# ---------------------------------------------------------------- path-portability

FORBIDDEN = set('<>:"\\|?*') | {chr(c) for c in range(32)}
RESERVED = ({"CON", "PRN", "AUX", "NUL"}
            | {f"{p}{d}" for p in ("COM", "LPT") for d in "0123456789¹²³"})
CHECKS = ("forbidden-char", "trailing-dot-space", "reserved-name", "name-bytes",
          "path-length", "collision")


def name_problems(name: str, max_name_bytes: int = 255) -> set[str]:
    found = set()
    if FORBIDDEN & set(name):
        found.add("forbidden-char")
    if name.endswith((".", " ")):
        found.add("trailing-dot-space")
    if name.split(".")[0].upper() in RESERVED:      # interpretation: the part before the first dot
        found.add("reserved-name")
    if len(name.encode("utf-8")) > max_name_bytes:
        found.add("name-bytes")
    return found


def collision_key(name: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def portability(paths: list[str], max_path_length: int = 200,
                max_name_bytes: int = 255) -> dict[str, list[str]]:
    """Per check, the files it is reported on (a folder's problem on the first file under it)."""
    paths = sorted(paths)
    first_under: dict[str, str] = {}       # folder or file -> first file under/at it
    for p in paths:
        parts = p.split("/")
        for k in range(1, len(parts) + 1):
            first_under.setdefault("/".join(parts[:k]), p)
    found: dict[str, set[str]] = {check: set() for check in CHECKS}
    for entry, first in first_under.items():
        for check in name_problems(entry.rsplit("/", 1)[-1], max_name_bytes):
            found[check].add(first)
    for p in paths:
        if max_path_length and len(p.encode("utf-16-le")) // 2 > max_path_length:
            found["path-length"].add(p)
    seen: dict[tuple[str, str], str] = {}
    for entry, first in sorted(first_under.items()):
        parent, _, name = entry.rpartition("/")
        if seen.setdefault((parent, collision_key(name)), entry) != entry:
            found["collision"].add(first)
    return {check: sorted(files) for check, files in found.items()}


# ---------------------------------------------------------------- command line

def load(archive: Path, blocks: bool = True) -> list[Clipping]:
    clips = []
    for file in sorted(archive.rglob("*.md")):
        try:
            source = file.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue                           # cliplint reports these as file-unreadable
        clips.append(parse_clipping(file.relative_to(archive).as_posix(), source, blocks))
    return clips


def run(archive: Path, mirrors: list[list[str]]) -> dict:
    clips = load(archive)
    return {"archive": str(archive), "files": len(clips), "mirrors": mirrors,
            "duplicate-clipping": duplicates(clips, mirrors),
            "path-portability": portability([c.path for c in clips])}


def summary(result: dict) -> str:
    dup = result["duplicate-clipping"]
    lines = [f"{result['archive']}: {result['files']} clippings"
             + (f", mirrors {result['mirrors']}" if result["mirrors"] else ""),
             "duplicate-clipping   pairs  groups  files-reported"]
    for kind, found in dup["per_kind"].items():
        reported = sum(len(g["reported"]) for g in found["groups"])
        lines.append(f"  {kind:<18} {len(found['pairs']):>5}  {len(found['groups']):>6}  {reported:>14}")
    lines.append(f"  {'all kinds':<18} {'':>5}  {len(dup['groups']):>6}  {len(dup['reported']):>14}")
    lines.append(f"  mirror pairs exempt: {len(dup['mirror_pairs'])}; "
                 f"template groups (>= 3, info): {len(dup['template_groups'])}")
    lines.append("path-portability     files")
    for check, files in result["path-portability"].items():
        lines.append(f"  {check:<18} {len(files):>5}")
    return "\n".join(lines)


def group_listing(result: dict) -> str:
    dup = result["duplicate-clipping"]
    kinds: dict[frozenset, list[str]] = defaultdict(list)
    for kind, found in dup["per_kind"].items():
        for a, b, detail in found["pairs"]:
            kinds[frozenset((a, b))].append(f"{kind} {detail}")
    lines = []
    for group in dup["groups"]:
        lines.append(f"keep {group['keep']}")
        for other in group["reported"]:
            pairs = [f"{partner} ({', '.join(k)})" for pair, k in sorted(kinds.items(), key=str)
                     if other in pair and (partner := next(iter(pair - {other}))) in group["files"]]
            lines.append(f"  report {other}\n      matches " + "\n      matches ".join(pairs))
    return "\n".join(lines)


def parse_mirrors(values: list[str]) -> list[list[str]]:
    return [[g.strip() for g in value.split(",") if g.strip()] for value in values]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--mirrors", action="append", default=[],
                        help="one mirror group as comma-separated folder globs (repeatable)")
    parser.add_argument("--groups", action="store_true", help="list every group")
    parser.add_argument("--json", type=Path, help="write the full result here")
    args = parser.parse_args(argv)
    if not args.archive.is_dir():
        parser.error(f"not a folder: {args.archive}")
    result = run(args.archive, parse_mirrors(args.mirrors))
    print(summary(result))
    if args.groups:
        print(group_listing(result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
