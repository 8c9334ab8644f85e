"""An installed (non-editable) package finds its templates, static files,
sample decks, translations and migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
from starlette.testclient import TestClient
from strategyroom import paths, i18n
from strategyroom.config import Settings
from strategyroom.decks import load_deck
from strategyroom.web.app import create_app
import sys, pathlib
assert "_data" in str(paths.TEMPLATES_DIR), paths.TEMPLATES_DIR
assert str(paths.TEMPLATES_DIR).startswith(sys.argv[1]), paths.TEMPLATES_DIR
load_deck(paths.SAMPLE_DECKS_DIR / "green-transition.yaml")
assert i18n.gettext("da", "Thank you!") == "Tak!"
settings = Settings(data_dir=pathlib.Path(sys.argv[2]), public_url="http://testserver")
with TestClient(create_app(settings)) as client:
    assert "Join code" in client.get("/").text
    assert client.get("/static/vendor/htmx.min.js").status_code == 200
print("installed package ok")
"""


def test_the_wheel_carries_everything_it_needs(tmp_path: Path) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("strategyroom-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "strategyroom/_data/templates/partials/stage.html",
        "strategyroom/_data/static/app.css",
        "strategyroom/_data/static/vendor/htmx.LICENSE",
        "strategyroom/_data/sessions/green-transition.yaml",
        "strategyroom/locale/da/LC_MESSAGES/messages.po",
        "strategyroom/store/migrations/versions/0001_initial_schema.py",
        "strategyroom/store/migrations/script.py.mako",
    ):
        assert needed in names, needed
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # Run from the unpacked wheel, away from the checkout.
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(site), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "installed package ok" in result.stdout
