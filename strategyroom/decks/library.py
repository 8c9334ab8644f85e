"""The deck library: every deck a facilitator may open a session from, each with
its immutable, numbered versions (storage in strategyroom/store/library.py).

A deck edited in the app and a deck file are the same thing: a version exports
to a bundle (decks/bundle.py) and a bundle imports as a version, without loss.
A deck's id in the library is its document's ``id``: importing a file whose id
is known adds a version of that deck (none when nothing changed). The decks in
``sessions/`` (or STRATEGYROOM_DECKS_DIR) are the shipped samples: read into the
library when the server starts, again only when a file's content changed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import ValidationError
from sqlmodel import Session

from strategyroom.decks import bundle
from strategyroom.decks.bundle import Bundle
from strategyroom.decks.loader import DeckError, find_decks, load_deck
from strategyroom.decks.schema import Deck
from strategyroom.errors import N_, NotFound, SessionError
from strategyroom.store import library as store
from strategyroom.store.library import Added
from strategyroom.store.models import DeckVersion, LibraryDeck

log = logging.getLogger(__name__)


class DeckExists(SessionError):
    code = "deck_exists"
    status = 409


def add(db: Session, found: Bundle, facilitator_id: int | None) -> Added:
    """Store a checked bundle as its deck's next version (or find it unchanged)."""
    deck = found.deck
    return store.add_version(
        db,
        deck.id,
        deck.text(deck.title, deck.default_language),
        found.content,
        found.content_hash,
        found.media,
        facilitator_id,
    )


def version(db: Session, deck_id: str, number: int | None = None) -> DeckVersion:
    """A version of a deck (its newest without a number); NotFound otherwise."""
    found = (
        store.latest_version(db, deck_id) if number is None else store.version(db, deck_id, number)
    )
    if found is None:
        if number is None or store.deck(db, deck_id) is None:
            raise NotFound(N_("There is no deck called %(name)s."), name=deck_id)
        raise NotFound(
            N_("The deck %(name)s has no version %(number)s."), name=deck_id, number=number
        )
    return found


def deck_of(found: DeckVersion) -> Deck:
    return Deck.model_validate(found.content)


def export(db: Session, deck_id: str, number: int | None = None) -> tuple[DeckVersion, bytes]:
    """A version as a zip bundle."""
    found = version(db, deck_id, number)
    return found, bundle.write_zip(found.content, store.media(db, deck_id, found.number))


def resolve(db: Session, name: str) -> LibraryDeck:
    """A deck by its id, or a sample deck by its file name (older clients name
    the file of sessions/ they opened a session from)."""
    # A name no deck can have (a broken character, or too long for the id and
    # file name columns) is not looked up: the database would refuse the query.
    findable = 0 < len(name) <= 255 and name.encode("utf-8", "replace").decode() == name
    found = (store.deck(db, name) or store.sample_deck(db, name)) if findable else None
    if found is None:
        raise NotFound(N_("There is no deck called %(name)s."), name=name)
    return found


def copy(
    db: Session, deck_id: str, number: int | None, new_id: str, facilitator_id: int | None
) -> Added:
    """A new deck, version 1, with the content and media of a version of another."""
    source = version(db, deck_id, number)
    if store.deck(db, new_id) is not None:
        raise DeckExists(N_("There is already a deck called %(name)s."), name=new_id)
    try:
        deck = Deck.model_validate({**source.content, "id": new_id})
    except ValidationError:
        raise SessionError(
            N_(
                "A deck's id is lower-case letters a-z, digits, '-' and '_', beginning "
                "with a letter or a digit, at most 64 characters."
            )
        ) from None
    return add(db, Bundle(deck, store.media(db, deck_id, source.number)), facilitator_id)


def sync_samples(db: Session, directory: Path) -> list[Added]:
    """Read the sample decks into the library: a file whose content is what was
    read last time is skipped, a changed one becomes a new version, a file with
    problems is left out (the console lists its problems). Commits."""
    added = []
    seen: set[str] = set()
    for path in find_decks(directory):
        try:
            deck = load_deck(path)
        except DeckError:
            continue
        if deck.id in seen:
            log.warning("sample deck %s has the id %s of another sample; skipped", path, deck.id)
            continue
        seen.add(deck.id)
        found = Bundle(deck, sample_media(directory, deck))
        known = store.deck(db, deck.id)
        if known is not None and known.sample_hash == found.content_hash:
            continue
        added.append(
            store.add_version(
                db,
                deck.id,
                deck.text(deck.title, deck.default_language),
                found.content,
                found.content_hash,
                found.media,
                None,
                sample=(path.name, found.content_hash),
            )
        )
    return added


def sample_media(directory: Path, deck: Deck) -> dict[str, bytes]:
    """The files under the samples' media/ folder that the deck names (by their
    path under media/, with or without the leading ``media/``)."""
    folder = directory / bundle.MEDIA_DIR
    if not folder.is_dir():
        return {}
    named = set(_strings(bundle.document(deck)))
    found = {}
    for path in sorted(folder.rglob("*")):
        inner = path.relative_to(folder).as_posix()
        if path.is_file() and (inner in named or f"{bundle.MEDIA_DIR}/{inner}" in named):
            found[inner] = path.read_bytes()
    return found


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []
