"""The published-sequence watermark: where each session's event stream stands
in the database.

A session row carries the epoch and the sequence number of its last event,
written in the event's own transaction, so comparing them with what a worker's
screens were sent shows events whose broker message never arrived (a publish
that failed while Redis was going away or coming back, on any worker). One
indexed read of a few rows, cheap enough to run every few seconds.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from sqlmodel import Session, col, select

from strategyroom.store.models import RoomSession


class Mark(NamedTuple):
    epoch: str
    seq: int


def marks(db: Session, session_ids: Collection[str]) -> dict[str, Mark]:
    """The stored mark of each session that still exists (a deleted one is absent)."""
    rows = db.exec(
        select(RoomSession.id, RoomSession.epoch, RoomSession.seq).where(
            col(RoomSession.id).in_(list(session_ids))
        )
    )
    return {session_id: Mark(epoch, seq) for session_id, epoch, seq in rows}
