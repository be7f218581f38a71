"""Daily history: refreshed once a day per symbol, served from the store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.history import HistoryService, PriceHistoryStore
from bot.market.models import DailyBar
from tests import factories

from .memory_store import MemoryHistoryStore
from .scripted_source import ScriptedSource

NOW = datetime(2026, 9, 24, 22, 0, tzinfo=UTC)


def bars_until(day: date, n: int) -> list[DailyBar]:
    return [DailyBar(day - timedelta(days=i), 10, 11, 9, 10 + i / 100, 1000) for i in range(n)][
        ::-1
    ]


def service(
    source: ScriptedSource, clock: ManualClock, calendar: TradingCalendar, store: MemoryHistoryStore
) -> HistoryService:
    provider = factories.feed(source, clock, calendar)
    return HistoryService(provider, store, clock)


def test_the_memory_store_satisfies_the_protocol() -> None:
    """The test double has the store's shape."""
    store: PriceHistoryStore = MemoryHistoryStore()
    assert store is not None


async def test_refresh_once_a_day_and_serve_from_the_store(calendar: TradingCalendar) -> None:
    """The first refresh stores a year; a second one the same day asks nothing; next day does."""
    clock = ManualClock(NOW)
    source = ScriptedSource(daily=bars_until(NOW.date(), 300))
    store = MemoryHistoryStore()
    history = service(source, clock, calendar, store)

    assert await history.refresh(["cifr", "WULF"]) == {"CIFR": 300, "WULF": 300}
    assert await history.refresh(["CIFR", "WULF"]) == {}
    assert sorted(source.calls) == ["daily:CIFR", "daily:WULF"]
    assert history.refreshed_on("CIFR") == NOW.date()

    month = await history.load("CIFR", 30)
    assert [b.date for b in month] == [NOW.date() - timedelta(days=i) for i in range(30, -1, -1)]

    clock.advance(timedelta(days=1))
    source.daily = bars_until(clock.now().date(), 300)
    assert await history.refresh(["CIFR"]) == {"CIFR": 300}
    assert store.upserts == 3


async def test_failed_refresh_is_retried_the_same_day(calendar: TradingCalendar) -> None:
    """When nothing arrives, the symbol is not marked refreshed."""
    clock = ManualClock(NOW)
    source = ScriptedSource(daily=[])
    store = MemoryHistoryStore()
    history = service(source, clock, calendar, store)
    assert await history.refresh(["IREN"]) == {}
    source.daily = bars_until(NOW.date(), 5)
    assert await history.refresh(["IREN"]) == {"IREN": 5}
    assert store.upserts == 1
