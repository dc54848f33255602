"""The archive must hold each article once.

Why: bots re-scrape items after a retitle, feeds repost each other's articles, and
Jekyll archives keep a post under ``_posts/`` and again under ``archived/<date>/``.
Search indexes and training pipelines fed from the archive then count, rank and train
on the same article several times.

An archive rule: it compares every clipping of the archive with every other (see
"Archive rules" in the README; in pre-commit, the committed clippings come from the
cache). Two clippings are the same article when they have

- ``url``: the same canonical article URL in the title link (a title link is the
  clipping's under its ``-`` underline or under the timestamp comment, as the format
  has it: a first line with neither may be the body's own, a page's "Back to Overview"
  link, and no title nor URL is read from it; title-link reports the missing
  underline). Canonical: the scheme
  (``http`` is ``https``) and host in lower case, default ports, the fragment and a
  trailing ``/`` dropped, character references decoded as Markdown reads a link
  (``&amp;`` is ``&``), percent-encoding decoded (also when a copy encoded it twice),
  query parameters sorted, tracking parameters dropped (``utm_*``, ``fbclid``,
  ``gclid``, ``dclid``, ``gbraid``, ``wbraid``, ``msclkid``, ``mc_cid``, ``mc_eid``,
  ``igshid``, ``yclid``, ``_hsenc``, ``_hsmi``, ``mkt_tok``, ``ref_src``, ``spm``, and
  the option ``ignore-query-parameters``) **and agreeing titles or bodies**: titles that
  agree (below), or the same body, or nearly the same body as ``near`` judges it (bodies
  of ``min-body-length`` characters or more, ``near-similarity``, whichever ``kinds``
  are chosen; not under a link shared by three titles or more, a feed's page, where a
  shared body is a template, unless the link names one video, below: a channel that
  retitled a video twice). A link shared by clippings with nothing
  else in common is a feed's, not an article's: a live blog's entries told apart only by
  their ``#fragment``, a feed that links every item to its section page. A site's home
  page (no path, no query) is a feed's link too, and is never compared;
- ``id``: the same numeric id at the start of their file names (option ``id-pattern``,
  default ``^(\\d+)_``: ``398145_title.md`` and ``398145_title（一）.md``) in one folder,
  **and something else in common**: what ``url`` asks for, judged the same way
  (agreeing titles, or the same or nearly the same body), or the same canonical URL
  (not a feed's page: one linked under three titles or more, one video's aside). A
  retitled post keeps
  its id and its body, or its URL when its text was replaced; a number shared by
  clippings with nothing else in common is not an article's id: a day of the month
  (``2023/06/14_harbour.md`` and ``2023/06/14_bridge.md``), a time of day
  (``2020-07-01/0930_harbour.md``). A number that reads as a date is a day's, not an
  article's, and no id even for clippings that agree (a daily briefing's issues): a
  valid calendar date of 1900-2099 written YYYYMMDD, alone or with HH, HHMM or HHMMSS
  after it (``20240305_bridge.md``, ``202403051230_x.md``), or a year of 1900-2099 that
  the name follows with a valid month and day, each of one or two digits after a
  ``-``, ``_`` or ``.`` (``2024_03_05_bridge.md``; ``2024-3-5`` when ``id-pattern``
  captures the year).
  Other numbers stay ids: ``20241305_x.md`` (no 13th month), ``2024_x.md``;
- ``body``: the same body text (visible text, case and spacing folded; at least
  ``min-body-length`` characters) **and agreeing titles**;
- ``near``: nearly the same body **and agreeing titles**. Similarity is the Jaccard
  similarity of the two bodies' sets of clauses (the visible text cut at punctuation and
  line breaks and at the edges of elements, case and spacing folded), at least
  ``near-similarity`` (0.7: a fixed typo, an added paragraph or a changed footer in a
  body of a few dozen clauses). Each body keeps the 64 clauses with the lowest hash as
  its sketch; two long bodies are compared on the 64 lowest hashes of both sketches
  together (the bottom-k estimate, within a few hundredths of the true value); bodies
  with at most 64 distinct clauses are compared exactly.

  The issues of a series are not copies of each other: a daily digest, a company's
  quarterly release, a weekly column under one title is a template (introduction,
  sign-off, disclaimer, "about the company") around news of its own, and two issues
  come out nearly the same. Clauses found in three or more bodies of agreeing titles
  published apart (runs of bodies less than 12 hours apart count once, and so do the
  bodies without a timestamp) are such a template; two of those bodies are then
  nearly the same only when their whole bodies are and most (``near-similarity``) of
  the smaller one's own part, what is left without the template, is in the other's. A
  copy of an issue (a footer changed, a correction added) is still reported; different
  issues are not, nor an issue's news without its template. Copies published together
  (one article carried by three sites the same day) make no template and are judged
  whole. Two issues alone are as likely an article and its re-scrape and are reported;
  so are issues clipped within hours of each other (timestamps that are the clipping
  run's, not the publication's, say nothing of a series). What this cannot tell from a
  series: one article clipped on three occasions or more, days apart, under other URLs
  and each time with a line of its own (a "retrieved on" line, an updated footer) reads
  as a series whose template is the article, and those copies are not reported as
  nearly the same (the same body, or the same URL, still is).

Titles agree when they are equal after normalisation (entities and Markdown escapes
decoded, NFKC, case folded, everything but letters and digits dropped), or when the
Jaccard similarity of their character pairs is at least ``title-similarity`` (0.7: a
typo fixed, a source prefix such as ``BBC |`` added) and they hold the same numbers, in
the same order: episode 12 and episode 13 of a series are two items. A title's numbers
are its digits; its part marks such as ``(上)``, ``（二）``; and an English number word
(``one`` to ``twenty``, ``first`` to ``twentieth``, in any case) or a Roman numeral
(``I`` to ``XX``, upper case) that numbers a part: right after ``part``, ``pt``,
``chapter``, ``ch.``, ``episode``, ``ep``, ``vol``, ``volume``, ``book``, ``season`` or
``No.`` (``Part Two``, ``Vol. IV``), or an ordinal right before one of them (``second
episode``). Elsewhere such words are words: "a first look", "Elizabeth II", "XI
JINPING", "IV drip" hold no number. A number written as a word or a numeral is its
value: ``Part One``, ``Part I`` and ``Part 1`` hold the same number, ``Part Two``
another.

Two videos are two clippings: clippings whose URLs name different items of a site that
gives every upload an id of its own (option ``distinct-items``; by default YouTube's
videos: ``watch?v=``, ``shorts/``, ``live/``, ``embed/`` and ``youtu.be/`` ids) are never
the same by ``body`` or ``near``, whatever their titles, nor in one group through a
clipping that names no item: a channel's Shorts titled by one hashtag, or its weekly live
stream under one title, all carry its standard description. (The same video under two
URLs, ``youtu.be/ID`` and ``watch?v=ID``, still is.)

A body shared by clippings whose titles disagree is a *template* (a YouTube channel's
standard description under every video), never a duplicate. With ``templates = true``
each group of three or more clippings sharing one body under different titles is
reported once, as an info, naming its size.

Copies are grouped (a copy of a copy is in the same group). Of each group the oldest
clipping (by its timestamp comment, read as ``timestamp-comment`` reads it: a number
below ``10**11``, 10 digits today, is in seconds; then by path; one without a timestamp
comes last), a clipping that a symlink of the archive leads to (below) before any other,
is the one to keep; every other clipping is reported once, naming the clipping it
matches (and the one to keep, when that is another). Nothing is deleted: which copy to
remove is the keeper's call (``--format json`` lists the groups for a script).

A symlink to another clipping of the archive (``latest.md -> 2024/x.md``, both found by
the walk of a folder) is that clipping under a second name, not a copy, as is a clipping
named through a symlinked folder (``cur/x.md``, or the folder ``cur``, given with ``cur
-> 2024``): it is neither reported nor named, and the clipping it leads to is compared
as any other. It is the one of its copies to keep, even beside an older one: its name
is in use, and deleting it would break the link. Where links lead to two copies of an
article, the one reported names its links too (``linked from l2.md``). (Hard links are
not looked behind: a checkout holds none.)

Finding the pairs never compares every pair of files: files are grouped by URL, id, body
and title, and similar titles and bodies are found with a prefix-filtered similarity
join, near-linear in the size of the archive.

Bad::

    articles/RFA/1048441_公务员职位疑被人顶包.md   [公务员职位疑被人顶包](https://www.rfa.org/.../a.html)
    articles/RFA/1048442_公务员职位疑被人顶包.md   [公务员职位疑被人顶包](https://www.rfa.org/.../a.html)

Good::

    articles/RFA/1048441_公务员职位疑被人顶包.md   (one copy)

Options:

- ``kinds`` (``["url", "id", "body", "near"]``): which kinds of match count.
- ``near-similarity`` (``0.7``), ``title-similarity`` (``0.7``): the thresholds above.
- ``min-body-length`` (``80``): shorter bodies (failed fetches, live-stream stubs) are
  never compared by body.
- ``id-pattern`` (``"^(\\d+)_"``): a regular expression whose first group is a file
  name's numeric id (a date is none, see ``id`` above).
- ``ignore-query-parameters`` (``[]``): more query parameters (glob patterns) that do
  not make an article URL different.
- ``mirrors`` (``[]``): folders that hold the same clippings on purpose, e.g.
  ``[["_posts", "archived/*"]]``: two clippings with one file name in folders matching
  globs of one group are not duplicates of each other.
- ``templates`` (``false``): also report template bodies (info).
- ``distinct-items`` (YouTube's video URLs, above): regular expressions searched in a
  clipping's canonical URL (``https://``, query parameters sorted), whose first group
  names one item of a site; two clippings naming different items are not compared by
  body. ``[]`` compares every clipping by body.

Fix: none: deleting a file is the keeper's decision.
"""

from __future__ import annotations

import binascii
import fnmatch
import functools
import posixpath
import re
import unicodedata
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from cliplint.digests import blake2b
from cliplint.facts import timestamp_milliseconds
from cliplint.model import Finding, Related
from cliplint.rule_io import ArchiveEntry, ArchiveViolation
from cliplint_rules._similarity import (
    JoinPartners,
    jaccard,
    prefix_length,
    similar_pairs,
    sketch_filter_threshold,
    sketch_similarity,
)

if TYPE_CHECKING:  # a reduce, as a cache hit runs it, need not load the document model
    from cliplint.document import Document

ID = "duplicate-clipping"
SEVERITY = "error"
FIX = None
FINDINGS = {
    "duplicate": Finding("error", "a clipping that holds the same article as another"),
    "template": Finding("info", "a body shared by clippings whose titles disagree "
                                "(only with templates = true)"),
}
KINDS = ("url", "id", "body", "near")
#: A YouTube video's id in a canonical URL (query parameters sorted, scheme https): a
#: ``watch`` page's ``v``, a Short's, a live stream's, an embed's, a youtu.be link's.
YOUTUBE_VIDEOS = (
    r"^https://(?:(?:www|m|music)\.)?youtube\.com/(?:watch\?(?:[^#]*&)?v=|shorts/|live/|embed/)"
    r"([\w-]+)",
    r"^https://youtu\.be/([\w-]+)",
)
OPTIONS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "kinds": {"type": "array", "items": {"enum": list(KINDS)}, "uniqueItems": True,
                  "default": list(KINDS)},
        "near-similarity": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
                            "default": 0.7},
        "title-similarity": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
                             "default": 0.7},
        "min-body-length": {"type": "integer", "minimum": 1, "default": 80},
        "id-pattern": {"type": "string", "format": "regex-with-group", "default": r"^(\d+)_"},
        "ignore-query-parameters": {"type": "array", "items": {"type": "string"},
                                    "default": []},
        "mirrors": {"type": "array", "default": [],
                    "items": {"type": "array", "minItems": 1,
                              "items": {"type": "string", "minLength": 1}}},
        "templates": {"type": "boolean", "default": False},
        "distinct-items": {"type": "array",
                           "items": {"type": "string", "format": "regex-with-group"},
                           "default": list(YOUTUBE_VIDEOS)},
    },
}

#: Clauses kept per body: the sketch two long bodies are compared on.
SKETCH_SIZE = 64
#: The clippings a template problem names: the one it is on, and three more.
_TEMPLATE_NAMES = 4
TRACKING_PARAMETERS = ("utm_*", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid",
                       "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi", "mkt_tok",
                       "ref_src", "spm")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: What ends a clause besides a line end.
_CLAUSE_BREAKS = ".!?;,:。！？；，、：…"
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_NOT_WORD = re.compile(r"[\W_]+")
_NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen "
                 "fourteen fifteen sixteen seventeen eighteen nineteen twenty").split()
_ORDINAL_WORDS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
                  "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
                  "nineteenth twentieth").split()
_ROMAN = ("I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX").split()
#: What a number word or Roman numeral stands for: the digits it is written as.
_NUMBER_VALUES = {word: str(value) for words in (_NUMBER_WORDS, _ORDINAL_WORDS, _ROMAN)
                  for value, word in enumerate(words, 1)}  # words in lower case, numerals upper
#: Words that a number word or a Roman numeral numbers ("Part Two", "Vol. IV", "No. X"):
#: elsewhere those are words ("a first look", "Elizabeth II", "IV drip").
_NUMBERED = r"(?i:part|pt\.?|chapter|ch\.|episode|ep\.?|vol\.?|volume|book|season|no\.)"
_WORD_NUMBER = r"(?i:" + "|".join(_NUMBER_WORDS + _ORDINAL_WORDS) + ")"
_ORDINAL = r"(?i:" + "|".join(_ORDINAL_WORDS) + ")"
#: The numbers of a title: digits, CJK part marks, and a number word or Roman numeral
#: after a _NUMBERED word, or an ordinal before one (its group holds the word).
_NUMBERS = re.compile(
    r"\d+|[(\[【]\s*[上中下一二三四五六七八九十]\s*[)\]】]"
    r"|\b" + _NUMBERED + r"\s+(" + _WORD_NUMBER + "|" + "|".join(reversed(_ROMAN)) + r")\b"
    r"|\b(" + _ORDINAL + r")\s+" + _NUMBERED + r"(?!\w)")


# -- the map step: one record per clipping -------------------------------------------------


def record(document: Document, options: Mapping[str, Any]) -> dict[str, Any]:
    """What this rule needs of a clipping, from its content alone."""
    # A first line that is no clipping's title (Header.title_in_place) would join
    # different articles by its URL and text (a section's "Back to Overview" link).
    link = document.title_link if document.header.title_in_place else None
    title = url = ""
    if link is not None:
        title = document.text[link.text.start : link.text.end]
        # As Markdown reads a link's URL: "?id=12&amp;lang=en" is "?id=12&lang=en". (The
        # map step alone needs the entity table: a run that only reduces stored records
        # does not load it.)
        from cliplint_rules._charrefs import MARKDOWN_REFERENCE, decode_all

        url = decode_all(document.text[link.url.start : link.url.end], MARKDOWN_REFERENCE)
    # Text nodes apart: a block's end ends a clause, and two copies whose markup differs
    # only in the spaces between tags read the same.
    lines = _folded_lines("\n".join(document.body.visible_texts()).casefold())
    folded = " ".join(filter(None, lines))  # the text's words: " ".join(text.split())
    return {
        "url": canonical_url(url, options["ignore-query-parameters"]) if url else None,
        "title": normal_title(title),
        "numbers": title_numbers(title),
        "time": timestamp_milliseconds(document),
        "length": len(folded),
        "body": blake2b(folded.encode("utf-8", "surrogatepass"),
                                digest_size=12).hexdigest() if folded else None,
        "sketch": _sketch(lines) if folded else None,
    }


def canonical_url(url: str, ignored: Sequence[str] = ()) -> str | None:
    """The URL as the same article is always written, or None when it is no article's
    (not http(s), no host, a site's home page)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = _requote(parts.path).rstrip("/")
    tracking = _tracking(tuple(ignored))
    query = sorted(
        (_requote(name), _requote(value))
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not tracking(name.lower())
    )
    if not path and not query:
        return None
    rest = "&".join(f"{name}={value}" for name, value in query)
    return f"https://{host}{path}" + (f"?{rest}" if rest else "")


@functools.lru_cache(maxsize=16)
def _tracking(ignored: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """Whether a query parameter's name (lower case) is a tracking parameter: one regular
    expression for all the globs."""
    patterns = (*TRACKING_PARAMETERS, *ignored)
    return re.compile("|".join(fnmatch.translate(pattern) for pattern in patterns)).match


def _requote(text: str) -> str:
    """Percent-encoding written one way: decoded until stable (a copy that encoded the
    URL twice is the same URL), then encoded again."""
    for _ in range(3 if "%" in text else 0):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return quote(text, safe="/:@!$'()*+,;-._~")


def normal_title(text: str) -> str | None:
    """The title without what does not make it another title."""
    text = _unescape(_MARKDOWN_ESCAPE.sub(r"\1", text))
    folded = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())
    return folded or None


def title_numbers(text: str) -> str:
    """The numbers in a title (digits, and part marks such as ``(上)`` or ``（二）``),
    which two titles of one article share: episode 12 and episode 13 are two items."""
    return " ".join(map(_number, _NUMBERS.finditer(unicodedata.normalize("NFKC", _unescape(text)))))


def _number(found: re.Match[str]) -> str:
    """A number of a title as digits ("two", "second" and "II" are "2"), or the part mark
    as written."""
    text = found.group(1) or found.group(2) or found.group()
    return _NUMBER_VALUES.get(text) or _NUMBER_VALUES.get(text.casefold()) or text


def _unescape(text: str) -> str:
    """``html.unescape``, imported when first needed: its table of entities costs ~1 ms
    to load, and a run that only reduces stored records (a cache hit) never needs it."""
    import html

    return html.unescape(text)


def _folded_lines(text: str) -> list[str]:
    """The lines of ``text``, each with its spacing folded (``" ".join(line.split())``)."""
    return list(map(" ".join, map(str.split, text.split("\n"))))


def _sketch(lines: list[str]) -> str:
    """The CRC-32 of the body's ``SKETCH_SIZE`` clauses with the lowest one, packed, from
    the :func:`_folded_lines` of its text. (CRC-32, computed in C over every clause,
    estimates as well as a cryptographic hash here and costs a third: a body holds a
    hundred clauses or more.)"""
    # A clause is the text between two breaks (line ends and _CLAUSE_BREAKS), spacing
    # folded: the folded lines, every other break made a line end, the lines stripped.
    # (A regex over the text, then a fold per clause, cost twice as much.) In UTF-8,
    # encoded in one call: a call per clause costs more than its CRC.
    folded = "\n".join(lines)
    for mark in _CLAUSE_BREAKS:
        if mark in folded:
            folded = folded.replace(mark, "\n")
    clauses = set(map(bytes.strip, folded.encode("utf-8", "surrogatepass").split(b"\n")))
    clauses.discard(b"")
    hashes = sorted(map(zlib.crc32, clauses))[:SKETCH_SIZE]
    # (binascii is what base64 calls, without importing base64 and struct on each start)
    return binascii.b2a_base64(array("I", hashes).tobytes(), newline=False).decode("ascii")


def _sketch_similarity(first: frozenset[int], second: frozenset[int]) -> float:
    return sketch_similarity(first, second, SKETCH_SIZE)


def _unpack(sketch: str) -> frozenset[int]:
    packed = array("I")
    packed.frombytes(binascii.a2b_base64(sketch))
    return frozenset(packed)


# -- the reduce step: the whole archive -----------------------------------------------------


class _Clipping(NamedTuple):
    path: str
    focus: bool
    url: str | None
    title: str | None
    numbers: str
    time: int | None
    length: int
    body: str | None
    sketch: str | None

    @property
    def order(self) -> tuple[bool, int, str]:
        return _order(self.time, self.path)


def _order(time: int | None, path: str) -> tuple[bool, int, str]:
    """The keeping order: oldest first, then by path; without a timestamp, last."""
    return (time is None, time or 0, path)


def _has_body(body: str | None, length: int, min_length: int) -> bool:
    """Whether a clipping is compared by body: it has one of ``min-body-length``
    characters or more."""
    return body is not None and length >= min_length


class _Match(NamedTuple):
    kind: str  # url, id, body, near
    similarity: float = 1.0
    same_title: bool = True


def reduce(entries: Sequence[ArchiveEntry], options: Mapping[str, Any]) -> Iterator[ArchiveViolation]:
    usable = [entry for entry in _own_names(entries) if isinstance(entry.record, dict)]
    if not any(entry.focus for entry in usable):
        return  # every problem would concern files the run does not show
    reach = None
    if not all(entry.focus for entry in usable):
        try:
            reach = _Reach(usable, options)
        except _TooWide:
            pass
    clippings = sorted(map(_clipping, reach.entries if reach is not None else usable),
                       key=lambda clipping: clipping.order)
    kinds = set(options["kinds"])
    mirrors = _Mirrors(options["mirrors"])
    items = _Items(clippings, options["distinct-items"])
    graph = _Graph(len(clippings), mirrors, [clipping.path for clipping in clippings], items)
    min_length = options["min-body-length"]
    by_url = _group(clippings, attrgetter("url")) if kinds & {"url", "id"} else []
    if "url" in kinds:
        for members in by_url:
            _link_groups(graph, _agreeing(clippings, members, options, items), _Match("url"))
    if "id" in kinds:
        pattern = re.compile(options["id-pattern"])
        feeds = _feed_pages(clippings, by_url, items)
        for members in _group(clippings, lambda c: _numeric_id(c.path, pattern)):
            # One id, and the same page besides: the site's number and its link for the
            # article agree (a title or body changed since, as an article's do).
            _link_groups(graph, [*_agreeing(clippings, members, options, items),
                                 *_same_pages(clippings, members, feeds)], _Match("id"))
    similar = (reach.similar_titles if reach is not None
               else _similar_titles(clippings, options["title-similarity"]))
    titles = _TitleAgreement(clippings, similar)
    bodied = [i for i, c in enumerate(clippings) if _has_body(c.body, c.length, min_length)]
    if kinds & {"body", "near"}:
        _link_bodies(graph, clippings, bodied, titles, kinds, options["near-similarity"],
                     items)
    yield from _report(graph, clippings, _link_targets(entries))
    if options["templates"]:
        yield from _templates(clippings, bodied, titles)


def _own_names(entries: Sequence[ArchiveEntry]) -> Sequence[ArchiveEntry]:
    """The entries less the symlinks to another of them: a file reached by two names is
    one clipping, compared (and reported, named) under its own name alone."""
    if all(entry.link_to is None for entry in entries):
        return entries
    paths = {entry.path for entry in entries}
    return [entry for entry in entries if entry.link_to is None or entry.link_to not in paths]


def _link_targets(entries: Sequence[ArchiveEntry]) -> dict[str, list[str]]:
    """The paths that a symlink of the archive leads to, each with the links' paths:
    names in use, which deleting the file they name would break."""
    targets: dict[str, list[str]] = {}
    for entry in entries:
        if entry.link_to is not None:
            targets.setdefault(entry.link_to, []).append(entry.path)
    return targets


def _clipping(entry: ArchiveEntry) -> _Clipping:
    data = entry.record
    return _Clipping(entry.path, entry.focus, data.get("url"), data.get("title"), data.get("numbers") or "",
                     data.get("time"),
                     data.get("length") or 0, data.get("body"), data.get("sketch"))


def _numeric_id(path: str, pattern: re.Pattern[str]) -> tuple[str, str] | None:
    folder, _, name = path.rpartition("/")
    found = pattern.search(name)
    if found is None or not found.groups():
        return None
    number = found.group(1)
    if number is None or (len(number) in _DATE_LENGTHS
                          and _is_date(number, name[found.end(1):])):
        return None  # no number, or a day's clippings rather than one article's
    return (folder, number)


#: The lengths of a number that may be a date (YYYY, YYYYMMDD and HH, HHMM or HHMMSS after
#: it): other numbers, such as post ids of 6 or 7 digits, are ids without a look.
_DATE_LENGTHS = frozenset((4, 8, 10, 12, 14))
#: A date's month and day after its year in a file name: ``_03_05``, ``-3-5``, ``.03.05``.
_MONTH_DAY = re.compile(r"[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)")
#: A date written YYYYMMDD, with HH, HHMM or HHMMSS after it or not.
_COMPACT_DATE = re.compile(r"((?:19|20)\d\d)(\d\d)(\d\d)(?:(?:[01]\d|2[0-3])(?:[0-5]\d(?:[0-5]\d)?)?)?")


def _is_date(number: str, after: str) -> bool:
    """Whether an id captured from a file name reads as a date, not an article's id: a
    valid calendar date written YYYYMMDD (HH, HHMM or HHMMSS may follow), or a year
    1900-2099 that the name follows with a month and a day."""
    if len(number) == 4:
        found = _MONTH_DAY.match(after)
        return (found is not None and number[:2] in ("19", "20")
                and _valid_date(int(number), int(found.group(1)), int(found.group(2))))
    found = _COMPACT_DATE.fullmatch(number)
    return found is not None and _valid_date(*map(int, found.group(1, 2, 3)))


def _valid_date(year: int, month: int, day: int) -> bool:
    from datetime import date  # (only a date-shaped id gets here)

    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _agreeing(clippings: Sequence[_Clipping], members: Sequence[int],
              options: Mapping[str, Any], items: _Items) -> list[list[int]]:
    """The clippings of one URL or one numeric id that are one article, as groups to
    link: those whose titles agree, and those whose bodies are the same or nearly the
    same. A link shared by clippings with nothing else in common is a feed's (a section
    page, a live blog's page), a number so shared a day's or a time's (``14_`` under
    ``2023/06/``), not an article's; a link to one item (``distinct-items``: a video) is
    never a feed's. Each kind of agreement is found by grouping and by the similarity
    joins, not pairwise: a feed may link thousands of items to one page."""
    first = clippings[members[0]].title
    if first is not None and all(clippings[index].title == first for index in members[1:]):
        return [list(members)]  # copies under one title, the usual case
    titles: defaultdict[str, list[int]] = defaultdict(list)
    bodies: defaultdict[str, list[int]] = defaultdict(list)
    for index in members:
        clipping = clippings[index]
        if clipping.title is not None:
            titles[clipping.title].append(index)
        if _has_body(clipping.body, clipping.length, options["min-body-length"]):
            bodies[clipping.body or ""].append(index)
    if len(titles) >= _FEED_TITLES and not _one_item(members, items):
        # A page linked under three titles or more is a feed's (a show's page, a section
        # page, a live blog): a body they share is its template (a show's description),
        # no sign of one article. Only titles that agree tell copies apart there. (One
        # video retitled three times is one video: its body tells its copies.)
        bodies.clear()
    groups = [same for same in (*titles.values(), *bodies.values()) if len(same) > 1]
    if len(titles) > 1:
        similar = _join_titles([clippings[same[0]] for same in titles.values()],
                               options["title-similarity"])
        groups.extend(sorted((titles[a][0], titles[b][0])) for a, b in similar if a < b)
    groups.extend([one[0], other[0]] for one, other, _ in
                  _near_bodies(clippings, bodies, options["near-similarity"]))
    return groups


#: Titles a page is linked under from which on it is a feed's page (a show's page, a
#: section page, a live blog), not an article's.
_FEED_TITLES = 3


def _feed_pages(clippings: Sequence[_Clipping], by_url: Iterable[Sequence[int]],
                items: _Items) -> set[str]:
    """The URLs linked under ``_FEED_TITLES`` titles or more (``by_url``: the clippings of
    each URL shared), but those naming one item (a video)."""
    return {clippings[members[0]].url or "" for members in by_url
            if len({clippings[index].title for index in members} - {None}) >= _FEED_TITLES
            and not _one_item(members, items)}


def _one_item(members: Sequence[int], items: _Items) -> bool:
    """Whether the clippings all name one item of a site that gives each upload an id of
    its own (``distinct-items``: one video)."""
    item = items.of(members[0])
    return item is not None and all(items.of(index) == item for index in members[1:])


def _same_pages(clippings: Sequence[_Clipping], members: Sequence[int],
                feeds: set[str]) -> list[list[int]]:
    """The clippings of one numeric id that link one page, a feed's aside."""
    pages: defaultdict[str, list[int]] = defaultdict(list)
    for index in members:
        url = clippings[index].url
        if url is not None and url not in feeds:
            pages[url].append(index)
    return [same for same in pages.values() if len(same) > 1]


def _group(clippings: Sequence[_Clipping], key: Any) -> list[list[int]]:
    groups: defaultdict[Any, list[int]] = defaultdict(list)
    for index, clipping in enumerate(clippings):
        value = key(clipping)
        if value is not None:
            groups[value].append(index)
    return [members for members in groups.values() if len(members) > 1]


class _Mirrors:
    """Folders that hold the same clippings on purpose (option ``mirrors``)."""

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self._groups = [tuple(group) for group in groups]

    def __call__(self, first: str, second: str) -> bool:
        if not self._groups:
            return False
        folder_a, name_a = posixpath.split(first)
        folder_b, name_b = posixpath.split(second)
        if name_a != name_b or folder_a == folder_b:
            return False
        return any(self._matches(folder_a, group) and self._matches(folder_b, group)
                   for group in self._groups)

    @staticmethod
    def _matches(folder: str, globs: Sequence[str]) -> bool:
        return any(fnmatch.fnmatchcase(folder, glob.strip("/")) for glob in globs)


class _Graph:
    """Which clippings match which: union-find for the groups, and the matches kept to
    say why each clipping is in its group. A group never holds two items (two videos:
    see _Items), not even through a clipping that names none."""

    def __init__(self, size: int, mirrors: _Mirrors, paths: Sequence[str],
                 items: _Items) -> None:
        self._parent = list(range(size))
        self.edges: defaultdict[int, dict[int, _Match]] = defaultdict(dict)
        self._mirrors = mirrors
        self._paths = paths
        self._items = items
        self._group_items: dict[int, str] = {}  # by root, the groups that hold an item

    def link(self, first: int, second: int, match: _Match) -> bool:
        """Record a match (the strongest kind wins), unless the two are mirrors or their
        groups hold different items."""
        if first == second or self._mirrors(self._paths[first], self._paths[second]):
            return False
        root, other_root = self.find(first), self.find(second)
        item, other_item = self._item(root), self._item(other_root)
        if item is not None and other_item is not None and item != other_item:
            return False
        known = self.edges[first].get(second)
        if known is None or _strength(match) > _strength(known):
            self.edges[first][second] = self.edges[second][first] = match
        self._parent[root] = other_root
        merged = item if item is not None else other_item
        if merged is not None:
            self._group_items[other_root] = merged
        return True

    def _item(self, root: int) -> str | None:
        # A root in no group with an item: a clipping never linked, or a group of none.
        found = self._group_items.get(root)
        return found if found is not None else self._items.of(root)

    def find(self, index: int) -> int:
        while self._parent[index] != index:
            self._parent[index] = self._parent[self._parent[index]]
            index = self._parent[index]
        return index


def _strength(match: _Match) -> tuple[int, float]:
    return (-KINDS.index(match.kind), match.similarity)


def _link_groups(graph: _Graph, groups: Iterable[list[int]], match: _Match) -> None:
    """Link every member of each group to the first member (in keeping order) that is
    not its mirror: a star, not every pair."""
    for members in groups:
        for position, member in enumerate(members[1:], 1):
            for other in members[:position]:
                if graph.link(other, member, match):
                    break


def _similar_titles(clippings: Sequence[_Clipping], threshold: float) -> set[tuple[str, str]]:
    """The pairs of similar titles (both ways), found by a similarity join over the
    distinct titles, not pairwise. Titles with other numbers never agree: each group of
    numbers is joined alone (a series of ten thousand numbered episodes costs nothing)."""
    return _join_titles(clippings, threshold)


def _join_titles(clippings: Iterable[_Clipping], threshold: float) -> set[tuple[str, str]]:
    """The pairs of similar titles (both ways) of these clippings, each group of numbers
    joined alone."""
    by_numbers: defaultdict[str, set[str]] = defaultdict(set)
    for clipping in clippings:
        if clipping.title:
            by_numbers[clipping.numbers].add(clipping.title)
    similar: set[tuple[str, str]] = set()
    for titles in by_numbers.values():
        distinct = sorted(titles)
        # The titles' pairs of characters are most of the join's memory: held as tuples
        # (a frozenset's table is 2 KB for a title of 35 pairs), each pair once however
        # many titles hold it (3 KB a title, 90 MB for 30,000 distinct titles, before),
        # through a table dropped before the join. The pairs one title alone holds are
        # only counted (in oped2's titles, 85% of the distinct pairs, 60% of all).
        recurs = _recurring_pairs(distinct)
        shared: dict[str, str] = {}
        sets: list[tuple[str, ...]] = []
        alone: list[int] = []
        for title in distinct:
            pairs = _character_pairs(title)
            kept = tuple([shared.setdefault(pair, pair) for pair in pairs if recurs(pair)])
            sets.append(kept)
            alone.append(len(pairs) - len(kept))
        del shared, recurs
        for i, j, _ in similar_pairs(sets, threshold, alone=alone):
            similar.update(((distinct[i], distinct[j]), (distinct[j], distinct[i])))
    return similar


def _recurring_pairs(titles: Sequence[str]) -> Callable[[str], bool]:
    """A test that is False for a pair of characters only if one title alone holds it:
    the pairs are counted (up to two) by their hash, in a table of two to four bytes a
    character of the titles, so that the vocabulary is never held whole. A pair whose
    count another shares is taken to recur: it is kept, and the join finds it held by
    one title, which changes nothing (see similar_pairs' ``alone``)."""
    size = 1 << max(10, (2 * sum(map(len, titles))).bit_length())
    slot = size - 1
    counts = bytearray(size)
    for title in titles:
        for pair in _character_pairs(title):
            place = hash(pair) & slot
            if counts[place] < 2:
                counts[place] += 1
    return lambda pair: counts[hash(pair) & slot] > 1


class _TitleAgreement:
    """Whether two clippings' titles agree: equal, or similar enough (``similar``: the
    pairs of :func:`_similar_titles`, or those of them a focused reduce needs) with the
    same numbers."""

    def __init__(self, clippings: Sequence[_Clipping], similar: set[tuple[str, str]]) -> None:
        self._clippings = clippings
        self.similar = similar

    def agree(self, first: int, second: int) -> bool | None:
        """True: the same title; False: similar titles; None: they disagree."""
        a, b = self._clippings[first], self._clippings[second]
        if a.title is None or b.title is None:
            return None
        if a.title == b.title:
            return True
        if (a.title, b.title) in self.similar and a.numbers == b.numbers:
            return False
        return None


def _character_pairs(title: str) -> frozenset[str]:
    return frozenset(title[i : i + 2] for i in range(len(title) - 1)) or frozenset((title,))


def _link_bodies(graph: _Graph, clippings: Sequence[_Clipping], bodied: Sequence[int],
                 titles: _TitleAgreement, kinds: set[str], threshold: float,
                 items: _Items) -> None:
    """Same and nearly the same bodies under agreeing titles. Clippings are first put
    together by title (equal titles, and similar ones through the title join), so that
    a template body shared by thousands of differently titled clippings is never
    compared pairwise; within each title group, equal bodies are grouped by hash and
    near ones found by the similarity join over distinct bodies."""
    by_title: defaultdict[str, list[int]] = defaultdict(list)
    for index in bodied:
        title = clippings[index].title
        if title is not None:
            by_title[title].append(index)
    title_groups = _components(by_title, titles)
    for members in title_groups:
        by_body: defaultdict[str, list[int]] = defaultdict(list)
        for index in members:
            by_body[clippings[index].body or ""].append(index)
        if "body" in kinds:
            for same in by_body.values():
                _link_agreeing(graph, titles, items, same, same, "body", 1.0)
        if "near" in kinds:
            near = _near_bodies(clippings, by_body, threshold, series=True)
            for first, second, similarity in near:
                _link_agreeing(graph, titles, items, first, second, "near", similarity)


class _Items:
    """The item each clipping's URL names on a site that gives every upload an id of its
    own (option ``distinct-items``: YouTube's videos), found when first asked."""

    def __init__(self, clippings: Sequence[_Clipping], patterns: Sequence[str]) -> None:
        self._clippings = clippings
        self._patterns = [re.compile(pattern) for pattern in patterns]
        self._found: dict[int, str | None] = {}

    def of(self, index: int) -> str | None:
        """The item clipping ``index`` names, None for none."""
        if index not in self._found:
            self._found[index] = self._item(self._clippings[index].url)
        return self._found[index]

    def _item(self, url: str | None) -> str | None:
        return None if url is None else named_item(url, self._patterns)


def named_item(canonical: str, patterns: Iterable[str | re.Pattern[str]]) -> str | None:
    """The item a canonical URL (:func:`canonical_url`) names: the first group of the
    first of ``patterns`` (``distinct-items``'s) that finds one; None for none."""
    for pattern in patterns:
        found = re.search(pattern, canonical)
        if found is not None and found.groups() and found.group(1):
            return found.group(1)
    return None


#: In how many bodies of a title, published apart (see _TOGETHER), a clause is the
#: template of a series (a daily digest, a company's quarterly release): text repeated
#: issue after issue (an introduction, a sign-off, a disclaimer), not one issue's news.
#: Two alone are as likely an article and its re-scrape.
TEMPLATE_RUNS = 3
#: Bodies published less than this apart (ms) are copies made together (one article
#: carried by several sites, the versions of an updated article), never issues of a
#: series: those come out a day or more apart.
_TOGETHER = 12 * 60 * 60 * 1000
#: No hash is above this: a sketch of a short body holds all its clauses' hashes.
_NO_CUT = 1 << 32


def _near_bodies(clippings: Sequence[_Clipping], by_body: Mapping[str, list[int]],
                 threshold: float, *, series: bool = False
                 ) -> Iterator[tuple[list[int], list[int], float]]:
    """The groups of clippings (by body, as ``by_body`` holds them) whose bodies are
    nearly the same, with their similarity: the similarity join over distinct bodies,
    each body's sketch unpacked once.

    With ``series`` (the bodies of one title group), the issues of a series are told
    from copies. Clauses found in bodies published apart (in ``TEMPLATE_RUNS`` of the
    :func:`_runs`) are the series' template; two bodies are then nearly the same only
    when what is left of them (their own parts) is too: most of the smaller own part is
    in the other (``threshold``). Different issues share the template, not the news; a
    body with no own part (a stub of its template) is no issue's copy. A join of the own
    parts, not every pair: a clause that is no template is in two runs at most, so a
    feed of thousands of issues under one title makes no candidate pairs but those of
    its copies."""
    if len(by_body) < 2:
        return  # (most title groups: one body, nothing to join)
    bodies = list(by_body)
    sketches = [_unpack(clippings[by_body[body][0]].sketch or "") for body in bodies]
    template: frozenset[int] = frozenset()
    if series and len(bodies) >= TEMPLATE_RUNS:
        # A body's time is its first clipping's, the oldest (clippings are in keeping
        # order).
        template = _template(sketches, _runs([clippings[by_body[body][0]].time
                                              for body in bodies]))
    if not template:
        pairs = similar_pairs(sketches, threshold, _sketch_similarity,
                              sketch_filter_threshold(threshold))
    else:
        own = [sketch - template for sketch in sketches]
        # Every set sharing a hash is a candidate (a containment has no prefix bound).
        found = similar_pairs(own, threshold, _issue_similarity(own, sketches), 1e-9)
        pairs = ((i, j, _sketch_similarity(sketches[i], sketches[j])) for i, j, _ in found)
    for i, j, similarity in pairs:
        yield by_body[bodies[i]], by_body[bodies[j]], similarity


def _runs(times: Sequence[int | None]) -> list[int]:
    """Each body's run (positions in ``times``): the bodies published together, chains,
    in time, of bodies less than ``_TOGETHER`` apart. The bodies without a time are one
    run: nothing says they were published apart (three copies of an article, none with
    a timestamp, are no series)."""
    undated = len(times)  # no dated body's run
    runs = [index if time is not None else undated for index, time in enumerate(times)]
    last: tuple[int, int] | None = None
    for time, index in sorted((time, index) for index, time in enumerate(times)
                              if time is not None):
        if last is not None and time - last[0] < _TOGETHER:
            runs[index] = runs[last[1]]
        last = (time, index)
    return runs


def _template(sketches: Sequence[frozenset[int]], runs: Sequence[int]) -> frozenset[int]:
    """The clauses (hashes) of a title's bodies found in ``TEMPLATE_RUNS`` runs or more."""
    found: defaultdict[int, set[int]] = defaultdict(set)
    for sketch, run in zip(sketches, runs, strict=True):
        for value in sketch:
            found[value].add(run)
    return frozenset(value for value, seen in found.items() if len(seen) >= TEMPLATE_RUNS)


def _issue_similarity(own: Sequence[frozenset[int]], sketches: Sequence[frozenset[int]]
                      ) -> Callable[[frozenset[int], frozenset[int]], float]:
    """Whether two bodies of a series are one issue, as a similarity: their whole
    sketches' (:func:`_sketch_similarity`), unless less of the smaller own part is in
    the other (the overlap of the two own parts). A full sketch (a body of more than
    ``SKETCH_SIZE`` clauses) holds its body's lowest hashes: the own parts are compared
    below the lower of the two sketches' highest hash."""
    # By object: the join hands the measure the sets it was given.
    whole = {id(part): sketch for part, sketch in zip(own, sketches, strict=True)}

    def similarity(first: frozenset[int], second: frozenset[int]) -> float:
        a, b = whole[id(first)], whole[id(second)]
        cut = min(max(a) if len(a) >= SKETCH_SIZE else _NO_CUT,
                  max(b) if len(b) >= SKETCH_SIZE else _NO_CUT)
        mine = [value for value in first if value <= cut]
        theirs = [value for value in second if value <= cut]
        if not mine or not theirs:
            return 0.0
        overlap = len(set(mine).intersection(theirs)) / min(len(mine), len(theirs))
        return min(overlap, _sketch_similarity(a, b))

    return similarity


def _components(by_title: Mapping[str, list[int]], titles: _TitleAgreement) -> list[list[int]]:
    """Clippings grouped by title, similar titles joined (transitively: the pairs are
    checked again when linked)."""
    names = list(by_title)
    position = {name: i for i, name in enumerate(names)}
    parent = list(range(len(names)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (a, b) in titles.similar:
        if a in position and b in position:
            parent[find(position[a])] = find(position[b])
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for name in names:
        groups[find(position[name])].extend(by_title[name])
    return [sorted(members) for members in groups.values() if len(members) > 1]


def _link_agreeing(graph: _Graph, titles: _TitleAgreement, items: _Items,
                   first: Sequence[int], second: Sequence[int], kind: str,
                   similarity: float) -> None:
    """Link each clipping of ``second`` to the first one of ``first`` (in keeping order)
    whose title agrees and whose group holds no other item, and the other way round: not
    every pair."""
    for these, those in ((second, first), (first, second)) if first is not second else (
            (first, first),):
        candidates = _candidates(those, items)
        for member in these:
            for other in candidates(member):
                if these is those and other >= member:
                    break
                same_title = titles.agree(other, member)
                if same_title is not None and graph.link(
                        other, member, _Match(kind, similarity, same_title)):
                    break


def _candidates(those: Sequence[int], items: _Items) -> Callable[[int], Iterable[int]]:
    """The clippings of ``those`` (in keeping order) a clipping may be linked to: any for
    one that names no item; for one that does, those naming its item or none (the others
    are other videos: trying each of them made a channel's thousands of Shorts under one
    title quadratic)."""
    by_item: dict[str | None, list[int]] = {}
    for index in those:
        by_item.setdefault(items.of(index), []).append(index)
    if list(by_item) == [None]:
        return lambda member: those  # (the usual case: no item at all)
    import heapq  # (here: every run imports this module, few reduces come this far)

    def candidates(member: int) -> Iterable[int]:
        item = items.of(member)
        if item is None:
            return those
        return heapq.merge(by_item.get(item, ()), by_item.get(None, ()))

    return candidates


def _report(graph: _Graph, clippings: Sequence[_Clipping],
            linked: Mapping[str, Sequence[str]]) -> Iterator[ArchiveViolation]:
    """One problem per clipping that is not the one to keep of its group, naming the
    clipping it matches on the way to the one to keep, and the symlinks that lead to it
    (``linked``: each target's links). The one to keep is a clipping that a symlink leads
    to, if any, and then the first in keeping order."""
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for index in graph.edges:
        groups[graph.find(index)].append(index)
    for members in groups.values():
        if not any(clippings[index].focus for index in members):
            continue  # no problem of this group is shown
        # Clippings are in keeping order; one a symlink leads to comes first: reported,
        # it would be the copy a keeper deletes, and the link would break.
        keep = min(members, key=lambda index: (clippings[index].path not in linked, index))
        reached = {keep: keep}
        frontier = [keep]
        while frontier:  # breadth first from the one to keep, in keeping order
            following = []
            for index in frontier:
                for other in sorted(graph.edges[index]):
                    if other not in reached:
                        reached[other] = index
                        following.append(other)
            frontier = following
        for index in sorted(reached):
            if index == keep:
                continue
            parent = reached[index]
            related = [Related(clippings[parent].path, "duplicate of")]
            if parent != keep:
                related.append(Related(clippings[keep].path, "the copy to keep"))
            # (deleting it would break them: the keeper must know)
            related.extend(Related(link, "linked from")
                           for link in sorted(linked.get(clippings[index].path, ())))
            yield ArchiveViolation(clippings[index].path, _describe(graph.edges[index][parent]),
                                   tuple(related), kind="duplicate")


def _describe(match: _Match) -> str:
    if match.kind == "url":
        return "same article URL"
    if match.kind == "id":
        return "same numeric id in the file name"
    titles = "the same title" if match.same_title else "a similar title"
    if match.kind == "body":
        return f"same body under {titles}"
    return f"nearly the same body (similarity {match.similarity:.2f}) under {titles}"


def _templates(clippings: Sequence[_Clipping], bodied: Sequence[int],
               titles: _TitleAgreement) -> Iterator[ArchiveViolation]:
    """One info per body shared by three or more clippings whose titles disagree, on the
    first of them, naming the next three."""
    by_body: defaultdict[str, list[int]] = defaultdict(list)
    for index in bodied:
        by_body[clippings[index].body or ""].append(index)
    for members in by_body.values():
        named = members[:_TEMPLATE_NAMES]
        if len(members) < 3 or not any(clippings[index].focus for index in named):
            continue  # too few, or not shown: it names no focused clipping
        distinct = {clippings[index].title or "" for index in members}
        kinds = _components({title: [0] for title in distinct}, titles)
        different = len(distinct) - sum(len(group) - 1 for group in kinds)
        if different > 1:
            first = clippings[members[0]]
            yield ArchiveViolation(
                first.path,
                f"template body: the same body under {different} different titles in "
                f"{len(members)} clippings (a channel's or site's standard text, not an "
                "article)",
                tuple(Related(clippings[index].path, "also in") for index in named[1:]),
                kind="template",
            )


# -- a run on a few files of a big archive: what the reduce must see ---------------------------


#: The scans of the whole archive (a title search, a look-up by id or by body) a focused
#: reduce may make; past them, reducing the whole archive is the cheaper way (they cost
#: about what the title join over every title does).
_MAX_SCANS = 32


#: Characters of the titles counted to tell which pairs of characters are rare.
_RARITY_SAMPLE = 20_000


class _TooWide(Exception):
    """The focused clippings reach so much of the archive that reducing it all is cheaper."""


class _Reach:
    """The clippings a reduce must see, and the similar titles it must know, for its
    problems about the focused clippings to be those of the whole archive's reduce.

    The problems shown are those of the groups holding a focused clipping (and of
    template bodies naming one). Matches are made within blocks, each block's from its
    members alone: the clippings of one URL, of one numeric id in one folder (and the
    blocks of its members' URLs: whether a page they share is a feed's), of one title
    group (titles joined by similarity: bodies are compared there). So the groups
    of the focused clippings lie inside the blocks reached from them, block by block;
    and a template problem about a focused clipping needs the clippings of its body.
    Blocks are found by lookups, the title join's pairs by :class:`JoinPartners` over a
    search of the distinct titles: nothing is decoded for clippings out of reach.

    Raises :class:`_TooWide` when the reach is too wide to be worth it."""

    def __init__(self, usable: Sequence[ArchiveEntry], options: Mapping[str, Any]) -> None:
        self._archive = archive = _Archive(usable, options)
        self._threshold = options["title-similarity"]
        self._search: _TitleSearch | None = None  # made when a title is first searched
        self._groups: dict[str, frozenset[str]] = {}  # title groups found, by title
        kinds = set(options["kinds"])
        limit = max(64, len(usable) // 4)  # past a quarter, all of it costs little more
        focused = [index for index, entry in enumerate(usable) if entry.focus]
        taken: set[int] = set()
        blocks: set[Any] = set()  # the blocks already taken, by key
        pending = list(focused)
        while pending:
            index = pending.pop()
            if index in taken:
                continue
            taken.add(index)
            if len(taken) > limit:
                raise _TooWide
            record = archive.records[index]
            keys = []
            if kinds & {"url", "id"} and record.get("url") is not None:
                keys.append(("url", record["url"]))
            if "id" in kinds:
                keys.append(("id", archive.id_of(index)))
            if kinds & {"body", "near"} and archive.bodied(index) and record.get("title") is not None:
                keys.append(("title", self._title_group(record["title"])))
            for key in keys:
                if key[1] is not None and key not in blocks:
                    blocks.add(key)
                    pending.extend(self._block(key))
        if options["templates"]:
            for index in self._template_bodies(focused):
                taken.add(index)
                if len(taken) > limit:
                    raise _TooWide  # a template under thousands of clippings
        self.entries = [usable[index] for index in sorted(taken)]
        self.similar_titles: set[tuple[str, str]] = (
            self._search.similar if self._search is not None else set())

    def _block(self, key: tuple[str, Any]) -> list[int]:
        kind, value = key
        archive = self._archive
        if kind == "url":
            return archive.with_url(value)
        if kind == "id":
            return archive.with_id(value)
        return [index for title in value for index in archive.with_title(title)
                if archive.bodied(index)]

    def _title_search(self) -> _TitleSearch:
        """The search of the archive's titles, made on first use: a reduce comparing no
        bodies and reporting no templates never joins every title into one string."""
        if self._search is None:
            self._search = _TitleSearch(self._archive, self._threshold)
        return self._search

    def _title_group(self, title: str) -> frozenset[str]:
        """The titles of bodied clippings joined with ``title`` (see _components)."""
        if title in self._groups:
            return self._groups[title]
        group = {title}
        pending = [title]
        while pending:
            for other in self._title_search().partners(pending.pop()):
                if other not in group and self._archive.bodied_title(other):
                    group.add(other)
                    pending.append(other)
        found = frozenset(group)
        self._groups.update(dict.fromkeys(found, found))
        return found

    def _template_bodies(self, focused: Sequence[int]) -> Iterator[int]:
        """The bodied clippings sharing a focused clipping's body; with the similar pairs
        of their titles when the problem of that body would name a focused clipping."""
        archive = self._archive
        focus = set(focused)
        done: set[str] = set()
        for index in focused:
            if not archive.bodied(index):
                continue
            body: str = archive.records[index]["body"]
            if body in done:
                continue
            done.add(body)
            members = sorted(archive.with_body(body), key=archive.order)
            yield from members
            if len(members) >= 3 and not focus.isdisjoint(members[:_TEMPLATE_NAMES]):
                for member in members:
                    title = archive.records[member].get("title")
                    if title is not None:
                        self._title_search().partners(title)


class _Archive:
    """Look-ups over every usable clipping of the archive, each made on demand and kept:
    by URL and by title (:class:`_Positions`: a few scans, then an index), by numeric id
    and by body (a scan in Python each, counted against ``_MAX_SCANS``)."""

    def __init__(self, usable: Sequence[ArchiveEntry], options: Mapping[str, Any]) -> None:
        self._paths = [entry.path for entry in usable]
        self.records: list[dict[str, Any]] = [entry.record for entry in usable]
        self._urls = [record.get("url") for record in self.records]
        self.titles = [record.get("title") for record in self.records]
        self._pattern = re.compile(options["id-pattern"])
        self._min_length = options["min-body-length"]
        self.with_url = _Positions(self._urls)
        self.with_title = _Positions(self.titles)
        self._by_id: dict[str, defaultdict[tuple[str, str] | None, list[int]]] = {}
        self._scans = 0

    def scan(self) -> None:
        """Count one scan of the whole archive."""
        self._scans += 1
        if self._scans > _MAX_SCANS:
            raise _TooWide

    def order(self, index: int) -> tuple[bool, int, str]:
        return _order(self.records[index].get("time"), self._paths[index])

    def bodied(self, index: int) -> bool:
        record = self.records[index]
        return _has_body(record.get("body"), record.get("length") or 0, self._min_length)

    def bodied_title(self, title: str) -> bool:
        return any(self.bodied(index) for index in self.with_title(title))

    def numbers(self, title: str) -> set[str]:
        return {self.records[index].get("numbers") or "" for index in self.with_title(title)}

    def id_of(self, index: int) -> tuple[str, str] | None:
        return _numeric_id(self._paths[index], self._pattern)

    def with_id(self, key: tuple[str, str]) -> list[int]:
        """The clippings with this numeric id in this folder: one scan for all the folders
        (an archive ten times over holds one id in ten)."""
        value = key[1]
        if value not in self._by_id:
            self.scan()
            found = self._by_id[value] = defaultdict(list)
            for index, path in enumerate(self._paths):
                if not value or value in path:
                    found[_numeric_id(path, self._pattern)].append(index)
        return self._by_id[value][key]

    def with_body(self, body: str) -> list[int]:
        self.scan()
        return [index for index, record in enumerate(self.records)
                if record.get("body") == body and self.bodied(index)]


#: Values looked up by scans of the list before :class:`_Positions` indexes all of them:
#: building the index costs about as many scans.
_SCANS_BEFORE_INDEX = 8


class _Positions:
    """Where each value is in a list, each answer kept. The first few values are found by
    scanning the list (list.index: a loop in C), which is all a focused reduce usually
    asks; past those, one index of every value answers the rest, so that a reach taking
    thousands of clippings never makes thousands of scans."""

    def __init__(self, values: list[Any]) -> None:
        self._values = values
        self._found: dict[Any, list[int]] = {}
        self._indexed = False

    def __call__(self, value: Any) -> list[int]:
        found = self._found.get(value)
        if found is not None:
            return found
        if self._indexed:
            return []
        if len(self._found) < _SCANS_BEFORE_INDEX:
            found = self._found[value] = self._scan(value)
            return found
        self._found = {}
        for index, each in enumerate(self._values):
            self._found.setdefault(each, []).append(index)
        self._indexed = True
        return self._found.get(value, [])

    def _scan(self, value: Any) -> list[int]:
        found: list[int] = []
        try:
            while True:
                found.append(self._values.index(value, found[-1] + 1 if found else 0))
        except ValueError:
            return found


class _TitleSearch:
    """The pairs the title join (_similar_titles) makes with some titles, without the
    join: the titles similar to one are found by a search of all the distinct titles,
    written one a line into one string, for the rarest of its character pairs that any
    similar title must hold (the prefix filter's argument, for one set)."""

    def __init__(self, archive: _Archive, threshold: float) -> None:
        self._archive = archive
        self._threshold = threshold
        titles = [title for title in dict.fromkeys(archive.titles) if title]
        self._text = "\n".join(titles)
        if self._text.count("\n") > max(len(titles) - 1, 0):
            raise _TooWide  # a title holding a line break (no normal title does)
        # How often a character occurs, in the first titles: the rarer the pairs searched
        # for, the fewer titles to check.
        self._occurrences = functools.cache(self._text[:_RARITY_SAMPLE].count)
        self._pairs = functools.cache(_character_pairs)
        self._join: JoinPartners[tuple[str, str]] = JoinPartners(self._similar, self._order)
        #: What partners() found, both ways, as _similar_titles gives it.
        self.similar: set[tuple[str, str]] = set()

    def partners(self, title: str) -> set[str]:
        """The titles the join pairs with ``title``, in any group of numbers."""
        if not title:
            return set()  # the join takes no empty title
        found = {other for numbers in self._archive.numbers(title)
                 for other, _ in self._join.of((title, numbers))}
        self.similar.update(pair for other in found for pair in ((title, other), (other, title)))
        return found

    def _similar(self, item: tuple[str, str]) -> list[tuple[str, str]]:
        """The other titles of these numbers that reach the threshold with this one."""
        title, numbers = item
        if len(title) < 2:
            return []  # its one token is the title itself, which no other title holds
        pairs = self._pairs(title)
        self._archive.scan()
        # A similar title holds one of these (the prefix filter's bound).
        rarest = sorted(pairs, key=self._rarity)[: prefix_length(len(pairs), self._threshold)]
        text = self._text
        found: set[str] = set()
        for pair in rarest:
            at = text.find(pair)
            while at >= 0:
                end = text.find("\n", at)
                found.add(text[text.rfind("\n", 0, at) + 1 : end if end >= 0 else len(text)])
                at = text.find(pair, at + 1)
        return [(other, numbers) for other in found
                if other != title and jaccard(self._pairs(other), pairs) >= self._threshold
                and numbers in self._archive.numbers(other)]

    def _rarity(self, pair: str) -> list[int]:
        """How rare a pair of characters is likely to be: its characters' counts, the
        rarer first."""
        return sorted(map(self._occurrences, pair))

    def _order(self, item: tuple[str, str]) -> tuple[int, str]:
        """The title join's order: by size, then by title (similar_pairs over sorted
        titles)."""
        return (len(self._pairs(item[0])), item[0])
