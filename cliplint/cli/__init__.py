"""The command line: a thin layer over the config, runner and formats.

One module per job: ``parser`` (the arguments), ``context`` (what a lint or fix run is
given: the options, the installed rules and formats, the settings), the commands
``lint`` (with --watch), ``fix``, ``rules`` and ``explain``, and what they share:
``inputs`` (the files or standard input), ``results`` (archive rules and the baseline),
``output`` (the report and the exit status), ``show`` (--show-config, --show-files),
``batched`` (--scheduler, URLs, --paths-from). Each is imported when a command needs it:
start-up is most of a one-file run's time.

Exit status: 0 no problems left; 1 problems left; 2 usage, config or plugin error, or a
path that does not exist; 3 a rule crashed (the other files were still linted);
130 interrupted (Ctrl-C, SIGINT); 143 terminated (SIGTERM).

SIGTERM (``kill``, a CI job cancelled, ``timeout``, systemd or docker stopping a service)
ends a run as Ctrl-C does, not on the spot: the main process stops handing out files,
the worker processes finish the files they are on (a file a ``--fix`` is writing is
written whole and renamed into place), the cache commits what it has, and the command
says ``terminated`` and ends by SIGTERM after all (:func:`_pass_on_sigterm`: a shell
says 143, 128 + 15; ``main`` called by a program that handles SIGTERM itself returns
143 after its handler ran). Sent to the whole process group (a CI runner, systemd), it
ends the workers too, each once the file it is writing is in place (cliplint.writer
holds the signal meanwhile). A second signal while that happens ends the run at once,
as a second Ctrl-C does. A ``--fix`` run says first how many files it had fixed, and
that the others were not changed (:mod:`cliplint.cli.fix`).
"""

from __future__ import annotations

# The signal module's C core, which the interpreter loads as it starts: importing
# ``signal`` itself (it builds its enums) costs about half a millisecond (-X importtime),
# and every run sets the SIGTERM handler below; a cache hit needs nothing else of it.
# (typeshed has no stub for it.)
import _signal as signal  # type: ignore[import-not-found]
import errno
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import NoReturn

from cliplint.streams import flush_standard_streams, say

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
#: A run ended by SIGTERM: 128 + 15, as a shell reports a process that signal killed.
EXIT_TERMINATED = 143


class UsageError(Exception):
    """Bad command line, config or plugin: exit status 2."""


class MissingPaths(UsageError):
    """Paths named to a run where nothing is (``path does not exist: nope.md``):
    ``missing`` maps why, as :func:`cliplint.files.why_missing` says it, to the paths,
    in the order named; ``hints`` adds words after a path (see :func:`_command`)."""

    def __init__(self, missing: Mapping[str, Sequence[str]],
                 hints: Mapping[str, str] | None = None) -> None:
        said = hints or {}
        super().__init__("; ".join(
            f"{why}: {', '.join(path + said.get(path, '') for path in named)}"
            for why, named in missing.items()))
        self.missing = missing


#: The subcommands, named first (any other first argument is a lint run's path or
#: option): the module and function of each, imported when it runs.
SUBCOMMANDS = {"rules": ("cliplint.cli.rules", "rules_command"),
               "explain": ("cliplint.cli.explain", "explain_command"),
               "server": ("cliplint.cli.server", "server_command")}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is as Ctrl-C raises ``KeyboardInterrupt`` (whose
    subclass it is: whatever cleans up after Ctrl-C cleans up after it too)."""


def _pass_on_sigterm() -> None:
    """After a run SIGTERM ended (and cleaned up after), the signal handed to what handled
    it before the run: by default the process ends by it, as the one who sent it expects
    (a shell says 143; a service manager counts it a clean stop, where exit status 143
    would be a failure; the resident server's client ends by it too). What is written
    so far is flushed first: a process a signal ends does not flush its buffers."""
    flush_standard_streams(ignoring=(OSError, ValueError))
    signal.raise_signal(signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None:  # its descriptor was closed when Python started (`>&-`)
        say("error: standard output is closed (redirect it to /dev/null to discard the "
            "report)")
        return EXIT_USAGE
    if sys.stderr is None:  # closed when Python started (`2>&-`): its messages are dropped
        _stderr_to_nowhere()
    _escape_what_output_cannot_encode()
    # SIGTERM raises Terminated while the command runs; then the handler that was there is
    # put back (a library, a test or the resident server call main too) and given the
    # signal. Noted as it comes: what it raised may reach here as a KeyboardInterrupt
    # (watchfiles turns an exception a signal handler raised into one).
    terminated: list[int] = []
    owner = os.getpid()

    def terminate(number: int, frame: object) -> None:
        if os.getpid() != owner:
            # A process forked from this one (a worker, before it sets its own handling;
            # the pool terminates a worker it gives up on with SIGTERM): ended by it as
            # by default, not raising in whatever it was starting.
            signal.signal(number, signal.SIG_DFL)
            signal.raise_signal(number)
            return
        terminated.append(number)
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread, where alone a handler can be set
        previous = None
    try:
        status = _status(arguments)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if status != EXIT_INTERRUPTED:
        return status
    if terminated:
        say("terminated")
        _pass_on_sigterm()  # by default the process ends here
        return EXIT_TERMINATED
    say("interrupted")
    return EXIT_INTERRUPTED


def _status(arguments: list[str]) -> int:
    """Run the command; its exit status, whatever it raised."""
    try:
        return _command(arguments)
    except UsageError as error:
        say(f"error: {error}")
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (Terminated): said by main
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say to it. Not a failure
        # with --exit-zero, which promises 0 whatever the run found.
        sys.stderr.close()
        return EXIT_CLEAN if "--exit-zero" in arguments else EXIT_PROBLEMS
    except OSError as error:
        if error.errno not in _OUT_OF_ROOM:
            return _internal_error(error)
        # A report on standard output to a full disk or past a file size limit (the
        # report file, the cache and the fixes say so themselves, naming their file).
        return _no_room(error)
    except Exception as error:  # a bug in cliplint itself: say so plainly
        from cliplint.config import ConfigError
        from cliplint.formats import SpoolError

        # A folder's configuration, found during the run; a report's temporary file on a
        # full disk (whichever format, whole or streamed): not bugs of cliplint's.
        if isinstance(error, (ConfigError, SpoolError)):
            say(f"error: {error}")
            return EXIT_USAGE
        from concurrent.futures import BrokenExecutor

        if isinstance(error, BrokenExecutor):  # not cliplint's bug to report, most often
            say("error: a worker process ended in the middle of its files: a rule's code "
                "ended its process (os._exit, a crash in a C extension) or the system killed "
                "it (out of memory, say); the run stopped ('--jobs 1' lints in one process)")
            return EXIT_INTERNAL
        from cliplint.plugins import FormatError

        if isinstance(error, FormatError):  # a plugin's bug, named, not cliplint's
            say(f"error: {error}")
            return EXIT_INTERNAL
        return _internal_error(error)


#: What a write fails with when there is no room: a full disk or quota, a file size limit.
_OUT_OF_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _no_room(error: OSError) -> int:
    say(f"error: cannot write the output: {error.strerror}")
    return EXIT_USAGE


def _internal_error(error: Exception) -> int:
    """A bug in cliplint itself, said plainly (with a traceback under CLIPLINT_DEBUG)."""
    if os.environ.get("CLIPLINT_DEBUG"):
        import traceback

        traceback.print_exc()
    say(f"internal error: {type(error).__name__}: {error} "
        "(set CLIPLINT_DEBUG=1 for a traceback, and please report it)")
    return EXIT_INTERNAL


def _stderr_to_nowhere() -> None:
    """Standard error on the null device, for a run started with it closed: what would
    be said there is dropped, and the run goes on as with ``2>/dev/null``. Descriptor 2
    itself is taken too: left free, the next file opened (the report, the cache) would
    get it, and whatever writes to descriptor 2 (a worker process, a library in C)
    would write into that file."""
    descriptor = os.open(os.devnull, os.O_WRONLY)
    if descriptor != 2:
        try:
            os.fstat(2)
        except OSError:  # free: the null device goes there
            os.dup2(descriptor, 2)
            os.close(descriptor)
            descriptor = 2
    sys.stderr = open(descriptor, "w", encoding="utf-8", errors="backslashreplace",  # noqa: SIM115
                      closefd=descriptor != 2)


def _escape_what_output_cannot_encode() -> None:
    """Standard output in an encoding that cannot hold every character (a cp1252 console,
    ``PYTHONIOENCODING=ascii``) shows what it cannot encode as backslash escapes, as
    standard error does, rather than failing: paths and messages come from scraped text.
    (The reports made for programs are written in UTF-8 whatever the locale:
    ``utf8_standard_output``.)"""
    if getattr(sys.stdout, "errors", None) == "strict" and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")


def utf8_standard_output() -> None:
    """Standard output in UTF-8, for a report made for programs: JSON, SARIF and the GitLab
    report must be UTF-8 (RFC 8259), JUnit's XML and the HTML page say they are, and
    GitHub reads its workflow commands so. Only the text report follows the locale."""
    import codecs

    encoding = getattr(sys.stdout, "encoding", None)
    # (codecs' name for it: "UTF8", "u8" and "utf_8" are UTF-8 too)
    if encoding and codecs.lookup(encoding).name != "utf-8" and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.flush()
        sys.stdout.reconfigure(encoding="utf-8", errors="strict")


def main_status(arguments: Sequence[str]) -> int:
    """``main``, its ``SystemExit`` (argparse's ``--help`` and ``--version``) turned into
    the exit status Python would give it: for a caller that runs the command without
    leaving (the resident server's copy, the tests)."""
    try:
        return main(arguments)
    except SystemExit as leaving:
        code = leaving.code
        if isinstance(code, str):
            print(code, file=sys.stderr)
        return code if isinstance(code, int) else (0 if code is None else 1)


def _command(arguments: list[str]) -> int:
    """Run the command the arguments name: 'rules', 'explain', 'server', or else a lint
    (or fix) run."""
    if arguments and arguments[0] in SUBCOMMANDS:
        import importlib

        module, function = SUBCOMMANDS[arguments[0]]
        command: Callable[[list[str]], int] = getattr(importlib.import_module(module), function)
        return command(arguments[1:])
    from cliplint.cli.lint import lint_command

    try:
        return lint_command(arguments)
    except MissingPaths as error:
        # `cliplint rule`, `cliplint explian x`: a mistyped subcommand is taken for a path
        # (the hint goes after the first argument only where that is a path not found).
        hint = _subcommand_hint(arguments[0])
        if hint is None:
            raise
        raise MissingPaths(error.missing, {arguments[0]: hint}) from None


def _subcommand_hint(word: str) -> str | None:
    """What a first argument that is no path may have meant: a subcommand close to it
    (``rule``: ``rules``), or help; None when it looks like nothing of the kind (a
    name with a dot or a slash is a path)."""
    if not word.isalpha():
        return None
    if word.casefold() == "help":
        return " (for help: 'cliplint --help')"
    from cliplint.suggest import closest

    meant = closest(word, SUBCOMMANDS)
    return None if meant is None else f" (did you mean the subcommand {meant!r}?)"


def entry() -> NoReturn:
    """The command: ``main``, then exit without tearing the interpreter down. Freeing
    every module and object one by one at exit cost a one-file run about a seventh of
    its time, and nothing is left to clean up: reports are written and closed, the
    cache is closed, worker processes are joined. The output streams are flushed first.
    (A thread still running, as a library may leave one, gets the ordinary exit.)
    When this install's resident server is up (``cliplint server start``), it runs the
    command instead (:mod:`cliplint.served`)."""
    from cliplint.served import run_served

    served = run_served(sys.argv[1:])
    if served is not None:
        os._exit(served)
    status = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None: the descriptor was closed when Python started
                stream.flush()
        except (BrokenPipeError, ValueError):  # the reader went away, or the stream is closed
            pass
        except OSError as error:  # the last of the output found no room (see main)
            status = _no_room(error)
    if "threading" in sys.modules and sys.modules["threading"].active_count() > 1:
        sys.exit(status)
    os._exit(status)


