"""The body must carry text beyond the title.

Why: a clipping whose body is empty, only markup (an image, a ``<div></div>``), or only
its own title repeated is a failed fetch kept as if it were an article. Feeds that pass
items through RSSHub and similar bridges do this when the source page could not be read:
the body is then just the title. Such clippings inflate archives, poison deduplication
and train models on headlines posing as articles.

The visible text is what a reader would see: tags, comments, ``<script>``/``<style>``
content and whitespace removed. The title comparison ignores case, whitespace,
punctuation, entities and Markdown escapes, and the title repeated more than once still
counts as only the title.

Bad::

    [Beijing responds](https://www.dw.com/zh/a-53985946)
    ------

    <p><b>Beijing responds</b></p>

Good::

    [Beijing responds](https://www.dw.com/zh/a-53985946)
    ------

    <p>Beijing said on Monday that ...</p>

Options: none.

Fix: none: the text has to be fetched again.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cliplint.document import Document
from cliplint.html import iter_visible_text
from cliplint.model import Violation

ID = "empty-body"
SEVERITY = "error"
FIX = None
OPTIONS: dict[str, Any] = {"type": "object", "properties": {}}

_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
# Letters and digits carry the words; everything else (spaces, punctuation, symbols,
# controls, zero-width characters) is left out of the comparison.
_NOT_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+")  # what _NOT_WORD leaves, character for character


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    span = document.header.body
    body = document.body
    title = _title_words(document)
    # Most bodies are far longer than their title: their first text nodes tell, without
    # walking the whole tree for the visible text or normalising all of it.
    if more_words_than(iter_visible_text(body.fragment), 4 * len(title) + 64):
        return
    text = _words(html.unescape(body.visible_text))
    if not text:
        source = document.text[span.start : span.end]
        what = ("empty" if not source.strip() else
                "only markup" if "<" in source else "only invisible characters")
        yield Violation(span.start, span.end, f"the body has no visible text ({what})")
        return
    if title and not text.replace(title, ""):
        yield Violation(span.start, span.end, "the body is only the title repeated")


def _title_words(document: Document) -> str:
    """The title link's text, reduced like the body's text; empty when there is none."""
    span = document.header.title
    if span is None:
        return ""
    line = document.text[span.start : span.end]
    close = line.rfind("](")
    if not line.startswith("[") or close == -1:
        return ""
    label = _MARKDOWN_ESCAPE.sub(r"\1", line[1:close])
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
    much text as it takes: both classes are per character, so the count of letters
    and digits adds up run by run and piece by piece."""
    count = 0
    for piece in pieces:
        for word in _WORD.finditer(piece):
            count += word.end() - word.start()
            if count > limit:
                return True
    return count > limit
