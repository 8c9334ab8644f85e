"""Facilitator notes and media on cards, over HTTP and the websockets.

A deck's notes reach the console alone: an evening of tests/decks/media-test.yaml
is played card by card, and every page, frame and report format a resident,
a table's tablet, the projector or a council officer gets is read for them.
A deck's media are served as decks.media prepared them (images re-encoded,
videos and captions checked by content), with their own content type, only
when the deck names them, and a deck whose files are wrong fails the check
with a message in English, Danish and Swedish."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from starlette.testclient import TestClient

from strategyroom import i18n
from strategyroom.config import Settings
from strategyroom.decks import load_deck
from strategyroom.decks.check import check_file, report
from strategyroom.decks.media import IMAGE_MAX_SIDE, MediaKind, references
from tests.conftest import TEST_DECKS, act, make_settings, open_session
from tests.protocol import JsonParticipant, receive_text
from tests.test_ui_polish import phone_at

DECK = load_deck(TEST_DECKS / "media-test.yaml")
EVERY_NOTE = [text for card in DECK.cards if card.notes for text in card.notes.values()]
# What every note begins with, in any language, as the markup or JSON may write it.
MARKERS = ["NOTE-EN-", "NOTE-DA-", "NOTE-SV-"]


class Recording(JsonParticipant):
    """A JSON participant that keeps every frame it received, as sent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.raw: list[str] = []

    def receive(self) -> dict[str, Any]:
        frame = super().receive()
        self.raw.append(json.dumps(frame, ensure_ascii=False))
        return frame


def until(socket: Any, needle: str) -> list[str]:
    """Every frame a socket received up to the first with ``needle``."""
    frames = []
    for _ in range(200):
        frames.append(receive_text(socket))
        if needle in frames[-1]:
            return frames
    raise AssertionError(f"no frame with {needle!r}")


def without_notes(text: str, where: str) -> None:
    for marker in MARKERS:
        assert marker not in text, f"a facilitator's note ({marker}…) in {where}"


def test_notes_reach_the_console_alone(
    console: TestClient, browser: Callable[[], TestClient], sockets: list[Any]
) -> None:
    session = open_session(console, "media-test.yaml")
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    phones = {}
    for language in ("en", "da", "sv"):
        phone = browser()
        phones[language] = (phone, phone_at(phone, code, 1, language))
    residents = []
    for language, device in (("en", "phone"), ("da", "phone"), ("sv", "tablet")):
        resident = Recording(console, code, language=language, table=1, device=device)
        resident.connect()
        sockets.append(resident)
        residents.append(resident)
    html_phone = phones["da"][0]
    with (
        html_phone.websocket_connect(f"/ws/participant/{code}") as phone_socket,
        browser().websocket_connect(f"/ws/projector/{code}?lang=sv") as projector_socket,
    ):
        frames = [receive_text(phone_socket), receive_text(projector_socket)]
        for index, card in enumerate(DECK.cards):
            act(console, sid, "show_card", card=index)
            if card.question is not None:
                act(console, sid, "open", question=card.question.id)
                residents[0].expect_event("question_opened")
                residents[0].answer(card.question.id, "buses")
                act(console, sid, "close", question=card.question.id)
            for resident in residents:
                resident.expect_event("question_closed" if card.question else "card_shown")

            # The console: the shown card's notes, and the next card's beside its preview.
            page = console.get(f"/console/{sid}").text
            shown = page.split('id="current-notes"')
            if card.notes:
                assert card.notes["en"] in shown[1].split("</aside>")[0]
            else:
                assert len(shown) == 1
            upcoming = DECK.cards[index + 1] if index + 1 < len(DECK.cards) else None
            if upcoming is not None and upcoming.notes:
                assert upcoming.notes["en"] in page.split('id="next-notes"')[1]
            danish = console.get(f"/console/{sid}?lang=da").text
            if card.notes:
                assert card.notes["da"] in danish

            for language, (phone, url) in phones.items():
                without_notes(phone.get(url).text, f"the {language} phone's page at {card.id}")
            for language in ("en", "da", "sv"):
                projector = browser().get(f"/p/{code}?lang={language}").text
                without_notes(projector, f"the {language} projector at {card.id}")
            for participant in (JsonParticipant(console, code, language="da"),):
                snapshot = participant.connect()
                sockets.append(participant)
                without_notes(json.dumps(snapshot, ensure_ascii=False), "a snapshot")
        act(console, sid, "end")
        ended = i18n.gettext("da", "The session has ended.")
        frames += until(phone_socket, ended) + until(projector_socket, "projector-stage")
    for frame in frames:
        without_notes(frame, "an HTML socket frame")
    for resident in residents:
        resident.expect_event("session_ended")
        assert len(resident.raw) > len(DECK.cards)
        for frame in resident.raw:
            without_notes(frame, f"a JSON frame of a {resident.language} resident")

    # The report, in every format and language.
    for language in ("en", "da", "sv"):
        for suffix in ("", ".json", ".csv"):
            response = console.get(f"/console/report{suffix}?session={sid}&lang={language}")
            assert response.status_code == 200
            without_notes(response.text, f"the report{suffix} in {language}")
    pdf = console.get(f"/console/report.pdf?session={sid}")
    assert pdf.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "What should come first?" in text
    without_notes(text, "the PDF report")
    # Every note was in the deck the session ran, so its absence means something.
    assert len(EVERY_NOTE) == 9


def test_the_session_serves_its_decks_media(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    session = open_session(console, "media-test.yaml")
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    act(console, sid, "show_card", card=1)
    phone = browser()
    page = phone.get(phone_at(phone, code, 1, "da")).text
    src = f"/s/{code}/media/emissions.png"
    assert (
        f'<img class="card-image" src="{src}" alt="Søjlediagram: vejtrafik 95.000 t, '
        'opvarmning 61.000 t, landbrug 38.000 t, industri 17.000 t om året.">'
    ) in page

    image = phone.get(src)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.headers["x-content-type-options"] == "nosniff"
    assert image.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert image.headers["cross-origin-resource-policy"] == "same-origin"
    assert image.headers["cache-control"] == "public, max-age=3600"
    with Image.open(io.BytesIO(image.content)) as decoded:
        assert decoded.format == "PNG" and decoded.size == (1600, 900)
    again = phone.get(src, headers={"if-none-match": image.headers["etag"]})
    assert again.status_code == 304 and again.content == b""

    # The video card: the file in ranges, with captions in every language.
    act(console, sid, "show_card", card=2)
    page = phone.get(f"/s/{code}").text
    assert f'src="/s/{code}/media/bus-route.webm"' in page
    assert (
        f'<track kind="captions" src="/s/{code}/media/bus-route.da.vtt" srclang="da" '
        'label="dansk" default>'
    ) in page
    assert f'src="/s/{code}/media/bus-route.sv.vtt" srclang="sv" label="svensk">' in page
    # A JSON client (a kiosk, a table's tablet app) gets the same addresses.
    resident = JsonParticipant(console, code, language="sv", table=1, device="tablet")
    card = resident.connect()["card"]
    resident.close()
    assert card["image"] is None and "notes" not in card
    assert card["video"] == {
        "src": f"/s/{code}/media/bus-route.webm",
        "title": "En buss på den nya linjen (2 sekunder)",
        "captions": [
            {"language": language, "src": f"/s/{code}/media/bus-route.{language}.vtt"}
            for language in ("en", "da", "sv")
        ],
    }
    video = phone.get(f"/s/{code}/media/bus-route.webm", headers={"range": "bytes=0-3"})
    assert video.status_code == 206
    assert video.headers["content-type"] == "video/webm"
    assert video.content == b"\x1a\x45\xdf\xa3"
    captions = phone.get(f"/s/{code}/media/bus-route.sv.vtt")
    assert captions.headers["content-type"] == "text/vtt; charset=utf-8"
    assert captions.text.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nEn buss")

    # Only what the deck names, and nothing outside the media folder.
    for name in ("../media-test.yaml", "media-test.yaml", "nothing.png", "%2e%2e/town-test.yaml"):
        assert phone.get(f"/s/{code}/media/{name}").status_code == 404, name
    assert phone.get("/s/ZZZZZZ/media/emissions.png").status_code == 404


def test_the_deck_lists_every_media_file_it_names() -> None:
    assert [(ref.kind, ref.name) for ref in references(DECK)] == [
        (MediaKind.IMAGE, "emissions.png"),
        (MediaKind.VIDEO, "bus-route.webm"),
        (MediaKind.CAPTIONS, "bus-route.en.vtt"),
        (MediaKind.CAPTIONS, "bus-route.da.vtt"),
        (MediaKind.CAPTIONS, "bus-route.sv.vtt"),
    ]


@pytest.fixture
def decks(tmp_path: Path) -> Iterator[Path]:
    """A decks folder of its own: the media test deck and its files."""
    folder = tmp_path / "decks"
    shutil.copytree(TEST_DECKS / "media", folder / "media")
    shutil.copy(TEST_DECKS / "media-test.yaml", folder / "media-test.yaml")
    yield folder


@pytest.fixture
def settings(tmp_path: Path, decks: Path) -> Settings:
    return replace(make_settings(tmp_path), decks_dir=decks)


def test_an_image_is_re_encoded_without_its_metadata(
    console: TestClient, decks: Path, browser: Callable[[], TestClient]
) -> None:
    # A photo straight from a camera: 3000 x 2000, with its position in EXIF
    # and a comment; and a PNG with a text chunk, under a JPEG's name.
    photo = Image.new("RGB", (3000, 2000), "#336699")
    exif = photo.getexif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (55.0, 40.0, 0.0)}  # GPSInfo: a latitude
    photo.save(decks / "media" / "emissions.png", "JPEG", exif=exif, comment=b"secret place")
    session = open_session(console, "media-test.yaml")
    phone = browser()
    served = phone.get(f"/s/{session['join_code']}/media/emissions.png")
    assert served.status_code == 200
    # Judged by its content: a JPEG, whatever its name says.
    assert served.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == "JPEG"
        assert image.size == (IMAGE_MAX_SIDE, IMAGE_MAX_SIDE * 2 // 3)
        assert dict(image.getexif()) == {}
        assert "comment" not in image.info and "exif" not in image.info
    assert b"CameraMaker" not in served.content and b"secret place" not in served.content


@pytest.mark.parametrize("language", ["en", "da", "sv"])
def test_the_check_says_what_is_wrong_with_a_decks_media(decks: Path, language: str) -> None:
    (decks / "media" / "emissions.png").write_bytes(b"<svg onload=alert(1)></svg>")
    (decks / "media" / "bus-route.webm").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    (decks / "media" / "bus-route.da.vtt").write_text("1\n00:00.000 --> 00:01.000\nhej\n")
    (decks / "media" / "bus-route.sv.vtt").unlink()
    lines, failed = report(check_file(decks / "media-test.yaml"), language, strict=False)
    assert failed
    said = [line.split(".yaml:", 1)[1].split(": ", 1)[1] for line in lines[1:]]
    expected = {
        "en": [
            "card 2 (id: emissions), field image.file: the file is not a PNG, JPEG or WebP image",
            "card 3 (id: bus-film), field video.file: the file is not an MP4 or WebM video",
            "card 3 (id: bus-film), field video.captions.da: "
            "the caption file is not WebVTT: it must begin with WEBVTT",
            "card 3 (id: bus-film), field video.captions.sv: "
            f"there is no file bus-route.sv.vtt in the media folder {decks}/media/",
        ],
        "da": [
            "kort 2 (id: emissions), feltet image.file: filen er ikke et PNG-, JPEG- eller "
            "WebP-billede",
            "kort 3 (id: bus-film), feltet video.file: filen er ikke en MP4- eller WebM-video",
            "kort 3 (id: bus-film), feltet video.captions.da: "
            "undertekstfilen er ikke WebVTT: Den skal begynde med WEBVTT",
            "kort 3 (id: bus-film), feltet video.captions.sv: "
            f"der er ingen fil bus-route.sv.vtt i mediemappen {decks}/media/",
        ],
        "sv": [
            "kort 2 (id: emissions), fältet image.file: filen är inte en PNG-, JPEG- eller "
            "WebP-bild",
            "kort 3 (id: bus-film), fältet video.file: filen är inte en MP4- eller WebM-video",
            "kort 3 (id: bus-film), fältet video.captions.da: "
            "undertextfilen är inte WebVTT: den måste börja med WEBVTT",
            "kort 3 (id: bus-film), fältet video.captions.sv: "
            f"det finns ingen fil bus-route.sv.vtt i mediemappen {decks}/media/",
        ],
    }
    assert said == expected[language]


@pytest.mark.parametrize("language", ["en", "da", "sv"])
def test_the_check_wants_alt_text_and_captions_in_every_language(
    decks: Path, language: str
) -> None:
    path = decks / "media-test.yaml"
    text = path.read_text()
    text = text.replace(
        '        da: "Søjlediagram: vejtrafik 95.000 t, opvarmning 61.000 t, landbrug 38.000 t, '
        'industri 17.000 t om året."\n',
        "",
    ).replace(", sv: bus-route.sv.vtt}", "}")
    path.write_text(text)
    lines, failed = report(check_file(path), language, strict=False)
    assert failed
    said = [line.split(".yaml:", 1)[1].split(": ", 1)[1] for line in lines[1:]]
    expected = {
        "en": [
            "card 2 (id: emissions), field image.alt: the image needs alt text in da: "
            "a sentence saying what it shows, for those who cannot see it",
            "card 3 (id: bus-film), field video.captions: the video needs a caption file "
            "(WebVTT) in sv, for those who cannot hear it",
        ],
        "da": [
            "kort 2 (id: emissions), feltet image.alt: billedet skal have en alternativ tekst "
            "på da: En sætning om, hvad det viser, til dem, der ikke kan se det",
            "kort 3 (id: bus-film), feltet video.captions: videoen skal have en "
            "undertekstfil (WebVTT) på sv til dem, der ikke kan høre den",
        ],
        "sv": [
            "kort 2 (id: emissions), fältet image.alt: bilden behöver en alternativ text på "
            "da: en mening om vad den visar, för dem som inte kan se den",
            "kort 3 (id: bus-film), fältet video.captions: videon behöver en undertextfil "
            "(WebVTT) på sv, för dem som inte kan höra den",
        ],
    }
    assert said == expected[language]


def test_a_huge_image_is_refused_before_it_is_decoded(decks: Path) -> None:
    # 64 million pixels of one colour: a few hundred kB that would unpack to 192 MB.
    Image.new("RGB", (8000, 8000), "#ffffff").save(decks / "media" / "emissions.png", "PNG")
    lines, failed = report(check_file(decks / "media-test.yaml"), "da", strict=False)
    assert failed
    assert lines[1].split(".yaml:", 1)[1].split(": ", 1)[1] == (
        "kort 2 (id: emissions), feltet image.file: billedet er 8000 × 8000 pixel, flere end "
        "de tilladte 40.000.000 pixel"
    )


def test_previews_and_deck_media_are_for_facilitators(
    console: TestClient, browser: Callable[[], TestClient]
) -> None:
    stranger = browser()
    for path in (
        "/console/decks/media-test/preview",
        "/console/decks/media-test/preview/2/phone?lang=da",
        "/console/decks/media-test/media/emissions.png",
    ):
        response = stranger.get(path, follow_redirects=False)
        assert response.status_code in (303, 401), path
        assert console.get(path).status_code == 200, path
    framed = console.get("/console/decks/media-test/preview/2/projector?lang=sv")
    assert "frame-ancestors 'self'" in framed.headers["content-security-policy"]
    assert "ws-connect" not in framed.text
    assert console.get("/console/decks/media-test/preview/9/phone").status_code == 404
    assert console.get("/console/decks/media-test/preview/2/watch").status_code == 404
    page = console.get("/console/decks/media-test/preview?card=2&lang=da").text
    assert "NOTE-DA-EMISSIONS" in page
    assert "frame-ancestors 'none'" in console.get("/console").headers["content-security-policy"]


def test_a_linked_video_is_allowed_by_the_pages_policy_and_nothing_else(
    console: TestClient, decks: Path, browser: Callable[[], TestClient]
) -> None:
    path = decks / "media-test.yaml"
    path.write_text(
        path.read_text().replace(
            "file: bus-route.webm", "url: https://video.example.org/films/bus-route.webm"
        )
    )
    session = open_session(console, "media-test.yaml")
    sid, code = session["id"], session["join_code"]
    act(console, sid, "tables", count=1)
    act(console, sid, "show_card", card=2)
    phone = browser()
    phone_at(phone, code, 1, "en")
    allowed = "; media-src 'self' https://video.example.org"
    for response in (
        phone.get(f"/s/{code}"),
        phone.get(f"/p/{code}"),
        console.get(f"/console/{sid}"),
        console.get("/console/decks/media-test/preview?card=3"),
    ):
        assert response.status_code == 200
        assert response.headers["content-security-policy"].endswith(allowed)
    assert 'src="https://video.example.org/films/bus-route.webm"' in phone.get(f"/s/{code}").text
    # The deck's other pages and every other page keep the policy as it is.
    assert "media-src" not in console.get("/console").headers["content-security-policy"]
    assert "media-src" not in phone.get("/").headers["content-security-policy"]


def test_a_video_link_is_a_plain_https_address(decks: Path) -> None:
    # Its origin goes into pages' Content-Security-Policy: nothing but a host.
    path = decks / "media-test.yaml"
    path.write_text(
        path.read_text().replace("file: bus-route.webm", "url: https://a.org;sandbox/x.webm")
    )
    lines, failed = report(check_file(path), "sv", strict=False)
    assert failed
    assert [line.split(".yaml:", 1)[1].split(": ", 1)[1] for line in lines[1:]] == [
        "kort 3 (id: bus-film), fältet video.url: https://a.org;sandbox/x.webm är inte en "
        "webbadress: den ska börja med https://"
    ]
