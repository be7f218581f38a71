"""Yahoo chart (v8) and quote (v7) payloads, written here in Yahoo's exact wire format.

The prices are this project's own (a smooth made-up path, consistent bar to bar: daily bars
are the aggregates of the hourly ones). The shape — keys, nesting, null handling, the time
stamps of session opens, the 16:00 closing stub of intraday charts, the "live" last daily bar
stamped at the last trade, trading periods — is Yahoo's, so yfinance parses them through its
real code path. Genuine recordings, when they sit beside the checkout, are a cross-check.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
OPEN, CLOSE = time(9, 30), time(16, 0)
HOURLY_STARTS = [time(9, 30), *(time(h, 30) for h in range(10, 16))]  # 09:30 … 15:30
VALID_RANGES = ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"]
# NYSE full-day closures in the periods written below.
HOLIDAYS = frozenset({date(2026, 9, 7)})  # Labor Day 2026


def trading_days(last: date, count: int) -> list[date]:
    """The ``count`` weekday sessions ending on ``last`` (holidays above skipped)."""
    days: list[date] = []
    day = last
    while len(days) < count:
        if day.weekday() < 5 and day not in HOLIDAYS:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def _stamp(day: date, at: time) -> int:
    return int(datetime.combine(day, at, NEW_YORK).timestamp())


def _zone_fields(day: date) -> dict[str, Any]:
    offset = datetime.combine(day, OPEN, NEW_YORK).utcoffset()
    assert offset is not None
    seconds = int(offset.total_seconds())
    return {"timezone": "EDT" if seconds == -4 * 3600 else "EST", "gmtoffset": seconds}


def _period(day: date, start: time, end: time) -> dict[str, Any]:
    zone = _zone_fields(day)
    return {
        "timezone": zone["timezone"],
        "start": _stamp(day, start),
        "end": _stamp(day, end),
        "gmtoffset": zone["gmtoffset"],
    }


@dataclass(frozen=True)
class Bar:
    start: int
    open: float
    high: float
    low: float
    close: float
    volume: int


def _path(index: int, base: float) -> float:
    """A smooth made-up price: a slow drift and two waves, two decimals."""
    return round(
        base * (1 + 0.004 * index / 7 + 0.03 * math.sin(index / 9) + 0.01 * math.sin(index)), 2
    )


def hourly_bars(days: list[date], base: float) -> dict[date, list[Bar]]:
    """Seven bars per session (09:30 … 15:30 ET); each opens at the previous close."""
    bars: dict[date, list[Bar]] = {}
    previous = _path(-1, base)
    index = 0
    for day in days:
        session: list[Bar] = []
        for hour, start in enumerate(HOURLY_STARTS):
            close = _path(index, base)
            high = round(max(previous, close) + 0.05 + 0.01 * (index % 5), 2)
            low = round(min(previous, close) - 0.04 - 0.01 * (index % 3), 2)
            volume = 900_000 + 37_000 * ((index * 7) % 11) + (400_000 if hour in (0, 6) else 0)
            session.append(Bar(_stamp(day, start), previous, high, low, close, volume))
            previous = close
            index += 1
        bars[day] = session
    return bars


def daily_bar(day: date, session: list[Bar]) -> Bar:
    """The daily bar Yahoo reports for a session: the aggregate of its hourly bars."""
    return Bar(
        _stamp(day, OPEN),
        session[0].open,
        max(b.high for b in session),
        min(b.low for b in session),
        session[-1].close,
        sum(b.volume for b in session),
    )


@dataclass(frozen=True)
class Chart:
    """A written chart payload and the facts a reader of it should find."""

    payload: dict[str, Any]
    intraday: bool
    sessions: list[date] = field(default_factory=list)
    raw: bytes | None = None  # a recording's exact bytes, served as they are

    @property
    def body(self) -> bytes:
        return self.raw or json.dumps(self.payload, separators=(",", ":")).encode()

    @property
    def result(self) -> dict[str, Any]:
        result: dict[str, Any] = self.payload["chart"]["result"][0]
        return result

    @property
    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = self.result["meta"]
        return meta

    @property
    def last_trade(self) -> datetime:
        return datetime.fromtimestamp(self.meta["regularMarketTime"], UTC)

    @property
    def previous_session_close(self) -> float:
        """The close of the session before the last (what a quote's previous close is)."""
        stamps, closes = self.result["timestamp"], self.result["indicators"]["quote"][0]["close"]
        last_day = datetime.fromtimestamp(stamps[-1], NEW_YORK).date()
        earlier = [
            c
            for s, c in zip(stamps, closes, strict=True)
            if datetime.fromtimestamp(s, NEW_YORK).date() < last_day and c is not None
        ]
        return float(earlier[-1])


def _meta(
    symbol: str, days: list[date], bars: dict[date, list[Bar]], *, granularity: str, range_: str
) -> dict[str, Any]:
    last_day = days[-1]
    last = bars[last_day]
    all_highs = [b.high for s in bars.values() for b in s]
    all_lows = [b.low for s in bars.values() for b in s]
    zone = _zone_fields(last_day)
    return {
        "currency": "USD",
        "symbol": symbol,
        "exchangeName": "NMS",
        "fullExchangeName": "NasdaqGS",
        "instrumentType": "EQUITY",
        "firstTradeDate": 1_510_151_400,
        "regularMarketTime": _stamp(last_day, CLOSE) + 1,
        "hasPrePostMarketData": True,
        "gmtoffset": zone["gmtoffset"],
        "timezone": zone["timezone"],
        "exchangeTimezoneName": "America/New_York",
        "regularMarketPrice": last[-1].close,
        "fiftyTwoWeekHigh": round(max(all_highs) * 1.18, 2),
        "fiftyTwoWeekLow": round(min(all_lows) * 0.61, 2),
        "regularMarketDayHigh": max(b.high for b in last),
        "regularMarketDayLow": min(b.low for b in last),
        "regularMarketVolume": sum(b.volume for b in last),
        "longName": f"{symbol} Holdings Inc.",
        "shortName": f"{symbol} Holdings",
        "chartPreviousClose": bars[days[0]][0].open,
        "priceHint": 2,
        "currentTradingPeriod": {
            "pre": _period(last_day, time(4, 0), OPEN),
            "regular": _period(last_day, OPEN, CLOSE),
            "post": _period(last_day, CLOSE, time(20, 0)),
        },
        "dataGranularity": granularity,
        "range": range_,
        "validRanges": VALID_RANGES,
    }


def _series(rows: list[Bar]) -> dict[str, list[Any]]:
    return {
        "open": [b.open for b in rows],
        "high": [b.high for b in rows],
        "low": [b.low for b in rows],
        "close": [b.close for b in rows],
        "volume": [b.volume for b in rows],
    }


def daily_chart(
    symbol: str, last_day: date, sessions: int, *, base: float = 40.0, live_last_bar: bool = False
) -> Chart:
    """A `interval=1d` chart; with ``live_last_bar`` the last row is stamped at the last trade
    (Yahoo's quirk for the current session) instead of at the session open."""
    days = trading_days(last_day, sessions)
    bars = hourly_bars(days, base)
    rows = [daily_bar(day, bars[day]) for day in days]
    meta = _meta(symbol, days, bars, granularity="1d", range_="6mo" if live_last_bar else "")
    stamps = [r.start for r in rows]
    if live_last_bar:
        stamps[-1] = meta["regularMarketTime"]
    result = {
        "meta": meta,
        "timestamp": stamps,
        "indicators": {
            "quote": [_series(rows)],
            "adjclose": [{"adjclose": [r.close for r in rows]}],
        },
    }
    return Chart({"chart": {"result": [result], "error": None}}, intraday=False, sessions=days)


def hourly_chart(symbol: str, last_day: date, sessions: int, *, base: float = 40.0) -> Chart:
    """An `interval=1h` chart: seven bars a session and Yahoo's 16:00 closing stub at the end."""
    days = trading_days(last_day, sessions)
    bars = hourly_bars(days, base)
    rows = [b for day in days for b in bars[day]]
    last = rows[-1]
    stub = Bar(_stamp(days[-1], CLOSE), last.close, last.close, last.close, last.close, 0)
    meta = _meta(symbol, days, bars, granularity="1h", range_="")
    meta["previousClose"] = (
        bars[days[-2]][-1].close if len(days) > 1 else meta["chartPreviousClose"]
    )
    meta["scale"] = 3
    meta["tradingPeriods"] = [[_period(day, OPEN, CLOSE)] for day in days]
    # Keys in the order Yahoo sends them for intraday charts.
    ordered = {k: meta[k] for k in meta if k not in ("priceHint", "currentTradingPeriod")}
    ordered["priceHint"] = meta["priceHint"]
    ordered["currentTradingPeriod"] = meta["currentTradingPeriod"]
    for key in ("tradingPeriods", "dataGranularity", "range", "validRanges"):
        ordered[key] = ordered.pop(key)
    result = {
        "meta": ordered,
        "timestamp": [r.start for r in [*rows, stub]],
        "indicators": {"quote": [_series([*rows, stub])]},
    }
    return Chart({"chart": {"result": [result], "error": None}}, intraday=True, sessions=days)


PRE_START, POST_END = time(4, 0), time(20, 0)


def extended_bars(days: list[date], minutes: int, base: float) -> list[tuple[Bar, str]]:
    """Bars of ``minutes`` from 04:00 to 20:00 ET each session, each with its part of the
    day ("pre", "regular", "post"); volume is thin outside the regular session."""
    rows: list[tuple[Bar, str]] = []
    step = timedelta(minutes=minutes)
    previous = _path(-1, base)
    index = 0
    for day in days:
        moment = datetime.combine(day, PRE_START, NEW_YORK)
        end = datetime.combine(day, POST_END, NEW_YORK)
        while moment < end:
            at = moment.time()
            part = "pre" if at < OPEN else ("post" if at >= CLOSE else "regular")
            close = round(_path(index, base) * 0.98 + base * 0.02, 2)
            high = round(max(previous, close) + 0.03, 2)
            low = round(min(previous, close) - 0.03, 2)
            volume = (60_000 + 7_000 * (index % 9)) * (1 if part == "regular" else 0) + 4_000
            rows.append((Bar(int(moment.timestamp()), previous, high, low, close, volume), part))
            previous = close
            index += 1
            moment += step
    return rows


def intraday_chart(
    symbol: str, last_day: date, sessions: int, *, minutes: int, base: float = 40.0
) -> Chart:
    """An intraday chart with pre- and post-market (``includePrePost=true``), as Yahoo sends
    for ``range=1d&interval=5m`` or ``range=5d&interval=15m``."""
    days = trading_days(last_day, sessions)
    rows = extended_bars(days, minutes, base)
    bars = [b for b, _ in rows]
    regular: dict[date, list[Bar]] = {day: [] for day in days}
    for bar, part in rows:
        if part == "regular":
            regular[datetime.fromtimestamp(bar.start, NEW_YORK).date()].append(bar)
    meta = _meta(
        symbol, days, regular, granularity=f"{minutes}m", range_="1d" if sessions == 1 else "5d"
    )
    meta["regularMarketPrice"] = regular[days[-1]][-1].close
    meta["previousClose"] = regular[days[-2]][-1].close if len(days) > 1 else bars[0].open
    meta["scale"] = 3
    meta["tradingPeriods"] = {
        "pre": [[_period(day, PRE_START, OPEN)] for day in days],
        "regular": [[_period(day, OPEN, CLOSE)] for day in days],
        "post": [[_period(day, CLOSE, POST_END)] for day in days],
    }
    result = {
        "meta": meta,
        "timestamp": [b.start for b in bars],
        "indicators": {"quote": [_series(bars)]},
    }
    return Chart({"chart": {"result": [result], "error": None}}, intraday=True, sessions=days)


def no_data_chart(symbol: str) -> dict[str, Any]:
    """What a delisted symbol's chart looks like: 200, no error, no rows, no currency."""
    quiet_day = date(2024, 10, 16)
    zone = _zone_fields(quiet_day)
    meta = {
        "currency": None,
        "symbol": symbol,
        "exchangeName": "YHD",
        "fullExchangeName": "YHD",
        "instrumentType": "MUTUALFUND",
        "firstTradeDate": None,
        "regularMarketTime": 1_561_759_658,
        "hasPrePostMarketData": False,
        "gmtoffset": zone["gmtoffset"],
        "timezone": zone["timezone"],
        "exchangeTimezoneName": "America/New_York",
        "longName": f"{symbol} (delisted)",
        "priceHint": 2,
        "currentTradingPeriod": {
            "pre": _period(quiet_day, time(4, 0), OPEN),
            "regular": _period(quiet_day, OPEN, CLOSE),
            "post": _period(quiet_day, CLOSE, time(20, 0)),
        },
        "dataGranularity": "1d",
        "range": "",
        "validRanges": VALID_RANGES,
    }
    result = {"meta": meta, "indicators": {"quote": [{}], "adjclose": [{}]}}
    return {"chart": {"result": [result], "error": None}}


def quote_v7(charts: dict[str, Chart], shares: dict[str, int]) -> dict[str, Any]:
    """A batch v7 quote for these symbols, priced from their charts."""
    rows = []
    for symbol, chart in sorted(charts.items()):
        meta = chart.meta
        price = meta["regularMarketPrice"]
        rows.append(
            {
                "language": "en-US",
                "region": "US",
                "quoteType": "EQUITY",
                "typeDisp": "Equity",
                "quoteSourceName": "Nasdaq Real Time Price",
                "triggerable": True,
                "currency": "USD",
                "exchange": "NMS",
                "exchangeTimezoneName": "America/New_York",
                "exchangeTimezoneShortName": meta["timezone"],
                "gmtOffSetMilliseconds": meta["gmtoffset"] * 1000,
                "market": "us_market",
                "esgPopulated": False,
                "marketState": "POSTPOST",
                "regularMarketPrice": price,
                "regularMarketTime": meta["regularMarketTime"],
                "regularMarketDayHigh": meta["regularMarketDayHigh"],
                "regularMarketDayLow": meta["regularMarketDayLow"],
                "regularMarketVolume": meta["regularMarketVolume"],
                "regularMarketPreviousClose": chart.previous_session_close,
                "fullExchangeName": "NasdaqGS",
                "sharesOutstanding": shares[symbol],
                "marketCap": round(price * shares[symbol]),
                "priceHint": 2,
                "shortName": meta["shortName"],
                "longName": meta["longName"],
                "sourceInterval": 15,
                "exchangeDataDelayedBy": 0,
                "tradeable": False,
                "cryptoTradeable": False,
                "symbol": symbol,
            }
        )
    return {"quoteResponse": {"result": rows, "error": None}}


# What v7 answers for symbols it does not know: an empty result, not an error.
UNKNOWN_QUOTE_V7: dict[str, Any] = {"quoteResponse": {"result": [], "error": None}}


@dataclass(frozen=True)
class YahooData:
    """One set of payloads the parsing tests run on: written here, or recorded from Yahoo.

    Both describe the same situations: a month of MSFT ending Friday 2026-09-25 (daily and
    hourly), six months of AAPL ending 2025-10-29 with the live last bar, a delisted symbol
    and a batch v7 quote for both.
    """

    name: str
    daily: Chart
    hourly: Chart
    live: Chart
    delisted: bytes
    quotes_v7: bytes

    def v7_row(self, symbol: str) -> dict[str, Any]:
        rows = json.loads(self.quotes_v7)["quoteResponse"]["result"]
        row: dict[str, Any] = next(r for r in rows if r["symbol"] == symbol)
        return row


def written() -> YahooData:
    """The payloads this project writes (always available)."""
    daily = daily_chart("MSFT", date(2026, 9, 25), 20, base=470.0)
    hourly = hourly_chart("MSFT", date(2026, 9, 25), 20, base=470.0)
    live = daily_chart("AAPL", date(2025, 10, 29), 40, base=240.0, live_last_bar=True)
    quotes = quote_v7(
        {"MSFT": hourly, "AAPL": live}, {"MSFT": 7_433_000_000, "AAPL": 14_776_000_000}
    )
    return YahooData(
        "written",
        daily,
        hourly,
        live,
        json.dumps(no_data_chart("CAPIO.ST")).encode(),
        json.dumps(quotes).encode(),
    )


def calendar_events(symbol: str, earnings: list[date], *, estimate: bool = True) -> dict[str, Any]:
    """quoteSummary?modules=calendarEvents as Yahoo answers it (raw numbers, formatted=false).

    Earnings dates are epoch seconds at 12:00 UTC of the day, so the local date yfinance
    derives from them is that day in any American or European time zone.
    """
    stamps = [int(datetime.combine(day, time(12, 0), UTC).timestamp()) for day in earnings]
    return {
        "quoteSummary": {
            "result": [
                {
                    "calendarEvents": {
                        "maxAge": 1,
                        "earnings": {
                            "earningsDate": stamps,
                            "earningsCallDate": stamps[:1],
                            "isEarningsDateEstimate": estimate,
                            "earningsAverage": -0.05,
                            "earningsLow": -0.12,
                            "earningsHigh": 0.03,
                            "revenueAverage": 95_000_000,
                            "revenueLow": 80_000_000,
                            "revenueHigh": 110_000_000,
                        },
                    }
                }
            ],
            "error": None,
        }
    }


def calendar_not_found(symbol: str) -> dict[str, Any]:
    """What quoteSummary answers (with a 404) for a symbol it does not know."""
    return {
        "quoteSummary": {
            "result": None,
            "error": {"code": "Not Found", "description": f"Quote not found for symbol: {symbol}"},
        }
    }


# What the fundamentals time series answers for a symbol without the rows asked for.
EMPTY_TIMESERIES: dict[str, Any] = {"timeseries": {"result": [], "error": None}}


def timeseries(
    symbol: str, rows: dict[str, list[tuple[date, float]]], *, currency: str = "USD"
) -> dict[str, Any]:
    """Return a fundamentals-timeseries answer: one result per row type (e.g.
    "quarterlyTotalDebt"), each with its dated reported values, in Yahoo's shape."""
    result = []
    for name, points in rows.items():
        stamps = [_stamp(day, time(0, 0)) for day, _ in points]
        result.append(
            {
                "meta": {"symbol": [symbol], "type": [name]},
                "timestamp": stamps,
                name: [
                    {
                        "dataId": 20_000 + i,
                        "asOfDate": day.isoformat(),
                        "periodType": "3M",
                        "currencyCode": currency,
                        "reportedValue": {"raw": value, "fmt": f"{value / 1e6:.2f}M"},
                    }
                    for i, (day, value) in enumerate(points)
                ],
            }
        )
    return {"timeseries": {"result": result, "error": None}}
