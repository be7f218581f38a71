"""One symbol's tick read against its daily facts: the figures the new alert kinds compare.

Computed once per symbol per evaluation (never per alert), pure: the evaluator passes the
facts, the benchmark quotes and the elapsed share of the session in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Final, NamedTuple

from bot.alerts.days import move_day
from bot.alerts.facts import DailyFacts
from bot.alerts.model import BENCHMARK_BASES, Basis, Side, Tick, usable_price
from bot.market.calendar import CalendarRangeError, TradingCalendar, is_crypto
from bot.market.models import MarketState, Quote

# Volume is compared with the 20-day average scaled by the elapsed share of the session
# (a plain linear fraction), floored at a tenth: the first minutes of a session trade far
# more than their linear share, so an unfloored threshold would fire on the opening prints.
MIN_SESSION_FRACTION: Final = 0.1
_DAY: Final = timedelta(days=1)


class Signal(NamedTuple):
    """What one tick shows for the new kinds; a None figure cannot fire anything."""

    day: date
    facts: DailyFacts | None
    new_high: float | None  # the tick's high when it tops the 52-week high
    new_low: float | None
    sides: Mapping[Basis, Side]  # per average: where the price is, outside the band
    averages: Mapping[Basis, float]  # the average each side was read against
    volume_ratio: float | None  # the day's volume over what the average expects by now
    gap_pct: float | None  # the open versus the previous close, in percent
    move_pct: float | None  # the day's move versus the previous close, in percent
    relative: Mapping[Basis, tuple[float, float]]  # benchmark → (points, benchmark's move)
    earnings_day: date | None = None  # the next earnings date on or after the day, if known


def move_of(quote: Quote | None) -> float | None:
    """Return a quote's move versus its previous close in percent, or None."""
    if quote is None or quote.stale or not usable_price(quote.price):
        return None
    close = quote.previous_close
    if not usable_price(close):
        return None
    return (quote.price / close - 1.0) * 100.0


def side_of(price: float, average: float, band: float) -> Side | None:
    """Return the side of ``average`` the price is on, or None inside the ±band dead zone."""
    if price > average * (1.0 + band):
        return Side.ABOVE
    if price < average * (1.0 - band):
        return Side.BELOW
    return None


def session_fraction(calendar: TradingCalendar, symbol: str, at: datetime) -> float | None:
    """Return the elapsed share of ``at``'s session (floored), or None outside of one."""
    if is_crypto(symbol):
        start = at.replace(hour=0, minute=0, second=0, microsecond=0)
        return max(MIN_SESSION_FRACTION, (at - start) / _DAY)
    try:
        # A weekend or holiday quote is the last session's, seen late: all of it elapsed.
        session = calendar.session(move_day(calendar, symbol, at))
    except CalendarRangeError:
        return None
    if session is None or at < session.open:
        return None
    elapsed = (min(at, session.close) - session.open) / (session.close - session.open)
    return max(MIN_SESSION_FRACTION, elapsed)


def build_signal(
    tick: Tick,
    day: date,
    facts: DailyFacts | None,
    *,
    benchmarks: Mapping[Basis, Quote],
    fraction: float | None,
    band: float,
    earnings_day: date | None = None,
) -> Signal:
    """Return the figures ``tick`` shows for session ``day``."""
    quote = tick.quote
    price = quote.price
    sides: dict[Basis, Side] = {}
    averages: dict[Basis, float] = {}
    new_high = new_low = volume_ratio = None
    if facts is not None:
        if facts.high52 is not None and tick.top > facts.high52:
            new_high = tick.top
        if facts.low52 is not None and tick.bottom < facts.low52:
            new_low = tick.bottom
        for basis, average in ((Basis.MA50, facts.ma50), (Basis.MA200, facts.ma200)):
            if average is not None:
                averages[basis] = average
                side = side_of(price, average, band)
                if side is not None:
                    sides[basis] = side
        golden = facts.golden_side
        if golden is not None and facts.ma50 is not None:
            sides[Basis.MA50_MA200] = golden
            averages[Basis.MA50_MA200] = facts.ma50
        volume = quote.volume
        if facts.avg_volume20 and fraction and volume is not None and volume > 0:
            volume_ratio = volume / (facts.avg_volume20 * fraction)
    gap = None
    close = quote.previous_close
    opening = quote.day_open
    in_session = quote.market_state in (MarketState.REGULAR, MarketState.POST)
    if in_session and usable_price(opening) and usable_price(close) and not is_crypto(quote.symbol):
        gap = (opening / close - 1.0) * 100.0
    move = move_of(quote)
    relative: dict[Basis, tuple[float, float]] = {}
    if move is not None:
        for basis in BENCHMARK_BASES:
            benchmark_move = move_of(benchmarks.get(basis))
            if benchmark_move is not None and basis.value != quote.symbol:
                relative[basis] = (move - benchmark_move, benchmark_move)
    return Signal(
        day,
        facts,
        new_high,
        new_low,
        sides,
        averages,
        volume_ratio,
        gap,
        move,
        relative,
        earnings_day,
    )
