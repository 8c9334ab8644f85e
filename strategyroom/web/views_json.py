"""Screens as JSON frames (docs/protocol.md), from the same ``Scene`` as the
HTML screens in strategyroom.web.views, so both formats show the same figures."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from strategyroom.aggregate import GroupFigures, Result
from strategyroom.aggregate.agreement import is_split
from strategyroom.decks import Card, Deck
from strategyroom.decks.schema import options_of
from strategyroom.live.drafts import TableView

if TYPE_CHECKING:  # annotations only
    from strategyroom.web.views import Scene


def card_json(deck: Deck, card: Card, language: str) -> dict[str, Any]:
    def t(value: dict[str, str] | None) -> str:
        return deck.text(value, language)

    data: dict[str, Any] = {
        "id": card.id,
        "kind": card.kind.value,
        "title": t(card.title),
        "body": t(card.body),
        "evidence": [
            {
                "label": t(e.label),
                "value": e.value,
                "unit": t(e.unit),
                "currency": e.currency,
                "text": t(e.text),
                "source": e.source,
            }
            for e in card.evidence
        ],
        "question": None,
        "prompt": t(card.prompt),
        "timer": card.timer,
    }
    question = card.question
    if question is not None:
        data["question"] = {
            "id": question.id,
            "type": question.type.value,
            "prompt": t(question.prompt),
            "scope": question.scope,
            "options": [{"id": o.id, "label": t(o.label)} for o in options_of(question)],
            **_question_settings(question, t),
        }
    return data


def _question_settings(question: Any, t: Callable[[Any], str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name in ("min", "max", "max_choices", "total", "max_length"):
        if hasattr(question, name):
            settings[name] = getattr(question, name)
    for name in ("min_label", "max_label"):
        if hasattr(question, name):
            settings[name] = t(getattr(question, name))
    # Profile questions may be answered "prefer-not-to-say" (docs/protocol.md, section 5).
    if getattr(question, "profile", False):
        settings["profile"] = True
    return settings


def snapshot_json(
    scene: Scene, language: str, my_answers: dict[str, Any], seat: dict[str, Any]
) -> str:
    card = scene.card
    current = scene.current_results if scene.results_visible else None
    view = scene.table_view(seat.get("table")) if seat else None
    return _dumps(
        {
            "type": "snapshot",
            **scene.state.to_dict(),
            "card": card_json(scene.deck, card, language) if card else None,
            "results": current.model_dump(mode="json") if current else None,
            "answers": my_answers,
            "seat": seat,
            "table_draft": draft_json(view, scene) if view else None,
            "table_results": _table_results(scene, seat.get("table")),
        }
    )


def _table_results(scene: Scene, table: int | None) -> dict[str, Any] | None:
    """The device's table's figures beside the room's revealed results."""
    card = scene.card
    if table is None or not scene.results_visible or card is None or card.question is None:
        return None
    if card.question.scope != "individual":
        return None
    return figures_json(scene.table_figures.get(table))


def draft_json(view: TableView, scene: Scene | None) -> dict[str, Any]:
    """A table's draft with the figures its devices see beside it (none without
    a scene): a package's ``impact`` (the meter) and the table's ``agreement`` on
    the question the draft follows on (the split flag)."""
    figures = scene.table_figures.get(view.table) if scene is not None else None
    impact = figures.impact if figures is not None else None
    return {
        **view.to_dict(),
        "impact": impact.model_dump(mode="json") if impact else None,
        "agreement": _prior_agreement(scene, view.table) if scene is not None else None,
    }


def _prior_agreement(scene: Scene, table: int) -> dict[str, Any] | None:
    """The table's agreement on its question's prior question (strategyroom.live.
    figures.prior_question), when the scene has it (that question's reveal rule):
    what an HTML phone flags as split, with the same figure and threshold."""
    prior = scene.prior_question
    figures = scene.prior_figures.get(table)
    if prior is None or figures is None or figures.agreement is None:
        return None
    value = figures.agreement
    return {"question": prior.id, "value": value, "split": is_split(value)}


def table_draft_json(view: TableView, kind: str = "table_draft", scene: Scene | None = None) -> str:
    """A table's draft: pushed to its devices as ``table_draft``, and the reply to
    the device that saved it as ``draft_saved`` (no scene: its figures are null,
    the ``table_draft`` that follows carries them)."""
    return _dumps({"type": kind, **draft_json(view, scene)})


def figures_json(figures: GroupFigures | None) -> dict[str, Any] | None:
    """A table's figures on a question: its result, agreement and package impact."""
    if figures is None:
        return None
    return {
        "table": int(figures.group) if figures.group.isdigit() else None,
        "respondents": figures.respondents,
        "agreement": figures.agreement,
        "results": figures.result.model_dump(mode="json") if figures.result else None,
        "impact": figures.impact.model_dump(mode="json") if figures.impact else None,
    }


def timer_json(scene: Scene) -> str:
    timer = scene.state.timer
    return _dumps(
        {
            "type": "timer",
            "card": scene.state.current_card,
            "ends_at": timer.ends_at if timer else None,
            "remaining": scene.timer_left,
        }
    )


def results_json(question_id: str, result: Result, table: GroupFigures | None = None) -> str:
    return _dumps(
        {
            "type": "results",
            "question": question_id,
            "results": result.model_dump(mode="json"),
            "table": figures_json(table),
        }
    )


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
