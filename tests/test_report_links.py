"""The report's links as a council officer follows them: logging in on the way
keeps the report's sessions, downloads keep the page's language, the share-link
list does not depend on the order of the sessions in the address and says when
a link expired, and a share page sends one referrer policy."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select
from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.store.db import Database
from strategyroom.store.models import ReportShare, utcnow
from tests.conftest import PASSWORD, act, csrf_of, open_session
from tests.protocol import JsonParticipant
from tests.reportscript import DECK


def two_sessions(console: TestClient) -> list[str]:
    return [open_session(console, "report-test.yaml", t)["id"] for t in ("North", "South")]


def share(console: TestClient, ids: list[str]) -> str:
    response = console.post(
        "/console/report/shares",
        data={"session": ids, "days": "7", "csrf_token": console.headers["x-csrf-token"]},
    )
    assert response.status_code == 200, response.text
    match = re.search(r'value="http://testserver(/r/[A-Za-z0-9_-]+)"', response.text)
    assert match
    return match.group(1)


def test_logging_in_from_a_report_link_opens_that_report(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    a, b = two_sessions(console)
    officer = browser()
    address = f"/console/report?session={a}&session={b}&lang=da"
    sent = officer.get(address, follow_redirects=False)
    assert sent.status_code == 303
    login_page = officer.get(sent.headers["location"])
    assert 'name="next" value="' in login_page.text
    next_value = re.search(r'name="next" value="([^"]+)"', login_page.text)
    assert next_value and next_value.group(1).replace("&amp;", "&") == address
    logged_in = officer.post(
        "/login",
        data={
            "username": "alice",
            "password": PASSWORD,
            "csrf_token": csrf_of(login_page.text),
            "next": next_value.group(1).replace("&amp;", "&"),
        },
        follow_redirects=False,
    )
    assert logged_in.headers["location"] == address
    report = officer.get(address)
    assert report.status_code == 200
    assert "North" in report.text and "South" in report.text
    assert "Vælg mindst én session" not in report.text


def test_downloads_keep_the_language(console: TestClient) -> None:
    a, b = two_sessions(console)
    page = console.get(f"/console/report?session={a}&session={b}&lang=sv").text
    for fmt in ("html", "csv", "json"):
        assert f'href="/console/report.{fmt}?session={a}&amp;session={b}&amp;lang=sv"' in page
    # The PDF is made in the background, in the page's language (test_report_jobs.py).
    assert 'hx-post="/console/report/pdf-jobs?lang=sv"' in page
    link = share(console, [a, b])
    shared = console.get(f"{link}?lang=da").text
    assert f'href="{link}/report.json?lang=da"' in shared
    assert console.get(f"{link}/report.json?lang=da").json()["language"] == "da"
    # A language the app does not have is not passed on.
    assert "lang=xx" not in console.get(f"/console/report?session={a}&lang=xx").text


def test_share_links_listed_in_any_order_and_expired_ones_say_so(
    console: TestClient, settings: Settings
) -> None:
    a, b = two_sessions(console)
    share(console, [a, b])
    reversed_page = console.get(f"/console/report?session={b}&session={a}").text
    assert reversed_page.count("/revoke") == 1
    db = Database(settings.effective_database_url)
    try:

        def expire(session: Any) -> None:
            for row in session.exec(select(ReportShare)).all():
                row.expires_at = utcnow() - timedelta(seconds=1)
                session.add(row)
            session.commit()

        db.call(expire, write=True)
    finally:
        db.dispose()
    page = console.get(f"/console/report?session={a}&session={b}&lang=da").text
    assert "/revoke" not in page and "<td>udløbet</td>" in page


def test_a_share_page_sends_one_referrer_policy(console: TestClient) -> None:
    a, _ = two_sessions(console)
    link = share(console, [a])
    response = console.get(link)
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]
    # Other pages keep the app's policy.
    assert console.get("/console").headers.get_list("referrer-policy") == ["same-origin"]


def test_the_html_download_keeps_its_styles(console: TestClient) -> None:
    a, b = two_sessions(console)
    page = console.get(f"/console/report?session={a}&session={b}&lang=da").text
    assert f'href="/console/report.html?session={a}&amp;session={b}&amp;lang=da"' in page
    download = console.get(f"/console/report.html?session={a}&session={b}&lang=da")
    assert download.status_code == 200
    assert download.headers["content-type"] == "text/html; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="report-report-test-\d{4}-\d\d-\d\d\.html"',
        download.headers["content-disposition"],
    )
    css = (Path(__file__).resolve().parent.parent / "static" / "report.css").read_text()
    assert f"<style>{css}</style>" in download.text
    assert "/static/report.css" not in download.text and 'lang="da"' in download.text
    link = share(console, [a, b])
    shared = console.get(f"{link}/report.html")
    assert shared.status_code == 200 and "<style>" in shared.text


def test_dates_in_the_councils_time_zone(settings: Settings, facilitator: str) -> None:
    from dataclasses import replace

    from strategyroom.web.app import create_app
    from tests.conftest import login

    copenhagen = replace(settings, timezone="Europe/Copenhagen")
    with TestClient(create_app(copenhagen), base_url="http://testserver") as client:
        client.headers["x-csrf-token"] = login(client)
        a = open_session(client, "report-test.yaml", "North")["id"]
        page = client.get(f"/console/report?session={a}&lang=da").text
        made = re.search(r"Rapporten er lavet ([^<]+)\.</p>", page)
        assert made and made.group(1).endswith(("CET", "CEST")), made
        created = client.post(
            "/console/report/shares",
            data={"session": [a], "days": "7", "csrf_token": client.headers["x-csrf-token"]},
        )
        assert re.search(r"until [^<]* \d{1,2}:\d{2}\s[AP]M CES?T", created.text)
        # The CSV's times: the council's clock, with its offset.
        act(client, a, "show_card", card=DECK.question_card("street"))
        act(client, a, "open", question="street")
        person = JsonParticipant(client, client.get(f"/api/sessions/{a}").json()["join_code"])
        person.connect()
        assert person.answer("street", "main")["type"] == "ack"
        person.close()
        rows = list(csv.reader(io.StringIO(client.get(f"/console/report.csv?session={a}").text)))
        stamp = datetime.fromisoformat(rows[1][rows[0].index("answered_at")])
        copenhagen_now = datetime.now(ZoneInfo("Europe/Copenhagen"))
        assert stamp.utcoffset() == copenhagen_now.utcoffset()
        assert abs(stamp - copenhagen_now) < timedelta(minutes=5)
