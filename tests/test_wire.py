"""Text frames encoded once and written straight to a connection (web/wire.py):
the bytes are those the ``websockets`` library makes for a server's frame, and
a connection that cannot take a frame at once is left to the ordinary ``send``
(which waits, queues or fails as it did). The fan-out through a real server is
covered by test_frames.py, test_slow_phone.py and test_bench.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from websockets.frames import Frame, Opcode
from websockets.protocol import OPEN
from websockets.server import ServerProtocol

from strategyroom.web.wire import direct_writer, text_frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70000])
def test_a_text_frame_is_what_websockets_makes_for_a_server(size: int) -> None:
    text = ("é" * size)[: size // 2] + "x" * (size - size // 2)
    expected = Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
    assert text_frame(text) == expected


class Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def is_closing(self) -> bool:
        return self.closing


class Server:
    """The attributes of uvicorn's sans-I/O websocket protocol that wire.py reads."""

    def __init__(self) -> None:
        self.conn: Any = ServerProtocol()
        self.conn.state = OPEN
        self.transport = Transport()
        self.writable = asyncio.Event()
        self.writable.set()
        self.close_sent = False
        self.disconnected = False
        self.handshake_complete = True


def test_an_open_connection_gets_the_frame_written_at_once() -> None:
    server = Server()
    write = direct_writer(server)
    assert write is not None
    assert write("hello")
    assert server.transport.written == [text_frame("hello")]


@pytest.mark.parametrize(
    "stop",
    [
        lambda s: s.writable.clear(),  # writing paused: the outbox queues it
        lambda s: setattr(s, "close_sent", True),
        lambda s: setattr(s, "disconnected", True),
        lambda s: setattr(s.transport, "closing", True),
        lambda s: setattr(s.conn, "state", object()),
    ],
)
def test_a_connection_that_cannot_take_it_now_is_left_to_send(stop: Any) -> None:
    server = Server()
    write = direct_writer(server)
    assert write is not None
    stop(server)
    assert not write("hello")
    assert server.transport.written == []


def test_an_unknown_server_or_an_extension_gets_no_direct_writer() -> None:
    assert direct_writer(None) is None
    assert direct_writer(object()) is None
    server = Server()
    server.conn.extensions = [object()]  # per-message deflate would change the bytes
    assert direct_writer(server) is None
