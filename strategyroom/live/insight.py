"""The console's insight panel: the room's opinion groups, their common ground,
and the room against the town (strategyroom.aggregate.opinion and .weighting),
with every figure weighted to the town (the JSON API's, docs/api.md).

Finding groups runs a PCA and k-means over every answer of the session, too
much to repeat on each answer: the panel is read every few seconds
(``REFRESH``), and :class:`Insights` keeps each session's last computation
that long, so however many consoles watch, a session is computed at most once
per ``REFRESH``. The answers are read in the database's threads and the
figures computed in a worker thread, never on the event loop. Who may see the
panel is decided in strategyroom.live.policy (``Figure.INSIGHT``: the console
alone).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from sqlmodel import Session, col, select

from strategyroom.aggregate import MIN_GROUP, ParticipantAnswer
from strategyroom.aggregate.opinion import OpinionGroups, opinion_groups
from strategyroom.aggregate.weighting import RoomVsTown, Weighting, room_vs_town, town_weighting
from strategyroom.decks import Deck
from strategyroom.store.db import Database
from strategyroom.store.models import Answer

# Seconds between computations of one session's panel (the console polls as often).
REFRESH = 5.0


@dataclass(frozen=True)
class Insight:
    groups: OpinionGroups
    town: list[RoomVsTown]
    # Every figure weighted to the town (None: the deck gives no reference shares).
    weighting: Weighting | None = None


def session_answers(db: Session, session_id: str) -> dict[str, list[ParticipantAnswer]]:
    """Every resident's current answer to every question: question id -> rows (one query)."""
    rows = db.exec(
        select(Answer.question_id, Answer.participant_id, Answer.value, Answer.answered_at)
        .where(Answer.session_id == session_id)
        .order_by(col(Answer.id))
    ).all()
    found: dict[str, list[ParticipantAnswer]] = {}
    for question_id, pid, value, at in rows:
        found.setdefault(question_id, []).append(ParticipantAnswer(pid, value, at))
    return found


def compute(deck: Deck, answers: dict[str, list[ParticipantAnswer]]) -> Insight:
    """The panel's figures from the session's answers (pure)."""
    return Insight(
        opinion_groups(deck, answers, MIN_GROUP),
        room_vs_town(deck, answers),
        town_weighting(deck, answers),
    )


class Insights:
    """Each session's last insight, computed at most once per ``REFRESH``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: dict[str, tuple[float, Insight]] = {}
        self._locks: dict[str, anyio.Lock] = {}

    async def get(self, db: Database, session_id: str, deck: Deck) -> Insight:
        lock = self._locks.setdefault(session_id, anyio.Lock())
        async with lock:  # a second console waits for the first one's computation
            kept = self._last.get(session_id)
            if kept is not None and self._clock() - kept[0] < REFRESH:
                return kept[1]
            answers = await db.run(lambda s: session_answers(s, session_id))
            insight = await anyio.to_thread.run_sync(compute, deck, answers)
            self._last[session_id] = (self._clock(), insight)
            return insight

    def forget(self, session_id: str) -> None:
        """Drop a session's kept insight (a deleted session)."""
        self._last.pop(session_id, None)
        self._locks.pop(session_id, None)
