"""The council's report over three evenings of one deck in three neighbourhoods
(tests/evenings.py), each leaning its own way: the summary's statements, the
comparison by evening (named by title and date), each evening's change, the
comments with their evening, whose answers each figure counts. Every figure is
computed here from the plans."""

from __future__ import annotations

import math
import re
import statistics
from typing import Any

import pytest
from scipy import stats
from starlette.testclient import TestClient

from strategyroom.reports.html_format import Formatter
from tests.evenings import PLANS, TITLES, three_evenings

Z = 1.959963984540054


def wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float]:
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p1 - p2
    return (
        100 * d,
        100 * (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
        100 * (d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)),
    )


def chose(title: str, question: str, option: str) -> int:
    values = [v for v in PLANS[title][question] if v is not None]
    return sum(option == v or (isinstance(v, list) and option in v) for v in values)


@pytest.fixture
def evenings(console: TestClient) -> dict[str, str]:
    return three_evenings(console)


def query(ids: dict[str, str]) -> str:
    return "&".join(f"session={ids[t]}" for t in TITLES)


def test_comparison_by_evening_and_whose_answers(
    console: TestClient, evenings: dict[str, str]
) -> None:
    report: dict[str, Any] = console.get(f"/console/report.json?{query(evenings)}").json()
    rows = {(c["question_id"], c["option_id"]): c for c in report["comparison"]}
    for question, options in (
        ("street", ("main", "church", "none")),
        ("measures", ("bus", "bike", "park")),
    ):
        for option in options:
            c = rows[(question, option)]
            assert c["counts"] == "residents" and c["basis"] == "share_of_respondents"
            shares = []
            for title, e in zip(TITLES, c["sessions"], strict=True):
                n = len(PLANS[title][question])
                k = chose(title, question, option)
                assert (e["session_id"], e["respondents"], e["chose"]) == (evenings[title], n, k)
                assert e["support"] == pytest.approx(100 * k / n)
                shares.append((k / n, title, k, n))
            assert c["broad"] == all(share >= 0.5 for share, *_ in shares)
            # Ties: the earlier evening is the high one, the later the low one.
            top, bottom = max(s[0] for s in shares), min(s[0] for s in shares)
            high = next(s for s in shares if s[0] == top)
            low = [s for s in shares if s[0] == bottom][-1]
            d, lo, hi = newcombe(high[2], high[3], low[2], low[3])
            diff = c["difference"]
            assert (diff["high"], diff["low"]) == (evenings[high[1]], evenings[low[1]])
            assert (diff["points"], diff["ci_low"], diff["ci_high"]) == (
                pytest.approx(d),
                pytest.approx(lo),
                pytest.approx(hi),
            )
    # Bike lanes: 75 %, 100 %, 100 %: broad support everywhere. Buses: not.
    assert rows[("measures", "bike")]["broad"] and not rows[("measures", "bus")]["broad"]
    # The tables' votes: counted as tables, never called broad nor a difference.
    votes = rows[("table-measures", "bike")]
    assert votes["counts"] == "tables" and not votes["broad"] and votes["difference"] is None
    assert {m["question_id"] for m in report["priorities"]["measures"]} == {
        "street",
        "measures",
        "order",
        "split",
    }
    assert {m["question_id"] for m in report["table_votes"]["measures"]} == {"table-measures"}


def test_change_per_evening_and_comments_by_evening(
    console: TestClient, evenings: dict[str, str]
) -> None:
    report = console.get(f"/console/report.json?{query(evenings)}").json()
    change = report["changes"][0]
    for title, part in zip(TITLES, change["sessions"], strict=True):
        diffs = [a - b for a, b in zip(PLANS[title]["after"], PLANS[title]["before"], strict=True)]
        assert part["session_id"] == evenings[title]
        assert part["change"]["mean_change"] == pytest.approx(statistics.mean(diffs))
        # Its 95 % interval: Student's t with pairs - 1 degrees of freedom.
        half = stats.t.ppf(0.975, len(diffs) - 1) * statistics.stdev(diffs) / len(diffs) ** 0.5
        assert part["change"]["ci_low"] == pytest.approx(statistics.mean(diffs) - half)
        assert part["change"]["ci_high"] == pytest.approx(statistics.mean(diffs) + half)
    comments = next(q for q in report["questions"] if q["id"] == "comment")["comments"]
    assert [(c["session_id"], c["text"]) for c in comments] == [
        (evenings[t], v) for t in TITLES for v in PLANS[t]["comment"] if v is not None
    ]


def test_the_summary_in_danish(console: TestClient, evenings: dict[str, str]) -> None:
    page = console.get(f"/console/report?{query(evenings)}&lang=da").text
    summary = page[
        page.index('<section class="summary"') : page.index(
            "</section>", page.index('<section class="summary"')
        )
    ]
    assert "Sammenfatning" in summary
    # Turnout per evening and all together.
    for title in TITLES:
        row = re.search(rf"<th scope=\"row\">{title} \([^)]*\)</th><td>(\d+)</td>", summary)
        assert row and int(row.group(1)) == len(PLANS[title]["age"])
    assert (
        f'<th scope="row">Alle møder</th><td>{sum(len(p["age"]) for p in PLANS.values())}</td>'
        in summary
    )
    # Broad support: bike lanes, 75 % to 100 %.
    assert (
        "Bike lanes (Build your package): 75\u00a0% til 100\u00a0% af borgerne ved hvert møde"
        in summary
    )
    # The clearest difference: Neither street, Amager 9 of 12 against Valby 0 of 10.
    d, lo, hi = newcombe(9, 12, 0, 10)
    assert ("Neither (Which street first?): 75\u00a0% i Amager") in summary
    assert "(9 af 12 borgere) mod 0\u00a0% i Valby" in summary
    assert (
        f"en forskel på {round(d)} procentpoint (95 %-interval {round(lo)} til {round(hi)})"
        in summary
    )
    # Nørrebro moved clearly (+2), the pooled change is smaller; a real minus for Amager.
    assert "<td>+2,00</td>" in summary
    amager = statistics.mean(
        a - b for a, b in zip(PLANS["Amager"]["after"], PLANS["Amager"]["before"], strict=True)
    )
    assert f"<td>\u2212{abs(amager):.2f}</td>".replace(".", ",") in summary
    assert "(1 = Not at all, 5 = Very)" in summary
    assert "ikke et tilfældigt udsnit" in summary and "ikke borgere" in summary
    assert "så et spørgsmåls svarmuligheder kan give 99 % eller 101 % tilsammen" in summary
    # Comments under their evening.
    assert "Skrevet ved Amager (" in page


def test_csv_bytes_for_danish_excel(console: TestClient, evenings: dict[str, str]) -> None:
    """A byte-order mark, `;` between cells in Danish and Swedish (`,` in
    English), and the question and answer in words beside their ids."""
    danish = console.get(f"/console/report.csv?{query(evenings)}&lang=da").content
    assert danish.startswith(b"\xef\xbb\xbfsession_id;session_title;deck_id;")
    lines = danish.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(";")[3:9] == [
        "deck_version",
        "deck_number",
        "card_id",
        "question_id",
        "question",
        "question_type",
    ]
    assert lines[0].endswith(";value;value_label;value_json;theme;theme_label")
    first_street = next(line for line in lines if ";street;" in line)
    assert first_street.startswith(f"{evenings['Nørrebro']};Nørrebro;report-test;1;1;street-card;")
    assert ";Which street first?;single;individual;p1;1;;" in first_street
    assert first_street.endswith(';main;Main Street;"""main""";;')  # no theme: not a comment
    package = next(line for line in lines if ";measures;" in line)
    assert ';"bus;bike";"More buses;Bike lanes";' in package
    assert "Nørrebro".encode() in danish  # UTF-8, not a code page
    swedish = console.get(f"/console/report.csv?{query(evenings)}&lang=sv").content
    assert swedish.startswith(b"\xef\xbb\xbfsession_id;")
    english = console.get(f"/console/report.csv?{query(evenings)}").content
    assert english.startswith(b"\xef\xbb\xbfsession_id,session_title,")


def test_units_targets_and_whole_labels(console: TestClient, evenings: dict[str, str]) -> None:
    page = console.get(f"/console/report?{query(evenings)}&lang=da").text
    # The package's limit and the target carry their units; the target line is labelled.
    assert "Grænse: 8 mDKK" in page and ">Mål: 1.000 t/yr</text>" in page
    # A long label is wrapped onto lines, never cut off.
    assert "…" not in page
    # Means in a column have the same decimals: 4,00 beside 4,17, not 4. (Every
    # table and profile group of these evenings is under the minimum group size,
    # so the page shows none: the formatter the columns use says it.)
    means = re.findall(r"<td>(?:mean|gennemsnit) ([^<]*)</td>", page)
    assert means and all(re.fullmatch(r"\d,\d\d \(\d+\)", m) for m in means), means
    assert [Formatter("da").fixed(v) for v in (4, 4.166, -0.5)] == ["4,00", "4,17", "−0,50"]


def _numeric_keys(value: Any, found: set[str], key: str = "") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _numeric_keys(v, found, k)
    elif isinstance(value, list):
        for v in value:
            _numeric_keys(v, found, key)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        found.add(key)


def test_every_figure_in_the_json_has_its_unit(
    console: TestClient, evenings: dict[str, str]
) -> None:
    report = console.get(f"/console/report.json?{query(evenings)}&lang=da").json()
    keys: set[str] = set()
    _numeric_keys({k: v for k, v in report.items() if k != "units"}, keys)
    assert keys - set(report["units"]) == set()
    assert {a["id"]: a["unit"] for a in report["deck"]["attributes"]} == {
        "co2": "t/yr",
        "cost": "mDKK",
    }
