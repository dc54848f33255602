"""Where a run's report goes (standard output, or --output-file; nothing with -qq),
written whole or as the results come, and the exit status it ends with."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, TextIO, cast

from cliplint.cli import EXIT_CLEAN, EXIT_INTERNAL, EXIT_PROBLEMS, UsageError
from cliplint.streams import open_for_writing, say, writing_descriptor

if TYPE_CHECKING:
    from cliplint.cli.context import LintOptions
    from cliplint.formats import Renderer, RenderOptions, StreamWriter
    from cliplint.model import Problem, Report, Rule
    from cliplint.runner import FileResult


def progress_wanted(options: LintOptions) -> bool:
    """A progress bar on standard error: on a terminal, never in CI, not with -q."""
    from cliplint.progress import wanted

    return wanted() and not options.quiet


def printed(command: Callable[[], int]) -> int:
    """Run a command that only prints ('cliplint rules', 'explain', --show-config,
    --show-files), its output flushed: a reader that stops early (``| head -1``) got what
    it asked for, so the command ends quietly with its own status (0), whether the
    reader went away during a write or at the last flush, however standard output is
    buffered. (A lint run whose reader goes away exits 1, or 0 with --exit-zero: its
    problems were not all reported.)"""
    try:
        status = command()
        sys.stdout.flush()
    except BrokenPipeError:
        return EXIT_CLEAN
    return status


def write_report(report: Report, options: LintOptions, renderer: Renderer,
                 prefix: str = "", stream: TextIO | None = None, *,
                 nothing_selected: Callable[[], bool] | None = None) -> None:
    """The whole report, rendered, after ``prefix``: on ``stream`` (default: standard
    output), or in --output-file. ``nothing_selected``: see
    :class:`cliplint.formats.RenderOptions`."""
    stream = stream or sys.stdout
    text = prefix + renderer(report, _render_options(options, stream, nothing_selected))
    if options.output_file is None:
        if options.quiet >= 2:
            return  # -qq: only the exit status tells
        with _commands_stopped(stream, options) as shown:
            shown.write(text)
            shown.flush()
        return
    try:
        with _open_report(options.output_file) as stream:
            stream.write(text)
    except OSError as error:
        raise _cannot_write(options.output_file, error) from None


def stream_report(results: Iterable[FileResult], rules: Mapping[str, Rule],
                  options: LintOptions, module: str, writer: StreamWriter | None = None, *,
                  nothing_selected: Callable[[], bool] | None = None) -> int:
    """Write the report as ``results`` come, with the ``write_stream`` of the format
    module ``module`` (or ``writer``); the exit status from its tally.
    ``nothing_selected``: see :class:`cliplint.formats.RenderOptions`."""
    import importlib

    writer = writer or importlib.import_module(f"cliplint.formats.{module}").write_stream
    from cliplint.progress import report_writer

    with _report_stream(options) as opened, _commands_stopped(opened, options) as stream:
        def write(text: str) -> None:
            try:
                stream.write(text)
                stream.flush()  # each file's problems as soon as they are known
            except OSError as error:
                if options.output_file is None or isinstance(error, BrokenPipeError):
                    raise  # standard output (main() knows a reader gone), a FIFO's reader
                raise _cannot_write(options.output_file, error) from None

        # The bar on standard error steps aside while report lines reach the terminal.
        shared = progress_wanted(options) and stream.isatty()
        tally = writer(results, rules, _render_options(options, stream, nothing_selected),
                       report_writer(write, shared))
    if tally.internal_errors:
        return EXIT_INTERNAL
    return status(tally.errors > 0, tally.warnings, options)


def exit_status(problems: Sequence[Problem], options: LintOptions) -> int:
    """``status`` of the problems left."""
    errors = any(problem.severity == "error" for problem in problems)
    warnings = sum(1 for problem in problems if problem.severity == "warning")
    return status(errors, warnings, options)


def status(errors: bool, warnings: int, options: LintOptions) -> int:
    """0 or 1 after the report: errors fail the run; warnings only past --max-warnings;
    infos never. --exit-zero wins."""
    if options.exit_zero:
        return EXIT_CLEAN
    if errors:
        return EXIT_PROBLEMS
    if options.max_warnings is not None and warnings > options.max_warnings:
        say(f"{warnings} warning{'s' if warnings != 1 else ''}, more than --max-warnings "
            f"{options.max_warnings}")
        return EXIT_PROBLEMS
    return EXIT_CLEAN


def _render_options(options: LintOptions, stream: TextIO,
                    nothing_selected: Callable[[], bool] | None = None) -> RenderOptions:
    from cliplint.formats import RenderOptions

    to_terminal = options.output_file is None and stream.isatty()
    return RenderOptions(
        show_source=options.show_source,
        color=to_terminal and not os.environ.get("NO_COLOR"),
        statistics=options.statistics,
        summary=not options.quiet,
        max_warnings=options.max_warnings,
        nothing_selected=nothing_selected,
        unsafe_fixes=options.unsafe_fixes,
    )


@contextmanager
def _report_stream(options: LintOptions) -> Iterator[TextIO]:
    """Standard output, or --output-file opened before the run (a bad path fails fast).
    A batched run's report is kept aside until it ends (:func:`_kept_aside`)."""
    if options.output_file is None:
        yield cast(TextIO, Silent()) if options.quiet >= 2 else sys.stdout  # -qq: the exit status only
        return
    if options.batched:
        with _kept_aside(options.output_file) as kept:
            yield kept
        return
    with _closing(_open_report(options.output_file), options.output_file) as stream:
        yield stream


@contextmanager
def _closing(stream: TextIO, path: str) -> Iterator[TextIO]:
    """``stream``, the report file ``path``, closed at the end."""
    try:
        yield stream
    finally:
        try:
            stream.close()
        except BrokenPipeError:
            raise  # a FIFO's reader gone, as in write()
        except OSError as error:
            # A write that failed left its text in the buffer, and closing tries it
            # again: the same words replace write()'s, so the run says it once.
            raise _cannot_write(path, error) from None


@contextmanager
def _kept_aside(path: str) -> Iterator[TextIO]:
    """A report written in a temporary file, then into the file ``path`` once the run has
    ended well: a batched run meets the files a manifest lists as it goes, and one of
    them may be ``path`` (:class:`cliplint.cli.context.WrittenFiles` refuses it then),
    whose clipping opening it to write would have emptied at the start. ``path`` is
    opened at once, without being emptied (a bad path fails fast); a FIFO or a device
    gets the report as it comes, as before."""
    import io
    import shutil
    import stat
    import tempfile

    try:
        descriptor = writing_descriptor(path, truncate=False)
    except OSError as error:
        raise _cannot_write(path, error) from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        with _closing(open(descriptor, "w", encoding="utf-8"), path) as stream:
            yield stream
        return
    with open(descriptor, "wb") as target, tempfile.TemporaryFile() as spool:
        kept = io.TextIOWrapper(spool, encoding="utf-8")
        yield kept
        kept.flush()
        spool.seek(0)
        try:
            target.truncate(0)
            shutil.copyfileobj(spool, target)
            target.flush()
        except OSError as error:
            raise _cannot_write(path, error) from None
        kept.detach()  # (the spool is closed once, by its own with)


@contextmanager
def _commands_stopped(stream: TextIO, options: LintOptions) -> Iterator[TextIO]:
    """``stream``, for the text report, wrapped in GitHub Actions' ``::stop-commands::``
    when it goes to the job's log: the runner runs any line that starts with ``::`` once
    trimmed (``::error``, ``::add-mask::``) and any holding ``##[add-mask]``, and the text
    report starts its lines with file names and quotes clippings' lines (``--show-source``),
    both scraped. The other formats are read by programs (and ``github`` escapes its
    own); a report file is not the log."""
    if (options.format != "text" or options.output_file is not None
            or os.environ.get("GITHUB_ACTIONS") != "true"):
        yield stream
        return
    stopped = _CommandsStopped(stream)
    try:
        yield cast(TextIO, stopped)
    except BaseException:
        # Ended early (Ctrl-C, a crash, a reader gone): still resume the commands, or the
        # runner would ignore those of every later step of the job. Whatever failed here
        # is the error to report, not this write's.
        with suppress(OSError, ValueError):
            stopped.resume()
        raise
    stopped.resume()


class _CommandsStopped:
    """A stream whose text comes between ``::stop-commands::TOKEN`` and ``::TOKEN::``: the
    runner runs no workflow command in between. The token is random, so a clipping cannot
    hold the line that resumes them. The first line comes before the first text, so an
    empty report (``-q``, nothing found) writes nothing."""

    def __init__(self, stream: TextIO) -> None:
        import secrets

        self._stream = stream
        self._token = secrets.token_hex(16)
        self._stopped = False
        self._at_line_start = True

    def write(self, text: str) -> int:
        if not text:
            return 0
        if not self._stopped:
            self._stream.write(f"::stop-commands::{self._token}\n")
            self._stopped = True
        self._at_line_start = False  # until the write is done: it may be cut short
        written = self._stream.write(text)
        self._at_line_start = text.endswith("\n")
        return written

    def resume(self) -> None:
        if self._stopped:
            # On a line of its own: the runner reads a command only at a line's start.
            line_break = "" if self._at_line_start else "\n"
            self._stream.write(f"{line_break}::{self._token}::\n")
            self._stream.flush()
            self._stopped = False

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()


def _open_report(path: str) -> TextIO:
    try:
        return open_for_writing(path)
    except OSError as error:
        raise _cannot_write(path, error) from None


def _cannot_write(path: str, error: OSError) -> UsageError:
    """A report file that cannot be opened or written to its end (a full disk, a file
    size limit): the file's fault, not cliplint's."""
    return UsageError(f"cannot write {path}: {error.strerror or error}")


class Silent:
    """Where the report and the run's notices go with -qq: nowhere."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False
