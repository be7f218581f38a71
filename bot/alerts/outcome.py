"""What an evaluation decides for one alert: its firings and its new stored form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, NamedTuple

from bot.alerts.model import DEFAULT_COOLDOWN, HYSTERESIS, Alert, AlertState, Direction, evolve
from bot.market.models import MarketState

# "Reaches P %" includes P itself, but 105 / 100 - 1 can land a hair under 5 %: allow the
# rounding error of a float division (in percentage points), far below any quoted precision.
MOVE_TOLERANCE: Final = 1e-9


@dataclass(frozen=True, slots=True)
class Rules:
    """The tunable parts of the rules."""

    cooldown: timedelta = DEFAULT_COOLDOWN
    hysteresis: float = HYSTERESIS


DEFAULT_RULES: Final = Rules()


class Firing(NamedTuple):
    """One alert going off: what crossed, at which price, and when."""

    alert: Alert  # as stored once the tick is applied
    number: int  # which firing of this alert this is (1 for the first): keys its message
    direction: Direction
    # The price that went through the level: an intraday extreme when only it did.
    trigger_price: float
    last_price: float
    move_pct: float | None  # the move versus the previous close, for move_pct alerts
    as_of: datetime
    demo: bool
    # The new kinds' figures, in the alert's own terms: the 52-week extreme that was beaten,
    # the average crossed, the volume multiple, the gap or the points ahead of a benchmark.
    measure: float | None = None
    reference: float | None = None  # the 200-day average, the benchmark's move, the open
    day: date | None = None  # earnings: the date the reminder is for
    session: MarketState | None = None  # the session of the trade that fired it


# Firing and Change are NamedTuples like Alert: a market-wide jump makes thousands of each.
class Change(NamedTuple):
    """What one tick does to one alert: its new stored form and the firings it owes."""

    before: Alert
    after: Alert
    firings: tuple[Firing, ...] = ()


def fire_on_day(alert: Alert, *, up: bool, down: bool, day: date, now: datetime) -> Alert | Change:
    """Return ``alert`` as it stands after firing on ``day`` for the directions given (at
    least one), each direction once a day; a snoozed alert fires nothing and its swallowed
    directions count as done for the day: then the Change to store is returned instead."""
    up_day = day if up else alert.move_up_day
    down_day = day if down else alert.move_down_day
    if alert.snoozed(now):
        # Swallowed: the day counts as done for that direction, as if it had fired.
        return Change(alert, evolve(alert, move_up_day=up_day, move_down_day=down_day))
    return evolve(
        alert,
        state=AlertState.ARMED if alert.repeat else AlertState.FIRED,
        fired_count=alert.fired_count + int(up) + int(down),
        last_fired_at=now,
        move_up_day=up_day,
        move_down_day=down_day,
    )
