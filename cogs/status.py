"""/status: how fresh the data is, the feed's health, alerts, deliveries and the next summary."""

from __future__ import annotations

import importlib.metadata
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import discord
from discord import app_commands
from discord.ext import commands

from bot.alerts.evaluate import IgnoredTick
from bot.format import timestamp
from bot.ledger.counting import STALE_MARK, oldest_as_of, stale_reason
from bot.market.backoff import BackoffState
from bot.market.book import SymbolStats
from bot.market.models import DataSource, Quote
from bot.outbox.model import MAX_EMBED_TEXT, embed_text_length
from bot.render.pages import FIELD_COUNT_LIMIT, FIELD_VALUE_LIMIT, chunk_lines, clip
from bot.render.quote import DEMO_MARK, source_line
from bot.summary.model import PAUSE_TEXT, RunStatus, SummaryRun
from bot.summary.service import SummaryStatus
from bot.text import neutralise

if TYPE_CHECKING:
    from bot.app import Minerwatch

log = logging.getLogger(__name__)

PACKAGE: Final = "minerwatch"
STATUS_COLOUR: Final = 0x5865F2  # Discord blurple: information, not a market move
ERROR_LIMIT: Final = 60  # one symbol's last error, on its line
SYMBOL_WIDTH: Final = 8
DAY_LABELS: Final = {"trading": "NYSE trading days", "daily": "every day", "weekdays": "weekdays"}


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """The price feed as /status shows it."""

    source: DataSource
    last_poll_at: datetime | None
    last_poll_seconds: float | None
    next_poll_at: datetime | None
    backoff: BackoffState | None
    backing_off: bool


@dataclass(frozen=True, slots=True)
class SymbolLine:
    """One symbol's freshness: its last good quote, stale or not, and its last error."""

    symbol: str
    quote: Quote | None
    stats: SymbolStats | None
    ignored: IgnoredTick | None


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Everything /status shows, gathered (the embeds are rendered from this alone)."""

    version: str
    started_at: datetime
    now: datetime
    feed: FeedStatus
    symbols: tuple[SymbolLine, ...]
    alerts: Mapping[str, int]
    backlog: int
    summary: SummaryStatus
    ledger: LedgerFreshness | None = None


@dataclass(frozen=True, slots=True)
class LedgerFreshness:
    """How current the contract ledger this server sees is."""

    contracts: int
    stale: int
    """Live contracts marked 'status may be stale'."""
    oldest: str | None
    """The oldest status date among them."""


def ledger_line(ledger: LedgerFreshness) -> str:
    """Return how many contracts the server sees and how many may be out of date."""
    line = (
        f"Ledger: {ledger.contracts} contract(s) in this server's view · {ledger.stale} marked "
        f"“{STALE_MARK}” (expected delivery passed without a status change, or status older "
        "than 180 days)"
    )
    return line + (f" · oldest status {ledger.oldest}" if ledger.oldest else "")


def version() -> str:
    """Return the installed package version ("unknown" when run from a bare checkout)."""
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def uptime(delta: timedelta) -> str:
    """Format a duration compactly: 3 d 4 h, 2 h 5 min, 40 s."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{seconds} s"


def symbol_line(line: SymbolLine) -> str:
    """Return "`CIFR    ` ✅ <t:…:R>", marked stale or missing, with its last error."""
    name = f"`{line.symbol:<{SYMBOL_WIDTH}}`"  # padded so most lines align; never cut
    quote = line.quote
    if quote is None:
        text = f"{name} ❌ no quote yet"
    elif quote.stale:
        text = f"{name} ⚠️ stale, last good {timestamp(quote.as_of, 'R')}"
    else:
        text = f"{name} ✅ {timestamp(quote.as_of, 'R')}"
    problems = []
    if line.stats is not None and line.stats.last_error:
        at = line.stats.last_error_at
        when = f" {timestamp(at, 'R')}" if at is not None else ""
        problems.append(f"error{when}: {neutralise(line.stats.last_error, limit=ERROR_LIMIT)}")
    if line.ignored is not None:
        problems.append(f"ignored a tick ({line.ignored.problem.value})")
    return f"{text} · {' · '.join(problems)}" if problems else text


def feed_lines(feed: FeedStatus) -> list[str]:
    """Return the poll and provider lines."""
    poll = "Last poll: none yet"
    if feed.last_poll_at is not None:
        took = f" (took {feed.last_poll_seconds:.1f} s)" if feed.last_poll_seconds else ""
        poll = f"Last poll {timestamp(feed.last_poll_at, 'R')}{took}"
    if feed.next_poll_at is not None:
        poll += f" · next {timestamp(feed.next_poll_at, 'R')}"
    backoff = feed.backoff
    if feed.backing_off and backoff is not None:
        provider = (
            f"Provider: ⚠️ backing off until {timestamp(backoff.until, 'T')} "
            f"(attempt {backoff.attempt}: {neutralise(backoff.reason, limit=ERROR_LIMIT)})"
        )
    else:
        provider = "Provider: answering normally"
    return [f"Prices: {source_line(feed.source)}", poll, provider]


def run_line(run: SummaryRun | None) -> str:
    """Return what became of the last summary: posted (and delivered?), skipped, paused."""
    if run is None:
        return "Last summary: none yet"
    day = run.local_day.isoformat()
    if run.status is RunStatus.SKIPPED:
        return f"Last summary: skipped on {day}: {run.reason or 'no reason recorded'}"
    if run.status is RunStatus.PAUSED:
        return f"Last summary: not delivered on {day}: {run.reason or 'the channel refused it'}"
    late = " (late)" if run.late else ""
    if run.delivery == "delivered" and run.delivered_at is not None:
        return f"Last summary: posted {timestamp(run.delivered_at, 'f')}{late}"
    if run.delivery == "undeliverable":
        error = neutralise(run.last_error or "refused", limit=ERROR_LIMIT)
        return f"Last summary: could not be delivered on {day}: {error}"
    return f"Last summary: queued {timestamp(run.created_at, 'f')}{late}, not yet delivered"


def summary_lines(summary: SummaryStatus) -> list[str]:
    """Return the next summary (or why there is none) and the last one."""
    config = summary.config
    if config is None or not config.enabled or config.channel_id is None:
        head = "Daily summary: off (`/summary config` turns it on)"
    elif config.paused_reason is not None:
        head = (
            f"Daily summary: ⚠️ paused: {PAUSE_TEXT[config.paused_reason]}. "
            "Run `/summary config` to resume."
        )
    elif summary.next_run is not None:
        days = DAY_LABELS.get(config.days, config.days)
        head = (
            f"Next summary: {timestamp(summary.next_run, 'F')} ({timestamp(summary.next_run, 'R')})"
            f" in <#{config.channel_id}>, {config.at} {config.zone} on {days}"
        )
    else:
        head = "Daily summary: on, but no day in the next two weeks is due"
    return [head, run_line(summary.last_run)]


def status_embeds(report: StatusReport) -> list[dict[str, Any]]:
    """Render /status as embeds within Discord's limits for one message."""
    title = "Minerwatch status"
    if report.feed.source is DataSource.DEMO:
        title = f"{DEMO_MARK} {title}"
    active = sum(report.alerts.values())
    states = ", ".join(f"{n} {state}" for state, n in sorted(report.alerts.items()))
    lines = [
        f"Version {report.version} · up {uptime(report.now - report.started_at)} "
        f"(since {timestamp(report.started_at, 'f')})",
        *feed_lines(report.feed),
        f"Alerts active in this server: {active}" + (f" ({states})" if states else ""),
        f"Outbox: {report.backlog} message(s) waiting to be delivered",
        *summary_lines(report.summary),
    ]
    if report.ledger is not None:
        lines.append(ledger_line(report.ledger))
    overview: dict[str, Any] = {
        "title": title,
        "description": clip("\n".join(lines), 4_000),
        "color": STATUS_COLOUR,
    }
    freshness: dict[str, Any] = {"title": "Data freshness per symbol", "color": STATUS_COLOUR}
    budget = MAX_EMBED_TEXT - embed_text_length(overview) - len(freshness["title"]) - 100
    freshness["fields"] = _symbol_fields([symbol_line(s) for s in report.symbols], budget)
    return [overview, freshness]


def _symbol_fields(lines: Sequence[str], budget: int) -> list[dict[str, Any]]:
    """Pack symbol lines into fields (1,024 each, 25 at most) within ``budget`` characters."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        line = clip(line, FIELD_VALUE_LIMIT)
        if used + len(line) + 2 > budget - 60:
            kept.append(f"… and {len(lines) - index} more symbol(s)")
            break
        kept.append(line)
        used += len(line) + 2  # the newline, and a field name per block at worst
    blocks = chunk_lines(kept, FIELD_VALUE_LIMIT)[:FIELD_COUNT_LIMIT] or ["No symbols polled yet."]
    return [
        {"name": "Symbols" if i == 0 else "\u200b", "value": block, "inline": False}
        for i, block in enumerate(blocks)
    ]


class Status(commands.Cog):
    """The /status command."""

    def __init__(self, bot: Minerwatch) -> None:
        self.bot = bot

    @app_commands.command(
        name="status",
        description="Data freshness per symbol, last poll, errors, next summary, alerts, version",
    )
    async def status(self, interaction: discord.Interaction[Minerwatch]) -> None:
        report = await self.report(interaction.guild_id)
        embeds = [discord.Embed.from_dict(e) for e in status_embeds(report)]
        await interaction.response.send_message(embeds=embeds, ephemeral=True)

    async def report(self, guild_id: int | None) -> StatusReport:
        """Gather what /status shows (memory, and a few indexed reads)."""
        bot = self.bot
        market = bot.market
        stats = market.stats()
        poll = market.last_poll
        feed = FeedStatus(
            source=market.source,
            last_poll_at=poll.started_at if poll else stats.last_poll_at,
            last_poll_seconds=poll.elapsed_seconds if poll else stats.last_poll_seconds,
            next_poll_at=bot.scheduler.next_run("price-poll"),
            backoff=stats.backoff,
            backing_off=stats.backing_off,
        )
        ignored = bot.services.evaluator.stats().last_ignored
        symbols = tuple(
            SymbolLine(s, market.quote(s), stats.symbols.get(s), ignored.get(s))
            for s in await bot.pipeline.watchlist()
        )
        alerts: Counter[str] = Counter()
        if guild_id is not None:
            alerts.update(alert.state.value for alert in await bot.store.alerts.listed(guild_id))
        summary = (
            await bot.summaries.status(guild_id)
            if guild_id is not None
            else SummaryStatus(None, None, None)
        )
        contracts = await bot.ledger.view(guild_id)
        today = bot.clock.now().date()
        ledger = LedgerFreshness(
            contracts=len(contracts),
            stale=sum(1 for c in contracts if stale_reason(c, today) is not None),
            oldest=oldest_as_of(contracts),
        )
        return StatusReport(
            version=version(),
            started_at=bot.started_at,
            now=bot.clock.now(),
            feed=feed,
            symbols=symbols,
            alerts=dict(alerts),
            backlog=await bot.store.outbox.pending_count(),
            summary=summary,
            ledger=ledger,
        )


async def setup(bot: Minerwatch) -> None:
    await bot.add_cog(Status(bot))
