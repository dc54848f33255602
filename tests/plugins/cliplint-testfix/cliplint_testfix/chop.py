"""After ``<!--chop-->``, delete from the next ``<p>`` to the middle of its text: a WRONG
removal (not a block: it opens an element it does not close)."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/chop"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for comment in comments(document, "chop"):
        start = document.text.find("<p>", comment.end)
        if start != -1:
            end = start + len("<p>") + 3
            yield Violation(start, end, "chop", Fix((Edit(start, end, ""),), "safe", "chop"))
