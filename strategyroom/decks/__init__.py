"""Session decks: the data files in ``sessions/`` that script an evening."""

from strategyroom.decks.loader import DeckError, find_decks, load_deck, parse_deck
from strategyroom.decks.schema import (
    Card,
    CardKind,
    Deck,
    Option,
    Question,
    QuestionType,
)

__all__ = [
    "Card",
    "CardKind",
    "Deck",
    "DeckError",
    "Option",
    "Question",
    "QuestionType",
    "find_decks",
    "load_deck",
    "parse_deck",
]
