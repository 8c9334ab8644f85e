"""The council report of a scripted session (every question type, a before/after
pair, profile questions with a group under 5, hostile comments), as HTML, PDF,
CSV and JSON, checked against figures computed here from the script."""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from strategyroom.aggregate import MIN_GROUP
from strategyroom.config import ConfigError, Settings
from strategyroom.i18n import format_percent
from strategyroom.reports import data, exports
from strategyroom.reports.timing import time_report
from strategyroom.store.db import Database
from strategyroom.web.app import create_app
from tests.conftest import login
from tests.reportscript import (
    FORMULA,
    LABELS,
    PLAN,
    SCRIPT,
    TABLE_PLAN,
    WINDOW,
    N,
    answered,
    script_session,
    seat,
    seated,
)
from tests.test_insight import cells

T_975_DF10 = 2.2281388519863867  # Student's t, 97.5 % quantile, 10 degrees of freedom


@pytest.fixture
def session(console: TestClient) -> dict[str, Any]:
    return script_session(console, "North & <Centre>")


def get_json(console: TestClient, sid: str) -> dict[str, Any]:
    response = console.get(f"/console/report.json?session={sid}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    report: dict[str, Any] = response.json()
    schema = json.loads(exports.SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(report, schema)
    return report


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in report["questions"]}


def test_json_figures_match_the_script(console: TestClient, session: dict[str, Any]) -> None:
    report = get_json(console, session["id"])
    assert exports.json_schema() == json.loads(exports.SCHEMA_FILE.read_text())
    # The residents; table 1's shared tablet is counted apart.
    assert (report["sessions"][0]["participants"], report["sessions"][0]["tablets"]) == (N, 1)
    assert report["participants"] == N and report["deck"] == {
        "id": "report-test",
        "version": "1",
        "number": 1,
        "title": "Report test town",
        "attributes": [
            {"id": "co2", "label": "CO2 saved", "unit": "t/yr", "currency": None},
            {"id": "cost", "label": "Cost", "unit": "mDKK", "currency": "DKK"},
        ],
    }
    questions = by_id(report)
    assert all(q["state"] == "closed" and q["sessions"][0]["frozen"] for q in questions.values())

    street = questions["street"]["result"]
    counts = Counter(answered("street"))
    assert [(o["option_id"], o["count"]) for o in street["options"]] == [
        (k, counts[k]) for k in ("main", "church", "none")
    ]
    shares = [counts[k] / N for k in counts]
    entropy = -sum(p * math.log(p) for p in shares)
    assert questions["street"]["agreement"] == pytest.approx(1 - entropy / math.log(3))

    # The over-cap package was refused: 12 packages stored, the mean package's impact.
    packages = answered("measures")
    co2 = {"bus": 300, "bike": 200, "park": 100}
    cost = {"bus": 4, "bike": 2, "park": 6}
    impact = questions["measures"]["impact"]
    assert questions["measures"]["result"]["respondents"] == len(packages) == N
    mean_co2 = sum(sum(co2[o] for o in p) for p in packages) / N
    assert impact["totals"] == [
        {"attribute": "co2", "total": pytest.approx(mean_co2)},
        {
            "attribute": "cost",
            "total": pytest.approx(sum(sum(cost[o] for o in p) for p in packages) / N),
        },
    ]
    assert impact["progress"] == pytest.approx(mean_co2 / 1000) and impact["cap"] == 8

    budget = questions["split"]["result"]["options"]
    heat = sum(v["heat"] for v in answered("split"))
    assert budget[0]["sum"] == heat and budget[0]["share"] == pytest.approx(100 * heat / (10 * N))

    # Priorities: support per type, the best first.
    orders = answered("order")
    borda = Counter({o: 0 for o in ("heat", "solar", "trees")})
    for order in orders:
        for place, option in enumerate(order):
            borda[option] += 2 - place
    tables = Counter(o for p in TABLE_PLAN.values() for o in p)  # one package per table
    # Residents' answers and the tables' votes are ranked apart, never in one list.
    expected = sorted(
        [("measures", o, 100 * sum(o in p for p in packages) / N) for o in co2]
        + [("street", o, 100 * c / N) for o, c in counts.items()]
        + [("order", o, 100 * b / (2 * N)) for o, b in borda.items()]
        + [("split", o["option_id"], o["share"]) for o in budget],
        key=lambda m: -m[2],
    )
    assert [
        (m["question_id"], m["option_id"], m["support"]) for m in report["priorities"]["measures"]
    ] == [(q, o, pytest.approx(v)) for q, o, v in expected]
    votes = report["table_votes"]["measures"]
    top = votes[0]  # both tables chose bike lanes
    assert (top["question_id"], top["option_id"], top["support"]) == (
        "table-measures",
        "bike",
        100.0,
    )
    assert [(m["option_id"], m["support"]) for m in votes] == sorted(
        [(o, 100 * tables[o] / len(TABLE_PLAN)) for o in co2], key=lambda m: -m[1]
    )

    # Before/after: 11 pairs (resident 11 left), mean change and a t interval.
    change = report["changes"][0]["change"]
    diffs = [a - b for a, b in zip(PLAN["after"][:11], PLAN["before"][:11], strict=True)]
    half = T_975_DF10 * statistics.stdev(diffs) / math.sqrt(11)
    assert change["pairs"] == 11
    assert change["mean_change"] == pytest.approx(statistics.mean(diffs))
    assert change["ci_low"] == pytest.approx(statistics.mean(diffs) - half)
    assert change["ci_high"] == pytest.approx(statistics.mean(diffs) + half)

    # Profiles: 7 under 40 shown, 3 over 40 suppressed, 2 skipped.
    age = questions["age"]["result"]
    assert (age["respondents"], age["skipped"]) == (10, 2)
    young, old = questions["before"]["profiles"][0]["groups"]
    assert (young["respondents"], young["suppressed"]) == (7, False)
    assert young["result"]["mean"] == pytest.approx(statistics.mean(PLAN["before"][:7]))
    assert (old["respondents"], old["suppressed"], old["result"]) == (None, True, None)

    # Every comment, hostile ones as plain text.
    texts = [c["text"] for c in questions["comment"]["comments"]]
    assert texts == [t.strip() for t in answered("comment")]


def test_csv_has_one_row_per_answer_and_no_formulas(
    console: TestClient, session: dict[str, Any]
) -> None:
    response = console.get(f"/console/report.csv?session={session['id']}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == list(exports.CSV_COLUMNS)
    assert len(rows) == sum(len(answered(q)) for q in PLAN) + len(TABLE_PLAN)
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    comments = [r["value"] for r in rows if r["question_id"] == "comment"]
    assert comments == [
        SCRIPT,
        "'" + FORMULA,
        "'+1 more buses",
        "'-2 cars & <b>vans</b>",
        "'@home",
        "Tabbed",
    ]
    # The refused over-cap package left nothing behind: p1's stored package is the later one.
    first = next(r for r in rows if r["question_id"] == "measures")
    assert (first["participant"], first["value"]) == ("p1", ";".join(PLAN["measures"][0]))
    orders = [r["value"] for r in rows if r["question_id"] == "order"]
    assert orders == [">".join(o) for o in answered("order")]
    assert {r["participant"] for r in rows if r["scope"] == "individual"} == {
        f"p{i}" for i in range(1, N + 1)
    }
    assert {r["session_title"] for r in rows} == {"North & <Centre>"}
    splits = [json.loads(r["value_json"]) for r in rows if r["question_id"] == "split"]
    assert splits == answered("split")


def test_html_in_the_readers_language_escapes_resident_text(
    console: TestClient, session: dict[str, Any]
) -> None:
    page = console.get(f"/console/report?session={session['id']}&lang=da")
    assert page.status_code == 200
    html = page.text
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>vans</b>" not in html and "North &amp; &lt;Centre&gt;" in html
    assert "Ingen personoplysninger." in html  # the privacy statement, in Danish
    diffs = [a - b for a, b in zip(PLAN["after"][:11], PLAN["before"][:11], strict=True)]
    mean = f"{statistics.mean(diffs):.2f}".replace(".", ",")
    assert f"<td>+{mean}</td>" in html  # Danish decimal comma, the change signed
    # Every chart is an image whose title says what it shows, next to a data table.
    assert html.count('role="img"') == html.count("<title id=") >= 7
    assert html.count('<table class="data">') >= html.count('role="img"')
    assert "<td>vises ikke</td>" in html  # the suppressed profile group, in Danish
    # One shared tablet, in the singular; "mindre end 5" is gone for one wording.
    assert "1 fælles tablet ved bordene (tælles ikke som deltager)" in html
    assert "mindre end 5" not in html and "fælles tablets" not in html


def test_pdf_is_a4_with_the_council_and_turns_into_pages(
    tmp_path: Path, settings: Settings, facilitator: str
) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
        '<rect width="120" height="40" fill="#000"/></svg>'
    )
    custom = replace(settings, council_name="Testby Kommune", council_logo=logo)
    with TestClient(create_app(custom), base_url="http://testserver") as client:
        client.headers["x-csrf-token"] = login(client)
        info = script_session(client, "North")
        html = client.get(f"/console/report?session={info['id']}").text
        assert "Testby Kommune" in html and 'src="data:image/svg+xml;base64,' in html
        response = client.get(f"/console/report.pdf?session={info['id']}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    info_text = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "595.276 x 841.89 pts (A4)" in info_text.stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "Testby Kommune" in text.stdout and "No personal data." in text.stdout
    assert "<script>alert(1)</script>" in text.stdout  # shown as text, not run
    assert "Table answers" in text.stdout and f"Table 3 · {WINDOW}" in text.stdout
    assert "2 tables answered" in text.stdout
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", "-l", "2", str(pdf), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2 and all(p.read_bytes().startswith(b"\x89PNG") for p in pages)


def entropy_agreement(values: list[str], options: int) -> float:
    counts = Counter(values)
    n = len(values)
    return 1 - -sum(c / n * math.log(c / n) for c in counts.values()) / math.log(options)


def totals(answer: dict[str, Any]) -> list[float]:
    return [x["total"] for x in answer["impact"]["totals"]]


def test_tables_figures_match_the_script(console: TestClient, session: dict[str, Any]) -> None:
    """The three tables the script made: each table's figures from its members,
    the tables' own packages (one answer per submitting table) with their impact,
    in JSON, CSV and HTML."""
    report = get_json(console, session["id"])
    questions = by_id(report)
    assert report["sessions"][0]["tables"] == LABELS
    seats = seated()
    street = questions["street"]["tables"]
    assert [g["group"] for g in street] == LABELS
    # Four at each table, fewer than policy.MIN_GROUP: a table's own figures on an
    # individual question are not in the report (the room's are), as on every screen.
    assert MIN_GROUP == 5
    for question_id in ("street", "measures"):
        for group, table in zip(questions[question_id]["tables"], (1, 2, 3), strict=True):
            assert len(seats[table]) == 4
            assert (group["respondents"], group["suppressed"]) == (None, True)  # not even its size
            assert (group["result"], group["agreement"], group["impact"]) == (None, None, None)

    # The table question counts one answer per table that submitted (table 3 only drafted).
    table_q = questions["table-measures"]
    assert table_q["scope"] == "table" and table_q["sessions"][0]["frozen"]
    chosen = Counter(o for p in TABLE_PLAN.values() for o in p)
    assert table_q["result"]["respondents"] == len(TABLE_PLAN) == 2
    assert [(o["option_id"], o["count"], o["percent"]) for o in table_q["result"]["options"]] == [
        (k, chosen[k], 100 * chosen[k] / 2) for k in ("bus", "bike", "park")
    ]
    # Agreement between the tables: bus and park split them (0), bike unites them (1).
    assert table_q["agreement"] == pytest.approx(1 / 3)
    # The live console's results (API) and the report's are the same figures.
    live = console.get(f"/api/sessions/{session['id']}").json()["questions"]["table-measures"]
    assert (live["answers"], live["results"]) == (2, table_q["result"])
    assert table_q["profiles"] == [] and table_q["comments"] == []
    assert [(g["group"], g["respondents"]) for g in table_q["tables"]] == list(
        zip(LABELS, (1, 1, 0), strict=True)
    )
    co2 = {"bus": 300, "bike": 200, "park": 100}
    cost = {"bus": 4, "bike": 2, "park": 6}
    assert [
        (t["table"], t["value"], t["impact"]["progress"], totals(t))
        for t in table_q["table_answers"]
    ] == [
        (
            str(n),
            p,
            pytest.approx(sum(co2[o] for o in p) / 1000),
            [sum(co2[o] for o in p), sum(cost[o] for o in p)],
        )
        for n, p in TABLE_PLAN.items()
    ]
    mean_co2 = sum(sum(co2[o] for o in p) for p in TABLE_PLAN.values()) / 2
    assert table_q["impact"]["progress"] == pytest.approx(mean_co2 / 1000)
    # Each table's top measures are its own package's (table 1: buses and bikes, all
    # support; park and ride, none, is left out), not its four members' answers.
    assert [t["table"] for t in report["table_priorities"]] == LABELS
    one = report["table_priorities"][0]["priorities"]["measures"]
    assert {m["question_id"] for m in one} == {"table-measures"}
    own = {m["option_id"]: m["support"] for m in one if m["question_id"] == "table-measures"}
    assert own == {"bus": 100.0, "bike": 100.0}

    rows = list(
        csv.DictReader(
            io.StringIO(
                console.get(f"/console/report.csv?session={session['id']}").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    for row in (r for r in rows if r["scope"] == "individual"):
        table = seat(int(row["participant"][1:]) - 1, N)
        assert (row["table"], row["table_name"]) == (str(table), WINDOW if table == 3 else "")
    assert [(r["table"], r["participant"], r["value"]) for r in rows if r["scope"] == "table"] == [
        (str(n), "", ";".join(p)) for n, p in TABLE_PLAN.items()
    ]

    page = console.get(f"/console/report?session={session['id']}").text
    # Every question has a per-table section but the table question (its answers instead).
    assert page.count("<caption>Per table</caption>") == len(questions) - 1
    first_tables = page.split("<caption>Per table</caption>")[1].split("</table>")[0]
    hidden = "<td>not shown</td><td>–</td><td>not shown</td>"  # four at each table
    assert first_tables.count(hidden) == 3
    assert "<caption>Table answers</caption>" in page and "Bike lanes, Park and ride" in page
    assert f"3 · {WINDOW}" in page and "Each table's top measures" in page
    assert format_percent(50.0, "en") == "50%" and "50% of the target" in page  # table 1


def test_each_tables_top_measures_name_only_what_the_table_supported(
    console: TestClient, session: dict[str, Any]
) -> None:
    """A measure nobody at a table supported (0 %) is not one of its top measures:
    table 1 agreed on buses and bikes, table 2 on bikes and park and ride, table 3
    agreed on nothing and says so, in the page's language and in the JSON."""
    report = get_json(console, session["id"])
    assert [
        (t["table"], [(m["option_id"], m["support"]) for m in t["priorities"]["measures"]])
        for t in report["table_priorities"]
    ] == [
        ("1", [("bus", 100.0), ("bike", 100.0)]),
        ("2", [("bike", 100.0), ("park", 100.0)]),
        (LABELS[2], []),
    ]
    none = {
        "en": "No measure had any support at this table.",
        "da": "Intet tiltag fik opbakning ved dette bord.",
        "sv": "Ingen åtgärd fick stöd vid det här bordet.",
    }
    for lang, sentence in none.items():
        page = console.get(f"/console/report?session={session['id']}&lang={lang}").text
        full = format_percent(100.0, lang)
        assert cells(page, 'id="table-priorities"')[1:] == [
            ["1", f"More buses ({full}); Bike lanes ({full})"],
            ["2", f"Bike lanes ({full}); Park and ride ({full})"],
            [LABELS[2], sentence],
        ]


def test_a_session_reads_in_a_few_queries(settings: Settings, session: dict[str, Any]) -> None:
    """However many participants and tables: the session, its runs, participants,
    answers, tables, seats, table answers and the facilitator's theme edits."""
    db = Database(settings.effective_database_url)
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        sessions = db.call(lambda s: data.load_sessions(s, [session["id"]]))
    finally:
        db.dispose()
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 8
    assert sessions[0].tables.numbers == dict(zip(LABELS, (1, 2, 3), strict=True))


def test_timing_reads_every_answer(settings: Settings, session: dict[str, Any]) -> None:
    """The benchmark's timing function runs the whole report; no timing is asserted."""
    timings = time_report(settings.effective_database_url, [session["id"]])
    assert set(timings) == {"read", "figures", "html", "csv", "json", "total", "answers"}
    assert timings["answers"] == sum(len(answered(q)) for q in PLAN)


def test_every_csv_column_is_documented() -> None:
    documented = (Path(__file__).resolve().parent.parent / "docs" / "reports.md").read_text()
    assert [c for c in exports.CSV_COLUMNS if f"`{c}`" not in documented] == []


def test_a_council_logo_that_is_not_a_file_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="STRATEGYROOM_COUNCIL_LOGO must be an image file"):
        Settings.from_env({"STRATEGYROOM_COUNCIL_LOGO": str(tmp_path / "missing.png")})
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG")
    assert Settings.from_env({"STRATEGYROOM_COUNCIL_LOGO": str(logo)}).council_logo == logo
