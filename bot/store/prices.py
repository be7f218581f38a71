"""SQL for the daily price history that charts, the board and the summary read."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime

from bot.market.models import DailyBar
from bot.store.db import Database

_UPSERT = """
    INSERT INTO price_history (symbol, day, open, high, low, close, volume, fetched_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(symbol, day) DO UPDATE SET
        open = excluded.open, high = excluded.high, low = excluded.low,
        close = excluded.close, volume = excluded.volume, fetched_at = excluded.fetched_at
"""
_LOAD = """
    SELECT day, open, high, low, close, volume FROM price_history
    WHERE symbol = ? AND day >= ? ORDER BY day
"""


def _positive(value: float) -> float | None:
    # A bar may lack an open/high/low; the table keeps those unknown rather than zero.
    return value if math.isfinite(value) and value > 0 else None


class PriceHistoryRepo:
    """Daily bars by symbol and session date (one row per day, replaced on refresh)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def upsert_daily(self, symbol: str, bars: Sequence[DailyBar]) -> int:
        """Insert or replace ``bars`` for ``symbol``; bars without a usable close are skipped."""
        stamp = datetime.now(UTC).isoformat()
        rows = [
            (
                symbol,
                bar.date.isoformat(),
                _positive(bar.open),
                _positive(bar.high),
                _positive(bar.low),
                bar.close,
                max(bar.volume, 0),
                stamp,
            )
            for bar in bars
            if math.isfinite(bar.close) and bar.close > 0
        ]
        if rows:
            async with self._db.transaction() as conn:
                await conn.executemany(_UPSERT, rows)
        return len(rows)

    async def load_daily(self, symbol: str, since: date) -> list[DailyBar]:
        """Return ``symbol``'s bars from ``since`` on, oldest first."""
        rows = await self._db.fetch_all(_LOAD, (symbol, since.isoformat()))
        return [
            DailyBar(
                date=date.fromisoformat(row["day"]),
                open=row["open"] or row["close"],
                high=row["high"] or row["close"],
                low=row["low"] or row["close"],
                close=row["close"],
                volume=int(row["volume"] or 0),
            )
            for row in rows
        ]
