"""Where each value of a YAML deck is written: its line, by its path in the data.

pydantic's errors and the checker's own rules name a place by its path
(``("cards", 2, "question", "type")``); a council officer fixes it in an editor
by its line. The YAML is composed into nodes once more (the loader keeps only
the data), and every mapping key and list item records the line it starts on.
TOML decks have no line table: tomllib keeps no positions.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

Path = tuple[str | int, ...]


def yaml_lines(raw: str) -> dict[Path, int]:
    """Every path of the document mapped to its line (from 1); empty when the
    text is not YAML (the loader reports that itself)."""
    try:
        root = yaml.compose(raw, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[Path, int] = {}
    if root is not None:
        _walk(root, (), lines)
    return lines


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            # A key's own line, not its value's: "title:" is where it is written.
            inner = (*path, str(key.value))
            lines.setdefault(inner, key.start_mark.line + 1)
            _walk(value, inner, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            inner = (*path, index)
            lines.setdefault(inner, item.start_mark.line + 1)
            _walk(item, inner, lines)


def line_of(lines: dict[Path, int], path: Sequence[str | int]) -> int | None:
    """The line of the deepest written part of ``path``: a missing field is
    reported at the line of the mapping that lacks it."""
    for end in range(len(path), 0, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None
