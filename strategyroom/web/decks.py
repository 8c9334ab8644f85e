"""The deck library for facilitators: the list of decks, uploading a deck file or
zip bundle, a deck's versions, downloading any version as a zip, and copying a
deck to a new one (strategyroom/decks/library.py does the work).

The library is shared by the server's facilitators, as the decks folder is:
every facilitator sees and uses every deck, and a version once stored never
changes, so nobody's past session or report can be altered through it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Message

from strategyroom import i18n
from strategyroom.decks import bundle, library
from strategyroom.errors import N_, NotFound, SessionError
from strategyroom.store import library as store
from strategyroom.store.models import DeckVersion, Facilitator, LibraryDeck
from strategyroom.text import clean_text
from strategyroom.web.context import Services, page, request_language, services
from strategyroom.web.security import check_csrf, require_facilitator

# The multipart body around the file: its boundary lines, headers and the token.
FORM_OVERHEAD = 64 * 1024


class TooLarge(SessionError):
    code = "too_large"
    status = 413


async def sync_samples(svc: Services) -> None:
    """The decks folder into the library, as the pages that list or open decks
    are drawn: a file dropped into sessions/ while the server runs is there at
    once, as it was before the library. The folder is read again only when a
    file in it (or under its media/) was added, removed or changed: previews
    and media ask on every request, and reading every deck costs more."""
    folder = svc.settings.decks_dir
    seen = await run_in_threadpool(_folder_state, folder)
    if seen == svc.samples_seen:
        return
    await svc.db.run(lambda db: library.sync_samples(db, folder), write=True)
    svc.samples_seen = seen


def _folder_state(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file's name, size and modification time, the folder's own first."""
    found: list[tuple[str, int, int]] = []
    for path in [folder, *sorted(folder.rglob("*"))] if folder.is_dir() else []:
        try:
            stat = path.stat()
        except OSError:  # removed while it was listed
            continue
        found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


async def decks_page(request: Request) -> Response:
    require_facilitator(request)
    await sync_samples(services(request))
    return await _decks(request)


async def _decks(request: Request, problems: list[str] | None = None) -> Response:
    decks = await services(request).db.run(store.decks)
    return page(
        request,
        "console/decks.html",
        status_code=400 if problems else 200,
        decks=decks,
        problems=problems or [],
        max_mb=bundle.MAX_UPLOAD // 2**20,
    )


async def upload(request: Request) -> Response:
    user = require_facilitator(request)
    form = await _bounded_form(request)
    await check_csrf(request, form)
    sent = form.get("file")
    language = request_language(request)
    if not isinstance(sent, UploadFile) or not sent.filename:
        return await _decks(request, [i18n.gettext(language, N_("Choose a file to upload."))])
    data = await sent.read()
    try:
        found = bundle.read_upload(data, sent.filename, language)
    except bundle.BundleRefused as exc:
        return await _decks(request, [line.strip() for line in exc.problems])
    added = await services(request).db.run(
        lambda db: library.add(db, found, int(user["id"])), write=True
    )
    outcome = "added" if added.new else "unchanged"
    return RedirectResponse(
        f"/console/decks/{added.deck_id}?{outcome}={added.number}", status_code=303
    )


async def _bounded_form(request: Request) -> Any:
    """The form of an upload, its body read no further than the limit (a body
    without a length is counted as it arrives)."""
    limit = bundle.MAX_UPLOAD + FORM_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(
            N_("The file is larger than %(limit)s MB."), limit=bundle.MAX_UPLOAD // 2**20
        )
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(
                N_("The file is larger than %(limit)s MB."), limit=bundle.MAX_UPLOAD // 2**20
            )
        chunks.append(chunk)
    body = b"".join(chunks)

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return await Request(request.scope, receive).form(max_files=1, max_fields=4)


async def deck_page(request: Request) -> Response:
    require_facilitator(request)
    deck_id = request.path_params["deck_id"]

    def read(db: Session) -> tuple[LibraryDeck, list[DeckVersion], dict[int, str]]:
        found = store.deck(db, deck_id)
        if found is None:
            raise NotFound(N_("There is no deck called %(name)s."), name=deck_id)
        versions = store.versions(db, deck_id)
        ids = {v.created_by for v in versions if v.created_by is not None}
        names = {f.id: f.username for f in (db.get(Facilitator, i) for i in ids) if f and f.id}
        return found, versions, names

    found, versions, names = await services(request).db.run(read)
    return page(
        request,
        "console/deck.html",
        deck=found,
        versions=versions,
        authors=names,
        added=request.query_params.get("added", ""),
        unchanged=request.query_params.get("unchanged", ""),
        error="",
    )


async def download(request: Request) -> Response:
    require_facilitator(request)
    deck_id, number = request.path_params["deck_id"], request.path_params["number"]
    found, data = await services(request).db.run(lambda db: library.export(db, deck_id, number))
    name = f"{found.deck_id}-v{found.number}.zip"
    return Response(
        data,
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


async def copy(request: Request) -> Response:
    user = require_facilitator(request)
    form = await request.form()
    await check_csrf(request, form)
    deck_id = request.path_params["deck_id"]
    new_id = clean_text(str(form.get("new_id", ""))).strip()
    added = await services(request).db.run(
        lambda db: library.copy(db, deck_id, None, new_id, int(user["id"])), write=True
    )
    return RedirectResponse(f"/console/decks/{added.deck_id}?added=1", status_code=303)


async def library_json(request: Request) -> Response:
    """``GET /api/library``: every deck with its versions, newest first."""
    require_facilitator(request)
    svc = services(request)
    await sync_samples(svc)

    def read(db: Session) -> list[dict[str, Any]]:
        return [
            {
                "id": deck.id,
                "title": deck.title,
                "latest": deck.latest,
                "sample_file": deck.sample_file,
                "versions": [_version_json(v) for v in store.versions(db, deck.id)],
            }
            for deck in store.decks(db)
        ]

    return JSONResponse({"decks": await svc.db.run(read)})


async def version_json(request: Request) -> Response:
    """``GET /api/library/{deck_id}/{number}``: one version with its document."""
    require_facilitator(request)
    deck_id, given = request.path_params["deck_id"], str(request.path_params["number"])
    if not given.isdigit() or len(given) > 9:
        raise NotFound(
            N_("The deck %(name)s has no version %(number)s."), name=deck_id, number=given
        )
    number = int(given)

    def read(db: Session) -> dict[str, Any]:
        found = library.version(db, deck_id, number)
        media = store.media(db, deck_id, found.number)
        return {
            **_version_json(found),
            "deck": found.deck_id,
            "document": found.content,
            "media": [{"name": name, "size": len(data)} for name, data in media.items()],
        }

    return JSONResponse(await services(request).db.run(read))


def _version_json(found: DeckVersion) -> dict[str, Any]:
    return {
        "number": found.number,
        "content_hash": found.content_hash,
        "created_at": found.created_at.isoformat(),
        "created_by": found.created_by,
    }


routes = [
    Route("/api/library", library_json, methods=["GET"]),
    Route("/api/library/{deck_id}/{number}", version_json, methods=["GET"]),
    Route("/console/decks", decks_page, methods=["GET"]),
    Route("/console/decks", upload, methods=["POST"]),
    Route("/console/decks/{deck_id}", deck_page, methods=["GET"]),
    Route("/console/decks/{deck_id}/copy", copy, methods=["POST"]),
    Route("/console/decks/{deck_id}/{number:int}.zip", download, methods=["GET"]),
]
