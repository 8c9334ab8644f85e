"""The deck library: decks stored with immutable versions, exported and imported
as zip bundles without loss (every sample deck), checked uploads, and sessions
that keep the version they were opened with, on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import html
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from strategyroom.decks import bundle, find_decks, library, load_deck
from strategyroom.paths import SAMPLE_DECKS_DIR
from strategyroom.store.db import Database
from strategyroom.store.models import RoomSession
from tests.conftest import TEST_DECKS, act

pytestmark = pytest.mark.both_modes

SAMPLES = find_decks(SAMPLE_DECKS_DIR)
TOWN = (TEST_DECKS / "town-test.yaml").read_text(encoding="utf-8")


def upload(console: TestClient, name: str, data: bytes, language: str = "en") -> Any:
    return console.post(
        f"/console/decks?lang={language}",
        data={"csrf_token": console.headers["x-csrf-token"]},
        files={"file": (name, data)},
        follow_redirects=False,
    )


def uploaded(console: TestClient, name: str, data: bytes) -> tuple[str, str, int]:
    """Upload that must succeed: the deck id, added/unchanged, and the version."""
    response = upload(console, name, data)
    assert response.status_code == 303, response.text
    match = re.fullmatch(
        r"/console/decks/([a-z0-9_-]+)\?(added|unchanged)=(\d+)", response.headers["location"]
    )
    assert match, response.headers["location"]
    return match[1], match[2], int(match[3])


def download(console: TestClient, deck_id: str, number: int) -> bytes:
    response = console.get(f"/console/decks/{deck_id}/{number}.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert (
        response.headers["content-disposition"] == f'attachment; filename="{deck_id}-v{number}.zip"'
    )
    return response.content


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def problems(text: str) -> list[str]:
    block = re.search(
        r'<div class="status status-error" role="alert" id="upload-problems">(.*?)</div>',
        text,
        re.S,
    )
    assert block, "no problems shown"
    found = re.findall(r"<li>(.*?)</li>", block[1], re.S)
    return [html.unescape(re.sub(r"\s+", " ", p).strip()) for p in found]


def deck_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "strategyroom", "deck", "check", "--language", "en", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        executable=None,
    )


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_every_sample_deck_round_trips(console: TestClient, sample: Path, tmp_path: Path) -> None:
    assert SAMPLES, "no sample decks"
    original = load_deck(sample)
    # Media included: the files of the samples' media/ folder the deck names (a
    # deck that names some is uploaded as a bundle, or it could not be checked).
    media = library.sample_media(SAMPLE_DECKS_DIR, original)
    if media:
        bundled = {f"media/{name}": data for name, data in media.items()}
        sent = zip_of({"deck.yaml": sample.read_bytes(), **bundled})
        deck_id, outcome, number = uploaded(console, f"{sample.stem}.zip", sent)
    else:
        deck_id, outcome, number = uploaded(console, sample.name, sample.read_bytes())
    assert (deck_id, outcome, number) == (original.id, "added", 1)
    first = download(console, deck_id, 1)
    files = entries(first)
    assert files.keys() - {"deck.yaml"} == {f"media/{name}" for name in media}
    assert all(files[f"media/{name}"] == data for name, data in media.items())
    # The exported deck.yaml is a deck file: the checker accepts it unzipped, and
    # it holds the same document as the sample.
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    unzipped = tmp_path / "deck.yaml"
    checked = deck_check(unzipped)
    assert (
        checked.returncode == 0
        and f"{unzipped}: ok ({original.id} {original.version}" in checked.stdout
    )
    assert load_deck(unzipped) == original
    # Importing the export again finds the same content: no new version.
    assert uploaded(console, f"{deck_id}-v1.zip", first) == (deck_id, "unchanged", 1)
    second = download(console, deck_id, 1)
    assert entries(second) == files and second == first


def test_media_files_travel_through_import_and_export(console: TestClient) -> None:
    deck = TOWN.replace("id: town-test", "id: town-media", 1)
    media = {
        "media/bus.jpg": bytes(range(256)) * 40,
        "media/maps/harbour.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000,
    }
    data = zip_of({"deck.yaml": deck.encode(), "media/": b"", **media})
    assert uploaded(console, "town.zip", data) == ("town-media", "added", 1)
    stored = console.get("/api/library/town-media/1").json()
    assert stored["media"] == [
        {"name": "bus.jpg", "size": 10240},
        {"name": "maps/harbour.png", "size": 5008},
    ]
    assert stored["document"] == load_deck_text(deck) and stored["created_by"] == 1
    listed = {d["id"]: d for d in console.get("/api/library").json()["decks"]}
    assert listed["town-media"]["latest"] == 1 and listed["town-media"]["sample_file"] is None
    assert [v["number"] for v in listed["town-media"]["versions"]] == [1]
    assert listed["town-test"]["sample_file"] == "town-test.yaml"
    exported = entries(download(console, "town-media", 1))
    assert {k: v for k, v in exported.items() if k != "deck.yaml"} == media
    assert yaml.safe_load(exported["deck.yaml"])["id"] == "town-media"
    assert uploaded(console, "again.zip", zip_of(exported)) == ("town-media", "unchanged", 1)
    # A zip of a folder (as a file manager makes it) is read as its content; a
    # changed media file is a new version, and version 1 keeps its own file.
    changed = {f"town/{k}": v for k, v in exported.items()} | {"town/media/bus.jpg": b"new photo"}
    assert uploaded(console, "folder.zip", zip_of(changed)) == ("town-media", "added", 2)
    assert entries(download(console, "town-media", 2))["media/bus.jpg"] == b"new photo"
    assert entries(download(console, "town-media", 1)) == exported
    # A bare deck file imports too, without media: a version of its own.
    assert uploaded(console, "deck.yaml", deck.encode()) == ("town-media", "added", 3)
    assert sorted(entries(download(console, "town-media", 3))) == ["deck.yaml"]


def zip_of(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_unsafe_or_broken_uploads_are_refused_with_every_reason(console: TestClient) -> None:
    before = console.get("/console/decks").text
    deck = TOWN.encode()
    link = zipfile.ZipInfo("media/link.jpg")
    link.external_attr = 0o120777 << 16
    with_link = io.BytesIO()
    with zipfile.ZipFile(with_link, "w") as archive:
        archive.writestr("deck.yaml", deck)
        archive.writestr(link, "/etc/passwd")
    zeros = b"\0" * (10 * 2**20 + 1)  # compresses to about 10 KB
    cases = [
        (
            "x.zip",
            zip_of({"deck.yaml": deck, "../evil.txt": b"x"}),
            "The zip holds ../evil.txt: a bundle holds deck.yaml and files in a media folder "
            "(letters, digits, '.', '-' and '_' in their names), nothing else.",
        ),
        (
            "x.zip",
            zip_of({"deck.yaml": deck, "media/../../etc/cron": b"x"}),
            "The zip holds media/../../etc/cron: a bundle holds deck.yaml and files in a media "
            "folder (letters, digits, '.', '-' and '_' in their names), nothing else.",
        ),
        (
            "x.zip",
            zip_of({"deck.yaml": deck, "/media/abs.jpg": b"x"}),
            "The zip holds /media/abs.jpg: a bundle holds deck.yaml and files in a media folder "
            "(letters, digits, '.', '-' and '_' in their names), nothing else.",
        ),
        (
            "x.zip",
            zip_of({"deck.yaml": deck, "media\\win.jpg": b"x"}),
            "The zip holds media\\win.jpg: a bundle holds deck.yaml and files in a media folder "
            "(letters, digits, '.', '-' and '_' in their names), nothing else.",
        ),
        ("x.zip", with_link.getvalue(), "media/link.jpg in the zip is a link."),
        (
            "x.zip",
            zip_of({"deck.yaml": deck, "media/bomb.bin": zeros}),
            "media/bomb.bin in the zip is larger than 10 MB.",
        ),
        (
            "x.zip",
            zip_of({"deck.yaml": deck, **{f"media/{i}.bin": zeros[: 9 * 2**20] for i in range(6)}}),
            "The zip unpacks to more than 50 MB.",
        ),
        (
            "x.zip",
            zip_of({"deck.yaml": deck, **{f"media/{i}.txt": b"x" for i in range(200)}}),
            "The zip holds more than 200 files and folders.",
        ),
        ("x.zip", zip_of({"media/a.jpg": b"x"}), "The zip has no deck.yaml."),
        ("x.zip", b"PK\x03\x04 not really", "This is not a zip file."),
        (
            "notes.txt",
            b"hello",
            "Upload a deck file (.yaml, .yml or .toml) or a zip bundle (.zip).",
        ),
        ("empty.yaml", b"", "The file is empty."),
        (
            "bad.yaml",
            b"id: Bad Id\nversion: '1'\ntitle: T\ncards: []\n",
            "bad.yaml:1: field id: Bad Id is not an id: use lower-case letters a-z, "
            "digits, - and _, beginning with a letter or a digit (at most 64)",
        ),
    ]
    for name, data, expected in cases:
        response = upload(console, name, data)
        assert response.status_code == 400, (name, expected)
        assert expected in problems(response.text), (expected, problems(response.text))
    # A deck's problems are the checker's, in the facilitator's language.
    response = upload(console, "bad.yaml", b"id: Bad Id\nversion: '1'\ntitle: T\ncards: []\n", "da")
    assert response.status_code == 400
    said = problems(response.text)
    assert len(said) == 2 and all(p.startswith("bad.yaml:") for p in said)
    assert "Kortsættet blev ikke tilføjet:" in response.text
    response = upload(console, "x.zip", zip_of({"media/a.jpg": b"x"}), "sv")
    assert problems(response.text) == ["Zip-filen har ingen deck.yaml."]
    # Too large to read at all; and nothing was stored by any of these.
    big = console.post(
        "/console/decks",
        data={"csrf_token": console.headers["x-csrf-token"]},
        files={"file": ("big.zip", b"\0" * (21 * 2**20))},
    )
    assert big.status_code == 413 and "The file is larger than 20 MB." in big.text
    assert console.get("/console/decks").text == before


def test_uploads_need_a_login_and_the_csrf_token(client: TestClient, console: TestClient) -> None:
    token = console.headers.pop("x-csrf-token")
    refused = console.post("/console/decks", files={"file": ("t.yaml", TOWN.encode())})
    assert refused.status_code == 403
    refused = console.post("/console/decks/town-test/copy", data={"new_id": "x"})
    assert refused.status_code == 403
    console.post("/logout", data={"csrf_token": token})
    for path in ("/console/decks", "/console/decks/town-test", "/console/decks/town-test/1.zip"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_samples_are_in_the_library_and_a_changed_file_is_a_new_version(
    console: TestClient, settings: Any, tmp_path: Path
) -> None:
    from strategyroom.web.app import create_app

    page = console.get("/console/decks").text
    assert '<a href="/console/decks/town-test">Test town</a>' in page
    start = console.get("/console").text
    assert '<a href="/console/decks">The deck library: upload, download and copy decks</a>' in start
    assert '<option value="town-test">Test town, version 1</option>' in start
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "town.yaml").write_text(TOWN, encoding="utf-8")
    own = settings.__class__(**{**settings.__dict__, "decks_dir": decks})
    for _ in range(2):  # a restart with the same file adds nothing
        with TestClient(create_app(own), base_url="http://testserver") as app:
            assert versions_of(app, "town-test") == [1]
    (decks / "town.yaml").write_text(
        TOWN.replace("{en: Test town,", "{en: New town,", 1), encoding="utf-8"
    )
    with TestClient(create_app(own), base_url="http://testserver") as app:
        assert versions_of(app, "town-test") == [2, 1]
        # A file dropped into the folder while the server runs is there at once.
        (decks / "more.yaml").write_text(TOWN.replace("id: town-test", "id: more", 1))
        assert '<option value="more">Test town, version 1</option>' in app.get("/console").text
        assert versions_of(app, "more") == [1]


def versions_of(app: TestClient, deck_id: str) -> list[int]:
    from tests.conftest import login

    if "x-csrf-token" not in app.headers:
        app.headers["x-csrf-token"] = login(app)
    page = app.get(f"/console/decks/{deck_id}").text
    return [int(n) for n in re.findall(r'name="version" value="(\d+)"', page)]


def test_copying_a_deck_makes_a_new_one(console: TestClient) -> None:
    token = console.headers["x-csrf-token"]
    response = console.post(
        "/console/decks/town-test/copy",
        data={"new_id": "town-copy", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console/decks/town-copy?added=1"
    page = console.get(response.headers["location"]).text
    assert "Added as version 1." in page and "<td>alice</td>" in page
    sample = console.get("/console/decks/town-test").text
    assert "<td>the decks folder or the command line</td>" in sample
    copied = entries(download(console, "town-copy", 1))
    original = entries(download(console, "town-test", 1))
    assert yaml.safe_load(copied["deck.yaml"]) == {
        **yaml.safe_load(original["deck.yaml"]),
        "id": "town-copy",
    }
    again = console.post(
        "/console/decks/town-test/copy", data={"new_id": "town-copy", "csrf_token": token}
    )
    assert again.status_code == 409 and "There is already a deck called town-copy." in again.text
    wrong = console.post(
        "/console/decks/town-test/copy", data={"new_id": "Town Copy", "csrf_token": token}
    )
    assert wrong.status_code == 400 and "A deck&#39;s id is lower-case letters" in wrong.text
    missing = console.get("/console/decks/nothing-here/1.zip")
    assert missing.status_code == 404
    assert console.get("/console/decks/town-test/7.zip").status_code == 404
    for number in ("7", "x", "-1"):
        refused = console.get(f"/api/library/town-test/{number}")
        assert refused.status_code == 404
        assert refused.json()["error"] == {
            "code": "not_found",
            "message": f"The deck town-test has no version {number}.",
        }


def test_a_past_session_keeps_the_version_it_ran_with(console: TestClient, settings: Any) -> None:
    deck = TOWN.replace("id: town-test", "id: town-lib", 1)
    assert uploaded(console, "town.yaml", deck.encode()) == ("town-lib", "added", 1)
    token = console.headers["x-csrf-token"]
    response = console.post(
        "/console/sessions",
        data={"deck": "town-lib", "title": "Evening", "csrf_token": token},
        follow_redirects=False,
    )
    session_id = response.headers["location"].rsplit("/", 1)[1]
    act(console, session_id, "show_card", card=0)
    act(console, session_id, "end")

    def record() -> dict[str, Any]:
        db = Database(settings.effective_database_url)
        try:
            room = db.call(lambda s: s.get(RoomSession, session_id))
        finally:
            db.dispose()
        assert room is not None
        return room.model_dump()

    def seen() -> dict[str, Any]:
        console_page = console.get(f"/console/{session_id}").text
        line = re.search(r'<p class="deck-line" id="deck-line">(.*?)</p>', console_page)
        report_page = console.get(f"/console/report?session={session_id}").text
        subtitle = re.search(r'<span id="report-deck">(.*?)</span>', report_page)
        report = console.get(f"/console/report.json?session={session_id}").json()
        rows = list(
            csv.DictReader(
                io.StringIO(console.get(f"/console/report.csv?session={session_id}").text)
            )
        )
        del report["generated_at"]
        pdf = console.get(f"/console/report.pdf?session={session_id}").content
        pdf_text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        return {
            "pdf": "Deck: Test town, version 1" in " ".join(pdf_text.split()),
            "console": line[1] if line else None,
            "report": subtitle[1] if subtitle else None,
            "json": report,
            "csv": rows,
            "api": console.get(f"/api/sessions/{session_id}").json()["deck"],
            "record": record(),
        }

    before = seen()
    assert before["console"] == "Deck: Test town, version 1" and before["pdf"]
    assert before["report"] == "Deck: Test town, version 1"
    assert before["json"]["deck"]["number"] == 1 and before["json"]["deck"]["title"] == "Test town"
    assert before["api"] == {"id": "town-lib", "version": "2", "number": 1}
    assert before["record"]["deck_number"] == 1
    assert before["record"]["deck"] == load_deck_text(deck)
    # A new version: the past session, its record, console and report are unchanged.
    changed = deck.replace("{en: Test town,", "{en: Changed town,", 1)
    assert changed != deck
    assert uploaded(console, "town.yaml", changed.encode()) == ("town-lib", "added", 2)
    assert seen() == before
    # A new session opens with the newest version, or with the one asked for.
    newer = console.post("/api/sessions", json={"deck": "town-lib", "title": "Later"}).json()
    assert newer["deck"] == {"id": "town-lib", "version": "2", "number": 2}
    older = console.post(
        "/api/sessions", json={"deck": "town-lib", "version": 1, "title": "Old"}
    ).json()
    assert older["deck"]["number"] == 1
    page = console.get(f"/console/{newer['id']}").text
    assert '<p class="deck-line" id="deck-line">Deck: Changed town, version 2</p>' in page
    refused = console.post("/api/sessions", json={"deck": "town-lib", "version": 9, "title": "x"})
    assert (
        refused.status_code == 404
        and refused.json()["error"]["message"] == "The deck town-lib has no version 9."
    )


def load_deck_text(text: str) -> dict[str, Any]:
    return bundle.read_upload(text.encode(), "deck.yaml", "en").content


def test_the_command_line_exports_and_imports_bundles(tmp_path: Path, settings: Any) -> None:
    data = ["--data-dir", str(tmp_path / "cli-data")]
    env_out = tmp_path / "green.zip"
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "strategyroom", *data, "deck", *a],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    exported = run("export", "green-transition", "--out", str(env_out))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == f"Deck green-transition, version 1, written to {env_out}.\n"
    imported = run("import", str(env_out))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.endswith(
        "Deck green-transition: unchanged, version 1 has this content.\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad Id\nversion: '1'\ntitle: T\ncards: []\n")
    refused = run("import", "--language", "da", str(bad))
    assert refused.returncode == 1 and refused.stderr.startswith(f"{bad}: 2 fejl\n  {bad}:1: ")
    assert refused.stderr.endswith("\nNothing was stored in the deck library.\n")
    missing = run("export", "no-such-deck", "--out", str(tmp_path / "x.zip"))
    assert (
        missing.returncode == 1
        and missing.stderr
        == "error: There is no deck called no-such-deck. (the deck library "
        f"in {tmp_path / 'cli-data'}; --data-dir reads another)\n"
    )
