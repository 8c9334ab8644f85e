"""Who gets a report: the facilitator; anyone with a share link until it expires
or is withdrawn; nobody else. And the report of several sessions side by side."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jsonschema
from sqlmodel import select
from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.reports import exports
from strategyroom.store.db import Database
from strategyroom.store.models import ReportShare, utcnow
from tests.conftest import csrf_of, open_session
from tests.reportscript import LABELS, PLAN, TABLE_PLAN, N, answered, script_session, seated


def make_share(console: TestClient, session_ids: list[str], days: str = "7") -> str:
    response = console.post(
        "/console/report/shares",
        data={"session": session_ids, "days": days, "csrf_token": console.headers["x-csrf-token"]},
    )
    assert response.status_code == 200, response.text
    match = re.search(r'value="http://testserver(/r/[A-Za-z0-9_-]+)"', response.text)
    assert match, "no share link on the page"
    return match.group(1)


def test_reports_are_for_facilitators_only(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    info = script_session(console, "North")
    stranger = browser()
    participant = browser()
    join = participant.get(f"/join/{info['join_code']}")
    joined = participant.post(
        f"/join/{info['join_code']}",
        data={"csrf_token": csrf_of(join.text), "language": "en"},
        follow_redirects=False,
    )
    assert joined.status_code == 303
    for client in (stranger, participant):
        for path in ("/console/report", "/console/report.json", "/console/report.csv"):
            response = client.get(f"{path}?session={info['id']}", follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith("/login")
        refused = client.post(
            "/console/report/shares",
            data={"session": info["id"], "days": "7"},
            follow_redirects=False,
        )
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    # Even a logged-in facilitator must send the form's CSRF token.
    no_token = console.post(
        "/console/report/shares",
        data={"session": info["id"], "days": "7"},
        headers={"x-csrf-token": ""},
    )
    assert no_token.status_code == 403


def test_share_links_open_until_withdrawn_or_expired(
    console: TestClient, browser: Callable[[], TestClient], settings: Settings
) -> None:
    info = script_session(console, "North")
    link = make_share(console, [info["id"]])
    officer = browser()
    page = officer.get(link)
    assert page.status_code == 200 and "Report test town" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert f'href="{link}/report.pdf"' in page.text and "Share this report" not in page.text
    report = officer.get(f"{link}/report.json").json()
    assert report["participants"] == N
    assert officer.get(f"{link}/report.pdf").content.startswith(b"%PDF")
    assert officer.get(f"{link}/report.xls").status_code == 404
    assert "Share this report" not in officer.get(f"{link}/report.html").text

    # The facilitator sees the link listed and withdraws it.
    listed = console.get(f"/console/report?session={info['id']}").text
    share_id = re.search(r"/console/report/shares/([A-Za-z0-9_-]+)/revoke", listed)
    assert share_id
    revoked = console.post(
        f"/console/report/shares/{share_id.group(1)}/revoke",
        data={
            "csrf_token": console.headers["x-csrf-token"],
            "back": f"/console/report?session={info['id']}",
        },
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    for path in (link, f"{link}/report.json", f"{link}/report.csv"):
        gone = officer.get(path)
        assert gone.status_code == 410
        assert "withdrawn by the facilitator" in gone.text
    assert "withdrawn" in console.get(f"/console/report?session={info['id']}").text

    # A link past its expiry is gone too; the clock is moved by ageing the row.
    later = make_share(console, [info["id"]], days="1")
    assert officer.get(later).status_code == 200
    db = Database(settings.effective_database_url)
    try:

        def age(session: Any) -> None:
            for share in session.exec(select(ReportShare)).all():
                share.expires_at = utcnow() - timedelta(seconds=1)
                session.add(share)
            session.commit()

        db.call(age, write=True)
        hashes = db.call(lambda s: [row.token_hash for row in s.exec(select(ReportShare)).all()])
    finally:
        db.dispose()
    expired = officer.get(f"{later}?lang=da")
    assert expired.status_code == 410 and "Dette rapportlink er udløbet." in expired.text
    # Only hashes are stored: the link's token is nowhere in the table.
    assert all(later.rsplit("/", 1)[1] not in h for h in hashes) and len(hashes) == 2
    assert officer.get("/r/not-a-real-token").status_code == 404


def _keys(value: Any) -> set[str]:
    """Every key anywhere in a JSON document."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_a_share_link_gives_the_aggregated_formats_but_never_the_csv(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    """The CSV holds every answer row per device beside its profile answers, so
    it would give the 3 older residents' answers the report hides: a share link
    offers the HTML page and download, the PDF and the JSON only."""
    info = script_session(console, "North")
    link = make_share(console, [info["id"]])
    officer = browser()
    page = officer.get(link)
    assert page.status_code == 200
    downloads = re.search(r'<nav class="downloads".*?</nav>', page.text, re.S)
    assert downloads
    assert re.findall(r'href="([^"]+)">([A-Z]+)</a>', downloads.group(0)) == [
        (f"{link}/report.{name}", name.upper()) for name in ("html", "pdf", "json")
    ]
    assert "report.csv" not in page.text
    csv = officer.get(f"{link}/report.csv")
    assert csv.status_code == 404
    assert "A shared report comes as html, pdf or json." in csv.text
    assert "text/csv" not in csv.headers["content-type"]
    assert "A shared report comes as html, pdf or json." in officer.get(f"{link}/report.xls").text
    danish = officer.get(f"{link}/report.csv?lang=da")
    assert danish.status_code == 404
    assert "En delt rapport findes som html, pdf eller json." in danish.text
    # The other formats still download, as files.
    html_file = officer.get(f"{link}/report.html")
    assert html_file.status_code == 200 and "Report test town" in html_file.text
    assert html_file.headers["content-disposition"].endswith('.html"')
    assert officer.get(f"{link}/report.pdf").content.startswith(b"%PDF")
    report = officer.get(f"{link}/report.json").json()
    # The JSON holds no answer rows per device and not the hidden group's size.
    assert not {"participant", "participant_id", "participant_number", "value_json"} & _keys(report)
    before = next(q for q in report["questions"] if q["id"] == "before")
    old = before["profiles"][0]["groups"][1]
    assert (old["group"], old["respondents"], old["suppressed"], old["result"]) == (
        "old",
        None,
        True,
        None,
    )
    # The facilitator's own report keeps the CSV: every answer row.
    query = f"session={info['id']}"
    assert f'href="/console/report.csv?{query}"' in console.get(f"/console/report?{query}").text
    csv_text = console.get(f"/console/report.csv?{query}").content.decode("utf-8-sig")
    answers = sum(len(answered(q)) for q in PLAN) + len(TABLE_PLAN)
    assert len(csv_text.strip().splitlines()) == 1 + answers


def test_bad_share_requests_get_clear_messages(console: TestClient) -> None:
    info = script_session(console, "North")
    token = console.headers["x-csrf-token"]
    for days, message in (("0", "1 to 365 days"), ("400", "1 to 365 days"), ("x", "how many days")):
        response = console.post(
            "/console/report/shares",
            data={"session": info["id"], "days": days, "csrf_token": token},
        )
        assert response.status_code == 400 and message in response.text
    unknown = console.post(
        "/console/report/shares", data={"session": "nope", "days": "3", "csrf_token": token}
    )
    assert unknown.status_code == 404
    assert console.get("/console/report").status_code == 400
    other = open_session(console, "town-test.yaml", "Other deck")
    mixed = console.get(f"/console/report?session={info['id']}&session={other['id']}")
    said = (
        "A report can only combine sessions of the same deck and version: "
        f"«North» ran {info['deck']['id']} version 1, «Other deck» ran town-test version 1."
    )
    assert mixed.status_code == 400 and said in mixed.text
    # Asked for as JSON, the refusal is JSON too (a script reads it), in Danish here.
    as_json = console.get(
        f"/console/report.json?session={info['id']}&session={other['id']}",
        headers={"accept-language": "da"},
    )
    assert as_json.status_code == 400
    assert as_json.json() == {
        "error": {
            "code": "invalid_message",
            "message": "En rapport kan kun samle sessioner med samme kortsæt og version: "
            f"«North» brugte {info['deck']['id']} version 1, "
            "«Other deck» brugte town-test version 1.",
        }
    }


SOUTH: dict[str, list[Any]] = {
    "age": ["old"] * 5,
    "before": [1, 1, 2, 2, 3],
    "street": ["church", "church", "none", "main", "church"],
    "measures": [["bus"], ["bus"], ["park"], ["bike"], ["bus", "bike"]],
    "order": [["trees", "heat", "solar"]] * 5,
    "split": [{"heat": 5, "solar": 5}] * 5,
    "comment": ["South says hi", None, None, None, None],
    "after": [2, 3, 2, 2, 5],
}


def test_several_sessions_side_by_side_and_in_total(console: TestClient) -> None:
    north = script_session(console, "North")
    south = script_session(console, "South", SOUTH)
    response = console.get(f"/console/report.json?session={north['id']}&session={south['id']}")
    report = response.json()
    assert [s["title"] for s in report["sessions"]] == ["North", "South"]
    assert report["participants"] == N + 5
    assert [s["tablets"] for s in report["sessions"]] == [1, 1]
    street = next(q for q in report["questions"] if q["id"] == "street")
    total = Counter(answered("street") + SOUTH["street"])
    assert [(o["option_id"], o["count"]) for o in street["result"]["options"]] == [
        (k, total[k]) for k in ("main", "church", "none")
    ]
    assert [s["result"]["respondents"] for s in street["sessions"]] == [N, 5]
    change = report["changes"][0]
    assert change["change"]["pairs"] == 11 + 5
    assert [s["change"]["pairs"] for s in change["sessions"]] == [11, 5]
    assert [p["session_id"] for p in report["session_priorities"]] == [north["id"], south["id"]]
    # Profiles over both sessions: 8 people are 40 or older, but North's 3 are
    # hidden in North's own report, so they stay hidden here too (otherwise this
    # report minus South's would give them; aggregate/suppression.py).
    old = next(q for q in report["questions"] if q["id"] == "before")["profiles"][0]["groups"][1]
    assert (old["respondents"], old["suppressed"], old["result"]) == (None, True, None)
    # Tables side by side, named with their session; the table question totals
    # one package per table over both sessions.
    labels = [f"{title}: {label}" for title in ("North", "South") for label in LABELS]
    assert [t["table"] for t in report["table_priorities"]] == labels
    assert [g["group"] for g in street["tables"]] == labels
    south_seats = seated(SOUTH)
    # Every table here is under the minimum group size: not even its size is given.
    assert all(len(south_seats[t]) < 5 for t in (1, 2, 3))
    assert [g["respondents"] for g in street["tables"][3:]] == [None, None, None]
    table_q = next(q for q in report["questions"] if q["id"] == "table-measures")
    chosen = Counter(o for p in [*TABLE_PLAN.values()] * 2 for o in p)
    assert table_q["result"]["respondents"] == 4
    assert [o["count"] for o in table_q["result"]["options"]] == [
        chosen[k] for k in ("bus", "bike", "park")
    ]
    assert [s["result"]["respondents"] for s in table_q["sessions"]] == [2, 2]
    assert [t["table"] for t in table_q["table_answers"]] == [
        "North: 1",
        "North: 2",
        "South: 1",
        "South: 2",
    ]
    page = console.get(f"/console/report?session={north['id']}&session={south['id']}").text
    assert "By evening: support (residents who answered)" in page and "South says hi" in page
    assert "South: 3 · By the" in page


def test_a_session_without_answers_has_a_report(console: TestClient) -> None:
    info = open_session(console, "report-test.yaml", "Empty")
    assert (
        f'href="/console/report?session={info["id"]}"' in console.get(f"/console/{info['id']}").text
    )
    assert 'id="report-form"' in console.get("/console").text
    report = console.get(f"/console/report.json?session={info['id']}").json()
    jsonschema.validate(report, json.loads(exports.SCHEMA_FILE.read_text()))
    assert {q["state"] for q in report["questions"]} == {"pending"}
    assert all(
        q["agreement"] is None and q["result"]["respondents"] == 0 for q in report["questions"]
    )
    assert report["changes"][0]["change"]["pairs"] == 0
    assert all(m["support"] is None for m in report["priorities"]["measures"])
    page = console.get(f"/console/report?session={info['id']}")
    assert page.status_code == 200 and "No answers yet." in page.text
    assert console.get(f"/console/report.pdf?session={info['id']}").content.startswith(b"%PDF")
    csv_text = console.get(f"/console/report.csv?session={info['id']}").content.decode("utf-8-sig")
    assert csv_text.strip().splitlines() == [",".join(exports.CSV_COLUMNS)]
