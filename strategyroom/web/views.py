"""Screens as HTML fragments and JSON frames, from one ``Scene``.

A scene is everything the screens of one session are drawn from at one moment.
The same functions draw the first page load, the snapshot on (re)connect and the
live updates, so a reconnecting page can never look different from a fresh one.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from strategyroom.aggregate import GroupFigures, Result
from strategyroom.aggregate.impact import is_package
from strategyroom.decks import Card, Deck
from strategyroom.decks.schema import Question, options_of
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
        view=_view(scene, seat),
        error=error,
        attempt=attempt,
    )


def _view(scene: Scene, seat: Seat) -> TableView | None:
    card = scene.card
    if seat.table is None or card is None or card.question is None:
        return None
    if card.question.scope != "table":
        return None
    return scene.table_views.get(seat.table, TableView(card.question.id, seat.table))


def table_draft(renderer: Renderer, scene: Scene, language: str, seat: Seat) -> str:
    """The table's current draft and the submit step, swapped in when it changes."""
    return renderer.render(
        "partials/table_draft.html",
        language,
        scene=scene,
        deck=scene.deck,
        seat=seat,
        view=_view(scene, seat),
        nonce=answer_nonce(),
    )


def timer(renderer: Renderer, scene: Scene, language: str) -> str:
    return renderer.render("partials/timer.html", language, scene=scene, deck=scene.deck)


def console_tables(renderer: Renderer, scene: Scene, language: str) -> str:
    return renderer.render("console/tables.html", language, scene=scene, deck=scene.deck)


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


# -- JSON frames (docs/protocol.md) -----------------------------------------------


def card_json(deck: Deck, card: Card, language: str) -> dict[str, Any]:
    def t(value: dict[str, str] | None) -> str:
        return deck.text(value, language)

    data: dict[str, Any] = {
        "id": card.id,
        "kind": card.kind.value,
        "title": t(card.title),
        "body": t(card.body),
        "evidence": [
            {
                "label": t(e.label),
                "value": e.value,
                "unit": t(e.unit),
                "currency": e.currency,
                "text": t(e.text),
                "source": e.source,
            }
            for e in card.evidence
        ],
        "question": None,
        "prompt": t(card.prompt),
        "timer": card.timer,
    }
    question = card.question
    if question is not None:
        data["question"] = {
            "id": question.id,
            "type": question.type.value,
            "prompt": t(question.prompt),
            "scope": question.scope,
            "options": [{"id": o.id, "label": t(o.label)} for o in options_of(question)],
            **_question_settings(question, t),
        }
    return data


def _question_settings(question: Any, t: Callable[[Any], str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name in ("min", "max", "max_choices", "total", "max_length"):
        if hasattr(question, name):
            settings[name] = getattr(question, name)
    for name in ("min_label", "max_label"):
        if hasattr(question, name):
            settings[name] = t(getattr(question, name))
    # Profile questions may be answered "prefer-not-to-say" (docs/protocol.md, section 5).
    if getattr(question, "profile", False):
        settings["profile"] = True
    return settings


def snapshot_json(
    scene: Scene, language: str, my_answers: dict[str, Any], seat: dict[str, Any]
) -> str:
    card = scene.card
    current = scene.current_results if scene.results_visible else None
    view = _view(scene, Seat(seat.get("number", 0), seat.get("table"))) if seat else None
    return _dumps(
        {
            "type": "snapshot",
            **scene.state.to_dict(),
            "card": card_json(scene.deck, card, language) if card else None,
            "results": current.model_dump(mode="json") if current else None,
            "answers": my_answers,
            "seat": seat,
            "table_draft": _draft_with_impact(scene, view) if view else None,
            "table_results": _table_results(scene, seat.get("table")),
        }
    )


def _table_results(scene: Scene, table: int | None) -> dict[str, Any] | None:
    """The device's table's figures beside the room's revealed results."""
    card = scene.card
    if table is None or not scene.results_visible or card is None or card.question is None:
        return None
    if card.question.scope != "individual":
        return None
    return figures_json(scene.table_figures.get(table))


def _draft_with_impact(scene: Scene, view: TableView) -> dict[str, Any]:
    figures = scene.table_figures.get(view.table)
    impact = figures.impact if figures is not None else None
    return {**view.to_dict(), "impact": impact.model_dump(mode="json") if impact else None}


def table_draft_json(
    view: TableView, kind: str = "table_draft", impact: GroupFigures | None = None
) -> str:
    """A table's draft: pushed to its devices as ``table_draft``, and the reply to
    the device that saved it as ``draft_saved``. A package question's draft
    carries its impact (the meter's figures), else ``impact`` is null."""
    figures = impact.impact if impact is not None else None
    return _dumps(
        {
            "type": kind,
            **view.to_dict(),
            "impact": figures.model_dump(mode="json") if figures is not None else None,
        }
    )


def figures_json(figures: GroupFigures | None) -> dict[str, Any] | None:
    """A table's figures on a question: its result, agreement and package impact."""
    if figures is None:
        return None
    return {
        "table": int(figures.group) if figures.group.isdigit() else None,
        "respondents": figures.respondents,
        "agreement": figures.agreement,
        "results": figures.result.model_dump(mode="json") if figures.result else None,
        "impact": figures.impact.model_dump(mode="json") if figures.impact else None,
    }


def timer_json(scene: Scene) -> str:
    timer = scene.state.timer
    return _dumps(
        {
            "type": "timer",
            "card": scene.state.current_card,
            "ends_at": timer.ends_at if timer else None,
            "remaining": scene.timer_left,
        }
    )


def results_json(question_id: str, result: Result, table: GroupFigures | None = None) -> str:
    return _dumps(
        {
            "type": "results",
            "question": question_id,
            "results": result.model_dump(mode="json"),
            "table": figures_json(table),
        }
    )


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
