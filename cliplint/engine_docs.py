"""The documentation of the problems the engine reports without a rule module behind
them, written as a rule module's docstring is (summary line, why, what to do): ``cliplint
explain``, ``docs/rules/<id>.md`` and the SARIF report show them as they show a rule's."""

from __future__ import annotations

from cliplint.model import (
    FILE_TIMEOUT,
    FILE_TOO_LARGE,
    FILE_UNREADABLE,
    FIX_REFUSED,
    INTERNAL_ERROR,
    Severity,
)

#: An engine problem's documentation and severity, by id.
ENGINE_DOCS: dict[str, tuple[Severity, str]] = {
    FILE_UNREADABLE: ("error", """\
The file could not be read as a text clipping; no rule ran on it.

Why: a clipping is UTF-8 text. A file that cannot be read, or that is binary or in
another encoding, cannot be checked at all, so cliplint says so rather than skip it in
silence.

Reported when: reading failed (the message gives the system's reason, e.g.
``Permission denied``); the path is not a regular file (a FIFO or a device named on the
command line, a folder listed in ``--paths-from``'s manifest, which is not walked); the
file holds NUL bytes (binary, or UTF-16 or UTF-32 text, which the message names when a
byte-order mark says so); it is not valid UTF-8 (the message gives the first bad byte
and its offset), or, given to the library as a str, holds a lone surrogate; an object named by URL does not exist; a folder to walk cannot be
listed or entered (``Permission denied``: the problem is the folder's, and none of the
clippings in it were checked); the storage refuses an object to the run's credentials
(``Access Denied``), or will not read it before it is restored (an object in S3 Glacier
Flexible Retrieval or Deep Archive, or an archive tier of Intelligent-Tiering:
``InvalidObjectState``, with its storage class); the other files are linted as ever.
Credentials the storage does not take at all (an unknown key, a wrong secret, an
expired token) are no file's problem: the run stops, exit 2.

What to do: re-encode the file as UTF-8, remove it from the archive, or exclude it
(``extend-exclude`` in the configuration); give the user who runs cliplint leave to read
the file, and to list and enter (``r`` and ``x``) its folders; restore an archived object
(``aws s3api restore-object``, then wait for the restore) or exclude it.

Fix: none."""),
    FILE_TOO_LARGE: ("warning", """\
The file is larger than ``max-file-size`` and was not linted.

Why: parsing the HTML of a huge body takes html5lib seconds to minutes (a 2 MB body
about ten), and a clipping of that size is almost always a mistake of the scraper. The
file is skipped with this warning instead of slowing the whole run down.

What to do: look at the file; if it is a real clipping, raise ``max-file-size`` (bytes,
default 2097152) in the configuration. ``--fix`` leaves such a file untouched, and
``cliplint -`` hands such standard input back as it came.

Fix: none."""),
    INTERNAL_ERROR: ("error", """\
A rule crashed on this file: a bug in that rule, not a problem of the clipping.

Why: one rule's bug must not stop the run. The rule's other findings in this file are
lost, but every other rule still ran on it and every other file was still linted; the
run exits with status 3 so that CI notices.

The message names the rule and the exception, e.g. ``rule title-link crashed:
ValueError: ...``.

What to do: report it to the rule's authors (for cliplint's own rules, cliplint's issue
tracker) with the clipping that makes it crash; ``CLIPLINT_DEBUG=1`` shows the
traceback of crashes of cliplint itself. Meanwhile ``per-file-ignores`` can switch the
rule off for that file.

Fix: none."""),
    FIX_REFUSED: ("error", """\
Fixes were found for this file but not written: a check before writing failed.

Why: ``--fix`` must never lose a paragraph. Before a fixed file is written, the fixed
text is linted again until nothing fixable is left (at most 10 passes), and each pass
must keep the file readable (no NUL, nothing UTF-8 cannot write), keep the body's
visible text (except inside the blocks a fix removes on purpose), add no HTML parse
error and leave the front matter and title line alone. When a check
fails, or the passes do not settle, the file stays exactly as it was.

The message names the check and the rules whose fixes failed it, e.g. ``fix refused
(visible-text) for aggregator-boilerplate: ...; nothing written``. A file that could not
be written (permissions, a symlink out of the linted tree) is reported the same way,
with the system's reason.

What to do: look at the file with ``cliplint --diff FILE`` and fix it by hand, or switch
the named rule's fixes off for it (``--ignore RULE`` for that run); please report a
refusal you did not expect.

Fix: none."""),
    FILE_TIMEOUT: ("error", """\
The file's checks ran longer than ``file-timeout`` seconds and were stopped.

Why: one hostile or enormous clipping must not hold a whole run (or a pre-commit hook)
hostage. Each file gets a time budget; when its checks (or its fixes) run past it, they
are stopped, this one problem stands for the file's findings, and the run goes on with
the next file. A timed-out result is never cached.

The message names the rule that was running, or says that the body's HTML parse was
running for it.

What to do: look at the file (a body of megabytes, thousands of unclosed elements); if it
is a real clipping on a slow machine, raise ``file-timeout`` (seconds, default 60; 0
turns the budget off) in the configuration or with ``--file-timeout``, and please report
a rule that needs that long.

Fix: none."""),
}
