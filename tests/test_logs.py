"""What `strategyroom serve` logs: requests at info level, websocket handshakes
only at debug level (a hall reconnecting writes three lines per phone)."""

from __future__ import annotations

from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.conftest import TEST_DECKS
from tests.live import ApiFacilitator, LiveServer, Phone

PASSWORD = "a long facilitator password"


@pytest.mark.parametrize("level", ["info", "debug"])
def test_websocket_handshakes_are_logged_at_debug_level_only(tmp_path: Path, level: str) -> None:
    server = LiveServer(tmp_path, TEST_DECKS, serve_args=("--log-level", level))
    server.cli("facilitator", "add", "maria", "--password-stdin", stdin=PASSWORD + "\n")
    server.start()
    try:
        code = ApiFacilitator(server.url, "maria", PASSWORD).open_session()
        phone = Phone(server.url, code)
        phone.connect()
        phone.close()
        # A projector's socket from another origin is refused at the handshake.
        projector = server.url.replace("http://", "ws://") + f"/ws/projector/{code}"
        with (
            pytest.raises(InvalidStatus, match="HTTP 403"),
            connect(projector, origin=Origin("https://elsewhere.example"), proxy=None),
        ):
            pass
    finally:
        server.stop()
    log = server.log.read_text()
    socket = f'"WebSocket /ws/participant/{code}?format=json"'
    assert '"POST /api/join HTTP/1.1" 201' in log
    # A refused handshake is worth seeing at any level.
    assert f'"WebSocket /ws/projector/{code}" 403' in log
    handshake_lines = ["DEBUG:    127.0.0.1", f"{socket} [accepted]", "connection open"]
    for line in handshake_lines:
        assert (line in log) is (level == "debug"), line
    # Never the frames themselves, which carry tokens and what people wrote.
    assert phone.token not in log
    assert "TEXT" not in log and "sec-websocket-key" not in log


def test_the_access_log_can_be_turned_off(tmp_path: Path) -> None:
    """Councils that must not keep addresses at all (docs/privacy.md)."""
    server = LiveServer(tmp_path, TEST_DECKS, serve_args=("--no-access-log",))
    server.cli("facilitator", "add", "maria", "--password-stdin", stdin=PASSWORD + "\n")
    server.start()
    try:
        code = ApiFacilitator(server.url, "maria", PASSWORD).open_session()
        Phone(server.url, code).connect()
    finally:
        server.stop()
    log = server.log.read_text()
    assert "Application startup complete." in log
    assert "127.0.0.1" not in log.replace(server.url, "")
    assert "/api/join" not in log
