"""A resident is offered the languages the deck has; a language only the
interface has (Arabic, for a deck in English, Danish and Swedish) is offered
only with a note that the evening's cards are not in it. Driven over HTTP as a
phone's browser loads the join page and the live page."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.testclient import TestClient

from tests.conftest import csrf_of, open_session

NOTE_DA = (
    "Aftenens kort og spørgsmål findes ikke på disse sprog – kun knapper og beskeder gør. "
    "Kortene vises på engelsk."
)


def radios(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="language" value="(\w+)"([^>]*)>', page)


def test_the_join_page_offers_the_decks_languages_and_the_others_with_a_note(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    code = open_session(console, "town-test.yaml")["join_code"]  # en, da, sv
    phone = browser()
    page = phone.get(f"/join/{code}", headers={"accept-language": "da"}).text
    offered = radios(page)
    assert [language for language, _ in offered] == ["en", "da", "sv", "ar"]
    assert [rest for language, rest in offered if language != "ar"] == ["", " checked", ""]
    assert dict(offered)["ar"] == ' aria-describedby="other-languages-note"'
    note = f'<p class="hint" id="other-languages-note">{NOTE_DA}</p>'
    assert note in page
    assert page.index('value="sv"') < page.index(note) < page.index('value="ar"')


def test_the_live_pages_menu_puts_the_others_in_a_group_that_says_so(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    code = open_session(console, "town-test.yaml")["join_code"]
    phone = browser()
    page = phone.get(join(phone, code)).text
    menu = page.split('<select id="language-select" name="language">')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\w+)"', menu) == ["en", "da", "sv", "ar"]
    group = menu.split("<optgroup")[1]
    assert group.startswith(' label="Bara knapparna – korten är på engelska">')
    assert re.findall(r'<option value="(\w+)"', group) == ["ar"]

    # Pages without a deck (the start page) offer every interface language.
    start = phone.get("/").text
    assert "<optgroup" not in start
    assert 'value="ar"' in start


def join(phone: TestClient, code: str) -> str:
    """Join in Swedish without a table; the live page's address."""
    form = phone.get(f"/join/{code}")
    joined = phone.post(
        f"/join/{code}",
        data={"csrf_token": csrf_of(form.text), "language": "sv"},
        follow_redirects=False,
    )
    assert joined.status_code == 303, joined.text
    return str(joined.headers["location"])
