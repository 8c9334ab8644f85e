"""The app's own ASGI middlewares (Starlette's session middleware is used as it is)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SERVER_SEND = "strategyroom.server_send"


class KeepServerSend:
    """Keeps the server's own ``send`` in a websocket's scope.

    Every frame sent through Starlette's ``WebSocket`` passes the wrappers of the
    middlewares and routes below (the session cookie's, the exception
    handlers'), which do nothing for websocket frames but cost a few
    microseconds each; for a card sent to thousands of phones, that was a
    sixth of the fan-out (docs/performance.md). Participant sockets hand their
    frames straight to this ``send`` once the socket is accepted.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND] = send
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Headers that keep pages from being framed or running foreign scripts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend(
                    [
                        (
                            b"content-security-policy",
                            b"default-src 'self'; img-src 'self' data:; style-src 'self'; "
                            b"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
                            b"base-uri 'none'; form-action 'self'",
                        ),
                        (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"same-origin"),
                    ]
                )
            await send(message)

        await self.app(scope, receive, send_with_headers)
