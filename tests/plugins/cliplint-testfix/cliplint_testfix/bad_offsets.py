"""``<!--bad-offsets-->`` gets a fix whose edit has no offsets at all: a plugin bug that
must cost one file (an internal error), never the run."""
from cliplint import Edit, Fix, Violation
from cliplint_testfix._util import comments

ID = "testfix/bad-offsets"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for comment in comments(document, "bad-offsets-->"):
        yield Violation(comment.start, comment.end, "bad offsets",
                        Fix((Edit(None, None, ""),), "safe", "nonsense"))  # type: ignore[arg-type]
