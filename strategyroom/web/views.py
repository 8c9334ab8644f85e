"""Screens as HTML fragments, drawn from a ``Scene`` (the JSON frames drawn
from it are in strategyroom.web.views_json), and the session's links.

A scene is what one audience's screen shows at one moment, decided and loaded
by the read model (strategyroom.live.readmodel); this module only draws it.
The same functions draw the first page load, the snapshot on (re)connect and the
live updates, so a reconnecting page can never look different from a fresh one.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from strategyroom.aggregate import MIN_GROUP
from strategyroom.live.scene import Scene
from strategyroom.live.state import LiveState
from strategyroom.store.models import RoomSession
from strategyroom.templating import Renderer, qr_svg
from strategyroom.web.context import Services


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
    answers: Mapping[str, Any] | None = None,
    notice: str = "",
    seat: Seat | None = None,
    error: str = "",
    attempt: Any = None,
) -> str:
    """A participant's stage. ``answers``: the participant's counted answers by
    question id (those of ``scene.answerable`` at least), for the forms and the
    closed question's "Your answer". ``attempt`` is a draft edit that was
    refused as stale: its form keeps the member's own value (on the current
    revision)."""
    seat = seat or Seat()
    return renderer.render(
        "partials/stage.html",
        language,
        scene=scene,
        deck=scene.deck,
        answers=answers or {},
        nonce=answer_nonce(),
        notice=notice,
        seat=seat,
        view=scene.table_view(seat.table),
        error=error,
        attempt=attempt,
    )


def table_draft(renderer: Renderer, scene: Scene, language: str, seat: Seat) -> str:
    """The table's current draft and the submit step after the question, swapped
    in (each by its id) when the draft changes."""
    context = {
        "scene": scene,
        "deck": scene.deck,
        "seat": seat,
        "view": scene.table_view(seat.table),
        "nonce": answer_nonce(),
    }
    return renderer.render("partials/table_draft.html", language, **context) + renderer.render(
        "partials/table_submit.html", language, **context
    )


def help_panel(renderer: Renderer, scene: Scene, language: str, seat: Seat) -> str:
    """A seated device's "we need help" button, or where its table's call stands."""
    return renderer.render("partials/help.html", language, scene=scene, seat=seat, announce=True)


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
        min_size=MIN_GROUP,
    )


def participant_results(
    renderer: Renderer, scene: Scene, language: str, table: int | None = None
) -> str:
    return renderer.render(
        "partials/room_results.html", language, scene=scene, deck=scene.deck, seat=Seat(table=table)
    )
