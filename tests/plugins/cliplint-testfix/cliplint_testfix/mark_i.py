"""``<i class="t">`` start tags carry ``data-seen``: see ``testfix/upper-i``."""
from cliplint import Edit, Fix, Violation

ID = "testfix/mark-i"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for token in document.body.tokens:
        if (token.kind == "StartTag" and token.name == "i"
                and token.attributes.get("class") == "t" and "data-seen" not in token.attributes):
            at = token.start + 2
            yield Violation(token.start, token.end, "unmarked i",
                            Fix((Edit(at, at, " data-seen"),), "safe", "mark it"))
