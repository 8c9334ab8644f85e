"""Share tokens never reach a log line (docs/reports.md: only their hash is
stored, so neither the database nor the logs can give a link away)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx2 as httpx

from tests.conftest import TEST_DECKS
from tests.live import ApiFacilitator, LiveServer

PASSWORD = "a long facilitator password"


def test_share_tokens_are_redacted_in_the_access_log(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, TEST_DECKS)
    server.cli("facilitator", "add", "maria", "--password-stdin", stdin=PASSWORD + "\n")
    server.start()
    try:
        facilitator = ApiFacilitator(server.url, "maria", PASSWORD)
        facilitator.open_session()
        csrf = facilitator.http.post(
            "/api/login", json={"username": "maria", "password": PASSWORD}
        ).json()["csrf_token"]
        created = facilitator.http.post(
            "/console/report/shares",
            data={"session": facilitator.session_id, "days": "1", "csrf_token": csrf},
        )
        assert created.status_code == 200, created.text
        found = re.search(r"/r/([A-Za-z0-9_-]{20,})", created.text)
        assert found, created.text
        token = found.group(1)
        with httpx.Client(base_url=server.url, trust_env=False) as council:
            assert council.get(f"/r/{token}").status_code == 200
            assert council.get(f"/r/{token}/report.json").status_code == 200
            assert council.get(f"/r/{token}?lang=da").status_code == 200
            # A wrong token too: it may be a real one mistyped by one letter.
            assert council.get(f"/r/{token[:-1]}x").status_code == 404
        facilitator.close()
    finally:
        server.stop()
    log = server.log.read_text()
    assert token not in log and token[:-1] not in log
    assert '"GET /r/[redacted] HTTP/1.1" 200' in log
    assert '"GET /r/[redacted]/report.json HTTP/1.1" 200' in log
    assert '"GET /r/[redacted]?lang=da HTTP/1.1" 200' in log
    assert '"GET /r/[redacted] HTTP/1.1" 404' in log
    # Everything else is logged as it was.
    assert '"POST /console/report/shares HTTP/1.1" 200' in log
