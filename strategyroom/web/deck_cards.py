"""The deck editor's card pages: one card's form (every field per language
side by side, the checker's problems at their fields, options and evidence
added and removed), and deleting a card after a confirmation page.
"""

from __future__ import annotations

import copy
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from strategyroom.decks import editing
from strategyroom.decks import media as deck_media
from strategyroom.decks.check import check_document
from strategyroom.decks.messages import Problem
from strategyroom.decks.schema import MEDIA_CARDS
from strategyroom.errors import N_, NotFound
from strategyroom.store import drafts
from strategyroom.store.models import DeckDraft
from strategyroom.web._deck_drafts import (
    UPLOAD_LIMIT,
    Stale,
    conflict,
    editor_form,
    editor_form_and_files,
    editor_url,
    helpers,
    read_draft,
    saved,
    shown,
    write_draft,
)
from strategyroom.web.context import page, request_language, services


def _card(draft: DeckDraft, index: int) -> dict[str, Any]:
    cards = draft.content.get("cards") or []
    if not 0 <= index < len(cards) or not isinstance(cards[index], dict):
        raise NotFound(N_("This deck has no card %(number)s."), number=index + 1)
    return dict(cards[index])


async def card_page(request: Request) -> Response:
    deck_id, index = request.path_params["deck_id"], request.path_params["index"]
    draft = await read_draft(request, deck_id)
    _card(draft, index)
    return await _card_form(request, draft, index)


async def _card_form(
    request: Request,
    draft: DeckDraft,
    index: int,
    refused: dict[str, list[Problem]] | None = None,
) -> Response:
    """The card's form; ``refused`` are uploads that were not kept, by field."""
    document = draft.content
    card = _card(draft, index)
    problems, _ = check_document(copy.deepcopy(document))
    fields = editing.card_fields(card, document)
    placed, rest = editing.place_problems(problems, ("cards", index), fields)
    for key, found in (refused or {}).items():
        placed[key] = [*found, *placed.get(key, [])]
    language = request_language(request)
    return page(
        request,
        "console/deck_card.html",
        status_code=400 if refused else 200,
        uploads=card.get("kind") in MEDIA_CARDS,
        draft=draft,
        document=document,
        card=card,
        index=index,
        fields=fields,
        placed=placed,
        rest=rest,
        deck_languages=editing.languages_of(document),
        kind_name=editing.KIND_NAMES.get(str(card.get("kind")), ""),
        title=shown(card.get("title"), language, document),
        saved=request.query_params.get("saved", ""),
        with_options=(card.get("question") or {}).get("type") in editing.WITH_OPTIONS,
        **helpers(language),
    )


async def save_card(request: Request) -> Response:
    deck_id, index = request.path_params["deck_id"], request.path_params["index"]
    form, files = await editor_form_and_files(request)
    draft = await read_draft(request, deck_id)
    document = copy.deepcopy(draft.content)
    card = copy.deepcopy(_card(draft, index))
    fields = editing.card_fields(card, document)
    editing.apply(card, fields, form, editing.languages_of(document))
    refused = await _keep_uploads(request, deck_id, index, card, fields, files)
    action, _, at = form.get("do", "").partition(":")
    anchor = ""
    if action in ("remove_image", "remove_video"):
        card.pop(action.removeprefix("remove_"), None)
        anchor = "#" + editing.group_key((action.removeprefix("remove_"),))
    elif action == "add_option":
        editing.add_option(card)
        anchor = "#options"
    elif action == "remove_option" and at.isdigit():
        editing.remove_at(card.get("question") or {}, "options", int(at))
        anchor = "#options"
    elif action == "add_evidence":
        editing.add_evidence(card)
        anchor = "#evidence"
    elif action == "remove_evidence" and at.isdigit():
        editing.remove_at(card, "evidence", int(at))
        anchor = "#evidence"
    editing.tidy_card(card)
    document["cards"][index] = card
    then = f"{editor_url(deck_id)}/cards/{index}{anchor}"
    if not refused:
        return await saved(request, deck_id, form, document, then, draft, fields)
    # What was typed is saved; the refused file is said at its field.
    try:
        await write_draft(request, deck_id, form.get("revision", ""), document)
    except Stale as stale:
        return conflict(request, deck_id, stale, form, then, fields)
    return await _card_form(request, await read_draft(request, deck_id), index, refused)


async def _keep_uploads(
    request: Request,
    deck_id: str,
    index: int,
    card: dict[str, Any],
    fields: list[editing.Field],
    files: dict[str, bytes],
) -> dict[str, list[Problem]]:
    """Check each uploaded file by its content (decks.media.prepare: an image
    re-encoded), keep what passes with the draft and name it on the card; the
    refusals, by field, in the facilitator's language."""
    refused: dict[str, list[Problem]] = {}
    language = request_language(request)
    for f in fields:
        data = files.get(f.name)
        if f.kind != "file" or data is None:
            continue
        kind = _MEDIA_KINDS["captions" if "captions" in f.path else str(f.path[0])]
        try:
            prepared = await run_in_threadpool(deck_media.prepare_upload, data, kind, UPLOAD_LIMIT)
        except deck_media.MediaError as exc:
            reason = exc.text(language)
            at = ("cards", index, *f.path)
            refused[f.key] = [
                Problem(at, N_("The file was not kept: %(reason)s."), {"reason": reason})
            ]
            continue
        name = editing.upload_name(
            card, f.path, deck_media.SUFFIXES[prepared.content_type], prepared.data
        )
        await services(request).db.run(
            partial(drafts.add_media, deck_id=deck_id, name=name, data=prepared.data),
            write=True,
        )
        editing.put(card, f.path, name)
        if f.path == ("video", "file"):
            card["video"].pop("url", None)  # a file instead of the link
    return refused


_MEDIA_KINDS = {
    "image": deck_media.MediaKind.IMAGE,
    "video": deck_media.MediaKind.VIDEO,
    "captions": deck_media.MediaKind.CAPTIONS,
}


async def delete_page(request: Request) -> Response:
    deck_id, index = request.path_params["deck_id"], request.path_params["index"]
    draft = await read_draft(request, deck_id)
    card = _card(draft, index)
    return page(
        request,
        "console/deck_delete.html",
        draft=draft,
        index=index,
        card_id=card.get("id", ""),
        title=shown(card.get("title"), request_language(request), draft.content),
    )


async def delete_card(request: Request) -> Response:
    deck_id, index = request.path_params["deck_id"], request.path_params["index"]
    form = await editor_form(request)
    draft = await read_draft(request, deck_id)
    _card(draft, index)
    document = copy.deepcopy(draft.content)
    del document["cards"][index]
    return await saved(request, deck_id, form, document, editor_url(deck_id) + "#cards", draft)


routes = [
    Route("/console/decks/{deck_id}/edit/cards/{index:int}", card_page, methods=["GET"]),
    Route("/console/decks/{deck_id}/edit/cards/{index:int}", save_card, methods=["POST"]),
    Route("/console/decks/{deck_id}/edit/cards/{index:int}/delete", delete_page, methods=["GET"]),
    Route("/console/decks/{deck_id}/edit/cards/{index:int}/delete", delete_card, methods=["POST"]),
]
