"""Bringing a (re)connecting socket up to date: a JSON client that resumes close
enough behind is replayed what it missed (then told ``resumed``), any other gets
a snapshot; an HTML page gets its whole live part drawn (docs/protocol.md,
section 3). The hub sends what arrives meanwhile after it (live/hub.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strategyroom.live.clients import Role
from strategyroom.live.state import LiveState
from strategyroom.web import views_json
from strategyroom.web._scenes import Scenes, audience_of, scenes_of
from strategyroom.web.connection import WebClient
from strategyroom.web.context import Services
from strategyroom.web.screens import draft_after_reveal, event_json, html_screen, reveals, seat_json

# A client that resumes this many events behind (or more) gets a snapshot instead.
REPLAY_LIMIT = 200


@dataclass(frozen=True)
class Resume:
    epoch: str
    seq: int


async def greet(
    svc: Services,
    client: WebClient,
    state: LiveState,
    resume: Resume | None,
    answers: dict[str, Any] | None = None,
) -> None:
    """Bring a new socket up to ``state``: replay what it missed, or a snapshot.
    ``answers``: the participant's answers, when the caller has just read them
    (a connecting socket reads them with the participant, in one query)."""
    socket = client.connection
    if socket.format == "json":
        if (
            resume is not None
            and resume.epoch == state.epoch
            and 0 <= state.seq - resume.seq <= REPLAY_LIMIT
        ):
            await _replay(svc, client, state, resume)
        else:
            scene = await (await _scenes(svc, client, state)).of(audience_of(client))
            if answers is None:
                answers = await _answers_of(svc, client)
            snapshot = views_json.snapshot_json(scene, socket.language, answers, seat_json(client))
            await socket.send(snapshot)
    else:
        scenes = await _scenes(svc, client, state)
        mine: dict[str, Any] = {}
        if client.role is Role.PARTICIPANT and client.participant_id:
            scene = await scenes.of(audience_of(client))
            if scene.answerable:
                mine = answers if answers is not None else await _answers_of(svc, client)
        await socket.send(await html_screen(svc, client, scenes, mine))
    client.seq = state.seq


async def _scenes(svc: Services, client: WebClient, state: LiveState) -> Scenes:
    """The scenes to greet ``client`` with: a phone's are shared with the other
    phones greeted at the same version (web/scene_cache.py)."""
    if client.role is not Role.PARTICIPANT:
        return await scenes_of(svc, state.session_id, state)
    try:
        current, news = svc.hub.version_of(client)
    except KeyError:  # not attached (a resync of a room going away)
        return await scenes_of(svc, state.session_id, state)
    if current is not state:  # greeted with another state than the room's
        return await scenes_of(svc, state.session_id, state)
    scenes = svc.greetings.get(state, news)
    if scenes is None:
        scenes = await scenes_of(svc, state.session_id, state)
        svc.greetings.put(state, news, scenes)
    return scenes


async def _replay(svc: Services, client: WebClient, state: LiveState, resume: Resume) -> None:
    socket = client.connection
    missed = await svc.sessions.events_since(state.session_id, resume.seq)
    missed = [envelope for envelope in missed if envelope.seq <= state.seq]
    audience = audience_of(client)
    for envelope in missed:
        frame = await event_json(svc, state.session_id, envelope, socket.language, audience)
        await socket.send(frame)
    if client.table is not None and any(reveals(e.event) for e in missed):
        await draft_after_reveal(client, missed, await scenes_of(svc, state.session_id, state))
    # Said even when nothing was missed: the client knows its resume was
    # accepted and that it is up to date at this seq.
    await socket.send(views_json.resumed_json(state.seq))


async def _answers_of(svc: Services, client: WebClient) -> dict[str, Any]:
    if client.participant_id is None:
        return {}
    return await svc.sessions.answers_of(client.session_id, client.participant_id)
