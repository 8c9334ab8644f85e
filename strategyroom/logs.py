"""Logging for ``strategyroom serve``: uvicorn's own configuration, except that
the lines every websocket handshake writes are moved to debug level, and share
tokens are redacted from every line.

A hall of phones reconnecting after a wifi hiccup writes three lines per phone
(accepted, connection open, connection closed); at info level that was a few
per cent of the server's time in a reconnect storm (docs/performance.md) and
buries the lines that matter. Refused handshakes stay at info.

A report's share link (``/r/<token>``) is a password: only its hash is stored
(docs/reports.md), so a log line must not hold it either. Every line written
through our handlers (requests, uvicorn's and the app's own messages, and
tracebacks) has the token replaced by ``[redacted]``.
"""

from __future__ import annotations

import copy
import logging
import re
from pathlib import Path
from typing import Any

import websockets

LEVELS = ("debug", "info", "warning", "error")
# uvicorn's and websockets' format strings for a handshake that went through.
SOCKET_LINES = frozenset({'%s - "WebSocket %s" [accepted]', "connection open", "connection closed"})
WEBSOCKETS_DIR = str(Path(websockets.__file__).parent)
# A share link's path, alone or in a full URL: "/r/<token>", "https://host/r/<token>".
SHARE_PATH = re.compile(r"""((?:^|[\s"'(=])(?:https?://[^/\s"']+)?/r/)[^/?#\s"']+""", re.MULTILINE)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return SHARE_PATH.sub(rf"\1{REDACTED}", text)


class SocketLinesAtDebug(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and record.pathname.startswith(WEBSOCKETS_DIR):
            return False  # frames and headers, tokens and comments included
        if record.levelno == logging.INFO and record.msg in SOCKET_LINES:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def _redacting(base: type[logging.Formatter]) -> type[logging.Formatter]:
    class Redacting(base):  # type: ignore[valid-type,misc]
        """Redacts the whole formatted line, traceback included."""

        def format(self, record: logging.LogRecord) -> str:
            return redact(super().format(record))

    Redacting.__name__ = Redacting.__qualname__ = f"Redacting{base.__name__}"
    return Redacting


def _formatters() -> tuple[type[logging.Formatter], type[logging.Formatter]]:
    from uvicorn.logging import AccessFormatter, DefaultFormatter

    return _redacting(DefaultFormatter), _redacting(AccessFormatter)


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the handshake filter on its logger,
    redacting formatters on its handlers, and the app's own warnings and errors
    (loggers under ``strategyroom``) written through the same handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["socket_lines"] = {"()": SocketLinesAtDebug}
    config["loggers"]["uvicorn.error"]["filters"] = ["socket_lines"]
    default, access = _formatters()
    config["formatters"]["default"]["()"] = default
    config["formatters"]["access"]["()"] = access
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
