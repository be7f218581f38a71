"""The facade the bot and its cogs use for everything about prices."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from bot.clock import Clock
from bot.market.calendar import TradingCalendar
from bot.market.earnings import EarningsCalendar
from bot.market.factory import build_calendar, build_provider
from bot.market.history import HistoryService, PriceHistoryStore
from bot.market.intraday import IntradayBars, IntradayCache, IntradayPeriod
from bot.market.models import DailyBar, DataSource, MarketState, Quote
from bot.market.provider import PollResult, PriceProvider, ProviderStats
from bot.market.symbols import InvalidSymbol, normalize_symbol
from bot.market.yahoo import YahooSource

log = logging.getLogger(__name__)


class MarketData:
    """Quotes from memory for commands, polls for the scheduler, history for charts."""

    def __init__(
        self,
        provider: PriceProvider,
        *,
        calendar: TradingCalendar,
        clock: Clock,
        history: HistoryService | None = None,
        earnings: EarningsCalendar | None = None,
    ) -> None:
        self.provider = provider
        self.calendar = calendar
        self.history = history
        self.earnings = earnings or EarningsCalendar(None, clock)
        self._clock = clock
        self._last_poll: PollResult | None = None
        self._intraday = IntradayCache(provider.intraday_history, clock, provider.source)

    @classmethod
    def open(
        cls,
        source_setting: str,
        *,
        cache_dir: Path,
        clock: Clock,
        poll_seconds: float,
        store: PriceHistoryStore | None = None,
        started_at: datetime | None = None,
    ) -> MarketData:
        """Build the provider for ``source_setting``, with history when a store is given."""
        calendar = build_calendar(clock)
        provider = build_provider(
            source_setting,
            cache_dir=cache_dir,
            clock=clock,
            poll_seconds=poll_seconds,
            calendar=calendar,
            started_at=started_at,
        )
        history = HistoryService(provider, store, clock) if store is not None else None
        backend = provider.backend
        # Only Yahoo has an earnings calendar; replayed and demo prices leave dates unknown.
        fetch = backend.fetch_earnings if isinstance(backend, YahooSource) else None
        earnings = EarningsCalendar(fetch, clock)
        return cls(provider, calendar=calendar, clock=clock, history=history, earnings=earnings)

    @property
    def source(self) -> DataSource:
        """Return where quotes come from."""
        return self.provider.source

    @property
    def is_demo(self) -> bool:
        """Tell whether prices are synthetic."""
        return self.provider.source is DataSource.DEMO

    @property
    def last_poll(self) -> PollResult | None:
        """Return the most recent poll's result."""
        return self._last_poll

    def quote(self, symbol: str) -> Quote | None:
        """Return the cached quote for ``symbol`` (memory only: safe inside a command)."""
        return self.provider.cached(symbol)

    async def fetch_quote(self, symbol: str, timeout: float = 5.0) -> Quote | None:  # noqa: ASYNC109
        """Return the cached quote, or fetch it once within ``timeout`` (defer first!)."""
        return self.quote(symbol) or await self.provider.fetch(symbol, timeout)

    async def poll_once(self, symbols: Iterable[str]) -> PollResult:
        """Poll ``symbols`` once (the scheduler's price job calls this)."""
        result = await self.provider.poll(symbols)
        self._last_poll = result
        log.debug(
            "polled %d symbols: %d new, %d requests, %.2f s",
            len(result.updates),
            len(result.accepted()),
            result.requests,
            result.elapsed_seconds,
        )
        return result

    async def refresh_history(self, symbols: Iterable[str]) -> dict[str, int]:
        """Refresh daily history for ``symbols`` not yet refreshed today (the daily job)."""
        if self.history is None:
            return {}
        return await self.history.refresh(symbols)

    async def daily_bars(self, symbol: str, days: int = 365) -> list[DailyBar]:
        """Return daily bars for a chart: from the store when there is one, else fetched."""
        if self.history is not None:
            bars = await self.history.load(symbol, days)
            if bars:
                return bars
        return await self.provider.daily_history(symbol, days)

    async def intraday_bars(self, symbol: str, period: IntradayPeriod) -> IntradayBars:
        """Return intraday bars for a short chart: from memory while fresh, else one fetch.

        Raises IntradayUnavailable when the source fails and nothing recent is held.
        """
        return await self._intraday.bars(symbol, period)

    def market_state(self, symbol: str) -> MarketState:
        """Return the state of ``symbol``'s market now."""
        try:
            symbol = normalize_symbol(symbol)
        except InvalidSymbol:
            return MarketState.CLOSED
        return self.calendar.market_state(symbol, self._clock.now())

    def stats(self) -> ProviderStats:
        """Return feed health for /status."""
        return self.provider.stats()

    async def aclose(self) -> None:
        """Close the provider."""
        await self.provider.aclose()
