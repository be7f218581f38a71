"""When a server's daily summary is due: local time, IANA zone, and which days count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger

from bot.errors import InvalidInput
from bot.market.calendar import TradingCalendar

Days = Literal["trading", "daily", "weekdays"]
DAY_CHOICES: Final = ("trading", "daily", "weekdays")
DEFAULT_TIME: Final = time(16, 30)
DEFAULT_ZONE: Final = "America/New_York"
# A summary missed while the bot was down is still worth posting this long after its time.
LATE_WINDOW: Final = timedelta(hours=2)
# Far enough to cross any run of holidays and weekends; a bound, so a bad calendar can't spin.
_SEARCH_DAYS: Final = 14


@dataclass(frozen=True, slots=True)
class SummarySchedule:
    """A server's summary time: local clock time, its zone, and which days it runs."""

    at: time
    zone: tzinfo
    days: Days

    def runs_on(self, day: date, calendar: TradingCalendar) -> bool:
        """Tell whether the summary is due on local date ``day``."""
        if self.days == "daily":
            return True
        if self.days == "weekdays":
            return day.weekday() < 5
        return calendar.is_trading_day(day)

    def moment(self, day: date) -> datetime:
        """Return the UTC instant of the summary on local date ``day``.

        A local time that does not exist (the spring-forward gap) falls after the gap, and one
        that happens twice (fall back) is taken at its first occurrence.
        """
        return datetime.combine(day, self.at, tzinfo=self.zone).astimezone(UTC)

    def next_run(self, after: datetime, calendar: TradingCalendar) -> datetime:
        """Return the first summary instant strictly after ``after``."""
        local_day = after.astimezone(self.zone).date() - timedelta(days=1)
        for offset in range(_SEARCH_DAYS + 2):
            day = local_day + timedelta(days=offset)
            if self.runs_on(day, calendar) and self.moment(day) > after:
                return self.moment(day)
        raise ValueError(f"no summary day within {_SEARCH_DAYS} days of {after:%Y-%m-%d}")

    def previous_run(self, at_or_before: datetime, calendar: TradingCalendar) -> datetime | None:
        """Return the last summary instant at or before ``at_or_before`` (None if none close)."""
        local_day = at_or_before.astimezone(self.zone).date() + timedelta(days=1)
        for offset in range(_SEARCH_DAYS + 2):
            day = local_day - timedelta(days=offset)
            if self.runs_on(day, calendar) and self.moment(day) <= at_or_before:
                return self.moment(day)
        return None

    def local_day(self, moment: datetime) -> date:
        """Return the server-local date of ``moment`` (the key of 'one summary per day')."""
        return moment.astimezone(self.zone).date()


def parse_schedule(at: str | None, zone: str | None, days: str | None) -> SummarySchedule:
    """Build a schedule from user input, raising InvalidInput with every problem."""
    problems: list[str] = []
    parsed_time = DEFAULT_TIME
    if at is not None:
        try:
            parsed_time = time.fromisoformat(at.strip())
            if len(at.strip()) != 5:
                raise ValueError(at)
        except ValueError:
            problems.append(
                f"time: must be a 24-hour local time as HH:MM, e.g. 16:30 (got {at[:20]!r})"
            )
    parsed_zone: tzinfo = ZoneInfo(DEFAULT_ZONE)
    if zone is not None:
        try:
            parsed_zone = ZoneInfo(zone.strip())
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
            problems.append(
                f"timezone: unknown time zone {zone[:60]!r}; use an IANA name such as "
                "America/New_York, Europe/Paris or Asia/Tokyo"
            )
    chosen = days or "trading"
    if chosen not in DAY_CHOICES:
        problems.append(f"days: must be one of {', '.join(DAY_CHOICES)}")
    if problems:
        raise InvalidInput(problems)
    return SummarySchedule(parsed_time, parsed_zone, chosen)  # type: ignore[arg-type]


class SummaryTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 ships no types
    """An APScheduler trigger firing at a server's summary times (trading days via NYSE)."""

    def __init__(self, schedule: SummarySchedule, calendar: TradingCalendar) -> None:
        self.schedule = schedule
        self.calendar = calendar

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        after = (
            previous_fire_time
            if previous_fire_time is not None
            else now - timedelta(microseconds=1)
        )
        return self.schedule.next_run(after, self.calendar).astimezone(UTC)

    def __str__(self) -> str:
        return (
            f"summary at {self.schedule.at:%H:%M} {self.schedule.zone} on {self.schedule.days} days"
        )
