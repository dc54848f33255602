"""A YAML front matter's top-level keys, read as Jekyll reads them.

Jekyll parses a front matter with Psych, Ruby's binding of libyaml (YAML 1.1), and
builds it with the safe_yaml gem (``SafeYAML.load``, in ``Document#read_content``).
PyYAML reads the same language, with libyaml too where its wheel has the C extension
(``CBaseLoader``) and its own port of it in Python otherwise. The front matter is only
composed, with the base loader: a tree of nodes whose scalars are the strings written
(no date, number or boolean resolved, no object constructed), each knowing where it
starts. A line of a quoted title, a flow list or a block scalar over several lines is
no key; a plain scalar over several lines is folded into one, as YAML folds it.

Merge keys (``<<: *defaults``) are done as safe_yaml does them (1.0.5,
``lib/safe_yaml/psych_handler.rb``, ``add_to_current_structure``: a key whose text is
``<<`` has its value ``merge!``-ed into the mapping), which is neither YAML 1.1's merge
nor Psych's own loader's. A key ``<<``, plain or quoted, whose value is an alias of a
mapping copies that mapping's keys as they are there (its own merges done) over the keys
written before it, and a key written after it wins over them: YAML 1.1 and PyYAML's
``SafeConstructor.flatten_mapping`` let the mapping's own keys win wherever they stand,
and PyYAML leaves a quoted ``"<<"`` alone. A mapping written in place
(``<<: {date: ...}``) merges nothing: the handler merges it while it is still empty. Any
other value, a list of mappings (``<<: [*a, *b]``, which YAML 1.1 merges), a scalar or
an alias of either, makes Ruby raise a ``TypeError``, and Jekyll reads no front matter
(``Document#handle_read_error``). A key merged in is given at its ``<<`` key, the line
that brings it into the front matter.

Not read (``None``): a front matter YAML refuses (a quote never closed, a ``---`` line
inside a quote, two documents), one nested too deep to compose (libyaml stops at 1,000
levels, PyYAML's Python composer at Python's recursion limit), one that is no mapping,
one with a merge Jekyll refuses (above), one whose merges copy more than
:data:`MAX_MERGED` keys in all (a few lines can copy one mapping thousands of times), and
one longer than :data:`MAX_TEXT`. That bound keeps the work small: both loaders are
linear in the text, but libyaml spends up to 4 µs a character (a flow list nested a
thousand deep) and PyYAML's Python loader up to 15 µs (any flow list): 8 s and 30 s on
a front matter of max-file-size, 2 MB. Real ones are under a kilobyte.

PyYAML is imported here, and this module only when a clipping has a YAML front matter:
a run over clippings without one (feedx's) never loads it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import chain
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from yaml.nodes import MappingNode, Node

#: The longest front matter read, in characters: at this size the worst case costs libyaml
#: a quarter of a second and PyYAML's Python loader a second.
MAX_TEXT = 65_536
#: The most keys a front matter's merges may copy in all. Real ones copy a few; without a
#: bound, a few thousand lines merging one mapping of a few thousand keys each (a front
#: matter under MAX_TEXT) would copy millions.
MAX_MERGED = 65_536


class YamlKey(NamedTuple):
    """A top-level key of a YAML front matter: where it starts in the document, and the
    node of its value (an alias's value is the node it names, which may stand on another
    line: the key's place says where it is given). A key merged in (``<<: *defaults``)
    starts at its ``<<`` key, where it is given to this front matter."""

    offset: int
    value: Node


class YamlFrontMatter(NamedTuple):
    """The top-level keys of a YAML front matter whose key is a scalar (plain or quoted),
    by name, merged ones included; ``start``: where the front matter's text starts in the
    document. Of keys written twice (or merged in over) the last is kept, as Jekyll
    keeps it."""

    start: int
    keys: Mapping[str, YamlKey]


def read(text: str, start: int) -> YamlFrontMatter | None:
    """The keys of a YAML front matter's ``text`` (the lines between its ``---`` lines),
    which starts at offset ``start`` of the document; ``None`` when it is not read (see
    the module's documentation)."""
    if len(text) > MAX_TEXT:
        return None
    import yaml

    try:
        loader: type[yaml.CBaseLoader | yaml.BaseLoader] = yaml.CBaseLoader
    except AttributeError:  # a PyYAML built without libyaml
        loader = yaml.BaseLoader
    try:
        root = yaml.compose(text, Loader=loader)
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    keys = _merged_keys(root)
    if keys is None:
        return None
    return YamlFrontMatter(start, {name: YamlKey(start + keys.places[name], value)
                                   for name, value in keys.values.items()})


class _Keys(NamedTuple):
    """A mapping's keys whose key is a scalar, by name: the node of each value, and where
    the key that gives it starts in the front matter (a merged key's ``<<``)."""

    values: dict[str, Node]
    places: dict[str, int]


def _merged_keys(root: MappingNode) -> _Keys | None:
    """The keys of a front matter's mapping with its merges done as Jekyll does them (see
    the module's documentation); ``None`` when Jekyll reads no front matter, or the
    merges copy more than :data:`MAX_MERGED` keys.

    The tree is walked in the order it is written, as safe_yaml builds it from Psych's
    events, each mapping's keys kept as they grow: an alias names a node walked before
    it (or one still being walked, which holds the alias), whose keys there are the ones
    merged."""
    from yaml import MappingNode, ScalarNode, SequenceNode  # (loaded: the text was composed)

    walked: dict[int, _Keys | None] = {}  # each collection entered, by id: a mapping's keys
    # Each collection being walked: its keys (a mapping's) and its entries left, as
    # (key, node): a mapping's key is walked alone, then with its value.
    walking: list[tuple[_Keys | None, Iterator[tuple[Node | None, Node]]]] = []
    copied = 0

    def enter(node: Node) -> None:
        if id(node) in walked:
            return  # an alias: the node was walked where it is written
        if isinstance(node, MappingNode):
            keys = walked[id(node)] = _Keys({}, {})
            walking.append((keys, chain.from_iterable(((None, key), (key, value))
                                                      for key, value in node.value)))
        elif isinstance(node, SequenceNode):
            walked[id(node)] = None
            walking.append((None, ((None, item) for item in node.value)))

    enter(root)
    while walking:
        keys, entries = walking[-1]
        entry = next(entries, None)
        if entry is None:
            walking.pop()
            continue
        key, node = entry
        if keys is not None and isinstance(key, ScalarNode):
            place = key.start_mark.index
            if key.value != "<<":
                keys.values[key.value] = node
                keys.places[key.value] = place
            elif not isinstance(node, MappingNode):
                return None  # Ruby's TypeError: Jekyll reads no front matter
            elif (merged := walked.get(id(node))) is not None:  # (not one written in place)
                copied += len(merged.values)
                if copied > MAX_MERGED:
                    return None
                keys.values.update(merged.values)
                keys.places.update(dict.fromkeys(merged.values, place))
        enter(node)
    return walked[id(root)]
