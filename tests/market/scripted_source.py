"""A Source whose answers a test scripts, to exercise the feed's policy without HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.market.guards import Rejection
from bot.market.intraday import IntradaySpan
from bot.market.models import Bar, DailyBar, DataSource, Quote
from bot.market.source import Fetched, SourceThrottled
from tests import factories

Answer = Callable[[str, datetime], Fetched]


def quote(symbol: str, price: float, as_of: datetime) -> Quote:
    """Return a plain candidate quote."""
    return factories.quote(
        symbol,
        price,
        previous_close=price * 0.98,
        day_high=price * 1.01,
        day_low=price * 0.97,
        volume=1_000,
        as_of=as_of,
        source=DataSource.REPLAY,
    )


@dataclass
class ScriptedSource:
    """Answer each fetch with ``answer`` (default: a fresh quote at 10.0) and count calls."""

    answer: Answer | None = None
    delay: float = 0.0
    throttle: str | None = None
    calls: list[str] = field(default_factory=list)
    daily: list[DailyBar] = field(default_factory=list)
    intraday: list[Bar] = field(default_factory=list)
    concurrency: int = 4
    name: DataSource = DataSource.REPLAY

    def requests_made(self) -> int:
        return len(self.calls)

    async def prepare_poll(self, symbols: Sequence[str], now: datetime) -> None:
        return None

    async def fetch_quote(self, symbol: str, *, http_timeout: float, now: datetime) -> Fetched:
        self.calls.append(symbol)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.throttle is not None:
            raise SourceThrottled(self.throttle)
        if self.answer is not None:
            return self.answer(symbol, now)
        return Fetched(symbol=symbol, quote=quote(symbol, 10.0, now))

    async def fetch_daily(
        self, symbol: str, days: int, *, http_timeout: float, now: datetime
    ) -> list[DailyBar]:
        self.calls.append(f"daily:{symbol}")
        if self.throttle is not None:
            raise SourceThrottled(self.throttle)
        return list(self.daily)

    async def fetch_intraday(
        self, symbol: str, span: IntradaySpan, *, http_timeout: float, now: datetime
    ) -> list[Bar]:
        self.calls.append(f"intraday:{symbol}:{span.period}")
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.throttle is not None:
            raise SourceThrottled(self.throttle)
        return list(self.intraday)

    async def aclose(self) -> None:
        return None


def with_bars(symbol: str, now: datetime, prices: Sequence[float]) -> Fetched:
    """Return a quote at the last price with one-minute bars ending at ``now``."""
    start = now - timedelta(minutes=len(prices))
    bars = tuple(
        Bar(start + timedelta(minutes=i), p, p + 0.5, p - 0.5, p, 10) for i, p in enumerate(prices)
    )
    return Fetched(
        symbol=symbol,
        quote=quote(symbol, prices[-1], now),
        bars=bars,
        bar_length=timedelta(minutes=1),
    )


def failing(reason: Rejection) -> Answer:
    """Return an answer that always fails for ``reason``."""
    return lambda symbol, now: Fetched.failed(symbol, reason, "scripted")


def shifted(fetched: Fetched, **changes: object) -> Fetched:
    """Return ``fetched`` with its quote changed."""
    assert fetched.quote is not None
    return replace(fetched, quote=replace(fetched.quote, **changes))  # type: ignore[arg-type]
