"""The hashing cliplint does on every run, without loading OpenSSL.

Importing ``hashlib`` or ``hmac`` loads OpenSSL's bindings (``_hashlib``): about 3 ms of
every start, a twentieth of a one-file run whose result is in the cache. What a run
needs is BLAKE2b, which CPython builds in (``_blake2``, where ``hashlib.blake2b`` comes
from), and a constant-time comparison (``_operator._compare_digest``, what
``hmac.compare_digest`` is without OpenSSL). Both are taken from there, and from
``hashlib`` and ``hmac`` on an interpreter without those modules. (SHA-256, for the
reports that ask for it, still comes from ``hashlib``.)
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # not CPython
    from hashlib import blake2b

try:
    from _operator import _compare_digest as compare_digest
except ImportError:
    from hmac import compare_digest  # type: ignore[no-redef]

__all__ = ["blake2b", "compare_digest"]
