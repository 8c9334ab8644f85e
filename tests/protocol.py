"""A participant client written from docs/protocol.md, for the tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

import anyio
from starlette.testclient import TestClient, WebSocketTestSession

TIMEOUT = 10.0


def receive_text(ws: WebSocketTestSession, timeout: float = TIMEOUT) -> str:
    """The next text frame, failing the test instead of hanging when none comes."""

    async def get() -> Any:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    message = ws.portal.call(get)
    ws._raise_on_close(message)
    return str(message["text"])


def receive_until(ws: WebSocketTestSession, needle: str, timeout: float = TIMEOUT) -> str:
    """Frames until one contains ``needle``; returns that frame."""
    for _ in range(200):
        frame = receive_text(ws, timeout)
        if needle in frame:
            return frame
    raise AssertionError(f"no frame with {needle!r}")


class JsonParticipant:
    def __init__(
        self,
        client: TestClient,
        code: str,
        language: str = "en",
        table: int | None = None,
        device: str = "phone",
    ) -> None:
        request: dict[str, Any] = {"code": code, "language": language, "device": device}
        if table is not None:
            request["table"] = table
        response = client.post("/api/join", json=request)
        assert response.status_code == 201, response.text
        joined = response.json()
        self.id: str = joined["participant"]
        self.number: int = joined["number"]
        self.client = client
        self.token: str = joined["token"]
        self.socket_path: str = joined["socket"]
        self.language = language
        self.ws: WebSocketTestSession | None = None
        self.state: dict[str, Any] = {}
        self.events: list[dict[str, Any]] = []
        self.card: dict[str, Any] | None = None
        self.seat: dict[str, Any] = {}
        self.table_draft: dict[str, Any] | None = None
        self.pushed: list[dict[str, Any]] = []

    def connect(self, resume: bool = False) -> dict[str, Any]:
        ws = self.client.websocket_connect(self.socket_path)
        self.ws = ws.__enter__()
        hello: dict[str, Any] = {"type": "hello", "token": self.token}
        if resume:
            hello.update(epoch=self.state["epoch"], last_seq=self.state["seq"])
        self.ws.send_text(json.dumps(hello))
        if resume:
            return {}
        return self.expect("snapshot")

    def close(self) -> None:
        if self.ws is not None:
            self.ws.__exit__(None, None, None)
            self.ws = None

    def receive(self) -> dict[str, Any]:
        assert self.ws is not None
        frame: dict[str, Any] = json.loads(receive_text(self.ws))
        if frame["type"] == "snapshot":
            self.state = {
                k: frame[k]
                for k in (
                    "session",
                    "epoch",
                    "seq",
                    "status",
                    "current_card",
                    "questions",
                    "tables",
                    "timer",
                    "joining_locked",
                )
            }
            self.seat = frame["seat"]
            self.table_draft = frame["table_draft"]
            self.card = frame["card"]
        elif frame["type"] == "event":
            assert frame["seq"] == self.state["seq"] + 1, "events must arrive in order without gaps"
            apply_event(self.state, frame)
            self.events.append(frame)
            if frame["event"] == "participant_moved" and frame["data"]["participant"] == (
                self.seat.get("participant")
            ):
                self.seat["table"] = frame["data"]["table"]
            if frame["event"] == "card_shown":
                self.card = frame["card"]
        return frame

    def expect(self, kind: str) -> dict[str, Any]:
        """The next frame of this type; events and results in between are applied."""
        for _ in range(50):
            frame = self.receive()
            if frame["type"] == kind:
                return frame
        raise AssertionError(f"no {kind} frame")

    def expect_event(self, name: str) -> dict[str, Any]:
        for _ in range(50):
            frame = self.expect("event")
            if frame["event"] == name:
                return frame
        raise AssertionError(f"no {name} event")

    def answer(self, question: str, value: Any, answer_id: str | None = None) -> dict[str, Any]:
        assert self.ws is not None
        answer_id = answer_id or uuid.uuid4().hex
        self.ws.send_text(
            json.dumps(
                {"type": "answer", "question": question, "answer_id": answer_id, "value": value}
            )
        )
        for _ in range(50):
            frame = self.receive()
            if frame["type"] in ("ack", "error"):
                return frame
        raise AssertionError("no ack or error")

    def send(self, message: dict[str, Any]) -> None:
        assert self.ws is not None
        self.ws.send_text(json.dumps(message))

    def reply(self, *kinds: str) -> dict[str, Any]:
        """The next frame of one of these types or an error (pushes in between are kept)."""
        for _ in range(50):
            frame = self.receive()
            if frame["type"] in (*kinds, "error"):
                return frame
            self.pushed.append(frame)
        raise AssertionError(f"no {kinds} frame")

    def draft(self, question: str, table: int, base: int, value: Any) -> dict[str, Any]:
        """Edit the table's draft; the reply (the new draft, or an error)."""
        self.send(
            {"type": "draft", "question": question, "table": table, "base": base, "value": value}
        )
        return self.reply("draft_saved")

    def submit(
        self, question: str, table: int, revision: int, submission_id: str | None = None
    ) -> dict[str, Any]:
        self.send(
            {
                "type": "submit_table",
                "question": question,
                "table": table,
                "revision": revision,
                "submission_id": submission_id or uuid.uuid4().hex,
            }
        )
        return self.reply("table_ack")


def apply_event(state: dict[str, Any], frame: dict[str, Any]) -> None:
    """How a client folds an event into its state (docs/protocol.md, "Events")."""
    state["seq"] = frame["seq"]
    data = frame["data"]
    questions = state.setdefault("questions", {})
    match frame["event"]:
        case "card_shown":
            state["current_card"] = data["card"]
            state["status"] = "running"
            state["timer"] = None
        case "question_opened" | "question_reopened":
            questions[data["question"]] = {"state": "open", "revealed": False}
        case "question_closed":
            questions[data["question"]] = {"state": "closed", "revealed": data["revealed"]}
        case "results_revealed":
            questions[data["question"]]["revealed"] = True
        case "session_ended":
            state["status"] = "ended"
            state["timer"] = None
        case "table_created":
            state["tables"].append({"table": data["table"], "name": data["label"]})
        case "joining_locked":
            state["joining_locked"] = True
        case "joining_unlocked":
            state["joining_locked"] = False
        case "participant_moved":
            pass  # only the moved device's own seat changes
        case "timer_started":
            state["timer"] = {"card": data["card"], "ends_at": data["ends_at"], "remaining": None}
        case "timer_paused":
            state["timer"] = {"card": data["card"], "ends_at": None, "remaining": data["remaining"]}
        case "timer_extended":
            state["timer"] = {
                "card": data["card"],
                "ends_at": data["ends_at"],
                "remaining": data["remaining"],
            }
        case "help_requested" | "help_acknowledged" | "help_done" | "elsewhere":
            pass  # a table's call is its devices' ``help``, not the room's state
