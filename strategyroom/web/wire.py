"""Text frames written straight to a connection's transport, encoded once.

A card goes to thousands of sockets as the same string. Through uvicorn's
``send`` each socket paid for an ``async`` call, a wait on its writable event,
the UTF-8 encoding, the ``websockets`` protocol object building and serializing
a ``Frame``, and a join of its output (61% of the fan-out in the profile of
docs/performance.md). A server's frames are not masked (RFC 6455 5.1), so the
bytes of a text frame are the same for every connection: they are made once
per string here and written to each transport as they are.

Only where nothing in between would change them: uvicorn's sans-I/O websocket
protocol (``websockets-sansio``, uvicorn's default), no extension (per-message
deflate is off, cli.py), the connection open, the handshake done, no close sent
and the transport taking data. Anything else goes the ordinary way (``send``
in web/outbox.py), which waits, queues or fails as before.
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Callable
from typing import Any

from websockets.protocol import OPEN

# Frames kept encoded: a fan-out sends a few strings (one per group of
# sockets) to thousands of sockets, then moves on.
CACHED_FRAMES = 64
TEXT_FIN = 0x81


@functools.lru_cache(maxsize=CACHED_FRAMES)
def text_frame(text: str) -> bytes:
    """The bytes of an unmasked, unfragmented text frame carrying ``text``."""
    payload = text.encode()
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", TEXT_FIN, length)
    elif length < 65536:
        head = struct.pack("!BBH", TEXT_FIN, 126, length)
    else:
        head = struct.pack("!BBQ", TEXT_FIN, 127, length)
    return head + payload


class DirectWriter:
    """Writes a text frame to one uvicorn connection's transport and says
    True, or says False (and writes nothing) when the frame must go through
    ``send``. One small object per socket (memory per participant): the
    checks read the protocol's own flags, which also cover Starlette's view
    of the socket (a close the app sent sets ``close_sent``, a failed send or
    a closed connection ``disconnected`` or the connection's state)."""

    __slots__ = ("_conn", "_server", "_transport", "_writable")

    def __init__(self, server: Any) -> None:
        self._server = server
        self._conn = server.conn
        self._transport = server.transport
        self._writable = server.writable

    def __call__(self, text: str) -> bool:
        server, conn, transport = self._server, self._conn, self._transport
        if (
            server.close_sent
            or server.disconnected
            or not server.handshake_complete
            or not self._writable.is_set()
            or conn.state is not OPEN
            or conn.expect_continuation_frame
            or transport.is_closing()
        ):
            return False
        transport.write(text_frame(text))
        return True


def direct_writer(server: Any) -> Callable[[str], bool] | None:
    """A ``DirectWriter`` for this uvicorn connection; None for a server this
    does not know, or one whose frames an extension would change."""
    if (
        getattr(server, "conn", None) is None
        or getattr(server, "transport", None) is None
        or getattr(server, "writable", None) is None
        or not hasattr(server, "close_sent")
        or not hasattr(server, "disconnected")
        or not hasattr(server, "handshake_complete")
        or getattr(server.conn, "extensions", None) != []
        or not hasattr(server.conn, "expect_continuation_frame")
    ):
        return None
    return DirectWriter(server)
