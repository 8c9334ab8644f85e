"""The report's PDF job across two workers sharing PostgreSQL (docs/reports.md,
"The PDF in the background"): started on one worker, its progress polled and
its file downloaded on the other, which never ran it; asking the other worker
for the same PDF while it is made joins the job."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import TEST_DECKS, postgres_database, require_redis
from tests.live import LiveServer, two_live_workers

pytestmark = pytest.mark.scaleout
PASSWORD = "a long facilitator password"


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    with postgres_database() as database_url:
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": require_redis(),
            # One login cookie for both workers, as behind a proxy without sticky sessions.
            "STRATEGYROOM_SECRET_KEY": secrets.token_urlsafe(48),
        }
        with two_live_workers(tmp_path, TEST_DECKS, env, PASSWORD) as pair:
            yield pair


def _start(http: httpx.Client, url: str, session_id: str, csrf: str) -> str:
    response = http.post(
        f"{url}/console/report/pdf-jobs?lang=en",
        data={"session": session_id, "csrf_token": csrf},
        headers={"hx-request": "true", "x-csrf-token": csrf},
    )
    assert response.status_code == 200, response.text
    job = re.search(r"/console/report/pdf-jobs/([\w-]+)\?lang=en", response.text)
    assert job is not None, response.text
    return job.group(1)


def test_a_pdf_started_on_one_worker_is_followed_and_downloaded_on_the_other(
    workers: tuple[LiveServer, LiveServer],
) -> None:
    a, b = workers
    with httpx.Client(trust_env=False) as http:
        login = http.post(f"{a.url}/api/login", json={"username": "maria", "password": PASSWORD})
        assert login.status_code == 200, login.text
        csrf = login.json()["csrf_token"]
        session = http.post(
            f"{a.url}/api/sessions",
            json={"deck": "report-test.yaml", "title": "Across"},
            headers={"x-csrf-token": csrf},
        )
        assert session.status_code in (200, 201), session.text
        session_id = session.json()["id"]
        job = _start(http, a.url, session_id, csrf)
        # Worker b joins the job worker a started (the job is in the database).
        assert _start(http, b.url, session_id, csrf) == job
        for _ in range(600):  # a bound on waiting, not a timing assertion
            status = http.get(f"{b.url}/console/report/pdf-jobs/{job}?lang=en")
            if status.status_code == 286:
                break
            assert status.status_code == 200, status.text
            time.sleep(0.5)
        assert "The PDF is ready." in status.text
        pdf = http.get(f"{b.url}/console/report/pdf-jobs/{job}/report.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        page = http.get(f"{b.url}/console/report?session={session_id}&lang=en")
        assert f"/console/report/pdf-jobs/{job}/report.pdf" in page.text
