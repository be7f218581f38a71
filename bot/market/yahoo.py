"""The Yahoo source: yfinance's own history() path, one chart request per symbol."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yfinance as yf
from yfinance.exceptions import YFRateLimitError

from bot.clock import Clock
from bot.market.calendar import TradingCalendar
from bot.market.guards import Rejection
from bot.market.intraday import IntradaySpan
from bot.market.models import Bar, DailyBar, DataSource
from bot.market.source import Fetched, SourceThrottled
from bot.market.yahoo_caps import MarketCaps
from bot.market.yahoo_parse import (
    daily_bars,
    intraday_bars,
    intraday_length,
    last_close_missing,
    quote_from_chart,
)
from bot.market.yahoo_session import Exchange, ObservedSession

log = logging.getLogger(__name__)

# One small chart per symbol per poll: today's 1-minute bars carry the price, the day's
# range, the previous close (range=1d makes chartPreviousClose the previous session's)
# and the high/low between two polls. fast_info would cost 2+ requests and .info 3.
QUOTE_PERIOD = "1d"
QUOTE_INTERVAL = "1m"
# yfinance runs blocking HTTP in threads; four at a time stays polite to Yahoo.
CONCURRENCY = 4
# Yahoo's named ranges, smallest first, with the calendar days each covers.
_RANGES = (
    ("5d", 5),
    ("1mo", 31),
    ("3mo", 92),
    ("6mo", 183),
    ("1y", 366),
    ("2y", 731),
    ("5y", 1827),
)
_CHART_PATH = "/v8/finance/chart/"
_META_KEYS = (
    "currency",
    "regularMarketPrice",
    "regularMarketTime",
    "previousClose",
    "chartPreviousClose",
    "regularMarketDayHigh",
    "regularMarketDayLow",
    "regularMarketVolume",
    "fiftyTwoWeekHigh",
    "fiftyTwoWeekLow",
)
_PANDAS_DEPRECATION: type[Warning] = getattr(pd.errors, "Pandas4Warning", DeprecationWarning)


def configure_yfinance(cache_dir: Path) -> None:
    """Point yfinance's caches (time zones, cookie, ISIN) at ``cache_dir`` before any request."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    # In yfinance 1.7 this one call moves all three sqlite caches, cookie included. It only
    # takes full effect before the first request: a cache already opened keeps its handle.
    yf.set_tz_cache_location(str(cache_dir))
    # yfinance 1.7 uses pandas' inplace= keyword, which pandas 3.1 deprecates on every call;
    # the notice is for yfinance's maintainers and would flood our logs.
    warnings.filterwarnings("ignore", category=_PANDAS_DEPRECATION, module=r"yfinance(\.|$)")


def period_for(days: int) -> str:
    """Return the smallest Yahoo range covering ``days`` calendar days."""
    for name, covers in _RANGES:
        if days <= covers:
            return name
    return "max"


@dataclass(frozen=True, slots=True)
class _Chart:
    frame: pd.DataFrame
    meta: dict[str, Any]
    journal: list[Exchange]
    error: Exception | None = None


class YahooSource:
    """Fetch quotes and daily history from Yahoo through yfinance."""

    def __init__(
        self,
        *,
        cache_dir: Path,
        clock: Clock,
        calendar: TradingCalendar,
        quote_period: str = QUOTE_PERIOD,
        quote_interval: str = QUOTE_INTERVAL,
        concurrency: int = CONCURRENCY,
        market_caps: bool = True,
        session: ObservedSession | None = None,
    ) -> None:
        configure_yfinance(cache_dir)
        self._clock = clock
        self._calendar = calendar
        self._period = quote_period
        self._interval = quote_interval
        self._concurrency = concurrency
        # yfinance keeps one session for the whole process and adopts whichever is passed
        # last, so exactly one is made here and handed to every call.
        self._session = session or ObservedSession()
        self._caps = MarketCaps(self._session) if market_caps else None

    @property
    def name(self) -> DataSource:
        """Return this source's name."""
        return DataSource.YAHOO

    @property
    def concurrency(self) -> int:
        """Return how many yfinance calls may run at once."""
        return self._concurrency

    @property
    def session(self) -> ObservedSession:
        """Return the one session every Yahoo request of the process goes through."""
        return self._session

    def requests_made(self) -> int:
        """Return the HTTP requests sent so far (cookie and crumb included)."""
        return self._session.requests_made

    async def prepare_poll(self, symbols: Sequence[str], now: datetime) -> None:
        """Refresh market caps when due (one batch request for all symbols, hourly)."""
        if self._caps is not None and symbols and self._caps.due(now):
            await asyncio.to_thread(self._caps.refresh, list(symbols), now)

    async def fetch_quote(self, symbol: str, *, http_timeout: float, now: datetime) -> Fetched:
        """Fetch ``symbol``'s chart and turn it into a candidate quote with today's bars."""
        return await asyncio.to_thread(self._quote_sync, symbol, http_timeout, now)

    async def fetch_daily(
        self, symbol: str, days: int, *, http_timeout: float, now: datetime
    ) -> list[DailyBar]:
        """Fetch daily bars covering ``days`` calendar days."""
        return await asyncio.to_thread(self._daily_sync, symbol, days, http_timeout)

    async def fetch_intraday(
        self, symbol: str, span: IntradaySpan, *, http_timeout: float, now: datetime
    ) -> list[Bar]:
        """Fetch ``span``'s bars with pre- and post-market (one chart request)."""
        return await asyncio.to_thread(self._intraday_sync, symbol, span, http_timeout)

    async def aclose(self) -> None:
        """Close the HTTP session."""
        await asyncio.to_thread(self._session.close)

    async def fetch_earnings(self, symbol: str) -> list[date] | None:
        """Return the next earnings dates Yahoo's calendar lists (None: unknown)."""
        return await asyncio.to_thread(self._earnings_sync, symbol)

    def _earnings_sync(self, symbol: str) -> list[date] | None:
        ticker = yf.Ticker(symbol, session=self._session)
        try:
            # quoteSummary's calendarEvents module: one request, parsed by yfinance.
            calendar = ticker.calendar
        except Exception as exc:
            log.info("no earnings calendar for %s: %s", symbol, exc)
            return None
        dates = calendar.get("Earnings Date") if isinstance(calendar, dict) else None
        if not isinstance(dates, list):
            return None
        return sorted({d for d in dates if isinstance(d, date)})

    def _quote_sync(self, symbol: str, timeout: float, now: datetime) -> Fetched:
        chart = self._chart(symbol, self._period, self._interval, timeout)
        failure = _verdict(symbol, chart)
        if failure is not None:
            return failure
        length = intraday_length(self._interval)
        state = self._calendar.market_state(symbol, now)
        cap = None
        if self._caps is not None:
            price = chart.meta.get("regularMarketPrice")
            if isinstance(price, int | float):
                cap = self._caps.market_cap(symbol, float(price), now)
        quote = quote_from_chart(
            symbol,
            chart.frame,
            chart.meta,
            intraday=length is not None,
            market_state=state,
            market_cap=cap,
        )
        if quote is None:
            return Fetched.failed(symbol, Rejection.NO_DATA, "the chart holds no price")
        return Fetched(
            symbol=symbol,
            quote=quote,
            bars=intraday_bars(chart.frame) if length is not None else (),
            bar_length=length,
            last_close_missing=last_close_missing(chart.frame),
        )

    def _daily_sync(self, symbol: str, days: int, timeout: float) -> list[DailyBar]:
        chart = self._chart(symbol, period_for(days), "1d", timeout)
        failure = _verdict(symbol, chart)
        if failure is not None:
            log.info("no daily history for %s: %s %s", symbol, failure.failure, failure.detail)
            return []
        return daily_bars(chart.frame)

    def _intraday_sync(self, symbol: str, span: IntradaySpan, timeout: float) -> list[Bar]:
        chart = self._chart(symbol, span.period, span.interval, timeout, prepost=True)
        failure = _verdict(symbol, chart)
        if failure is not None:
            log.info("no intraday bars for %s: %s %s", symbol, failure.failure, failure.detail)
            return []
        return list(intraday_bars(chart.frame))

    def _chart(
        self, symbol: str, period: str, interval: str, timeout: float, *, prepost: bool = False
    ) -> _Chart:
        journal = self._session.start_journal()
        ticker = yf.Ticker(symbol, session=self._session)
        try:
            frame = ticker.history(
                period=period,
                interval=interval,
                prepost=prepost,
                auto_adjust=False,  # real traded prices: a quote's close is not dividend-adjusted
                actions=False,
                timeout=timeout,
            )
        except YFRateLimitError as exc:
            raise SourceThrottled("rate limited (HTTP 429)") from exc
        except Exception as exc:
            # yfinance's fallbacks for a symbol it cannot place (e.g. .info) raise on some
            # answers; the journal below still tells what Yahoo said.
            return _Chart(frame=pd.DataFrame(), meta={}, journal=journal, error=exc)
        meta: dict[str, Any] = {}
        if _answered(journal):
            # Read only the keys we use: history_metadata loads "tradingPeriods" lazily with
            # an extra request when it is touched, and iterating it touches every key.
            lazy = ticker.history_metadata
            meta = {key: lazy[key] for key in _META_KEYS if key in lazy}
        return _Chart(frame=frame, meta=meta, journal=journal)


def _answered(journal: list[Exchange]) -> bool:
    last = _last_chart(journal)
    return last is not None and last.status == 200


def _last_chart(journal: list[Exchange]) -> Exchange | None:
    charts = [e for e in journal if _CHART_PATH in e.url]
    return charts[-1] if charts else None


def _verdict(symbol: str, chart: _Chart) -> Fetched | None:
    """Return why ``chart`` cannot give a quote (or raise to back off), else None."""
    last = _last_chart(chart.journal)
    if last is not None and last.status in (401, 403, 429):
        # yfinance already retried once with its other cookie strategy; still refused.
        what = "rate limited" if last.status == 429 else "crumb/cookie refused"
        raise SourceThrottled(f"{what} (HTTP {last.status})")
    if last is not None and last.status == 200 and chart.error is None:
        if chart.frame.empty and not isinstance(chart.meta.get("regularMarketPrice"), int | float):
            return Fetched.failed(symbol, Rejection.NO_DATA, "no price data (delisted?)")
        return None
    if any(e.status == 404 and f"/{symbol}" in e.url for e in chart.journal):
        # A 404 on the chart, or on the per-symbol pages yfinance falls back to when its
        # (in-process cached) time-zone probe failed: Yahoo does not know the symbol.
        return Fetched.failed(symbol, Rejection.UNKNOWN_SYMBOL, "Yahoo does not know this symbol")
    if chart.error is not None:
        return Fetched.failed(
            symbol, Rejection.ERROR, f"{type(chart.error).__name__}: {chart.error}"[:300]
        )
    if last is None or last.status is None:
        error = last.error if last is not None else "no chart request was made"
        return Fetched.failed(symbol, Rejection.ERROR, f"network: {error}")
    return Fetched.failed(symbol, Rejection.ERROR, f"HTTP {last.status}")
