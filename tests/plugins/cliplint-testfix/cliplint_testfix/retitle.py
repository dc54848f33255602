"""With ``<!--retitle-->`` in the body, replace the title's text by ``Retitled``: an edit
inside the title, which the fixer lets through."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/retitle"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    link = document.title_link
    if link is None or not any(comments(document, "retitle")):
        return
    if document.text[link.text.start:link.text.end] != "Retitled":
        yield Violation(link.text.start, link.text.end, "retitle",
                        Fix((Edit(link.text.start, link.text.end, "Retitled"),), "safe",
                            "retitle"))
