"""``<!--noop-->`` gets a fix that changes nothing: a rule bug the fixer must catch."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/noop"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for comment in comments(document, "noop-->"):
        yield Violation(comment.start, comment.end, "noop",
                        Fix((Edit(comment.start + 4, comment.start + 8, "noop"),), "safe", "noop"))
