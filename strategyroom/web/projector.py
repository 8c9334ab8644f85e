"""The projector: read-only, no login, reachable with the session's code."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from strategyroom.live.policy import Audience
from strategyroom.web import views
from strategyroom.web._scenes import scene_for
from strategyroom.web.context import page, request_language, services
from strategyroom.web.limits import find_session
from strategyroom.web.middleware import allow_video_links


async def projector_page(request: Request) -> Response:
    svc = services(request)
    room = await find_session(svc, request, request.path_params["code"])
    state = await svc.sessions.state(room.id)
    scene = await scene_for(svc, Audience.projector(), room, state)
    language = request_language(request)
    stage = views.projector_stage(svc.renderer, scene, language)
    response = page(
        request,
        "projector/page.html",
        language=language,
        room=room,
        deck=scene.deck,
        stage=stage,
    )
    return allow_video_links(response, scene.deck)


async def projector_stage(request: Request) -> Response:
    """The projector's stage alone, which it asks for every few seconds while
    it shows the themes or the common ground (their figures change with the
    answers, and no event says when)."""
    svc = services(request)
    room = await find_session(svc, request, request.path_params["code"])
    state = await svc.sessions.state(room.id)
    scene = await scene_for(svc, Audience.projector(), room, state)
    stage = views.projector_stage(svc.renderer, scene, request_language(request))
    return HTMLResponse(stage, headers={"cache-control": "no-store"})


routes = [Route("/p/{code}", projector_page), Route("/p/{code}/stage", projector_stage)]
