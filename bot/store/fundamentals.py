"""SQL for the balance-sheet figures enterprise value is built from."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final

from bot.fundamentals.model import BalanceSheet
from bot.market.models import DataSource
from bot.store.db import Database

_COLUMNS: Final = "symbol, total_debt_usd, cash_usd, period_end, source, fetched_at"
_UPSERT: Final = """
    INSERT INTO balance_sheets (symbol, total_debt_usd, cash_usd, period_end, source, fetched_at)
    VALUES (:symbol, :debt, :cash, :period_end, :source, :fetched_at)
    ON CONFLICT (symbol) DO UPDATE SET
        total_debt_usd = excluded.total_debt_usd,
        cash_usd = excluded.cash_usd,
        period_end = excluded.period_end,
        source = excluded.source,
        fetched_at = excluded.fetched_at
"""
_ALL: Final = f"SELECT {_COLUMNS} FROM balance_sheets ORDER BY symbol"  # noqa: S608 - constant
# When a symbol was last fetched, so the daily job asks again only after a day.
_FETCHED: Final = "SELECT symbol, fetched_at FROM balance_sheets"


def _row_to_sheet(row: Any) -> BalanceSheet:
    return BalanceSheet(
        symbol=row["symbol"],
        total_debt=row["total_debt_usd"],
        cash=row["cash_usd"],
        period_end=date.fromisoformat(row["period_end"]) if row["period_end"] else None,
        source=DataSource(row["source"]),
        fetched_at=datetime.fromisoformat(row["fetched_at"]),
    )


class BalanceSheetRepo:
    """Balance sheets, one row per company (the latest fetched)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, sheet: BalanceSheet) -> None:
        """Keep ``sheet`` as its company's latest balance sheet."""
        await self._db.execute(
            _UPSERT,
            {
                "symbol": sheet.symbol,
                "debt": sheet.total_debt,
                "cash": sheet.cash,
                "period_end": sheet.period_end.isoformat() if sheet.period_end else None,
                "source": sheet.source.value,
                "fetched_at": sheet.fetched_at.astimezone(UTC).isoformat(),
            },
        )

    async def all(self) -> dict[str, BalanceSheet]:
        """Return every stored balance sheet by symbol."""
        rows = await self._db.fetch_all(_ALL)
        return {row["symbol"]: _row_to_sheet(row) for row in rows}

    async def fetched_times(self) -> dict[str, datetime]:
        """Return when each symbol's balance sheet was last fetched."""
        rows = await self._db.fetch_all(_FETCHED)
        return {row["symbol"]: datetime.fromisoformat(row["fetched_at"]) for row in rows}
