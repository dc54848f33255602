"""``<!--ping-->`` and ``<!--pong-->`` turn into each other: fixes that never converge
(a repeated state)."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/ping"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for word, other in (("ping", "pong"), ("pong", "ping")):
        for comment in comments(document, word + "-->"):
            yield Violation(comment.start, comment.end, word,
                            Fix((Edit(comment.start + 4, comment.start + 8, other),), "safe",
                                f"{word} to {other}"))
