"""The data guards: bad ticks are refused, counted, and leave the cached quote alone."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.market.book import QuoteBook
from bot.market.calendar import TradingCalendar
from bot.market.guards import Rejection, check_tick, clean_optional, clean_volume
from bot.market.models import DataSource, MarketState, Quote
from tests import factories

NOW = datetime(2026, 9, 24, 15, 0, tzinfo=UTC)


def make_quote(price: float = 10.0, as_of: datetime = NOW, symbol: str = "CIFR") -> Quote:
    return factories.quote(
        symbol,
        price,
        previous_close=9.5,
        day_high=10.5,
        day_low=9.4,
        volume=1_000,
        as_of=as_of,
        source=DataSource.REPLAY,
    )


BAD_TICKS = [
    pytest.param(math.nan, NOW, False, Rejection.NOT_FINITE, id="nan"),
    pytest.param(math.inf, NOW, False, Rejection.NOT_FINITE, id="inf"),
    pytest.param(-math.inf, NOW, False, Rejection.NOT_FINITE, id="minus-inf"),
    pytest.param(0.0, NOW, False, Rejection.NON_POSITIVE, id="zero"),
    pytest.param(-3.2, NOW, False, Rejection.NON_POSITIVE, id="negative"),
    pytest.param(11.0, NOW - timedelta(seconds=1), False, Rejection.OLDER_THAN_HELD, id="older"),
    pytest.param(
        11.0, NOW + timedelta(minutes=1), True, Rejection.MISSING_CLOSE, id="nan-last-bar"
    ),
]


@pytest.mark.parametrize(("price", "as_of", "missing_close", "reason"), BAD_TICKS)
def test_bad_ticks_are_rejected_counted_and_leave_the_cache(
    calendar: TradingCalendar, price: float, as_of: datetime, missing_close: bool, reason: Rejection
) -> None:
    """Each bad tick gets its reason, one count, and the held quote is served unchanged."""
    book = QuoteBook(calendar, stale_after=timedelta(minutes=3))
    held = make_quote()
    assert book.offer(held, NOW) is None

    got = book.offer(make_quote(price, as_of), NOW, last_close_missing=missing_close)

    assert got is reason
    assert book.rejected() == {str(reason): 1}
    assert book.held("CIFR") == held
    assert book.get("CIFR", NOW) == held
    assert book.symbol_stats()["CIFR"].last_rejection is reason


@pytest.mark.parametrize(("price", "as_of", "missing_close", "reason"), BAD_TICKS[:5])
def test_bad_first_ticks_leave_nothing_cached(
    calendar: TradingCalendar, price: float, as_of: datetime, missing_close: bool, reason: Rejection
) -> None:
    """Without a held quote, a bad tick still never becomes the price."""
    book = QuoteBook(calendar, stale_after=timedelta(minutes=3))
    assert book.offer(make_quote(price, as_of), NOW) is reason
    assert book.get("CIFR", NOW) is None


@pytest.mark.parametrize("delta", [timedelta(0), timedelta(seconds=1)])
def test_same_or_newer_ticks_are_taken(calendar: TradingCalendar, delta: timedelta) -> None:
    """An unchanged as-of (market closed) or a newer one is accepted."""
    book = QuoteBook(calendar, stale_after=timedelta(minutes=3))
    book.offer(make_quote(), NOW)
    newer = make_quote(10.25, NOW + delta)
    assert book.offer(newer, NOW) is None
    assert book.held("CIFR") == newer
    assert book.rejected() == {}


def test_full_precision_is_kept(calendar: TradingCalendar) -> None:
    """Float32 noise is kept as is: rounding is the renderer's job."""
    book = QuoteBook(calendar, stale_after=timedelta(minutes=3))
    noisy = 516.1699829101562
    book.offer(make_quote(noisy), NOW)
    cached = book.get("CIFR", NOW)
    assert cached is not None and cached.price == noisy


def test_stale_after_three_polls_in_session_not_when_closed(calendar: TradingCalendar) -> None:
    """In session a quote not renewed for 3 intervals is stale; after the close it is not."""
    book = QuoteBook(calendar, stale_after=timedelta(minutes=3))
    book.offer(make_quote(), NOW)
    assert not book.get("CIFR", NOW + timedelta(minutes=3)).stale  # type: ignore[union-attr]
    late = book.get("CIFR", NOW + timedelta(minutes=3, seconds=1))
    assert late is not None and late.stale and late.market_state is MarketState.REGULAR
    weekend = book.get("CIFR", datetime(2026, 9, 26, 15, tzinfo=UTC))
    assert weekend is not None and not weekend.stale
    assert weekend.market_state is MarketState.CLOSED
    backing_off = book.get("CIFR", NOW, backing_off=True)
    assert backing_off is not None and backing_off.stale


def test_check_tick_is_pure() -> None:
    """The guard is a plain function of the candidate and the held quote."""
    held = make_quote()
    assert check_tick(replace(held, price=11.0), held, last_close_missing=False) is None
    assert check_tick(replace(held, price=math.nan), None, last_close_missing=False) is (
        Rejection.NOT_FINITE
    )


@pytest.mark.parametrize(
    ("value", "cleaned"), [(None, None), (math.nan, None), (-1.0, None), (0.0, None), (2.5, 2.5)]
)
def test_optional_fields_drop_unusable_numbers(value: float | None, cleaned: float | None) -> None:
    """Day range, previous close and 52-week values are None rather than wrong."""
    assert clean_optional(value) == cleaned


@pytest.mark.parametrize(
    ("value", "cleaned"), [(None, None), (math.nan, None), (-5, None), (7.0, 7)]
)
def test_volume_is_a_whole_non_negative_number(value: float | None, cleaned: int | None) -> None:
    """Volumes come as floats from pandas; they are kept as whole numbers."""
    assert clean_volume(value) == cleaned
