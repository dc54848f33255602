"""The body must carry text beyond the title.

Why: a clipping whose body is empty, only markup (a ``<div></div>``, a ``<br>``), or only
its own title repeated is a failed fetch kept as if it were an article. Feeds that pass
items through RSSHub and similar bridges do this when the source page could not be read:
the body is then just the title. Such clippings inflate archives, poison deduplication
and train models on headlines posing as articles.

The visible text is what a reader would see: tags, comments, ``<script>``/``<style>``
content, a ``<template>``'s content (as the HTML standard parses it: what follows its
end tag is outside it) and whitespace removed, and the aggregator boilerplate that the
``aggregator-boilerplate`` rule's built-in catalogue finds (a feedx footer, a Better Feed
note, a tracking pixel...): a body that is nothing but a footer is reported before
anyone runs ``--fix``, and the message says the boilerplate was left out. The title
comparison ignores case, whitespace, punctuation, entities and Markdown escapes, and the
title repeated more than once still counts as only the title.

Media are content: a body whose text is empty or only the title but that shows an image,
a video, an audio player or an embedded frame (a cartoon, a photo, a video post) is not
reported. An image counts when it has a URL (``src``, ``srcset``, a lazy-load
``data-src``, or a ``<source srcset>`` of the ``<picture>`` it is in), is no tracking
pixel (``width`` or ``height`` 0 or 1) and is not ``hidden``; a video when it or one of
its ``<source>`` elements has a URL (or it has a ``poster``); an audio likewise, when it
shows its ``controls`` (without them nothing is shown); a frame, embed or object when it
has a URL (``src``, ``data``, ``srcdoc``, not ``about:blank``). Media inside the
aggregator boilerplate or inside ``<noscript>``, ``<template>``... count no more than
their text. A clipping whose title links a video's page (YouTube's ``watch?v=``,
``shorts/``, ``live/``, ``embed/`` and ``youtu.be/`` URLs) is a video post too: the
video is its content, and its description, the body, may be empty or only its title
(fetching it again would change nothing).

A body that is only the title but carries the mark Medium's feeds put on a post's whole
text (its stats pixel, ``medium.com/_/stat?...referrerSource=full_rss``) is not reported
either: the feed gave the whole post, a response whose title is its text.

Bad::

    [Beijing responds](https://www.dw.com/zh/a-53985946)
    ------

    <p><b>Beijing responds</b></p>

Good::

    [Beijing responds](https://www.dw.com/zh/a-53985946)
    ------

    <p>Beijing said on Monday that ...</p>

Bad (only an aggregator's footer)::

    <br><hr><div>获取更多RSS：<br><a href="https://feedx.net">https://feedx.net</a></div>

Options:

- ``without-boilerplate`` (``true``): judge the body as it would be once the aggregator
  boilerplate of the built-in catalogue is removed; ``false`` counts it as text.
- ``count-media`` (``true``): media count as the body's content, and so does a video
  the title links to (above); ``false`` judges the text alone, for an archive of text
  where a body of images is a fetch that kept only the article's picture.

Fix: none: the text has to be fetched again.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cliplint.document import Document
from cliplint.html import INVISIBLE_ELEMENTS, BodyView
from cliplint.rule_io import Violation
from cliplint_rules._boilerplate import catalogue
from cliplint_rules._boilerplate_match import Block, find_blocks
from cliplint_rules.aggregator_boilerplate import title_url

ID = "empty-body"
SEVERITY = "error"
FIX = None
OPTIONS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "without-boilerplate": {
            "type": "boolean",
            "default": True,
            "description": "Judge the body without the aggregator boilerplate the built-in "
            "catalogue finds.",
        },
        "count-media": {
            "type": "boolean",
            "default": True,
            "description": "An image, video, audio or embedded frame counts as the body's "
            "content (a cartoon, a photo or a video post), and so does the video a title "
            "links to.",
        },
    },
}
_TEXT_TOKENS = ("Characters", "SpaceCharacters")
#: Media elements and the attributes that give each one its content's URL (a <video>'s
#: or an <audio>'s may be its <source> children's ``src``, an <img>'s its <picture>'s
#: <source> children's ``srcset``).
_MEDIA_URLS = {
    "img": ("src", "srcset", "data-src", "data-lazy-src", "data-original"),
    "video": ("src", "poster"), "audio": ("src",),
    "iframe": ("src", "srcdoc", "data-src"), "embed": ("src",), "object": ("data",),
}
#: Where a media element's <source> children hold its URL.
_SOURCE_URL = {"video": "src", "audio": "src", "picture": "srcset"}

_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
# Letters and digits carry the words; everything else (spaces, punctuation, symbols,
# controls, zero-width characters) is left out of the comparison.
_NOT_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+")  # what _NOT_WORD leaves, character for character
#: Medium's stats pixel as its feeds add it to a post's whole text (an attribute's ``&``
#: may be written ``&amp;``).
_MEDIUM_WHOLE_TEXT = re.compile(
    r"""<img\s[^>]*?\bsrc\s*=\s*["']?https://medium\.com/_/stat\?[^"'\s>]*?"""
    r"\breferrerSource=full_rss\b", re.IGNORECASE)


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    span = document.header.body
    body = document.body
    title = _title_words(document)
    limit = 4 * len(title) + 64
    entries = catalogue() if options.get("without-boilerplate", True) else ()
    # Most bodies are far longer than their title: their first text nodes tell, without
    # walking the whole tree for the visible text or normalising all of it. Unless the
    # boilerplate is all the text there is: the blocks (found once for this rule and
    # aggregator-boilerplate) are usually at the end, the text before them tells.
    if more_words_than(body.visible_texts(), limit):
        blocks = find_blocks(body, entries, title_url(document)) if entries else []
        if not blocks or more_words_than(iter_text_outside(body, blocks), limit):
            return
        text = _words(html.unescape(body.visible_text))
    else:
        text = _words(html.unescape(body.visible_text))
        blocks = find_blocks(body, entries, title_url(document)) if entries and text else []
    left = _words(html.unescape("".join(iter_text_outside(body, blocks)))) if blocks else text
    only_title = bool(title) and not left.replace(title, "")
    if left and not only_title:
        return
    if options.get("count-media", True) and (_shows_media(body, blocks)
                                             or _links_a_video(document)):
        return  # a cartoon, a photo or a video post: its media are its content
    # Said only when the boilerplate makes the difference.
    removed = f" once the aggregator boilerplate is left out ({_labels(blocks)})"
    if not left:
        source = document.text[span.start : span.end]
        if text:  # left without its boilerplate
            source = "".join(_outside(document.text, span.start, span.end, blocks))
        what = ("empty" if not source.strip() else
                "only markup" if "<" in source else "only invisible characters")
        yield Violation(span.start, span.end,
                        f"the body has no visible text ({what}){removed if text else ''}")
        return
    if _MEDIUM_WHOLE_TEXT.search(document.text, span.start, span.end):
        return  # the whole post as Medium gave it: a response is only its title
    before = "" if not text.replace(title, "") or left == text else removed
    yield Violation(span.start, span.end, f"the body is only the title repeated{before}")


def _links_a_video(document: Document) -> bool:
    """Whether the title links a video's page (duplicate-clipping's ``distinct-items``
    by default: YouTube's videos), whose video is the clipping's content."""
    url = title_url(document)
    if url is None:
        return False
    # (imported here: asked only of a body with no text of its own)
    from cliplint_rules._charrefs import MARKDOWN_REFERENCE, decode_all
    from cliplint_rules.duplicate_clipping import YOUTUBE_VIDEOS, canonical_url, named_item

    canonical = canonical_url(decode_all(url, MARKDOWN_REFERENCE))
    return canonical is not None and named_item(canonical, YOUTUBE_VIDEOS) is not None


def _outside(text: str, start: int, end: int, blocks: list[Block]) -> Iterator[str]:
    """``text[start:end]`` without the blocks' spans (in order, not overlapping)."""
    for block in blocks:
        yield text[start : block.start]
        start = block.end
    yield text[start:end]


def _labels(blocks: list[Block]) -> str:
    labels = dict.fromkeys(part.label for block in blocks for part in (*block.joined, block.entry))
    return ", ".join(labels)


def _shows_media(body: BodyView, blocks: list[Block]) -> bool:
    """Whether the body shows a reader media (see the module's documentation) outside
    ``blocks`` and the elements a reader does not see."""
    hidden = _hidden(body, blocks)
    starts = [start for start, _ in hidden]
    for element in body.elements(*_MEDIA_URLS):
        token = body.start_tag(element)
        if token is None or not _is_media(body, element):
            continue
        place = bisect.bisect_right(starts, token.start) - 1
        if place < 0 or hidden[place][1] <= token.start:
            return True
    return False


def _is_media(body: BodyView, element: ElementTree.Element) -> bool:
    """Whether a media element shows something: a URL of its own or its <source>s', and
    for an image, no pixel and not hidden; for an audio, its controls."""
    attributes = element.attrib
    name = element.tag
    if name == "img" and (_is_pixel(attributes) or "hidden" in attributes):
        return False
    if name == "audio" and "controls" not in attributes:
        return False
    if any(_is_url(attributes.get(key)) for key in _MEDIA_URLS[name]):
        return True
    # The URL its <source> children give it: a <video>'s or <audio>'s own, an <img>'s its
    # <picture>'s.
    holder = body.parents.get(element) if name == "img" else element
    if holder is None or holder.tag not in _SOURCE_URL:
        return False
    key = _SOURCE_URL[holder.tag]
    return any(child.tag == "source" and _is_url(child.attrib.get(key)) for child in holder)


def _is_url(value: str | None) -> bool:
    return bool(value and value.strip() and value.strip().lower() != "about:blank")


def _is_pixel(attributes: Mapping[Any, str]) -> bool:
    """A tracking pixel: an image 0 or 1 wide or high (in pixels, as written)."""
    return any(attributes.get(side, "").strip().lower().removesuffix("px") in ("0", "1")
               for side in ("width", "height"))


def _hidden(body: BodyView, blocks: list[Block]) -> list[tuple[int, int]]:
    """The source spans a reader does not see, or that are the aggregator's
    (``blocks``): disjoint, in order. Found once per body and blocks (asked for the text
    and again for the media)."""
    spans = tuple((block.start, block.end) for block in blocks)
    return body.shared(("empty-body: hidden", spans), lambda: _hidden_spans(body, spans))


def _hidden_spans(body: BodyView, spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    ranges = list(spans)
    for element in body.elements(*INVISIBLE_ELEMENTS):  # (one walk; _merged sorts)
        opening = body.start_tag(element)
        if opening is not None:  # unclosed: hidden to the end
            ranges.append(body.element_span(element) or (opening.start, body.end))
    return _merged(ranges)


def iter_text_outside(body: BodyView, blocks: list[Block]) -> Iterator[str]:
    """The text a reader sees, leaving out the source spans of ``blocks``: the body's
    text tokens, less what lies in a block or in an element a reader does not see
    (script, style...), as written (entities not decoded). (The tree has no source
    positions for text; the tokens do.)"""
    hidden = _hidden(body, blocks)
    source = body.source
    first = 0  # hidden[first:] may still overlap the tokens to come (both are in order)
    for token in body.tokens:
        if token.kind not in _TEXT_TOKENS:
            continue
        while first < len(hidden) and hidden[first][1] <= token.start:
            first += 1
        position = token.start
        index = first
        while index < len(hidden) and hidden[index][0] < token.end:
            start, end = hidden[index]
            yield source[position:max(position, start)]
            position = max(position, end)
            index += 1
        yield source[position:max(position, token.end)]


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges as disjoint, sorted ones."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _title_words(document: Document) -> str:
    """The title link's text, reduced like the body's text; empty when there is none."""
    link = document.title_link
    if link is None:
        return ""
    label = _MARKDOWN_ESCAPE.sub(r"\1", document.text[link.text.start : link.text.end])
    for _ in range(3):  # titles are often double-escaped: &amp;amp;
        unescaped = html.unescape(label)
        if unescaped == label:
            break
        label = unescaped
    return _words(label)


def _words(text: str) -> str:
    """Only the letters and digits of the text, NFKC-normalised and case-folded."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def more_words_than(pieces: Iterable[str], limit: int) -> bool:
    """Whether ``len(_NOT_WORD.sub("", "".join(pieces))) > limit``, reading only as
    much text as it takes: the classes are per character, so the count of letters and
    digits adds up piece by piece and run by run."""
    count = 0
    for piece in pieces:
        if len(piece) > limit:
            # A long piece (a whole article can be one text node) is read a run of
            # letters and digits at a time, up to the limit; a short one, most, at once.
            for word in _WORD.finditer(piece):
                count += word.end() - word.start()
                if count > limit:
                    return True
            continue
        count += len(_NOT_WORD.sub("", piece))
        if count > limit:
            return True
    return count > limit
