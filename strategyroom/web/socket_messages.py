"""What a participant's socket says and hears, message by message: parsing a
frame, the answer in it, a table's draft or submission, and the replies
(receipts, table acknowledgements, errors), as JSON or as the HTML the htmx
page swaps in. The connection itself (who is behind it, its loop) is in
sockets.py; the protocol is documented in docs/protocol.md.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import escape
from starlette.types import Message

from strategyroom import i18n
from strategyroom.decks.answers import parse_answer
from strategyroom.live.errors import N_, InvalidMessage, SessionError, StaleDraft
from strategyroom.live.hub import Client
from strategyroom.store.models import RoomSession
from strategyroom.web import views, views_json
from strategyroom.web.context import Services
from strategyroom.web.presenter import HtmlJsonPresenter, seat_of

MAX_MESSAGE_BYTES = 64 * 1024
ANSWER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def presenter_of(svc: Services) -> HtmlJsonPresenter:
    presenter = svc.hub.presenter
    assert isinstance(presenter, HtmlJsonPresenter)
    return presenter


def error_frame(client_format: str, language: str, exc: SessionError, **extra: Any) -> str:
    message = i18n.gettext(language, exc.message)
    if exc.params:
        message = message % exc.params
    if client_format == "json":
        return json.dumps(
            {"type": "error", "code": exc.code, "message": message, **extra}, ensure_ascii=False
        )
    return (
        f'<div id="answer-status" class="status status-error" role="alert">{escape(message)}</div>'
    )


def parse(message: Message) -> dict[str, Any]:
    text = message.get("text")
    if text is None:
        raise InvalidMessage(N_("Messages must be JSON text."))
    if len(text) > MAX_MESSAGE_BYTES:
        raise InvalidMessage(N_("That message is too large."))
    try:
        data = json.loads(text)
    except ValueError:
        raise InvalidMessage(N_("That message is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidMessage(N_("A message must be a JSON object."))
    return data


def answer_value(message: dict[str, Any]) -> Any:
    """The answer in a message: ``value`` (JSON clients and most forms), or the
    ``points:<option>`` fields of a budget form."""
    if "value" in message:
        return message["value"]
    points = {k.removeprefix("points:"): v for k, v in message.items() if k.startswith("points:")}
    return points or None


async def receipt(svc: Services, client: Client, room: RoomSession, recorded: Any) -> str:
    if client.format == "json":
        return json.dumps(
            {
                "type": "ack",
                "answer_id": recorded.answer_id,
                "question": recorded.question_id,
                "status": recorded.status,
                "value": recorded.value,
            },
            ensure_ascii=False,
        )
    state = svc.hub.rooms[room.id].state
    scene = await presenter_of(svc).scene(room.id, state, for_console=False)
    notice = i18n.gettext(client.language, N_("Your answer is counted."))
    return views.participant_stage(
        svc.renderer, scene, client.language, recorded.value, notice, seat=seat_of(client)
    )


def _int_field(message: dict[str, Any], name: str) -> int:
    """A whole number from a JSON client, or from a form's text field."""
    value = message.get(name)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidMessage(N_("A table message needs the table number and the revision."))
    return value


async def table_message(
    svc: Services, room: RoomSession, client: Client, kind: str, message: dict[str, Any]
) -> str:
    """A draft edit or a table submission (docs/protocol.md, "Tables"); the reply."""
    question_id = message.get("question")
    if not isinstance(question_id, str):
        raise InvalidMessage(N_("An answer needs the id of its question."))
    table = _int_field(message, "table")
    assert client.participant_id is not None
    tables = svc.sessions.tables
    if kind == "draft":
        view = await tables.edit_draft(
            room,
            client.participant_id,
            question_id,
            table,
            _int_field(message, "base"),
            answer_value(message),
        )
        if client.format == "json":
            return views_json.table_draft_json(view, "draft_saved")
        notice = N_("Your table's draft is saved; everyone at your table sees it.")
    else:
        submission_id = message.get("submission_id")
        if not isinstance(submission_id, str) or not ANSWER_ID.match(submission_id):
            raise InvalidMessage(
                N_("A submission needs a submission_id of 1-64 letters or digits.")
            )
        submitted = await tables.submit_table(
            room,
            client.participant_id,
            question_id,
            table,
            _int_field(message, "revision"),
            submission_id,
        )
        if client.format == "json":
            return json.dumps(
                {
                    "type": "table_ack",
                    "submission_id": submission_id,
                    "status": submitted.status,
                    **submitted.view.to_dict(),
                },
                ensure_ascii=False,
            )
        notice = N_("Your table's answer is submitted.")
    scene = await presenter_of(svc).scene(room.id, svc.hub.rooms[room.id].state, for_console=False)
    return views.participant_stage(
        svc.renderer,
        scene,
        client.language,
        notice=i18n.gettext(client.language, notice),
        seat=seat_of(client),
    )


async def stale_frame(
    svc: Services, room: RoomSession, client: Client, exc: StaleDraft, message: dict[str, Any]
) -> str:
    """The refusal of a stale edit: the current draft, and (html) the member's own
    value kept in the form, now based on the current revision."""
    text = i18n.gettext(client.language, exc.message)
    if client.format == "json":
        view = exc.draft
        draft = view.to_dict() if hasattr(view, "to_dict") else None
        return error_frame(client.format, client.language, exc, draft=draft)
    scene = await presenter_of(svc).scene(room.id, svc.hub.rooms[room.id].state, for_console=False)
    # The value was checked before the revision was, so it parses.
    question = svc.sessions.question(room, str(message.get("question")))
    return views.participant_stage(
        svc.renderer,
        scene,
        client.language,
        seat=seat_of(client),
        error=text,
        attempt=parse_answer(question, answer_value(message)),
    )
