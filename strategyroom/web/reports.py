"""Reports on the web: the facilitator's report pages and downloads, share links
(from the report page and the JSON API), and the read-only pages a share link
opens (docs/reports.md, docs/api.md). A facilitator reaches only the reports of
sessions they may act on (strategyroom.web.ownership)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from strategyroom import i18n
from strategyroom.live.errors import N_, InvalidMessage, NotFound
from strategyroom.reports import data, exports, html, introduction, jobs, pdf, shares
from strategyroom.reports.html_format import Formatter
from strategyroom.reports.model import Report, build_report
from strategyroom.store.models import ReportShare
from strategyroom.web import ownership, report_jobs
from strategyroom.web.api import json_body
from strategyroom.web.context import Services, page, request_language, services
from strategyroom.web.security import check_csrf, csrf_token

FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
# A share link gives the aggregated formats only: the CSV holds every answer
# row per device, profile answers beside the rest, from which anyone could
# count a profile group the report hides (docs/privacy.md).
SHARED_FORMATS = ("html", "pdf", "json")


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
        zone=svc.settings.timezone,
        extra=dict(extra),
    )


async def _download(svc: Services, session_ids: Sequence[str], fmt: str, language: str) -> Response:
    if fmt not in FORMATS:
        raise NotFound(N_("Reports come as html, pdf, csv or json."))
    sessions = await _load(svc, session_ids)
    body: bytes | str
    if fmt == "csv":
        # The rows as stored: no figures to compute (the report's would take seconds).
        body = await asyncio.to_thread(exports.to_csv, sessions, language, svc.settings.timezone)
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        return _file(body, "csv", f"report-{sessions[0].deck.id}-{day}.csv")
    # Computing the figures of a large evening takes a while: off the event loop.
    report = await asyncio.to_thread(_report, svc, sessions, language)
    if fmt == "json":
        body = exports.to_json(report)
    elif fmt == "html":
        # A file to keep or mail: its stylesheet inside, so it looks the same
        # opened from a disk (no server to fetch /static/report.css from).
        body = _html(svc, report, sessions, {}, stylesheet=html.stylesheet())
    else:
        source = _html(svc, report, sessions, {}, printing=True)
        # Laying out a PDF takes a while: off the event loop.
        body = await asyncio.to_thread(pdf.to_pdf, source)
    day = report.generated_at.strftime("%Y-%m-%d")
    return _file(body, fmt, f"report-{report.deck.id}-{day}.{fmt}")


def _file(body: bytes | str, fmt: str, filename: str) -> Response:
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


def _lang_query(request: Request) -> str:
    """``lang=xx`` when the page was asked for in a language (``?lang=``), so its
    downloads come in the same language; empty otherwise."""
    wanted = request.query_params.get("lang")
    return f"lang={wanted}" if wanted in i18n.available_languages() else ""


def _with(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}" if query else url


# -- the facilitator ----------------------------------------------------------------


async def _my_session_ids(request: Request) -> list[str]:
    """The report's sessions, when the facilitator may act on every one."""
    return [room.id for room in await ownership.sessions_for(request, _session_ids(request))]


async def report_page(request: Request) -> Response:
    user = ownership.facilitator_id(request)
    svc = services(request)
    ids = await _my_session_ids(request)
    sessions = await _load(svc, ids)
    report = await asyncio.to_thread(_report, svc, sessions, request_language(request))
    links = await svc.db.run(lambda db: shares.shares_of(db, user, ids))
    language = request_language(request)
    job = await svc.db.run(lambda db: jobs.latest(db, ids, language))
    query = _query(ids)
    lang = _lang_query(request)
    # The PDF is made in the background (the panel below), not by a link that
    # holds the request for as long as the layout takes.
    downloads = {
        name.upper(): _with(f"/console/report.{name}?{query}", lang)
        for name in FORMATS
        if name != "pdf"
    }
    body = _html(
        svc,
        report,
        sessions,
        downloads,
        # Each link with its status, so an expired one says so and offers no withdrawing.
        share_links=[(link, shares.status(link)) for link in links],
        session_ids=ids,
        csrf=csrf_token(request),
        intro_limit=introduction.MAX_LENGTH,
        pdf_panel=report_jobs.progress_view(job, query),
    )
    return Response(body, media_type="text/html; charset=utf-8")


async def report_download(request: Request) -> Response:
    svc = services(request)
    ids = await _my_session_ids(request)
    return await _download(svc, ids, request.path_params["fmt"], request_language(request))


async def create_share(request: Request) -> Response:
    user = ownership.facilitator_id(request)
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    ids = [str(v) for v in form.getlist("session")]
    days_text = str(form.get("days", ""))
    if not days_text.isdigit():
        raise InvalidMessage(N_("Say for how many days the link is valid."))
    days = int(days_text)
    share, token = await svc.db.run(lambda db: shares.create_share(db, ids, days, user), write=True)
    return page(
        request,
        "reports/share_created.html",
        link=f"{svc.settings.public_url}/r/{token}",
        share=share,
        # In the council's time zone, as the report's own dates.
        expires=Formatter(request_language(request), svc.settings.timezone).when(share.expires_at),
        back=f"/console/report?{_query(share.session_ids)}",
    )


async def save_introduction(request: Request) -> Response:
    """Store one session's introduction, then back to the report page it was typed on."""
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    room = await ownership.session_for(request, str(form.get("session", "")))
    text = str(form.get("introduction", ""))
    await svc.db.run(lambda db: introduction.set_introduction(db, room.id, text), write=True)
    back = str(form.get("back", ""))
    return RedirectResponse(
        back if back.startswith("/console/report?") else f"/console/report?session={room.id}",
        status_code=303,
    )


async def revoke_share(request: Request) -> Response:
    user = ownership.facilitator_id(request)
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    share_id = request.path_params["share_id"]
    await svc.db.run(lambda db: shares.revoke_share(db, share_id, user), write=True)
    back = str(form.get("back", ""))
    return RedirectResponse(back if back.startswith("/console/") else "/console", status_code=303)


# -- share links in the JSON API -----------------------------------------------------


def _share_json(svc: Services, share: ReportShare, token: str | None = None) -> dict[str, Any]:
    """A share link as the API lists it; the link itself only when it is made
    (only its hash is stored)."""
    data: dict[str, Any] = {
        "id": share.public_id,
        "sessions": share.session_ids,
        "status": shares.status(share),
        "created_at": share.created_at.isoformat(),
        "expires_at": share.expires_at.isoformat(),
        "revoked_at": share.revoked_at.isoformat() if share.revoked_at else None,
    }
    if token is not None:
        data["url"] = f"{svc.settings.public_url}/r/{token}"
    return data


async def api_list_shares(request: Request) -> Response:
    user = ownership.facilitator_id(request)
    svc = services(request)
    wanted = request.query_params.getlist("session")
    ids = await _my_session_ids(request) if wanted else None
    found = await svc.db.run(lambda db: shares.shares_of(db, user, ids))
    return JSONResponse({"shares": [_share_json(svc, share) for share in found]})


async def api_create_share(request: Request) -> Response:
    user = ownership.facilitator_id(request)
    svc = services(request)
    data = await json_body(request)
    ids, days = data.get("sessions"), data.get("days")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidMessage(N_("Choose at least one session."))
    if not isinstance(days, int) or isinstance(days, bool):
        raise InvalidMessage(N_("Say for how many days the link is valid."))
    share, token = await svc.db.run(lambda db: shares.create_share(db, ids, days, user), write=True)
    return JSONResponse(_share_json(svc, share, token), status_code=201)


async def api_revoke_share(request: Request) -> Response:
    user = ownership.facilitator_id(request)
    await check_csrf(request)
    svc = services(request)
    share_id = request.path_params["share_id"]
    share = await svc.db.run(lambda db: shares.revoke_share(db, share_id, user), write=True)
    return JSONResponse(_share_json(svc, share))


# -- share links ----------------------------------------------------------------------


async def shared_page(request: Request) -> Response:
    svc = services(request)
    token = request.path_params["token"]
    share = await svc.db.run(lambda db: shares.open_share(db, token))
    sessions = await _load(svc, share.session_ids)
    report = await asyncio.to_thread(_report, svc, sessions, request_language(request))
    lang = _lang_query(request)
    downloads = {name.upper(): _with(f"/r/{token}/report.{name}", lang) for name in SHARED_FORMATS}
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
    if fmt not in SHARED_FORMATS:
        raise NotFound(N_("A shared report comes as html, pdf or json."))
    return await _download(svc, share.session_ids, fmt, request_language(request))


routes = [
    Route("/console/report", report_page),
    Route("/console/report.{fmt}", report_download),
    Route("/console/report/introduction", save_introduction, methods=["POST"]),
    Route("/console/report/shares", create_share, methods=["POST"]),
    Route("/console/report/shares/{share_id}/revoke", revoke_share, methods=["POST"]),
    Route("/api/shares", api_list_shares, methods=["GET"]),
    Route("/api/shares", api_create_share, methods=["POST"]),
    Route("/api/shares/{share_id}", api_revoke_share, methods=["DELETE"]),
    Route("/r/{token}", shared_page),
    Route("/r/{token}/report.{fmt}", shared_download),
]
