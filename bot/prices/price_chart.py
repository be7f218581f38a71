"""A candle or line chart's data: daily bars (with room for the averages) or intraday bars,
ended at the live price, with the company's deal announcements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, time
from typing import Final, Literal, cast

from bot.clock import Clock
from bot.market.calendar import TradingCalendar
from bot.market.intraday import SPANS, IntradayBars, IntradayUnavailable
from bot.market.market_data import MarketData
from bot.market.models import Bar, DailyBar, MarketState, Quote
from bot.prices.chart import daily_bars_in_time
from bot.render.chart import NotEnoughHistory, Period, period_start
from bot.render.price_chart import (
    MIN_BARS,
    MOVING_AVERAGES,
    NEW_YORK,
    ChartPeriod,
    DealMark,
    PriceBar,
    PriceChartRequest,
    intraday_bar_label,
)

# Calendar days of daily bars before the period, so the 50-day average is drawn from the
# chart's first day (50 sessions span about 72 calendar days; the rest covers holidays).
AVERAGE_LOOKBACK_DAYS: Final = math.ceil(max(MOVING_AVERAGES) * 7 / 5) + 10
EXTENDED_STATES: Final = frozenset({MarketState.PRE, MarketState.POST})


def daily_price_bars(bars: Sequence[DailyBar]) -> list[PriceBar]:
    """Return daily bars as drawn: each at its session date's New York midnight."""
    return [
        PriceBar(
            at=datetime.combine(b.date, time(0), NEW_YORK),
            open=b.open,
            high=b.high,
            low=b.low,
            close=b.close,
            volume=b.volume,
        )
        for b in bars
        if all(math.isfinite(v) and v > 0 for v in (b.open, b.high, b.low, b.close))
    ]


def with_live_bar(
    bars: list[DailyBar], quote: Quote | None, calendar: TradingCalendar
) -> list[DailyBar]:
    """End the daily bars at the live quote, as the compare chart and /board do.

    The quote's session closes at its price (its high and low widened to include it); a
    session the stored history has not reached yet is added from the quote.
    """
    if quote is None or not math.isfinite(quote.price) or quote.price <= 0:
        return bars
    day = calendar.trading_date(quote.symbol, quote.as_of)
    if bars and day < bars[-1].date:
        return bars
    price = quote.price
    if bars and day == bars[-1].date:
        last = bars[-1]
        return [
            *bars[:-1],
            DailyBar(
                day, last.open, max(last.high, price), min(last.low, price), price, last.volume
            ),
        ]
    opened = quote.previous_close if quote.previous_close and quote.previous_close > 0 else price
    high = max(v for v in (quote.day_high, price, opened) if v is not None)
    low = min(v for v in (quote.day_low, price, opened) if v is not None)
    return [*bars, DailyBar(day, opened, high, low, price, quote.volume or 0)]


def intraday_price_bars(
    held: IntradayBars, calendar: TradingCalendar
) -> tuple[list[PriceBar], datetime]:
    """Return the last ``sessions`` days of intraday bars, pre/post-market flagged, and
    the instant they run to."""
    bars: list[Bar] = list(held.bars)
    days = sorted({calendar.trading_date(held.symbol, b.start) for b in bars})
    keep = set(days[-held.span.sessions :])
    shown = [b for b in bars if calendar.trading_date(held.symbol, b.start) in keep]
    drawn = [
        PriceBar(
            at=b.start,
            open=b.open,
            high=b.high,
            low=b.low,
            close=b.close,
            volume=b.volume,
            extended=calendar.market_state(held.symbol, b.start) in EXTENDED_STATES,
        )
        for b in shown
    ]
    end = shown[-1].start + held.span.bar_length if shown else held.fetched_at
    return drawn, min(end, held.fetched_at)


async def price_chart_request(
    market: MarketData,
    clock: Clock,
    symbol: str,
    period: ChartPeriod,
    style: Literal["candles", "line"],
    deals: Sequence[DealMark] = (),
) -> PriceChartRequest:
    """Load the bars ``period`` shows and return the chart's data.

    Raises IntradayUnavailable (intraday, nothing usable), NotEnoughHistory (daily) or
    UnknownSymbol (daily history not read in time).
    """
    quote = market.quote(symbol)
    currency = quote.currency if quote is not None else "USD"
    if period == "1d" or period == "5d":
        held = await market.intraday_bars(symbol, period)
        drawn, as_of = intraday_price_bars(held, market.calendar)
        if len(drawn) < MIN_BARS:
            raise IntradayUnavailable(symbol, period)
        return PriceChartRequest(
            symbol=symbol,
            style=style,
            period=period,
            bars=tuple(drawn),
            shown_from=0,
            intraday=True,
            bar_label=intraday_bar_label(SPANS[period].bar_length),
            currency=currency,
            source=held.source,
            as_of=as_of,
            deals=tuple(deals),
            stale=held.stale,
            # A day's move reads against the previous close, as /price and /board show it.
            reference=quote.previous_close if quote is not None and period == "1d" else None,
        )
    today = clock.now().date()
    start = period_start(period, today)
    days = (today - start).days + AVERAGE_LOOKBACK_DAYS
    daily = await daily_bars_in_time(market, symbol, days)
    drawn = daily_price_bars(with_live_bar(daily, quote, market.calendar))
    shown_from = next((i for i, b in enumerate(drawn) if b.at.date() >= start), len(drawn))
    if len(drawn) - shown_from < MIN_BARS:
        raise NotEnoughHistory(symbol, cast(Period, period), len(drawn) - shown_from)
    return PriceChartRequest(
        symbol=symbol,
        style=style,
        period=period,
        bars=tuple(drawn),
        shown_from=shown_from,
        intraday=False,
        bar_label="daily",
        currency=currency,
        source=market.source,
        as_of=quote.as_of if quote is not None else drawn[-1].at,
        deals=tuple(deals),
    )
