"""The facilitator's side: login, the list of sessions, and the live console."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from strategyroom import accounts, i18n
from strategyroom.decks import Deck, DeckError, find_decks, load_deck
from strategyroom.live.codes import normalize_join_code
from strategyroom.live.errors import N_, InvalidMessage, NotFound
from strategyroom.live.state import LiveState
from strategyroom.web import views
from strategyroom.web.context import Services, local_path, page, request_language, services
from strategyroom.web.render import qr_svg
from strategyroom.web.security import check_csrf, require_facilitator

ACTIONS = (
    "show_card",
    "open",
    "close",
    "reveal",
    "end",
    "add_table",
    "tables",
    "move",
    "timer_start",
    "timer_pause",
    "timer_extend",
)

# Actions after which the table forms are drawn again: the name typed is sent,
# the number of tables changed, or the session ended (no forms).
FORM_ACTIONS = ("add_table", "tables", "end")


def _number(fields: Any, name: str, message: str, **params: Any) -> int:
    value = fields.get(name)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidMessage(message, **params)
    return value


def available_decks(directory: Path) -> list[tuple[Path, Deck | DeckError]]:
    """Every deck file with its deck, or the errors that keep it from being used."""
    found: list[tuple[Path, Deck | DeckError]] = []
    for path in find_decks(directory):
        try:
            found.append((path, load_deck(path)))
        except DeckError as exc:
            found.append((path, exc))
    return found


def deck_by_file(svc: Services, name: str) -> Deck:
    for path, deck in available_decks(svc.settings.decks_dir):
        if path.name == name or (isinstance(deck, Deck) and deck.id == name):
            if isinstance(deck, DeckError):
                raise InvalidMessage(N_("This deck has errors: %(errors)s"), errors=str(deck))
            return deck
    raise NotFound(N_("There is no deck called %(name)s."), name=name)


async def perform(
    svc: Services, session_id: str, action: str, fields: Any, actor: str
) -> LiveState:
    """One facilitator action, from the console's buttons or the JSON API."""
    sessions = svc.sessions
    if action == "show_card":
        card = fields.get("card")
        if isinstance(card, str) and card.isdigit():
            card = int(card)
        if not isinstance(card, int) or isinstance(card, bool):
            raise InvalidMessage(N_("Say which card to show."))
        return await sessions.show_card(session_id, card, actor)
    if action in ("open", "close", "reveal"):
        question = fields.get("question")
        if not isinstance(question, str) or not question:
            raise InvalidMessage(N_("Say which question."))
        method = {
            "open": sessions.open_question,
            "close": sessions.close_question,
            "reveal": sessions.reveal,
        }[action]
        return await method(session_id, question, actor)
    if action == "end":
        return await sessions.end(session_id, actor)
    return await _table_action(svc, session_id, action, fields, actor)


async def _table_action(
    svc: Services, session_id: str, action: str, fields: Any, actor: str
) -> LiveState:
    tables = svc.sessions.tables
    if action == "add_table":
        name = fields.get("name", "")
        return await tables.add_table(session_id, name if isinstance(name, str) else "", actor)
    if action == "tables":
        count = _number(fields, "count", N_("Say how many tables: 1 to %(max)s."), max=100)
        return await tables.set_tables(session_id, count, actor)
    if action == "move":
        participant = fields.get("participant")
        if not isinstance(participant, str) or not participant:
            raise InvalidMessage(N_("Say which participant or tablet to move."))
        table = _number(fields, "table", N_("Say which table to move to."))
        return await tables.move(session_id, participant, table, actor)
    if action in ("timer_start", "timer_pause", "timer_extend"):
        seconds = 0
        if action == "timer_extend":
            seconds = _number(fields, "seconds", N_("Say by how many seconds to extend."))
        return await tables.timer(session_id, action.removeprefix("timer_"), seconds, actor)
    raise InvalidMessage(N_("Unknown action."))


# -- login ---------------------------------------------------------------------------


async def login_page(request: Request) -> Response:
    return page(
        request,
        "login.html",
        next=local_path(request.query_params.get("next"), "/console"),
        error="",
    )


async def login(request: Request) -> Response:
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    user = await svc.db.run(lambda db: accounts.authenticate(db, username, password))
    target = local_path(str(form.get("next", "")), "/console")
    if user is None:
        error = i18n.gettext(request_language(request), N_("Wrong username or password."))
        return page(request, "login.html", status_code=401, next=target, error=error)
    # A fresh session on login: nothing from before the login carries over.
    language = request.session.get("lang")
    request.session.clear()
    request.session.update(
        facilitator={"id": user.id, "name": user.username, "login": secrets.token_hex(8)},
        csrf=secrets.token_urlsafe(32),
    )
    if language:
        request.session["lang"] = language
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    await check_csrf(request, form)
    user = request.session.get("facilitator")
    request.session.clear()
    if isinstance(user, dict):
        await services(request).hub.close_login(str(user.get("login")))
    return RedirectResponse("/login", status_code=303)


# -- sessions ------------------------------------------------------------------------


async def index(request: Request) -> Response:
    require_facilitator(request)
    svc = services(request)
    decks = available_decks(svc.settings.decks_dir)
    sessions = await svc.sessions.list_sessions()
    return page(request, "console/index.html", decks=decks, sessions=sessions, Deck=Deck)


async def create_session(request: Request) -> Response:
    user = require_facilitator(request)
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    deck = deck_by_file(svc, str(form.get("deck", "")))
    title = str(form.get("title", ""))[:200]
    room = await svc.sessions.create(deck, title, int(user["id"]))
    return RedirectResponse(f"/console/{room.id}", status_code=303)


async def session_console(request: Request) -> Response:
    require_facilitator(request)
    svc = services(request)
    room = await svc.sessions.get(request.path_params["session_id"])
    state = await svc.sessions.state(room.id)
    scene = await views.load_scene(svc, room, state, for_console=True)
    language = request_language(request)
    return page(
        request,
        "console/session.html",
        room=room,
        scene=scene,
        deck=scene.deck,
        live=views.console_live(svc.renderer, scene, language),
        counts=views.console_counts(svc.renderer, scene, language),
        tables=views.console_tables(svc.renderer, scene, language),
        table_forms=views.console_table_forms(svc.renderer, state, language),
        qr=qr_svg(scene.join_url, scale=6),
    )


async def session_action(request: Request) -> Response:
    user = require_facilitator(request)
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    session_id = request.path_params["session_id"]
    action = str(form.get("action", ""))
    state = await perform(svc, session_id, action, form, str(user["name"]))
    if request.headers.get("hx-request"):
        # The console updates over its websocket; clear any earlier error message.
        # The table forms are not in those updates: a table action redraws them here.
        forms = ""
        if action in FORM_ACTIONS:
            forms = views.console_table_forms(
                svc.renderer, state, request_language(request), oob=True
            )
        return page(request, "console/acted.html", message="", forms=forms)
    return RedirectResponse(f"/console/{session_id}", status_code=303)


async def table_cards(request: Request) -> Response:
    """A printable sheet: one card per table with its QR code, link and code."""
    require_facilitator(request)
    svc = services(request)
    room = await svc.sessions.get(request.path_params["session_id"])
    state = await svc.sessions.state(room.id)
    cards = []
    for number, name in sorted(state.tables.items()):
        url = views.table_url(svc, room, number)
        cards.append((number, name, url, qr_svg(url, scale=8)))
    deck = svc.sessions.deck(room)
    return page(request, "console/table_cards.html", room=room, cards=cards, deck=deck)


async def delete_page(request: Request) -> Response:
    """Ask before deleting: the facilitator types the join code to confirm."""
    require_facilitator(request)
    return await _delete_form(request, "")


async def _delete_form(request: Request, error: str, status_code: int = 200) -> Response:
    svc = services(request)
    room = await svc.sessions.get(request.path_params["session_id"])
    participants = await svc.sessions.participant_count(room.id)
    return page(
        request,
        "console/delete.html",
        status_code=status_code,
        room=room,
        participants=participants,
        error=error,
    )


async def delete_session(request: Request) -> Response:
    require_facilitator(request)
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    room = await svc.sessions.get(request.path_params["session_id"])
    typed = normalize_join_code(str(form.get("confirm", "")))
    if typed != room.join_code:
        error = i18n.gettext(
            request_language(request), N_("That is not this session's join code; nothing deleted.")
        )
        return await _delete_form(request, error, status_code=400)
    await svc.sessions.delete(room.id)
    return RedirectResponse("/console", status_code=303)


routes = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/console", index),
    Route("/console/sessions", create_session, methods=["POST"]),
    Route("/console/{session_id}", session_console),
    Route("/console/{session_id}/actions", session_action, methods=["POST"]),
    Route("/console/{session_id}/tables/cards", table_cards),
    Route("/console/{session_id}/delete", delete_page, methods=["GET"]),
    Route("/console/{session_id}/delete", delete_session, methods=["POST"]),
]
