"""The benchmark's opinion-groups phase (docs/aggregates.md, "Opinion groups
and common ground"): how long the console's insight panel takes for a hall.

A made-up hall of N residents (5,000 by default) answers every question of the
sample deck; they fall into ``PLANTED`` groups, each resident giving their
group's answer to a question with probability ``FIDELITY`` and a random one
otherwise (bench/evening.py's ``random_answer``), so the groups found can be
checked against the ones planted. Timed, the worst of three runs each: the
opinion groups and common ground alone (strategyroom.aggregate.opinion), and
the whole panel as the console refreshes it every few seconds
(strategyroom.live.insight.compute: groups, the room against the town, every
figure weighted to it).

``python -m bench.opinion`` prints it without running the rest of the benchmark.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta
from typing import Any

from bench.evening import START, random_answer
from strategyroom.aggregate import MIN_GROUP, ParticipantAnswer
from strategyroom.aggregate.opinion import opinion_groups
from strategyroom.decks import Deck, load_deck
from strategyroom.decks.schema import FreeText
from strategyroom.live.insight import compute
from strategyroom.paths import SAMPLE_DECKS_DIR

PLANTED = 3
FIDELITY = 0.8
SEED = 5


def planted_hall(
    deck: Deck, people: int, groups: int = PLANTED, seed: int = SEED
) -> tuple[dict[str, list[ParticipantAnswer]], dict[str, int]]:
    """Every resident's answer to every question but comments (question id ->
    rows), and each resident's planted group (resident i is in group i % groups)."""
    rnd = random.Random(seed)  # noqa: S311 (made-up answers, not secrets)
    questions = [q for q in deck.questions() if not isinstance(q, FreeText)]
    # Each group's own answer to each question.
    templates = [{q.id: random_answer(q, rnd, g) for q in questions} for g in range(groups)]
    answers: dict[str, list[ParticipantAnswer]] = {q.id: [] for q in questions}
    planted = {}
    for person in range(people):
        pid = f"p{person:05d}"
        group = person % groups
        planted[pid] = group
        at = START + timedelta(seconds=person)
        for q in questions:
            keep = rnd.random() < FIDELITY
            value = templates[group][q.id] if keep else random_answer(q, rnd, person)
            answers[q.id].append(ParticipantAnswer(pid, value, at))
    return answers, planted


def _worst(work: Any, runs: int) -> tuple[Any, float, float]:
    """The result, and the worst wall-clock and processor seconds of ``runs`` runs
    (processor time counts every thread of this process: a busy machine stretches
    the wall clock, not it)."""
    wall, cpu, result = [], [], None
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        result = work()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return result, max(wall), max(cpu)


def run_opinion(people: int, runs: int = 3) -> dict[str, Any]:
    deck = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    answers, planted = planted_hall(deck, people)
    found, groups_seconds, groups_cpu = _worst(
        lambda: opinion_groups(deck, answers, MIN_GROUP), runs
    )
    panel, panel_seconds, panel_cpu = _worst(lambda: compute(deck, answers), runs)
    assert panel.groups == found  # the panel's groups are these
    sizes = sorted(sum(1 for g in planted.values() if g == n) for n in range(PLANTED))
    return {
        "people": people,
        "questions": found.questions,
        "planted": sizes[::-1],
        "placed": found.placed,
        "groups": [group.size for group in found.groups],
        "reason": found.reason.value if found.reason else None,
        "common_ground": len(found.common_ground),
        "weighted": panel.weighting is not None,
        "groups_seconds": groups_seconds,
        "groups_cpu_seconds": groups_cpu,
        "panel_seconds": panel_seconds,
        "panel_cpu_seconds": panel_cpu,
        "runs": runs,
    }


def table(figures: dict[str, Any]) -> str:
    found = ", ".join(f"{size:,}" for size in figures["groups"]) or figures["reason"]
    planted = ", ".join(f"{size:,}" for size in figures["planted"])
    return "\n".join(
        [
            f"| opinion groups of {figures['people']:,} residents, "
            f"{figures['questions']} questions | seconds | CPU seconds |",
            "| --- | ---: | ---: |",
            f"| groups and common ground | {figures['groups_seconds']:.2f} "
            f"| {figures['groups_cpu_seconds']:.2f} |",
            f"| the console's panel (groups, town, weighting) | {figures['panel_seconds']:.2f} "
            f"| {figures['panel_cpu_seconds']:.2f} |",
            "",
            f"Worst of {figures['runs']} runs. Groups planted: {planted}; found: {found}; "
            f"{figures['common_ground']} measures of common ground.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.opinion",
        description="How long the opinion groups and the console's insight panel take for "
        "a hall of N residents with planted groups (sample deck).",
    )
    parser.add_argument("-n", "--people", type=int, default=5000, help="(default 5000)")
    args = parser.parse_args(argv)
    if args.people < 1:
        parser.error("--people must be at least 1")
    print(table(run_opinion(args.people)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
