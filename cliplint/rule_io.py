"""What a rule's steps yield and are given besides the document: a check's
:class:`Violation`; an archive rule's :class:`ArchiveEntry` (what ``reduce`` is given)
and :class:`ArchiveViolation` (what it yields); an online step's :class:`OnlineURL`,
:class:`Answer` and :class:`Verdict`.

Apart from :mod:`cliplint.model` because only a run that lints a file or reduces an
archive needs them: a run answered from the cache never defines these classes (a frozen
dataclass costs about a third of a millisecond to define, a named tuple a tenth).
Plugins import them from :mod:`cliplint.api`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

# At run time, not for type checkers alone: typing.get_type_hints (and the plugin tools
# that read hints through it) resolves the fields' annotations in this module. Whatever
# imports this module has imported cliplint.model already.
from cliplint.model import Fix, Related, Severity


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule's ``check`` yields: a span of the document text and a message.

    ``start``/``end`` are code-point offsets into ``Document.text``; the engine turns
    them into lines and columns.
    """

    start: int
    end: int
    message: str
    fix: Fix | None = None
    #: Overrides the rule's default severity for this violation (a user's configured
    #: severity for the rule still wins).
    severity: Severity | None = None
    #: Which of the rule's ``FINDINGS`` this is: its severity is the finding's (unless
    #: ``severity`` says otherwise). None: the rule's default severity.
    kind: str | None = None


class ArchiveEntry(NamedTuple):
    """One file of the archive as an archive rule's reduce step sees it: its path relative
    to the archive's root (``/`` separators), and the record its map step made of it
    (``None`` when the file could not be read, or the rule has no map step).

    ``focus`` is False for a file whose problems the run does not show (a run given some
    files of an archive shows only the problems about them or naming them): a rule may
    skip the work of problems that concern no focused file; the engine drops them
    anyway, so a rule that ignores ``focus`` is just slower.

    ``link_to`` is, for a file that is a symlink to another file of the archive
    (``latest.md -> 2024/x.md``, both found by a folder's walk, or named on the command line
    or in ``--paths-from``'s manifest), or that was named through a symlinked folder
    (``cur/x.md``, or the folder ``cur``, given with ``cur -> 2024``), that file's ``path``: one
    file under two names, which a rule comparing contents should not take for two. None
    otherwise, for URLs, and in :func:`cliplint.lint_archive`'s runs, whose clippings are
    texts (a ``--scheduler`` run and :func:`cliplint.dask.lint_paths` look behind the local
    paths they are given, walk or read in a manifest)."""

    path: str
    record: Any
    focus: bool = True
    link_to: str | None = None


@dataclass(frozen=True, slots=True)
class ArchiveViolation:
    """What an archive rule's ``reduce`` yields: a problem with one file of the archive
    (``path`` as in :class:`ArchiveEntry`), which may name other files (``related``, their
    paths as in :class:`ArchiveEntry` too)."""

    path: str
    message: str
    related: tuple[Related, ...] = ()
    severity: Severity | None = None
    kind: str | None = None  # as in Violation


class OnlineURL(NamedTuple):
    """What a rule's online step ``online_urls(document, options)`` yields: a URL to ask
    for, and the span of the document it stands for. ``note`` is added to the message of
    every problem found there, in parentheses (say which of several URLs it was).
    ``accept`` is the request's ``Accept`` header."""

    url: str
    start: int
    end: int
    note: str = ""
    accept: str = "*/*"


class Answer(NamedTuple):
    """What asking for an :class:`OnlineURL` got, as a rule's ``online_judge(answer,
    options)`` sees it. Redirects are not followed (a 3xx is the answer).

    ``status`` is None when there was no answer; ``failure`` then says why, as a phrase
    that reads after the thing that was asked (``"did not answer within 10s"``,
    ``"not reached: ConnectError: ..."``, ``"not checked: ... resolves to a loopback
    address ..."``), and ``checked`` is False when the engine did not even ask (a host
    it may not contact, a name it cannot resolve). ``headers`` have lower-case names.
    ``body`` holds the first 64 KB of an answer that is not 2xx (error answers explain
    themselves there), and nothing for a 2xx answer (it is never downloaded)."""

    url: str
    status: int | None
    reason: str = ""
    headers: Mapping[str, str] = {}
    body: bytes = b""
    failure: str | None = None
    checked: bool = True


class Verdict(NamedTuple):
    """What a rule's ``online_judge`` returns when an answer is a problem (None when it
    is fine): the message, and the kind of finding (see :class:`Finding`) or a severity,
    as in :class:`Violation`."""

    message: str
    kind: str | None = None
    severity: Severity | None = None
