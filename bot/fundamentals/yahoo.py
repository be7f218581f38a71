"""Total debt and cash from Yahoo's fundamentals time series (the one yfinance's
``Ticker.quarterly_balance_sheet`` reads), asking only for the three rows used."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from yfinance.data import YfData
from yfinance.exceptions import YFRateLimitError

from bot.fundamentals.model import BalanceSheet
from bot.market.models import DataSource
from bot.market.source import SourceThrottled
from bot.market.yahoo_session import ObservedSession

log = logging.getLogger(__name__)

TIMESERIES_URL: Final = (
    "https://query2.finance.yahoo.com/ws/fundamentals-timeseries/v1/finance/timeseries/{symbol}"
)
DEBT: Final = "quarterlyTotalDebt"
# Cash for enterprise value: cash, equivalents and short-term investments when Yahoo gives
# them, else cash and equivalents alone (the narrower figure, never a guess).
CASH_WIDE: Final = "quarterlyCashCashEquivalentsAndShortTermInvestments"
CASH: Final = "quarterlyCashAndCashEquivalents"
TYPES: Final = (DEBT, CASH_WIDE, CASH)
# Yahoo keeps five quarters; asking for two years covers them.
LOOKBACK: Final = timedelta(days=730)


def _points(payload: Mapping[str, Any]) -> dict[str, dict[date, float]]:
    """Return each requested row's reported USD values by balance-sheet date."""
    series = (payload.get("timeseries") or {}).get("result") or []
    found: dict[str, dict[date, float]] = {}
    for entry in series:
        if not isinstance(entry, Mapping):
            continue
        for name in TYPES:
            for point in entry.get(name) or []:
                if not isinstance(point, Mapping) or point.get("currencyCode", "USD") != "USD":
                    continue  # a figure in another currency is not added to a USD market cap
                raw = (point.get("reportedValue") or {}).get("raw")
                try:
                    day = date.fromisoformat(str(point.get("asOfDate")))
                except ValueError:
                    continue
                if isinstance(raw, int | float) and math.isfinite(raw) and raw >= 0:
                    found.setdefault(name, {})[day] = float(raw)
    return found


def parse_balance_sheet(
    symbol: str, payload: Mapping[str, Any], fetched_at: datetime
) -> BalanceSheet | None:
    """Return the latest balance sheet's debt and cash, or None when Yahoo gave neither.

    The latest date any row reports is the balance sheet used; a row it lacks stays None
    there (an older quarter's figure is not mixed in).
    """
    points = _points(payload)
    dates = {day for row in points.values() for day in row}
    if not dates:
        return None
    latest = max(dates)
    cash = points.get(CASH_WIDE, {}).get(latest)
    if cash is None:
        cash = points.get(CASH, {}).get(latest)
    return BalanceSheet(
        symbol=symbol,
        total_debt=points.get(DEBT, {}).get(latest),
        cash=cash,
        period_end=latest,
        source=DataSource.YAHOO,
        fetched_at=fetched_at,
    )


class YahooBalanceSheets:
    """Fetch balance sheets through yfinance's client and the bot's one Yahoo session."""

    source = DataSource.YAHOO

    def __init__(self, session: ObservedSession) -> None:
        self._session = session

    def fetch(self, symbol: str, now: datetime) -> BalanceSheet | None:
        """Fetch ``symbol``'s latest debt and cash (blocking: run in a thread)."""
        start = now - LOOKBACK
        params = {
            "symbol": symbol,
            "type": ",".join(TYPES),
            "period1": str(int(start.timestamp())),
            "period2": str(int(now.astimezone(UTC).timestamp())),
        }
        try:
            # YfData adds the cookie and crumb, through the same session as every Yahoo call.
            payload = YfData(session=self._session).get_raw_json(
                TIMESERIES_URL.format(symbol=symbol), params=params
            )
        except YFRateLimitError as exc:
            raise SourceThrottled("rate limited (HTTP 429) on the balance sheet") from exc
        except Exception as exc:
            log.warning("balance sheet of %s unavailable: %s", symbol, exc)
            return None
        if not isinstance(payload, Mapping):
            return None
        return parse_balance_sheet(symbol, payload, now)
