"""Reports on the web: the facilitator's report pages and downloads, share links,
and the read-only pages a share link opens (docs/reports.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from strategyroom.live.errors import N_, InvalidMessage, NotFound
from strategyroom.reports import data, exports, html, pdf, shares
from strategyroom.reports.model import Report, build_report
from strategyroom.web.context import Services, page, request_language, services
from strategyroom.web.security import check_csrf, csrf_token, require_facilitator

FORMATS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def _session_ids(request: Request) -> list[str]:
    ids = list(dict.fromkeys(request.query_params.getlist("session")))
    if not ids:
        raise InvalidMessage(N_("Choose at least one session."))
    if len(ids) > 50:
        raise InvalidMessage(N_("A report can combine at most 50 sessions."))
    return ids


async def _load(svc: Services, session_ids: Sequence[str]) -> list[data.SessionData]:
    return await svc.db.run(lambda db: data.load_sessions(db, session_ids))


def _report(svc: Services, sessions: list[data.SessionData], language: str) -> Report:
    return build_report(sessions, language, svc.settings.council_name, datetime.now(UTC))


def _html(
    svc: Services,
    report: Report,
    sessions: list[data.SessionData],
    downloads: dict[str, str],
    printing: bool = False,
    **extra: object,
) -> str:
    return html.render_report(
        svc.renderer,
        report,
        sessions[0].deck,
        logo=html.logo_data_uri(svc.settings.council_logo),
        downloads=downloads,
        printing=printing,
        extra=dict(extra),
    )


async def _download(svc: Services, session_ids: Sequence[str], fmt: str, language: str) -> Response:
    if fmt not in FORMATS:
        raise NotFound(N_("Reports come as pdf, csv or json."))
    sessions = await _load(svc, session_ids)
    report = _report(svc, sessions, language)
    body: bytes | str
    if fmt == "csv":
        body = exports.to_csv(sessions)
    elif fmt == "json":
        body = exports.to_json(report)
    else:
        source = _html(svc, report, sessions, {}, printing=True)
        # Laying out a PDF takes a while: off the event loop.
        body = await asyncio.to_thread(pdf.to_pdf, source)
    day = report.generated_at.strftime("%Y-%m-%d")
    filename = f"report-{report.deck.id}-{day}.{fmt}"
    return Response(
        body,
        media_type=FORMATS[fmt],
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


def _query(session_ids: Sequence[str]) -> str:
    return "&".join(f"session={sid}" for sid in session_ids)


# -- the facilitator ----------------------------------------------------------------


async def report_page(request: Request) -> Response:
    require_facilitator(request)
    svc = services(request)
    ids = _session_ids(request)
    sessions = await _load(svc, ids)
    report = _report(svc, sessions, request_language(request))
    links = await svc.db.run(lambda db: shares.shares_of(db, ids))
    query = _query(ids)
    downloads = {name.upper(): f"/console/report.{name}?{query}" for name in FORMATS}
    body = _html(
        svc,
        report,
        sessions,
        downloads,
        share_links=links,
        session_ids=ids,
        csrf=csrf_token(request),
    )
    return Response(body, media_type="text/html; charset=utf-8")


async def report_download(request: Request) -> Response:
    require_facilitator(request)
    svc = services(request)
    fmt = request.path_params["fmt"]
    return await _download(svc, _session_ids(request), fmt, request_language(request))


async def create_share(request: Request) -> Response:
    user = require_facilitator(request)
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    ids = [str(v) for v in form.getlist("session")]
    days_text = str(form.get("days", ""))
    if not days_text.isdigit():
        raise InvalidMessage(N_("Say for how many days the link is valid."))
    days = int(days_text)
    share, token = await svc.db.run(
        lambda db: shares.create_share(db, ids, days, int(user["id"])), write=True
    )
    return page(
        request,
        "reports/share_created.html",
        link=f"{svc.settings.public_url}/r/{token}",
        share=share,
        back=f"/console/report?{_query(share.session_ids)}",
    )


async def revoke_share(request: Request) -> Response:
    require_facilitator(request)
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    share_id = request.path_params["share_id"]
    await svc.db.run(lambda db: shares.revoke_share(db, share_id), write=True)
    back = str(form.get("back", ""))
    return RedirectResponse(back if back.startswith("/console/") else "/console", status_code=303)


# -- share links ----------------------------------------------------------------------


async def shared_page(request: Request) -> Response:
    svc = services(request)
    token = request.path_params["token"]
    share = await svc.db.run(lambda db: shares.open_share(db, token))
    sessions = await _load(svc, share.session_ids)
    report = _report(svc, sessions, request_language(request))
    downloads = {name.upper(): f"/r/{token}/report.{name}" for name in FORMATS}
    body = _html(svc, report, sessions, downloads)
    return Response(
        body,
        media_type="text/html; charset=utf-8",
        headers={"cache-control": "no-store", "referrer-policy": "no-referrer"},
    )


async def shared_download(request: Request) -> Response:
    svc = services(request)
    token = request.path_params["token"]
    share = await svc.db.run(lambda db: shares.open_share(db, token))
    fmt = request.path_params["fmt"]
    return await _download(svc, share.session_ids, fmt, request_language(request))


routes = [
    Route("/console/report", report_page),
    Route("/console/report.{fmt}", report_download),
    Route("/console/report/shares", create_share, methods=["POST"]),
    Route("/console/report/shares/{share_id:int}/revoke", revoke_share, methods=["POST"]),
    Route("/r/{token}", shared_page),
    Route("/r/{token}/report.{fmt}", shared_download),
]
