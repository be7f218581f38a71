"""`minerwatch doctor`: is everything in place to run? Exit 0 only when nothing fails.

Without a token it checks what is local (the store, the shipped ledger, the cache folder)
and whether Yahoo answers; with one it also checks the token, the application, the slash
commands and every channel the bot is configured to post in. It only reads: nothing is
created, migrated or posted, and no gateway session is opened.
"""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import aiohttp
from discord.ext import commands

from bot.deploy.permissions import needed_for
from bot.deploy.rest import DiscordRest, RestError
from bot.deploy.startup import Unreachable
from bot.ledger.records import LedgerFileError, check_ledger, load_ledger
from bot.paths import LEDGER_PATH, ShippedDataMissing
from bot.settings import Settings
from bot.store import open_database
from bot.store.channels import PostingChannel, posting_channels
from bot.store.db import StoreError, discover_migrations
from bot.store_location import describe, is_postgres_url

Level = Literal["ok", "warn", "fail"]
# Any HTTP answer from here means Yahoo is reachable (even a 401 or 429 is an answer).
YAHOO_PROBE_URL: Final = "https://query2.finance.yahoo.com/v1/test/getcrumb"
PROBE_TIMEOUT: Final = 8.0
THREAD_TYPES: Final = frozenset({10, 11, 12})
ADMINISTRATOR: Final = 1 << 3
EVERY_PERMISSION: Final = (1 << 53) - 1


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the report."""

    level: Level
    topic: str
    text: str

    def render(self) -> str:
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[self.level]
        return f"[{mark}] {self.topic}: {self.text}"


def all_well(findings: Iterable[Finding]) -> bool:
    """Tell whether nothing failed (warnings do not count)."""
    return all(f.level != "fail" for f in findings)


async def diagnose(settings: Settings) -> list[Finding]:
    """Run every check that applies to this configuration."""
    findings = [*await check_store(settings.db_path), check_ledger_file()]
    findings.append(check_cache_dir(settings.cache_dir))
    findings.append(await check_yahoo(settings.price_source))
    if settings.discord_token is not None:
        findings.extend(await check_discord(settings))
    else:
        findings.append(
            Finding("warn", "discord", "no DISCORD_TOKEN set: only the local checks ran")
        )
    return findings


# ----- local -----------------------------------------------------------------------------


def _writable_dir(folder: Path) -> Path | None:
    """Return the folder (or its nearest existing parent) if it can be written, else None."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return existing if existing.is_dir() and os.access(existing, os.W_OK | os.X_OK) else None


def _no_store_yet(path: Path) -> Finding | None:
    """Report a store that does not exist yet (None when there is one to open)."""
    if path.exists():
        return None
    if _writable_dir(path.parent) is None:
        return Finding("fail", "store", f"{path} cannot be created: {path.parent} is not writable")
    return Finding("ok", "store", f"{path} does not exist yet; it is created at start")


async def check_store(location: Path | str) -> list[Finding]:
    """The store opens, is sound, and its schema is one this program knows."""
    path = describe(location)  # a URL is shown without its password
    if not is_postgres_url(location):
        absent = _no_store_yet(Path(location))
        if absent is not None:
            return [absent]
    try:
        latest = discover_migrations()[-1].version
        db = await open_database(location)
    except StoreError as exc:
        return [Finding("fail", "store", str(exc))]
    try:
        version = await db.user_version()
        report = await db.integrity_check()
        channels = await posting_channels(db) if version > 0 else []
    except Exception as exc:  # a damaged file can fail any read
        return [Finding("fail", "store", f"{path} cannot be read: {exc}")]
    finally:
        await db.close()
    if report != ["ok"]:
        return [Finding("fail", "store", f"{path} is damaged: {report[0]} (restore a backup)")]
    if version > latest:
        return [
            Finding(
                "fail",
                "store",
                f"{path} is at schema version {version}, newer than this program ({latest}): "
                "run the version that wrote it, or restore a backup",
            )
        ]
    if version < latest:
        text = (
            f"{path} is at schema version {version}; {latest - version} migration(s) apply at "
            "the next start (make a backup first: minerwatch db backup PATH)"
        )
        return [Finding("warn", "store", text)]
    configured = f", {len(channels)} posting channel(s) configured" if channels else ""
    return [Finding("ok", "store", f"{path} at schema version {version}{configured}")]


def check_ledger_file() -> Finding:
    """The shipped ledger is there and valid."""
    try:
        ledger = load_ledger(LEDGER_PATH)
    except (LedgerFileError, ShippedDataMissing) as exc:
        return Finding("fail", "ledger", f"{exc} (reinstall minerwatch)")
    problems = check_ledger(ledger)
    if problems:
        return Finding("fail", "ledger", f"{len(problems)} problem(s): run `minerwatch check`")
    return Finding(
        "ok",
        "ledger",
        f"{len(ledger.companies)} companies, {len(ledger.contracts)} contracts, as of "
        f"{ledger.as_of}",
    )


def check_cache_dir(folder: Path) -> Finding:
    """The cache folder exists and is writable, or can be created."""
    if folder.exists() and not folder.is_dir():
        return Finding("fail", "cache", f"{folder} is a file, not a folder (MINERWATCH_CACHE_DIR)")
    if _writable_dir(folder) is None:
        return Finding(
            "fail", "cache", f"{folder} is not writable by this user (MINERWATCH_CACHE_DIR)"
        )
    state = "writable" if folder.exists() else "created at start"
    return Finding("ok", "cache", f"{folder} ({state})")


async def check_yahoo(price_source: str) -> Finding:
    """Yahoo answers HTTP requests (only when it is the price source)."""
    if price_source != "yahoo":
        return Finding("ok", "prices", f"source {price_source!r}: Yahoo is not used")
    timeout = aiohttp.ClientTimeout(total=PROBE_TIMEOUT)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(YAHOO_PROBE_URL, allow_redirects=False) as response,
        ):
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        failure = Unreachable.from_error(YAHOO_PROBE_URL, exc)
        return Finding(
            "fail",
            "prices",
            f"Yahoo is not reachable: {failure.what} at {YAHOO_PROBE_URL} "
            "(set MINERWATCH_PRICE_SOURCE=demo to run on labelled demo prices)",
        )
    return Finding("ok", "prices", f"Yahoo answers (HTTP {status} from {YAHOO_PROBE_URL})")


# ----- Discord -----------------------------------------------------------------------------


async def check_discord(settings: Settings) -> list[Finding]:
    """The token, the application, the commands and the posting channels."""
    assert settings.discord_token is not None
    findings: list[Finding] = []
    async with DiscordRest(
        settings.discord_api_base, settings.discord_token.get_secret_value()
    ) as rest:
        try:
            me = await rest.get("/users/@me")
        except RestError as exc:
            text = (
                f"Discord rejected DISCORD_TOKEN: {exc.message}"
                if exc.status == 401
                else f"GET /users/@me failed: {exc}"
            )
            return [Finding("fail", "token", text)]
        except Unreachable as exc:
            return [Finding("fail", "token", f"cannot reach Discord: {exc.what} at {exc.url}")]
        findings.append(Finding("ok", "token", f"accepted: bot {me['username']} ({me['id']})"))
        try:
            app = await rest.get("/oauth2/applications/@me")
        except (RestError, Unreachable) as exc:
            return [*findings, Finding("fail", "application", str(exc))]
        findings.append(Finding("ok", "application", _describe_application(app)))
        findings.append(await _check_commands(rest, int(app["id"]), settings.dev_guild_id))
        findings.append(await check_shards(rest, settings.shard_count or 1))
        findings.extend(await _check_channels(rest, int(me["id"]), settings.db_path))
    return findings


def _describe_application(app: dict[str, Any]) -> str:
    team = app.get("team")
    if team:
        names = ", ".join(m["user"]["username"] for m in team.get("members", []))
        owners = f"team {team.get('name')} ({names})"
    else:
        owner = app.get("owner") or {}
        owners = f"{owner.get('username')} ({owner.get('id')})"
    return f"id {app['id']} ({app.get('name')}), owned by {owners}"


def command_names_in_code() -> set[str]:
    """Return the top-level slash command names the cogs define (what a start would sync)."""
    from bot.app import discover_cogs  # imported late: pulls in every cog

    names: set[str] = set()
    for extension in discover_cogs():
        module = importlib.import_module(extension)
        for _, cog in inspect.getmembers(module, inspect.isclass):
            if issubclass(cog, commands.Cog) and cog is not commands.Cog:
                names.update(c.name for c in cog.__cog_app_commands__)
    return names


async def _check_commands(rest: DiscordRest, app_id: int, dev_guild: int | None) -> Finding:
    """Are the commands in the code registered where this configuration syncs them?"""
    scope = f"/guilds/{dev_guild}" if dev_guild is not None else ""
    where = f"to server {dev_guild}" if dev_guild is not None else "globally"
    try:
        registered = await rest.get(f"/applications/{app_id}{scope}/commands")
    except RestError as exc:
        return Finding(
            "fail",
            "commands",
            f"cannot list the commands {where}: {exc.message} — is the bot in that server, "
            "invited with the applications.commands scope (`minerwatch invite`)?",
        )
    except Unreachable as exc:
        return Finding("fail", "commands", f"cannot reach Discord: {exc.what} at {exc.url}")
    synced = {c["name"] for c in registered}
    missing = sorted(command_names_in_code() - synced)
    if missing:
        return Finding(
            "warn",
            "commands",
            f"not synced {where} yet: /{', /'.join(missing)} — `minerwatch run` syncs them at "
            "start",
        )
    return Finding("ok", "commands", f"{len(synced)} synced {where}")


async def check_shards(rest: DiscordRest, configured: int) -> Finding:
    """Is the shard count enough for the bot's servers, and can every shard connect today?

    GET /gateway/bot gives Discord's recommendation (one shard per 1,000 servers; more than
    2,500 on one shard is refused) and how many session starts are left in the day.
    """
    try:
        gateway = await rest.get("/gateway/bot")
    except RestError as exc:
        return Finding("warn", "shards", f"cannot read GET /gateway/bot: {exc.message}")
    except Unreachable as exc:
        return Finding("warn", "shards", f"cannot reach Discord: {exc.what} at {exc.url}")
    recommended = int(gateway["shards"])
    limit = gateway["session_start_limit"]
    starts = (
        f"{limit['remaining']} of {limit['total']} session starts left "
        f"(the count resets in {limit['reset_after'] / 3_600_000:.1f} h)"
    )
    if limit["remaining"] < configured:
        return Finding("fail", "shards", f"{starts}: too few to connect {configured} shard(s) now")
    if configured < recommended:
        return Finding(
            "warn",
            "shards",
            f"Discord recommends {recommended} shard(s) for this bot's servers, "
            f"{configured} configured: raise MINERWATCH_SHARD_COUNT before a shard passes "
            f"2,500 servers; {starts}",
        )
    return Finding(
        "ok", "shards", f"{configured} configured, Discord recommends {recommended}; {starts}"
    )


async def _check_channels(rest: DiscordRest, bot_id: int, db_path: Path | str) -> list[Finding]:
    """Can the bot post in every channel it is configured to post in?"""
    if not is_postgres_url(db_path) and _no_store_yet(Path(db_path)) is not None:
        return [Finding("ok", "channels", "no store yet, so no posting channels configured")]
    try:
        db = await open_database(db_path)
    except StoreError:
        return []  # already reported by the store check
    try:
        configured = await posting_channels(db)
    except Exception:  # a store behind in its schema, or damaged: reported above
        return []
    finally:
        await db.close()
    if not configured:
        return [Finding("ok", "channels", "no summary, alert or watch channels configured yet")]
    guilds: dict[int, tuple[dict[int, int], list[int]] | RestError] = {}
    return [await _check_channel(rest, bot_id, place, guilds) for place in configured]


async def _check_channel(
    rest: DiscordRest,
    bot_id: int,
    place: PostingChannel,
    guilds: dict[int, tuple[dict[int, int], list[int]] | RestError],
) -> Finding:
    topic = f"{place.purpose} channel {place.channel_id} (server {place.guild_id})"
    try:
        channel = await rest.get(f"/channels/{place.channel_id}")
        thread = channel.get("type") in THREAD_TYPES
        holder = await rest.get(f"/channels/{channel['parent_id']}") if thread else channel
        if place.guild_id not in guilds:
            guilds[place.guild_id] = await _guild_roles(rest, place.guild_id, bot_id)
        roles = guilds[place.guild_id]
    except RestError as exc:
        if exc.status == 404:
            return Finding("fail", topic, "the channel no longer exists: configure another one")
        return Finding("fail", topic, f"the bot cannot see it ({exc.message})")
    except Unreachable as exc:
        return Finding("fail", topic, f"cannot reach Discord: {exc.what} at {exc.url}")
    if isinstance(roles, RestError):
        return Finding("fail", topic, f"the bot is not in that server ({roles.message})")
    allowed = _channel_permissions(place.guild_id, bot_id, *roles, holder)
    name = f"#{channel.get('name', place.channel_id)}"
    missing = [
        n.label for n in needed_for(place.purpose, thread=thread) if not allowed & _bit(n.flag)
    ]
    if missing:
        return Finding(
            "fail",
            topic,
            f"cannot post in {name}: missing {', '.join(missing)} — grant them to the bot's "
            "role in that channel's permissions",
        )
    return Finding("ok", topic, f"can post in {name}")


async def _guild_roles(
    rest: DiscordRest, guild_id: int, bot_id: int
) -> tuple[dict[int, int], list[int]] | RestError:
    """Return the server's role permissions and the bot's roles (or why they are not known)."""
    try:
        roles = await rest.get(f"/guilds/{guild_id}/roles")
        member = await rest.get(f"/guilds/{guild_id}/members/{bot_id}")
    except RestError as exc:
        return exc
    return {int(r["id"]): int(r["permissions"]) for r in roles}, [int(r) for r in member["roles"]]


def _bit(flag: str) -> int:
    import discord

    return int(discord.Permissions(**{flag: True}).value)


def _channel_permissions(
    guild_id: int,
    bot_id: int,
    role_permissions: dict[int, int],
    bot_roles: list[int],
    channel: dict[str, Any],
) -> int:
    """Discord's permission arithmetic: roles, then @everyone, role and member overwrites."""
    allowed = role_permissions.get(guild_id, 0)  # @everyone has the server's id
    for role_id in bot_roles:
        allowed |= role_permissions.get(role_id, 0)
    if allowed & ADMINISTRATOR:
        return EVERY_PERMISSION
    overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}
    everyone = overwrites.get(guild_id)
    if everyone is not None:
        allowed = (allowed & ~int(everyone["deny"])) | int(everyone["allow"])
    role_allow = role_deny = 0
    for role_id in bot_roles:
        overwrite = overwrites.get(role_id)
        if overwrite is not None and int(overwrite["type"]) == 0:
            role_allow |= int(overwrite["allow"])
            role_deny |= int(overwrite["deny"])
    allowed = (allowed & ~role_deny) | role_allow
    member = overwrites.get(bot_id)
    if member is not None and int(member["type"]) == 1:
        allowed = (allowed & ~int(member["deny"])) | int(member["allow"])
    return allowed
