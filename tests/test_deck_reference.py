"""Reference shares on a profile question (docs/decks.md, "Reference shares"):
what the checker says, in English, Danish and Swedish, when they do not fit."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyroom.cli import main
from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.test_deck_check import card, line, variant

SHARES = '{under-30: 0.2, "30-59": 0.48, 60-plus: 0.32}'


def problems(capsys: pytest.CaptureFixture[str], path: Path, language: str) -> list[str]:
    assert main(["deck", "check", "--language", language, str(path)]) == 1
    return capsys.readouterr().out.splitlines()[1:]


def test_the_sample_decks_age_bands_carry_reference_shares() -> None:
    deck = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    question = deck.question("age-band")
    reference = question.reference  # type: ignore[union-attr]
    assert reference is not None
    assert reference.shares == {"under-30": 0.2, "30-59": 0.48, "60-plus": 0.32}
    assert (reference.year, reference.link) == (2025, "https://www.statbank.dk/FOLK1A")


def test_shares_that_do_not_add_up_are_named_in_three_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = variant(tmp_path, (SHARES, '{under-30: 0.2, "30-59": 0.4, 60-plus: 0.32}'))
    at = f"{path}:{line(text, 'reference:')}: card {card(text, 'profile-age')} (id: profile-age)"
    assert problems(capsys, path, "en") == [
        f"  {at}, field question.reference: the reference shares add up to 0.92; "
        "they must add up to 1 (within 0.01)"
    ]
    assert problems(capsys, path, "da") == [
        f"  {at.replace('card', 'kort')}, feltet question.reference: referenceandelene "
        "giver 0,92 tilsammen; de skal give 1 (højst 0,01 fra)"
    ]
    assert problems(capsys, path, "sv") == [
        f"  {at.replace('card', 'kort')}, fältet question.reference: referensandelarna "
        "blir 0,92 tillsammans; de ska bli 1 (högst 0,01 ifrån)"
    ]


def test_every_option_and_only_the_options_need_a_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = variant(tmp_path, (SHARES, '{under-30: 0.2, "30-60": 0.48, 60-plus: 0.32}'))
    at = f"{path}:{line(text, 'reference:')}: card {card(text, 'profile-age')} (id: profile-age)"
    assert problems(capsys, path, "en") == [
        f"  {at}, field question.reference: the reference shares must give every option of "
        "the question and nothing else: missing 30-59; not an option 30-60"
    ]


def test_only_a_profile_question_has_reference_shares(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, text = variant(tmp_path, ("      profile: true\n", "      profile: false\n"))
    at = f"{path}:{line(text, 'reference:')}: card {card(text, 'profile-age')}"
    assert problems(capsys, path, "en") == [
        f"  {at} (id: profile-age), field question.reference: only a profile question can have "
        "reference shares (add profile: true)"
    ]


def test_the_link_must_be_a_web_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, text = variant(
        tmp_path, ("link: https://www.statbank.dk/FOLK1A", "link: statbank.dk/FOLK1A")
    )
    at = f"{path}:{line(text, 'link: statbank')}: card {card(text, 'profile-age')}"
    assert problems(capsys, path, "en") == [
        f"  {at} (id: profile-age), field question.reference.link: statbank.dk/FOLK1A is "
        "not a web address: it must begin with https:// or http://"
    ]
