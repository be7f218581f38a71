"""The quote model: derived change, flags, aware times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.market.models import Bar, DataSource, MarketState, Quote, range_of

from .test_guards import make_quote


def test_change_is_derived_from_the_previous_close() -> None:
    """change and change_pct follow price and previous close; None without a close."""
    quote = make_quote(10.45)
    assert quote.change == pytest.approx(0.95)
    assert quote.change_pct == pytest.approx(10.0)
    bare = Quote(
        **{**{f: getattr(quote, f) for f in quote.__dataclass_fields__}, "previous_close": None}
    )
    assert bare.change is None and bare.change_pct is None


def test_with_stale_and_demo_flag() -> None:
    """with_stale returns a flagged copy; is_demo follows the source."""
    quote = make_quote()
    assert quote.with_stale().stale and not quote.stale
    assert quote.with_stale(False) is quote
    assert not quote.is_demo
    demo = Quote(
        **{**{f: getattr(quote, f) for f in quote.__dataclass_fields__}, "source": DataSource.DEMO}
    )
    assert demo.is_demo


def test_times_must_be_aware_and_become_utc() -> None:
    """A naive as-of is refused; an offset one is normalised to UTC."""
    eastern = timezone(timedelta(hours=-4))
    quote = make_quote(as_of=datetime(2026, 9, 24, 11, 0, tzinfo=eastern))
    assert quote.as_of == datetime(2026, 9, 24, 15, 0, tzinfo=UTC)
    assert quote.as_of.tzinfo is UTC
    with pytest.raises(ValueError, match="aware"):
        make_quote(as_of=datetime(2026, 9, 24, 11, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        Bar(datetime(2026, 9, 24, 11, 0), 1, 1, 1, 1, 0)  # noqa: DTZ001


def test_range_ignores_missing_values() -> None:
    """The intraday range skips NaN highs/lows and is None when nothing is usable."""
    start = datetime(2026, 9, 24, 14, tzinfo=UTC)
    bars = [Bar(start, 1, 2.0, 0.5, 1, 0), Bar(start, 1, float("nan"), float("nan"), 1, 0)]
    got = range_of(bars, since=start)
    assert got is not None and (got.high, got.low, got.bars) == (2.0, 0.5, 2)
    assert range_of([bars[1]], since=start) is None


def test_market_state_in_session() -> None:
    """Only closed is out of session."""
    assert [s.in_session for s in MarketState] == [True, True, True, False, True]
