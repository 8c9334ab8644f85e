"""Logging for ``strategyroom serve``: uvicorn's own configuration, except that
the lines every websocket handshake writes are moved to debug level.

A hall of phones reconnecting after a wifi hiccup writes three lines per phone
(accepted, connection open, connection closed); at info level that was a few
per cent of the server's time in a reconnect storm (docs/performance.md) and
buries the lines that matter. Refused handshakes stay at info.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import websockets

LEVELS = ("debug", "info", "warning", "error")
# uvicorn's and websockets' format strings for a handshake that went through.
SOCKET_LINES = frozenset({'%s - "WebSocket %s" [accepted]', "connection open", "connection closed"})
WEBSOCKETS_DIR = str(Path(websockets.__file__).parent)


class SocketLinesAtDebug(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and record.pathname.startswith(WEBSOCKETS_DIR):
            return False  # frames and headers, tokens and comments included
        if record.levelno == logging.INFO and record.msg in SOCKET_LINES:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the handshake filter on its logger."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["socket_lines"] = {"()": SocketLinesAtDebug}
    config["loggers"]["uvicorn.error"]["filters"] = ["socket_lines"]
    return config
