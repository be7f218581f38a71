"""One leader among the processes sharing a store, and a standby that takes over in time."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import asyncpg
import pytest

from bot.leadership import LEADER_LOCK_KEY, AlwaysLeader, FileLeadership, leadership_for
from bot.pipeline import PricePipeline
from bot.schedule import Scheduler, schedule_market_jobs
from bot.store import Store
from bot.store.db import Database
from bot.store.postgres import PostgresDatabase

TAKEOVER_SECONDS = 15.0  # the promise: a standby leads within 15 s of the leader's death


@pytest.fixture
async def stores(store_location: Path | str) -> AsyncIterator[tuple[Store, Store]]:
    """Two connections to one store, as two processes would hold them."""
    first = await Store.open(store_location)
    second = await Store.open(store_location)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def until(condition: Callable[[], bool], seconds: float) -> float:
    """Wait until ``condition`` holds; return how long it took (fail after ``seconds``)."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > seconds:
            pytest.fail(f"not within {seconds} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - began


async def test_exactly_one_of_two_processes_leads(stores: tuple[Store, Store]) -> None:
    first, second = (leadership_for(store.db) for store in stores)
    await first.start()
    await second.start()
    try:
        assert first.is_leader  # a process alone leads from its start, without waiting
        await asyncio.sleep(0.3)
        assert not second.is_leader
    finally:
        await first.close()
        await second.close()


async def test_a_clean_stop_hands_the_leadership_over(stores: tuple[Store, Store]) -> None:
    first, second = (leadership_for(store.db) for store in stores)
    await first.start()
    await second.start()
    try:
        await first.close()
        assert not first.is_leader
        took = await until(lambda: second.is_leader, TAKEOVER_SECONDS)
        assert took <= TAKEOVER_SECONDS
    finally:
        await first.close()
        await second.close()


async def _lock_holder(url: str) -> int:
    """The server process of the session holding the leader lock."""
    admin = await asyncpg.connect(url)
    try:
        pid = await admin.fetchval(
            # This test's database only: other tests' stores live in the same cluster.
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = $1 AND objid = $2"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            LEADER_LOCK_KEY >> 32,
            LEADER_LOCK_KEY & 0xFFFFFFFF,
        )
    finally:
        await admin.close()
    assert pid is not None, "nobody holds the leader lock"
    return int(pid)


async def test_a_leader_that_loses_its_connection_stops_and_the_standby_leads(
    stores: tuple[Store, Store], caplog: pytest.LogCaptureFixture
) -> None:
    first_db, _ = (store.db for store in stores)
    if not isinstance(first_db, PostgresDatabase):
        pytest.skip("a SQLite file lock is lost only with its process (the next test)")
    caplog.set_level(logging.INFO, logger="bot.leadership")
    first, second = (leadership_for(store.db) for store in stores)
    await first.start()
    await second.start()
    try:
        assert first.is_leader and not second.is_leader
        both: list[float] = []
        admin = await asyncpg.connect(first_db.url)
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", await _lock_holder(first_db.url))
        finally:
            await admin.close()
        began = time.monotonic()
        while not second.is_leader:
            if first.is_leader and second.is_leader:
                both.append(time.monotonic() - began)
            if time.monotonic() - began > TAKEOVER_SECONDS:
                pytest.fail(f"the standby did not lead within {TAKEOVER_SECONDS} s")
            await asyncio.sleep(0.05)
        assert not first.is_leader
        assert both == []  # never two leaders at once
        warnings = [r for r in caplog.records if "stopped leading" in r.getMessage()]
        assert [r.levelno for r in warnings] == [logging.WARNING]
        became = [r for r in caplog.records if "became the leader" in r.getMessage()]
        assert len(became) == 2 and all(r.levelno == logging.INFO for r in became)
        # The old leader competes again, and stands by while the new one holds the lock.
        await asyncio.sleep(6)
        assert not first.is_leader and second.is_leader
    finally:
        await first.close()
        await second.close()


_HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(600)
"""


async def test_a_standby_leads_once_the_leading_process_is_killed(
    sqlite_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.leadership")
    db = sqlite_store.db
    lock = db.path.with_name(db.path.name + ".leader")
    leader = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _HOLD, str(lock), stdout=asyncio.subprocess.PIPE
    )
    standby = leadership_for(db)
    try:
        assert leader.stdout is not None
        assert (await leader.stdout.readline()).strip() == b"held"
        assert isinstance(standby, FileLeadership)
        await standby.start()
        await asyncio.sleep(0.3)
        assert not standby.is_leader
        leader.kill()
        await leader.wait()
        took = await until(lambda: standby.is_leader, TAKEOVER_SECONDS)
        assert took <= TAKEOVER_SECONDS
        assert any("became the leader" in r.getMessage() for r in caplog.records)
    finally:
        if leader.returncode is None:
            leader.kill()
            await leader.wait()
        await standby.close()


async def test_a_store_in_memory_always_leads() -> None:
    db = await Database.open(Path(":memory:"))
    try:
        leadership = leadership_for(db)
        assert isinstance(leadership, AlwaysLeader)
        await leadership.start()
        assert leadership.is_leader
    finally:
        await db.close()


class CountingPipeline:
    """The price pipeline's jobs, counted (what a poll does is not the point here)."""

    def __init__(self) -> None:
        self.ticks = 0

    async def tick(self) -> None:
        self.ticks += 1

    async def refresh_history(self) -> dict[str, int]:
        return {}


async def test_two_schedulers_on_one_store_never_both_poll_prices(
    stores: tuple[Store, Store],
) -> None:
    pipelines = [CountingPipeline(), CountingPipeline()]
    leaderships = [leadership_for(store.db) for store in stores]
    schedulers = [Scheduler(leadership) for leadership in leaderships]
    try:
        for leadership, scheduler, pipeline in zip(leaderships, schedulers, pipelines, strict=True):
            await leadership.start()
            schedule_market_jobs(scheduler, cast(PricePipeline, pipeline), 0.05, datetime.now(UTC))
            scheduler.start()
        await asyncio.sleep(1.0)
        assert pipelines[0].ticks >= 5
        assert pipelines[1].ticks == 0  # its scheduler runs, its polls return at once
        # The leading process stops: the other one polls from then on, and only it.
        await schedulers[0].stop()
        await leaderships[0].close()
        stopped_at = pipelines[0].ticks
        await until(lambda: pipelines[1].ticks >= 3, TAKEOVER_SECONDS)
        assert pipelines[0].ticks == stopped_at
    finally:
        for scheduler, leadership in zip(schedulers, leaderships, strict=True):
            await scheduler.stop()
            await leadership.close()


async def test_a_scheduler_given_no_leadership_runs_the_global_jobs() -> None:
    """Embedded or in tests, with nobody to share a store with: it polls as it always did."""
    pipeline = CountingPipeline()
    scheduler = Scheduler()
    schedule_market_jobs(scheduler, cast(PricePipeline, pipeline), 0.05, datetime.now(UTC))
    scheduler.start()
    try:
        await until(lambda: pipeline.ticks >= 2, 5.0)
    finally:
        await scheduler.stop()
