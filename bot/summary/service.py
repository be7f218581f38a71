"""The daily summary service: configuration, per-server jobs, the run, catch-up and preview.

Exactly once per server and local day: a run claims ``(guild_id, local_day)`` in
``summary_runs`` and queues its outbox message in the same transaction, so a second trigger
for that day (a restart, the catch-up racing the job, a second process) inserts nothing.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Hashable
from dataclasses import KW_ONLY, dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock
from bot.errors import InvalidInput
from bot.i18n import speaking
from bot.i18n.language import DEFAULT, Language
from bot.ledger.model import Contract
from bot.market.market_data import MarketData
from bot.network.hashprice import Hashprice
from bot.outbox.model import Destination, OutboxKind, OutboxMessage
from bot.prices import BENCHMARKS, PricesService
from bot.schedule import Scheduler
from bot.store import Store
from bot.summary.cache import SingleFlight
from bot.summary.catchup import Action, decide
from bot.summary.compose import (
    ComposedSummary,
    SharedParts,
    SummaryChart,
    compose_shared,
    compose_summary,
    render_summary_chart,
)
from bot.summary.data import gather_chart, gather_server, gather_shared
from bot.summary.model import LATE_AFTER, SKIP_OFFLINE, SummaryConfig, SummaryStatus
from bot.summary.timing import DEFAULT_TIME, LATE_WINDOW, SummaryTrigger, parse_schedule
from bot.summary.zones import zone_problem

log = logging.getLogger(__name__)

JOB_PREFIX: Final = "summary:"
CATCH_UP_JOB: Final = "summary-catch-up"
# Chart files of delivered summaries are dropped after a week.
FILE_RETENTION: Final = timedelta(days=7)
# Servers composed at once during catch-up: the shared part is built once whatever this is.
CATCH_UP_CONCURRENCY: Final = 16
# A thousand servers queue their posts within seconds: wake the delivery worker once per
# this interval rather than once per post (each wake-up makes it read the due rows again).
KICK_EVERY: Final = 0.1


def job_id(guild_id: int) -> str:
    """Return the scheduler id of a server's summary job."""
    return f"{JOB_PREFIX}{guild_id}"


def unschedule(scheduler: Scheduler, guild_id: int) -> None:
    """Remove a server's summary job, if any (the outbox's pause hook calls this too)."""
    scheduler.remove(job_id(guild_id))


def dedupe_key(guild_id: int, day: date) -> str:
    """Name the one outbox message a server is owed for a local day."""
    return f"summary:{guild_id}:{day.isoformat()}"


@dataclass(frozen=True, slots=True)
class _Shared:
    """The rendered shared part and the ledger view it was rendered from."""

    parts: SharedParts
    contracts: tuple[Contract, ...]


@dataclass(eq=False)
class SummaryService:
    """Everything about daily summaries that is not a Discord command."""

    store: Store
    market: MarketData
    clock: Clock
    scheduler: Scheduler
    _: KW_ONLY
    # The bot's one prices service, shared with /board.
    prices: PricesService
    default_zone: str
    on_enqueued: Callable[[], None] | None = None  # e.g. OutboxWorker.kick: deliver at once
    # The header's hashprice line; None: no network data configured, no line.
    hashprice: Callable[[], Hashprice | None] | None = None
    # The language of a server's summary (its chosen one, else its Discord locale's).
    language_of: Callable[[int], Language] = field(default=lambda _guild_id: DEFAULT)
    # Whether this process runs the gateway shard of a server: when the bot is split over
    # processes, only the one that receives a server's events schedules its summary.
    owns: Callable[[int], bool] = field(default=lambda _guild_id: True)
    charts: SingleFlight[Hashable, SummaryChart] = field(
        default_factory=lambda: SingleFlight("summary chart"), init=False
    )
    shared: SingleFlight[Hashable, _Shared] = field(
        default_factory=lambda: SingleFlight("summary shared part"), init=False
    )
    _pruned_on: date | None = field(default=None, init=False, repr=False)
    _kick_due: asyncio.TimerHandle | None = field(default=None, init=False, repr=False)

    # ----- configuration ------------------------------------------------------------------

    async def configure(
        self,
        guild_id: int,
        channel_id: int,
        *,
        at: str | None = None,
        zone: str | None = None,
        days: str | None = None,
    ) -> SummaryConfig:
        """Turn a server's summary on (options left out keep their current value)."""
        current = await self.store.summary.config(guild_id)
        kept = current if current is not None and current.configured_at is not None else None
        at = at if at is not None else (kept.at if kept else DEFAULT_TIME.strftime("%H:%M"))
        zone = zone if zone is not None else (kept.zone if kept else self.default_zone)
        days = days if days is not None else (kept.days if kept else None)
        if (problem := zone_problem(zone)) is not None:
            raise InvalidInput([problem])
        schedule = parse_schedule(at, zone, days)  # raises InvalidInput naming the options
        config = await self.store.summary.configure(
            guild_id,
            channel_id,
            schedule.at.strftime("%H:%M"),
            zone.strip(),
            schedule.days,
            now=self.clock.now(),
        )
        self.schedule(config)
        log.info("server %s: daily summary %s in channel %s", guild_id, schedule, channel_id)
        return config

    async def turn_off(self, guild_id: int) -> bool:
        """Stop a server's summary; False when it was not on."""
        stopped = await self.store.summary.turn_off(guild_id, now=self.clock.now())
        self.unschedule(guild_id)
        return stopped

    def next_run(self, config: SummaryConfig) -> datetime | None:
        """Return when a server's next summary is due (None when it is off or paused)."""
        if not config.active:
            return None
        try:
            return config.schedule().next_run(self.clock.now(), self.market.calendar)
        except (InvalidInput, ValueError):
            log.warning("server %s: summary settings cannot be scheduled", config.guild_id)
            return None

    async def status(self, guild_id: int) -> SummaryStatus:
        """Return a server's summary settings, next time and last run."""
        config = await self.store.summary.config(guild_id)
        next_run = self.next_run(config) if config is not None else None
        return SummaryStatus(config, next_run, await self.store.summary.last_run(guild_id))

    # ----- jobs ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Add every server's job and, once the scheduler runs, catch up what came due."""
        count = await self.schedule_all()
        # A one-shot job rather than awaiting here: start-up does not wait on chart renders,
        # and the scheduler lets the catch-up finish before the store closes.
        self.scheduler.add(
            CATCH_UP_JOB, self.catch_up, DateTrigger(), name="daily summary catch-up at start"
        )
        log.info("daily summary scheduled for %d server(s)", count)

    async def schedule_all(self) -> int:
        """Add the job of every server whose summary is on (at start); return how many."""
        scheduled = 0
        for config in await self.store.summary.active():
            if not self.owns(config.guild_id):
                continue  # another process runs this server's shard
            try:
                self.schedule(config)
            except (InvalidInput, ValueError):
                # E.g. a zone this machine's tz database no longer has: that server only.
                log.exception("server %s: cannot schedule its summary", config.guild_id)
                continue
            scheduled += 1
        return scheduled

    def schedule(self, config: SummaryConfig) -> None:
        """Add or replace a server's job from its settings (or remove it when off, or when
        the server is on a shard another process runs)."""
        if not config.active or not self.owns(config.guild_id):
            self.unschedule(config.guild_id)
            return
        trigger = SummaryTrigger(config.schedule(), self.market.calendar)
        self.scheduler.add(
            job_id(config.guild_id),
            functools.partial(self.run_due, config.guild_id),
            trigger,
            name=f"daily summary of server {config.guild_id}",
            # A job the loop could not start on time still runs within the late window.
            misfire_grace_time=int(LATE_WINDOW.total_seconds()),
        )

    def unschedule(self, guild_id: int) -> None:
        """Remove a server's job, if any."""
        unschedule(self.scheduler, guild_id)

    async def forget_guild(self, guild_id: int) -> None:
        """Stop the summary of a server the bot has left."""
        await self.turn_off(guild_id)

    # ----- runs ---------------------------------------------------------------------------

    async def run_due(self, guild_id: int) -> Action:
        """Post, skip or leave a server's latest slot (its job, and the catch-up, call this)."""
        config = await self.store.summary.config(guild_id)
        if config is None or not config.active:
            self.unschedule(guild_id)  # off or paused since the job was added
            return Action.NOTHING
        await self._prune_files()
        schedule = config.schedule()
        now = self.clock.now()
        slot = schedule.previous_run(now, self.market.calendar)
        if slot is None:
            return Action.NOTHING
        day = schedule.local_day(slot)
        done = await self.store.summary.run(guild_id, day) is not None
        action = decide(slot, now=now, configured_at=config.configured_at, done=done)
        if action is Action.POST:
            posted = await self._post(config, day, slot, now)
            return action if posted else Action.NOTHING
        if action is Action.SKIP:
            recorded = await self.store.summary.record_skip(
                guild_id, day, scheduled_for=slot, reason=SKIP_OFFLINE, now=now
            )
            if recorded:
                log.warning("server %s: summary of %s skipped (%s)", guild_id, day, SKIP_OFFLINE)
            return action if recorded else Action.NOTHING
        return action

    async def catch_up(self) -> dict[int, Action]:
        """Post (or record as skipped) what came due while the bot was down, for every server
        this process owns."""
        await self._prune_files()
        configs = [c for c in await self.store.summary.active() if self.owns(c.guild_id)]
        limit = asyncio.Semaphore(CATCH_UP_CONCURRENCY)

        async def one(guild_id: int) -> Action:
            async with limit:
                try:
                    return await self.run_due(guild_id)
                except Exception:
                    log.exception("catching up the summary of server %s failed", guild_id)
                    return Action.NOTHING

        actions = await asyncio.gather(*(one(c.guild_id) for c in configs))
        outcome = dict(zip((c.guild_id for c in configs), actions, strict=True))
        done = {g: a for g, a in outcome.items() if a is not Action.NOTHING}
        if done:
            log.info("summary catch-up: %s", ", ".join(f"{g} {a}" for g, a in done.items()))
        return outcome

    async def preview(self, guild_id: int) -> ComposedSummary:
        """Compose what this server's summary would post now (nothing is recorded)."""
        config = await self.store.summary.config(guild_id)
        zone = config.zone if config is not None else self.default_zone
        schedule = parse_schedule(None, zone, None)
        now = self.clock.now()
        # As the first post would: the changes since the summary was turned on (not yet
        # turned on: it would be turned on now, and no change is that recent).
        first_since = config.configured_at if config is not None else None
        composed, _ = await self._compose(
            guild_id,
            schedule.local_day(now),
            now,
            first_since=first_since or now,
            late_for=None,
            slot=None,
        )
        return composed

    async def _post(self, config: SummaryConfig, day: date, slot: datetime, now: datetime) -> bool:
        guild_id, channel_id = config.guild_id, config.channel_id
        assert channel_id is not None  # only an active configuration is posted
        late_for = slot if now - slot > LATE_AFTER else None
        composed, history_id = await self._compose(
            guild_id,
            day,
            now,
            first_since=config.configured_at or slot,
            late_for=late_for,
            slot=slot,
        )
        message = OutboxMessage(
            dedupe_key=dedupe_key(guild_id, day),
            kind=OutboxKind.SUMMARY,
            destination=Destination.channel(channel_id),
            payload=composed.payload,
            guild_id=guild_id,
            files=composed.files,
        )
        store = self.store
        async with store.db.transaction() as conn:
            claimed = await store.summary.claim(
                conn, guild_id, day, scheduled_for=slot, history_id=history_id, now=now
            )
            if not claimed:
                return False  # another trigger took this day first
            created = await store.outbox.enqueue(conn, [message], now=now)
            if created:
                await store.summary.link_outbox(conn, guild_id, day, created[0])
        log.info("server %s: summary of %s queued%s", guild_id, day, " late" if late_for else "")
        self._kick_soon()
        return True

    def _kick_soon(self) -> None:
        """Wake the delivery worker shortly, once for all the posts queued meanwhile."""
        if self.on_enqueued is None or self._kick_due is not None:
            return
        self._kick_due = asyncio.get_running_loop().call_later(KICK_EVERY, self._kick)

    def _kick(self) -> None:
        self._kick_due = None
        if self.on_enqueued is not None:
            self.on_enqueued()

    async def _compose(
        self,
        guild_id: int,
        day: date,
        now: datetime,
        *,
        first_since: datetime,
        late_for: datetime | None,
        slot: datetime | None,
    ) -> tuple[ComposedSummary, int]:
        """Compose a server's summary in its language; also return the history id it covers."""
        language = self.language_of(guild_id)
        shared = await self._shared_parts(guild_id, slot, language)
        server = await gather_server(
            self.store,
            guild_id,
            now=now,
            first_since=first_since,
            shared_contracts=shared.contracts,
        )
        with speaking(language):
            composed = compose_summary(shared.parts, server, day=day, late_for=late_for)
        return composed, server.history_id

    # ----- the shared part, built once per run ---------------------------------------------

    async def _shared_parts(
        self, guild_id: int, slot: datetime | None, language: Language
    ) -> _Shared:
        """Return the shared part for this server's view of the ledger, from the cache.

        Every server due at the same instant (``slot``) shares one render, even if a price
        poll lands while their jobs run; a preview shares the render of the same data.
        """
        view = guild_id if await self.store.summary.has_own_contracts(guild_id) else None
        data_key = ("slot", slot) if slot is not None else ("data", self._data_key())
        # One chart per language the due servers read (its title, axes and notes are words).
        chart = await self.charts.get(
            (data_key, language), functools.partial(self._build_chart, language)
        )
        ledger = await self.store.summary.latest_history_id()
        return await self.shared.get(
            (data_key, ledger, view, language),
            functools.partial(self._build_shared, view, chart, language),
        )

    def _data_key(self) -> Hashable:
        """Name the market data a render shows: the poll it came from, today, the history."""
        poll = self.market.last_poll
        history = self.market.history
        refreshed = tuple(history.refreshed_on(s) for s in BENCHMARKS) if history else ()
        return (poll.started_at if poll else None, self.clock.now().date(), refreshed)

    async def _build_chart(self, language: Language) -> SummaryChart:
        inputs = await gather_chart(self.prices, self.clock)
        with speaking(language):  # the worker thread starts from this context
            return await asyncio.to_thread(render_summary_chart, inputs)

    async def _build_shared(
        self, view: int | None, chart: SummaryChart, language: Language
    ) -> _Shared:
        inputs = await gather_shared(
            self.store,
            self.prices,
            view=view,
            hashprice=self.hashprice() if self.hashprice is not None else None,
            with_hashprice=self.hashprice is not None,
        )
        with speaking(language):
            return _Shared(compose_shared(inputs, chart), inputs.contracts)

    async def _prune_files(self) -> None:
        today = self.clock.now().date()
        if self._pruned_on == today:
            return
        self._pruned_on = today
        pruned = await self.store.outbox.prune_files(before=self.clock.now() - FILE_RETENTION)
        if pruned:
            log.info("dropped %d attachment(s) no pending message needs", pruned)
