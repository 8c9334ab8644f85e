"""What one socket is sent as a whole: an HTML screen (the console's live part,
the projector's stage, a device's stage) or a JSON client's event frame, and the
seat a device's screen is drawn for. Shared by the fan-out (presenter.py), the
greeting of a connecting socket (greeting.py) and the replies to a socket's own
messages (socket_messages.py)."""

from __future__ import annotations

import json
from typing import Any

from strategyroom.live.clients import Role
from strategyroom.live.events import CardShown, Envelope
from strategyroom.live.policy import Audience, event_seen, revealed_by
from strategyroom.store.models import SessionStatus
from strategyroom.web import views, views_json
from strategyroom.web._scenes import Scenes, audience_of, read_model
from strategyroom.web.connection import WebClient
from strategyroom.web.context import Services

# The name an event takes for a client that may not see it (policy.event_seen).
ELSEWHERE = "elsewhere"


def seat_of(client: WebClient) -> views.Seat:
    return views.Seat(client.number, client.table, client.tablet)


def seat_json(client: WebClient) -> dict[str, Any]:
    if client.participant_id is None:
        return {}
    return {
        "participant": client.participant_id,
        "number": client.number,
        "table": client.table,
        "device": "tablet" if client.tablet else "phone",
    }


async def html_screen(
    svc: Services, client: WebClient, scenes: Scenes, mine: dict[str, Any]
) -> str:
    """The whole live part of an HTML page, for one socket's audience; ``mine``:
    a participant's answers by question (those of ``Scene.answerable``)."""
    renderer = svc.renderer
    language = client.connection.language
    if client.role is Role.CONSOLE:
        scene = await scenes.console()
        screen = (
            views.console_live(renderer, scene, language)
            + views.console_counts(renderer, scene, language)
            + views.console_tables(renderer, scene, language)
        )
        if scene.state.status is SessionStatus.ENDED:
            # Only then do the table forms change here (they go): drawn while
            # the session runs, they would wipe what the facilitator types.
            screen += views.console_table_forms(renderer, scene.state, language)
        return screen
    scene = await scenes.of(audience_of(client))
    if client.role is Role.PROJECTOR:
        return views.projector_stage(renderer, scene, language)
    return views.participant_stage(renderer, scene, language, mine, seat=seat_of(client))


async def event_json(
    svc: Services, session_id: str, envelope: Envelope, language: str, audience: Audience
) -> str:
    """A JSON client's event frame (docs/protocol.md, section 4): the event as it
    travels, with the card it shows or the results it reveals; for an event
    ``audience`` may not see (policy.event_seen), only its place in the
    sequence, as ``elsewhere`` with no data."""
    frame = envelope.to_dict()
    event = envelope.event
    if not event_seen(audience, event):
        return json.dumps({**frame, "event": ELSEWHERE, "data": {}}, separators=(",", ":"))
    row = await svc.sessions.shared_row(session_id)
    deck = svc.sessions.deck(row)
    if isinstance(event, CardShown):
        frame["card"] = views_json.card_json(
            deck, deck.cards[event.card], language, views_json.media_base(row.join_code)
        )
    elif (revealed := revealed_by(event)) is not None:
        result = await read_model(svc).revealed_results(row, revealed)
        frame["results"] = result.model_dump(mode="json")
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def reveals(event: Any, question: str | None = None) -> bool:
    """Whether an event shows a question's results to the room (any, or ``question``)."""
    revealed = revealed_by(event)
    return revealed is not None and question in (None, revealed)


async def draft_after_reveal(client: WebClient, pending: list[Envelope], scenes: Scenes) -> None:
    """A table's draft again when the question it follows on is revealed: its
    ``agreement`` (the split flag) may now be shown, as the HTML stage does."""
    scene = await scenes.of(audience_of(client))
    prior, view = scene.prior_question, scene.table_view(client.table)
    if prior is None or view is None:
        return
    if any(reveals(e.event, prior.id) for e in pending):
        await client.connection.send(views_json.table_draft_json(view, scene=scene))
