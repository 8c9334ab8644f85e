"""Phones' greeting scenes loaded once per version (web/scene_cache.py) and a
scene load shared by everyone asking while it runs (web/_scenes.py): a newer
state or newer news of answers and drafts is never served an older scene, and
a failed load is tried again rather than handed on."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import pytest

from strategyroom.live.policy import Audience
from strategyroom.live.state import LiveState
from strategyroom.web._scenes import Scenes
from strategyroom.web.scene_cache import KEPT_SESSIONS, SceneCache


def state(session_id: str = "s") -> LiveState:
    return cast(LiveState, SimpleNamespace(session_id=session_id))


def scenes() -> Scenes:
    async def load(audience: Audience) -> Any:
        return SimpleNamespace()

    return Scenes(load)


def test_a_scene_is_served_only_for_the_same_state_and_news() -> None:
    cache, now, kept = SceneCache(), state(), scenes()
    cache.put(now, 3, kept)
    assert cache.get(now, 3) is kept
    assert cache.get(now, 4) is None  # an answer or a draft since
    assert cache.get(state(), 3) is None  # another state, even if equal


def test_only_so_many_sessions_are_kept() -> None:
    cache = SceneCache()
    states = [state(f"s{i}") for i in range(KEPT_SESSIONS + 1)]
    for s in states:
        cache.put(s, 0, scenes())
    assert cache.get(states[0], 0) is None
    assert cache.get(states[-1], 0) is not None


def test_askers_at_the_same_time_share_one_load_and_a_failed_one_is_retried() -> None:
    loads = 0

    async def main() -> list[Any]:
        gate = asyncio.Event()

        async def load(audience: Audience) -> Any:
            nonlocal loads
            loads += 1
            await gate.wait()
            if loads == 1:
                raise RuntimeError("the database went away")
            return SimpleNamespace(figures=loads)

        shared = Scenes(load)
        first = asyncio.create_task(shared.of(Audience.room()))
        others = [asyncio.create_task(shared.of(Audience.room())) for _ in range(3)]
        await asyncio.sleep(0)
        gate.set()
        with pytest.raises(RuntimeError):
            await first
        return await asyncio.gather(*others)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("strategyroom.web._scenes.narrow", lambda scene, audience: scene)
        got = asyncio.run(main())
    assert loads == 2  # the failed load, then one more for all three
    assert all(scene is got[0] for scene in got)
