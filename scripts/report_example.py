"""Make the README's example report: an evening of the sample deck with made-up
answers from 40 residents at 5 tables (each with a shared tablet that submits
the table's answers to table questions), stored as the live session stores them
and read back by the report as for any session, as a PDF, and its first pages
as PNG.

    python scripts/report_example.py [--pages 3] [--out docs/report]

The answers are random (seeded, so the pages are the same every time) and only
illustrate the layout. Needs pdftoppm (Debian poppler-utils, which ./dev installs).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from strategyroom.aggregate import AnswerRow, aggregate
from strategyroom.decks import Deck, Question, load_deck
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
from strategyroom.paths import SAMPLE_DECKS_DIR
from strategyroom.reports import data, html, pdf
from strategyroom.reports.model import build_report
from strategyroom.store import migrate
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
from strategyroom.web.render import Renderer

PEOPLE, TABLES = 40, 5
TABLE_NAMES = {5: "Library corner"}  # the others are numbered only
START = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
COMMENTS = [
    "More buses in the evening, please.",
    "Keep the market square car-free on Saturdays.",
    "Solar panels on every school roof!",
    "Heat pumps are too expensive for pensioners.",
    "Plant trees along the ring road.",
]


def random_answer(question: Question, rnd: random.Random, person: int) -> Any:
    """A plausible answer that fits the question (a capped package is redrawn)."""
    ids = [o.id for o in options_of(question)]
    for _ in range(100):
        match question:
            case SingleChoice():
                value: Any = rnd.choice(ids + [PREFER_NOT_TO_SAY] * question.profile)
            case MultipleChoice():
                value = rnd.sample(ids, rnd.randint(1, question.max_choices or 2))
            case Scale():
                low, high = question.min, question.max
                value = min(high, max(low, round(rnd.gauss((low + high) / 2 + 0.8, 1))))
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
        for t in range(1, TABLES + 1)
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
                table_number=1 + (i - len(ids) if tablet else i % TABLES),
            )
        )
    return rows


def _answers(
    question: Question, n: int, ids: list[str], tablets: list[str], rnd: random.Random
) -> list[Any]:
    """Every resident's answer, or for a table question each table's (its tablet submits)."""
    if question.scope == "table":
        return [
            TableAnswer(
                session_id="example",
                question_id=question.id,
                table_number=t + 1,
                value=random_answer(question, rnd, t),
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
            value=random_answer(question, rnd, i),
            client_answer_id=f"{n}-{i}",
            answered_at=START + timedelta(minutes=5 + 4 * n, seconds=i),
        )
        for i, pid in enumerate(ids)
    ]


def make_session(db: Database, deck: Deck, seed: int) -> str:
    rnd = random.Random(seed)  # noqa: S311 (made-up answers, not secrets)
    ids = [uuid.UUID(int=rnd.getrandbits(128)).hex for _ in range(PEOPLE + TABLES)]
    residents, tablets = ids[:PEOPLE], ids[PEOPLE:]

    def write(s: Any) -> None:
        s.add(Facilitator(id=1, username="example", password_hash="-"))  # noqa: S106 (nobody logs in)
        s.flush()
        for row in _people(deck, residents, tablets):
            s.add(row)
            s.flush()
        for n, question in enumerate(deck.questions()):
            answers = _answers(question, n, residents, tablets, rnd)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=3, help="how many first pages to keep")
    parser.add_argument("--out", type=Path, default=Path("docs/report"), help="where the PNGs go")
    parser.add_argument("--seed", type=int, default=12, help="the random answers' seed")
    args = parser.parse_args(argv)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm is missing: install poppler-utils (./dev does)", file=sys.stderr)
        return 1
    deck = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'example.sqlite3'}"
        migrate.upgrade(url)
        db = Database(url)
        try:
            session_id = make_session(db, deck, args.seed)
            sessions = db.call(lambda s: data.load_sessions(s, [session_id]))
        finally:
            db.dispose()
        report = build_report(sessions, "en", "Example Municipality", START + timedelta(hours=3))
        page = html.render_report(Renderer(), report, deck, logo=None, downloads={}, printing=True)
        document = Path(tmp) / "report.pdf"
        document.write_bytes(pdf.to_pdf(page))
        args.out.mkdir(parents=True, exist_ok=True)
        for old in args.out.glob("page-*.png"):
            old.unlink()
        subprocess.run(  # noqa: S603
            [
                pdftoppm,
                "-png",
                "-r",
                "70",
                "-l",
                str(args.pages),
                str(document),
                str(args.out / "page"),
            ],
            check=True,
        )
    for png in args.out.glob("page-*.png"):  # pdftoppm pads numbers: page-01.png
        png.rename(args.out / f"page-{int(png.stem.split('-')[1])}.png")
    print("\n".join(str(p) for p in sorted(args.out.glob("page-*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
