"""A deck's media: the images, videos and caption files its cards show.

A deck names each file relative to the ``media`` folder beside it
(``sessions/media/...`` for ``sessions/x.yaml``; ``media/`` in a bundle beside
``deck.yaml``). ``references`` lists every file a deck names (what a bundle
must carry); ``prepare`` checks one file by its content, never its name, and
gives the bytes that may be served: an image re-encoded by Pillow (no
metadata, at most ``IMAGE_MAX_SIDE`` pixels a side), a video or caption file
as it is once its type and size are right. What is wrong is a gettext message
with parameters (``MediaError``), said by the checker and the upload alike.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from PIL import Image as Pillow
from PIL import ImageOps, UnidentifiedImageError

from strategyroom import i18n
from strategyroom.decks.schema import Card, Deck
from strategyroom.errors import N_

MEDIA_FOLDER = "media"

# A file the deck names that is not there. The checker of a deck file says
# which folder it looked in; the editor and an upload keep theirs private.
NO_FILE = N_("there is no file %(name)s in the media folder")

# What a file may be at most before it is prepared, and an image after.
IMAGE_MAX_BYTES = 10 * 1024 * 1024
VIDEO_MAX_BYTES = 200 * 1024 * 1024
CAPTIONS_MAX_BYTES = 512 * 1024
IMAGE_MAX_SIDE = 2400  # wide enough for a 1920 px projector and a sharp phone
# Pixels Pillow may decode: a small file that unpacks to gigabytes (a
# "decompression bomb") is refused before it is decoded.
IMAGE_MAX_PIXELS = 40_000_000


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    CAPTIONS = "captions"


# The content types a kind may have, as served.
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
VIDEO_TYPES = ("video/mp4", "video/webm")
CAPTIONS_TYPE = "text/vtt; charset=utf-8"


class MediaError(Exception):
    """A file that may not be shown: ``message`` is a gettext msgid."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def text(self, language: str) -> str:
        return i18n.gettext(language, self.message) % self.params


@dataclass(frozen=True)
class Reference:
    """A media file a deck names: where (a path in the deck's data, as the
    checker's problems have), what kind it must be and its name."""

    path: tuple[str | int, ...]
    kind: MediaKind
    name: str


@dataclass(frozen=True)
class Prepared:
    """What may be served: ``data``, or for a video (served as it is, in
    ranges) the checked ``file``."""

    content_type: str
    data: bytes
    file: Path | None = None


def references(deck: Deck) -> list[Reference]:
    """Every media file the deck names, in deck order, each name once."""
    seen: set[str] = set()
    found = []
    for ref in _references(deck):
        if ref.name not in seen:
            seen.add(ref.name)
            found.append(ref)
    return found


def _references(deck: Deck) -> Iterator[Reference]:
    for index, card in enumerate(deck.cards):
        yield from card_references(index, card)


def card_references(index: int, card: Card) -> Iterator[Reference]:
    """The media files one card names (the card at ``index`` of its deck)."""
    if card.image is not None:
        yield Reference(("cards", index, "image", "file"), MediaKind.IMAGE, card.image.file)
    video = card.video
    if video is None:
        return
    if video.file is not None:
        yield Reference(("cards", index, "video", "file"), MediaKind.VIDEO, video.file)
    for language, name in video.captions.items():
        at = ("cards", index, "video", "captions", language)
        yield Reference(at, MediaKind.CAPTIONS, name)


def kind_of(deck: Deck, name: str) -> MediaKind | None:
    """The kind of file the deck names ``name`` as; None when it names no such file
    (then it is not served)."""
    for ref in references(deck):
        if ref.name == name:
            return ref.kind
    return None


def media_folder(deck_file: Path) -> Path:
    return deck_file.parent / MEDIA_FOLDER


# Prepared images and captions by file, its size and time: a deck's files are
# read once per worker, not once per phone. Bounded in bytes (oldest out first).
_CACHE_BYTES = 64 * 1024 * 1024
_cache: dict[tuple[str, int, int, MediaKind], Prepared] = {}


def read(folder: Path, name: str, kind: MediaKind) -> Prepared:
    """The file ``name`` of a media folder, prepared; MediaError when it is
    missing, too large or not what it must be. A video is checked by its
    first bytes and its size, and served from its file."""
    path = folder / name
    limit = _limits[kind]
    try:
        if not path.resolve().is_relative_to(folder.resolve()) or not path.is_file():
            raise MediaError(NO_FILE, name=name)
        stat = path.stat()
        if stat.st_size > limit:
            raise _too_large(limit)
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, kind)
        if key in _cache:
            return _cache[key]
        if kind is MediaKind.VIDEO:
            with path.open("rb") as file:
                head = file.read(64)
            return Prepared(_video_type(head), b"", path)
        data = path.read_bytes()
    except OSError as exc:
        raise MediaError(N_("cannot read the file: %(reason)s"), reason=exc.strerror) from None
    prepared = prepare(data, kind)
    while _cache and sum(len(p.data) for p in _cache.values()) + len(prepared.data) > _CACHE_BYTES:
        del _cache[next(iter(_cache))]
    _cache[key] = prepared
    return prepared


def prepare(data: bytes, kind: MediaKind) -> Prepared:
    """What may be served of a file that must be of ``kind``, judged by its content."""
    if len(data) > _limits[kind]:
        raise _too_large(_limits[kind])
    match kind:
        case MediaKind.IMAGE:
            return _image(data)
        case MediaKind.VIDEO:
            return Prepared(_video_type(data), data)
        case MediaKind.CAPTIONS:
            return Prepared(CAPTIONS_TYPE, _captions(data))


def prepare_upload(data: bytes, kind: MediaKind, limit: int) -> Prepared:
    """An upload of the deck editor, prepared as ``prepare`` does, and at most
    ``limit`` bytes as sent (what a deck bundle may carry, so that the
    exported file can be read back)."""
    if len(data) > min(limit, _limits[kind]):
        raise _too_large(min(limit, _limits[kind]))
    return prepare(data, kind)


# A prepared file's name ending, by its content type.
SUFFIXES = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/webm": "webm",
    CAPTIONS_TYPE: "vtt",
}


_limits = {
    MediaKind.IMAGE: IMAGE_MAX_BYTES,
    MediaKind.VIDEO: VIDEO_MAX_BYTES,
    MediaKind.CAPTIONS: CAPTIONS_MAX_BYTES,
}


def _too_large(limit: int) -> MediaError:
    return MediaError(
        N_("the file is larger than %(size)s MB"), size=i18n.Number(round(limit / 1024 / 1024, 1))
    )


def image_type(data: bytes) -> str | None:
    """The image format by the file's first bytes (PNG, JPEG, WEBP), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _image(data: bytes) -> Prepared:
    """The image decoded and written again by Pillow: only its pixels survive
    (no EXIF with a camera's position, no comments, no colour profile, no
    second frame), turned upright and scaled to fit ``IMAGE_MAX_SIDE``."""
    kind = image_type(data)
    not_image = MediaError(N_("the file is not a PNG, JPEG or WebP image"))
    if kind is None:
        raise not_image
    try:
        with Pillow.open(io.BytesIO(data), formats=[kind]) as image:
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise MediaError(
                    N_(
                        "the image is %(width)s × %(height)s pixels, "
                        "more than the %(max)s pixels allowed"
                    ),
                    width=width,
                    height=height,
                    max=i18n.Number(IMAGE_MAX_PIXELS),
                )
            image.seek(0)
            image.load()
            upright = ImageOps.exif_transpose(image)
            assert upright is not None
            picture = upright.copy()
    except MediaError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Pillow.DecompressionBombError,
    ):
        raise not_image from None
    # Pixels only: a palette's transparency becomes an alpha channel, and the
    # info Pillow would write back (comment, EXIF, ICC profile, dpi) is dropped.
    transparent = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    picture = picture.convert("RGBA" if transparent and kind != "JPEG" else "RGB")
    picture.info = {}
    picture.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
    out = io.BytesIO()
    if kind == "JPEG":
        picture.save(out, "JPEG", quality=85, optimize=True)
    elif kind == "WEBP":
        picture.save(out, "WEBP", quality=85)
    else:
        picture.save(out, "PNG", optimize=True)
    return Prepared(IMAGE_TYPES[kind], out.getvalue())


# An ISO base media file (MP4) begins with a box, usually "ftyp", whose brand
# names the kind; WebM is EBML whose DocType is "webm".
_MP4_BRANDS = (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash")


def _video_type(data: bytes) -> str:
    if data[4:8] == b"ftyp" and data[8:12] in _MP4_BRANDS:
        return "video/mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82\x84webm" in data[:64]:
        return "video/webm"
    raise MediaError(N_("the file is not an MP4 or WebM video"))


_VTT_HEADER = re.compile(r"^\ufeff?WEBVTT(?:[ \t][^\r\n]*)?(?:\r\n|\r|\n|$)")


def _captions(data: bytes) -> bytes:
    """A WebVTT file: UTF-8 text that begins with "WEBVTT" (the browser reads
    its cues as text, never as markup of the page)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MediaError(N_("the caption file is not UTF-8 text")) from None
    if not _VTT_HEADER.match(text) or "\x00" in text:
        raise MediaError(N_("the caption file is not WebVTT: it must begin with WEBVTT"))
    return text.removeprefix("\ufeff").encode("utf-8")
