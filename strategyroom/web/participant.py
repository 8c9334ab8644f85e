"""Participant pages: the start page, joining with a code, the live page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from strategyroom import i18n
from strategyroom.decks.schema import Budget, Ranking
from strategyroom.live.codes import normalize_join_code
from strategyroom.live.errors import N_, NotFound, SessionEnded
from strategyroom.store.models import SessionStatus
from strategyroom.web import views
from strategyroom.web.context import local_path, page, request_language, services
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
    room = await svc.sessions.by_code(request.path_params["code"])
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
    room = await svc.sessions.by_code(request.path_params["code"])
    if room.status is SessionStatus.ENDED:
        raise SessionEnded(N_("This session has ended. Thank you for taking part."))
    language = i18n.choose_language(
        str(form.get("language", "")), request.headers.get("accept-language", "")
    )
    existing = _token(request, room.id)
    if not (existing and await svc.sessions.participant(room.id, existing)):
        _, token = await svc.sessions.join(room, language)
        request.session.setdefault("participants", {})[room.id] = token
        # Reassign so the session middleware sees the change to the nested dict.
        request.session["participants"] = dict(request.session["participants"])
    request.session["lang"] = language
    return RedirectResponse(f"/s/{room.join_code}", status_code=303)


async def live_page(request: Request) -> Response:
    svc = services(request)
    room = await svc.sessions.by_code(request.path_params["code"])
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
        room = await svc.sessions.by_code(code)
        token = _token(request, room.id)
        participant = await svc.sessions.participant(room.id, token) if token else None
        if participant is not None:
            await svc.sessions.set_language(participant, language)
    return RedirectResponse(local_path(str(form.get("next", ""))), status_code=303)


async def budget_left(request: Request) -> Response:
    """What is left to spread in a budget form, as words for its live region.

    The budget form asks for this after each change (htmx), so the participant
    page needs no script of its own; a value that is not a whole number counts 0.
    """
    svc = services(request)
    room = await svc.sessions.by_code(request.path_params["code"])
    deck = svc.sessions.deck(room)
    question_id = request.query_params.get("question", "")
    try:
        question = deck.question(question_id)
    except KeyError:
        question = None
    if not isinstance(question, Budget):
        raise NotFound(N_("There is no budget question %(id)s."), id=question_id[:64])
    spent = 0
    for option in question.options:
        raw = request.query_params.get(f"points:{option.id}", "").strip()
        spent += int(raw) if raw.isdigit() and len(raw) < 12 else 0
    html = svc.renderer.render(
        "questions/budget_left.html", request_language(request), left=question.total - spent
    )
    return HTMLResponse(html.strip())


async def ranking_moved(request: Request) -> Response:
    """A ranking form with one option moved a place up or down (the form's
    arrow buttons ask for it through htmx; nothing is stored until sent)."""
    svc = services(request)
    room = await svc.sessions.by_code(request.path_params["code"])
    deck = svc.sessions.deck(room)
    question_id = request.query_params.get("question", "")
    try:
        question = deck.question(question_id)
    except KeyError:
        question = None
    if not isinstance(question, Ranking):
        raise NotFound(N_("There is no ranking question %(id)s."), id=question_id[:64])
    known = [o.id for o in question.options]
    # The places as the form has them; a repeat or a gap (left by the drop-downs)
    # is settled by keeping each option's first place and adding the rest after.
    order = list(dict.fromkeys(v for v in request.query_params.getlist("value") if v in known))
    order += [o for o in known if o not in order]
    moved = request.query_params.get("move", "")
    step = {"up": -1, "down": 1}.get(request.query_params.get("direction", ""), 0)
    if moved not in order:
        raise NotFound(N_("That is not one of the options."))
    at = order.index(moved)
    to = min(max(at + step, 0), len(order) - 1)
    order[at], order[to] = order[to], order[at]
    state = await svc.sessions.state(room.id)
    scene = await views.load_scene(svc, room, state, for_console=False)
    label = deck.text(question.options[known.index(moved)].label, request_language(request))
    html = svc.renderer.render(
        "questions/ranking.html",
        request_language(request),
        scene=scene,
        deck=deck,
        question=question,
        my_answer=order,
        moved={"label": label, "place": to + 1},
    )
    return HTMLResponse(html)


def _token(request: Request, session_id: str) -> str:
    token = request.session.get("participants", {}).get(session_id)
    return token if isinstance(token, str) else ""


routes = [
    Route("/", start),
    Route("/join", find_code),
    Route("/join/{code}", join_page, methods=["GET"]),
    Route("/join/{code}", join, methods=["POST"]),
    Route("/s/{code}", live_page),
    Route("/s/{code}/budget-left", budget_left),
    Route("/s/{code}/ranking", ranking_moved),
    Route("/language", switch_language, methods=["POST"]),
]
