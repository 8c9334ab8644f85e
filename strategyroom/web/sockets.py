"""Websocket endpoints: participants, the facilitator console and the projector.

The participant protocol is documented in docs/protocol.md. Every (re)connecting
socket is brought up to date by the server (snapshot or replay), because the
htmx websocket extension does not replay what a page missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from strategyroom import i18n
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
from strategyroom.web.context import Services, services
from strategyroom.web.limits import CLOSE_FLOODING, find_session, socket_bucket
from strategyroom.web.middleware import SERVER_SEND
from strategyroom.web.outbox import send_frame
from strategyroom.web.presenter import Resume
from strategyroom.web.security import current_facilitator, origin_allowed
from strategyroom.web.socket_messages import (
    ANSWER_ID,
    answer_value,
    error_frame,
    parse,
    presenter_of,
    receipt,
    stale_frame,
    table_message,
)

log = logging.getLogger(__name__)

HELLO_TIMEOUT_SECONDS = 10
# Close codes in the 4000 range are ours; browsers do not reconnect after them.
CLOSE_UNKNOWN_SESSION = 4404
CLOSE_NOT_JOINED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RATE_LIMITED = CLOSE_FLOODING  # 4429: too many messages, attempts or sockets


def _text_sender(websocket: WebSocket) -> Callable[[str], Awaitable[None]]:
    """Sends text frames of an accepted socket straight to the server
    (``KeepServerSend`` in app.py), as Starlette's ``send_text`` would, without
    the middleware wrappers that do nothing for websocket frames."""
    send = websocket.scope.get(SERVER_SEND)
    if send is None:
        return websocket.send_text

    async def send_text(text: str) -> None:
        if websocket.application_state is not WebSocketState.CONNECTED:
            raise WebSocketDisconnect(code=1006)  # closed by us: nothing more goes out
        try:
            await send({"type": "websocket.send", "text": text})
        except OSError:  # the server's "client disconnected"
            websocket.application_state = WebSocketState.DISCONNECTED
            raise WebSocketDisconnect(code=1006) from None

    return send_text


def _writable(websocket: WebSocket) -> Callable[[], bool] | None:
    """Whether the server takes more data for this connection now: uvicorn's
    websocket protocol keeps an ``asyncio.Event`` that is clear while writing is
    paused. None under other servers (the test client), where sends never wait."""
    server = getattr(websocket.scope.get(SERVER_SEND), "__self__", None)
    event = getattr(server, "writable", None)
    return event.is_set if isinstance(event, asyncio.Event) else None


async def _refuse(websocket: WebSocket) -> None:
    # Closing before accepting answers the handshake with HTTP 403.
    await websocket.close(code=1008)


async def _receive_json(websocket: WebSocket) -> dict[str, Any] | None:
    """The next message as a JSON object; None when the socket closed.

    A message that is too large or not a JSON object raises InvalidMessage: the
    sender gets an error frame and the connection stays open.
    """
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    return parse(message)


async def _accept_by_code(
    websocket: WebSocket, svc: Services, client_format: str, language: str
) -> RoomSession | None:
    """Accept the socket and find its session by the code in the path; an
    unknown code gets an error frame and a close code browsers do not retry."""
    await websocket.accept()
    try:
        return await find_session(svc, websocket, websocket.path_params["code"], shared=True)
    except SessionError as exc:
        await websocket.send_text(error_frame(client_format, language, exc))
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
        await websocket.send_text(error_frame(client_format, language, refused))
        await websocket.close(code=CLOSE_RATE_LIMITED)
        return
    client = Client(
        role=Role.PARTICIPANT,
        session_id=room.id,
        language=participant.language,
        format=client_format,  # type: ignore[arg-type]
        send=_text_sender(websocket),
        writable=_writable(websocket),
        participant_id=participant.id,
        table=participant.table_number,
        tablet=participant.device is DeviceKind.TABLET,
        number=participant.number,
        close=websocket.close,
    )
    # The client holds what the socket needs; the row would stay alive in this
    # frame for as long as the socket is open (memory per participant).
    del participant, identified
    presenter = presenter_of(svc)
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
            await websocket.send_text(error_frame(client_format, language, exc))
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
            if (await svc.sessions.by_code(room.join_code)).id != room.id:
                svc.sessions.forget(room.id)  # deleted, and its code given out again
        except NotFound as gone:
            svc.sessions.forget(room.id)
            refused = gone
        code = CLOSE_UNKNOWN_SESSION if isinstance(refused, NotFound) else CLOSE_NOT_JOINED
        await websocket.send_text(error_frame(client_format, language, refused))
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
                await send_frame(client, error_frame(client.format, client.language, slow))
            continue
        answer_id = None
        data: dict[str, Any] = {}
        try:
            data = parse(message)
            kind = data.get("type")
            if kind == "ping":
                await send_frame(client, '{"type":"pong"}')
                continue
            if kind in ("draft", "submit_table"):
                await send_frame(client, await table_message(svc, room, client, kind, data))
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
                room, client.participant_id, question_id, answer_id, answer_value(data)
            )
        except StaleDraft as exc:
            await send_frame(client, await stale_frame(svc, room, client, exc, data))
            continue
        except SessionError as exc:
            extra = {"answer_id": answer_id} if answer_id else {}
            await send_frame(client, error_frame(client.format, client.language, exc, **extra))
            continue
        await send_frame(client, await receipt(svc, client, room, recorded))


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
    client = Client(
        Role.CONSOLE, room.id, language, "html", websocket.send_text, writable=_writable(websocket)
    )
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
    client = Client(
        Role.PROJECTOR,
        room.id,
        language,
        "html",
        websocket.send_text,
        writable=_writable(websocket),
    )
    client.close = websocket.close
    await _watch(websocket, svc, client)


async def _watch(websocket: WebSocket, svc: Services, client: Client) -> None:
    """Screens that only watch: they send nothing we act on."""
    presenter = presenter_of(svc)
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
