"""The body must not carry a feed aggregator's promo, footer or tracking pixel.

Why: full-text feed services paste their own promos into every article they relay
(feedx's ``获取更多RSS`` footer ends 447 of the 3,000 clippings in the dev corpus),
WordPress plugins append notes, and feed readers add ads and 1x1 trackers. They are
not the article: they pollute search indexes and training data, and a tracker pings a
third party every time the clipping is rendered.

Checked, on the parsed body (never with regular expressions over raw HTML), against a
catalogue of known aggregators shipped with cliplint (``cliplint_rules/data/
boilerplate.json``, validated by ``boilerplate.schema.json``):

- trailing footers, only when they are the last block of the body (a marker quoted
  in the middle of an article is not flagged): feedx on all its domains, with a
  full-width or ASCII colon, also in its sanitised ``<hr/>获取更多RSS：<a ...>`` form;
  FetchRSS; Feed43; Kill the Newsletter!; WordPress/Yoast "The post ... appeared first
  on ..." (only as the last paragraph, with two links, the first one to the
  clipping's own title URL); Medium's "TITLE was originally published in PUBLICATION on
  Medium, where people are continuing the conversation by highlighting and responding
  to this story." (the same way, but the first link may lack the ``?source=rss-...``
  query of the title URL; a writer's own "was originally published in ..." is not
  it); the WordPress Better Feed plugin's footer (``<hr />``, then
  ``© AUTHOR for BLOG, YEAR. | Permalink | No comment | Add to del.icio.us`` and the post's
  tags, where PHP 7 leaves the year as the unexecuted ``get_post_time('Y')``) and its
  "Feed enhanced by Better Feed" note: both, when together, are one block;
- header ads, only as the first block: Inoreader's ``<center>... Ads from Inoreader``;
- anywhere: Feedburner flares (``div.feedflare``) and 1x1 tracking pixels of known
  beacons (Feedburner ``/~r/``, WordPress.com stats, Medium, Google Analytics,
  comScore, Baidu Tongji, StatCounter, the Amazon Associates impression pixel, the
  Meta Pixel, LinkedIn Insight and Quantcast ``<noscript>`` images). A pixel is an
  image whose width and height are both known and at most 1: a 600x1 divider is not a
  tracker. Substack's subscribe forms (``div.subscription-widget-wrap`` or
  ``-wrap-editor``, and ``div.subscribe-widget`` with
  ``data-component-name="SubscribeWidget"``, holding no link) and its editor's buttons
  (``p.button-wrapper`` with ``data-component-name="ButtonCreateButton"``, nothing in
  it but the button) whose one link, on the clipping's own host, goes to the
  publication's ``/subscribe`` page, shares (``action=share``) or goes to a post's
  ``/comments``: a button the writer points elsewhere (another publication, a
  newspaper, a book) is the article's.
  Each entry's ``sources`` in the catalogue say where its facts come from.

Each problem spans exactly the block a fix deletes: for a trailing footer, from the
``<br>``/``<hr>`` separators right before it to its end; for parts of one footer (an
entry's ``joins``), all of them. A block is reported only when the markup around it is
unambiguous (its tags balance, its text is what the parse shows); a block with more
than 4,000 characters of text or 200 elements is never boilerplate.

Bad::

    <p>...恢复”。</p><br><hr><div>获取更多RSS：<br><a href="https://feedx.net">https://feedx.net</a></div>

Good::

    <p>...恢复”。</p>

Options:

- ``entries`` (list, default ``[]``): more catalogue entries, shaped like the built-in
  ones; an entry with a built-in entry's name replaces it. For example, in
  ``cliplint.toml`` (``[[tool.cliplint.rules...]]`` in ``pyproject.toml``)::

      [[rules.aggregator-boilerplate.entries]]
      name = "my-planet"
      label = "Planet footer"
      position = "trailing"      # trailing | leading | anywhere
      fix = "safe"               # safe | unsafe
      elements = ["p", "#text"]  # element names; "#text" is a bare run of text
      text = ['Syndicated by \\[Planet\\]']   # regexes over the block's text, links in [ ]
      links = { hosts = ["planet.example.org"], min = 1, max = 1 }

  Other fields: ``class`` (the element carries one of these classes), ``attributes``
  (the element carries each of these attributes with one of the listed values, e.g.
  ``{ data-component-name = ["ButtonCreateButton"] }``; an entry asking for either
  cannot have ``"#text"`` among its elements: a bare run carries neither, so the test
  would silently not apply to it), ``queries`` in ``links``,
  ``images`` (``hosts``, ``paths``, ``max-size`` in pixels), ``allow`` (elements
  allowed inside besides links, breaks and inline formatting), ``conditions``
  (``first-link-is-title-url``; ``first-link-is-title-page``, the same whatever the
  two URLs' queries and fragments; ``links-on-title-host``, every link goes to the
  title URL's host, ``www.`` aside), ``joins`` (entries whose block right before this
  one is part of the same boilerplate: one problem, one fix), ``description``,
  ``sources``. Hosts are globs that also match subdomains; paths, queries and texts
  are regular expressions (paths and queries searched, texts matched whole, after
  collapsing whitespace).
- ``disable`` (list, default ``[]``): names of built-in entries to leave out, e.g.
  ``["feedx"]``.

Fix: deleting a trailing footer (with the separators before it) or a tracker is safe;
the structural ones (Yoast, Medium, plugin notes such as Better Feed, header ads) and
Substack's widgets in the middle of the body are unsafe.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from cliplint.document import Document
from cliplint.model import Applicability, Edit, Fix
from cliplint.rule_io import Violation
from cliplint_rules import _boilerplate
from cliplint_rules._boilerplate_match import Block, find_blocks

ID = "aggregator-boilerplate"
SEVERITY = "error"
FIX = "safe"  # the strongest; each violation's fix says whether it is safe or unsafe
OPTIONS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "entries": {
            "description": "More catalogue entries, shaped like the built-in ones.",
            "type": "array",
            "items": _boilerplate.entry_schema(),
            "default": [],
        },
        "disable": {
            "description": "Names of built-in catalogue entries to leave out.",
            "type": "array",
            "items": {"enum": list(_boilerplate.builtin_names())},
            "uniqueItems": True,
            "default": [],
        },
    },
}

_WHERE = {"trailing": " at the end of the body", "leading": " at the start of the body",
          "anywhere": ""}


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    entries = _boilerplate.catalogue(
        json.dumps(list(options.get("entries", ())), sort_keys=True, ensure_ascii=False),
        tuple(sorted(options.get("disable", ()))),
    )
    if not entries or document.header.body.start >= len(document.text):
        return
    for block in find_blocks(document.body, entries, title_url(document)):
        yield _violation(block)


def _violation(block: Block) -> Violation:
    entry = block.entry
    label = entry.label
    if block.joined:  # parts of one boilerplate: one problem, one fix
        label += " with the " + " and the ".join(part.label for part in block.joined) + " before it"
    applicability: Applicability = "unsafe" if any(part.fix == "unsafe" for part in (*block.joined, entry)) else "safe"
    return Violation(
        block.start,
        block.end,
        f"{label}{_WHERE[entry.position]} [{entry.name}]",
        Fix((Edit(block.start, block.end, ""),), applicability, f"delete the {label}"),
    )


def title_url(document: Document) -> str | None:
    """The URL of the ``[text](url)`` title line, or None when there is no such line
    (the title-link rule reports that)."""
    span, link = document.header.title, document.title_link
    if span is None or link is None:
        return None
    several_lines = document.position(span.start)[0] != document.position(span.end)[0]
    if several_lines or document.text[link.end : span.end].strip():
        return None
    url = document.text[link.url.start : link.url.end].strip()
    return url or None
