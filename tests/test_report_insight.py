"""The report's opinion groups, common ground, room against the town and
weighted figures (templates/reports/insight.html, strategyroom/reports/insight.py),
after the evening of tests/test_insight.py: worked out by hand here."""

from __future__ import annotations

import json

import jsonschema
import pytest
from starlette.testclient import TestClient

from strategyroom.reports import exports
from tests.conftest import open_session
from tests.test_insight import DECK, cells, run_evening


def test_the_report_shows_groups_common_ground_and_weighted_figures(console: TestClient) -> None:
    session = open_session(console, DECK)
    sid = session["id"]
    run_evening(console, session["join_code"], sid)
    report = console.get(f"/console/report.json?session={sid}").json()
    insight = report["insight"]
    assert [g["size"] for g in insight["opinion"]["groups"]] == [7, 7]
    assert [(c["question_id"], c["option_id"]) for c in insight["opinion"]["common_ground"]] == [
        ("measures", "trees")
    ]
    # The town is half young, half old; the room 10 young and 4 old: young weigh
    # 0.5 x 14 / 10 = 0.7, old 0.5 x 14 / 4 = 1.75.
    [town] = insight["town"]
    assert [(o["option_id"], o["room"], o["representation"]) for o in town["options"]] == [
        ("young", 10, "fair"),
        ("old", 4, "under"),
    ]
    weighting = insight["weighting"]
    # Kish: 14^2 / (10 x 0.49 + 4 x 1.75^2) = 196 / 17.15.
    assert weighting["effective"] == pytest.approx(196 / 17.15, abs=1e-9)
    assert (weighting["largest"], weighting["extreme"], weighting["capped"]) == (
        pytest.approx(1.75, abs=1e-9),
        False,
        0,
    )
    street = next(q for q in weighting["questions"] if q["question_id"] == "street")
    # Main Street: the 7 young of the first half, 7 x 0.7 / 14 = 35 %; Church
    # Lane: 3 young and 4 old, (2.1 + 7) / 14 = 65 %.
    assert [(f["option_id"], f["unweighted"]) for f in street["figures"]] == [
        ("main", 50.0),
        ("church", 50.0),
    ]
    assert [f["weighted"] for f in street["figures"]] == pytest.approx([35.0, 65.0], abs=1e-9)
    pace = next(q for q in weighting["questions"] if q["question_id"] == "pace")
    # (4.9 x 5 + 9.1 x 1) / 14 = 2.4 against 3 unweighted.
    assert pace["figures"][0]["unweighted"] == 3.0
    assert pace["figures"][0]["weighted"] == pytest.approx(2.4, abs=1e-9)

    html = console.get(f"/console/report?session={sid}").text
    # Consensus: (7 + 1) / (7 + 2) in each group, squared: 0.79.
    assert cells(html, 'id="common-ground"')[1] == ["Trees", "100%", "100%", "100%", "0.79"]
    assert cells(html, 'class="data weighted" data-question="street"') == [
        ["Answer", "As the room said", "Weighted to the town"],
        ["Main Street", "50%", "35%"],
        ["Church Lane", "50%", "65%"],
    ]
    assert "Effective sample size: 11.4 of 14 residents; the largest weight is 1.75." in html
    assert 'id="weighting-warning"' not in html
    # The summary's limits say whom the room had too few of.
    assert "Against the town, the room had too few of: 40 or older." in html
    # The CSV gives each resident's weight on each of their rows: 0,7 or 1,75 in Danish.
    lines = console.get(f"/console/report.csv?session={sid}&lang=da").text.split("\r\n")
    header = lines[0].removeprefix("\ufeff").split(";")
    ages = [line.split(";") for line in lines[1:] if ";age;" in line]
    assert sorted((r[header.index("value")], r[header.index("weight")]) for r in ages) == sorted(
        [("young", "0,7")] * 10 + [("old", "1,75")] * 4
    )
    pdf = console.get(f"/console/report.pdf?session={sid}")
    assert (pdf.status_code, pdf.content[:5]) == (200, b"%PDF-")


def test_the_towns_source_is_text_in_the_reports_language(console: TestClient) -> None:
    """insight.town[].source is the deck's source in the report's language, plain
    text like every other deck text in the JSON (the deck gives it per language)."""
    session = open_session(console, DECK)
    sid = session["id"]
    run_evening(console, session["join_code"], sid, upto=1)
    schema = json.loads(exports.SCHEMA_FILE.read_text())
    sources = {
        "en": "Statistics Denmark, FOLK1A",
        "da": "Danmarks Statistik, FOLK1A",
        "sv": "Danmarks statistik, FOLK1A",
    }
    for lang, source in sources.items():
        report = console.get(f"/console/report.json?session={sid}&lang={lang}").json()
        jsonschema.validate(report, schema)
        assert [(t["question_id"], t["source"], t["year"]) for t in report["insight"]["town"]] == [
            ("age", source, 2025)
        ]
        # The console's insight API has the report JSON's shapes.
        api = console.get(f"/api/sessions/{sid}/insight?lang={lang}").json()
        assert api["town"] == report["insight"]["town"]
    html = console.get(f"/console/report?session={sid}").text
    assert "Town: Statistics Denmark, FOLK1A, 2025" in html
