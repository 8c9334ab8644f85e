"""What the participant's answer forms ask the server while a participant fills
them in (through htmx, so the page needs no script of its own): how much of a
budget is left, and a ranking with one option moved a place.

Both answer with HTML in the reader's language and store nothing; the answer is
checked and stored only when the form is sent over the websocket.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from strategyroom.decks import Deck, Question
from strategyroom.decks.schema import Budget, Ranking
from strategyroom.live.errors import N_, NotFound
from strategyroom.store.models import RoomSession
from strategyroom.web import views
from strategyroom.web.context import request_language, services
from strategyroom.web.limits import find_session
from strategyroom.web.render import deck_text


async def _question(request: Request) -> tuple[RoomSession, Deck, Question]:
    """The session (by the code in the path) and the question named by ``?question=``."""
    svc = services(request)
    room = await find_session(svc, request, request.path_params["code"])
    deck = svc.sessions.deck(room)
    question_id = request.query_params.get("question", "")
    try:
        return room, deck, deck.question(question_id)
    except KeyError:
        raise NotFound(
            N_("This deck has no question %(question)s."), question=question_id[:64]
        ) from None


async def budget_left(request: Request) -> Response:
    """What is left to spread in a budget form, as words for its live region.

    The budget form asks for this after each change (htmx), so the participant
    page needs no script of its own; a value that is not a whole number counts 0.
    """
    svc = services(request)
    _, _, question = await _question(request)
    if not isinstance(question, Budget):
        raise NotFound(N_("There is no budget question %(id)s."), id=question.id)
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
    room, deck, question = await _question(request)
    if not isinstance(question, Ranking):
        raise NotFound(N_("There is no ranking question %(id)s."), id=question.id)
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
    label = deck_text(deck, question.options[known.index(moved)].label, request_language(request))
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


routes = [
    Route("/s/{code}/budget-left", budget_left),
    Route("/s/{code}/ranking", ranking_moved),
]
