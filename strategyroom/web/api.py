"""The JSON API (docs/api.md): decks, sessions, state and aggregates, and joining
for clients that are not browsers. State-changing calls take JSON bodies only,
which a cross-site form cannot send, so the login cookie cannot be abused."""

from __future__ import annotations

import json
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from strategyroom import accounts, i18n
from strategyroom.aggregate import GroupFigures
from strategyroom.decks import Deck, Question
from strategyroom.live.errors import N_, InvalidMessage
from strategyroom.live.figures import room_figures, room_priorities, table_figures
from strategyroom.live.state import LiveState
from strategyroom.live.tables import overview
from strategyroom.store.models import DeviceKind, QuestionState, RoomSession
from strategyroom.web.console import available_decks, deck_by_file, perform
from strategyroom.web.context import Services, services, use_language
from strategyroom.web.limits import find_session
from strategyroom.web.security import LoginRequired, check_csrf, require_facilitator
from strategyroom.web.views import join_url, table_code, table_url
from strategyroom.web.views_json import figures_json

MAX_BODY_BYTES = 64 * 1024
ROOM = -1  # the whole room's figures, beside the tables' in session_tables


async def _json_body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise InvalidMessage(N_("Send a JSON body with Content-Type: application/json."))
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise InvalidMessage(N_("That message is too large."))
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidMessage(N_("That message is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidMessage(N_("A message must be a JSON object."))
    return data


def _session_json(svc: Services, room: RoomSession) -> dict[str, Any]:
    public = svc.settings.public_url
    return {
        "id": room.id,
        "title": room.title,
        "join_code": room.join_code,
        "deck": {"id": room.deck_id, "version": room.deck_version},
        "status": room.status.value,
        "created_at": room.created_at.isoformat(),
        "join_url": join_url(svc, room),
        "projector_url": f"{public}/p/{room.join_code}",
        "console_url": f"{public}/console/{room.id}",
    }


async def login(request: Request) -> Response:
    svc = services(request)
    data = await _json_body(request)
    username, password = str(data.get("username", "")), str(data.get("password", ""))
    user = await svc.db.run(lambda db: accounts.authenticate(db, username, password))
    if user is None:
        raise LoginRequired(N_("Wrong username or password."))
    request.session.clear()
    request.session.update(
        facilitator={"id": user.id, "name": user.username, "login": secrets.token_hex(8)},
        csrf=secrets.token_urlsafe(32),
    )
    return JSONResponse({"username": user.username, "csrf_token": request.session["csrf"]})


async def list_decks(request: Request) -> Response:
    require_facilitator(request)
    out = []
    for path, deck in available_decks(services(request).settings.decks_dir):
        if isinstance(deck, Deck):
            out.append(
                {
                    "file": path.name,
                    "id": deck.id,
                    "version": deck.version,
                    "title": deck.text(deck.title, deck.default_language),
                    "languages": deck.languages,
                    "cards": len(deck.cards),
                    "errors": [],
                }
            )
        else:
            out.append({"file": path.name, "errors": deck.problems})
    return JSONResponse({"decks": out})


async def list_sessions(request: Request) -> Response:
    require_facilitator(request)
    svc = services(request)
    rooms = await svc.sessions.list_sessions()
    return JSONResponse({"sessions": [_session_json(svc, room) for room in rooms]})


async def create_session(request: Request) -> Response:
    user = require_facilitator(request)
    svc = services(request)
    data = await _json_body(request)
    deck = deck_by_file(svc, str(data.get("deck", "")))
    room = await svc.sessions.create(deck, str(data.get("title", ""))[:200], int(user["id"]))
    return JSONResponse(_session_json(svc, room), status_code=201)


async def session_detail(request: Request) -> Response:
    require_facilitator(request)
    svc = services(request)
    room = await svc.sessions.get(request.path_params["session_id"])
    state = await svc.sessions.state(room.id)
    questions = {}
    for question_id, status in state.questions.items():
        result = await svc.sessions.results(room, question_id)
        questions[question_id] = {
            "state": status.state.value,
            "revealed": status.revealed,
            "answers": await svc.sessions.answer_count(room.id, question_id),
            "results": result.model_dump(mode="json"),
        }
    return JSONResponse(
        {
            **_session_json(svc, room),
            "state": state.to_dict(),
            "participants": {
                "joined": await svc.sessions.participant_count(room.id),
                "connected": await svc.hub.presence.count(room.id),
            },
            "questions": questions,
        }
    )


async def session_action(request: Request) -> Response:
    user = require_facilitator(request)
    svc = services(request)
    data = await _json_body(request)
    state = await perform(
        svc, request.path_params["session_id"], str(data.get("action", "")), data, user["name"]
    )
    return JSONResponse({"state": state.to_dict()})


async def delete_session(request: Request) -> Response:
    """Delete a session and all its data; needs the CSRF token from login."""
    require_facilitator(request)
    await check_csrf(request)
    svc = services(request)
    room = await svc.sessions.get(request.path_params["session_id"])
    await svc.sessions.delete(room.id)
    return JSONResponse({"deleted": room.id})


async def join(request: Request) -> Response:
    """Join as a participant without a browser: returns the token for the socket's hello."""
    svc = services(request)
    data = await _json_body(request)
    use_language(request, str(data.get("language", "")))
    # The shared row, from memory: the join itself refuses an ended session.
    room = await find_session(svc, request, str(data.get("code", "")), shared=True)
    language = i18n.choose_language(str(data.get("language", "")))
    table = data.get("table")
    if table is not None and (not isinstance(table, int) or isinstance(table, bool)):
        raise InvalidMessage(N_("Choose your table from the list."))
    device = data.get("device", "phone")
    if device not in ("phone", "tablet"):
        raise InvalidMessage(N_("A device is a phone or the table's tablet."))
    participant, token = await svc.sessions.join(
        room, language, table, DeviceKind(device), limit=svc.settings.max_participants
    )
    return JSONResponse(
        {
            "session": room.id,
            "participant": participant.id,
            "number": participant.number,
            "table": participant.table_number,
            "device": participant.device.value,
            "token": token,
            "language": language,
            "socket": f"/ws/participant/{room.join_code}?format=json",
        },
        status_code=201,
    )


async def loop_lag(request: Request) -> Response:
    """Event-loop lag percentiles of this worker over the last ``seconds`` (default 60)."""
    require_facilitator(request)
    try:
        seconds = float(request.query_params.get("seconds", "60"))
    except ValueError:
        raise InvalidMessage(N_("seconds must be a number.")) from None
    monitor = request.app.state.loop_lag
    if monitor is None:
        return JSONResponse({"enabled": False})
    return JSONResponse(monitor.summary(max(0.0, seconds)))


async def session_tables(request: Request) -> Response:
    """The table overview, as the console shows it (docs/api.md)."""
    require_facilitator(request)
    svc = services(request)
    room = await svc.sessions.get(request.path_params["session_id"])
    state = await svc.sessions.state(room.id)
    deck = svc.sessions.deck(room)
    card = deck.cards[state.current_card] if state.current_card is not None else None
    question = card.question if card is not None else None
    connected = await svc.hub.presence.connected(room.id)
    rows = await svc.db.run(lambda db: overview(db, state, question, connected))
    figures = await _figures(svc, deck, state, question)
    ranked = await svc.db.run(lambda db: room_priorities(db, deck, state))
    return JSONResponse(
        {
            "question": question.id if question else None,
            "scope": question.scope if question else None,
            "tables": [
                {
                    "table": row.table,
                    "name": row.name,
                    "code": table_code(room, row.table),
                    "join_url": table_url(svc, room, row.table),
                    "connected": row.connected,
                    "phones": row.phones,
                    "tablets": row.tablets,
                    "members": [
                        {
                            "participant": m.participant,
                            "number": m.number,
                            "device": "tablet" if m.tablet else "phone",
                        }
                        for m in row.members
                    ],
                    "answered": row.answered,
                    "table_answer": row.view.to_dict() if row.view else None,
                    "figures": figures_json(figures.get(row.table)),
                }
                for row in rows
            ],
            "room": figures_json(figures.get(ROOM)),
            "priorities": {
                "room": ranked.room.model_dump(mode="json"),
                "tables": {str(n): p.model_dump(mode="json") for n, p in ranked.tables.items()},
            },
        }
    )


async def _figures(
    svc: Services, deck: Deck, state: LiveState, question: Question | None
) -> dict[int, GroupFigures]:
    """The shown question's figures per table, once it has been opened."""
    status = state.question(question.id) if question is not None else None
    if question is None or status is None or status.state is QuestionState.PENDING:
        return {}
    found = await svc.db.run(lambda db: table_figures(db, deck, state, question))
    if question.scope == "individual":
        found[ROOM] = await svc.db.run(lambda db: room_figures(db, deck, state, question))
    return found


routes = [
    Route("/api/login", login, methods=["POST"]),
    Route("/api/decks", list_decks),
    Route("/api/sessions", list_sessions, methods=["GET"]),
    Route("/api/sessions", create_session, methods=["POST"]),
    Route("/api/sessions/{session_id}", session_detail, methods=["GET"]),
    Route("/api/sessions/{session_id}", delete_session, methods=["DELETE"]),
    Route("/api/sessions/{session_id}/actions", session_action, methods=["POST"]),
    Route("/api/sessions/{session_id}/tables", session_tables),
    Route("/api/join", join, methods=["POST"]),
    Route("/api/server/loop-lag", loop_lag),
]
