"""Live prices: streamed trades into the quote cache, and which symbols the poll still owes.

The stream feeds the same cache (and the same guards) as the poll; its updates are handed out
in batches, one per symbol with the range traded in between, so a burst of trades costs one
alert evaluation, not one per trade. The poll stays: every symbol the stream does not cover
right now (stream down, a symbol silent, a symbol never seen) is polled at its interval, and
everything is polled every few minutes to reconcile what the stream may have missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

from bot.clock import Clock
from bot.market.calendar import TradingCalendar
from bot.market.models import Bar
from bot.market.provider import PollResult, PriceProvider, SymbolUpdate
from bot.market.stream import PriceStream, StreamHealth, StreamTiming
from bot.market.stream_frames import StreamTick
from bot.market.stream_quotes import JumpHold, stream_quote

log = logging.getLogger(__name__)

# While the stream is healthy the whole watchlist is still polled this often (reconciliation).
RECONCILE_EVERY: Final = timedelta(minutes=5)


class LivePrices:
    """The stream, the guards on its trades, and the batches handed to the alerts."""

    def __init__(
        self,
        provider: PriceProvider,
        clock: Clock,
        calendar: TradingCalendar,
        url: str,
        *,
        timing: StreamTiming | None = None,
    ) -> None:
        self._provider = provider
        self._clock = clock
        self._calendar = calendar
        self.stream = PriceStream(
            url, clock=clock, calendar=calendar, on_tick=self._take, timing=timing
        )
        self._hold = JumpHold()
        self._updates: asyncio.Queue[SymbolUpdate] = asyncio.Queue()
        self._last_reconcile: datetime | None = None
        self.trades = 0  # trades read from the stream
        self.refused = 0  # trades the guards refused

    def start(self) -> None:
        """Start the stream (inside the running event loop)."""
        self.stream.start()

    async def aclose(self) -> None:
        """Stop the stream."""
        await self.stream.aclose()

    async def follow(self, symbols: Iterable[str]) -> None:
        """Subscribe to exactly ``symbols`` (new ones at once, dropped ones unsubscribed)."""
        await self.stream.set_symbols(frozenset(symbols))

    def health(self) -> StreamHealth:
        """Return the stream's state for /status."""
        return self.stream.health()

    def poll_due(self, symbols: Iterable[str]) -> list[str]:
        """Return which of ``symbols`` the poll should fetch now."""
        wanted = sorted(set(symbols))
        now = self._clock.now()
        fresh = self.stream.fresh_symbols()
        # The stream down (or nothing streamed yet), or a reconciliation due: poll it all.
        reconcile_due = self._last_reconcile is None or (
            now - self._last_reconcile >= RECONCILE_EVERY
        )
        if not fresh or reconcile_due:
            self._last_reconcile = now
            return wanted
        return [s for s in wanted if s not in fresh]

    def settle(self, result: PollResult) -> None:
        """Let the poll decide about any trade held as out of band."""
        for symbol in result.accepted():
            self._hold.settle(symbol)

    async def next_batch(self) -> PollResult:
        """Wait for streamed updates; return every one waiting, one per symbol."""
        first = await self._updates.get()
        pending = [first]
        while not self._updates.empty():
            pending.append(self._updates.get_nowait())
        merged = merge_updates(pending)
        return PollResult(
            started_at=self._clock.now(),
            updates=merged,
            requests=0,
            elapsed_seconds=0.0,
            backoff=None,
        )

    def _take(self, tick: StreamTick) -> None:
        self.trades += 1
        now = self._clock.now()
        held = self._provider.cached(tick.symbol)
        quote = stream_quote(tick, held, now=now, calendar=self._calendar)
        for candidate in self._hold.screen(quote, held):
            update = self._provider.offer_streamed(candidate)
            if update.quote is None:
                self.refused += 1
                continue
            self._updates.put_nowait(update)


def merge_updates(updates: list[SymbolUpdate]) -> dict[str, SymbolUpdate]:
    """Fold updates per symbol: the first's previous quote, the last's quote, and one bar
    spanning every price in between (so a level crossed and left in a burst still counts)."""
    by_symbol: dict[str, list[SymbolUpdate]] = {}
    for update in updates:
        by_symbol.setdefault(update.symbol, []).append(update)
    merged: dict[str, SymbolUpdate] = {}
    for symbol, group in by_symbol.items():
        first, last = group[0], group[-1]
        if len(group) == 1:
            merged[symbol] = first
            continue
        prices = [u.quote.price for u in group if u.quote is not None]
        assert first.quote is not None
        span = Bar(
            start=first.quote.as_of,
            open=prices[0],
            high=max(prices),
            low=min(prices),
            close=prices[-1],
            volume=0,
        )
        merged[symbol] = SymbolUpdate(
            symbol=symbol,
            quote=last.quote,
            previous=first.previous,
            served=last.served,
            bars=(span,),
        )
    return merged
