"""Behind the real nginx of deploy/ (the Compose configuration), each resident
is counted by their own address: the worker believes X-Forwarded-For from the
proxy named in STRATEGYROOM_TRUSTED_PROXIES only, a guesser is limited without
shutting out the others, and a phone that already joined reconnects even while
its address is over the join-guess limit (docs/security.md, "Client addresses").

Residents are told apart by their source address on loopback (127.0.0.10,
.11, ...); nginx connects to the worker from 127.0.0.2, as the Compose proxy
does from its fixed address. Needs Debian's `nginx` package.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import yaml
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.conftest import TEST_DECKS
from tests.deploy import COMPOSE_NGINX, DEPLOY, compose_conf_for_test
from tests.live import ApiFacilitator, LiveServer, free_port
from tests.test_deploy_proxy import running_nginx

PASSWORD = "a long facilitator password"
PROXY = "127.0.0.2"
LIMIT = 3
WRONG = ["ABCDEF", "GHJKMN", "PQRSTU", "VWXYZ2"]


def request(
    port: int, method: str, path: str, source: str, body: Any = None, **headers: str
) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        data = None if body is None else json.dumps(body)
        if data is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        is_json = response.getheader("content-type", "").startswith("application/json")
        return response.status, json.loads(payload) if is_json else payload
    finally:
        conn.close()


def guesses(port: int, source: str) -> list[int]:
    """Wrong codes from ``source``, each claiming a new X-Forwarded-For."""
    return [
        request(port, "GET", f"/join/{code}", source, **{"X-Forwarded-For": f"198.51.100.{n}"})[0]
        for n, code in enumerate(WRONG)
    ]


def first_frame(port: int, code: str, token: str, source: str, origin: str) -> dict[str, Any]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    url = f"ws://127.0.0.1:{port}/ws/participant/{code}?format=json"
    with connect(url, sock=sock, origin=Origin(origin), proxy=None, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "hello", "token": token}))
        frame: dict[str, Any] = json.loads(ws.recv(timeout=10))
        return frame


def test_behind_nginx_each_resident_is_counted_by_their_own_address(tmp_path: Path) -> None:
    proxy_port = free_port()
    public_url = f"http://127.0.0.1:{proxy_port}"
    with ExitStack() as stack:
        env = {
            "STRATEGYROOM_PUBLIC_URL": public_url,
            "STRATEGYROOM_TRUSTED_PROXIES": PROXY,
            "STRATEGYROOM_JOIN_ATTEMPTS_PER_MINUTE": str(LIMIT),
        }
        worker = LiveServer(tmp_path / "worker", TEST_DECKS, env=env)
        worker.cli("facilitator", "add", "maria", "--password-stdin", stdin=PASSWORD + "\n")
        stack.callback(worker.stop)
        worker.start()
        conf = compose_conf_for_test(
            COMPOSE_NGINX.read_text(encoding="utf-8"), [f"127.0.0.1:{worker.port}"]
        )
        # The Compose proxy reaches the workers from its fixed address; here
        # nginx does so from 127.0.0.2, the only address the worker trusts.
        conf = conf.replace("server {", f"proxy_bind {PROXY};\n\nserver {{", 1)
        stack.enter_context(running_nginx(tmp_path / "nginx", conf, proxy_port))
        facilitator = ApiFacilitator(public_url, "maria", PASSWORD)
        stack.callback(facilitator.close)
        code = facilitator.open_session()

        status, resident = request(
            proxy_port, "POST", "/api/join", "127.0.0.10", {"code": code, "language": "en"}
        )
        assert status == 201, resident
        token = resident["token"]
        assert first_frame(proxy_port, code, token, "127.0.0.10", public_url)["type"] == "snapshot"

        # A guesser is limited, whatever X-Forwarded-For it sends through nginx.
        assert guesses(proxy_port, "127.0.0.11") == [404] * LIMIT + [429]
        # Other residents behind the same proxy are not.
        status, _ = request(proxy_port, "POST", "/api/join", "127.0.0.12", {"code": code})
        assert status == 201

        # Someone at the resident's own address guesses: new joins from there
        # wait, but the phone that joined reconnects (a wifi hiccup).
        assert guesses(proxy_port, "127.0.0.10") == [404] * LIMIT + [429]
        status, refused = request(proxy_port, "POST", "/api/join", "127.0.0.10", {"code": code})
        assert status == 429 and refused["error"]["code"] == "rate_limited"
        assert first_frame(proxy_port, code, token, "127.0.0.10", public_url)["type"] == "snapshot"
        made_up = first_frame(proxy_port, code, "made-up", "127.0.0.10", public_url)
        assert made_up["code"] == "rate_limited"

        # Straight to the worker from loopback (not the trusted proxy), a
        # forged X-Forwarded-For is not believed either.
        assert guesses(worker.port, "127.0.0.1") == [404] * LIMIT + [429]
    log = worker.log.read_text()
    # The worker's access log shows each resident's address, not the proxy's.
    assert re.search(r'127\.0\.0\.12:\d+ - "POST /api/join HTTP/1\.1" 201', log), log
    assert f"{PROXY}:" not in log


def test_the_shipped_configurations_trust_exactly_their_proxy() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    trusted = services["app"]["environment"]["STRATEGYROOM_TRUSTED_PROXIES"]
    assert trusted == services["proxy"]["networks"]["default"]["ipv4_address"]
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert trusted.rsplit(".", 1)[0] == subnet.split("/")[0].rsplit(".", 1)[0]
    unit = (DEPLOY / "systemd" / "strategyroom@.service").read_text(encoding="utf-8")
    assert "Environment=STRATEGYROOM_TRUSTED_PROXIES=127.0.0.1\n" in unit
    assert "--host 127.0.0.1" in unit  # only nginx on the same host reaches the worker
