"""The nginx of deploy/ writes report share links as /r/[redacted] in its
access log, as the workers do in theirs (docs/reports.md). Needs Debian's
`nginx` package."""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import TEST_DECKS
from tests.deploy import COMPOSE_NGINX, SITE_NGINX, compose_conf_for_test
from tests.live import ApiFacilitator, LiveServer, free_port
from tests.test_deploy_proxy import running_nginx

PASSWORD = "a long facilitator password"


def test_nginx_redacts_share_tokens_in_its_access_log(tmp_path: Path) -> None:
    proxy_port = free_port()
    public_url = f"http://127.0.0.1:{proxy_port}"
    with ExitStack() as stack:
        worker = LiveServer(
            tmp_path / "worker", TEST_DECKS, env={"STRATEGYROOM_PUBLIC_URL": public_url}
        )
        worker.cli("facilitator", "add", "maria", "--password-stdin", stdin=PASSWORD + "\n")
        stack.callback(worker.stop)
        worker.start()
        conf = compose_conf_for_test(
            COMPOSE_NGINX.read_text(encoding="utf-8"), [f"127.0.0.1:{worker.port}"]
        )
        stack.enter_context(running_nginx(tmp_path / "nginx", conf, proxy_port, own_log=False))
        facilitator = ApiFacilitator(public_url, "maria", PASSWORD)
        stack.callback(facilitator.close)
        facilitator.open_session()
        csrf = facilitator.http.post(
            "/api/login", json={"username": "maria", "password": PASSWORD}
        ).json()["csrf_token"]
        created = facilitator.http.post(
            "/console/report/shares",
            data={"session": facilitator.session_id, "days": "1", "csrf_token": csrf},
        )
        found = re.search(r"/r/([A-Za-z0-9_-]{20,})", created.text)
        assert found, created.text
        token = found.group(1)
        with httpx.Client(base_url=public_url, trust_env=False) as council:
            assert council.get(f"/r/{token}").status_code == 200
            download = council.get(
                f"/r/{token}/report.json?lang=da", headers={"referer": f"{public_url}/r/{token}"}
            )
            assert download.status_code == 200
    log = (tmp_path / "nginx" / "access.log").read_text()
    assert token not in log
    assert '"GET /r/[redacted] HTTP/1.1" 200' in log
    assert '"GET /r/[redacted]/report.json?lang=da HTTP/1.1" 200 ' in log
    assert f'"{public_url}/r/[redacted]"' in log
    assert '"POST /console/report/shares HTTP/1.1" 200' in log  # the rest as it was


@pytest.mark.parametrize("conf", [COMPOSE_NGINX, SITE_NGINX], ids=lambda p: p.name)
def test_every_server_logs_with_the_redacting_format(conf: Path) -> None:
    text = re.sub(r"#[^\n]*", "", conf.read_text(encoding="utf-8"))
    servers = len(re.findall(r"^server\s*\{", text, flags=re.MULTILINE))
    logs = re.findall(r"access_log\s+(\S+)\s+(\S+);", text)
    assert len(logs) == servers and all(fmt == "strategyroom" for _, fmt in logs), logs
