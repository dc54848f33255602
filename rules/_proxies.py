"""Image proxies: recognising a proxy URL and recovering its upstream the way the proxy does.

Pure functions over strings; no network. The facts come from each proxy's own source
(``reference/proxies-and-boilerplate.md``, table A): weserv's ``uri_parser.cpp`` and query
parser, Jetpack Photon, camo, thumbor's URL grammar and HTTP loader, imgproxy's URL
formats, and the RSSHub anti-hotlink templates.

:func:`resolve` follows a URL through every proxy it crosses and either returns the
upstream image URL or says why it cannot be recovered (a :class:`Failure`).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import NamedTuple
from urllib.parse import SplitResult, quote, unquote_to_bytes, urlsplit

from cliplint.addresses import address_category
from cliplint_rules._quoting import shown

#: The kinds of proxy a host can behave like (custom proxies name one of these).
KINDS = (
    "weserv",
    "photon",
    "camo",
    "duckduckgo",
    "google-gadgets",
    "google-proxy",
    "imgproxy",
    "thumbor",
    "pimg",
    "xuehuaimg",
    "statically",
    "url-param",
    "path-suffix",
)


#: A chain longer than this is reported instead of followed (a loop, or an attack).
MAX_DEPTH = 5


class Failure(NamedTuple):
    """Why the upstream cannot be recovered; ``upstream`` is what was recovered, if anything.

    ``kind``: empty, undecodable, truncated, not-http, bad-host, private or opaque; opaque
    is the only one that is not broken (the proxy may well serve the image, we just cannot
    tell offline)."""

    kind: str
    detail: str
    upstream: str | None = None


class Match(NamedTuple):
    """A URL recognised as a request to a proxy."""

    kind: str
    proxy: str  # the proxy as shown to users: host[:port][/prefix]
    builtin: bool  # a well-known public proxy (serves https), not a custom one
    path: str  # the path after the proxy's own prefix, starting with "/" (or empty)
    query: str | None  # the raw query, without "?"; None when there is no "?"
    fragment: str | None


class Hop(NamedTuple):
    """One proxy crossed: its kind, how it is shown, and the URL requested from it."""

    kind: str
    proxy: str
    url: str
    builtin: bool


class Resolution(NamedTuple):
    """A proxied URL followed to its upstream. ``hops`` runs outermost first."""

    url: str
    hops: tuple[Hop, ...]
    upstream: str | None
    failure: Failure | None

    @property
    def nested(self) -> bool:
        return len(self.hops) > 1

    @property
    def chain(self) -> str:
        """``proxy -> proxy -> upstream`` for messages (the upstream as it was recovered,
        controls escaped)."""
        parts = [hop.proxy for hop in self.hops]
        if self.upstream:
            parts.append(shown(self.upstream))
        return " -> ".join(parts)


# -- recognising proxies -------------------------------------------------------------------

#: Each well-known proxy: (host, kind, the path a request to it must match, if any), as
#: pattern sources, compiled by _host_kinds only when a host is one of them (few are).
_HOST_KINDS: tuple[tuple[str, str, str | None], ...] = (
    (r"images\.weserv\.nl|wsrv\.nl", "weserv", None),
    (r"i\d+\.wp\.com", "photon", None),
    (r"camo\.githubusercontent\.com", "camo", None),
    (r"(?:external-content|proxy)\.duckduckgo\.com", "duckduckgo", r"/iur?(?:/|$)"),
    (r"images\d*-focus-opensocial\.googleusercontent\.com", "google-gadgets",
     r"/gadgets/proxy/?$"),
    (r"(?:lh|ci)\d+\.googleusercontent\.com", "google-proxy", r"/proxy/"),
    (r"thumbor\.ftacademy\.cn", "thumbor", None),
    (r"imageproxy\.pimg\.tw", "pimg", r"/(?:resize|zoomcrop)/?$"),
    (r"pic\d*\.xuehuaimg\.com", "xuehuaimg", r"/proxy/"),
    (r"cdn\.statically\.io", "statically", r"/img/"),
    (r"image\.baidu\.com", "url-param", r"/search/down/?$"),
    (r"fly\.webp\.se|nimg\.ws\.126\.net", "url-param", None),
    (r"cors\.netnr\.workers\.dev", "path-suffix", r"/."),
)


# Compiled when first asked (a cache, not a global): a run whose clippings link no image
# compiles neither, and one whose images are on no proxy only the first.
@cache
def _any_proxy_host() -> re.Pattern[str]:
    """Any of those hosts: most image URLs are on none, which one search tells."""
    return re.compile("|".join(f"(?:{host})" for host, _, _ in _HOST_KINDS))


@cache
def _host_kinds() -> tuple[tuple[re.Pattern[str], str, re.Pattern[str] | None], ...]:
    return tuple((re.compile(host), kind, None if path is None else re.compile(path))
                 for host, kind, path in _HOST_KINDS)


#: The start of an absolute http(s) URL.
_HTTP_URL = re.compile(r"(?i)https?://")
#: An absolute http(s) URL whose netloc (group 1) is plain: up to the first "/", "?" or
#: "#" (or the end), with no tab or line break (urlsplit removes those first, joining
#: what they separated), no user info, port, brackets or zone ("@", ":", "[", "]", "%").
_PLAIN_NETLOC = re.compile(r"(?i:https?)://([^/?#\t\n\r@:\[\]%]+)(?:[/?#]|\Z)")
#: A URL's scheme, up to its colon.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")

#: ``host[:port][/path-prefix]`` as custom proxies are declared.
CUSTOM_KEY = r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[^\s?#]*)?$"
#: CUSTOM_KEY in words, for a configuration error ("patternDescription").
CUSTOM_KEY_WORDS = ("a proxy written host[:port][/path-prefix], the host in lower case, "
                    "such as img.example.org or img.example.org:8080/proxy, without scheme, "
                    "query or spaces")


class ProxyTable(NamedTuple):
    """The well-known proxies plus the custom ones a configuration declares.

    ``custom`` maps ``host[:port][/prefix]`` to a kind; a custom entry wins over a
    built-in one, and the longest prefix wins among custom entries."""

    custom: Mapping[str, str]

    def match(self, url: str) -> Match | None:
        if not self.custom:
            # Most image URLs are on no proxy: their host, when it can be read without
            # urlsplit, says so for less. (This host is what the code below computes.)
            host = plain_host(url)
            if host is not None and not _any_proxy_host().fullmatch(host.rstrip(".")):
                return None
        parts = split_absolute(url)
        if parts is None:
            return None
        netloc = parts.netloc.rpartition("@")[2].lower()
        host = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") else netloc
        host = host.rstrip(".")
        path = parts.path
        best: tuple[int, str, str] | None = None
        for key, kind in self.custom.items():
            key_host, slash, prefix = key.lower().partition("/")
            if key_host not in (netloc, host):
                continue
            prefix = "/" + prefix.strip("/") if slash and prefix.strip("/") else ""
            if prefix and not (path == prefix or path.startswith(prefix + "/")):
                continue
            if best is None or len(prefix) > best[0]:
                best = (len(prefix), kind, key)
        if best is not None:
            length, kind, key = best
            return Match(kind, key, False, path[length:], _query(parts, url), _fragment(url))
        if not _any_proxy_host().fullmatch(host):
            return None
        for pattern, kind, path_pattern in _host_kinds():
            if pattern.fullmatch(host) and (path_pattern is None or path_pattern.match(path)):
                return Match(kind, host, True, path, _query(parts, url), _fragment(url))
        return None


def _query(parts: SplitResult, url: str) -> str | None:
    # urlsplit drops an empty "?"; we want to tell "no query" from "empty query".
    return parts.query if parts.query or "?" in url.split("#", 1)[0] else None


def _fragment(url: str) -> str | None:
    return url.split("#", 1)[1] if "#" in url else None


def plain_host(url: str) -> str | None:
    """``urlsplit(url).hostname`` for an absolute http(s) URL with a plain ASCII netloc
    (see ``_PLAIN_NETLOC``), read without urlsplit; such a URL has no port, and urlsplit
    raises nothing for it. ``None`` for every other URL: ask urlsplit."""
    found = _PLAIN_NETLOC.match(url)
    if found is None or not found.group(1).isascii():
        return None
    return found.group(1).lower()


def split_absolute(url: str) -> SplitResult | None:
    """``urlsplit`` for an absolute http(s) URL; ``None`` for anything else."""
    if not _HTTP_URL.match(url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    return parts if parts.netloc else None


def absolutise(url: str) -> str | None:
    """An image URL as a page would request it: protocol-relative URLs get ``https:``
    (clippings are read over https); relative and non-http URLs give ``None``."""
    if url.startswith("//"):
        return "https:" + url
    return url if _HTTP_URL.match(url) else None


# -- following a URL through its proxies -----------------------------------------------


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def resolve(url: str, table: ProxyTable, max_depth: int = MAX_DEPTH) -> Resolution | None:
    """Follow ``url`` through the proxies it crosses. ``None`` when it is not on a proxy."""
    absolute = absolutise(url)
    if absolute is None:
        return None
    match = table.match(absolute)
    if match is None:
        return None
    hops: list[Hop] = []
    current = absolute
    surrogate = _LONE_SURROGATE.search(absolute)
    if surrogate is not None:
        # (text from a JSON feed can hold one; it cannot be encoded, so no request can)
        failure = Failure("undecodable", f"the URL holds a lone surrogate "
                                         f"(U+{ord(surrogate.group()):04X}), which no URL can")
        return Resolution(absolute, (Hop(match.kind, match.proxy, current, match.builtin),),
                          None, failure)
    while match is not None:
        hops.append(Hop(match.kind, match.proxy, current, match.builtin))
        if len(hops) > max_depth:
            failure = Failure("undecodable", f"more than {max_depth} proxies inside each other")
            return Resolution(absolute, tuple(hops), None, failure)
        step = UNWRAP[match.kind](match)
        if isinstance(step, Failure):
            return Resolution(absolute, tuple(hops), step.upstream, step)
        current = step
        match = table.match(current)
    return Resolution(absolute, tuple(hops), current, check_upstream(current))


def check_upstream(url: str) -> Failure | None:
    """An upstream must be an absolute http(s) URL with a public host."""
    scheme = _SCHEME.match(url)
    if (scheme is None or scheme.group(1).lower() not in ("http", "https")
            or not _HTTP_URL.match(url)):
        return Failure("not-http", "not an absolute http(s) URL", url)
    hostname = plain_host(url)
    if hostname is None:
        try:
            parts = urlsplit(url)
            hostname = parts.hostname or ""
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as error:
            return Failure("bad-host", str(error), url)
    problem = host_problem(hostname)
    if problem:
        return Failure("bad-host", problem, url)
    private = private_address(hostname)
    if private:
        return Failure("private", private, url)
    return None


_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?")
_TOP_LABEL = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]+")
# The number forms of an IPv4 address part, as a browser reads them.
_HEX_PART = re.compile(r"0[xX][0-9a-fA-F]*")
_OCTAL_PART = re.compile(r"0[0-7]+")
_DECIMAL_PART = re.compile(r"[0-9]+")


def host_problem(host: str) -> str | None:
    """Why ``host`` is not a usable public host name or address, or ``None``."""
    if not host:
        return "no host"
    if host.startswith("[") or ":" in host:
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            return f"{host!r} is not an IPv6 address"
        return None
    name = host.rstrip(".").lower()
    if len(name) > 253:
        return "host name longer than 253 characters"
    if ipv4_value(name) is not None:
        return None
    try:
        # An ASCII name is its own IDNA form: the codec would only reject empty or long
        # labels, which the label check below rejects with the same message (and not
        # asking it spares a one-file run the codec's import).
        ascii_name = name if name.isascii() else name.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return f"{host!r} is not a valid host name"
    labels = ascii_name.split(".")
    if any(len(label) > 63 or not _LABEL.fullmatch(label) for label in labels):
        return f"{host!r} is not a valid host name"
    if name == "localhost" or name.endswith(".localhost"):
        return None  # a valid name; private_address reports it
    if len(labels) < 2 or not _TOP_LABEL.fullmatch(labels[-1]):
        return f"{host!r} is not a public host name"
    return None


def ipv4_value(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a browser reads in ``host`` (WHATWG: 1-4 parts, decimal, octal
    with a leading 0 or hex with 0x), or ``None`` when it is a name."""
    parts = host.rstrip(".").split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        try:
            if _HEX_PART.fullmatch(part):
                numbers.append(int(part[2:] or "0", 16))
            elif _OCTAL_PART.fullmatch(part):
                numbers.append(int(part, 8))
            elif _DECIMAL_PART.fullmatch(part):
                numbers.append(int(part, 10))
            else:
                return None
        except ValueError:
            return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(head):
        value += number * 256 ** (3 - index)
    return ipaddress.IPv4Address(value)


def private_address(host: str) -> str | None:
    """What kind of non-public address ``host`` is, or ``None`` (names are not resolved)."""
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return "loopback"
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipv4_value(name)
    if address is None:
        if ":" not in name:
            return None  # not IPv6 either (it has colons): a name is spared the exception
        try:
            address = ipaddress.IPv6Address(name.strip("[]"))
        except ValueError:
            return None
    return address_category(address)


# -- query strings -----------------------------------------------------------------------


class Param(NamedTuple):
    name: str
    value: str  # raw: not percent-decoded


def split_query(query: str | None) -> list[Param]:
    """Split on ``&`` only (proxies do not treat ``;`` as a separator); values stay raw."""
    params = []
    for piece in (query or "").split("&"):
        if piece:
            name, _, value = piece.partition("=")
            params.append(Param(name, value))
    return params


def _first(params: list[Param], name: str) -> int | None:
    # nginx's ngx_http_arg and most servers compare parameter names without case.
    for index, param in enumerate(params):
        if param.name.lower() == name:
            return index
    return None


def _required(params: list[Param], name: str) -> int | Failure:
    """The index of the first non-empty ``name`` parameter, or why there is none."""
    index = _first(params, name)
    if index is None:
        return Failure("empty", f"there is no {name}= parameter")
    if not params[index].value.strip():
        return Failure("empty", f"the {name}= parameter is empty")
    return index


def _query_value(match: Match, name: str, *, plus: bool = False
                 ) -> tuple[list[Param], int, str] | Failure:
    """The proxy URL's query, the index of its ``name`` parameter, and that parameter's
    value percent-decoded once (``plus``: ``+`` is a space)."""
    params = split_query(match.query)
    index = _required(params, name)
    if isinstance(index, Failure):
        return index
    text = _decode_once(params[index].value, plus=plus)
    if isinstance(text, Failure):
        return text
    return params, index, text


def _cut_by(following: list[Param], upstream: str, known: frozenset[str],
            url_valued: frozenset[str] = frozenset()) -> Param | None:
    """The parameter that shows an unencoded ``&`` cut the upstream, if any.

    A parameter after the upstream belongs to the upstream when the proxy does not know
    its name, or when its value holds a ``/`` (no option value does, except URL-valued
    ones). To avoid flagging a cache-buster, we also want evidence that the upstream had
    a query to lose: a ``?`` in it, or that ``/``. Double-escaped ``&amp;amp;`` leaves
    names like ``amp;w``; the name after ``amp;`` is what counts."""
    for param in following:
        name = param.name.lower()
        while name.startswith("amp;"):
            name = name[4:]
        foreign = name not in known or ("/" in param.value and name not in url_valued)
        if foreign and ("?" in upstream or "/" in param.value):
            return param
    return None


def _truncated(proxy_name: str, upstream: str, param: Param) -> Failure:
    shown = f"{param.name}={param.value}" if param.value else param.name
    return Failure(
        "truncated",
        f"an unencoded '&' cuts it, and {proxy_name} reads '{shown}' as its own parameter",
        upstream,
    )


def _decode_once(raw: str, plus: bool = False) -> str | Failure:
    """Percent-decode once, strictly: the bytes must be UTF-8."""
    try:
        data = unquote_to_bytes(raw.replace("+", " ") if plus else raw)
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return Failure("undecodable", "its percent-escapes are not UTF-8")


# -- the proxies -------------------------------------------------------------------------

# weserv's own parameter names: api/parsers/query.cpp (type_map, synonym_map, nginx_keys).
_WESERV_PARAMS = frozenset(
    "w h dpr fit we crop cx cy cw ch precrop a fpx fpy mask mtrim mbg ro flip flop bri mod "
    "sat hue con gam sharp sharpf sharpj trim blur filt start stop bg cbg rbg tint q l output "
    "il ll af page n loop delay fsol shape strim or t pages width height align level quality "
    "lossless url default errorredirect filename encoding maxage".split()
)
_WESERV_URL_VALUED = frozenset({"url", "default", "errorredirect"})


def unwrap_weserv(match: Match) -> str | Failure:
    """weserv (images.weserv.nl, wsrv.nl): the first ``url`` parameter, percent-decoded
    once; ``http(s)://`` kept, ``ssl:`` and ``//`` mean https, no scheme means http;
    leading slashes dropped; the fragment removed; host at most 253 characters
    (``src/nginx/uri_parser.cpp``)."""
    params = split_query(match.query)
    index = _required(params, "url")
    if isinstance(index, Failure):
        return index
    text = _decode_once(params[index].value)
    if isinstance(text, Failure):
        return Failure("undecodable", "the url= parameter's percent-escapes are not UTF-8")
    if not text.strip():
        return Failure("empty", f"the url= parameter is blank ({params[index].value!r})")
    if len(text) < 4:  # weserv: shorter than "i.nl" cannot be a URL
        return Failure("undecodable", f"url={text!r} is too short to be a URL")
    scheme, rest = _weserv_scheme(text)
    rest = rest.lstrip("/")
    cut = rest.find("/")
    if cut == -1:
        cut = rest.find("?")
    if cut == -1:
        cut = len(rest)
    host, path = rest[:cut], rest[cut:]
    path = path.split("#", 1)[0]
    if not host:
        return Failure("empty", f"url={text!r} names no host")
    if len(host) > 253 or any(len(label) > 63 for label in host.split(".")):
        return Failure("bad-host", "weserv refuses a host name this long",
                       f"{scheme}://{host}{path}")
    # weserv escapes what RFC 3986 does not allow unescaped, and leaves '%' alone.
    upstream = f"{scheme}://{host}{quote(path, safe=_URI_SAFE) or '/'}"
    cut_by = _cut_by(params[index + 1:], text, _WESERV_PARAMS, _WESERV_URL_VALUED)
    if cut_by is not None:
        return _truncated(match.proxy, upstream, cut_by)
    return upstream


_URI_SAFE = "%:/?#[]@!$&'()*+,;=-._~"
_WESERV_SCHEMES = (("http://", "http"), ("https://", "https"), ("ssl:", "https"), ("//", "https"))


def _weserv_scheme(text: str) -> tuple[str, str]:
    """The scheme weserv fetches with, and the rest of the URL; no scheme means http."""
    lower = text.lower()
    for prefix, scheme in _WESERV_SCHEMES:
        if lower.startswith(prefix):
            return scheme, text[len(prefix):]
    return "http", text

_PHOTON_PARAMS = frozenset(
    "w h crop resize fit lb ulb filter brightness contrast colorize smooth zoom quality strip "
    "ssl q".split()
)


def unwrap_photon(match: Match) -> str | Failure:
    """Jetpack Photon (i0-i3.wp.com): the first path segment is the host, the rest the
    path; https only with ``ssl=1``; Photon never passes a query to the upstream."""
    host, _, path = match.path.lstrip("/").partition("/")
    if not host:
        return Failure("empty", "the path names no upstream host")
    params = split_query(match.query)
    ssl = any(p.name.lower() == "ssl" and p.value in ("1", "true") for p in params)
    upstream = f"{'https' if ssl else 'http'}://{host}/{path}"
    for param in params:
        if param.name.lower() not in _PHOTON_PARAMS:
            return Failure(
                "truncated",
                f"Photon drops the upstream's query ('{param.name}' is no Photon parameter)",
                upstream,
            )
    return upstream


def unwrap_camo(match: Match) -> str | Failure:
    """camo: ``/<digest>/<hex of the URL>`` or ``/<digest>?url=<escaped URL>``; clones
    use base64url instead of hex."""
    segments = match.path.strip("/").split("/")
    if len(segments) >= 2 and segments[1]:
        encoded = segments[1]
        if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", encoded):
            try:
                return bytes.fromhex(encoded).decode("utf-8")
            except UnicodeDecodeError:
                return Failure("undecodable", "the hex-encoded URL is not UTF-8")
        decoded = _base64url(encoded)
        if decoded is not None and re.match(r"(?i)https?:", decoded):
            return decoded
        return Failure("undecodable", f"{encoded[:40]!r} is neither hex nor base64 of a URL")
    index = _first(split_query(match.query), "url")
    if index is None:
        return Failure("empty", "there is no encoded URL in the path and no url= parameter")
    raw = split_query(match.query)[index].value
    if not raw:
        return Failure("empty", "the url= parameter is empty")
    return _decode_once(raw, plus=True)


def _base64url(text: str) -> str | None:
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return data.decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def unwrap_duckduckgo(match: Match) -> str | Failure:
    """DuckDuckGo (``/iu/?u=``, ``/iur/?u=``): ``u`` decoded, and decoded again when it
    is still encoded (``https%3A``)."""
    found = _query_value(match, "u", plus=True)
    if isinstance(found, Failure):
        return found
    text = found[2]
    if re.match(r"(?i)https?%3A", text):
        return _decode_once(text, plus=True)
    return text


_GADGET_PARAMS = frozenset(
    "url container gadget rewritemime refresh resize_w resize_h resize_q no_expand "
    "fallback_url sanitize nocache debug".split()
)


def unwrap_google_gadgets(match: Match) -> str | Failure:
    """Google's opensocial gadget proxy: the ``url`` parameter, raw or encoded; a raw
    upstream is cut at its first ``&``."""
    found = _query_value(match, "url", plus=True)
    if isinstance(found, Failure):
        return found
    params, index, text = found
    cut_by = _cut_by(params[index + 1:], text, _GADGET_PARAMS,
                     frozenset({"url", "gadget", "fallback_url", "rewritemime"}))
    return _truncated(match.proxy, text, cut_by) if cut_by else text


def unwrap_google_proxy(match: Match) -> str | Failure:
    """Google's ``/proxy/<token>`` (lh3, ci3...): an opaque signed token; only Gmail's
    form carries the original URL after ``#``."""
    if match.fragment:
        return match.fragment
    token = match.path.split("/proxy/", 1)[1] if "/proxy/" in match.path else ""
    if not token.strip("/"):
        return Failure("empty", "there is no token after /proxy/")
    return Failure("opaque", "a signed token that only Google can resolve")


def unwrap_pimg(match: Match) -> str | Failure:
    """imageproxy.pimg.tw ``/resize`` and ``/zoomcrop``: the ``url`` parameter."""
    found = _query_value(match, "url", plus=True)
    if isinstance(found, Failure):
        return found
    params, index, text = found
    cut_by = _cut_by(params[index + 1:], text, frozenset({"url", "width", "height"}))
    return _truncated(match.proxy, text, cut_by) if cut_by else text


def unwrap_xuehuaimg(match: Match) -> str | Failure:
    """pic*.xuehuaimg.com ``/proxy/[tag/]<url>``: everything after it, unencoded query
    included; a URL without a scheme is taken as http (the proxy does not document one)."""
    rest = match.path.split("/proxy/", 1)[1] if "/proxy/" in match.path else ""
    if match.query is not None:
        rest += "?" + match.query
    first = rest.split("/", 1)[0]
    if first and ":" not in first and "." not in first:
        rest = rest[len(first) + 1:]  # a tag segment, not the start of the URL
    if not rest:
        return Failure("empty", "there is nothing after /proxy/")
    return _with_default_scheme(rest, "http")


def _with_default_scheme(text: str, scheme: str) -> str:
    if _HTTP_URL.match(text):
        return text
    if text.startswith("//"):
        return f"{scheme}:{text}"
    return f"{scheme}://{text}"


# thumbor's URL grammar (thumbor/url.py): options in this order, then the image. Compiled
# on the first thumbor URL.
@cache
def _thumbor() -> re.Pattern[str]:
    return re.compile(
        r"/?(?:(?:unsafe|[^/]{28,}?)/)?"
        r"(?:debug/)?(?:meta/)?"
        r"(?:trim(?::(?:top-left|bottom-right))?(?::\d+)?/)?"
        r"(?:\d+x\d+:\d+x\d+/)?"
        r"(?:(?:adaptive-)?(?:full-)?fit-in/)?"
        r"(?:-?(?:\d+|orig)?x-?(?:\d+|orig)?/)?"
        r"(?:(?:left|right|center)/)?"
        r"(?:(?:top|bottom|middle)/)?"
        r"(?:smart/)?"
        r"(?:filters:.*?\)/)?"
        r"(?P<image>.+)",
        re.S,
    )


def unwrap_thumbor(match: Match) -> str | Failure:
    """thumbor: option segments stripped, the rest is the image URI, decoded once; the
    HTTP loader adds ``http://`` unless it starts with ``http``. A path whose first
    segment has no dot is for a file or prefixed loader: opaque offline. thumbor routes
    on the path, so a query on the request is lost to the upstream."""
    found = _thumbor().fullmatch(match.path)
    image = found.group("image") if found else ""
    # "/unsafe/300x200/" leaves the size as the "image": thumbor has nothing to fetch.
    if not image or re.fullmatch(r"-?(?:\d+|orig)?x-?(?:\d+|orig)?/?", image):
        return Failure("empty", "there is no image after the thumbor options")
    text = _decode_once(image)
    if isinstance(text, Failure):
        return text
    if not text.startswith("http"):
        first = text.split("/", 1)[0]
        if "." not in first:
            return Failure("opaque", "a path for thumbor's own loader", text)
        text = "http://" + text
    if match.query:
        return Failure("truncated",
                       f"thumbor ignores the query, so the upstream loses '?{match.query}'", text)
    return text


def unwrap_imgproxy(match: Match) -> str | Failure:
    """imgproxy: ``/<signature>/<options>/plain/<escaped URL>[@ext]`` or
    ``/<signature>/<options>/<base64url URL, may be split by />[.ext]``; ``/enc/`` is
    encrypted. Options are ``name:args`` segments. ``s3://``, ``local://``, ``gs://`` and
    ``abs://`` sources are resolved by the proxy itself: opaque."""
    segments = match.path.lstrip("/").split("/")[1:]  # drop the signature
    index = 0
    while index < len(segments) and segments[index] not in ("plain", "enc"):
        if ":" not in segments[index]:
            break
        index += 1
    rest = segments[index:]
    if not rest or not "".join(rest):
        return Failure("empty", "there is no source URL after the options")
    if rest[0] == "enc":
        return Failure("opaque", "an encrypted source URL")
    if rest[0] == "plain":
        source = "/".join(rest[1:])
        at = source.rfind("@")
        if at > source.rfind("/") and re.fullmatch(r"@[A-Za-z0-9]+", source[at:]):
            source = source[:at]
        if not source:
            return Failure("empty", "there is nothing after /plain/")
        text = _decode_once(source)
        if isinstance(text, Failure):
            return text
        if match.query:
            return Failure("truncated",
                           f"an unescaped '?' cuts it: imgproxy never sees '?{match.query}'", text)
    else:
        encoded = re.sub(r"\.[A-Za-z0-9]+$", "", "".join(rest))
        decoded = _base64url(encoded) if re.fullmatch(r"[A-Za-z0-9_=-]+", encoded) else None
        if decoded is None:
            return Failure("undecodable", f"{encoded[:40]!r} is not base64url of a URL")
        text = decoded
    scheme = re.match(r"([a-z][a-z0-9+.-]*)://", text)
    if scheme and scheme.group(1) in ("s3", "local", "gs", "abs"):
        return Failure("opaque", f"a {scheme.group(1)}:// source only the proxy can read", text)
    return text


def unwrap_statically(match: Match) -> str | Failure:
    """cdn.statically.io ``/img/<host>[/<options>]/<path>``, fetched over https."""
    rest = match.path[len("/img/"):]
    host, _, path = rest.partition("/")
    if not host:
        return Failure("empty", "there is no host after /img/")
    first, _, after = path.partition("/")
    if after and re.fullmatch(r"[a-z]+=[^/,]*(?:,[a-z]+=[^/,]*)*", first):
        path = after
    return f"https://{host}/{path}"


_URL_PARAM_PARAMS = frozenset("url thumbnail quality type w h q width height output crop".split())


def unwrap_url_param(match: Match) -> str | Failure:
    """Proxies that take the image as ``?url=`` (Baidu's download link, fly.webp.se,
    nimg.ws.126.net): decoded once, no scheme means http."""
    found = _query_value(match, "url")
    if isinstance(found, Failure):
        return found
    params, index, text = found
    upstream = _with_default_scheme(text, "http")
    cut_by = _cut_by(params[index + 1:], text, _URL_PARAM_PARAMS, frozenset({"url"}))
    return _truncated(match.proxy, upstream, cut_by) if cut_by else upstream


def unwrap_path_suffix(match: Match) -> str | Failure:
    """Proxies that take the whole image URL as their path (cors.netnr.workers.dev)."""
    rest = match.path.lstrip("/")
    if match.query is not None:
        rest += "?" + match.query
    if not rest:
        return Failure("empty", "there is no URL in the path")
    return rest


UNWRAP: Mapping[str, Callable[[Match], str | Failure]] = {
    "weserv": unwrap_weserv,
    "photon": unwrap_photon,
    "camo": unwrap_camo,
    "duckduckgo": unwrap_duckduckgo,
    "google-gadgets": unwrap_google_gadgets,
    "google-proxy": unwrap_google_proxy,
    "imgproxy": unwrap_imgproxy,
    "thumbor": unwrap_thumbor,
    "pimg": unwrap_pimg,
    "xuehuaimg": unwrap_xuehuaimg,
    "statically": unwrap_statically,
    "url-param": unwrap_url_param,
    "path-suffix": unwrap_path_suffix,
}
assert set(UNWRAP) == set(KINDS)
