"""The in-app deck editor: a deck's working draft (its settings and card list;
one card's form is in deck_cards.py), "Save as new version", and a new deck
from the template.

Plain forms that work without JavaScript. Every form carries the draft's
revision; a save made on an older revision is refused with the name of who
saved in between and what the facilitator typed, never written over theirs
(strategyroom/store/drafts.py). The checker's problems (decks/check.py) are
shown at the fields they name, in the facilitator's language.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from strategyroom.decks import Deck, bundle, editing, library, load_deck
from strategyroom.decks import media as deck_media
from strategyroom.decks.bundle import Bundle
from strategyroom.decks.check import check_document
from strategyroom.decks.messages import Problem
from strategyroom.errors import N_, SessionError
from strategyroom.paths import SAMPLE_DECKS_DIR
from strategyroom.store import drafts
from strategyroom.store import library as store
from strategyroom.store.models import DeckDraft
from strategyroom.web import deck_cards
from strategyroom.web._deck_drafts import (
    Stale,
    conflict,
    editor_form,
    editor_url,
    helpers,
    name_of,
    read_draft,
    saved,
    shown,
)
from strategyroom.web.context import page, request_language, services
from strategyroom.web.security import require_facilitator

TEMPLATE_FILE = "template.yaml"


async def editor_page(request: Request) -> Response:
    deck_id = request.path_params["deck_id"]
    return await _editor(request, await read_draft(request, deck_id))


async def _editor(
    request: Request,
    draft: DeckDraft,
    status_code: int = 200,
    publish_problems: list[Problem] | None = None,
) -> Response:
    document = draft.content
    problems, _ = check_document(copy.deepcopy(document))
    fields = editing.settings_fields(document)
    placed, rest = editing.place_problems(editing.deck_problems(problems), (), fields)
    language = request_language(request)
    cards = [
        {
            "index": index,
            "id": card.get("id", ""),
            "kind": card.get("kind", ""),
            "title": shown(card.get("title"), language, document),
            "problems": len(editing.card_problems(problems, index)),
        }
        for index, card in enumerate(document.get("cards") or [])
        if isinstance(card, dict)
    ]
    by = await services(request).db.run(lambda db: name_of(db, draft.updated_by))
    return page(
        request,
        "console/deck_editor.html",
        status_code=status_code,
        draft=draft,
        document=document,
        fields=fields,
        placed=placed,
        rest=rest,
        cards=cards,
        deck_languages=editing.languages_of(document),
        kinds=_kinds(),
        kinds_names=editing.KIND_NAMES,
        saved=request.query_params.get("saved", ""),
        updated_by=by,
        errors=sum(1 for p in problems if not p.warning),
        warnings=sum(1 for p in problems if p.warning),
        publish_problems=publish_problems,
        stray_languages=editing.stray_languages(document),
        **helpers(language),
    )


def _kinds() -> list[tuple[str, str, dict[str, str]]]:
    """The kinds of card the editor adds: a question of each type, the rest once."""
    found: list[tuple[str, str, dict[str, str]]] = []
    for kind, name in editing.KIND_NAMES.items():
        if kind == "question":
            for qtype, qname in editing.TYPE_NAMES.items():
                found.append((f"question:{qtype}", N_("Question: %(type)s"), {"type": qname}))
        else:
            found.append((kind, name, {}))
    return found


async def save_settings(request: Request) -> Response:
    deck_id = request.path_params["deck_id"]
    form = await editor_form(request)
    draft = await read_draft(request, deck_id)
    document = copy.deepcopy(draft.content)
    fields = editing.settings_fields(document)
    editing.apply(document, fields, form, editing.languages_of(document))
    action = form.get("do", "")
    if action == "add_attribute":
        # A new attribute starts without a label, for the checker to ask for.
        name = form.get("new_attribute", "").strip() or "new"
        attributes = document.get("attributes") or {}
        attributes.setdefault(name, {})
        document["attributes"] = attributes
    elif action.startswith("remove_attribute:"):
        (document.get("attributes") or {}).pop(action.partition(":")[2], None)
    elif action.startswith("drop_language:"):
        editing.drop_language(document, action.partition(":")[2])
    editing.tidy_settings(document)
    then = editor_url(deck_id) + "#settings"
    return await saved(request, deck_id, form, document, then, draft, fields)


async def change_cards(request: Request) -> Response:
    deck_id = request.path_params["deck_id"]
    form = await editor_form(request)
    draft = await read_draft(request, deck_id)
    document = copy.deepcopy(draft.content)
    action, _, at = form.get("do", "").partition(":")
    anchor = "#cards"
    if action == "add":
        document.setdefault("cards", []).append(editing.new_card(document, form.get("kind", "")))
        then = f"{editor_url(deck_id)}/cards/{len(document['cards']) - 1}"
        return await saved(request, deck_id, form, document, then, draft)
    if action in ("up", "down") and at.isdigit():
        moved = editing.move(document, int(at), -1 if action == "up" else 1)
        anchor = f"#move-{action}-{moved}"
    return await saved(request, deck_id, form, document, editor_url(deck_id) + anchor, draft)


# -- a new version, a new deck -----------------------------------------------------


async def publish(request: Request) -> Response:
    """Save as new version: only a draft the checker passes strictly (no
    problem, no missing translation) becomes a library version."""
    user = require_facilitator(request)
    deck_id = request.path_params["deck_id"]
    form = await editor_form(request)
    draft = await read_draft(request, deck_id)
    if form.get("revision") != str(draft.revision):
        by = await services(request).db.run(lambda db: name_of(db, draft.updated_by))
        return conflict(request, deck_id, Stale(draft, by), {}, editor_url(deck_id))
    stored = await services(request).db.run(lambda db: draft_media(db, draft))
    problems, deck = await run_in_threadpool(_checked, draft.content, stored)
    if problems or deck is None:
        return await _editor(request, draft, 400, publish_problems=problems)
    # The version carries the files it names, and no other.
    named = {ref.name for ref in deck_media.references(deck)}
    media = {name: data for name, data in stored.items() if name in named}

    def add(db: Session) -> int:
        added = library.add(db, Bundle(deck, media), int(user["id"]))
        drafts.save(
            db, deck_id, draft.revision, bundle.document(deck), int(user["id"]), added.number
        )
        return added.number

    number = await services(request).db.run(add, write=True)
    return RedirectResponse(f"/console/decks/{deck_id}?added={number}", status_code=303)


def draft_media(db: Session, draft: DeckDraft) -> dict[str, bytes]:
    """The media files a draft may name: those of the version it was made
    from, and those uploaded in the editor (which win: names are hashes)."""
    base = store.media(db, draft.deck_id, draft.base_number) if draft.base_number else {}
    names = {n for n in editing.media_names(draft.content) if n not in base}
    return {**base, **drafts.media(db, draft.deck_id, names)}


def _checked(
    content: dict[str, Any], stored: dict[str, bytes]
) -> tuple[list[Problem], Deck | None]:
    """The strict check of a draft, its media (the version it was made from)
    checked by content as the file checker checks a folder's."""
    with tempfile.TemporaryDirectory() as folder:
        for name, data in stored.items():
            target = Path(folder, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return check_document(copy.deepcopy(content), Path(folder))


async def new_from_template(request: Request) -> Response:
    user = require_facilitator(request)
    form = await editor_form(request)
    new_id = form.get("new_id", "").strip()
    document = bundle.document(load_deck(SAMPLE_DECKS_DIR / TEMPLATE_FILE))
    document["id"] = new_id

    def create(db: Session) -> None:
        if store.deck(db, new_id) is not None or drafts.draft(db, new_id) is not None:
            raise library.DeckExists(N_("There is already a deck called %(name)s."), name=new_id)
        drafts.create(db, new_id, document, None, int(user["id"]))

    if not new_id or len(new_id) > 64 or new_id != new_id.lower() or not _slug(new_id):
        raise SessionError(
            N_(
                "A deck's id is lower-case letters a-z, digits, '-' and '_', beginning "
                "with a letter or a digit, at most 64 characters."
            )
        )
    await services(request).db.run(create, write=True)
    return RedirectResponse(editor_url(new_id), status_code=303)


def _slug(text: str) -> bool:
    return text[0].isalnum() and all(c.isascii() and (c.isalnum() or c in "-_") for c in text)


routes = [
    Route("/console/decks/new", new_from_template, methods=["POST"]),
    Route("/console/decks/{deck_id}/edit", editor_page, methods=["GET"]),
    Route("/console/decks/{deck_id}/edit/settings", save_settings, methods=["POST"]),
    Route("/console/decks/{deck_id}/edit/cards", change_cards, methods=["POST"]),
    Route("/console/decks/{deck_id}/edit/publish", publish, methods=["POST"]),
    *deck_cards.routes,
]
