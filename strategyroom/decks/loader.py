"""Reading deck files (YAML or TOML) and turning validation errors into messages
that point at the file, the card and the field, in the words of the checker
(strategyroom/decks/check.py, which adds lines, languages and warnings)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from strategyroom.decks import media, rules
from strategyroom.decks.lines import read_yaml
from strategyroom.decks.messages import Problem, from_pydantic, repeated, where
from strategyroom.decks.schema import Deck
from strategyroom.i18n import DEFAULT_LANGUAGE

DECK_SUFFIXES = (".yaml", ".yml", ".toml")


class DeckError(Exception):
    """A deck file that cannot be used; ``problems`` lists every reason found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def parse_deck(data: Any, source: str = "<deck>") -> Deck:
    if not isinstance(data, dict):
        raise DeckError(source, ["the file must hold a mapping with id, version, title and cards"])
    try:
        return Deck.model_validate(data)
    except ValidationError as exc:
        raise DeckError(source, _problems(data, exc)) from None


def _problems(data: dict[str, Any], exc: ValidationError) -> list[str]:
    """Every problem in the words of ``strategyroom deck check`` (in English: the
    console and the rehearsal show them to whoever runs the evening)."""
    found = [from_pydantic(error, data) for error in exc.errors(include_url=False)]
    problems = [p for p in found if p is not None]
    problems += [p for p in rules.check(data) if not p.warning]
    if not problems:  # a check of the schema that the checker has no words for yet
        return [error["msg"].removeprefix("Value error, ") for error in exc.errors()]
    return [_said(p, data) for p in problems]


def _said(problem: Problem, data: Any) -> str:
    return (
        f"{where(problem.path, data, DEFAULT_LANGUAGE) or 'deck'}: {problem.text(DEFAULT_LANGUAGE)}"
    )


def load_deck(path: Path) -> Deck:
    """Load and validate one deck file and the media files it names (in the
    ``media`` folder beside it); raises DeckError with every problem found."""
    source = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DeckError(source, [f"cannot read the file: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise DeckError(source, ["the file is not UTF-8 text"]) from None
    twice: list[str] = []
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(raw)
        else:
            read = read_yaml(raw)
            data = read.data
            twice = [_said(repeated(r.path, r.first, r.second), data) for r in read.repeated]
    except tomllib.TOMLDecodeError as exc:
        raise DeckError(source, [f"not valid TOML: {exc}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DeckError(source, [f"not valid YAML{at}: {problem}"]) from None
    try:
        deck = parse_deck(data, source)
    except DeckError as exc:
        raise DeckError(source, twice + exc.problems) from None
    problems = twice
    for ref in media.references(deck):
        try:
            media.read(media.media_folder(path), ref.name, ref.kind)
        except media.MediaError as exc:
            place = where(ref.path, data, DEFAULT_LANGUAGE)
            problems.append(f"{place}: {exc.text(DEFAULT_LANGUAGE)}")
    if problems:
        raise DeckError(source, problems)
    return deck


def find_decks(directory: Path) -> list[Path]:
    """Deck files in a directory, sorted by name."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in DECK_SUFFIXES and p.is_file())
