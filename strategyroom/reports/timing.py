"""How long a report takes, phase by phase, for the benchmark (docs/reports.md).

Not used by the app. The benchmark calls :func:`time_report` on a database
holding a large session (say 5,000 participants) and records the seconds;
tests never assert timings.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from strategyroom.reports import data, exports, html, pdf
from strategyroom.reports.model import build_report
from strategyroom.store.db import Database
from strategyroom.templating import Renderer


def time_report(
    database_url: str,
    session_ids: Sequence[str],
    language: str = "en",
    with_pdf: bool = False,
) -> dict[str, float]:
    """Seconds spent reading, computing, and writing each format; plus the
    number of answer rows read (``answers``), so a benchmark can report rates."""
    db = Database(database_url)
    timings: dict[str, float] = {}
    try:
        start = time.perf_counter()
        sessions = db.call(lambda s: data.load_sessions(s, session_ids))
        timings["read"] = time.perf_counter() - start
    finally:
        db.dispose()
    step = time.perf_counter()
    report = build_report(sessions, language, "Benchmark", datetime.now(UTC))
    timings["figures"] = time.perf_counter() - step
    step = time.perf_counter()
    page = html.render_report(Renderer(), report, sessions[0].deck, logo=None, downloads={})
    timings["html"] = time.perf_counter() - step
    step = time.perf_counter()
    exports.to_csv(sessions, language)
    timings["csv"] = time.perf_counter() - step
    step = time.perf_counter()
    exports.to_json(report)
    timings["json"] = time.perf_counter() - step
    if with_pdf:
        step = time.perf_counter()
        pdf.to_pdf(page)
        timings["pdf"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - start
    timings["answers"] = float(sum(len(rows) for s in sessions for rows in s.answers.values()))
    return timings
