"""Participant pages: the start page, joining with a code, the live page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from strategyroom import i18n
from strategyroom.live.codes import normalize_join_code
from strategyroom.live.errors import N_, SessionEnded
from strategyroom.store.models import SessionStatus
from strategyroom.web import views
from strategyroom.web.context import local_path, page, request_language, services
from strategyroom.web.limits import find_session
from strategyroom.web.security import check_csrf


async def start(request: Request) -> Response:
    return page(request, "start.html", code="", error="")


async def find_code(request: Request) -> Response:
    """The start page's form: a typed code, forgiving case, spaces and dashes."""
    typed = request.query_params.get("code", "")
    code = normalize_join_code(typed)
    if code is None:
        language = request_language(request)
        error = i18n.gettext(
            language, N_("That is not a valid join code. Codes have 6 letters and digits.")
        )
        return page(request, "start.html", status_code=400, code=typed[:20], error=error)
    return RedirectResponse(f"/join/{code}", status_code=303)


async def join_page(request: Request) -> Response:
    svc = services(request)
    room = await find_session(svc, request, request.path_params["code"])
    if _token(request, room.id) and await svc.sessions.participant(
        room.id, _token(request, room.id)
    ):
        return RedirectResponse(f"/s/{room.join_code}", status_code=303)
    if room.status is SessionStatus.ENDED:
        raise SessionEnded(N_("This session has ended. Thank you for taking part."))
    deck = svc.sessions.deck(room)
    return page(request, "join.html", room=room, deck=deck)


async def join(request: Request) -> Response:
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    room = await find_session(svc, request, request.path_params["code"])
    if room.status is SessionStatus.ENDED:
        raise SessionEnded(N_("This session has ended. Thank you for taking part."))
    language = i18n.choose_language(
        str(form.get("language", "")), request.headers.get("accept-language", "")
    )
    existing = _token(request, room.id)
    if not (existing and await svc.sessions.participant(room.id, existing)):
        _, token = await svc.sessions.join(room, language, svc.settings.max_participants)
        request.session.setdefault("participants", {})[room.id] = token
        # Reassign so the session middleware sees the change to the nested dict.
        request.session["participants"] = dict(request.session["participants"])
    request.session["lang"] = language
    return RedirectResponse(f"/s/{room.join_code}", status_code=303)


async def live_page(request: Request) -> Response:
    svc = services(request)
    room = await find_session(svc, request, request.path_params["code"])
    token = _token(request, room.id)
    participant = await svc.sessions.participant(room.id, token) if token else None
    if participant is None:
        return RedirectResponse(f"/join/{room.join_code}", status_code=303)
    state = await svc.sessions.state(room.id)
    scene = await views.load_scene(svc, room, state, for_console=False)
    my_answer = None
    card = scene.card
    if card is not None and card.question is not None:
        my_answer = (await svc.sessions.answers_of(room.id, participant.id)).get(card.question.id)
    stage = views.participant_stage(svc.renderer, scene, participant.language, my_answer)
    return page(request, "participant.html", language=participant.language, room=room, stage=stage)


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
    Route("/s/{code}", live_page),
    Route("/language", switch_language, methods=["POST"]),
]
