"""Deck files: the sample decks are complete and pass the strict check, and
every mistake is named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyroom.cli import main
from strategyroom.decks import CardKind, DeckError, QuestionType, load_deck
from strategyroom.decks.loader import find_decks
from strategyroom.decks.rules import links_in
from strategyroom.decks.schema import ANY_LANGUAGE, Deck, SingleChoice, options_of
from strategyroom.paths import SAMPLE_DECKS_DIR

SAMPLE = SAMPLE_DECKS_DIR / "green-transition.yaml"
# Every deck that comes with Strategy Room (README.md and docs/decks.md list them).
SAMPLES = find_decks(SAMPLE_DECKS_DIR)
# The decks written from public material, whose every source names a web address.
SOURCED = ["home-energy.yaml", "local-transport.yaml", "template.yaml"]


def test_the_sample_decks_are_the_documented_ones() -> None:
    assert [path.name for path in SAMPLES] == [
        "green-transition.yaml",
        "home-energy.yaml",
        "local-transport.yaml",
        "template.yaml",
    ]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.name)
def test_every_sample_deck_passes_the_strict_check(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = load_deck(path)
    assert main(["deck", "check", "--strict", "--language", "en", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: ok ({deck.id} {deck.version}, {len(deck.cards)} cards)"
    ]


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


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.name)
def test_sample_deck_text_is_given_in_every_language(path: Path) -> None:
    deck = load_deck(path)
    assert deck.languages == ["en", "da", "sv"]
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


def question_kinds(deck: Deck) -> set[str]:
    """What the deck's questions show of the format: their types, and table,
    profile and before/after questions."""
    kinds: set[str] = set()
    for question in deck.questions():
        kinds.add(question.type.value)
        if question.scope == "table":
            kinds.add("table")
        if isinstance(question, SingleChoice) and question.profile:
            kinds.add("profile")
        if getattr(question, "pair", None) is not None:
            kinds.add("pair")
    return kinds


@pytest.mark.parametrize("name", SOURCED)
def test_decks_from_public_material_name_a_web_address_for_every_source(name: str) -> None:
    deck = load_deck(SAMPLE_DECKS_DIR / name)
    sources = [text for c in deck.cards for e in c.evidence for text in e.source.values()]
    assert sources
    unlinked = [text for text in sources if "https://" not in text]
    malformed = [link for text in sources for link, _ in links_in(text)]
    assert (unlinked, malformed) == ([], [])


def test_the_template_shows_each_part_of_the_format_once() -> None:
    deck = load_deck(SAMPLE_DECKS_DIR / "template.yaml")
    types = [q.type for q in deck.questions()]
    assert sorted(types) == sorted(QuestionType)
    assert question_kinds(deck) == {t.value for t in QuestionType} | {"table", "profile"}
    evidence = [e for c in deck.cards for e in c.evidence]
    assert [e.value is not None for e in evidence] == [True, False]
    assert len(deck.cards) == 8


def test_the_transport_deck_asks_every_kind_of_question() -> None:
    deck = load_deck(SAMPLE_DECKS_DIR / "local-transport.yaml")
    assert question_kinds(deck) == {t.value for t in QuestionType} | {"table", "profile", "pair"}
    assert deck.target is not None and deck.target.attribute == "co2_tonnes"


def test_the_home_energy_deck_measures_kwh_and_costs_sek() -> None:
    deck = load_deck(SAMPLE_DECKS_DIR / "home-energy.yaml")
    assert deck.target is not None and deck.target.attribute == "kwh_saved"
    unit = deck.attributes["kwh_saved"].unit
    assert unit is not None and all("kWh" in text for text in unit.values())
    assert deck.attributes["cost_msek"].currency == "SEK"
    budget = deck.question("plan-points")
    assert budget.type is QuestionType.BUDGET
    assert all(
        set(option.attributes) == {"kwh_saved", "cost_msek"} for option in options_of(budget)
    )
    assert question_kinds(deck) == {t.value for t in QuestionType} | {"table", "profile", "pair"}


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
            "card 2 (id: ask), field question.type: singel is not a question type; "
            "did you mean single? The types are ",
        ),
        (
            ("        - {id: b, label: B}", "        - {id: a, label: B}"),
            "card 2 (id: ask), option 2 (id: a), field id: the option id a is used twice: "
            "option 1 has it too",
        ),
        (
            ("    kind: intro", "    kind: intro\n    colour: red"),
            "card 1 (id: first), field colour: colour is not a field of a card; it may have id, ",
        ),
        (
            ("  - id: ask\n    kind: question", "  - id: first\n    kind: question"),
            "card 2 (id: first), field id: the card id first is used twice: card 1 has it too",
        ),
        (
            (
                "    kind: intro\n    title: Hi",
                "    kind: intro\n    title: Hi\n    question: {id: x, type: text, prompt: P}",
            ),
            "card 1 (id: first): a card of kind intro cannot carry a question; only question "
            "cards can",
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
