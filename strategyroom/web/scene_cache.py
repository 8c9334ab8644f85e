"""The scenes that greet phones, loaded once per version of what they show.

A reconnect storm brings thousands of phones back to the same screen within
seconds. Each greeting loaded its scene itself (the answers' count and
figures, the tables' drafts: a trip to a database thread and its queries per
phone, the largest part of the storm's profile in docs/performance.md). A
phone's scene depends only on the session's state and on the news of answers
and drafts since (``Hub.version_of``), so one load serves every phone greeted
at that version; news of either makes the next greeting load afresh, and its
round of live counts reaches the phones greeted before it (live/hub.py,
``attach``), as it did when each loaded its own.

Only phones' scenes are kept: the console and the projector also show
presence, which changes with every phone that connects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyroom.live.state import LiveState

if TYPE_CHECKING:
    from strategyroom.web._scenes import Scenes

# Sessions whose greeting scenes are kept (a worker runs a few at once).
KEPT_SESSIONS = 32


class SceneCache:
    __slots__ = ("_by_session",)

    def __init__(self) -> None:
        self._by_session: dict[str, tuple[LiveState, int, Scenes]] = {}

    def get(self, state: LiveState, news: int) -> Scenes | None:
        entry = self._by_session.get(state.session_id)
        if entry is None or entry[0] is not state or entry[1] != news:
            return None
        return entry[2]

    def put(self, state: LiveState, news: int, scenes: Scenes) -> None:
        self._by_session.pop(state.session_id, None)
        while len(self._by_session) >= KEPT_SESSIONS:
            del self._by_session[next(iter(self._by_session))]
        self._by_session[state.session_id] = (state, news, scenes)
