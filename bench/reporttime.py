"""The benchmark's report phase: how long a council waits for the report of one
big evening (docs/reports.md, "Large sessions").

It stores a made-up evening of the sample deck (bench/evening.py: every
resident answers every question, every table submits its table answers) in a
fresh SQLite database, then times reading it and writing each format with
``strategyroom.reports.timing.time_report``, the same code the report pages use.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.evening import make_session
from bench.run import say
from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from strategyroom.reports.timing import time_report
from strategyroom.store import migrate
from strategyroom.store.db import Database

PEOPLE_PER_TABLE = 8
PHASES = ("read", "figures", "html", "csv", "json", "pdf", "total")


def run_report(people: int, workdir: Path) -> dict[str, Any]:
    tables = max(1, people // PEOPLE_PER_TABLE)
    workdir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{workdir / 'report.sqlite3'}"
    migrate.upgrade(url)
    deck = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    say(f"report: storing an evening of {people:,} residents at {tables:,} tables")
    started = time.monotonic()
    db = Database(url)
    try:
        session_id = make_session(db, deck, seed=12, people=people, tables=tables)
    finally:
        db.dispose()
    say(f"report: stored in {time.monotonic() - started:.0f} s; timing each format")
    # Processor seconds too: on a shared machine the wall clock says more
    # about the load than about the report (docs/performance.md, "Reports").
    cpu = time.process_time()
    timings = time_report(url, [session_id], with_pdf=True)
    cpu = time.process_time() - cpu
    say(f"report: {timings['total']:.1f} s in all, {cpu:.1f} s of CPU")
    return {
        "people": people,
        "tables": tables,
        "questions": len(deck.questions()),
        **timings,
        "cpu": cpu,
    }


def table(report: dict[str, Any]) -> str:
    """The report phase as a Markdown table, seconds per phase."""
    title = (
        f"report of {report['people']:,} residents at {report['tables']:,} tables, "
        f"{report['questions']} questions, {int(report['answers']):,} answers"
    )
    lines = [f"| {title} | seconds |", "| --- | ---: |"]
    labels = {"html": "HTML", "csv": "CSV", "json": "JSON", "pdf": "PDF"}
    for phase in PHASES:
        lines.append(f"| {labels.get(phase, phase)} | {report[phase]:.2f} |")
    if "cpu" in report:  # runs recorded before it was measured have none
        lines.append(f"| total, CPU seconds | {report['cpu']:.2f} |")
    return "\n".join(lines)
