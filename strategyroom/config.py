"""Settings, read once from the environment (and the command line, for `serve`).

Every setting is documented in docs/configuration.md; a test checks that.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from strategyroom.paths import SAMPLE_DECKS_DIR
from strategyroom.store.db import private_dir


class ConfigError(Exception):
    """A setting with a value that cannot work; the message says which and why."""


def _default_data_dir() -> Path:
    return Path(os.environ.get("STRATEGYROOM_DATA_DIR", "") or Path.cwd() / "strategyroom-data")


# Limits read from the environment: variable -> (setting, type).
_LIMITS: dict[str, tuple[str, type[int] | type[float]]] = {
    "STRATEGYROOM_JOIN_ATTEMPTS_PER_MINUTE": ("join_attempts_per_minute", int),
    "STRATEGYROOM_MAX_PARTICIPANTS": ("max_participants", int),
    "STRATEGYROOM_SOCKET_MESSAGES_PER_SECOND": ("socket_messages_per_second", float),
    "STRATEGYROOM_SOCKETS_PER_PARTICIPANT": ("sockets_per_participant", int),
    "STRATEGYROOM_JOINS_PER_ADDRESS": ("joins_per_address", int),
    "STRATEGYROOM_JOINS_PER_ADDRESS_PER_MINUTE": ("joins_per_address_per_minute", float),
    "STRATEGYROOM_LOGIN_FAILURES_PER_ACCOUNT": ("login_failures_per_account", int),
    "STRATEGYROOM_LOGIN_FAILURES_PER_ADDRESS": ("login_failures_per_address", int),
}


def _addresses(text: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or networks (CIDR), checked here: uvicorn
    would take a typo for a host name and silently trust nothing."""
    found = tuple(item.strip() for item in text.split(",") if item.strip())
    for item in found:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError(
                "STRATEGYROOM_TRUSTED_PROXIES must list IP addresses or networks "
                f"(like 127.0.0.1 or 172.28.0.0/24), separated by commas, not {item!r}"
            ) from None
    return found


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=_default_data_dir)
    database_url: str = ""
    redis_url: str = ""
    public_url: str = "http://127.0.0.1:8000"
    decks_dir: Path = SAMPLE_DECKS_DIR
    secret_key: str = ""
    council_name: str = "Strategy Room"
    # An image file (PNG, JPEG or SVG) shown on reports and their PDFs.
    council_logo: Path | None = None
    # Cookies marked Secure are only sent over HTTPS: on by default for https URLs.
    secure_cookies: bool = False
    # How long a dead worker's participants still count as connected (scale-out).
    presence_ttl: float = 30.0
    # Event-loop lag sampling interval in seconds; 0 = off (see web/looplag.py).
    loop_lag_interval: float = 0.0
    # Seconds a client has to send a request's headers (strategyroom/header_timeout.py).
    header_timeout: float = 10.0
    # The room's time zone, for clock times shown to people ("changed at 19:42").
    timezone: str = "UTC"
    # Limits (docs/security.md): failed join-code lookups per client address per
    # minute, participants per session, messages per second per socket (with a
    # burst allowance of five seconds' worth), open sockets per participant.
    join_attempts_per_minute: int = 20
    max_participants: int = 10_000
    socket_messages_per_second: float = 5.0
    sockets_per_participant: int = 3
    # Joins per client address: at once, and more per minute (docs/security.md).
    joins_per_address: int = 1000
    joins_per_address_per_minute: float = 120.0
    # Failed logins per account and per client address in 15 minutes.
    login_failures_per_account: int = 10
    login_failures_per_address: int = 30
    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses
    # or networks. None by default, loopback included: anyone who can reach the
    # port could otherwise claim any address and sidestep every per-address limit.
    trusted_proxies: tuple[str, ...] = ()

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'strategyroom.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def public_origin(self) -> str:
        """The scheme://host[:port] browsers send as Origin for our own pages."""
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"

    @classmethod
    def from_env(
        cls, environ: dict[str, str] | None = None, overrides: dict[str, object] | None = None
    ) -> Settings:
        env = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        if env.get("STRATEGYROOM_DATA_DIR"):
            values["data_dir"] = Path(env["STRATEGYROOM_DATA_DIR"])
        if env.get("DATABASE_URL"):
            values["database_url"] = env["DATABASE_URL"]
        if env.get("REDIS_URL"):
            values["redis_url"] = env["REDIS_URL"]
        if env.get("STRATEGYROOM_PUBLIC_URL"):
            values["public_url"] = env["STRATEGYROOM_PUBLIC_URL"].rstrip("/")
        if env.get("STRATEGYROOM_DECKS_DIR"):
            values["decks_dir"] = Path(env["STRATEGYROOM_DECKS_DIR"])
        if env.get("STRATEGYROOM_SECRET_KEY"):
            values["secret_key"] = env["STRATEGYROOM_SECRET_KEY"]
        if env.get("STRATEGYROOM_COUNCIL_NAME"):
            values["council_name"] = env["STRATEGYROOM_COUNCIL_NAME"]
        if env.get("STRATEGYROOM_COUNCIL_LOGO"):
            values["council_logo"] = Path(env["STRATEGYROOM_COUNCIL_LOGO"])
        if env.get("STRATEGYROOM_PRESENCE_TTL"):
            try:
                values["presence_ttl"] = float(env["STRATEGYROOM_PRESENCE_TTL"])
            except ValueError:
                raise ConfigError("STRATEGYROOM_PRESENCE_TTL must be a number of seconds") from None
        if env.get("STRATEGYROOM_LOOP_LAG_MS"):
            try:
                values["loop_lag_interval"] = float(env["STRATEGYROOM_LOOP_LAG_MS"]) / 1000
            except ValueError:
                raise ConfigError(
                    "STRATEGYROOM_LOOP_LAG_MS must be a number of milliseconds"
                ) from None
        if env.get("STRATEGYROOM_HEADER_TIMEOUT"):
            try:
                values["header_timeout"] = float(env["STRATEGYROOM_HEADER_TIMEOUT"])
            except ValueError:
                raise ConfigError(
                    "STRATEGYROOM_HEADER_TIMEOUT must be a number of seconds"
                ) from None
        if env.get("STRATEGYROOM_TIMEZONE"):
            values["timezone"] = env["STRATEGYROOM_TIMEZONE"]
        if env.get("STRATEGYROOM_TRUSTED_PROXIES"):
            values["trusted_proxies"] = _addresses(env["STRATEGYROOM_TRUSTED_PROXIES"])
        for name, (attr, kind) in _LIMITS.items():
            if env.get(name):
                try:
                    values[attr] = kind(env[name])
                except ValueError:
                    raise ConfigError(f"{name} must be a number") from None
        values.update(overrides or {})
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        if "secure_cookies" not in values:
            settings = replace(settings, secure_cookies=settings.public_url.startswith("https:"))
        return settings

    def check(self) -> None:
        parts = urlsplit(self.public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"STRATEGYROOM_PUBLIC_URL must look like https://rooms.example.org, "
                f"not {self.public_url!r}"
            )
        if self.council_logo is not None and not self.council_logo.is_file():
            raise ConfigError(
                "STRATEGYROOM_COUNCIL_LOGO must be an image file; "
                f"{self.council_logo} is not a file"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"STRATEGYROOM_TIMEZONE must be a time zone name like Europe/Copenhagen, "
                f"not {self.timezone!r}"
            ) from None
        if self.header_timeout <= 0:
            raise ConfigError("STRATEGYROOM_HEADER_TIMEOUT must be more than 0 seconds")
        if self.joins_per_address < 1 or self.joins_per_address_per_minute <= 0:
            raise ConfigError(
                "STRATEGYROOM_JOINS_PER_ADDRESS must be at least 1 and "
                "STRATEGYROOM_JOINS_PER_ADDRESS_PER_MINUTE more than 0"
            )
        if self.database_url and not self.database_url.startswith(("sqlite", "postgresql")):
            raise ConfigError(
                "DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL, "
                f"not {self.database_url.split(':', 1)[0]!r}"
            )

    def resolved_secret_key(self) -> str:
        """The signing key for cookies: configured, or created once in the data directory.

        Several workers must share one key, so scale-out deployments set it explicitly.
        """
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        private_dir(self.data_dir)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key
