"""What the daily history says about a symbol before a session: extremes, averages, volume.

Computed once per symbol per session from the stored bars (never from a request per alert)
and kept in memory by ``DailyFactsBook`` until the session or the stored history changes.
Everything is read from bars dated before the session, so today's prices never move the
reference they are compared with.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import Final

from bot.alerts.model import BENCHMARK_BASES, Alert, AlertKind, Basis, Side
from bot.market.models import DailyBar

# A 52-week extreme needs most of a year behind it: with a few months of history a "new
# 52-week high" would only be a new high of those months.
MIN_SESSIONS_52W: Final = 240
YEAR: Final = timedelta(days=365)
SHORT_AVERAGE: Final = 50
LONG_AVERAGE: Final = 200
VOLUME_SESSIONS: Final = 20
# The correlation of daily close-to-close returns over the 30 sessions both symbols traded
# before the day (a crypto pair's weekend closes have no partner and are left out).
CORRELATION_RETURNS: Final = 30
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
    correlations: Mapping[Basis, float] = field(default_factory=dict)  # per benchmark
    shared: Mapping[Basis, int] = field(default_factory=dict)  # sessions shared with it

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


def correlation(
    bars: Sequence[DailyBar], benchmark: Sequence[DailyBar], day: date
) -> tuple[float | None, int]:
    """Return the correlation of daily returns before ``day`` and the sessions both share."""
    theirs = {b.date: b.close for b in benchmark if b.date < day}
    shared = sorted((b.date, b.close, theirs[b.date]) for b in bars if b.date in theirs)
    window = shared[-(CORRELATION_RETURNS + 1) :]
    if len(window) < CORRELATION_RETURNS + 1:
        return None, len(shared)
    ours = [b / a - 1.0 for (_, a, _), (_, b, _) in pairwise(window)]
    bench = [b / a - 1.0 for (_, _, a), (_, _, b) in pairwise(window)]
    mean_ours, mean_bench = math.fsum(ours) / len(ours), math.fsum(bench) / len(bench)
    cov = math.fsum((x - mean_ours) * (y - mean_bench) for x, y in zip(ours, bench, strict=True))
    var_ours = math.fsum((x - mean_ours) ** 2 for x in ours)
    var_bench = math.fsum((y - mean_bench) ** 2 for y in bench)
    if var_ours <= 0 or var_bench <= 0:
        return None, len(shared)  # a flat series has no correlation to speak of
    return cov / math.sqrt(var_ours * var_bench), len(shared)


def _average(values: Sequence[float], count: int) -> float | None:
    if len(values) < count:
        return None
    window = values[-count:]
    total = math.fsum(window)
    return total / count


# The kinds that read the stored history, and what each needs of it.
HISTORY_KINDS: Final = frozenset(
    {AlertKind.HIGH52, AlertKind.LOW52, AlertKind.MA_CROSS, AlertKind.VOLUME}
    | {AlertKind.CORRELATION}
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
    elif kind is AlertKind.CORRELATION and alert.basis not in facts.correlations:
        stored = facts.shared.get(alert.basis, 0) if alert.basis is not None else 0
        if stored > CORRELATION_RETURNS:
            return "no correlation to read: one of the two prices did not move"
        return (
            f"waiting for {CORRELATION_RETURNS + 1} sessions of history shared with "
            f"{alert.basis} ({stored} so far)"
        )
    else:
        return None
    return f"waiting for {need} sessions of history ({facts.sessions} stored so far)"


def earnings_note(next_date: date | None, *, available: bool) -> str:
    """Say what is known of the next earnings date, for /alert list and replies."""
    if next_date is not None:
        return f"next earnings {next_date:%a %d %b %Y} (Yahoo's calendar; may be an estimate)"
    if not available:
        return "next earnings date unknown: only Yahoo prices come with a calendar"
    return "next earnings date unknown so far (Yahoo's calendar is asked once a day)"


_BENCHMARK_BARS_HELD: Final = 8
BarLoader = Callable[[str, date], Awaitable[list[DailyBar]]]
RefreshMark = Callable[[str], object]


class DailyFactsBook:
    """Daily facts in memory: computed once per symbol, session and history refresh."""

    def __init__(self, load: BarLoader, refreshed_on: RefreshMark | None = None) -> None:
        self._load = load  # the store's daily bars for a symbol from a date on
        self._refreshed_on = refreshed_on  # changes when the symbol's history is refreshed
        self._held: dict[str, tuple[date, object, DailyFacts]] = {}
        # A benchmark's bars per (symbol, session, refresh): stocks and crypto pairs can be
        # on different sessions at once (a weekend), and each reads the one it needs.
        self._benchmark_bars: dict[tuple[str, date, object], list[DailyBar]] = {}
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
            computed = await self._with_correlations(facts_from_bars(symbol, day, bars), bars)
            self.computed += 1
            self._held[symbol] = (day, mark, computed)
            found[symbol] = computed
        return found

    async def _with_correlations(self, facts: DailyFacts, bars: list[DailyBar]) -> DailyFacts:
        correlations: dict[Basis, float] = {}
        shared: dict[Basis, int] = {}
        for basis in sorted(BENCHMARK_BASES):
            if basis.value == facts.symbol:
                continue
            theirs = await self._bars_of(basis.value, facts.day)
            value, count = correlation(bars, theirs, facts.day)
            shared[basis] = count
            if value is not None:
                correlations[basis] = value
        return dataclasses.replace(facts, correlations=correlations, shared=shared)

    async def _bars_of(self, symbol: str, day: date) -> list[DailyBar]:
        """Return a benchmark's bars, read once per session and history refresh."""
        mark = self._refreshed_on(symbol) if self._refreshed_on is not None else None
        key = (symbol, day, mark)
        held = self._benchmark_bars.get(key)
        if held is not None:
            return held
        if len(self._benchmark_bars) >= _BENCHMARK_BARS_HELD:
            self._benchmark_bars.clear()  # older sessions and refreshes: not asked again
        bars = await self._load(symbol, day - LOOKBACK)
        self._benchmark_bars[key] = bars
        return bars

    def held(self, symbol: str) -> DailyFacts | None:
        """Return the facts last computed for ``symbol`` (memory only)."""
        held = self._held.get(symbol)
        return None if held is None else held[2]
