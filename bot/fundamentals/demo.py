"""Synthetic balance sheets for the demo source (labelled DEMO wherever they are used)."""

from __future__ import annotations

import random
from datetime import date, datetime

from bot.fundamentals.model import BalanceSheet
from bot.market.demo import spec_for, stable_seed
from bot.market.models import DataSource


def _quarter_end_before(day: date) -> date:
    """Return the last quarter end strictly before ``day``'s quarter."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    if first_month == 1:
        return date(day.year - 1, 12, 31)
    month = first_month - 1
    return date(day.year, month, 30 if month in (6, 9) else 31)


class DemoBalanceSheets:
    """Debt and cash of plausible size for symbols with demo prices and a demo market cap."""

    source = DataSource.DEMO

    def fetch(self, symbol: str, now: datetime) -> BalanceSheet | None:
        """Return ``symbol``'s synthetic balance sheet, the same in every process."""
        spec = spec_for(symbol)
        if spec is None or spec.shares is None or symbol.endswith("-USD"):
            return None
        cap = spec.shares * spec.base
        rng = random.Random(stable_seed("balance-sheet", symbol))  # noqa: S311 - not security
        return BalanceSheet(
            symbol=symbol,
            total_debt=round(cap * rng.uniform(0.05, 0.45), -5),
            cash=round(cap * rng.uniform(0.02, 0.15), -5),
            period_end=_quarter_end_before(now.date()),
            source=DataSource.DEMO,
            fetched_at=now,
        )
