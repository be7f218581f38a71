"""Turn what yfinance's history() returns (a frame and its metadata) into our models."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from bot.market.guards import clean_optional, clean_volume
from bot.market.models import Bar, DailyBar, DataSource, MarketState, Quote

_INTERVALS = {
    "1m": timedelta(minutes=1),
    "2m": timedelta(minutes=2),
    "5m": timedelta(minutes=5),
    "15m": timedelta(minutes=15),
    "30m": timedelta(minutes=30),
    "60m": timedelta(hours=1),
    "90m": timedelta(minutes=90),
    "1h": timedelta(hours=1),
}


def intraday_length(interval: str) -> timedelta | None:
    """Return the length of an intraday interval such as "5m", or None for daily and longer."""
    return _INTERVALS.get(interval.lower())


def as_utc(value: Any) -> datetime | None:
    """Return a metadata time (epoch seconds, Timestamp or datetime) as aware UTC, or None."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is None:
            return None
        moment: datetime = value.to_pydatetime()
        return moment.astimezone(UTC)
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo is not None else None
    if isinstance(value, int | float) and math.isfinite(value):
        return datetime.fromtimestamp(float(value), UTC)
    return None


def number(meta: Mapping[str, Any], key: str) -> float | None:
    """Return ``meta[key]`` as a float when it is a number."""
    value = meta.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _column(frame: pd.DataFrame, name: str) -> list[float]:
    if name not in frame.columns:
        return [math.nan] * len(frame)
    return [float(v) for v in frame[name].tolist()]


def _ohlcv(frame: pd.DataFrame) -> Iterator[tuple[float, float, float, float, int]]:
    """Yield each row's open, high, low, close and volume (an unknown volume is 0)."""
    volumes = frame["Volume"].tolist() if "Volume" in frame.columns else [0] * len(frame)
    for o, h, lo, c, v in zip(
        _column(frame, "Open"),
        _column(frame, "High"),
        _column(frame, "Low"),
        _column(frame, "Close"),
        volumes,
        strict=True,
    ):
        yield o, h, lo, c, clean_volume(v) or 0


def intraday_bars(frame: pd.DataFrame) -> tuple[Bar, ...]:
    """Return the frame's rows as intraday bars (prices exactly as parsed, never rounded)."""
    if frame.empty:
        return ()
    starts = [ts.to_pydatetime().astimezone(UTC) for ts in frame.index]
    return tuple(
        Bar(start=s, open=o, high=h, low=lo, close=c, volume=v)
        for s, (o, h, lo, c, v) in zip(starts, _ohlcv(frame), strict=True)
    )


def daily_bars(frame: pd.DataFrame) -> list[DailyBar]:
    """Return the frame's daily rows keyed by their exchange-local session date."""
    if frame.empty:
        return []
    # yfinance stamps daily rows at midnight exchange time (it also folds Yahoo's "live"
    # last bar into its day), so the local date is the session date; converting to UTC
    # first would shift days for exchanges east of Greenwich.
    days = [ts.date() for ts in frame.index]
    return [
        DailyBar(date=d, open=o, high=h, low=lo, close=c, volume=v)
        for d, (o, h, lo, c, v) in zip(days, _ohlcv(frame), strict=True)
    ]


def _session_dates(frame: pd.DataFrame) -> list[date]:
    return [ts.date() for ts in frame.index]


def previous_close(frame: pd.DataFrame, meta: Mapping[str, Any], *, intraday: bool) -> float | None:
    """Return the close of the session before the latest one, without guessing."""
    dates = _session_dates(frame)
    closes = _column(frame, "Close")
    last_day = dates[-1] if dates else None
    if not intraday and last_day is not None:
        # Daily rows carry real closes: the previous session's close is the last row before
        # the latest day (chartPreviousClose is the close before the whole range instead).
        earlier = [
            c for d, c in zip(dates, closes, strict=True) if d < last_day and math.isfinite(c)
        ]
        if earlier:
            return clean_optional(earlier[-1])
    stated = clean_optional(number(meta, "previousClose"))
    if stated is not None:
        return stated
    # chartPreviousClose is the close just before the chart's range, which is the previous
    # session's close only when the range holds a single session.
    if len(set(dates)) <= 1:
        return clean_optional(number(meta, "chartPreviousClose"))
    return None


def last_close_missing(frame: pd.DataFrame) -> bool:
    """Tell whether the newest row has no close (Yahoo still writing it)."""
    if frame.empty or "Close" not in frame.columns:
        return False
    return not math.isfinite(float(frame["Close"].iloc[-1]))


def _latest_session(frame: pd.DataFrame) -> pd.DataFrame:
    dates = _session_dates(frame)
    return frame[[d == dates[-1] for d in dates]]


def quote_from_chart(
    symbol: str,
    frame: pd.DataFrame,
    meta: Mapping[str, Any],
    *,
    intraday: bool,
    market_state: MarketState,
    market_cap: float | None,
) -> Quote | None:
    """Build a candidate quote from a chart (None when it holds no price at all)."""
    price = number(meta, "regularMarketPrice")
    as_of = as_utc(meta.get("regularMarketTime"))
    if not frame.empty:
        if price is None:
            price = _column(frame, "Close")[-1]
        if as_of is None:
            as_of = as_utc(frame.index[-1])
    if price is None or as_of is None:
        return None
    day_high = clean_optional(number(meta, "regularMarketDayHigh"))
    day_low = clean_optional(number(meta, "regularMarketDayLow"))
    volume = clean_volume(number(meta, "regularMarketVolume"))
    if not frame.empty and (day_high is None or day_low is None or volume is None):
        today = _latest_session(frame)
        if day_high is None:
            day_high = clean_optional(float(today["High"].max()))
        if day_low is None:
            day_low = clean_optional(float(today["Low"].min()))
        if volume is None:
            volume = clean_volume(float(today["Volume"].sum()))
    day_open = None
    if intraday and not frame.empty:
        # The quote chart holds regular-session bars only: the day's first bar opens it.
        day_open = clean_optional(_column(_latest_session(frame), "Open")[0])
    currency = meta.get("currency")
    return Quote(
        symbol=symbol,
        price=price,
        previous_close=previous_close(frame, meta, intraday=intraday)
        if not frame.empty
        else (
            clean_optional(number(meta, "previousClose"))
            or clean_optional(number(meta, "chartPreviousClose"))
        ),
        day_high=day_high,
        day_low=day_low,
        volume=volume,
        market_cap=market_cap,
        fifty_two_week_high=clean_optional(number(meta, "fiftyTwoWeekHigh")),
        fifty_two_week_low=clean_optional(number(meta, "fiftyTwoWeekLow")),
        currency=currency if isinstance(currency, str) else "",
        market_state=market_state,
        as_of=as_of,
        source=DataSource.YAHOO,
        delayed=True,
        day_open=day_open,
    )
