"""The console's themes of the shown text question (docs/aggregates.md,
"Themes"), refreshed every few seconds rather than with every comment.

Grouping 2,000 comments takes seconds of processor time (bench/themes.py), so
it runs in a worker thread, never on the event loop, and at most once per
``REFRESH_SECONDS`` per question however many comments arrive and however many
consoles ask: a console asking sooner gets the themes computed last. One
computation per question at a time; the others wait for it. Kept per worker,
in memory, for the ``KEEP`` questions asked about most recently, and dropped
when the session is deleted (``forget``).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import anyio

from strategyroom.live.theme_edits import WrittenComment

if TYPE_CHECKING:  # imported when first used: scikit-learn takes seconds to load
    from strategyroom.aggregate.themes import ThemeComment, Themes

REFRESH_SECONDS = 5.0
KEEP = 64

Key = tuple[str, str]  # (session id, question id)


def theme_language(default_language: str) -> str:
    """The language a comment is read in when its own cannot be told: the
    deck's default, or English when the themes have no stemmer for it."""
    from strategyroom.aggregate.themes import LANGUAGES

    return default_language if default_language in LANGUAGES else "en"


def comments_of(rows: Sequence[WrittenComment]) -> list[ThemeComment]:
    """A question's comments oldest first, each named by its writer (the
    facilitator's edits name them so)."""
    from strategyroom.aggregate.themes import ThemeComment

    ordered = sorted(rows, key=lambda row: row.answered_at)
    return [ThemeComment(row.writer, row.text) for row in ordered]


class LiveThemes:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._kept: OrderedDict[Key, tuple[float, Themes]] = OrderedDict()
        self._locks: dict[Key, asyncio.Lock] = {}

    async def of(
        self, key: Key, rows: Callable[[], Awaitable[Sequence[WrittenComment]]], language: str
    ) -> Themes:
        """The themes of a question's comments (``rows``, read only when they are
        computed again), at most ``REFRESH_SECONDS`` old, before the
        facilitator's edits (which the caller applies, so they show at once)."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            kept = self._kept.get(key)
            if kept is not None and self._clock() - kept[0] < REFRESH_SECONDS:
                self._kept.move_to_end(key)
                return kept[1]
            from strategyroom.aggregate.themes import themes

            comments = comments_of(await rows())
            found = await anyio.to_thread.run_sync(themes, comments, theme_language(language))
            self._kept[key] = (self._clock(), found)
            self._kept.move_to_end(key)
            while len(self._kept) > KEEP:
                gone, _ = self._kept.popitem(last=False)
                self._locks.pop(gone, None)
            return found

    def forget(self, session_id: str) -> None:
        """Drop a session's themes (it was deleted: they quote its comments)."""
        for key in [key for key in self._kept if key[0] == session_id]:
            del self._kept[key]
            self._locks.pop(key, None)
