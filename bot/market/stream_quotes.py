"""Streamed trades as quotes: the context a trade lacks comes from the quote held, and a
single trade far from the last good price waits for a second opinion."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from bot.market.calendar import EXCHANGE_TZ, CalendarRangeError, TradingCalendar, is_crypto
from bot.market.models import DataSource, MarketState, Quote
from bot.market.stream_frames import StreamTick

log = logging.getLogger(__name__)

# A trade more than this far from the last good price is out of band: held until confirmed.
# Miners move a lot in a day, but not 10 % between two trades seconds apart; a bad print does.
MAX_JUMP: Final = 0.10
# A trade stamped this far ahead of our clock is from a streamer whose clock is wrong: it is
# taken as traded when it arrived, so it can neither block later trades nor fake a latency.
MAX_CLOCK_SKEW: Final = timedelta(seconds=5)


def trade_session(symbol: str, traded_at: datetime, calendar: TradingCalendar) -> MarketState:
    """Return the session a trade at ``traded_at`` belongs to (crypto: around the clock)."""
    # The exchange calendar rather than Yahoo's marketHours flag: protobuf cannot tell a
    # missing flag from 0 (pre-market), and the calendar knows holidays and early closes.
    if is_crypto(symbol):
        return MarketState.ALWAYS_OPEN
    try:
        return calendar.exchange_state(traded_at)
    except CalendarRangeError:
        return MarketState.CLOSED


def stream_quote(
    tick: StreamTick,
    held: Quote | None,
    *,
    now: datetime,
    calendar: TradingCalendar | None = None,
) -> Quote:
    """Return ``tick`` as a quote, completed from ``held`` (previous close, 52 weeks, cap).

    A post-market trade's previous close is the day's regular close, so its move (and a
    move alert in extended hours) reads against the session that just ended.
    """
    price = tick.price
    traded_at = tick.traded_at if tick.traded_at <= now + MAX_CLOCK_SKEW else now
    session = None if calendar is None else trade_session(tick.symbol, traded_at, calendar)
    # The trading day: New York's for shares (a post-market trade at 00:30 UTC still belongs
    # to yesterday), the UTC day for crypto pairs.
    zone = UTC if is_crypto(tick.symbol) else EXCHANGE_TZ
    same_day = held is not None and (
        held.as_of.astimezone(zone).date() == traded_at.astimezone(zone).date()
    )
    # The last regular close the held quote knows: its own price when it is a regular (or
    # 24/7) price, else the close it already carries.
    last_close = None
    if held is not None:
        off_hours = held.session in (MarketState.PRE, MarketState.POST, MarketState.CLOSED)
        last_close = held.previous_close if off_hours else held.price
    previous_close = tick.previous_close
    if previous_close is None and tick.change is not None:
        previous_close = price - tick.change
    if previous_close is None and held is not None:
        previous_close = held.previous_close if same_day else last_close
    if session is MarketState.POST and same_day:
        previous_close = last_close
    day_high = tick.day_high or (held.day_high if same_day and held else None)
    day_low = tick.day_low or (held.day_low if same_day and held else None)
    market_cap = None
    if held is not None and held.market_cap is not None and held.price > 0:
        market_cap = held.market_cap * price / held.price  # the share count does not move
    return Quote(
        symbol=tick.symbol,
        price=price,
        previous_close=previous_close,
        day_high=max(day_high, price) if day_high else None,
        day_low=min(day_low, price) if day_low else None,
        volume=tick.day_volume if tick.day_volume is not None else (held.volume if held else None),
        market_cap=market_cap,
        fifty_two_week_high=_widen(held.fifty_two_week_high if held else None, price, max),
        fifty_two_week_low=_widen(held.fifty_two_week_low if held else None, price, min),
        currency=tick.currency or (held.currency if held else "USD"),
        # The book sets the state at every read; this is only a starting value.
        market_state=held.market_state if held else MarketState.CLOSED,
        as_of=traded_at,
        source=DataSource.YAHOO,
        day_open=tick.open_price or (held.day_open if same_day and held else None),
        session=session,
    )


def _widen(
    bound: float | None, price: float, pick: Callable[[float, float], float]
) -> float | None:
    return None if bound is None else pick(bound, price)


def out_of_band(price: float, reference: float) -> bool:
    """Tell whether ``price`` is further than MAX_JUMP from ``reference``."""
    return reference > 0 and abs(price / reference - 1.0) > MAX_JUMP


@dataclass(slots=True)
class JumpHold:
    """Out-of-band trades waiting, per symbol, for the next trade or the poll to confirm them."""

    _pending: dict[str, Quote]

    def __init__(self) -> None:
        self._pending = {}

    def screen(self, quote: Quote, last_good: Quote | None) -> list[Quote]:
        """Return the quotes to offer now, oldest first (none while ``quote`` is held)."""
        symbol = quote.symbol
        pending = self._pending.pop(symbol, None)
        if last_good is None or not out_of_band(quote.price, last_good.price):
            if pending is not None:
                log.info("dropped %s out-of-band trade at %s", symbol, pending.price)
            return [quote]
        if pending is not None and not out_of_band(quote.price, pending.price):
            # Two trades in a row agree on the new level: it is the market, not a bad print.
            return [pending, quote]
        log.info("holding %s trade at %s (last good %s)", symbol, quote.price, last_good.price)
        self._pending[symbol] = quote
        return []

    def held(self, symbol: str) -> Quote | None:
        """Return the trade waiting for confirmation, if any."""
        return self._pending.get(symbol)

    def settle(self, symbol: str) -> None:
        """Forget the waiting trade: the poll has given its own price."""
        self._pending.pop(symbol, None)
