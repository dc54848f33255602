"""Paths as plain strings, written as pathlib writes them.

A one-file run that the cache answers imports no pathlib: pathlib brings urllib.parse
and ipaddress with it, a twentieth of that run's start-up. So the modules such a run
uses keep paths as ``str``, with :mod:`os.path`. Where a path given by the user names a
cache file, a configuration file or part of a key, it is written as ``str(Path(path))``
wrote it, so that the files and the keys stay what they were: :func:`path_text`.
"""

from __future__ import annotations

import os


def path_text(path: str | os.PathLike[str]) -> str:
    """``path`` as ``str(pathlib.Path(path))`` writes it: without empty or ``.`` parts
    nor a separator at the end (``os.open`` with ``O_NOFOLLOW`` follows a link named
    with one: cliplint/cache.py), ``..`` kept (a link may lead it elsewhere than the
    folder above), ``.`` for an empty path; ``/`` as ``\\`` on Windows."""
    text = os.fspath(path)
    if os.altsep:
        text = text.replace(os.altsep, os.sep)
    drive, rest = os.path.splitdrive(text)
    root = ""
    if rest.startswith(os.sep):
        # POSIX keeps two leading slashes apart (implementation-defined), not three.
        two = os.sep == "/" and len(rest) - len(rest.lstrip(os.sep)) == 2
        root = os.sep * 2 if two else os.sep
    parts = [part for part in rest.split(os.sep) if part and part != "."]
    return drive + root + os.sep.join(parts) if drive or root or parts else "."


def absolute_text(path: str | os.PathLike[str]) -> str:
    """``str(pathlib.Path(path).absolute())``: relative to the working folder, ``..``
    kept (unlike :func:`os.path.abspath`)."""
    text = path_text(path)
    if os.path.isabs(text):
        return text
    return path_text(os.path.join(os.getcwd(), text))


def relative_posix(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> str:
    """``path`` relative to ``root`` with ``/`` separators, both made absolute as
    :func:`absolute_text` does; the absolute path when it is not below ``root``. (As
    ``Path.relative_to`` says it: part by part, ``..`` being a part.)"""
    absolute, base = absolute_text(path), absolute_text(root)
    found, under = os.path.normcase(absolute), os.path.normcase(base)
    inside = under if under.endswith(os.sep) else under + os.sep
    if found == under:
        relative = "."
    elif found.startswith(inside) and not (under == os.sep and found.startswith(os.sep * 2)):
        relative = absolute[len(inside):]
    else:
        relative = absolute
    return relative if os.sep == "/" else relative.replace(os.sep, "/")
