"""A time budget per file: checks still running after ``file-timeout`` seconds are
stopped, and the file gets one ``file-timeout`` problem instead of its results.

The mechanism is a POSIX interval timer (``setitimer``) in the process doing the work,
the main process with ``--jobs 1`` or a worker of the pool: when it expires, its
``SIGALRM`` handler raises :class:`FileTimeout` inside whatever Python code is running,
a rule, html5lib or a regular expression (CPython's ``re`` checks for signals while it
backtracks), and again every ``REPEAT`` seconds should one be lost where Python cannot
pass an exception on (a garbage-collector callback, a ``__del__``; Python's "Exception
ignored" report of it is left out, and only of it). The worker then goes
on with its next file; nothing has to be killed and replaced, so no other file's work
is lost. Code that never returns to the interpreter
(a C extension's endless loop) is not stopped; cliplint's own rules have none.

Without ``setitimer`` (Windows), or off the main thread (Dask runs tasks in threads),
there is no budget: a signal can only be handled by a process's main thread.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

from cliplint.model import FILE_TIMEOUT, Problem, Rule, file_problem

T = TypeVar("T")


class FileTimeout(BaseException):
    """The file's time budget ran out. A ``BaseException`` (as ``KeyboardInterrupt``): a
    rule's or the engine's ``except Exception`` must not take it for a crash."""


def within_budget(work: Callable[[], T], seconds: float | None, *, path: str,
                  rules: Iterable[Rule]) -> T | Problem:
    """``work()``, or the ``file-timeout`` problem of ``path`` when it takes longer than
    ``seconds`` (``None`` or 0: no budget)."""
    try:
        with _timer(seconds):
            return work()
    except FileTimeout as timeout:
        return timeout_problem(path, seconds or 0, _running(timeout, rules))


#: Seconds between a budget's alarms once it has run out (see ``_timer``).
REPEAT = 0.05


@contextmanager
def _timer(seconds: float | None) -> Iterator[None]:
    if (not seconds or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0):  # already within a budget
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise FileTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    previous_hook = sys.unraisablehook
    # Again every REPEAT seconds after the first: a FileTimeout raised where Python
    # cannot pass it on (inside a garbage-collector callback or a __del__) is lost, and
    # raised again, instead of letting the file run without a budget. Python would print
    # the lost one on standard error as "Exception ignored", with a traceback: it is
    # expected, and not the user's concern.
    sys.unraisablehook = _quiet_about_timeouts(previous_hook)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = previous_hook


def _quiet_about_timeouts(
        hook: Callable[[sys.UnraisableHookArgs], object],
) -> Callable[[sys.UnraisableHookArgs], None]:
    """``hook``, but silent about a :class:`FileTimeout` (see ``_timer``)."""
    def quiet(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, FileTimeout):
            hook(unraisable)
    return quiet


def _running(timeout: FileTimeout, rules: Iterable[Rule]) -> tuple[str | None, bool]:
    """The rule whose code was running when ``timeout`` was raised (the innermost frame
    of a rule module), and whether the body was being parsed for it (html5lib, or
    cliplint's parser built on it, which runs html5lib's hot loops in its own code)."""
    modules = {rule.module: rule.id for rule in rules if rule.module}
    rule = None
    parsing = False
    trace = timeout.__traceback__
    while trace is not None:
        name = trace.tb_frame.f_globals.get("__name__", "")
        if name in modules:
            rule = modules[name]
        parsing = parsing or name.startswith("html5lib") or name == "cliplint.html_parse"
        trace = trace.tb_next
    return rule, parsing


def timeout_problem(path: str, seconds: float, running: tuple[str | None, bool]) -> Problem:
    rule, parsing = running
    where = ("while parsing the body" + (f" for rule {rule}" if rule else "") if parsing
             else f"in rule {rule}" if rule else "in the engine")
    message = (f"checks stopped after {seconds:g} s (file-timeout), {where}; "
               "the file's other problems are not reported")
    return file_problem(path, FILE_TIMEOUT, message)
