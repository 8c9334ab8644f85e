"""Card previews: any card of a deck as a phone, a table's tablet and the
projector show it, in each of the deck's languages, without a session; of
a library deck's newest version, or of the deck editor's draft (when the
checker finds no error in it: a draft with errors is not yet a deck).

A preview's screen is drawn by the live screens' own functions and templates
(strategyroom.web.views) from a ``Scene`` made by the read model
(``readmodel.preview``), so it cannot drift from what residents see. The
preview page puts the three screens side by side in frames; each screen is a
page of its own that only this site may frame. Facilitators only.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from strategyroom.decks import Deck
from strategyroom.decks.check import check_document
from strategyroom.decks.messages import Problem
from strategyroom.live.errors import N_, NotFound
from strategyroom.live.policy import Audience
from strategyroom.live.readmodel import PREVIEW_CODE, preview
from strategyroom.live.scene import Scene
from strategyroom.store import drafts
from strategyroom.web import views
from strategyroom.web.console import library_deck
from strategyroom.web.context import page, services
from strategyroom.web.middleware import CONTENT_SECURITY_POLICY, allow_video_links
from strategyroom.web.security import require_facilitator

# Who each preview screen is: a phone and the tablet seated at table 1.
SCREENS = {
    "phone": Audience.device(1),
    "tablet": Audience.device(1, tablet=True),
    "projector": Audience.projector(),
}


@dataclass(frozen=True)
class Source:
    """The deck a preview shows, and where its pages and media files are: a
    library deck's newest version, or the editor's draft of it."""

    deck: Deck
    pages: str
    media: str
    draft: bool = False


async def _library(request: Request) -> Source:
    require_facilitator(request)
    deck, _ = await library_deck(services(request), request.path_params["deck"])
    base = f"/console/decks/{deck.id}"
    return Source(deck, base + "/preview", base + "/media/")


async def _draft(request: Request) -> Source | list[Problem]:
    """The draft as a deck, or the checker's errors that keep it from being one."""
    require_facilitator(request)
    deck_id = request.path_params["deck"]
    found = await services(request).db.run(lambda db: drafts.draft(db, deck_id))
    if found is None:
        raise NotFound(N_("There is no deck called %(name)s."), name=deck_id)
    problems, deck = check_document(copy.deepcopy(found.content))
    if deck is None:
        return [p for p in problems if not p.warning]
    base = f"/console/decks/{deck_id}/edit"
    return Source(deck, base + "/preview", base + "/media/", draft=True)


def _card(request: Request, deck: Deck) -> int:
    raw = request.path_params.get("card", request.query_params.get("card", "1"))
    number = int(raw) if str(raw).isdigit() else 0
    if not 1 <= number <= len(deck.cards):
        raise NotFound(N_("This deck has no card %(number)s."), number=str(raw))
    return number - 1


def _language(request: Request, deck: Deck) -> str:
    wanted = request.query_params.get("language", request.query_params.get("lang", ""))
    return wanted if wanted in deck.languages else deck.default_language


def _scene(request: Request, source: Source, card: int, audience: Audience) -> Scene:
    svc = services(request)
    join_url = f"{svc.settings.public_url}/join/{PREVIEW_CODE}"
    return preview(source.deck, card, audience, join_url, source.media)


async def preview_page(request: Request) -> Response:
    return await _page(request, await _library(request))


async def draft_preview_page(request: Request) -> Response:
    source = await _draft(request)
    if isinstance(source, list):
        deck_id = request.path_params["deck"]
        return page(
            request, "console/preview_draft_problems.html", deck_id=deck_id, problems=source
        )
    return await _page(request, source)


async def _page(request: Request, source: Source) -> Response:
    """One card, its notes, and the three screens in the chosen deck language."""
    deck = source.deck
    card = _card(request, deck)
    language = _language(request, deck)
    response = page(
        request,
        "console/preview.html",
        deck=deck,
        card=deck.cards[card],
        number=card + 1,
        deck_language=language,
        screens=list(SCREENS),
        pages=source.pages,
        draft=source.draft,
    )
    return allow_video_links(response, deck)


async def preview_screen(request: Request) -> Response:
    return await _screen(request, await _library(request))


async def draft_preview_screen(request: Request) -> Response:
    source = await _draft(request)
    if isinstance(source, list):
        raise NotFound(N_("This draft has errors; the editor lists them."))
    return await _screen(request, source)


async def _screen(request: Request, source: Source) -> Response:
    """One screen of the preview, as that screen's own page draws it."""
    deck = source.deck
    card = _card(request, deck)
    screen = request.path_params["screen"]
    if screen not in SCREENS:
        raise NotFound(N_("There is no such screen."))
    language = _language(request, deck)
    audience = SCREENS[screen]
    scene = _scene(request, source, card, audience)
    renderer = services(request).renderer
    if screen == "projector":
        stage = views.projector_stage(renderer, scene, language)
        response = page(
            request,
            "projector/page.html",
            language=language,
            room=scene.room,
            deck=deck,
            stage=stage,
            preview=True,
        )
    else:
        seat = views.Seat(0 if audience.table is None else 1, audience.table, screen == "tablet")
        stage = views.participant_stage(renderer, scene, language, seat=seat)
        response = page(
            request,
            "participant.html",
            language=language,
            room=scene.room,
            deck=deck,
            stage=stage,
            seat=seat,
            preview=True,
        )
    # Framed by the preview page (and by no other site).
    response.headers["content-security-policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    )
    return allow_video_links(response, deck)


routes = [
    Route("/console/decks/{deck}/preview", preview_page),
    Route("/console/decks/{deck}/preview/{card:int}/{screen}", preview_screen),
    Route("/console/decks/{deck}/edit/preview", draft_preview_page),
    Route("/console/decks/{deck}/edit/preview/{card:int}/{screen}", draft_preview_screen),
]
