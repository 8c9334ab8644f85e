"""The decks folder is read into the library as pages ask for decks, but only
when a file in it changed (web/decks.py's sync_samples): previews and media
ask on every request, and reading every deck each time costs more than the
page. A file's size and modification time are what "changed" means."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from strategyroom.web.app import create_app
from tests.test_deck_library import TOWN, versions_of


def test_the_decks_folder_is_read_again_only_when_a_file_changed(
    console: TestClient, settings: Any, tmp_path: Path
) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    path = decks / "town.yaml"
    path.write_text(TOWN, encoding="utf-8")
    own = settings.__class__(**{**settings.__dict__, "decks_dir": decks})
    with TestClient(create_app(own), base_url="http://testserver") as app:
        assert versions_of(app, "town-test") == [1]
        before = path.stat()
        # Other words of the same length, and the file's old time: not read again.
        changed = TOWN.replace("{en: Test town,", "{en: Tost town,", 1)
        assert changed != TOWN and len(changed) == len(TOWN)
        path.write_text(changed, encoding="utf-8")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        app.get("/console/decks")
        assert versions_of(app, "town-test") == [1]
        # Its time moved on (as any editor's save moves it): read, a new version.
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        assert '<a href="/console/decks/town-test">Tost town</a>' in app.get("/console/decks").text
        assert versions_of(app, "town-test") == [2, 1]
