"""The presenter: session news to frames, rendered once and sent to many.

For each update, sockets are grouped by what they must see (role, format,
language and, for a participant's form, their own answer); each group's frame
is rendered once and the same string is sent to every socket in the group.
Events are sent here; the frames of the coalesced updates and the countdown
are drawn in push_frames.py, a connecting socket's first ones in greeting.py.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from strategyroom.live.clients import Role
from strategyroom.live.events import (
    CardShown,
    Envelope,
    HelpAcknowledged,
    HelpDone,
    HelpRequested,
    JoiningLocked,
    JoiningUnlocked,
    ParticipantMoved,
    ProjectorSwitched,
    QuestionClosed,
    QuestionOpened,
    QuestionReopened,
    ResultsRevealed,
    SessionEnded,
    TimerExtended,
    TimerPaused,
    TimerStarted,
)
from strategyroom.live.policy import Audience, event_seen
from strategyroom.live.rooms import DraftKey
from strategyroom.web import push_frames, views
from strategyroom.web._scenes import Scenes, audience_of, scenes_of
from strategyroom.web.connection import WebClient, WebRoom
from strategyroom.web.context import Services
from strategyroom.web.greeting import greet
from strategyroom.web.outbox import breathe
from strategyroom.web.screens import (
    draft_after_reveal,
    event_json,
    html_screen,
    reveals,
    seat_of,
)

# Events that change what a participant's stage shows. Other events (tables, moves,
# timers) update a part of the page only, so a half-filled form is never reset.
STAGE_EVENTS = (
    CardShown,
    QuestionOpened,
    QuestionReopened,
    QuestionClosed,
    ResultsRevealed,
    SessionEnded,
)
TIMER_EVENTS = (TimerStarted, TimerPaused, TimerExtended)
# A table's call for help: its devices' help panel changes, nothing else.
HELP_EVENTS = (HelpRequested, HelpAcknowledged, HelpDone)


class HtmlJsonPresenter:
    """The live layer's ``Presenter`` (strategyroom.live.rooms) for this app's
    sockets: HTML for the htmx pages, JSON for the protocol's clients."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def events(
        self, room: WebRoom, envelopes: list[Envelope], clients: list[WebClient]
    ) -> None:
        svc = self.services
        frames: dict[tuple[Any, ...], str] = {}
        scenes = await scenes_of(svc, room.session_id, room.state)
        my_answers = await self._html_participant_answers(clients, scenes)
        for i, client in enumerate(clients):
            if breathe(i):
                await asyncio.sleep(0)
            pending = [e for e in envelopes if e.seq > client.seq]
            if not pending:
                continue
            # The screen is at the newest seq before its frame is drawn and sent
            # (both may wait): a coalesced push built from an older state is held
            # back from then on (push_frames.send_built), never sent after it.
            client.seq = pending[-1].seq
            socket = client.connection
            if socket.format == "json":
                audience = audience_of(client)
                for envelope in pending:
                    # Only a card carries text; other event frames are the same
                    # in every language, and for everyone who may see them.
                    language = socket.language if isinstance(envelope.event, CardShown) else ""
                    seen = event_seen(audience, envelope.event)
                    key: tuple[Any, ...] = ("json", envelope.seq, language, seen)
                    if key not in frames:
                        frames[key] = await event_json(
                            svc, room.session_id, envelope, socket.language, audience
                        )
                    frame = frames[key]
                    if not socket.write(frame):  # the fast path, web/wire.py
                        await socket.send(frame)
                if client.table is not None and any(reveals(e.event) for e in pending):
                    await draft_after_reveal(client, pending, scenes)
            else:
                part = _html_part(client, pending)
                key = (part, *_html_key(client, my_answers))
                if part == "timer":
                    key = ("timer", socket.language)
                    if key not in frames:
                        frames[key] = views.timer(
                            svc.renderer, await scenes.of(Audience.room()), socket.language
                        )
                elif part == "help" and key not in frames:
                    scene = await scenes.of(audience_of(client))
                    frames[key] = views.help_panel(
                        svc.renderer, scene, socket.language, seat_of(client)
                    )
                elif part == "all" and key not in frames:
                    mine = my_answers.get(client.participant_id or "", {})
                    frames[key] = await html_screen(svc, client, scenes, mine)
                if part != "none":
                    frame = frames[key]
                    if not socket.write(frame):  # the fast path, web/wire.py
                        await socket.send(frame)

    async def tallies(
        self, room: WebRoom, question_ids: set[str], clients: list[WebClient]
    ) -> bool:
        return await push_frames.tallies(self.services, room, clients)

    async def presence(self, room: WebRoom, clients: list[WebClient]) -> bool:
        return await push_frames.presence(self.services, room, clients)

    async def drafts(self, room: WebRoom, keys: set[DraftKey], clients: list[WebClient]) -> bool:
        return await push_frames.drafts(self.services, room, keys, clients)

    async def timer(self, room: WebRoom, clients: list[WebClient]) -> None:
        await push_frames.timer(self.services, room, clients)

    async def resync(self, room: WebRoom, clients: list[WebClient]) -> None:
        for client in clients:
            await greet(self.services, client, room.state, None)

    async def _html_participant_answers(
        self, clients: list[WebClient], scenes: Scenes
    ) -> dict[str, dict[str, Any]]:
        """The html participants' current answers to the questions their screens
        show with a form or their answer (the shown card's, one kept open), by
        participant and question: for pre-filled forms."""
        if not any(c.role is Role.PARTICIPANT and c.connection.format == "html" for c in clients):
            return {}
        scene = await scenes.of(Audience.room())
        mine: dict[str, dict[str, Any]] = {}
        for question in scene.answerable:
            by_participant = await self.services.sessions.answers_by_participant(
                scene.room.id, question.id
            )
            for participant, answer in by_participant.items():
                mine.setdefault(participant, {})[question.id] = answer
        return mine


def _html_part(client: WebClient, pending: list[Envelope]) -> str:
    """Which part of an html screen a batch of events changes: all, the timer, or none."""
    events = [e.event for e in pending]
    if client.role is Role.CONSOLE or any(isinstance(e, STAGE_EVENTS) for e in events):
        return "all"
    moved = any(
        isinstance(e, ParticipantMoved) and e.participant == client.participant_id for e in events
    )
    if moved:
        return "all"
    # The projector marks the join code closed while the door is (lock_joining).
    # So does it when the facilitator switches what it shows (the themes, the
    # common ground); nobody else's screen changes with that.
    door = any(isinstance(e, (JoiningLocked, JoiningUnlocked, ProjectorSwitched)) for e in events)
    if door and client.role is Role.PROJECTOR:
        return "all"
    ours = client.table is not None and any(
        isinstance(e, HELP_EVENTS) and e.table == client.table for e in events
    )
    if ours:
        return "help"
    return "timer" if any(isinstance(e, TIMER_EVENTS) for e in events) else "none"


def _html_key(client: WebClient, my_answers: dict[str, Any]) -> tuple[Any, ...]:
    """What an html screen's frame depends on besides the part: sockets with the
    same key are sent the same string."""
    language = client.connection.language
    if client.role is Role.PARTICIPANT:
        answer = my_answers.get(client.participant_id or "")
        # The stage shows the device's table (not its number: that is in the
        # page's header), so devices at one table share a rendering.
        return ("p", language, json.dumps(answer, sort_keys=True), client.table, client.tablet)
    return (client.role.value, language)
