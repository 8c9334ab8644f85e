"""A plugin (registered in conftest's `pytest_plugins`) for modules that run
each test in both modes over real websockets.

A module marked `pytestmark = pytest.mark.both_modes` gets conftest's `settings`
fixture parametrized: each test that uses it runs with SQLite and the in-process
broker ([embedded]), then with PostgreSQL and Redis ([scaleout]). The `sockets`
fixture closes what a test opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.protocol import JsonParticipant

MODES = ["embedded", "scaleout"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("both_modes") and (
        "settings" in metafunc.fixturenames
    ):
        metafunc.parametrize("settings", MODES, indirect=True)


@pytest.fixture
def sockets() -> Iterator[list[Any]]:
    """Sockets a test opened, closed even when it fails (else the app cannot stop)."""
    opened: list[Any] = []
    yield opened
    for item in reversed(opened):
        if isinstance(item, JsonParticipant):
            item.close()
        else:
            item.__exit__(None, None, None)
