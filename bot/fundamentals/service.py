"""The daily balance-sheet refresh and the figures commands read (memory, never the network)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import Final, Protocol

from bot.clock import Clock
from bot.fundamentals.demo import DemoBalanceSheets
from bot.fundamentals.model import BalanceSheet
from bot.fundamentals.yahoo import YahooBalanceSheets
from bot.lru import MAX_SYMBOLS_HELD, LruDict
from bot.market import MarketData
from bot.market.feed import FeedProvider
from bot.market.models import DataSource
from bot.market.source import SourceThrottled
from bot.market.yahoo import YahooSource
from bot.store.fundamentals import BalanceSheetRepo

log = logging.getLogger(__name__)

# Balance sheets change once a quarter: one request per company per day is plenty.
REFRESH_AFTER: Final = timedelta(days=1)
# The job runs more often than that so a company added to the ledger is not a day late.
JOB_HOURS: Final = 6


class BalanceSheetFetcher(Protocol):
    """Where balance sheets come from (blocking; called in a worker thread)."""

    source: DataSource

    def fetch(self, symbol: str, now: datetime) -> BalanceSheet | None: ...


def fetcher_for(market: MarketData) -> BalanceSheetFetcher | None:
    """Return the balance-sheet source matching the price source (None for replayed prices)."""
    provider = market.provider
    origin = provider.backend if isinstance(provider, FeedProvider) else None
    if isinstance(origin, YahooSource):
        return YahooBalanceSheets(origin.session)
    if market.is_demo:
        return DemoBalanceSheets()
    return None  # a replay file carries prices only: enterprise values stay unknown


class BalanceSheets:
    """Hold every company's latest balance sheet and refresh each at most once a day."""

    def __init__(
        self,
        repo: BalanceSheetRepo,
        clock: Clock,
        fetcher: BalanceSheetFetcher | None,
        symbols: Callable[[], Awaitable[Iterable[str]]],
    ) -> None:
        self._repo = repo
        self._clock = clock
        self._fetcher = fetcher
        self._symbols = symbols
        self._sheets: dict[str, BalanceSheet] = {}
        # Tried today without an answer: not asked again before the day has passed.
        self._tried: LruDict[str, datetime] = LruDict(MAX_SYMBOLS_HELD)
        self._loaded = False

    def get(self, symbol: str) -> BalanceSheet | None:
        """Return ``symbol``'s latest stored balance sheet (memory only)."""
        return self._sheets.get(symbol)

    async def load(self) -> dict[str, BalanceSheet]:
        """Read the stored balance sheets into memory (once) and return them."""
        if not self._loaded:
            self._sheets = await self._repo.all()
            self._loaded = True
        return dict(self._sheets)

    async def refresh(self) -> int:
        """Fetch the balance sheets not fetched in the last day; return how many arrived."""
        await self.load()
        if self._fetcher is None:
            return 0
        now = self._clock.now()
        fetched = await self._repo.fetched_times()

        def due(symbol: str) -> bool:
            # Asked within the last day, answered or not: not asked again yet.
            asked = [t for t in (fetched.get(symbol), self._tried.get(symbol)) if t is not None]
            return not asked or now - max(asked) >= REFRESH_AFTER

        todo = [symbol for symbol in sorted(set(await self._symbols())) if due(symbol)]
        arrived = 0
        for symbol in todo:
            self._tried[symbol] = now
            try:
                sheet = await asyncio.to_thread(self._fetcher.fetch, symbol, now)
            except SourceThrottled as exc:
                log.warning("balance sheets paused until the next run: %s", exc.reason)
                break
            if sheet is None:
                continue
            await self._repo.save(sheet)
            self._sheets[symbol] = sheet
            arrived += 1
        return arrived
