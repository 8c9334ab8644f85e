"""The read model: the one place that decides what each screen of a session
shows. ``SceneReader.scene_for(audience, ...)`` loads a finished ``Scene`` for
the console, the projector, or a phone or tablet with its seat: every figure
that audience may see (strategyroom.live.policy.may_see) and nothing else.

The web's pages, the JSON API and the websocket frames all take their figures
from a scene; none reads them from the database itself. One update reaches many
devices, so a scene is loaded once for the whole room (``load``) and narrowed to
each device (``narrow``, no query): the room's load reads what any device in it
may see, and ``narrow`` keeps what one device may.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from strategyroom.aggregate import Result
from strategyroom.decks import Deck, Question
from strategyroom.live import drafts
from strategyroom.live.figures import prior_question, room_figures, room_priorities, table_figures
from strategyroom.live.help import HelpFlag, reasons
from strategyroom.live.insight import Insight, Insights
from strategyroom.live.policy import (
    Audience,
    Figure,
    Rows,
    Screen,
    counted_rows,
    may_see,
    table_seen,
)
from strategyroom.live.presence import Presence
from strategyroom.live.reading import SessionReader
from strategyroom.live.scene import Scene
from strategyroom.live.state import HelpState, LiveState, Projection, QuestionStatus
from strategyroom.live.tables import can_answer, overview, unseated
from strategyroom.store.models import QuestionState, RoomSession, SessionStatus

if TYPE_CHECKING:  # loaded with the first themes (strategyroom.live.themes)
    from strategyroom.aggregate.themes import Themes


@dataclass(frozen=True)
class QuestionFigures:
    """One asked question as the console's summary lists it (the JSON API)."""

    state: str
    revealed: bool
    answers: int | None  # None: the audience may not see counts
    results: Result | None  # None: the audience may not see the results

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "revealed": self.revealed,
            "answers": self.answers,
            "results": self.results.model_dump(mode="json") if self.results else None,
        }


class SceneReader:
    """Scenes from a session's reads (its rows, deck, results and counts) and
    presence. ``join_url`` is the web's link for the session, carried for drawing."""

    def __init__(
        self,
        sessions: SessionReader,
        presence: Presence,
        insights: Insights | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sessions = sessions
        self.presence = presence
        self.insights = insights if insights is not None else Insights()
        self.clock = clock  # the moment a scene is drawn for (the timer, stalled drafts)

    async def scene_for(
        self, audience: Audience, room: RoomSession, state: LiveState, join_url: str
    ) -> Scene:
        """The scene of one audience's screen (one page: loaded for it alone)."""
        return narrow(await self.load(audience, room, state, join_url), audience)

    async def load(
        self, audience: Audience, room: RoomSession, state: LiveState, join_url: str
    ) -> Scene:
        """Every figure of the shown card's question that ``audience`` may see,
        for every table: ``narrow`` then keeps a device's own table. Loaded for
        ``Audience.room()``, it serves every device of one update."""
        scene = Scene(room, self.sessions.deck(room), state, join_url, audience, now=self.clock())
        question, status = scene.question, scene.question_status
        room_audience, projector = Audience.room(), Audience.projector()
        scene.results_visible = may_see(room_audience, Figure.RESULTS, question, status)
        scene.packages_visible = may_see(projector, Figure.IMPACT, question, status)
        if question is not None:
            if may_see(audience, Figure.RESULTS, question, status):
                scene.results[question.id] = await self.sessions.results(room, question.id)
            if may_see(audience, Figure.ANSWERED, question, status):
                scene.answered = await self.sessions.answer_count(room.id, question.id)
            await self._load_figures(scene, audience)
        drafted = scene.drafted
        if drafted is not None and _drafts_seen(audience, scene):
            scene.table_views = await self.sessions.db.run(
                lambda db: drafts.table_views(db, room.id, drafted.id)
            )
        kept, deck = scene.kept_open_table, scene.deck
        if kept is not None and _kept_figures_seen(audience, scene):
            scene.kept_figures = await self.sessions.db.run(
                lambda db: table_figures(db, deck, state, kept)
            )
        if may_see(audience, Figure.COUNTS, question, status):
            await self._load_counts(scene)
        if may_see(audience, Figure.HELP_REASONS, question, status):
            scene.help = _flags(scene)
        elif may_see(audience, Figure.HELP, question, status):
            scene.help = {
                n: HelpFlag(n, state=asked)
                for n, asked in state.help.items()
                if asked is not HelpState.HELPED
            }
        if may_see(audience, Figure.PRIORITIES, question, status):
            deck = scene.deck
            scene.priorities = await self.sessions.db.run(
                lambda db: room_priorities(db, deck, state)
            )
        await self._load_projection(scene, audience)
        return scene

    async def _load_projection(self, scene: Scene, audience: Audience) -> None:
        """What the facilitator put on the projector instead of the card: the
        themes of the shown text question or the common ground, each cut to
        what a hall reads (strategyroom.aggregate), at most a few seconds old."""
        room, state, question = scene.room, scene.state, scene.question
        status = scene.question_status
        if audience.is_console:
            return  # the console has its own panels (``themes``, ``insight``)
        projection = state.projection
        if projection is Projection.THEMES and question is not None:
            if may_see(audience, Figure.ROOM_THEMES, question, status):
                from strategyroom.aggregate.themes import room_themes

                scene.projected_themes = room_themes(await self._themes_of(room, question))
        elif projection is Projection.COMMON_GROUND and may_see(
            audience, Figure.COMMON_GROUND, question, status
        ):
            from strategyroom.aggregate.opinion import room_common_ground

            found = await self.insights.get(self.sessions.db, room.id, scene.deck)
            scene.common_ground = room_common_ground(found.groups)

    async def _load_figures(self, scene: Scene, audience: Audience) -> None:
        """The shown question's figures per table (and the room's beside them for
        an individual question), then the split flag's figures on the question a
        table question follows on, under that question's own rule."""
        question, deck, state = scene.question, scene.deck, scene.state
        assert question is not None
        if not _figures_seen(audience, scene):
            return
        scene.table_figures = await self.sessions.db.run(
            lambda db: table_figures(db, deck, state, question)
        )
        if counted_rows(question) is Rows.PARTICIPANTS:
            scene.room_figures = await self.sessions.db.run(
                lambda db: room_figures(db, deck, state, question)
            )
        prior = prior_question(deck, question)
        if prior is not None and may_see(audience, Figure.SPLIT, prior, state.question(prior.id)):
            scene.prior_question = prior
            scene.prior_figures = await self.sessions.db.run(
                lambda db: table_figures(db, deck, state, prior)
            )

    async def _load_counts(self, scene: Scene) -> None:
        """The console's counts and table overview (who sits where, presence,
        progress, and who sits nowhere yet)."""
        room, state, question = scene.room, scene.state, scene.question
        scene.joined = await self.sessions.participant_count(room.id)
        connected = await self.presence.connected(room.id)
        scene.connected = len(connected)
        scene.tables = await self.sessions.db.run(
            lambda db: overview(db, state, question, connected)
        )
        if scene.tables:  # with no table yet, there is nowhere to seat anyone
            scene.unseated = await self.sessions.db.run(lambda db: unseated(db, room.id))
        status = scene.question_status
        if question is not None and may_see(scene.audience, Figure.CAN_ANSWER, question, status):
            tables = scene.tables
            scene.can_answer = await self.sessions.db.run(
                lambda db: can_answer(db, room.id, question, tables)
            )

    async def questions(
        self, audience: Audience, room: RoomSession, state: LiveState
    ) -> dict[str, QuestionFigures]:
        """Every asked question's status, answer count and result, as far as
        ``audience`` may see them (the JSON API's session summary)."""
        deck = self.sessions.deck(room)
        found = {}
        for question_id, status in state.questions.items():
            question = deck.question(question_id)
            results = None
            if may_see(audience, Figure.RESULTS, question, status):
                results = await self.sessions.results(room, question_id)
            answers = None
            if may_see(audience, Figure.COUNTS, question, status):
                answers = await self.sessions.answer_count(room.id, question_id)
            found[question_id] = QuestionFigures(
                status.state.value, status.revealed, answers, results
            )
        return found

    async def insight(self, audience: Audience, room: RoomSession) -> Insight | None:
        """The insight panel (opinion groups, common ground, the room against the
        town), at most ``REFRESH`` seconds old; None for an audience that may not see it."""
        if not may_see(audience, Figure.INSIGHT, None, None):
            return None
        return await self.insights.get(self.sessions.db, room.id, self.sessions.deck(room))

    async def themes(
        self, audience: Audience, room: RoomSession, state: LiveState
    ) -> tuple[Question, Themes] | None:
        """The shown question with the themes of its comments, when ``audience``
        may see them (``Figure.THEMES``), else None: at most a few seconds old
        (strategyroom.live.themes), read from the rows the question counts, with
        the facilitator's edits as they are now."""
        deck = self.sessions.deck(room)
        scene = Scene(room, deck, state, "", audience)
        question = scene.question
        if question is None or not may_see(
            audience, Figure.THEMES, question, scene.question_status
        ):
            return None
        return question, await self._themes_of(room, question)

    async def text_themes(
        self, audience: Audience, room: RoomSession, state: LiveState
    ) -> list[tuple[Question, Themes]]:
        """The themes of every text question opened so far that ``audience`` may
        see them of (``Figure.THEMES``), in deck order: each computed as the
        console's panel computes the shown one's (the JSON API)."""
        found = []
        for question in self.sessions.deck(room).questions():
            if may_see(audience, Figure.THEMES, question, state.question(question.id)):
                found.append((question, await self._themes_of(room, question)))
        return found

    async def _themes_of(self, room: RoomSession, question: Question) -> Themes:
        found = await self.sessions.themes.of(
            (room.id, question.id),
            lambda: self.sessions.comments(room, question),
            self.sessions.deck(room).default_language,
        )
        from strategyroom.aggregate.themes import edited  # loaded by now (live.themes)

        names, moves = await self.sessions.theme_edits(room, question)
        return edited(found, names, moves)

    async def revealed_results(self, room: RoomSession, question_id: str) -> Result:
        """A question's results as the event that reveals them to the room carries
        them (the event is the decision that the room may see them)."""
        return await self.sessions.results(room, question_id)


def _flags(scene: Scene) -> dict[int, HelpFlag]:
    """The console's flags: each table's call for help and the reasons the live
    layer finds by itself (live/help.py), from the overview and figures loaded."""
    question, status, state = scene.question, scene.question_status, scene.state
    draft_open = scene.table_question and status is not None and status.state is QuestionState.OPEN
    timer_left = scene.timer_left if scene.timer_running else None
    by_table = scene.prior_figures if scene.table_question else scene.table_figures
    flags = {}
    for row in scene.tables:
        asked = state.help.get(row.table)
        if asked is HelpState.HELPED:
            # Marked helped on this card: what the live layer finds by itself
            # (the reasons that were just dealt with) does not flag it again.
            continue
        if not row.members and asked is None:
            continue  # nobody sits there: nothing to stall, split or go quiet
        view = row.view
        figures = by_table.get(row.table)
        found = reasons(
            asked=asked,
            view=view,
            draft_open=draft_open and not (view is not None and view.submitted),
            timer_left=timer_left,
            agreement=figures.agreement if figures is not None and question else None,
            tablets=row.tablets,
            tablets_connected=row.tablets_connected,
            now=scene.now,
        )
        if found or asked is not None:
            flags[row.table] = HelpFlag(row.table, found, asked)
    return flags


def _drafts_seen(audience: Audience, scene: Scene) -> bool:
    """Whether the audience sees the tables' drafts of the drafted question."""
    drafted = scene.drafted
    return drafted is not None and may_see(
        audience, Figure.DRAFTS, drafted, scene.state.question(drafted.id)
    )


def _kept_figures_seen(audience: Audience, scene: Scene) -> bool:
    """Whether the audience sees the impact of the drafts of a table question
    kept open from another card."""
    kept = scene.kept_open_table
    return kept is not None and may_see(
        audience, Figure.IMPACT, kept, scene.state.question(kept.id)
    )


def _figures_seen(audience: Audience, scene: Scene) -> bool:
    """Whether the audience sees the shown question's figures per table: the
    distributions, or (a table package) the impact meter of the tables' drafts."""
    question, status = scene.question, scene.question_status
    return may_see(audience, Figure.TABLE_FIGURES, question, status) or may_see(
        audience, Figure.IMPACT, question, status
    )


def narrow(scene: Scene, audience: Audience) -> Scene:
    """The part of a room's scene that one device may see (no query): the figures
    ``may_see`` allows it, of the tables ``table_seen`` allows (a seated phone or
    tablet its own, the projector every table's, a phone at no table none)."""
    if audience.screen in (Screen.CONSOLE, Screen.ROOM):
        return scene
    question, status = scene.question, scene.question_status

    def seen(figure: Figure) -> bool:
        return may_see(audience, figure, question, status)

    def ours(by_table: dict[int, Any]) -> dict[int, Any]:
        return {n: v for n, v in by_table.items() if table_seen(audience, n)}

    figures_seen = _figures_seen(audience, scene)
    prior = scene.prior_question
    split_seen = (
        figures_seen
        and prior is not None
        and may_see(audience, Figure.SPLIT, prior, scene.state.question(prior.id))
    )
    return replace(
        scene,
        audience=audience,
        results=dict(scene.results) if seen(Figure.RESULTS) else {},
        answered=scene.answered if seen(Figure.ANSWERED) else 0,
        can_answer=scene.can_answer if seen(Figure.CAN_ANSWER) else 0,
        table_views=ours(scene.table_views) if _drafts_seen(audience, scene) else {},
        table_figures=ours(scene.table_figures) if figures_seen else {},
        kept_figures=ours(scene.kept_figures) if _kept_figures_seen(audience, scene) else {},
        room_figures=scene.room_figures if seen(Figure.TABLE_FIGURES) else None,
        prior_question=prior if split_seen else None,
        prior_figures=ours(scene.prior_figures) if split_seen else {},
        help=ours(scene.help) if seen(Figure.HELP) else {},
        projected_themes=scene.projected_themes if seen(Figure.ROOM_THEMES) else None,
        common_ground=scene.common_ground if seen(Figure.COMMON_GROUND) else None,
    )


# A preview's session: never stored, and its code has a character no real
# code has (live.codes.ALPHABET has no 0), so its QR code leads nowhere real.
PREVIEW_CODE = "PREV00"


def preview(deck: Deck, card: int, audience: Audience, join_url: str, media_base: str) -> Scene:
    """The scene of one card of a deck as ``audience`` would see it in a
    session that shows it with its question open and nothing answered yet, at
    table 1 (a card preview, strategyroom.web.preview): the same Scene the live
    screens draw, narrowed to the audience the same way, and loaded from no
    session (there is none)."""
    room = RoomSession(
        id="preview",
        join_code=PREVIEW_CODE,
        title=deck.text(deck.title, deck.default_language),
        deck_id=deck.id,
        deck_version=deck.version,
        deck={},
        status=SessionStatus.RUNNING,
        current_card=card,
        epoch="preview",
        created_by=0,
    )
    question = deck.cards[card].question
    questions = {question.id: QuestionStatus(QuestionState.OPEN)} if question else {}
    state = LiveState(
        "preview", "preview", 0, SessionStatus.RUNNING, card, questions, tables={1: ""}
    )
    scene = Scene(room, deck, state, join_url, audience, media_base=media_base)
    return narrow(scene, audience)
