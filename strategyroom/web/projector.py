"""The projector: read-only, no login, reachable with the session's code."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from strategyroom.web import views
from strategyroom.web.context import page, request_language, services
from strategyroom.web.limits import find_session


async def projector_page(request: Request) -> Response:
    svc = services(request)
    room = await find_session(svc, request, request.path_params["code"])
    state = await svc.sessions.state(room.id)
    scene = await views.load_scene(svc, room, state, for_console=False)
    language = request_language(request)
    stage = views.projector_stage(svc.renderer, scene, language)
    return page(request, "projector/page.html", language=language, room=room, stage=stage)


routes = [Route("/p/{code}", projector_page)]
