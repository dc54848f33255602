"""A snapshot of the plugins' rules and formats, so that a run need not load the plugins.

Loading them (reading every distribution's entry points with importlib.metadata,
pluggy, importing every plugin and rule module) was most of a one-file cache hit's
start-up. After a full load (:func:`cliplint.plugins.load_registry`) the registry is
written down: the plugins' names and versions, each rule's metadata and which of its
functions exist, and which plugin hook makes each report format. A run that finds a
valid snapshot builds its rules from it; a rule's functions import its module on first
call (:class:`ModuleFunction`), so a run whose files all come from the cache imports
no rule it does not run.

The snapshot lies in the user's own cache folder (beside the cache's key,
:func:`cliplint.cache.secret_path`), signed with that key, and it names everything the
registry depends on: cliplint's version, the interpreter and its ``sys.path``, whether
only the built-in plugins load, the modification time of each ``sys.path`` folder
(installing or removing a distribution, or an editable install's ``.pth`` file, changes
it), the size and modification time of the plugin distributions' metadata files (their
entry points, name and version: a legacy editable install, ``setup.py develop``,
rewrites its ``.egg-info`` in place, and the folder it lies in keeps its time), and those
of the plugins' and rules' files, their packages' too
(:func:`cliplint.cache.code_fingerprint`: an edit in an editable install).
If any of them differs, or the file is unreadable, damaged or not signed with the
user's key, it is not used: the plugins load in full, their contract checked again, and
a new snapshot replaces it (unless one of those files changed a moment before or while
they loaded: see :func:`write_snapshot`). A miss costs a full load; a stale snapshot
would cost wrong results, so anything doubtful is a miss.

Accepted: a rule whose ``OPTIONS`` schema holds a value JSON does not give back as it
was (a tuple...) cannot be described, so no snapshot is written and every run loads the
plugins in full. The ``cliplint`` command puts its own ``bin`` folder on ``sys.path``
(``python -m cliplint`` puts none: it takes the working folder off, cliplint/__main__.py),
so its snapshot is rebuilt whenever a file is added to that folder or removed from it;
a library's host program may put the working folder there (``python -c``, a notebook),
and its snapshot is then rebuilt when a run starts in another folder. A distribution that provides no plugin is not watched: entry points written into
its metadata in place, not by installing it again, are found when the snapshot is next
rebuilt (deleting it is harmless).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cliplint import __version__
from cliplint.digests import blake2b, compare_digest
from cliplint.model import Finding, Rule

if TYPE_CHECKING:
    from cliplint.formats import Renderer, RenderOptions
    from cliplint.model import Report
    from cliplint.plugins import Registry

#: Changes when the snapshot's layout does.
_FORMAT = 3
#: A rule's functions: the fields of :class:`cliplint.model.Rule` that hold them, named as
#: the rule module's attributes are.
FUNCTIONS = ("check", "record", "reduce", "online_urls", "online_judge")
#: A distribution's metadata files that give its entry points, name and version (a
#: .dist-info folder has the first two, an .egg-info folder the first and last).
METADATA_FILES = ("entry_points.txt", "METADATA", "PKG-INFO")
#: How long before a full load began the files a snapshot names must have last changed
#: for it to be written (see :func:`write_snapshot`): a file system's clock may lag the
#: system's by a tick (some keep times to 2 seconds).
SETTLED_NS = 3_000_000_000


class ModuleFunction:
    """A module's function, imported on its first call: a rule's ``check``, ``reduce``...
    as a snapshot's rule holds it. Pickled as its names (a worker imports the module
    when it first calls it)."""

    __slots__ = ("_function", "module", "name")
    _function: Callable[..., Any]  # once imported

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def __call__(self, *arguments: Any, **keywords: Any) -> Any:
        try:
            function = self._function
        except AttributeError:
            function = getattr(importlib.import_module(self.module), self.name)
            self._function = function
        return function(*arguments, **keywords)

    def __reduce__(self) -> tuple[type[ModuleFunction], tuple[str, str]]:
        return ModuleFunction, (self.module, self.name)

    def __repr__(self) -> str:
        return f"<function {self.module}.{self.name}, imported on first call>"


class HookFormat:
    """A report format's renderer, asked of the plugin hook that provides it (the module
    and name of its ``cliplint_formats`` function) when a report is rendered."""

    __slots__ = ("hook", "module", "name")

    def __init__(self, module: str, hook: str, name: str) -> None:
        self.module = module
        self.hook = hook
        self.name = name

    def __call__(self, report: Report, options: RenderOptions) -> str:
        provided: Mapping[str, Renderer] = getattr(importlib.import_module(self.module),
                                                   self.hook)()
        return provided[self.name](report, options)


def snapshot_path(builtins_only: bool) -> str:
    """The interpreter's snapshot (one for each, and for ``CLIPLINT_NO_PLUGINS``), in
    the user's cache folder."""
    from cliplint.cache import secret_path

    name = blake2b(f"{sys.executable}\0{builtins_only}".encode(),
                           digest_size=8).hexdigest()
    return os.path.join(os.path.dirname(secret_path()), f"plugins-{name}.json")


def environment(builtins_only: bool) -> dict[str, Any]:
    """What the set of plugins depends on besides their files, as JSON gives it back:
    taken before the plugins load, so that a change while they load makes the snapshot
    written after it stale rather than wrong."""
    return {
        "format": _FORMAT,
        "cliplint": __version__,
        "python": sys.executable,
        "builtins-only": builtins_only,
        # importlib.metadata looks for distributions in each folder ("" is the current one).
        "path": [[entry, _modified(entry or ".")] for entry in sys.path],
    }


def read_snapshot(now: Mapping[str, Any]) -> Registry | None:
    """The registry the snapshot describes, when it was written in the ``environment``
    seen ``now`` and the plugins' files are unchanged; None otherwise (never an error:
    the plugins are then loaded)."""
    from cliplint.cache import cache_secret, read_own_file, signature

    try:
        path = snapshot_path(now["builtins-only"])
        # Not through a link, a FIFO or a device (a FIFO would hang every run).
        mac, _, body = read_own_file(path).decode("utf-8").partition("\n")
        if not compare_digest(mac, signature(cache_secret(), "plugins", body)):
            return None
        data = json.loads(body)
        if data["environment"] != now:
            return None
        if data["code"] != _code(data["modules"]):
            return None
        if data["metadata"] != _metadata(data["distributions"]):
            return None
        return _registry(data["registry"])
    except (OSError, ValueError, LookupError, TypeError, AttributeError):
        return None


def write_snapshot(before: Mapping[str, Any], started: int, registry: Registry,
                   modules: Iterable[str], distributions: Iterable[str | None],
                   format_hooks: Mapping[str, Callable[..., object]]) -> None:
    """Write the snapshot of a registry just loaded in full, in the :func:`environment`
    seen ``before`` it loaded, which ``started`` at that time (``time.time_ns()``).
    ``modules``: the plugins' entry-point modules; ``distributions``: their
    distributions' metadata folders (None for one that is not a folder: a zipped
    egg...); ``format_hooks``: the hook function that provides each report format.
    Nothing is written when the registry cannot be described (a rule whose metadata
    JSON cannot hold, a function a module does not hold under its name, a ``sys.path``
    entry that is no string or that UTF-8 cannot hold), a plugin's metadata folder is
    unknown, a file it names changed shortly before or while the plugins loaded, or the
    cache folder cannot be written: the next run then loads the plugins again."""
    from cliplint.cache import cache_secret, signature
    from cliplint.whole_file import replace_whole  # (tempfile: a run with the snapshot writes none)

    described = _described(registry, format_hooks)
    folders = set(distributions)
    if described is None or not _plain(before) or None in folders:
        return
    names = sorted({*modules, *(rule.module for rule in registry.rules.values()),
                    *(hook[0] for hook in described["formats"].values())})
    known = sorted(folder for folder in folders if folder is not None)
    code, metadata = _code(names), _metadata(known)
    # The files are known only after the load, and their times were taken after it began
    # (some by the snapshot's check, before the plugins loaded, and kept for the process:
    # cliplint.cache.code_fingerprint; an edit made after that shows on the next run as
    # another time). A file changed while the plugins loaded would vouch, with its new
    # time, for a registry built from what it held before. So, as git does with a
    # "racily clean" file, a snapshot that names a file changed since shortly before the
    # load began is not written: the next run loads in full again, and writes it. Every
    # file is covered, a plugin new since the last snapshot too, and an edit is never
    # missed while the file system's clock keeps within SETTLED_NS of the system's.
    if any(modified is not None and modified > started - SETTLED_NS
           for _, modified, _ in [*code, *metadata]):
        return
    data = {"environment": before, "modules": names, "code": code,
            "distributions": known, "metadata": metadata, "registry": described}
    try:
        body = json.dumps(data, ensure_ascii=False)
        path = snapshot_path(before["builtins-only"])
        text = f"{signature(cache_secret(), 'plugins', body)}\n{body}"
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        replace_whole(path, text, ".plugins-")
    # ValueError: a sys.path entry or sys.executable that UTF-8 cannot hold (an
    # undecodable byte in a file name) raises UnicodeEncodeError, one on every run.
    except (OSError, ValueError):
        pass


def _modified(folder: str) -> int | None:
    """A folder's modification time; None when it cannot be read (a ``sys.path``
    entry that is missing, a file, or no string)."""
    try:
        return os.stat(folder).st_mtime_ns
    except (OSError, ValueError, TypeError):
        return None


def _code(modules: Iterable[str]) -> list[list[Any]]:
    """The modules' files (their packages' for a module in a package), as JSON reads
    them back."""
    from cliplint.cache import code_fingerprint

    return [list(item) for item in code_fingerprint(modules)]


def _metadata(folders: Iterable[str]) -> list[list[Any]]:
    """Size and modification time of the distributions' :data:`METADATA_FILES` (None
    for one a folder does not hold), as JSON reads them back: a few stats."""
    found: list[list[Any]] = []
    for folder in folders:
        for name in METADATA_FILES:
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except (OSError, ValueError):
                found.append([path, None, None])
            else:
                found.append([path, info.st_mtime_ns, info.st_size])
    return found


def _described(registry: Registry,
               format_hooks: Mapping[str, Callable[..., object]]) -> dict[str, Any] | None:
    """The registry as JSON, or None when part of it cannot be written down faithfully."""
    rules = []
    for rule in registry.rules.values():
        functions = [name for name in FUNCTIONS if getattr(rule, name) is not None]
        if not all(_found(rule.module, name, getattr(rule, name)) for name in functions):
            return None
        about = {
            "id": rule.id, "summary": rule.summary, "documentation": rule.documentation,
            "severity": rule.severity, "fix": rule.fix, "options": rule.options_schema,
            "plugin": rule.plugin, "module": rule.module,
            "findings": {kind: list(finding) for kind, finding in rule.findings.items()},
            "inputs": list(rule.inputs), "functions": functions,
        }
        if not _plain(about):
            return None
        rules.append(about)
    formats = {}
    for name, hook in format_hooks.items():
        module, qualified = getattr(hook, "__module__", None), getattr(hook, "__qualname__", "")
        if not isinstance(module, str) or not _found(module, qualified, hook):
            return None
        formats[name] = [module, qualified, registry.format_plugins[name]]
    return {"plugins": dict(registry.plugins), "rules": rules, "formats": formats}


def _found(module: str, name: str, function: object) -> bool:
    """Whether importing ``module`` and taking its ``name`` gives ``function`` back."""
    try:
        return getattr(importlib.import_module(module), name, None) is function
    except Exception:  # a module that does not import again by its name
        return False


def _plain(value: object) -> bool:
    """Whether JSON gives ``value`` back as it is (no tuple, no subclass of str...)."""
    if type(value) is dict:
        return all(type(key) is str and _plain(item) for key, item in value.items())
    if type(value) is list:
        return all(_plain(item) for item in value)
    return value is None or type(value) in (str, int, float, bool)


def _registry(data: Mapping[str, Any]) -> Registry:
    """The registry a snapshot's ``"registry"`` describes (:func:`_described`'s
    inverse), its rules' functions and its formats imported on first call."""
    from cliplint.plugins import Registry

    rules = {}
    for about in data["rules"]:
        functions = {name: ModuleFunction(about["module"], name) for name in about["functions"]}
        rules[about["id"]] = Rule(
            id=about["id"], summary=about["summary"], documentation=about["documentation"],
            severity=about["severity"], fix=about["fix"], options_schema=about["options"],
            check=functions.get("check"), plugin=about["plugin"], module=about["module"],
            record=functions.get("record"), reduce=functions.get("reduce"),
            findings={kind: Finding(*finding) for kind, finding in about["findings"].items()},
            inputs=tuple(about["inputs"]), online_urls=functions.get("online_urls"),
            online_judge=functions.get("online_judge"),
        )
    formats: dict[str, Renderer] = {}
    format_plugins: dict[str, str] = {}
    for name, (module, hook, plugin) in data["formats"].items():
        formats[name] = HookFormat(module, hook, name)
        format_plugins[name] = plugin
    return Registry(rules=rules, formats=formats, plugins=dict(data["plugins"]),
                    format_plugins=format_plugins)
