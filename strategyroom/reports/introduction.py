"""A facilitator's introduction to a session's report: a few plain-text
paragraphs shown above the summary (page and PDF) and given in the JSON, so
the figures can be read with what the council needs to know about the evening.

It is typed text like a comment: it passes strategyroom.text's check (lines
allowed), and it is plain text, escaped wherever it is shown (never HTML).
"""

from __future__ import annotations

from sqlmodel import Session

from strategyroom.errors import N_, InvalidMessage, NotFound
from strategyroom.store.models import RoomSession
from strategyroom.text import clean_text

# Half a page of A4 at most: the summary must still fit the first page.
MAX_LENGTH = 1200


def clean_introduction(text: str) -> str:
    """The introduction as it is stored, or InvalidMessage saying what is wrong."""
    cleaned = clean_text(text, lines=True).strip()
    if len(cleaned) > MAX_LENGTH:
        raise InvalidMessage(
            N_(
                "The introduction can be at most %(limit)s characters long; "
                "this one has %(count)s. Please shorten it."
            ),
            limit=MAX_LENGTH,
            count=len(cleaned),
        )
    return cleaned


def set_introduction(db: Session, session_id: str, text: str) -> RoomSession:
    """Store a session's introduction (the caller checked who may act on it)."""
    room = db.get(RoomSession, session_id)
    if room is None:
        raise NotFound(N_("There is no such session."))
    room.introduction = clean_introduction(text)
    db.add(room)
    db.commit()
    db.refresh(room)
    return room
