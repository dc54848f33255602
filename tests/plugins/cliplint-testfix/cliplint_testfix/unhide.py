"""After ``<!--unhide-->``, delete the next ``<script>`` start tag: a WRONG fix that makes
the script's text visible (unsafe, so only --unsafe-fixes tries it)."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/unhide"
SEVERITY = "warning"
FIX = "unsafe"


def check(document, options):
    for comment in comments(document, "unhide"):
        start = document.text.find("<script>", comment.end)
        if start != -1:
            end = start + len("<script>")
            yield Violation(start, end, "script", Fix((Edit(start, end, ""),), "unsafe",
                                                      "drop the script tag"))
