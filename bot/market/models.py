"""The quote and bar models every price source produces."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any


class MarketState(StrEnum):
    """Where the market of a symbol stands at an instant."""

    PRE = "pre"
    REGULAR = "regular"
    POST = "post"
    CLOSED = "closed"
    ALWAYS_OPEN = "24/7"  # crypto pairs trade around the clock

    @property
    def in_session(self) -> bool:
        """Tell whether prices are expected to move now (anything but closed)."""
        return self is not MarketState.CLOSED


class DataSource(StrEnum):
    """Where a quote came from."""

    YAHOO = "yahoo"
    REPLAY = "replay"
    DEMO = "demo"


def _require_aware(name: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Quote:
    """One symbol's latest price with its context (floats kept at full precision)."""

    symbol: str
    price: float
    previous_close: float | None
    day_high: float | None
    day_low: float | None
    volume: int | None
    market_cap: float | None
    fifty_two_week_high: float | None
    fifty_two_week_low: float | None
    currency: str
    market_state: MarketState
    as_of: datetime
    source: DataSource
    delayed: bool = False
    stale: bool = False
    day_open: float | None = None  # the regular session's opening price, when known
    # The session the price was traded in: pre- or post-market for a streamed trade outside
    # regular hours; a polled price is the regular session's (or a crypto pair's, 24/7).
    session: MarketState | None = None

    def __post_init__(self) -> None:
        # Normalise to UTC once so comparisons and rendering never meet a foreign zone.
        object.__setattr__(self, "as_of", _require_aware("as_of", self.as_of))

    @property
    def change(self) -> float | None:
        """Return the move versus the previous close (None without a previous close)."""
        if self.previous_close is None:
            return None
        return self.price - self.previous_close

    @property
    def change_pct(self) -> float | None:
        """Return the move versus the previous close in percent (None without one)."""
        if self.previous_close is None or self.previous_close <= 0:
            return None
        return (self.price / self.previous_close - 1.0) * 100.0

    @property
    def is_demo(self) -> bool:
        """Tell whether this quote is synthetic demo data."""
        return self.source is DataSource.DEMO

    def with_stale(self, stale: bool = True) -> Quote:
        """Return this quote with its stale flag set to ``stale``."""
        if self.stale == stale:
            return self
        return dataclasses.replace(self, stale=stale)

    @classmethod
    def priced(
        cls,
        symbol: str,
        price: float,
        *,
        previous_close: float | None,
        market_state: MarketState,
        as_of: datetime,
        source: DataSource,
        **context: Any,
    ) -> Quote:
        """Return a USD quote of a price alone: the day range, volume, market cap and 52-week
        figures are unknown unless ``context`` gives them."""
        figures: dict[str, Any] = {
            "day_high": None,
            "day_low": None,
            "volume": None,
            "market_cap": None,
            "fifty_two_week_high": None,
            "fifty_two_week_low": None,
            "currency": "USD",
        }
        figures.update(context)
        return cls(
            symbol=symbol,
            price=price,
            previous_close=previous_close,
            market_state=market_state,
            as_of=as_of,
            source=source,
            **figures,
        )


@dataclass(frozen=True, slots=True)
class Bar:
    """One intraday bar; ``start`` is the aware UTC start of its interval."""

    start: datetime
    open: float
    high: float
    low: float
    close: float
    volume: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _require_aware("start", self.start))


@dataclass(frozen=True, slots=True)
class DailyBar:
    """One session's bar; ``date`` is the exchange-local session date (UTC day for crypto)."""

    date: date
    open: float
    high: float
    low: float
    close: float
    volume: int


@dataclass(frozen=True, slots=True)
class PriceRange:
    """The highest and lowest traded price over a span of bars."""

    high: float
    low: float
    since: datetime
    bars: int


def range_of(bars: tuple[Bar, ...] | list[Bar], since: datetime) -> PriceRange | None:
    """Return the high/low over ``bars`` ignoring missing values (None when nothing is usable)."""
    highs = [b.high for b in bars if math.isfinite(b.high) and b.high > 0]
    lows = [b.low for b in bars if math.isfinite(b.low) and b.low > 0]
    if not highs or not lows:
        return None
    return PriceRange(high=max(highs), low=min(lows), since=since, bars=len(bars))
