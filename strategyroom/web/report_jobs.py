"""The report's PDF made in the background, on the web: the report page's
"Make the PDF" button starts a job (or joins the one under way), the page
shows its progress bar, polled with htmx, and then the download
(strategyroom.reports.jobs; docs/reports.md).

Each worker process makes at most ``MAX_JOBS`` PDFs at once, each in a process
of its own from a small pool (WeasyPrint holds the GIL for the whole layout:
in a thread it would slow the worker's event loop, phones and all); more wait
their turn, shown as "waiting". The job's state is in the database, so a
request to any worker finds it; only the worker that started a job runs it and
writes its heartbeat.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from strategyroom.config import Settings
from strategyroom.live.errors import N_, NotFound
from strategyroom.reports import jobs
from strategyroom.store.db import Database
from strategyroom.store.models import ReportJob
from strategyroom.web import ownership
from strategyroom.web.context import page, request_language, services
from strategyroom.web.security import check_csrf

log = logging.getLogger(__name__)

MAX_JOBS = 2

# What each step is called on the progress bar.
STEP_TEXT = {
    "queued": N_("Starting (if %(count)s other PDFs are being made, it waits for one of them)"),
    "reading": N_("Reading the answers"),
    "figures": N_("Computing the figures"),
    "page": N_("Writing the report"),
    "layout": N_("Laying out the pages"),
    "numbering": N_("Numbering the pages"),
    "pdf": N_("Writing the PDF file"),
    "done": N_("The PDF is ready"),
}
ERROR_TEXT = {
    "failed": N_(
        "The PDF could not be made. Please try again; if it fails again, download "
        "the report as HTML and print it as a PDF from the browser."
    ),
    "stopped": N_(
        "The server that was making this PDF stopped before it was done. Please start it again."
    ),
    "gone": N_("A session of this report was deleted or is no longer yours, so no PDF was made."),
}


class ReportJobs:
    """The worker's PDF processes and the jobs it runs."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self._pool: Executor | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def _executor(self) -> Executor:
        if self._pool is None:
            # spawn: a fresh interpreter, not a fork of a process with threads.
            self._pool = ProcessPoolExecutor(
                MAX_JOBS, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def start(self, job_id: str) -> None:
        task = asyncio.create_task(self._run(job_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job_id: str) -> None:
        spec = jobs.Spec(
            job_id,
            self.settings.effective_database_url,
            self.settings.council_name,
            self.settings.council_logo,
            self.settings.timezone,
        )
        try:
            future = asyncio.get_running_loop().run_in_executor(
                self._executor(), jobs.make_pdf, spec
            )
            while True:
                done, _ = await asyncio.wait({future}, timeout=jobs.HEARTBEAT)
                if done:
                    break
                await self.db.run(lambda db: jobs.beat(db, job_id), write=True)
            future.result()
        except Exception:
            # The PDF process died (make_pdf stores its own errors).
            log.exception("a report PDF process failed")
            self._pool = None
            await self.db.run(lambda db: jobs.fail(db, job_id, "failed"), write=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def runner(request: Request) -> ReportJobs:
    return request.app.state.report_jobs  # type: ignore[no-any-return]


def progress_view(job: ReportJob | None, session_query: str) -> dict[str, Any]:
    """What the report page's PDF panel shows for a job (templates/reports/pdf_job.html)."""
    job = jobs.shown(job) if job is not None else None
    return {
        "job": job,
        "step_text": STEP_TEXT.get(job.step, "") if job else "",
        "max_jobs": MAX_JOBS,
        "error_text": ERROR_TEXT.get(job.error, ERROR_TEXT["failed"]) if job else "",
        "session_query": session_query,
    }


async def _job_for(request: Request) -> ReportJob:
    """The path's job, when the facilitator may act on all its sessions."""
    svc = services(request)
    job_id = request.path_params["job_id"]
    job = await svc.db.run(lambda db: jobs.status(db, job_id))
    if job is None:
        raise NotFound(N_("This PDF is no longer kept. Please make it again."))
    await ownership.sessions_for(request, job.session_ids)
    return job


def _query(session_ids: list[str], language: str) -> str:
    return "&".join([*(f"session={sid}" for sid in session_ids), f"lang={language}"])


async def start_job(request: Request) -> Response:
    user = ownership.facilitator_id(request)
    svc = services(request)
    form = await request.form()
    await check_csrf(request, form)
    wanted = [str(v) for v in form.getlist("session")]
    ids = [room.id for room in await ownership.sessions_for(request, wanted)]
    language = request_language(request)
    job, new = await svc.db.run(lambda db: jobs.start_or_join(db, ids, language, user), write=True)
    if new:
        runner(request).start(job.id)
    if not request.headers.get("hx-request"):
        return RedirectResponse(f"/console/report?{_query(ids, language)}#pdf", status_code=303)
    return _panel(request, job)


def _panel(request: Request, job: ReportJob) -> Response:
    view = progress_view(job, _query(job.session_ids, job.language))
    shown = view["job"]
    assert isinstance(shown, ReportJob)
    # 286 tells htmx to stop polling: the job is done or failed.
    status = 200 if shown.state in jobs.ACTIVE else 286
    return page(request, "reports/pdf_job.html", status_code=status, **view)


async def job_status(request: Request) -> Response:
    return _panel(request, await _job_for(request))


async def job_download(request: Request) -> Response:
    job = await _job_for(request)
    found = await services(request).db.run(lambda db: jobs.file_of(db, job.id))
    if found is None:
        raise NotFound(N_("This PDF is not ready yet."))
    filename, body = found
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


routes = [
    Route("/console/report/pdf-jobs", start_job, methods=["POST"]),
    Route("/console/report/pdf-jobs/{job_id}", job_status),
    Route("/console/report/pdf-jobs/{job_id}/report.pdf", job_download),
]
