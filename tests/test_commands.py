"""The command table (strategyroom/live/commands.py): every facilitator action
goes through it, its parameters are typed and refused with a message in the
caller's language, and the stored columns are written from the folded state,
so the state a command returns is the state read back from the rows."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from strategyroom.live.commands import COMMANDS
from tests.conftest import open_session

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_each_command_names_exactly_the_parameters_of_its_decision() -> None:
    for name, command in COMMANDS.items():
        decided = list(inspect.signature(command.decide).parameters)[1:]
        assert decided == [p.name for p in command.params], name


def test_every_command_is_documented_as_an_action() -> None:
    documented = set(re.findall(r"^\| `(\w+)` \|", (DOCS / "api.md").read_text(), re.M))
    assert sorted(set(COMMANDS) - documented) == []


def post(console: TestClient, sid: str, language: str = "en", **body: Any) -> Any:
    return console.post(
        f"/api/sessions/{sid}/actions", json=body, headers={"accept-language": language}
    )


def test_fields_are_typed_and_refused_in_the_callers_language(console: TestClient) -> None:
    sid = open_session(console)["id"]
    refused = post(console, sid, "da", action="show_card", card="two")
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "code": "invalid_message",
        "message": "Angiv, hvilket kort der skal vises.",
    }
    assert post(console, sid, action="show_card", card=True).status_code == 400
    assert post(console, sid, "sv", action="open").json()["error"]["message"] == (
        "Ange vilken fråga."
    )
    unknown = post(console, sid, action="shuffle")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["message"] == "Unknown action."
    # Nothing was stored by the refusals.
    assert console.get(f"/api/sessions/{sid}").json()["state"]["seq"] == 0


def test_the_state_a_command_returns_is_the_state_read_from_the_rows(
    console: TestClient,
) -> None:
    sid = open_session(console, "tables-test.yaml")["id"]
    steps: list[dict[str, Any]] = [
        {"action": "tables", "count": 2},
        {"action": "show_card", "card": 1},
        {"action": "timer_start"},
        {"action": "timer_extend", "seconds": 30},
        {"action": "timer_pause"},
        {"action": "open", "question": "first"},
        {"action": "close", "question": "first"},
        {"action": "show_card", "card": 2},
        {"action": "open", "question": "support"},
        {"action": "reveal", "question": "support"},
        {"action": "close", "question": "support"},
        {"action": "end"},
    ]
    seq = 0
    for step in steps:
        response = post(console, sid, **step)
        assert response.status_code == 200, (step, response.text)
        returned = response.json()["state"]
        assert returned["seq"] > seq, step
        seq = returned["seq"]
        assert returned == console.get(f"/api/sessions/{sid}").json()["state"], step
    assert returned["status"] == "ended"
    assert returned["questions"] == {
        "first": {"state": "closed", "revealed": True},
        "support": {"state": "closed", "revealed": True},
    }
