"""The result models: what every screen, the JSON API and the reports show.

Each result is a frozen pydantic model with a ``kind`` that names it, so a
result stored as JSON (``model_dump(mode="json")``, as closing a question does)
comes back as the same model with :func:`result_from_dict`. Floats are never
rounded here; presentation rounds. Options are listed in deck order; the
``ranked()`` methods give the order a screen lists them in.

docs/aggregates.md defines every figure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


# -- single and multiple choice ---------------------------------------------------------


class OptionCount(_Frozen):
    option_id: str
    count: int  # respondents who chose the option
    percent: float  # 100 * count / respondents; 0.0 when nobody answered


class ChoiceResult(_Frozen):
    """A single or multiple choice question."""

    kind: Literal["choice"] = "choice"
    respondents: int  # on a profile question: those who did not skip it
    options: list[OptionCount]  # deck order
    skipped: int = 0  # profile questions: "prefer not to say" answers, not in respondents

    def ranked(self) -> list[OptionCount]:
        """The options by count, most chosen first; ties in deck order."""
        return sorted(self.options, key=lambda option: -option.count)


# -- scale --------------------------------------------------------------------------------


class ScaleStep(_Frozen):
    value: int
    count: int
    percent: float  # 100 * count / respondents; 0.0 when nobody answered


class ScaleResult(_Frozen):
    kind: Literal["scale"] = "scale"
    respondents: int
    min: int
    max: int
    mean: float | None  # None when nobody answered
    median: float | None  # statistics.median; None when nobody answered
    distribution: list[ScaleStep]  # every value from min to max, ascending


# -- ranking ------------------------------------------------------------------------------


class RankScore(_Frozen):
    option_id: str
    borda: int  # sum over respondents of (k - place); place 1 is the top
    mean_rank: float | None  # mean place (1 = top); None when nobody answered


class RankingResult(_Frozen):
    kind: Literal["ranking"] = "ranking"
    respondents: int
    options: list[RankScore]  # deck order

    def ranked(self) -> list[RankScore]:
        """Highest Borda score first; ties by lower mean place, then deck order."""
        order = {option.option_id: index for index, option in enumerate(self.options)}

        def key(option: RankScore) -> tuple[int, float, int]:
            mean_rank = option.mean_rank if option.mean_rank is not None else 0.0
            return (-option.borda, mean_rank, order[option.option_id])

        return sorted(self.options, key=key)


# -- budget -------------------------------------------------------------------------------


class Allocation(_Frozen):
    option_id: str
    sum: int  # points given to the option by all respondents together
    mean: float | None  # sum / respondents; None when nobody answered
    share: float | None  # 100 * sum / all points given; None when nobody answered


class BudgetResult(_Frozen):
    kind: Literal["budget"] = "budget"
    respondents: int
    total: int  # points each respondent allocates (the question's total)
    options: list[Allocation]  # deck order

    def ranked(self) -> list[Allocation]:
        """Highest mean first; ties in deck order."""
        return sorted(
            self.options, key=lambda option: -(option.mean if option.mean is not None else 0.0)
        )


# -- free text ----------------------------------------------------------------------------


class Comment(_Frozen):
    text: str
    answered_at: datetime


class TextResult(_Frozen):
    kind: Literal["text"] = "text"
    respondents: int  # every comment, also those beyond the newest shown
    comments: list[Comment]  # the newest first, at most NEWEST_COMMENTS


Result = Annotated[
    ChoiceResult | ScaleResult | RankingResult | BudgetResult | TextResult,
    Field(discriminator="kind"),
]

_RESULT: TypeAdapter[Result] = TypeAdapter(Result)


def result_from_dict(data: dict[str, Any]) -> Result:
    """A result back from its ``model_dump(mode="json")``, e.g. the figures frozen at close.

    Raises pydantic.ValidationError when the data is not a result.
    """
    return _RESULT.validate_python(data)
