"""Gather a chart's daily history: stored bars first, one bounded fetch for the rest."""

from __future__ import annotations

import asyncio
from typing import Final

from bot.clock import Clock
from bot.market import MarketData
from bot.render.chart import ChartRequest, Period, Series, history_days, period_start
from bot.symbols import UnknownSymbol

# The default comparisons: the miners' old business (bitcoin) and their new one (AI chips).
BENCHMARKS: Final = ("BTC-USD", "NVDA")
# Stored history answers at once; a symbol not stored is fetched once, within this bound
# (the command has deferred, so it may take longer than Discord's 3 s).
HISTORY_TIMEOUT: Final = 10.0


async def chart_request(
    market: MarketData, clock: Clock, main: str, compare: str | None, period: Period
) -> ChartRequest:
    """Load the bars of every symbol the chart shows and return the chart's data."""
    today = clock.now().date()
    shown = tuple(s for s in ((compare,) if compare else BENCHMARKS) if s != main)
    correlate = tuple(s for s in BENCHMARKS if s != main)
    wanted = list(dict.fromkeys((main, *shown, *correlate)))
    days = history_days(period, today)
    try:
        async with asyncio.timeout(HISTORY_TIMEOUT):
            loaded = await asyncio.gather(*(market.daily_bars(s, days) for s in wanted))
    except TimeoutError:
        raise UnknownSymbol(main, unavailable=True) from None
    series = {s: Series.from_bars(s, bars) for s, bars in zip(wanted, loaded, strict=True)}
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
