"""The one interface the bot uses for prices, and what a poll reports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.market.backoff import BackoffState
from bot.market.book import SymbolStats
from bot.market.guards import Rejection
from bot.market.intraday import IntradaySpan
from bot.market.models import Bar, DailyBar, DataSource, PriceRange, Quote, range_of
from bot.market.negative_cache import NegativeEntry


@dataclass(frozen=True, slots=True)
class SymbolUpdate:
    """One symbol's outcome in a poll."""

    symbol: str
    quote: Quote | None
    """The newly accepted quote; None when nothing was taken (see ``rejection``)."""
    previous: Quote | None
    """The quote held before this poll (the "previous price" for alerts)."""
    served: Quote | None
    """What ``cached()`` serves after this poll (possibly the old quote, marked stale)."""
    rejection: Rejection | None = None
    detail: str = ""
    bars: tuple[Bar, ...] = ()
    """Intraday bars overlapping the span since the previous quote (all fetched without one)."""

    @property
    def range_since_last(self) -> PriceRange | None:
        """Return the high/low traded since the previous quote, when bars and a previous exist."""
        if self.quote is None or self.previous is None:
            return None
        return range_of(self.bars, since=self.previous.as_of)


@dataclass(frozen=True, slots=True)
class PollResult:
    """Everything one poll found, per symbol."""

    started_at: datetime
    updates: Mapping[str, SymbolUpdate]
    requests: int
    elapsed_seconds: float
    backoff: BackoffState | None

    def accepted(self) -> dict[str, Quote]:
        """Return the symbols whose quote was renewed, with the new quote."""
        return {s: u.quote for s, u in self.updates.items() if u.quote is not None}


@dataclass(frozen=True, slots=True)
class ProviderStats:
    """Feed health for /status."""

    source: DataSource
    requests: int
    polls: int
    last_poll_at: datetime | None
    last_poll_seconds: float | None
    last_poll_requests: int | None
    rejected: Mapping[str, int]
    symbols: Mapping[str, SymbolStats]
    backoff: BackoffState | None
    backing_off: bool
    remembered: Mapping[str, NegativeEntry]


class PriceProvider(Protocol):
    """Quotes for the bot: commands read the cache, the scheduler polls."""

    @property
    def source(self) -> DataSource: ...

    async def poll(self, symbols: Iterable[str]) -> PollResult:
        """Refresh ``symbols`` (one poll in flight at a time) and report per symbol.

        ``PollResult.requests`` counts the network requests made while the poll ran.
        """
        ...

    def cached(self, symbol: str) -> Quote | None:
        """Return the last good quote from memory (never does I/O)."""
        ...

    async def fetch(self, symbol: str, timeout: float = 5.0) -> Quote | None:  # noqa: ASYNC109
        """Fetch one symbol not yet cached, bounded by ``timeout`` seconds."""
        ...

    def offer_streamed(self, quote: Quote) -> SymbolUpdate:
        """Take one streamed trade through the guards into the cache, and report it."""
        ...

    async def daily_history(self, symbol: str, days: int = 365) -> list[DailyBar]:
        """Return up to ``days`` calendar days of daily bars, oldest first ([] when unavailable)."""
        ...

    async def intraday_history(self, symbol: str, span: IntradaySpan) -> list[Bar]:
        """Return ``span``'s intraday bars, oldest first ([] when unavailable)."""
        ...

    def stats(self) -> ProviderStats:
        """Return the feed's health counters."""
        ...

    async def aclose(self) -> None:
        """Release the provider's resources."""
        ...
