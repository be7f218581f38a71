"""The alert vocabulary: kinds, states, the stored alert, a price tick and who is asking."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final, NamedTuple, TypedDict, TypeGuard, Unpack

from bot.market.models import MarketState, Quote
from bot.market.provider import SymbolUpdate

# A repeat alert re-arms only once the price is back past its level by this fraction of the
# level, so a price hovering around the level does not fire on every wiggle.
HYSTERESIS: Final = 0.005
DEFAULT_COOLDOWN: Final = timedelta(minutes=15)
DEFAULT_EXPIRES_DAYS: Final = 90


class AlertKind(StrEnum):
    """What an alert watches."""

    ABOVE = "above"
    BELOW = "below"
    MOVE_PCT = "move_pct"
    HIGH52 = "high52"  # a new 52-week high
    LOW52 = "low52"
    MA_CROSS = "ma_cross"  # the price (or the 50-day average) crossing a moving average
    VOLUME = "volume"  # the day's volume reaching k times its 20-day average
    GAP = "gap"  # the open gapping from the previous close
    RELATIVE = "relative"  # the day's move minus a benchmark's, in percentage points
    CORRELATION = "correlation"  # the 30-day correlation to a benchmark crossing a level
    EARNINGS = "earnings"  # a reminder N days before the next earnings date, and on the day
    FILING = "filing"  # a new SEC filing of the company, of at least a deal level


class Basis(StrEnum):
    """What a ma_cross or relative alert compares with (the ``alerts.basis`` column)."""

    MA50 = "ma50"  # the price against its 50-day average
    MA200 = "ma200"
    MA50_MA200 = "ma50_ma200"  # the 50-day against the 200-day: golden / death cross
    BTC = "BTC-USD"
    NVDA = "NVDA"


MA_BASES: Final = frozenset({Basis.MA50, Basis.MA200, Basis.MA50_MA200})
BENCHMARK_BASES: Final = frozenset({Basis.BTC, Basis.NVDA})
# Kinds that follow a side (of an average, of a correlation level) in the ``side`` column.
SIDE_KINDS: Final = frozenset({AlertKind.MA_CROSS, AlertKind.CORRELATION})
# A correlation must cross its level by this much to count as on the other side: a daily
# figure hovering at the level would otherwise flip back and forth day after day.
CORRELATION_BAND: Final = 0.02
# Kinds that fire at most once per direction per trading day (the day columns carry it).
DAILY_KINDS: Final = frozenset(
    {AlertKind.MOVE_PCT, AlertKind.HIGH52, AlertKind.LOW52, AlertKind.VOLUME, AlertKind.GAP}
    | {AlertKind.RELATIVE}
)
# Kinds whose condition needs no figure of the member's (the level is stored as 0).
NO_LEVEL_KINDS: Final = frozenset({AlertKind.HIGH52, AlertKind.LOW52, AlertKind.MA_CROSS})
# Kinds whose level may be zero or negative (a correlation from -0.95 to 0.95).
SIGNED_LEVEL_KINDS: Final = frozenset({AlertKind.CORRELATION})


class AlertSession(StrEnum):
    """Which trades an alert fires on (``alerts.session``)."""

    REGULAR = "regular"  # regular-session trades only (and crypto at any hour)
    EXTENDED = "extended"  # pre- and post-market trades too


# Trades outside the regular session: a regular-hours alert lets them pass.
OFF_HOURS: Final = frozenset({MarketState.PRE, MarketState.POST, MarketState.CLOSED})


def outside_its_session(alert: Alert, traded_in: MarketState | None) -> bool:
    """Tell whether a trade made in ``traded_in`` must not move ``alert`` (regular hours
    only, and the trade was pre- or post-market)."""
    return alert.session is AlertSession.REGULAR and traded_in in OFF_HOURS


class AlertState(StrEnum):
    """Where an alert is in its life (the vocabulary of the ``alerts.state`` column)."""

    ARMED = "armed"  # the price was last seen on the near side: the next crossing fires
    REARMING = "rearming"  # waiting for the price to come back to the near side first
    FIRED = "fired"  # a one-shot alert that has fired: done
    PAUSED = "paused"  # stopped by its owner, an admin, or an undeliverable destination
    EXPIRED = "expired"
    REMOVED = "removed"

    @property
    def active(self) -> bool:
        """Tell whether the alert still counts against quotas and shows in lists."""
        return self in ACTIVE_STATES


ACTIVE_STATES: Final = frozenset({AlertState.ARMED, AlertState.REARMING, AlertState.PAUSED})


class Direction(StrEnum):
    """Which way a price went through a level."""

    UP = "up"
    DOWN = "down"


class Side(StrEnum):
    """Where a price stands against an average (the ``alerts.side`` column of ma_cross)."""

    ABOVE = "above"
    BELOW = "below"


class PauseReason(StrEnum):
    """Why an alert is paused (``alerts.paused_reason``)."""

    BY_MEMBER = "member"
    DM_CLOSED = "dm_closed"
    CHANNEL_GONE = "channel_gone"
    MISSING_PERMISSIONS = "missing_permissions"


# A NamedTuple rather than a frozen dataclass: an evaluation builds and updates thousands of
# alerts per tick, and a tuple is built and ``_replace``-d several times faster.
class Alert(NamedTuple):
    """One stored alert."""

    id: int
    guild_id: int
    channel_id: int
    owner_id: int
    symbol: str
    kind: AlertKind
    level: float  # a price for above/below, a percentage for move_pct
    repeat: bool
    via_dm: bool
    state: AlertState
    created_at: datetime
    expires_at: datetime
    fired_count: int = 0
    last_fired_at: datetime | None = None
    cooldown_until: datetime | None = None  # set only while re-arming after a repeat firing
    snoozed_until: datetime | None = None
    move_up_day: date | None = None
    move_down_day: date | None = None
    paused_reason: PauseReason | None = None
    note: str | None = None
    basis: Basis | None = None  # ma_cross and relative: what the alert compares with
    # ma_cross: where the price last was against its average; correlation: where the
    # correlation last was against the level
    side: Side | None = None
    session: AlertSession = AlertSession.REGULAR

    def snoozed(self, now: datetime) -> bool:
        """Tell whether the alert is snoozed at ``now``."""
        return self.snoozed_until is not None and now < self.snoozed_until

    def expired(self, now: datetime) -> bool:
        """Tell whether the alert has outlived its ``expires_days``."""
        return now >= self.expires_at


class AlertChanges(TypedDict, total=False):
    """The fields an evaluation or a command changes on an alert (for ``evolve``)."""

    state: AlertState
    fired_count: int
    last_fired_at: datetime | None
    cooldown_until: datetime | None
    snoozed_until: datetime | None
    move_up_day: date | None
    move_down_day: date | None
    paused_reason: PauseReason | None
    side: Side | None


_FIELD_INDEX: Final = {name: index for index, name in enumerate(Alert._fields)}


def evolve(alert: Alert, **changes: Unpack[AlertChanges]) -> Alert:
    """Return ``alert`` with ``changes`` applied: ``_replace``, about twice as fast."""
    # NamedTuple._replace goes through a dict pop per field; a market-wide jump changes
    # thousands of alerts in one evaluation, so this is on the hot path.
    values: list[object] = list(alert)
    for name, value in changes.items():
        values[_FIELD_INDEX[name]] = value
    return tuple.__new__(Alert, values)


@dataclass(frozen=True, slots=True)
class Tick:
    """One symbol's new price for an evaluation: the quote, the one before, the range between."""

    quote: Quote
    previous: Quote | None = None
    high: float | None = None  # highest traded since ``previous`` (from intraday bars)
    low: float | None = None  # lowest traded since ``previous``
    # The range to test levels against, widened to the last price; computed once per tick,
    # not once per alert.
    top: float = field(init=False)
    bottom: float = field(init=False)

    def __post_init__(self) -> None:
        price = self.quote.price
        top = max(self.high, price) if usable_price(self.high) else price
        bottom = min(self.low, price) if usable_price(self.low) else price
        object.__setattr__(self, "top", top)
        object.__setattr__(self, "bottom", bottom)

    @property
    def symbol(self) -> str:
        """Return the symbol the tick is for."""
        return self.quote.symbol

    @classmethod
    def from_update(cls, update: SymbolUpdate) -> Tick | None:
        """Build the tick of one poll outcome; None when the poll took no new quote."""
        if update.quote is None:
            return None
        span = update.range_since_last
        return cls(
            quote=update.quote,
            previous=update.previous,
            high=span.high if span else None,
            low=span.low if span else None,
        )

    def extremes(self) -> tuple[float, float]:
        """Return the (high, low) to test levels against: the range, widened to the last price."""
        return self.top, self.bottom


def usable_price(value: float | None) -> TypeGuard[float]:
    """Tell whether ``value`` is a finite, positive price."""
    return value is not None and math.isfinite(value) and value > 0


@dataclass(frozen=True, slots=True)
class Member:
    """Who manages alerts, and whether they are an admin (Manage Server) where they ask."""

    user_id: int
    guild_id: int
    is_admin: bool = False
