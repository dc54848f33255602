"""After ``<!--lossy-->``, the next paragraph is emptied: a WRONG fix (text lost by a
replacement, not a removed block); the fixer must refuse it."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/lossy"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for comment in comments(document, "lossy"):
        for element in document.body.elements("p"):
            span = document.body.element_span(element)
            if span and span[0] > comment.start and span[1] - span[0] > len("<p></p>"):
                yield Violation(span[0], span[1], "lossy paragraph",
                                Fix((Edit(span[0], span[1], "<p></p>"),), "safe", "empty it"))
                return
