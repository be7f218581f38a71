"""Which day a move counts for, so a move_pct alert fires once per direction per day."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from bot.market.calendar import EXCHANGE_TZ, CalendarRangeError, TradingCalendar, is_crypto

log = logging.getLogger(__name__)


def move_day(calendar: TradingCalendar, symbol: str, at: datetime) -> date:
    """Return the trading day a price at ``at`` belongs to."""
    # Crypto pairs count by UTC day. Listed shares count by NYSE session: a quote stamped on
    # a weekend or holiday (the last trade, seen late) still belongs to the session before
    # it, whose move versus its previous close it shows.
    if at.tzinfo is None:
        raise ValueError("move_day needs an aware datetime")
    if is_crypto(symbol):
        return at.astimezone(UTC).date()
    local = at.astimezone(EXCHANGE_TZ).date()
    try:
        if calendar.is_trading_day(local):
            return local
        return calendar.previous_trading_day(local)
    except CalendarRangeError:
        log.warning("no NYSE calendar for %s; counting %s by New York date", local, symbol)
        return local
