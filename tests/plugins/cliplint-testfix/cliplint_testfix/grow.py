"""``<!--grow...-->`` gains a ``+`` on every pass: fixes that never end (the pass cap)."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/grow"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for comment in comments(document, "grow"):
        at = comment.end - 3
        yield Violation(comment.start, comment.end, "grow",
                        Fix((Edit(at, at, "+"),), "safe", "grow"))
