"""What the participant's answer forms ask the server while a participant fills
them in (through htmx, so the page needs no script of its own): how much of a
budget is left, what a package adds up to against its cap, and a ranking with
one option moved a place.

Both answer with HTML in the reader's language and store nothing; the answer is
checked and stored only when the form is sent over the websocket.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from strategyroom.decks import Deck, Question
from strategyroom.decks.schema import Budget, MultipleChoice, Ranking
from strategyroom.live.errors import N_, NotFound
from strategyroom.live.policy import Audience
from strategyroom.store.models import RoomSession
from strategyroom.templating import deck_text
from strategyroom.web._scenes import scene_for
from strategyroom.web.context import request_language, services
from strategyroom.web.limits import find_session


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
    _, deck, question = await _question(request)
    if not isinstance(question, Budget):
        raise NotFound(N_("There is no budget question %(id)s."), id=question.id)
    spent = 0
    for option in question.options:
        raw = request.query_params.get(f"points:{option.id}", "").strip()
        spent += int(raw) if raw.isdigit() and len(raw) < 12 else 0
    html = svc.renderer.render(
        "questions/budget_left.html",
        request_language(request),
        deck=deck,
        question=question,
        left=question.total - spent,
    )
    return HTMLResponse(html.strip())


async def package_total(request: Request) -> Response:
    """What the options ticked in a package question add up to against its cap,
    as words for the form's live region (asked for after each change)."""
    svc = services(request)
    _, deck, question = await _question(request)
    if not isinstance(question, MultipleChoice) or question.package is None:
        raise NotFound(N_("There is no package question %(id)s."), id=question.id)
    known = {o.id for o in question.options}
    chosen = [v for v in request.query_params.getlist("value") if v in known]
    html = svc.renderer.render(
        "questions/package_total.html",
        request_language(request),
        deck=deck,
        question=question,
        value=chosen,
    )
    return HTMLResponse(html.strip())


async def ranking_moved(request: Request) -> Response:
    """A ranking form with one option placed or moved (its buttons ask for it
    through htmx; nothing is stored until sent): ``pick`` puts the tapped option
    in the next place not taken yet, ``move`` with ``direction`` moves it one
    place up or down."""
    room, deck, question = await _question(request)
    if not isinstance(question, Ranking):
        raise NotFound(N_("There is no ranking question %(id)s."), id=question.id)
    known = [o.id for o in question.options]
    # The places as the form has them; a repeat or a gap (from a client of its
    # own) is settled by keeping each option's first place and adding the rest.
    order = list(dict.fromkeys(v for v in request.query_params.getlist("value") if v in known))
    order += [o for o in known if o not in order]
    raw_placed = request.query_params.get("placed", "0")
    placed = min(int(raw_placed), len(order)) if raw_placed.isdigit() else 0
    picked = request.query_params.get("pick", "")
    moved = picked or request.query_params.get("move", "")
    if not moved:  # drawn again as it is (unsent places put back after a reload)
        return await _ranking(request, room, deck, question, order, placed, None)
    if moved not in order:
        raise NotFound(N_("That is not one of the options."))
    at = order.index(moved)
    if picked:
        to = min(at, placed)  # an option already placed stays where it is
        order.insert(to, order.pop(at))
        placed = max(placed, to + 1)
        if placed == len(order) - 1:
            placed = len(order)  # the last option's place follows
    else:
        step = {"up": -1, "down": 1}.get(request.query_params.get("direction", ""), 0)
        to = min(max(at + step, 0), len(order) - 1)
        order[at], order[to] = order[to], order[at]
    label = deck_text(deck, question.options[known.index(moved)].label, request_language(request))
    moved_to = {"label": label, "place": to + 1}
    return await _ranking(request, room, deck, question, order, placed, moved_to)


async def _ranking(
    request: Request,
    room: RoomSession,
    deck: Deck,
    question: Ranking,
    order: list[str],
    placed: int,
    moved: dict[str, object] | None,
) -> Response:
    svc = services(request)
    state = await svc.sessions.state(room.id)
    # The form needs only the session's code: a phone at no table sees the least.
    scene = await scene_for(svc, Audience.device(None), room, state)
    html = svc.renderer.render(
        "questions/ranking.html",
        request_language(request),
        scene=scene,
        deck=deck,
        question=question,
        my_answer=order,
        placed=placed,
        moved=moved,
    )
    return HTMLResponse(html)


routes = [
    Route("/s/{code}/budget-left", budget_left),
    Route("/s/{code}/ranking", ranking_moved),
    Route("/s/{code}/package-total", package_total),
]
