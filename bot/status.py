"""/status as a service: the feed, the symbols' freshness, alerts, deliveries, the summary."""

from __future__ import annotations

import importlib.metadata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Final

from bot.alerts.evaluate import IgnoredTick
from bot.alerts.latency import LatencySummary, PostLatency
from bot.leadership import AlwaysLeader, Leadership
from bot.ledger.counting import oldest_as_of, stale_reason
from bot.market.backoff import BackoffState
from bot.market.book import SymbolStats
from bot.market.live import LivePrices
from bot.market.models import DataSource, Quote
from bot.market.stream import StreamHealth
from bot.outbox.model import Settlement
from bot.schedule import PRICE_POLL_JOB, Scheduler
from bot.shards import ShardPlan, shard_of
from bot.summary.model import SummaryStatus

if TYPE_CHECKING:
    from bot.alerts.evaluate import AlertEvaluator
    from bot.clock import Clock
    from bot.filings.watcher import FilingsStatus, FilingsWatcher
    from bot.ledger.service import LedgerService
    from bot.market import MarketData
    from bot.pipeline import PricePipeline
    from bot.store import Store
    from bot.summary.service import SummaryService

PACKAGE: Final = "minerwatch"


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
    streamed_at: datetime | None = None  # when its last streamed trade arrived


@dataclass(frozen=True, slots=True)
class ShardStatus:
    """The gateway shards this process runs, and the one the asking server is on."""

    plan: ShardPlan
    server_shard: int | None  # None outside a server


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
    # Sends whose answer never came, by how each was settled: (rows, history pages read).
    settlements: Mapping[Settlement, tuple[int, int]] = field(default_factory=dict)
    filings: FilingsStatus | None = None
    stream: StreamHealth | None = None  # None: live prices are off
    latency: LatencySummary | None = None
    shards: ShardStatus | None = None  # None: the bot runs unsharded
    # Whether this process runs the global jobs (None: no other process can share its store).
    leader: bool | None = None


@dataclass(frozen=True, slots=True)
class LedgerFreshness:
    """How current the contract ledger this server sees is."""

    contracts: int
    stale: int
    """Live contracts marked 'status may be stale'."""
    oldest: str | None
    """The oldest status date among them."""


def version() -> str:
    """Return the installed package version ("unknown" when run from a bare checkout)."""
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusService:
    """Gathers what /status shows from the services that know it."""

    store: Store
    clock: Clock
    scheduler: Scheduler
    market: MarketData
    pipeline: PricePipeline
    evaluator: AlertEvaluator
    ledger: LedgerService
    summaries: SummaryService
    filings: FilingsWatcher | None = None
    live: LivePrices | None = None
    latency: PostLatency | None = None
    shards: ShardPlan | None = None
    leadership: Leadership | None = None

    async def report(self, guild_id: int | None, *, started_at: datetime) -> StatusReport:
        """Gather what /status shows (memory, and a few indexed reads)."""
        market = self.market
        stats = market.stats()
        poll = market.last_poll
        feed = FeedStatus(
            source=market.source,
            last_poll_at=poll.started_at if poll else stats.last_poll_at,
            last_poll_seconds=poll.elapsed_seconds if poll else stats.last_poll_seconds,
            next_poll_at=self.scheduler.next_run(PRICE_POLL_JOB),
            backoff=stats.backoff,
            backing_off=stats.backing_off,
        )
        ignored = self.evaluator.stats().last_ignored
        stream = None if self.live is None else self.live.health()
        streamed = stream.last_tick_at if stream is not None else {}
        symbols = tuple(
            SymbolLine(s, market.quote(s), stats.symbols.get(s), ignored.get(s), streamed.get(s))
            for s in await self.pipeline.watchlist()
        )
        alerts: Counter[str] = Counter()
        if guild_id is not None:
            alerts.update(alert.state.value for alert in await self.store.alerts.listed(guild_id))
        summary = (
            await self.summaries.status(guild_id)
            if guild_id is not None
            else SummaryStatus(None, None, None)
        )
        contracts = await self.ledger.view(guild_id)
        now = self.clock.now()
        today = now.date()
        ledger = LedgerFreshness(
            contracts=len(contracts),
            stale=sum(1 for c in contracts if stale_reason(c, today) is not None),
            oldest=oldest_as_of(contracts),
        )
        return StatusReport(
            version=version(),
            started_at=started_at,
            now=now,
            feed=feed,
            symbols=symbols,
            alerts=dict(alerts),
            backlog=await self.store.outbox.pending_count(),
            summary=summary,
            ledger=ledger,
            settlements=await self.store.outbox.settlements(),
            filings=None if self.filings is None else self.filings.status(),
            stream=stream,
            latency=None if self.latency is None else self.latency.summary(),
            shards=self._shards(guild_id),
            leader=self._leader(),
        )

    def _leader(self) -> bool | None:
        """Return whether this process leads (None when its store cannot be shared)."""
        if self.leadership is None or isinstance(self.leadership, AlwaysLeader):
            return None
        return self.leadership.is_leader

    def _shards(self, guild_id: int | None) -> ShardStatus | None:
        """Return the shards this process runs and the asking server's (None: unsharded)."""
        plan = self.shards
        if plan is None:
            return None
        server = shard_of(guild_id, plan.count) if guild_id is not None else None
        return ShardStatus(plan, server)
