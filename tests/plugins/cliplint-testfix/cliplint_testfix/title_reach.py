"""With ``<!--title-reach-->`` in the body, delete from the title's last character to the
end of the underline: a WRONG fix (it reaches across the title's end into the header)."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/title-reach"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    header = document.header
    if header.title is None or header.underline is None or not any(
            comments(document, "title-reach")):
        return
    start, end = header.title.end - 1, header.underline.end
    yield Violation(start, end, "title-reach", Fix((Edit(start, end, ""),), "safe", "reach"))
