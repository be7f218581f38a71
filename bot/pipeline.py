"""The price tick: poll the watched symbols once, then hand the result to each listener."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.market import MarketData, PollResult
from bot.store import Store

log = logging.getLogger(__name__)

PollListener = Callable[[PollResult], Awaitable[object]]
SymbolSource = Callable[[], Awaitable[set[str]]]


class PricePipeline:
    """Scheduler → provider → listeners (alerts, status); one poll in flight at a time."""

    def __init__(
        self,
        market: MarketData,
        store: Store,
        *,
        listeners: Sequence[PollListener] = (),
        symbol_sources: Sequence[SymbolSource] = (),
    ) -> None:
        self.market = market
        self._store = store
        self._listeners: list[PollListener] = list(listeners)
        # The tracked universe first, then the extras (active alerts, symbols members asked).
        self._symbol_sources: list[SymbolSource] = [self._tracked_symbols, *symbol_sources]

    def subscribe(self, listener: PollListener) -> None:
        """Call ``listener`` with every poll result, in subscription order."""
        self._listeners.append(listener)

    def add_symbol_source(self, source: SymbolSource) -> None:
        """Also poll the symbols ``source`` returns (e.g. those with active alerts)."""
        self._symbol_sources.append(source)

    async def watchlist(self) -> list[str]:
        """Return every symbol the next poll covers: the tracked universe plus extras."""
        symbols: set[str] = set()
        for source in self._symbol_sources:
            symbols |= await source()
        return sorted(symbols)

    async def tick(self) -> PollResult:
        """Poll once and notify every listener; a failing listener does not stop the others."""
        result = await self.market.poll_once(await self.watchlist())
        for listener in self._listeners:
            try:
                await listener(result)
            except Exception:
                log.exception("poll listener %r failed", listener)
        return result

    async def refresh_history(self) -> dict[str, int]:
        """Refresh a year of daily history for every polled symbol (at most once a day)."""
        # Alerts on 52-week extremes, averages and volume read it for their symbols too, and
        # earnings alerts their symbols' next dates (one calendar request each, daily).
        written = await self.market.refresh_history(await self.watchlist())
        await self.market.earnings.refresh(await self._store.alerts.earnings_symbols())
        return written

    async def _tracked_symbols(self) -> set[str]:
        # A private company has no share price: there is nothing to poll.
        return {c.symbol for c in await self._store.ledger.companies() if c.listed}
