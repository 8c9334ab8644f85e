"""Reading deck files (YAML or TOML) and turning validation errors into messages
that point at the file, the card and the field."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from strategyroom.decks.schema import Deck

DECK_SUFFIXES = (".yaml", ".yml", ".toml")


class DeckError(Exception):
    """A deck file that cannot be used; ``problems`` lists every reason found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """Describe a pydantic error location, naming the card by its id when it has one."""
    parts: list[str] = []
    node = data
    index = 0
    if len(loc) >= 2 and loc[0] == "cards" and isinstance(loc[1], int):
        card_number = loc[1]
        card = node.get("cards", [])[card_number] if isinstance(node, dict) else None
        card_id = card.get("id") if isinstance(card, dict) else None
        label = f"card {card_number + 1}" + (f" ({card_id!r})" if card_id else "")
        parts.append(label)
        index = 2
    # Discriminated unions add the tag ("single", "scale" ...) to the path: hide it.
    field_path = [str(p) for p in loc[index:] if not (isinstance(p, str) and p in _QUESTION_TAGS)]
    if field_path:
        parts.append("field " + ".".join(field_path))
    return ", ".join(parts) if parts else "deck"


_QUESTION_TAGS = {"single", "multiple", "scale", "ranking", "budget", "text"}


def parse_deck(data: Any, source: str = "<deck>") -> Deck:
    if not isinstance(data, dict):
        raise DeckError(source, ["the file must hold a mapping with id, version, title and cards"])
    try:
        return Deck.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{_where(data, error['loc'])}: {message}")
        raise DeckError(source, problems) from None


def load_deck(path: Path) -> Deck:
    """Load and validate one deck file; raises DeckError with every problem found."""
    source = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DeckError(source, [f"cannot read the file: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise DeckError(source, ["the file is not UTF-8 text"]) from None
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(raw)
        else:
            data = yaml.safe_load(raw)
    except tomllib.TOMLDecodeError as exc:
        raise DeckError(source, [f"not valid TOML: {exc}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DeckError(source, [f"not valid YAML{where}: {problem}"]) from None
    return parse_deck(data, source)


def find_decks(directory: Path) -> list[Path]:
    """Deck files in a directory, sorted by name."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in DECK_SUFFIXES and p.is_file())
