"""One definition of "1M change", shared by /board, the chart legend and the daily summary.

A month before a day is the same calendar day of the previous month, or that month's last
day when it is shorter (31 March → 28 or 29 February). The base of the change is the close
of the last trading day on or before it, and the change is the latest price against that.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date


def month_before(day: date) -> date:
    """Return the same calendar day a month before ``day`` (clamped to the month's end)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_on_or_before(dates: Sequence[date], day: date) -> int | None:
    """Return the index of the last of the ascending ``dates`` on or before ``day``."""
    found = None
    for index, when in enumerate(dates):
        if when > day:
            break
        found = index
    return found
