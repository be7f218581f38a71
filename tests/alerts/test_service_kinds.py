"""The new kinds through the service and the evaluator on a real store with stored history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.facts import DailyFactsBook
from bot.alerts.model import AlertState, Side, Tick
from bot.alerts.reading import SignalReader
from bot.alerts.service import AlertService
from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.models import DailyBar
from bot.render.alert_replies import created_reply
from bot.store import Store
from tests import factories
from tests.alerts.helpers import CHANNEL, MEMBER, T0, add, quote

DAY = date(2026, 11, 25)


async def _history(store: Store) -> None:
    """A year of CIFR at 50.00, its high 60.00 and low 40.00 once; 1 M shares a day."""
    bars = []
    for n in range(260):
        day = DAY - timedelta(days=n + 1)
        high = 60.0 if n == 100 else 50.0
        low = 40.0 if n == 150 else 50.0
        bars.append(DailyBar(day, 50.0, high, low, 50.0, 1_000_000))
    await store.prices.upsert_daily("CIFR", bars)


@pytest.fixture
def reader(store: Store, calendar: TradingCalendar) -> SignalReader:
    return SignalReader(calendar, DailyFactsBook(store.prices.load_daily))


@pytest.fixture
def kinds_service(
    store: Store, clock: ManualClock, calendar: TradingCalendar, reader: SignalReader
) -> AlertService:
    return AlertService(store, clock, calendar, reader=reader)


@pytest.fixture
def kinds_evaluator(
    store: Store, clock: ManualClock, calendar: TradingCalendar, reader: SignalReader
) -> AlertEvaluator:
    return AlertEvaluator(store, clock, calendar, reader=reader)


async def test_a_high52_alert_made_after_todays_new_high_waits_and_says_so(
    store: Store, kinds_service: AlertService
) -> None:
    await _history(store)
    now = factories.quote("CIFR", 59.0, previous_close=50.0, as_of=T0, day_high=61.0)
    result = await kinds_service.create(
        MEMBER, channel_id=CHANNEL, symbol="CIFR", condition="high52", value=None, quote=now
    )
    assert result.waiting and result.alert.move_up_day == DAY
    reply = created_reply(result.alert, now, waiting=True, cooldown=timedelta(minutes=15))
    assert "CIFR makes a new 52-week high" in reply
    assert "already made a new 52-week high today" in reply


async def test_a_new_high_fires_once_through_the_outbox_then_waits_for_the_next_day(
    store: Store, kinds_service: AlertService, kinds_evaluator: AlertEvaluator, clock: ManualClock
) -> None:
    await _history(store)
    created = await add(kinds_service, "high52", None, price=55.0, repeat=True)
    assert not created.waiting
    report = await kinds_evaluator.evaluate([Tick(quote(61.0))])
    assert [f.alert.id for f in report.firings] == [created.alert.id]
    later = T0 + timedelta(minutes=5)
    clock.set(later)
    again = await kinds_evaluator.evaluate([Tick(quote(62.0, at=later))])
    assert again.firings == [] and again.messages == 0
    rows = await store.outbox.rows()
    assert [r.dedupe_key for r in rows] == [f"alert:{created.alert.id}:1"]
    stored = await store.alerts.get(created.alert.id)
    assert stored is not None and stored.state is AlertState.ARMED
    assert stored.move_up_day == DAY


async def test_a_ma_cross_alert_stores_its_side_and_a_resume_starts_from_the_price_now(
    store: Store, kinds_service: AlertService, kinds_evaluator: AlertEvaluator
) -> None:
    await _history(store)
    created = await add(kinds_service, "ma_cross", None, price=49.0, versus="ma50")
    assert created.alert.side is Side.BELOW and created.alert.basis is not None
    await kinds_service.pause(MEMBER, created.alert.id)
    # Crossed while paused: resuming above the average must not fire that crossing.
    resumed = await kinds_service.resume(MEMBER, created.alert.id, quote(52.0))
    assert resumed.alert.side is Side.ABOVE and resumed.alert.state is AlertState.ARMED
    assert (await kinds_evaluator.evaluate([Tick(quote(52.5))])).firings == []
    fired = await kinds_evaluator.evaluate([Tick(quote(49.0, at=T0 + timedelta(seconds=1)))])
    assert [f.alert.id for f in fired.firings] == [created.alert.id]


async def test_without_history_the_kinds_fire_nothing(
    kinds_service: AlertService, kinds_evaluator: AlertEvaluator
) -> None:
    for condition, value, versus in (("high52", None, None), ("volume", 1.5, None)):
        await add(kinds_service, condition, value, price=50.0, versus=versus)
    huge = factories.quote("CIFR", 500.0, previous_close=50.0, as_of=T0, volume=10**9)
    report = await kinds_evaluator.evaluate([Tick(huge)])
    assert report.firings == []
