"""The frames of the updates no event carries (live/pushes.py): the live counts
and results, who is connected, the tables' drafts, and the countdown.

Each is built from the room's state when its round starts and rendered once per
group of sockets that see the same thing. A screen that an event brought past
that state meanwhile is not sent the older frame (``send_built``); the round
then reports it, and the hub sends the news again from the newer state.
"""

from __future__ import annotations

import asyncio
from typing import Any

from strategyroom.live.clients import Role
from strategyroom.live.help import TIMER_NEARLY_OUT_SECONDS
from strategyroom.live.policy import Audience
from strategyroom.live.rooms import DraftKey
from strategyroom.live.state import LiveState
from strategyroom.store.models import QuestionState
from strategyroom.web import views, views_json
from strategyroom.web._scenes import Scenes, audience_of, scenes_of
from strategyroom.web.connection import WebClient, WebRoom
from strategyroom.web.context import Services
from strategyroom.web.outbox import breathe
from strategyroom.web.screens import seat_of


async def send_built(room: WebRoom, built: LiveState, client: WebClient, frame: str) -> bool:
    """Send a frame built from the state ``built`` unless the client's screen is
    already newer; False when it was held back.

    The coalesced updates build their frames from the room's state when they
    start, then await reads; events for newer state (the tables just set up, a
    card shown) may reach the screens meanwhile. Sent after them, the older
    frame would undo them (the console's overview losing the new tables) until
    the next news. The caller sends the news again from the fresh state.
    """
    if client.seq > built.seq or room.state.epoch != built.epoch:
        return False
    if not client.connection.write(frame):  # the fast path, web/wire.py
        await client.connection.send(frame)
    return True


async def tallies(svc: Services, room: WebRoom, clients: list[WebClient]) -> bool:
    frames: dict[tuple[Any, ...], str | None] = {}
    built = room.state
    scenes = await scenes_of(svc, room.session_id, built)
    sent = True
    for i, client in enumerate(clients):
        if breathe(i):
            await asyncio.sleep(0)
        socket = client.connection
        # A participant's results show their table's figures beside the room's.
        table = client.table if client.role is Role.PARTICIPANT else None
        key = (client.role, socket.format, socket.language, table)
        if key not in frames:
            frames[key] = await _tally_frame(svc, client, scenes)
        frame = frames[key]
        if frame is not None:
            sent &= await send_built(room, built, client, frame)
    return sent


async def _tally_frame(svc: Services, client: WebClient, scenes: Scenes) -> str | None:
    """What a screen shows of the live counts: what its scene holds (the
    console's always; the room's results once revealed, and the projector's
    number of answers, never what they are, while the question is open)."""
    renderer = svc.renderer
    socket = client.connection
    language = socket.language
    if client.role is Role.CONSOLE:
        if socket.format != "html":
            return None
        scene = await scenes.console()
        return (
            views.console_results(renderer, scene, language)
            + views.console_counts(renderer, scene, language)
            + views.console_tables(renderer, scene, language)
        )
    scene = await scenes.of(audience_of(client))
    if client.role is Role.PROJECTOR and socket.format == "html":
        status = scene.question_status
        if status is None or not (scene.results_visible or status.state is QuestionState.OPEN):
            return None
        return views.projector_stage(renderer, scene, language)
    result, card = scene.current_results, scene.card
    if result is None or card is None or card.question is None:
        return None
    if socket.format == "json":
        figures = scene.table_figures.get(client.table) if client.table is not None else None
        return views_json.results_json(card.question.id, result, figures)
    return views.participant_results(renderer, scene, language, client.table)


async def presence(svc: Services, room: WebRoom, clients: list[WebClient]) -> bool:
    frames: dict[str, str] = {}
    built = room.state
    scenes = await scenes_of(svc, room.session_id, built)
    sent = True
    # Who is connected is the consoles' alone (a round per phone that connects
    # or goes: not a walk over every socket each time).
    consoles = [c for c in clients if c.role is Role.CONSOLE]
    for client in consoles:
        socket = client.connection
        if socket.format == "html":
            language = socket.language
            if language not in frames:
                scene = await scenes.console()
                frames[language] = views.console_counts(
                    svc.renderer, scene, language
                ) + views.console_tables(svc.renderer, scene, language)
            sent &= await send_built(room, built, client, frames[language])
    return sent


async def drafts(
    svc: Services, room: WebRoom, keys: set[DraftKey], clients: list[WebClient]
) -> bool:
    """Send a table's new draft to the devices at that table, and the overview to consoles."""
    frames: dict[tuple[Any, ...], str] = {}
    built = room.state
    scenes = await scenes_of(svc, room.session_id, built)
    renderer = svc.renderer
    sent = True
    for i, client in enumerate(clients):
        if breathe(i):
            await asyncio.sleep(0)
        socket = client.connection
        language = socket.language
        if client.role is Role.CONSOLE and socket.format == "html":
            key: tuple[Any, ...] = ("console", language)
            if key not in frames:
                frames[key] = views.console_tables(renderer, await scenes.console(), language)
            sent &= await send_built(room, built, client, frames[key])
            continue
        if client.role is Role.PROJECTOR and socket.format == "html":
            # The projector compares the tables' packages once they are revealed.
            scene = await scenes.of(Audience.projector())
            if scene.packages_visible:
                key = ("projector", language)
                if key not in frames:
                    frames[key] = views.projector_stage(renderer, scene, language)
                sent &= await send_built(room, built, client, frames[key])
            continue
        if client.role is not Role.PARTICIPANT or client.table is None:
            continue
        scene = await scenes.of(audience_of(client))
        drafted = scene.drafted  # the shown card's, or one kept open from another card
        if drafted is None or DraftKey(drafted.id, client.table) not in keys:
            continue
        view = scene.table_views.get(client.table)
        if socket.format == "json":
            if view is not None:
                sent &= await send_built(
                    room, built, client, views_json.table_draft_json(view, scene=scene)
                )
            continue
        submitted = view is not None and view.submitted
        key = ("p", language, client.table, client.tablet, submitted)
        if key not in frames:
            # A submitted answer is final: the whole stage is drawn again so
            # the draft form goes (there is nothing left to type into).
            draw = views.participant_stage if submitted else views.table_draft
            frames[key] = draw(renderer, scene, language, seat=seat_of(client))
        sent &= await send_built(room, built, client, frames[key])
    return sent


async def timer(svc: Services, room: WebRoom, clients: list[WebClient]) -> None:
    frames: dict[tuple[str, str], str] = {}
    built = room.state
    scenes = await scenes_of(svc, room.session_id, built)
    scene = await scenes.of(Audience.room())
    # Near the end a table's draft may stall with no news at all: the consoles'
    # overview is drawn again with each tick then, so its flags (live/help.py)
    # come up by themselves.
    flags_due = scene.timer_left <= TIMER_NEARLY_OUT_SECONDS
    for i, client in enumerate(clients):
        if breathe(i):
            await asyncio.sleep(0)
        socket = client.connection
        key: tuple[str, str] = (socket.format, socket.language if socket.format == "html" else "")
        console = client.role is Role.CONSOLE and socket.format == "html" and flags_due
        if console:
            key = ("console", socket.language)
        if key not in frames:
            frames[key] = (
                views_json.timer_json(scene)
                if socket.format == "json"
                else views.timer(svc.renderer, scene, socket.language)
            )
            if console:
                tables = views.console_tables(svc.renderer, await scenes.console(), socket.language)
                frames[key] += tables
        # Skipped for a screen already past this state: the event that
        # moved it on carried the timer with it.
        await send_built(room, built, client, frames[key])
