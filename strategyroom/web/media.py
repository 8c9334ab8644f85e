"""Serving a deck's media: the images, videos and caption files its cards show.

Three routes serve the same files: a session's (``/s/{code}/media/{name}``,
for the phones, tablets, projector and console of that session) and, for the
card previews, a deck's (``/console/decks/{deck}/media/{name}``) and a deck
draft's (``/console/decks/{deck}/edit/media/{name}``, facilitators only).
A name the deck does not give is not served, whatever is in the folder; a file
is served as decks.media prepared it (re-encoded images; videos and captions
checked by content), with its own content type and no way to run as a page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from strategyroom.decks import Deck, editing
from strategyroom.decks import media as deck_media
from strategyroom.live.errors import N_, NotFound
from strategyroom.store import drafts
from strategyroom.store import library as library_store
from strategyroom.web.console import library_deck
from strategyroom.web.context import Services, services
from strategyroom.web.limits import find_session
from strategyroom.web.security import require_facilitator

# A media file is never a page: no script, no form, no plug-in, even opened
# on its own; and another site may not embed it.
MEDIA_HEADERS = {
    "content-security-policy": "default-src 'none'; sandbox",
    "cross-origin-resource-policy": "same-origin",
    # A deck's file may be edited between evenings: a browser asks again after
    # an hour, and the ETag spares it the bytes when nothing changed.
    "cache-control": "public, max-age=3600",
}


# Where a deck's files come from: a name and the kind the deck names it as,
# to the prepared file.
Reader = Callable[[str, deck_media.MediaKind], Awaitable[deck_media.Prepared]]

# Prepared files of library versions, which never change once written; images
# are re-encoded once, not for every phone that loads them.
_PREPARED: dict[tuple[str, int, str], deck_media.Prepared] = {}
_PREPARED_LIMIT = 64


def folder_reader(request: Request) -> Reader:
    """The media folder beside the deck files (``STRATEGYROOM_DECKS_DIR``): a
    session opened before the deck library, which has no version number."""
    folder = services(request).settings.decks_dir / deck_media.MEDIA_FOLDER

    async def read(name: str, kind: deck_media.MediaKind) -> deck_media.Prepared:
        return await run_in_threadpool(deck_media.read, folder, name, kind)

    return read


def library_reader(svc: Services, deck_id: str, number: int) -> Reader:
    """The media files stored with a library version of a deck."""

    async def read(name: str, kind: deck_media.MediaKind) -> deck_media.Prepared:
        key = (deck_id, number, name)
        if (hit := _PREPARED.get(key)) is not None:
            return hit
        data = await svc.db.run(lambda db: library_store.media_file(db, deck_id, number, name))
        if data is None:
            raise deck_media.MediaError(N_("There is no such media file."))
        prepared = await run_in_threadpool(deck_media.prepare, data, kind)
        if kind is deck_media.MediaKind.VIDEO:
            # Served from a file so that players may ask for ranges (they seek).
            prepared = await run_in_threadpool(_as_file, svc, prepared)
        if len(_PREPARED) >= _PREPARED_LIMIT:
            _PREPARED.pop(next(iter(_PREPARED)))
        _PREPARED[key] = prepared
        return prepared

    return read


def _as_file(svc: Services, prepared: deck_media.Prepared) -> deck_media.Prepared:
    """The prepared bytes written once to the data directory's media cache (by
    their hash: the same video in two versions is one file)."""
    folder = svc.settings.data_dir / "media-cache"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / hashlib.sha256(prepared.data).hexdigest()
    if not path.exists():
        partial = path.with_suffix(".part")
        partial.write_bytes(prepared.data)
        partial.chmod(0o600)
        partial.replace(path)
    return deck_media.Prepared(prepared.content_type, b"", path)


async def media_response(request: Request, deck: Deck, name: str, read: Reader) -> Response:
    kind = deck_media.kind_of(deck, name)
    missing = NotFound(N_("There is no such media file."))
    if kind is None:
        raise missing
    try:
        prepared = await read(name, kind)
    except deck_media.MediaError:
        raise missing from None
    return prepared_response(request, prepared)


def prepared_response(request: Request, prepared: deck_media.Prepared) -> Response:
    if prepared.file is not None:
        # Starlette answers Range requests (a phone's video player seeks in them).
        response: Response = FileResponse(
            prepared.file, media_type=prepared.content_type, headers=MEDIA_HEADERS
        )
        return response
    etag = '"' + hashlib.sha256(prepared.data).hexdigest()[:32] + '"'
    headers = {**MEDIA_HEADERS, "etag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(prepared.data, media_type=prepared.content_type, headers=headers)


async def session_media(request: Request) -> Response:
    svc = services(request)
    room = await find_session(svc, request, request.path_params["code"], shared=True)
    deck, name = svc.sessions.deck(room), request.path_params["name"]
    # The files of the version the session runs with: a later version's never.
    if room.deck_number is None:
        read = folder_reader(request)
    else:
        read = library_reader(svc, room.deck_id, room.deck_number)
    return await media_response(request, deck, name, read)


async def deck_media_file(request: Request) -> Response:
    """A deck's files for its card previews: its newest version's."""
    require_facilitator(request)
    svc = services(request)
    deck, number = await library_deck(svc, request.path_params["deck"])
    read = library_reader(svc, deck.id, number)
    return await media_response(request, deck, request.path_params["name"], read)


async def draft_media_file(request: Request) -> Response:
    """A file a deck's draft names, for the editor's previews: uploaded in
    the editor, or of the version the draft was made from."""
    require_facilitator(request)
    svc = services(request)
    deck_id, name = request.path_params["deck"], request.path_params["name"]

    def read(db: Session) -> tuple[str | None, bytes | None]:
        draft = drafts.draft(db, deck_id)
        if draft is None:
            return None, None
        kind = editing.media_named(draft.content).get(name)
        data = drafts.media_file(db, deck_id, name)
        if data is None and kind is not None and draft.base_number is not None:
            data = library_store.media_file(db, deck_id, draft.base_number, name)
        return kind, data

    kind, data = await svc.db.run(read)
    if kind is None or data is None:
        raise NotFound(N_("There is no such media file."))
    try:
        prepared = await run_in_threadpool(deck_media.prepare, data, deck_media.MediaKind(kind))
    except deck_media.MediaError:
        raise NotFound(N_("There is no such media file.")) from None
    return prepared_response(request, prepared)


routes = [
    Route("/s/{code}/media/{name:path}", session_media),
    Route("/console/decks/{deck}/media/{name:path}", deck_media_file),
    Route("/console/decks/{deck}/edit/media/{name:path}", draft_media_file),
]
