"""The report's PDF made in the background (strategyroom.reports.jobs): the
report page's button starts a job, asking again while it runs joins it, its
progress is polled, the file is downloaded from the job, the page shows it
again after a reload, it is the facilitator's only, and it goes with its session;
a job whose worker stopped says so, and asking again starts a new one."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from starlette.testclient import TestClient

from strategyroom.config import Settings
from strategyroom.reports import jobs
from strategyroom.store.db import Database
from strategyroom.store.models import ReportJob, utcnow
from tests.evenings import PLANS
from tests.reportscript import script_session
from tests.test_ownership import add_facilitators, logged_in


def _start(console: TestClient, session_id: str) -> tuple[str, str]:
    response = console.post(
        "/console/report/pdf-jobs?lang=en",
        data={"session": session_id, "csrf_token": console.headers["x-csrf-token"]},
        headers={"hx-request": "true"},
    )
    assert response.status_code == 200, response.text
    job = re.search(r'hx-get="/console/report/pdf-jobs/([\w-]+)\?lang=en"', response.text)
    assert job is not None, response.text
    return job.group(1), response.text


def _wait(console: TestClient, job: str) -> str:
    """Poll as the page does until the job ends (htmx's "stop polling", 286)."""
    for _ in range(600):  # a bound on waiting, not a timing assertion
        response = console.get(f"/console/report/pdf-jobs/{job}?lang=en")
        if response.status_code == 286:
            return response.text
        assert response.status_code == 200
        progress = re.search(r'<progress id="pdf-bar" max="100" value="(\d+)">', response.text)
        assert progress is not None and 0 <= int(progress.group(1)) < 100
        assert re.search(r'<label for="pdf-bar">Making the PDF: [A-Z]', response.text)
        time.sleep(0.5)
    raise AssertionError("the PDF job did not end")


def test_the_pdf_is_made_in_the_background_and_asking_again_joins_it(
    console: TestClient, browser: Callable[[], TestClient], settings: Settings, tmp_path: Path
) -> None:
    sid = script_session(console, "Nørrebro", PLANS["Nørrebro"])["id"]
    page = console.get(f"/console/report?session={sid}&lang=en").text
    # The page offers the button, not a PDF link that would hold the request.
    assert "Make PDF" in page and "/console/report.pdf" not in page
    job, first = _start(console, sid)
    assert '<progress id="pdf-bar" max="100" value="0">0%</progress>' in first
    starting = "Starting (if 2 other PDFs are being made, it waits for one of them)"
    assert f"Making the PDF: {starting}" in first
    again, _ = _start(console, sid)
    assert again == job  # the same report asked for again joins the job under way
    done = _wait(console, job)
    assert "The PDF is ready." in done
    link = f'<a href="/console/report/pdf-jobs/{job}/report.pdf">Download the PDF</a>'
    assert link in done and "hx-get" not in done
    pdf = console.get(f"/console/report/pdf-jobs/{job}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="report-report-test-\d{4}-\d\d-\d\d\.pdf"',
        pdf.headers["content-disposition"],
    )
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Summary" in text and "Nørrebro (" in text and "Which street first?" in text
    # After a reload the page shows the finished job and its download.
    assert link in console.get(f"/console/report?session={sid}&lang=en").text
    # Another facilitator's report page, status and download know nothing of it.
    add_facilitators(settings, "bob")
    bob = logged_in(browser, "bob")
    assert bob.get(f"/console/report/pdf-jobs/{job}?lang=en").status_code == 404
    assert bob.get(f"/console/report/pdf-jobs/{job}/report.pdf").status_code == 404
    # A job over a deleted session goes with it (its file holds the comments).
    deleted = console.delete(f"/api/sessions/{sid}")
    assert deleted.status_code in (200, 204), deleted.text
    gone = console.get(f"/console/report/pdf-jobs/{job}/report.pdf")
    assert gone.status_code == 404
    assert "This PDF is no longer kept. Please make it again." in gone.text


def test_a_job_whose_worker_stopped_says_so_and_a_new_one_starts(
    console: TestClient, settings: Settings
) -> None:
    sid = script_session(console, "Valby", PLANS["Valby"])["id"]
    # What a worker killed in the middle of a PDF leaves behind: a running job
    # that nobody has written a heartbeat to for two minutes.
    db = Database(settings.effective_database_url)
    try:
        stopped = ReportJob(
            id="stopped-job",
            key=jobs.job_key([sid], "en"),
            session_ids=[sid],
            language="en",
            state="running",
            step="layout",
            progress=40,
            created_at=utcnow() - timedelta(minutes=3),
            heartbeat_at=utcnow() - timedelta(minutes=2),
        )
        db.call(lambda s: (s.add(stopped), s.commit()), write=True)
    finally:
        db.dispose()
    message = (
        "The server that was making this PDF stopped before it was done. Please start it again."
    )
    page = console.get(f"/console/report?session={sid}&lang=en").text
    assert f'<p class="error">{message}</p>' in page and "<progress" not in page
    status = console.get("/console/report/pdf-jobs/stopped-job?lang=en")
    assert status.status_code == 286 and message in status.text
    # Asking again does not join the stopped job: a new one makes the PDF.
    job, _ = _start(console, sid)
    assert job != "stopped-job"
    assert "The PDF is ready." in _wait(console, job)
