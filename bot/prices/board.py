"""Gather what the board and the charts show: quotes from memory, history from the store.

Shared by /board and /chart (cogs/prices) and the daily summary, so both show the same
figures computed the same way.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from datetime import date
from typing import Final

from bot.clock import Clock
from bot.ledger.counting import oldest_date
from bot.market.calendar import TradingCalendar
from bot.market.history import HistoryService
from bot.market.market_data import MarketData
from bot.market.models import Quote
from bot.render.board import BoardContext, BoardRow, SortKey, change_from, month_base
from bot.render.chart import ChartRequest, Period, Series, history_days, period_start
from bot.render.exposure import Exposure
from bot.symbols import Entry, UnknownSymbol

# Calendar days of stored history read for "1M": a month plus room for weekends and holidays.
MONTH_HISTORY_DAYS: Final = 40
# The default comparisons: the miners' old business (bitcoin) and their new one (AI chips).
BENCHMARKS: Final = ("BTC-USD", "NVDA")
# Stored history answers at once; a symbol not stored is fetched once, within this bound
# (the command has deferred, so it may take longer than Discord's 3 s).
HISTORY_TIMEOUT: Final = 10.0


class MonthBases:
    """Each symbol's close from a month ago, read from the store once a day (no network)."""

    def __init__(self, history: HistoryService | None, clock: Clock) -> None:
        self._history = history
        self._clock = clock
        # symbol → (today, the history refresh it was read after, the base close)
        self._cache: dict[str, tuple[date, date | None, float | None]] = {}

    def clear(self) -> None:
        """Forget every cached base (the next board reads the store again)."""
        self._cache.clear()

    async def bases(self, symbols: Sequence[str]) -> dict[str, float | None]:
        """Return the close at least a month before today for each of ``symbols``."""
        history = self._history
        if history is None:
            return dict.fromkeys(symbols)
        today = self._clock.now().date()
        due = []
        for symbol in symbols:
            cached = self._cache.get(symbol)
            if cached is None or cached[:2] != (today, history.refreshed_on(symbol)):
                due.append(symbol)
        loaded = await asyncio.gather(*(history.load(s, MONTH_HISTORY_DAYS) for s in due))
        for symbol, bars in zip(due, loaded, strict=True):
            self._cache[symbol] = (today, history.refreshed_on(symbol), month_base(bars, today))
        return {symbol: self._cache[symbol][2] for symbol in symbols}


def board_row(
    entry: Entry, quote: Quote | None, exposure: Exposure | None, month_base: float | None
) -> BoardRow:
    """Return one company's row from what is known about it."""
    last = quote.price if quote is not None else None
    return BoardRow(
        symbol=entry.symbol,
        price=last,
        change_1d=quote.change_pct if quote is not None else None,
        change_1m=change_from(month_base, last),
        market_cap=quote.market_cap if quote is not None else None,
        mw=exposure.mw_total if exposure is not None else None,
        mw_gross=exposure.uses_gross if exposure is not None else False,
        value_usd=exposure.value_usd if exposure is not None else None,
        value_approx=exposure.value_approx if exposure is not None else False,
        value_floor=exposure.value_floor if exposure is not None else False,
        stale=quote.stale if quote is not None else False,
    )


def board_context(
    sort: SortKey,
    market: MarketData,
    quotes: Sequence[Quote | None],
    exposures: Sequence[Exposure | None],
) -> BoardContext:
    """Return the page frame: sort, source, the newest quote time and ledger date."""
    times = [q.as_of for q in quotes if q is not None]
    oldest = oldest_date(e.as_of for e in exposures if e is not None)
    return BoardContext(
        sort=sort,
        source=market.source,
        prices_as_of=max(times, default=None),
        ledger_as_of=oldest,
    )


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
