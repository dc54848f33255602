"""image-proxy: upstream recovery per proxy, host checks, attribute positions, the fix."""

from __future__ import annotations

import html5lib
import pytest

from cliplint import fix_text, lint_text
from cliplint.document import Document
from cliplint_rules._images import EmptySrc, decode_attribute, image_urls, srcset_urls
from cliplint_rules._proxies import (
    ProxyTable,
    check_upstream,
    host_problem,
    ipv4_value,
    private_address,
    resolve,
)

HEADER = "<!--1594857600000-->\n[Title](https://example.com/a/1)\n------\n\n"
BUILTIN = ProxyTable({})
CUSTOM = ProxyTable({
    "img.example.org": "imgproxy",
    "pics.example.net/thumbor": "thumbor",
    "127.0.0.1:8080": "weserv",
})


# -- recovery: (proxy URL, the upstream the proxy fetches) ----------------------------------

RECOVERED = [
    # weserv: the corpus shapes, then ssl:, //, an explicit scheme, decode-once, fragment
    ("https://images.weserv.nl?url=gdb.voanews.com/0100_w900.jpg",
     "http://gdb.voanews.com/0100_w900.jpg"),
    ("https://images.weserv.nl/?url=static.dw.com/image/53985946_303.jpg",
     "http://static.dw.com/image/53985946_303.jpg"),
    ("https://wsrv.nl/?url=ssl:example.com/a.jpg&w=300", "https://example.com/a.jpg"),
    ("https://wsrv.nl/?url=SSL:example.com/a.jpg", "https://example.com/a.jpg"),
    ("https://images.weserv.nl/?url=//example.com/a.jpg", "https://example.com/a.jpg"),
    ("https://images.weserv.nl/?url=/example.com/a.jpg", "http://example.com/a.jpg"),
    ("https://images.weserv.nl/?url=HTTPS://example.com/a.jpg", "https://example.com/a.jpg"),
    ("https://images.weserv.nl/?url=https%3A%2F%2Fexample.com%2Fa.php%3Fid%3D1%26s%3D2",
     "https://example.com/a.php?id=1&s=2"),
    # decoded once only: %2520 stays %20 for the upstream
    ("https://images.weserv.nl/?url=example.com/a%2520b.jpg", "http://example.com/a%20b.jpg"),
    ("https://images.weserv.nl/?url=example.com/a.jpg%23frag", "http://example.com/a.jpg"),
    ("https://images.weserv.nl/?url=example.com/a+b.jpg", "http://example.com/a+b.jpg"),
    ("https://images.weserv.nl/?url=example.com", "http://example.com/"),
    ("https://images.weserv.nl/?w=10&URL=example.com/a.jpg&url=other.com/b.jpg",
     "http://example.com/a.jpg"),
    ("https://images.weserv.nl/?url=example.com/a.jpg&amp;w=300", "http://example.com/a.jpg"),
    ("https://images.weserv.nl/?url=example.com/%E5%9B%BE.jpg", "http://example.com/%E5%9B%BE.jpg"),
    ("https://images.weserv.nl/?url=example.com/图.jpg", "http://example.com/%E5%9B%BE.jpg"),
    # Photon
    ("https://i0.wp.com/example.com/wp/a.jpg?w=640&ssl=1", "https://example.com/wp/a.jpg"),
    ("https://i2.wp.com/example.org/b.png?resize=300%2C200", "http://example.org/b.png"),
    # camo: hex path, url= query
    ("https://camo.githubusercontent.com/0123456789abcdef0123456789abcdef01234567/"
     "68747470733a2f2f6578616d706c652e636f6d2f612e706e67", "https://example.com/a.png"),
    ("https://camo.githubusercontent.com/0123?url=https%3A%2F%2Fexample.com%2Fb.png",
     "https://example.com/b.png"),
    # DuckDuckGo: decoded, and again when still encoded
    ("https://external-content.duckduckgo.com/iu/?u=https%3A%2F%2Fexample.com%2Fa.jpg&f=1",
     "https://example.com/a.jpg"),
    ("https://proxy.duckduckgo.com/iur/?f=1&u=https%253A%252F%252Fexample.com%252Fb.jpg",
     "https://example.com/b.jpg"),
    # Google gadgets (encoded and raw) and the Gmail /proxy/ form with the original after #
    ("https://images1-focus-opensocial.googleusercontent.com/gadgets/proxy"
     "?url=http%3A%2F%2Fexample.com%2Fa.jpg&container=focus", "http://example.com/a.jpg"),
    ("https://images2-focus-opensocial.googleusercontent.com/gadgets/proxy"
     "?container=focus&url=http://example.com/b.jpg&amp;container=focus", "http://example.com/b.jpg"),
    ("https://ci3.googleusercontent.com/proxy/AVvXsEh3kT9#https://example.com/c.png",
     "https://example.com/c.png"),
    ("https://lh3.googleusercontent.com/proxy/ZyX9#http://example.org/d.gif",
     "http://example.org/d.gif"),
    # pimg, xuehuaimg
    ("https://imageproxy.pimg.tw/resize?url=https://example.com/a.jpg&width=300",
     "https://example.com/a.jpg"),
    ("https://imageproxy.pimg.tw/zoomcrop?url=http%3A%2F%2Fexample.com%2Fb.jpg&width=1",
     "http://example.com/b.jpg"),
    ("https://pic1.xuehuaimg.com/proxy/https://example.com/a.jpg", "https://example.com/a.jpg"),
    ("https://pic.xuehuaimg.com/proxy/weibo/wx1.example.cn/b.jpg?x=1&y=2",
     "http://wx1.example.cn/b.jpg?x=1&y=2"),
    # thumbor: options stripped; no scheme means http://; encoded image decoded once
    ("https://thumbor.ftacademy.cn/unsafe/700x0/https://d6c748xw2pzm8.cloudfront.net/p/a.png",
     "https://d6c748xw2pzm8.cloudfront.net/p/a.png"),
    ("https://thumbor.ftacademy.cn/unsafe/trim/10x10:90x90/adaptive-full-fit-in/-300x-200/"
     "right/bottom/smart/filters:quality(80):fill(blue)/example.com/a.jpg",
     "http://example.com/a.jpg"),
    ("https://pics.example.net/thumbor/0123456789abcdefghijklmnopqr=/meta/"
     "http%3A%2F%2Fexample.com%2Fb.jpg", "http://example.com/b.jpg"),
    ("https://pics.example.net/thumbor/unsafe/orig x0/example.com/c.jpg".replace(" ", ""),
     "http://example.com/c.jpg"),
    # imgproxy: plain (with @ext), base64url (split by /, with .ext)
    ("https://img.example.org/insecure/rs:fill:300:200/plain/https://example.com/a.jpg@webp",
     "https://example.com/a.jpg"),
    ("https://img.example.org/insecure/plain/http%3A%2F%2Fexample.com%2Fa%20b.jpg",
     "http://example.com/a b.jpg"),
    ("https://img.example.org/sig/w:300/aHR0cHM6Ly9leGFtcGxlLmNvbS9iLnBuZw.png",
     "https://example.com/b.png"),
    ("https://img.example.org/_/aHR0cDovL2V4YW1w/bGUub3JnL2ltYWdlcy9jLmpwZz9zaXplPTI",
     "http://example.org/images/c.jpg?size=2"),
    # the others of table A
    ("https://image.baidu.com/search/down?url=https://example.com/a.jpg",
     "https://example.com/a.jpg"),
    ("https://fly.webp.se/?url=example.com/b.jpg", "http://example.com/b.jpg"),
    ("https://nimg.ws.126.net/?url=http://d.ws.126.net/c.jpg&thumbnail=660x2147483647&quality=80",
     "http://d.ws.126.net/c.jpg"),
    ("https://cdn.statically.io/img/example.com/w=300,h=200/d.jpg", "https://example.com/d.jpg"),
    ("https://cdn.statically.io/img/example.com/d.jpg", "https://example.com/d.jpg"),
    ("https://cors.netnr.workers.dev/https://example.com/e.jpg?v=2", "https://example.com/e.jpg?v=2"),
    # a custom weserv-compatible proxy on a host:port
    ("http://127.0.0.1:8080/?url=example.com/f.jpg", "http://example.com/f.jpg"),
]


@pytest.mark.parametrize(("url", "upstream"), RECOVERED)
def test_upstream_is_recovered_as_the_proxy_does(url: str, upstream: str) -> None:
    resolution = resolve(url, CUSTOM)
    assert resolution is not None
    assert resolution.failure is None, resolution.failure
    assert resolution.upstream == upstream
    assert len(resolution.hops) == 1


FAILURES = [
    ("https://images.weserv.nl/?url=", "empty"),
    ("https://images.weserv.nl/?url=%20", "empty"),
    ("https://images.weserv.nl/", "empty"),
    ("https://images.weserv.nl/?url=ssl:", "empty"),
    ("https://images.weserv.nl/?url=a.b", "undecodable"),  # too short: weserv answers 400
    ("https://images.weserv.nl/?url=example.com/%C3%28.jpg", "undecodable"),
    ("https://i0.wp.com/", "empty"),
    ("https://camo.githubusercontent.com/0123/abc", "undecodable"),  # odd hex, not base64 of a URL
    ("https://camo.githubusercontent.com/0123/c0ff", "undecodable"),  # hex, not UTF-8
    ("https://camo.githubusercontent.com/0123", "empty"),
    ("https://external-content.duckduckgo.com/iu/?u=", "empty"),
    ("https://images1-focus-opensocial.googleusercontent.com/gadgets/proxy?container=focus",
     "empty"),
    ("https://lh3.googleusercontent.com/proxy/AVvXsEhOpaque", "opaque"),
    ("https://imageproxy.pimg.tw/resize?width=3", "empty"),
    ("https://pic1.xuehuaimg.com/proxy/", "empty"),
    ("https://thumbor.ftacademy.cn/unsafe/300x200/", "empty"),
    ("https://thumbor.ftacademy.cn/unsafe/picture/5/000097075_piclink.jpg", "opaque"),
    ("https://img.example.org/insecure/enc/AbCdEf", "opaque"),
    ("https://img.example.org/insecure/czM6Ly9idWNrZXQva2V5LnBuZw", "opaque"),  # s3://
    ("https://img.example.org/insecure/w:300/", "empty"),
    ("https://img.example.org/insecure/w:300/!!!", "undecodable"),
    ("https://cdn.statically.io/img/", "empty"),
    ("https://cors.netnr.workers.dev/example.com/a.jpg", "not-http"),
    # truncated: an unencoded '&' or '?' cuts the upstream
    ("https://images.weserv.nl/?url=example.com/a.php?id=1&lang=en", "truncated"),
    ("https://images.weserv.nl/?url=example.com/a.php?id=1&amp;amp;lang=en", "truncated"),
    ("https://images.weserv.nl/?url=y.com/watch?v=Rr&t=2s~/zhongwen/simp/n-534", "truncated"),
    ("https://images1-focus-opensocial.googleusercontent.com/gadgets/proxy"
     "?url=http://example.com/a.php?a=1&b=2&container=focus", "truncated"),
    ("https://thumbor.ftacademy.cn/unsafe/https://example.com/a.jpg?sig=1", "truncated"),
    ("https://img.example.org/insecure/plain/https://example.com/a.php?id=1", "truncated"),
    ("https://i0.wp.com/example.com/a.php?id=7", "truncated"),
    ("https://imageproxy.pimg.tw/resize?url=https://example.com/a?b=1&c=2", "truncated"),
    # bad hosts and private addresses
    ("https://images.weserv.nl/?url=intranet/a.jpg", "bad-host"),
    ("https://images.weserv.nl/?url=ftp://example.com/a.jpg", "bad-host"),  # http://ftp://...
    ("https://images.weserv.nl/?url=" + "a" * 64 + ".com/a.jpg", "bad-host"),
    ("https://i0.wp.com/ex..com/a.jpg", "bad-host"),
    ("https://images.weserv.nl/?url=127.0.0.1/a.jpg", "private"),
    ("https://images.weserv.nl/?url=0x7f.1/a.jpg", "private"),
    ("https://images.weserv.nl/?url=ssl:10.1.2.3/a.jpg", "private"),
    ("https://images.weserv.nl/?url=[fe80::1]/a.jpg", "private"),
    ("https://images.weserv.nl/?url=localhost/a.jpg", "private"),
    ("https://images.weserv.nl/?url=img.localhost/a.jpg", "private"),
    ("https://i0.wp.com/192.168.0.1/a.jpg", "private"),
    ("https://camo.githubusercontent.com/0123/"
     + b"http://169.254.169.254/latest".hex(), "private"),
]


@pytest.mark.parametrize(("url", "kind"), FAILURES)
def test_failures_are_named(url: str, kind: str) -> None:
    resolution = resolve(url, CUSTOM)
    assert resolution is not None
    assert resolution.failure is not None, resolution.upstream
    assert resolution.failure.kind == kind, resolution.failure


@pytest.mark.parametrize("url", ["https://images.weserv.nl/?url=example.com/a\ud83d.jpg",
                                 "https://i0.wp.com/example.com/\udcff.jpg",
                                 "https://camo.githubusercontent.com/0123/\ud800"])
def test_a_lone_surrogate_in_the_url_is_undecodable(url: str) -> None:
    # (text from a JSON feed can hold one: lint_text must not crash on it)
    resolution = resolve(url, CUSTOM)
    assert resolution is not None and resolution.failure is not None
    assert resolution.failure.kind == "undecodable"
    assert "lone surrogate" in resolution.failure.detail
    # The library says so of the whole text, as of a file that is not UTF-8 (the rules
    # that quote what they find could not write it: tests/test_library.py).
    [problem] = lint_text(HEADER + f'<p><img src="{url}"></p>\n')
    assert problem.rule == "file-unreadable" and "lone surrogate" in problem.message


@pytest.mark.parametrize("url", [
    "https://example.com/a.jpg",
    "/relative/a.jpg",
    "data:image/gif;base64,R0lGOD",
    "https://lh3.googleusercontent.com/a/photo.jpg",  # lh3 outside /proxy/ is not a proxy
    "https://duckduckgo.com/iu/?u=x",
    "https://image.baidu.com/other?url=x",
    "https://evil.example/images.weserv.nl/?url=",
    "https://images.weserv.nl.evil.example/?url=",
    "http://[bad/",
])
def test_not_a_proxy(url: str) -> None:
    assert resolve(url, CUSTOM) is None


def test_nested_chain_is_followed_to_the_innermost_upstream() -> None:
    url = ("https://external-content.duckduckgo.com/iu/?u=https%3A%2F%2Fimages.weserv.nl%2F"
           "%3Furl%3Di0.wp.com%252Fexample.com%252Fa.jpg%253Fssl%253D1&f=1")
    resolution = resolve(url, BUILTIN)
    assert resolution is not None and resolution.failure is None
    assert [hop.proxy for hop in resolution.hops] == [
        "external-content.duckduckgo.com", "images.weserv.nl", "i0.wp.com"]
    assert resolution.upstream == "https://example.com/a.jpg"
    assert resolution.chain == ("external-content.duckduckgo.com -> images.weserv.nl -> "
                                "i0.wp.com -> https://example.com/a.jpg")


def test_a_proxy_loop_stops_at_the_depth_limit() -> None:
    url = "https://images.weserv.nl/?url=" + "images.weserv.nl/?url=" * 10 + "example.com/a.jpg"
    resolution = resolve(url, BUILTIN)
    assert resolution is not None and resolution.failure is not None
    assert resolution.failure.kind == "undecodable"
    assert "more than 5 proxies" in resolution.failure.detail


def test_custom_prefix_and_port_are_matched_exactly() -> None:
    table = ProxyTable({"127.0.0.1:8080": "weserv", "pics.example.net/a/b": "thumbor"})
    assert resolve("http://127.0.0.1:9090/?url=example.com/a.jpg", table) is None
    assert resolve("https://pics.example.net/a/bc/unsafe/example.com/a.jpg", table) is None
    found = resolve("https://pics.example.net/a/b/unsafe/example.com/a.jpg", table)
    assert found is not None and found.upstream == "http://example.com/a.jpg"
    assert found.hops[0].proxy == "pics.example.net/a/b"


# -- hosts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("host", "value"), [
    ("127.0.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f.0.0.1", "127.0.0.1"),
    ("0177.1", "127.0.0.1"), ("10.1", "10.0.0.1"), ("example.com", None), ("1.2.3.4.5", None),
    ("256.1.1.1", None), ("1.2.3.256", None),
])
def test_ipv4_is_read_as_browsers_do(host: str, value: str | None) -> None:
    address = ipv4_value(host)
    assert (str(address) if address else None) == value


@pytest.mark.parametrize(("host", "category"), [
    ("127.0.0.1", "loopback"), ("localhost", "loopback"), ("10.0.0.1", "private"),
    ("172.16.5.4", "private"), ("192.168.1.1", "private"), ("169.254.169.254", "link-local"),
    ("::1", "loopback"), ("fe80::1", "link-local"), ("::ffff:10.0.0.1", "private"),
    ("0.0.0.0", "unspecified"), ("8.8.8.8", None), ("example.com", None),
])
def test_private_addresses(host: str, category: str | None) -> None:
    assert private_address(host) == category


@pytest.mark.parametrize(("host", "valid"), [
    ("example.com", True), ("gdb.voanews.com", True), ("xn--fiqs8s.xn--fiqs8s", True),
    ("例子.中国", True), ("a_b.example.com", True), ("8.8.8.8", True), ("::1", True),
    ("", False), ("intranet", False), ("ex..com", False), ("-.com", False),
    ("example.c0m", False), ("a" * 64 + ".com", False), ("exa mple.com", False),
])
def test_host_names(host: str, valid: bool) -> None:
    assert (host_problem(host) is None) is valid


@pytest.mark.parametrize(("url", "kind"), [
    ("https://example.com/a.jpg", None),
    ("ftp://example.com/a.jpg", "not-http"),
    ("https:example.com/a.jpg", "not-http"),
    ("example.com/a.jpg", "not-http"),
    ("http://example.com:99999/a.jpg", "bad-host"),
    ("http://10.0.0.1/a.jpg", "private"),
])
def test_check_upstream(url: str, kind: str | None) -> None:
    failure = check_upstream(url)
    assert (failure.kind if failure else None) == kind


# -- attributes as written -----------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    "a.jpg?x=1&amp;y=2", "a.jpg?x=1&amp;amp;y=2", "&#x26;&#38;&#0;&#x110000;&#128;",
    "a?b=1&copy=2&copy;&notit;&ampx", "line\r\nbreak\rcr", "&unknown; &#; & x",
    "&AMP; &Amp; &lt &gt=", "a&#44;b,c",
])
def test_attribute_decoding_matches_html5lib(raw: str) -> None:
    fragment = html5lib.parseFragment(f'<img src="{raw}">', namespaceHTMLElements=False)
    expected = fragment.find("img").get("src")
    decoded, origin = decode_attribute(raw)
    assert decoded == expected
    assert len(origin) == len(decoded) + 1 and origin[-1] == len(raw)
    assert origin == sorted(origin)


@pytest.mark.parametrize(("value", "urls"), [
    ("a.jpg 1x, b.jpg 2x", ["a.jpg", "b.jpg"]),
    ("a.jpg, b.jpg", ["a.jpg", "b.jpg"]),
    ("a.jpg,b.jpg", ["a.jpg,b.jpg"]),  # HTML: a URL runs to whitespace unless a comma ends it
    (" a.jpg 100w (x, y), b.jpg", ["a.jpg", "b.jpg"]),
    ("https://x.com/a,b.jpg 1x", ["https://x.com/a,b.jpg"]),
    (",,a.jpg,, ,b.jpg", ["a.jpg", "b.jpg"]),
    ("", []),
])
def test_srcset_candidates(value: str, urls: list[str]) -> None:
    assert [value[start:end] for start, end in srcset_urls(value)] == urls


def test_urls_point_at_their_source_text() -> None:
    body = ('<p>x</p><IMG alt=a SRC = "https://images.weserv.nl/?url=e.com/a.jpg&amp;w=3"\r\n'
            "data-srcset='https://wsrv.nl/?url=e.com/b.jpg&#38;w=4 1x,  https://e.com/c.jpg 2x'"
            " data-original=https://i0.wp.com/e.com/d.jpg>")
    document = Document.from_text(HEADER + body + "\n")
    found = list(image_urls(document))
    assert [item.url for item in found if not isinstance(item, EmptySrc)] == [
        "https://images.weserv.nl/?url=e.com/a.jpg&w=3",
        "https://wsrv.nl/?url=e.com/b.jpg&w=4",
        "https://e.com/c.jpg",
        "https://i0.wp.com/e.com/d.jpg",
    ]
    sources = [document.text[item.start:item.end] for item in found]
    assert sources == [
        "https://images.weserv.nl/?url=e.com/a.jpg&amp;w=3",
        "https://wsrv.nl/?url=e.com/b.jpg&#38;w=4",
        "https://e.com/c.jpg",
        "https://i0.wp.com/e.com/d.jpg",
    ]


@pytest.mark.parametrize(("tag", "pointed_at"), [
    ("<img src >", "src"), ("<img SRC\n/>", "SRC"), ('<img src="" >', 'src=""'),
    ("<img src=''\talt=x>", "src=''")])
def test_an_empty_src_is_pointed_at_without_the_spaces_after_it(tag: str, pointed_at: str) -> None:
    problems = lint_text(HEADER + tag + "\n", select=["image-proxy"])
    assert [(p.message, (HEADER + tag)[p.start:p.end]) for p in problems] == [
        ("empty src: the image has no URL", pointed_at)]


def test_duplicate_attributes_the_first_wins() -> None:
    body = '<img src="" src="https://images.weserv.nl/?url=">'
    problems = lint_text(HEADER + body + "\n", select=["image-proxy"])
    assert [p.message for p in problems] == ["empty src: the image has no URL"]


# -- severities and the fix ----------------------------------------------------------------


def _lint(body: str, config: dict | None = None) -> list:
    return lint_text(HEADER + body + "\n", config=config, select=["image-proxy"])


SEVERITY_SAMPLE = (
    '<img src="https://images.weserv.nl/?url=">'
    '<img src="https://images.weserv.nl/?url=i0.wp.com/example.com/a.jpg&amp;w=600">'
    '<img src="https://thumbor.ftacademy.cn/unsafe/1340x754/'
    'https://thumbor.ftacademy.cn/unsafe/picture/5/000097075_piclink.jpg">'
    '<img src="https://lh3.googleusercontent.com/proxy/AVvXsEh">'
)


def test_severities_follow_the_declared_findings() -> None:
    from cliplint_rules import image_proxy

    problems = _lint(SEVERITY_SAMPLE, {"rules": {"image-proxy": {"report-opaque": True}}})
    found = [(p.severity, p.message.split(":")[0]) for p in problems]
    assert found == [
        ("error", "no upstream on images.weserv.nl"),
        ("warning", "nested image proxies"),
        ("info", "nested image proxies"),
        ("info", "opaque image proxy"),
    ]
    kinds = ["lost", "nested", "nested-opaque", "opaque"]
    assert [image_proxy.FINDINGS[kind].severity for kind in kinds] == [s for s, _ in found]


def test_opaque_findings_are_off_by_default() -> None:
    """Nothing removes them, and they are not defects: only the broken and the nested
    ones a fix removes are reported unless report-opaque asks for the rest."""
    assert [p.severity for p in _lint(SEVERITY_SAMPLE)] == ["error", "warning"]


def test_the_fix_of_a_nested_warning_makes_it_go() -> None:
    body = '<img src="https://images.weserv.nl/?url=i0.wp.com/example.com/a.jpg&amp;w=600">'
    (problem,) = _lint(body)
    assert problem.severity == "warning" and problem.fix is not None
    result = fix_text(HEADER + body + "\n", select=["image-proxy"], unsafe=True)
    assert result.text == HEADER + '<img src="https://i0.wp.com/example.com/a.jpg">\n'
    assert _lint(result.text[len(HEADER):].rstrip("\n")) == []


def test_configured_severity_wins() -> None:
    problems = _lint('<img src="https://lh3.googleusercontent.com/proxy/AVvXsEh">'
                     '<img src="https://images.weserv.nl/?url=">',
                     {"severity": {"image-proxy": "warning"},
                      "rules": {"image-proxy": {"report-opaque": True}}})
    assert [p.severity for p in problems] == ["warning", "warning"]


def test_nested_fix_unwraps_to_one_level_and_is_unsafe() -> None:
    body = ('<img src="https://thumbor.ftacademy.cn/unsafe/1340x754/'
            'https://thumbor.ftacademy.cn/unsafe/picture/5/000097075_piclink.jpg">'
            "<img srcset='https://images.weserv.nl/?url=i0.wp.com/e.com/a.jpg&amp;w=600 1x, "
            "https://e.com/b.jpg 2x'>")
    opaque = {"rules": {"image-proxy": {"report-opaque": True}}}
    problems = _lint(body, opaque)
    assert [p.fix.applicability for p in problems] == ["unsafe", "unsafe"]
    assert fix_text(HEADER + body + "\n", select=["image-proxy"]).text == HEADER + body + "\n"
    result = fix_text(HEADER + body + "\n", select=["image-proxy"], unsafe=True, config=opaque)
    assert result.text == HEADER + (
        '<img src="https://thumbor.ftacademy.cn/unsafe/picture/5/000097075_piclink.jpg">'
        # weserv fetched i0.wp.com over http (no scheme given); Photon serves https.
        "<img srcset='https://i0.wp.com/e.com/a.jpg 1x, https://e.com/b.jpg 2x'>"
    ) + "\n"
    # What is left: the thumbor loader path, opaque offline.
    assert [p.message.split(":")[0] for p in _lint(result.text[len(HEADER):], opaque)] == [
        "opaque image proxy"]


def test_fix_escapes_for_the_attribute() -> None:
    body = ('<img src="https://external-content.duckduckgo.com/iu/?u='
            'https%3A%2F%2Fimages.weserv.nl%2F%3Furl%3De.com%2Fa.jpg%26w%3D3&amp;f=1">')
    result = fix_text(HEADER + body + "\n", select=["image-proxy"], unsafe=True)
    assert '<img src="https://images.weserv.nl/?url=e.com/a.jpg&amp;w=3">' in result.text


def test_no_fix_when_the_chain_is_broken() -> None:
    problems = _lint('<img src="https://images.weserv.nl/?url=images.weserv.nl/?url=">')
    assert len(problems) == 1 and problems[0].fix is None
    assert problems[0].message.startswith("no upstream on images.weserv.nl -> images.weserv.nl")


def test_custom_proxies_are_validated_like_all_config() -> None:
    from cliplint.config import ConfigError

    with pytest.raises(ConfigError, match="proxies"):
        _lint("<p>x</p>", {"rules": {"image-proxy": {"proxies": {"img.example.org": "nginx"}}}})
    with pytest.raises(ConfigError, match="proxies"):
        _lint("<p>x</p>", {"rules": {"image-proxy": {"proxies": {"http://x.org": "weserv"}}}})
    problems = _lint('<img src="https://img.example.org/x/plain/">',
                     {"rules": {"image-proxy": {"proxies": {"img.example.org": "imgproxy"}}}})
    assert [p.message for p in problems] == [
        "no upstream on img.example.org: there is nothing after /plain/"]


def test_corpus_shapes_pass() -> None:
    body = ('<div><i>Wed, 14 Jun 2023 21:03:30 GMT</i></div><img src="https://images.weserv.nl'
            '?url=gdb.voanews.com/01000000-0a00-0242-91d3-08db6d0aa660_r1_s_w900.jpg" width="100%">'
            '<img src="https://images.weserv.nl/?url=static.dw.com/image/53985946_303.jpg">')
    assert _lint(body) == []


#: Images on a proxy and on none, written in the ways image_urls reads differently.
MIXED_IMAGES = (
    '<img src="https://e.com/plain.jpg"><img src="">'
    '<img src=" " data-src="https://images.weserv.nl/?url=e.com/lazy.jpg">'
    '<img src="https://images.weserv.nl/?url=images.weserv.nl/%3Furl%3De.com/n.jpg">'
    "<img srcset='https://e.com/a.jpg 1x, https://i0.wp.com/e.com/b.jpg 2x'>"
    '<img SRC="https://images.weserv.nl/?url=e.com/a.jpg&amp;w=3" src="https://e.com/x.jpg">'
    '<img src="https://images.weserv.nl/?url=10.0.0.1/x.jpg\r\n">'
    '<img src="&#104;ttps://wsrv.nl/?url=">'
    '<picture><source srcset="https://wsrv.nl/?url=e.com/p.jpg, https://e.com/q.jpg 2x">'
    '<img src="https://e.com/r.jpg"></picture><img data-srcset=",,">'
    # On a proxy only as the second srcset candidate, the second attribute, or once trimmed.
    "<img srcset='https://e.com/a.jpg 1x, https://i0.wp.com/ 2x'>"
    '<img src="https://e.com/a.jpg" data-src="https://wsrv.nl/?url=">'
    '<img src=" https://wsrv.nl/?url= ">'
)


def test_images_on_no_proxy_change_nothing_when_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from cliplint_rules import _images

    text = HEADER + MIXED_IMAGES + "\n"
    config = {"rules": {"image-proxy": {"report-opaque": True}}}
    shortcut = lint_text(text, config=config, select=["image-proxy"])
    assert len(shortcut) >= 4
    monkeypatch.setattr(_images, "_may_be_wanted", lambda *args: True)
    assert lint_text(text, config=config, select=["image-proxy"]) == shortcut


def test_images_on_no_proxy_are_not_located() -> None:
    from cliplint_rules import image_proxy

    document = Document.from_text(HEADER + '<img src="https://e.com/a.jpg">'
                                  '<img src="https://wsrv.nl/?url=e.com/b.jpg">\n')
    assert list(image_proxy.check(document, {})) == []
    plain, proxied = [token for token in document.body.tokens if token.name == "img"]
    assert (plain.start, plain.end) not in document.body._attributes
    assert (proxied.start, proxied.end) in document.body._attributes
