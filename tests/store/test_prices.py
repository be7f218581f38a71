"""Daily price history in the store: round trip, replacement by day, bad bars refused."""

from __future__ import annotations

import math
from datetime import date

from bot.market.models import DailyBar
from bot.store import Store


def _bar(day: int, close: float, volume: int = 1_000) -> DailyBar:
    return DailyBar(
        date=date(2026, 11, day),
        open=close,
        high=close + 1,
        low=close - 1,
        close=close,
        volume=volume,
    )


async def test_round_trip_oldest_first(store: Store) -> None:
    written = await store.prices.upsert_daily("IREN", [_bar(25, 41.0), _bar(24, 40.0)])
    assert written == 2
    bars = await store.prices.load_daily("IREN", date(2026, 11, 1))
    assert [(b.date.day, b.close) for b in bars] == [(24, 40.0), (25, 41.0)]
    assert await store.prices.load_daily("CIFR", date(2026, 11, 1)) == []


async def test_refresh_replaces_a_day_instead_of_duplicating_it(store: Store) -> None:
    await store.prices.upsert_daily("IREN", [_bar(25, 41.0)])
    await store.prices.upsert_daily("IREN", [_bar(25, 42.5)])
    bars = await store.prices.load_daily("IREN", date(2026, 11, 25))
    assert [b.close for b in bars] == [42.5]


async def test_bars_without_a_usable_close_are_skipped(store: Store) -> None:
    written = await store.prices.upsert_daily(
        "IREN", [_bar(23, math.nan), _bar(24, 0.0), _bar(25, 41.0)]
    )
    assert written == 1
    assert [b.date.day for b in await store.prices.load_daily("IREN", date(2026, 11, 1))] == [25]
