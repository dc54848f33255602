"""cliplint.html_parse's faster tokenizer states must read exactly what html5lib's own states read.

Every state ``_SpanTokenizer`` overrides is compared with html5lib's: the same body is parsed
with the overrides and again with html5lib's states put back, and everything ``parse_body``
returns must agree (tokens and their spans, errors, the tree, which start tag made which
element, the visible text).
"""

from __future__ import annotations

import random
import xml.etree.ElementTree as ElementTree
from typing import Any

import html5lib
import pytest
from conftest import traced_lines
from html5lib import _tokenizer
from hypothesis import given, settings, strategies as st

from cliplint import html, html_parse

#: The tokenizer states cliplint overrides (each must behave as html5lib's).
OVERRIDDEN_STATES = sorted(
    name for name in vars(html_parse._SpanTokenizer)
    if name.endswith("State") and hasattr(_tokenizer.HTMLTokenizer, name)
)

TRICKY = [
    "", "x", " ", "<p>a</p>\n<p>b</p>", "a\r\nb<p>x\r\ny</p>\rz\r\n<b>",
    # unterminated at the end of input
    "<", "<b", "x<b", "<ab", '<a href="x', "<a href='x", "<a href=x", "<a href", "<a href=", "<a ",
    "<a /", "</", "</b", "</b ", "<!", "<!--", "<a b='x'",
    # a lone surrogate at the end makes html5lib read a second chunk
    "<b\ud800", "<ab\ud800", "<a b\ud800", '<a b="\ud800', "<a b=\ud800", "</b\ud800", "x<\ud800",
    "<a b='x'\ud800", "x\ud800", "<p>\ud800",
    # NUL and invalid code points
    "a\x00b<p\x00q x\x00=y\x00>\x00</p\x00>", "<a b=\"x\x00y\">", "<a b\x00=c>", "<a b=c\x00>", "<a\x00>",
    "\x01\x0b\x7f\ufdd0\ufffe\U0001fffe x", "<\x00>",
    # case, odd names, odd tag ends
    "<DIV CLASS=X>Y</DIV><P>a<B>b</B></P><Br/>", "<A HREF=X>Y</A>", "<aÄb c>", "<a<b>", "a</>b", "</>",
    "<A\u212a B\u212a=x İD=y>z</A\u212a>",  # non-ASCII letters str.lower would change
    "<//>", "</ >", "</1>", "< p>", "<1>", "<?xml x?>", "<p/>", "</p/>", "<a/b>", "<a / >", "<br/ >",
    "<img src=x/>", "<a b/>", "<a b='x'/>",
    # attributes: without values, duplicates, spacing, quoting, entities, errors
    "<input disabled checked><a b c=d e>", '<a x=1 x=2 X=3 y="1" y=\'2\'>t</a>', "<a B=1 b=2>",
    "<a x =  1  y\t=\n'2'   z>q</a>", "<a\tb\nc\x0cd>", "<a\x0cb\x0c=\x0cc\x0c>", "<a b c=\"\" d='' e=f g = h>",
    "<a \"x\"=y 'z'=w =v <=q>", "<a b=\"x\"c=d>", "<a b=`x`>", "<a b=x`y>", "<a b=x=y>", "<a b==c>",
    "<a b='x\"y'>", "<a \"b\">", "<a <b>", "<a =b>", "<a b= >", "<a b=>",
    "<a href='?a=1&b=2&amp;c'>", "<a title=&quot;x&quot>", "<a b=\"&notit;\">", "<A B='&amp;' C=\"&\" D=&lt E>",
    "</p a=b>", "</p a=b a=c>", "</p/>",
    # duplicates on html5lib's own attribute states (off the fast path: '&', an error, EOF)
    "<a x=1 y=2 X=&amp; z x y=3 Z>", "<a x y z y\tx=1 /z x>", "<a x=& y x", "<a x y x",
    "<a x y x=", "<a x=& y x/", "<a x=& Y\x00 y\x00 y\x00>", "<a x=& a\"b a\"b c<d c<d>",
    "<a x=& y x=1 y=2 q\ud800", "<p b=& " + " ".join(f"a{i % 7}" for i in range(40)) + ">",
    "</p x=& x x>",
    # content models the parser switches the tokenizer into
    "<script>var a = '<b>'; if (a<b && c>d) {} </scr</script>x", "<script><!-- <script> --></script>",
    "<script>x", "<script/>x</script>", "<style>a{}</style>", "<textarea>a<b>&amp;c</textarea>",
    "<textarea/>x", "<title a=b>t &amp; <b></title>", "<xmp><b></xmp>", "<plaintext><b>x",
    "<noscript><b>x</b></noscript>y", "<template><b>x</b></template>y",
    "<svg><path d='x'/><A xLink:Href=x/><![CDATA[x<y]]></svg>", "<math><mi>x</mi></math>",
    # the main loop's choice of phase in foreign content
    "<math><annotation-xml><svg><p>x</svg>", "<math><mi><mglyph><b>x</b>",
    "<svg><desc><b></desc><desc> ",
    # comments, doctypes, entities in text
    "<!DOCTYPE html>", "<!--a--!>b", "x<!-- c -->y<!--z-->w", "&amp; &lt &notin; &#65; &#x41; &#0; & &#;",
    # tree construction
    "<p>a<div>b</p>c</div>", "<b><i>x</b></i>" * 5, "<table>x<tr><td>y</table>", "<li>a<li>b",
    "<a><p><a>x</a></p></a>", "<div>" * 300 + "x", "<p>" * 300,
    # an element open, but out of scope (a boundary above it) or right at the top
    "<p>a<table><tr><td>b<p>c</p></td></tr></table>d</p>", "<p>a<button><p>b</p></button>c</p>",
    "<li>a<ul><li>b</li></ul>c</li>", "<dd>a<div><dt>b</dt></div>c", "<p>a<object><p>b</object>c",
    "<h1>a<marquee><h2>b</h1></marquee>", "<p>a</p></p><p>b<p>c",
    "<p><svg><font>a</p>b", "<svg><title><p>a</p></title></svg>", "<math><mi><p>x</p></mi></math>",
    "<form><svg><form></form>x</form>", "<li><svg><li>a</li></svg>b</li>",
    # formatting elements closed with others still open or active: "<b>", closed by
    # </p>, stays in the list of active formatting elements
    "<b><p><b></p></b>x", "<b><p><i></p></b>x", "<b><table><td><b>x</b></td></table></b>",
    # end tags that match no open element, or one under others; formatting elements
    "<span><i>x</b></x></span>", "<p><span>a</q></div></p></p>", "<b>" * 50 + "</i>" * 5 + "x",
    "<table><tr><td>a</x></b></td></tr></q></table>", "<svg><g>a</x></g></svg></svg>",
    "<ul><li>a</x><li>b</ul></li>", "<select><option>a</x></option></select></x>",
    "<b><i><u>x</b>y</i>z</u></s>", "<a href=x><div>y</a>z</div></a>", "<span>" * 40 + "</x>" * 40,
    "<span><div>a</span>b</div></span>", "<x-y><ul><li>a</x-y>b</ul></x-y>",
    "<font><b><i><b><font>" * 8 + "x</font></b>" * 4, "<table><b>x</b></x></table>",
    "<textarea>x</x></textarea></textarea>", "<frameset></x>", "<caption></x>", "</br></p>",
    # <template> (html5lib 1.1 has no rules for it: cliplint adds the standard's), its
    # insertion modes, its marker, its scope, its end tag and the end of input inside it
    "<template><p>x</template><p>y</p>", "<template><b>x</template>y", "<p><b>x</p><template>y</template>z",
    "<table><template><tr><td>x</td></tr></template></table>", "<template><td>x</td></template>",
    "<template><caption>c<thead><tr><th>h<tbody><td>d</template>", "<template><col>x<div></colgroup>",
    "<template><tr>x<div>y</div></tr>", "<table><tr><template><td>a</table>b", "<template><template><table>",
    "<table><colgroup><template><table>", "<table><colgroup><template><col>", "<select><template><option>a",
    "<table><tr><td><select><template>x</template><caption>y</table>", "<template><table><td><table>",
    "<form><template><form>x</form></template></form>", "<li>a<template><li>b</template><li>c",
    "<p><template><p>x</p></template>y</p>", "<div><template></div>x</template></div>", "</template><b>",
    "<template><svg><template><p>x</template>", "<math><mi><template><b>x</b></template></mi></math>",
    "<template><textarea><p></textarea><title><b></title><script>x<y</script><plaintext><b>",
    "<p>" + "<template>" * 50 + "x", "<template>" + "<td>" * 3 + "<tr>" * 3 + "</template>",
    "<template><a><table><a>", "<dummy><template><span></dummy>", "<template><frame></frameset>",
    # text of many tokens in one node (gathered, then joined: before each tag, comment
    # and doctype, and at the end of input), next to what moves or reads a node's text
    "a < b < c &amp; d", "x</>y</>z", "<p>a&amp;b&lt;c</p>d&amp;e f", "<b>x &amp; y<i>y z</b>z &lt; w</i>v",
    "<table>a &amp; b<tr>c d</table>e &amp; f", "<table> \n <tr> \t </tr> </table>", "<table>a &amp; b",
    "a\x00b\x00c &amp; d", "<select>a&amp;b < c", "<template>a&amp;b < c", "<svg>a&amp;b<desc>c &amp; d",
    "<p>a &amp; b<!--c-->d &amp; e</q>f &amp; g", "<a>x &amp; y<div>z &amp; w</a>v &amp; u",
    "<pre>\n\na &amp; b</pre>", "<textarea>\na &amp; b</textarea>", "a &amp; b<!DOCTYPE html>c &amp; d",
    "<b>a &amp; b<p>c &amp; d</b>e &amp; f", "<table><b>a &amp; b</b>c &amp; d</table>",
]


def _tags(rng: random.Random) -> str:
    """A run of tags, most of them well formed, some with the errors html5lib reports."""
    spaces = [" ", "  ", "\n", "\t", "\x0c", "\r\n", ""]
    pieces = []
    for _ in range(rng.randint(1, 12)):
        tag = "<" + rng.choice(["", "", "/"]) + rng.choice(
            ["a", "A", "p", "DiV", "img", "br", "span", "x-y", "h1", "template", "td", "a\x00b", "a<b",
             "1", "!", ""])
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            tag += rng.choice([" ", "\n", "\t", "/", "", '"x"'])
            tag += rng.choice(["href", "HREF", "src", "data-x", "a=", '"q', "<q", "=q", "\x00", "é", "`"])
            if rng.random() < 0.7:
                value = rng.choice(["v", "http://x/?a=1", "", "a b", "&amp;", "x&y", "\x00", "a'b", 'a"b',
                                    "<", "=", "`", "x/"])
                quote = rng.choice(['"', "'", ""])
                tag += rng.choice(spaces) + "=" + rng.choice(spaces) + quote + value
                tag += quote if rng.random() < 0.95 else ""
        tag += rng.choice(spaces) + rng.choice([">", ">", "/>", "", "/ >", "x>"])
        pieces.append(tag if rng.random() < 0.8 else rng.choice(["text", "&amp;", "<!--c-->", "\ud800"]))
    return "".join(pieces)


RANDOM = [_tags(random.Random(seed)) for seed in range(400)]


def _result(body: str) -> tuple[Any, ...]:
    prefix = "X\r\n"  # offsets are into the whole document, after a CRLF
    source = prefix + body + "<tail>"
    view = html_parse.parse_body(source, len(prefix), len(prefix) + len(body))
    order = {id(element): index for index, element in enumerate(view.fragment.iter())}
    shape = [
        (element.tag if isinstance(element.tag, str) else "comment", dict(element.attrib),
         element.text, element.tail, len(element))
        for element in view.fragment.iter()
    ]
    return (
        view.tokens,
        [(e.code, dict(e.datavars), e.offset, e.start, e.end, e.token) for e in view.errors],
        # (-1: an element html5lib made and dropped: the first it makes for a start tag
        # in a table that is not foster-parented, <table><a><xmp>)
        sorted((order.get(id(element), -1), index) for element, index in view.start_tags.items()),
        shape,
        ElementTree.tostring(view.fragment),
        view.visible_text,
        "".join(html.iter_visible_text(view.fragment)),
    )


@pytest.fixture
def html5lib_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put html5lib's own code back in place of cliplint's shortcuts: the tokenizer
    states, the "in body" phase, the main loop, the scope check, inserting text, the
    implied end tags, inserting an element, membership in the open elements and the
    elements' names. (The template rules cliplint adds stay: html5lib 1.1 has none.
    They are html5lib's phases and scope walk with the standard's template rules.)"""
    _put_html5lib_back(monkeypatch)


def _put_html5lib_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """See ``html5lib_own``."""
    for name in OVERRIDDEN_STATES:
        monkeypatch.setattr(html_parse._SpanTokenizer, name, getattr(_tokenizer.HTMLTokenizer, name))
    monkeypatch.setattr(html_parse._SpanParser, "phase_classes", html_parse._TEMPLATE_PHASES)
    # (a new parser for the test: the one kept for reuse has cliplint's "in body" phase)
    monkeypatch.setattr(html_parse._PARSERS, "parser", None, raising=False)
    monkeypatch.setattr(html_parse._SpanParser, "mainLoop", html5lib.HTMLParser.mainLoop)
    monkeypatch.setattr(html_parse._SpanTreeBuilder, "elementInScope",
                        html_parse._TemplateTreeBuilder.elementInScope)
    monkeypatch.setattr(html_parse._SpanTreeBuilder, "insertText",
                        html_parse._EtreeBuilder.insertText)
    monkeypatch.setattr(html_parse._SpanTreeBuilder, "generateImpliedEndTags",
                        html_parse._EtreeBuilder.generateImpliedEndTags)
    monkeypatch.setattr(html_parse._SpanTreeBuilder, "insertElementNormal",
                        lambda tree, token: tree._remember(
                            html_parse._EtreeBuilder.insertElementNormal(tree, token), token))
    monkeypatch.setattr(html_parse._OpenElements, "__contains__", list.__contains__)
    for name in ("name", "namespace", "__init__"):  # html5lib's properties again
        monkeypatch.delattr(html_parse._Element, name)


@pytest.fixture(scope="module")
def with_overrides() -> dict[str, tuple[Any, ...]]:
    return {body: _result(body) for body in TRICKY + RANDOM}


def test_states_are_overridden() -> None:
    assert "tagOpenState" in OVERRIDDEN_STATES


@pytest.mark.parametrize("cases", ["tricky", "random"])
def test_overrides_read_what_html5lib_reads(
    cases: str, with_overrides: dict[str, tuple[Any, ...]], html5lib_own: None
) -> None:
    for body in TRICKY if cases == "tricky" else RANDOM:
        assert _result(body) == with_overrides[body], repr(body)


#: Pieces of bodies for the batched reading of dataState: what it reads in a batch (text,
#: spaces, simple tags), what ends a batch before it (entities, NUL, comments, CDATA, tags
#: with errors or duplicate attributes, a tag cut off) and the start tags after which the
#: parser switches the tokenizer's state, with content that reads differently there.
_PIECES = [
    "x", "a b", " ", "\n", "\t \r\n", "\x0c", "&amp;", "&", "\x00", "<", ">", "</", "<!--c-->", "<!x>",
    "<p>", "</p>", "<b>", "</b>", "<br/>", "<P CLASS=x>", "<a href='y' id=\"z\">", "</a>", "<i>", "</i>",
    "<img src=a.jpg alt=''>", "<a x=1 x=2>", "</p x=1>", "</p/>", "<p/>", "<a b=&amp;>", "<div>", "</div>",
    "<table>", "<tr>", "<td>", "</table>", "<li>", "<select>", "<option>", "<pre>", "</pre>",
    "<title>", "</title>", "<textarea>", "</textarea>", "<style>", "</style>", "<xmp>", "</xmp>",
    "<iframe>", "</iframe>", "<noembed>", "</noembed>", "<noframes>", "</noframes>", "<noscript>",
    "</noscript>", "<script>", "</script>", "<plaintext>", "<template>", "</template>", "<template>",
    "</template>", "</td>", "</tr>", "<th>", "<tbody>", "<caption>", "<col>", "<colgroup>", "<form>",
    "</form>", "</select>",
    "<svg>", "</svg>", "<math>", "</math>", "<mi>", "<desc>", "<foreignObject>", "<annotation-xml>",
    "<![CDATA[x<b>]]>", "<script/>", "<TITLE>", "<!--", "-->", "\ud800",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25))
def test_batched_reading_is_html5lib_s(pieces: list[str]) -> None:
    """dataState reads runs of text and simple tags in one call, and must stop where the
    parser may change how what follows is read: the same tokens, spans, errors and tree
    as html5lib's states, one token per call."""
    body = "".join(pieces)
    ours = _result(body)
    with pytest.MonkeyPatch.context() as monkeypatch:
        _put_html5lib_back(monkeypatch)
        # A token's parse error is recorded at the token's end, which a batch has read
        # past: one token a call, that is where html5lib's stream stands, the offset it
        # was recorded at before there were batches.
        record = html_parse._SpanParser.parseError

        def at_the_stream(parser: Any, *arguments: Any) -> None:
            record(parser, *arguments)
            tokenizer = parser.tokenizer
            if not tokenizer.exhausted:
                assert parser.errors[-1][0] == tokenizer.stream.offset

        monkeypatch.setattr(html_parse._SpanParser, "parseError", at_the_stream)
        assert _result(body) == ours


def test_simple_tags_take_the_fast_path() -> None:
    """The well-formed tags clippings are made of are read in one state call."""
    matched = [html_parse._SIMPLE_TAG.fullmatch(tag[1:]) is not None for tag in [
        "<p>", "</p>", "<br/>", "<br />", '<a href="https://x.example/a?b=c" target=_blank>',
        "<img src='x.jpg' alt=\"\" width=10 hidden>", "<figure\nclass=\"a b\">"]]
    assert all(matched)
    for tag in ['<a href="?a=1&amp;b=2">', "<a\x00>", "<a b='x'c>", "<a", "<!-- x -->", "<a / >"]:
        assert html_parse._SIMPLE_TAG.fullmatch(tag[1:]) is None, tag


def _traced_lines(body: str) -> int:
    """How many lines of Python parsing ``body`` runs (see ``traced_lines``)."""
    return traced_lines(lambda: html_parse.parse_body(body, 0, len(body)))


@pytest.mark.parametrize("tail", ["", " a7", " A0=x"])
def test_attribute_work_is_linear(tail: str) -> None:
    """Checking for duplicate attributes costs the same per attribute however many the tag
    has. (html5lib compares each name with all the earlier ones: a tag with 300,000
    attributes, which fits in a 2 MB body, took hours.) The '&' keeps these tags on
    html5lib's attribute states."""
    def tag(count: int) -> str:
        return "<p b=&amp; " + " ".join(f"a{i}" for i in range(count)) + tail + ">x</p>"

    assert _traced_lines(tag(800)) < 2.2 * _traced_lines(tag(400))
    errors = [error.code for error in html_parse.parse_body(tag(800), 0, len(tag(800))).errors]
    assert errors == (["duplicate-attribute"] if tail else [])


@pytest.mark.parametrize("shape", [
    lambda count: "<span>" * count + "</x>" * count,
    lambda count: "<i>" * count + "</b>" * count,
    lambda count: "<div>" + "<em>" * count + "</q>" * count + "</div>",
])
def test_end_tag_work_is_linear(shape: Any) -> None:
    """An end tag that matches no open element costs the same however deep the stack.
    (html5lib walks the stack to the first special element: 20,000 of them in 20,000
    <span>s took minutes.)"""
    assert _traced_lines(shape(800)) < 2.2 * _traced_lines(shape(400))


@pytest.mark.parametrize("cases", ["tricky", "random"])
def test_visible_text_shortcut_agrees_with_the_walk(cases: str) -> None:
    """``visible_text`` takes ElementTree's itertext() when nothing is hidden."""
    for body in TRICKY if cases == "tricky" else RANDOM:
        view = html_parse.parse_body(body, 0, len(body))
        assert view.visible_text == "".join(html.iter_visible_text(view.fragment)), repr(body)


class _Node:
    """A stand-in for html5lib's nodes, which compare by identity."""

    def __init__(self, name: str) -> None:
        self.name = name


class _Unscannable(_Node):
    """A node that fails any comparison but identity, so that a membership test that
    scans the stack (a list's ``in``) raises."""

    def __eq__(self, other: object) -> bool:
        raise AssertionError("the stack was scanned")

    __hash__ = object.__hash__


def test_open_elements_membership_is_a_lookup() -> None:
    """Before every formatting element html5lib asks whether an element is on the stack
    of open elements: a scan of the stack, so 40,000 nested <b>s took 24 s."""
    stack = html_parse._OpenElements()
    nodes = [_Unscannable("b") for _ in range(5)]
    for node in nodes:
        stack.append(node)
    outside = _Unscannable("b")
    assert outside not in stack
    assert nodes[0] in stack and nodes[-1] in stack


@given(st.lists(st.tuples(st.sampled_from(["append", "insert", "pop", "remove", "set"]),
                          st.integers(0, 9), st.integers(0, 5)), max_size=60))
def test_open_elements_counts_follow_the_stack(operations: list[tuple[str, int, int]]) -> None:
    """Names and membership agree with the list after any sequence of html5lib's changes."""
    pool = [_Node(name) for name in ["p", "b", "div", "p", "i", "b", "span", "a", "p", "td"]]
    stack = html_parse._OpenElements()
    for operation, which, where in operations:
        node = pool[which]
        if operation == "append":
            stack.append(node)
        elif operation == "insert":
            stack.insert(min(where, len(stack)), node)
        elif stack and operation == "pop":
            stack.pop(min(where, len(stack) - 1) if where else -1)
        elif stack and operation == "remove":
            stack.remove(stack[min(where, len(stack) - 1)])
        elif stack and operation == "set":
            stack[min(where, len(stack) - 1)] = node
        on_stack = [id(element) for element in stack]
        assert [candidate in stack for candidate in pool] == [id(n) in on_stack for n in pool]
        for name in {candidate.name for candidate in pool}:
            assert stack.names.get(name, 0) == sum(element.name == name for element in stack)


FOSTERED = [
    "<table><b>x</b></table>", "<table><img src=a><iframe src=b></iframe></table>",
    "<table><a><p>x</a>y</table>", "<table><tr><b>x<td>y</table>", "t<table>u<i>v</i>w</table>z",
    "<table><a href=1>x</a><tr><td>y<b>z</table>", "<div>a</div><table><div>b</div></table>c",
]


@pytest.mark.parametrize("body", FOSTERED)
def test_foster_parented_content_stays_in_the_fragment(body: str) -> None:
    """Content a table cannot hold is moved before the table. html5lib's etree builder
    dropped it when it was at the top level of the fragment; it must come out as it does
    when html5lib parses a whole document. (Not for every body: a fragment differs from
    a document in places, such as a <table> inside a <table>.)"""
    document = html5lib.parse(body, treebuilder="etree", namespaceHTMLElements=False)
    expected = document.find("body")
    assert expected is not None
    fragment = html_parse.parse_body(body, 0, len(body)).fragment
    assert ElementTree.tostring(fragment)[len(b"<DOCUMENT_FRAGMENT>"):] == \
        ElementTree.tostring(expected)[len(b"<body>"):].replace(b"</body>", b"</DOCUMENT_FRAGMENT>")
    assert len(list(fragment.iter())) == len(list(expected.iter()))


@pytest.mark.parametrize("name", sorted(html.VOID_ELEMENTS))
def test_void_elements_never_hold_content(name: str) -> None:
    """The project's one void-element list agrees with the parser: what follows a void
    element's start tag is never inside it (html5lib's own list lacks <wbr>, <keygen>...)."""
    body = f"<div><{name}>text</{name}>more</div>"
    view = html_parse.parse_body(body, 0, len(body))
    for element in view.elements(name):
        assert len(element) == 0 and not element.text, name
    assert "text" in view.visible_text


@pytest.mark.parametrize("name", ["event-source", "span", "p", "video", "menuitem"])
def test_other_elements_hold_what_follows(name: str) -> None:
    body = f"<div><{name}>text</{name}></div>"
    view = html_parse.parse_body(body, 0, len(body))
    (element,) = view.elements(name)
    assert element.text == "text"
    assert name not in html.VOID_ELEMENTS


def test_the_light_module_s_tables_are_html5lib_s() -> None:
    """cliplint.html and the rules' helpers use tables of their own or of the standard
    library where html5lib has one, so that they need not import html5lib."""
    from html.entities import html5

    from html5lib import constants

    assert constants.asciiUpper2Lower == html.ASCII_LOWER
    assert html5 == constants.entities
    assert frozenset(html.HTML_SPACE) == constants.spaceCharacters


@pytest.mark.parametrize(("written", "lowered"), [
    ("DIV", "div"), ("data-X", "data-x"), ("", ""),
    # only ASCII capitals change, as in html5lib (str.lower would give "k" and "i̇")
    ("A\u212aB", "a\u212ab"), ("İD", "İd"), ("ÄB", "Äb"),
])
def test_ascii_lower_lowers_ascii_capitals_only(written: str, lowered: str) -> None:
    assert html.ascii_lower(written) == lowered == written.translate(html.ASCII_LOWER)


def test_element_names_are_plain_attributes() -> None:
    """Read for every token: an instance attribute, not html5lib's property."""
    element = html_parse._Element("svg", "http://www.w3.org/2000/svg")
    assert vars(element)["name"] == element.name == "svg"
    assert vars(element)["namespace"] == element.namespace == "http://www.w3.org/2000/svg"
    assert element._element.tag == "{http://www.w3.org/2000/svg}svg"  # as html5lib names it


def test_the_tokenizer_sets_the_fields_html5lib_s_does() -> None:
    """_SpanTokenizer.__init__ sets html5lib's fields itself, without building html5lib's
    input stream: every field html5lib's sets, to the same value (the state: the same
    state, as this class has it; the stream: ours)."""
    theirs = vars(_tokenizer.HTMLTokenizer("a<b>c", parser="the parser"))
    ours = vars(html_parse._SpanTokenizer("a<b>c", parser="the parser"))
    assert set(theirs) <= set(ours)
    assert isinstance(ours["stream"], html_parse._OneChunkStream)
    for name, value in theirs.items():
        if name == "state":
            assert ours[name].__func__ is getattr(html_parse._SpanTokenizer, value.__name__)
        elif name != "stream":
            assert ours[name] == value, name


@given(st.text(alphabet="ab\r\n\ud800\udbff\U0001f600", max_size=12),
       st.lists(st.one_of(st.none(), st.integers(min_value=-2, max_value=14)), max_size=5))
def test_the_whole_text_reads_as_a_stringio_does(text: str, sizes: list[int | None]) -> None:
    import io

    theirs = io.StringIO(text)
    ours = html_parse._WholeText(text)
    for size in [*sizes, None, 3]:
        assert ours.read(size) == theirs.read(size)


class _StringIOStream(html_parse._OneChunkStream):
    """_OneChunkStream reading from html5lib's own StringIO."""

    openStream = html5lib._inputstream.HTMLUnicodeInputStream.openStream


@pytest.mark.parametrize("text", ["", "a", "a\r", "ab\ud800", "\ud800", "a\x01b\ufffe\U0010fffe",
                                  "x" * 50 + "\udbff", "a\nb\x0b"])
def test_the_stream_reads_the_chunks_html5lib_s_reading_gives(text: str) -> None:
    def chunks(stream: html_parse._OneChunkStream) -> list[Any]:
        read = []
        while stream.readChunk():
            read.append((stream.chunk, stream.consumed, list(stream.errors),
                         list(stream.error_offsets)))
        return read

    assert chunks(html_parse._OneChunkStream(text)) == chunks(_StringIOStream(text))


_FOREIGN_PIECES = [
    "<svg>", "</svg>", "<math>", "</math>", "<svg viewbox='0 0 1 1' xlink:href=x>",
    "<math definitionurl=y xml:lang=z>", "<foreignobject>", "<clippath>", "<lineargradient x=1>",
    "<mi>", "<mglyph>", "<annotation-xml encoding='text/html'>", "<desc>", "<p>", "</p>", "<b>",
    "x", " ", "<br/>", "<path d=x/>", "<a xlink:href=y>", "<font color=red>", "<table>",
    "<template>", "</template>",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FOREIGN_PIECES + _PIECES[:20]), max_size=20), st.booleans())
def test_tokens_made_while_reading_are_html5lib_s_after_the_parse(pieces: list[str],
                                                                  crlf: bool) -> None:
    """The tokenizer makes our tokens as it reads; html5lib renames and re-keys start tags
    in foreign content afterwards. Each token must be what html5lib's token is at the end
    of the parse (the fields of its dict, as they were read before there was a fast way)."""
    body = ("X\r\n" if crlf else "") + "".join(pieces)
    view = html_parse.parse_body(body, 0, len(body))
    tokenizer = html_parse._span_parser().tokenizer
    expected = tuple(
        (html_parse._TOKEN_TYPES.get(raw["type"], "?"), raw.get("name"),
         raw["data"] if isinstance(raw.get("data"), dict) else {}, bool(raw.get("selfClosing")))
        for raw in tokenizer.raw)
    assert tuple((t.kind, t.name, t.attributes, t.self_closing) for t in view.tokens) == expected


# -- <template>, as the HTML standard parses it ----------------------------------------------
# html5lib 1.1 predates <template> (it parsed one as an unknown element): cliplint adds
# the standard's rules (https://html.spec.whatwg.org/multipage/parsing.html#parsing-main-intemplate).


def _parse(body: str) -> html.BodyView:
    return html_parse.parse_body(body, 0, len(body))


def _tree(view: html.BodyView) -> str:
    """The fragment written back as HTML (implied elements included, void ones unclosed)."""
    written = ElementTree.tostring(view.fragment, encoding="unicode", method="html")
    return written.removeprefix("<DOCUMENT_FRAGMENT>").removesuffix("</DOCUMENT_FRAGMENT>")


@pytest.mark.parametrize(("body", "tree"), [
    # the content after </template> is outside it
    ("<template><p>x</template><p>Real story here with enough words.</p>",
     "<template><p>x</p></template><p>Real story here with enough words.</p>"),
    # table parts in a template, which the standard allows on their own
    ("<table><template><tr><td>x</td></tr></template></table>",
     "<table><template><tr><td>x</td></tr></template></table>"),
    ("<template><td>x</td></template>", "<template><td>x</td></template>"),
    ("<template><tr><td>a</td></tr><tr><td>b</td></tr></template>",
     "<template><tr><td>a</td></tr><tr><td>b</td></tr></template>"),
    ("<template><caption>c</caption><thead><tr><th>h</th></tr></thead><tbody></tbody></template>",
     "<template><caption>c</caption><thead><tr><th>h</th></tr></thead><tbody></tbody></template>"),
    ("<template><col><col></template>", "<template><col><col></template>"),
    ("<table><thead><template><td>x</td></template></thead></table>",
     "<table><thead><template><td>x</td></template></thead></table>"),
    ("<table><colgroup><template><col></template></colgroup></table>",
     "<table><colgroup><template><col></template></colgroup></table>"),
    # </template> closes a cell, a row... left open in it ("all implied end tags thoroughly")
    ("<table><thead><template><td>x</template></thead></table>",
     "<table><thead><template><td>x</td></template></thead></table>"),
    ("<table><tr><template><td>x</td></template></tr></table>",
     "<table><tbody><tr><template><td>x</td></template></tr></tbody></table>"),
    ("<table>\n<template><p>a</p></template>\n</table>",
     "<table>\n<template><p>a</p></template>\n</table>"),
    ("<select><template><option>a</option></template><option>b</option></select>",
     "<select><template><option>a</option></template><option>b</option></select>"),
    # a template is a scope boundary: its <p>, <li>, <button> close nothing outside it
    ("<p>a<template><p>x</p></template>b</p>", "<p>a<template><p>x</p></template>b</p>"),
    ("<ul><li>a<template><li>b</li></template></li></ul>",
     "<ul><li>a<template><li>b</li></template></li></ul>"),
    ("<button>a<template><button>b</button></template></button>",
     "<button>a<template><button>b</button></template></button>"),
    # a form inside a template, inside a form
    ("<form><template><form><input></form></template></form>",
     "<form><template><form><input></form></template></form>"),
    # nested templates, each with its own mode
    ("<template><template><tr><td>x</td></tr></template><td>y</td></template>",
     "<template><template><tr><td>x</td></tr></template><td>y</td></template>"),
    ("<table><template><tr><template><td>x</td></template></tr></template></table>",
     "<table><template><tr><template><td>x</td></template></tr></template></table>"),
    # what "in head" would take, and raw text
    ("<template><script>a('<p>')</script><style>p{}</style><td>x</td></template>",
     "<template><script>a('<p>')</script><style>p{}</style><td>x</td></template>"),
    ("<div><template><b>x</b> <!-- c --></template>y</div>",
     "<div><template><b>x</b> <!-- c --></template>y</div>"),
])
def test_valid_template_markup_parses_as_the_standard_says(body: str, tree: str) -> None:
    """No parse error, and the tree the standard builds (a template's content as its
    children: the standard keeps it in a document fragment of its own)."""
    view = _parse(body)
    assert [error.code for error in view.errors] == []
    assert _tree(view) == tree


def test_template_content_is_not_visible_text() -> None:
    view = _parse("<p>Seen <template>unseen <b>either</b></template>too.</p><template>x</template>")
    assert view.visible_text == "Seen too."
    assert [error.code for error in view.errors] == []


@pytest.mark.parametrize(("body", "text"), [
    # html5lib's issue #568 (oss-fuzz, through Beautiful Soup), and the clipping
    # scripts/fuzz.py met it in: a foreign element named like a table part (MathML's
    # <tr>) is the adoption agency's common ancestor, and no table is open.
    (")<a><math><TR><a><mI><a><p><a>", ")"),
    ("<p>Before</p>)<a><math><TR><a><mI><a><p><a>after", "Before)after"),
])
def test_a_foreign_table_part_as_the_common_ancestor_is_foster_parented(body: str,
                                                                        text: str) -> None:
    with pytest.raises(AttributeError):
        html5lib.parse(body)  # html5lib 1.1 itself
    view = _parse(body)
    assert "adoption-agency-1.3" in [error.code for error in view.errors]
    assert view.visible_text == text


@pytest.mark.parametrize(("body", "tree"), [
    # the marker: formatting elements opened before a template are not reopened in it,
    # and one left open in a template does not leak out of it
    ("<template><b>x</template>y", "<template><b>x</b></template>y"),
    ("<p><b>x</p><template>y</template>z", "<p><b>x</b></p><template>y</template><b>z</b>"),
    ("<b>x<template><i>y</template>z</b>", "<b>x<template><i>y</i></template>z</b>"),
    ("<template><a href=u>x</template><a href=v>y</a>",
     '<template><a href="u">x</a></template><a href="v">y</a>'),
])
def test_formatting_elements_stay_on_their_side_of_a_template(body: str, tree: str) -> None:
    assert _tree(_parse(body)) == tree


@pytest.mark.parametrize(("body", "tree"), [
    # what a template's table parts cannot hold goes into the template when it was opened
    # after the last table, not before that table
    ("<table><template><tr>x</tr></template></table>",
     "<table><template><tr></tr>x</template></table>"),
    # a <table> with no table in table scope (a template is a boundary) is ignored: it
    # closes no row group first
    ("<template><tbody><tr><td>a</td></tr><b>x<table>y</b></template>",
     "<template><tbody><tr><td>a</td></tr></tbody><b>xy</b></template>"),
    # after </template>, a <select> in a table is in "in select in table" again: </td>
    # closes it
    ("<table><tr><td><select><template><option>a</template></td></tr></table>x",
     "<table><tbody><tr><td><select><template><option>a</option></template></select></td></tr>"
     "</tbody></table>x"),
])
def test_table_parts_around_templates(body: str, tree: str) -> None:
    assert _tree(_parse(body)) == tree


def _located(body: str) -> list[tuple[str, str]]:
    """Each error's code and the source it spans, the body after a CRLF header (so that
    the spans are mapped back to the source)."""
    prefix = "X\r\n"
    source = prefix + body + "<tail>"
    view = html_parse.parse_body(source, len(prefix), len(prefix) + len(body))
    found = []
    for error in view.errors:
        if error.token is not None:  # the token is the one the span starts at
            assert view.tokens[error.token].start == error.start
        found.append((error.code, source[error.start : error.end]))
    return found


@pytest.mark.parametrize(("body", "errors"), [
    # a template left open at the end: an error at its start tag, innermost first
    ("<p>a</p>\r\n<template><div>x", [("expected-closing-tag-but-got-eof", "<template>")]),
    ("<template id=a><template id=b><p>x",
     [("expected-closing-tag-but-got-eof", "<template id=b>"),
      ("expected-closing-tag-but-got-eof", "<template id=a>")]),
    ("<div><template>x</div>",  # </div> is ignored in a template; both stay open
     [("unexpected-end-tag", "</div>"), ("expected-closing-tag-but-got-eof", "<template>"),
      ("expected-closing-tag-but-got-eof", "<div>")]),
    ("<table><template><tr><td>x", [("expected-closing-tag-but-got-eof", "<template>"),
                                   ("eof-in-table", "<table>")]),
    ("<select><template><option>x", [("expected-closing-tag-but-got-eof", "<template>"),
                                     ("eof-in-select", "<select>")]),
    ("<template><script>x", [("expected-named-closing-tag-but-got-eof", "<script>"),
                             ("expected-closing-tag-but-got-eof", "<template>")]),
    # a stray end tag is still one
    ("<div>a</template></div>", [("unexpected-end-tag", "</template>")]),
    ("<template>a</template></template>", [("unexpected-end-tag", "</template>")]),
    # </template> closing elements still open in it
    ("<template><div><span>x</template>", [("end-tag-too-early", "</template>")]),
    # other end tags stop at a template: it is special
    ("<span><template><i>x</i></span></template></span>", [("unexpected-end-tag", "</span>")]),
])
def test_template_errors_span_their_tags(body: str, errors: list[tuple[str, str]]) -> None:
    assert _located(body) == errors


def test_a_template_left_open_is_named_by_well_formed_html() -> None:
    from cliplint.document import Document
    from cliplint_rules import well_formed_html

    text = "<!--1686778744000-->\n[T](https://example.com/a)\n------\n\n<p>a</p><template><b>x\n"
    document = Document.from_text(text)
    found = [(text[v.start : v.end], v.message) for v in well_formed_html.check(document, {})]
    assert found == [("<template>", "<template> is not closed by the end of the body "
                                    "(expected-closing-tag-but-got-eof)")]


@pytest.mark.parametrize("body", [
    "<template><p>x</template><p>y</p>", "<table><template><tr><td>a</td></tr></template></table>",
    "<TEMPLATE CLASS=t><td>a<template><col></template></td></TEMPLATE>b",
    "<select><template><option>a</template></select><form><template><form></template>",
    "<template><b>x</template><div><template>\r\n<li>y",
])
def test_every_start_tag_made_its_element(body: str) -> None:
    """Each element's start tag is the token written for it (implied elements have none)."""
    view = _parse(body)
    for element in view.elements():
        token = view.start_tag(element)
        if token is None:
            assert element is view.fragment or element.tag in ("tbody", "colgroup"), element.tag
            continue
        assert token.kind == "StartTag" and token.name == element.tag
        assert body[token.start : token.end].lower().startswith(f"<{element.tag}")
    assert sum(token.kind == "StartTag" for token in view.tokens) == len(view.start_tags)


@pytest.mark.parametrize("shape", [
    lambda count: "<template>" * count + "x",  # each closed by the end of input
    lambda count: "<template><b>" * count + "</template>" * count,  # each end tag an error
    lambda count: "<template><div>" * count + "</x>" * count,
    lambda count: "<template><td>" * count + "<tr>" * count,
    lambda count: "<table>" + "<template><tr>" * count + "<li>" * count,
])
def test_template_work_is_linear(shape: Any) -> None:
    """Templates nested thousands deep cost the same per template however deep."""
    assert _traced_lines(shape(800)) < 2.2 * _traced_lines(shape(400))


@pytest.fixture
def without_template_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """html5lib's own parse, without the template rules (and without cliplint's shortcuts)."""
    _put_html5lib_back(monkeypatch)
    monkeypatch.setattr(html_parse._SpanParser, "phase_classes", {})
    monkeypatch.setattr(html_parse._SpanParser, "resetInsertionMode",
                        html5lib.HTMLParser.resetInsertionMode)
    for name in ("elementInScope", "getTableMisnestedNodePosition"):
        monkeypatch.setattr(html_parse._SpanTreeBuilder, name, getattr(html_parse._EtreeBuilder, name))


def test_without_templates_the_parse_is_html5lib_s(
    with_overrides: dict[str, tuple[Any, ...]], without_template_rules: None
) -> None:
    """The template rules change nothing where there is no <template>."""
    bodies = [body for body in TRICKY + RANDOM if "template" not in body.lower()]
    assert len(bodies) > 300
    for body in bodies:
        assert _result(body) == with_overrides[body], repr(body)
