"""The in-app deck editor over HTTP, as a browser's plain forms drive it: a deck
from the template, texts per language, a question added and its problems at
its fields, a version saved only when the checker passes strictly, the card
list reordered and cut, the settings, and two facilitators saving one draft."""

from __future__ import annotations

import html
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from strategyroom import accounts
from strategyroom.config import Settings
from strategyroom.web.app import prepare_database
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.both_modes


def csrf(client: TestClient) -> str:
    return client.headers["x-csrf-token"]


def post(client: TestClient, url: str, **data: str) -> Any:
    return client.post(url, data={"csrf_token": csrf(client), **data}, follow_redirects=False)


def revision(page: str) -> str:
    found = re.search(r'name="revision" value="(\d+)"', page)
    assert found, "no revision on the page"
    return found[1]


def field(page: str, name: str) -> str:
    """A text area's or an input's value on the page."""
    area = re.search(rf'<textarea[^>]* name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    if area:
        return html.unescape(area[1])
    found = re.search(rf'<input[^>]* name="{re.escape(name)}" value="([^"]*)"', page)
    assert found, f"no field {name}"
    return html.unescape(found[1])


def problems_at(page: str, key: str) -> list[str]:
    found = re.search(rf'<ul class="field-problems" id="p-{re.escape(key)}">(.*?)</ul>', page, re.S)
    if not found:
        return []
    return [html.unescape(p) for p in re.findall(r"<li[^>]*>(.*?)</li>", found[1], re.S)]


def card_form(page: str) -> dict[str, str]:
    """Every field of a card form with its value, as a browser would send them."""
    sent = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<textarea[^>]* name="(f\.[^"]+)"[^>]*>(.*?)</textarea>', page, re.S
        )
    }
    sent |= dict(
        re.findall(r'<input (?!type="checkbox")[^>]* name="(f\.[^"]+)" value="([^"]*)"', page)
    )
    # A ticked box is sent, an unticked one is not.
    sent |= dict(
        re.findall(r'<input type="checkbox"[^>]* name="(f\.[^"]+)" value="([^"]*)" checked', page)
    )
    for name, options in re.findall(
        r'<select[^>]* name="(f\.[^"]+)"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        sent[name] = chosen[1] if chosen else re.findall(r'<option value="([^"]*)"', options)[0]
    sent["revision"] = revision(page)
    return sent


@pytest.fixture
def bob(settings: Settings, console: TestClient, browser: Any) -> TestClient:
    """A second facilitator in a browser of his own."""
    db = prepare_database(settings)
    db.call(lambda s: accounts.add_facilitator(s, "bob", PASSWORD), write=True)
    db.dispose()
    other: TestClient = browser()
    other.headers["x-csrf-token"] = login(other, "bob")
    return other


def new_deck(console: TestClient, deck_id: str = "harbour") -> str:
    response = post(console, "/console/decks/new", new_id=deck_id)
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/decks/{deck_id}/edit"
    return response.headers["location"]


def test_a_deck_from_the_template_becomes_a_checked_version(
    console: TestClient, tmp_path: Path
) -> None:
    editor = new_deck(console)
    page = console.get(editor).text
    assert "The checker finds no problem." in page
    assert len(re.findall(r'<li id="card-\d+">', page)) == 8
    assert console.get("/console/decks/harbour").status_code == 404  # not in the library yet

    # The first card's title in English and Danish.
    card = console.get(f"{editor}/cards/0").text
    sent = card_form(card) | {
        "f.title.en": "Welcome to the harbour",
        "f.title.da": "Velkommen til havnen",
    }
    response = post(console, f"{editor}/cards/0", **sent)
    assert response.headers["location"] == f"{editor}/cards/0?saved=1"
    card = console.get(f"{editor}/cards/0").text
    assert field(card, "f.title.en") == "Welcome to the harbour"
    assert field(card, "f.title.da") == "Velkommen til havnen"
    assert field(card, "f.title.sv") == "Välkommen"

    # A scale question: its empty texts are problems at their fields.
    page = console.get(editor).text
    response = post(
        console, f"{editor}/cards", do="add", kind="question:scale", revision=revision(page)
    )
    assert response.headers["location"] == f"{editor}/cards/8?saved=1"
    card = console.get(f"{editor}/cards/8").text
    assert problems_at(card, "title") == ["title is missing"]
    assert problems_at(card, "question-min_label") == ["min_label is missing"]
    assert 'aria-describedby="p-question-prompt"' in card
    assert field(card, "f.question.min") == "1" and field(card, "f.question.max") == "5"

    # Saving a version now: refused, with every problem.
    page = console.get(editor).text
    response = post(console, f"{editor}/publish", revision=revision(page))
    assert response.status_code == 400
    assert "No version was saved" in response.text
    assert "prompt is missing (card 9, question › prompt)" in html.unescape(response.text)

    # A scale whose range is wrong, then right, and texts in every language.
    texts = {
        f"f.{name}.{code}": f"{name} {code}"
        for name in ("title", "question.prompt", "question.min_label", "question.max_label")
        for code in ("en", "da", "sv")
    }
    sent = card_form(card) | texts | {"f.question.max": "1"}
    post(console, f"{editor}/cards/8", **sent)
    card = console.get(f"{editor}/cards/8").text
    # A problem of the question as a whole is shown at the top of the question.
    assert problems_at(card, "group-question") == [
        "a scale needs 2 to 11 steps: max - min from 1 to 10"
    ]
    assert (
        '<fieldset class="editor-group" id="group-question" aria-describedby="p-group-question">'
        in card
    )
    sent = card_form(card) | {"f.question.max": "7"}
    post(console, f"{editor}/cards/8", **sent)
    card = console.get(f"{editor}/cards/8").text
    assert "a scale needs" not in card and 'class="field-problems"' not in card

    # A missing translation is a warning at its field, and --strict holds back the version.
    post(console, f"{editor}/cards/8", **(card_form(card) | {"f.title.sv": ""}))
    card = console.get(f"{editor}/cards/8").text
    assert problems_at(card, "title") == ["no sv; readers see en"]
    assert '<span class="missing">(translation missing)</span>' in card
    page = console.get(editor).text
    assert "1 text lacks a translation." in page
    response = post(console, f"{editor}/publish", revision=revision(page))
    assert response.status_code == 400
    assert "no sv; readers see en (card 9, title)" in html.unescape(response.text)
    post(console, f"{editor}/cards/8", **(card_form(card) | {"f.title.sv": "title sv"}))

    page = console.get(editor).text
    response = post(console, f"{editor}/publish", revision=revision(page))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/console/decks/harbour?added=1"
    zipped = console.get("/console/decks/harbour/1.zip").content
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        (tmp_path / "deck.yaml").write_bytes(archive.read("deck.yaml"))
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "strategyroom",
            "deck",
            "check",
            "--strict",
            "--language",
            "en",
            str(tmp_path / "deck.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout
    assert "ok (harbour 1.0, 9 cards)" in checked.stdout

    # The draft stays, at the new version; the same content again adds none.
    page = console.get(editor).text
    assert "Made from version 1." in page
    response = post(console, f"{editor}/publish", revision=revision(page))
    assert response.headers["location"] == "/console/decks/harbour?added=1"


def test_cards_are_added_moved_and_deleted(console: TestClient) -> None:
    new_deck(console, "order")
    editor = "/console/decks/order/edit"

    def ids() -> list[str]:
        page = console.get(editor).text
        return re.findall(r'<span class="code">([^<]+)</span>', page)

    first = ids()
    page = console.get(editor).text
    post(console, f"{editor}/cards", do="down:0", revision=revision(page))
    assert ids() == [first[1], first[0], *first[2:]]
    page = console.get(editor).text
    post(console, f"{editor}/cards", do="up:1", revision=revision(page))
    assert ids() == first

    confirm = console.get(f"{editor}/cards/2/delete").text
    assert "Delete card 3?" in confirm
    post(console, f"{editor}/cards/2/delete", revision=revision(confirm))
    assert ids() == first[:2] + first[3:]
    page = console.get(editor).text
    post(console, f"{editor}/cards", do="add", kind="break", revision=revision(page))
    assert ids() == [*first[:2], *first[3:], "break-1"]


def test_options_evidence_and_settings(console: TestClient) -> None:
    new_deck(console, "settings")
    editor = "/console/decks/settings/edit"
    page = console.get(editor).text
    sent = card_form(page) | {
        "do": "add_attribute",
        "new_attribute": "jobs",
        "f.languages": "en, da",
        "f.default_language": "en",
    }
    post(console, f"{editor}/settings", **sent)
    page = console.get(editor).text
    assert field(page, "f.languages") == "en, da"
    assert problems_at(page, "attributes-jobs-label") == ["label is missing"]
    sent = card_form(page) | {
        "f.attributes.jobs.label.en": "Jobs",
        "f.attributes.jobs.label.da": "Job",
        "f.attributes.jobs.currency": "DKK",
        "f.target.attribute": "jobs",
        "f.target.value": "many",
    }
    post(console, f"{editor}/settings", **sent)
    page = console.get(editor).text
    assert problems_at(page, "target-value") == ["many is not a number"]

    # A multiple choice question: an option added, with its attribute, then removed.
    post(console, f"{editor}/cards", do="add", kind="question:multiple", revision=revision(page))
    index = len(re.findall(r'<li id="card-\d+">', console.get(editor).text)) - 1
    card = console.get(f"{editor}/cards/{index}").text
    sent = card_form(card) | {"do": "add_option", "f.question.options.0.attributes.jobs": "12"}
    post(console, f"{editor}/cards/{index}", **sent)
    card = console.get(f"{editor}/cards/{index}").text
    assert field(card, "f.question.options.2.id") == "option-3"
    assert field(card, "f.question.options.0.attributes.jobs") == "12"
    post(console, f"{editor}/cards/{index}", **(card_form(card) | {"do": "remove_option:1"}))
    card = console.get(f"{editor}/cards/{index}").text
    assert [field(card, f"f.question.options.{i}.id") for i in (0, 1)] == ["option-1", "option-3"]

    # Evidence on a scenario card: figure, unit and source with its address.
    post(console, f"{editor}/cards", do="add", kind="scenario", revision=revision(card))
    card = console.get(f"{editor}/cards/{index + 1}").text
    post(console, f"{editor}/cards/{index + 1}", **(card_form(card) | {"do": "add_evidence"}))
    card = console.get(f"{editor}/cards/{index + 1}").text
    assert problems_at(card, "evidence-0-source") == ["source is missing"]
    sent = card_form(card) | {
        "f.evidence.0.label.en": "Bus trips",
        "f.evidence.0.value": "1200",
        "f.evidence.0.source.en": "Statistics Denmark, https://www.dst.dk/en",
    }
    post(console, f"{editor}/cards/{index + 1}", **sent)
    card = console.get(f"{editor}/cards/{index + 1}").text
    assert field(card, "f.evidence.0.source.en") == "Statistics Denmark, https://www.dst.dk/en"
    # The Danish source is marked missing in words at once; the checker's warning
    # about it comes once the deck has no errors (see the first test's card).
    assert re.search(
        r'<label for="evidence-0-source-da">Danish \(da\) '
        r'<span class="missing">\(translation missing\)</span></label>',
        card,
    )


def test_problems_are_in_the_facilitators_language(console: TestClient) -> None:
    new_deck(console, "dansk")
    editor = "/console/decks/dansk/edit"
    page = console.get(editor).text
    post(console, f"{editor}/cards", do="add", kind="question:scale", revision=revision(page))
    card = console.get(f"{editor}/cards/8?lang=da").text
    assert problems_at(card, "title") == ["title mangler"]
    assert "(oversættelse mangler)" not in card  # an empty text is missing, not untranslated


def test_a_stale_save_is_refused_and_names_who_saved(console: TestClient, bob: TestClient) -> None:
    editor = new_deck(console, "shared")
    alice_card = console.get(f"{editor}/cards/0").text
    bob_card = bob.get(f"{editor}/cards/0").text
    assert revision(alice_card) == revision(bob_card) == "1"

    post(console, f"{editor}/cards/0", **(card_form(alice_card) | {"f.title.en": "Alice's title"}))
    response = post(
        bob, f"{editor}/cards/0", **(card_form(bob_card) | {"f.title.en": "Bob's title"})
    )
    assert response.status_code == 409
    text = html.unescape(response.text)
    assert "alice saved this draft (revision 2" in text
    assert "nothing was saved" in text
    assert "<td>Title, English (en)</td><td>Bob&#39;s title</td>" in response.text
    assert f'<a href="{editor}/cards/0">Reload the draft with their changes</a>' in text

    # Alice's title stands; Bob reloads, sees it, and saves his on top knowingly.
    bob_card = bob.get(f"{editor}/cards/0").text
    assert field(bob_card, "f.title.en") == "Alice's title" and revision(bob_card) == "2"
    response = post(
        bob, f"{editor}/cards/0", **(card_form(bob_card) | {"f.title.en": "Bob's title"})
    )
    assert response.status_code == 303
    assert field(console.get(f"{editor}/cards/0").text, "f.title.en") == "Bob's title"
    assert "saved" in console.get(editor).text and "by bob" in console.get(editor).text

    # A stale card list change and a stale "Save as new version" are refused too.
    response = post(console, f"{editor}/cards", do="down:0", revision="2")
    assert response.status_code == 409
    response = post(console, f"{editor}/publish", revision="1")
    assert response.status_code == 409


def test_editing_a_library_deck_starts_from_its_newest_version(console: TestClient) -> None:
    decks = console.get("/console/decks").text
    assert 'href="/console/decks/town-test/edit"' in decks
    page = console.get("/console/decks/town-test/edit").text
    assert "Made from version 1." in page
    assert console.get("/console/decks/nothing/edit").status_code == 404
    response = post(console, "/console/decks/new", new_id="town-test")
    assert response.status_code == 409


def test_the_editor_needs_a_login_and_the_csrf_token(
    client: TestClient, console: TestClient
) -> None:
    editor = new_deck(console, "guarded")
    page = console.get(f"{editor}/cards/0").text
    token = console.headers.pop("x-csrf-token")
    for path, data in (
        ("/console/decks/new", {"new_id": "other"}),
        (f"{editor}/cards/0", card_form(page) | {"f.title.en": "Changed"}),
        (f"{editor}/cards", {"do": "add", "kind": "break", "revision": revision(page)}),
        (f"{editor}/settings", {"revision": revision(page)}),
        (f"{editor}/cards/0/delete", {"revision": revision(page)}),
        (f"{editor}/publish", {"revision": revision(page)}),
    ):
        assert console.post(path, data=data, follow_redirects=False).status_code == 403, path
    console.headers["x-csrf-token"] = token
    assert field(console.get(f"{editor}/cards/0").text, "f.title.en") == "Welcome"
    console.post("/logout", data={"csrf_token": token})
    for path in (editor, f"{editor}/cards/0", f"{editor}/cards/0/delete"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_attribute_is_removed_and_the_cards_that_use_it_say_so(console: TestClient) -> None:
    editor = new_deck(console, "fewer")
    page = console.get(editor).text
    post(console, f"{editor}/settings", **(card_form(page) | {"do": "remove_attribute:cost_mdkk"}))
    page = console.get(editor).text
    assert 'name="f.attributes.cost_mdkk.label.en"' not in page
    assert 'name="f.attributes.co2_tonnes.label.en"' in page
    assert "The checker finds no problem." not in page


def test_numbers_typed_in_the_editor_are_saved_as_numbers(console: TestClient) -> None:
    # The schema takes no number in quotes (a text); a form sends only texts,
    # and the editor makes the number fields' numbers of them.
    new_deck(console, "numbers")
    editor = "/console/decks/numbers/edit"
    page = console.get(editor).text
    post(console, f"{editor}/cards", do="add", kind="question:budget", revision=revision(page))
    index = len(re.findall(r'<li id="card-\d+">', console.get(editor).text)) - 1
    card = console.get(f"{editor}/cards/{index}").text
    sent = card_form(card) | {
        "f.timer": "90",
        "f.question.total": "1 000",
        "f.question.options.0.attributes.co2_tonnes": "12,5",
        "f.question.options.1.attributes.co2_tonnes": "7",
    }
    post(console, f"{editor}/cards/{index}", **sent)
    card = console.get(f"{editor}/cards/{index}").text
    assert field(card, "f.timer") == "90"
    assert field(card, "f.question.total") == "1000"
    assert field(card, "f.question.options.0.attributes.co2_tonnes") == "12.5"
    assert field(card, "f.question.options.1.attributes.co2_tonnes") == "7"
    for key in (
        "timer",
        "question-total",
        "question-options-0-attributes-co2_tonnes",
        "question-options-1-attributes-co2_tonnes",
    ):
        assert problems_at(card, key) == [], key
    assert "in quotes" not in card

    # What is not a number stays text, and is said to be none.
    post(console, f"{editor}/cards/{index}", **(card_form(card) | {"f.question.total": "lots"}))
    card = console.get(f"{editor}/cards/{index}").text
    assert problems_at(card, "question-total") == ["lots is not a whole number"]
