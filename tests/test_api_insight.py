"""The JSON API's insight and themes (docs/api.md): the figures of the console's
panels, from the same read model, so a client sees what the facilitator sees;
and the same as the report's for one evening. Residents answer on their phones
(the JSON protocol); the weights to the town are computed by hand below."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from strategyroom import i18n
from tests.conftest import act, open_session
from tests.protocol import JsonParticipant
from tests.test_insight import ANSWERS, cells
from tests.test_themes import TEN

DECK = "insight-api-test.yaml"
# Ten under 40 (seven of them for Main Street), four over 40 (all for Church Lane).
AGES = ["young"] * 10 + ["old"] * 4


def run_evening(console: TestClient, code: str, sid: str, ages: list[str]) -> None:
    """Every card in turn; the residents answer what ``ages`` and ANSWERS say
    and the first ten write the TEN comments (the last card stays shown)."""
    phones = [JsonParticipant(console, code) for _ in ages]
    for phone in phones:
        phone.connect()
    given = {
        "age": ages,
        "street": [a[0] for a in ANSWERS][: len(ages)],
        "measures": [a[1] for a in ANSWERS][: len(ages)],
        "pace": [a[2] for a in ANSWERS][: len(ages)],
        "comment": TEN[: len(ages)],
    }
    for card, (question, values) in enumerate(given.items()):
        act(console, sid, "show_card", card=card)
        act(console, sid, "open", question=question)
        for phone, value in zip(phones, values, strict=False):
            assert phone.answer(question, value)["type"] == "ack"
        if question != "comment":
            act(console, sid, "close", question=question)
    for phone in phones:
        phone.close()


def percent(value: float) -> str:
    return i18n.format_percent(value, "en")


def test_the_api_has_the_console_panels_figures_and_the_reports(console: TestClient) -> None:
    session = open_session(console, DECK)
    sid = session["id"]
    run_evening(console, session["join_code"], sid, AGES)
    api = console.get(f"/api/sessions/{sid}/insight").json()
    panel = console.get(f"/console/{sid}/insight").text
    report = console.get(f"/console/report.json?session={sid}").json()

    # Opinion groups: the two planted groups of seven, and the trees they share.
    opinion = api["opinion"]
    assert api["min_group"] == 5
    assert [(g["name"], g["size"]) for g in opinion["groups"]] == [("A", 7), ("B", 7)]
    assert re.findall(r"<caption>Group ([AB]): (\d+) residents</caption>", panel) == [
        ("A", "7"),
        ("B", "7"),
    ]
    assert [(c["question_id"], c["option_id"]) for c in opinion["common_ground"]] == [
        ("measures", "trees")
    ]
    ground = opinion["common_ground"][0]
    assert ground["group_percents"] == [100.0, 100.0] and ground["room_percent"] == 100.0
    assert cells(panel, 'id="insight-common-ground"')[1] == [
        "Trees",
        *[percent(p) for p in ground["group_percents"]],
        percent(ground["room_percent"]),
    ]
    for group in opinion["groups"]:
        rows = cells(panel, f'data-group="{group["name"]}"')[1:]
        assert [r[1:] for r in rows] == [
            [percent(d["group_percent"]), percent(d["rest_percent"])] for d in group["differences"]
        ]

    # The room against the town: 10 of 14 under 40 (71 %), 4 over (29 %, too few).
    [age] = api["town"]
    assert [
        (o["option_id"], o["room"], o["town_percent"], o["representation"]) for o in age["options"]
    ] == [
        ("young", 10, 50.0, "fair"),
        ("old", 4, 50.0, "under"),
    ]
    assert cells(panel, 'data-question="age"')[1:] == [
        ["Under 40", percent(age["options"][0]["room_percent"]), "50%"],
        ["40 or older", f"{percent(age['options'][1]['room_percent'])} too few", "50%"],
    ]

    # Weighted to the town by hand: an under-40 counts 0.5 × 14 / 10 = 0.7, an
    # over-40 0.5 × 14 / 4 = 1.75; Kish's effective size 14² / (10 × 0.7² + 4 ×
    # 1.75²) = 196 / 17.15. Main Street: 7 × 0.7 / 14 = 35 % (50 % unweighted);
    # the pace: (7 × 0.7 × 5 + 3 × 0.7 × 1 + 4 × 1.75 × 1) / 14 = 2.4 (3 unweighted).
    weighting = api["weighting"]
    assert weighting["residents"] == 14
    assert weighting["largest"] == pytest.approx(1.75)
    assert weighting["smallest"] == pytest.approx(0.7)
    assert weighting["effective"] == pytest.approx(196 / 17.15)
    assert weighting["extreme"] is False and weighting["warning"] is None
    figures = {
        (f["question_id"], f["option_id"]): (f["unweighted"], f["weighted"])
        for q in weighting["questions"]
        for f in q["figures"]
    }
    assert figures[("street", "main")] == pytest.approx((50.0, 35.0))
    assert figures[("street", "church")] == pytest.approx((50.0, 65.0))
    assert figures[("pace", None)] == pytest.approx((3.0, 2.4))
    assert figures[("measures", "trees")] == pytest.approx((100.0, 100.0))

    # The report of the evening has the same figures, computed the same way.
    assert report["insight"]["opinion"] == opinion
    assert report["insight"]["town"] == api["town"]
    assert {**report["insight"]["weighting"], "warning": None} == weighting


def test_extreme_weights_come_with_the_reports_warning_in_the_callers_language(
    console: TestClient,
) -> None:
    session = open_session(console, DECK)
    sid = session["id"]
    # Five under 40 and one over: the one counts 0.5 × 6 / 1 = 3 residents.
    run_evening(console, session["join_code"], sid, ["young"] * 5 + ["old"])
    api = console.get(f"/api/sessions/{sid}/insight").json()
    weighting = api["weighting"]
    assert weighting["largest"] == pytest.approx(3.0) and weighting["extreme"] is True
    # Kish: 6² / (5 × 0.6² + 3²) = 36 / 10.8 = 3.3 residents.
    assert weighting["warning"] == (
        "The weights to the town are extreme: the weighted figures are as precise "
        "as 3.3 residents' answers would be."
    )
    danish = console.get(f"/api/sessions/{sid}/insight", headers={"accept-language": "da"}).json()
    assert "3,3" in danish["weighting"]["warning"]
    assert danish["weighting"]["warning"] != weighting["warning"]
    # Six residents are too few for two groups of at least five: no group is shown.
    assert api["opinion"]["groups"] == [] and api["opinion"]["reason"] == "too_few"


def test_the_api_has_the_themes_the_console_shows_with_hand_edits(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console, DECK)
    sid = session["id"]
    path = f"/api/sessions/{sid}/themes"
    assert console.get(path).json() == {"questions": []}  # no text question opened yet
    phones = [JsonParticipant(console, session["join_code"]) for _ in TEN]
    act(console, sid, "show_card", card=4)
    act(console, sid, "open", question="comment")
    for phone, text in zip(phones, TEN, strict=True):
        phone.connect()
        assert phone.answer("comment", text)["type"] == "ack"
        phone.close()
    # The facilitator names the theme of "Safe bike lanes to school" (comment 5).
    edit = console.post(
        f"/console/{sid}/themes/edit",
        data={
            "csrf_token": console.headers["x-csrf-token"],
            "question": "comment",
            "comment": phones[5].id,
            "name": "Cycling",
        },
        follow_redirects=False,
    )
    assert edit.status_code == 303, edit.text

    [found] = console.get(path).json()["questions"]
    assert found == {
        "question": "comment",
        "comments": 10,
        "themes": [
            {
                "label": ["Cycling"],
                "size": 5,
                "quotes": [
                    "Safe bike lanes to school",
                    "More bike parking at the station",
                    "Light the bike path by the river",
                ],
                "edited": True,
            },
            {
                "label": ["bus", "cheaper", "evening"],
                "size": 5,
                "quotes": [
                    "The bus is always late",
                    "Cheaper bus tickets please",
                    "A bus every 15 minutes",
                ],
                "edited": False,
            },
        ],
        "unthemed": 0,
    }
    # The console's panel shows the same themes, words and quotes.
    panel = console.get(f"/console/{sid}/themes").text
    shown = re.findall(
        r"<li><p><strong>([^<]*)</strong>( \(edited by hand\))? · (\d+) comments</p>\s*"
        r'<ul class="quotes">(.*?)</ul>',
        panel,
        re.S,
    )
    assert [
        (label, bool(mark), int(size), re.findall(r"<li>“([^”]*)”</li>", quotes))
        for label, mark, size, quotes in shown
    ] == [(", ".join(t["label"]), t["edited"], t["size"], t["quotes"]) for t in found["themes"]]
    # The report of the evening groups the comments the same way.
    report = console.get(f"/console/report.json?session={sid}").json()
    [question] = [q for q in report["questions"] if q["id"] == "comment"]
    assert [
        {
            "label": t["label"],
            "size": t["size"],
            "quotes": [q["text"] for q in t["quotes"]],
            "edited": t["edited"],
        }
        for t in question["themes"]["themes"]
    ] == found["themes"]
    # Facilitators only, as the other session routes.
    stranger = browser().get(path)
    assert stranger.status_code in (401, 403) and "bike" not in stranger.text
    assert browser().get(f"/api/sessions/{sid}/insight").status_code in (401, 403)
