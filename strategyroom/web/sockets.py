"""Websocket endpoints: participants, the facilitator console and the projector.

The participant protocol is documented in docs/protocol.md. Every (re)connecting
socket is brought up to date by the server (snapshot or replay), because the
htmx websocket extension does not replay what a page missed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from strategyroom import i18n
from strategyroom.live.clients import Client, Role
from strategyroom.live.errors import (
    N_,
    InvalidMessage,
    NotFound,
    NotJoined,
    RateLimited,
    SessionError,
    StaleDraft,
    WrongAddress,
)
from strategyroom.store.models import DeviceKind, Participant, RoomSession
from strategyroom.web.connection import Format, SocketConnection, WebClient
from strategyroom.web.context import Services, request_language, services
from strategyroom.web.greeting import Resume, greet
from strategyroom.web.limits import CLOSE_FLOODING, find_session, socket_bucket
from strategyroom.web.middleware import SERVER_SEND
from strategyroom.web.ownership import watchable
from strategyroom.web.security import current_facilitator, origin_allowed
from strategyroom.web.socket_messages import (
    ANSWER_ID,
    elsewhere_frame,
    error_frame,
    help_message,
    parse,
    receipt,
    stale_frame,
    table_message,
    typed_answer,
)
from strategyroom.web.wire import direct_writer
from strategyroom.ws_protocol import Flag

log = logging.getLogger(__name__)

HELLO_TIMEOUT_SECONDS = 10
MAX_TOKEN = 128
# Close codes in the 4000 range are ours; browsers do not reconnect after them.
CLOSE_UNKNOWN_SESSION = 4404
CLOSE_NOT_JOINED = 4401
CLOSE_RATE_LIMITED = CLOSE_FLOODING  # 4429: too many messages, attempts or sockets
CLOSE_WRONG_ADDRESS = 4403  # a page opened under another address than the public URL
# What a join code in a socket's path may look like to be put into a link.
JOIN_CODE_SHAPE = re.compile(r"[A-Za-z0-9-]{1,24}")


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
    websocket protocol keeps an event (``asyncio.Event``, or ``Flag`` in
    ours, ws_protocol.py) that is clear while writing is paused. None under
    other servers (the test client), where sends never wait."""
    server = getattr(websocket.scope.get(SERVER_SEND), "__self__", None)
    event = getattr(server, "writable", None)
    return event.is_set if isinstance(event, asyncio.Event | Flag) else None


def _direct(websocket: WebSocket) -> Callable[[str], bool] | None:
    """Writes a text frame straight to the connection's transport, encoded once
    for every socket it goes to (web/wire.py), when uvicorn's sans-I/O
    protocol serves it; None under other servers."""
    return direct_writer(getattr(websocket.scope.get(SERVER_SEND), "__self__", None))


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
    websocket: WebSocket,
    svc: Services,
    client_format: str,
    language: str,
    joined_only: bool = False,
) -> RoomSession | None:
    """Accept the socket and find its session by the code in the path; an
    unknown code gets an error frame and a close code browsers do not retry.
    ``joined_only``: see ``limits.find_session`` (a joined phone reconnects
    even while its address is over the limit for wrong codes)."""
    await websocket.accept()
    code = websocket.path_params["code"]
    try:
        return await find_session(svc, websocket, code, shared=True, joined_only=joined_only)
    except SessionError as exc:
        await websocket.send_text(error_frame(client_format, language, exc))
        limited = isinstance(exc, RateLimited)
        await websocket.close(code=CLOSE_RATE_LIMITED if limited else CLOSE_UNKNOWN_SESSION)
        return None


async def _elsewhere(websocket: WebSocket, svc: Services, client_format: str) -> None:
    """A participant's page opened under another address than the public URL
    (the machine's LAN address, ``localhost`` for ``127.0.0.1``). A refused
    handshake would have it reconnect and say "reconnecting" forever, so it is
    told why, given the link under the public URL, and closed for good. Nothing
    is read from the socket or its cookies: another site learns only the public
    URL, which is no secret."""
    await websocket.accept()
    language = i18n.choose_language(
        websocket.query_params.get("lang"), websocket.headers.get("accept-language", "")
    )
    code = websocket.path_params["code"]
    public = svc.settings.public_url
    link = f"{public}/join/{code}" if JOIN_CODE_SHAPE.fullmatch(code) else f"{public}/"
    exc = WrongAddress(
        N_("You opened this page at %(here)s, but the session runs at %(there)s. Join there:"),
        here=websocket.headers.get("origin", ""),
        there=svc.settings.public_origin,
    )
    await websocket.send_text(elsewhere_frame(client_format, language, exc, link))
    await websocket.close(code=CLOSE_WRONG_ADDRESS)


async def participant_socket(websocket: WebSocket) -> None:
    svc = services(websocket)
    requested = websocket.query_params.get("format", "html")
    if requested not in ("html", "json"):
        await _refuse(websocket)
        return
    client_format: Format = "json" if requested == "json" else "html"
    if not origin_allowed(websocket.headers, svc.settings.public_origin):
        await _elsewhere(websocket, svc, client_format)
        return
    language = i18n.choose_language(websocket.query_params.get("lang"))
    room = await _accept_by_code(websocket, svc, client_format, language, joined_only=True)
    if room is None:
        return
    identified = await _identify(websocket, svc, room, client_format, language)
    if identified is None:
        return
    participant, resume, answers = identified
    if svc.hub.sockets_of(room.id, participant.id) >= svc.settings.sockets_per_participant:
        refused = RateLimited(N_("This device has too many open connections to the session."))
        await websocket.send_text(error_frame(client_format, language, refused))
        await websocket.close(code=CLOSE_RATE_LIMITED)
        return
    connection = SocketConnection(
        websocket,
        client_format,
        participant.language,
        _text_sender(websocket),
        _writable(websocket),
        write=_direct(websocket),
    )
    client = Client(
        connection,
        Role.PARTICIPANT,
        room.id,
        participant_id=participant.id,
        table=participant.table_number,
        tablet=participant.device is DeviceKind.TABLET,
        number=participant.number,
    )
    # The client holds what the socket needs; the row would stay alive in this
    # frame for as long as the socket is open (memory per participant).
    del participant, identified
    try:
        await svc.hub.attach(client, lambda state: greet(svc, client, state, resume, answers))
        resume, answers = None, {}  # greeted: not kept for as long as the socket is open
        await _participant_loop(websocket, svc, room, client)
    except WebSocketDisconnect:
        pass
    finally:
        await svc.hub.detach(client)
        connection.discard()


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
            hello_first = N_("Start with a hello message carrying your token.")
            exc: SessionError = InvalidMessage(hello_first)
            close = CLOSE_NOT_JOINED
            if (held := _join_held(websocket)) is not None:
                exc, close = held, CLOSE_RATE_LIMITED
            await websocket.send_text(error_frame(client_format, language, exc))
            await websocket.close(code=close)
            return None
        said = hello.get("token")
        # Tokens are short URL-safe ASCII (participants.py); anything else is no
        # token, and cannot reach the hashing, which a lone surrogate broke.
        if isinstance(said, str):
            token = said if said.isascii() and len(said) <= MAX_TOKEN else ""
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
        if (held := _join_held(websocket)) is not None:
            refused, code = held, CLOSE_RATE_LIMITED
        await websocket.send_text(error_frame(client_format, language, refused))
        await websocket.close(code=code)
        return None
    return participant, resume, answers


def _join_held(websocket: WebSocket) -> RateLimited | None:
    """The join-guess refusal of this socket's address, when the code was
    looked up only for a device that already joined (``limits.find_session``):
    a socket that does not identify one gets it, and learns nothing more."""
    held = getattr(websocket.state, "join_held", None)
    return held if isinstance(held, RateLimited) else None


async def _participant_loop(
    websocket: WebSocket, svc: Services, room: RoomSession, client: WebClient
) -> None:
    """Every message acts as this socket's participant in this socket's session,
    whatever ids it carries: the only actions are answering, a table's draft and
    submission, calling for help and ping."""
    bucket = socket_bucket(svc)
    turns = svc.turns
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        await turns.enter()
        if not bucket.take():
            if bucket.flooding:
                await websocket.close(code=CLOSE_RATE_LIMITED)
                return
            if bucket.should_warn():
                slow = RateLimited(N_("You are sending too fast; some messages were ignored."))
                socket = client.connection
                await socket.send(error_frame(socket.format, socket.language, slow))
            continue
        # Handled in a call of its own: the message, its parsed data and the
        # answer are let go as soon as it is answered, not kept by this frame
        # while the socket waits for the next (memory per participant).
        await _handle(svc, room, client, message)
        del message


async def _handle(svc: Services, room: RoomSession, client: WebClient, message: Any) -> None:
    """One message of a participant's socket, answered on that socket."""
    socket = client.connection
    answer_id = None
    data: dict[str, Any] = {}
    try:
        data = parse(message)
        kind = data.get("type")
        if kind == "ping":
            await socket.send('{"type":"pong"}')
            return
        if kind == "help":
            await socket.send(await help_message(svc, room, client))
            return
        if kind in ("draft", "submit_table"):
            await socket.send(await table_message(svc, room, client, kind, data))
            return
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
            room,
            client.participant_id,
            question_id,
            answer_id,
            typed_answer(svc, room, client, data),
        )
    except StaleDraft as exc:
        await socket.send(await stale_frame(svc, room, client, exc, data))
        return
    except SessionError as exc:
        extra = {"answer_id": answer_id} if answer_id else {}
        await socket.send(error_frame(socket.format, socket.language, exc, **extra))
        return
    await socket.send(await receipt(svc, client, room, recorded))


async def console_socket(websocket: WebSocket) -> None:
    svc = services(websocket)
    user = current_facilitator(websocket)
    if user is None or not origin_allowed(websocket.headers, svc.settings.public_origin):
        await _refuse(websocket)
        return
    # Another facilitator's session is refused exactly as an unknown one.
    room = await watchable(websocket, websocket.path_params["session_id"])
    if room is None:
        await _refuse(websocket)
        return
    await websocket.accept()
    # The console page's own rule (a chosen language, else the browser's): the
    # live parts must speak the language of the page they replace parts of.
    language = request_language(websocket)
    connection = SocketConnection(
        websocket,
        "html",
        language,
        websocket.send_text,
        _writable(websocket),
        login=user.get("login"),
        facilitator=user.get("id"),  # closed if taken off the session
    )
    await _watch(websocket, svc, Client(connection, Role.CONSOLE, room.id))


async def projector_socket(websocket: WebSocket) -> None:
    svc = services(websocket)
    if not origin_allowed(websocket.headers, svc.settings.public_origin):
        await _refuse(websocket)
        return
    language = i18n.choose_language(websocket.query_params.get("lang"))
    room = await _accept_by_code(websocket, svc, "html", language)
    if room is None:
        return
    connection = SocketConnection(
        websocket,
        "html",
        language,
        websocket.send_text,
        _writable(websocket),
        write=_direct(websocket),
    )
    await _watch(websocket, svc, Client(connection, Role.PROJECTOR, room.id))


async def _watch(websocket: WebSocket, svc: Services, client: WebClient) -> None:
    """Screens that only watch: they send nothing we act on."""
    try:
        await svc.hub.attach(client, lambda state: greet(svc, client, state, None))
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    except WebSocketDisconnect:
        pass
    finally:
        await svc.hub.detach(client)
        client.connection.discard()


class _Endpoint:
    """A websocket handler as a plain ASGI app. Given a function, Starlette
    wraps it in three nested coroutines and a second exception-handling layer
    (the app's ``ExceptionMiddleware`` already has one), all suspended for as
    long as the socket is open; this hands back the handler's own coroutine
    (memory per participant, docs/performance.md)."""

    __slots__ = ("handler",)

    def __init__(self, handler: Callable[[WebSocket], Awaitable[None]]) -> None:
        self.handler = handler

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        return self.handler(WebSocket(scope, receive=receive, send=send))


routes = [
    WebSocketRoute("/ws/participant/{code}", _Endpoint(participant_socket)),
    WebSocketRoute("/ws/console/{session_id}", _Endpoint(console_socket)),
    WebSocketRoute("/ws/projector/{code}", _Endpoint(projector_socket)),
]
