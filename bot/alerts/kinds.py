"""The rules of the kinds beyond price levels, pure: 52-week extremes, averages, volume, gaps
and moves relative to a benchmark.

Two shapes of edge:
- once a day: high52, low52, volume, gap and relative fire at most once per direction per
  trading day (the day columns remember it), like move_pct; a one-shot alert is then done,
  a repeating one waits for the next day.
- a side: ma_cross remembers which side of its average the price was last seen on and fires
  when that changes. The side only changes outside a band of ±hysteresis around the average,
  so a price hovering on the line does not flip it back and forth; a repeating alert stays
  quiet for the cooldown after it fires (the side is still followed meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import NamedTuple

from bot.alerts.model import (
    CORRELATION_BAND,
    Alert,
    AlertKind,
    AlertState,
    Basis,
    Direction,
    Side,
    Tick,
    evolve,
)
from bot.alerts.outcome import MOVE_TOLERANCE, Change, Firing, Rules, fire_on_day
from bot.alerts.signals import Signal

# Builds one firing: (alert as stored after, its number, direction).
FiringMaker = Callable[[Alert, int, Direction], Firing]


def step_kind(
    alert: Alert, tick: Tick, signal: Signal, *, now: datetime, rules: Rules
) -> Change | None:
    """Return what ``tick`` (read as ``signal``) does to an alert of a new kind."""
    if alert.state is not AlertState.ARMED:
        return None
    kind = alert.kind
    quote = tick.quote
    if kind is AlertKind.MA_CROSS:
        return _step_side(alert, tick, signal, now=now, rules=rules)
    if kind is AlertKind.CORRELATION:
        return _step_correlation(alert, tick, signal, now=now)
    if kind is AlertKind.EARNINGS:
        return _step_earnings(alert, tick, signal, now=now)
    if kind is AlertKind.HIGH52 or kind is AlertKind.LOW52:
        high = kind is AlertKind.HIGH52
        beaten = signal.new_high if high else signal.new_low
        facts = signal.facts
        if beaten is None or facts is None:
            return None
        previous = facts.high52 if high else facts.low52

        def extreme(after: Alert, number: int, direction: Direction) -> Firing:
            return _firing(after, number, direction, tick, beaten, measure=previous)

        return step_daily(alert, signal, now=now, up=high, down=not high, make=extreme)
    if kind is AlertKind.VOLUME:
        ratio = signal.volume_ratio
        if ratio is None or ratio + MOVE_TOLERANCE < alert.level:
            return None
        average = signal.facts.avg_volume20 if signal.facts else None

        def volume(after: Alert, number: int, direction: Direction) -> Firing:
            return _firing(
                after, number, direction, tick, quote.price, measure=ratio, reference=average
            )

        return step_daily(alert, signal, now=now, up=True, down=False, make=volume)
    if kind is AlertKind.GAP:
        gap = signal.gap_pct
        if gap is None:
            return None
        opening = quote.day_open

        def gapped(after: Alert, number: int, direction: Direction) -> Firing:
            return _firing(after, number, direction, tick, opening or quote.price, measure=gap)

        up = gap + MOVE_TOLERANCE >= alert.level
        down = -gap + MOVE_TOLERANCE >= alert.level
        return step_daily(alert, signal, now=now, up=up, down=down, make=gapped)
    if kind is AlertKind.RELATIVE:
        basis = alert.basis
        found = signal.relative.get(basis) if basis is not None else None
        if found is None:
            return None
        points, benchmark_move = found

        def relative(after: Alert, number: int, direction: Direction) -> Firing:
            return _firing(
                after,
                number,
                direction,
                tick,
                quote.price,
                measure=points,
                reference=benchmark_move,
                move=signal.move_pct,
            )

        up = points + MOVE_TOLERANCE >= alert.level
        down = -points + MOVE_TOLERANCE >= alert.level
        return step_daily(alert, signal, now=now, up=up, down=down, make=relative)
    return None


def step_daily(
    alert: Alert,
    signal: Signal,
    *,
    now: datetime,
    up: bool,
    down: bool,
    make: FiringMaker,
    ended_up: bool | None = None,
) -> Change | None:
    """Fire ``alert`` for each direction reached and not yet fired on the signal's day."""
    day = signal.day
    up = up and alert.move_up_day != day
    down = down and alert.move_down_day != day
    if not (up or down):
        return None
    if up and down and not alert.repeat:
        # A one-shot alert fires once: for the direction the day stands in now.
        up = ended_up if ended_up is not None else (signal.move_pct or 0.0) >= 0
        down = not up
    after = fire_on_day(alert, up=up, down=down, day=day, now=now)
    if isinstance(after, Change):
        return after  # snoozed
    number = alert.fired_count
    firings: list[Firing] = []
    if up:
        number += 1
        firings.append(make(after, number, Direction.UP))
    if down:
        number += 1
        firings.append(make(after, number, Direction.DOWN))
    return Change(alert, after, tuple(firings))


def _step_side(
    alert: Alert, tick: Tick, signal: Signal, *, now: datetime, rules: Rules
) -> Change | None:
    basis = alert.basis
    if basis is None:
        return None
    side = signal.sides.get(basis)
    if side is None or side is alert.side:
        return None
    if alert.side is None:
        # First sight of the average (history arrived after the alert was made): a start
        # point, not a crossing.
        return Change(alert, evolve(alert, side=side))
    cooling = alert.cooldown_until is not None and now < alert.cooldown_until
    if alert.snoozed(now) or cooling:
        return Change(alert, evolve(alert, side=side))
    after = _crossed(alert, side, now, now + rules.cooldown if alert.repeat else None)
    average = signal.averages.get(basis)
    long_average = signal.facts.ma200 if signal.facts and basis is Basis.MA50_MA200 else None
    direction = Direction.UP if side is Side.ABOVE else Direction.DOWN
    firing = _firing(
        after,
        after.fired_count,
        direction,
        tick,
        tick.quote.price,
        measure=average,
        reference=long_average,
    )
    return Change(alert, after, (firing,))


def _crossed(alert: Alert, side: Side, now: datetime, cooldown_until: datetime | None) -> Alert:
    """Return ``alert`` after firing once for crossing to ``side``."""
    return evolve(
        alert,
        side=side,
        state=AlertState.ARMED if alert.repeat else AlertState.FIRED,
        fired_count=alert.fired_count + 1,
        last_fired_at=now,
        cooldown_until=cooldown_until,
    )


def correlation_side(value: float, level: float, side: Side | None) -> Side | None:
    """Return the side of ``level`` a correlation is on, past the band when one is known."""
    band = 0.0 if side is None else CORRELATION_BAND
    if value > level + band:
        return Side.ABOVE
    if value < level - band:
        return Side.BELOW
    return side


def _step_correlation(alert: Alert, tick: Tick, signal: Signal, *, now: datetime) -> Change | None:
    facts = signal.facts
    basis = alert.basis
    value = facts.correlations.get(basis) if facts is not None and basis is not None else None
    if value is None:
        return None
    side = correlation_side(value, alert.level, alert.side)
    if side is None or side is alert.side:
        return None
    if alert.side is None or alert.snoozed(now):
        # A start point (history arrived after the alert was made), or a snoozed crossing:
        # the side is followed, nothing posts.
        return Change(alert, evolve(alert, side=side))
    after = _crossed(alert, side, now, alert.cooldown_until)  # a correlation has no cooldown
    direction = Direction.UP if side is Side.ABOVE else Direction.DOWN
    firing = _firing(after, after.fired_count, direction, tick, tick.quote.price, measure=value)
    return Change(alert, after, (firing,))


def days_to_earnings(signal: Signal) -> int | None:
    """Return how many days the signal's day is before the next earnings date (0: that day)."""
    if signal.earnings_day is None:
        return None
    return (signal.earnings_day - signal.day).days


def _step_earnings(alert: Alert, tick: Tick, signal: Signal, *, now: datetime) -> Change | None:
    # The day columns hold the earnings date each message was sent for: the reminder in
    # move_up_day, the day itself in move_down_day. A new date (next quarter) starts afresh.
    days = days_to_earnings(signal)
    earnings_day = signal.earnings_day
    if days is None or earnings_day is None or days < 0:
        return None
    on_the_day = days == 0
    if on_the_day and alert.move_down_day != earnings_day:
        down_day: date | None = earnings_day
        done = not alert.repeat  # a one-shot alert is done once the day has come
    elif 0 < days <= alert.level and alert.move_up_day != earnings_day:
        down_day = alert.move_down_day
        done = False  # it still reminds on the day
    else:
        return None
    if alert.snoozed(now):
        return Change(alert, evolve(alert, move_up_day=earnings_day, move_down_day=down_day))
    after = evolve(
        alert,
        state=AlertState.FIRED if done else AlertState.ARMED,
        fired_count=alert.fired_count + 1,
        last_fired_at=now,
        move_up_day=earnings_day,
        move_down_day=down_day,
    )
    quote = tick.quote
    firing = Firing(
        after,
        after.fired_count,
        Direction.UP,
        quote.price,
        quote.price,
        None,
        quote.as_of,
        quote.is_demo,
        float(days),
        None,
        earnings_day,
        quote.session,
    )
    return Change(alert, after, (firing,))


def _firing(
    after: Alert,
    number: int,
    direction: Direction,
    tick: Tick,
    trigger: float,
    *,
    measure: float | None = None,
    reference: float | None = None,
    move: float | None = None,
) -> Firing:
    quote = tick.quote
    return Firing(
        after,
        number,
        direction,
        trigger,
        quote.price,
        move,
        quote.as_of,
        quote.is_demo,
        measure,
        reference,
        None,
        quote.session,
    )


class KindStart(NamedTuple):
    """Where a new (or resumed) alert of a new kind starts from."""

    up_day: date | None = None  # today already fired upward: it waits for the next day
    down_day: date | None = None
    side: Side | None = None  # ma_cross: the side the price is on now

    @property
    def waiting(self) -> bool:
        """Tell whether today's figure is already past the alert's, so today does not fire."""
        return self.up_day is not None or self.down_day is not None


def kind_start(
    kind: AlertKind, level: float, basis: Basis | None, signal: Signal | None, price: float
) -> KindStart:
    """Return where an alert starts when ``signal`` is what its symbol shows now."""
    # As for move_pct, a condition already met today is the far side: it does not fire at
    # once, only on the next trading day it is met again.
    if signal is None:
        return KindStart()
    day = signal.day
    if kind is AlertKind.EARNINGS:
        days = days_to_earnings(signal)
        if days is None or days < 0 or days > level:
            return KindStart()
        # Already inside the window: the reminder would only repeat what the reply says.
        return KindStart(
            up_day=signal.earnings_day, down_day=signal.earnings_day if days == 0 else None
        )
    if kind is AlertKind.CORRELATION:
        facts = signal.facts
        value = facts.correlations.get(basis) if facts is not None and basis else None
        return KindStart(side=None if value is None else correlation_side(value, level, None))
    if kind is AlertKind.MA_CROSS:
        if basis is Basis.MA50_MA200:
            return KindStart(side=signal.facts.golden_side if signal.facts else None)
        average = signal.averages.get(basis) if basis is not None else None
        if average is None:
            return KindStart()
        return KindStart(side=Side.ABOVE if price > average else Side.BELOW)
    if kind is AlertKind.HIGH52:
        return KindStart(up_day=day if signal.new_high is not None else None)
    if kind is AlertKind.LOW52:
        return KindStart(down_day=day if signal.new_low is not None else None)
    figure: float | None = None
    if kind is AlertKind.VOLUME:
        ratio = signal.volume_ratio
        reached = ratio is not None and ratio + MOVE_TOLERANCE >= level
        return KindStart(up_day=day if reached else None)
    if kind is AlertKind.GAP:
        figure = signal.gap_pct
    elif kind is AlertKind.RELATIVE and basis is not None:
        found = signal.relative.get(basis)
        figure = None if found is None else found[0]
    if figure is None:
        return KindStart()
    up = day if figure + MOVE_TOLERANCE >= level else None
    down = day if -figure + MOVE_TOLERANCE >= level else None
    return KindStart(up_day=up, down_day=down)
