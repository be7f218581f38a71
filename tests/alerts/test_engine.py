"""The pure alert rules, as tables: crossings, re-arming, move_pct days, bad ticks, snooze."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.alerts.days import move_day
from bot.alerts.engine import (
    Change,
    TickProblem,
    days_already_moved,
    initial_state,
    step,
    tick_problem,
)
from bot.alerts.model import Alert, AlertKind, AlertState, Direction, Tick
from bot.market.calendar import TradingCalendar
from bot.market.models import DataSource
from tests.alerts.helpers import T0, alert, quote, tick

DAY = date(2026, 11, 25)
ABOVE, BELOW, MOVE = AlertKind.ABOVE, AlertKind.BELOW, AlertKind.MOVE_PCT
ARMED, REARMING, FIRED = AlertState.ARMED, AlertState.REARMING, AlertState.FIRED


def run(a: Alert, t: Tick, *, now: datetime = T0, day: date = DAY) -> Change | None:
    return step(a, t, now=now, day=day)


@pytest.mark.parametrize(
    ("kind", "level", "state", "price", "high", "low", "fires", "after", "trigger"),
    [
        # above: strictly past the level, in one poll or a gap
        (ABOVE, 50, ARMED, 51.0, None, None, True, FIRED, 51.0),
        (ABOVE, 50, ARMED, 60.0, None, None, True, FIRED, 60.0),  # gap through the level
        (ABOVE, 50, ARMED, 50.0, None, None, False, ARMED, None),  # exact touch
        (ABOVE, 50, ARMED, 49.0, None, None, False, ARMED, None),
        # a spike between polls, seen only in the intraday high
        (ABOVE, 50, ARMED, 49.5, 50.5, 49.0, True, FIRED, 50.5),
        (ABOVE, 50, ARMED, 49.5, 50.0, 49.0, False, ARMED, None),  # the spike only touched
        # below: the mirror image
        (BELOW, 50, ARMED, 49.0, None, None, True, FIRED, 49.0),
        (BELOW, 50, ARMED, 40.0, None, None, True, FIRED, 40.0),
        (BELOW, 50, ARMED, 50.0, None, None, False, ARMED, None),
        (BELOW, 50, ARMED, 50.5, 51.0, 49.5, True, FIRED, 49.5),
        (BELOW, 50, ARMED, 50.5, 51.0, 50.0, False, ARMED, None),
        # created on the far side: waits for the near side first
        (ABOVE, 50, REARMING, 55.0, None, None, False, REARMING, None),
        (ABOVE, 50, REARMING, 50.0, None, None, False, ARMED, None),  # at the level = near
        (ABOVE, 50, REARMING, 49.0, None, None, False, ARMED, None),
        (ABOVE, 50, REARMING, 51.0, 52.0, 49.0, True, FIRED, 51.0),  # dipped, crossed back
        (ABOVE, 50, REARMING, 49.5, 51.0, 49.0, False, ARMED, None),  # order unknown: wait
        (BELOW, 50, REARMING, 45.0, None, None, False, REARMING, None),
        (BELOW, 50, REARMING, 50.0, None, None, False, ARMED, None),
        (BELOW, 50, REARMING, 49.0, 51.0, 48.0, True, FIRED, 49.0),
    ],
)
def test_level_crossings(
    kind: AlertKind,
    level: float,
    state: AlertState,
    price: float,
    high: float | None,
    low: float | None,
    fires: bool,
    after: AlertState,
    trigger: float | None,
) -> None:
    """Fire on a crossing (last price, gap or intraday extreme), never on a touch."""
    change = run(alert(kind, level, state), tick(price, high=high, low=low))
    if change is None:
        assert not fires and after is state
        return
    assert change.after.state is after
    assert bool(change.firings) is fires
    if fires:
        (firing,) = change.firings
        assert firing.trigger_price == trigger
        assert firing.last_price == price
        assert firing.number == 1 and change.after.fired_count == 1
        assert firing.direction is (Direction.UP if kind is ABOVE else Direction.DOWN)


@pytest.mark.parametrize(
    ("kind", "level", "price", "state"),
    [
        (ABOVE, 50, 55.0, REARMING),  # far side
        (ABOVE, 50, 50.0, ARMED),  # at the level counts as the near side
        (ABOVE, 50, 45.0, ARMED),
        (BELOW, 50, 45.0, REARMING),
        (BELOW, 50, 50.0, ARMED),
        (BELOW, 50, 55.0, ARMED),
        (MOVE, 5, 123.0, ARMED),
    ],
)
def test_initial_state_waits_on_the_far_side(
    kind: AlertKind, level: float, price: float, state: AlertState
) -> None:
    """A new alert past its level waits for the next crossing instead of firing at once."""
    assert initial_state(kind, level, price) is state


def test_far_side_creation_fires_only_on_the_next_crossing() -> None:
    """`above 50` created at 55: nothing at 52, re-armed at 49, fires at 51."""
    current = alert(ABOVE, 50, initial_state(ABOVE, 50, 55.0))
    fired: list[float] = []
    for minute, price in enumerate([55.0, 52.0, 50.5, 49.0, 49.5, 51.0], start=1):
        change = run(current, tick(price, at=T0 + timedelta(minutes=minute)))
        if change is not None:
            current = change.after
            fired.extend(f.last_price for f in change.firings)
    assert fired == [51.0]
    assert current.state is FIRED


# A repeat `above 50` alert that fired at T0: (minutes later, price) → (state after, fires?).
# It re-arms only once the price is 0.5 % below 50 (≤ 49.75) AND the 15-minute cooldown passed.
@pytest.mark.parametrize(
    ("steps", "final_state", "firings"),
    [
        ([(1, 49.0)], REARMING, 0),  # past the band, but cooling down
        ([(16, 49.9)], REARMING, 0),  # cooled down, but inside the band
        ([(16, 49.75)], ARMED, 0),  # band edge reached after the cooldown
        ([(16, 49.0), (17, 50.1)], REARMING, 1),  # re-armed, then fired again
        ([(1, 49.0), (5, 50.5), (16, 50.5)], REARMING, 0),  # back above before cooldown ended
        ([(1, 49.0), (16, 50.5)], REARMING, 0),  # the dip happened during the cooldown
        ([(16, 49.9), (17, 50.4)], REARMING, 0),  # wiggle around the level: no refire
    ],
)
def test_repeat_rearms_after_hysteresis_and_cooldown(
    steps: list[tuple[int, float]], final_state: AlertState, firings: int
) -> None:
    """Re-arm needs both the 0.5 % band and the cooldown; only then the next crossing fires."""
    first = run(alert(ABOVE, 50, repeat=True), tick(50.5))
    assert first is not None and first.firings
    current = first.after
    assert current.state is REARMING and current.cooldown_until == T0 + timedelta(minutes=15)
    count = 0
    for minutes, price in steps:
        now = T0 + timedelta(minutes=minutes)
        change = run(current, tick(price, at=now), now=now)
        if change is not None:
            current = change.after
            count += len(change.firings)
    assert current.state is final_state
    assert count == firings
    assert current.fired_count == 1 + firings


def test_repeat_below_uses_the_band_above_the_level() -> None:
    """A repeat `below 50` re-arms at ≥ 50.25 once cooled down."""
    fired = run(alert(BELOW, 50, repeat=True), tick(49.0))
    assert fired is not None
    later = T0 + timedelta(minutes=20)
    assert run(fired.after, tick(50.2, at=later), now=later) is None
    rearmed = run(fired.after, tick(50.25, at=later), now=later)
    assert rearmed is not None and rearmed.after.state is ARMED


# move_pct 5 with previous close 100: (alert fields, price, high, low) → directions fired.
@pytest.mark.parametrize(
    ("fields", "price", "high", "low", "directions", "after"),
    [
        ({}, 105.0, None, None, [Direction.UP], FIRED),  # exactly +5 % reaches it
        ({}, 104.9, None, None, [], ARMED),
        ({}, 95.0, None, None, [Direction.DOWN], FIRED),
        ({}, 103.0, 105.5, 102.0, [Direction.UP], FIRED),  # intraday high reached it
        ({"move_up_day": DAY}, 106.0, None, None, [], ARMED),  # already fired up today
        ({"move_up_day": DAY, "repeat": True}, 94.0, None, None, [Direction.DOWN], ARMED),
        ({"move_up_day": DAY - timedelta(days=1)}, 106.0, None, None, [Direction.UP], FIRED),
        ({"repeat": True}, 104.0, 106.0, 94.0, [Direction.UP, Direction.DOWN], ARMED),
        ({}, 104.0, 106.0, 94.0, [Direction.UP], FIRED),  # one-shot: the side it ended on
        ({"state": REARMING}, 110.0, None, None, [], REARMING),  # move alerts never wait
    ],
)
def test_move_pct_once_per_direction_per_day(
    fields: dict[str, object],
    price: float,
    high: float | None,
    low: float | None,
    directions: list[Direction],
    after: AlertState,
) -> None:
    """Fire when the move vs the previous close reaches ±P %, once per direction per day."""
    state = fields.pop("state", ARMED)
    a = alert(MOVE, 5.0, state, **fields)  # type: ignore[arg-type]
    change = run(a, tick(price, high=high, low=low, previous_close=100.0))
    fired = [f.direction for f in change.firings] if change else []
    assert fired == directions
    assert (change.after.state if change else a.state) is after
    for firing in change.firings if change else ():
        assert abs(firing.move_pct or 0) >= 5.0 - 1e-9
        up = firing.direction is Direction.UP
        assert (change.after.move_up_day if up else change.after.move_down_day) == DAY  # type: ignore[union-attr]


def test_move_pct_fires_again_the_next_trading_day() -> None:
    """A repeat move_pct alert that fired up today fires up again on the next day."""
    a = alert(MOVE, 5.0, repeat=True)
    first = run(a, tick(106.0))
    assert first is not None and len(first.firings) == 1
    assert run(first.after, tick(107.0)) is None
    nxt = T0 + timedelta(days=2)  # Friday (Thursday is Thanksgiving)
    second = run(first.after, tick(105.5, at=nxt), now=nxt, day=date(2026, 11, 27))
    assert second is not None and [f.number for f in second.firings] == [2]


def test_move_pct_needs_a_previous_close() -> None:
    """Without a previous close there is no move to measure: nothing fires."""
    assert run(alert(MOVE, 1.0), tick(150.0, previous_close=None)) is None


def test_far_side_move_pct_counts_today_as_done() -> None:
    """A move_pct alert created after today's move reached it waits for the next day."""
    assert days_already_moved(5.0, quote(106.0), DAY) == (DAY, None)
    assert days_already_moved(5.0, quote(94.0), DAY) == (None, DAY)
    assert days_already_moved(5.0, quote(101.0), DAY) == (None, None)


# Trading days: (symbol, instant) → the day a move counts for.
@pytest.mark.parametrize(
    ("symbol", "at", "day"),
    [
        ("BTC-USD", datetime(2026, 11, 25, 23, 59, tzinfo=UTC), date(2026, 11, 25)),
        ("BTC-USD", datetime(2026, 11, 26, 0, 1, tzinfo=UTC), date(2026, 11, 26)),  # UTC day
        ("ETH-USD", datetime(2026, 11, 28, 12, 0, tzinfo=UTC), date(2026, 11, 28)),  # weekend
        ("CIFR", datetime(2026, 11, 25, 23, 59, tzinfo=UTC), date(2026, 11, 25)),
        ("CIFR", datetime(2026, 11, 26, 0, 1, tzinfo=UTC), date(2026, 11, 25)),  # still NY 25th
        ("CIFR", datetime(2026, 11, 26, 15, 0, tzinfo=UTC), date(2026, 11, 25)),  # Thanksgiving
        ("CIFR", datetime(2026, 11, 28, 15, 0, tzinfo=UTC), date(2026, 11, 27)),  # Saturday
        ("CIFR", datetime(2026, 11, 30, 10, 0, tzinfo=UTC), date(2026, 11, 30)),  # pre-market
    ],
)
def test_move_day(calendar: TradingCalendar, symbol: str, at: datetime, day: date) -> None:
    """Crypto counts by UTC day; shares by the NYSE session the quote belongs to."""
    assert move_day(calendar, symbol, at) == day


def test_btc_move_pct_fires_again_after_utc_midnight(calendar: TradingCalendar) -> None:
    """BTC-USD: the next UTC day is a new day; CIFR at the same instants is not."""
    before = datetime(2026, 11, 25, 23, 59, tzinfo=UTC)
    after = datetime(2026, 11, 26, 0, 1, tzinfo=UTC)
    for symbol, again in (("BTC-USD", True), ("CIFR", False)):
        a = alert(MOVE, 5.0, repeat=True, symbol=symbol)
        first = run(
            a,
            tick(106.0, at=before, symbol=symbol),
            now=before,
            day=move_day(calendar, symbol, before),
        )
        assert first is not None and first.firings
        second = run(
            first.after,
            tick(106.5, at=after, symbol=symbol),
            now=after,
            day=move_day(calendar, symbol, after),
        )
        assert bool(second and second.firings) is again, symbol


@pytest.mark.parametrize(
    ("price", "offset", "stale", "problem"),
    [
        (math.nan, 0, False, TickProblem.NOT_FINITE),
        (math.inf, 0, False, TickProblem.NOT_FINITE),
        (0.0, 0, False, TickProblem.NON_POSITIVE),
        (-3.0, 0, False, TickProblem.NON_POSITIVE),
        (60.0, -120, False, TickProblem.OLDER),  # older than the previous quote
        (60.0, 0, True, TickProblem.STALE),
        (60.0, 0, False, None),
    ],
)
def test_bad_ticks_are_refused(
    price: float, offset: int, stale: bool, problem: TickProblem | None
) -> None:
    """Not finite, ≤ 0, older than the previous one, or stale: the tick may not fire."""
    t = tick(price, at=T0 + timedelta(seconds=offset), stale=stale)
    t = Tick(t.quote, previous=quote(49.0, at=T0 - timedelta(seconds=60)))
    assert tick_problem(t) is problem


def test_a_tick_older_than_the_last_evaluated_is_refused() -> None:
    """The evaluator's memory of the last tick counts as "the previous one" too."""
    assert tick_problem(tick(60.0), last_evaluated=T0 + timedelta(seconds=1)) is TickProblem.OLDER
    assert tick_problem(tick(60.0), last_evaluated=T0) is None  # the same tick again is fine


@pytest.mark.parametrize("high", [math.nan, -1.0, 0.0, None])
def test_unusable_intraday_extremes_fall_back_to_the_price(high: float | None) -> None:
    """A broken bar range never fires an alert on its own."""
    assert run(alert(ABOVE, 50), tick(49.0, high=high, low=high)) is None


def test_expired_alerts_never_fire() -> None:
    """Past its expiry an alert is inert until the sweep retires it."""
    a = alert(ABOVE, 50, expires_at=T0)
    assert run(a, tick(55.0)) is None


def test_a_crossing_while_snoozed_is_swallowed() -> None:
    """Snoozed: no firing, the alert waits for the near side, then fires on the next crossing."""
    a = alert(ABOVE, 50, snoozed_until=T0 + timedelta(minutes=30))
    swallowed = run(a, tick(51.0))
    assert swallowed is not None and not swallowed.firings
    assert swallowed.after.state is REARMING and swallowed.after.fired_count == 0
    later = T0 + timedelta(minutes=40)
    assert run(swallowed.after, tick(52.0, at=later), now=later) is None  # still far side
    back = run(swallowed.after, tick(49.0, at=later), now=later)
    assert back is not None and back.after.state is ARMED
    fired = run(back.after, tick(51.0, at=later), now=later)
    assert fired is not None and len(fired.firings) == 1


def test_a_snoozed_move_pct_alert_counts_the_day_without_firing() -> None:
    """Snoozed move_pct: today's move is marked done, nothing fires."""
    a = alert(MOVE, 5.0, snoozed_until=T0 + timedelta(minutes=5))
    change = run(a, tick(106.0))
    assert change is not None and not change.firings
    assert change.after.move_up_day == DAY and change.after.state is ARMED


def test_a_snooze_that_ended_does_not_hold_back() -> None:
    """Once snoozed_until is past, the alert fires normally."""
    a = alert(ABOVE, 50, snoozed_until=T0 - timedelta(seconds=1))
    change = run(a, tick(51.0))
    assert change is not None and len(change.firings) == 1


def test_a_demo_quote_marks_the_firing() -> None:
    """Firings from demo prices carry the demo flag for the DEMO label."""
    change = run(alert(ABOVE, 50), tick(51.0, source=DataSource.DEMO))
    assert change is not None and change.firings[0].demo


def test_other_symbols_ticks_do_not_apply() -> None:
    """A tick only concerns alerts on its own symbol."""
    assert run(alert(ABOVE, 50, symbol="WULF"), tick(60.0)) is None
