"""The rules of strategyroom/live/policy.py, written out as tables: which rows a
question counts, where its result comes from, and who may see each figure
(docs/aggregates.md). tests/test_readmodel.py checks the screens follow them."""

from __future__ import annotations

from datetime import UTC, datetime

from strategyroom.aggregate import AnswerRow
from strategyroom.decks import Question, load_deck
from strategyroom.live.events import (
    HelpAcknowledged,
    HelpDone,
    HelpRequested,
    QuestionClosed,
    QuestionOpened,
    ResultsRevealed,
)
from strategyroom.live.policy import (
    Audience,
    Figure,
    ResultSource,
    Rows,
    counted_rows,
    event_seen,
    may_see,
    question_result,
    result_source,
    revealed_by,
    table_seen,
)
from strategyroom.live.state import QuestionStatus
from strategyroom.store.models import QuestionRun, QuestionState
from tests.conftest import TEST_DECKS

DECK = load_deck(TEST_DECKS / "figures-test.yaml")
PICK = DECK.question("pick")  # an individual single choice
PLAN = DECK.question("plan")  # a table package
PENDING = QuestionStatus()
OPEN = QuestionStatus(QuestionState.OPEN)
CLOSED = QuestionStatus(QuestionState.CLOSED)
REVEALED = QuestionStatus(QuestionState.CLOSED, revealed=True)
CONSOLE, PROJECTOR = Audience.console(), Audience.projector()
SEATED, UNSEATED, TABLET = Audience.device(2), Audience.device(None), Audience.device(2, True)
AUDIENCES = (CONSOLE, PROJECTOR, SEATED, UNSEATED, TABLET)


def seen_by(figure: Figure, question: Question, status: QuestionStatus) -> list[bool]:
    return [may_see(a, figure, question, status) for a in AUDIENCES]


def test_counted_rows() -> None:
    assert (counted_rows(PICK), counted_rows(PLAN)) == (Rows.PARTICIPANTS, Rows.TABLES)


def test_result_source_is_frozen_once_closed() -> None:
    run = QuestionRun(session_id="s", question_id="pick", state=QuestionState.OPEN)
    rows = [AnswerRow("a", datetime(2026, 11, 29, tzinfo=UTC))]
    assert (result_source(None), result_source(run)) == (ResultSource.LIVE, ResultSource.LIVE)
    live = question_result(PICK, run, lambda: rows)
    assert [o.count for o in live.options] == [1, 0, 0]  # type: ignore[union-attr]
    frozen = question_result(PICK, run, lambda: rows + rows).model_dump(mode="json")
    run.frozen_results = frozen
    assert result_source(run) is ResultSource.FROZEN

    def no_rows() -> list[AnswerRow]:
        raise AssertionError("a frozen result reads no rows")

    assert question_result(PICK, run, no_rows).model_dump(mode="json") == frozen


def test_who_sees_an_individual_questions_figures() -> None:
    # Audiences: console, projector, a phone at table 2, a phone at no table, a tablet.
    for figure in (Figure.RESULTS, Figure.TABLE_FIGURES, Figure.SPLIT):
        assert seen_by(figure, PICK, PENDING) == [False] * 5
        assert seen_by(figure, PICK, OPEN) == [True, False, False, False, False]
        assert seen_by(figure, PICK, CLOSED) == [True, False, False, False, False]
        assert seen_by(figure, PICK, REVEALED) == [True] * 5
    # An individual question has no drafts and no table's own impact meter.
    for figure in (Figure.DRAFTS, Figure.IMPACT):
        assert seen_by(figure, PICK, REVEALED) == [False] * 5


def test_who_sees_a_table_packages_figures() -> None:
    for figure in (Figure.DRAFTS, Figure.IMPACT):
        assert seen_by(figure, PLAN, PENDING) == [False] * 5
        # While it is agreed: the console, and each seated device (its own table's).
        assert seen_by(figure, PLAN, OPEN) == [True, False, True, False, True]
        # Revealed: the projector compares the tables too.
        assert seen_by(figure, PLAN, REVEALED) == [True, True, True, True, True]
    assert seen_by(Figure.RESULTS, PLAN, CLOSED) == [True, False, False, False, False]


def test_priorities_counts_and_insight_are_the_consoles() -> None:
    for figure in (Figure.PRIORITIES, Figure.COUNTS, Figure.INSIGHT):
        for status in (PENDING, REVEALED):
            assert seen_by(figure, PICK, status) == [True, False, False, False, False]
        assert may_see(Audience.room(), figure, PICK, REVEALED) is False
    # The insight panel is across every question, not of one.
    assert may_see(Audience.console(), Figure.INSIGHT, None, None) is True
    assert may_see(Audience.projector(), Figure.INSIGHT, None, None) is False


def test_the_room_sees_what_any_device_in_it_sees() -> None:
    room = Audience.room()
    assert may_see(room, Figure.IMPACT, PLAN, OPEN)  # a seated device does
    assert not may_see(room, Figure.RESULTS, PLAN, OPEN)
    assert may_see(room, Figure.RESULTS, PLAN, REVEALED)


def test_which_events_reveal_results() -> None:
    assert revealed_by(QuestionClosed("pick", revealed=True)) == "pick"
    assert revealed_by(QuestionClosed("plan", revealed=False)) is None
    assert revealed_by(ResultsRevealed("plan")) == "plan"
    assert revealed_by(QuestionOpened("pick")) is None


def test_a_device_sees_its_own_tables_figures_only() -> None:
    seen = {a: [table_seen(a, n) for n in (1, 2)] for a in (*AUDIENCES, Audience.room())}
    assert list(seen.values()) == [
        [True, True],  # the console
        [True, True],  # the projector
        [False, True],  # a phone at table 2
        [False, False],  # a phone at no table
        [False, True],  # table 2's tablet
        [True, True],  # the room, before it is narrowed per device
    ]


def test_a_tables_call_for_help_is_its_own_devices_and_the_consoles() -> None:
    audiences = {
        "console": Audience.console(),
        "projector": Audience.projector(),
        "phone at 1": Audience.device(1),
        "tablet at 1": Audience.device(1, tablet=True),
        "phone at 2": Audience.device(2),
        "tablet at 2": Audience.device(2, tablet=True),
        "phone at no table": Audience.device(None),
    }
    for event in (HelpRequested(1), HelpAcknowledged(1), HelpDone(1)):
        seen = [name for name, audience in audiences.items() if event_seen(audience, event)]
        assert seen == ["console", "phone at 1", "tablet at 1"], event
    # Every other event is every screen's.
    opened = QuestionOpened("pick")
    assert all(event_seen(audience, opened) for audience in audiences.values())
