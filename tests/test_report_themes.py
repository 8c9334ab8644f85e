"""The themes of a text question in the report (docs/reports.md): JSON, CSV and
the page, for a session whose ten comments are five about buses and five about
bikes (tests/test_themes.py::test_ten_comments_on_two_themes has the same)."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.testclient import TestClient

from tests.reportscript import PLAN, script_session
from tests.test_reports import by_id, get_json
from tests.test_themes import TEN

BIKES = ["Safe bike lanes to school", "More bike parking at the station"]


def test_the_report_groups_the_comments_into_themes(console: TestClient) -> None:
    plan: dict[str, list[Any]] = {**PLAN, "comment": [*TEN, None, None]}
    session = script_session(console, "Themes", plan)
    sid = session["id"]
    report = get_json(console, sid)
    comment = by_id(report)["comment"]
    assert [c["text"] for c in comment["comments"]] == TEN
    assert comment["themes"] == {
        "themes": [
            {
                "number": 1,
                "label": ["bike", "lanes", "cars"],
                "size": 5,
                "quotes": [
                    {"session_id": sid, "text": text}
                    for text in [*BIKES, "Light the bike path by the river"]
                ],
                "comments": [6, 7, 8, 9, 10],
                "edited": False,
            },
            {
                "number": 2,
                "label": ["bus", "cheaper", "evening"],
                "size": 5,
                "quotes": [{"session_id": sid, "text": text} for text in TEN[1:4]],
                "comments": [1, 2, 3, 4, 5],
                "edited": False,
            },
        ],
        "unthemed": [],
    }
    assert by_id(report)["after"]["themes"] is None  # not a text question

    rows = list(
        csv.DictReader(
            io.StringIO(console.get(f"/console/report.csv?session={sid}").text.lstrip("\ufeff"))
        )
    )
    themed = [
        (r["participant"], r["theme"], r["theme_label"])
        for r in rows
        if r["question_id"] == "comment"
    ]
    assert themed == [
        *[(f"p{i}", "2", "bus, cheaper, evening") for i in range(1, 6)],
        *[(f"p{i}", "1", "bike, lanes, cars") for i in range(6, 11)],
    ]
    assert {r["theme"] for r in rows if r["question_id"] != "comment"} == {""}

    page = console.get(f"/console/report?session={sid}").text
    assert "Themes in the comments" in page
    assert "<strong>bike, lanes, cars</strong> · 5 comments" in page
    assert "<li>“Safe bike lanes to school”</li>" in page

    danish = console.get(f"/console/report?session={sid}&lang=da").text
    assert "Temaer i kommentarerne" in danish
    assert "<li>»Safe bike lanes to school«</li>" in danish
