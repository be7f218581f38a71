"""A chart's daily closes: stored history, ended at the live price as /board shows it.

Shared by /chart and the daily summary's chart (through the prices service).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from typing import Final

from bot.clock import Clock
from bot.market.calendar import TradingCalendar
from bot.market.market_data import MarketData
from bot.market.models import DailyBar, Quote
from bot.render.chart import ChartRequest, Period, Series, history_days, period_start
from bot.symbols import UnknownSymbol

# The default comparisons: the miners' old business (bitcoin) and their new one (AI chips).
BENCHMARKS: Final = ("BTC-USD", "NVDA")
# Stored history answers at once; a symbol not stored is fetched once, within this bound
# (the command has deferred, so it may take longer than Discord's 3 s).
HISTORY_TIMEOUT: Final = 10.0


async def load_series(market: MarketData, symbols: Sequence[str], days: int) -> dict[str, Series]:
    """Load ``days`` calendar days of daily closes per symbol, ending at the latest price.

    Raises TimeoutError when the history cannot be read in time.
    """
    wanted = list(dict.fromkeys(symbols))
    async with asyncio.timeout(HISTORY_TIMEOUT):
        loaded = await asyncio.gather(*(market.daily_bars(s, days) for s in wanted))
    return {
        s: with_latest(Series.from_bars(s, bars), market.quote(s), market.calendar)
        for s, bars in zip(wanted, loaded, strict=True)
    }


async def daily_bars_in_time(market: MarketData, symbol: str, days: int) -> list[DailyBar]:
    """Load ``days`` calendar days of one symbol's daily bars within HISTORY_TIMEOUT.

    Raises UnknownSymbol (unavailable now) when they cannot be read in time.
    """
    try:
        async with asyncio.timeout(HISTORY_TIMEOUT):
            return await market.daily_bars(symbol, days)
    except TimeoutError:
        raise UnknownSymbol(symbol, unavailable=True) from None


def with_latest(series: Series, quote: Quote | None, calendar: TradingCalendar) -> Series:
    """End ``series`` at the quote's price, as /board does: the quote's day closes at it.

    Stored history is refreshed a few times a day; without this a chart's "1 month" change
    would lag the board's, which compares the live price.
    """
    if quote is None or not math.isfinite(quote.price) or quote.price <= 0:
        return series
    day = calendar.trading_date(series.symbol, quote.as_of)
    dates, closes = list(series.dates), list(series.closes)
    if dates and day < dates[-1]:
        return series  # the stored history is newer than the quote
    if dates and day == dates[-1]:
        closes[-1] = quote.price
    else:
        dates.append(day)
        closes.append(quote.price)
    return Series(series.symbol, tuple(dates), tuple(closes))


async def chart_request(
    market: MarketData, clock: Clock, main: str, compare: str | None, period: Period
) -> ChartRequest:
    """Load the bars of every symbol the chart shows and return the chart's data."""
    today = clock.now().date()
    shown = tuple(s for s in ((compare,) if compare else BENCHMARKS) if s != main)
    correlate = tuple(s for s in BENCHMARKS if s != main)
    try:
        series = await load_series(market, (main, *shown, *correlate), history_days(period, today))
    except TimeoutError:
        raise UnknownSymbol(main, unavailable=True) from None
    main_series = series[main]
    return ChartRequest(
        main=main_series,
        compare=tuple(series[s] for s in shown),
        correlate=tuple(series[s] for s in correlate),
        period=period,
        start=period_start(period, today),
        as_of=main_series.dates[-1] if main_series.dates else today,
        source=market.source,
    )
