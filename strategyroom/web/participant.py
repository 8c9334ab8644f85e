"""Participant pages: the start page, joining with a code, the live page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from strategyroom import i18n
from strategyroom.live.codes import normalize_join_code, split_table_code
from strategyroom.live.errors import N_, InvalidMessage, SessionEnded
from strategyroom.live.policy import Audience
from strategyroom.live.state import require_table
from strategyroom.store.models import DeviceKind, RoomSession, SessionStatus
from strategyroom.web import views
from strategyroom.web._scenes import scene_for
from strategyroom.web.context import local_path, page, request_language, services, use_language
from strategyroom.web.limits import find_session, take_join
from strategyroom.web.middleware import allow_video_links
from strategyroom.web.security import check_csrf


async def start(request: Request) -> Response:
    return page(request, "start.html", code="", error="")


async def find_code(request: Request) -> Response:
    """The start page's form: a typed code, forgiving case, spaces and dashes."""
    typed = request.query_params.get("code", "")
    code, table = split_table_code(typed)
    if code is None:
        language = request_language(request)
        error = i18n.gettext(
            language, N_("That is not a valid join code. Codes have 6 letters and digits.")
        )
        return page(request, "start.html", status_code=400, code=typed[:20], error=error)
    suffix = f"/{table}" if table is not None else ""
    return RedirectResponse(f"/join/{code}{suffix}", status_code=303)


async def _table_of(request: Request, room: RoomSession) -> int | None:
    """The table in the join link, which must exist."""
    raw = request.path_params.get("table")
    if raw is None:
        return None
    state = await services(request).sessions.state(room.id)
    require_table(state, int(raw))
    return int(raw)


async def join_page(request: Request) -> Response:
    svc = services(request)
    room = await find_session(svc, request, request.path_params["code"])
    table = await _table_of(request, room)
    token = _token(request, room.id)
    known = await svc.sessions.participant(room.id, token) if token else None
    if known is not None and (table is None or known.table_number is not None):
        return RedirectResponse(f"/s/{room.join_code}", status_code=303)
    if room.status is SessionStatus.ENDED:
        raise SessionEnded(N_("This session has ended. Thank you for taking part."))
    deck = svc.sessions.deck(room)
    state = await svc.sessions.state(room.id)
    tables = sorted(state.tables.items())
    return page(
        request,
        "join.html",
        room=room,
        deck=deck,
        table=table,
        tables=tables,
        locked=state.joining_locked,
    )


def _chosen(form: Any, fixed: int | None) -> tuple[int | None, DeviceKind]:
    """The table and kind of device a join form asks for."""
    raw = fixed if fixed is not None else str(form.get("table", "") or "")
    table: int | None = None
    if isinstance(raw, int):
        table = raw
    elif raw:
        if not raw.isdigit():
            raise InvalidMessage(N_("Choose your table from the list."))
        table = int(raw)
    device = DeviceKind.TABLET if form.get("device") == "tablet" else DeviceKind.PHONE
    return table, device


def _elsewhere(request: Request) -> Response | None:
    """A join from a page opened under another address than the public URL (the
    machine's LAN address, ``localhost`` for ``127.0.0.1``): the live page's
    socket would be refused there forever (its Origin must be the public URL's,
    web/security.py), so the phone is told and given the right link instead of
    joining. Browsers send Origin with every form POST."""
    origin = request.headers.get("origin")
    settings = services(request).settings
    if origin is None or origin == settings.public_origin:
        return None
    message = i18n.gettext(
        request_language(request),
        N_("You opened this page at %(here)s, but the session runs at %(there)s. Join there:"),
    ) % {"here": origin, "there": settings.public_origin}
    link = settings.public_url + request.url.path
    return page(request, "error.html", status_code=400, message=message, link=link)


async def join(request: Request) -> Response:
    svc = services(request)
    form = await request.form()
    use_language(request, str(form.get("language", "")))
    await check_csrf(request, form)
    if (elsewhere := _elsewhere(request)) is not None:
        return elsewhere
    room = await find_session(svc, request, request.path_params["code"])
    fixed = await _table_of(request, room)
    if room.status is SessionStatus.ENDED:
        raise SessionEnded(N_("This session has ended. Thank you for taking part."))
    language = i18n.choose_language(
        str(form.get("language", "")), request.headers.get("accept-language", "")
    )
    table, device = _chosen(form, fixed)
    existing = _token(request, room.id)
    known = await svc.sessions.participant(room.id, existing) if existing else None
    if known is not None and known.table_number is None and table is not None:
        # Joined before choosing a table: the table's link seats the device now.
        await svc.sessions.tables.move(room.id, known.id, table, actor="participant")
    if known is None:
        take_join(svc, request)
        # Only the table's own link (/join/<code>/<table>) passes a closed door:
        # a table picked from the join page's list, on a page loaded before
        # the door closed, is refused like any join with the session's code.
        _, token = await svc.sessions.join(
            room,
            language,
            table,
            device,
            limit=svc.settings.max_participants,
            table_code=fixed is not None,
        )
        request.session.setdefault("participants", {})[room.id] = token
        # Reassign so the session middleware sees the change to the nested dict.
        request.session["participants"] = dict(request.session["participants"])
    request.session["lang"] = language
    return RedirectResponse(f"/s/{room.join_code}", status_code=303)


async def live_page(request: Request) -> Response:
    svc = services(request)
    # A joined resident's page loads even while the address guesses codes.
    room = await find_session(svc, request, request.path_params["code"], joined_only=True)
    token = _token(request, room.id)
    participant = await svc.sessions.participant(room.id, token) if token else None
    if participant is None:
        if (held := request.state.join_held) is not None:
            raise held  # say nothing about the code to a device that has not joined
        return RedirectResponse(f"/join/{room.join_code}", status_code=303)
    state = await svc.sessions.state(room.id)
    seat = views.Seat(
        participant.number, participant.table_number, participant.device is DeviceKind.TABLET
    )
    scene = await scene_for(svc, Audience.device(seat.table, seat.tablet), room, state)
    answers = await svc.sessions.answers_of(room.id, participant.id) if scene.answerable else {}
    stage = views.participant_stage(svc.renderer, scene, participant.language, answers, seat=seat)
    response = page(
        request,
        "participant.html",
        language=participant.language,
        room=room,
        deck=svc.sessions.deck(room),  # its languages are the ones offered
        stage=stage,
        seat=seat,
    )
    return allow_video_links(response, scene.deck)


async def switch_language(request: Request) -> Response:
    """Switch the interface language; a participant's screens follow from then on."""
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    language = i18n.choose_language(str(form.get("language", "")))
    request.session["lang"] = language
    code = normalize_join_code(str(form.get("code", "")))
    if code is not None:
        room = await find_session(svc, request, code)
        token = _token(request, room.id)
        participant = await svc.sessions.participant(room.id, token) if token else None
        if participant is not None:
            await svc.sessions.set_language(participant, language)
    return RedirectResponse(local_path(str(form.get("next", ""))), status_code=303)


def _token(request: Request, session_id: str) -> str:
    token = request.session.get("participants", {}).get(session_id)
    return token if isinstance(token, str) else ""


routes = [
    Route("/", start),
    Route("/join", find_code),
    Route("/join/{code}", join_page, methods=["GET"]),
    Route("/join/{code}", join, methods=["POST"]),
    Route("/join/{code}/{table:int}", join_page, methods=["GET"]),
    Route("/join/{code}/{table:int}", join, methods=["POST"]),
    Route("/s/{code}", live_page),
    Route("/language", switch_language, methods=["POST"]),
]
