"""When to poll EDGAR: every poll interval during US business hours, every 10 minutes otherwise.

Companies file mostly in business hours (EDGAR accepts filings 06:00–22:00 New York time on
weekdays); outside them a slower poll still catches what arrives, at a fraction of the cost.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

NEW_YORK: Final = ZoneInfo("America/New_York")
OPENS: Final = time(6, 0)
CLOSES: Final = time(22, 0)
QUIET_INTERVAL: Final = timedelta(minutes=10)


def business_hours(now: datetime) -> bool:
    """Tell whether ``now`` falls on a weekday between 06:00 and 22:00 in New York."""
    local = now.astimezone(NEW_YORK)
    return local.weekday() < 5 and OPENS <= local.time() < CLOSES


def interval_at(now: datetime, poll_seconds: float) -> timedelta:
    """Return how long a poll at ``now`` should wait for the next one."""
    busy = timedelta(seconds=poll_seconds)
    return busy if business_hours(now) else max(busy, QUIET_INTERVAL)


def due(now: datetime, last_started: datetime | None, poll_seconds: float) -> bool:
    """Tell whether a poll should start at ``now``: one interval after the last one started."""
    if last_started is None:
        return True
    return now - last_started >= interval_at(now, poll_seconds)
