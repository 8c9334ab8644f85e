"""Storing the deck library: decks, their immutable versions and media files.

A version is only ever added, never changed: a session records the number it
was opened with, and its deck snapshot (RoomSession.deck) stays as it was.
Adding the same content again (the same hash as the newest version) adds
nothing, so importing a file twice, or reading an unchanged sample at every
start, is idempotent. Version numbers are drawn in SQL under the deck row's
lock, so two workers importing at once cannot take the same number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from strategyroom.store.models import DeckMedia, DeckVersion, LibraryDeck


@dataclass(frozen=True)
class Added:
    """The version a document was stored as; ``new`` when it was not there before."""

    deck_id: str
    number: int
    new: bool


def add_version(
    db: Session,
    deck_id: str,
    title: str,
    content: dict[str, Any],
    content_hash: str,
    media: Mapping[str, bytes],
    created_by: int | None,
    sample: tuple[str, str] | None = None,
) -> Added:
    """Store ``content`` as the deck's next version unless its newest version has
    the same hash; ``sample`` (file name, file hash) marks a shipped sample. Commits."""
    for _ in range(5):
        try:
            return _add(db, deck_id, title, content, content_hash, media, created_by, sample)
        except IntegrityError:  # another worker made the deck or the number first
            db.rollback()
    raise RuntimeError(f"could not add a version of deck {deck_id}")


def _add(
    db: Session,
    deck_id: str,
    title: str,
    content: dict[str, Any],
    content_hash: str,
    media: Mapping[str, bytes],
    created_by: int | None,
    sample: tuple[str, str] | None,
) -> Added:
    deck = db.exec(
        select(LibraryDeck).where(LibraryDeck.id == deck_id).with_for_update()
    ).one_or_none()
    if deck is None:
        deck = LibraryDeck(id=deck_id, title=title, created_by=created_by)
        db.add(deck)
        db.flush()
    if sample is not None:
        deck.sample_file, deck.sample_hash = sample
    newest = latest_version(db, deck_id)
    if newest is not None and newest.content_hash == content_hash:
        db.add(deck)
        db.commit()
        return Added(deck_id, newest.number, new=False)
    number = deck.latest + 1
    db.add(
        DeckVersion(
            deck_id=deck_id,
            number=number,
            content=content,
            content_hash=content_hash,
            created_by=created_by,
        )
    )
    db.flush()
    for name, data in sorted(media.items()):
        db.add(DeckMedia(deck_id=deck_id, number=number, name=name, data=data))
    # The number is raised in SQL, guarded by the old value: a concurrent writer
    # that read the same number changes no row and retries.
    raised = db.execute(
        update(LibraryDeck)
        .where(col(LibraryDeck.id) == deck_id, col(LibraryDeck.latest) == number - 1)
        .values(latest=number, title=title)
    )
    if raised.rowcount != 1:  # type: ignore[attr-defined]
        raise IntegrityError("deck_version", {}, Exception("number taken"))
    db.commit()
    return Added(deck_id, number, new=True)


def decks(db: Session) -> list[LibraryDeck]:
    return list(db.exec(select(LibraryDeck).order_by(col(LibraryDeck.id))).all())


def deck(db: Session, deck_id: str) -> LibraryDeck | None:
    return db.get(LibraryDeck, deck_id)


def sample_deck(db: Session, file_name: str) -> LibraryDeck | None:
    return db.exec(select(LibraryDeck).where(LibraryDeck.sample_file == file_name)).first()


def versions(db: Session, deck_id: str) -> list[DeckVersion]:
    return list(
        db.exec(
            select(DeckVersion)
            .where(DeckVersion.deck_id == deck_id)
            .order_by(col(DeckVersion.number).desc())
        ).all()
    )


def version(db: Session, deck_id: str, number: int) -> DeckVersion | None:
    return db.get(DeckVersion, (deck_id, number))


def latest_version(db: Session, deck_id: str) -> DeckVersion | None:
    return db.exec(
        select(DeckVersion)
        .where(DeckVersion.deck_id == deck_id)
        .order_by(col(DeckVersion.number).desc())
        .limit(1)
    ).first()


def media(db: Session, deck_id: str, number: int) -> dict[str, bytes]:
    rows = db.exec(
        select(DeckMedia)
        .where(DeckMedia.deck_id == deck_id, DeckMedia.number == number)
        .order_by(col(DeckMedia.name))
    ).all()
    return {row.name: row.data for row in rows}


def media_file(db: Session, deck_id: str, number: int, name: str) -> bytes | None:
    """One media file of a version (None: the version has no such file)."""
    row = db.get(DeckMedia, (deck_id, number, name))
    return None if row is None else row.data
