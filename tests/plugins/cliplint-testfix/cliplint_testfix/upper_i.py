"""``<i class="t">`` start tags are written ``<I``: with ``testfix/mark-i`` a pair of
rules whose fixes touch the same tag, so one waits for the next pass."""
from cliplint import Edit, Fix, Violation

ID = "testfix/upper-i"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for token in document.body.tokens:
        if (token.kind == "StartTag" and token.name == "i"
                and token.attributes.get("class") == "t" and document.text[token.start + 1] == "i"):
            yield Violation(token.start, token.end, "lower-case i",
                            Fix((Edit(token.start + 1, token.start + 2, "I"),), "safe",
                                "upper-case the tag name"))
