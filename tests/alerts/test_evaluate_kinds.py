"""The index terms of the new kinds miss nothing the rules would change, on a real store."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from bot.alerts.engine import step
from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.model import AlertKind, AlertState, Basis, Side, Tick
from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.earnings import EarningsCalendar
from bot.market.models import DailyBar
from bot.store import Store
from tests import factories
from tests.alerts.helpers import T0, all_alerts, new_alert, random_timers

DAY = date(2026, 11, 25)
NEW_KINDS = [
    AlertKind.HIGH52,
    AlertKind.LOW52,
    AlertKind.MA_CROSS,
    AlertKind.VOLUME,
    AlertKind.GAP,
    AlertKind.RELATIVE,
    AlertKind.CORRELATION,
    AlertKind.EARNINGS,
]
EARNINGS_DATES = [DAY, DAY + timedelta(days=2), DAY + timedelta(days=9), DAY + timedelta(days=20)]


async def _year(store: Store, rng: random.Random) -> None:
    """A year of CIFR around 50 with a 55 high and a 45 low; MA50 about 50.5, MA200 about 50."""
    bars = []
    for n in range(260):
        close = rng.choice([50.3, 50.5, 50.7]) if n < 50 else rng.choice([49.5, 50.0, 50.2])
        high = 55.0 if n == 80 else close
        low = 45.0 if n == 90 else close
        bars.append(DailyBar(DAY - timedelta(days=n + 1), close, high, low, close, 1_000_000))
    await store.prices.upsert_daily("CIFR", bars)
    # Benchmarks with random daily closes: some correlation to CIFR's, read once a day.
    for symbol, base in (("BTC-USD", 90_000.0), ("NVDA", 180.0)):
        closes = [base * rng.uniform(0.97, 1.03) for _ in range(60)]
        await store.prices.upsert_daily(
            symbol,
            [
                DailyBar(DAY - timedelta(days=n + 1), c, c, c, c, 1_000)
                for n, c in enumerate(closes)
            ],
        )


async def _calendar_with(day: date | None) -> EarningsCalendar:
    """An earnings calendar that lists ``day`` for CIFR (nothing when None)."""

    async def fetch(symbol: str) -> list[date] | None:
        return None if day is None else [day]

    calendar = EarningsCalendar(fetch, ManualClock(T0))
    await calendar.refresh(["CIFR"])
    return calendar


def _level(kind: AlertKind, rng: random.Random) -> float:
    if kind is AlertKind.VOLUME:
        return rng.choice([1.5, 2.0, 3.0, rng.uniform(1.5, 6.0)])
    if kind in (AlertKind.GAP, AlertKind.RELATIVE):
        return rng.choice([1.0, 2.0, 5.0, rng.uniform(0.1, 8.0)])
    if kind is AlertKind.CORRELATION:
        return rng.uniform(-0.9, 0.9)
    if kind is AlertKind.EARNINGS:
        return float(rng.randint(1, 14))
    return 0.0


def _basis(kind: AlertKind, rng: random.Random) -> Basis | None:
    if kind is AlertKind.MA_CROSS:
        return rng.choice([Basis.MA50, Basis.MA200, Basis.MA50_MA200])
    if kind in (AlertKind.RELATIVE, AlertKind.CORRELATION):
        return rng.choice([Basis.BTC, Basis.NVDA])
    return None


@pytest.mark.parametrize("seed", range(6))
async def test_the_new_kinds_index_terms_miss_no_change_the_rules_would_make(
    store: Store, calendar: TradingCalendar, seed: int
) -> None:
    rng = random.Random(seed)
    await _year(store, rng)
    async with store.db.transaction() as conn:
        for _ in range(300):
            kind = rng.choice(NEW_KINDS)
            new = new_alert(
                kind,
                _level(kind, rng),
                repeat=rng.random() < 0.5,
                state=rng.choice([AlertState.ARMED, AlertState.ARMED, AlertState.PAUSED]),
                expires_at=T0 + timedelta(days=rng.choice([-1, 30])),
                move_up_day=rng.choice([None, DAY, DAY - timedelta(days=1), *EARNINGS_DATES]),
                move_down_day=rng.choice([None, DAY, *EARNINGS_DATES]),
                basis=_basis(kind, rng),
                side=rng.choice([None, Side.ABOVE, Side.BELOW])
                if kind in (AlertKind.MA_CROSS, AlertKind.CORRELATION)
                else None,
            )
            created = await store.alerts.insert(conn, new)
            await random_timers(store, conn, created.id, rng, [None, -30, 1, 30])
    evaluator = AlertEvaluator(store, ManualClock(T0), calendar)
    alerts = await all_alerts(store)
    fired: set[AlertKind] = set()
    for _ in range(40):
        last = rng.choice([rng.uniform(44.0, 56.0), 50.5, 50.75, 55.0, 45.0, 56.0])
        benchmarks = [
            factories.quote("BTC-USD", 90_000 * rng.uniform(0.95, 1.05), previous_close=90_000.0),
            factories.quote("NVDA", 180 * rng.uniform(0.95, 1.05), previous_close=180.0),
        ]
        t = Tick(
            factories.quote(
                "CIFR",
                last,
                previous_close=rng.choice([48.0, 50.0, 52.0]),
                volume=rng.choice([None, 50_000, 150_000, 400_000, 2_000_000]),
                day_open=rng.choice([None, 49.0, 50.0, 51.0, 53.0]),
            ),
            high=rng.choice([None, last * rng.uniform(1.0, 1.05), 55.0, 56.0]),
            low=rng.choice([None, last * rng.uniform(0.95, 1.0), 45.0, 44.0]),
        )
        ticks = [t, *(Tick(q) for q in benchmarks)]
        evaluator.reader.earnings = await _calendar_with(rng.choice([None, *EARNINGS_DATES]))
        await evaluator.reader.prepare(ticks)
        async with store.db.transaction() as conn:
            found = {c.before.id: c for c in await evaluator.find(conn, ticks, T0)}
        benchmark_quotes = evaluator.reader.benchmarks(ticks)
        signal = evaluator.reader.signal(t, DAY, benchmark_quotes)
        everywhere = {
            a.id: c for a in alerts if (c := step(a, t, now=T0, day=DAY, signal=signal)) is not None
        }
        assert found == everywhere
        fired |= {c.before.kind for c in everywhere.values() if c.firings}
    # The ticks reach every kind: the comparison above is not vacuous.
    assert fired == set(NEW_KINDS)
