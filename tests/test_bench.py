"""The benchmark's smoke run: ``python -m bench`` with N = 50 in every mode,
checked for correctness only (never timings, which belong to the benchmark):
every phone got every card, every answer was stored exactly once, every phone
came back from the reconnect storm with the current state, the opinion groups
planted in a made-up hall were found."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from strategyroom.decks import load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from tests.conftest import require_redis

ROOT = Path(__file__).resolve().parent.parent
N, ROUNDS = 50, 4
REPORT_PEOPLE = 40  # 5 tables of 8
OPINION_PEOPLE = 60  # three planted groups of 20


@pytest.mark.scaleout
def test_benchmark_smoke(tmp_path: Path) -> None:
    require_redis()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "-n",
            str(N),
            "--rounds",
            str(ROUNDS),
            "--procs",
            "2",
            "--workdir",
            str(tmp_path / "work"),
            "--json",
            str(tmp_path / "bench.json"),
            "--svg",
            str(tmp_path / "plot.svg"),
            "--report-people",
            str(REPORT_PEOPLE),
            # The themes part is tested alone (tests/test_themes.py), to keep this short.
            "--themes-comments",
            "0",
            "--opinion-people",
            str(OPINION_PEOPLE),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        # A guard against a hang, not a timing check: the same run took 14.5
        # minutes on the shared 2-core machine at a load average of 20 (each
        # server start alone 30-40 s), where 240 s had been enough before.
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"| figure | N = {N} |" in result.stdout
    everything = json.loads((tmp_path / "bench.json").read_text())
    results = everything["results"]
    assert everything["themes"] is None
    assert set(results) == {"embedded", "scaleout", "baseline", "nostore", "loginflood"}
    for mode in ("embedded", "scaleout", "baseline"):
        run = results[mode][str(N)]
        assert run["fanout"]["complete"] == N, mode  # every card, in order, on every phone
        assert run["fanout"]["count"] == N * ROUNDS, mode
    for mode in ("embedded", "scaleout"):
        run = results[mode][str(N)]
        assert run["connect"]["joined"] == N
        # Every answer acknowledged as stored, and the facilitator's total exact.
        assert run["answers"]["stored"] == run["answers"]["acks"] == N
        assert run["answers"]["total_shown"] == N
        # Everyone back from the storm with the current seq and their own answer.
        assert run["storm"]["current"] == N
        assert run["storm"]["with_answer"] == N
    # With storage switched off every answer is still acknowledged, and none stored.
    off = results["nostore"][str(N)]
    assert off["connect"]["joined"] == N
    assert off["answers"]["acks"] == N
    # The login flood: every burst, quiet or flooded, stored and acknowledged,
    # and the flood's logins were answered (checked or refused), none failed.
    flood = results["loginflood"][str(N)]
    assert flood["first_stored"] == N
    assert flood["quiet"]["stored"] == flood["quiet"]["count"] == N * flood["rounds"]
    assert flood["flood"]["stored"] == flood["flood"]["count"] == N * flood["rounds"]
    assert flood["logins"].get("0", 0) == 0 and flood["logins"].get("401", 0) > 0
    # Stored exactly once: one answer row and one receipt per phone, in SQL.
    database = tmp_path / "work" / f"embedded-{N}" / "data" / "strategyroom.sqlite3"
    with sqlite3.connect(database) as db:
        answers = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT participant_id) FROM answer"
        ).fetchone()
        receipts = db.execute("SELECT COUNT(*) FROM answer_receipt").fetchone()
        participants = db.execute("SELECT COUNT(*) FROM participant").fetchone()
    assert answers == (N, N)
    assert receipts == (N,)
    assert participants == (N,)
    database = tmp_path / "work" / f"nostore-{N}" / "data" / "strategyroom.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM answer").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM participant").fetchone() == (N,)
    assert (tmp_path / "plot.svg").read_text().startswith("<svg")
    # The report phase read back every answer of its evening: each resident
    # answered each of the sample deck's questions for individuals.
    deck = load_deck(SAMPLE_DECKS_DIR / "green-transition.yaml")
    questions = len(deck.questions())
    answers = REPORT_PEOPLE * sum(q.scope == "individual" for q in deck.questions())
    timed = json.loads((tmp_path / "bench.json").read_text())["report"]
    assert (timed["people"], timed["tables"], timed["questions"]) == (40, 5, questions)
    assert timed["answers"] == answers
    title = f"| report of 40 residents at 5 tables, {questions} questions, {answers} answers |"
    assert title in result.stdout
    # The opinion phase found the three planted groups of the hall, everyone placed,
    # and timed the console's whole panel (weighted to the sample deck's town).
    groups = everything["opinion"]
    assert groups["people"] == groups["placed"] == OPINION_PEOPLE
    assert groups["planted"] == groups["groups"] == [20, 20, 20]
    assert groups["reason"] is None and groups["weighted"] is True
    assert f"| opinion groups of {OPINION_PEOPLE} residents, " in result.stdout
    assert "Groups planted: 20, 20, 20; found: 20, 20, 20;" in result.stdout


def test_benchmark_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "--participants" in result.stdout and "--modes" in result.stdout
    assert "--opinion-people" in result.stdout and "--themes-comments" in result.stdout
