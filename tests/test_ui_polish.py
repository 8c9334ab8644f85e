"""Small things a resident or facilitator sees, driven over HTTP and websockets:
amounts in error messages written the reader's way (1.234,5 in Danish), and a
split table flagged on its phones while it drafts its package (HTML and JSON)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from strategyroom.aggregate.agreement import multiple_agreement
from strategyroom.config import Settings
from strategyroom.web.app import create_app
from tests.conftest import ORIGIN, act, csrf_of, login, open_session
from tests.protocol import JsonParticipant

DECK = "polish-test.yaml"  # measures X, Y, Z cost 1,234.5, 1,300 and 100; the cap is 2,500

# X + Y = 2,534.5 is over the cap of 2,500 (in the cost's unit, k/year), in each
# interface language.
OVER_THE_LIMIT = {
    "en": "This package is over the limit: it adds up to 2,534.5 k/year, and at most "
    "2,500 k/year is allowed. Please leave something out.",
    "da": "Pakken er over grænsen: Den løber op i 2.534,5 k/year, og højst 2.500 k/year er "
    "tilladt. Tag noget ud af pakken.",
    # Swedish groups thousands with a no-break space (U+00A0), as Babel's CLDR data says.
    "sv": "Paketet är över gränsen: det blir 2\u00a0534,5 k/year totalt, "
    "och högst 2\u00a0500 k/year är tillåtet. Ta bort något ur paketet.",
}
SESSION_FULL = {
    "en": "This session is full (1,000 participants).",
    "da": "Denne session er fuld (1.000 deltagere).",
    "sv": "Den här sessionen är full (1\u00a0000 deltagare).",
}


def test_a_package_over_the_limit_is_refused_in_the_residents_language(
    console: TestClient, sockets: list[Any]
) -> None:
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    people = {}
    for language in OVER_THE_LIMIT:
        person = JsonParticipant(console, code, language=language, table=1)
        person.connect()
        sockets.append(person)
        people[language] = person

    # Each resident's own package (an individual question) ...
    act(console, sid, "show_card", card=1)
    act(console, sid, "open", question="mine")
    for language, person in people.items():
        refused = person.answer("mine", ["x", "y"])
        assert (refused["type"], refused["code"]) == ("error", "invalid_answer")
        assert refused["message"] == OVER_THE_LIMIT[language]
        assert person.answer("mine", ["x", "z"])["type"] == "ack"  # 1,334.5 is within it

    # ... and the table's shared draft of its package.
    act(console, sid, "show_card", card=2, close_open=True)
    act(console, sid, "open", question="ours")
    for language, person in people.items():
        refused = person.draft("ours", 1, 0, ["x", "y"])
        assert (refused["type"], refused["code"]) == ("error", "invalid_answer")
        assert refused["message"] == OVER_THE_LIMIT[language]


@pytest.fixture
def roomy(settings: Settings, facilitator: str) -> Iterator[TestClient]:
    """An app that takes 1,000 participants, so the refusal names a four-digit limit."""
    with TestClient(create_app(replace(settings, max_participants=1000)), base_url=ORIGIN) as app:
        app.headers["x-csrf-token"] = login(app)
        yield app


def test_a_full_session_names_its_limit_in_the_readers_language(roomy: TestClient) -> None:
    code = open_session(roomy, DECK)["join_code"]
    for _ in range(1000):
        assert roomy.post("/api/join", json={"code": code}).status_code == 201
    for language, message in SESSION_FULL.items():
        headers = {"accept-language": language}
        # A client of the JSON API ...
        refused = roomy.post("/api/join", json={"code": code}, headers=headers)
        assert refused.status_code == 409
        assert refused.json()["error"] == {"code": "session_full", "message": message}
        # ... and a phone's browser on the join page.
        phone = TestClient(roomy.app, base_url=ORIGIN, headers=headers)
        phone.portal = roomy.portal  # the same running app
        form = phone.get(f"/join/{code}")
        refused = phone.post(
            f"/join/{code}", data={"csrf_token": csrf_of(form.text), "language": language}
        )
        assert refused.status_code == 409
        assert f'<p class="status status-error" role="alert">{message}</p>' in refused.text


def phone_at(client: TestClient, code: str, table: int, language: str) -> str:
    """Join table ``table`` through its link as a phone's browser does; the stage's address."""
    form = client.get(f"/join/{code}/{table}")
    joined = client.post(
        f"/join/{code}/{table}",
        data={"csrf_token": csrf_of(form.text), "language": language},
        follow_redirects=False,
    )
    assert joined.status_code == 303, joined.text
    return str(joined.headers["location"])


def split_flag(page: str) -> str | None:
    """The split-table notice in a stage, or None."""
    if 'id="table-split"' not in page:
        return None
    return page.split('id="table-split"')[1].split("</div>")[0]


def own_plans(console: TestClient, sockets: list[Any]) -> tuple[str, str]:
    """A session with two tables whose residents made their own plans: table 1
    is split (X against Y), table 2 agrees (X + Z). Its id and join code."""
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=2)
    act(console, sid, "show_card", card=1)
    act(console, sid, "open", question="mine")
    # Six and five members: a table's own figures need policy.MIN_GROUP answers.
    for table, plans in ((1, (["x"], ["y"]) * 3), (2, (["x", "z"],) * 5)):
        for plan in plans:
            person = JsonParticipant(console, code, table=table)
            person.connect()
            sockets.append(person)
            assert person.answer("mine", plan)["type"] == "ack"
    return sid, code


# X and Y each chosen by half of table 1 (0), Z by nobody (1): agreement 1/3.
SPLIT = multiple_agreement([["x"], ["y"]], ["x", "y", "z"])
CONSOLE_BADGE = (
    '<span class="agreement agreement-split">0.33</span> <span class="badge">split</span>'
)


def test_a_split_table_sees_it_beside_its_impact_meter(
    console: TestClient, browser: Callable[[], TestClient], sockets: list[Any]
) -> None:
    sid, code = own_plans(console, sockets)
    phones = {(1, "en"): browser(), (1, "da"): browser(), (2, "en"): browser()}
    stages = {seat: phone_at(client, code, *seat) for seat, client in phones.items()}
    assert SPLIT == 1 / 3
    by_table = {
        t["table"]: t["figures"]["agreement"]
        for t in console.get(f"/api/sessions/{sid}/tables").json()["tables"]
    }
    assert by_table == {1: SPLIT, 2: 1.0}
    row = console.get(f"/console/{sid}").text.split('id="table-row-1"')[1].split("</tr>")[0]
    assert CONSOLE_BADGE in row  # what the console shows for table 1

    # The table builds its plan together; the question before is not revealed yet.
    act(console, sid, "show_card", card=2, close_open=True)
    act(console, sid, "open", question="ours")
    drafter = JsonParticipant(console, code, table=1)
    drafter.connect()
    sockets.append(drafter)
    assert drafter.draft("ours", 1, 0, ["x", "z"])["revision"] == 1
    table_one = phones[(1, "en")].get(stages[(1, "en")]).text
    assert 'id="impact-meter"' in table_one and split_flag(table_one) is None

    # Once the facilitator shows the room the own plans, table 1's phones flag the split.
    act(console, sid, "reveal", question="mine")
    flags = {seat: split_flag(client.get(stages[seat]).text) for seat, client in phones.items()}
    assert flags[(2, "en")] is None  # agreement 1: not split
    english, danish = flags[(1, "en")], flags[(1, "da")]
    assert english is not None and danish is not None
    assert (
        "Agreement at your table on your own answers to “Which measures would you pick?”: "
        + CONSOLE_BADGE
    ) in english
    assert "Your table is split on this. Talk about where you differ before you submit." in english
    assert (
        "Enighed ved jeres bord om jeres egne svar på “Hvilke tiltag vælger du?”: "
        '<span class="agreement agreement-split">0,33</span> <span class="badge">splittet</span>'
    ) in danish
    assert "Jeres bord er splittet om det. Tal om, hvor I er uenige, før I sender." in danish
    # It sits beside the meter, which still follows the draft.
    page = phones[(1, "en")].get(stages[(1, "en")]).text
    assert page.index('id="impact-meter"') < page.index('id="table-split"')


def projector_columns(console: TestClient, code: str, language: str = "en") -> dict[int, str]:
    page = console.get(f"/p/{code}?lang={language}").text
    if 'id="projector-packages"' not in page:
        return {}
    return {n: page.split(f'id="package-table-{n}"')[1].split("</section>")[0] for n in (1, 2)}


def test_the_projector_shows_each_tables_agreement_once_revealed(
    console: TestClient, sockets: list[Any]
) -> None:
    sid, code = own_plans(console, sockets)
    act(console, sid, "show_card", card=2, close_open=True)
    act(console, sid, "open", question="ours")
    for table, plan in ((1, ["x"]), (2, ["x", "z"])):
        drafter = JsonParticipant(console, code, table=table)
        drafter.connect()
        sockets.append(drafter)
        assert drafter.draft("ours", table, 0, plan)["revision"] == 1
    assert projector_columns(console, code) == {}  # the tables' plans are not revealed

    # The plans are revealed, the own plans are not: no agreement yet.
    act(console, sid, "reveal", question="ours")
    columns = projector_columns(console, code)
    assert set(columns) == {1, 2}
    assert all("agreement" not in column for column in columns.values())

    # Both revealed: each table's agreement as the console writes it, split marked.
    act(console, sid, "reveal", question="mine")
    agreement = {
        n: column.split('<p class="package-agreement">')[1].split("</p>")[0]
        for n, column in projector_columns(console, code).items()
    }
    assert agreement == {
        1: "Agreement: " + CONSOLE_BADGE,
        2: 'Agreement: <span class="agreement">1</span>',
    }
    page = console.get(f"/p/{code}").text
    assert (
        "Agreement: how alike each table's own answers to “Which measures would you pick?” "
        "were, from 0 (as split as possible) to 1."
    ) in page
    danish = projector_columns(console, code, "da")[1]
    assert (
        '<p class="package-agreement">Enighed: <span class="agreement agreement-split">0,33</span>'
        ' <span class="badge">splittet</span></p>'
    ) in danish


def test_a_small_tables_agreement_is_shown_nowhere(
    console: TestClient, browser: Callable[[], TestClient], sockets: list[Any]
) -> None:
    """Two at a table, split (X against Y): fewer than policy.MIN_GROUP, so neither
    the projector, the console nor the table's phones show its agreement."""
    session = open_session(console, DECK)
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=2)
    act(console, sid, "show_card", card=1)
    act(console, sid, "open", question="mine")
    for plan in (["x"], ["y"]):
        person = JsonParticipant(console, code, table=1)
        person.connect()
        sockets.append(person)
        assert person.answer("mine", plan)["type"] == "ack"
    phone = browser()
    stage = phone_at(phone, code, 1, "en")
    act(console, sid, "show_card", card=2, close_open=True)
    act(console, sid, "open", question="ours")
    drafter = JsonParticipant(console, code, table=1)
    drafter.connect()
    sockets.append(drafter)
    assert drafter.draft("ours", 1, 0, ["x"])["revision"] == 1
    act(console, sid, "reveal", question="ours")
    act(console, sid, "reveal", question="mine")

    agreement = projector_columns(console, code)[1].split('<p class="package-agreement">')[1]
    assert agreement.split("</p>")[0] == (
        'Agreement: <span class="agreement agreement-none">not enough answers</span>'
    )
    row = console.get(f"/console/{sid}").text.split('id="table-row-1"')[1].split("</tr>")[0]
    assert "agreement-split" not in row
    assert split_flag(phone.get(stage).text) is None
    assert drafter.expect("table_draft")["agreement"] is None
    figures = console.get(f"/api/sessions/{sid}/tables").json()["tables"][0]["figures"]
    assert figures["table"] == 1 and figures["agreement"] is None  # a table question's own


def test_a_json_phone_gets_its_tables_split_flag_with_the_draft(
    console: TestClient, sockets: list[Any]
) -> None:
    sid, code = own_plans(console, sockets)
    act(console, sid, "show_card", card=2, close_open=True)
    act(console, sid, "open", question="ours")
    phones = {table: JsonParticipant(console, code, table=table) for table in (1, 2)}
    away = JsonParticipant(console, code, table=1)  # resumes after the reveal
    for phone in (*phones.values(), away):
        phone.connect()
        sockets.append(phone)
    one, two = phones[1], phones[2]
    # The own plans are not revealed yet: no agreement, as the HTML phone shows none.
    assert one.table_draft is not None and one.table_draft["agreement"] is None
    saved = one.draft("ours", 1, 0, ["x", "z"])
    assert (saved["type"], saved["revision"], saved["agreement"]) == ("draft_saved", 1, None)
    pushed = one.expect("table_draft")
    assert pushed["impact"] is not None and pushed["agreement"] is None
    away.close()

    # Revealing the own plans brings each table's draft again, with its agreement
    # on them: table 1 is split (1/3, the console's figure), table 2 is not (1).
    act(console, sid, "reveal", question="mine")
    flag = {"question": "mine", "value": SPLIT, "split": True}
    drafted = one.expect("table_draft")
    assert (drafted["revision"], drafted["value"], drafted["agreement"]) == (1, ["x", "z"], flag)
    assert one.events[-1]["event"] == "results_revealed"
    undrafted = two.expect("table_draft")
    assert (undrafted["revision"], undrafted["agreement"]) == (
        0,
        {"question": "mine", "value": 1.0, "split": False},
    )
    # It stays on every later draft of the table, in a fresh snapshot, and a
    # device that was away gets it when it resumes.
    assert one.draft("ours", 1, 1, ["x"])["agreement"] is None  # draft_saved: no figures
    again = one.expect("table_draft")
    assert (again["revision"], again["agreement"]) == (2, flag)
    late = JsonParticipant(console, code, table=1)
    snapshot = late.connect()
    sockets.append(late)
    assert snapshot["table_draft"]["agreement"] == flag
    assert snapshot["table_draft"]["revision"] == 2
    away.connect(resume=True)
    assert away.expect_event("results_revealed")["data"] == {"question": "mine"}
    assert away.expect("table_draft")["agreement"] == flag
