"""A deck as one file to download, mail and upload: a zip holding ``deck.yaml``
(the format of the files in ``sessions/``, so ``strategyroom deck check``
accepts it unzipped) and a ``media/`` folder with every media file of the deck.

Reading a bundle trusts nothing in it: the upload's size, the number of
entries, each file's real (decompressed) size and the total are bounded, and
every name must be ``deck.yaml`` or a plain path under ``media/`` (no ``..``,
no absolute paths, no backslashes, no links). The deck is then checked by the
deck checker (decks/check.py) on a private temporary copy, so every problem is
said as ``strategyroom deck check`` says it, in the reader's language.

Writing is deterministic: the same document and media give the same bytes of
``deck.yaml`` and of the zip (entries in name order, a fixed timestamp).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from strategyroom import i18n
from strategyroom.decks import media as deck_media
from strategyroom.decks.check import Checked, check_file, report
from strategyroom.decks.schema import ANY_LANGUAGE, Deck
from strategyroom.errors import N_

DECK_FILE = "deck.yaml"
MEDIA_DIR = "media"
DECK_SUFFIXES = (".yaml", ".yml", ".toml")

MAX_UPLOAD = 20 * 1024 * 1024  # the file as sent (zip or deck file)
MAX_ENTRIES = 200  # entries in a zip, folders included
MAX_DECK_BYTES = 2 * 1024 * 1024  # deck.yaml, unpacked
MAX_MEDIA_BYTES = 10 * 1024 * 1024  # one media file, unpacked
MAX_TOTAL_BYTES = 50 * 1024 * 1024  # everything unpacked
# One part of a media path: what every file system and zip tool agrees on.
MEDIA_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
MAX_MEDIA_DEPTH = 4
# Left by macOS's and Windows' own zip tools; never part of a deck.
JUNK = re.compile(r"(^|/)(__MACOSX/.*|\.DS_Store|Thumbs\.db)$")
# A fixed time for every entry, so that exporting twice gives the same zip.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class BundleRefused(Exception):
    """An upload that cannot become a deck version; ``problems`` are in the
    reader's language, one line each."""

    def __init__(self, problems: list[str], head: str = "") -> None:
        self.problems = problems
        # The checker's first line ("x.yaml: 3 problems"), when the checker refused it.
        self.head = head
        super().__init__("; ".join(problems))


@dataclass
class Bundle:
    """A checked deck and its media files (path under media/ -> bytes)."""

    deck: Deck
    media: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def content(self) -> dict[str, Any]:
        return document(self.deck)

    @property
    def content_hash(self) -> str:
        return content_hash(self.content, self.media)


def document(deck: Deck) -> dict[str, Any]:
    """The stored form of a deck: its validated document as JSON data."""
    return deck.model_dump(mode="json")


def content_hash(content: dict[str, Any], media: dict[str, bytes]) -> str:
    """SHA-256 over the document (keys sorted) and each media file's name and hash."""
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    )
    for name in sorted(media):
        digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(media[name]).digest())
    return digest.hexdigest()


# -- writing -------------------------------------------------------------------------


def deck_yaml(content: dict[str, Any]) -> bytes:
    """The deck as a file of sessions/: fields in the schema's order, defaults
    left out, a text that is the same in every language written once."""
    deck = Deck.model_validate(content)
    data = _plain(deck.model_dump(mode="json", exclude_defaults=True))
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return text.encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        if list(value) == [ANY_LANGUAGE]:
            return value[ANY_LANGUAGE]
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def write_zip(content: dict[str, Any], media: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        files = [(DECK_FILE, deck_yaml(content))]
        files += [(f"{MEDIA_DIR}/{name}", media[name]) for name in sorted(media)]
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


# -- reading -------------------------------------------------------------------------


def read_upload(data: bytes, filename: str, language: str) -> Bundle:
    """A deck file (.yaml, .yml, .toml) or a zip bundle, checked; raises
    BundleRefused with every problem found."""

    def refuse(message: str, **params: Any) -> BundleRefused:
        text = i18n.gettext(language, message)
        return BundleRefused([text % params if params else text])

    name = PurePosixPath(filename.replace("\\", "/")).name or DECK_FILE
    if len(data) > MAX_UPLOAD:
        raise refuse(N_("The file is larger than %(limit)s MB."), limit=MAX_UPLOAD // 2**20)
    if not data:
        raise refuse(N_("The file is empty."))
    suffix = PurePosixPath(name).suffix.lower()
    if data.startswith(b"PK") or suffix == ".zip":
        deck_bytes, media = _unzip(data, refuse)
        return _checked(deck_bytes, DECK_FILE, media, language)
    if suffix not in DECK_SUFFIXES:
        raise refuse(N_("Upload a deck file (.yaml, .yml or .toml) or a zip bundle (.zip)."))
    if len(data) > MAX_DECK_BYTES:
        raise refuse(
            N_("The deck file is larger than %(limit)s MB."), limit=MAX_DECK_BYTES // 2**20
        )
    return _checked(data, name, {}, language)


def _unzip(data: bytes, refuse: Any) -> tuple[bytes, dict[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise refuse(N_("This is not a zip file.")) from None
    with archive:
        entries = [e for e in archive.infolist() if not JUNK.search(e.filename)]
        if len(entries) > MAX_ENTRIES:
            raise refuse(
                N_("The zip holds more than %(limit)s files and folders."), limit=MAX_ENTRIES
            )
        prefix = _wrapping_folder([e.filename for e in entries])
        deck_bytes: bytes | None = None
        media: dict[str, bytes] = {}
        total = 0
        for entry in entries:
            path = entry.filename[len(prefix) :]
            if not path or path == f"{MEDIA_DIR}/":
                continue
            inner = _media_path(path) if path != DECK_FILE else DECK_FILE
            if inner is None:
                raise refuse(
                    N_(
                        "The zip holds %(name)s: a bundle holds deck.yaml and files in a "
                        "media folder (letters, digits, '.', '-' and '_' in their names), "
                        "nothing else."
                    ),
                    name=entry.filename,
                )
            if entry.is_dir():
                continue
            if entry.flag_bits & 0x1:
                raise refuse(N_("%(name)s in the zip is encrypted."), name=entry.filename)
            if (entry.external_attr >> 16) & 0o170000 == 0o120000:
                raise refuse(N_("%(name)s in the zip is a link."), name=entry.filename)
            limit = MAX_DECK_BYTES if inner == DECK_FILE else MAX_MEDIA_BYTES
            room = MAX_TOTAL_BYTES - total  # what the entries before left of the total
            content = _read(archive, entry, min(limit, room), refuse)
            if content is None and room < limit:
                raise refuse(
                    N_("The zip unpacks to more than %(limit)s MB."),
                    limit=MAX_TOTAL_BYTES // 2**20,
                )
            if content is None:
                raise refuse(
                    N_("%(name)s in the zip is larger than %(limit)s MB."),
                    name=entry.filename,
                    limit=limit // 2**20,
                )
            total += len(content)
            if inner == DECK_FILE:
                deck_bytes = content
            elif inner in media:
                raise refuse(N_("The zip holds %(name)s twice."), name=entry.filename)
            else:
                media[inner] = content
        if deck_bytes is None:
            raise refuse(N_("The zip has no deck.yaml."))
        return deck_bytes, media


def _wrapping_folder(names: list[str]) -> str:
    """A zip made of a folder ("my-deck/deck.yaml", "my-deck/media/…") is read
    as if made of its content."""
    if DECK_FILE in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        top = tops.pop() + "/"
        return top if f"{top}{DECK_FILE}" in names else ""
    return ""


def _media_path(path: str) -> str | None:
    """The path under media/ of a zip entry, or None when it is not one."""
    parts = path.rstrip("/").split("/")
    if len(parts) < 2 or parts[0] != MEDIA_DIR or len(parts) > MAX_MEDIA_DEPTH + 1:
        return None
    if not all(MEDIA_PART.match(part) and ".." not in part for part in parts[1:]):
        return None
    return "/".join(parts[1:])


def _read(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int, refuse: Any
) -> bytes | None:
    """The entry's bytes, read no further than ``limit`` whatever its header says
    (a zip bomb declares a small size); None when it is larger."""
    try:
        with archive.open(entry) as stream:
            content = stream.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
        raise refuse(N_("%(name)s in the zip cannot be read."), name=entry.filename) from None
    return None if len(content) > limit else content


def _checked(deck_bytes: bytes, name: str, media: dict[str, bytes], language: str) -> Bundle:
    """The deck checker's verdict on a private copy of the bundle (a check that
    looks at media files finds them beside the deck, as in a folder)."""
    suffix = PurePosixPath(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="strategyroom-deck-") as folder:
        path = Path(folder) / f"deck{suffix if suffix in DECK_SUFFIXES else '.yaml'}"
        path.write_bytes(deck_bytes)
        for inner, data in media.items():
            target = Path(folder, MEDIA_DIR, *inner.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        checked = check_file(path, show_folder=False)
    checked.path = Path(name)
    return _verdict(checked, media, language)


def _verdict(checked: Checked, media: dict[str, bytes], language: str) -> Bundle:
    lines, failed = report(checked, language, strict=False)
    if failed or checked.deck is None:
        raise BundleRefused(lines[1:] or lines, head=lines[0])
    return Bundle(checked.deck, media, warnings=lines[1:])


def read_deck_file(path: Path, language: str) -> Bundle:
    """A deck file on this machine, checked as ``strategyroom deck check``
    checks it (its media in the ``media`` folder beside it), with the media
    files it names; raises BundleRefused with every problem found."""
    checked = check_file(path)
    found: dict[str, bytes] = {}
    if checked.deck is not None and not checked.errors:
        folder = deck_media.media_folder(path)
        for ref in deck_media.references(checked.deck):
            found[ref.name] = (folder / ref.name).read_bytes()
    return _verdict(checked, found, language)
