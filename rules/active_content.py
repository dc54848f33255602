"""The body must not carry scripts, embeds or anything else that acts on its own.

Why: many archives are rendered as websites (Jekyll, GitHub Pages). Every ``<script>``,
embedded frame, event handler or ``javascript:`` link a feed let through then runs in
the archive's readers' browsers, under the archive's name; a ``<meta http-equiv=refresh>``
or ``<base>`` sends them elsewhere; a ``<form>`` collects what they type. Clippings fed
to search or ML carry them as noise.

Reported, each naming the element and the attribute that makes it active (errors
unless said otherwise):

- ``<script>`` elements that a browser runs (a ``type`` that is not JavaScript, a module
  or an import map makes a data block, which is not reported);
- ``<iframe>``, ``<embed>`` (``src``) and ``<object>`` (``data``) unless their URL is
  http(s) on one of ``allowed-hosts``. One without that URL (missing, empty or
  ``about:blank``) embeds nothing: a lazy-load ``<iframe data-src="..."
  class="lazyload">`` is inert in an archive, where no script swaps the URL in; it is
  reported only with ``report-lazy-embeds`` (info);
- ``<style>`` elements whose CSS loads something from another site (``@import``,
  ``url(...)`` with an http(s) or ``//`` URL), and ``<link>`` elements that fetch one
  (``rel`` stylesheet, preload, modulepreload or prefetch), unless the host is on
  ``allowed-hosts`` (warnings: the page calls a third party with every reading, and may
  change how the archive looks). Inline ``style=`` attributes and relative URLs are not;
- event-handler attributes: ``onclick``, ``onerror``, any ``on`` and three or more
  letters. On a ``<source>`` only ``onerror``, and only in a ``<video>`` or ``<audio>``:
  a browser fires nothing else at a ``<source>``, and nothing at all at one in a
  ``<picture>`` (Matters writes ``onerror`` there as a fallback that never runs);
- ``javascript:``, ``vbscript:`` and ``data:text/html`` URLs in ``href``, ``src``,
  ``action`` and ``formaction`` (written with entities or tabs too, as browsers read them);
- ``<meta http-equiv="refresh">``, ``<base>`` and ``<form>``.

Bad::

    <p>Watch <a href="javascript:play()">the video</a></p>
    <img src="x.jpg" onerror="track()"><script src="https://platform.twitter.com/widgets.js"></script>

Good::

    <p>Watch <a href="https://www.youtube.com/watch?v=abc">the video</a></p>
    <img src="x.jpg">

Options:

- ``allowed-hosts`` (``[]``): hosts whose ``<iframe>``/``<embed>``/``<object>``,
  stylesheets and other fetched resources are allowed, e.g. ``["youtube.com",
  "player.vimeo.com"]``. An entry allows that host and its subdomains (``youtube.com``
  allows ``www.youtube.com``); a leading ``*.`` is accepted and means the same.
- ``report-lazy-embeds`` (``false``): also report embeds whose only URL is a lazy-load
  one (``data-src``, ``data-lazy-src``...), as infos.

Fix (unsafe, with ``--unsafe-fixes``): the element is deleted from its start tag to its
end tag (none is offered when that end cannot be told for sure); a ``<form>`` loses only
its two tags, so the text inside it stays; an attribute is deleted with the space before
it. The text of a deleted element is lost, which is why the fix is unsafe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from cliplint.document import Document
from cliplint.html import HTML_SPACE, BodyView, Token
from cliplint.model import Edit, Finding, Fix
from cliplint.rule_io import Violation
from cliplint_rules._quoting import shown
from cliplint_rules._urls import URL_STRIP, url_as_read

ID = "active-content"
SEVERITY = "error"
FIX = "unsafe"
FINDINGS = {
    "active": Finding("error", "a script, embed, event handler, script URL, redirect, <base> "
                      "or form: something that acts on its own"),
    "outside-resource": Finding("warning", "a <style> or <link> that loads a resource from a "
                                "host not on allowed-hosts"),
    "lazy-embed": Finding("info", "an embed whose only URL is a lazy-load one, inert in an "
                          "archive (only with report-lazy-embeds)"),
}
OPTIONS = {
    "type": "object",
    "properties": {
        "allowed-hosts": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^(\*\.)?[^\s/:@*]+$",
                      "patternDescription": "a host name such as www.youtube.com or "
                      "*.youtube.com, without scheme, path or port"},
            "default": [],
            "description": "Hosts (and their subdomains) allowed in <iframe>, <embed>, "
            "<object>, stylesheets and <link>s, e.g. youtube.com.",
        },
        "report-lazy-embeds": {
            "type": "boolean",
            "default": False,
            "description": "Also report embeds whose only URL is a lazy-load one "
            "(data-src...), as infos.",
        },
    },
}

#: The element and the attribute holding the URL it embeds.
_EMBEDS = {"iframe": "src", "embed": "src", "object": "data"}
#: The elements _element_problem may report (it is called for no other: most tags are
#: <p>, <a>, <img>...).
_ACTIVE_ELEMENTS = frozenset({"script", *_EMBEDS, "meta", "base", "form", "style", "link"})
#: Where lazy-load scripts keep an embed's URL until they swap it in.
_LAZY_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original", "data-url", "data-data")
#: <link rel> keywords that make a browser fetch the linked resource.
_FETCHING_RELS = frozenset({"stylesheet", "preload", "modulepreload", "prefetch"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction"})


@cache  # (compiled on first use, as the next: few clippings hold a <style>)
def _css_url() -> re.Pattern[str]:
    """URLs in CSS: url(...), quoted or not, and @import "..."."""
    return re.compile(
        r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""",
        re.IGNORECASE)


@cache
def _css_comment() -> re.Pattern[str]:
    return re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)


# Every event handler HTML defines has at least three letters after "on" (oncut);
# this keeps words like one="…" out.
_HANDLER = re.compile(r"on[a-z]{3,}")
# https://mimesniff.spec.whatwg.org/#javascript-mime-type, plus the other script types
# a browser acts on (https://html.spec.whatwg.org/#prepare-the-script-element).
_SCRIPT_TYPES = frozenset({
    "application/ecmascript", "application/javascript", "application/x-ecmascript",
    "application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0",
    "text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
    "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript",
    "text/x-javascript", "module", "importmap", "speculationrules",
})
#: What an active scheme's URL starts with, before _active_scheme strips and lower-cases it.
_MAY_BE_ACTIVE = re.compile("[\x00-\x20]*[jvdJVD]")


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    body = document.body
    allowed = tuple(host.lower().removeprefix("*.").rstrip(".")
                    for host in options.get("allowed-hosts", ()))
    lazy = options.get("report-lazy-embeds", False)
    for index, token in enumerate(body.tokens):
        if token.kind != "StartTag":
            continue
        problem = (_element_problem(body, index, token, allowed, lazy)
                   if token.name in _ACTIVE_ELEMENTS else None)
        if problem is not None:
            yield problem  # its attributes go with it
        elif token.attributes:
            yield from _attribute_problems(body, index, token)


def _element_problem(body: BodyView, index: int, token: Token,
                     allowed: Sequence[str], lazy: bool) -> Violation | None:
    name = token.name
    attributes = token.attributes
    if name == "script" and _runs(attributes):
        src = attributes.get("src")
        what = f"code from {_where_to(src)} (src)" if src else "inline code"
        return _delete_element(body, index, token, f"<script> element runs {what}")
    if name in _EMBEDS:
        return _embed_problem(body, index, token, allowed, lazy)
    if name == "style":
        return _style_problem(body, index, token, allowed)
    if name == "link":
        rels = set(attributes.get("rel", "").lower().split())
        host = _http_host(attributes.get("href", ""))
        if rels & _FETCHING_RELS and host and not _allowed(host, allowed):
            rel = " ".join(sorted(rels & _FETCHING_RELS))
            return _delete_element(body, index, token, f"<link rel={rel}> loads a resource from "
                                   f"{shown(host)}, which is not in allowed-hosts (href)",
                                   kind="outside-resource")
        return None
    if name == "meta" and attributes.get("http-equiv", "").strip(HTML_SPACE).lower() == "refresh":
        content = _short(attributes.get("content", ""))
        return _delete_element(body, index, token,
                               f"<meta http-equiv=refresh> reloads or redirects the page "
                               f"(content={content!r})")
    if name == "base":
        written = shown(", ".join(_attribute_name(key) for key in attributes)) or "no attributes"
        return _delete_element(body, index, token,
                               f"<base> element changes where links lead ({written})")
    if name == "form":
        action = attributes.get("action")
        where = f" to {_where_to(action)} (action)" if action else ""
        return _unwrap_form(body, index, token, f"<form> element submits reader input{where}")
    return None


def _embed_problem(body: BodyView, index: int, token: Token, allowed: Sequence[str],
                   lazy: bool) -> Violation | None:
    name = token.name
    attributes = token.attributes
    attribute = _EMBEDS[name]  # type: ignore[index]
    url = attributes.get(attribute, "").strip(URL_STRIP)
    host = _http_host(url)
    if host and _allowed(host, allowed):
        return None
    if host:
        message = f"<{name}> embeds {shown(host)}, which is not in allowed-hosts ({attribute})"
    elif name == "iframe" and "srcdoc" in attributes:
        message = "<iframe> embeds inline HTML (srcdoc)"
    elif not url or url.lower() == "about:blank":
        # Embeds nothing: at most a lazy-load URL that no script swaps in here.
        held = next((key for key in _LAZY_ATTRIBUTES if attributes.get(key, "").strip()), None)
        lazy_host = _http_host(attributes.get(held, "")) if held else None
        if not lazy or held is None or (lazy_host and _allowed(lazy_host, allowed)):
            return None
        where = _where_to(attributes[held])
        return _delete_element(body, index, token, f"lazy-load <{name}> would embed {where} "
                               f"({held}), inert without a script", kind="lazy-embed")
    else:
        message = f"<{name}> embeds content without an http(s) URL in {attribute}"
    return _delete_element(body, index, token, message)


def _style_problem(body: BodyView, index: int, token: Token,
                   allowed: Sequence[str]) -> Violation | None:
    """A <style> whose CSS loads something from a host not on allowed-hosts."""
    closing = body.matching_end_tags.get(index)
    end = body.tokens[closing].start if closing is not None else body.end
    css = _css_comment().sub(" ", body.source[token.end : end])
    outside = []
    for match in _css_url().finditer(css):
        host = _http_host(next((group for group in match.groups() if group is not None), ""))
        if host and not _allowed(host, allowed):
            outside.append(host)
    if not outside:
        return None
    more = f" and {len(outside) - 1} more" if len(outside) > 1 else ""
    return _delete_element(body, index, token, f"<style> element loads a resource from "
                           f"{shown(outside[0])}{more}, which is not in allowed-hosts",
                           kind="outside-resource")


def _allowed(host: str, allowed: Sequence[str]) -> bool:
    return any(host == entry or host.endswith("." + entry) for entry in allowed)


def _attribute_problems(body: BodyView, index: int, token: Token) -> Iterator[Violation]:
    for key, value in token.attributes.items():
        # Nearly every key is a plain name: it is lower-cased here, not in a call.
        name = key.lower() if isinstance(key, str) else _attribute_name(key)
        local = name.rpartition(":")[2]
        # The names as written: a prefix, or the tag's name, may hold any character.
        if _HANDLER.fullmatch(local):
            if token.name == "source" and not _fired_at_source(body, index, local):
                continue
            message = f"event-handler attribute {shown(name)} on <{shown(token.name or '')}> runs code"
        elif local in _URL_ATTRIBUTES and (scheme := _active_scheme(value)):
            message = f"{scheme} URL in the {shown(name)} of <{shown(token.name or '')}>"
        else:
            continue
        written = next((a for a in body.attributes(token) if a.name == name), None)
        if written is None:  # not found as written: report the tag, offer no fix
            yield Violation(token.start, token.end, message, kind="active")
            continue
        start = written.start
        while start > token.start and body.source[start - 1] in HTML_SPACE:
            start -= 1  # the space before it goes too
        fix = Fix((Edit(start, written.end, ""),), "unsafe", f"delete the {shown(name)} attribute")
        yield Violation(written.start, written.end, message, fix, kind="active")


def _fired_at_source(body: BodyView, index: int, handler: str) -> bool:
    """Whether a browser fires the event of ``handler`` at the ``<source>`` whose start
    tag is ``tokens[index]``: only ``error``, at a source of a ``<video>`` or ``<audio>``
    (the media element's resource selection), never at a ``<picture>``'s or any other's
    (the HTML standard; checked in Chromium)."""
    return handler == "onerror" and body.shared(
        "active-content: the parent of each <source>", lambda: _source_parents(body),
    ).get(index) in ("video", "audio")


def _source_parents(body: BodyView) -> dict[int, str]:
    """The tag of each ``<source>`` element's parent, by its start tag's index."""
    return {body.start_tags[child]: parent.tag for child, parent in body.parents.items()
            if child.tag == "source" and child in body.start_tags}


def _delete_element(body: BodyView, index: int, token: Token, message: str,
                    kind: str = "active") -> Violation:
    span = body.token_span(index)
    fix = None
    if span is not None:
        fix = Fix((Edit(span[0], span[1], ""),), "unsafe", f"delete the <{token.name}> element")
    return Violation(token.start, token.end, message, fix, kind=kind)


def _unwrap_form(body: BodyView, index: int, token: Token, message: str) -> Violation:
    edits = [Edit(token.start, token.end, "")]
    closing = body.matching_end_tags.get(index)
    if closing is not None:
        end_tag = body.tokens[closing]
        edits.append(Edit(end_tag.start, end_tag.end, ""))
    fix = Fix(tuple(edits), "unsafe", "delete the <form> tags, keeping what is inside")
    return Violation(token.start, token.end, message, fix, kind="active")


def _runs(attributes: Mapping[Any, str]) -> bool:
    """Whether a browser runs a script with these attributes (else it is a data block).
    A ``type`` with parameters is counted as its essence, to err on the safe side."""
    kind = attributes.get("type", "").strip(HTML_SPACE).lower()
    return not kind or kind.partition(";")[0].strip(HTML_SPACE) in _SCRIPT_TYPES


def _active_scheme(value: str) -> str | None:
    """``javascript:``, ``vbscript:`` or ``data:text/html`` when the URL is one."""
    # Each of them starts with j, v or d, and only those letters lower-case to one
    # (checked over all of Unicode): most URLs are out without being copied.
    if not _MAY_BE_ACTIVE.match(value):
        return None
    url = url_as_read(value).lower()
    for scheme in ("javascript:", "vbscript:"):
        if url.startswith(scheme):
            return scheme
    if url.startswith("data:") and url[5:].lstrip(HTML_SPACE).startswith("text/html"):
        return "data:text/html"
    return None


def _where_to(url: str) -> str:
    """Where a URL leads, for a message: its http(s) host, else the URL itself, quoted
    and cut short."""
    host = _http_host(url)
    return shown(host) if host else repr(_short(url))


def _http_host(value: str | None) -> str | None:
    """The host of an absolute or scheme-relative http(s) URL."""
    if not value:
        return None
    url = url_as_read(value)
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "") or not host:
        return None
    return host.rstrip(".")


def _attribute_name(key: Any) -> str:
    """html5lib turns namespaced attributes of SVG and MathML (``xlink:href``) into
    (prefix, name, namespace) keys; this is the name as written, lower-cased."""
    if isinstance(key, tuple):
        prefix, local = key[0], key[1]
        return f"{prefix}:{local}".lower() if prefix else str(local).lower()
    return str(key).lower()


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
