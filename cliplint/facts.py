"""What the archive report needs to know of each clipping besides its problems.

A run makes a :class:`FileFacts` of each file it lints, from the same parse (the header is
found once and shared with the rules), and the cache keeps it with the file's problems:
the report never reads or parses a file again. It is small on purpose (a month and a
feed name), since a run over a big archive holds one per file in the cache and, with
archive rules, in memory until the end.

A clipping's *source* is its feed, in this order:

1. the folder holding it, in archives kept one folder per feed (``articles/BBC/a.md``:
   ``BBC``), with its path taken relative to the archive root (see
   :mod:`cliplint.archive`); a folder is no feed when its name is a date or a part of
   one (digits and ``-``, ``_``, ``.``: ``archived/2021-03-04/``, ``2021/03/``), or
   starts with ``_`` or ``.`` (Jekyll's ``_posts/``, hidden folders), and a file at the
   archive root has none;
2. else the first of the categories Jekyll gives the post from its front matter (a
   ``categories`` string split at whitespace, quoted or not, or list, before
   ``category``, taken whole), else its ``author`` (Jekyll archives keep each feed's name
   there), of its top-level keys as Jekyll reads them (:attr:`Document.yaml_front_matter`;
   see :func:`_front_matter_feed`);
3. else the title link's host, lower case, without ``www.``;
4. else none: the report counts the clipping under "(unknown)".

The folder comes from the path at report time (a path is not content: the same content
at two paths has one cache entry); the rest is in :class:`FileFacts`.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from yaml.nodes import Node

    from cliplint.document import Document

#: How a source was found, in the order they are tried.
FOLDER, CATEGORY, AUTHOR, HOST, UNKNOWN = "folder", "category", "author", "host", "unknown"
UNKNOWN_SOURCE = "(unknown)"
#: Longer feed names (hostile front matter) are cut.
MAX_NAME = 80
#: The last second of year 9999: later timestamps have no calendar month.
_LAST_SECOND = 253_402_300_799

# A pattern as a string, compiled (and cached by ``re``) when first used: a one-file run
# starts without compiling it.
_DATE_LIKE = r"[\d._-]*\d[\d._-]*"
#: A word of a ``categories`` string as Ruby's ``String#split`` cuts it (no argument: at
#: runs of ASCII whitespace, ``rb_isspace``; not at U+3000 or U+00A0, as ``str.split``).
_RUBY_WORD = r"[^ \t\n\v\f\r]+"
#: The plain scalars safe_yaml reads as ``nil``, in any case (``Transform::ToNil``): a
#: ``categories: null`` names no feed.
_NULLS = ("", "~", "null")


class FileFacts(NamedTuple):
    """A clipping's month (``YYYY-MM`` in UTC, from its timestamp comment) and the feed
    its content names (``feed_kind``: ``category``, ``author`` or ``host``); ``None``
    where the clipping does not say."""

    month: str | None
    feed: str | None
    feed_kind: str | None


def file_facts(document: Document) -> FileFacts:
    """The facts of a parsed clipping; cheap (the header, the front matter's keys and
    the title link, all found once per document and shared with the rules)."""
    feed, kind = _front_matter_feed(document)
    if feed is None:
        feed = _title_host(document)
        kind = HOST if feed is not None else None
    return FileFacts(_month(document), feed, kind)


def facts_from_data(data: object) -> FileFacts | None:
    """Facts as the cache stores them (a list of three), or None for anything else."""
    if isinstance(data, list) and len(data) == 3 and all(
            item is None or isinstance(item, str) for item in data):
        return FileFacts(*data)
    return None


#: Past this many significant digits a timestamp is read as this much: far beyond year
#: 9999 either way, and int() refuses more than 4300 digits, float() numbers past 1e308.
_EPOCH_DIGITS = 30
_EPOCH_CAP = 10**_EPOCH_DIGITS
#: Timestamp comments' numbers below this are in seconds (see epoch_milliseconds).
_SECONDS_BELOW = 10**11


def epoch_number(digits: str) -> int | None:
    """The number a timestamp comment's digits write, or ``None`` unless they are all
    ASCII ``0``-``9`` (what pipelines parse): ``str.isdigit`` also takes ``²`` (which
    ``int`` refuses) and ``１`` or ``٣`` (which it reads, but the contract does not mean).
    More than 30 significant digits read as ``10**30``."""
    if not (digits.isascii() and digits.isdigit()):
        return None
    significant = digits.lstrip("0")
    return int(significant or "0") if len(significant) <= _EPOCH_DIGITS else _EPOCH_CAP


def epoch_milliseconds(number: int) -> int:
    """The instant a timestamp comment's number (:func:`epoch_number`) names, in epoch
    milliseconds. Below ``10**11`` a number makes no sense as milliseconds (3 March 1973)
    and is a date in seconds: timestamp-comment reports it so (its fix appends ``000``),
    and every reader of the timestamp takes it for the instant it will be."""
    return number * 1000 if number < _SECONDS_BELOW else number


def timestamp_milliseconds(document: Document) -> int | None:
    """The instant a clipping's timestamp comment names, in epoch milliseconds
    (:func:`epoch_milliseconds`), or ``None`` without a readable one. Spaces around the
    digits are read through, as timestamp-comment's fix removes them."""
    span = document.header.timestamp
    if span is None:
        return None
    value = document.text[span.start : span.end].strip()
    if not (value.startswith("<!--") and value.endswith("-->")):
        return None
    number = epoch_number(value[4:-3].strip())
    return None if number is None else epoch_milliseconds(number)


def _month(document: Document) -> str | None:
    milliseconds = timestamp_milliseconds(document)
    if milliseconds is None:
        return None
    # (A date in seconds, which timestamp-comment reports, still names the month.)
    seconds = milliseconds // 1000
    if seconds > _LAST_SECOND:
        return None
    moment = time.gmtime(seconds)
    return f"{moment.tm_year:04d}-{moment.tm_mon:02d}"


def _front_matter_feed(document: Document) -> tuple[str | None, str | None]:
    """The feed a front matter names: the first of the post's categories, else its author.

    Jekyll (``lib/jekyll/document.rb``) makes a post's categories in
    ``Document#populate_categories``: ``Array(data["categories"])`` followed by
    ``Utils.pluralized_array_from_hash(data, "category", "categories")``, with a
    ``categories`` string already split at whitespace by ``Document#merge_categories!``
    (``String#split``, whatever the string's quotes). ``pluralized_array_from_hash``
    (``lib/jekyll/utils.rb``) prefers ``category``, taken whole, over ``categories``,
    split again, but only for the entries it adds after those of ``categories``: the first
    category is the first word of a ``categories`` string or the first item of its list,
    and ``category`` (or its list's first item) only when ``categories`` gives none."""
    front_matter = document.yaml_front_matter
    if front_matter is None:
        return None, None
    for key, kind in (("categories", CATEGORY), ("category", CATEGORY), ("author", AUTHOR)):
        given = front_matter.keys.get(key)
        name = None if given is None else _first_entry(given.value,
                                                        split_words=key == "categories")
        if name:
            return name, kind
    return None, None


def _first_entry(value: Node, split_words: bool) -> str:
    """The first entry of a front matter's value: a list's first item, a mapping's
    ``name`` (``author: {name: ...}``), or the scalar itself, none for a plain null
    (``~``, ``null``); a ``categories`` string, plain, quoted or a block, is a list of
    words, as Jekyll splits it."""
    from yaml import MappingNode, ScalarNode, SequenceNode  # (loaded: the front matter was read)

    node: Node | None = value
    if isinstance(node, SequenceNode):
        node = node.value[0] if node.value else None
        split_words = False
    if isinstance(node, MappingNode):
        node = next((item for key, item in node.value
                     if isinstance(key, ScalarNode) and key.value == "name"), None)
        split_words = False
    if not isinstance(node, ScalarNode):
        return ""
    text: str = node.value
    if not node.style and text.lower() in _NULLS:  # (plain: None, or "" from libyaml)
        return ""
    if split_words:
        word = re.search(_RUBY_WORD, text)
        text = "" if word is None else word.group()
    return _cut(text.strip())


def _title_host(document: Document) -> str | None:
    link = document.title_link
    if link is None:
        return None
    scheme, slashes, rest = document.text[link.url.start : link.url.end].strip().partition("://")
    if not slashes or not scheme.isascii() or not scheme[:1].isalpha() or not all(
            char.isalnum() or char in "+.-" for char in scheme):
        return None
    for end, char in enumerate(rest):  # the authority ends at the path, query or fragment
        if char in "/?#\\" or char.isspace():
            rest = rest[:end]
            break
    host = rest.rpartition("@")[2]
    if host.startswith("["):  # an IPv6 literal
        host = host.partition("]")[0] + "]"
    else:
        host = host.partition(":")[0]  # no port
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return _cut(host) or None


def _cut(name: str) -> str:
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def folder_source(relative: str) -> str | None:
    """The feed folder of a path relative to the archive root (``/`` separators), if its
    folder is one (see the module's documentation)."""
    folder, slash, _ = relative.rpartition("/")
    if not slash:
        return None
    name = folder.rpartition("/")[2]
    if not name or name in (".", "..") or name[0] in "._" or re.fullmatch(_DATE_LIKE, name):
        return None
    return _cut(name)


def source_of(relative: str, facts: FileFacts | None) -> tuple[str, str]:
    """A clipping's source and how it was found (``folder``, ``category``, ``author``,
    ``host``, or ``unknown``)."""
    folder = folder_source(relative)
    if folder is not None:
        return folder, FOLDER
    if facts is not None and facts.feed is not None and facts.feed_kind is not None:
        return facts.feed, facts.feed_kind
    return UNKNOWN_SOURCE, UNKNOWN
