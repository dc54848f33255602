"""A suppression comment hides nothing, names an unknown rule, or is misspelt.

Why: a ``<!-- cliplint-disable ... -->`` comment left behind after its problem was fixed
hides the next real problem of that rule in its place, and a misspelt rule id or
directive hides nothing at all while its author believes otherwise. This is ruff's
``RUF100`` and html-validate's ``no-unused-disable``.

The engine reports this rule once every other rule has run on the file: only then is it
known which suppressions hid a problem. A rule named in a suppression is judged only
when it is enabled for the file (a run narrowed with ``--select`` cannot tell whether
the other suppressions are needed; ruff reports those as "non-enabled", cliplint keeps
quiet so that ``--fix`` never removes a suppression a full run needs); a suppression of
every rule only when every rule is enabled for the file; and not when it names an archive
rule (``duplicate-clipping``...): those problems are found after the files are linted.
A suppression that covers a URL a rule checks online (``image-proxy`` with ``--online``)
is in use, online or not: that URL's answer may be a problem it hides. And a rule past
ten times ``max-problems-per-rule`` in the file is no longer asked for its problems, and
a rule that crashed there gave none, so their suppressions are not judged there.

An ``enable`` comment that ends no ``disable`` is unused too: its ``disable`` was
removed (by ``--fix``, say, as an unused one: the next pass removes the ``enable``),
an earlier ``enable`` ended it already, or the rule is disabled by ``disable-file``,
which no ``enable`` ends.

Unused suppressions are infos: they never fail a run, but they show up, and ``--fix``
removes them. Unknown rule ids and misspelt directives are warnings: the problem their
author meant to hide is reported anyway. A comment that starts with ``cliplint-``, or
with cliplint written ``Cliplint`` or ``CLIPLINT`` too, a separator and a word starting
like disable or enable (``CLIPLINT-DISABLE``, ``cliplint: disable``), and is no
directive is a misspelt one: directives are written in lower case. A comment that only
mentions cliplint (``<!-- cliplint checked this -->``) is left alone.

Bad::

    <!-- cliplint-disable-next-line well-formed-html -- fixed since -->
    <p>A well-formed paragraph.</p>
    <!-- cliplint-disable-next-line wellformed-html -->
    <!-- cliplint-enable relative-url -->

Good::

    <!-- cliplint-disable-next-line well-formed-html -- the feed's own markup -->
    <p>An <b>unclosed paragraph</p>

Options: none.

Fix: a suppression that hides nothing is removed: safely when the comment is alone on
its line and names no rule that is still needed (the line goes); otherwise (the comment
shares its line, or only some of its rule ids are unused) the fix is unsafe. Unknown ids
and misspelt directives are not fixed: only their author knows what was meant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cliplint.document import Document
from cliplint.model import Finding
from cliplint.rule_io import Violation

ID = "unused-suppression"
SEVERITY = "info"
FIX = "safe"  # the strongest; each violation's fix says whether it is safe or unsafe
FINDINGS = {
    "unused": Finding("info", "a suppression that hid no problem"),
    "unknown-rule": Finding("warning", "a suppression naming a rule that is not installed"),
    "malformed": Finding("warning", "a comment that starts like a suppression and is none"),
}
OPTIONS: dict[str, Any] = {"type": "object", "properties": {}}


def check(document: Document, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Nothing on its own: the engine reports this rule after the others have run on the
    document (see :func:`cliplint.suppressions.unused_violations`)."""
    return iter(())
