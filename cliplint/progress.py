"""The progress bar of long runs: tqdm on standard error, with the total, the percentage
and the time left, shown only on a terminal, never in CI, and only once a run has taken
a moment (a pre-commit run on one file never shows one).

The bar shares the terminal with a report streamed to standard output: ``report_writer``
clears it while report lines are written and draws it again after, so neither garbles
the other. tqdm is imported only when a bar is drawn.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

#: Seconds a run must take before its bar shows.
DELAY = 0.5


def wanted() -> bool:
    """Whether a bar may be drawn: standard error is a terminal and this is not CI.
    (None: standard error was closed when Python started.)"""
    return sys.stderr is not None and sys.stderr.isatty() and not os.environ.get("CI")


class Count:
    """The number of files a run will lint, counted in a background thread while the
    run goes on (a streamed run takes the files as they are found, so it cannot know
    how many there are before it starts). ``value`` is None until the count is done."""

    def __init__(self, items: Iterable[object]) -> None:
        import threading  # (here: a run that shows no bar, a pre-commit run, never needs it)

        self.value: int | None = None
        self._items = items
        self._thread = threading.Thread(target=self._count, daemon=True,
                                        name="cliplint-count")
        self._thread.start()

    def _count(self) -> None:
        try:
            self.value = sum(1 for _ in self._items)
        except Exception:  # a folder that vanished: the bar goes on without a total
            pass


@contextmanager
def bar(total: int | Count | None, unit: str = "file", description: str = "",
        shown: bool = True) -> Iterator[Callable[[int], object]]:
    """A bar of ``total`` steps (a :class:`Count` sets it when known); yields the function
    that advances it. Nothing is drawn when not ``shown`` or when there is nothing to do."""
    if not shown or total == 0:
        yield _nothing
        return
    from tqdm import tqdm

    known = total.value if isinstance(total, Count) else total
    with tqdm(total=known, unit=unit, desc=description or None, file=sys.stderr,
              delay=DELAY, leave=False, dynamic_ncols=True) as progress:
        if not isinstance(total, Count):
            yield progress.update
            return

        def advance(steps: int) -> None:
            if progress.total is None and total.value is not None:
                progress.total = total.value  # percentage and time left from here on
                if _drawn(progress):
                    # (refresh draws whatever the delay: a bar drawn inside it, which a
                    # report line did not clear, shared that line with it)
                    progress.refresh()
            progress.update(steps)

        yield advance


def _nothing(steps: int) -> None:
    pass


def report_writer(write: Callable[[str], Any], shown: bool) -> Callable[[str], Any]:
    """``write`` for a report streamed while a bar may be on the terminal: a bar that
    is drawn is cleared while the text is written and drawn again after (tqdm's
    ``external_write_mode`` would also draw a bar still inside its delay)."""
    if not shown:
        return write

    def clear_then_write(text: str) -> None:
        from tqdm import tqdm

        with tqdm.get_lock():  # type: ignore[no-untyped-call]
            drawn = [each for each in list(getattr(tqdm, "_instances", ())) if _drawn(each)]
            for each in drawn:
                each.clear(nolock=True)
            write(text)
            for each in drawn:
                each.refresh(nolock=True)

    return clear_then_write


def _drawn(progress: Any) -> bool:
    """Whether a tqdm bar is on the terminal: it has printed since its delay ran out
    (tqdm prints nothing before, but for a refresh, which this module asks only of a
    drawn bar)."""
    return not progress.disable and progress.last_print_t >= progress.start_t + progress.delay
