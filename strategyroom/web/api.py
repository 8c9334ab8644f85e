"""The JSON API (docs/api.md): decks, sessions, state and aggregates, and joining
for clients that are not browsers. State-changing calls take JSON bodies only,
which a cross-site form cannot send, so the login cookie cannot be abused."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from strategyroom import access, i18n
from strategyroom.decks import Deck
from strategyroom.live.codes import split_table_code
from strategyroom.live.errors import N_, InvalidMessage
from strategyroom.live.policy import Audience
from strategyroom.store.models import DeviceKind, RoomSession
from strategyroom.text import clean_text
from strategyroom.web import ownership
from strategyroom.web._json import load_object
from strategyroom.web._scenes import read_model, scene_for
from strategyroom.web.console import available_decks, library_deck, perform
from strategyroom.web.context import Services, request_language, services, use_language
from strategyroom.web.limits import find_session, take_join
from strategyroom.web.logins import authenticate, start_login
from strategyroom.web.security import check_csrf, require_facilitator
from strategyroom.web.views import join_url, table_code, table_url
from strategyroom.web.views_json import figures_json, flag_json, insight_json, themes_json

MAX_BODY_BYTES = 64 * 1024


async def json_body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise InvalidMessage(N_("Send a JSON body with Content-Type: application/json."))
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise InvalidMessage(N_("That message is too large."))
    return load_object(body)


def _session_json(svc: Services, room: RoomSession) -> dict[str, Any]:
    public = svc.settings.public_url
    return {
        "id": room.id,
        "title": room.title,
        "join_code": room.join_code,
        "deck": {"id": room.deck_id, "version": room.deck_version, "number": room.deck_number},
        "status": room.status.value,
        "created_at": room.created_at.isoformat(),
        "join_url": join_url(svc, room),
        "projector_url": f"{public}/p/{room.join_code}",
        "console_url": f"{public}/console/{room.id}",
    }


async def login(request: Request) -> Response:
    data = await json_body(request)
    username = clean_text(str(data.get("username", "")), normalize=False)
    password = clean_text(str(data.get("password", "")), normalize=False)
    user = await authenticate(request, username, password)
    csrf = start_login(request, user)
    return JSONResponse({"username": user.username, "csrf_token": csrf})


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
    svc = services(request)
    rooms = await ownership.my_sessions(request)
    return JSONResponse({"sessions": [_session_json(svc, room) for room in rooms]})


async def create_session(request: Request) -> Response:
    user = require_facilitator(request)
    svc = services(request)
    data = await json_body(request)
    deck, number = await library_deck(svc, str(data.get("deck", "")), data.get("version"))
    title = clean_text(str(data.get("title", "")))[:200]
    room = await svc.sessions.create(deck, title, int(user["id"]), number)
    return JSONResponse(_session_json(svc, room), status_code=201)


async def session_detail(request: Request) -> Response:
    svc = services(request)
    room = await ownership.session_for(request)
    state = await svc.sessions.state(room.id)
    # The figures are the console's, from the read model (strategyroom.live.readmodel).
    scene = await scene_for(svc, Audience.console(), room, state)
    questions = await read_model(svc).questions(Audience.console(), room, state)
    return JSONResponse(
        {
            **_session_json(svc, room),
            "state": state.to_dict(),
            "participants": {"joined": scene.joined, "connected": scene.connected},
            "questions": {qid: figures.to_dict() for qid, figures in questions.items()},
        }
    )


async def session_action(request: Request) -> Response:
    user = require_facilitator(request)
    svc = services(request)
    data = await json_body(request)
    room = await ownership.session_for(request)
    state = await perform(svc, room.id, str(data.get("action", "")), data, user["name"])
    return JSONResponse({"state": state.to_dict()})


async def delete_session(request: Request) -> Response:
    """Delete a session and all its data; needs the CSRF token from login."""
    require_facilitator(request)
    await check_csrf(request)
    svc = services(request)
    room = await ownership.session_for(request, owner=True)
    await ownership.delete_session(svc, room)
    return JSONResponse({"deleted": room.id})


async def _facilitators_json(svc: Services, room: RoomSession) -> dict[str, Any]:
    owner, invited = await svc.db.run(lambda db: access.facilitators_of(db, room))
    return {"owner": owner, "facilitators": invited}


async def session_facilitators(request: Request) -> Response:
    """Who may act on the session: its owner and the facilitators invited."""
    room = await ownership.session_for(request)
    return JSONResponse(await _facilitators_json(services(request), room))


async def invite_facilitator(request: Request) -> Response:
    """The owner lets another facilitator act on the session, by account name."""
    svc = services(request)
    data = await json_body(request)
    room = await ownership.session_for(request, owner=True)
    username = str(data.get("username", ""))
    await svc.db.run(lambda db: access.invite(db, room, username), write=True)
    return JSONResponse(await _facilitators_json(svc, room))


async def remove_facilitator(request: Request) -> Response:
    require_facilitator(request)
    await check_csrf(request)
    svc = services(request)
    room = await ownership.session_for(request, owner=True)
    username = request.path_params["username"]
    guest = await svc.db.run(lambda db: access.uninvite(db, room, username), write=True)
    await ownership.close_consoles(svc, room.id, guest)
    return JSONResponse(await _facilitators_json(svc, room))


async def join(request: Request) -> Response:
    """Join as a participant without a browser: returns the token for the socket's hello."""
    svc = services(request)
    data = await json_body(request)
    use_language(request, str(data.get("language", "")))
    # A table's code ("K7MPQ2-3") seats the device there, as on the start page.
    typed = str(data.get("code", ""))
    code, code_table = split_table_code(typed)
    # The shared row, from memory: the join itself refuses an ended session.
    room = await find_session(svc, request, code or typed, shared=True)
    language = i18n.choose_language(str(data.get("language", "")))
    table = data.get("table")
    table = code_table if table is None else table
    if table is not None and (not isinstance(table, int) or isinstance(table, bool)):
        raise InvalidMessage(N_("Choose your table from the list."))
    if code_table is not None and table != code_table:
        raise InvalidMessage(
            N_("The code is table %(code)s's, but you asked for table %(table)s."),
            code=code_table,
            table=table,
        )
    device = data.get("device", "phone")
    if device not in ("phone", "tablet"):
        raise InvalidMessage(N_("A device is a phone or the table's tablet."))
    take_join(svc, request)
    # Only the table's own code passes a closed door, as on the join page: a
    # plain "table" number is refused like the session's code (docs/protocol.md).
    participant, token = await svc.sessions.join(
        room,
        language,
        table,
        DeviceKind(device),
        limit=svc.settings.max_participants,
        table_code=code_table is not None,
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
    svc = services(request)
    room = await ownership.session_for(request)
    state = await svc.sessions.state(room.id)
    scene = await scene_for(svc, Audience.console(), room, state)
    question, figures, ranked = scene.question, scene.table_figures, scene.priorities
    assert ranked is not None  # the console sees the priorities
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
                    "help": flag_json(scene.help.get(row.table)),
                }
                for row in scene.tables
            ],
            "unseated": [
                {
                    "participant": m.participant,
                    "number": m.number,
                    "device": "tablet" if m.tablet else "phone",
                }
                for m in scene.unseated
            ],
            "room": figures_json(scene.room_figures),
            "priorities": {
                "room": ranked.room.model_dump(mode="json"),
                "tables": {str(n): p.model_dump(mode="json") for n, p in ranked.tables.items()},
            },
        }
    )


async def session_insight(request: Request) -> Response:
    """The console's insight panel: opinion groups, common ground, the room
    against the town, and every figure weighted to it (docs/api.md)."""
    svc = services(request)
    room = await ownership.session_for(request)
    model = read_model(svc)
    insight = await model.insight(Audience.console(), room)
    assert insight is not None  # the console sees it
    return JSONResponse(insight_json(insight, model.sessions.deck(room), request_language(request)))


async def session_themes(request: Request) -> Response:
    """The themes of every text question opened so far, as the console's panel
    shows the shown one's (docs/api.md)."""
    svc = services(request)
    room = await ownership.session_for(request)
    state = await svc.sessions.state(room.id)
    found = await read_model(svc).text_themes(Audience.console(), room, state)
    return JSONResponse({"questions": [themes_json(q, themes) for q, themes in found]})


routes = [
    Route("/api/login", login, methods=["POST"]),
    Route("/api/decks", list_decks),
    Route("/api/sessions", list_sessions, methods=["GET"]),
    Route("/api/sessions", create_session, methods=["POST"]),
    Route("/api/sessions/{session_id}", session_detail, methods=["GET"]),
    Route("/api/sessions/{session_id}", delete_session, methods=["DELETE"]),
    Route("/api/sessions/{session_id}/actions", session_action, methods=["POST"]),
    Route("/api/sessions/{session_id}/tables", session_tables),
    Route("/api/sessions/{session_id}/insight", session_insight),
    Route("/api/sessions/{session_id}/themes", session_themes),
    Route("/api/sessions/{session_id}/facilitators", session_facilitators, methods=["GET"]),
    Route("/api/sessions/{session_id}/facilitators", invite_facilitator, methods=["POST"]),
    Route(
        "/api/sessions/{session_id}/facilitators/{username}",
        remove_facilitator,
        methods=["DELETE"],
    ),
    Route("/api/join", join, methods=["POST"]),
    Route("/api/server/loop-lag", loop_lag),
]
