"""The deck editor's media, previews and question settings over HTTP, as a
browser's forms drive them: an image and a captioned video uploaded on a
card (checked by content, an image re-encoded, a refusal said at its field
with what was typed kept), stored with the draft and carried by the version
and its zip; a draft's card previewed as each screen in each language before
it is a version; and every setting a question can have (when its results are
shown, a before/after pair, a profile question with the town's shares, a
package limit) written in the editor and kept in the version."""

from __future__ import annotations

import html
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from starlette.testclient import TestClient

from tests.conftest import TEST_DECKS
from tests.test_deck_editor import (
    card_form,
    csrf,
    field,
    new_deck,
    post,
    problems_at,
    revision,
)

pytestmark = pytest.mark.both_modes

MEDIA = TEST_DECKS / "media"
CHECK = [sys.executable, "-m", "strategyroom", "deck", "check", "--strict"]


def add_card(console: TestClient, editor: str, kind: str) -> int:
    """A new card of ``kind`` at the end of the draft; its index."""
    page = console.get(editor).text
    response = post(console, f"{editor}/cards", do="add", kind=kind, revision=revision(page))
    found = re.search(r"/cards/(\d+)\?saved=1$", response.headers["location"])
    assert found, response.headers["location"]
    return int(found[1])


def send(
    console: TestClient, url: str, form: dict[str, str], files: dict[str, Any] | None = None
) -> Any:
    """A card form as a browser sends it, multipart when it has files."""
    return console.post(
        url,
        data={"csrf_token": csrf(console), **form},
        files=files or {},
        follow_redirects=False,
    )


def photo() -> bytes:
    """A JPEG-sized photo as a PNG with a comment, wider than a projector needs."""
    out = io.BytesIO()
    image = Image.new("RGB", (3000, 1000), "#2a6f97")
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    info.add_text("Comment", "taken at Harbour Street 12")
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def texts(prefix: str, words: str) -> dict[str, str]:
    return {f"f.{prefix}.{code}": f"{words} ({code})" for code in ("en", "da", "sv")}


def test_an_image_and_a_captioned_video_are_uploaded_and_carried_by_the_version(
    console: TestClient, tmp_path: Path
) -> None:
    editor = new_deck(console)
    index = add_card(console, editor, "scenario")
    url = f"{editor}/cards/{index}"
    page = console.get(url).text
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="image-file">Image file (PNG, JPEG or WebP)</label>' in page
    assert 'accept="image/png,image/jpeg,image/webp"' in page
    assert '<label for="video-captions-da">Caption file (WebVTT) in da</label>' in page

    # Not an image: refused at its field, and what was typed is kept.
    form = card_form(page) | texts("title", "The harbour in 2040")
    response = send(console, url, form, {"f.image.file": ("harbour.png", b"<svg/>", "image/png")})
    assert response.status_code == 400
    page = response.text
    assert problems_at(page, "image-file") == [
        "The file was not kept: the file is not a PNG, JPEG or WebP image."
    ]
    assert 'aria-describedby="p-image-file"' in page
    assert field(page, "f.title.da") == "The harbour in 2040 (da)"
    assert "Uploaded:" not in page

    # A photo: re-encoded without its comment, no wider than 2400 px.
    form = card_form(page)
    response = send(console, url, form, {"f.image.file": ("harbour.png", photo(), "image/png")})
    assert response.status_code == 303, response.text
    page = console.get(url).text
    name = re.search(r"Uploaded: (scenario-1-image-[0-9a-f]{12}\.png)", page)
    assert name, page
    image_name = name[1]
    # Its alt text is asked for, in every language, at its field.
    assert problems_at(page, "image-alt") == [
        "the image needs alt text in en, da, sv: a sentence saying what it shows, "
        "for those who cannot see it"
    ]
    served = console.get(f"/console/decks/harbour/edit/media/{image_name}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"
    with Image.open(io.BytesIO(served.content)) as decoded:
        assert decoded.size == (2400, 800)
        assert "Comment" not in decoded.info
    assert console.get("/console/decks/harbour/edit/media/other.png").status_code == 404

    # A video file with a caption file per language; a text file is no caption.
    form = card_form(page) | texts("image.alt", "Blue water") | texts("video.title", "A bus")
    files = {
        "f.video.file": ("bus.webm", (MEDIA / "bus-route.webm").read_bytes(), "video/webm"),
        "f.video.captions.en": ("en.vtt", (MEDIA / "bus-route.en.vtt").read_bytes(), "text/vtt"),
        "f.video.captions.da": ("da.vtt", b"Hej med dig", "text/vtt"),
    }
    response = send(console, url, form, files)
    assert response.status_code == 400
    assert problems_at(response.text, "video-captions-da") == [
        "The file was not kept: the caption file is not WebVTT: it must begin with WEBVTT."
    ]
    page = response.text
    assert re.search(r"Uploaded: scenario-1-video-[0-9a-f]{12}\.webm", page)
    assert problems_at(page, "group-video") == [
        "the video needs a caption file (WebVTT) in da, sv, for those who cannot hear it"
    ]
    files = {
        f"f.video.captions.{code}": (
            f"{code}.vtt",
            (MEDIA / f"bus-route.{code}.vtt").read_bytes(),
            "text/vtt",
        )
        for code in ("da", "sv")
    }
    form = card_form(page) | texts("body", "Ferries every ten minutes")
    assert send(console, url, form, files).status_code == 303
    page = console.get(url).text
    assert 'class="field-problems"' not in page, page
    video = re.search(r"Uploaded: (scenario-1-video-[0-9a-f]{12}\.webm)", page)
    assert video
    captions = re.findall(r"Uploaded: (scenario-1-captions-(?:en|da|sv)-[0-9a-f]{12}\.vtt)", page)
    assert len(captions) == 3

    # The version carries the files its cards name, and its zip passes --strict.
    response = post(console, f"{editor}/publish", revision=revision(console.get(editor).text))
    assert response.status_code == 303, html.unescape(response.text)
    served = console.get(f"/console/decks/harbour/media/{image_name}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    with zipfile.ZipFile(io.BytesIO(console.get("/console/decks/harbour/1.zip").content)) as z:
        assert sorted(z.namelist()) == sorted(
            ["deck.yaml", f"media/{image_name}", f"media/{video[1]}"]
            + [f"media/{c}" for c in captions]
        )
        z.extractall(tmp_path)
    checked = subprocess.run(
        [*CHECK, "--language", "en", str(tmp_path / "deck.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout
    assert "ok (harbour 1.0, 9 cards)" in checked.stdout

    # The video removed: the draft's card has none, and the version still has it.
    page = console.get(url).text
    response = send(console, url, card_form(page) | {"do": "remove_video"})
    assert response.headers["location"] == f"{url}?saved=1#group-video"
    page = console.get(url).text
    assert "Uploaded: scenario-1-video" not in page and f"Uploaded: {image_name}" in page
    assert console.get(f"/console/decks/harbour/media/{video[1]}").status_code == 200


def test_a_too_large_upload_is_refused_before_it_is_read(console: TestClient) -> None:
    editor = new_deck(console)
    url = f"{editor}/cards/0"
    form = card_form(console.get(url).text)
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (10 * 1024 * 1024)
    response = send(console, url, form, {"f.image.file": ("big.png", big, "image/png")})
    assert response.status_code == 400
    assert problems_at(response.text, "image-file") == [
        "The file was not kept: the file is larger than 10 MB."
    ]
    huge = b"\0" * (31 * 1024 * 1024)
    response = send(console, url, form, {"f.video.file": ("huge.webm", huge, "video/webm")})
    assert response.status_code == 413
    assert "The file is larger than 10 MB." in response.text


def test_a_draft_card_is_previewed_as_each_screen_in_each_language(
    console: TestClient,
) -> None:
    editor = new_deck(console)
    assert console.get("/console/decks/harbour/preview?card=1").status_code == 404
    card = console.get(f"{editor}/cards/0").text
    assert '<a href="/console/decks/harbour/edit/preview?card=1" id="preview-card">' in card
    form = card_form(card) | {"f.title.da": "Velkommen til havnen"}
    post(console, f"{editor}/cards/0", **form)

    page = console.get("/console/decks/harbour/edit/preview?card=1&language=da")
    assert page.status_code == 200
    assert "This is the draft in the editor, not yet a version." in page.text
    for screen in ("phone", "tablet", "projector"):
        src = f"/console/decks/harbour/edit/preview/1/{screen}?lang=da"
        assert f'<iframe src="{src}"' in html.unescape(page.text), screen
        shown = console.get(src)
        assert shown.status_code == 200, screen
        assert "Velkommen til havnen" in shown.text, screen
        assert "frame-ancestors 'self'" in shown.headers["content-security-policy"]
    english = console.get("/console/decks/harbour/edit/preview/1/phone?lang=en").text
    assert "Velkommen til havnen" not in english
    assert console.get("/console/decks/harbour/edit/preview/9/phone").status_code == 404

    # A draft with an error is not a deck yet: the preview says why.
    form = card_form(console.get(f"{editor}/cards/0").text) | {"f.id": "Not An Id"}
    post(console, f"{editor}/cards/0", **form)
    page = console.get("/console/decks/harbour/edit/preview?card=1")
    assert "The draft cannot be previewed yet" in page.text
    assert "Back to the editor of harbour" in page.text
    assert console.get("/console/decks/harbour/edit/preview/1/phone").status_code == 404


def test_every_setting_a_question_can_have(console: TestClient) -> None:
    editor = new_deck(console)
    # The template's profile question: its results shown by hand, the town's shares.
    url = f"{editor}/cards/2"
    page = console.get(url).text
    assert '<option value="manual" selected>When the facilitator shows them</option>' in page
    checkbox = 'type="checkbox" id="question-profile" name="f.question.profile" value="yes"'
    assert f"{checkbox} checked" in page
    form = card_form(page) | {
        "f.question.reveal": "on_close",
        "f.question.reference.source.en": "Statistics Denmark, FOLK1A",
        "f.question.reference.source.da": "Danmarks Statistik, FOLK1A",
        "f.question.reference.source.sv": "Danmarks statistik, FOLK1A",
        "f.question.reference.link": "https://www.statistikbanken.dk/FOLK1A",
        "f.question.reference.year": "2025",
        "f.question.reference.shares.under-30": "0,25",
        "f.question.reference.shares.30-59": "0.45",
        "f.question.reference.shares.60-plus": "0.2",
    }
    post(console, url, **form)
    page = console.get(url).text
    assert problems_at(page, "group-question-reference") == [
        "the reference shares add up to 0.9; they must add up to 1 (within 0.01)"
    ]
    post(console, url, **(card_form(page) | {"f.question.reference.shares.60-plus": "0.3"}))
    page = console.get(url).text
    assert 'class="field-problems"' not in page
    # A profile question cannot be half of a pair: said at the question.
    form = card_form(page) | {"f.question.pair.id": "age", "f.question.pair.phase": "after"}
    post(console, url, **form)
    page = console.get(url).text
    assert problems_at(page, "group-question") == [
        "a profile question cannot also be half of a before/after pair"
    ]
    # Unticked, it is a plain question (an unticked box is not sent): the town's
    # shares go with it, and the pair is kept until it is emptied.
    form = card_form(page)
    del form["f.question.profile"]
    for key in [k for k in form if k.startswith("f.question.reference.")]:
        form[key] = ""
    post(console, url, **form)
    page = console.get(url).text
    assert 'name="f.question.profile" value="yes">' in page
    assert "f.question.reference.source.en" not in page
    assert field(page, "f.question.pair.id") == "age"
    assert problems_at(page, "group-question") == []
    post(console, url, **(card_form(page) | {"f.question.pair.id": ""}))
    assert 'name="f.question.pair.id" value=""' in console.get(url).text

    # The template's scale asked before, a new one after; a package limit on the budget.
    url = f"{editor}/cards/3"
    form = card_form(console.get(url).text) | {
        "f.question.pair.id": "importance",
        "f.question.pair.phase": "before",
        "f.theme": "climate",
    }
    post(console, url, **form)
    after = f"{editor}/cards/{add_card(console, editor, 'question:scale')}"
    form = (
        card_form(console.get(after).text)
        | texts("title", "Again")
        | texts("question.prompt", "How important now?")
        | texts("question.min_label", "Not important")
        | texts("question.max_label", "Very important")
        | {"f.question.pair.id": "importance", "f.question.pair.phase": "after"}
    )
    post(console, after, **form)
    assert 'class="field-problems"' not in console.get(after).text
    url = f"{editor}/cards/6"
    page = console.get(url).text
    assert '<label for="question-package-cap_attribute">' in page
    form = card_form(page) | {
        "f.question.package.cap_attribute": "cost_mdkk",
        "f.question.package.cap": "150",
        "f.question.options.0.description.en": "Solar panels on school roofs",
    }
    post(console, url, **form)
    page = console.get(url).text
    assert field(page, "f.question.package.cap") == "150"

    page = console.get(editor).text
    summary = re.search(r'<p id="check-summary">(.*?)</p>', page, re.S)
    assert summary and " ".join(summary[1].split()) == (
        "The checker finds no problem. 1 text lacks a translation."
    ), summary
    response = post(console, f"{editor}/publish", revision=revision(page))
    # The option's description lacks its Danish and Swedish: --strict holds it back.
    assert response.status_code == 400
    assert "no da, sv; readers see en (card 7, question › options › 0 › description)" in (
        html.unescape(response.text)
    )
    post(
        console,
        url,
        **(
            card_form(console.get(url).text)
            | {
                "f.question.options.0.description.da": "Solceller på skolernes tage",
                "f.question.options.0.description.sv": "Solceller på skolornas tak",
            }
        ),
    )
    response = post(console, f"{editor}/publish", revision=revision(console.get(editor).text))
    assert response.status_code == 303, html.unescape(response.text)
    document = console.get("/console/decks/harbour/1.zip").content
    with zipfile.ZipFile(io.BytesIO(document)) as z:
        text = z.read("deck.yaml").decode()
    assert "reveal: manual" not in text  # on_close, the default, is not written
    assert "pair:\n" in text and "phase: before" in text and "phase: after" in text
    assert "cap_attribute: cost_mdkk" in text and "theme: climate" in text
    assert "Solceller på skolernes tage" in text


def test_what_a_video_and_the_towns_shares_need_is_marked_required(console: TestClient) -> None:
    # As an image's alt text is once there is an image: a video needs its
    # title, the town's shares their source and year (the schema's).
    editor = new_deck(console, "needs")
    required = ' <span class="required">(required)</span></'
    url = f"{editor}/cards/0"
    page = console.get(url).text
    assert f"Title of the video{required}" not in page
    post(console, url, **(card_form(page) | {"f.video.url": "https://example.org/bus.mp4"}))
    page = console.get(url).text
    assert field(page, "f.video.url") == "https://example.org/bus.mp4"
    assert f"Title of the video{required}" in page
    url = f"{editor}/cards/2"
    page = console.get(url).text
    assert "f.question.reference.source.en" in page
    assert f"Source (who publishes the figures){required}" not in page
    form = card_form(page) | texts("question.reference.source", "Statistics")
    post(console, url, **(form | {"f.question.reference.year": "2025"}))
    page = console.get(url).text
    assert f"Source (who publishes the figures){required}" in page
    assert f"Year of the figures{required}" in page
