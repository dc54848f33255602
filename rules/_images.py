"""Where the image URLs of a body are, in the source: attributes, srcset candidates, entities.

html5lib gives each start tag's attributes entity-decoded but without positions. To
point at a URL and to edit it, we find the attribute's value in the raw tag text and
decode it ourselves, keeping for every decoded character the source offset it came
from. Our decoding is checked against html5lib's; when they differ we still report
(on the whole value) but offer no edit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from cliplint.document import Document
from cliplint.html import HTML_SPACE, Attribute, BodyView, Token
from cliplint_rules._charrefs import ENTITIES, LONGEST_ENTITY

#: Attributes that carry image URLs, per element; the ``data-*`` ones are lazy loading.
IMG_ATTRIBUTES = ("src", "srcset", "data-src", "data-original", "data-srcset")
SOURCE_ATTRIBUTES = ("srcset", "data-srcset")
SRCSET_ATTRIBUTES = frozenset({"srcset", "data-srcset"})



class ImageURL(NamedTuple):
    """One URL in an image attribute: its text (entity-decoded) and source span.

    ``editable`` is false when the source span cannot be trusted for an edit (our
    entity decoding disagreed with html5lib's): the span then covers the whole value."""

    element: str
    attribute: Attribute
    url: str
    start: int
    end: int
    editable: bool


class EmptySrc(NamedTuple):
    """An ``<img>`` whose ``src`` is empty and that has no other URL to fall back on."""

    attribute: Attribute


def _run_end(run: re.Pattern[str], text: str, index: int, end: int | None = None) -> int:
    """Where the run of ``run`` (a pattern that matches the empty string too) that starts
    at ``index`` ends, before ``end``: one regex match instead of a loop over characters."""
    found = run.match(text, index, len(text) if end is None else end)
    return index if found is None else found.end()


def scan_attributes(body: BodyView, token: Token) -> dict[str, Attribute]:
    """The attributes of a start tag as written, by name (the first of duplicated names
    wins, as in html5lib)."""
    found: dict[str, Attribute] = {}
    for attribute in body.attributes(token):
        found.setdefault(attribute.name, attribute)
    return found


_REFERENCE = re.compile(r"&(?:#[xX]([0-9a-fA-F]+);?|#([0-9]+);?|([A-Za-z][A-Za-z0-9]*;?))")
# What a numeric reference to a C1 control means (HTML: windows-1252).
_C1 = dict(zip(range(0x80, 0xA0), bytes(range(0x80, 0xA0)).decode("cp1252", "replace"),
               strict=True))


#: What decoding changes: a character reference, CR (and CRLF) and NUL.
_DECODED = re.compile("[&\r\0]")


def decode_attribute(raw: str) -> tuple[str, list[int]]:
    """Decode an attribute value as HTML does; return the text and, for each decoded
    character, its offset in ``raw`` (plus one final entry, ``len(raw)``)."""
    out: list[str] = []
    origin: list[int] = []
    index = 0
    length = len(raw)
    while index < length:
        # Up to the next character that decoding changes, the value is copied as is, in
        # one piece (values can be long: a data: URL, a srcset of many candidates).
        found = _DECODED.search(raw, index)
        stop = length if found is None else found.start()
        out.append(raw[index:stop])
        origin.extend(range(index, stop))
        if found is None:
            break
        index = stop
        char = raw[index]
        if char == "&":
            decoded, consumed = _reference(raw, index)
            if consumed:
                out.append(decoded)
                origin.extend([index] * len(decoded))
                index += consumed
                continue
        if char == "\r":
            out.append("\n")  # the input stream turns CRLF and CR into LF
            origin.append(index)
            index += 2 if raw.startswith("\r\n", index) else 1
            continue
        out.append("\ufffd" if char == "\0" else char)  # NUL, or an '&' left as it is
        origin.append(index)
        index += 1
    origin.append(length)
    return "".join(out), origin


def _reference(raw: str, index: int) -> tuple[str, int]:
    found = _REFERENCE.match(raw, index)
    if found is None:
        return "", 0
    hex_digits, decimal, name = found.groups()
    if name is None:
        number = int(hex_digits, 16) if hex_digits else int(decimal)
        if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
            return "\ufffd", found.end() - index
        return _C1.get(number, chr(number)), found.end() - index
    # Named: the longest known name; without ';' it is not decoded in an attribute
    # when followed by an alphanumeric or '='.
    candidate = name[:LONGEST_ENTITY]
    for size in range(len(candidate), 0, -1):
        key = candidate[:size]
        if key in ENTITIES:
            after = index + 1 + size
            legacy = not key.endswith(";")
            if legacy and after < len(raw) and (raw[after].isalnum() or raw[after] == "="):
                return "", 0
            return ENTITIES[key], 1 + size
    return "", 0


_SRCSET_SEPARATOR = re.compile(f"[{HTML_SPACE},]*")
_SRCSET_URL = re.compile(f"[^{HTML_SPACE}]*")  # up to a space, commas and all


def srcset_urls(value: str) -> Iterator[tuple[int, int]]:
    """The spans of the URLs in a ``srcset`` value (HTML's candidate-string parsing)."""
    index, length = 0, len(value)
    while True:
        index = _run_end(_SRCSET_SEPARATOR, value, index)
        if index >= length:
            return
        start = index
        end = index = _run_end(_SRCSET_URL, value, index)
        if value[end - 1] == ",":
            while end > start and value[end - 1] == ",":
                end -= 1
            if end > start:
                yield start, end
            continue
        yield start, end
        index = descriptors_end(value, index)


def descriptors_end(value: str, index: int) -> int:
    """Where the descriptors of a ``srcset`` candidate that start at ``index`` end: just
    after the next comma outside parentheses, or at the end of the value."""
    comma = value.find(",", index)
    if comma != -1 and value.find("(", index, comma) == -1:
        # The usual case, no parenthesis before the comma: ')' cannot lower a depth of
        # 0, so the first comma ends them (one search, not a loop over characters).
        return comma + 1
    return descriptors_end_by_character(value, index)


def descriptors_end_by_character(value: str, index: int) -> int:
    """:func:`descriptors_end`, one character at a time: parentheses counted."""
    depth = 0
    while index < len(value):
        char = value[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            return index + 1
        index += 1
    return index


def _trimmed(value: str) -> tuple[int, int]:
    """The span of ``value`` without the HTML spaces at either end."""
    rest = value.lstrip(HTML_SPACE)
    start = len(value) - len(rest)
    return start, start + len(rest.rstrip(HTML_SPACE))


def image_elements(body: BodyView) -> Iterator[tuple[str, Token, tuple[str, ...]]]:
    """``<img>`` and ``<picture>``'s ``<source>`` start tags, with the attributes to read:
    every ``<img>`` first (an ``<img>`` inside ``<picture>`` too), then the ``<source>``s.
    ElementTree finds each name faster than a walk of the tree in Python."""
    for element in body.fragment.iter("img"):
        token = body.start_tag(element)
        if token is not None:
            yield "img", token, IMG_ATTRIBUTES
    for picture in body.fragment.iter("picture"):
        for child in picture:
            if child.tag == "source":
                token = body.start_tag(child)
                if token is not None:
                    yield "source", token, SOURCE_ATTRIBUTES


def image_urls(document: Document,
               wanted: Callable[[str], bool] | None = None) -> Iterator[ImageURL | EmptySrc]:
    """Every image URL of the body in document order, and every empty ``<img src>``.
    With ``wanted``, an element none of whose URLs it wants and with no empty ``src``
    may be left out: its attributes are then not located in the source."""
    body = document.body
    found: list[tuple[int, ImageURL | EmptySrc]] = []
    for element, token, names in image_elements(body):
        present = [name for name in names if name in token.attributes]
        if not present or (wanted is not None
                           and not _may_be_wanted(element, token, present, wanted)):
            continue
        raw_attributes = scan_attributes(body, token)
        for name in present:
            raw = raw_attributes.get(name)
            if raw is None:
                continue  # cannot happen for a token html5lib built from this text
            value = token.attributes[name]
            if _is_empty_src(element, name, value):
                others = (token.attributes.get(other, "") for other in names if other != "src")
                if not any(other.strip(HTML_SPACE) for other in others):
                    found.append((raw.start, EmptySrc(raw)))
                continue
            for item in _urls_in(document.text, element, raw, value, name in SRCSET_ATTRIBUTES):
                found.append((item.start, item))
    # Into document order (image_elements gives the <img>s first); a stable sort, so
    # URLs sharing a start (those of one value we could not map) keep their order.
    found.sort(key=lambda pair: pair[0])
    yield from (item for _, item in found)


def _may_be_wanted(element: str, token: Token, present: list[str],
                   wanted: Callable[[str], bool]) -> bool:
    """Whether ``image_urls`` may yield something ``wanted`` for the element: a URL it
    wants, or an empty ``src``. The URLs are cut from the values html5lib parsed by
    ``_url_spans``, as in ``_urls_in`` (their source spans are what costs)."""
    for name in present:
        value = token.attributes[name]
        if _is_empty_src(element, name, value):
            return True
        if any(wanted(value[start:end])
               for start, end in _url_spans(value, name in SRCSET_ATTRIBUTES)):
            return True
    return False


def _is_empty_src(element: str, name: str, value: str) -> bool:
    return name == "src" and element == "img" and not value.strip(HTML_SPACE)


def _url_spans(value: str, is_srcset: bool) -> Iterable[tuple[int, int]]:
    """The spans of the URLs in an image attribute's value (as html5lib parsed it): a
    srcset's candidates, or the value without its surrounding spaces; none are empty."""
    if is_srcset:
        return srcset_urls(value)
    start, end = _trimmed(value)
    return ((start, end),) if start < end else ()


def _urls_in(text: str, element: str, raw: Attribute, value: str,
             is_srcset: bool) -> Iterator[ImageURL]:
    decoded, origin = decode_attribute(text[raw.value_start : raw.value_end])
    editable = decoded == value
    for start, end in _url_spans(value, is_srcset):
        if editable:
            source_start = raw.value_start + origin[start]
            source_end = raw.value_start + origin[end]
        else:
            source_start, source_end = raw.value_start, raw.value_end
        yield ImageURL(element, raw, value[start:end], source_start, source_end, editable)
