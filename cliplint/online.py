"""``--online``: ask each image proxy for each distinct proxied image.

The offline ``image-proxy`` rule recovers upstreams; this module checks that the proxy
really answers with an image: 2xx and an ``image/*`` content type. Everything else is an
``image-proxy`` problem whose message starts with ``proxy answered`` (or says why the
proxy could not be asked), at every place the image appears.

How it behaves on the network:

- one request per distinct proxy URL, a GET whose body is not read when it is an image;
- at most ``online-concurrency`` requests at once, ``online-per-host`` per host, and at
  most ``online-rate`` requests a second to one host (weserv blocks an address after
  ~2,500 uncached images in 10 minutes);
- ``online-timeout`` seconds per request; 429 and 5xx answers and connection failures
  are retried ``online-retries`` times, after ``Retry-After`` or an exponential backoff;
- redirects are not followed: weserv's ``default=`` turns a failure into a 302 to a
  placeholder, which is reported with the error weserv put in its JSON body
  (``{"status": "error", "code": 404, "message": "..."}``);
- a proxy host that resolves to a private, loopback or link-local address is not
  contacted unless ``online-allow-private`` is set (scraped content must not make CI
  probe its own network), which only the command line (``--online-allow-private``) or
  the user's own configuration can do (see :mod:`cliplint.config`); the connection then
  goes to the address that was checked;
- results are kept in ``image-proxy-online.json`` in the cache folder for
  ``online-cache-ttl`` seconds, so CI runs do not ask again; a corrupt cache is ignored;
- a progress bar on standard error, only on a terminal and never in CI.

httpx and tqdm are imported only here, and this module only with ``--online``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cliplint import __version__
from cliplint.config import Settings
from cliplint.document import Document
from cliplint.linter import decode_clipping, source_excerpt
from cliplint.model import Problem, Severity

if TYPE_CHECKING:
    import httpx

RULE = "image-proxy"
CACHE_FILE = "image-proxy-online.json"
_CACHE_VERSION = 1
#: How much of an error answer we read, for weserv's JSON message.
_ERROR_BODY_LIMIT = 64 * 1024
#: The longest Retry-After we honour, in seconds.
_MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class OnlineOptions:
    """The ``online-*`` options of the image-proxy rule."""

    timeout: float = 10.0
    concurrency: int = 8
    per_host: int = 2
    rate: float = 4.0
    retries: int = 3
    backoff: float = 1.0
    cache_ttl: int = 86400
    allow_private: bool = False

    @classmethod
    def from_rule_options(cls, options: Mapping[str, Any]) -> OnlineOptions:
        return cls(
            timeout=float(options.get("online-timeout", cls.timeout)),
            concurrency=int(options.get("online-concurrency", cls.concurrency)),
            per_host=int(options.get("online-per-host", cls.per_host)),
            rate=float(options.get("online-rate", cls.rate)),
            retries=int(options.get("online-retries", cls.retries)),
            backoff=float(options.get("online-backoff", cls.backoff)),
            cache_ttl=int(options.get("online-cache-ttl", cls.cache_ttl)),
            allow_private=bool(options.get("online-allow-private", cls.allow_private)),
        )


@dataclass(frozen=True)
class Outcome:
    """What asking the proxy for one image found. ``message`` is ``None`` when it is fine.

    ``cacheable`` is false for answers that say nothing lasting about the image
    (timeouts, connection failures, refusals, exhausted retries)."""

    message: str | None
    severity: Severity = "error"
    cacheable: bool = True

    @property
    def ok(self) -> bool:
        return self.message is None


@dataclass(frozen=True)
class Place:
    """Where a proxied image appears: a file, a span, and the chain the rule recovered."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int
    chain: str
    excerpt: Mapping[str, Any]  # source and source_column, for --show-source and baselines


# -- finding the proxied images ------------------------------------------------------------


def proxied_images(document: Document,
                   options: Mapping[str, Any]) -> Iterator[tuple[str, int, int, str]]:
    """``(proxy URL, start, end, chain)`` for every proxied image of a document whose
    upstream the offline rule did not already find broken (opaque ones included: only
    the proxy can tell about those)."""
    from cliplint_rules._images import ImageURL, image_urls
    from cliplint_rules._proxies import resolve
    from cliplint_rules.image_proxy import proxy_table

    table = proxy_table(options)
    for item in image_urls(document):
        if not isinstance(item, ImageURL):
            continue
        resolution = resolve(item.url, table)
        if resolution is None:
            continue
        if resolution.failure is not None and resolution.failure.kind != "opaque":
            continue
        yield resolution.url, item.start, item.end, resolution.chain


def collect(sources: Iterable[tuple[str, bytes | None]],
            settings: Settings) -> dict[str, list[Place]]:
    """Every distinct proxy URL, with the places it appears, over the sources: ``(path,
    bytes)`` pairs, where ``None`` bytes means read the file. One file at a time."""
    from cliplint.files import read_clipping

    options = settings.options.get(RULE, {})
    places: dict[str, list[Place]] = {}
    for path, data in sources:
        if RULE not in settings.rules_for(path):
            continue
        if data is None:
            data = read_clipping(path, settings.max_file_size)
        document = data if isinstance(data, Problem) else decode_clipping(data, settings,
                                                                            path=path)
        if isinstance(document, Problem):
            continue  # unreadable or too large: the offline run already reported it
        for url, start, end, chain in proxied_images(document, options):
            line, column = document.position(start)
            end_line, end_column = document.position(end)
            places.setdefault(url, []).append(Place(path, line, column, end_line, end_column,
                                                    start, end, chain,
                                                    source_excerpt(document, line, column)))
    return places


# -- the cache -----------------------------------------------------------------------------


@dataclass
class ResultCache:
    """Outcomes by URL, in one JSON file, for ``ttl`` seconds.

    Read once, written once, atomically (temporary file + ``os.replace``). Anything
    unreadable, of the wrong shape or expired is ignored, entry by entry."""

    path: Path | None
    ttl: int
    now: float = field(default_factory=time.time)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def load(self) -> None:
        if self.path is None or self.ttl <= 0:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(data, dict) or data.get("version") != _CACHE_VERSION:
            return
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return
        for url, entry in entries.items():
            if _valid_entry(entry) and self.now - entry["checked"] < self.ttl:
                self.entries[url] = entry

    def get(self, url: str) -> Outcome | None:
        entry = self.entries.get(url)
        if entry is None:
            return None
        return Outcome(entry["message"], entry["severity"])

    def put(self, url: str, outcome: Outcome) -> None:
        if outcome.cacheable:
            self.entries[url] = {"checked": self.now, "message": outcome.message,
                                 "severity": outcome.severity}

    def save(self) -> None:
        if self.path is None or self.ttl <= 0:
            return
        text = json.dumps({"version": _CACHE_VERSION, "entries": self.entries},
                          ensure_ascii=False, sort_keys=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".online-", suffix=".tmp",
                                                 dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(text)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a cache we cannot write only costs the next run some requests


def _valid_entry(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("checked"), (int, float))
        and (entry.get("message") is None or isinstance(entry.get("message"), str))
        and entry.get("severity") in ("error", "warning", "info")
    )


# -- politeness ----------------------------------------------------------------------------


class HostGate:
    """At most ``per_host`` requests at once to a host, started at most ``rate`` a second."""

    def __init__(self, per_host: int, rate: float) -> None:
        self._per_host = per_host
        self._interval = 1.0 / rate
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._slots.setdefault(host, threading.BoundedSemaphore(self._per_host))
        with semaphore:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + self._interval
            if start > now:
                time.sleep(start - now)
            yield


# -- asking a proxy ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where to connect for a URL: the URL itself, or a pinned address with the names."""

    url: str
    headers: Mapping[str, str]
    extensions: Mapping[str, Any]


def choose_target(url: str, allow_private: bool) -> Target | Outcome:
    """Resolve the URL's host once; refuse non-public addresses unless allowed; connect
    to the very address that was checked (a second DNS answer could differ)."""
    from cliplint_rules._proxies import address_category

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        return Outcome(f"proxy not checked: cannot resolve {host}: {error}", "warning", False)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        category = address_category(address)
        if category is not None and not allow_private:
            return Outcome(
                f"proxy not checked: {host} resolves to a {category} address ({address}); "
                "allow it with --online-allow-private (or online-allow-private = true "
                "in your user configuration)", "warning", False)
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    pinned = parts._replace(netloc=netloc).geturl()
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return Target(pinned, {"Host": parts.netloc.rpartition("@")[2]}, extensions)


def probe(client: httpx.Client, url: str, options: OnlineOptions, gate: HostGate) -> Outcome:
    """Ask the proxy for one image, with retries on 429, 5xx and connection failures."""
    import httpx

    target = choose_target(url, options.allow_private)
    if isinstance(target, Outcome):
        return target
    host = urlsplit(url).netloc
    outcome = Outcome("proxy not checked", "warning", False)
    for attempt in range(options.retries + 1):
        try:
            with gate.slot(host):
                request = client.build_request("GET", target.url, headers=dict(target.headers),
                                               extensions=dict(target.extensions))
                response = client.send(request, stream=True)
                try:
                    outcome, again, retry_after = _judge(response)
                finally:
                    response.close()
        except httpx.TimeoutException:
            return Outcome(f"proxy did not answer within {options.timeout:g}s", "error", False)
        except httpx.HTTPError as error:
            outcome = Outcome(f"proxy not reached: {type(error).__name__}: {error}", "error", False)
            again, retry_after = True, None
        if not again:
            return outcome
        if attempt < options.retries:
            delay = retry_after if retry_after is not None else options.backoff * 2**attempt
            time.sleep(min(delay, _MAX_RETRY_AFTER))
    return Outcome(outcome.message, outcome.severity, cacheable=False)


def _judge(response: httpx.Response) -> tuple[Outcome, bool, float | None]:
    """The outcome of an answer; whether to ask again (429, 5xx), and after how long
    the proxy asked us to wait (``Retry-After``)."""
    status = response.status_code
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if 200 <= status < 300:
        if content_type.startswith("image/"):
            return Outcome(None), False, None
        shown = content_type or "no content type"
        return Outcome(f"proxy answered {status} with {shown}, not an image"), False, None
    detail = _error_detail(response)
    if 300 <= status < 400:
        location = response.headers.get("location", "")
        where = f" to {location}" if location else ""
        why = f": {detail}" if detail else ""
        message = f"proxy answered {status} (a redirect{where}, not the image){why}"
        return Outcome(message), False, None
    message = f"proxy answered {status}: {detail or response.reason_phrase or 'error'}"
    if status == 429 or status >= 500:
        return Outcome(message), True, _retry_after(response.headers.get("retry-after"))
    return Outcome(message), False, None


def _error_detail(response: httpx.Response) -> str | None:
    """weserv's JSON error message, or None."""
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body.extend(chunk)
            if len(body) >= _ERROR_BODY_LIMIT:
                break
    except Exception:  # a broken body only loses the detail
        return None
    try:
        data = json.loads(bytes(body[:_ERROR_BODY_LIMIT]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("status") != "error":
        return None
    message = data.get("message")
    return message.strip() or None if isinstance(message, str) else None
    return None


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds; ``None`` when absent or an HTTP date (then: backoff)."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


# -- the run -------------------------------------------------------------------------------


def check_urls(urls: Sequence[str], options: OnlineOptions, cache: ResultCache,
               progress: bool = False) -> dict[str, Outcome]:
    """Ask for every URL not in the cache; return the outcome of each."""
    import httpx

    outcomes: dict[str, Outcome] = {}
    todo = []
    for url in urls:
        cached = cache.get(url)
        if cached is None:
            todo.append(url)
        else:
            outcomes[url] = cached
    if not todo:
        return outcomes
    gate = HostGate(options.per_host, options.rate)
    limits = httpx.Limits(max_connections=options.concurrency,
                          max_keepalive_connections=options.concurrency)
    headers = {"User-Agent": f"cliplint/{__version__} (image-proxy --online)",
               "Accept": "image/*"}
    with httpx.Client(timeout=httpx.Timeout(options.timeout), follow_redirects=False,
                      limits=limits, headers=headers) as client, \
            ThreadPoolExecutor(max_workers=options.concurrency) as pool, \
            _progress_bar(len(todo), progress) as bar:
        futures = {pool.submit(probe, client, url, options, gate): url for url in todo}
        for future in as_completed(futures):
            url = futures[future]
            outcome = future.result()
            outcomes[url] = outcome
            cache.put(url, outcome)
            bar.update(1)
    return outcomes


class _NoBar:
    def update(self, count: int) -> None:
        pass


@contextmanager
def _progress_bar(total: int, shown: bool) -> Iterator[Any]:
    if not shown:
        yield _NoBar()
        return
    from tqdm import tqdm

    with tqdm(total=total, unit="image", desc="image-proxy --online", file=sys.stderr,
              leave=False, delay=0.5) as bar:
        yield bar


def show_progress() -> bool:
    """A progress bar only on a terminal, and never in CI."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def check_online(sources: Sequence[tuple[str, bytes | None]], settings: Settings, *,
                 use_cache: bool = True, progress: bool | None = None) -> list[Problem]:
    """The online problems of the given clippings: ``(path, bytes)`` pairs, where
    ``None`` bytes means read the file. Nothing is asked when image-proxy is not enabled."""
    from cliplint.cache import cache_folder

    places = collect(sources, settings)
    if not places:
        return []
    options = OnlineOptions.from_rule_options(settings.options.get(RULE, {}))
    cache_path = cache_folder(settings.root) / CACHE_FILE if use_cache else None
    cache = ResultCache(cache_path, options.cache_ttl)
    cache.load()
    outcomes = check_urls(list(places), options, cache,
                          show_progress() if progress is None else progress)
    cache.save()
    configured = settings.severity.get(RULE)
    problems = []
    for url, outcome in outcomes.items():
        if outcome.ok:
            continue
        for place in places[url]:
            problems.append(Problem(
                path=place.path, rule=RULE, severity=configured or outcome.severity,
                message=f"{outcome.message} ({place.chain})", line=place.line,
                column=place.column, end_line=place.end_line, end_column=place.end_column,
                start=place.start, end=place.end, **place.excerpt))
    problems.sort(key=lambda p: (p.path, p.line, p.column, p.message))
    return problems
