"""The facilitator's side: login, the list of sessions, and the live console."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from strategyroom import access, i18n
from strategyroom.aggregate import MIN_GROUP
from strategyroom.decks import Deck, DeckError, find_decks, library, load_deck
from strategyroom.decks.schema import FreeText
from strategyroom.live import theme_edits
from strategyroom.live.codes import normalize_join_code
from strategyroom.live.commands import PARTICIPANT_COMMANDS
from strategyroom.live.errors import N_, InvalidMessage, NotFound
from strategyroom.live.policy import Audience
from strategyroom.live.state import LiveState
from strategyroom.store import library as library_store
from strategyroom.store.models import SessionStatus
from strategyroom.templating import qr_svg
from strategyroom.text import clean_text
from strategyroom.web import decks, ownership, views
from strategyroom.web._scenes import read_model, scene_for
from strategyroom.web.context import Services, local_path, page, request_language, services
from strategyroom.web.limits import TooManyAttempts
from strategyroom.web.logins import authenticate, end_login, start_login
from strategyroom.web.middleware import allow_video_links
from strategyroom.web.security import LoginRequired, check_csrf, require_facilitator

# Actions after which the table forms are drawn again: the name typed is sent,
# the number of tables changed, or the session ended (no forms).
FORM_ACTIONS = ("add_table", "tables", "end")


def available_decks(directory: Path) -> list[tuple[Path, Deck | DeckError]]:
    """Every deck file with its deck, or the errors that keep it from being used."""
    found: list[tuple[Path, Deck | DeckError]] = []
    for path in find_decks(directory):
        try:
            found.append((path, load_deck(path)))
        except DeckError as exc:
            found.append((path, exc))
    return found


async def library_deck(svc: Services, name: str, number: Any = None) -> tuple[Deck, int]:
    """A version of a library deck (its newest unless ``number`` is given) by the
    deck's id, or a sample deck by its file name: the deck and its number."""
    wanted = _version_number(number)
    await decks.sync_samples(svc)

    def find(db: Session) -> tuple[Deck, int]:
        found = library.version(db, library.resolve(db, name).id, wanted)
        return library.deck_of(found), found.number

    try:
        return await svc.db.run(find)
    except NotFound:
        # A file of the decks folder that is not in the library for its problems.
        for path, broken in available_decks(svc.settings.decks_dir):
            if path.name == name and isinstance(broken, DeckError):
                raise InvalidMessage(
                    N_("This deck has errors: %(errors)s"), errors=str(broken)
                ) from None
        raise


def _version_number(value: Any) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise InvalidMessage(N_("A deck's version is a whole number from 1."))
    return int(text)


async def perform(
    svc: Services, session_id: str, action: str, fields: Any, actor: str
) -> LiveState:
    """One facilitator action, from the console's buttons or the JSON API: a
    command of the one table (strategyroom/live/commands.py), but not one of a
    participant's (a facilitator is nobody's device)."""
    if action in PARTICIPANT_COMMANDS:
        raise InvalidMessage(N_("Unknown action."))
    return await svc.sessions.command(session_id, action, fields, actor)


# -- login ---------------------------------------------------------------------------


async def login_page(request: Request) -> Response:
    return page(
        request,
        "login.html",
        next=local_path(request.query_params.get("next"), "/console"),
        error="",
    )


async def login(request: Request) -> Response:
    form = await request.form()
    await check_csrf(request, form)
    username = clean_text(str(form.get("username", "")), normalize=False)
    password = clean_text(str(form.get("password", "")), normalize=False)
    target = local_path(str(form.get("next", "")), "/console")
    try:
        user = await authenticate(request, username, password)
    except (LoginRequired, TooManyAttempts) as exc:
        error = i18n.gettext(request_language(request), exc.message)
        if exc.params:
            error = error % exc.params
        refused = page(request, "login.html", status_code=exc.status, next=target, error=error)
        if isinstance(exc, TooManyAttempts):
            refused.headers["retry-after"] = str(exc.retry_after)
        return refused
    start_login(request, user)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    await check_csrf(request, form)
    await end_login(request)
    return RedirectResponse("/login", status_code=303)


# -- sessions ------------------------------------------------------------------------


async def index(request: Request) -> Response:
    require_facilitator(request)
    svc = services(request)
    broken = [
        (path, found)
        for path, found in available_decks(svc.settings.decks_dir)
        if isinstance(found, DeckError)
    ]
    await decks.sync_samples(svc)
    found = await svc.db.run(library_store.decks)
    sessions = await ownership.my_sessions(request)
    # Each session's own deck, for its title in the facilitator's language.
    session_decks = {room.id: svc.sessions.deck(room) for room in sessions}
    return page(
        request,
        "console/index.html",
        decks=found,
        broken=broken,
        sessions=sessions,
        session_decks=session_decks,
    )


async def create_session(request: Request) -> Response:
    user = require_facilitator(request)
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    deck, number = await library_deck(svc, str(form.get("deck", "")), form.get("version"))
    title = clean_text(str(form.get("title", "")))[:200]
    room = await svc.sessions.create(deck, title, int(user["id"]), number)
    return RedirectResponse(f"/console/{room.id}", status_code=303)


async def session_console(request: Request) -> Response:
    svc = services(request)
    room = await ownership.session_for(request)
    state = await svc.sessions.state(room.id)
    scene = await scene_for(svc, Audience.console(), room, state)
    owner, invited = await svc.db.run(lambda db: access.facilitators_of(db, room))
    language = request_language(request)
    response = page(
        request,
        "console/session.html",
        room=room,
        scene=scene,
        deck=scene.deck,
        live=views.console_live(svc.renderer, scene, language),
        tables=views.console_tables(svc.renderer, scene, language),
        table_forms=views.console_table_forms(svc.renderer, state, language),
        qr=qr_svg(scene.join_url, scale=6),
        owner=owner,
        cofacilitators=invited,
        is_owner=room.created_by == ownership.facilitator_id(request),
    )
    return allow_video_links(response, scene.deck)


async def session_themes(request: Request) -> Response:
    """The themes of the shown text question's comments, for the console's
    panel, which asks every few seconds (strategyroom.live.themes); empty when
    the shown card has no opened text question."""
    svc = services(request)
    room = await ownership.session_for(request)
    state = await svc.sessions.state(room.id)
    found = await read_model(svc).themes(Audience.console(), room, state)
    revealed = found is not None and state.question(found[0].id).revealed
    return page(
        request,
        "console/themes.html",
        found=found,
        room_id=room.id,
        revealed=revealed and state.status is not SessionStatus.ENDED,
        projection=state.projection.value,
    )


async def themes_edit_page(request: Request) -> Response:
    """The shown text question's themes with every comment: rename a theme, move
    a comment (strategyroom.live.theme_edits)."""
    svc = services(request)
    room = await ownership.session_for(request)
    state = await svc.sessions.state(room.id)
    found = await read_model(svc).themes(Audience.console(), room, state)
    texts = {}
    if found is not None:
        texts = {c.writer: c.text for c in await svc.sessions.comments(room, found[0])}
    return page(request, "console/themes_edit.html", room=room, found=found, texts=texts)


async def themes_edit(request: Request) -> Response:
    user = require_facilitator(request)
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    room = await ownership.session_for(request)
    question = svc.sessions.question(room, str(form.get("question", "")))
    if not isinstance(question, FreeText):
        raise InvalidMessage(N_("Only the comments of a text question have themes."))
    writers = {c.writer for c in await svc.sessions.comments(room, question)}
    comment, moved_to = str(form.get("comment", "")), form.get("moved_to")
    if comment not in writers or (moved_to is not None and str(moved_to) not in writers):
        raise InvalidMessage(N_("There is no such comment."))
    name = None if form.get("name") is None else clean_text(str(form.get("name")))[:100]
    await svc.db.run(
        lambda db: theme_edits.save_edit(
            db,
            room.id,
            question.id,
            comment,
            str(user["name"]),
            name=name,
            moved_to=None if moved_to is None else str(moved_to),
        ),
        write=True,
    )
    return RedirectResponse(f"/console/{room.id}/themes/edit", status_code=303)


async def session_action(request: Request) -> Response:
    user = require_facilitator(request)
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    session_id = (await ownership.session_for(request)).id
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


async def session_insight(request: Request) -> Response:
    """The insight panel (opinion groups, common ground, the room against the
    town), which the console polls every few seconds."""
    svc = services(request)
    room = await ownership.session_for(request)
    insight = await read_model(svc).insight(Audience.console(), room)
    assert insight is not None  # the console sees it
    deck = svc.sessions.deck(room)
    state = await svc.sessions.state(room.id)
    # The projector's button, while the session runs.
    running = state.status is not SessionStatus.ENDED
    return HTMLResponse(
        svc.renderer.render(
            "console/insight.html",
            request_language(request),
            insight=insight,
            deck=deck,
            min_size=MIN_GROUP,
            room_id=room.id if running else "",
            projection=state.projection.value,
        ),
        headers={"cache-control": "no-store"},
    )


async def invite_facilitator(request: Request) -> Response:
    """The owner lets another facilitator run the session with them."""
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    room = await ownership.session_for(request, owner=True)
    username = str(form.get("username", ""))
    await svc.db.run(lambda db: access.invite(db, room, username), write=True)
    return RedirectResponse(f"/console/{room.id}", status_code=303)


async def table_cards(request: Request) -> Response:
    """A printable sheet: one card per table with its QR code, link and code."""
    svc = services(request)
    room = await ownership.session_for(request)
    state = await svc.sessions.state(room.id)
    cards = []
    for number, name in sorted(state.tables.items()):
        url = views.table_url(svc, room, number)
        cards.append((number, name, url, qr_svg(url, scale=8)))
    deck = svc.sessions.deck(room)
    return page(request, "console/table_cards.html", room=room, cards=cards, deck=deck)


async def delete_page(request: Request) -> Response:
    """Ask before deleting: the facilitator types the join code to confirm."""
    return await _delete_form(request, "")


async def _delete_form(request: Request, error: str, status_code: int = 200) -> Response:
    svc = services(request)
    room = await ownership.session_for(request, owner=True)
    participants = await svc.sessions.participant_count(room.id)
    return page(
        request,
        "console/delete.html",
        status_code=status_code,
        room=room,
        deck=svc.sessions.deck(room),
        participants=participants,
        error=error,
    )


async def delete_session(request: Request) -> Response:
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    room = await ownership.session_for(request, owner=True)
    typed = normalize_join_code(str(form.get("confirm", "")))
    if typed != room.join_code:
        error = i18n.gettext(
            request_language(request), N_("That is not this session's join code; nothing deleted.")
        )
        return await _delete_form(request, error, status_code=400)
    await ownership.delete_session(svc, room)
    return RedirectResponse("/console", status_code=303)


routes = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/console", index),
    Route("/console/sessions", create_session, methods=["POST"]),
    Route("/console/{session_id}", session_console),
    Route("/console/{session_id}/actions", session_action, methods=["POST"]),
    Route("/console/{session_id}/themes", session_themes),
    Route("/console/{session_id}/themes/edit", themes_edit_page, methods=["GET"]),
    Route("/console/{session_id}/themes/edit", themes_edit, methods=["POST"]),
    Route("/console/{session_id}/facilitators", invite_facilitator, methods=["POST"]),
    Route("/console/{session_id}/insight", session_insight),
    Route("/console/{session_id}/tables/cards", table_cards),
    Route("/console/{session_id}/delete", delete_page, methods=["GET"]),
    Route("/console/{session_id}/delete", delete_session, methods=["POST"]),
]
