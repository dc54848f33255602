"""image-proxy --online against a real HTTP server on 127.0.0.1.

The server speaks like weserv: ``/?url=<upstream>``, JSON errors
``{"status": "error", "code": N, "message": ...}``, ``default=`` turning a failure into
a 302 to the placeholder. It is declared as a custom weserv proxy, and the tests allow
private addresses to reach it, except the one that checks they are refused by default.
No other address is ever contacted.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from conftest import Run, run_cliplint

import cliplint
from cliplint.config import resolve, validate
from cliplint.model import Rule
from cliplint.online import cache_file_name, check_online
from cliplint.plugins import load_registry

CACHE_FILE = cache_file_name("image-proxy")

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
HEADER = "<!--1594857600000-->\n[Title](https://example.com/a/1)\n------\n\n"
#: Seconds the "slow" upstream takes. The tests' timeout is generous (a loaded CI machine
#: must not turn an answer into a timeout), except in the timeout test, and far below this.
SLOW = 4.0
TIMEOUT = 5.0
#: A "drip" answer comes a piece every DRIP seconds, in DRIPS pieces: each read is quick,
#: the whole answer is not (DRIP * DRIPS seconds, far above the drip test's timeout).
DRIP, DRIPS = 0.05, 40


class FakeWeserv(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: Counter[str] = Counter()
        self.user_agents: set[str] = set()
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeWeserv

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # http.server's naming
        query = parse_qs(urlsplit(self.path).query)
        upstream = query.get("url", [""])[0]
        server = self.server
        with server.lock:
            server.requests[upstream] += 1
            count = server.requests[upstream]
            server.user_agents.add(self.headers.get("User-Agent", ""))
            server.in_flight += 1
            server.most_in_flight = max(server.most_in_flight, server.in_flight)
        self.counted = True
        try:
            self._answer(upstream, count, query)
        finally:
            self._finished()

    def _finished(self) -> None:
        # Called before the response is written: once the client has it, it may send the
        # next request at once, before this thread would get back to its bookkeeping.
        if getattr(self, "counted", False):
            self.counted = False
            with self.server.lock:
                self.server.in_flight -= 1

    def _answer(self, upstream: str, count: int, query: dict[str, list[str]]) -> None:
        name = upstream.rsplit("/", 1)[-1].split("?")[0]
        if name == "ok.jpg":
            self._send(200, "image/png", PNG)
        elif name == "paced.jpg":
            time.sleep(0.05)
            self._send(200, "image/png", PNG)
        elif name == "missing.jpg" and "default" in query:
            self._error(404, "The requested URL returned error: 404",
                        location="http://placeholder.invalid/p.png", status=302)
        elif name == "missing.jpg":
            self._error(404, "The requested URL returned error: 404")
        elif name == "slow.jpg":
            time.sleep(SLOW)
            self._send(200, "image/png", PNG)
        elif name == "busy.jpg" and count == 1:
            self._error(429, "There are an unusual number of requests", retry_after="0")
        elif name == "busy.jpg":
            self._send(200, "image/png", PNG)
        elif name == "drip-head.jpg":
            self._drip([b"HTTP/1.1 404 Not Found\r\n", *(
                b"X-Drip-%d: .\r\n" % number for number in range(DRIPS)),
                b"Content-Length: 0\r\n\r\n"])
        elif name == "drip-body.jpg":
            self._drip([b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                        b"Content-Length: %d\r\n\r\n" % DRIPS, *(b"x" * DRIPS)])
        elif name == "later.jpg":
            self._error(429, "Come back tomorrow", retry_after="999999")
        elif name == "down.jpg":
            self._send(503, "text/html", b"<h1>Service Unavailable</h1>")
        elif name == "page.jpg":
            self._send(200, "text/html; charset=utf-8", b"<html>not an image</html>")
        else:
            self._error(400, "Unable to parse URI")

    def _send(self, status: int, content_type: str, body: bytes,
              headers: dict[str, str] | None = None) -> None:
        self._finished()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Images-Api", "5")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test): nothing to answer

    def _drip(self, pieces: list[bytes] | list[int]) -> None:
        """An answer written a piece at a time, raw, DRIP seconds apart."""
        self._finished()
        self.close_connection = True
        try:
            for piece in pieces:
                self.wfile.write(piece if isinstance(piece, bytes) else bytes([piece]))
                self.wfile.flush()
                time.sleep(DRIP)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: what the drip test wants

    def _error(self, code: int, message: str, *, status: int | None = None,
               location: str | None = None, retry_after: str | None = None) -> None:
        body = json.dumps({"status": "error", "code": code, "message": message}).encode()
        headers = {}
        if location:
            headers["Location"] = location
        if retry_after:
            headers["Retry-After"] = retry_after
        self._send(status or code, "application/json", body, headers)


@pytest.fixture()
def server() -> Iterator[FakeWeserv]:
    fake = FakeWeserv()
    thread = threading.Thread(target=fake.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.shutdown()
        fake.server_close()


@pytest.fixture(autouse=True)
def _own_cache_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLIPLINT_CACHE_DIR", raising=False)


def _settings(server: FakeWeserv, root: Path, **options: Any) -> Any:
    rules = load_registry().rules
    rule_options = {
        "proxies": {server.netloc: "weserv"},
        "online-allow-private": True,
        "online-timeout": TIMEOUT,
        "online-backoff": 0.01,
        "online-rate": 1000,
        **options,
    }
    table = {"rules": {"image-proxy": rule_options}}
    validate(table, rules, "test")
    return resolve(table, rules, root=str(root))


def _clipping(server: FakeWeserv, *names: str, extra: str = "") -> bytes:
    images = "".join(
        f'<img src="http://{server.netloc}/?url=example.com/{name}{extra}">' for name in names)
    return (HEADER + "<p>text</p>" + images + "\n").encode()


def _run(server: FakeWeserv, root: Path, *names: str, extra: str = "", **options: Any) -> list:
    settings = _settings(server, root, **options)
    return check_online([("a.md", _clipping(server, *names, extra=extra))],
                        load_registry().rules, settings, progress=False)


def test_an_image_passes(server: FakeWeserv, tmp_path: Path) -> None:
    assert _run(server, tmp_path, "ok.jpg") == []
    assert server.requests == {"example.com/ok.jpg": 1}
    assert all(agent.startswith("cliplint/") for agent in server.user_agents)


def test_404_carries_weservs_json_message(server: FakeWeserv, tmp_path: Path) -> None:
    problems = _run(server, tmp_path, "missing.jpg")
    assert [(p.rule, p.severity, p.message) for p in problems] == [(
        "image-proxy", "error",
        f"proxy answered 404: The requested URL returned error: 404 "
        f"({server.netloc} -> http://example.com/missing.jpg)",
    )]
    assert (problems[0].line, problems[0].column) == (5, 22)


def test_placeholder_redirect_is_reported_not_followed(server: FakeWeserv, tmp_path: Path) -> None:
    problems = _run(server, tmp_path, "missing.jpg", extra="&amp;default=placeholder.invalid/p.png")
    assert [p.message.split(" (" + server.netloc)[0] for p in problems] == [
        "proxy answered 302 (a redirect to http://placeholder.invalid/p.png, not the image): "
        "The requested URL returned error: 404"
    ]
    assert sum(server.requests.values()) == 1  # the placeholder was not fetched


def test_timeout(server: FakeWeserv, tmp_path: Path) -> None:
    started = time.monotonic()
    problems = _run(server, tmp_path, "slow.jpg", **{"online-timeout": 0.3})
    assert time.monotonic() - started < SLOW  # it did not wait for the answer
    assert [p.message.split(" (")[0] for p in problems] == ["proxy did not answer within 0.3s"]
    # A timeout says nothing lasting about the image: not cached.
    cached = json.loads((tmp_path / ".cliplint_cache" / CACHE_FILE).read_text())
    assert cached["entries"] == {}


@pytest.mark.parametrize("name", ["drip-head.jpg", "drip-body.jpg"])
def test_the_timeout_is_for_the_whole_request(server: FakeWeserv, tmp_path: Path,
                                              name: str) -> None:
    # Each piece comes well within the timeout; the whole answer does not. The timeout
    # was per read: the run waited for all of it, however long the server took.
    problems = _run(server, tmp_path, name, **{"online-timeout": 0.5, "online-retries": 1})
    assert [p.message.split(" (")[0] for p in problems] == ["proxy did not answer within 0.5s"]
    assert server.requests == {f"example.com/{name}": 1}  # a timeout is not retried


def test_a_long_retry_after_is_not_waited_for(server: FakeWeserv, tmp_path: Path) -> None:
    # It was waited for a minute (the longest honoured) before asking again, per retry.
    problems = _run(server, tmp_path, "later.jpg", **{"online-retries": 1})
    assert [p.message.split(" (")[0] for p in problems] == [
        "proxy answered 429: Come back tomorrow"]
    assert server.requests == {"example.com/later.jpg": 1}


def test_429_then_200_is_retried(server: FakeWeserv, tmp_path: Path) -> None:
    assert _run(server, tmp_path, "busy.jpg") == []
    assert server.requests == {"example.com/busy.jpg": 2}


def test_5xx_is_retried_then_reported(server: FakeWeserv, tmp_path: Path) -> None:
    problems = _run(server, tmp_path, "down.jpg", **{"online-retries": 2})
    assert [p.message.split(" (")[0] for p in problems] == [
        "proxy answered 503: Service Unavailable"]
    assert server.requests == {"example.com/down.jpg": 3}


def test_2xx_that_is_not_an_image(server: FakeWeserv, tmp_path: Path) -> None:
    problems = _run(server, tmp_path, "page.jpg")
    assert [p.message.split(" (")[0] for p in problems] == [
        "proxy answered 200 with text/html, not an image"]


def test_private_address_is_refused_by_default(server: FakeWeserv, tmp_path: Path) -> None:
    problems = _run(server, tmp_path, "ok.jpg", **{"online-allow-private": False})
    assert [(p.severity, p.message.split(" (" + server.netloc)[0]) for p in problems] == [(
        "warning",
        "proxy not checked: 127.0.0.1 resolves to a loopback address (127.0.0.1); "
        "allow it with --online-allow-private (or online-allow-private = true in your "
        "user configuration)",
    )]
    assert server.requests == {}


def test_each_distinct_image_is_asked_once(server: FakeWeserv, tmp_path: Path) -> None:
    settings = _settings(server, tmp_path)
    first = _clipping(server, "missing.jpg", "ok.jpg", "missing.jpg")
    second = _clipping(server, "missing.jpg")
    problems = check_online([("a.md", first), ("b.md", second)], load_registry().rules, settings,
                            progress=False)
    line = first.decode().splitlines()[4]
    missing = f"http://{server.netloc}/?url=example.com/missing.jpg"
    columns = [line.index(missing) + 1, line.rindex(missing) + 1]
    assert [(p.path, p.line, p.column) for p in problems] == [
        ("a.md", 5, columns[0]), ("a.md", 5, columns[1]), ("b.md", 5, columns[0])]
    assert server.requests == {"example.com/missing.jpg": 1, "example.com/ok.jpg": 1}


def test_results_are_cached_until_they_expire(server: FakeWeserv, tmp_path: Path) -> None:
    first = _run(server, tmp_path, "missing.jpg", "ok.jpg")
    assert server.requests == {"example.com/missing.jpg": 1, "example.com/ok.jpg": 1}
    again = _run(server, tmp_path, "missing.jpg", "ok.jpg")
    assert [p.message for p in again] == [p.message for p in first]
    assert sum(server.requests.values()) == 2  # nothing asked again

    cache_file = tmp_path / ".cliplint_cache" / CACHE_FILE
    data = json.loads(cache_file.read_text())
    for entry in data["entries"].values():
        entry["checked"] -= 86400 + 1
    cache_file.write_text(json.dumps(data))
    _run(server, tmp_path, "missing.jpg", "ok.jpg")
    assert sum(server.requests.values()) == 4  # expired: asked again

    assert _run(server, tmp_path, "ok.jpg", **{"online-cache-ttl": 0}) == []
    assert server.requests["example.com/ok.jpg"] == 3  # ttl 0: no cache


@pytest.mark.parametrize("content", [
    "{not json", "[]", '{"version": 2, "entries": []}',
    '{"version": 2, "entries": {"http://x/": {"checked": "yesterday"}}}', "\0\0\0",
])
def test_a_corrupt_cache_is_ignored_and_replaced(server: FakeWeserv, tmp_path: Path,
                                                 content: str) -> None:
    cache_file = tmp_path / ".cliplint_cache" / CACHE_FILE
    cache_file.parent.mkdir()
    cache_file.write_text(content)
    problems = _run(server, tmp_path, "missing.jpg")
    assert len(problems) == 1 and problems[0].message.startswith("proxy answered 404")
    assert json.loads(cache_file.read_text())["version"] == 2


def test_a_poisoned_cache_entry_is_not_believed(server: FakeWeserv, tmp_path: Path) -> None:
    # Whoever can write the linted tree (a pull request) can write its cache folder:
    # a verdict rewritten to "fine", or a forged entry, must not hide a broken image.
    first = _run(server, tmp_path, "missing.jpg")
    assert len(first) == 1
    cache_file = tmp_path / ".cliplint_cache" / CACHE_FILE
    data = json.loads(cache_file.read_text())
    [(url, entry)] = data["entries"].items()
    assert entry["message"] is not None and entry["mac"]
    for poisoned in ({**entry, "message": None},
                     {**entry, "message": None, "mac": None},
                     {key: value for key, value in entry.items() if key != "mac"}):
        data["entries"] = {url: poisoned}
        cache_file.write_text(json.dumps(data))
        again = _run(server, tmp_path, "missing.jpg")
        assert [p.message for p in again] == [p.message for p in first]
    assert server.requests == {"example.com/missing.jpg": 4}  # asked again each time
    written = json.loads(cache_file.read_text())["entries"][url]
    assert written["message"] == entry["message"] and written["mac"]  # the true one, signed


def test_requests_to_one_host_are_bounded(server: FakeWeserv, tmp_path: Path) -> None:
    names = [f"paced.jpg?n={n}" for n in range(6)]
    started = time.monotonic()
    assert _run(server, tmp_path, *names, **{"online-per-host": 1, "online-concurrency": 6,
                                             "online-rate": 20}) == []
    assert server.most_in_flight == 1
    assert time.monotonic() - started >= 5 / 20  # six starts at most 20 a second


def test_nothing_is_asked_when_the_rule_is_off(server: FakeWeserv, tmp_path: Path) -> None:
    rules = load_registry().rules
    table = {"ignore": ["image-proxy"],
             "rules": {"image-proxy": {"proxies": {server.netloc: "weserv"},
                                       "online-allow-private": True}}}
    settings = resolve(table, rules, root=str(tmp_path))
    assert check_online([("a.md", _clipping(server, "missing.jpg"))], rules, settings) == []
    assert server.requests == {}


def test_broken_upstreams_are_not_asked_for(server: FakeWeserv, tmp_path: Path) -> None:
    settings = _settings(server, tmp_path)
    body = f'<img src="http://{server.netloc}/?url=">'.encode()
    assert check_online([("a.md", HEADER.encode() + body)], load_registry().rules, settings) == []
    assert server.requests == {}


def test_command_line_online_flag(server: FakeWeserv, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    from cliplint.cli import main

    config = tmp_path / "cliplint.toml"
    config.write_text(
        '[rules.image-proxy]\n'
        f'proxies = {{ "{server.netloc}" = "weserv" }}\n'
        'online-timeout = 5.0\nonline-backoff = 0.01\n'
    )
    clipping = tmp_path / "a.md"
    clipping.write_bytes(_clipping(server, "missing.jpg", "ok.jpg"))
    arguments = ["--config", str(config), "--jobs", "1", "--format", "json",
                 "--online-allow-private", str(clipping)]  # the fake proxy is on 127.0.0.1

    assert main(arguments) == 0  # offline: nothing wrong, nothing asked
    assert json.loads(capsys.readouterr().out)["problems"] == []
    assert server.requests == {}

    assert main([*arguments, "--online"]) == 1
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, json.loads(
        (Path(cliplint.__file__).parent / "schemas" / "report.schema.json").read_text()))
    problems = report["problems"]
    found = [(p["rule"], p["severity"], p["line"], p["message"].split(" (")[0]) for p in problems]
    assert found == [
        ("image-proxy", "error", 5, "proxy answered 404: The requested URL returned error: 404")]
    assert server.requests == {"example.com/missing.jpg": 1, "example.com/ok.jpg": 1}
    assert (tmp_path / ".cliplint_cache" / CACHE_FILE).is_file()


def test_a_suppressed_image_is_not_asked_for_and_its_comment_is_kept(
        server: FakeWeserv, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The online step ignored suppressions; and linting, offline, took the comment for
    # one that hid nothing: --fix removed it as unused.
    from cliplint.cli import main

    config = tmp_path / "cliplint.toml"
    config.write_text('[rules.image-proxy]\n'
                      f'proxies = {{ "{server.netloc}" = "weserv" }}\n'
                      'online-timeout = 5.0\nonline-backoff = 0.01\n')
    image = f'<img src="http://{server.netloc}/?url=example.com/{{}}">'
    text = (HEADER + "<p>text</p>\n"
            "<!-- cliplint-disable-next-line image-proxy -- a known gap -->\n"
            + image.format("kept.jpg") + "\n" + image.format("missing.jpg") + "\n"
            "<!-- cliplint-disable-next-line image-proxy -- hides nothing -->\n<p>x</p>\n")
    clipping = tmp_path / "a.md"
    clipping.write_text(text, encoding="utf-8")
    arguments = ["--config", str(config), "--jobs", "1", "--format", "json",
                 "--online-allow-private", str(clipping)]
    assert main([*arguments, "--online"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["rule"], p["line"]) for p in problems] == [("image-proxy", 8), (
        "unused-suppression", 9)]
    assert server.requests == {"example.com/missing.jpg": 1}
    assert main([*arguments, "--fix", "--no-cache"]) == 0
    capsys.readouterr()
    fixed = clipping.read_text(encoding="utf-8")
    assert "-- a known gap -->" in fixed and "-- hides nothing -->" not in fixed


def test_only_the_user_can_allow_private_addresses(server: FakeWeserv, tmp_path: Path) -> None:
    """A pull request must not switch the SSRF guard off for CI: the linted project's own
    configuration cannot allow private addresses; the user's configuration can."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.md").write_bytes(_clipping(server, "missing.jpg"))
    settings = (f'[rules.image-proxy]\nproxies = {{ "{server.netloc}" = "weserv" }}\n'
                'online-timeout = 5.0\nonline-backoff = 0.01\n')
    (project / "cliplint.toml").write_text(settings + "online-allow-private = true\n")
    home = tmp_path / "home"
    env = {"XDG_CONFIG_HOME": str(home)}
    refused = run_cliplint("--online", "--no-cache", "a.md", cwd=project, env=env)
    assert refused.status == 2
    assert refused.stderr == (
        f"cliplint: error: {project / 'cliplint.toml'}: rules.image-proxy.online-allow-private "
        "= true weakens security, so it is honoured only from the command line "
        f"(--online-allow-private) or your own configuration ({home}/cliplint/cliplint.toml), "
        "never from a configuration file of the linted project\n")
    assert server.requests == {}

    (project / "cliplint.toml").write_text(settings)
    guarded = run_cliplint("--online", "--no-cache", "a.md", cwd=project, env=env)
    assert "proxy not checked: 127.0.0.1 resolves to a loopback address" in guarded.stdout
    assert server.requests == {}

    (home / "cliplint").mkdir(parents=True)
    (home / "cliplint" / "cliplint.toml").write_text(
        "[rules.image-proxy]\nonline-allow-private = true\n")
    allowed = run_cliplint("--online", "--no-cache", "a.md", cwd=project, env=env)
    assert "proxy answered 404" in allowed.stdout, allowed.stdout + allowed.stderr
    assert server.requests == {"example.com/missing.jpg": 1}


# -- the online step is a capability of any rule -------------------------------------------

LINKCHECK = '''
"""The title link must answer 200.

Why: a test of the online step any rule may declare.
"""
import sys

from cliplint.api import OnlineURL, Verdict, hookimpl

ID = "linkcheck/title-url"
SEVERITY = "warning"
FIX = None
FINDINGS = None


def check(document, options):
    yield from ()


def online_urls(document, options):
    link = document.title_link
    if link is not None:
        url = document.text[link.url.start:link.url.end]
        yield OnlineURL(url, link.url.start, link.url.end, note="the title link")


def online_judge(answer, options):
    if answer.status is None:
        return Verdict("link " + answer.failure)
    if answer.status != 200:
        return Verdict(f"link answered {answer.status}: {answer.body.decode()}")
    assert answer.body == b""  # a 2xx answer's body is never downloaded
    return None


@hookimpl
def cliplint_rules():
    return [sys.modules[__name__]]
'''


def _linkcheck_clipping(server: FakeWeserv, name: str) -> bytes:
    return (f"<!--1594857600000-->\n[Title](http://{server.netloc}/?url=example.com/{name})\n"
            "------\n\n<p>text</p>\n").encode()


@contextmanager
def _linkcheck_installed(folder: Path, monkeypatch: pytest.MonkeyPatch, module: str,
                         source: str) -> Iterator[Mapping[str, Rule]]:
    """The rules with the linkcheck pack (``source``, imported as ``module``) installed in
    this process; the registry is loaded afresh before and after."""
    from conftest import make_plugin

    site = make_plugin(folder / "site", distribution="cliplint-linkcheck",
                       entry_name="linkcheck", module=module, source=source)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("CLIPLINT_NO_PLUGINS", raising=False)
    load_registry.cache_clear()
    try:
        yield load_registry().rules
    finally:
        load_registry.cache_clear()


def test_any_rule_may_have_an_online_step(server: FakeWeserv, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    with _linkcheck_installed(tmp_path, monkeypatch, "cliplint_linkcheck", LINKCHECK) as rules:
        table = {"rules": {"linkcheck/title-url": {"online-allow-private": True}}}
        validate(table, rules, "test")
        settings = resolve(table, rules, root=str(tmp_path))
        sources = [("a.md", _linkcheck_clipping(server, "missing.jpg")),
                   ("b.md", _linkcheck_clipping(server, "ok.jpg"))]
        problems = check_online(sources, rules, settings, progress=False)
        assert [(p.path, p.rule, p.severity, p.line, p.column) for p in problems] == [
            ("a.md", "linkcheck/title-url", "warning", 2, 9)]
        assert problems[0].message == (
            'link answered 404: {"status": "error", "code": 404, "message": "The requested '
            'URL returned error: 404"} (the title link)')
        assert server.requests == {"example.com/missing.jpg": 1, "example.com/ok.jpg": 1}
        assert any("linkcheck/title-url --online" in agent for agent in server.user_agents)
        # Its own verdicts, kept apart from other rules'.
        assert (tmp_path / ".cliplint_cache" / "linkcheck--title-url-online.json").is_file()
        assert check_online(sources, rules, settings, progress=False) == problems
        assert sum(server.requests.values()) == 2
        # The engine's guard holds for it too: no private address unless allowed.
        refused = resolve({}, rules, root=str(tmp_path / "elsewhere"))
        (problem,) = check_online(sources[:1], rules, refused, progress=False)
        assert problem.message.startswith("link not checked: 127.0.0.1 resolves to a loopback")


def test_a_crashing_online_step_is_an_internal_error(server: FakeWeserv, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    source = LINKCHECK.replace('    if answer.status is None:',
                               '    if answer.status == 404:\n        raise ValueError("boom")\n'
                               '    if answer.status is None:')
    # Another module name: this process imported cliplint_linkcheck already.
    with _linkcheck_installed(tmp_path, monkeypatch, "cliplint_linkcheck_crash",
                              source) as rules:
        settings = resolve({"rules": {"linkcheck/title-url": {"online-allow-private": True}}},
                           rules, root=str(tmp_path))
        problems = check_online([("a.md", _linkcheck_clipping(server, "missing.jpg"))], rules,
                                settings, progress=False)
        assert [(p.path, p.rule, p.message) for p in problems] == [
            ("a.md", "internal-error", "rule linkcheck/title-url crashed: ValueError: boom")]


@pytest.mark.parametrize("step", [
    "    yield 'junk'\n    yield OnlineURL('http://x.invalid/', 10**9, 10**9 + 1)\n",
    "    raise ValueError('boom')\n    yield\n",
    "    while True:\n        yield OnlineURL('http://x.invalid/', 0, 1)\n",
], ids=["junk", "raises", "endless"])
def test_an_online_steps_bug_does_not_break_linting_offline(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    # Linting asks the online steps which URLs a suppression covers (it is then in use):
    # what a step yields or raises there is --online's to report, not the run's end.
    from cliplint import lint_text

    start = LINKCHECK.index("def online_urls(document, options):\n") + len(
        "def online_urls(document, options):\n")
    end = LINKCHECK.index("def online_judge")
    source = LINKCHECK[:start] + step + "\n\n" + LINKCHECK[end:]
    with _linkcheck_installed(tmp_path, monkeypatch, f"cliplint_linkcheck_{len(step)}",
                              source):
        text = (HEADER + "<!-- cliplint-disable-next-line well-formed-html -->\n"
                "<p>a stray</span> end tag</p>\n")
        problems = lint_text(text, config={"max-problems-per-rule": 5})
    assert [(p.rule, p.line) for p in problems] == []


def test_what_an_online_step_prints_goes_to_standard_error(
        server: FakeWeserv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # online_judge runs in the threads that ask: its print went into the report.
    source = LINKCHECK.replace("def online_judge(answer, options):\n",
                               "def online_judge(answer, options):\n    print('judged')\n")
    source = source.replace("def online_urls(document, options):\n",
                            "def online_urls(document, options):\n    print('listed')\n")
    with _linkcheck_installed(tmp_path, monkeypatch, "cliplint_linkcheck_loud",
                              source) as rules:
        settings = resolve({"rules": {"linkcheck/title-url": {"online-allow-private": True}}},
                           rules, root=str(tmp_path))
        check_online([("a.md", _linkcheck_clipping(server, "ok.jpg"))], rules, settings,
                     progress=False)
    printed = capsys.readouterr()
    assert (printed.out, printed.err.split()) == ("", ["listed", "judged"])


def test_a_url_that_is_no_http_url_or_has_a_bad_port_is_not_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A plugin's URL: "file:///etc/passwd" was "cannot resolve : [Errno -2] ...", and a
    # port out of range raised in the asking thread and ended the run.
    with _linkcheck_installed(tmp_path, monkeypatch, "cliplint_linkcheck_odd",
                              LINKCHECK) as rules:
        settings = resolve({}, rules, root=str(tmp_path))
        sources = [(name, f"<!--1594857600000-->\n[Title]({url})\n------\n\n<p>text</p>\n"
                    .encode()) for name, url in (("a.md", "file:///etc/passwd"),
                                                 ("b.md", "http://example.org:99999/x"))]
        problems = check_online(sources, rules, settings, progress=False)
    assert [(p.path, p.rule, p.message) for p in problems] == [
        ("a.md", "linkcheck/title-url",
         "link not checked: not an http(s) URL with a host (the title link)"),
        ("b.md", "linkcheck/title-url",
         "link not checked: Port out of range 0-65535 (the title link)")]


def test_online_runs_the_step_of_every_rule(server: FakeWeserv, tmp_path: Path) -> None:
    from conftest import make_plugin, run_cliplint

    site = make_plugin(tmp_path / "site", distribution="cliplint-linkcheck",
                       entry_name="linkcheck", module="cliplint_linkcheck", source=LINKCHECK)
    config = tmp_path / "cliplint.toml"
    config.write_text(
        '[rules.image-proxy]\n'
        f'proxies = {{ "{server.netloc}" = "weserv" }}\n')
    clipping = tmp_path / "a.md"
    clipping.write_bytes(_linkcheck_clipping(server, "missing.jpg").replace(
        b"<p>text</p>",
        f'<p>text</p><img src="http://{server.netloc}/?url=example.com/page.jpg">'.encode()))
    env = {"PYTHONPATH": str(site)}
    offline = run_cliplint("--format", "json", "a.md", cwd=tmp_path, env=env)
    assert offline.status == 0 and server.requests == {}
    # --online-allow-private reaches every rule's online step.
    online = run_cliplint("--format", "json", "--online", "--online-allow-private", "a.md",
                          cwd=tmp_path, env=env)
    assert online.status == 1, online.stderr
    found = [(p["rule"], p["severity"], p["message"].split(" (")[0].split(":")[0])
             for p in json.loads(online.stdout)["problems"]]
    assert found == [("linkcheck/title-url", "warning", "link answered 404"),
                     ("image-proxy", "error", "proxy answered 200 with text/html, not an image")]
    assert server.requests == {"example.com/missing.jpg": 1, "example.com/page.jpg": 1}


def test_the_user_configuration_allows_the_rules_it_names(tmp_path: Path) -> None:
    """``[rules.image-proxy] online-allow-private = true`` in the user's configuration is
    image-proxy's alone, as the table says; ``--online-allow-private`` is every rule's."""
    from conftest import make_plugin, run_cliplint

    site = make_plugin(tmp_path / "site", distribution="cliplint-linkcheck",
                       entry_name="linkcheck", module="cliplint_linkcheck", source=LINKCHECK)
    home = tmp_path / "home"
    (home / "cliplint").mkdir(parents=True)
    (home / "cliplint" / "cliplint.toml").write_text(
        "[rules.image-proxy]\nonline-allow-private = true\n")
    env = {"PYTHONPATH": str(site), "XDG_CONFIG_HOME": str(home)}

    def allowed(*arguments: str) -> dict[str, bool]:
        shown = run_cliplint("--show-config", *arguments, cwd=tmp_path, env=env)
        assert shown.status == 0, shown.stderr
        rules = json.loads(shown.stdout)["rules"]
        return {rule: rules[rule]["online-allow-private"]
                for rule in ("image-proxy", "linkcheck/title-url")}

    assert allowed() == {"image-proxy": True, "linkcheck/title-url": False}
    assert allowed("--online-allow-private") == {"image-proxy": True,
                                                 "linkcheck/title-url": True}


def test_the_engine_names_no_rule() -> None:
    """The engine offers the online step to every rule: it names none of them, nor
    imports the built-in rules' modules."""
    engine = Path(cliplint.__file__).parent
    for path in sorted(engine.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "image-proxy" not in text and "image_proxy" not in text, path
        assert "import cliplint_rules" not in text and "from cliplint_rules" not in text, path


def _closed_port() -> str:
    """An address on 127.0.0.1 where nothing listens: connections are refused."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def test_online_problems_come_in_file_order_and_a_dead_host_once(
        server: FakeWeserv, tmp_path: Path) -> None:
    dead = _closed_port()
    (tmp_path / "cliplint.toml").write_text(
        '[rules.image-proxy]\n'
        f'proxies = {{ "{server.netloc}" = "weserv", "{dead}" = "weserv" }}\n'
        'online-timeout = 5.0\nonline-backoff = 0.01\nonline-retries = 1\n')

    def images(host: str, *names: str) -> str:
        return "".join(f'<img src="http://{host}/?url=example.com/{name}">' for name in names)

    late = HEADER.replace("594857600000", "594857600")  # timestamp-comment: seconds
    (tmp_path / "a.md").write_text(f"{late}<p>text</p>{images(server.netloc, 'missing.jpg')}"
                                   f"{images(dead, 'x.jpg', 'y.jpg')}\n")
    (tmp_path / "b.md").write_text(f"{late}<p>text</p>{images(server.netloc, 'missing.jpg')}"
                                   f"{images(dead, 'y.jpg', 'z.jpg')}\n")
    result = run_cliplint("--select", "image-proxy,timestamp-comment", "--online",
                          "--online-allow-private", "--no-cache", ".", cwd=tmp_path)
    assert result.status == 1, result.stderr
    found = [line.split(" ")[:2] for line in result.stdout.splitlines()[:-1]]
    # Each file's online problems among its own, not after every file's.
    assert found == [
        ["./a.md:1:5:", "timestamp-comment"],
        ["./a.md:5:22:", "image-proxy"],  # the answering host's 404: at every place
        [f"./a.md:5:{22 + len(images(server.netloc, 'missing.jpg'))}:", "image-proxy"],
        ["./b.md:1:5:", "timestamp-comment"],  # (the dead host, once, just above)
        ["./b.md:5:22:", "image-proxy"],
    ], result.stdout
    [dead_line] = [line for line in result.stdout.splitlines() if dead in line]
    assert dead_line.startswith(f"./a.md:5:{22 + len(images(server.netloc, 'missing.jpg'))}:")
    assert "proxy not reached: ConnectError" in dead_line
    assert dead_line.endswith(f"; the same for all 3 URLs of {dead} (4 places in 2 files), "
                              "reported once, here")
    assert "404" in result.stdout.splitlines()[1]


def test_a_host_that_answers_some_urls_keeps_every_failure(server: FakeWeserv,
                                                          tmp_path: Path) -> None:
    problems = _run(server, tmp_path, "missing.jpg", "slow.jpg", "ok.jpg",
                    **{"online-timeout": 0.3})
    assert [p.message.split(" (")[0] for p in problems] == [
        "proxy answered 404: The requested URL returned error: 404",
        "proxy did not answer within 0.3s"]


def test_an_undeclared_kind_is_the_rules_bug_whatever_the_configured_severity(
        server: FakeWeserv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # With the rule's severity configured, the verdict's kind was never looked up.
    source = LINKCHECK.replace('return Verdict(f"link answered {answer.status}: '
                               '{answer.body.decode()}")',
                               'return Verdict("link broken", kind="no-such-kind")')
    assert source != LINKCHECK
    with _linkcheck_installed(tmp_path, monkeypatch, "cliplint_linkcheck_kind", source) as rules:
        table = {"rules": {"linkcheck/title-url": {"online-allow-private": True}},
                 "severity": {"linkcheck/title-url": "info"}}
        validate(table, rules, "test")
        settings = resolve(table, rules, root=str(tmp_path))
        sources = [("a.md", _linkcheck_clipping(server, "missing.jpg"))]
        (problem,) = check_online(sources, rules, settings, progress=False)
        assert (problem.rule, problem.severity, problem.message) == (
            "internal-error", "error", "rule linkcheck/title-url crashed: rule "
            "linkcheck/title-url reported a kind it does not declare: 'no-such-kind'")


# -- a baseline written with --online, read without it (and the other way round) -----------

STALE = "no longer match"


def _baseline_clipping(server: FakeWeserv, lost: bool = True, missing: bool = True) -> str:
    """A clipping with an image-proxy problem the rule finds offline (an empty upstream,
    when ``lost``) and one only its online step finds (the proxy's 404, when ``missing``)."""
    empty = f'<img src="http://{server.netloc}/?url=">' if lost else ""
    asked = f"example.com/{'missing' if missing else 'ok'}.jpg"
    return f'{HEADER}<p>text</p>\n{empty}\n<img src="http://{server.netloc}/?url={asked}">\n'


def _baseline_run(server: FakeWeserv, tmp_path: Path, *arguments: str) -> Run:
    (tmp_path / "cliplint.toml").write_text(
        '[rules.image-proxy]\n'
        f'proxies = {{ "{server.netloc}" = "weserv" }}\n'
        'online-timeout = 5.0\nonline-backoff = 0.01\n')
    return run_cliplint("--select", "image-proxy", "--online-allow-private", "--jobs", "1",
                        *arguments, "a.md", cwd=tmp_path)


def test_a_baseline_written_online_keeps_its_online_entries_offline(
        server: FakeWeserv, tmp_path: Path) -> None:
    # The offline run, the usual CI run, took the online entries for fixed ("write it
    # again"): written again offline, the baseline lost them, and the next --online run
    # reported every broken image as new.
    (tmp_path / "a.md").write_text(_baseline_clipping(server))
    wrote = _baseline_run(server, tmp_path, "--online", "--write-baseline", "b.json")
    assert wrote.status == 0, wrote.stderr
    offline = _baseline_run(server, tmp_path, "--baseline", "b.json")
    assert offline.status == 0, offline
    assert "1 problem suppressed" in offline.stderr and STALE not in offline.stderr, offline.stderr
    # What tells them apart: the online entry is marked; the other is written as before.
    entries = json.loads((tmp_path / "b.json").read_text())["problems"]
    assert sorted((entry["message"].split(" ")[0], entry.get("online")) for entry in entries) == [
        ("no", None), ("proxy", True)]
    online = _baseline_run(server, tmp_path, "--online", "--baseline", "b.json")
    assert online.status == 0, online
    assert "2 problems suppressed" in online.stderr and STALE not in online.stderr, online.stderr

    # Fixed for real: the empty upstream (a run without --online tells)...
    (tmp_path / "a.md").write_text(_baseline_clipping(server, lost=False))
    offline = _baseline_run(server, tmp_path, "--baseline", "b.json")
    assert offline.status == 0 and "1 baseline entry no longer matches" in offline.stderr, offline
    # ... or, the empty upstream back, the 404 (only a run with --online tells).
    (tmp_path / "a.md").write_text(_baseline_clipping(server, missing=False))
    offline = _baseline_run(server, tmp_path, "--baseline", "b.json")
    assert offline.status == 0 and STALE not in offline.stderr, offline
    online = _baseline_run(server, tmp_path, "--online", "--baseline", "b.json")
    assert online.status == 0 and "1 baseline entry no longer matches" in online.stderr, online


def test_a_baseline_written_offline_still_matches_online(server: FakeWeserv,
                                                         tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(_baseline_clipping(server))
    wrote = _baseline_run(server, tmp_path, "--write-baseline", "b.json")
    assert wrote.status == 0, wrote.stderr
    online = _baseline_run(server, tmp_path, "--online", "--baseline", "b.json")
    assert online.status == 1, online  # the 404 is new
    assert "proxy answered 404" in online.stdout and "no upstream" not in online.stdout
    assert "1 problem suppressed" in online.stderr and STALE not in online.stderr, online.stderr
