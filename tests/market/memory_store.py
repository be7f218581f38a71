"""An in-memory PriceHistoryStore for tests (the real one is the SQLite store)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.market.models import DailyBar


class MemoryHistoryStore:
    """Bars per symbol keyed by date, with call counts."""

    def __init__(self) -> None:
        self.bars: dict[str, dict[date, DailyBar]] = {}
        self.upserts = 0

    async def upsert_daily(self, symbol: str, bars: Sequence[DailyBar]) -> int:
        """Insert or replace ``bars`` by date."""
        self.upserts += 1
        days = self.bars.setdefault(symbol, {})
        for bar in bars:
            days[bar.date] = bar
        return len(bars)

    async def load_daily(self, symbol: str, since: date) -> list[DailyBar]:
        """Return the bars dated ``since`` or later, oldest first."""
        days = self.bars.get(symbol, {})
        return [days[d] for d in sorted(days) if d >= since]
