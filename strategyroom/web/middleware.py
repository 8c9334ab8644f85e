"""The app's own ASGI middlewares (Starlette's session middleware is used as it is)."""

from __future__ import annotations

from collections.abc import Awaitable
from urllib.parse import urlsplit

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from strategyroom.decks import Deck

SERVER_SEND = "strategyroom.server_send"
# Every page's policy; a page showing a deck's video links adds their origins
# to media-src (allow_video_links).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


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

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # A plain call that hands back the inner app's awaitable (so do the
        # other middlewares here where they can): an ``async`` one would keep
        # a suspended frame of its own for as long as each socket is open
        # (memory per participant, docs/performance.md).
        if scope["type"] == "websocket":
            scope[SERVER_SEND] = send
        return self.app(scope, receive, send)


class SecurityHeaders:
    """Headers that keep pages from being framed or running foreign scripts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] != "http":
            return self.app(scope, receive, send)  # no frame of its own (KeepServerSend)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                # A route that sets one of these itself (a share page's
                # no-referrer) keeps its own: a second header would override it.
                own = {bytes(name).lower() for name, _ in headers}
                headers.extend(
                    (name, value)
                    for name, value in [
                        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                        (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"same-origin"),
                    ]
                    if name not in own
                )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def video_origins(deck: Deck) -> list[str]:
    """The origins of the deck's linked videos (``url``), which a page showing
    them must let load media (its Content-Security-Policy's ``media-src``)."""
    origins = []
    for card in deck.cards:
        if card.video is not None and card.video.url is not None:
            parts = urlsplit(card.video.url)
            origin = f"https://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


def allow_video_links(response: Response, deck: Deck) -> Response:
    """The page's policy (its own, or strategyroom.web.middleware's), with the
    deck's video links' origins added to ``media-src`` when it has any."""
    origins = video_origins(deck)
    if origins:
        policy = response.headers.get("content-security-policy", CONTENT_SECURITY_POLICY)
        policy += "; media-src 'self' " + " ".join(origins)
        response.headers["content-security-policy"] = policy
    return response
