"""After ``<!--bare-lf-->``, insert a line with a hard-coded LF: a WRONG fix in a CRLF file."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/bare-lf"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for comment in comments(document, "bare-lf-->"):
        yield Violation(comment.start, comment.end, "bare lf",
                        Fix((Edit(comment.end, comment.end, "\n<!--added-->"),), "safe",
                            "add a line"))
