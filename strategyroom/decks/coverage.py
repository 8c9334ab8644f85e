"""Which deck texts lack a translation into one of the deck's languages.

A missing translation is not an error: the reader sees the deck's default
language instead (``Deck.text``). ``strategyroom deck check`` lists them as
warnings, and fails on them only with ``--strict``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from strategyroom.decks.schema import ANY_LANGUAGE, Deck

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class MissingTranslation:
    path: Path  # where in the deck's data, e.g. ("cards", 2, "question", "prompt")
    languages: tuple[str, ...]
    shown: str  # the language readers of those see instead

    def __str__(self) -> str:
        return f"{'.'.join(map(str, self.path))}: no {', '.join(self.languages)}"


def texts(deck: Deck) -> Iterator[tuple[Path, dict[str, str]]]:
    """Every text of the deck given per language, in deck order, with its path."""
    for name, value in deck:
        yield from _walk((name,), value)


def missing_translations(
    deck: Deck, languages: list[str] | None = None
) -> list[MissingTranslation]:
    """Every text of the deck, in deck order, that some of its languages (or
    of ``languages``) lack. A text given for every language ("*") lacks nothing."""
    wanted = deck.languages if languages is None else languages
    found = []
    for path, value in texts(deck):
        missing = tuple(lang for lang in wanted if lang not in value)
        if missing and ANY_LANGUAGE not in value:
            shown = deck.default_language
            if shown not in value:
                shown = next(iter(value))  # Deck.text's last resort
            found.append(MissingTranslation(path, missing, shown))
    return found


# An image's alt text and a video's captions lack no translation: a missing
# one is an error of the deck (decks.rules), and a caption file is no text.
_NOT_TRANSLATIONS = ("alt", "captions")


def _walk(path: Path, value: Any) -> Iterator[tuple[Path, dict[str, str]]]:
    if isinstance(value, BaseModel):
        for name, inner in value:
            if name not in _NOT_TRANSLATIONS:
                yield from _walk((*path, name), inner)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _walk((*path, index), inner)
    elif isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _walk((*path, key), inner)
