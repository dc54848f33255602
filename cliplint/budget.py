"""A time budget per file: checks still running after ``file-timeout`` seconds are
stopped, and the file gets one ``file-timeout`` problem instead of its results.

The mechanism is a POSIX interval timer (``setitimer``) in the process doing the work,
the main process with ``--jobs 1`` or a worker of the pool: when it expires, its
``SIGALRM`` handler raises :class:`FileTimeout` inside whatever Python code is running,
a rule, html5lib or a regular expression (CPython's ``re`` checks for signals while it
backtracks), and again every ``REPEAT`` seconds should one be lost where Python cannot
pass an exception on (a garbage-collector callback, a ``__del__``; Python's "Exception
ignored" report of it is left out, and only of it), or held back because a module was
being imported (a module stopped halfway would stay broken). The worker then goes
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
from collections.abc import Callable, Iterable
from types import FrameType
from typing import TypeVar

from cliplint.model import FILE_TIMEOUT, FileTimeout, Problem, Rule, file_problem
from cliplint.streams import printing_aside

__all__ = ["FileTimeout", "within_budget"]

T = TypeVar("T")


def within_budget(work: Callable[[], T], seconds: float | None, *, path: str,
                  rules: Iterable[Rule]) -> T | Problem:
    """``work()``, or the ``file-timeout`` problem of ``path`` when it takes longer than
    ``seconds`` (``None``, 0 or more than :data:`LONGEST`: no budget). The work is the
    rules' on one file (or a reduce step): what they print goes to standard error, not
    into the report (:func:`cliplint.streams.printing_aside`)."""
    with printing_aside():
        return _within_budget(work, seconds, path=path, rules=rules)


def _within_budget(work: Callable[[], T], seconds: float | None, *, path: str,
                   rules: Iterable[Rule]) -> T | Problem:
    if seconds is None or not _can_time(seconds):
        return work()
    active = True

    def expire(signum: int, frame: FrameType | None) -> None:
        # Once the budget is over (``active`` cleared) an alarm still on its way does
        # nothing. Nor is a module half executed interrupted: Python would drop it from
        # sys.modules but keep what it had already imported, leaving later files to run
        # with broken modules; the next alarm, REPEAT seconds on, stops the file instead.
        if active and not _importing(frame):
            raise FileTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    previous_hook = sys.unraisablehook
    # Again every REPEAT seconds after the first: a FileTimeout raised where Python
    # cannot pass it on (inside a garbage-collector callback or a __del__) is lost, and
    # raised again, instead of letting the file run without a budget. Python would print
    # the lost one on standard error as "Exception ignored", with a traceback: it is
    # expected, and not the user's concern.
    sys.unraisablehook = _quiet_about_timeouts(previous_hook)
    try:
        try:
            # Armed inside the try: an alarm as soon as setitimer returns (a tiny budget)
            # is this file's timeout, and the finally below still disarms the timer.
            signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)
            return work()
        finally:
            # First, before anything that lets Python run a signal handler (a call, a
            # loop): from here on an alarm cannot raise, so the timer is always disarmed
            # and no FileTimeout reaches code outside the budget.
            active = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            sys.unraisablehook = previous_hook
    except FileTimeout as timeout:
        return timeout_problem(path, seconds, _running(timeout, rules))


#: Seconds between a budget's alarms once it has run out (see ``within_budget``).
REPEAT = 0.05

#: The longest budget the timer is given: what a 32-bit ``time_t`` holds (68 years;
#: with a 64-bit one setitimer refuses more than about 292 years). A longer one, as
#: written in a configuration to mean "never", is no budget: no run outlives it anyway.
LONGEST = 2**31 - 1


def _can_time(seconds: float) -> bool:
    """Whether this process can keep a budget of ``seconds`` (a positive number up to
    LONGEST; NaN and infinity, refused where the setting is read, are no budget here)."""
    return (0 < seconds <= LONGEST
            and hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0)  # not already within one


def _importing(frame: FrameType | None) -> bool:
    """Whether ``frame`` runs within an import (Python's import machinery is on the
    stack: a module's body being executed)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib."):
            return True
        frame = frame.f_back
    return False


def _quiet_about_timeouts(
        hook: Callable[[sys.UnraisableHookArgs], object],
) -> Callable[[sys.UnraisableHookArgs], None]:
    """``hook``, but silent about a :class:`FileTimeout` (see ``within_budget``)."""
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
