"""Deck files: the sample deck is complete, and every mistake is named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyroom.decks import CardKind, DeckError, QuestionType, load_deck
from strategyroom.decks.schema import ANY_LANGUAGE, options_of
from strategyroom.paths import SAMPLE_DECKS_DIR

SAMPLE = SAMPLE_DECKS_DIR / "green-transition.yaml"


def test_sample_deck_is_a_whole_evening_in_three_languages() -> None:
    deck = load_deck(SAMPLE)
    assert deck.languages == ["en", "da", "sv"]
    scenarios = [c for c in deck.cards if c.kind is CardKind.SCENARIO]
    assert len(scenarios) >= 6
    assert len({c.theme for c in scenarios}) >= 4
    types = {c.question.type for c in deck.cards if c.question is not None}
    assert types == set(QuestionType)
    assert all(e.source for c in deck.cards for e in c.evidence)
    assert deck.target is not None and deck.target.attribute in deck.attributes
    assert any(o.attributes for c in deck.cards if c.question for o in options_of(c.question))


def test_sample_deck_text_is_given_in_every_language() -> None:
    deck = load_deck(SAMPLE)
    missing = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            if (
                node
                and all(isinstance(v, str) for v in node.values())
                and set(node) & {"en", "da", "sv", ANY_LANGUAGE}
            ):
                if ANY_LANGUAGE not in node and set(node) != {"en", "da", "sv"}:
                    missing.append(path)
                return
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(deck.model_dump(mode="json"), "deck")
    assert missing == []


def write(tmp_path: Path, text: str, name: str = "deck.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
id: t
version: "1"
title: T
cards:
  - id: first
    kind: intro
    title: Hi
  - id: ask
    kind: question
    title: Q
    question:
      id: q
      type: single
      prompt: P
      options:
        - {id: a, label: A}
        - {id: b, label: B}
"""


def test_a_valid_minimal_deck_loads(tmp_path: Path) -> None:
    deck = load_deck(write(tmp_path, MINIMAL))
    assert deck.text(deck.cards[0].title, "da") == "Hi"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("      type: single", "      type: singel"),
            "card 2 ('ask'), field question: Input tag 'singel'",
        ),
        (
            ("        - {id: b, label: B}", "        - {id: a, label: B}"),
            "card 2 ('ask'), field question: option ids must be unique, repeated: a",
        ),
        (
            ("    kind: intro", "    kind: intro\n    colour: red"),
            "card 1 ('first'), field colour: Extra inputs are not permitted",
        ),
        (
            ("  - id: ask\n    kind: question", "  - id: first\n    kind: question"),
            "deck: card id 'first' is used twice",
        ),
        (
            (
                "    kind: intro\n    title: Hi",
                "    kind: intro\n    title: Hi\n    question: {id: x, type: text, prompt: P}",
            ),
            "card 1 ('first'): a intro card cannot carry a question",
        ),
    ],
)
def test_deck_errors_name_file_card_and_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, MINIMAL.replace(*change))
    with pytest.raises(DeckError) as caught:
        load_deck(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert any(p.startswith(message) for p in caught.value.problems), caught.value.problems


def test_broken_yaml_says_where(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as caught:
        load_deck(write(tmp_path, "id: t\ncards: [\n  - oops"))
    assert caught.value.problems[0].startswith("not valid YAML at line 3")


def test_toml_decks_load_too(tmp_path: Path) -> None:
    toml = """
id = "t"
version = "1"
title = { en = "T", da = "T-da" }
[[cards]]
id = "first"
kind = "intro"
title = "Hi"
"""
    deck = load_deck(write(tmp_path, toml, "deck.toml"))
    assert deck.text(deck.title, "da") == "T-da"
    assert deck.text(deck.title, "sv") == "T"  # falls back to the default language
