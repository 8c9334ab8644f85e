"""A phone that stops reading (on a bad network, or gone without closing) must
not hold up the others: once the server has paused writing to it, its frames
wait in its own queue and every other phone still gets every card at once.

The slow phone is a raw TCP socket with a tiny receive buffer that does the
websocket handshake and says hello, then never reads again; a few dozen cards
fill its buffers. Without the queue, the fan-out waited on that socket until the
keepalive ping gave up on it (20-40 s), and every phone behind it saw nothing.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import ApiFacilitator, LiveServer, Phone

PASSWORD = "a long facilitator password"
CARDS = 120


def write_deck(directory: Path) -> None:
    """Two long evidence cards (12 snippets of 4,000 characters each, the most a
    deck may hold): about 50 KB a frame, so the 120 cards shown here are 6 MB,
    more than the kernel's socket buffers (4 MB at most) and uvicorn's 64 KiB
    can hold for the phone that does not read."""
    text = "Cycle lanes, buses and trees; " * 133  # 3,990 characters
    evidence = [{"label": {"en": "Fact"}, "text": {"en": text}, "source": "Survey"}]
    cards = [
        {
            "id": f"long-{n}",
            "kind": "scenario",
            "title": {"en": f"Long card {n}"},
            "body": {"en": text},
            "evidence": evidence * 12,
        }
        for n in range(2)
    ]
    deck = {
        "id": "long",
        "version": "1",
        "title": {"en": "Long cards"},
        "languages": ["en"],
        "default_language": "en",
        "cards": cards,
    }
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "long.yaml").write_text(json.dumps(deck))  # JSON is YAML


def frame(text: str) -> bytes:
    """A masked text frame, as a client sends it (RFC 6455)."""
    payload, mask = text.encode(), os.urandom(4)
    head = struct.pack("!BB", 0x81, 0x80 | 126) + struct.pack("!H", len(payload))
    if len(payload) < 126:
        head = struct.pack("!BB", 0x81, 0x80 | len(payload))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def stalled_phone(server: LiveServer, path: str, token: str) -> socket.socket:
    """Connect, say hello, and from then on read nothing."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    sock.connect(("127.0.0.1", server.port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:  # byte by byte: leave the frames unread
        response += sock.recv(1)
    assert response.startswith(b"HTTP/1.1 101"), response
    sock.sendall(frame(json.dumps({"type": "hello", "token": token})))
    return sock


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    write_deck(tmp_path / "decks")
    live = LiveServer(tmp_path / "data", tmp_path / "decks")
    live.cli("facilitator", "add", "maria", "--password-stdin", stdin=PASSWORD + "\n")
    live.start()
    try:
        yield live
    finally:
        live.stop()


def test_a_phone_that_stops_reading_does_not_hold_up_the_others(server: LiveServer) -> None:
    facilitator = ApiFacilitator(server.url, "maria", PASSWORD)
    code = facilitator.open_session("long.yaml")
    quiet = Phone(server.url, code)
    stalled = stalled_phone(server, quiet.path, quiet.token)  # the same kind of phone
    others = [Phone(server.url, code) for _ in range(3)]
    for phone in others:
        phone.connect()
    facilitator.wait_connected(4)

    expected = [n % 2 for n in range(CARDS)]
    for card in expected:
        facilitator.act("show_card", card=card)
    # Every reading phone gets every card, in order (a phone waits at most 10 s
    # for each frame; the stall lasted 20-40 s).
    for phone in others:
        while len(phone.cards) < CARDS:
            phone.until("event", "card_shown")
    for phone in others:
        assert phone.cards == expected
        phone.close()
    stalled.close()
    facilitator.http.close()
