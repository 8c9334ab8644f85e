"""Storing the deck editor's drafts: read one, make one, save one.

A save names the revision it was made on and raises it in SQL, guarded by that
value (compare-and-set): of two facilitators who read revision 4, the first
save makes revision 5 and the second changes no row and is refused, so no
edit is ever overwritten without the editor saying so.

Uploaded media files are kept beside the draft by a name made from their card
and content hash, so a file is stored once whichever save names it, and a
refused save leaves nothing that another could overwrite.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from strategyroom.store.models import DeckDraft, DeckDraftMedia, utcnow


def draft(db: Session, deck_id: str) -> DeckDraft | None:
    return db.get(DeckDraft, deck_id)


def create(
    db: Session, deck_id: str, content: dict[str, Any], base: int | None, by: int | None
) -> DeckDraft:
    """The deck's draft, made from ``content`` unless it has one already. Commits."""
    found = draft(db, deck_id)
    if found is not None:
        return found
    db.add(DeckDraft(deck_id=deck_id, content=content, base_number=base, updated_by=by))
    try:
        db.commit()
    except IntegrityError:  # another facilitator opened the editor first
        db.rollback()
    found = draft(db, deck_id)
    assert found is not None
    return found


def save(
    db: Session,
    deck_id: str,
    revision: int,
    content: dict[str, Any],
    by: int | None,
    base: int | None = None,
) -> bool:
    """Store ``content`` as the draft's next revision if the draft is still at
    ``revision``; False (nothing changed) when someone saved in between. Commits."""
    values: dict[str, Any] = {
        "content": content,
        "revision": revision + 1,
        "updated_at": utcnow(),
        "updated_by": by,
    }
    if base is not None:
        values["base_number"] = base
    done = db.execute(
        update(DeckDraft)
        .where(col(DeckDraft.deck_id) == deck_id, col(DeckDraft.revision) == revision)
        .values(**values)
    )
    db.commit()
    db.expire_all()
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def add_media(db: Session, deck_id: str, name: str, data: bytes) -> None:
    """Keep an uploaded file (checked and prepared) with the draft. Commits."""
    if db.get(DeckDraftMedia, (deck_id, name)) is None:
        db.add(DeckDraftMedia(deck_id=deck_id, name=name, data=data))
        try:
            db.commit()
        except IntegrityError:  # the same file, uploaded at once by another
            db.rollback()


def media_file(db: Session, deck_id: str, name: str) -> bytes | None:
    row = db.get(DeckDraftMedia, (deck_id, name))
    return None if row is None else row.data


def media(db: Session, deck_id: str, names: set[str]) -> dict[str, bytes]:
    """The draft's uploaded files among ``names``."""
    if not names:
        return {}
    rows = db.exec(
        select(DeckDraftMedia).where(
            DeckDraftMedia.deck_id == deck_id, col(DeckDraftMedia.name).in_(names)
        )
    ).all()
    return {row.name: row.data for row in rows}
