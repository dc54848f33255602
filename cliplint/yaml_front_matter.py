"""A YAML front matter's top-level keys, read as Jekyll reads them.

Jekyll loads a front matter with Psych, Ruby's binding of libyaml (YAML 1.1). PyYAML
reads the same language, with libyaml too where its wheel has the C extension
(``CBaseLoader``) and its own port of it in Python otherwise. The front matter is only
composed, with the base loader: a tree of nodes whose scalars are the strings written
(no date, number or boolean resolved, no object constructed), each knowing where it
starts. A line of a quoted title, a flow list or a block scalar over several lines is
no key; a plain scalar over several lines is folded into one, as YAML folds it.

Not read (``None``): a front matter YAML refuses (a quote never closed, a ``---`` line
inside a quote, two documents), one nested too deep to compose (libyaml stops at 1,000
levels, PyYAML's Python composer at Python's recursion limit), one that is no mapping,
and one longer than :data:`MAX_TEXT`. That bound keeps the work small: both loaders are
linear in the text, but libyaml spends up to 4 µs a character (a flow list nested a
thousand deep) and PyYAML's Python loader up to 15 µs (any flow list): 8 s and 30 s on
a front matter of max-file-size, 2 MB. Real ones are under a kilobyte.

PyYAML is imported here, and this module only when a clipping has a YAML front matter:
a run over clippings without one (feedx's) never loads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from yaml.nodes import Node

#: The longest front matter read, in characters: at this size the worst case costs libyaml
#: a quarter of a second and PyYAML's Python loader a second.
MAX_TEXT = 65_536


class YamlKey(NamedTuple):
    """A top-level key of a YAML front matter: where it starts in the document, and the
    node of its value (an alias's value is the node it names, which may stand on another
    line: the key's place says where it is given)."""

    offset: int
    value: Node


class YamlFrontMatter(NamedTuple):
    """The top-level keys of a YAML front matter whose key is a scalar (plain or quoted),
    by name; ``start``: where the front matter's text starts in the document. Of keys
    written twice the last is kept, as Jekyll (Psych) keeps it."""

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
    return YamlFrontMatter(start, {key.value: YamlKey(start + key.start_mark.index, value)
                                   for key, value in root.value
                                   if isinstance(key, yaml.ScalarNode)})
