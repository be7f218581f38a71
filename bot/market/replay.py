"""The replay source: prices from a CSV timeline, read at the clock's "now"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.market.calendar import TradingCalendar
from bot.market.guards import Rejection
from bot.market.intraday import IntradaySpan
from bot.market.models import Bar, DailyBar, DataSource, Quote
from bot.market.replay_file import ReplayTick, ReplayTimeline, utc_day_start
from bot.market.source import Fetched

REPLAY_CONCURRENCY = 64  # no I/O: the limit only bounds task fan-out


def replay_quote(tick: ReplayTick, calendar: TradingCalendar, now: datetime) -> Quote:
    """Return the quote a replay tick stands for at ``now`` (pure; also for back-tests)."""
    row = tick.row
    return Quote(
        symbol=row.symbol,
        price=row.price,
        previous_close=tick.previous_close,
        day_high=tick.day_high,
        day_low=tick.day_low,
        volume=row.volume,
        market_cap=None,
        fifty_two_week_high=None,
        fifty_two_week_low=None,
        currency="USD",
        market_state=calendar.market_state(row.symbol, now),
        as_of=row.at,
        source=DataSource.REPLAY,
        day_open=tick.day_open,
    )


class ReplaySource:
    """Serve the replay timeline's prices as a Source."""

    name = DataSource.REPLAY
    concurrency = REPLAY_CONCURRENCY  # the fan-out limit

    def __init__(self, timeline: ReplayTimeline, *, calendar: TradingCalendar) -> None:
        self._timeline = timeline
        self._calendar = calendar

    @property
    def timeline(self) -> ReplayTimeline:
        """Return the parsed file."""
        return self._timeline

    def requests_made(self) -> int:
        """Return 0: a replay makes no network requests."""
        return 0

    async def prepare_poll(self, symbols: Sequence[str], now: datetime) -> None:
        """Do nothing: the timeline is in memory."""

    async def fetch_quote(self, symbol: str, *, http_timeout: float, now: datetime) -> Fetched:
        """Return the symbol's row in force at ``now``, with today's rows as zero-length bars."""
        if symbol not in self._timeline.symbols:
            return Fetched.failed(symbol, Rejection.UNKNOWN_SYMBOL, "not in the replay file")
        tick = self._timeline.tick_at(symbol, now)
        if tick is None:
            return Fetched.failed(symbol, Rejection.NO_DATA, "no row at or before now yet")
        rows = self._timeline.rows_from(symbol, utc_day_start(tick.row.at), now)
        # Every row is a trade print; as bars of zero length they give the feed the high and
        # low between two polls, so an alert level crossed in between is seen.
        bars = tuple(Bar(r.at, r.price, r.price, r.price, r.price, r.volume or 0) for r in rows)
        return Fetched(
            symbol=symbol,
            quote=replay_quote(tick, self._calendar, now),
            bars=bars,
            bar_length=timedelta(0),
        )

    async def fetch_daily(
        self, symbol: str, days: int, *, http_timeout: float, now: datetime
    ) -> list[DailyBar]:
        """Aggregate the symbol's rows up to ``now`` into UTC-day bars."""
        rows = self._timeline.rows_from(symbol, now - timedelta(days=days), now)
        bars: list[DailyBar] = []
        for row in rows:
            day = row.at.date()
            if bars and bars[-1].date == day:
                last = bars[-1]
                bars[-1] = DailyBar(
                    date=day,
                    open=last.open,
                    high=max(last.high, row.price),
                    low=min(last.low, row.price),
                    close=row.price,
                    volume=row.volume if row.volume is not None else last.volume,
                )
            else:
                bars.append(
                    DailyBar(day, row.price, row.price, row.price, row.price, row.volume or 0)
                )
        return bars

    async def fetch_intraday(
        self, symbol: str, span: IntradaySpan, *, http_timeout: float, now: datetime
    ) -> list[Bar]:
        """Bucket the rows of the last ``span.sessions`` days up to ``now`` into bars."""
        # Sessions are counted in calendar days here: a replay file is usually short, and a
        # weekend in it simply has no rows (the chart compresses the gap).
        reach = timedelta(days=span.sessions if span.sessions == 1 else span.sessions + 2)
        rows = self._timeline.rows_from(symbol, now - reach, now)
        seconds = span.bar_length.total_seconds()
        bars: list[Bar] = []
        # A row's volume is the day's running total (as fetch_daily reads it): a bar's
        # volume is how much that total grew within it.
        day_total: tuple[object, int] = (None, 0)
        for row in rows:
            start = datetime.fromtimestamp(row.at.timestamp() // seconds * seconds, UTC)
            day, total = day_total
            if day != row.at.date():
                total = 0
            volume = max(0, (row.volume or total) - total)
            day_total = (row.at.date(), max(total, row.volume or total))
            if bars and bars[-1].start == start:
                last = bars[-1]
                bars[-1] = Bar(
                    start,
                    last.open,
                    max(last.high, row.price),
                    min(last.low, row.price),
                    row.price,
                    last.volume + volume,
                )
            else:
                bars.append(Bar(start, row.price, row.price, row.price, row.price, volume))
        return bars

    async def aclose(self) -> None:
        """Do nothing: nothing is held open."""
