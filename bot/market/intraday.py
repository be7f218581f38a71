"""Intraday bars for short charts: the spans offered, and a small in-memory cache.

A chart of the last session or week asks for minutes-level bars. They are fetched at most
once per symbol and span while fresh, so one chart costs at most one request however many
members ask; when the source cannot answer, bars a few days old are served marked stale.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from bot.clock import Clock
from bot.errors import MinerwatchError
from bot.market.models import Bar, DataSource
from bot.market.shared_call import settle_with

IntradayPeriod = Literal["1d", "5d"]


@dataclass(frozen=True, slots=True)
class IntradaySpan:
    """One intraday chart period: how many sessions and how long each bar is."""

    period: IntradayPeriod
    sessions: int
    interval: str  # Yahoo's name for the bar length
    bar_length: timedelta


SPANS: Final[dict[IntradayPeriod, IntradaySpan]] = {
    # 1d: the last session in 5-minute bars (about 190 with pre- and post-market).
    "1d": IntradaySpan("1d", 1, "5m", timedelta(minutes=5)),
    # 5d: five sessions in 15-minute bars (about 320), few enough to read as candles.
    "5d": IntradaySpan("5d", 5, "15m", timedelta(minutes=15)),
}
# Bars this young are served without asking the source again (a 5-minute bar is still
# forming: three minutes keeps the chart within one bar of live).
FRESH_FOR: Final = timedelta(minutes=3)
# When the source fails, bars up to this old are still worth showing, marked stale (a
# long weekend is three days without new bars anyway).
STALE_LIMIT: Final = timedelta(days=4)
CACHE_ENTRIES: Final = 200  # (symbol, span) pairs; a few KB each


@dataclass(frozen=True, slots=True)
class IntradayBars:
    """One symbol's intraday bars, oldest first, and how old they are."""

    symbol: str
    span: IntradaySpan
    bars: tuple[Bar, ...]
    fetched_at: datetime
    source: DataSource
    stale: bool = False


class IntradayUnavailable(MinerwatchError):
    """No intraday bars for a symbol: the source did not answer and nothing usable is held."""

    def __init__(self, symbol: str, period: IntradayPeriod) -> None:
        super().__init__(f"{symbol}: no intraday bars for {period}")
        self.symbol = symbol
        self.period = period

    @property
    def user_message(self) -> str:
        return (
            f"No intraday prices for {self.symbol} right now: the price source did not answer "
            "or has none for this symbol. Try again in a few minutes, or a daily period "
            "such as 1mo."
        )


Fetch = Callable[[str, IntradaySpan], Awaitable[list[Bar]]]


class IntradayCache:
    """Intraday bars per (symbol, span): fresh ones from memory, else one fetch."""

    def __init__(
        self,
        fetch: Fetch,
        clock: Clock,
        source: DataSource,
        *,
        entries: int = CACHE_ENTRIES,
        fresh_for: timedelta = FRESH_FOR,
        stale_limit: timedelta = STALE_LIMIT,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._source = source
        self._entries = entries
        self._fresh_for = fresh_for
        self._stale_limit = stale_limit
        self._held: OrderedDict[tuple[str, IntradayPeriod], IntradayBars] = OrderedDict()
        # Members asking for the same chart at once share one fetch.
        self._inflight: dict[tuple[str, IntradayPeriod], asyncio.Future[IntradayBars]] = {}

    def __len__(self) -> int:
        return len(self._held)

    async def bars(self, symbol: str, period: IntradayPeriod) -> IntradayBars:
        """Return ``symbol``'s bars for ``period`` (raises IntradayUnavailable)."""
        key = (symbol, period)
        held = self._held.get(key)
        if held is not None and self._clock.now() - held.fetched_at < self._fresh_for:
            self._held.move_to_end(key)
            return held
        inflight = self._inflight.get(key)
        if inflight is not None:
            return await asyncio.shield(inflight)
        future: asyncio.Future[IntradayBars] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            return await settle_with(future, self._refresh(symbol, period, held))
        finally:
            del self._inflight[key]

    async def _refresh(
        self, symbol: str, period: IntradayPeriod, held: IntradayBars | None
    ) -> IntradayBars:
        now = self._clock.now()
        fetched = await self._fetch(symbol, SPANS[period])
        if fetched:
            result = IntradayBars(symbol, SPANS[period], tuple(fetched), now, self._source)
            self._held[(symbol, period)] = result
            self._held.move_to_end((symbol, period))
            while len(self._held) > self._entries:
                self._held.popitem(last=False)
            return result
        if held is not None and now - held.fetched_at <= self._stale_limit:
            return IntradayBars(
                symbol, held.span, held.bars, held.fetched_at, held.source, stale=True
            )
        raise IntradayUnavailable(symbol, period)
