"""A company's latest balance-sheet figures, each with the date it was reported at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.market.models import DataSource


@dataclass(frozen=True, slots=True)
class BalanceSheet:
    """Total debt and cash from one balance sheet; a figure the source did not give is None."""

    symbol: str
    total_debt: float | None
    cash: float | None
    period_end: date | None  # the balance sheet's date (the figures' as-of date)
    source: DataSource
    fetched_at: datetime

    @property
    def is_demo(self) -> bool:
        """Tell whether the figures are synthetic."""
        return self.source is DataSource.DEMO
