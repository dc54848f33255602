"""What rules need of a clipping's parsed body, without the parser: the view of a parse
(:class:`BodyView`, its :class:`Token`, :class:`ParseError` and :class:`Attribute`), the
project's HTML constants, and pure helpers on the source and the tree.

The parser itself, which builds these with html5lib, is :mod:`cliplint.html_parse`. It is
kept apart so that a run that parses no body (every result from the cache, ``cliplint
rules``) does not import html5lib, a fifth of such a run; :func:`require_html5lib` still
checks the release html5lib is without running it.
"""

from __future__ import annotations

import importlib.util
import operator
import re
import string
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

#: The html5lib release cliplint/html_parse.py is written against (it uses its internals).
HTML5LIB_VERSION = "1.1"
#: How html5lib's ``__init__.py`` spells its release: a string literal on a line of its own
#: (a pattern's source: only a full load of the plugins reads it).
_VERSION_LINE = r"""^__version__ = (["'])([^"'\n]*)\1[ \t]*$"""


def check_html5lib_release(version: str | None, file: str | None) -> None:
    """ImportError naming both releases, unless html5lib's ``version`` (of the module in
    ``file``) is :data:`HTML5LIB_VERSION`."""
    if version != HTML5LIB_VERSION:
        raise ImportError(
            f"cliplint needs html5lib {HTML5LIB_VERSION} exactly (it uses html5lib's internals), "
            f"but html5lib {version or 'of unknown version'} is installed "
            f"({file}): pip install 'html5lib=={HTML5LIB_VERSION}'")


def require_html5lib() -> None:
    """:func:`check_html5lib_release` for the html5lib that ``import html5lib`` would load,
    read from its source without running it; from the module itself when the source
    does not spell its release out (or is not there: then ``import html5lib`` raises)."""
    spec = importlib.util.find_spec("html5lib")
    origin = spec.origin if spec is not None else None
    if origin is not None and origin.endswith(".py"):
        try:
            written = re.search(_VERSION_LINE, Path(origin).read_text(encoding="utf-8"),
                                re.MULTILINE)
        except (OSError, UnicodeDecodeError):
            written = None
        if written is not None:
            check_html5lib_release(written.group(2), origin)
            return
    import html5lib

    check_html5lib_release(getattr(html5lib, "__version__", None), html5lib.__file__)


#: Elements whose content a reader never sees as text.
INVISIBLE_ELEMENTS = frozenset({"script", "style", "template", "noscript", "head", "title"})
#: The tags of the elements whose text ``iter_visible_text`` leaves out (a comment's tag
#: is ElementTree's ``Comment`` function).
_HIDDEN_TAGS = frozenset({*INVISIBLE_ELEMENTS, ElementTree.Comment})
_TAG = operator.attrgetter("tag")
#: Elements that never have content or an end tag, the one list for the whole project:
#: the standard's void elements (https://html.spec.whatwg.org/multipage/syntax.html#void-elements)
#: and those its parser treats the same way in a body (basefont, bgsound, frame, image,
#: keygen, param; and command, which html5lib 1.1 still inserts and pops at once).
#: html5lib's own ``constants.voidElements`` lacks wbr, keygen, basefont, bgsound, frame
#: and image, and holds event-source, which its parser keeps open.
VOID_ELEMENTS = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "command", "embed", "frame", "hr",
    "image", "img", "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
})
#: The ``datavars`` key under which the name of the current node (the innermost open
#: element) is kept with each error the tree builder raises: what a message needs to say
#: which element was still open.
CURRENT_NODE = "currentNode"
#: The ``datavars`` key telling, for a tree builder error that names an element, whether
#: an element of that name was open (a stray ``</div>`` and a ``</div>`` that closes a
#: <div> with a <span> still open inside raise the same error).
NAME_OPEN = "nameOpen"
#: The ``datavars`` key naming, for an end tag html5lib ignores although an element of
#: its name is open (``end-tag-too-early``: a ``</div>`` in a table cell, with the <div>
#: around the table), the element between them that ends the scope (``td``).
SCOPE_ENDS_AT = "scopeEndsAt"
#: The ``datavars`` key naming, for html5lib's placeholder code ``XXX-undefined-error``
#: (raised for several errors it gave no code of their own), the insertion mode it was
#: raised in, by html5lib's name for it ("inBody", "inCaption"...): with the token, what
#: tells those errors apart.
INSERTION_MODE = "insertionMode"
#: HTML's ASCII whitespace (html5lib's spaceCharacters), also as a regex character class.
HTML_SPACE = "\t\n\x0c\r "
#: A run of it (a reader sees one space).
HTML_SPACE_RUN = re.compile(f"[{HTML_SPACE}]+")
#: A tag's name as it is written, up to the first attribute.
_WRITTEN_TAG_NAME = re.compile(f"[^{HTML_SPACE}/>]*")
#: One attribute as html5lib's tokenizer reads it, errors and all: the spaces and
#: slashes before it, its name (whose first character may be '='), then maybe '=' and
#: a value: double-quoted, single-quoted (left open, it runs to the end of the tag) or
#: unquoted.
_WRITTEN_ATTRIBUTE = re.compile(
    f"[{HTML_SPACE}/]*(?P<name>[^{HTML_SPACE}/>][^{HTML_SPACE}/>=]*)[{HTML_SPACE}]*"
    f"(?:=[{HTML_SPACE}]*(?:\"(?P<double>[^\"]*)\"?|'(?P<single>[^']*)'?"
    f"|(?P<unquoted>[^{HTML_SPACE}>]*)))?"
)
#: Attribute.quote for the group of _WRITTEN_ATTRIBUTE that holds the value.
_VALUE_QUOTES: dict[str, str | None] = {"double": '"', "single": "'", "unquoted": "", "name": None}
#: ASCII upper case to lower case, for ``str.translate``: how html5lib lower-cases the
#: names of tags and attributes (its ``constants.asciiUpper2Lower``, which a test compares).
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def ascii_lower(text: str) -> str:
    """``text`` with its ASCII capitals lower-cased (:data:`ASCII_LOWER`): ``str.lower``
    when it is all ASCII, where the two agree and lower is several times faster."""
    return text.lower() if text.isascii() else text.translate(ASCII_LOWER)


_T = TypeVar("_T")


class Token(NamedTuple):
    """A token of the body as html5lib's tokenizer saw it, with its source span.

    (A named tuple, not a frozen dataclass: a body has hundreds of tokens, and a named
    tuple is several times cheaper to build. Read it by attribute name.)"""

    kind: str  # StartTag, EndTag, EmptyTag, Characters, SpaceCharacters, Comment, Doctype
    name: str | None
    attributes: Mapping[str, str]
    start: int
    end: int
    self_closing: bool = False


class ParseError(NamedTuple):
    """An html5lib parse error. (Like Token, Attribute and Span, a named tuple: cheaper to
    define at every start, and to build, than a frozen dataclass.)

    ``start``/``end`` span the offending token: the tag, entity or text html5lib was
    reading or processing (for an error at the end of input, the start tag of the
    element left open). ``offset`` is where in the source html5lib raised it.
    ``token`` is the index in ``BodyView.tokens`` of the offending token, when html5lib
    kept it as a token (an unterminated ``<b`` at the end of input is dropped).
    """

    code: str
    datavars: Mapping[str, Any]
    offset: int
    start: int
    end: int
    token: int | None = None

    @property
    def message(self) -> str:
        """html5lib's own English text for the error."""
        from html5lib.constants import E  # loaded already: the body is parsed

        template: str | None = E.get(self.code)
        if template is None:
            return self.code
        try:
            return template % dict(self.datavars)
        except (KeyError, TypeError, ValueError):
            return self.code


class Attribute(NamedTuple):
    """An attribute as written in a start tag, the way html5lib's tokenizer reads it (its
    name lower-cased as html5lib does). Offsets are into the document text."""

    name: str
    start: int  # where the name starts
    value_start: int  # the value's first character (inside the quotes)
    value_end: int  # for an attribute without a value, both are where its name ends
    quote: str | None  # '"', "'", "" (unquoted), or None (no value at all)

    @property
    def end(self) -> int:
        """Where the attribute ends, closing quote included."""
        return self.value_end + (1 if self.quote else 0)


@dataclass(frozen=True)
class BodyView:
    """A read-only view of the parsed body.

    ``fragment`` is an ``xml.etree`` element holding the parsed fragment (tags without
    namespaces); treat it as read-only. ``start_tags`` maps an element of that tree to
    the index in ``tokens`` of the start tag that created it (implied elements, and the
    copies html5lib makes of misnested formatting elements, have none).
    """

    source: str  # the whole document text
    start: int
    end: int
    tokens: tuple[Token, ...]
    errors: tuple[ParseError, ...]
    fragment: ElementTree.Element
    start_tags: Mapping[ElementTree.Element, int] = field(repr=False)
    #: What ``shared`` computed, by key (like the cached properties: filled on first use).
    _shared: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False,
                                         compare=False)
    #: What ``attributes`` found, by the tag's span (several rules read the same tags).
    _attributes: dict[tuple[int, int], tuple[Attribute, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def shared(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()``, computed once per body and ``key``: for work that several rules
        do on the same body (the aggregator-boilerplate catalogue's blocks, which
        empty-body leaves out). ``key`` must say everything the result depends on
        besides the body."""
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]  # type: ignore[no-any-return]

    @property
    def text(self) -> str:
        """The body's source text."""
        return self.source[self.start : self.end]

    @cached_property
    def visible_text(self) -> str:
        """The text a reader sees: text nodes outside script, style and comments."""
        return "".join(self.visible_texts())

    def visible_texts(self) -> Iterator[str]:
        """``visible_text`` node by node (where elements start and end)."""
        if not self._hides_text:
            # Nothing to leave out: ElementTree's own walk (in C, several times faster
            # than iter_visible_text's) yields the same texts and tails. (It would yield
            # a comment's text, hence comments count as hidden here.)
            return self.fragment.itertext()
        return iter_visible_text(self.fragment)

    @cached_property
    def _hides_text(self) -> bool:
        """Whether the tree holds an element of :data:`INVISIBLE_ELEMENTS` or a comment
        (found once: several rules read the visible text)."""
        return not _HIDDEN_TAGS.isdisjoint(map(_TAG, self.fragment.iter()))

    def elements(self, *names: str) -> Iterator[ElementTree.Element]:
        """Elements of the tree in document order, optionally only those named."""
        for element in self.fragment.iter():
            if isinstance(element.tag, str) and (not names or element.tag in names):
                yield element

    def start_tag(self, element: ElementTree.Element) -> Token | None:
        """The start-tag token that created an element of ``fragment``, or ``None`` for an
        element html5lib implied or copied."""
        index = self.start_tags.get(element)
        return None if index is None else self.tokens[index]

    def element_span(self, element: ElementTree.Element) -> tuple[int, int] | None:
        """The source span of an element from its start tag to its matching end tag.

        ``None`` when the element has no start tag or its end cannot be told for sure
        (a rule should then offer no fix). See :meth:`token_span`.
        """
        index = self.start_tags.get(element)
        return None if index is None else self.token_span(index)

    def token_span(self, index: int) -> tuple[int, int] | None:
        """The source span from the start tag ``tokens[index]`` to its matching end tag.

        The end tag is found by matching same-named tags in the token stream like
        brackets, so it is exact for well-formed markup. A void element spans its start
        tag alone; another start tag with no end tag left to match gives ``None``.
        """
        opening = self.tokens[index]
        if opening.kind == "EmptyTag" or opening.name in VOID_ELEMENTS:
            return opening.start, opening.end
        closing = self.matching_end_tags.get(index)
        return None if closing is None else (opening.start, self.tokens[closing].end)

    def attributes(self, token: Token) -> tuple[Attribute, ...]:
        """Where each attribute of a start tag is written, duplicates included (read
        once per tag)."""
        span = (token.start, token.end)
        found = self._attributes.get(span)
        if found is None:
            found = self._attributes[span] = tag_attributes(self.source, *span)
        return found

    @cached_property
    def parents(self) -> Mapping[ElementTree.Element, ElementTree.Element]:
        """The parent of each element of ``fragment`` (the fragment itself has none);
        found on first use, in one walk (ElementTree keeps no parent links)."""
        return {child: parent for parent in self.fragment.iter() for child in parent}

    @cached_property
    def matching_end_tags(self) -> Mapping[int, int]:
        """Start-tag index -> index of the end tag that closes it, for every element
        that has one: same-named tags matched like brackets, in one pass."""
        open_by_name: dict[str | None, list[int]] = {}
        matches: dict[int, int] = {}
        for index, token in enumerate(self.tokens):
            if token.kind == "StartTag" and token.name not in VOID_ELEMENTS:
                open_by_name.setdefault(token.name, []).append(index)
            elif token.kind == "EndTag":
                waiting = open_by_name.get(token.name)
                if waiting:
                    matches[waiting.pop()] = index
        return matches


def iter_visible_text(root: ElementTree.Element) -> Iterator[str]:
    """Text of the tree a reader would see, without recursion (bodies nest deeply)."""
    stack: list[tuple[ElementTree.Element, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        if closing:
            if element.tail and element is not root:
                yield element.tail
            continue
        stack.append((element, True))
        if not isinstance(element.tag, str) or element.tag in INVISIBLE_ELEMENTS:
            continue  # a comment, or hidden content: only its tail is visible
        if element.text:
            yield element.text
        stack.extend((child, False) for child in reversed(element))


def tag_attributes(source: str, start: int, end: int) -> tuple[Attribute, ...]:
    """The attributes of the tag ``source[start:end]``, duplicates included, located the
    way html5lib's tokenizer reads them (its attribute-name and attribute-value states),
    so that the spans agree with what html5lib parsed. End tags have none that count."""
    if end - start < 2 or source[start] != "<" or source[start + 1] == "/":
        return ()
    index = _WRITTEN_TAG_NAME.match(source, start + 1, end).end()  # type: ignore[union-attr]
    found: list[Attribute] = []
    while (match := _WRITTEN_ATTRIBUTE.match(source, index, end)) is not None:
        index = match.end()
        group = match.lastgroup or "name"  # the value's group; "name" when there is none
        quote = _VALUE_QUOTES[group]
        value_start, value_end = match.span("name" if quote is None else group)
        if quote is None:
            value_start = value_end
        found.append(Attribute(ascii_lower(match["name"]), match.start("name"),
                               value_start, value_end, quote))
    return tuple(found)
