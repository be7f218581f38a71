"""What the daily history says about a symbol before a session: extremes, averages, volume.

Computed once per symbol per session from the stored bars (never from a request per alert)
and kept in memory by ``DailyFactsBook`` until the session or the stored history changes.
Everything is read from bars dated before the session, so today's prices never move the
reference they are compared with.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from bot.alerts.model import Alert, AlertKind, Basis, Side
from bot.market.models import DailyBar

# A 52-week extreme needs most of a year behind it: with a few months of history a "new
# 52-week high" would only be a new high of those months.
MIN_SESSIONS_52W: Final = 240
YEAR: Final = timedelta(days=365)
SHORT_AVERAGE: Final = 50
LONG_AVERAGE: Final = 200
VOLUME_SESSIONS: Final = 20
# How far back to read: 200 sessions of closes need about 290 calendar days; a year covers
# the 52-week window as well.
LOOKBACK: Final = timedelta(days=372)


@dataclass(frozen=True, slots=True)
class DailyFacts:
    """A symbol's references for one session, each None when the history is too short."""

    symbol: str
    day: date  # the session they serve; every figure comes from earlier sessions
    high52: float | None
    low52: float | None
    ma50: float | None
    ma200: float | None
    avg_volume20: float | None
    sessions: int  # how many earlier sessions the history holds (for "why unknown")

    @property
    def golden_side(self) -> Side | None:
        """Return where the 50-day average stands against the 200-day one (None: unknown)."""
        if self.ma50 is None or self.ma200 is None or self.ma50 == self.ma200:
            return None
        return Side.ABOVE if self.ma50 > self.ma200 else Side.BELOW


def facts_from_bars(symbol: str, day: date, bars: Sequence[DailyBar]) -> DailyFacts:
    """Return ``symbol``'s references for session ``day`` from its daily ``bars``."""
    earlier = sorted((b for b in bars if b.date < day), key=lambda b: b.date)
    year = [b for b in earlier if b.date >= day - YEAR]
    high52 = low52 = None
    if len(year) >= MIN_SESSIONS_52W:
        high52 = max(b.high for b in year)
        low52 = min(b.low for b in year)
    closes = [b.close for b in earlier]
    volumes = [b.volume for b in earlier[-VOLUME_SESSIONS:]]
    average_volume = None
    if len(volumes) == VOLUME_SESSIONS and sum(volumes) > 0:
        average_volume = sum(volumes) / VOLUME_SESSIONS
    return DailyFacts(
        symbol=symbol,
        day=day,
        high52=high52,
        low52=low52,
        ma50=_average(closes, SHORT_AVERAGE),
        ma200=_average(closes, LONG_AVERAGE),
        avg_volume20=average_volume,
        sessions=len(earlier),
    )


def _average(values: Sequence[float], count: int) -> float | None:
    if len(values) < count:
        return None
    window = values[-count:]
    total = math.fsum(window)
    return total / count


# The kinds that read the stored history, and what each needs of it.
HISTORY_KINDS: Final = frozenset(
    {AlertKind.HIGH52, AlertKind.LOW52, AlertKind.MA_CROSS, AlertKind.VOLUME}
)


def history_gap(alert: Alert, facts: DailyFacts) -> str | None:
    """Say what stored history ``alert`` still waits for, or None when it has it."""
    kind = alert.kind
    if kind in (AlertKind.HIGH52, AlertKind.LOW52) and facts.high52 is None:
        need = MIN_SESSIONS_52W
    elif kind is AlertKind.MA_CROSS and alert.basis is Basis.MA50 and facts.ma50 is None:
        need = SHORT_AVERAGE
    elif kind is AlertKind.MA_CROSS and alert.basis is not Basis.MA50 and facts.ma200 is None:
        need = LONG_AVERAGE
    elif kind is AlertKind.VOLUME and facts.avg_volume20 is None:
        return f"waiting for {VOLUME_SESSIONS} sessions of volume in the stored history"
    else:
        return None
    return f"waiting for {need} sessions of history ({facts.sessions} stored so far)"


BarLoader = Callable[[str, date], Awaitable[list[DailyBar]]]
RefreshMark = Callable[[str], object]


class DailyFactsBook:
    """Daily facts in memory: computed once per symbol, session and history refresh."""

    def __init__(self, load: BarLoader, refreshed_on: RefreshMark | None = None) -> None:
        self._load = load  # the store's daily bars for a symbol from a date on
        self._refreshed_on = refreshed_on  # changes when the symbol's history is refreshed
        self._held: dict[str, tuple[date, object, DailyFacts]] = {}
        self.computed = 0  # how many times facts were computed (one store read each)

    async def facts(self, wanted: Iterable[tuple[str, date]]) -> dict[str, DailyFacts]:
        """Return the facts of each (symbol, session), reading the store only for new ones."""
        found: dict[str, DailyFacts] = {}
        for symbol, day in wanted:
            mark = self._refreshed_on(symbol) if self._refreshed_on is not None else None
            held = self._held.get(symbol)
            if held is not None and held[0] == day and held[1] == mark:
                found[symbol] = held[2]
                continue
            bars = await self._load(symbol, day - LOOKBACK)
            computed = facts_from_bars(symbol, day, bars)
            self.computed += 1
            self._held[symbol] = (day, mark, computed)
            found[symbol] = computed
        return found

    def held(self, symbol: str) -> DailyFacts | None:
        """Return the facts last computed for ``symbol`` (memory only)."""
        held = self._held.get(symbol)
        return None if held is None else held[2]
