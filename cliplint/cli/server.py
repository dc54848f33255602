"""``cliplint server start|stop|status``: the resident server (:mod:`cliplint.server`)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence

from cliplint.cli import EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE
from cliplint.cli.parser import server_parser
from cliplint.streams import say


def server_command(arguments: Sequence[str]) -> int:
    options = server_parser().parse_args(arguments)
    action = options.action
    from cliplint import server
    from cliplint.served import socket_path

    unsupported = server.supported()
    if unsupported is not None:
        say(f"error: {unsupported}")
        return EXIT_USAGE
    path = socket_path()
    try:
        return _act(action, path, json_wanted=options.json)
    except server.Unanswered as error:
        # Stopped (kill -STOP) or wedged: said plainly, neither "not running" nor a wait
        # for its own timeouts (start's 30 s), and nothing done meanwhile.
        say(f"error: {error}")
        return EXIT_USAGE


def _act(action: str, path: str, *, json_wanted: bool) -> int:
    from cliplint import server

    if action == "start":
        try:
            status = server.start(path)
        except OSError as error:
            say(f"error: the server did not start: {error}")
            return EXIT_USAGE
        print(f"cliplint server {'already running' if status.get('already') else 'started'}"
              f" (pid {status.get('pid')}, socket {path})")
        return EXIT_CLEAN
    if action == "stop":
        stopped = server.stop(path)
        if stopped is None:
            print("cliplint server is not running")
            return EXIT_PROBLEMS
        if "refused" in stopped:
            say(f"error: {stopped['refused']}")
            return EXIT_USAGE
        print(_stopped(stopped))
        return EXIT_CLEAN
    answer = server.ask("status", path)
    if answer is None:
        print(json.dumps({"pid": None, "socket": path}) if json_wanted
              else f"cliplint server is not running (socket {path})")
        return EXIT_PROBLEMS
    if "refused" in answer:
        say(f"error: the server at {path} refused: {answer['refused']}")
        return EXIT_USAGE
    print(json.dumps({**answer, "socket": path}) if json_wanted else _describe(answer, path))
    return EXIT_CLEAN


def _stopped(stopped: Mapping[str, object]) -> str:
    """What ``stop`` says of the server it stopped (its answer: pid, runs served, runs
    still running, which it finishes before it ends)."""
    running = stopped.get("running")
    ending = (f"; it ends when the {_runs(running)} it is running "
              f"{'ends' if running == 1 else 'end'}" if running else "")
    return (f"cliplint server stopped (pid {stopped.get('pid')}, "
            f"{_runs(stopped.get('served'))} served{ending})")


def _describe(status: Mapping[str, object], path: str) -> str:
    started = status.get("started")
    since = (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))
             if isinstance(started, (int, float)) else "?")
    return (f"cliplint server running (pid {status.get('pid')}, since {since}, "
            f"{_runs(status.get('served'))} served, {status.get('running')} running, "
            f"socket {path})")


def _runs(count: object) -> str:
    """``1 run``, ``2 runs`` (``0 runs``)."""
    return f"{count} run{'' if count == 1 else 's'}"
