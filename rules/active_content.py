"""The body must not carry scripts, embeds or anything else that acts on its own.

Why: many archives are rendered as websites (Jekyll, GitHub Pages). Every ``<script>``,
embedded frame, event handler or ``javascript:`` link a feed let through then runs in
the archive's readers' browsers, under the archive's name; a ``<meta http-equiv=refresh>``
or ``<base>`` sends them elsewhere; a ``<form>`` collects what they type. Clippings fed
to search or ML carry them as noise.

Reported, each naming the element and the attribute that makes it active:

- ``<script>`` elements that a browser runs (a ``type`` that is not JavaScript, a module
  or an import map makes a data block, which is not reported);
- ``<iframe>``, ``<embed>`` (``src``) and ``<object>`` (``data``) unless their URL is
  http(s) on one of ``allowed-hosts``;
- event-handler attributes: ``onclick``, ``onerror``, any ``on`` and three or more
  letters;
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

- ``allowed-hosts`` (``[]``): hosts whose ``<iframe>``/``<embed>``/``<object>`` are
  allowed, e.g. ``["youtube.com", "player.vimeo.com"]``. An entry allows that host and
  its subdomains (``youtube.com`` allows ``www.youtube.com``); a leading ``*.`` is
  accepted and means the same.

Fix (unsafe, with ``--unsafe-fixes``): the element is deleted from its start tag to its
end tag (none is offered when that end cannot be told for sure); a ``<form>`` loses only
its two tags, so the text inside it stays; an attribute is deleted with the space before
it. The text of a deleted element is lost, which is why the fix is unsafe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from cliplint.document import Document
from cliplint.html import BodyView, Token
from cliplint.model import Edit, Fix, Violation

ID = "active-content"
SEVERITY = "error"
FIX = "unsafe"
OPTIONS = {
    "type": "object",
    "properties": {
        "allowed-hosts": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^(\*\.)?[^\s/:@*]+$"},
            "default": [],
            "description": "Hosts (and their subdomains) allowed in <iframe>, <embed> "
            "and <object>, e.g. youtube.com.",
        },
    },
}

#: The element and the attribute holding the URL it embeds.
_EMBEDS = {"iframe": "src", "embed": "src", "object": "data"}
#: The elements _element_problem may report (it is called for no other: most tags are
#: <p>, <a>, <img>...).
_ACTIVE_ELEMENTS = frozenset({"script", *_EMBEDS, "meta", "base", "form"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction"})
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
_HTML_SPACE = " \t\n\f\r"
# What a URL parser strips at both ends (C0 controls and space) and removes inside.
_URL_STRIP = "".join(chr(code) for code in range(0x21))
_URL_REMOVE = str.maketrans("", "", "\t\n\r")
#: What an active scheme's URL starts with, before _active_scheme strips and lower-cases it.
_MAY_BE_ACTIVE = re.compile("[\x00-\x20]*[jvdJVD]")


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    body = document.body
    allowed = tuple(host.lower().removeprefix("*.").rstrip(".")
                    for host in options.get("allowed-hosts", ()))
    for index, token in enumerate(body.tokens):
        if token.kind != "StartTag":
            continue
        problem = (_element_problem(body, index, token, allowed)
                   if token.name in _ACTIVE_ELEMENTS else None)
        if problem is not None:
            yield problem  # its attributes go with it
        elif token.attributes:
            yield from _attribute_problems(body, token)


def _element_problem(body: BodyView, index: int, token: Token,
                     allowed: Sequence[str]) -> Violation | None:
    name = token.name
    attributes = token.attributes
    if name == "script" and _runs(attributes):
        src = attributes.get("src")
        what = f"code from {_http_host(src) or repr(_short(src))} (src)" if src else "inline code"
        return _delete_element(body, index, token, f"<script> element runs {what}")
    if name in _EMBEDS:
        attribute = _EMBEDS[name]
        host = _http_host(attributes.get(attribute, ""))
        if host and any(host == entry or host.endswith("." + entry) for entry in allowed):
            return None
        if host:
            message = f"<{name}> embeds {host}, which is not in allowed-hosts ({attribute})"
        elif name == "iframe" and "srcdoc" in attributes:
            message = "<iframe> embeds inline HTML (srcdoc)"
        else:
            message = f"<{name}> embeds content without an http(s) URL in {attribute}"
        return _delete_element(body, index, token, message)
    if name == "meta" and attributes.get("http-equiv", "").strip(_HTML_SPACE).lower() == "refresh":
        content = _short(attributes.get("content", ""))
        return _delete_element(body, index, token,
                               f"<meta http-equiv=refresh> reloads or redirects the page "
                               f"(content={content!r})")
    if name == "base":
        written = ", ".join(_attribute_name(key) for key in attributes) or "no attributes"
        return _delete_element(body, index, token,
                               f"<base> element changes where links lead ({written})")
    if name == "form":
        action = attributes.get("action")
        where = f" to {_http_host(action) or repr(_short(action))} (action)" if action else ""
        return _unwrap_form(body, index, token, f"<form> element submits reader input{where}")
    return None


def _attribute_problems(body: BodyView, token: Token) -> Iterator[Violation]:
    for key, value in token.attributes.items():
        # Nearly every key is a plain name: it is lower-cased here, not in a call.
        name = key.lower() if isinstance(key, str) else _attribute_name(key)
        local = name.rpartition(":")[2]
        if _HANDLER.fullmatch(local):
            message = f"event-handler attribute {name} on <{token.name}> runs code"
        elif local in _URL_ATTRIBUTES and (scheme := _active_scheme(value)):
            message = f"{scheme} URL in the {name} of <{token.name}>"
        else:
            continue
        written = next((a for a in body.attributes(token) if a.name == name), None)
        if written is None:  # not found as written: report the tag, offer no fix
            yield Violation(token.start, token.end, message)
            continue
        start = written.start
        while start > token.start and body.source[start - 1] in _HTML_SPACE:
            start -= 1  # the space before it goes too
        fix = Fix((Edit(start, written.end, ""),), "unsafe", f"delete the {name} attribute")
        yield Violation(written.start, written.end, message, fix)


def _delete_element(body: BodyView, index: int, token: Token, message: str) -> Violation:
    span = body.token_span(index)
    fix = None
    if span is not None:
        fix = Fix((Edit(span[0], span[1], ""),), "unsafe", f"delete the <{token.name}> element")
    return Violation(token.start, token.end, message, fix)


def _unwrap_form(body: BodyView, index: int, token: Token, message: str) -> Violation:
    edits = [Edit(token.start, token.end, "")]
    closing = body.matching_end_tags.get(index)
    if closing is not None:
        end_tag = body.tokens[closing]
        edits.append(Edit(end_tag.start, end_tag.end, ""))
    fix = Fix(tuple(edits), "unsafe", "delete the <form> tags, keeping what is inside")
    return Violation(token.start, token.end, message, fix)


def _runs(attributes: Mapping[Any, str]) -> bool:
    """Whether a browser runs a script with these attributes (else it is a data block).
    A ``type`` with parameters is counted as its essence, to err on the safe side."""
    kind = attributes.get("type", "").strip(_HTML_SPACE).lower()
    return not kind or kind.partition(";")[0].strip(_HTML_SPACE) in _SCRIPT_TYPES


def _active_scheme(value: str) -> str | None:
    """``javascript:``, ``vbscript:`` or ``data:text/html`` when the URL is one."""
    # Each of them starts with j, v or d, and only those letters lower-case to one
    # (checked over all of Unicode): most URLs are out without being copied.
    if not _MAY_BE_ACTIVE.match(value):
        return None
    url = value.strip(_URL_STRIP).translate(_URL_REMOVE).lower()
    for scheme in ("javascript:", "vbscript:"):
        if url.startswith(scheme):
            return scheme
    if url.startswith("data:") and url[5:].lstrip(_HTML_SPACE).startswith("text/html"):
        return "data:text/html"
    return None


def _http_host(value: str | None) -> str | None:
    """The host of an absolute or scheme-relative http(s) URL."""
    if not value:
        return None
    url = value.strip(_URL_STRIP).translate(_URL_REMOVE)
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
