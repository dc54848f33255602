"""``onclick`` attributes go (a correct attribute deletion, unsafe like active-content's)."""
import re

from cliplint import Edit, Fix, Violation

ID = "testfix/drop-onclick"
SEVERITY = "warning"
FIX = "unsafe"
_ATTRIBUTE = re.compile(r'\s+onclick="[^"]*"')


def check(document, options):
    for token in document.body.tokens:
        if token.kind == "StartTag" and "onclick" in token.attributes:
            match = _ATTRIBUTE.search(document.text, token.start, token.end)
            if match:
                yield Violation(token.start, token.end, "onclick attribute",
                                Fix((Edit(match.start(), match.end(), ""),), "unsafe",
                                    "remove the onclick attribute"))
