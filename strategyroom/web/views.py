"""Screens as HTML fragments, from one ``Scene`` (the JSON frames drawn from it
are in strategyroom.web.views_json).

A scene is everything the screens of one session are drawn from at one moment.
The same functions draw the first page load, the snapshot on (re)connect and the
live updates, so a reconnecting page can never look different from a fresh one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from strategyroom.aggregate import GroupFigures, Result
from strategyroom.aggregate.impact import is_package
from strategyroom.decks import Card, Deck
from strategyroom.decks.schema import Question
from strategyroom.live.drafts import TableView
from strategyroom.live.figures import (
    RoomPriorities,
    prior_question,
    room_figures,
    room_priorities,
    table_figures,
)
from strategyroom.live.state import LiveState, QuestionStatus
from strategyroom.live.tables import TableRow, overview
from strategyroom.store.models import QuestionState, RoomSession
from strategyroom.web.context import Services
from strategyroom.web.render import Renderer, qr_svg


@dataclass
class Scene:
    room: RoomSession
    deck: Deck
    state: LiveState
    join_url: str
    results: dict[str, Result] = field(default_factory=dict)
    answered: int = 0
    joined: int = 0
    connected: int = 0
    # The moment the scene was drawn: the timer's remaining time is computed for it.
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The shown table question's drafts and answers, by table number.
    table_views: dict[int, TableView] = field(default_factory=dict)
    tables: list[TableRow] = field(default_factory=list)  # the console's overview
    # The shown question's figures per table (distribution, agreement, impact) and
    # the room's, drawn by strategyroom.aggregate; empty when the screen may not show them.
    table_figures: dict[int, GroupFigures] = field(default_factory=dict)
    room_figures: GroupFigures | None = None
    # A table question's prior question (strategyroom.live.figures.prior_question)
    # and each table's figures on it: its agreement flags a split table.
    prior_question: Question | None = None
    prior_figures: dict[int, GroupFigures] = field(default_factory=dict)
    priorities: RoomPriorities | None = None  # the console's live priorities

    @property
    def package_question(self) -> bool:
        """The shown question is a package the impact meter adds up."""
        card = self.card
        return card is not None and card.question is not None and is_package(card.question)

    @property
    def timer_card(self) -> Card | None:
        """The shown card, when it carries a discussion timer."""
        card = self.card
        return card if card is not None and card.timer is not None else None

    @property
    def timer_left(self) -> int:
        card = self.timer_card
        if card is None or card.timer is None:
            return 0
        timer = self.state.timer
        return card.timer if timer is None else timer.seconds_left(self.now)

    @property
    def timer_running(self) -> bool:
        timer = self.state.timer
        return timer is not None and timer.running and self.timer_left > 0

    @property
    def card(self) -> Card | None:
        if self.state.current_card is None:
            return None
        return self.deck.cards[self.state.current_card]

    @property
    def question_status(self) -> QuestionStatus | None:
        card = self.card
        if card is None or card.question is None:
            return None
        return self.state.question(card.question.id)

    @property
    def current_results(self) -> Result | None:
        card = self.card
        return self.results.get(card.question.id) if card and card.question else None

    def table_view(self, table: int | None) -> TableView | None:
        """A table's draft of the shown table question (empty before its first edit)."""
        card = self.card
        if table is None or card is None or card.question is None:
            return None
        if card.question.scope != "table":
            return None
        return self.table_views.get(table, TableView(card.question.id, table))

    @property
    def results_visible(self) -> bool:
        """Whether the room (projector, participants) may see the results now."""
        status = self.question_status
        return status is not None and status.revealed


async def load_scene(
    services: Services, room: RoomSession, state: LiveState, *, for_console: bool
) -> Scene:
    deck = services.sessions.deck(room)
    scene = Scene(room, deck, state, join_url(services, room))
    card = scene.card
    status = scene.question_status
    if card is not None and card.question is not None and status is not None:
        if status.state is not QuestionState.PENDING and (for_console or status.revealed):
            scene.results[card.question.id] = await services.sessions.results(
                room, card.question.id
            )
        if for_console:
            scene.answered = await services.sessions.answer_count(room.id, card.question.id)
        if card.question.scope == "table" and status.state is not QuestionState.PENDING:
            scene.table_views = await services.sessions.tables.table_views(
                room.id, card.question.id
            )
        await _load_figures(services, scene, for_console=for_console)
    if for_console:
        scene.joined = await services.sessions.participant_count(room.id)
        connected = await services.hub.presence.connected(room.id)
        scene.connected = len(connected)
        question = card.question if card is not None else None
        scene.tables = await services.db.run(lambda db: overview(db, state, question, connected))
    return scene


async def _load_figures(services: Services, scene: Scene, *, for_console: bool) -> None:
    """The shown question's figures per table, following the reveal rule: the
    console always; the room's devices once the results are revealed, and a
    table's own package as its draft changes (the impact meter)."""
    card, status = scene.card, scene.question_status
    if card is None or card.question is None or status is None:
        return
    question, deck, state = card.question, scene.deck, scene.state
    if status.state is not QuestionState.PENDING and (
        for_console or status.revealed or (question.scope == "table" and is_package(question))
    ):
        scene.table_figures = await services.db.run(
            lambda db: table_figures(db, deck, state, question)
        )
        if question.scope == "individual":
            scene.room_figures = await services.db.run(
                lambda db: room_figures(db, deck, state, question)
            )
        await _load_prior_figures(services, scene, question, for_console=for_console)
    if for_console:
        scene.priorities = await services.db.run(lambda db: room_priorities(db, deck, state))


async def _load_prior_figures(
    services: Services, scene: Scene, question: Question, *, for_console: bool
) -> None:
    """Each table's figures on the individual question a table question follows
    on, under that question's own reveal rule (the console always)."""
    prior = prior_question(scene.deck, question)
    if prior is None:
        return
    status = scene.state.question(prior.id)
    if status.state is QuestionState.PENDING or not (for_console or status.revealed):
        return
    deck, state = scene.deck, scene.state
    scene.prior_question = prior
    scene.prior_figures = await services.db.run(lambda db: table_figures(db, deck, state, prior))


def join_url(services: Services, room: RoomSession) -> str:
    return f"{services.settings.public_url}/join/{room.join_code}"


def table_url(services: Services, room: RoomSession, table: int) -> str:
    """A table's own join link: joining there seats the device at the table."""
    return f"{join_url(services, room)}/{table}"


def table_code(room: RoomSession, table: int) -> str:
    """What to type on the start page to join a table: the session's code and the number."""
    return f"{room.join_code}-{table}"


def answer_nonce() -> str:
    """The id a browser sends with its answer: issued with each form, so a resend
    of the same submission is recognised as a retry."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class Seat:
    """Who a participant's screen is for: their number, table and kind of device."""

    number: int = 0
    table: int | None = None
    tablet: bool = False


def participant_stage(
    renderer: Renderer,
    scene: Scene,
    language: str,
    my_answer: Any = None,
    notice: str = "",
    seat: Seat | None = None,
    error: str = "",
    attempt: Any = None,
) -> str:
    """A participant's stage. ``attempt`` is a draft edit that was refused as
    stale: its form keeps the member's own value (on the current revision)."""
    seat = seat or Seat()
    return renderer.render(
        "partials/stage.html",
        language,
        scene=scene,
        deck=scene.deck,
        my_answer=my_answer,
        nonce=answer_nonce(),
        notice=notice,
        seat=seat,
        view=scene.table_view(seat.table),
        error=error,
        attempt=attempt,
    )


def table_draft(renderer: Renderer, scene: Scene, language: str, seat: Seat) -> str:
    """The table's current draft and the submit step, swapped in when it changes."""
    return renderer.render(
        "partials/table_draft.html",
        language,
        scene=scene,
        deck=scene.deck,
        seat=seat,
        view=scene.table_view(seat.table),
        nonce=answer_nonce(),
    )


def timer(renderer: Renderer, scene: Scene, language: str) -> str:
    return renderer.render("partials/timer.html", language, scene=scene, deck=scene.deck)


def console_tables(renderer: Renderer, scene: Scene, language: str) -> str:
    return renderer.render("console/tables.html", language, scene=scene, deck=scene.deck)


def console_table_forms(
    renderer: Renderer, state: LiveState, language: str, *, oob: bool = False
) -> str:
    """The forms that add tables: never part of a live update while the session
    runs (docs in templates/console/table_forms.html)."""
    return renderer.render("console/table_forms.html", language, state=state, oob=oob)


def console_live(renderer: Renderer, scene: Scene, language: str) -> str:
    return renderer.render("console/live.html", language, scene=scene, deck=scene.deck)


def console_counts(renderer: Renderer, scene: Scene, language: str) -> str:
    return renderer.render("console/counts.html", language, scene=scene, deck=scene.deck)


def console_results(renderer: Renderer, scene: Scene, language: str) -> str:
    return renderer.render("console/results.html", language, scene=scene, deck=scene.deck)


def projector_stage(renderer: Renderer, scene: Scene, language: str) -> str:
    return renderer.render(
        "projector/stage.html",
        language,
        scene=scene,
        deck=scene.deck,
        qr=qr_svg(scene.join_url, scale=10),
    )


def participant_results(
    renderer: Renderer, scene: Scene, language: str, table: int | None = None
) -> str:
    return renderer.render(
        "partials/room_results.html", language, scene=scene, deck=scene.deck, seat=Seat(table=table)
    )
