"""Start-up failures as one line each: what went wrong and what to change.

The traceback behind a failure is logged at DEBUG only; the operator sees the sentence.
"""

from __future__ import annotations

import ssl
from typing import Final

import aiohttp
import discord

from bot.ledger.records import LedgerFileError
from bot.paths import ShippedDataMissing
from bot.settings import Settings
from bot.store import StoreError

PORTAL: Final = "https://discord.com/developers/applications"
# Gateway close codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
AUTHENTICATION_FAILED: Final = 4004
DISALLOWED_INTENTS: Final = 4014
SHARDING_REQUIRED: Final = 4011


class Unreachable(Exception):
    """A request never got an answer: DNS, refused connection, TLS or timeout."""

    def __init__(self, url: str, what: str) -> None:
        super().__init__(f"{what} ({url})")
        self.url = url
        self.what = what

    @classmethod
    def from_error(cls, url: str, exc: BaseException) -> Unreachable:
        """Name the failure the way an operator would look for it."""
        return cls(url, _network_failure(exc))


class CommandSyncRefused(Exception):
    """Discord refused to register the slash commands (the invite lacked a scope)."""

    def __init__(self, guild_id: int | None, error: discord.HTTPException) -> None:
        super().__init__(f"{error.status} {error.text or 'Forbidden'} (code {error.code})")
        self.guild_id = guild_id


def _network_failure(exc: BaseException) -> str:
    """Describe a connection-level failure without its traceback."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"cannot resolve the host name {exc.host}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"the TLS certificate of {exc.host} is not trusted ({exc.certificate_error})"
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        return f"the TLS handshake failed ({_first_line(exc)})"
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = exc.os_error
        if isinstance(os_error, ConnectionRefusedError):
            reason = "connection refused"
        elif isinstance(os_error, TimeoutError):
            reason = "timed out"
        else:
            reason = (os_error.strerror or str(os_error)).lower()
        return f"cannot connect to {exc.host}:{exc.port} ({reason})"
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return "no answer in time (timed out)"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection without answering"
    return f"the request failed ({type(exc).__name__}: {_first_line(exc)})"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def describe_startup_failure(exc: BaseException, settings: Settings) -> str | None:
    """Return the one-line explanation of a known start-up failure (None: not one of ours)."""
    api = settings.discord_api_base
    if isinstance(exc, Unreachable):
        return f"cannot reach Discord: {exc.what} at {exc.url}"
    if isinstance(exc, discord.LoginFailure):
        cause = exc.__cause__
        detail = cause.text if isinstance(cause, discord.HTTPException) and cause.text else exc
        return (
            f"Discord rejected DISCORD_TOKEN: {detail} — copy the bot token again from {PORTAL} "
            "(your application → Bot → Reset Token) into .env"
        )
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return (
            "Discord refused the gateway intents this bot asks for (close code 4014): in "
            f"{PORTAL} → your application → Bot → Privileged Gateway Intents, enable the "
            "intents it needs, then start again"
        )
    if isinstance(exc, discord.ConnectionClosed) and exc.code == AUTHENTICATION_FAILED:
        return (
            "Discord rejected DISCORD_TOKEN at the gateway (close code 4004) — copy the bot "
            f"token again from {PORTAL} into .env"
        )
    if isinstance(exc, discord.ConnectionClosed) and exc.code == SHARDING_REQUIRED:
        return (
            "Discord requires more shards for this bot's servers (close code 4011: at most "
            f"2,500 servers per shard; now {settings.shard_count or 1} shard(s)) — set "
            "MINERWATCH_SHARD_COUNT (or run --shard-count) to at least one shard per 1,000 "
            "servers, and run every shard"
        )
    if isinstance(exc, CommandSyncRefused):
        where = (
            f"in server {exc.guild_id} (MINERWATCH_DEV_GUILD_ID)"
            if exc.guild_id is not None
            else "globally"
        )
        return (
            f"Discord refused to register the slash commands {where}: {exc} — invite the bot "
            "with the applications.commands scope (the link `minerwatch invite` prints), "
            "or fix MINERWATCH_DEV_GUILD_ID"
        )
    if isinstance(exc, discord.HTTPException) and exc.status >= 500:
        return f"Discord is having trouble ({exc.status} at {api}): try again in a few minutes"
    if isinstance(exc, aiohttp.ClientError | TimeoutError):
        return f"cannot reach Discord: {_network_failure(exc)} at {api}"
    if isinstance(exc, StoreError | ShippedDataMissing):
        return str(exc)
    if isinstance(exc, LedgerFileError):
        return f"the shipped ledger cannot be used: {exc} (reinstall minerwatch)"
    return None
