"""A cache of lint results, so an unchanged file is not parsed again.

An entry is keyed on the file's content hash and the rules enabled for that file; the
cache file itself is named after everything else the results depend on: cliplint's
version, every plugin's version, the resolved settings and the report options. Change
any of them and a different cache file is used.

The cache is one JSON file per key, read once at the start of a run and replaced
atomically at the end (temporary file + ``os.replace``), so concurrent runs never see a
half-written file: the last one to finish wins, and the other's new entries are simply
computed again next time. A corrupt or unreadable cache file is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cliplint import __version__
from cliplint.model import Edit, Fix, Problem

CACHE_FOLDER = ".cliplint_cache"
#: Overrides where the cache lives (like XDG_CACHE_HOME for other tools).
CACHE_DIR_VARIABLE = "CLIPLINT_CACHE_DIR"
#: Entries beyond this many are dropped, oldest first, when the cache is saved.
MAX_ENTRIES = 500_000
_FORMAT = 1


def cache_folder(root: str) -> Path:
    override = os.environ.get(CACHE_DIR_VARIABLE)
    return Path(override) if override else Path(root) / CACHE_FOLDER


def content_key(data: bytes, rules: Iterable[str]) -> str:
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update("\0".join(rules).encode())
    return digest.hexdigest()


def code_fingerprint(modules: Iterable[str]) -> list[tuple[str, int, int]]:
    """Size and modification time of the engine's files and of the rule modules' packages,
    so that an edited rule (an editable install, a plugin under development) does not
    get stale results from the cache while the version number stays the same."""
    import sys

    folders = {Path(__file__).parent}
    files: set[Path] = set()
    for name in modules:
        module_file = getattr(sys.modules.get(name), "__file__", None)
        if not module_file:
            continue
        if "." in name:  # a rule inside a package: the whole package, helpers and data too
            folders.add(Path(module_file).parent)
        else:
            files.add(Path(module_file))
    for folder in folders:
        files.update(p for p in folder.rglob("*") if p.suffix in (".py", ".json"))
    fingerprint = []
    for path in sorted(files):
        try:
            info = path.stat()
        except OSError:
            continue
        fingerprint.append((str(path), info.st_mtime_ns, info.st_size))
    return fingerprint


def run_key(plugins: Mapping[str, str], settings: Any, code: Any = (), **report_options: Any) -> str:
    """A digest of everything besides a file's content and rules that results depend on."""
    described = json.dumps(
        {
            "format": _FORMAT,
            "cliplint": __version__,
            "plugins": dict(plugins),
            "code": code,
            "severity": dict(settings.severity),
            "options": {rule: dict(values) for rule, values in settings.options.items()},
            "max-file-size": settings.max_file_size,
            "report": report_options,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.blake2b(described.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Cache:
    """Entries loaded at the start of a run; ``save`` writes them back with new ones."""

    path: Path
    entries: Mapping[str, list[dict[str, Any]]]

    @classmethod
    def load(cls, folder: Path, key: str) -> Cache:
        path = folder / f"results-{key}.json"
        try:
            with path.open(encoding="utf-8") as stream:
                data = json.load(stream)
            entries = data["entries"] if data.get("format") == _FORMAT else {}
            if not isinstance(entries, dict):
                entries = {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            entries = {}  # missing or corrupt: start afresh
        return cls(path, entries)

    def get(self, key: str, path: str) -> list[Problem] | None:
        stored = self.entries.get(key)
        if stored is None:
            return None
        try:
            return [problem_from_data(item, path) for item in stored]
        except (KeyError, TypeError, ValueError):
            return None

    def save(self, new_entries: Mapping[str, list[dict[str, Any]]]) -> None:
        """Merge and write atomically; a cache that cannot be written is not an error."""
        if not new_entries:
            return
        merged = {key: value for key, value in self.entries.items() if key not in new_entries}
        merged.update(new_entries)
        if len(merged) > MAX_ENTRIES:
            merged = dict(list(merged.items())[-MAX_ENTRIES:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write_gitignore(self.path.parent)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump({"format": _FORMAT, "entries": merged}, stream, ensure_ascii=False)
            os.replace(temporary, self.path)
        except OSError:
            pass


def _write_gitignore(folder: Path) -> None:
    marker = folder / ".gitignore"
    if not marker.exists():
        marker.write_text("# created by cliplint\n*\n", encoding="utf-8")


def problem_to_data(problem: Problem) -> dict[str, Any]:
    data = asdict(problem)
    del data["path"]  # the same content may live at several paths
    return data


def problem_from_data(data: Mapping[str, Any], path: str) -> Problem:
    values = {**data, "path": path}
    fix = values.get("fix")
    if fix is not None:
        values["fix"] = Fix(
            edits=tuple(Edit(**edit) for edit in fix["edits"]),
            applicability=fix["applicability"],
            description=fix["description"],
        )
    return Problem(**values)
