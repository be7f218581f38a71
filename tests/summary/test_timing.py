"""Summary timing: local times across DST, trading days, holidays, and the late window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidInput
from bot.market.calendar import TradingCalendar
from bot.summary.timing import SummarySchedule, SummaryTrigger, parse_schedule

NY = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        # New York 16:30: EDT (UTC-4) before 2026-11-01, EST (UTC-5) after.
        (NY, utc(2026, 10, 30, 12), utc(2026, 10, 30, 20, 30)),
        (NY, utc(2026, 10, 30, 21), utc(2026, 11, 2, 21, 30)),  # weekend skipped, now EST
        (NY, utc(2026, 3, 6, 22), utc(2026, 3, 9, 20, 30)),  # DST began on 2026-03-08
        # Tokyo has no DST: always 07:30 UTC, whatever New York does.
        (TOKYO, utc(2026, 3, 6, 0), utc(2026, 3, 6, 7, 30)),
        (TOKYO, utc(2026, 3, 6, 8), utc(2026, 3, 9, 7, 30)),
        (TOKYO, utc(2026, 10, 30, 8), utc(2026, 11, 2, 7, 30)),
    ],
)
def test_next_run_across_dst(
    calendar: TradingCalendar, zone: ZoneInfo, after: datetime, expected: datetime
) -> None:
    schedule = SummarySchedule(time(16, 30), zone, "trading")
    assert schedule.next_run(after, calendar) == expected


@pytest.mark.parametrize(
    ("days", "after", "expected_day"),
    [
        ("trading", utc(2026, 11, 25, 22), date(2026, 11, 27)),  # Thanksgiving 11-26 skipped
        ("trading", utc(2026, 12, 24, 22), date(2026, 12, 28)),  # Christmas + weekend skipped
        ("weekdays", utc(2026, 11, 25, 22), date(2026, 11, 26)),  # weekdays ignore holidays
        ("daily", utc(2026, 11, 27, 22), date(2026, 11, 28)),  # daily includes Saturday
        ("weekdays", utc(2026, 11, 27, 22), date(2026, 11, 30)),
    ],
)
def test_which_days_count(
    calendar: TradingCalendar, days: str, after: datetime, expected_day: date
) -> None:
    schedule = SummarySchedule(time(16, 30), NY, days)  # type: ignore[arg-type]
    assert schedule.next_run(after, calendar).astimezone(NY).date() == expected_day


def test_early_close_day_still_gets_its_summary(calendar: TradingCalendar) -> None:
    """2026-11-27 closes at 13:00 ET; the 16:30 summary still runs after the close."""
    schedule = SummarySchedule(time(16, 30), NY, "trading")
    run = schedule.next_run(utc(2026, 11, 27, 12), calendar)
    assert run == utc(2026, 11, 27, 21, 30)
    session = calendar.session(date(2026, 11, 27))
    assert session is not None and session.early_close and session.close < run


def test_previous_run_finds_the_missed_time(calendar: TradingCalendar) -> None:
    schedule = SummarySchedule(time(16, 30), NY, "trading")
    assert schedule.previous_run(utc(2026, 11, 25, 22), calendar) == utc(2026, 11, 25, 21, 30)
    # Thanksgiving evening: the last due summary was Wednesday's.
    assert schedule.previous_run(utc(2026, 11, 26, 23), calendar) == utc(2026, 11, 25, 21, 30)


def test_trigger_gives_the_scheduler_the_same_times(calendar: TradingCalendar) -> None:
    trigger = SummaryTrigger(SummarySchedule(time(9, 0), TOKYO, "weekdays"), calendar)
    first = trigger.get_next_fire_time(None, utc(2026, 11, 27, 1))
    assert first == utc(2026, 11, 30, 0)  # Friday 09:00 JST passed; next is Monday
    assert trigger.get_next_fire_time(first, first) == utc(2026, 12, 1, 0)


@pytest.mark.parametrize(
    ("at", "zone", "days", "message"),
    [
        ("25:00", None, None, "time: must be a 24-hour local time as HH:MM"),
        ("4pm", None, None, "time: must be a 24-hour local time"),
        ("16:30:00", None, None, "time: must be"),
        (None, "Mars/Olympus", None, "timezone: unknown time zone 'Mars/Olympus'"),
        (None, "../../etc/passwd", None, "timezone: unknown time zone"),
        (None, "Europe/" + "x" * 5000, None, "timezone: unknown time zone"),
        (None, "America", None, "timezone: unknown time zone"),
        (None, None, "sundays", "days: must be one of trading, daily, weekdays"),
    ],
)
def test_bad_schedule_input(
    at: str | None, zone: str | None, days: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_schedule(at, zone, days)
    assert any(message in problem for problem in caught.value.problems)


def test_defaults_are_new_york_1630_trading_days() -> None:
    schedule = parse_schedule(None, None, None)
    assert (schedule.at, str(schedule.zone), schedule.days) == (
        time(16, 30),
        "America/New_York",
        "trading",
    )
