"""The alert rules, pure: given an alert and a price tick, decide whether it fires or re-arms.

The state column carries the edge: ``armed`` means the price was last seen on the near side
of the level, so an armed alert fires as soon as a tick reaches past the level, and then
waits (``rearming``) until the price is back on the near side. Nothing here does I/O or
reads a clock; the evaluator passes ``now`` and the trading day in.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from enum import StrEnum

from bot.alerts.kinds import step_kind
from bot.alerts.model import (
    Alert,
    AlertKind,
    AlertState,
    Direction,
    Tick,
    evolve,
    usable_price,
)

# Re-exported: what the rules decide is part of the engine's vocabulary.
from bot.alerts.outcome import DEFAULT_RULES as DEFAULT_RULES
from bot.alerts.outcome import MOVE_TOLERANCE as MOVE_TOLERANCE
from bot.alerts.outcome import Change as Change
from bot.alerts.outcome import Firing as Firing
from bot.alerts.outcome import Rules as Rules
from bot.alerts.outcome import fire_on_day
from bot.alerts.signals import Signal
from bot.market.models import Quote


class TickProblem(StrEnum):
    """Why a tick may not fire anything (reported in /status)."""

    NOT_FINITE = "not_finite"
    NON_POSITIVE = "non_positive"
    OLDER = "older_than_previous"
    STALE = "stale"


def tick_problem(tick: Tick, last_evaluated: datetime | None = None) -> TickProblem | None:
    """Return why ``tick`` must not fire alerts, or None when it is usable."""
    quote = tick.quote
    if not math.isfinite(quote.price):
        return TickProblem.NOT_FINITE
    if quote.price <= 0:
        return TickProblem.NON_POSITIVE
    if tick.previous is not None and quote.as_of < tick.previous.as_of:
        return TickProblem.OLDER
    if last_evaluated is not None and quote.as_of < last_evaluated:
        return TickProblem.OLDER
    if quote.stale:
        return TickProblem.STALE
    return None


def on_near_side(kind: AlertKind, level: float, price: float) -> bool:
    """Tell whether ``price`` is where a crossing of ``level`` can start (at or short of it)."""
    if kind is AlertKind.ABOVE:
        return price <= level
    if kind is AlertKind.BELOW:
        return price >= level
    return True


def initial_state(kind: AlertKind, level: float, price: float) -> AlertState:
    """Return the state of a new (or resumed) alert given the current price."""
    # An alert created on the far side of its level must not fire at once: it waits for the
    # price to come back to the near side, and fires on the crossing after that.
    return AlertState.ARMED if on_near_side(kind, level, price) else AlertState.REARMING


def move_pct(price: float, previous_close: float) -> float:
    """Return the move of ``price`` versus ``previous_close`` in percent."""
    return (price / previous_close - 1.0) * 100.0


def days_already_moved(level: float, quote: Quote, day: date) -> tuple[date | None, date | None]:
    """Return the (up, down) days a new move_pct alert counts as already fired."""
    # A move that already reached ±level today is the far side of a move_pct alert: it does
    # not fire at once, only on the next trading day's move.
    close = quote.previous_close
    if not usable_price(close):
        return None, None
    move = move_pct(quote.price, close)
    up = day if move + MOVE_TOLERANCE >= level else None
    down = day if -move + MOVE_TOLERANCE >= level else None
    return up, down


def step(
    alert: Alert,
    tick: Tick,
    *,
    now: datetime,
    day: date,
    rules: Rules = DEFAULT_RULES,
    signal: Signal | None = None,
) -> Change | None:
    """Return what ``tick`` does to ``alert``, or None when it leaves it as it is."""
    if alert.symbol != tick.quote.symbol or now >= alert.expires_at:
        return None  # expired alerts never fire; the expiry sweep retires them
    kind = alert.kind
    if kind is AlertKind.MOVE_PCT:
        return _step_move(alert, tick, now=now, day=day)
    if kind is AlertKind.ABOVE or kind is AlertKind.BELOW:
        return _step_level(alert, tick, now=now, rules=rules)
    if signal is None or signal.day != day:
        return None  # the new kinds read the day's facts; without them nothing can fire
    return step_kind(alert, tick, signal, now=now, rules=rules)


def _step_level(alert: Alert, tick: Tick, *, now: datetime, rules: Rules) -> Change | None:
    high, low = tick.top, tick.bottom
    price = tick.quote.price
    above = alert.kind is AlertKind.ABOVE
    current = alert
    if alert.state is AlertState.REARMING:
        if not _rearms(alert, high, low, now, rules):
            return None
        current = evolve(alert, state=AlertState.ARMED, cooldown_until=None)
        # Of the intraday extremes only the last price is known to come after the one that
        # re-armed the alert, so only the last price may complete a crossing in this tick.
        high = low = price
    elif alert.state is not AlertState.ARMED:
        return None
    # Strictly past the level: "above X" means from at or below X to above X, so a price
    # that only touches X exactly has not crossed (and a re-armed alert sitting at X waits).
    crossed = high > alert.level if above else low < alert.level
    if not crossed:
        return Change(alert, current) if current is not alert else None
    if current.snoozed(now):
        # A crossing while snoozed is swallowed, not postponed: the alert waits for the
        # price to return to the near side, so waking up never fires a stale crossing.
        return Change(alert, evolve(current, state=AlertState.REARMING))
    past = price > alert.level if above else price < alert.level
    fired = _record_firing(current, now, rules)
    # Positional (alert, number, direction, trigger, last, move, as_of, demo): this runs for
    # every firing of a market-wide jump, and keywords cost a third of building a Firing.
    firing = Firing(
        fired,
        fired.fired_count,
        Direction.UP if above else Direction.DOWN,
        price if past else (high if above else low),
        price,
        None,
        tick.quote.as_of,
        tick.quote.is_demo,
        None,
        None,
        None,
        tick.quote.session,
    )
    return Change(alert, fired, (firing,))


def _rearms(alert: Alert, high: float, low: float, now: datetime, rules: Rules) -> bool:
    """Tell whether a waiting alert is back on the near side (past the band after a firing)."""
    until = alert.cooldown_until
    if until is not None and now < until:
        return False
    # Hysteresis only after a firing: a new or resumed alert just needs the near side.
    band = rules.hysteresis if until is not None else 0.0
    if alert.kind is AlertKind.ABOVE:
        return low <= alert.level * (1.0 - band)
    return high >= alert.level * (1.0 + band)


def _record_firing(alert: Alert, now: datetime, rules: Rules) -> Alert:
    if alert.repeat:
        return evolve(
            alert,
            state=AlertState.REARMING,
            cooldown_until=now + rules.cooldown,
            fired_count=alert.fired_count + 1,
            last_fired_at=now,
        )
    return evolve(
        alert, state=AlertState.FIRED, fired_count=alert.fired_count + 1, last_fired_at=now
    )


def _step_move(alert: Alert, tick: Tick, *, now: datetime, day: date) -> Change | None:
    if alert.state is not AlertState.ARMED:
        return None
    quote = tick.quote
    close = quote.previous_close
    if not usable_price(close):
        return None
    high, low, price = tick.top, tick.bottom, quote.price
    up = alert.move_up_day != day and move_pct(high, close) + MOVE_TOLERANCE >= alert.level
    down = alert.move_down_day != day and -move_pct(low, close) + MOVE_TOLERANCE >= alert.level
    if not (up or down):
        return None
    if up and down and not alert.repeat:
        # A one-shot alert fires once: for the direction the price ended up on.
        up = price >= close
        down = not up
    after = fire_on_day(alert, up=up, down=down, day=day, now=now)
    if isinstance(after, Change):
        return after  # snoozed
    last_move = move_pct(price, close)
    number = alert.fired_count
    if up and down:
        firings: tuple[Firing, ...] = (
            _move_firing(after, number + 1, Direction.UP, tick, close, last_move),
            _move_firing(after, number + 2, Direction.DOWN, tick, close, last_move),
        )
    else:
        direction = Direction.UP if up else Direction.DOWN
        firings = (_move_firing(after, number + 1, direction, tick, close, last_move),)
    return Change(alert, after, firings)


def _move_firing(
    after: Alert, number: int, direction: Direction, tick: Tick, close: float, last_move: float
) -> Firing:
    """Return the firing of a move_pct alert in one direction."""
    rising = direction is Direction.UP
    past = (last_move if rising else -last_move) + MOVE_TOLERANCE >= after.level
    price = tick.quote.price
    trigger = price if past else (tick.top if rising else tick.bottom)
    # Positional, as in _step_level: (alert, number, direction, trigger, last, move, as_of, demo).
    return Firing(
        after,
        number,
        direction,
        trigger,
        price,
        move_pct(trigger, close),
        tick.quote.as_of,
        tick.quote.is_demo,
        None,
        None,
        None,
        tick.quote.session,
    )
