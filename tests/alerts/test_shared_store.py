"""Alerts another process adds to a shared store fire in the process that evaluates them."""

from __future__ import annotations

from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.service import AlertService
from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.services import others_write_alerts
from bot.shards import ShardPlan
from bot.store import Store
from bot.store.postgres import PostgresDatabase
from tests.alerts.helpers import add, tick


async def test_an_alert_added_by_another_process_fires_in_the_leader(
    store: Store, other_process: Store, clock: ManualClock, calendar: TradingCalendar
) -> None:
    """The leader evaluates; a member's /alert add was answered by the process owning the
    server's shard. The leader's first evaluation already ran (so an in-memory index would
    have been built without the new alert): the crossing must still fire it."""
    store.alerts.others_write = True
    leader = AlertEvaluator(store, clock, calendar)
    assert not (await leader.evaluate([tick(50.0, previous=49.0)])).firings

    created = await add(AlertService(other_process, clock, calendar), "above", 51.0, price=50.0)
    report = await leader.evaluate([tick(52.0, previous=50.0)])

    assert [f.alert.id for f in report.firings] == [created.alert.id]
    assert not store.alerts.levels.ready  # nothing held in memory that could go stale


async def test_a_lone_process_keeps_its_in_memory_index(
    store: Store, service: AlertService, evaluator: AlertEvaluator
) -> None:
    """The bot's only process finds level alerts in memory, following its own changes."""
    created = await add(service, "above", 51.0, price=50.0)
    report = await evaluator.evaluate([tick(52.0, previous=50.0)])
    assert [f.alert.id for f in report.firings] == [created.alert.id]
    assert store.alerts.levels.ready


async def test_which_stores_other_processes_may_write(store: Store) -> None:
    """A file shared by shard ranges, or any PostgreSQL store, is written by others too."""
    alone = not isinstance(store.db, PostgresDatabase)
    assert others_write_alerts(store, None) is not alone
    assert others_write_alerts(store, ShardPlan.every(4)) is not alone
    assert others_write_alerts(store, ShardPlan((0, 1), 4))
