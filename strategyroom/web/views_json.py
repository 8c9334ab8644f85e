"""Screens as JSON frames (docs/protocol.md), from the same ``Scene`` as the
HTML screens in strategyroom.web.views, so both formats show the same figures:
what a scene holds (strategyroom.live.readmodel decides) is what a frame carries."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from strategyroom import i18n
from strategyroom.aggregate import MIN_GROUP, GroupFigures, Result
from strategyroom.aggregate.agreement import is_split
from strategyroom.aggregate.weighting import town_in
from strategyroom.decks import Card, Deck, Question
from strategyroom.decks.schema import options_of
from strategyroom.live.drafts import TableView
from strategyroom.live.errors import N_

if TYPE_CHECKING:  # annotations only
    from strategyroom.aggregate.themes import Themes
    from strategyroom.live.help import HelpFlag
    from strategyroom.live.insight import Insight
from strategyroom.live.scene import Scene


def media_base(code: str) -> str:
    """Where a session's deck media are served (strategyroom.web.media)."""
    return f"/s/{code}/media/"


def card_json(deck: Deck, card: Card, language: str, media: str) -> dict[str, Any]:
    """A card in the reader's language; ``media``: where its files are served.
    Never the facilitator's ``notes``: they are the console's alone."""

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
                "source": t(e.source),
            }
            for e in card.evidence
        ],
        "question": None,
        "prompt": t(card.prompt),
        "timer": card.timer,
        "image": None,
        "video": None,
    }
    if card.image is not None:
        data["image"] = {"src": media + card.image.file, "alt": t(card.image.alt)}
    video = card.video
    if video is not None:
        data["video"] = {
            "src": video.url or media + (video.file or ""),
            "title": t(video.title),
            "captions": [
                {"language": code, "src": media + name} for code, name in video.captions.items()
            ],
        }
    question = card.question
    if question is not None:
        data["question"] = {
            "id": question.id,
            "type": question.type.value,
            "prompt": t(question.prompt),
            "help": t(question.help),
            "scope": question.scope,
            "reveal": question.reveal,
            "options": [
                {
                    "id": o.id,
                    "label": t(o.label),
                    "description": t(o.description),
                    "attributes": o.attributes,
                }
                for o in options_of(question)
            ],
            **_question_settings(deck, question, t),
        }
    return data


def _question_settings(deck: Deck, question: Any, t: Callable[[Any], str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name in ("min", "max", "max_choices", "total", "max_length", "currency"):
        if hasattr(question, name):
            settings[name] = getattr(question, name)
    for name in ("min_label", "max_label", "unit"):
        if hasattr(question, name):
            settings[name] = t(getattr(question, name))
    # The cap a package answer may not exceed, with what it counts, so a client
    # can show it (and the running total) before the server refuses an answer.
    if hasattr(question, "package"):
        package = question.package
        attribute = deck.attributes.get(package.cap_attribute) if package else None
        settings["package"] = (
            {
                "cap_attribute": package.cap_attribute,
                "cap": package.cap,
                "label": t(attribute.label) if attribute else "",
                "unit": t(attribute.unit) if attribute else "",
                "currency": attribute.currency if attribute else None,
            }
            if package is not None
            else None
        )
    # Profile questions may be answered "prefer-not-to-say" (docs/protocol.md, section 5).
    if getattr(question, "profile", False):
        settings["profile"] = True
    return settings


def snapshot_json(
    scene: Scene, language: str, my_answers: dict[str, Any], seat: dict[str, Any]
) -> str:
    card = scene.card
    current = scene.current_results
    view = scene.table_view(seat.get("table")) if seat else None
    return _dumps(
        {
            "type": "snapshot",
            **scene.state.to_dict(),
            "card": (
                card_json(scene.deck, card, language, media_base(scene.room.join_code))
                if card
                else None
            ),
            "results": current.model_dump(mode="json") if current else None,
            "answers": my_answers,
            "seat": seat,
            "table_draft": draft_json(view, scene) if view else None,
            "table_results": figures_json(scene.table_results(seat.get("table"))),
            "help": help_json(scene.help_of(seat.get("table") if seat else None)),
        }
    )


def help_json(flag: HelpFlag | None) -> str | None:
    """A device's own table's call for the facilitator: "requested", "acknowledged"
    (help is on the way) or None."""
    return flag.state.value if flag is not None and flag.state is not None else None


def flag_json(flag: HelpFlag | None) -> dict[str, Any] | None:
    """A table's flag as the console's overview has it (the JSON API)."""
    if flag is None:
        return None
    return {"state": help_json(flag), "reasons": [reason.value for reason in flag.reasons]}


def help_frame(table: int, flag: HelpFlag | None) -> str:
    """The ``help`` frame: where the table's call stands now."""
    return _dumps({"type": "help", "table": table, "state": help_json(flag)})


def draft_json(view: TableView, scene: Scene | None) -> dict[str, Any]:
    """A table's draft with the figures its devices see beside it (none without
    a scene): a package's ``impact`` (the meter) and the table's ``agreement`` on
    the question the draft follows on (the split flag)."""
    figures = scene.draft_figures(view.table) if scene is not None else None
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
    prior = scene.prior_question  # the shown question's: none for a draft kept open
    figures = scene.prior_figures.get(table)
    if (
        scene.drafted is not scene.question
        or prior is None
        or figures is None
        or figures.agreement is None
    ):
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
        # Fewer than policy.MIN_GROUP answered: no distribution, agreement or impact.
        "suppressed": figures.suppressed,
        "agreement": figures.agreement,
        "results": figures.result.model_dump(mode="json") if figures.result else None,
        "impact": figures.impact.model_dump(mode="json") if figures.impact else None,
    }


def insight_json(insight: Insight, deck: Deck, language: str) -> dict[str, Any]:
    """The console's insight panel with every figure weighted to the town (the
    JSON API): the report JSON's ``insight`` shapes, and the report's warning
    in words when the weights are extreme."""
    weighting = insight.weighting
    weighted = None
    if weighting is not None:
        warning = None
        if weighting.extreme:
            effective = i18n.format_number(weighting.effective, language, 1)
            warning = i18n.gettext(language, EXTREME_WEIGHTS) % {"effective": effective}
        weighted = {**weighting.model_dump(mode="json"), "warning": warning}
    return {
        "min_group": MIN_GROUP,
        "opinion": insight.groups.model_dump(mode="json"),
        "town": [c.model_dump(mode="json") for c in town_in(deck, insight.town, language)],
        "weighting": weighted,
    }


# The report's words (strategyroom.reports.summary), in the caller's language.
EXTREME_WEIGHTS = N_(
    "The weights to the town are extreme: the weighted figures are as precise "
    "as %(effective)s residents' answers would be."
)


def themes_json(question: Question, found: Themes) -> dict[str, Any]:
    """A text question's themes as the console's panel shows them: key words or
    the facilitator's name, size, quotes, and whether edited by hand."""
    return {
        "question": question.id,
        "comments": found.comments,
        "themes": [
            {
                "label": theme.label,
                "size": theme.size,
                "quotes": [quote.text for quote in theme.quotes],
                "edited": theme.edited,
            }
            for theme in found.themes
        ],
        "unthemed": len(found.unthemed),
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


def resumed_json(seq: int) -> str:
    """Ends a replay (docs/protocol.md, section 3): the resume was accepted and
    the client is up to date at ``seq``."""
    return _dumps({"type": "resumed", "seq": seq})


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
