"""A session's title as every screen and the report show it.

A session opened without a title of its own is titled by its deck: it stores
the deck's title in the deck's default language (SessionService.create), and
each reader sees the deck's title in their own language. A title the
facilitator typed is their own text, shown as typed in every language. The two
are told apart by comparing the stored title with the deck's default-language
title (the deck is the session's own copy, so that title never changes): no
column marks them, and sessions opened before this rule read the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from strategyroom.decks import Deck


class Titled(Protocol):
    """A stored session (store.models.RoomSession): the decks know nothing of storage."""

    title: str


def session_title(room: Titled, deck: Deck, language: str) -> str:
    """The title of ``room`` (a session of ``deck``) for a reader of ``language``."""
    if room.title == deck.text(deck.title, deck.default_language):
        return deck.text(deck.title, language)
    return room.title
