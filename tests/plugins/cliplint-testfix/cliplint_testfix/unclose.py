"""After ``<!--unclose-->``, delete the next ``</b>``: a WRONG fix that keeps the visible
text but adds an html5lib parse error."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/unclose"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for comment in comments(document, "unclose"):
        start = document.text.find("</b>", comment.end)
        if start != -1:
            yield Violation(start, start + 4, "unclose",
                            Fix((Edit(start, start + 4, ""),), "safe", "drop </b>"))
