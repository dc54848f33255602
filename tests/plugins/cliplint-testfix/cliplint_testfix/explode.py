"""``<!--explode-->`` becomes ``<!--exploded-->``, on which this very rule crashes: the
fixer must not write a text a rule cannot check."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/explode"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    if "<!--exploded-->" in document.text:
        raise ValueError("boom")
    for comment in comments(document, "explode-->"):
        yield Violation(comment.start, comment.end, "explode",
                        Fix((Edit(comment.start + 4, comment.end - 3, "exploded"),), "safe",
                            "explode"))
