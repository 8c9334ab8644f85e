"""The news that travels between workers on a session's broker channel.

Beside the session's events (``Envelope``, sequenced and stored), workers tell
each other to look again: answers were counted, who is connected changed, a
table's draft changed, a worker lost messages, the session was deleted. These
are volatile and not sequenced: each one only says "look again", so losing one
is healed by the next (or by the hub's resynchronisation, docs/reliability.md).

Every piece of news is a typed value here; ``encode`` and ``decode`` are the one
place where it becomes the broker's text and back (a backend never reads a
payload). The text is JSON, ``{"type": ..., "session": ..., ...}``; an event's
is the event frame of docs/protocol.md, section 4.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from strategyroom.broker import Broker
from strategyroom.live.events import Envelope


def channel(session_id: str) -> str:
    return f"session:{session_id}"


@dataclass(frozen=True, slots=True)
class TallyChanged:
    """Answers to ``question`` were stored: its counts and results look again."""

    session_id: str
    question: str


@dataclass(frozen=True, slots=True)
class PresenceChanged:
    """A participant's device connected or went: the live counts look again."""

    session_id: str


@dataclass(frozen=True, slots=True)
class DraftChanged:
    """A table's draft (or its submitted answer) to ``question`` changed: the
    devices at the table and the consoles look again."""

    session_id: str
    question: str
    table: int


@dataclass(frozen=True, slots=True)
class ResyncAsked:
    """A worker reconnected to the broker: what it published meanwhile may be
    lost, so every worker re-reads the session from the database."""

    session_id: str


@dataclass(frozen=True, slots=True)
class SessionDeleted:
    """The session and its rows are gone: its sockets close."""

    session_id: str


News = Envelope | TallyChanged | PresenceChanged | DraftChanged | ResyncAsked | SessionDeleted


def _signal(kind: str, session_id: str, **data: Any) -> str:
    return json.dumps({"type": kind, "session": session_id, **data}, separators=(",", ":"))


def encode(news: News) -> str:
    """The broker payload of a piece of news."""
    match news:
        case Envelope():
            return json.dumps(news.to_dict(), separators=(",", ":"))
        case TallyChanged(session_id=session_id, question=question):
            return _signal("tally", session_id, question=question)
        case PresenceChanged(session_id=session_id):
            return _signal("presence", session_id)
        case DraftChanged(session_id=session_id, question=question, table=table):
            return _signal("draft", session_id, question=question, table=table)
        case ResyncAsked(session_id=session_id):
            return _signal("resync", session_id)
        case SessionDeleted(session_id=session_id):
            return _signal("deleted", session_id)


def decode(payload: str) -> News | None:
    """The news in a broker payload; None for a kind this worker does not know
    (sent by a newer worker during an upgrade). Raises ValueError (or KeyError,
    TypeError) on a payload that is not news at all."""
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("a broker payload is a JSON object")
    session_id = str(data.get("session", ""))
    match data.get("type"):
        case "event":
            return Envelope.from_dict(data)
        case "tally":
            return TallyChanged(session_id, str(data.get("question", "")))
        case "presence":
            return PresenceChanged(session_id)
        case "draft":
            return DraftChanged(
                session_id, str(data.get("question", "")), int(data.get("table", 0))
            )
        case "resync":
            return ResyncAsked(session_id)
        case "deleted":
            return SessionDeleted(session_id)
    return None


async def publish(broker: Broker, news: News) -> None:
    """Send news to every worker showing its session (this one included)."""
    await broker.publish(channel(news.session_id), encode(news))
