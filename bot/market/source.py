"""What a price source (yahoo, replay, demo) implements: fetching only, no caching or policy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.market.guards import Rejection
from bot.market.intraday import IntradaySpan
from bot.market.models import Bar, DailyBar, DataSource, Quote


class SourceThrottled(Exception):
    """The source refused to serve (rate limit, crumb or cookie refused): back off."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Fetched:
    """What one fetch of one symbol produced: a candidate quote and bars, or a failure."""

    symbol: str
    quote: Quote | None = None
    bars: tuple[Bar, ...] = ()
    bar_length: timedelta | None = None
    last_close_missing: bool = False
    failure: Rejection | None = None
    detail: str = ""

    @classmethod
    def failed(cls, symbol: str, reason: Rejection, detail: str) -> Fetched:
        """Return a fetch that produced nothing, for ``reason``."""
        return cls(symbol=symbol, failure=reason, detail=detail)


class Source(Protocol):
    """A place prices come from; the feed around it adds the cache, guards and policy."""

    @property
    def name(self) -> DataSource: ...

    @property
    def concurrency(self) -> int:
        """Return how many fetches may run at once."""
        ...

    def requests_made(self) -> int:
        """Return how many network requests this source has made so far."""
        ...

    async def prepare_poll(self, symbols: Sequence[str], now: datetime) -> None:
        """Do any once-per-poll work for ``symbols`` (may raise SourceThrottled)."""
        ...

    async def fetch_quote(self, symbol: str, *, http_timeout: float, now: datetime) -> Fetched:
        """Fetch ``symbol``'s current quote and today's bars (may raise SourceThrottled)."""
        ...

    async def fetch_daily(
        self, symbol: str, days: int, *, http_timeout: float, now: datetime
    ) -> list[DailyBar]:
        """Fetch about ``days`` calendar days of daily bars (may raise SourceThrottled)."""
        ...

    async def fetch_intraday(
        self, symbol: str, span: IntradaySpan, *, http_timeout: float, now: datetime
    ) -> list[Bar]:
        """Fetch ``span``'s intraday bars, pre- and post-market included (may raise
        SourceThrottled)."""
        ...

    async def aclose(self) -> None:
        """Release what the source holds."""
        ...
