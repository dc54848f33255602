"""After ``<!--add-line-->``, insert a line ending with the file's own newline."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/add-line"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for comment in comments(document, "add-line-->"):
        if document.text.startswith(document.newline() + "<!--added-->", comment.end):
            continue
        yield Violation(comment.start, comment.end, "add a line",
                        Fix((Edit(comment.end, comment.end, document.newline() + "<!--added-->"),),
                            "safe", "add a line"))
