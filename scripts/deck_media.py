"""Draws the sample decks' images with Pillow (no photographs, no fonts but
Pillow's own, the same bytes on every machine): the sample deck's pie chart of
households without a car (sessions/media/green-transition/) and the test
deck's chart (tests/decks/media/). Run it after changing a chart:

    python scripts/deck_media.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent


def pie(share: float, path: Path) -> None:
    """A pie chart of one share against the rest, with both percentages: the
    words are in the deck's alt text and card text, not in the picture."""
    width, height = 1200, 600
    image = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=64)
    box = (60, 60, 540, 540)
    split = 360 * share
    draw.pieslice(box, -90, -90 + split, fill="#1b6e3c")
    draw.pieslice(box, -90 + split, 270, fill="#b9d9c4")
    for y, colour, value in ((170, "#1b6e3c", share), (350, "#b9d9c4", 1 - share)):
        draw.rectangle((640, y, 720, y + 80), fill=colour)
        draw.text((760, y + 4), f"{round(value * 100)} %", fill="#111111", font=font)
    image.save(path, "PNG", optimize=True)


def bars(values: list[int], path: Path) -> None:
    """Bars of a few figures, each with its number above it."""
    width, height = 1600, 900
    image = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=56)
    top = max(values)
    step = width // len(values)
    for index, value in enumerate(values):
        left = index * step + step // 5
        bar = int((height - 200) * value / top)
        draw.rectangle((left, height - 60 - bar, left + step * 3 // 5, height - 60), fill="#1b6e3c")
        draw.text(
            (left, height - 130 - bar), f"{value:,}".replace(",", " "), fill="#111", font=font
        )
    image.save(path, "PNG", optimize=True)


def main() -> None:
    pie(0.25, ROOT / "sessions/media/green-transition/households-without-a-car.png")
    bars([95000, 61000, 38000, 17000], ROOT / "tests/decks/media/emissions.png")


if __name__ == "__main__":
    main()
