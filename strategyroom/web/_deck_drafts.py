"""What the deck editor's pages share (strategyroom/web/deck_editor.py and
deck_cards.py): reading and saving a draft (a save on an older revision is
refused with who saved in between, never written over), the form with its CSRF
check, and the helpers its templates draw fields and problems with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import Message

from strategyroom import i18n
from strategyroom.decks import bundle, editing, library
from strategyroom.errors import N_, NotFound
from strategyroom.store import drafts
from strategyroom.store.models import DeckDraft, Facilitator
from strategyroom.text import clean_text
from strategyroom.web.context import page, request_language, services
from strategyroom.web.decks import TooLarge
from strategyroom.web.security import check_csrf, require_facilitator


@dataclass
class Stale(Exception):
    """A save on a revision someone else has saved over."""

    current: DeckDraft
    by: str


def editor_url(path: str) -> str:
    return f"/console/decks/{path}/edit"


async def read_draft(request: Request, deck_id: str) -> DeckDraft:
    """The deck's draft, made from its newest version when it has none."""
    user = require_facilitator(request)

    def read(db: Session) -> DeckDraft:
        found = drafts.draft(db, deck_id)
        if found is not None:
            return found
        newest = library.version(db, deck_id)
        return drafts.create(db, deck_id, newest.content, newest.number, int(user["id"]))

    return await services(request).db.run(read, write=True)


async def write_draft(
    request: Request, deck_id: str, revision: str, content: dict[str, Any]
) -> None:
    user = require_facilitator(request)
    given = int(revision) if revision.isdigit() else -1

    def write(db: Session) -> None:
        if not drafts.save(db, deck_id, given, content, int(user["id"])):
            current = drafts.draft(db, deck_id)
            if current is None:
                raise NotFound(N_("There is no deck called %(name)s."), name=deck_id)
            raise Stale(current, name_of(db, current.updated_by))

    await services(request).db.run(write, write=True)


def name_of(db: Session, facilitator_id: int | None) -> str:
    found = db.get(Facilitator, facilitator_id) if facilitator_id is not None else None
    return found.username if found is not None else "?"


async def editor_form(request: Request) -> dict[str, str]:
    form = await request.form()
    await check_csrf(request, form)
    return {k: clean_text(v) for k, v in form.items() if isinstance(v, str)}


# An uploaded file may be as large as a deck bundle lets a media file be, so
# that the exported zip imports again; a card form sends at most an image, a
# video and a few caption files.
UPLOAD_LIMIT = bundle.MAX_MEDIA_BYTES
CARD_FORM_LIMIT = 3 * UPLOAD_LIMIT + 512 * 1024


async def editor_form_and_files(request: Request) -> tuple[dict[str, str], dict[str, bytes]]:
    """A card form's fields and its uploaded files (only those chosen), the
    body read no further than CARD_FORM_LIMIT."""
    too_large = TooLarge(N_("The file is larger than %(limit)s MB."), limit=UPLOAD_LIMIT // 2**20)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > CARD_FORM_LIMIT:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > CARD_FORM_LIMIT:
            raise too_large
        chunks.append(chunk)
    body = b"".join(chunks)

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, receive).form(max_files=20, max_fields=2000)
    await check_csrf(request, form)
    fields = {k: clean_text(v) for k, v in form.items() if isinstance(v, str)}
    files: dict[str, bytes] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile) and value.filename:
            data = await value.read()
            if data:
                files[key] = data
    return fields, files


def shown(value: Any, language: str, document: dict[str, Any]) -> str:
    if not isinstance(value, dict) or not value:
        return ""
    default = document.get("default_language")
    for key in (language, default, "*"):
        if isinstance(key, str) and key in value:
            return str(value[key])
    return str(next(iter(value.values())))


def helpers(language: str) -> dict[str, Any]:
    def label(msgid: str, params: Any = None) -> str:
        text = i18n.gettext(language, msgid)
        if params:
            text = text % {
                k: i18n.gettext(language, v) if isinstance(v, str) else v
                for k, v in dict(params).items()
            }
        return text

    def language_label(code: str) -> str:
        if code == "*":
            return i18n.gettext(language, N_("Every language"))
        return f"{i18n.language_name_in(code, language)} ({code})"

    return {
        "label": label,
        "language_label": language_label,
        "value_at": editing.value_at,
        "text_languages": editing.text_languages,
        "problem_text": lambda problem: problem.text(language),
        "grouped": editing.grouped_fields,
        "group_key": editing.group_key,
        "shown_value": _shown_value,
    }


def _shown_value(value: Any) -> str:
    """A value as its field shows it: 5000 (not 5000.0), languages as "en, da"."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


async def saved(
    request: Request,
    deck_id: str,
    form: dict[str, str],
    document: dict[str, Any],
    then: str,
    draft: DeckDraft,
    fields: Sequence[editing.Field] = (),
) -> Response:
    try:
        await write_draft(request, deck_id, form.get("revision", ""), document)
    except Stale as stale:
        return conflict(request, deck_id, stale, form, then, fields)
    separator = "&" if "?" in then.partition("#")[0] else "?"
    path, _, anchor = then.partition("#")
    return RedirectResponse(
        f"{path}{separator}saved=1{'#' + anchor if anchor else ''}", status_code=303
    )


def conflict(
    request: Request,
    deck_id: str,
    stale: Stale,
    form: dict[str, str],
    back: str,
    fields: Sequence[editing.Field] = (),
) -> Response:
    """The refusal of a stale save: who saved, and what this facilitator typed
    (each value under its field's label), to copy before reloading."""
    told = helpers(request_language(request))
    names: dict[str, str] = {}
    for f in fields:
        said = told["label"](f.label, f.params)
        if f.group:
            said = f"{told['label'](*f.group)} › {said}"
        names[f.name] = said
        if f.kind == "text":
            for key in form:
                code = key.removeprefix(f.name + ".")
                if key.startswith(f.name + ".") and "." not in code:
                    names[key] = f"{said}, {told['language_label'](code)}"
    typed = [(names.get(k, k[2:]), v) for k, v in form.items() if k.startswith("f.") and v.strip()]
    return page(
        request,
        "console/deck_conflict.html",
        status_code=409,
        deck_id=deck_id,
        by=stale.by,
        at=stale.current.updated_at,
        revision=stale.current.revision,
        back=back.partition("#")[0],
        typed=typed,
    )
