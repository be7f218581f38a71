"""One typed settings object, read from the environment and `.env`."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.shards import MAX_SHARD_COUNT, ShardPlan, describe_ids, parse_shard_ids, shares_token
from bot.store_location import is_postgres_url
from bot.summary.zones import fixed_offset_problem

DEFAULT_API_BASE: Final = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL: Final = "wss://gateway.discord.gg"
# Bitcoin network data (difficulty, block rewards) for the hashprice: mempool.space's REST API.
DEFAULT_BTC_NETWORK_URL: Final = "https://mempool.space/api"
# Yahoo's price stream (WebSocket, base64 protobuf trades).
DEFAULT_STREAM_URL: Final = "wss://streamer.finance.yahoo.com/?version=2"
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# Field name → the environment variable users know it by (the public contract).
ENV_NAMES: Final = {
    "discord_token": "DISCORD_TOKEN",
    "discord_api_base": "DISCORD_API_BASE",
    "discord_gateway_url": "DISCORD_GATEWAY_URL",
    "dev_guild_id": "MINERWATCH_DEV_GUILD_ID",
    "db_path": "MINERWATCH_DB",
    "price_source": "MINERWATCH_PRICE_SOURCE",
    "poll_seconds": "MINERWATCH_POLL_SECONDS",
    "cache_dir": "MINERWATCH_CACHE_DIR",
    "log_level": "MINERWATCH_LOG_LEVEL",
    "max_alerts_per_user": "MINERWATCH_MAX_ALERTS_PER_USER",
    "max_alerts_per_guild": "MINERWATCH_MAX_ALERTS_PER_GUILD",
    "summary_timezone": "MINERWATCH_DEFAULT_TIMEZONE",
    "sec_contact": "MINERWATCH_SEC_CONTACT",
    "sec_data_url": "MINERWATCH_SEC_DATA_URL",
    "sec_archives_url": "MINERWATCH_SEC_ARCHIVES_URL",
    "sec_poll_seconds": "MINERWATCH_SEC_POLL_SECONDS",
    "btc_network_url": "MINERWATCH_BTC_NETWORK_URL",
    "stream_url": "MINERWATCH_STREAM_URL",
    "shard_count": "MINERWATCH_SHARD_COUNT",
    "shards": "MINERWATCH_SHARDS",
    "rest_pace": "MINERWATCH_REST_PACE",
}
_SECRET_NAMES: Final = frozenset({"discord_token", "DISCORD_TOKEN"})
# The poll's floor protects Yahoo; replay and demo prices make no requests, and tests and
# benchmarks poll them fast.
MIN_POLL_SECONDS: Final = 15.0
MIN_LOCAL_POLL_SECONDS: Final = 0.1
MAX_POLL_SECONDS: Final = 86_400.0
# Active alerts one member, and one server, may hold (MINERWATCH_MAX_ALERTS_PER_*).
DEFAULT_MAX_ALERTS_PER_USER: Final = 25
DEFAULT_MAX_ALERTS_PER_GUILD: Final = 500
# EDGAR's hosts (SEC fair access: a User-Agent naming the operator, at most 10 requests/s).
DEFAULT_SEC_DATA_URL: Final = "https://data.sec.gov"
DEFAULT_SEC_ARCHIVES_URL: Final = "https://www.sec.gov"
# The filings poll during US business hours; the floor keeps it polite to SEC. A local EDGAR
# (a loopback URL: tests and benchmarks) may be polled faster.
MIN_SEC_POLL_SECONDS: Final = 10.0
MIN_LOCAL_SEC_POLL_SECONDS: Final = 0.1
MAX_SEC_POLL_SECONDS: Final = 3_600.0
# SEC asks for a name and an e-mail address in the User-Agent of automated requests.
_CONTACT_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})
_URL_SCHEME: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def _env(name: str) -> Any:
    return Field(validation_alias=ENV_NAMES[name])


class ConfigError(Exception):
    """The configuration is invalid; each problem names the variable and what is allowed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid configuration:\n" + "\n".join(f"  {p}" for p in problems))
        self.problems = problems


class Settings(BaseSettings):
    """Every knob of the bot. Only the token is a secret; it is unwrapped only at login."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
    )

    discord_token: Annotated[SecretStr | None, _env("discord_token")] = None
    discord_api_base: Annotated[str, _env("discord_api_base")] = DEFAULT_API_BASE
    discord_gateway_url: Annotated[str, _env("discord_gateway_url")] = DEFAULT_GATEWAY_URL
    dev_guild_id: Annotated[int | None, _env("dev_guild_id")] = None
    # A SQLite file's path, or a postgresql:// URL (kept as text: a Path would mangle it).
    db_path: Annotated[Path | str, _env("db_path")] = Path("var/minerwatch.sqlite3")
    price_source: Annotated[str, _env("price_source")] = "yahoo"
    poll_seconds: Annotated[float, _env("poll_seconds")] = 60.0
    cache_dir: Annotated[Path, _env("cache_dir")] = Path("var/cache")
    log_level: Annotated[LogLevel, _env("log_level")] = "INFO"
    max_alerts_per_user: Annotated[int, _env("max_alerts_per_user")] = DEFAULT_MAX_ALERTS_PER_USER
    max_alerts_per_guild: Annotated[int, _env("max_alerts_per_guild")] = (
        DEFAULT_MAX_ALERTS_PER_GUILD
    )
    summary_timezone: Annotated[str, _env("summary_timezone")] = "America/New_York"
    sec_contact: Annotated[str | None, _env("sec_contact")] = None
    sec_data_url: Annotated[str, _env("sec_data_url")] = DEFAULT_SEC_DATA_URL
    sec_archives_url: Annotated[str, _env("sec_archives_url")] = DEFAULT_SEC_ARCHIVES_URL
    sec_poll_seconds: Annotated[float, _env("sec_poll_seconds")] = 60.0
    # None: mempool.space with Yahoo prices, synthetic figures with demo prices, none with a
    # replay (replays run offline); "off": never.
    btc_network_url: Annotated[str | None, _env("btc_network_url")] = None
    # None: Yahoo's stream with Yahoo prices, none with demo or replayed prices (synthetic
    # and replayed quotes must not mix with live trades); "off": never.
    stream_url: Annotated[str | None, _env("stream_url")] = None
    # Sharding (`run --shards 0-3 --shard-count 8`): None runs one unsharded connection, as
    # a bot in fewer than 2,500 servers may. The count comes first: the ids are checked
    # against it.
    shard_count: Annotated[int | None, _env("shard_count")] = None
    shards: Annotated[str | None, _env("shards")] = None
    # Discord's global limit is per token. "auto": a process running part of the shards
    # shares one pace with the others through the store; "local": every process paces
    # itself, for processes behind a REST proxy that already enforces the token's limit.
    rest_pace: Annotated[Literal["auto", "local"], _env("rest_pace")] = "auto"

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("discord_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # The message never includes the value: it is a secret even when malformed.
        if value is not None and any(ch.isspace() for ch in value.get_secret_value().strip()):
            raise ValueError("must be a bot token without spaces")
        return value

    @field_validator("discord_api_base")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _check_url(value, ("http", "https")).rstrip("/")

    @field_validator("discord_gateway_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        return _check_url(value, ("ws", "wss"))

    @field_validator("btc_network_url")
    @classmethod
    def _network_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if value.strip().lower() == "off":
            return "off"
        return _check_url(value, ("http", "https")).rstrip("/")

    @field_validator("stream_url")
    @classmethod
    def _stream_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if value.strip().lower() == "off":
            return "off"
        return _check_url(value, ("ws", "wss"))

    @field_validator("dev_guild_id")
    @classmethod
    def _snowflake(cls, value: int | None) -> int | None:
        if value is not None and not 0 < value < 2**64:
            raise ValueError("must be a server id (a positive number)")
        return value

    @field_validator("price_source")
    @classmethod
    def _source(cls, value: str) -> str:
        value = value.strip()
        if value in ("yahoo", "demo"):
            return value
        if value.startswith("replay:"):
            path = Path(value.removeprefix("replay:"))
            if not path.is_file() or not os.access(path, os.R_OK):
                raise ValueError(f"replay file {str(path)!r} is missing or unreadable")
            return value
        raise ValueError("must be 'yahoo', 'demo' or 'replay:PATH' (a CSV file)")

    @field_validator("db_path", mode="before")
    @classmethod
    def _a_path(cls, value: Any) -> Any:
        # A SQLite file's path, or a PostgreSQL URL; any other URL would become a directory
        # named after its scheme ("mysql:") holding a SQLite file nobody asked for.
        if not isinstance(value, str):
            return value
        if is_postgres_url(value):
            return value.strip()
        if found := _URL_SCHEME.match(value.strip()):
            raise ValueError(
                f"must be the path of a SQLite file; {found.group(1)}:// URLs are not "
                "supported (the other store is PostgreSQL: postgresql://USER@HOST/DATABASE)"
            )
        return Path(value)

    @field_validator("poll_seconds", mode="before")
    @classmethod
    def _seconds_number(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                raise ValueError(_poll_rule(info.data.get("price_source"))) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(_poll_rule(info.data.get("price_source")))
        return value

    @field_validator("poll_seconds")
    @classmethod
    def _seconds_bounds(cls, value: float, info: ValidationInfo) -> float:
        source = info.data.get("price_source")
        if not (math.isfinite(value) and _poll_minimum(source) <= value <= MAX_POLL_SECONDS):
            raise ValueError(_poll_rule(source))
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("max_alerts_per_user", "max_alerts_per_guild")
    @classmethod
    def _positive_quota(cls, value: int) -> int:
        if not 0 < value <= 1_000_000:
            raise ValueError("must be a whole number between 1 and 1000000")
        return value

    @field_validator("summary_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value[:60]!r} (use an IANA name such as America/New_York)"
            ) from exc
        if (problem := fixed_offset_problem(value.strip())) is not None:
            raise ValueError(problem.removeprefix("timezone: "))
        return value

    @field_validator("sec_contact", mode="before")
    @classmethod
    def _blank_contact_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("sec_contact")
    @classmethod
    def _contact_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _CONTACT_EMAIL.search(value) or len(value.split()) < 2 or len(value) > 200:
            raise ValueError(
                "must be your name and e-mail address, e.g. 'Jane Doe jane@example.com' "
                "(SEC requires both in the User-Agent)"
            )
        if any(not ch.isprintable() for ch in value):
            raise ValueError("must be printable text on one line")
        return value

    @field_validator("sec_data_url", "sec_archives_url")
    @classmethod
    def _sec_url(cls, value: str) -> str:
        return _check_url(value, ("http", "https")).rstrip("/")

    @field_validator("sec_poll_seconds", mode="before")
    @classmethod
    def _sec_seconds_number(cls, value: Any, info: ValidationInfo) -> Any:
        rule = _sec_poll_rule(info.data.get("sec_data_url"))
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                raise ValueError(rule) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(rule)
        return value

    @field_validator("sec_poll_seconds")
    @classmethod
    def _sec_seconds_bounds(cls, value: float, info: ValidationInfo) -> float:
        url = info.data.get("sec_data_url")
        if not (math.isfinite(value) and _sec_poll_minimum(url) <= value <= MAX_SEC_POLL_SECONDS):
            raise ValueError(_sec_poll_rule(url))
        return value

    @field_validator("shard_count")
    @classmethod
    def _shard_count(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= MAX_SHARD_COUNT:
            raise ValueError(f"must be a whole number of shards from 1 to {MAX_SHARD_COUNT}")
        return value

    @field_validator("shards")
    @classmethod
    def _shard_ids(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None  # set but blank: as if unset
        ids = parse_shard_ids(value)  # a ValueError names the accepted forms
        if "shard_count" not in info.data:
            return value  # the count itself is invalid, and reported
        count = info.data["shard_count"]
        if count is None:
            raise ValueError(
                "needs the total number of shards too: set MINERWATCH_SHARD_COUNT "
                "(or --shard-count)"
            )
        if outside := [i for i in ids if i >= count]:
            raise ValueError(
                f"shard(s) {describe_ids(outside)} do not exist with {count} shard(s): "
                f"ids run from 0 to {count - 1}"
            )
        return describe_ids(ids)

    @property
    def shard_plan(self) -> ShardPlan | None:
        """Return the shards this process runs (None: one unsharded connection)."""
        if self.shard_count is None:
            return None
        if self.shards is None:
            return ShardPlan.every(self.shard_count)
        return ShardPlan(parse_shard_ids(self.shards), self.shard_count)

    @property
    def shares_rest_pace(self) -> bool:
        """Tell whether this process takes its REST requests' turns from the store."""
        return self.rest_pace == "auto" and shares_token(self.shard_plan)

    @property
    def network_url(self) -> str | None:
        """Return where network data comes from (None: nowhere, or the demo's own figures)."""
        if self.btc_network_url == "off":
            return None
        if self.btc_network_url is not None:
            return self.btc_network_url
        return DEFAULT_BTC_NETWORK_URL if self.price_source == "yahoo" else None

    @property
    def stream_endpoint(self) -> str | None:
        """Return the price stream's URL (None: no streaming, the poll alone)."""
        if self.stream_url == "off":
            return None
        if self.stream_url is not None:
            return self.stream_url
        return DEFAULT_STREAM_URL if self.price_source == "yahoo" else None

    @property
    def has_token(self) -> bool:
        """Whether a Discord token is configured (otherwise the bot runs in the sandbox)."""
        return self.discord_token is not None


def _poll_minimum(source: str | None) -> float:
    """Return the shortest poll allowed: Yahoo's floor unless the prices are local."""
    local = source is not None and (source == "demo" or source.startswith("replay:"))
    return MIN_LOCAL_POLL_SECONDS if local else MIN_POLL_SECONDS


def _poll_rule(source: str | None) -> str:
    minimum = _poll_minimum(source)
    return f"must be a number of seconds, at least {minimum:g} and at most {MAX_POLL_SECONDS:g}"


def _sec_poll_minimum(data_url: str | None) -> float:
    """Return the shortest filings poll allowed: SEC's floor unless EDGAR is local."""
    local = data_url is not None and urlsplit(data_url).hostname in _LOOPBACK_HOSTS
    return MIN_LOCAL_SEC_POLL_SECONDS if local else MIN_SEC_POLL_SECONDS


def _sec_poll_rule(data_url: str | None) -> str:
    minimum = _sec_poll_minimum(data_url)
    return f"must be a number of seconds, at least {minimum:g} and at most {MAX_SEC_POLL_SECONDS:g}"


def _check_url(value: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in schemes or not parts.hostname:
        allowed = " or ".join(f"{scheme}://" for scheme in schemes)
        raise ValueError(f"must be a URL starting with {allowed} and naming a host")
    return value.strip()


def load_settings(env_file: Path | None = Path(".env"), **overrides: Any) -> Settings:
    """Build the settings, turning validation errors into a ConfigError that names variables."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise ConfigError([_describe(error) for error in exc.errors()]) from None


def _describe(error: Any) -> str:
    located = str(error["loc"][0]) if error["loc"] else "?"
    name = ENV_NAMES.get(located, located)
    message = str(error["msg"]).removeprefix("Value error, ")
    if name in _SECRET_NAMES:
        return f"{name}: {message}"  # never echo a secret, even a malformed one
    if name == ENV_NAMES["db_path"] and "://" in str(error.get("input", "")):
        return f"{name}: {message}"  # a database URL may carry a password
    shown = str(error.get("input", ""))[:80]
    return f"{name}: {message} (got {shown!r})"
