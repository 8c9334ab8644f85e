"""The screens of a rehearsed evening and what each one heard go wrong: console
messages at error level, uncaught script errors, and HTTP responses of 400 and
above (the rehearsal never sends a request it expects to be refused, so every
such response is one a user would not have caused either). The one exception is
the browser's own guess at ``/favicon.ico``: no page asks for it (the
participant page is meant to load nothing but its CSS and scripts,
docs/accessibility.md), and nobody sees its 404."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from playwright.sync_api import Browser, ConsoleMessage, Page, Response

Kind = Literal["console", "projector", "phone", "tablet"]

# Two common small phones: 320 px (the WCAG reflow width, an iPhone SE of the
# first generation) and 375 px (most phones' CSS width).
PHONE_SIZES = ((320, 568), (375, 667))
PROJECTOR_SIZES = ((1920, 1080), (1280, 720))
TABLET_SIZE = (768, 1024)
CONSOLE_SIZE = (1280, 900)
# The tables the evening seats its phones at: the 320 px phones at table 1 with
# the tablet, the 375 px ones at table 2, so each table's own figures differ
# from the room's and from each other's.
TABLES = len(PHONE_SIZES)


@dataclass(frozen=True)
class Device:
    name: str
    kind: Kind
    width: int
    height: int
    language: str
    table: int | None = None  # where a phone or the tablet sits

    @property
    def stage(self) -> str:
        """The element whose ``data-seq`` is the session's sequence number it shows."""
        return {"console": "#console-live", "projector": "#projector-stage"}.get(
            self.kind, "#stage"
        )


def devices_for(languages: list[str], default_language: str) -> list[Device]:
    """The console, a projector per language and size (a hall's projector may be
    set to any of the deck's languages), a phone per language and width (each
    width at its own table), table 1's tablet."""
    found = [Device("console", "console", *CONSOLE_SIZE, default_language)]
    for language in languages:
        for width, height in PROJECTOR_SIZES:
            name = f"projector-{language}-{width}"
            found.append(Device(name, "projector", width, height, language))
    for language in languages:
        for table, (width, height) in enumerate(PHONE_SIZES, start=1):
            name = f"phone-{language}-{width}"
            found.append(Device(name, "phone", width, height, language, table))
    found.append(Device("tablet", "tablet", *TABLET_SIZE, default_language, 1))
    return found


@dataclass
class Screen:
    """A device's page, and what went wrong in it since the last look."""

    device: Device
    page: Page
    heard: list[str] = field(default_factory=list)

    def take_heard(self) -> list[str]:
        heard, self.heard = self.heard, []
        return heard


def open_screen(browser: Browser, device: Device) -> Screen:
    touch = device.kind in ("phone", "tablet")
    context = browser.new_context(
        viewport={"width": device.width, "height": device.height},
        is_mobile=touch,
        has_touch=touch,
        locale=device.language,
        # Bars that grow (the projector's results) are drawn at their final
        # length, so a screenshot shows the figures the checks read.
        reduced_motion="reduce",
    )
    screen = Screen(device, context.new_page())

    def console_message(message: ConsoleMessage) -> None:
        if message.type == "error" and not _favicon(message.location.get("url", "")):
            source = message.location.get("url", "")
            screen.heard.append(
                f"console error: {message.text}" + (f" ({source})" if source else "")
            )

    def page_error(error: Exception) -> None:
        screen.heard.append(f"script error: {error}")

    def response(answer: Response) -> None:
        if answer.status >= 400 and not _favicon(answer.url):
            screen.heard.append(f"HTTP {answer.status} for {answer.request.method} {answer.url}")

    screen.page.on("console", console_message)
    screen.page.on("pageerror", page_error)
    screen.page.on("response", response)
    return screen


def _favicon(url: str) -> bool:
    return urlsplit(url).path == "/favicon.ico"
