"""Websocket endpoints: participants, the facilitator console and the projector.

The participant protocol is documented in docs/protocol.md. Every (re)connecting
socket is brought up to date by the server (snapshot or replay), because the
htmx websocket extension does not replay what a page missed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from markupsafe import escape
from starlette.routing import WebSocketRoute
from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from strategyroom import i18n
from strategyroom.decks.answers import parse_answer
from strategyroom.live.errors import (
    N_,
    InvalidMessage,
    NotFound,
    NotJoined,
    RateLimited,
    SessionError,
    StaleDraft,
)
from strategyroom.live.hub import Client, Role
from strategyroom.store.models import DeviceKind, Participant, RoomSession
from strategyroom.web import views
from strategyroom.web.context import Services, services
from strategyroom.web.limits import CLOSE_FLOODING, find_session, socket_bucket
from strategyroom.web.presenter import HtmlJsonPresenter, Resume, seat_of
from strategyroom.web.security import current_facilitator, origin_allowed

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024
HELLO_TIMEOUT_SECONDS = 10
ANSWER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Close codes in the 4000 range are ours; browsers do not reconnect after them.
CLOSE_UNKNOWN_SESSION = 4404
CLOSE_NOT_JOINED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RATE_LIMITED = CLOSE_FLOODING  # 4429: too many messages, attempts or sockets


def _presenter(svc: Services) -> HtmlJsonPresenter:
    presenter = svc.hub.presenter
    assert isinstance(presenter, HtmlJsonPresenter)
    return presenter


async def _refuse(websocket: WebSocket) -> None:
    # Closing before accepting answers the handshake with HTTP 403.
    await websocket.close(code=1008)


def _error_frame(client_format: str, language: str, exc: SessionError, **extra: Any) -> str:
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


async def _receive_json(websocket: WebSocket) -> dict[str, Any] | None:
    """The next message as a JSON object; None when the socket closed.

    A message that is too large or not a JSON object raises InvalidMessage: the
    sender gets an error frame and the connection stays open.
    """
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    return _parse(message)


def _parse(message: Message) -> dict[str, Any]:
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


def _answer_value(message: dict[str, Any]) -> Any:
    """The answer in a message: ``value`` (JSON clients and most forms), or the
    ``points:<option>`` fields of a budget form."""
    if "value" in message:
        return message["value"]
    points = {k.removeprefix("points:"): v for k, v in message.items() if k.startswith("points:")}
    return points or None


async def _accept_by_code(
    websocket: WebSocket, svc: Services, client_format: str, language: str
) -> RoomSession | None:
    """Accept the socket and find its session by the code in the path; an
    unknown code gets an error frame and a close code browsers do not retry."""
    await websocket.accept()
    try:
        return await find_session(svc, websocket, websocket.path_params["code"], shared=True)
    except SessionError as exc:
        await websocket.send_text(_error_frame(client_format, language, exc))
        limited = isinstance(exc, RateLimited)
        await websocket.close(code=CLOSE_RATE_LIMITED if limited else CLOSE_UNKNOWN_SESSION)
        return None


async def participant_socket(websocket: WebSocket) -> None:
    svc = services(websocket)
    if not origin_allowed(websocket.headers, svc.settings.public_origin):
        await _refuse(websocket)
        return
    client_format = websocket.query_params.get("format", "html")
    if client_format not in ("html", "json"):
        await _refuse(websocket)
        return
    language = i18n.choose_language(websocket.query_params.get("lang"))
    room = await _accept_by_code(websocket, svc, client_format, language)
    if room is None:
        return
    identified = await _identify(websocket, svc, room, client_format, language)
    if identified is None:
        return
    participant, resume, answers = identified
    if _sockets_of(svc, room.id, participant.id) >= svc.settings.sockets_per_participant:
        refused = RateLimited(N_("This device has too many open connections to the session."))
        await websocket.send_text(_error_frame(client_format, language, refused))
        await websocket.close(code=CLOSE_RATE_LIMITED)
        return
    client = Client(
        role=Role.PARTICIPANT,
        session_id=room.id,
        language=participant.language,
        format=client_format,  # type: ignore[arg-type]
        send=websocket.send_text,
        participant_id=participant.id,
        table=participant.table_number,
        tablet=participant.device is DeviceKind.TABLET,
        number=participant.number,
        close=websocket.close,
    )
    # The client holds what the socket needs; the row would stay alive in this
    # frame for as long as the socket is open (memory per participant).
    del participant, identified
    presenter = _presenter(svc)
    try:
        await svc.hub.attach(client, lambda state: presenter.greet(client, state, resume, answers))
        await _participant_loop(websocket, svc, room, client)
    except WebSocketDisconnect:
        pass
    finally:
        await svc.hub.detach(client)


async def _identify(
    websocket: WebSocket, svc: Services, room: RoomSession, client_format: str, language: str
) -> tuple[Participant, Resume | None, dict[str, Any]] | None:
    """The participant behind this socket, with their answers so far: from the
    browser's cookie, or from the hello message a JSON client sends first (token
    and where to resume)."""
    token = websocket.session.get("participants", {}).get(room.id)
    resume = None
    if client_format == "json":
        try:
            hello = await asyncio.wait_for(_receive_json(websocket), HELLO_TIMEOUT_SECONDS)
        except (TimeoutError, InvalidMessage):
            hello = None
        if not hello or hello.get("type") != "hello":
            exc = InvalidMessage(N_("Start with a hello message carrying your token."))
            await websocket.send_text(_error_frame(client_format, language, exc))
            await websocket.close(code=CLOSE_NOT_JOINED)
            return None
        token = hello.get("token") if isinstance(hello.get("token"), str) else token
        if isinstance(hello.get("epoch"), str) and isinstance(hello.get("last_seq"), int):
            resume = Resume(hello["epoch"], hello["last_seq"])
    participant, answers = await svc.sessions.connecting(room.id, token) if token else (None, {})
    if participant is None:
        refused: SessionError = NotJoined(N_("Please join the session first."))
        try:
            # The code came from this worker's memory: make sure the session
            # was not deleted meanwhile, so the phone hears the right reason.
            await svc.sessions.by_code(room.join_code)
        except NotFound as gone:
            svc.sessions.forget(room.id)
            refused = gone
        code = CLOSE_UNKNOWN_SESSION if isinstance(refused, NotFound) else CLOSE_NOT_JOINED
        await websocket.send_text(_error_frame(client_format, language, refused))
        await websocket.close(code=code)
        return None
    return participant, resume, answers


def _sockets_of(svc: Services, session_id: str, participant_id: str) -> int:
    room = svc.hub.rooms.get(session_id)
    return room.sockets_of(participant_id) if room else 0


async def _participant_loop(
    websocket: WebSocket, svc: Services, room: RoomSession, client: Client
) -> None:
    """Every message acts as this socket's participant in this socket's session,
    whatever ids it carries: the only actions are answering and ping."""
    bucket = socket_bucket(svc)
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if not bucket.take():
            if bucket.flooding:
                await websocket.close(code=CLOSE_RATE_LIMITED)
                return
            if bucket.should_warn():
                slow = RateLimited(N_("You are sending too fast; some messages were ignored."))
                await websocket.send_text(_error_frame(client.format, client.language, slow))
            continue
        answer_id = None
        data: dict[str, Any] = {}
        try:
            data = _parse(message)
            kind = data.get("type")
            if kind == "ping":
                await websocket.send_text('{"type":"pong"}')
                continue
            if kind in ("draft", "submit_table"):
                await websocket.send_text(await _table_message(svc, room, client, kind, data))
                continue
            if kind != "answer":
                raise InvalidMessage(N_("Unknown message type."))
            answer_id = data.get("answer_id")
            question_id = data.get("question")
            if not isinstance(answer_id, str) or not ANSWER_ID.match(answer_id):
                answer_id = None
                raise InvalidMessage(N_("An answer needs an answer_id of 1-64 letters or digits."))
            if not isinstance(question_id, str):
                raise InvalidMessage(N_("An answer needs the id of its question."))
            assert client.participant_id is not None
            if client.tablet:
                raise InvalidMessage(
                    N_("The table's tablet answers only the questions for the whole table.")
                )
            recorded = await svc.sessions.answer(
                room, client.participant_id, question_id, answer_id, _answer_value(data)
            )
        except StaleDraft as exc:
            await websocket.send_text(await _stale_frame(svc, room, client, exc, data))
            continue
        except SessionError as exc:
            extra = {"answer_id": answer_id} if answer_id else {}
            await websocket.send_text(_error_frame(client.format, client.language, exc, **extra))
            continue
        await websocket.send_text(await _receipt(svc, client, room, recorded))


async def _receipt(svc: Services, client: Client, room: RoomSession, recorded: Any) -> str:
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
    scene = await _presenter(svc).scene(room.id, state, for_console=False)
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


async def _table_message(
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
            _answer_value(message),
        )
        if client.format == "json":
            return views.table_draft_json(view, "draft_saved")
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
    scene = await _presenter(svc).scene(room.id, svc.hub.rooms[room.id].state, for_console=False)
    return views.participant_stage(
        svc.renderer,
        scene,
        client.language,
        notice=i18n.gettext(client.language, notice),
        seat=seat_of(client),
    )


async def _stale_frame(
    svc: Services, room: RoomSession, client: Client, exc: StaleDraft, message: dict[str, Any]
) -> str:
    """The refusal of a stale edit: the current draft, and (html) the member's own
    value kept in the form, now based on the current revision."""
    text = i18n.gettext(client.language, exc.message)
    if client.format == "json":
        view = exc.draft
        draft = view.to_dict() if hasattr(view, "to_dict") else None
        return _error_frame(client.format, client.language, exc, draft=draft)
    scene = await _presenter(svc).scene(room.id, svc.hub.rooms[room.id].state, for_console=False)
    # The value was checked before the revision was, so it parses.
    question = svc.sessions.question(room, str(message.get("question")))
    return views.participant_stage(
        svc.renderer,
        scene,
        client.language,
        seat=seat_of(client),
        error=text,
        attempt=parse_answer(question, _answer_value(message)),
    )


async def console_socket(websocket: WebSocket) -> None:
    svc = services(websocket)
    user = current_facilitator(websocket)
    if user is None or not origin_allowed(websocket.headers, svc.settings.public_origin):
        await _refuse(websocket)
        return
    try:
        room = await svc.sessions.get(websocket.path_params["session_id"])
    except SessionError:
        await _refuse(websocket)
        return
    await websocket.accept()
    language = i18n.choose_language(websocket.session.get("lang"))
    client = Client(Role.CONSOLE, room.id, language, "html", websocket.send_text)
    client.extra["login"] = user.get("login")
    client.close = websocket.close
    await _watch(websocket, svc, client)


async def projector_socket(websocket: WebSocket) -> None:
    svc = services(websocket)
    if not origin_allowed(websocket.headers, svc.settings.public_origin):
        await _refuse(websocket)
        return
    language = i18n.choose_language(websocket.query_params.get("lang"))
    room = await _accept_by_code(websocket, svc, "html", language)
    if room is None:
        return
    client = Client(Role.PROJECTOR, room.id, language, "html", websocket.send_text)
    client.close = websocket.close
    await _watch(websocket, svc, client)


async def _watch(websocket: WebSocket, svc: Services, client: Client) -> None:
    """Screens that only watch: they send nothing we act on."""
    presenter = _presenter(svc)
    try:
        await svc.hub.attach(client, lambda state: presenter.greet(client, state, None))
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    except WebSocketDisconnect:
        pass
    finally:
        await svc.hub.detach(client)


routes = [
    WebSocketRoute("/ws/participant/{code}", participant_socket),
    WebSocketRoute("/ws/console/{session_id}", console_socket),
    WebSocketRoute("/ws/projector/{code}", projector_socket),
]
