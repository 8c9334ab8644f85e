"""A crowd: residents who answer over the JSON protocol (docs/protocol.md) rather
than in a browser, in planted camps, so that the opinion groups, their common
ground and the themes of the comments have something to show (the rehearsal's
insight steps, rehearsal/insight.py, and tests/test_projector_fit.py).

Each camp answers every question alike and every camp shares some answers: the
first option of a multiple choice, and the first place of a ranking. A camp's
comments are about one theme (tests/data/comments, written for the project)."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from websockets.sync.client import ClientConnection, connect

from rehearsal.answers import pick
from strategyroom.decks.packages import package_total
from strategyroom.decks.schema import (
    FreeText,
    MultipleChoice,
    Question,
    Ranking,
    Scale,
    SingleChoice,
)

COMMENTS = Path(__file__).resolve().parent.parent / "tests" / "data" / "comments"
# One theme per camp, in this order.
THEMES = ("bus", "cycling", "heating", "cost", "green")


def post_json(url: str, path: str, body: dict[str, Any], cookie: str = "") -> tuple[int, Any]:
    """A JSON POST (no proxy: the server is on this machine)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    headers = {"content-type": "application/json"}
    if cookie:
        headers["cookie"] = cookie
    conn.request("POST", path, json.dumps(body), headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else None


class Resident:
    """One resident's phone on the JSON protocol."""

    def __init__(self, url: str, code: str, language: str) -> None:
        status, joined = post_json(url, "/api/join", {"code": code, "language": language})
        assert status == 201, joined
        socket = url.replace("http://", "ws://") + joined["socket"]
        self._sockets = ExitStack()
        self.ws: ClientConnection = self._sockets.enter_context(
            connect(socket, proxy=None, open_timeout=20)
        )
        self.ws.send(json.dumps({"type": "hello", "token": joined["token"]}))
        self._until("snapshot")

    def _until(self, *kinds: str) -> dict[str, Any]:
        for _ in range(500):
            frame: dict[str, Any] = json.loads(self.ws.recv(timeout=30))
            if frame["type"] in (*kinds, "error"):
                return frame
        raise AssertionError(f"no {kinds}")

    def answer(self, question: str, value: Any) -> None:
        message = {"type": "answer", "question": question, "answer_id": uuid.uuid4().hex}
        self.ws.send(json.dumps({**message, "value": value}))
        frame = self._until("ack")
        assert frame["type"] == "ack", frame

    def close(self) -> None:
        self._sockets.close()


def comments(language: str, camp: int) -> list[str]:
    """The comments of a camp's theme in ``language`` (English when there are none)."""
    path = COMMENTS / f"{language}.yaml"
    if not path.exists():
        path = COMMENTS / "en.yaml"
    themes: dict[str, list[str]] = yaml.safe_load(path.read_text(encoding="utf-8"))["themes"]
    return themes[THEMES[camp % len(THEMES)]]


def camp_answer(question: Question, camp: int, member: int, language: str) -> Any:
    """What a member of ``camp`` answers, or None for a question the crowd skips
    (a budget, which no opinion group counts)."""
    match question:
        case SingleChoice():
            return question.options[camp % len(question.options)].id
        case Scale():
            span = question.max - question.min
            return question.min + (span * camp // 2) % (span + 1)
        case MultipleChoice():
            return [question.options[i].id for i in _shared_and_own(question, camp)]
        case Ranking():
            first, *rest = [o.id for o in question.options]
            turn = camp % len(rest) if rest else 0
            return [first, *rest[turn:], *rest[:turn]]
        case FreeText():
            found = comments(language, camp)
            return found[member % len(found)][: question.max_length]
    return None


def _shared_and_own(question: MultipleChoice, camp: int) -> list[int]:
    """The first option, which every camp shares, then the camp's own (as
    ``pick`` chooses them), within the question's limits and its package's cap."""
    chosen = [0]
    for index in pick(question, 1 + camp):
        if index in chosen or len(chosen) == (question.max_choices or 3):
            continue
        ids = [question.options[i].id for i in [*chosen, index]]
        package = question.package
        if package is None or package_total(question, ids, package.cap_attribute) <= Fraction(
            package.cap
        ):
            chosen.append(index)
    return chosen


# (question, camp, member, language) -> the value, or None to skip the question.
Answer = Callable[[Question, int, int, str], Any]


class Crowd:
    """``camps`` camps of ``size`` residents each, all in ``language``."""

    def __init__(self, url: str, code: str, camps: int, size: int, language: str) -> None:
        self.language = language
        self.members = [
            (camp, member, Resident(url, code, language))
            for camp in range(camps)
            for member in range(size)
        ]

    def answer(self, question: Question, answer: Answer | None = None) -> None:
        """Every member answers ``question``: as ``answer`` says, else ``camp_answer``."""
        answer = answer or camp_answer
        for camp, member, resident in self.members:
            value = answer(question, camp, member, self.language)
            if value is not None:
                resident.answer(question.id, value)

    def close(self) -> None:
        for _, _, resident in self.members:
            resident.close()
