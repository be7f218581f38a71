"""The day's facts from the stored history, the session's elapsed share, and their cache."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.alerts.facts import MIN_SESSIONS_52W, DailyFactsBook, correlation, facts_from_bars
from bot.alerts.model import Side
from bot.alerts.signals import MIN_SESSION_FRACTION, session_fraction
from bot.market.calendar import TradingCalendar
from bot.market.models import DailyBar

DAY = date(2026, 11, 25)


def bars(
    count: int, *, close: float = 10.0, last: date = DAY - timedelta(days=1)
) -> list[DailyBar]:
    """``count`` daily bars ending on ``last`` (every calendar day, for simplicity)."""
    return [
        DailyBar(last - timedelta(days=i), close, close + 1, close - 1, close, 1_000)
        for i in range(count)
    ][::-1]


def test_52_week_extremes_come_from_the_year_before_the_session() -> None:
    history = bars(300)
    history[-10] = DailyBar(history[-10].date, 10, 25.0, 3.0, 10, 1_000)
    # The session itself and anything older than a year never count.
    history.append(DailyBar(DAY, 10, 99.0, 0.5, 10, 1_000))
    history.insert(0, DailyBar(DAY - timedelta(days=400), 10, 500.0, 0.1, 10, 1_000))
    facts = facts_from_bars("CIFR", DAY, history)
    assert (facts.high52, facts.low52) == (25.0, 3.0)


def test_a_short_history_leaves_the_52_week_extremes_unknown() -> None:
    facts = facts_from_bars("CIFR", DAY, bars(MIN_SESSIONS_52W - 1))
    assert facts.high52 is None and facts.low52 is None
    assert facts.sessions == MIN_SESSIONS_52W - 1
    assert facts_from_bars("CIFR", DAY, bars(MIN_SESSIONS_52W)).high52 == 11.0


def test_moving_averages_and_volume_need_their_full_windows() -> None:
    history = bars(150, close=10.0) + bars(50, close=20.0)
    history = [
        DailyBar(DAY - timedelta(days=200 - i), b.open, b.high, b.low, b.close, b.volume)
        for i, b in enumerate(history)
    ]
    facts = facts_from_bars("CIFR", DAY, history)
    assert facts.ma50 == pytest.approx(20.0)
    assert facts.ma200 == pytest.approx(12.5)
    assert facts.golden_side is Side.ABOVE
    assert facts.avg_volume20 == pytest.approx(1_000)
    short = facts_from_bars("CIFR", DAY, history[-49:])
    assert (short.ma50, short.ma200, short.golden_side) == (None, None, None)
    assert facts_from_bars("CIFR", DAY, history[-19:]).avg_volume20 is None


def test_days_without_volume_leave_the_average_unknown() -> None:
    quiet = [DailyBar(b.date, b.open, b.high, b.low, b.close, 0) for b in bars(30)]
    assert facts_from_bars("CIFR", DAY, quiet).avg_volume20 is None


def _ny(day: date, hour: int, minute: int = 0) -> datetime:
    # New York is UTC-5 in late November.
    return datetime(day.year, day.month, day.day, hour + 5, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (_ny(DAY, 9, 0), None),  # before the open: nothing to scale
        (_ny(DAY, 9, 31), MIN_SESSION_FRACTION),  # the floor, not 1/390
        (_ny(DAY, 12, 45), 0.5),
        (_ny(DAY, 17, 0), 1.0),  # after the close: the whole day
        # Thanksgiving: the quote is Wednesday's, a whole session.
        (_ny(date(2026, 11, 26), 12, 0), 1.0),
        # Friday after Thanksgiving closes at 13:00: half of 3.5 hours at 11:15.
        (_ny(date(2026, 11, 27), 11, 15), 0.5),
    ],
)
def test_volume_is_scaled_by_the_elapsed_share_of_the_session(
    calendar: TradingCalendar, at: datetime, expected: float | None
) -> None:
    fraction = session_fraction(calendar, "CIFR", at)
    assert fraction == (None if expected is None else pytest.approx(expected))


def test_crypto_counts_the_utc_day(calendar: TradingCalendar) -> None:
    noon = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # a Saturday
    assert session_fraction(calendar, "BTC-USD", noon) == pytest.approx(0.5)


async def test_facts_are_read_once_per_symbol_day_and_history_refresh() -> None:
    reads: list[tuple[str, date]] = []
    refreshed = {"CIFR": date(2026, 11, 25)}

    async def load(symbol: str, since: date) -> list[DailyBar]:
        reads.append((symbol, since))
        return bars(260)

    book = DailyFactsBook(load, refreshed.get)
    for _ in range(3):
        found = await book.facts([("CIFR", DAY), ("IREN", DAY)])
    # Each symbol once, and each benchmark once for the correlations of both.
    assert sorted(s for s, _ in reads) == ["BTC-USD", "CIFR", "IREN", "NVDA"]
    assert found["CIFR"].high52 == 11.0
    reads.clear()
    await book.facts([("CIFR", DAY + timedelta(days=1))])  # a new session
    refreshed["IREN"] = DAY  # a history refresh
    await book.facts([("IREN", DAY)])
    assert sorted(s for s, _ in reads) == ["BTC-USD", "CIFR", "IREN", "NVDA"]


def _paths(
    count: int, ours: list[float], theirs: list[float]
) -> tuple[list[DailyBar], list[DailyBar]]:
    """Two series of ``count`` weekday closes moving by the given factors in turn."""
    days: list[date] = []
    day = DAY - timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    a, b, mine, other = 10.0, 100.0, [], []
    for n, session in enumerate(reversed(days)):
        a *= ours[n % len(ours)]
        b *= theirs[n % len(theirs)]
        mine.append(DailyBar(session, a, a, a, a, 1))
        other.append(DailyBar(session, b, b, b, b, 1))
    return mine, other


@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [
        ([1.01, 0.99], [1.02, 0.98], 1.0),  # the same rhythm, twice the amplitude
        ([1.01, 0.99], [0.98, 1.02], -1.0),  # opposite moves
    ],
)
def test_correlation_of_daily_returns_over_30_shared_sessions(
    ours: list[float], theirs: list[float], expected: float
) -> None:
    mine, other = _paths(40, ours, theirs)
    value, shared = correlation(mine, other, DAY)
    assert value == pytest.approx(expected) and shared == 40


def test_correlation_needs_31_shared_sessions_and_ignores_the_others() -> None:
    mine, other = _paths(31, [1.01, 0.99], [1.02, 0.98])
    # A weekend close of the benchmark (a crypto pair) has no partner and is left out.
    saturday = DailyBar(date(2026, 11, 21), 1.0, 1.0, 1.0, 1.0, 1)
    assert correlation(mine, [*other, saturday], DAY)[0] == pytest.approx(1.0)
    assert correlation(mine[1:], other, DAY) == (None, 30)
    flat = [DailyBar(b.date, 5.0, 5.0, 5.0, 5.0, 1) for b in mine]
    assert correlation(flat, other, DAY)[0] is None  # no movement, no correlation
