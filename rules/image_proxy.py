"""Images routed through an image proxy must keep a recoverable upstream image URL.

Why it matters: scrapers route images through proxies (images.weserv.nl, Photon's
i0.wp.com, thumbor, camo, DuckDuckGo, Google's gadget proxy...) to dodge hotlink
protection. When the upstream URL inside the proxy URL is empty, cut short, undecodable
or wrapped in another proxy, the image is lost for good, and nobody notices until a
reader does.

Checked: the URLs of ``<img>`` (``src``, ``srcset`` and the lazy-load ``data-src``,
``data-original``, ``data-srcset``) and of ``<picture>``'s ``<source>`` (``srcset``,
``data-srcset``), entity-decoded. For each URL on a known proxy the upstream is
recovered exactly as that proxy does it (weserv: the first ``url=``, decoded once,
``ssl:`` and ``//`` mean https, no scheme means http), then reported when:

- there is no upstream, or it is empty; it cannot be decoded; an unencoded ``&`` or
  ``?`` cut it, so the proxy fetches half a URL; it is not an absolute http(s) URL, or
  its host is not a valid public host name, or it is a private, loopback or link-local
  address (``lost``, error);
- proxies are nested and the innermost upstream is recoverable, e.g. weserv around
  Photon; the message shows the chain (``nested``, warning: the fix removes it);
- the proxy hides it (Google's ``/proxy/`` tokens, imgproxy's encrypted or ``s3://``
  sources, thumbor loader paths): unresolvable offline, not broken (``opaque``, info,
  only with ``report-opaque``), also when proxies are nested around it, as FT's
  thumbor inside thumbor (``nested-opaque``, info, only with ``report-opaque``).

Why the opaque kinds are off by default: nothing a keeper can do removes them (the fix
of a nested one leaves an opaque one), and they are not defects, only images that
cannot be checked offline; on real archives they were 428 of 471 problems. ``--online``
checks them whatever ``report-opaque`` says.

An ``<img src="">`` with no lazy-load URL either is reported too (``lost``, error). With
``--online``, each distinct proxied image is requested from its proxy; an answer that
is not 2xx with an image content type is an ``image-proxy`` problem whose message
starts with ``proxy answered`` (``online-failed``, error), and a proxy that could not be
asked (a private address, retries exhausted) says why (``online-unchecked``, warning).

Known proxies: images.weserv.nl and wsrv.nl; i0-i3.wp.com (Photon);
camo.githubusercontent.com; external-content/proxy.duckduckgo.com ``/iu/``;
images*-focus-opensocial.googleusercontent.com ``/gadgets/proxy``; lh*/ci*.googleusercontent.com
``/proxy/``; thumbor.ftacademy.cn; imageproxy.pimg.tw; pic*.xuehuaimg.com ``/proxy/``;
cdn.statically.io ``/img/``; image.baidu.com ``/search/down``; fly.webp.se;
nimg.ws.126.net; cors.netnr.workers.dev.

Bad::

    <img src="https://images.weserv.nl/?url=">
    <img src="https://images.weserv.nl/?url=example.com/image.php?id=1&size=large">
    <img src="https://images.weserv.nl/?url=i0.wp.com/example.com/a.jpg">

Good::

    <img src="https://images.weserv.nl/?url=ssl:example.com/a.jpg&w=300">

Options:

- ``proxies`` (table, default empty): extra proxy hosts, ``"host[:port][/path-prefix]" =
  "kind"``, where kind is one of weserv, photon, camo, duckduckgo, google-gadgets,
  google-proxy, imgproxy, thumbor, pimg, xuehuaimg, statically, url-param (``?url=``) or
  path-suffix (the image URL is the path). E.g. ``proxies = {"img.example.org" = "imgproxy"}``.
- ``report-opaque`` (default false): also report proxies that hide their upstream,
  nested or not (as infos).
- For ``--online``, the options every rule with an online step has: ``online-timeout``
  (seconds, default 10), ``online-concurrency`` (requests at once, default 8),
  ``online-per-host`` (at once per host, default 2), ``online-rate`` (requests per
  second per host, default 4: weserv blocks an address after ~2,500 uncached images in
  10 minutes), ``online-retries`` (on 429 and 5xx, default 3), ``online-backoff`` (first
  retry delay in seconds, default 1, doubling), ``online-cache-ttl`` (how long an answer
  is remembered, in seconds, default 86400; 0: never; the results live in
  ``image-proxy-online.json`` in the cache folder, ``.cliplint_cache/`` or
  ``$CLIPLINT_CACHE_DIR``; ``--no-cache`` skips them), ``online-allow-private`` (default
  false: a proxy host that resolves to a private, loopback or link-local address is not
  contacted; it weakens security, so it is honoured only from the command line,
  ``--online-allow-private``, or the user's own configuration,
  ``~/.config/cliplint/cliplint.toml``, never from a project's).

Fix (unsafe): a nested proxy is unwrapped to one level: the URL becomes the innermost
proxy's URL, which is what the outer proxy fetched. The outer proxy's resizing is lost.
The problem goes with it; a ``nested-opaque`` one becomes ``opaque``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from cliplint.document import Document
from cliplint.html import HTML_SPACE
from cliplint.model import Edit, Finding, Fix
from cliplint.rule_io import Answer, OnlineURL, Verdict, Violation
from cliplint_rules._images import EmptySrc, ImageURL, image_urls
from cliplint_rules._proxies import (
    CUSTOM_KEY,
    CUSTOM_KEY_WORDS,
    KINDS,
    ProxyTable,
    Resolution,
    resolve,
)
from cliplint_rules._quoting import shown

ID = "image-proxy"
SEVERITY = "error"
FIX = "unsafe"
FINDINGS = {
    "lost": Finding("error", "the image is lost: an empty src, or a proxied upstream that is "
                    "missing, empty, undecodable, cut short, not http(s), without a valid "
                    "host, or private"),
    "nested": Finding("warning", "proxies nested around a recoverable upstream; the unsafe "
                      "fix unwraps them, and the problem goes"),
    "nested-opaque": Finding("info", "proxies nested around an upstream the last one hides "
                             "(only with report-opaque; the fix leaves an opaque proxy)"),
    "opaque": Finding("info", "the proxy hides the upstream: unresolvable offline, not "
                      "broken (only with report-opaque)"),
    "online-failed": Finding("error", "with --online: the proxy did not answer with an image"),
    "online-unchecked": Finding("warning", "with --online: the proxy could not be asked"),
}
OPTIONS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "proxies": {
            "type": "object",
            "description": "extra proxy hosts: host[:port][/path-prefix] -> kind of proxy",
            "propertyNames": {"pattern": CUSTOM_KEY, "patternDescription": CUSTOM_KEY_WORDS},
            "additionalProperties": {"enum": list(KINDS)},
            "default": {},
        },
        "report-opaque": {"type": "boolean", "default": False},
    },
}  # and the online-* options of every rule with an online step (the engine adds them)

#: Findings that mean the image is lost (the rule's severity); the others are milder.
_BROKEN = {
    "empty": "no upstream",
    "undecodable": "undecodable upstream",
    "truncated": "truncated upstream",
    "not-http": "upstream is not an absolute http(s) URL",
    "bad-host": "upstream has no valid host",
    "private": "upstream is a private address",
}


def proxy_table(options: Mapping[str, Any]) -> ProxyTable:
    return ProxyTable(dict(options.get("proxies") or {}))


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    table = proxy_table(options)
    report_opaque = options.get("report-opaque", False)
    resolutions: dict[str, Resolution | None] = {}

    def resolved(url: str) -> Resolution | None:
        if url not in resolutions:
            resolutions[url] = resolve(url, table)
        return resolutions[url]

    # Images on no proxy (most) are passed over before their attributes are located.
    for item in image_urls(document, wanted=lambda url: resolved(url) is not None):
        if isinstance(item, EmptySrc):
            attribute = item.attribute
            yield Violation(attribute.start, attribute.end, "empty src: the image has no URL",
                            kind="lost")
            continue
        resolution = resolved(item.url)
        if resolution is not None:
            violation = _judge(item, resolution, report_opaque)
            if violation is not None:
                yield violation


def _judge(item: ImageURL, resolution: Resolution, report_opaque: bool) -> Violation | None:
    failure = resolution.failure
    # A detail may quote the URL as written ('?{query}', a parameter's name).
    detail = shown(failure.detail) if failure is not None else ""
    if failure is not None and failure.kind in _BROKEN:
        title = _BROKEN[failure.kind]
        via = " -> ".join(hop.proxy for hop in resolution.hops)
        if failure.kind == "private":
            category = "" if failure.detail == "private" else f" ({detail})"
            message = f"{title}{category}: {failure.upstream!r} via {via}"
        elif failure.kind == "not-http":
            message = f"{title}: {failure.upstream!r} via {via}"
        elif failure.upstream:
            message = f"{title}: {failure.upstream!r} via {via}: {detail}"
        else:
            message = f"{title} on {via}: {detail}"
        return Violation(item.start, item.end, message, kind="lost")
    if resolution.nested and failure is None:
        return Violation(item.start, item.end, f"nested image proxies: {resolution.chain}",
                         fix=_unwrap_fix(item, resolution), kind="nested")
    if failure is None or not report_opaque:
        return None
    if resolution.nested:  # opaque at the end of the chain: unwrapping cannot recover it
        return Violation(item.start, item.end,
                         f"nested image proxies: {resolution.chain} ({detail}, "
                         "unresolvable offline)", fix=_unwrap_fix(item, resolution),
                         kind="nested-opaque")
    return Violation(item.start, item.end,
                     f"opaque image proxy: {resolution.chain} ({detail}): "
                     "unresolvable offline, checked only with --online", kind="opaque")


def _unwrap_fix(item: ImageURL, resolution: Resolution) -> Fix | None:
    """Replace the URL with the innermost proxy's URL: the one the outer proxy fetched."""
    if not item.editable:
        return None
    outer, inner = resolution.hops[0], resolution.hops[-1]
    url = inner.url
    # A scheme the outer proxy supplied by default (http) would be mixed content on an
    # https page; the well-known proxies all serve https.
    if inner.builtin and outer.url.lower().startswith("https:") and url.lower().startswith("http:"):
        url = "https:" + url[len("http:"):]
    replacement = _attribute_text(url, item.attribute.quote, item.attribute.name)
    if replacement is None:
        return None
    return Fix((Edit(item.start, item.end, replacement),), "unsafe",
               f"unwrap the nested proxy: use {inner.proxy} directly")


def _attribute_text(url: str, quote: str | None, name: str) -> str | None:
    """``url`` escaped for the attribute's quoting, or ``None`` when it cannot be written."""
    if any(char in url for char in HTML_SPACE) or (name.endswith("srcset") and url.endswith(",")):
        return None
    text = url.replace("&", "&amp;")
    if quote == '"':
        return text.replace('"', "&quot;")
    if quote == "'":
        return text.replace("'", "&#39;")
    if any(char in text for char in "\"'=<>`"):
        return None
    return text


# -- the online step (--online) ------------------------------------------------------------


def online_urls(document: Document, options: Mapping[str, Any]) -> Iterator[OnlineURL]:
    """Every proxied image whose upstream ``check`` did not already find broken (opaque
    ones included: only the proxy can tell about those), to ask its proxy for."""
    table = proxy_table(options)
    for item in image_urls(document):
        if not isinstance(item, ImageURL):
            continue
        resolution = resolve(item.url, table)
        if resolution is None:
            continue
        if resolution.failure is not None and resolution.failure.kind != "opaque":
            continue
        yield OnlineURL(resolution.url, item.start, item.end, note=resolution.chain,
                        accept="image/*")


def online_judge(answer: Answer, options: Mapping[str, Any]) -> Verdict | None:
    """The proxy must answer 2xx with an image. weserv's ``default=`` turns a failure
    into a redirect to a placeholder: a redirect is a problem, with the error weserv put
    in its JSON body (``{"status": "error", "code": 404, "message": "..."}``)."""
    if answer.status is None:
        kind = "online-failed" if answer.checked else "online-unchecked"
        return Verdict(f"proxy {answer.failure}", kind)
    status = answer.status
    if 200 <= status < 300:
        content_type = answer.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type.startswith("image/"):
            return None
        shown = content_type or "no content type"
        return Verdict(f"proxy answered {status} with {shown}, not an image", "online-failed")
    detail = _error_detail(answer.body)
    if 300 <= status < 400:
        location = answer.headers.get("location", "")
        where = f" to {location}" if location else ""
        why = f": {detail}" if detail else ""
        return Verdict(f"proxy answered {status} (a redirect{where}, not the image){why}",
                       "online-failed")
    return Verdict(f"proxy answered {status}: {detail or answer.reason or 'error'}",
                   "online-failed")


def _error_detail(body: bytes) -> str | None:
    """weserv's JSON error message, or None."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("status") != "error":
        return None
    message = data.get("message")
    return (message.strip() or None) if isinstance(message, str) else None
