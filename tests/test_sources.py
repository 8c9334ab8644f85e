"""Evidence sources are text per language like any other deck text: a Danish
phone reads the Danish source, a Swedish one the Swedish, the JSON API gives
the reader's, and a source given once as a plain string (older decks) still
loads and is shown in every language. Driven over HTTP and the websocket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from strategyroom.decks import load_deck
from strategyroom.decks.coverage import missing_translations
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.conftest import act, open_session
from tests.protocol import JsonParticipant
from tests.test_ui_polish import phone_at

SOURCES = {
    "da": [
        "Kilde: Illustrativt tal baseret på boligregistret",
        "Kilde: Danmarks Statistik, BIL707",
    ],
    "sv": [
        "Källa: Illustrativ siffra baserad på bostadsregistret",
        "Källa: Danmarks Statistik, BIL707",
    ],
}


def test_a_phone_reads_the_source_in_its_language(
    console: TestClient, browser: Callable[[], TestClient], sockets: list[Any]
) -> None:
    session = open_session(console, "sources-test.yaml")
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    act(console, sid, "show_card", card=0)
    for language, sources in SOURCES.items():
        phone = browser()
        page = phone.get(phone_at(phone, code, 1, language)).text
        shown = [
            part.split("</small>")[0] for part in page.split('<small class="evidence-source">')[1:]
        ]
        assert shown == sources, language

        resident = JsonParticipant(console, code, language=language)
        snapshot = resident.connect()
        sockets.append(resident)
        card = snapshot["card"]
        assert [e["source"] for e in card["evidence"]] == [s.split(": ", 1)[1] for s in sources]


def test_the_sample_decks_sources_are_in_danish_and_swedish() -> None:
    deck = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    sources = [e.source for card in deck.cards for e in card.evidence]
    assert len(sources) == 42
    assert all(set(source) == {"en", "da", "sv"} for source in sources)
    assert deck.text(sources[0], "da").startswith("Illustrativt tal baseret på Energistyrelsens")
    assert deck.text(sources[0], "sv").startswith("Illustrativ siffra baserad på")
    assert missing_translations(deck) == []
