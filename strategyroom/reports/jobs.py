"""A report's PDF made in the background: laying out a large evening's PDF
takes longer than an HTTP request should wait (docs/reports.md, "The PDF in
the background").

A job is a row (``report_job``): who asked, for which sessions and language,
its state (queued, running, done, failed), its progress and, once done, the
file. The row is the only place the job's state lives, so any worker (scale-out)
shows its progress and hands out its file, whichever worker makes it. The
same report asked for again while it is being made joins the job. A finished
job is deleted ``KEEP`` after it finished, and with any of its sessions.

``make_pdf`` is the work itself, run in a separate process (the web side,
strategyroom.web.report_jobs, keeps a small pool of them): it reads the
sessions, computes the figures, writes the page, lays it out and writes the
progress to the row as it goes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from strategyroom.store.db import Database
from strategyroom.store.models import ReportJob

log = logging.getLogger(__name__)

KEEP = timedelta(hours=1)  # a finished job's file, then it is deleted
# The worker running a job writes heartbeat_at every HEARTBEAT seconds; a job
# not heard of for STALE stopped with its worker (killed, restarted).
HEARTBEAT = 5.0
STALE = timedelta(seconds=60)
# A page of the report's HTML is about this many characters: how many pages
# the layout will have, guessed before it starts (the 5,000-resident evening of
# the benchmark: 2.3 MB of HTML in 172 pages).
CHARACTERS_PER_PAGE = 13_000

ACTIVE = ("queued", "running")

# Progress (0-100) at the start of each step; the layout runs from "layout" to
# "numbering" page by page.
STEPS = {
    "queued": 0,
    "reading": 3,
    "figures": 10,
    "page": 20,
    "layout": 25,
    "numbering": 88,
    "pdf": 92,
    "done": 100,
}


def job_key(session_ids: list[str], language: str) -> str:
    return hashlib.sha256(json.dumps([session_ids, language]).encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


def is_stale(job: ReportJob, at: datetime | None = None) -> bool:
    return job.state in ACTIVE and (at or now()) - job.heartbeat_at > STALE


def shown(job: ReportJob) -> ReportJob:
    """The job as a reader should see it: one whose worker stopped has failed."""
    if is_stale(job):
        return job.model_copy(update={"state": "failed", "error": "stopped"})
    return job


def start_or_join(
    db: Session, session_ids: list[str], language: str, facilitator: int | None
) -> tuple[ReportJob, bool]:
    """The job making this report's PDF: the one under way, or a new one
    (then True: the caller starts it). Finished jobs past KEEP are deleted."""
    clean_up(db)
    key = job_key(session_ids, language)
    running = db.exec(
        select(ReportJob)
        .where(ReportJob.key == key, col(ReportJob.state).in_(ACTIVE))
        .order_by(col(ReportJob.created_at).desc())
    ).all()
    for job in running:
        if not is_stale(job):
            return job, False
    job = ReportJob(
        id=secrets.token_urlsafe(16),
        key=key,
        session_ids=session_ids,
        language=language,
        created_by=facilitator,
    )
    db.add(job)
    db.commit()
    db.refresh(job)
    return job, True


def latest(db: Session, session_ids: list[str], language: str) -> ReportJob | None:
    """The newest job for this report (what the report page shows after a reload)."""
    return db.exec(
        select(ReportJob)
        .where(ReportJob.key == job_key(session_ids, language))
        .order_by(col(ReportJob.created_at).desc())
        .limit(1)
    ).first()


def status(db: Session, job_id: str) -> ReportJob | None:
    """A job without its file (the row's other columns)."""
    columns = [c for c in ReportJob.__table__.columns if c.name != "pdf"]  # type: ignore[attr-defined]
    row = db.execute(select_columns(*columns).where(col(ReportJob.id) == job_id)).first()
    return None if row is None else ReportJob.model_validate(dict(row._mapping))


def file_of(db: Session, job_id: str) -> tuple[str, bytes] | None:
    row = db.exec(
        select(ReportJob.filename, ReportJob.pdf).where(
            ReportJob.id == job_id, ReportJob.state == "done"
        )
    ).first()
    return None if row is None or row[1] is None else (row[0], row[1])


def _set(db: Session, job_id: str, **values: object) -> None:
    db.exec(update(ReportJob).where(col(ReportJob.id) == job_id).values(**values))
    db.commit()


def beat(db: Session, job_id: str) -> None:
    """The job's worker is alive (while it is queued or running)."""
    db.exec(
        update(ReportJob)
        .where(col(ReportJob.id) == job_id, col(ReportJob.state).in_(ACTIVE))
        .values(heartbeat_at=now())
    )
    db.commit()


def fail(db: Session, job_id: str, error: str) -> None:
    _set(db, job_id, state="failed", error=error, finished_at=now(), heartbeat_at=now())


def clean_up(db: Session) -> None:
    """Delete jobs that finished more than KEEP ago, with their files."""
    db.exec(delete(ReportJob).where(col(ReportJob.finished_at) < now() - KEEP))
    db.commit()


def delete_jobs_of(db: Session, session_id: str) -> None:
    """Delete every job over a session (it is being deleted): its file holds
    the session's comments."""
    for job in db.exec(select(ReportJob.id, ReportJob.session_ids)).all():
        if session_id in job[1]:
            db.exec(delete(ReportJob).where(col(ReportJob.id) == job[0]))
    db.commit()


# -- the work, in a separate process ------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What a PDF process needs besides the job's row (picklable)."""

    job_id: str
    database_url: str
    council: str
    logo: Path | None
    zone: str


class _Progress:
    """Writes the job's progress to its row, at most twice a second within a step."""

    def __init__(self, db: Database, job_id: str) -> None:
        self.db, self.job_id = db, job_id
        self.expected_pages = 1
        self.last = 0.0
        self.last_step = ""

    def step(self, step: str, percent: int | None = None, page: int = 0) -> None:
        moment = time.monotonic()
        if step == self.last_step and moment - self.last < 0.5:
            return
        self.last, self.last_step = moment, step
        value = STEPS[step] if percent is None else percent
        self.db.call(
            lambda s: _set(s, self.job_id, state="running", step=step, progress=value, page=page),
            write=True,
        )

    def pdf(self, what: str, page: int) -> None:
        if what == "layout":
            span = STEPS["numbering"] - STEPS["layout"]
            done = min(1.0, page / self.expected_pages)
            self.step("layout", STEPS["layout"] + int(span * done), page)
        else:
            self.step(what)


def make_pdf(spec: Spec) -> None:
    """Make the job's PDF and store it in its row (or store why it failed)."""
    # Imported here: a PDF process needs them, the module's readers do not.
    from strategyroom.errors import SessionError
    from strategyroom.reports import data, html, pdf
    from strategyroom.reports.model import build_report
    from strategyroom.templating import Renderer

    db = Database(spec.database_url)
    try:
        job = db.call(lambda s: s.get(ReportJob, spec.job_id))
        if job is None:
            return  # deleted with its session before it began
        progress = _Progress(db, spec.job_id)
        progress.step("reading")
        sessions = db.call(lambda s: data.load_sessions(s, job.session_ids))
        progress.step("figures")
        report = build_report(sessions, job.language, spec.council, now())
        progress.step("page")
        source = html.render_report(
            Renderer(),
            report,
            sessions[0].deck,
            logo=html.logo_data_uri(spec.logo),
            downloads={},
            printing=True,
            zone=spec.zone,
        )
        progress.expected_pages = max(1, len(source) // CHARACTERS_PER_PAGE)
        body = pdf.to_pdf(source, progress.pdf)
        filename = f"report-{report.deck.id}-{report.generated_at:%Y-%m-%d}.pdf"
        db.call(
            lambda s: _set(
                s,
                spec.job_id,
                state="done",
                step="done",
                progress=100,
                pdf=body,
                filename=filename,
                finished_at=now(),
            ),
            write=True,
        )
    except SessionError:
        # A session was deleted (or taken from its facilitators) meanwhile.
        db.call(lambda s: fail(s, spec.job_id, "gone"), write=True)
    except Exception:
        log.exception("making a report's PDF failed")
        db.call(lambda s: fail(s, spec.job_id, "failed"), write=True)
    finally:
        db.dispose()
