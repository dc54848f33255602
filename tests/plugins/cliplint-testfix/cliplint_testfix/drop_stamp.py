"""With ``<!--drop-stamp-->`` in the body, delete the timestamp comment's line: a WRONG
fix (the clipping loses its timestamp; the title's line becomes the first)."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/drop-stamp"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    header = document.header
    if header.timestamp is None or not any(comments(document, "drop-stamp")):
        return
    end = document.text.index("\n", header.timestamp.end) + 1
    yield Violation(0, end, "drop-stamp", Fix((Edit(0, end, ""),), "safe", "drop"))
