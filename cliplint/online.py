"""``--online``: the online step of every rule that has one.

A rule of one clipping may check things only the network can tell (does this image
still load?). It declares an online step (see :class:`cliplint.model.Rule`):
``online_urls(document, options)`` yields the :class:`~cliplint.rule_io.OnlineURL` to ask
for, and ``online_judge(answer, options)`` turns the :class:`~cliplint.rule_io.Answer`
to one into a :class:`~cliplint.rule_io.Verdict`, or None when it is fine. The rule never
touches the network: this module asks, for every rule, and reports each verdict as a
problem of that rule at every place the URL appears, its ``note`` in parentheses.

How it behaves on the network, per rule, with the rule's ``online-*`` options
(:data:`cliplint.model.ONLINE_OPTIONS`, which the engine adds to the rule's own):

- one request per distinct URL, a GET whose body is not read when the answer is 2xx
  (and read up to 64 KB otherwise: error answers explain themselves there);
- at most ``online-concurrency`` requests at once, ``online-per-host`` per host, and at
  most ``online-rate`` requests a second to one host (weserv, for one, blocks an address
  after ~2,500 uncached images in 10 minutes);
- ``online-timeout`` seconds per request, for all of it: connecting, sending, the
  headers and the body read (a server that drips its answer a byte at a time is cut off
  there, not only one that stops); 429 and 5xx answers and connection failures are
  retried ``online-retries`` times, after ``Retry-After`` or an exponential backoff; a
  ``Retry-After`` of more than a minute is not waited for: that answer is the verdict;
- redirects are not followed: the rule judges the 3xx answer itself (weserv's
  ``default=`` turns a failure into a 302 to a placeholder);
- a host that resolves to a private, loopback or link-local address is not contacted
  unless ``online-allow-private`` is set (scraped content must not make CI probe its own
  network), which only the command line (``--online-allow-private``) or the user's own
  configuration can do (see :mod:`cliplint.config`); the connection then goes to the
  address that was checked;
- verdicts are kept in ``<rule>-online.json`` in the cache folder for
  ``online-cache-ttl`` seconds, so CI runs do not ask again; answers that say nothing
  lasting (timeouts, failed connections, refusals, retries exhausted) are not kept; a
  corrupt cache is ignored, and so is an entry whose signature does not match (signed
  with the key that signs the lint cache's rows, :mod:`cliplint.cache`: whoever can
  write the linted tree must not be able to make a broken image pass);
- a progress bar on standard error, only on a terminal and never in CI
  (:mod:`cliplint.progress`).

httpx is imported only here, and this module only with ``--online``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

import httpcore

from cliplint import __version__
from cliplint.addresses import address_category
from cliplint.config import Settings
from cliplint.linter import crash_problem, decode_clipping, find_suppressions, source_excerpt
from cliplint.model import (
    ENGINE_STOPS,
    INTERNAL_ERROR,
    Problem,
    Rule,
    Severity,
    error_text,
    file_problem,
)
from cliplint.progress import bar, wanted
from cliplint.rule_io import Answer, Verdict
from cliplint.streams import printing_aside
from cliplint.whole_file import replace_whole

if TYPE_CHECKING:
    import httpx

    from cliplint.runner import FileResult

_CACHE_VERSION = 2
#: How much of an answer that is not 2xx is read, for the rule to judge.
BODY_LIMIT = 64 * 1024
#: The longest Retry-After waited for, in seconds: a server that asks for more is not
#: asked again in this run (its answer is the verdict, not cached).
_MAX_RETRY_AFTER = 60.0


def cache_file_name(rule_id: str) -> str:
    """The file in the cache folder that keeps a rule's verdicts (``mypack/x`` ->
    ``mypack--x-online.json``: a kebab-case name never holds ``--``)."""
    return f"{rule_id.replace('/', '--')}-online.json"


@dataclass(frozen=True)
class OnlineOptions:
    """A rule's ``online-*`` options (their defaults are in ONLINE_OPTIONS, and every
    rule's options hold them once resolved)."""

    timeout: float
    concurrency: int
    per_host: int
    rate: float
    retries: int
    backoff: float
    cache_ttl: int
    allow_private: bool

    @classmethod
    def from_rule_options(cls, options: Mapping[str, Any]) -> OnlineOptions:
        return cls(
            timeout=float(options["online-timeout"]),
            concurrency=int(options["online-concurrency"]),
            per_host=int(options["online-per-host"]),
            rate=float(options["online-rate"]),
            retries=int(options["online-retries"]),
            backoff=float(options["online-backoff"]),
            cache_ttl=int(options["online-cache-ttl"]),
            allow_private=bool(options["online-allow-private"]),
        )


@dataclass(frozen=True)
class Outcome:
    """What asking for one URL came to: the rule's verdict (None: fine), or the message
    of the rule's crash. ``cacheable`` is False when the answer said nothing lasting."""

    verdict: Verdict | None
    cacheable: bool = True
    crash: str | None = None
    unanswered: bool = False  # no answer at all: refused, unresolvable, timed out


@dataclass(frozen=True)
class Place:
    """Where a URL appears: a file, a span, and the rule's note about it."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int
    note: str
    excerpt: Mapping[str, Any]  # source and source_column, for --show-source and baselines


class Asked(NamedTuple):
    """The URLs one rule asks for: the places of each, and the Accept header of each."""

    places: dict[str, list[Place]]
    accept: dict[str, str]


# -- finding the URLs ----------------------------------------------------------------------


def online_rules(rules: Mapping[str, Rule], settings: Settings) -> list[Rule]:
    """The enabled rules with an online step."""
    return [rules[rule_id] for rule_id in settings.enabled if rules[rule_id].is_online]


def collect(sources: Iterable[tuple[str, bytes | None]], rules: Sequence[Rule],
            settings: Settings) -> tuple[dict[str, Asked], list[Problem]]:
    """Every distinct URL each rule asks for, with the places it appears, over the
    sources: ``(path, bytes)`` pairs, where ``None`` bytes means read the file. One file
    at a time, each parsed once for all the rules. Also an ``internal-error`` problem for
    each ``online_urls`` that raised."""
    from cliplint.files import read_clipping

    asked = {rule.id: Asked({}, {}) for rule in rules}
    crashes: list[Problem] = []
    for path, data in sources:
        for_path = settings.for_path(path).rules_for(path)
        enabled = [rule for rule in rules if rule.id in for_path]
        if not enabled:
            continue
        read = read_clipping(path, settings.max_file_size) if data is None else data
        document = read if isinstance(read, Problem) else decode_clipping(read, settings,
                                                                            path=path)
        if isinstance(document, Problem):
            continue  # unreadable or too large: the offline run already reported it
        # A URL a comment suppresses the rule at is not asked for: its problem is hidden.
        suppressions = find_suppressions(document)
        for rule in enabled:
            assert rule.online_urls is not None
            places, accept = asked[rule.id]
            try:
                with printing_aside():
                    found = list(rule.online_urls(document, settings.rule_options(rule)))
            except ENGINE_STOPS:
                raise
            except BaseException as error:  # a crashing rule must not stop the run
                crashes.append(crash_problem(document, path, rule.id, error))
                continue
            for item in found:
                line, column = document.position(item.start)
                if suppressions and suppressions.hides(rule.id, item.start, line):
                    continue
                end_line, end_column = document.position(max(item.end, item.start))
                places.setdefault(item.url, []).append(Place(
                    path, line, column, end_line, end_column, item.start, item.end, item.note,
                    source_excerpt(document, line, column)))
                accept.setdefault(item.url, item.accept)
    return asked, crashes


# -- the cache -----------------------------------------------------------------------------


@dataclass
class ResultCache:
    """A rule's verdicts by URL, in one JSON file, for ``ttl`` seconds.

    Read once, written once, atomically (temporary file + ``os.replace``). Anything
    unreadable, of the wrong shape, expired or not signed with the user's cache key is
    ignored, entry by entry; without a key (it can be neither read nor made) there is no
    cache."""

    path: Path | None
    ttl: int
    now: float = field(default_factory=time.time)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    secret: bytes | None = None

    def load(self) -> None:
        if self.path is None or self.ttl <= 0:
            return
        from cliplint.cache import cache_secret, read_own_file

        try:
            self.secret = cache_secret()
            # Not through a link, a FIFO or a device the tree put there (cliplint/cache.py).
            data = json.loads(read_own_file(self.path).decode("utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(data, dict) or data.get("version") != _CACHE_VERSION:
            return
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return
        for url, entry in entries.items():
            if (_valid_entry(entry) and self.now - entry["checked"] < self.ttl
                    and entry.get("mac") == _signature(self.secret, url, entry)):
                self.entries[url] = entry

    def get(self, url: str) -> Outcome | None:
        entry = self.entries.get(url)
        if entry is None:
            return None
        if entry["message"] is None:
            return Outcome(None)
        return Outcome(Verdict(entry["message"], entry.get("kind"), entry.get("severity")))

    def put(self, url: str, outcome: Outcome) -> None:
        if outcome.cacheable and outcome.crash is None and self.secret is not None:
            verdict = outcome.verdict
            entry: dict[str, Any] = {
                "checked": self.now,
                "message": None if verdict is None else verdict.message,
                "kind": None if verdict is None else verdict.kind,
                "severity": None if verdict is None else verdict.severity,
            }
            self.entries[url] = entry | {"mac": _signature(self.secret, url, entry)}

    def save(self) -> None:
        if self.path is None or self.ttl <= 0 or self.secret is None:
            return
        text = json.dumps({"version": _CACHE_VERSION, "entries": self.entries},
                          ensure_ascii=False, sort_keys=True)
        if os.path.islink(self.path.parent):
            return  # the tree's cache folder leads elsewhere: nothing written there
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            replace_whole(self.path, text, ".online-")
        except OSError:
            pass  # a cache we cannot write only costs the next run some requests


def _signature(secret: bytes, url: str, entry: Mapping[str, Any]) -> str:
    from cliplint.cache import signature

    return signature(secret, json.dumps([url, entry["checked"], entry["message"], entry["kind"],
                                         entry["severity"]], ensure_ascii=False))


def _valid_entry(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("checked"), (int, float))
        and (entry.get("message") is None or isinstance(entry.get("message"), str))
        and (entry.get("kind") is None or isinstance(entry.get("kind"), str))
        and entry.get("severity") in (None, "error", "warning", "info")
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


# -- the deadline of a request -------------------------------------------------------------


class Deadlines(threading.local):
    """The deadline (``time.monotonic()``) of the request each thread is making, None
    between requests. httpx's timeouts are per operation (connect, each read, each
    write): a server that drips its answer a byte a second never trips them. Every read,
    write and connection of the client's pools goes through :class:`_DeadlineStream`,
    which gives it only the time left, and fails it as a timeout once there is none."""

    at: float | None = None

    @contextmanager
    def within(self, seconds: float) -> Iterator[None]:
        """The request made in this block has ``seconds`` in all."""
        self.at = time.monotonic() + seconds
        try:
            yield
        finally:
            self.at = None

    def left(self, timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
        """The time an operation may take: its own ``timeout``, or less if the request's
        deadline is nearer. Raises ``expired`` (which httpx makes its own timeout) once
        the deadline has passed."""
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            raise expired("the request's time is up")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes end by the deadline of the request using it
    (a pooled connection serves requests of several threads, one at a time)."""

    def __init__(self, stream: httpcore.NetworkStream, deadlines: Deadlines) -> None:
        self._stream = stream
        self._deadlines = deadlines

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadlines.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadlines.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(
            ssl_context, server_hostname, self._deadlines.left(timeout, httpcore.ConnectTimeout)),
            self._deadlines)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """A pool's network backend whose connections keep the requests' deadlines."""

    def __init__(self, backend: httpcore.NetworkBackend, deadlines: Deadlines) -> None:
        self._backend = backend
        self._deadlines = deadlines

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._backend.connect_tcp(
            host, port, self._deadlines.left(timeout, httpcore.ConnectTimeout), local_address,
            socket_options), self._deadlines)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._backend.connect_unix_socket(
            path, self._deadlines.left(timeout, httpcore.ConnectTimeout), socket_options),
            self._deadlines)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def keep_deadlines(client: httpx.Client, deadlines: Deadlines) -> None:
    """Have every connection pool of ``client`` (its own, and those httpx made for the
    environment's proxies) keep ``deadlines``. httpx has no timeout for a whole request
    (encode/httpx#1450) nor a way to give its pools a network backend but this: its
    transports' httpcore pools, each with the backend it connects with."""
    transports = [getattr(client, "_transport", None),
                  *getattr(client, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = _DeadlineBackend(backend, deadlines)  # type: ignore[union-attr]


# -- asking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where to connect for a URL: the URL itself, or a pinned address with the names."""

    url: str
    headers: Mapping[str, str]
    extensions: Mapping[str, Any]


def choose_target(url: str, allow_private: bool) -> Target | Answer:
    """Resolve the URL's host once; refuse non-public addresses unless allowed (an
    unchecked :class:`Answer` says why); connect to the very address that was checked (a
    second DNS answer could differ)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        # (a plugin's URL: "file:///etc/passwd" was "cannot resolve : [Errno -2] ...")
        return Answer(url, None, failure="not checked: not an http(s) URL with a host",
                      checked=False)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:  # a port out of range, or no number: it ended the run
        return Answer(url, None, failure=f"not checked: {error}", checked=False)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        return Answer(url, None, failure=f"not checked: cannot resolve {host}: {error}",
                      checked=False)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        category = address_category(address)
        if category is not None and not allow_private:
            return Answer(url, None, checked=False, failure=(
                f"not checked: {host} resolves to a {category} address ({address}); "
                "allow it with --online-allow-private (or online-allow-private = true "
                "in your user configuration)"))
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    pinned = parts._replace(netloc=netloc).geturl()
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return Target(pinned, {"Host": parts.netloc.rpartition("@")[2]}, extensions)


def ask(client: httpx.Client, url: str, accept: str, options: OnlineOptions,
        gate: HostGate, deadlines: Deadlines) -> tuple[Answer, bool]:
    """Ask for one URL, with retries on 429, 5xx and connection failures: the answer,
    and whether it says something lasting (worth caching). Each request has
    ``options.timeout`` in all (``client`` keeps ``deadlines``: :func:`keep_deadlines`)."""
    import httpx

    target = choose_target(url, options.allow_private)
    if isinstance(target, Answer):
        return target, False
    host = urlsplit(url).netloc
    answer = Answer(url, None, failure="not checked", checked=False)
    for attempt in range(options.retries + 1):
        retry_after = None
        try:
            with gate.slot(host), deadlines.within(options.timeout):
                request = client.build_request(
                    "GET", target.url, extensions=dict(target.extensions),
                    headers={**target.headers, "Accept": accept})
                response = client.send(request, stream=True)
                try:
                    answer = _answer(url, response)
                finally:
                    response.close()
        except httpx.TimeoutException:
            return Answer(url, None, failure=f"did not answer within {options.timeout:g}s"), False
        except httpx.HTTPError as error:
            answer = Answer(url, None, failure=f"not reached: {type(error).__name__}: {error}")
        else:
            if answer.status != 429 and answer.status is not None and answer.status < 500:
                return answer, True
            retry_after = _retry_after(answer.headers.get("retry-after"))
        if attempt < options.retries:
            if retry_after is not None and retry_after > _MAX_RETRY_AFTER:
                break  # not worth a run's wait: that answer says what is wrong
            delay = retry_after if retry_after is not None else options.backoff * 2**attempt
            time.sleep(min(delay, _MAX_RETRY_AFTER))
    return answer, False


def _answer(url: str, response: httpx.Response) -> Answer:
    """The answer as a rule sees it: the body only when it is not 2xx, up to BODY_LIMIT.
    A body that does not come by the request's deadline is a request that timed out."""
    import httpx

    headers = {name.lower(): value for name, value in response.headers.items()}
    body = b""
    if not 200 <= response.status_code < 300:
        buffer = bytearray()
        try:
            for chunk in response.iter_bytes():
                buffer.extend(chunk)
                if len(buffer) >= BODY_LIMIT:
                    break
        except httpx.TimeoutException:
            raise
        except Exception:  # a broken body only loses what it would have said
            pass
        body = bytes(buffer[:BODY_LIMIT])
    return Answer(url, response.status_code, response.reason_phrase or "", headers, body)


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds; ``None`` when absent or an HTTP date (then: backoff)."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _judge(rule: Rule, answer: Answer, cacheable: bool, options: Mapping[str, Any]) -> Outcome:
    assert rule.online_judge is not None
    try:
        return Outcome(rule.online_judge(answer, options), cacheable)
    except ENGINE_STOPS:
        raise
    except BaseException as error:  # a crashing rule must not stop the run
        return Outcome(None, False, crash=f"rule {rule.id} crashed: {error_text(error)}")


# -- the run -------------------------------------------------------------------------------


def check_urls(rule: Rule, asked: Asked, options: Mapping[str, Any], cache: ResultCache,
               progress: bool = False) -> dict[str, Outcome]:
    """Ask for every URL not in the cache and have the rule judge each answer; return
    the outcome of each URL."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    import httpx

    online = OnlineOptions.from_rule_options(options)
    outcomes: dict[str, Outcome] = {}
    todo = []
    for url in asked.places:
        cached = cache.get(url)
        if cached is None:
            todo.append(url)
        else:
            outcomes[url] = cached
    if not todo:
        return outcomes
    gate = HostGate(online.per_host, online.rate)
    limits = httpx.Limits(max_connections=online.concurrency,
                          max_keepalive_connections=online.concurrency)
    headers = {"User-Agent": f"cliplint/{__version__} ({rule.id} --online)"}

    deadlines = Deadlines()

    def work(url: str) -> Outcome:
        answer, cacheable = ask(client, url, asked.accept[url], online, gate, deadlines)
        outcome = _judge(rule, answer, cacheable, options)
        return replace(outcome, unanswered=answer.status is None)

    # (printing_aside in the main thread, around the threads that run online_judge: the
    # stream is the process's, so what they print goes to standard error too)
    with printing_aside(), \
            httpx.Client(timeout=httpx.Timeout(online.timeout), follow_redirects=False,
                         limits=limits, headers=headers) as client, \
            ThreadPoolExecutor(max_workers=online.concurrency) as pool, \
            bar(len(todo), "url", f"{rule.id} --online", progress) as advance:
        keep_deadlines(client, deadlines)
        futures = {pool.submit(work, url): url for url in todo}
        for future in as_completed(futures):
            url = futures[future]
            outcome = future.result()
            outcomes[url] = outcome
            cache.put(url, outcome)
            advance(1)
    return outcomes


def check_online(sources: Sequence[tuple[str, bytes | None]], rules: Mapping[str, Rule],
                 settings: Settings, *, use_cache: bool = True,
                 progress: bool | None = None) -> list[Problem]:
    """The online problems of the given clippings (``(path, bytes)`` pairs, where
    ``None`` bytes means read the file), for every enabled rule with an online step.
    Nothing is asked for a rule that is not enabled for a file."""
    from cliplint.cache import cache_folder

    chosen = online_rules(rules, settings)
    if not chosen:
        return []
    asked, problems = collect(sources, chosen, settings)
    shown = wanted() if progress is None else progress
    for rule in chosen:
        if not asked[rule.id].places:
            continue
        options = settings.rule_options(rule)
        ttl = int(options["online-cache-ttl"])
        cache_path = (Path(cache_folder(settings.root)) / cache_file_name(rule.id)
                      if use_cache else None)
        cache = ResultCache(cache_path, ttl)
        cache.load()
        outcomes = check_urls(rule, asked[rule.id], options, cache, shown)
        cache.save()
        problems.extend(_problems(rule, asked[rule.id], outcomes, settings))
    problems.sort(key=lambda p: (p.path, p.line, p.column, p.message))
    return problems


def _problems(rule: Rule, asked: Asked, outcomes: Mapping[str, Outcome],
              settings: Settings) -> Iterator[Problem]:
    """A problem of the rule at every place of every URL it did not find fine; a crash
    of its judge (or a kind it does not declare) at the first place of the URL. A host
    that answered none of its URLs is one problem (see ``_unreachable``)."""
    configured = settings.severity.get(rule.id)
    down = _unreachable(asked, outcomes)
    for url, outcome in outcomes.items():
        places = asked.places[url]
        verdict, crash = outcome.verdict, outcome.crash
        severity: Severity = "error"
        if verdict is not None and crash is None:
            try:
                severity = rule.severity_of(verdict, configured)
            except ValueError as error:  # a kind the rule does not declare: its bug
                crash = f"rule {rule.id} crashed: {error}"
        if crash is not None:
            yield file_problem(places[0].path, INTERNAL_ERROR, crash)
            continue
        if verdict is None:
            continue
        host = urlsplit(url).netloc
        if host in down:
            if url != down[host][0]:
                continue  # said once, at the host's first URL
            places = places[:1]
        for place in places:
            note = f" ({place.note})" if place.note else ""
            summary = _host_summary(host, down[host], asked) if host in down else ""
            yield Problem(
                path=place.path, rule=rule.id, severity=severity,
                message=f"{verdict.message}{note}{summary}", line=place.line,
                column=place.column, end_line=place.end_line, end_column=place.end_column,
                start=place.start, end=place.end, online=True, **place.excerpt)


def _unreachable(asked: Asked, outcomes: Mapping[str, Outcome]) -> dict[str, list[str]]:
    """The hosts that answered none of their URLs (refused, unresolvable, timed out,
    not to be contacted), when they have more than one, each with its URLs in the order
    they first appear. Such a host is one problem, at its first place, not one per URL:
    the host is what is wrong, and a run against a proxy that is down would otherwise
    bury every other problem. A host that answered any URL keeps a problem at every place
    of every failing URL: then each failure says something about that image, and the
    keeper fixes it in that file."""
    by_host: dict[str, list[str]] = {}
    for url in asked.places:
        by_host.setdefault(urlsplit(url).netloc, []).append(url)
    return {host: urls for host, urls in by_host.items() if len(urls) > 1 and all(
        url in outcomes and outcomes[url].unanswered and outcomes[url].crash is None
        and outcomes[url].verdict is not None for url in urls)}


def _host_summary(host: str, urls: Sequence[str], asked: Asked) -> str:
    places = [place for url in urls for place in asked.places[url]]
    files = len({place.path for place in places})
    return (f"; the same for all {len(urls)} URLs of {host} ({len(places)} places in "
            f"{files} file{'s' if files != 1 else ''}), reported once, here")


def in_file_order(results: Iterable[FileResult], online: Sequence[Problem]) -> list[Problem]:
    """Every problem of the run: each file's own problems with its online ones among
    them, by position, as one lint would have reported them; then what archive rules
    found (results not ``checked``), as before."""
    import heapq

    by_path: dict[str, list[Problem]] = {}
    for problem in online:
        by_path.setdefault(problem.path, []).append(problem)
    problems: list[Problem] = []
    for result in results:
        mine = by_path.pop(result.path, []) if result.checked else []
        problems.extend(heapq.merge(result.problems, mine, key=_position))
    problems.extend(problem for left in by_path.values() for problem in left)
    return problems


def _position(problem: Problem) -> tuple[int, int, str, str]:
    """The order of a file's problems (as :func:`cliplint.linter.lint_and_record` sorts)."""
    return problem.line, problem.column, problem.rule, problem.message
