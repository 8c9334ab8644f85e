"""Danish and Swedish as a native speaker writes them: no calques of English
("Send for vores bord", "Bord 1's svar", "tablet'en", "gå med med"), no
"venligst", and the product's hint left out where the deck says it in its own
words. Driven over HTTP (what a phone shows) and over the catalogues and the
sample decks, so the same kind of mistake cannot come back elsewhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from starlette.testclient import TestClient

from strategyroom.decks import find_decks, load_deck
from strategyroom.paths import LOCALE_DIR, SAMPLE_DECKS_DIR
from tests.conftest import act, csrf_of, open_session
from tests.protocol import JsonParticipant
from tests.test_ui_polish import phone_at

# English shapes that read as translations, per language.
CALQUES = {
    "da": [
        r"\w'(en|et|s)\b",  # tablet'en, Bord 1's: Danish writes tabletten, bord 1s
        r"\bvenligst\b",  # "please" is said by the sentence, not the word
        r"\bfor (vores|jeres) bord\b",  # "for our table": bordets svar
        r"\bfor bordet af\b",  # "for the table by": på bordets vegne af
        r"\bvælg op til\b",  # "choose up to": vælg højst
    ],
    "sv": [
        r"\w'(en|et|s)\b",
        r"(\)s|\d):s\b",  # "Bord %(table)s:s svar", "Bord 1:s svar": Svar från bord 1
        r"\bför (vårt|ert) bord\b",
        r"\bmed med\b",
        r"\bvälj upp till\b",  # "choose up to": välj högst
    ],
}


def texts_of_catalogue(language: str) -> list[str]:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale=language)
    found: list[str] = []
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found.extend(s for s in strings if s)
    return found


SAMPLES = find_decks(SAMPLE_DECKS_DIR)


def texts_of_sample_decks(language: str) -> list[str]:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if language in value and isinstance(value[language], str):
                found.append(value[language])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in SAMPLES:
        walk(load_deck(path).model_dump())
    return found


@pytest.mark.parametrize("language", ["da", "sv"])
def test_no_calques_in_the_catalogues_or_the_sample_decks(language: str) -> None:
    texts = texts_of_catalogue(language) + texts_of_sample_decks(language)
    assert len(texts) > 300
    found = [
        (pattern, text)
        for text in texts
        for pattern in CALQUES[language]
        if re.search(pattern, text, re.IGNORECASE)
    ]
    assert found == []


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.name)
def test_the_sample_decks_ask_a_table_as_a_table_and_name_their_goal_mid_sentence(
    path: Path,
) -> None:
    deck = load_deck(path)
    assert deck.target is not None
    # "64 % af byrådets mål for 2030": the label sits inside a sentence.
    label = [deck.text(deck.target.label, lang) for lang in ("en", "da", "sv")]
    assert [text[:1].islower() for text in label] == [True, True, True], label
    tables = [question for question in deck.questions() if question.scope == "table"]
    assert tables
    for question in tables:
        assert not re.search(r"\bdu\b", deck.text(question.prompt, "da")), question.id
        assert not re.search(r"\bdu\b", deck.text(question.prompt, "sv")), question.id


WORDS = {
    "da": {
        "heading": "Svar fra bord 1",
        "submit": "Send bordets svar…",
        "submitted": "Sendt på bordets vegne af deltager 1 kl.",
        "tablet": "Tabletten svarer kun på bordets fælles spørgsmål.",
        "hint": '<p class="hint">Vælg højst tre.</p>',
    },
    "sv": {
        "heading": "Svar från bord 1",
        "submit": "Skicka in bordets svar…",
        "submitted": "Inskickat för bordets räkning av deltagare 1 kl.",
        "tablet": "Surfplattan svarar bara på bordets gemensamma frågor.",
        "hint": '<p class="hint">Välj högst tre.</p>',
    },
}


def test_a_table_phone_reads_naturally_in_danish_and_swedish(
    console: TestClient, browser: Callable[[], TestClient], sockets: list[Any]
) -> None:
    session = open_session(console, "words-test.yaml")
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    member = JsonParticipant(console, code, table=1)
    member.connect()
    sockets.append(member)
    phones = {language: browser() for language in WORDS}
    stages = {language: phone_at(phone, code, 1, language) for language, phone in phones.items()}

    act(console, sid, "show_card", card=0)
    act(console, sid, "open", question="ours")
    assert member.draft("ours", 1, 0, "bikes")["revision"] == 1
    for language, words in WORDS.items():
        page = phones[language].get(stages[language]).text
        assert f'<h2 class="results-heading">{words["heading"]}</h2>' in page
        assert f'<summary class="button button-secondary">{words["submit"]}</summary>' in page
    assert member.submit("ours", 1, 1)["type"] == "table_ack"
    for language, words in WORDS.items():
        assert words["submitted"] in phones[language].get(stages[language]).text

    # A question for each person: the deck's own hint, not the product's as well.
    act(console, sid, "show_card", card=1, close_open=True)
    act(console, sid, "open", question="mine")
    for language, words in WORDS.items():
        assert words["hint"] in phones[language].get(stages[language]).text
        assert words["tablet"] in tablet_page(browser, code, language)


def tablet_page(browser: Callable[[], TestClient], code: str, language: str) -> str:
    """The stage a table's tablet sees, joined through the table's link."""
    tablet = browser()
    form = tablet.get(f"/join/{code}/1")
    joined = tablet.post(
        f"/join/{code}/1",
        data={"csrf_token": csrf_of(form.text), "language": language, "device": "tablet"},
        follow_redirects=False,
    )
    assert joined.status_code == 303, joined.text
    return str(tablet.get(joined.headers["location"]).text)
