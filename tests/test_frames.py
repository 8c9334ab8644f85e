"""Frames as uvicorn delivers them (a real server process): a frame over the
protocol's 64 KiB gets an `invalid_message` frame and the socket stays open;
only one over the transport's hard cap (256 KiB) is closed with 1009; a deeply
nested one gets an error frame, never a dropped socket (docs/protocol.md,
"Errors"; docs/security.md, "Limits")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from strategyroom.web.socket_messages import MAX_FRAME_BYTES, MAX_MESSAGE_BYTES
from tests.conftest import TEST_DECKS
from tests.live import ApiFacilitator, LiveServer, Phone

PASSWORD = "a long facilitator password"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    server = LiveServer(Path(tmp_path_factory.mktemp("frames")), TEST_DECKS)
    server.cli("facilitator", "add", "maria", "--password-stdin", stdin=PASSWORD + "\n")
    server.start()
    facilitator = ApiFacilitator(server.url, "maria", PASSWORD)
    try:
        yield server, facilitator.open_session()
    finally:
        facilitator.close()
        server.stop()


def answer_of(size: int) -> str:
    """An answer frame of exactly ``size`` bytes (UTF-8)."""
    empty = json.dumps({"type": "answer", "question": "comment", "answer_id": "big", "value": ""})
    return empty[:-2] + "x" * (size - len(empty)) + '"}'


def test_a_frame_over_64_kib_gets_an_error_frame_and_the_socket_stays_open(
    live: tuple[LiveServer, str],
) -> None:
    server, code = live
    phone = Phone(server.url, code)
    phone.connect()
    try:
        assert phone.ws is not None
        for size in (MAX_MESSAGE_BYTES + 1, 200 * 1024, MAX_FRAME_BYTES):
            frame = answer_of(size)
            assert len(frame.encode()) == size
            phone.ws.send(frame)
            assert phone.until("error") == {
                "type": "error",
                "code": "invalid_message",
                "message": "That message is too large.",
            }
        # Bytes, not characters: 30,000 three-byte characters are over 64 KiB.
        phone.ws.send(
            json.dumps({"type": "answer", "value": "\u20ac" * 30_000}, ensure_ascii=False)
        )
        assert phone.until("error")["message"] == "That message is too large."
        phone.ws.send('{"type": "ping"}')
        assert phone.until("pong") == {"type": "pong"}
    finally:
        phone.close()


def test_deep_nesting_gets_an_error_frame(live: tuple[LiveServer, str]) -> None:
    server, code = live
    phone = Phone(server.url, code)
    phone.connect()
    try:
        assert phone.ws is not None
        for depth in (20, 5_000, 30_000):
            phone.ws.send('{"type": "answer", "value": ' + "[" * depth + "]" * depth + "}")
            assert phone.until("error") == {
                "type": "error",
                "code": "invalid_message",
                "message": "That message is nested too deeply.",
            }
        phone.ws.send('{"type": "ping"}')
        assert phone.until("pong") == {"type": "pong"}
    finally:
        phone.close()


def test_only_a_frame_over_the_transport_cap_closes_the_socket(
    live: tuple[LiveServer, str],
) -> None:
    server, code = live
    phone = Phone(server.url, code)
    phone.connect()
    try:
        assert phone.ws is not None
        phone.ws.send(answer_of(MAX_FRAME_BYTES + 1))
        with pytest.raises(ConnectionClosed) as closed:
            phone.receive()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    finally:
        phone.close()
