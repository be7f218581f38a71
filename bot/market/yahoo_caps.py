"""Market capitalisations from Yahoo's batch quote (one request for all symbols, hourly)."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from yfinance.data import YfData
from yfinance.exceptions import YFRateLimitError

from bot.market.source import SourceThrottled
from bot.market.yahoo_session import ObservedSession

log = logging.getLogger(__name__)

QUOTE_URL = "https://query1.finance.yahoo.com/v7/finance/quote"
FIELDS = "marketCap,regularMarketPrice,regularMarketTime"
BATCH = 50  # symbols per request: keeps the URL short
REFRESH_EVERY = timedelta(hours=1)
# A capitalisation is price × shares; shares change rarely, but after a day we would be
# scaling an old share count across splits and issuance, so it is dropped instead.
MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class CapInfo:
    """Yahoo's market cap for a symbol and the price it was computed at."""

    market_cap: float
    price: float
    fetched_at: datetime


def parse_caps(payload: Mapping[str, Any], fetched_at: datetime) -> dict[str, CapInfo]:
    """Return the usable market caps of a v7 quote response."""
    response = payload.get("quoteResponse") or {}
    caps: dict[str, CapInfo] = {}
    for row in response.get("result") or []:
        symbol, cap, price = row.get("symbol"), row.get("marketCap"), row.get("regularMarketPrice")
        if not isinstance(symbol, str) or not isinstance(cap, int | float):
            continue
        if not isinstance(price, int | float) or not math.isfinite(cap) or not math.isfinite(price):
            continue
        if cap > 0 and price > 0:
            caps[symbol.upper()] = CapInfo(float(cap), float(price), fetched_at)
    return caps


class MarketCaps:
    """Hold market caps and say when they are due; scale them to the live price."""

    def __init__(self, session: ObservedSession) -> None:
        self._session = session
        self._caps: dict[str, CapInfo] = {}
        self._next_refresh: datetime | None = None

    def due(self, now: datetime) -> bool:
        """Tell whether a refresh should be made now."""
        return self._next_refresh is None or now >= self._next_refresh

    def refresh(self, symbols: Sequence[str], now: datetime) -> int:
        """Fetch caps for ``symbols`` (blocking: run in a thread); return how many arrived."""
        # Whatever happens, the next attempt waits an hour: caps are a nice-to-have.
        self._next_refresh = now + REFRESH_EVERY
        found = 0
        for i in range(0, len(symbols), BATCH):
            chunk = symbols[i : i + BATCH]
            params = {"symbols": ",".join(chunk), "fields": FIELDS, "formatted": "false"}
            try:
                # YfData is yfinance's process-wide client: it adds the cookie and crumb this
                # endpoint needs, through the same session as every other call.
                payload = YfData(session=self._session).get_raw_json(QUOTE_URL, params=params)
            except YFRateLimitError as exc:
                raise SourceThrottled("rate limited (HTTP 429) on the batch quote") from exc
            except Exception as exc:
                log.warning("market caps unavailable: %s", exc)
                return found
            caps = parse_caps(payload, now)
            self._caps.update(caps)
            found += len(caps)
        return found

    def market_cap(self, symbol: str, price: float, now: datetime) -> float | None:
        """Return ``symbol``'s market cap at ``price`` (None when unknown or too old)."""
        info = self._caps.get(symbol)
        if info is None or now - info.fetched_at > MAX_AGE or not math.isfinite(price):
            return None
        # Yahoo's cap is shares × its price; keeping its share count (all classes for
        # GOOG/GOOGL) and applying today's price is the same formula, not an estimate.
        return info.market_cap * (price / info.price)
