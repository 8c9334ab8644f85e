"""The residents without a screen of their own: devices that join a table and
answer over the JSON protocol (docs/protocol.md), so that every table has the
answers of at least ``MIN_GROUP`` members and its own figures are shown (a
smaller table's are not, docs/privacy.md). The rehearsal's phones alone are too
few for that at two tables, and a screen per resident would only slow it down.

Each keeps its socket open all evening, as a phone does (the console counts it
as connected); a thread reads what the server sends, so the server never waits
on it, and hands the answers' receipts to ``answer``.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from contextlib import ExitStack
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit

from websockets.sync.client import ClientConnection, connect

from rehearsal.answers import value
from strategyroom.decks.schema import Question

# How long a receipt may take on a loaded machine: a bound, not a measurement.
RECEIPT_WAIT_SECONDS = 60


class Resident:
    """A device at ``table`` that answers each question like the ``variant``-th
    phone would (rehearsal/answers.py), in ``language``."""

    def __init__(self, url: str, code: str, table: int, variant: int, language: str) -> None:
        self.table, self.variant, self.language = table, variant, language
        # The table's own code, which seats at the table even once the door is closed.
        body = json.dumps({"code": f"{code}-{table}", "language": language})
        server = urlsplit(url)
        http = HTTPConnection(server.hostname or "127.0.0.1", server.port, RECEIPT_WAIT_SECONDS)
        http.request("POST", "/api/join", body, {"Content-Type": "application/json"})
        response = http.getresponse()
        joined = json.load(response)
        http.close()
        if response.status != 201:
            raise RuntimeError(f"a resident could not join table {table}: {joined}")
        self.receipts: queue.Queue[dict[str, Any]] = queue.Queue()
        # connect() as a context manager (websockets 17.1 deprecates calling it
        # bare), held open until ``close``, as rehearsal/crowd.py does.
        self._sockets = ExitStack()
        self.socket: ClientConnection = self._sockets.enter_context(
            connect(
                url.replace("http://", "ws://", 1) + joined["socket"],
                proxy=None,
                open_timeout=RECEIPT_WAIT_SECONDS,
            )
        )
        self.socket.send(json.dumps({"type": "hello", "token": joined["token"]}))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for message in self.socket:
                frame = json.loads(message)
                if frame.get("type") in ("ack", "error"):
                    self.receipts.put(frame)
        except Exception:  # closed at the end of the evening, or by the server
            return

    def answer(self, question: Question) -> str:
        """Answer ``question``; what went wrong ("" when it was counted)."""
        self.socket.send(
            json.dumps(
                {
                    "type": "answer",
                    "question": question.id,
                    "answer_id": uuid.uuid4().hex,
                    "value": value(question, self.variant, self.language),
                }
            )
        )
        try:
            frame = self.receipts.get(timeout=RECEIPT_WAIT_SECONDS)
        except queue.Empty:
            return f"no receipt for its answer to {question.id}"
        if frame["type"] == "error":
            return f"its answer to {question.id} was refused: {frame}"
        return ""

    def close(self) -> None:
        self._sockets.close()


def fill_tables(
    url: str, code: str, seated: dict[int, int], language: str, min_group: int
) -> list[Resident]:
    """Residents enough for each table (``seated``: table -> members who answer
    on a screen) to reach ``min_group``; each table's answer alike (the table's
    number picks the variant), so the tables differ from each other."""
    return [
        Resident(url, code, table, table - 1, language)
        for table, members in sorted(seated.items())
        for _ in range(max(0, min_group - members))
    ]
