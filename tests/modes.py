"""Fixtures for modules that run each test in both modes over real websockets.

A module takes them with `from tests.modes import both_modes, open_sockets`
(they register as `settings` and `sockets`, overriding conftest's `settings`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strategyroom.config import Settings
from tests.conftest import make_settings, postgres_database
from tests.protocol import JsonParticipant


@pytest.fixture(name="settings", params=["embedded", "scaleout"])
def both_modes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """SQLite with the in-process broker, then PostgreSQL with Redis."""
    if request.param == "embedded":
        yield make_settings(tmp_path)
        return
    with postgres_database() as url:
        yield make_settings(tmp_path, "scaleout", database_url=url)


@pytest.fixture(name="sockets")
def open_sockets() -> Iterator[list[Any]]:
    """Sockets a test opened, closed even when it fails (else the app cannot stop)."""
    opened: list[Any] = []
    yield opened
    for item in reversed(opened):
        if isinstance(item, JsonParticipant):
            item.close()
        else:
            item.__exit__(None, None, None)
