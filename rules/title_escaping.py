"""The title's text must be text: no entity escaped twice, no entity where a character belongs.

Why: a feed title that was HTML-escaped twice (``&amp;amp;``, ``&amp;#22338;``) shows
the escape itself to every reader: ``AT&amp;T``, ``&#22338;``. One left escaped once
(``Q&amp;A``) renders as ``Q&A`` in Markdown, but a search index, a deduplicator or a
feed built from the archive reads the title line as text and gets ``Q&amp;A``; this
archive family writes titles as plain text (``Q&A``, ``by民進黨&王丹``).

Checked: the text of the title link (``[text](url)``), read as CommonMark reads it: a
reference is ``&name;`` with a name HTML knows, ``&#digits;`` or ``&#xhex;``, always
with its ';'; one after a backslash (``\\&amp;``) is literal text and left alone. The
URL is not checked (Markdown decodes references in it, and ``&amp;`` there is right),
nor the front matter's ``title`` (front matter is skipped; a fix could not touch it).

- **escaped twice** (warning): ``&amp;`` followed by the rest of a reference
  (``amp;``, ``#22338;``, ``quot;``...);
- **escaped once** (info): any other reference, unless the character it stands for is
  one Markdown would read as syntax in link text (``[ ] \\ ` * _ < > ~ !``: the
  reference is how Markdown writes those), a tab, a line break (a line feed, carriage
  return or form feed, U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR), one
  of the characters ``invisible-characters`` looks for (zero-width, bidi and control
  characters, and U+FFFD, which ``&#0;``, a surrogate's number or one past U+10FFFF
  stands for), or another character a reader does not see: a format character
  (Unicode's category Cf), such as U+00AD SOFT HYPHEN (``&shy;``), the bidi marks
  U+200E, U+200F and U+061C (``&lrm;``, ``&rlm;``), U+2061-U+2064 or the tags
  U+E0001-U+E007F; or a default-ignorable character (Unicode's
  Default_Ignorable_Code_Point, which a renderer shows as nothing), such as the
  variation selectors U+FE00-U+FE0F and U+E0100-U+E01EF (``&#xFE0F;``), the Mongolian
  ones U+180B-U+180D and U+180F, U+034F COMBINING GRAPHEME JOINER or the Hangul fillers
  U+115F, U+1160, U+3164 and U+FFA0 (also where a named reference stands for one after
  a visible character: ``&caps;`` is U+2229 and VARIATION SELECTOR-1). The reference is
  how the title shows such a character: decoded, ``&lrm;`` would become a character
  nobody sees in an editor or a diff. A no-break space (``&nbsp;``) is reported and
  decoded: it shows as a space.

Bad::

    [AT&amp;amp;T 與 &amp;#22338;本 Q&amp;A](https://example.com/a/1)

Good::

    [AT&T 與 坂本 Q&A](https://example.com/a/1)

Options:

- ``escaped-once`` (``true``): also report references escaped once.

Fix (safe): decode one level. ``&amp;#22338;`` becomes ``&#22338;``, which the next pass
of ``--fix`` decodes to ``坂``; ``&amp;`` becomes ``&``. The fixer checks that only the
title's text changed. An entity escaped twice whose reference stands for a character an
entity escaped once is not decoded to (a line break, a zero-width, bidi or control
character, U+FFFD), syntax, the tab and the other format and default-ignorable
characters aside, is reported without a fix, the message naming the character:
decoded, ``&amp;#x202e;`` would become a working RIGHT-TO-LEFT OVERRIDE that shows the
rest of the title reversed (the Trojan Source trick), ``&amp;#0;`` a U+FFFD,
``&amp;#x2028;`` a line break in a one-line title. (The aside: their reference is how
the title writes them, so ``&amp;lrm;`` becomes ``&lrm;``, which stays.) Nor is a
reference decoded where the title text would then read as empty (white space and
zero-width characters only, as in ``[&nbsp;](...)``), which title-link reports as an
error: such references are reported without a fix too. What the title should hold
there is for a person to say.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, NamedTuple

from cliplint.document import ZERO_WIDTH, Document
from cliplint.model import Edit, Finding, Fix
from cliplint.rule_io import Violation
from cliplint.streams import BREAKING
from cliplint_rules._bidi import CONTROLS as BIDI_CONTROLS
from cliplint_rules._charrefs import MARKDOWN_REFERENCE, decode, decode_all
from cliplint_rules._ignorable import default_ignorable
from cliplint_rules.invisible_characters import REPORTED
from cliplint_rules.title_link import READS_EMPTY

ID = "title-escaping"
SEVERITY = "warning"
FIX = "safe"
FINDINGS = {
    "escaped-twice": Finding("warning", "an entity escaped twice: readers see the entity, "
                             "not the character"),
    "entity": Finding("info", "an entity where the character itself belongs"),
}
OPTIONS = {
    "type": "object",
    "properties": {
        "escaped-once": {
            "type": "boolean",
            "default": True,
            "description": "Also report references escaped once (&amp; for &), as infos.",
        },
    },
}



@cache  # (compiled for the first &amp;: few titles hold one)
def _reference_rest() -> re.Pattern[str]:
    """What follows ``&`` in a reference, as MARKDOWN_REFERENCE reads one."""
    return re.compile(MARKDOWN_REFERENCE.pattern[1:])


#: Characters Markdown would read as syntax in link text (brackets, backslash, code,
#: emphasis, raw HTML, strikethrough, images), and the tab.
_MARKDOWN_SYNTAX = re.compile("[][\\\\`*_<>~!\t]")


class _Reference(NamedTuple):
    """A reference the rule reports: its span, the violation's message and kind, its fix
    and why it is not made (``""``: it is), and what a reader sees of it then."""

    start: int
    end: int
    message: str
    kind: str
    fix: Fix
    unfixed: str
    shows: str

    def violation(self) -> Violation:
        if self.unfixed:
            return Violation(self.start, self.end, f"{self.message}: not decoded, {self.unfixed}",
                             kind=self.kind)
        return Violation(self.start, self.end, self.message, self.fix, kind=self.kind)


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    link = document.title_link
    if link is None:
        return  # no [text](url) to read: title-link says why
    text = document.text
    start, end = link.text
    if "&" not in text[start:end]:
        return
    found = list(_references(text, start, end, escaped_once=options.get("escaped-once", True)))
    if _reads_empty(text, start, end, found):
        # Decoded, the text would be empty to title-link too (an error): left to a person.
        found = [reference if reference.unfixed
                 else reference._replace(unfixed="the title text would read as empty")
                 for reference in found]
    for reference in found:
        yield reference.violation()


def _references(text: str, start: int, end: int, *, escaped_once: bool) -> Iterator[_Reference]:
    """The references to report in the title text ``text[start:end]``, in order."""
    position = start
    while (match := MARKDOWN_REFERENCE.search(text, position, end)) is not None:
        at = match.start()
        position = match.end()
        if _backslashes_before(text, at, start) % 2:
            continue  # \& is a literal '&'
        rest = _reference_rest().match(text, match.end(), end) if match.group() == "&amp;" else None
        shows = decode("&" + rest.group()) if rest is not None else None
        if rest is not None and shows is not None:
            position = rest.end()
            shown = "&" + rest.group()
            unfit = _unfit(shows)
            yield _Reference(
                at, rest.end(),
                f"entity escaped twice in the title text: {text[at:rest.end()]!r} shows as "
                f"{shown!r}", kind="escaped-twice",
                fix=Fix((Edit(at + 1, at + 5, ""),), "safe", f"decode one level: {shown!r}"),
                unfixed=f"it stands for {unfit}" if unfit else "",
                shows=shown if unfit else shows)
            continue
        if not escaped_once:
            continue
        character = decode(match.group())
        if character is None or _best_as_reference(character) or _unfit(character):
            continue
        yield _Reference(
            at, match.end(),
            f"entity {match.group()!r} in the title text, which should read {character!r}",
            kind="entity",
            fix=Fix((Edit(at, match.end(), character),), "safe", f"decode it to {character!r}"),
            unfixed="", shows=character)


def _reads_empty(text: str, start: int, end: int, found: list[_Reference]) -> bool:
    """Whether the title text ``text[start:end]`` reads as empty (white space and
    zero-width characters, as title-link judges) with ``found``'s fixes made: Markdown
    decodes the references between them."""
    shown: list[str] = []
    position = start
    for reference in found:
        shown += (decode_all(text[position : reference.start], MARKDOWN_REFERENCE),
                  reference.shows)
        position = reference.end
    shown.append(decode_all(text[position:end], MARKDOWN_REFERENCE))
    return READS_EMPTY.fullmatch("".join(shown)) is not None


def _best_as_reference(character: str) -> bool:
    """Whether a reference is the right way to write ``character`` (what one stands for)
    in the title text: Markdown would read it as syntax there, it is the tab, or a reader
    does not see it: a format character (Unicode's category Cf: U+00AD SOFT HYPHEN, the
    bidi marks U+200E, U+200F and U+061C, U+2061-U+2064, the tags, and the zero-width
    characters and bidi controls invisible-characters looks for) or another
    default-ignorable one (the variation selectors, U+034F COMBINING GRAPHEME JOINER, the
    Hangul fillers...). Decoded, a keeper's visible ``&lrm;`` would become a character
    nobody sees in an editor or a diff."""
    return (_MARKDOWN_SYNTAX.search(character) is not None
            or default_ignorable(character)
            or any(unicodedata.category(each) == "Cf" for each in character))


def _unfit(text: str) -> str | None:
    """The character of ``text`` (what a reference stands for) that no fix may put in the
    title, described ("U+2028 LINE SEPARATOR, a line break"), or None: one of those
    invisible-characters looks for (it reports ZWJ and ZWNJ only in some places), or a
    line break."""
    reported = REPORTED.search(text)
    # Besides what invisible-characters reports: a line feed and a carriage return (to
    # Markdown too), a form feed, U+2028 and U+2029 (to str.splitlines, editors,
    # JavaScript). No fix puts one in the one-line title.
    found = reported or BREAKING.search(text)
    if found is None:
        return None
    character = found.group()
    named = f"U+{ord(character):04X} {unicodedata.name(character, '')}".rstrip()
    if character == "\ufffd":
        return named  # its name says what it is
    if reported is None:
        kind = "a line break"
    elif character in ZERO_WIDTH:
        kind = "a zero-width character"
    elif character in BIDI_CONTROLS:
        kind = "a bidi control"
    else:
        kind = "a control character"
    return f"{named}, {kind}"


def _backslashes_before(text: str, position: int, start: int) -> int:
    count = 0
    while position - count > start and text[position - count - 1] == "\\":
        count += 1
    return count
