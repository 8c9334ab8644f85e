"""Deck text in the reader's language, falling back to the deck's default, and
`strategyroom deck check` naming every missing translation (warnings; errors
with --strict)."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyroom.cli import main
from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR

DECK = """\
id: two-cards
version: "1"
title: {en: Our town, da: Vores by, sv: Vår stad}
languages: [en, da, sv]
default_language: en
cards:
  - id: hello
    kind: intro
    title: {en: Welcome, da: Velkommen}
    body: Shown the same in every language.
  - id: pick
    kind: question
    title: {en: Choose, da: Vælg, sv: Välj}
    question:
      id: pick
      type: single
      prompt: {en: "Which one?", sv: "Vilken?"}
      options:
        - {id: a, label: {en: Buses, da: Busser, sv: Bussar}}
        - {id: b, label: {en: Bikes}}
"""


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "two-cards.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path


def test_deck_check_lists_missing_translations_as_warnings(
    deck_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deck", "check", "--language", "en", str(deck_file)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{deck_file}: ok (two-cards 1, 2 cards), 3 warnings",
        f"  {deck_file}:9: warning: card 1 (id: hello), field title: no sv; readers see en",
        f"  {deck_file}:17: warning: card 2 (id: pick), field question.prompt: no da; "
        "readers see en",
        f"  {deck_file}:20: warning: card 2 (id: pick), option 2 (id: b), field label: "
        "no da, sv; readers see en",
    ]
    assert main(["deck", "check", "--language", "da", str(deck_file)]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == [
        f"{deck_file}: ok (two-cards 1, 2 kort), 3 advarsler",
        f"  {deck_file}:9: advarsel: kort 1 (id: hello), feltet title: mangler på sv; "
        "de læser den på en",
    ]


def test_the_missing_translations_name_what_readers_see_instead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without the default language's own text, readers see the first one given,
    # and the line says so (it used to say "no sv ... readers see sv").
    path = tmp_path / "sv-first.yaml"
    path.write_text(DECK.replace("default_language: en", "default_language: sv"), "utf-8")
    assert main(["deck", "check", "--language", "en", str(path)]) == 0
    assert f"  {path}:9: warning: card 1 (id: hello), field title: no sv; readers see en" in (
        capsys.readouterr().out.splitlines()
    )


def test_strict_deck_check_fails_on_missing_translations(
    deck_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deck", "check", "--strict", "--language", "en", str(deck_file)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{deck_file}: 3 warnings; --strict treats them as errors"
    )
    assert main(["deck", "check", "--strict", "--language", "sv", str(deck_file)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{deck_file}: 3 varningar; med --strict räknas de som fel"
    )
    # The sample deck is complete in English, Danish and Swedish.
    sample = SAMPLE_DECKS_DIR / "green-transition.yaml"
    assert main(["deck", "check", "--strict", "--language", "en", str(sample)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{sample}: ok (green-transition 1.0, 38 cards)"
    ]


def test_missing_deck_text_falls_back_to_the_default_language(deck_file: Path) -> None:
    deck = load_deck(deck_file)
    hello, pick = deck.cards
    assert [deck.text(hello.title, lang) for lang in ("en", "da", "sv")] == [
        "Welcome",
        "Velkommen",
        "Welcome",
    ]
    assert deck.text(hello.body, "sv") == "Shown the same in every language."
    assert pick.question is not None
    assert deck.text(pick.question.prompt, "da") == "Which one?"
