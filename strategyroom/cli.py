"""The ``strategyroom`` command: serve, demo, facilitator accounts, database, decks."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from strategyroom.config import ConfigError, Settings
from strategyroom.logs import LEVELS, log_config

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEMO_USER = "demo"


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    host, port = getattr(args, "host", None), getattr(args, "port", None)
    if host and port and not os.environ.get("STRATEGYROOM_PUBLIC_URL"):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        overrides["public_url"] = f"http://{shown}:{port}"
    return Settings.from_env(overrides=overrides)


def _serve(
    settings: Settings, host: str, port: int, log_level: str = "info", access_log: bool = True
) -> None:
    import uvicorn

    from strategyroom.web.app import create_app

    # Thousands of sockets keep hundreds of thousands of objects alive; with the
    # default thresholds the collector walks them every few hundred allocations
    # and a full pass stalls every socket (docs/performance.md: event-loop lag
    # and fan-out p99 fell by about a third and the answer burst's lag by half).
    gc.set_threshold(50_000, 20, 100)

    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        # Compression costs ~64 KiB of memory per socket; our frames are small.
        ws_per_message_deflate=False,
        ws_max_size=64 * 1024,
        proxy_headers=True,
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
    from strategyroom.decks import load_deck
    from strategyroom.web.app import prepare_database

    settings = _settings(args)
    db = prepare_database(settings)
    password = secrets.token_urlsafe(9)
    user = db.call(lambda s: accounts.set_password(s, DEMO_USER, password), write=True)
    deck_path = settings.decks_dir / "green-transition.yaml"
    deck = load_deck(deck_path)

    async def open_session() -> tuple[str, str]:
        from strategyroom.broker.memory import MemoryBroker
        from strategyroom.live.service import SessionService

        service = SessionService(db, MemoryBroker())
        assert user.id is not None
        room = await service.create(deck, "Demo: our green town", user.id)
        return room.id, room.join_code

    session_id, code = asyncio.run(open_session())
    db.dispose()
    base = settings.public_url
    print(
        "\n".join(
            [
                "",
                "Strategy Room demo",
                "==================",
                f"Console (facilitator): {base}/console/{session_id}",
                f"  login: {DEMO_USER} / {password}",
                f"Participants join at:  {base}/join/{code}   (or {base}/ and type {code})",
                f"Projector screen:      {base}/p/{code}",
                f"Join code:             {code}",
                "",
            ]
        ),
        flush=True,
    )
    _serve(settings, args.host, args.port, args.log_level, not args.no_access_log)
    return 0


def cmd_facilitator_add(args: argparse.Namespace) -> int:
    from strategyroom import accounts
    from strategyroom.web.app import prepare_database

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Same password again: ") != password:
            print("error: the passwords differ; nothing was changed", file=sys.stderr)
            return 1
    db = prepare_database(_settings(args))
    try:
        db.call(lambda s: accounts.add_facilitator(s, args.name, password), write=True)
    except accounts.AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"Facilitator {args.name!r} added.")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from strategyroom.store import migrate

    settings = _settings(args)
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.effective_database_url)
    print(f"Database is at revision {migrate.head_revision(settings.effective_database_url)}.")
    return 0


def cmd_deck_check(args: argparse.Namespace) -> int:
    from strategyroom.decks import DeckError, find_decks, load_deck
    from strategyroom.decks.coverage import missing_translations

    settings = _settings(args)
    paths = [Path(p) for p in args.files] or find_decks(settings.decks_dir)
    if not paths:
        print(f"error: no deck files in {settings.decks_dir}", file=sys.stderr)
        return 1
    failed = 0
    for path in paths:
        try:
            deck = load_deck(path)
        except DeckError as exc:
            failed += 1
            print(f"{path}: {len(exc.problems)} problem(s)")
            for problem in exc.problems:
                print(f"  - {problem}")
            continue
        print(f"{path}: ok ({deck.id} {deck.version}, {len(deck.cards)} cards)")
        missing = missing_translations(deck)
        if missing:
            failed += args.strict
            print(
                f"  warning: {len(missing)} text(s) lack a translation "
                f"(readers see {deck.default_language} instead):"
            )
            for item in missing:
                print(f"  - {item}")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="strategyroom",
        description="Run live Strategy Room sessions: facilitator console, participant "
        "phones and projector. Settings come from the environment (docs/configuration.md).",
    )
    parser.add_argument("--data-dir", help="where the SQLite database and keys live")
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

    facilitator = commands.add_parser("facilitator", help="manage facilitator accounts")
    facilitator_commands = facilitator.add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add = facilitator_commands.add_parser(
        "add",
        help="add a facilitator (asks for the password without echo)",
        description="Add a facilitator account. The password is read without echo, twice.",
    )
    add.add_argument("name", help="the login name")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(handler=cmd_facilitator_add)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser(
        "upgrade",
        help="apply the migrations to DATABASE_URL",
        description="Apply the Alembic migrations to the configured database.",
    )
    upgrade.set_defaults(handler=cmd_db_upgrade)

    deck = commands.add_parser("deck", help="session decks")
    deck_commands = deck.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = deck_commands.add_parser(
        "check",
        help="validate deck files and list every problem",
        description="Validate deck files (default: every deck in the decks directory) and "
        "list, as warnings, every text that lacks a translation into one of the deck's "
        "languages (readers see the deck's default language there).",
    )
    check.add_argument("files", nargs="*", help="deck files (.yaml, .yml or .toml)")
    check.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1) when a text lacks a translation, not only warn",
    )
    check.set_defaults(handler=cmd_deck_check)
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
