"""The NYSE trading calendar: market state at an instant, trading days, session bounds."""

from __future__ import annotations

import logging
import re
import warnings
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from bot.market.models import MarketState

log = logging.getLogger(__name__)

EXCHANGE = "XNYS"
EXCHANGE_TZ = ZoneInfo("America/New_York")
DEFAULT_START = date(2020, 1, 1)
DEFAULT_END = date(2030, 12, 31)
# US extended hours: pre-market from 04:00 ET; post-market runs four hours past the close
# (16:00-20:00, or 13:00-17:00 on early-close days).
PRE_MARKET_OPENS = time(4, 0)
POST_MARKET_LENGTH = timedelta(hours=4)

# "BTC-USD", "ETH-EUR": Yahoo's crypto pairs, which trade 24/7 (FX pairs look like "EURUSD=X").
_CRYPTO_PAIR = re.compile(r"^[A-Z0-9]{2,10}-(USD|USDT|USDC|EUR|GBP|JPY|CAD|AUD|CHF|BTC|ETH)$")

# exchange_calendars 4.13 trips pandas 3.1 deprecations while building; they are not ours to fix.
_PANDAS_DEPRECATION: type[Warning] = getattr(
    pd.errors, "Pandas4Warning", getattr(pd.errors, "PandasDeprecationWarning", DeprecationWarning)
)


class CalendarRangeError(ValueError):
    """A date or instant lies outside the span the calendar was built for."""

    def __init__(self, when: date | datetime, start: date, end: date) -> None:
        super().__init__(f"{when} is outside the trading calendar ({start} to {end})")
        self.when = when
        self.start = start
        self.end = end


def is_crypto(symbol: str) -> bool:
    """Tell whether ``symbol`` is a crypto pair that trades around the clock."""
    return _CRYPTO_PAIR.match(symbol.upper()) is not None


@dataclass(frozen=True, slots=True)
class Session:
    """One trading day's bounds, all aware UTC."""

    day: date
    pre_start: datetime
    open: datetime
    close: datetime
    post_end: datetime

    @property
    def early_close(self) -> bool:
        """Tell whether regular trading ends before 16:00 ET."""
        return self.close.astimezone(EXCHANGE_TZ).time() < time(16, 0)


class TradingCalendar:
    """XNYS sessions built once into sorted arrays, so every lookup is a bisect."""

    def __init__(self, start: date = DEFAULT_START, end: date = DEFAULT_END) -> None:
        import exchange_calendars as xcals  # slow import: only pay it when a calendar is built

        self.start = start
        self.end = end
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", _PANDAS_DEPRECATION)
            schedule = xcals.get_calendar(
                EXCHANGE, start=start.isoformat(), end=end.isoformat()
            ).schedule
        days: list[date] = []
        pre: list[float] = []
        opens: list[float] = []
        closes: list[float] = []
        posts: list[float] = []
        for label, open_ts, close_ts in zip(
            schedule.index, schedule["open"], schedule["close"], strict=True
        ):
            day = label.date()
            pre_start = datetime.combine(day, PRE_MARKET_OPENS, EXCHANGE_TZ)
            close_at = close_ts.to_pydatetime()
            days.append(day)
            pre.append(pre_start.timestamp())
            opens.append(open_ts.to_pydatetime().timestamp())
            closes.append(close_at.timestamp())
            posts.append((close_at + POST_MARKET_LENGTH).timestamp())
        self._days = days
        self._day_set = frozenset(days)
        self._pre = pre
        self._open = opens
        self._close = closes
        self._post = posts
        self._first = datetime.combine(start, time(0), UTC).timestamp()
        self._last = datetime.combine(end + timedelta(days=1), time(0), UTC).timestamp()
        log.debug("built %s calendar %s..%s: %d sessions", EXCHANGE, start, end, len(days))

    def exchange_state(self, at: datetime) -> MarketState:
        """Return the NYSE state (pre / regular / post / closed) at instant ``at``."""
        t = self._instant(at)
        i = bisect_right(self._pre, t) - 1
        if i < 0 or t >= self._post[i]:
            return MarketState.CLOSED
        if t < self._open[i]:
            return MarketState.PRE
        if t < self._close[i]:
            return MarketState.REGULAR
        return MarketState.POST

    def market_state(self, symbol: str, at: datetime) -> MarketState:
        """Return the state of ``symbol``'s market at ``at`` (crypto pairs are always open)."""
        if is_crypto(symbol):
            return MarketState.ALWAYS_OPEN
        return self.exchange_state(at)

    def is_trading_day(self, day: date) -> bool:
        """Tell whether NYSE holds a session on ``day``."""
        self._check_day(day)
        return day in self._day_set

    def next_trading_day(self, day: date) -> date:
        """Return the first NYSE session strictly after ``day``."""
        self._check_day(day)
        i = bisect_right(self._days, day)
        if i >= len(self._days):
            raise CalendarRangeError(day + timedelta(days=1), self.start, self.end)
        return self._days[i]

    def previous_trading_day(self, day: date) -> date:
        """Return the last NYSE session strictly before ``day``."""
        self._check_day(day)
        i = bisect_left(self._days, day) - 1
        if i < 0:
            raise CalendarRangeError(day - timedelta(days=1), self.start, self.end)
        return self._days[i]

    def session(self, day: date) -> Session | None:
        """Return the bounds of ``day``'s session, or None when NYSE is shut that day."""
        self._check_day(day)
        i = bisect_left(self._days, day)
        if i >= len(self._days) or self._days[i] != day:
            return None
        return Session(
            day=day,
            pre_start=datetime.fromtimestamp(self._pre[i], UTC),
            open=datetime.fromtimestamp(self._open[i], UTC),
            close=datetime.fromtimestamp(self._close[i], UTC),
            post_end=datetime.fromtimestamp(self._post[i], UTC),
        )

    def trading_date(self, symbol: str, at: datetime) -> date:
        """Return the day a move at ``at`` counts for: UTC date for crypto, else New York date."""
        if at.tzinfo is None:
            raise ValueError("trading_date needs an aware datetime")
        if is_crypto(symbol):
            return at.astimezone(UTC).date()
        return at.astimezone(EXCHANGE_TZ).date()

    def _instant(self, at: datetime) -> float:
        if at.tzinfo is None:
            raise ValueError("market state needs an aware datetime")
        t = at.timestamp()
        if not self._first <= t < self._last:
            raise CalendarRangeError(at, self.start, self.end)
        return t

    def _check_day(self, day: date) -> None:
        if not self.start <= day <= self.end:
            raise CalendarRangeError(day, self.start, self.end)
