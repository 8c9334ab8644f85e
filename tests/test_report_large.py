"""A report over many tables stays readable: the document lists per question
only the 12 tables whose answers differ most from all residents' (computed
here), and says that every table is in the CSV and JSON, which hold them all."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from strategyroom.aggregate import MIN_GROUP
from strategyroom.reports import html
from tests.conftest import act, open_session
from tests.protocol import JsonParticipant
from tests.reportscript import DECK

TABLES = 13
# One resident per table; tables 12 and 13 chose Church Lane, the rest Main Street.
ANSWERS = ["main"] * 11 + ["church"] * 2


def test_the_document_lists_the_tables_that_differ_most(console: TestClient) -> None:
    info = open_session(console, "report-test.yaml", "Big hall")
    act(console, info["id"], "tables", count=TABLES)
    # Five at each table (the minimum group size), all giving their table's answer.
    act(console, info["id"], "show_card", card=DECK.question_card("street"))
    act(console, info["id"], "open", question="street")
    for table, value in enumerate(ANSWERS, start=1):
        for _ in range(MIN_GROUP):
            person = JsonParticipant(console, info["join_code"], table=table)
            person.connect()
            assert person.answer("street", value)["type"] == "ack"
            person.close()
    act(console, info["id"], "close", question="street")

    # Each table's distance from the room: half the summed differences of support.
    room = {o: 100 * ANSWERS.count(o) / TABLES for o in ("main", "church", "none")}
    distance = [sum(abs(100 * (o == a) - room[o]) for o in room) / 2 for a in ANSWERS]
    order = sorted(range(TABLES), key=lambda i: -distance[i])[:12]
    expected = [str(i + 1) for i in sorted(order)]
    assert expected == [str(n) for n in (*range(1, 11), 12, 13)]

    page = console.get(f"/console/report?session={info['id']}").text
    caption = (
        "Per table: the 12 of 13 tables whose answers differ most from all residents' "
        "(every table is in the CSV and JSON downloads)"
    )
    article = page.index('id="q-street"')
    start = page.index(f"<caption>{caption.replace(chr(39), '&#39;')}</caption>", article)
    table = page[start : page.index("</table>", start)]
    assert re.findall(r'<th scope="row">([^<]+)</th>', table) == expected
    # The data files keep every table.
    report = console.get(f"/console/report.json?session={info['id']}").json()
    street = next(q for q in report["questions"] if q["id"] == "street")
    assert [g["group"] for g in street["tables"]] == [str(n) for n in range(1, TABLES + 1)]


def test_an_evening_with_more_comments_than_a_document_holds_points_to_the_data(
    console: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rule with a small limit: three comments are listed, four are not.
    monkeypatch.setattr(html, "MAX_COMMENTS", 3)
    written = {"Many": ["a", "b", "c", "d"], "Few": ["x", "y", "z"]}
    ids = []
    for title, comments in written.items():
        info = open_session(console, "report-test.yaml", title)
        ids.append(info["id"])
        act(console, info["id"], "show_card", card=DECK.question_card("comment"))
        act(console, info["id"], "open", question="comment")
        for text in comments:
            person = JsonParticipant(console, info["join_code"])
            person.connect()
            assert person.answer("comment", f"Comment {text}")["type"] == "ack"
            person.close()
        act(console, info["id"], "close", question="comment")

    query = "&".join(f"session={i}" for i in ids)
    page = console.get(f"/console/report?{query}&lang=da").text
    article = page[page.index('id="q-comment"') :]
    article = article[: article.index("</article>")]
    assert re.findall(r"<li>Comment (\w)</li>", article) == ["x", "y", "z"]
    assert (
        "For mange kommentarer til at læse i et dokument: alle 4 findes i JSON-filen "
        "(og i mødelederens CSV-fil)."
    ) in article
    # The data files keep every comment.
    report = console.get(f"/console/report.json?{query}").json()
    comment = next(q for q in report["questions"] if q["id"] == "comment")
    assert sorted(c["text"] for c in comment["comments"]) == sorted(
        f"Comment {t}" for t in "abcdxyz"
    )
