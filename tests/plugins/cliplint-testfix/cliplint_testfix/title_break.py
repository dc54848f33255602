"""With ``<!--title-break-->`` in the body, put a line break inside the title's text: a
WRONG fix (an edit inside the title that adds a line break)."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/title-break"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    link = document.title_link
    if link is None or not any(comments(document, "title-break")):
        return
    at = link.text.start + 1
    if "\n" not in document.text[link.text.start:link.text.end]:
        yield Violation(at, at, "title-break", Fix((Edit(at, at, "\n"),), "safe", "break"))
