"""Broker channels and the volatile messages that travel on them beside events."""

from __future__ import annotations

import json
from typing import Any


def channel(session_id: str) -> str:
    return f"session:{session_id}"


def signal(kind: str, session_id: str, **data: Any) -> str:
    """A volatile broker message (answers or presence changed): not sequenced,
    because each one only says "look again"; losing one is healed by the next."""
    return json.dumps({"type": kind, "session": session_id, **data}, separators=(",", ":"))
