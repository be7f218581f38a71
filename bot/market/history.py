"""Daily history for charts: fetched once a day per symbol, kept and served by the store."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import date, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.market.models import DailyBar
from bot.market.provider import PriceProvider
from bot.market.symbols import normalize_symbols

log = logging.getLogger(__name__)

HISTORY_DAYS = 366  # a year of charts plus the day the year starts on


class PriceHistoryStore(Protocol):
    """Where daily bars are kept (the SQLite store's ``price_history`` table)."""

    async def upsert_daily(self, symbol: str, bars: Sequence[DailyBar]) -> int:
        """Insert or replace ``bars`` for ``symbol`` by date; return how many were written."""
        ...

    async def load_daily(self, symbol: str, since: date) -> list[DailyBar]:
        """Return ``symbol``'s bars dated ``since`` or later, oldest first."""
        ...


@dataclass(eq=False)
class HistoryService:
    """Refresh each tracked symbol's daily bars once a day and serve them from the store."""

    provider: PriceProvider
    store: PriceHistoryStore
    clock: Clock
    _: KW_ONLY
    days: int = HISTORY_DAYS
    _refreshed: dict[str, date] = field(default_factory=dict, init=False, repr=False)

    def refreshed_on(self, symbol: str) -> date | None:
        """Return the UTC day ``symbol`` was last refreshed, if it was."""
        return self._refreshed.get(symbol)

    async def refresh(self, symbols: Iterable[str]) -> dict[str, int]:
        """Fetch and store history for symbols not yet refreshed today; return rows written."""
        today = self.clock.now().date()
        due = [s for s in normalize_symbols(symbols) if self._refreshed.get(s) != today]
        written = await asyncio.gather(*(self._refresh_one(s, today) for s in due))
        return {s: n for s, n in zip(due, written, strict=True) if n is not None}

    async def load(self, symbol: str, days: int = 365) -> list[DailyBar]:
        """Return ``symbol``'s stored bars for the last ``days`` calendar days."""
        since = self.clock.now().date() - timedelta(days=days)
        return await self.store.load_daily(symbol.strip().upper(), since)

    async def _refresh_one(self, symbol: str, today: date) -> int | None:
        bars = await self.provider.daily_history(symbol, self.days)
        if not bars:
            # Nothing arrived (throttled, unknown, down): try again on the next run today.
            log.info("no daily history for %s this time", symbol)
            return None
        written = await self.store.upsert_daily(symbol, bars)
        self._refreshed[symbol] = today
        return written
