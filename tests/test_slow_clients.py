"""Clients that send their request headers slowly are shed (docs/security.md,
"Slow clients"): the server closes a connection whose headers are not complete
STRATEGYROOM_HEADER_TIMEOUT seconds after it opened (or after its next request
began), however many header lines trickle in meanwhile."""

from __future__ import annotations

import re
import select
import socket
import time
from pathlib import Path

import httpx2 as httpx

from tests.conftest import TEST_DECKS
from tests.deploy import COMPOSE_NGINX, SITE_NGINX
from tests.live import LiveServer

SLOW = 50
TIMEOUT = 2
# Only so that a broken server fails the test instead of hanging it; the
# server is expected to close them after TIMEOUT seconds.
GIVE_UP_AFTER = 60


def closed_by_server(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(4096) == b""
    except ConnectionError:
        return True


def test_half_sent_requests_are_closed_by_the_server(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, TEST_DECKS, env={"STRATEGYROOM_HEADER_TIMEOUT": str(TIMEOUT)})
    server.start()
    try:
        slow = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(SLOW)]
        # A connection that sends nothing at all is a slow client too.
        silent = socket.create_connection(("127.0.0.1", server.port))
        for sock in slow:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        open_ = set(range(SLOW))
        deadline = time.monotonic() + GIVE_UP_AFTER
        lines = 0
        while open_ and time.monotonic() < deadline:
            time.sleep(1)  # one header line a second from each
            lines += 1
            for i in list(open_):
                if closed_by_server(slow[i]):
                    open_.discard(i)
                    continue
                try:
                    slow[i].sendall(f"X-Slow-{lines}: still sending\r\n".encode())
                except (BrokenPipeError, ConnectionResetError):
                    open_.discard(i)
        assert open_ == set(), f"{len(open_)} of {SLOW} slow requests still held"
        silent.settimeout(GIVE_UP_AFTER)
        assert silent.recv(1) == b""
        # A client that sends its request at once is served, on a connection
        # that stays open longer than the header timeout.
        with httpx.Client(base_url=server.url, trust_env=False) as client:
            assert client.get("/").status_code == 200
        for sock in [*slow, silent]:
            sock.close()
    finally:
        server.stop()
    assert "Application startup complete." in server.log.read_text()


def test_nginx_gives_slow_headers_no_more_time_than_the_workers() -> None:
    for conf in (COMPOSE_NGINX, SITE_NGINX):
        text = re.sub(r"#[^\n]*", "", conf.read_text(encoding="utf-8"))
        found = re.findall(r"client_header_timeout\s+(\d+)s;", text)
        assert found, conf.name
        assert all(int(seconds) <= 10 for seconds in found), (conf.name, found)
