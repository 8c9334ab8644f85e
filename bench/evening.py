"""A made-up evening: residents at tables, each table with a shared tablet that
submits the table's answers to table questions, answering every question of a
deck with random (seeded) answers, stored as the live session stores them.

The README's example report (scripts/report_example.py) is one with 40
residents at 5 tables; the benchmark times the report of one with thousands
(``python -m bench --report-people``).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from strategyroom.aggregate import AnswerRow, aggregate
from strategyroom.decks import Deck, Question
from strategyroom.decks.answers import parse_answer
from strategyroom.decks.schema import (
    PREFER_NOT_TO_SAY,
    Budget,
    MultipleChoice,
    Ranking,
    Scale,
    SingleChoice,
    options_of,
)
from strategyroom.live.errors import InvalidAnswer
from strategyroom.store.db import Database
from strategyroom.store.models import (
    Answer,
    DeviceKind,
    Facilitator,
    Participant,
    QuestionRun,
    QuestionState,
    RoomSession,
    RoomTable,
    SessionStatus,
    TableAnswer,
)

PEOPLE, TABLES = 40, 5  # the README's example evening
TABLE_NAMES = {5: "Library corner"}  # the others are numbered only
START = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
COMMENTS = [
    "More buses in the evening, please.",
    "Keep the market square car-free on Saturdays.",
    "Solar panels on every school roof!",
    "Heat pumps are too expensive for pensioners.",
    "Plant trees along the ring road.",
]


def random_answer(question: Question, rnd: random.Random, person: int, lean: int = 0) -> Any:
    """A plausible answer that fits the question (a capped package is redrawn).
    ``lean`` (1, 2, ...) makes a neighbourhood favour its own option of each
    question and its own end of each scale; 0 draws as before, number for number."""
    ids = [o.id for o in options_of(question)]
    favourite = ids[lean % len(ids)] if lean and ids else None
    for _ in range(100):
        match question:
            case SingleChoice():
                value: Any = rnd.choice(ids + [PREFER_NOT_TO_SAY] * question.profile)
                if favourite and not question.profile and rnd.random() < 0.5:
                    value = favourite
            case MultipleChoice():
                value = rnd.sample(ids, rnd.randint(1, question.max_choices or 2))
                if favourite and favourite not in value and rnd.random() < 0.7:
                    value = [favourite, *value[1:]]
            case Scale():
                low, high = question.min, question.max
                shift = 0.8 + (lean - 2) * 0.6 if lean else 0.8
                value = min(high, max(low, round(rnd.gauss((low + high) / 2 + shift, 1))))
            case Ranking():
                value = rnd.sample(ids, len(ids))
            case Budget():
                total = question.total
                cuts = sorted(rnd.randint(0, total) for _ in ids[1:])
                value = dict(
                    zip(
                        ids,
                        [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)],
                        strict=True,
                    )
                )
            case _:
                value = COMMENTS[person % len(COMMENTS)]
        try:
            return parse_answer(question, value)
        except InvalidAnswer:
            continue
    raise RuntimeError(f"no answer fits {question.id}")


def _people(deck: Deck, ids: list[str], tablets: list[str]) -> list[Any]:
    """The session, its tables, the residents (seated in turn) and the tablets."""
    rows: list[Any] = [
        RoomSession(
            id="example",
            join_code="EXAMPL",
            title="Northside, 12 March",
            deck_id=deck.id,
            deck_version=deck.version,
            deck=deck.model_dump(mode="json"),
            status=SessionStatus.ENDED,
            epoch="example",
            created_by=1,
            created_at=START,
        )
    ]
    rows += [
        RoomTable(session_id="example", number=t, name=TABLE_NAMES.get(t, ""))
        for t in range(1, len(tablets) + 1)
    ]
    for i, pid in enumerate([*ids, *tablets]):
        tablet = i >= len(ids)
        rows.append(
            Participant(
                id=pid,
                session_id="example",
                token_hash=pid,
                language="en",
                joined_at=START + timedelta(seconds=i),
                number=i + 1,
                device=DeviceKind.TABLET if tablet else DeviceKind.PHONE,
                table_number=1 + (i - len(ids) if tablet else i % len(tablets)),
            )
        )
    return rows


def _answers(
    question: Question,
    n: int,
    ids: list[str],
    tablets: list[str],
    rnd: random.Random,
    lean: int = 0,
) -> list[Any]:
    """Every resident's answer, or for a table question each table's (its tablet submits)."""
    if question.scope == "table":
        return [
            TableAnswer(
                session_id="example",
                question_id=question.id,
                table_number=t + 1,
                value=random_answer(question, rnd, t, lean),
                revision=1,
                submission_id=f"{n}-{t}",
                submitted_by=tablet,
                submitted_at=START + timedelta(minutes=8 + 4 * n, seconds=t),
            )
            for t, tablet in enumerate(tablets)
        ]
    return [
        Answer(
            session_id="example",
            question_id=question.id,
            participant_id=pid,
            value=random_answer(question, rnd, i, lean),
            client_answer_id=f"{n}-{i}",
            answered_at=START + timedelta(minutes=5 + 4 * n, seconds=i),
        )
        for i, pid in enumerate(ids)
    ]


def make_session(
    db: Database,
    deck: Deck,
    seed: int,
    people: int = PEOPLE,
    tables: int = TABLES,
    lean: int = 0,
) -> str:
    """Store the evening in ``db`` (migrated, empty); returns the session's id.
    ``lean``: the neighbourhood's own leaning (random_answer)."""
    rnd = random.Random(seed)  # noqa: S311 (made-up answers, not secrets)
    ids = [uuid.UUID(int=rnd.getrandbits(128)).hex for _ in range(people + tables)]
    residents, tablets = ids[:people], ids[people:]

    def write(s: Any) -> None:
        s.add(Facilitator(id=1, username="example", password_hash="-"))  # noqa: S106 (nobody logs in)
        s.flush()
        for row in _people(deck, residents, tablets):
            s.add(row)
            s.flush()
        for n, question in enumerate(deck.questions()):
            answers = _answers(question, n, residents, tablets, rnd, lean)
            s.add_all(answers)
            # Frozen at close from the rows the live results count (live/rows.py).
            rows = [
                AnswerRow(a.value, getattr(a, "answered_at", None) or a.submitted_at)
                for a in answers
            ]
            s.add(
                QuestionRun(
                    session_id="example",
                    question_id=question.id,
                    state=QuestionState.CLOSED,
                    revealed=True,
                    frozen_results=aggregate(question, rows).model_dump(mode="json"),
                )
            )
        s.commit()

    db.call(write, write=True)
    return "example"
