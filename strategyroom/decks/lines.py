"""Where each value of a YAML deck is written: its line, by its path in the data,
and the keys written twice in one mapping.

pydantic's errors and the checker's own rules name a place by its path
(``("cards", 2, "question", "type")``); a council officer fixes it in an editor
by its line. A deck is read once into nodes (PyYAML's composer), every mapping
key and list item records the line it starts on, and the nodes are made into
the data by PyYAML's safe constructor, with one change: a key written twice in
one mapping (``title:`` twice in a card), which the plain loader silently
settles for the last, is noted with both lines, for the checker and the loader
to refuse. TOML decks have no line table: tomllib keeps no positions (and
refuses a key written twice itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

_MERGE = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Repeated:
    """A key written a second time in one mapping: its path, and both lines."""

    path: Path
    first: int
    second: int


@dataclass
class YamlDeck:
    """A YAML deck read: the data, the line of every path, and the keys written twice."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    repeated: list[Repeated] = field(default_factory=list)


class _DeckLoader(yaml.SafeLoader):
    """PyYAML's safe loader, noting every key a mapping has twice."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.twice: list[tuple[yaml.MappingNode, yaml.Node, yaml.Node]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Before the safe constructor merges "<<: *anchor" in: a key written
        # beside a merge overrides the merged one, as YAML means it to.
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                continue
            first = seen.setdefault(self.construct_object(key_node), key_node)
            if first is not key_node:
                self.twice.append((node, first, key_node))
        return super().construct_mapping(node, deep=deep)


def read_yaml(raw: str) -> YamlDeck:
    """The deck's data, lines and keys written twice; raises yaml.YAMLError when
    the text is not YAML."""
    loader = _DeckLoader(raw)
    read = YamlDeck(None)
    mappings: dict[int, Path] = {}
    try:
        root = loader.get_single_node()
        if root is not None:
            # The lines as written, before the constructor merges "<<" keys in.
            _walk(root, (), read.lines, mappings)
            read.data = loader.construct_document(root)
    finally:
        loader.dispose()
    for mapping, first, second in loader.twice:
        path = (*mappings.get(id(mapping), ()), str(second.value))
        read.repeated.append(Repeated(path, first.start_mark.line + 1, second.start_mark.line + 1))
    return read


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], mappings: dict[int, Path]) -> None:
    if isinstance(node, yaml.MappingNode):
        mappings.setdefault(id(node), path)
        for key, value in node.value:
            # A key's own line, not its value's: "title:" is where it is written.
            inner = (*path, str(key.value))
            lines.setdefault(inner, key.start_mark.line + 1)
            _walk(value, inner, lines, mappings)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            inner = (*path, index)
            lines.setdefault(inner, item.start_mark.line + 1)
            _walk(item, inner, lines, mappings)


def line_of(lines: dict[Path, int], path: Sequence[str | int]) -> int | None:
    """The line of the deepest written part of ``path``: a missing field is
    reported at the line of the mapping that lacks it."""
    for end in range(len(path), 0, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None
