"""Clippings in object storage: fsspec URLs (``s3://bucket/prefix/``, ``file://…``).

A URL names one object or, ending in ``/`` or naming a prefix, every object below it.
A prefix is walked the way a folder is (:func:`cliplint.files.walk_entries`): each
"folder" is listed on its own (``ls``, one request per thousand keys), its files first,
then its subfolders, each in name order, so a report lists the files in the same order
as a run over the same files on disk. ``include`` applies to names and ``exclude`` to
paths relative to the URL named, as they apply to paths relative to a folder.

Storage options (credentials, ``endpoint_url``, …) come from ``--storage-options JSON``
and from the environment as fsspec and the storage's own library read it
(``FSSPEC_S3_ENDPOINT_URL``, ``FSSPEC_S3='{"anon": true}'``, ``AWS_PROFILE``,
``AWS_ENDPOINT_URL``, …). fsspec is imported only when a URL is linted.

Reading happens on the workers, many objects at once (:func:`read_objects`): object
storage answers each request after tens of milliseconds, so a batch's reads are sent
together rather than one after the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from cliplint.config import Settings
from cliplint.files import leads_outside
from cliplint.model import FILE_UNREADABLE, Problem, file_problem

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

#: ``scheme://`` with a scheme of two letters or more (``C:\`` is a Windows drive).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


def is_url(path: str) -> bool:
    return _URL.match(path) is not None


class StorageError(Exception):
    """Object storage that cannot be used: missing library, unreachable, refused."""


class Listed(NamedTuple):
    """An object found under a URL: its URL, its path relative to the URL named (``/``
    separators), its size, and its ETag when the storage gives one."""

    url: str
    relative: str
    size: int | None
    etag: str | None


def filesystem(url: str, options: Mapping[str, Any]) -> tuple[AbstractFileSystem, str]:
    """The file system serving ``url`` and the path within it."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise StorageError("object storage URLs need fsspec: pip install 'cliplint[s3]'") from None
    try:
        found: tuple[AbstractFileSystem, str] = url_to_fs(url, **dict(options))
        return found
    except ImportError as error:  # the protocol's library (s3fs, gcsfs, …) is missing
        hint = " (pip install 'cliplint[s3]')" if url.startswith(("s3://", "s3a://")) else ""
        raise StorageError(f"cannot open {url}: {error}{hint}") from None
    except (ValueError, TypeError) as error:  # unknown protocol, bad storage options
        raise StorageError(f"cannot open {url}: {error}") from None


def list_objects(url: str, settings: Settings, options: Mapping[str, Any]) -> Iterator[Listed]:
    """The objects to lint under ``url`` in walk order (see the module's documentation);
    ``url`` itself when it names one object. Raises :class:`StorageError` when it names
    nothing or the storage cannot be reached."""
    fs, path = filesystem(url, options)
    info = _info(fs, url, path)
    if info.get("type") != "directory":
        yield Listed(url, url.rstrip("/").rpartition("/")[2], info.get("size"), etag(info))
        return
    yield from _walk(fs, url, path.rstrip("/"), "", settings, path.rstrip("/"))


def _info(fs: AbstractFileSystem, url: str, path: str) -> dict[str, Any]:
    try:
        if path.endswith("/") or not path.strip("/").count("/"):
            # A prefix or a bucket: what is below it, not an object of that name.
            found = fs.ls(path, detail=True)
            fs.invalidate_cache(path)
            if found or fs.exists(path):
                return {"type": "directory"}
            raise FileNotFoundError(url)
        info: dict[str, Any] = fs.info(path)
        return info
    except FileNotFoundError:
        raise StorageError(f"path does not exist: {url}") from None
    except Exception as error:  # the storage's own errors: no credentials, no network
        raise StorageError(f"cannot reach {url}: {describe(error)}") from None


def _walk(fs: AbstractFileSystem, url: str, path: str, below: str,
          settings: Settings, top: str) -> Iterator[Listed]:
    try:
        entries = fs.ls(path, detail=True)
    except Exception as error:
        raise StorageError(f"cannot list {fs.unstrip_protocol(path)}: {describe(error)}") from None
    fs.invalidate_cache(path)  # a listing is used once: do not keep a million of them
    files: list[tuple[str, dict[str, Any]]] = []
    folders: list[str] = []
    for entry in entries:
        name = entry["name"].rstrip("/").rpartition("/")[2]
        if not name or settings.excludes(below + name):
            continue
        if entry.get("islink") and (entry.get("type") == "directory"
                                    or leads_outside(entry["name"], top, settings)):
            continue  # as the local walk: no symlinked folder, no link out of the tree
        if entry.get("type") == "directory":
            folders.append(name)
        elif settings.includes_name(name):
            files.append((name, entry))
    base = url.rstrip("/")
    for name, entry in sorted(files, key=lambda item: item[0]):
        yield Listed(f"{base}/{name}", below + name, entry.get("size"), etag(entry))
    for name in sorted(folders):
        yield from _walk(fs, f"{base}/{name}", f"{path}/{name}", f"{below}{name}/", settings,
                         top)


def etag(info: Mapping[str, Any]) -> str | None:
    """The storage's own content tag of an object: S3's ETag (an MD5 of the content, or
    of its parts for a multipart upload), GCS's md5Hash. None when there is none."""
    for name in ("ETag", "etag", "md5Hash"):
        value = info.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def object_key(tag: str, size: int | None, rules: Sequence[str],
               inputs: Iterable[tuple[str, str]] = ()) -> str:
    """The cache key of an object known by its content tag: the same content under the
    same tag, rules and run inputs is the same entry, whatever its URL (like
    ``content_key``)."""
    from cliplint.cache import content_key

    return content_key(f"object\0{tag}\0{size}".encode(), rules, inputs)


def read_objects(urls: Sequence[str], options: Mapping[str, Any],
                 max_size: int) -> list[bytes | Problem]:
    """Each object's bytes (at most ``max_size + 1`` of them), or the problem that stands
    in for them, with every request of a file system sent at once. Raises
    :class:`StorageError` for what is not about one object (no network, no
    credentials): the batch fails and is tried again."""
    found: list[bytes | Problem] = [b""] * len(urls)
    by_system: dict[str, list[int]] = {}
    for index, url in enumerate(urls):
        by_system.setdefault(url.partition("://")[0], []).append(index)
    for indexes in by_system.values():
        fs, _ = filesystem(urls[indexes[0]], options)  # (a StorageError without fsspec)
        from fsspec.core import strip_protocol

        paths = [strip_protocol(urls[index]) for index in indexes]
        # Reading at most one byte past the limit is enough to tell an oversized object.
        contents = fs.cat_ranges(paths, 0, max_size + 1, on_error="return")
        for index, path, content in zip(indexes, paths, contents):
            if isinstance(content, bytes):
                found[index] = content
            elif _empty_range(content) and _size(fs, path) == 0:
                found[index] = b""  # an empty object has no byte range to read
            else:
                found[index] = _unreadable(urls[index], content)
    return found


def _unreadable(url: str, error: BaseException) -> Problem:
    if _refused_credentials(error) is not None:
        raise StorageError(f"cannot read {url}: {describe(error)}")
    details = _error_details(error)
    if details is not None and details.get("Code") == "InvalidObjectState":
        return file_problem(url, FILE_UNREADABLE, _archived(details))
    if isinstance(error, FileNotFoundError):
        return file_problem(url, FILE_UNREADABLE, "cannot read: no such object")
    if isinstance(error, IsADirectoryError):
        return file_problem(url, FILE_UNREADABLE, "not a regular file")
    if isinstance(error, PermissionError):
        return file_problem(url, FILE_UNREADABLE, f"cannot read: {describe(error)}")
    raise StorageError(f"cannot read {url}: {describe(error)}")


def _empty_range(error: BaseException) -> bool:
    # S3 answers a range request on an empty object with 416 InvalidRange.
    return "InvalidRange" in repr(error) or "range is not satisfiable" in str(error)


def _size(fs: AbstractFileSystem, path: str) -> int | None:
    try:
        size = fs.size(path)
    except Exception:
        return None
    return int(size) if size is not None else None


def object_size(url: str, options: Mapping[str, Any]) -> int | None:
    """An object's size (one request), for the message about an oversized one."""
    fs, path = filesystem(url, options)
    return _size(fs, path)


#: S3's error codes for a request whose credentials it does not take (a key it does not
#: know, a wrong secret, an expired or malformed session token, a clock too far off, an
#: account it will not serve): it refuses every request of the run alike, whatever the
#: object, so they are the run's error, not each file's problem. AccessDenied is not one:
#: the credentials were taken and this object refused (a policy or ACL on it; a missing
#: key when the user may not list the bucket), and S3 says the same for a bucket refused
#: whole, which one answer cannot tell from it.
_REFUSED_CREDENTIALS = frozenset({
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
    "TokenRefreshRequired", "InvalidSecurity", "RequestTimeTooSkewed",
    "AuthorizationHeaderMalformed", "AccountProblem", "NotSignedUp",
})


def _archived(details: Mapping[str, Any]) -> str:
    """What to say of an object S3 will not read before it is restored: GetObject answers
    403 InvalidObjectState for one in S3 Glacier Flexible Retrieval or Deep Archive, or in
    an archive tier of Intelligent-Tiering, and names its storage class. The object's
    problem, not the run's; s3fs raises it as a PermissionError, whose message (S3's "not
    valid for the object's storage class") says neither what happened nor what to do."""
    storage_class = details.get("StorageClass")
    named = (f" (storage class {storage_class})" if isinstance(storage_class, str)
             and storage_class.replace("_", "").isalnum() else "")
    return (f"cannot read: the object is archived{named} and not restored "
            "(InvalidObjectState): restore it, or exclude it")


def _error_details(error: BaseException) -> Mapping[str, Any] | None:
    """The ``Error`` of a storage's answer behind ``error`` (its ``Code``, ``Message``,
    …), else None. s3fs raises Python's errors (PermissionError, FileNotFoundError) from
    botocore's, which hold the answer in their response."""
    cause: BaseException | None = error
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:  # (a chain may loop back)
        seen.add(id(cause))
        response = getattr(cause, "response", None)
        if isinstance(response, dict):
            details = response.get("Error")
            return details if isinstance(details, dict) else None
        cause = cause.__cause__
    return None


def _refused_credentials(error: BaseException) -> str | None:
    """The error code of a storage's answer that refuses the credentials
    (:data:`_REFUSED_CREDENTIALS`), else None."""
    details = _error_details(error)
    code = details.get("Code") if details is not None else None
    # (a str only: an answer's odd code, a list say, is no credentials' and no TypeError)
    return code if isinstance(code, str) and code in _REFUSED_CREDENTIALS else None


def describe(error: BaseException) -> str:
    """An error of a storage library in one line, without its class's module path; one
    that refuses the credentials says so, with its code."""
    text = str(error).strip() or type(error).__name__
    line = text.splitlines()[0]
    code = _refused_credentials(error)
    return f"credentials refused ({code}): {line}" if code is not None else line


def key_relative(url: str, root: str) -> str:
    """An object's path relative to the archive root: below a root URL, its path from
    there; else its path in its bucket (``bucket/key``)."""
    if root.endswith("/") and url.startswith(root):
        return url[len(root):]
    return url.partition("://")[2]


def names_prefix(url: str, options: Mapping[str, Any]) -> bool:
    """Whether ``url`` names a prefix (a folder) rather than one object."""
    fs, path = filesystem(url, options)
    return _info(fs, url, path).get("type") == "directory"
