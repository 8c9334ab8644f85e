"""Three evenings of the report-test deck in three neighbourhoods, each leaning
its own way, played through the app (tests/reportscript.py); the plans are
here so the tests compute every figure themselves.

- Nørrebro (8 residents): mostly Main Street, buses and bike lanes; 2 residents of 40 or
  older (a small group), and opinions move up clearly (+2 on average).
- Valby (10): split streets, bikes; 5 and 5 by age; no change.
- Amager (12): mostly Neither and bikes; 6 and 6 by age; a slight move down.
"""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.reportscript import script_session

TITLES = ("Nørrebro", "Valby", "Amager")


def _plan(
    age: list[str],
    before: list[int],
    after: list[int],
    street: list[str],
    measures: list[list[str]],
    comments: list[str | None],
) -> dict[str, list[Any]]:
    n = len(age)
    return {
        "age": age,
        "before": before,
        "street": street,
        "measures": measures,
        "order": [["heat", "solar", "trees"]] * n,
        "split": [{"heat": 5, "solar": 5}] * n,
        "comment": comments,
        "after": after,
    }


PLANS: dict[str, dict[str, list[Any]]] = {
    "Nørrebro": _plan(
        ["young"] * 6 + ["old"] * 2,
        [2, 2, 3, 1, 2, 3, 2, 1],
        [4, 4, 5, 3, 4, 5, 4, 3],
        ["main"] * 7 + ["none"],
        [["bus", "bike"]] * 5 + [["bus"]] * 2 + [["bike"]],
        ["Buses every ten minutes, please"] + [None] * 7,
    ),
    "Valby": _plan(
        ["young"] * 5 + ["old"] * 5,
        [3, 3, 4, 4, 3, 3, 4, 4, 3, 3],
        [3, 3, 4, 4, 3, 3, 4, 4, 3, 3],
        ["main"] * 5 + ["church"] * 5,
        [["bike"]] * 6 + [["bus", "bike"]] * 4,
        [None, "Safe bike lanes to school"] + [None] * 8,
    ),
    "Amager": _plan(
        ["young"] * 6 + ["old"] * 6,
        [4, 4, 4, 5, 4, 4, 4, 5, 4, 4, 4, 5],
        [4, 3, 4, 5, 4, 3, 4, 5, 4, 3, 4, 4],
        ["none"] * 9 + ["main"] * 3,
        [["bike"]] * 9 + [["bike", "park"]] * 3,
        [None] * 11 + ["Park and ride at the bridge"],
    ),
}


def three_evenings(console: TestClient) -> dict[str, str]:
    """Play the three evenings; their titles -> session ids."""
    return {title: script_session(console, title, PLANS[title])["id"] for title in TITLES}
