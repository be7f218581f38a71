"""The bot: a commands.Bot that receives its services and wires cogs, commands and shutdown."""

from __future__ import annotations

import logging
import pkgutil
from pathlib import Path
from typing import Any, Final, Generic, TypeVar, cast

import discord
import yarl
from discord.ext import commands

import cogs
from bot.alerts.service import AlertService
from bot.clock import Clock
from bot.deploy.startup import CommandSyncRefused
from bot.i18n.commands import CatalogueTranslator
from bot.ledger.records import load_ledger
from bot.ledger.service import LedgerService
from bot.market import MarketData
from bot.outbox.discord_sender import DiscordSender
from bot.outbox.worker import OutboxWorker
from bot.paths import LEDGER_PATH
from bot.pipeline import PricePipeline
from bot.schedule import (
    Scheduler,
    schedule_economics_jobs,
    schedule_filings_job,
    schedule_market_jobs,
)
from bot.services import Services
from bot.settings import DEFAULT_API_BASE, DEFAULT_GATEWAY_URL, Settings
from bot.store import Store
from bot.summary.service import SummaryService
from bot.tree import MinerwatchTree

log = logging.getLogger(__name__)

# Guilds only: slash commands need no privileged intents and no message content.
INTENTS: Final = discord.Intents(guilds=True)
# discord.py's own caches, bounded: messages seen on the gateway (none arrive without the
# message intents, but the bound is named rather than left to a default), members only as
# they come with interactions (no member intent, no chunking), and its REST rate-limit
# buckets, which it sweeps itself once 256 are held (discord/http.py).
MAX_CACHED_MESSAGES: Final = 1_000

T = TypeVar("T")


class FromServices(Generic[T]):
    """A bot attribute that reads the service of the same name: ``bot.store`` is
    ``bot.services.store``. The services stay the one holder; cogs keep a short spelling."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, bot: Minerwatch, owner: Any = None) -> T:
        return cast(T, getattr(bot.services, self._name))


def point_discord_at(settings: Settings) -> None:
    """Aim discord.py's REST and gateway at the configured URLs (a proxy or the sandbox).

    discord.py reads both from class attributes, so this is per process.
    """
    if settings.discord_api_base != DEFAULT_API_BASE:
        discord.http.Route.BASE = settings.discord_api_base
    if settings.discord_gateway_url != DEFAULT_GATEWAY_URL:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def discover_cogs() -> list[str]:
    """Return the extension names of every module or package in cogs/ that has setup()."""
    return sorted(
        f"{cogs.__name__}.{module.name}"
        for module in pkgutil.iter_modules(cogs.__path__)
        if not module.name.startswith("_")
    )


class Minerwatch(commands.Bot):
    """Minerwatch: slash commands, alerts and summaries over one shared store."""

    tree: MinerwatchTree
    settings: FromServices[Settings] = FromServices()
    store: FromServices[Store] = FromServices()
    clock: FromServices[Clock] = FromServices()
    scheduler: FromServices[Scheduler] = FromServices()
    market: FromServices[MarketData] = FromServices()
    outbox: FromServices[OutboxWorker] = FromServices()
    ledger: FromServices[LedgerService] = FromServices()
    pipeline: FromServices[PricePipeline] = FromServices()
    alerts: FromServices[AlertService] = FromServices()
    summaries: FromServices[SummaryService] = FromServices()

    def __init__(
        self, services: Services, *, guild_ready_timeout: float = 2.0, **client_options: Any
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # slash commands only; no message content
            intents=INTENTS,
            help_command=None,
            tree_cls=MinerwatchTree,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=guild_ready_timeout,
            max_messages=MAX_CACHED_MESSAGES,
            **client_options,
        )
        self.services = services
        # The outbox sends through this client, which exists only now.
        services.outbox.attach(DiscordSender(self, files=services.store.outbox, pace=services.pace))
        self.started_at = services.clock.now()
        self._closed_services = False

    async def setup_hook(self) -> None:
        """Migrate and seed the store, start the scheduler, load cogs and sync commands."""
        await self.store.db.migrate()
        # Built now rather than by the first poll: a million alerts take about a second.
        if not self.store.alerts.others_write:
            await self.store.alerts.build_levels()
        await seed_if_needed(self.services)
        for extension in discover_cogs():
            await self.load_extension(extension)
            log.debug("loaded %s", extension)
        await self.tree.set_translator(CatalogueTranslator())
        await self.sync_commands()
        schedule_market_jobs(
            self.scheduler, self.pipeline, self.settings.poll_seconds, self.clock.now()
        )
        schedule_filings_job(self.scheduler, self.services.filings.watcher, self.clock.now())
        schedule_economics_jobs(
            self.scheduler,
            balance_sheets=self.services.balance_sheets.refresh,
            network=self.services.poll_network,
            now=self.clock.now(),
        )
        await self.summaries.start()  # per-server jobs, and the catch-up of missed ones
        self.scheduler.start()
        self.pipeline.start_stream()  # live prices, when a stream is configured
        self.outbox.start()  # resumes whatever a previous run left pending

    async def sync_commands(self) -> None:
        """Publish the slash commands: to the dev server when set (instant), else globally."""
        guild_id = self.settings.dev_guild_id
        try:
            if guild_id is not None:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to server %s", len(synced), guild_id)
            else:
                synced = await self.tree.sync()
                log.info("synced %d global commands", len(synced))
        except discord.Forbidden as exc:
            # Missing Access: the bot was invited without applications.commands, or is not
            # in the dev server at all. Start-up stops with what to change.
            raise CommandSyncRefused(guild_id, exc) from exc

    async def on_ready(self) -> None:
        log.info("ready as %s in %d servers", self.user, len(self.guilds))

    async def close(self) -> None:
        """Stop delivering, disconnect from Discord, then close the services in reverse order."""
        await self.outbox.stop()
        await super().close()
        if not self._closed_services:
            self._closed_services = True
            await self.services.aclose()


class ShardedMinerwatch(Minerwatch, commands.AutoShardedBot):
    """Minerwatch over a range of gateway shards (discord.py's AutoShardedBot).

    ``commands.Bot`` adds nothing to what it shares with ``AutoShardedBot``, so the bot's own
    behaviour comes from Minerwatch and the connection handling from AutoShardedClient.
    """


def new_bot(services: Services, *, guild_ready_timeout: float = 2.0) -> Minerwatch:
    """Build the bot: unsharded as before, or sharded when the settings name shards."""
    plan = services.settings.shard_plan
    if plan is None:
        return Minerwatch(services, guild_ready_timeout=guild_ready_timeout)
    log.info("running shard(s) %s", plan.describe())
    return ShardedMinerwatch(
        services,
        guild_ready_timeout=guild_ready_timeout,
        shard_ids=list(plan.ids),
        shard_count=plan.count,
    )


async def seed_if_needed(services: Services, path: Path = LEDGER_PATH) -> None:
    """Load the shipped ledger into an empty store, or when a newer ledger ships.

    The symbol directory is (re)loaded either way: the companies may have just changed.
    """
    ledger = load_ledger(path)
    stored = await services.store.ledger.shipped_ledger_as_of()
    if stored is None or stored < ledger.as_of:
        report = await services.store.ledger.apply_seed(ledger, now=services.clock.now())
        log.info(
            "ledger %s applied: %d created, %d updated, %d removed",
            ledger.as_of,
            len(report.created),
            len(report.updated),
            len(report.removed),
        )
    await services.symbols.refresh()
