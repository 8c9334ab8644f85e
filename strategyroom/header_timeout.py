"""uvicorn's HTTP protocol with a deadline for the request headers.

uvicorn 0.54 times out only idle keep-alive connections (``timeout_keep_alive``,
armed after a response) and limits the size of an incomplete request
(``h11_max_incomplete_event_size``, h11 only); nothing bounds how long a
client may take to send its headers. A client that opens a connection and
sends one header line a second (a "slowloris") was held for as long as it
liked: 800 of them were all still open after 20 s, each a file descriptor and
a protocol object, and enough of them exhaust the worker's open-files limit.

Here a connection must complete its request headers within ``seconds`` of
opening, and each further request on a keep-alive connection within
``seconds`` of its first byte; otherwise the server closes it without an
answer. A websocket handshake is a request like any other, so a socket's
upgrade is bounded too; once upgraded (or once the headers are in) the timer
is gone, and bodies, responses and live sockets are not affected.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` plus the header deadline; see ``protocol_class``."""

    header_timeout = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()  # the next request on a keep-alive connection

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def handle_websocket_upgrade(self) -> None:
        super().handle_websocket_upgrade()
        # The websocket protocol has the transport now. This object and its
        # parser hold each other (a cycle), so without this they, the request's
        # scope and headers would wait for the garbage collector, which the
        # server runs rarely (cli.py): every handshake's leftovers piled up.
        self.parser = None  # type: ignore[assignment]
        self.scope = None  # type: ignore[assignment]
        self.headers = None  # type: ignore[assignment]

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def protocol_class(seconds: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class to give uvicorn (``http=``) for this deadline."""
    attributes: dict[str, Any] = {"header_timeout": seconds}
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), attributes)
