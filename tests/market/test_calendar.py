"""The XNYS calendar: market state, trading days, early closes, DST, crypto."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.market.calendar import CalendarRangeError, TradingCalendar, is_crypto
from bot.market.models import MarketState


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "state"),
    [
        # Thursday 2026-09-24, EDT (UTC-4).
        (utc(2026, 9, 24, 7, 59), MarketState.CLOSED),  # 03:59 ET
        (utc(2026, 9, 24, 8, 0), MarketState.PRE),  # 04:00 ET
        (utc(2026, 9, 24, 13, 29, 59), MarketState.PRE),
        (utc(2026, 9, 24, 13, 30), MarketState.REGULAR),  # 09:30 ET
        (utc(2026, 9, 24, 19, 59, 59), MarketState.REGULAR),
        (utc(2026, 9, 24, 20, 0), MarketState.POST),  # 16:00 ET
        (utc(2026, 9, 24, 23, 59, 59), MarketState.POST),
        (utc(2026, 9, 25, 0, 0), MarketState.CLOSED),  # 20:00 ET
        # Weekend.
        (utc(2026, 9, 26, 15, 0), MarketState.CLOSED),
        (utc(2026, 9, 27, 12, 0), MarketState.CLOSED),
        # Winter (EST, UTC-5): Monday 2026-01-12.
        (utc(2026, 1, 12, 8, 30), MarketState.CLOSED),  # 03:30 ET
        (utc(2026, 1, 12, 9, 0), MarketState.PRE),  # 04:00 ET
        (utc(2026, 1, 12, 14, 29), MarketState.PRE),
        (utc(2026, 1, 12, 14, 30), MarketState.REGULAR),
        (utc(2026, 1, 12, 21, 0), MarketState.POST),
        (utc(2026, 1, 13, 1, 0), MarketState.CLOSED),
    ],
)
def test_market_state_at_instants(
    calendar: TradingCalendar, instant: datetime, state: MarketState
) -> None:
    """Pre 04:00-09:30, regular 09:30-16:00, post 16:00-20:00 ET, otherwise closed."""
    assert calendar.market_state("CIFR", instant) is state


def test_thanksgiving_is_closed_and_black_friday_closes_early(calendar: TradingCalendar) -> None:
    """2026-11-26 has no session; 2026-11-27 regular trading ends at 13:00 ET."""
    thanksgiving, friday = date(2026, 11, 26), date(2026, 11, 27)
    assert not calendar.is_trading_day(thanksgiving)
    assert calendar.session(thanksgiving) is None
    assert calendar.market_state("WULF", utc(2026, 11, 26, 15, 0)) is MarketState.CLOSED
    assert calendar.next_trading_day(date(2026, 11, 25)) == friday
    assert calendar.previous_trading_day(friday) == date(2026, 11, 25)

    session = calendar.session(friday)
    assert session is not None and session.early_close
    assert session.open == utc(2026, 11, 27, 14, 30)
    assert session.close == utc(2026, 11, 27, 18, 0)  # 13:00 EST
    assert calendar.market_state("WULF", utc(2026, 11, 27, 17, 59)) is MarketState.REGULAR
    assert calendar.market_state("WULF", utc(2026, 11, 27, 18, 0)) is MarketState.POST
    assert calendar.market_state("WULF", utc(2026, 11, 27, 22, 0)) is MarketState.CLOSED
    ordinary = calendar.session(date(2026, 11, 25))
    assert ordinary is not None and not ordinary.early_close


@pytest.mark.parametrize(
    ("day", "pre_start", "open_", "close"),
    [
        # Spring forward on Sunday 2026-03-08: the sessions around it shift by an hour in UTC.
        (date(2026, 3, 6), utc(2026, 3, 6, 9, 0), utc(2026, 3, 6, 14, 30), utc(2026, 3, 6, 21, 0)),
        (date(2026, 3, 9), utc(2026, 3, 9, 8, 0), utc(2026, 3, 9, 13, 30), utc(2026, 3, 9, 20, 0)),
        # Fall back on Sunday 2026-11-01.
        (
            date(2026, 10, 30),
            utc(2026, 10, 30, 8, 0),
            utc(2026, 10, 30, 13, 30),
            utc(2026, 10, 30, 20, 0),
        ),
        (
            date(2026, 11, 2),
            utc(2026, 11, 2, 9, 0),
            utc(2026, 11, 2, 14, 30),
            utc(2026, 11, 2, 21, 0),
        ),
    ],
)
def test_dst_transitions_give_the_right_utc_bounds(
    calendar: TradingCalendar, day: date, pre_start: datetime, open_: datetime, close: datetime
) -> None:
    """Session bounds follow New York time across both 2026 DST changes."""
    session = calendar.session(day)
    assert session is not None
    assert (session.pre_start, session.open, session.close) == (pre_start, open_, close)
    assert session.post_end == close + timedelta(hours=4)
    assert calendar.market_state("IREN", open_ - timedelta(seconds=1)) is MarketState.PRE
    assert calendar.market_state("IREN", open_) is MarketState.REGULAR


def test_dst_sundays_are_not_trading_days(calendar: TradingCalendar) -> None:
    """The transition days themselves are Sundays."""
    assert not calendar.is_trading_day(date(2026, 3, 8))
    assert not calendar.is_trading_day(date(2026, 11, 1))
    assert calendar.next_trading_day(date(2026, 3, 6)) == date(2026, 3, 9)


@pytest.mark.parametrize(
    "instant",
    [
        utc(2026, 9, 26, 15, 0),  # Saturday
        utc(2026, 11, 26, 15, 0),  # Thanksgiving
        utc(2026, 12, 25, 3, 0),  # Christmas, at night
        utc(2026, 9, 24, 14, 0),  # a regular session
        utc(2026, 3, 8, 7, 30),  # the DST change itself
    ],
)
def test_btc_is_always_open(calendar: TradingCalendar, instant: datetime) -> None:
    """BTC-USD (and any crypto pair) trades 24/7."""
    assert calendar.market_state("BTC-USD", instant) is MarketState.ALWAYS_OPEN
    assert calendar.market_state("eth-usd", instant) is MarketState.ALWAYS_OPEN


@pytest.mark.parametrize(
    ("symbol", "crypto"),
    [
        ("BTC-USD", True),
        ("ETH-USD", True),
        ("SOL-EUR", True),
        ("BRK-B", False),
        ("MSFT", False),
        ("EURUSD=X", False),
        ("CAPIO.ST", False),
    ],
)
def test_crypto_pairs_are_recognised(symbol: str, crypto: bool) -> None:
    """Crypto pairs look like BASE-QUOTE with a currency quote; BRK-B is a share class."""
    assert is_crypto(symbol) is crypto


def test_trading_date_is_new_york_for_stocks_and_utc_for_crypto(calendar: TradingCalendar) -> None:
    """A late-evening move counts for New York's day (stocks) or the UTC day (crypto)."""
    late = utc(2026, 9, 25, 1, 30)  # 21:30 ET on the 24th
    assert calendar.trading_date("MSFT", late) == date(2026, 9, 24)
    assert calendar.trading_date("BTC-USD", late) == date(2026, 9, 25)


def test_covers_2020_to_2030_and_refuses_outside(calendar: TradingCalendar) -> None:
    """The calendar spans 2020-2030; beyond it, lookups raise rather than guess."""
    assert calendar.is_trading_day(date(2020, 1, 2))
    assert not calendar.is_trading_day(date(2020, 1, 1))
    assert calendar.is_trading_day(date(2030, 12, 31))
    assert calendar.next_trading_day(date(2030, 12, 27)) == date(2030, 12, 30)
    with pytest.raises(CalendarRangeError):
        calendar.is_trading_day(date(2031, 1, 2))
    with pytest.raises(CalendarRangeError):
        calendar.market_state("MSFT", utc(2019, 12, 31, 15, 0))
    with pytest.raises(ValueError, match="aware"):
        calendar.market_state("MSFT", datetime(2026, 1, 5, 15, 0))  # noqa: DTZ001


def test_lookups_are_cheap(calendar: TradingCalendar) -> None:
    """Market state is a bisect over precomputed arrays: far under a microsecond budget each."""
    start = utc(2026, 1, 1)
    instants = [start + timedelta(minutes=7 * i) for i in range(20_000)]
    began = time.perf_counter()
    for instant in instants:
        calendar.market_state("MARA", instant)
    per_lookup = (time.perf_counter() - began) / len(instants)
    assert per_lookup < 50e-6
