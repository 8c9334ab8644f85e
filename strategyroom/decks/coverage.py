"""Which deck texts lack a translation into one of the deck's languages.

A missing translation is not an error: the reader sees the deck's default
language instead (``Deck.text``). ``strategyroom deck check`` lists them as
warnings, and fails on them only with ``--strict``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from strategyroom.decks.schema import ANY_LANGUAGE, Deck


@dataclass(frozen=True)
class MissingTranslation:
    where: str  # "deck" or "card 3 ('heating')"
    field: str  # e.g. "question.options.2.label"
    languages: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.where}, field {self.field}: no {', '.join(self.languages)}"


def missing_translations(deck: Deck) -> list[MissingTranslation]:
    """Every text of the deck, in deck order, that some of its languages lack."""
    found: list[MissingTranslation] = []
    for name, value in deck:
        if name != "cards":
            _walk(deck, "deck", name, value, found)
    for number, card in enumerate(deck.cards, start=1):
        where = f"card {number} ({card.id!r})"
        for name, value in card:
            _walk(deck, where, name, value, found)
    return found


def _walk(deck: Deck, where: str, path: str, value: Any, found: list[MissingTranslation]) -> None:
    if isinstance(value, BaseModel):
        for name, inner in value:
            _walk(deck, where, f"{path}.{name}", inner, found)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _walk(deck, where, f"{path}.{index}", inner, found)
    elif isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        # A text per language; one given for every language ("*") lacks nothing.
        if ANY_LANGUAGE not in value:
            missing = tuple(lang for lang in deck.languages if lang not in value)
            if missing:
                found.append(MissingTranslation(where, path, missing))
    elif isinstance(value, dict):
        for key, inner in value.items():
            _walk(deck, where, f"{path}.{key}", inner, found)
