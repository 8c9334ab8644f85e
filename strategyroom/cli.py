"""The ``strategyroom`` command: serve, demo, facilitator accounts, database, decks."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import os
import secrets
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from strategyroom.config import ConfigError, Settings
from strategyroom.logs import LEVELS, log_config

if TYPE_CHECKING:
    from strategyroom.store.db import Database

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEMO_USER = "demo"
DEMO_DECK = "green-transition.yaml"


ALL_INTERFACES = ("0.0.0.0", "::")  # noqa: S104


def lan_address() -> str | None:
    """This machine's address on its local network, or None without one.

    Connecting a UDP socket sends nothing: the kernel only picks the interface
    and source address it would route a private address through."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith(("127.", "0.")) else address


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    host, port = getattr(args, "host", None), getattr(args, "port", None)
    if host and port and not os.environ.get("STRATEGYROOM_PUBLIC_URL"):
        # Listening on every interface is for other devices: the links (and the
        # websocket Origin check) use the address they reach this machine at.
        shown = (lan_address() or "127.0.0.1") if host in ALL_INTERFACES else host
        overrides["public_url"] = f"http://{shown}:{port}"
    return Settings.from_env(overrides=overrides)


def _reach(settings: Settings, host: str, port: int) -> str:
    """Who can open the printed links, and how to let phones in when they cannot."""
    if os.environ.get("STRATEGYROOM_PUBLIC_URL"):
        return ""
    if host not in ALL_INTERFACES:
        # Said as options, not as a command line: the demo may have been started
        # as `./dev demo` (the README's way) or as `strategyroom demo`.
        return (
            "These links open on this computer only. For phones on the same network,\n"
            f"start the demo again with: --host 0.0.0.0 --port {port}"
        )
    if "//127.0.0.1:" in settings.public_url:
        return "This computer has no network address: the links open on it only."
    return "Phones on the same network as this computer can open these links."


def _serve(
    settings: Settings, host: str, port: int, log_level: str = "info", access_log: bool = True
) -> None:
    import uvicorn

    from strategyroom.header_timeout import protocol_class
    from strategyroom.web.app import create_app
    from strategyroom.web.socket_messages import MAX_FRAME_BYTES
    from strategyroom.ws_protocol import LeanWebSocketProtocol

    # Thousands of sockets keep hundreds of thousands of objects alive; with the
    # default thresholds the collector walks them every few hundred allocations
    # and a full pass stalls every socket (docs/performance.md: event-loop lag
    # and fan-out p99 fell by about a third and the answer burst's lag by half).
    gc.set_threshold(50_000, 20, 100)

    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        # Request headers must arrive within STRATEGYROOM_HEADER_TIMEOUT seconds.
        http=protocol_class(settings.header_timeout),
        # uvicorn's own websocket protocol with less memory per socket.
        ws=LeanWebSocketProtocol,
        # Compression costs ~64 KiB of memory per socket; our frames are small.
        ws_per_message_deflate=False,
        # Above the protocol's 64 KiB, which the app answers with invalid_message.
        ws_max_size=MAX_FRAME_BYTES,
        # The app believes X-Forwarded-For only from STRATEGYROOM_TRUSTED_PROXIES
        # (web/app.py); uvicorn's own default would believe it from loopback.
        proxy_headers=False,
        log_config=log_config(),
        log_level=log_level,
        access_log=access_log,
    )


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    print(f"Strategy Room on {settings.public_url} (data in {settings.data_dir})")
    _serve(settings, args.host, args.port, args.log_level, not args.no_access_log)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from strategyroom import accounts
    from strategyroom.decks import DeckError, library, load_deck
    from strategyroom.web.app import prepare_database

    settings = _settings(args)
    # The deck first: a demo without its deck must not leave a login behind.
    deck_path = settings.decks_dir / DEMO_DECK
    if not deck_path.is_file():
        print(
            f"error: the demo needs the sample deck {DEMO_DECK}, and {settings.decks_dir} "
            "has none. Set STRATEGYROOM_DECKS_DIR to a folder that has it, or leave it "
            "unset for the one that comes with Strategy Room.",
            file=sys.stderr,
        )
        return 1
    try:
        deck = load_deck(deck_path)
    except DeckError:
        print(
            f"error: the sample deck {deck_path} has problems; "
            f"`strategyroom deck check {deck_path}` lists them.",
            file=sys.stderr,
        )
        return 1
    db = prepare_database(settings)
    password = secrets.token_urlsafe(9)
    user = db.call(lambda s: accounts.set_password(s, DEMO_USER, password), write=True)
    db.call(lambda s: library.sync_samples(s, settings.decks_dir), write=True)
    number = db.call(lambda s: library.version(s, deck.id).number)

    async def open_session() -> tuple[str, str]:
        from strategyroom.broker.memory import MemoryBroker
        from strategyroom.live.service import SessionService

        service = SessionService(db, MemoryBroker())
        assert user.id is not None
        room = await service.create(deck, "Demo: our green town", user.id, number)
        return room.id, room.join_code

    session_id, code = asyncio.run(open_session())
    db.dispose()
    base = settings.public_url
    lines = [
        "",
        "Strategy Room demo",
        "==================",
        f"Console (facilitator): {base}/console/{session_id}",
        f"  login: {DEMO_USER} / {password}",
        f"Participants join at:  {base}/join/{code}   (or {base}/ and type {code})",
        f"Projector screen:      {base}/p/{code}",
        f"Join code:             {code}",
        "",
        f"Each start gives {DEMO_USER} a new password: consoles still logged in",
        "with an earlier one must log in again.",
        "",
    ]
    if reach := _reach(settings, args.host, args.port):
        lines += [reach, ""]
    print("\n".join(lines), flush=True)
    _serve(settings, args.host, args.port, args.log_level, not args.no_access_log)
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    """The new password, from standard input or typed twice without echo."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Same password again: ") != password:
        print("error: the passwords differ; nothing was changed", file=sys.stderr)
        return None
    return password


def cmd_facilitator_remove(args: argparse.Namespace) -> int:
    from strategyroom import accounts
    from strategyroom.web.app import prepare_database

    db = prepare_database(_settings(args))
    try:
        removed = db.call(
            lambda s: accounts.remove_facilitator(s, args.name, args.sessions_to), write=True
        )
    except accounts.AccountError as exc:
        print(f"error: {exc}; nothing was changed", file=sys.stderr)
        return 1
    finally:
        db.dispose()

    def count(n: int, what: str) -> str:
        return f"{n} {what}{'s' if n != 1 else ''}"

    print(f"Facilitator {args.name!r} removed; their open logins have ended.")
    if args.sessions_to is not None:
        print(f"{count(removed.sessions_moved, 'session')} moved to {args.sessions_to!r}.")
    print(f"{count(removed.invitations_dropped, 'co-facilitator invitation')} dropped.")
    if removed.shares_kept:
        print(
            f"Report share links they made: {removed.shares_kept}, kept working "
            "(listed for whoever runs their sessions)."
        )
    return 0


def cmd_facilitator(args: argparse.Namespace) -> int:
    from strategyroom import accounts
    from strategyroom.web.app import prepare_database

    password = _read_password(args)
    if password is None:
        return 1
    change = accounts.add_facilitator if args.action == "add" else accounts.change_password
    db = prepare_database(_settings(args))
    try:
        db.call(lambda s: change(s, args.name, password), write=True)
    except accounts.AccountError as exc:
        print(f"error: {exc}; nothing was changed", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    if args.action == "add":
        print(f"Facilitator {args.name!r} added.")
    else:
        print(f"Facilitator {args.name!r} has a new password; their open logins have ended.")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from strategyroom.store import migrate
    from strategyroom.store.db import private_sqlite_file

    settings = _settings(args)
    if settings.is_sqlite:
        private_sqlite_file(settings.effective_database_url)
    migrate.upgrade(settings.effective_database_url)
    print(f"Database is at revision {migrate.head_revision(settings.effective_database_url)}.")
    return 0


def cmd_db_repair_text(args: argparse.Namespace) -> int:
    from strategyroom.store.repair import repair_stored_text

    changed = repair_stored_text(_settings(args).effective_database_url)
    for column, rows in sorted(changed.items()):
        print(f"{column}: {rows} row{'s' if rows != 1 else ''} repaired")
    if not changed:
        print("No stored text needed repair.")
    return 0


def cmd_deck_check(args: argparse.Namespace) -> int:
    from strategyroom.decks import find_decks
    from strategyroom.decks.check import check_file, report

    settings = _settings(args)
    paths = [Path(p) for p in args.files] or find_decks(settings.decks_dir)
    if not paths:
        print(f"error: no deck files in {settings.decks_dir}", file=sys.stderr)
        return 1
    failed = False
    for path in paths:
        lines, failed_here = report(check_file(path), args.language, args.strict)
        failed |= failed_here
        print("\n".join(lines))
    return 1 if failed else 0


def _library(args: argparse.Namespace) -> Database:
    """The database, with the sample decks read into the deck library."""
    from strategyroom.decks import library
    from strategyroom.web.app import prepare_database

    settings = _settings(args)
    db = prepare_database(settings)
    db.call(lambda s: library.sync_samples(s, settings.decks_dir), write=True)
    return db


def _where_library(settings: Settings) -> str:
    """Which deck library was read: a data folder that depends on the working
    directory makes "there is no deck" puzzling without it."""
    if settings.database_url:
        return "(the deck library in DATABASE_URL's database)"
    return f"(the deck library in {settings.data_dir}; --data-dir reads another)"


def cmd_deck_export(args: argparse.Namespace) -> int:
    from strategyroom.decks import library
    from strategyroom.errors import SessionError

    db = _library(args)
    try:
        found, data = db.call(lambda s: library.export(s, args.id, args.version))
    except SessionError as exc:
        print(f"error: {exc} {_where_library(_settings(args))}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    Path(args.out).write_bytes(data)
    print(f"Deck {found.deck_id}, version {found.number}, written to {args.out}.")
    return 0


def cmd_deck_import(args: argparse.Namespace) -> int:
    from strategyroom.decks import bundle, library

    path = Path(args.file)
    try:
        if path.suffix.lower() in bundle.DECK_SUFFIXES:
            # A deck file here: its media in the media folder beside it, as
            # `deck check` finds them.
            found = bundle.read_deck_file(path, args.language)
        else:
            found = bundle.read_upload(path.read_bytes(), path.name, args.language)
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 1
    except bundle.BundleRefused as exc:
        print(exc.head or f"{path}:", file=sys.stderr)
        print("\n".join(f"  {line.strip()}" for line in exc.problems), file=sys.stderr)
        print("Nothing was stored in the deck library.", file=sys.stderr)
        return 1
    for line in found.warnings:
        print(line)
    db = _library(args)
    try:
        added = db.call(lambda s: library.add(s, found, None), write=True)
    finally:
        db.dispose()
    if added.new:
        print(f"Deck {added.deck_id}: imported as version {added.number}.")
    else:
        print(f"Deck {added.deck_id}: unchanged, version {added.number} has this content.")
    return 0


CHECK_LANGUAGES = ("en", "da", "sv")


def environment_language() -> str:
    """The officer's language from the environment, as gettext reads it
    (LC_ALL, then LC_MESSAGES, then LANG: "da_DK.UTF-8" is da); English when
    it is none of the checker's languages."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            code = value.split(".")[0].split("_")[0].split("-")[0].lower()
            return code if code in CHECK_LANGUAGES else "en"
    return "en"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="strategyroom",
        description="Run live Strategy Room sessions: facilitator console, participant "
        "phones and projector. Settings come from the environment (docs/configuration.md).",
    )
    data_dir_help = (
        "where the SQLite database and keys live (default: $STRATEGYROOM_DATA_DIR, "
        "else strategyroom-data in the current directory)"
    )
    parser.add_argument("--data-dir", help=data_dir_help)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})"
        )
        p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
        p.add_argument(
            "--log-level",
            choices=LEVELS,
            default="info",
            help="how much to log (info); debug adds every websocket handshake",
        )
        p.add_argument(
            "--no-access-log",
            action="store_true",
            help="do not log requests (each line holds the client's address)",
        )

    serve = commands.add_parser("serve", help="run the web app", description="Run the web app.")
    server_options(serve)
    serve.set_defaults(handler=cmd_serve)

    demo = commands.add_parser(
        "demo",
        help="create a demo login and session, print the links, and serve",
        description="Create the facilitator 'demo' with a new password and a session from "
        "the sample deck, print the console, join and projector links, and serve.",
    )
    server_options(demo)
    demo.set_defaults(handler=cmd_demo)

    from strategyroom.accounts import MIN_PASSWORD_LENGTH

    facilitator = commands.add_parser("facilitator", help="manage facilitator accounts")
    facilitator_commands = facilitator.add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add = facilitator_commands.add_parser(
        "add",
        help="add a facilitator (asks for the password without echo)",
        description="Add a facilitator account. The password (at least "
        f"{MIN_PASSWORD_LENGTH} characters) is read without echo, twice.",
    )
    renew = facilitator_commands.add_parser(
        "password",
        help="give a facilitator a new password (ends their open logins)",
        description="Give an existing facilitator account a new password (at least "
        f"{MIN_PASSWORD_LENGTH} characters), read without echo, twice. Every console "
        "logged in with the old one must log in again.",
    )
    for parser_ in (add, renew):
        parser_.add_argument("name", help="the login name")
        parser_.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input (one line)",
        )
        parser_.set_defaults(handler=cmd_facilitator)
    remove = facilitator_commands.add_parser(
        "remove",
        help="remove a facilitator who left (ends their open logins)",
        description="Remove a facilitator account: every console they are logged in "
        "on is refused at its next request. Their sessions are never deleted: "
        "one who owns sessions is removed only with --sessions-to, which gives "
        "them to another facilitator. Their co-facilitator invitations are "
        "dropped; the report share links they made keep working. The sessions' "
        "logs keep their name.",
    )
    remove.add_argument("name", help="the login name")
    remove.add_argument(
        "--sessions-to",
        metavar="OTHER",
        help="the existing facilitator who becomes the owner of their sessions",
    )
    remove.set_defaults(handler=cmd_facilitator_remove)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser(
        "upgrade",
        help="apply the migrations to DATABASE_URL",
        description="Apply the Alembic migrations to the configured database.",
    )
    upgrade.set_defaults(handler=cmd_db_upgrade)
    repair = db_commands.add_parser(
        "repair-text",
        help="replace characters that cannot be shown in stored text",
        description="Replace, in every stored text (answers, comments, drafts, titles, "
        "table names), each lone surrogate, non-character or control character other "
        "than newline and tab with U+FFFD, and bring the text to Unicode NFC. Such text "
        "was stored before it was checked on the way in. Prints how many rows of each "
        "column changed; run it again and nothing changes.",
    )
    repair.set_defaults(handler=cmd_db_repair_text)

    deck = commands.add_parser("deck", help="session decks")
    deck_commands = deck.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = deck_commands.add_parser(
        "check",
        help="validate deck files and list every problem",
        description="Validate deck files (default: every deck in the decks directory) and "
        "list every problem in one run, each with its file, line, card and field, and, as "
        "warnings, every text that lacks a translation into one of the deck's languages. "
        "The format is in docs/decks.md.",
    )
    check.add_argument("files", nargs="*", help="deck files (.yaml, .yml or .toml)")
    check.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1) on warnings too, e.g. a text that lacks a translation",
    )
    check.add_argument(
        "--language",
        choices=CHECK_LANGUAGES,
        default=environment_language(),
        help="the language of the messages (default: from LC_ALL, LC_MESSAGES or LANG, else en)",
    )
    check.set_defaults(handler=cmd_deck_check)
    export = deck_commands.add_parser(
        "export",
        help="write a deck of the library as a zip bundle",
        description="Write a version of a deck in the deck library (the newest unless "
        "--version) as a zip bundle: deck.yaml and the deck's media files under media/. "
        "The sample decks are read into the library first. The format is in docs/decks.md.",
    )
    export.add_argument("id", help="the deck's id, e.g. green-transition")
    export.add_argument("--out", required=True, help="the zip file to write")
    export.add_argument("--version", type=int, help="the version number (default: the newest)")
    export.add_argument("--data-dir", default=argparse.SUPPRESS, help=data_dir_help)
    export.set_defaults(handler=cmd_deck_export)
    imported = deck_commands.add_parser(
        "import",
        help="add a deck file or zip bundle to the deck library",
        description="Check a deck file (.yaml, .yml, .toml) or zip bundle and add it to the "
        "deck library: a deck with a new id becomes version 1, a known deck gets its next "
        "version, and content equal to the deck's newest version adds nothing. Every "
        "problem is listed, as `deck check` lists them; nothing is stored then.",
    )
    imported.add_argument("file", help="the deck file or zip bundle")
    imported.add_argument(
        "--language",
        choices=CHECK_LANGUAGES,
        default=environment_language(),
        help="the language of the messages (default: from LC_ALL, LC_MESSAGES or LANG, else en)",
    )
    imported.add_argument("--data-dir", default=argparse.SUPPRESS, help=data_dir_help)
    imported.set_defaults(handler=cmd_deck_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
