"""The demo source: deterministic synthetic prices, always labelled DEMO."""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from bot.market.calendar import TradingCalendar, is_crypto
from bot.market.guards import Rejection
from bot.market.intraday import IntradaySpan
from bot.market.models import Bar, DailyBar, DataSource, Quote
from bot.market.source import Fetched

DEMO_SEED = "minerwatch-demo-v1"
# Paths are generated from this day on, so a price depends only on (symbol, instant).
ANCHOR = date(2020, 1, 1)
MINUTE = timedelta(minutes=1)
DEMO_CONCURRENCY = 64  # no I/O


@dataclass(frozen=True, slots=True)
class DemoSpec:
    """How one symbol's synthetic price behaves."""

    base: float
    daily_vol: float
    shares: float | None  # for a demo market cap; None leaves it unknown
    volume: float


# Plausible late-2025 levels (synthetic: only the order of magnitude matters).
UNIVERSE: dict[str, DemoSpec] = {
    "CIFR": DemoSpec(15.0, 0.055, 390e6, 30e6),
    "WULF": DemoSpec(12.0, 0.055, 390e6, 35e6),
    "IREN": DemoSpec(45.0, 0.055, 270e6, 40e6),
    "CORZ": DemoSpec(17.0, 0.045, 310e6, 20e6),
    "APLD": DemoSpec(28.0, 0.055, 230e6, 35e6),
    "GLXY": DemoSpec(32.0, 0.045, 380e6, 8e6),
    "HUT": DemoSpec(42.0, 0.05, 105e6, 6e6),
    "WYFI": DemoSpec(25.0, 0.06, 40e6, 3e6),
    "RIOT": DemoSpec(16.0, 0.05, 360e6, 40e6),
    "MARA": DemoSpec(18.0, 0.05, 370e6, 45e6),
    "BTDR": DemoSpec(20.0, 0.055, 200e6, 8e6),
    "CLSK": DemoSpec(13.0, 0.055, 280e6, 30e6),
    "BITF": DemoSpec(3.0, 0.06, 550e6, 60e6),
    "HIVE": DemoSpec(4.5, 0.06, 230e6, 20e6),
    "SLNH": DemoSpec(1.5, 0.07, 90e6, 5e6),
    "CRWV": DemoSpec(110.0, 0.05, 490e6, 25e6),
    "NBIS": DemoSpec(100.0, 0.045, 250e6, 15e6),
    "NVDA": DemoSpec(185.0, 0.025, 24.3e9, 180e6),
    "GOOGL": DemoSpec(250.0, 0.018, 12.1e9, 30e6),
    "GOOG": DemoSpec(251.0, 0.018, 12.1e9, 20e6),
    "MSFT": DemoSpec(510.0, 0.015, 7.43e9, 20e6),
    "AMZN": DemoSpec(225.0, 0.02, 10.7e9, 40e6),
    "META": DemoSpec(700.0, 0.022, 2.52e9, 12e6),
    "AMD": DemoSpec(230.0, 0.03, 1.62e9, 45e6),
    "BTC-USD": DemoSpec(100_000.0, 0.03, 19.9e6, 40e9),
    "ABTC": DemoSpec(5.0, 0.07, 900e6, 10e6),
    "BTBT": DemoSpec(3.0, 0.06, 320e6, 25e6),
}
# The symbols beyond the tracked universe that demo prices also exist for (README lists
# them). Anything else is an unknown symbol, as Yahoo would say: demo prices are for
# trying the bot, not a quote for every string typed.
EXTRA_SYMBOLS: dict[str, DemoSpec] = {
    "ETH-USD": DemoSpec(3_500.0, 0.04, 120.7e6, 20e9),
    "SPY": DemoSpec(660.0, 0.01, None, 60e6),
    "QQQ": DemoSpec(590.0, 0.013, None, 40e6),
    "^GSPC": DemoSpec(6_600.0, 0.01, None, 3e9),
    "^IXIC": DemoSpec(22_000.0, 0.013, None, 8e9),
    "ORCL": DemoSpec(250.0, 0.03, 2.8e9, 20e6),
    "TSLA": DemoSpec(430.0, 0.035, 3.3e9, 90e6),
}
_REVERSION = 0.01  # daily pull of the log price back to its base keeps a decade plausible
_INTRADAY_CACHE = 256  # (symbol, day) paths kept; a poll touches one per symbol


def stable_seed(*parts: str) -> int:
    """Return a seed from ``parts`` that is the same in every process (unlike hash())."""
    digest = hashlib.sha256(":".join((DEMO_SEED, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def spec_for(symbol: str) -> DemoSpec | None:
    """Return the demo behaviour of ``symbol``, or None: there are no demo prices for it."""
    return UNIVERSE.get(symbol) or EXTRA_SYMBOLS.get(symbol)


def has_demo_prices(symbol: str) -> bool:
    """Tell whether the demo source serves ``symbol``."""
    return spec_for(symbol) is not None


def _spec(symbol: str) -> DemoSpec:
    spec = spec_for(symbol)
    if spec is None:  # the source checks first: reaching here is a bug
        raise KeyError(f"no demo prices for {symbol}")
    return spec


@dataclass(frozen=True, slots=True)
class _Day:
    """One synthetic day: minute prices from open to close."""

    day: date
    open_at: datetime
    prices: np.ndarray  # minute marks: prices[0] is the open, prices[-1] the close
    volume: int  # the whole day's volume, traded evenly

    @property
    def minutes(self) -> int:
        """Return the day's length in minutes."""
        return len(self.prices) - 1

    def bars(self, upto_minute: int) -> tuple[Bar, ...]:
        """Return the complete one-minute bars before minute mark ``upto_minute``."""
        per_bar = self.volume // max(self.minutes, 1)
        p = self.prices
        return tuple(
            Bar(
                start=self.open_at + i * MINUTE,
                open=float(p[i]),
                high=float(max(p[i], p[i + 1])),
                low=float(min(p[i], p[i + 1])),
                close=float(p[i + 1]),
                volume=per_bar,
            )
            for i in range(min(upto_minute, self.minutes))
        )

    def bars_of(self, length: timedelta, upto_minute: int) -> list[Bar]:
        """Return the bars of ``length`` from the open up to minute mark ``upto_minute``.

        The last one may still be forming, as a live intraday chart shows it.
        """
        step = max(1, int(length / MINUTE))
        end = min(upto_minute, self.minutes)
        # Trading is busiest at the open and the close: a U-shaped share of the day's
        # volume per minute (mean 1, so the bars add up to the day's volume).
        where = np.linspace(-1.0, 1.0, max(self.minutes, 1))
        shape = 1.0 + 2.0 * where**2
        per_minute = self.volume / max(self.minutes, 1) * shape / shape.mean()
        bars = []
        for first in range(0, end, step):
            last = min(first + step, end)
            seen = self.prices[first : last + 1]
            bars.append(
                Bar(
                    start=self.open_at + first * MINUTE,
                    open=float(seen[0]),
                    high=float(seen.max()),
                    low=float(seen.min()),
                    close=float(seen[-1]),
                    volume=int(per_minute[first:last].sum()),
                )
            )
        return bars

    def daily_bar(self, upto_minute: int) -> DailyBar:
        """Return the day as one bar, as it stood at minute mark ``upto_minute``."""
        seen = self.prices[: max(1, min(upto_minute, self.minutes) + 1)]
        return DailyBar(
            date=self.day,
            open=float(seen[0]),
            high=float(seen.max()),
            low=float(seen.min()),
            close=float(seen[-1]),
            volume=self.volume * (len(seen) - 1) // max(self.minutes, 1),
        )


class DemoPrices:
    """Synthetic price paths: a mean-reverting daily walk, bridged minute by minute."""

    def __init__(self, calendar: TradingCalendar) -> None:
        self._calendar = calendar
        self._closes: dict[str, np.ndarray] = {}
        self._days: OrderedDict[tuple[str, date], _Day] = OrderedDict()

    def daily_close(self, symbol: str, day: date) -> float:
        """Return the close of ``day`` (any calendar day; stocks only trade on sessions)."""
        closes = self._closes.get(symbol)
        index = (day - ANCHOR).days
        if closes is None or index >= len(closes):
            closes = self._walk(symbol, max(index + 1, (date(2031, 1, 1) - ANCHOR).days))
            self._closes[symbol] = closes
        return float(closes[max(index, 0)])

    def previous_day(self, symbol: str, day: date) -> date:
        """Return the trading day before ``day`` (the previous UTC day for crypto)."""
        if is_crypto(symbol):
            return day - timedelta(days=1)
        return self._calendar.previous_trading_day(day)

    def session_day(self, symbol: str, day: date, *, keep: bool = True) -> _Day | None:
        """Return ``day``'s minute path, or None when the symbol does not trade that day."""
        key = (symbol, day)
        cached = self._days.get(key)
        if cached is not None:
            self._days.move_to_end(key)
            return cached
        bounds = self._bounds(symbol, day)
        if bounds is None:
            return None
        open_at, close_at = bounds
        minutes = int((close_at - open_at) / MINUTE)
        previous = self.daily_close(symbol, self.previous_day(symbol, day))
        close = self.daily_close(symbol, day)
        rng = np.random.Generator(np.random.PCG64(stable_seed("day", symbol, day.isoformat())))
        spec = _spec(symbol)
        start = math.log(previous) + rng.normal(0.0, spec.daily_vol * 0.2)  # overnight gap
        steps = rng.normal(0.0, spec.daily_vol / math.sqrt(minutes), minutes)
        walk = np.concatenate(([0.0], np.cumsum(steps)))
        # Brownian bridge: pin the path's end on the day's close, whatever the noise did.
        fraction = np.linspace(0.0, 1.0, minutes + 1)
        bridge = walk - fraction * walk[-1]
        log_path = start + fraction * (math.log(close) - start) + bridge
        volume_factor = math.exp(0.3 * rng.standard_normal())
        result = _Day(
            day=day,
            open_at=open_at,
            prices=np.exp(log_path),
            volume=int(spec.volume * volume_factor),
        )
        if keep:
            self._days[key] = result
            if len(self._days) > _INTRADAY_CACHE:
                self._days.popitem(last=False)
        return result

    def _bounds(self, symbol: str, day: date) -> tuple[datetime, datetime] | None:
        if is_crypto(symbol):
            start = datetime.combine(day, time(0), UTC)
            return start, start + timedelta(days=1)
        session = self._calendar.session(day)
        if session is None:
            return None
        return session.open, session.close

    def _walk(self, symbol: str, days: int) -> np.ndarray:
        spec = _spec(symbol)
        rng = np.random.Generator(np.random.PCG64(stable_seed("walk", symbol)))
        shocks = rng.normal(0.0, spec.daily_vol, days)
        target = math.log(spec.base)
        log_prices = np.empty(days)
        level = target
        for i in range(days):
            level += _REVERSION * (target - level) + shocks[i]
            log_prices[i] = level
        return np.exp(log_prices)


class DemoSource:
    """Serve synthetic prices as a Source; every quote says source=demo."""

    name = DataSource.DEMO
    concurrency = DEMO_CONCURRENCY  # the fan-out limit

    def __init__(self, *, calendar: TradingCalendar) -> None:
        self._calendar = calendar
        self._prices = DemoPrices(calendar)
        self._ranges: dict[tuple[str, date], tuple[float, float]] = {}

    def requests_made(self) -> int:
        """Return 0: demo prices are computed, not fetched."""
        return 0

    async def prepare_poll(self, symbols: Sequence[str], now: datetime) -> None:
        """Do nothing."""

    async def fetch_quote(self, symbol: str, *, http_timeout: float, now: datetime) -> Fetched:
        """Return the synthetic quote of ``symbol`` at ``now`` with today's minute bars."""
        if not has_demo_prices(symbol):
            return Fetched.failed(symbol, Rejection.UNKNOWN_SYMBOL, "no demo prices for it")
        return self.quote_at(symbol, now)

    def quote_at(self, symbol: str, now: datetime) -> Fetched:
        """Compute the quote and bars at ``now`` (pure for a given symbol and instant)."""
        path, mark = self._position(symbol, now)
        day = path.day
        bar = path.daily_bar(mark)
        spec = _spec(symbol)
        low52, high52 = self._year_range(symbol, day)
        quote = Quote(
            symbol=symbol,
            price=bar.close,
            previous_close=self._prices.daily_close(symbol, self._prices.previous_day(symbol, day)),
            day_high=bar.high,
            day_low=bar.low,
            volume=bar.volume,
            market_cap=spec.shares * bar.close if spec.shares is not None else None,
            fifty_two_week_high=max(high52, bar.high),
            fifty_two_week_low=min(low52, bar.low),
            currency="USD",
            market_state=self._calendar.market_state(symbol, now),
            as_of=path.open_at + mark * MINUTE,
            source=DataSource.DEMO,
        )
        return Fetched(symbol=symbol, quote=quote, bars=path.bars(mark), bar_length=MINUTE)

    async def fetch_daily(
        self, symbol: str, days: int, *, http_timeout: float, now: datetime
    ) -> list[DailyBar]:
        """Return synthetic daily bars for the ``days`` calendar days up to ``now``."""
        if not has_demo_prices(symbol):
            return []  # as a source that has no data for the symbol
        current, mark = self._position(symbol, now)
        last_day = current.day
        bars: list[DailyBar] = []
        day = (now - timedelta(days=days)).date()
        while day <= last_day:
            # History is read once a day: do not let it flush the live paths from the cache.
            path = self._prices.session_day(symbol, day, keep=day == last_day)
            if path is not None:
                bars.append(path.daily_bar(mark if day == last_day else path.minutes))
            day += timedelta(days=1)
        return bars

    async def fetch_intraday(
        self, symbol: str, span: IntradaySpan, *, http_timeout: float, now: datetime
    ) -> list[Bar]:
        """Return synthetic bars for the last ``span.sessions`` sessions up to ``now``.

        Demo prices have regular-session minutes only: no pre- or post-market bars.
        """
        if not has_demo_prices(symbol):
            return []
        current, mark = self._position(symbol, now)
        paths = [(current, mark)]
        day = current.day
        while len(paths) < span.sessions:
            day = self._prices.previous_day(symbol, day)
            path = self._prices.session_day(symbol, day, keep=False)
            if path is not None:
                paths.append((path, path.minutes))
        length = span.bar_length
        return [bar for path, upto in reversed(paths) for bar in path.bars_of(length, upto)]

    async def aclose(self) -> None:
        """Do nothing."""

    def _position(self, symbol: str, now: datetime) -> tuple[_Day, int]:
        """Return the trading day whose price stands at ``now`` and the minute mark in it."""
        if is_crypto(symbol):
            day = now.astimezone(UTC).date()
        else:
            day = self._calendar.trading_date(symbol, now)
            session = self._calendar.session(day)
            if session is None or now < session.open:
                day = self._calendar.previous_trading_day(day)
        path = self._prices.session_day(symbol, day)
        if path is None:
            raise RuntimeError(f"no demo session for {symbol} on {day}")  # a calendar bug
        mark = int((now - path.open_at) / MINUTE)
        return path, max(0, min(mark, path.minutes))

    def _year_range(self, symbol: str, day: date) -> tuple[float, float]:
        key = (symbol, day)
        cached = self._ranges.get(key)
        if cached is None:
            closes = [
                self._prices.daily_close(symbol, day - timedelta(days=i))
                for i in range(1, 366)
                if is_crypto(symbol) or self._calendar.is_trading_day(day - timedelta(days=i))
            ]
            cached = (min(closes), max(closes))
            self._ranges = {key: cached, **{k: v for k, v in self._ranges.items() if k[1] == day}}
        return cached
