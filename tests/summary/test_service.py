"""The summary service on a real store: rendered once for many servers, one post per day."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.ledger.service import Actor, LedgerService
from bot.market.calendar import TradingCalendar
from bot.market.factory import build_provider
from bot.market.history import HistoryService
from bot.market.market_data import MarketData
from bot.outbox.model import OutboxKind
from bot.prices import PricesService
from bot.schedule import Scheduler
from bot.shards import ShardPlan
from bot.store import Store
from bot.summary.catchup import Action
from bot.summary.model import RunStatus
from bot.summary.service import SummaryService, job_id
from bot.symbols import SymbolDirectory

SLOT = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)  # Wednesday 16:30 in New York
NEXT_SLOT = datetime(2026, 11, 27, 21, 30, tzinfo=UTC)  # Friday (Thursday is Thanksgiving)
SERVERS = 40


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SLOT - timedelta(days=1))


@pytest.fixture
async def market(
    seeded_store: Store, clock: ManualClock, calendar: TradingCalendar, tmp_path: Path
) -> AsyncIterator[MarketData]:
    provider = build_provider(
        "demo", cache_dir=tmp_path / "cache", clock=clock, poll_seconds=60, calendar=calendar
    )
    data = MarketData(
        provider,
        calendar=calendar,
        clock=clock,
        history=HistoryService(provider, seeded_store.prices, clock),
    )
    symbols = [c.symbol for c in await seeded_store.ledger.companies()]
    await data.poll_once(symbols)
    await data.refresh_history(symbols)
    yield data
    await data.aclose()


@pytest.fixture
async def scheduler() -> AsyncIterator[Scheduler]:
    running = Scheduler()
    running.start()
    yield running
    await running.stop()


def prices_for(store: Store, market: MarketData, clock: ManualClock) -> PricesService:
    """The prices service the bot would give the summary, over this store's companies."""
    return PricesService(market, clock, SymbolDirectory(store.ledger.companies))


def new_service(
    store: Store,
    market: MarketData,
    clock: ManualClock,
    scheduler: Scheduler,
    *,
    zone: str = "America/New_York",
    owns: Callable[[int], bool] = lambda _guild_id: True,
) -> SummaryService:
    """A summary service as the bot builds it; ``owns`` says which servers' shards it runs."""
    return SummaryService(
        store,
        market,
        clock,
        scheduler,
        prices=prices_for(store, market, clock),
        default_zone=zone,
        owns=owns,
    )


@pytest.fixture
def service(
    seeded_store: Store, market: MarketData, clock: ManualClock, scheduler: Scheduler
) -> SummaryService:
    return new_service(seeded_store, market, clock, scheduler)


async def configure_servers(service: SummaryService, count: int) -> list[int]:
    guilds = list(range(1_000, 1_000 + count))
    for guild_id in guilds:
        await service.configure(guild_id, guild_id * 10)
    return guilds


async def outbox_files(store: Store) -> int:
    row = await store.db.fetch_one("SELECT count(*) FROM outbox_files")
    assert row is not None
    return int(row[0])


async def test_the_shared_part_is_rendered_once_for_many_servers(
    service: SummaryService, seeded_store: Store, clock: ManualClock
) -> None:
    guilds = await configure_servers(service, SERVERS)
    clock.set(SLOT)
    # Every server's job fires at the same instant.
    outcomes = await asyncio.gather(*(service.run_due(g) for g in guilds))
    assert outcomes == [Action.POST] * SERVERS
    assert service.charts.builds == 1 and service.shared.builds == 1
    rows = await seeded_store.outbox.rows()
    assert len(rows) == SERVERS and {r.kind for r in rows} == {OutboxKind.SUMMARY}
    assert {r.destination.channel_id for r in rows} == {g * 10 for g in guilds}
    # One chart, stored once, named by every message.
    assert await outbox_files(seeded_store) == 1
    assert len({r.payload["files"][0]["sha256"] for r in rows}) == 1


async def test_a_server_with_its_own_contracts_shares_the_chart_only(
    service: SummaryService, seeded_store: Store, clock: ManualClock
) -> None:
    guilds = await configure_servers(service, 3)
    clock.advance(timedelta(minutes=1))
    ledger = LedgerService(seeded_store, clock)
    own = Actor(user_id=7, guild_id=guilds[0], is_admin=True, is_owner=False)
    await ledger.add(
        own,
        {"host_symbol": "IREN", "counterparty": "Our Own Cloud", "mw_critical_it": 10.0},
        source_url="https://example.com/own",
    )
    clock.set(SLOT)
    await asyncio.gather(*(service.run_due(g) for g in guilds))
    assert service.charts.builds == 1
    assert service.shared.builds == 2  # the global view, and that server's view
    rows = {r.guild_id: r for r in await seeded_store.outbox.rows()}
    theirs = str(rows[guilds[0]].payload["embeds"])
    assert "Our Own Cloud" in theirs and "Our Own Cloud" not in str(rows[guilds[1]].payload)


async def test_one_post_per_server_and_day_whatever_triggers_it(
    service: SummaryService, seeded_store: Store, clock: ManualClock
) -> None:
    (guild_id,) = await configure_servers(service, 1)
    clock.set(SLOT + timedelta(seconds=5))
    outcomes = await asyncio.gather(
        *(service.run_due(guild_id) for _ in range(5)), service.catch_up()
    )
    assert outcomes[:5].count(Action.POST) == 1
    assert await service.run_due(guild_id) is Action.NOTHING
    clock.set(SLOT + timedelta(hours=1))
    assert await service.run_due(guild_id) is Action.NOTHING  # still the same local day
    assert len(await seeded_store.outbox.rows()) == 1
    clock.set(NEXT_SLOT)
    assert await service.run_due(guild_id) is Action.POST  # the next trading day
    assert len(await seeded_store.outbox.rows()) == 2


async def test_changes_are_listed_since_the_previous_summary(
    service: SummaryService, seeded_store: Store, clock: ManualClock
) -> None:
    (guild_id,) = await configure_servers(service, 1)
    ledger = LedgerService(seeded_store, clock)
    admin = Actor(user_id=7, guild_id=guild_id, is_admin=True, is_owner=False)
    clock.set(SLOT - timedelta(hours=2))
    await ledger.add(
        admin, {"host_symbol": "WULF", "counterparty": "First Cloud"}, source_url="https://a.io"
    )
    clock.set(SLOT)
    await service.run_due(guild_id)
    clock.set(SLOT + timedelta(hours=3))
    await ledger.add(
        admin, {"host_symbol": "CIFR", "counterparty": "Second Cloud"}, source_url="https://b.io"
    )
    clock.set(NEXT_SLOT)
    await service.run_due(guild_id)
    first, second = (str(r.payload["embeds"]) for r in await seeded_store.outbox.rows())
    # The shipped ledger was seeded before the summary was configured: not listed.
    listed = first.split("Contracts added")[1].split("Alerts fired")[0]
    assert "First Cloud" in listed and "Fluidstack" not in listed
    assert "Second Cloud" in second and "First Cloud" not in second


async def test_the_catch_up_skips_what_is_too_late_and_records_it(
    service: SummaryService, seeded_store: Store, clock: ManualClock
) -> None:
    guilds = await configure_servers(service, 2)
    clock.set(SLOT + timedelta(hours=3))
    outcome = await service.catch_up()
    assert outcome == dict.fromkeys(guilds, Action.SKIP)
    assert await service.catch_up() == dict.fromkeys(guilds, Action.NOTHING)
    run = await seeded_store.summary.run(guilds[0], SLOT.date())
    assert run is not None and run.status is RunStatus.SKIPPED and run.reason
    assert await seeded_store.outbox.rows() == []


async def test_jobs_follow_the_configuration(
    service: SummaryService,
    seeded_store: Store,
    market: MarketData,
    clock: ManualClock,
    scheduler: Scheduler,
) -> None:
    (guild_id,) = await configure_servers(service, 1)
    assert scheduler.next_run(job_id(guild_id)) is not None
    other = new_service(seeded_store, market, clock, Scheduler(), zone="Europe/Paris")
    assert await other.schedule_all() == 1  # derived from the store, as at start
    assert await service.turn_off(guild_id)
    assert scheduler.next_run(job_id(guild_id)) is None
    assert await service.run_due(guild_id) is Action.NOTHING


def on_shard(shard: int, count: int, n: int = 1) -> int:
    """Return a server id that Discord puts on ``shard`` of ``count``."""
    return ((count * n + shard) << 22) | 7


def process_of_shard(
    shard: int, store: Store, market: MarketData, clock: ManualClock
) -> SummaryService:
    """The summary service of a process that runs ``shard`` of two (its scheduler not started)."""
    return new_service(store, market, clock, Scheduler(), owns=ShardPlan((shard,), 2).owns)


def has_job(service: SummaryService, guild_id: int) -> bool:
    """Tell whether a (not started) scheduler holds a server's summary job."""
    return service.scheduler.aps.get_job(job_id(guild_id)) is not None


async def test_only_the_process_running_a_servers_shard_schedules_its_summary(
    seeded_store: Store, market: MarketData, clock: ManualClock
) -> None:
    # Two processes share the store, each running one of two shards.
    processes = [process_of_shard(shard, seeded_store, market, clock) for shard in (0, 1)]
    guilds = [on_shard(0, 2), on_shard(1, 2), on_shard(1, 2, n=5)]
    for guild_id in guilds:
        # /summary config arrives at the process that runs the server's shard.
        owner = processes[1 if guild_id in guilds[1:] else 0]
        await owner.configure(guild_id, guild_id + 1)
    first, second = processes
    assert [has_job(first, g) for g in guilds] == [True, False, False]
    assert [has_job(second, g) for g in guilds] == [False, True, True]
    # At start, each process schedules its own servers from the shared store.
    assert await first.schedule_all() == 1 and await second.schedule_all() == 2
    clock.set(SLOT + timedelta(minutes=5))
    assert await first.catch_up() == {guilds[0]: Action.POST}
    assert await second.catch_up() == dict.fromkeys(guilds[1:], Action.POST)
    rows = await seeded_store.outbox.rows()
    assert sorted(r.destination.channel_id for r in rows) == sorted(g + 1 for g in guilds)


async def test_a_process_leaves_alone_a_server_on_another_shard(
    seeded_store: Store, market: MarketData, clock: ManualClock
) -> None:
    elsewhere = on_shard(1, 2)
    process = process_of_shard(0, seeded_store, market, clock)
    await process.configure(elsewhere, 55)
    assert not has_job(process, elsewhere)
    clock.set(SLOT + timedelta(minutes=5))
    assert await process.catch_up() == {}
    assert await seeded_store.outbox.rows() == []
