"""What every figure in the report's JSON counts and in which unit, and the
deck's attributes with their labels and units, so a reader of report.json
never has to guess what a bare number means (docs/reports.md, "JSON")."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from strategyroom.decks import Deck


class AttributeInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    unit: str  # as the deck writes it ("t/yr", "mio. kr."), empty for a bare number
    currency: str | None  # a money attribute's currency (ISO 4217)


def attributes(deck: Deck, language: str) -> list[AttributeInfo]:
    """The deck's attributes (what an impact's totals, a target and a cap are in)."""
    return [
        AttributeInfo(
            id=key,
            label=deck.text(a.label, language),
            unit=deck.text(a.unit, language) if a.unit else "",
            currency=a.currency,
        )
        for key, a in deck.attributes.items()
    ]


# Every figure's name in report.json -> what it counts, in which unit.
UNITS: dict[str, str] = {
    "participants": "residents' own devices that joined (shared table tablets not counted)",
    "tablets": "the tables' shared tablets",
    "respondents": "residents who answered; for a table question, or under table_votes, "
    "tables that answered (one agreed answer each)",
    "count": "residents (tables, for a table question) who chose the option",
    "chose": "residents who chose the option in that session",
    "percent": "percent (0-100) of respondents",
    "support": "percent (0-100): of respondents (choice), of the most Borda points "
    "(ranking), of all points (budget), of the way from the scale's lowest to its "
    "highest value (scale); see basis",
    "share": "percent (0-100) of all points of a budget",
    "agreement": "0 (as split as possible) to 1 (everyone answered the same)",
    "mean": "points on the question's scale (see scale_labels), or budget points",
    "mean_before": "points on the question's scale",
    "mean_after": "points on the question's scale",
    "mean_change": "points on the question's scale, after minus before",
    "ci_low": "lower end of the 95 % interval, in the unit of the figure it bounds "
    "(scale points for a change, percentage points for a difference)",
    "ci_high": "upper end of the 95 % interval, in the same unit",
    "points": "percentage points: the high session's support minus the low session's",
    "total": "the attribute's unit (deck.attributes)",
    "target_value": "the target attribute's unit (deck.attributes)",
    "cap": "the cap attribute's unit (deck.attributes)",
    "progress": "share of the target (1 = the target is met)",
    "borda": "Borda points (options ranked below it, summed over respondents)",
    "mean_rank": "mean place (1 = first)",
    "sum": "budget points given to the option",
    "pairs": "residents who answered both the before and the after question",
    "increased": "residents whose after answer is higher",
    "decreased": "residents whose after answer is lower",
    "unchanged": "residents whose after answer is the same",
    "changed": "residents whose after answer differs from their before answer",
    "sd_change": "standard deviation of the change, in points on the question's scale",
    "median": "points on the question's scale",
    "min": "the scale's lowest value",
    "max": "the scale's highest value",
    "value": "a value on the question's scale (a distribution step), or an answer as given",
    "skipped": "residents who preferred not to say (profile questions)",
    "packages": "how many packages the impact is the mean of (1 for one package)",
    "total_points": "budget points given in all",
    "number": (
        "the deck library's version number of the deck (deck.number); a theme's number"
        " in its question, 1 for the largest (the CSV's theme column)"
    ),
    "points_per_person": "budget points each respondent had to give",
    # Opinion groups and common ground (insight.opinion; docs/aggregates.md).
    "placed": "residents who answered at least half of the questions that place them in groups",
    "left_out": "residents who answered too few of those questions to be placed",
    "questions": "the choice, scale and ranking questions that place residents in groups",
    "silhouette": "how clearly the groups are apart, -1 to 1 (scikit-learn's silhouette)",
    "size": "residents in an opinion group; comments in a theme",
    "group_percent": "percent (0-100) of the group's members who answered it that support it",
    "rest_percent": "percent (0-100) of everyone else placed who answered it that support it",
    "group_percents": "per group, percent (0-100) of its members who answered it that support it",
    "room_percent": "percent (0-100) of the residents (placed, or who answered) in the room",
    "consensus": "product over groups of (supporters + 1) / (answered + 2), 0 to 1",
    # The room against the town and weighting (insight.town, insight.weighting).
    "room": "residents in the room who chose the option",
    "town_percent": "percent (0-100) of the town, from the deck's reference shares",
    "answered": "residents who chose an option (not prefer-not-to-say)",
    "year": "the year the reference shares are for",
    "residents": "residents who answered anything, each given a weight",
    "effective": "Kish's effective sample size: (sum of weights)^2 / sum of squared weights",
    "largest": "the largest weight (1 = counts as one resident)",
    "smallest": "the smallest weight",
    "capped": "residents whose weight was cut to 5",
    "unweighted": "the figure as the room gave it (percent, mean, mean place or mean points)",
    "weighted": "the same figure weighted to the town's shares",
    # Themes of free text (questions[].themes; docs/aggregates.md).
    "comments": "under themes: positions (1 = first) in the question's comments list",
    "unthemed": "positions in the question's comments list of comments in no theme",
}
