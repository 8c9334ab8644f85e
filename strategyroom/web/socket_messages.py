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
from strategyroom.live.merge import WHOLE
from strategyroom.store.models import RoomSession
from strategyroom.text import repair_text
from strategyroom.web import views, views_json
from strategyroom.web._json import load_object, load_value
from strategyroom.web._scenes import audience_of, scene_of
from strategyroom.web.answer_forms import form_value
from strategyroom.web.connection import WebClient
from strategyroom.web.context import Services
from strategyroom.web.screens import seat_of

# The protocol's limit on a message: a larger one gets an invalid_message frame
# and the socket stays open.
MAX_MESSAGE_BYTES = 64 * 1024
# The transport's hard cap (uvicorn's ws_max_size, cli.py), above the protocol's
# so that a large frame is answered, not dropped; it bounds the memory one
# frame can take. A larger frame closes the socket with 1009.
MAX_FRAME_BYTES = 256 * 1024
ANSWER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def error_frame(client_format: str, language: str, exc: SessionError, **extra: Any) -> str:
    message = i18n.gettext(language, exc.message)
    if exc.params:
        message = message % exc.params
    # The message may echo what was sent (a question's id): it must encode.
    message = repair_text(message)
    if client_format == "json":
        return json.dumps(
            {"type": "error", "code": exc.code, "message": message, **extra}, ensure_ascii=False
        )
    return (
        f'<div id="answer-status" class="status status-error" role="alert">{escape(message)}</div>'
    )


def elsewhere_frame(client_format: str, language: str, exc: SessionError, link: str) -> str:
    """The error of a page opened under another address, with the link that
    works; for a page, it takes the place of the whole stage."""
    message = i18n.gettext(language, exc.message) % exc.params
    if client_format == "json":
        frame = {"type": "error", "code": exc.code, "message": message, "link": link}
        return json.dumps(frame, ensure_ascii=False)
    return (
        f'<section id="stage" class="stage"><p class="status status-error" role="alert">'
        f'{escape(message)}</p><p><a href="{escape(link)}">{escape(link)}</a></p></section>'
    )


def parse(message: Message) -> dict[str, Any]:
    text = message.get("text")
    if text is None:
        raise InvalidMessage(N_("Messages must be JSON text."))
    # Bytes, not characters; a character is at most four bytes in UTF-8.
    if len(text) > MAX_MESSAGE_BYTES or (
        len(text) * 4 > MAX_MESSAGE_BYTES and len(text.encode()) > MAX_MESSAGE_BYTES
    ):
        raise InvalidMessage(N_("That message is too large."))
    return load_object(text)


def answer_value(message: dict[str, Any]) -> Any:
    """The answer in a message: ``value`` (JSON clients and most forms), or the
    ``points:<option>`` fields of a budget form."""
    if "value" in message:
        return message["value"]
    points = {k.removeprefix("points:"): v for k, v in message.items() if k.startswith("points:")}
    return points or None


def typed_answer(
    svc: Services, room: RoomSession, client: WebClient, message: dict[str, Any]
) -> Any:
    """The answer a message carries: a JSON client's value as it came (the
    checker is strict about types), an HTML form's string fields converted."""
    raw = answer_value(message)
    if client.connection.format != "html":
        return raw
    return form_value(svc.sessions.question(room, str(message.get("question"))), raw)


async def receipt(svc: Services, client: WebClient, room: RoomSession, recorded: Any) -> str:
    if client.connection.format == "json":
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
    scene = await scene_of(svc, room.id, svc.hub.state_of(client), audience_of(client))
    notice = i18n.gettext(client.connection.language, N_("Your answer is counted."))
    answers = {recorded.question_id: recorded.value}
    if len(scene.answerable) > 1 and client.participant_id is not None:
        # The shown card's closed question also shows "Your answer".
        stored = await svc.sessions.answers_of(room.id, client.participant_id)
        answers = {**stored, recorded.question_id: recorded.value}
    return views.participant_stage(
        svc.renderer,
        scene,
        client.connection.language,
        answers,
        notice,
        seat=seat_of(client),
    )


def _int_field(message: dict[str, Any], name: str) -> int:
    """A whole number from a JSON client, or from a form's text field."""
    value = message.get(name)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidMessage(N_("A table message needs the table number and the revision."))
    return value


def _base_value(client: WebClient, message: dict[str, Any]) -> Any:
    """What the edit's base revision held: JSON in an html form's hidden field."""
    raw = message.get("base_value")
    if client.connection.format == "html" and isinstance(raw, str):
        return load_value(raw)
    return raw


async def table_message(
    svc: Services, room: RoomSession, client: WebClient, kind: str, message: dict[str, Any]
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
            typed_answer(svc, room, client, message),
            base_value=_base_value(client, message),
            has_base_value="base_value" in message,
        )
        if client.connection.format == "json":
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
        if client.connection.format == "json":
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
    scene = await scene_of(svc, room.id, svc.hub.state_of(client), audience_of(client))
    return views.participant_stage(
        svc.renderer,
        scene,
        client.connection.language,
        notice=i18n.gettext(client.connection.language, notice),
        seat=seat_of(client),
    )


async def help_message(svc: Services, room: RoomSession, client: WebClient) -> str:
    """A member's "we need help" (docs/protocol.md, "Help"): the participant
    command of the one table, for the table the device sits at; the reply says
    where the table's call stands (pressing again changes nothing)."""
    assert client.participant_id is not None
    fields = {"participant": client.participant_id}
    state = await svc.sessions.command(room.id, "help", fields, actor="participant")
    scene = await scene_of(svc, room.id, state, audience_of(client))
    seat = seat_of(client)
    if client.connection.format == "json":
        table = seat.table if seat.table is not None else 0
        return views_json.help_frame(table, scene.help_of(seat.table))
    return views.help_panel(svc.renderer, scene, client.connection.language, seat)


def stale_message(svc: Services, room: RoomSession, client: WebClient, exc: StaleDraft) -> str:
    """Why an edit was not saved, in words: who changed what while the member was
    typing, or (no fields named) that the draft changed."""
    language = client.connection.language
    view = exc.draft
    author = getattr(view, "changed_by", None)
    if not exc.conflicts or author is None:
        return i18n.gettext(language, exc.message) % exc.params
    if author.tablet:
        who = i18n.gettext(language, N_("the table's tablet"))
    else:
        who = i18n.gettext(language, N_("member %(number)s")) % {"number": author.number}
    who = who[:1].upper() + who[1:]  # it starts the sentence
    question = svc.sessions.question(room, str(getattr(view, "question", "")))
    if exc.conflicts == (WHOLE,):
        text = N_(
            "%(who)s changed the table's answer while you were typing. Your answer is kept "
            "in the form: check it and save again."
        )
        return i18n.gettext(language, text) % {"who": who}
    deck = svc.sessions.deck(room)
    options = getattr(question, "options", [])
    names = ", ".join(
        f"“{deck.text(option.label, language)}”" for option in options if option.id in exc.conflicts
    )
    text = N_(
        "%(who)s changed %(options)s while you were typing. Your choice is kept in the "
        "form: check it and save again."
    )
    return i18n.gettext(language, text) % {"who": who, "options": names}


async def stale_frame(
    svc: Services, room: RoomSession, client: WebClient, exc: StaleDraft, message: dict[str, Any]
) -> str:
    """The refusal of a stale edit: the current draft, and (html) the member's own
    value kept in the form, now based on the current revision (merged into the
    current draft where it could be, so only the conflicting fields are theirs)."""
    text = stale_message(svc, room, client, exc)
    if client.connection.format == "json":
        view = exc.draft
        draft = view.to_dict() if hasattr(view, "to_dict") else None
        return json.dumps(
            {
                "type": "error",
                "code": exc.code,
                "message": text,
                "draft": draft,
                "conflicts": list(exc.conflicts),
            },
            ensure_ascii=False,
        )
    scene = await scene_of(svc, room.id, svc.hub.state_of(client), audience_of(client))
    question = svc.sessions.question(room, str(message.get("question")))
    attempt = exc.attempt
    if attempt is None and message.get("type") == "draft":
        # The value was checked before the revision was, so it parses.
        attempt = parse_answer(question, form_value(question, answer_value(message)))
    return views.participant_stage(
        svc.renderer,
        scene,
        client.connection.language,
        seat=seat_of(client),
        error=text,
        attempt=attempt,
    )
