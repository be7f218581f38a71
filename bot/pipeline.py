"""The price tick: poll the watched symbols once, then hand the result to each listener.

With live prices, streamed trades reach the same listeners in batches as they arrive, and the
poll only fetches what the stream does not cover right now (plus a periodic full poll).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Final

from bot.market import MarketData, PollResult
from bot.market.live import LivePrices
from bot.store import Store
from bot.tasks import cancel_and_wait

log = logging.getLogger(__name__)

PollListener = Callable[[PollResult], Awaitable[object]]
SymbolSource = Callable[[], Awaitable[set[str]]]

# How often the stream's subscriptions are matched to the watchlist (new alerts, new symbols
# asked for) when no poll does it first.
RESUBSCRIBE_SECONDS: Final = 5.0


class PricePipeline:
    """Scheduler → provider → listeners (alerts, status); one poll in flight at a time."""

    def __init__(
        self,
        market: MarketData,
        store: Store,
        *,
        listeners: Sequence[PollListener] = (),
        symbol_sources: Sequence[SymbolSource] = (),
        live: LivePrices | None = None,
    ) -> None:
        self.market = market
        self.live = live
        self._stream_task: asyncio.Task[None] | None = None
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
        symbols = await self.watchlist()
        live = self.live
        if live is not None:
            await live.follow(symbols)
            symbols = live.poll_due(symbols)
        result = await self.market.poll_once(symbols)
        if live is not None:
            live.settle(result)
        await self._notify(result)
        return result

    def start_stream(self) -> None:
        """Start the live prices and hand their batches to the listeners (no-op without)."""
        if self.live is None or self._stream_task is not None:
            return
        self.live.start()
        self._stream_task = asyncio.create_task(self._run_stream(), name="stream-batches")

    async def stop_stream(self) -> None:
        """Stop handing out streamed prices and close the stream."""
        task, self._stream_task = self._stream_task, None
        await cancel_and_wait(task)
        if self.live is not None:
            await self.live.aclose()

    async def _run_stream(self) -> None:
        assert self.live is not None
        live = self.live
        loop = asyncio.get_running_loop()
        matched_at = float("-inf")
        while True:
            if loop.time() - matched_at >= RESUBSCRIBE_SECONDS:
                try:
                    await live.follow(await self.watchlist())
                except Exception:
                    log.exception("matching the stream's subscriptions failed")
                matched_at = loop.time()
            try:
                # Not wait_for: on Python 3.11 it can swallow a stop's cancel that arrives as a
                # batch does, and this loop would then never end.
                async with asyncio.timeout(RESUBSCRIBE_SECONDS):
                    batch = await live.next_batch()
            except TimeoutError:
                continue
            await self._notify(batch)

    async def _notify(self, result: PollResult) -> None:
        for listener in self._listeners:
            try:
                await listener(result)
            except Exception:
                log.exception("poll listener %r failed", listener)

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
