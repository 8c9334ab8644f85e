"""The presenter: session news to frames, rendered once and sent to many.

For each update, sockets are grouped by what they must see (role, format,
language and, for a participant's form, their own answer); each group's frame
is rendered once and the same string is sent to every socket in the group.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from strategyroom.live.events import (
    CardShown,
    Envelope,
    ParticipantMoved,
    QuestionClosed,
    QuestionOpened,
    ResultsRevealed,
    SessionEnded,
    TimerExtended,
    TimerPaused,
    TimerStarted,
)
from strategyroom.live.hub import Client, Role, Room
from strategyroom.live.state import LiveState
from strategyroom.store.models import SessionStatus
from strategyroom.web import views, views_json
from strategyroom.web._scenes import Scenes
from strategyroom.web.context import Services
from strategyroom.web.outbox import send_frame

log = logging.getLogger(__name__)

# A client that resumes this many events behind (or more) gets a snapshot instead.
REPLAY_LIMIT = 200
# Sockets sent to per turn of the event loop: ~30 µs each keeps a turn near 10 ms.
SEND_SLICE = 300
# Events that change what a participant's stage shows. Other events (tables, moves,
# timers) update a part of the page only, so a half-filled form is never reset.
STAGE_EVENTS = (CardShown, QuestionOpened, QuestionClosed, ResultsRevealed, SessionEnded)
TIMER_EVENTS = (TimerStarted, TimerPaused, TimerExtended)


def seat_of(client: Client) -> views.Seat:
    return views.Seat(client.number, client.table, client.tablet)


def seat_json(client: Client) -> dict[str, Any]:
    if client.participant_id is None:
        return {}
    return {
        "participant": client.participant_id,
        "number": client.number,
        "table": client.table,
        "device": "tablet" if client.tablet else "phone",
    }


def _html_part(client: Client, pending: list[Envelope]) -> str:
    """Which part of an html screen a batch of events changes: all, the timer, or none."""
    events = [e.event for e in pending]
    if client.role is Role.CONSOLE or any(isinstance(e, STAGE_EVENTS) for e in events):
        return "all"
    moved = any(
        isinstance(e, ParticipantMoved) and e.participant == client.participant_id for e in events
    )
    if moved:
        return "all"
    return "timer" if any(isinstance(e, TIMER_EVENTS) for e in events) else "none"


@dataclass(frozen=True)
class Resume:
    epoch: str
    seq: int


class HtmlJsonPresenter:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def scene(self, session_id: str, state: LiveState, *, for_console: bool) -> views.Scene:
        row = await self.services.sessions.shared_row(session_id)
        return await views.load_scene(self.services, row, state, for_console=for_console)

    def _scenes(self, session_id: str, state: LiveState) -> Scenes:
        return Scenes(lambda for_console: self.scene(session_id, state, for_console=for_console))

    # -- the hub's calls -------------------------------------------------------------

    async def events(self, room: Room, envelopes: list[Envelope], clients: list[Client]) -> None:
        frames: dict[tuple[Any, ...], str] = {}
        scenes = self._scenes(room.session_id, room.state)
        my_answers = await self._html_participant_answers(room, clients)
        for i, client in enumerate(clients):
            if i and i % SEND_SLICE == 0:
                # Let the loop breathe between slices: sending to every socket
                # without yielding stalled all of them (docs/performance.md).
                await asyncio.sleep(0)
            pending = [e for e in envelopes if e.seq > client.seq]
            if not pending:
                continue
            if client.format == "json":
                for envelope in pending:
                    key: tuple[Any, ...] = ("json", envelope.seq, _json_language(envelope, client))
                    if key not in frames:
                        frames[key] = await self._event_json(room, envelope, client.language)
                    await send_frame(client, frames[key])
                if client.table is not None and any(_reveals(e.event) for e in pending):
                    await self._draft_after_reveal(client, pending, scenes)
            else:
                part = _html_part(client, pending)
                key = (part, *self._html_key(client, my_answers))
                if part == "timer":
                    key = ("timer", client.language)
                    if key not in frames:
                        frames[key] = views.timer(
                            self.services.renderer, await scenes.room(), client.language
                        )
                elif part == "all" and key not in frames:
                    my_answer = my_answers.get(client.participant_id or "")
                    frames[key] = await self._html_screen(client, scenes, my_answer)
                if part != "none":
                    await send_frame(client, frames[key])
            client.seq = pending[-1].seq

    async def _draft_after_reveal(
        self, client: Client, pending: list[Envelope], scenes: Scenes
    ) -> None:
        """A table's draft again when the question it follows on is revealed: its
        ``agreement`` (the split flag) may now be shown, as the HTML stage does."""
        scene = await scenes.room()
        prior, view = scene.prior_question, scene.table_view(client.table)
        if prior is None or view is None:
            return
        if any(_reveals(e.event, prior.id) for e in pending):
            await send_frame(client, views_json.table_draft_json(view, scene=scene))

    async def tallies(self, room: Room, question_ids: set[str], clients: list[Client]) -> None:
        frames: dict[tuple[Any, ...], str | None] = {}
        scenes = self._scenes(room.session_id, room.state)
        for client in clients:
            # A participant's results show their table's figures beside the room's.
            table = client.table if client.role is Role.PARTICIPANT else None
            key = (client.role, client.format, client.language, table)
            if key not in frames:
                frames[key] = await self._tally_frame(client, scenes)
            frame = frames[key]
            if frame is not None:
                await send_frame(client, frame)

    async def _tally_frame(self, client: Client, scenes: Scenes) -> str | None:
        """What a screen shows of the live counts: consoles always, the room only
        once the results are revealed."""
        renderer = self.services.renderer
        if client.role is Role.CONSOLE:
            if client.format != "html":
                return None
            scene = await scenes.console()
            return (
                views.console_results(renderer, scene, client.language)
                + views.console_counts(renderer, scene, client.language)
                + views.console_tables(renderer, scene, client.language)
            )
        scene = await scenes.room()
        result, card = scene.current_results, scene.card
        if not scene.results_visible or result is None or card is None or card.question is None:
            return None
        if client.format == "json":
            figures = scene.table_figures.get(client.table) if client.table is not None else None
            return views_json.results_json(card.question.id, result, figures)
        if client.role is Role.PROJECTOR:
            return views.projector_stage(renderer, scene, client.language)
        return views.participant_results(renderer, scene, client.language, client.table)

    async def presence(self, room: Room, clients: list[Client]) -> None:
        frames: dict[str, str] = {}
        scenes = self._scenes(room.session_id, room.state)
        for client in clients:
            if client.role is Role.CONSOLE and client.format == "html":
                if client.language not in frames:
                    scene = await scenes.console()
                    frames[client.language] = views.console_counts(
                        self.services.renderer, scene, client.language
                    ) + views.console_tables(self.services.renderer, scene, client.language)
                await send_frame(client, frames[client.language])

    async def drafts(self, room: Room, keys: set[tuple[str, int]], clients: list[Client]) -> None:
        """Send a table's new draft to the devices at that table, and the overview to consoles."""
        frames: dict[tuple[Any, ...], str] = {}
        scenes = self._scenes(room.session_id, room.state)
        renderer = self.services.renderer
        for client in clients:
            if client.role is Role.CONSOLE and client.format == "html":
                key: tuple[Any, ...] = ("console", client.language)
                if key not in frames:
                    frames[key] = views.console_tables(
                        renderer, await scenes.console(), client.language
                    )
                await send_frame(client, frames[key])
                continue
            if client.role is Role.PROJECTOR and client.format == "html":
                # The projector compares the tables' packages once they are revealed.
                scene = await scenes.room()
                if scene.results_visible and scene.package_question:
                    key = ("projector", client.language)
                    if key not in frames:
                        frames[key] = views.projector_stage(renderer, scene, client.language)
                    await send_frame(client, frames[key])
                continue
            if client.role is not Role.PARTICIPANT or client.table is None:
                continue
            scene = await scenes.room()
            card = scene.card
            if (
                card is None
                or card.question is None
                or (card.question.id, client.table) not in keys
            ):
                continue
            view = scene.table_views.get(client.table)
            if client.format == "json":
                if view is not None:
                    await send_frame(client, views_json.table_draft_json(view, scene=scene))
                continue
            key = ("p", client.language, client.table, client.tablet)
            if key not in frames:
                frames[key] = views.table_draft(renderer, scene, client.language, seat_of(client))
            await send_frame(client, frames[key])

    async def timer(self, room: Room, clients: list[Client]) -> None:
        frames: dict[tuple[str, str], str] = {}
        scene = await self.scene(room.session_id, room.state, for_console=False)
        for client in clients:
            key = (client.format, client.language if client.format == "html" else "")
            if key not in frames:
                frames[key] = (
                    views_json.timer_json(scene)
                    if client.format == "json"
                    else views.timer(self.services.renderer, scene, client.language)
                )
            await send_frame(client, frames[key])

    async def resync(self, room: Room, clients: list[Client]) -> None:
        for client in clients:
            await self.greet(client, room.state, None)

    # -- greeting a (re)connecting socket -----------------------------------------------

    async def greet(
        self,
        client: Client,
        state: LiveState,
        resume: Resume | None,
        answers: dict[str, Any] | None = None,
    ) -> None:
        """Bring a new socket up to ``state``: replay what it missed, or a snapshot.
        ``answers``: the participant's answers, when the caller has just read them
        (a connecting socket reads them with the participant, in one query)."""
        if client.format == "json":
            if (
                resume is not None
                and resume.epoch == state.epoch
                and 0 <= state.seq - resume.seq <= REPLAY_LIMIT
            ):
                missed = await self.services.sessions.events_since(state.session_id, resume.seq)
                missed = [envelope for envelope in missed if envelope.seq <= state.seq]
                fake_room = Room(state.session_id, state)
                for envelope in missed:
                    await send_frame(
                        client, await self._event_json(fake_room, envelope, client.language)
                    )
                if client.table is not None and any(_reveals(e.event) for e in missed):
                    scenes = self._scenes(state.session_id, state)
                    await self._draft_after_reveal(client, missed, scenes)
            else:
                scene = await self.scene(state.session_id, state, for_console=False)
                if answers is None:
                    answers = await self._answers_of(client)
                seat = seat_json(client)
                await send_frame(
                    client, views_json.snapshot_json(scene, client.language, answers, seat)
                )
        else:
            scenes = self._scenes(state.session_id, state)
            my_answer = None
            if client.role is Role.PARTICIPANT and client.participant_id:
                scene = await scenes.room()
                card = scene.card
                if card is not None and card.question is not None:
                    if answers is None:
                        answers = await self._answers_of(client)
                    my_answer = answers.get(card.question.id)
            await send_frame(client, await self._html_screen(client, scenes, my_answer))
        client.seq = state.seq

    async def _answers_of(self, client: Client) -> dict[str, Any]:
        if client.participant_id is None:
            return {}
        return await self.services.sessions.answers_of(client.session_id, client.participant_id)

    # -- rendering ----------------------------------------------------------------

    def _html_key(self, client: Client, my_answers: dict[str, Any]) -> tuple[Any, ...]:
        if client.role is Role.PARTICIPANT:
            answer = my_answers.get(client.participant_id or "")
            # The stage shows the device's table (not its number: that is in the
            # page's header), so devices at one table share a rendering.
            return (
                "p",
                client.language,
                json.dumps(answer, sort_keys=True),
                client.table,
                client.tablet,
            )
        return (client.role.value, client.language)

    async def _html_screen(self, client: Client, scenes: Scenes, my_answer: Any) -> str:
        renderer = self.services.renderer
        if client.role is Role.CONSOLE:
            scene = await scenes.console()
            screen = (
                views.console_live(renderer, scene, client.language)
                + views.console_counts(renderer, scene, client.language)
                + views.console_tables(renderer, scene, client.language)
            )
            if scene.state.status is SessionStatus.ENDED:
                # Only then do the table forms change here (they go): drawn while
                # the session runs, they would wipe what the facilitator types.
                screen += views.console_table_forms(renderer, scene.state, client.language)
            return screen
        scene = await scenes.room()
        if client.role is Role.PROJECTOR:
            return views.projector_stage(renderer, scene, client.language)
        return views.participant_stage(
            renderer, scene, client.language, my_answer, seat=seat_of(client)
        )

    async def _event_json(self, room: Room, envelope: Envelope, language: str) -> str:
        frame = envelope.to_dict()
        event = envelope.event
        row = await self.services.sessions.shared_row(room.session_id)
        deck = self.services.sessions.deck(row)
        if isinstance(event, CardShown):
            frame["card"] = views_json.card_json(deck, deck.cards[event.card], language)
        elif isinstance(event, ResultsRevealed) or (
            isinstance(event, QuestionClosed) and event.revealed
        ):
            result = await self.services.sessions.results(row, event.question)
            frame["results"] = result.model_dump(mode="json")
        return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)

    async def _html_participant_answers(self, room: Room, clients: list[Client]) -> dict[str, Any]:
        """Current answers of the html participants here, for pre-filled forms."""
        if not any(c.role is Role.PARTICIPANT and c.format == "html" for c in clients):
            return {}
        state = room.state
        if state.current_card is None:
            return {}
        row = await self.services.sessions.shared_row(room.session_id)
        card = self.services.sessions.deck(row).cards[state.current_card]
        if card.question is None:
            return {}
        by_participant = await self.services.sessions.answers_by_participant(
            room.session_id, card.question.id
        )
        return by_participant


def _reveals(event: Any, question: str | None = None) -> bool:
    """Whether an event shows a question's results to the room (any, or ``question``)."""
    if isinstance(event, ResultsRevealed) or (isinstance(event, QuestionClosed) and event.revealed):
        return question in (None, event.question)
    return False


def _json_language(envelope: Envelope, client: Client) -> str:
    # Only a card carries text; other event frames are the same in every language.
    return client.language if isinstance(envelope.event, CardShown) else ""
