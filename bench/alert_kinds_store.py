"""A store of alerts over every kind, with the daily history their facts come from.

Used by bench/bench_alerts.py to time a market-wide jump against alerts of every kind,
side by side with the price-only store in the same run. Every alert is stored in the state
its kind implies before the jump (the daily kinds already fired today where today's figure
had reached them), so what the jump changes is exactly what the rules decide.

The day's figures before the jump (each symbol's move +1 % as in the price-only store):
- 52-week high 1 % above the price for IREN, CIFR and WULF (the +2 % jump makes a new high),
  50 % above for the others; 52-week low at half the price.
- 50-day average 1 % above the price for HUT, CORZ and APLD (the jump clears it by more than
  the 0.5 % band), 10 % above for the others; 200-day average 10 % below: no cross there.
- Volume 1.9× the pace of the 20-day average before the poll, 2.0× after.
- Opening gap +1 %; every symbol moves as much as bitcoin (no relative lead appears).
- Daily closes wiggle alike for every symbol, so each correlates about 1.0 with bitcoin and
  NVIDIA; every correlation alert already stands on its side (nothing to cross).
- Earnings two days ahead for CIFR, IREN, WULF, HUT and CORZ: their reminders went out at
  the day's first poll, so this one only looks them up.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any, Final

from bench.common import quote
from bot.alerts.model import Tick
from bot.market.models import DailyBar
from bot.store import Store

NEW_HIGH: Final = frozenset({"IREN", "CIFR", "WULF"})
MA_CROSS: Final = frozenset({"HUT", "CORZ", "APLD"})
SHARES: Final = (
    ("above", 0.28),
    ("below", 0.28),
    ("move_pct", 0.10),
    ("high52", 0.05),
    ("low52", 0.05),
    ("ma_cross", 0.05),
    ("volume", 0.05),
    ("gap", 0.04),
    ("relative", 0.04),
    ("correlation", 0.03),
    ("earnings", 0.03),
)
EARNINGS_SOON: Final = frozenset({"CIFR", "IREN", "WULF", "HUT", "CORZ"})
EARNINGS_IN_DAYS: Final = 2
AVERAGE_VOLUME: Final = 1_000_000
VOLUME_BEFORE, VOLUME_AFTER = 1.9, 2.0  # multiples of the pace at the 10 % floor
GAP: Final = 1.0  # percent
SESSIONS: Final = 260


def history(price: float, symbol: str, last: date) -> list[DailyBar]:
    """Return a year of bars whose facts are the ones the module docstring lists."""
    ma50 = price * (1.01 if symbol in MA_CROSS else 0.95)
    ma200 = price * 0.90
    older = (200 * ma200 - 50 * ma50) / 150  # the 150 closes before the last 50
    high = price * (1.01 if symbol in NEW_HIGH else 1.5)
    bars = []
    day = last
    for n in range(SESSIONS):
        close = ma50 if n < 50 else older if n < 200 else ma200
        close *= 1 + 0.001 * (n % 3 - 1)  # the same wiggle for every symbol
        bar_high, bar_low = close, close
        if n == 120:
            bar_high = high
        if n == 130:
            bar_low = price * 0.5
        bars.append(DailyBar(day, close, bar_high, bar_low, close, AVERAGE_VOLUME))
        day -= timedelta(days=1)
    return bars[::-1]


async def store_history(store: Store, price_of: dict[str, float], today: date) -> None:
    """Store each symbol's year of bars (up to the session before ``today``)."""
    for symbol, price in price_of.items():
        await store.prices.upsert_daily(symbol, history(price, symbol, today - timedelta(days=1)))


def alert_rows(
    count: int,
    price_of: dict[str, float],
    rng: random.Random,
    symbols: list[str],
    now: datetime,
    day_move_before: float,
) -> Iterator[tuple[Any, ...]]:
    """Yield ``count`` alert rows over every kind, each in the state it would be in now."""
    created = (now - timedelta(days=1)).isoformat()
    expires = (now + timedelta(days=89)).isoformat()
    today = now.date().isoformat()
    kinds = [k for k, _ in SHARES]
    weights = [w for _, w in SHARES]
    low, high = math.log(0.1), math.log(10.0)
    for n in range(count):
        symbol = symbols[n % len(symbols)]
        price = price_of[symbol]
        kind = rng.choices(kinds, weights)[0]
        if symbol == "BTC-USD" and kind in ("gap", "earnings"):
            kind = "above"  # a pair trading around the clock has no open, nor earnings
        up_day = basis = side = None
        level = 0.0
        state = "armed"
        if kind == "move_pct":
            level = round(rng.uniform(0.1, 100.0), 2)
            up_day = today if level <= (day_move_before - 1) * 100 else None
        elif kind in ("above", "below"):
            level = price * math.exp(rng.uniform(low, high))
            near = level >= price if kind == "above" else level <= price
            state = "armed" if near else "rearming"
        elif kind == "ma_cross":
            basis = rng.choice(["ma50", "ma200", "ma50_ma200"])
            below = basis == "ma50" and symbol in MA_CROSS
            side = "below" if below else "above"
        elif kind == "volume":
            level = round(rng.uniform(1.5, 20.0), 2)
            up_day = today if level <= VOLUME_BEFORE else None
        elif kind == "gap":
            level = round(rng.uniform(0.1, 50.0), 2)
            up_day = today if level <= GAP else None
        elif kind == "relative":
            level = round(rng.uniform(0.1, 100.0), 2)
            basis = "NVDA" if symbol == "BTC-USD" else "BTC-USD"
        elif kind == "correlation":
            level = round(rng.uniform(-0.9, 0.9), 2)
            basis = rng.choice(["BTC-USD", "NVDA"])
            if basis == symbol:
                basis = "BTC-USD" if symbol == "NVDA" else "NVDA"
            side = "above"  # every correlation here is about 1.0
        elif kind == "earnings":
            level = float(rng.randint(1, 14))
            if symbol in EARNINGS_SOON and level >= EARNINGS_IN_DAYS:
                up_day = (now.date() + timedelta(days=EARNINGS_IN_DAYS)).isoformat()
        guild = rng.randrange(2_000)
        yield (
            guild,
            guild * 10 + rng.randrange(4),
            rng.randrange(1, 200_000),
            symbol,
            kind,
            level,
            int(rng.random() < 0.3),
            int(rng.random() < 0.1),
            state,
            created,
            expires,
            up_day,
            basis,
            side,
        )


INSERT: Final = (
    "INSERT INTO alerts (guild_id, channel_id, owner_id, symbol, kind, level, repeat, via_dm,"
    " state, created_at, expires_at, move_up_day, basis, side) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def earnings_dates(today: date) -> dict[str, list[date]]:
    """The calendar the bench's evaluator reads: earnings two days ahead for a few symbols."""
    return {s: [today + timedelta(days=EARNINGS_IN_DAYS)] for s in EARNINGS_SOON}


def ticks(
    price_of: dict[str, float], now: datetime, day_move_before: float, move: float
) -> list[Tick]:
    """Return a market-wide jump: every symbol ``move`` since the previous poll."""
    result = []
    for symbol, price in price_of.items():
        close = price / day_move_before
        before = quote(symbol, price, close, now - timedelta(minutes=1))
        after = dataclasses.replace(
            quote(symbol, price * move, close, now),
            volume=int(AVERAGE_VOLUME * 0.1 * VOLUME_AFTER),
            day_open=close * (1 + GAP / 100),
        )
        result.append(Tick(after, previous=before))
    return result
