"""One evaluation: a poll's ticks → the alerts they cross → one transaction."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import aiosqlite

from bot.alerts.days import move_day
from bot.alerts.engine import (
    DEFAULT_RULES,
    MOVE_TOLERANCE,
    Change,
    Firing,
    Rules,
    TickProblem,
    move_pct,
    step,
)
from bot.alerts.engine import tick_problem as find_tick_problem
from bot.alerts.facts import DailyFactsBook
from bot.alerts.kinds import days_to_earnings
from bot.alerts.messages import (
    LanguageOf,
    alert_messages_in_slices,
    expiry_notices,
    in_english,
)
from bot.alerts.model import (
    CORRELATION_BAND,
    Alert,
    Basis,
    Tick,
    outside_its_session,
    usable_price,
)
from bot.alerts.reading import SignalReader
from bot.alerts.signals import Signal
from bot.clock import Clock
from bot.market.calendar import TradingCalendar
from bot.market.provider import PollResult
from bot.outbox.model import OutboxMessage
from bot.store import Store
from bot.store.alerts import Crossing, KindCrossing

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IgnoredTick:
    """A tick that fired nothing because its data was unfit."""

    symbol: str
    problem: TickProblem
    as_of: datetime


@dataclass(slots=True)
class Evaluation:
    """What one evaluation did."""

    at: datetime
    firings: list[Firing] = field(default_factory=list)
    changed: int = 0  # alerts whose stored state changed (fired, re-armed, swallowed)
    expired: list[Alert] = field(default_factory=list)
    ignored: list[IgnoredTick] = field(default_factory=list)
    messages: int = 0  # outbox rows written
    find_seconds: float = 0.0  # trigger queries and rules, writes excluded
    # Per queued alert message (its dedupe key), the trade times of the firings it carries:
    # what the trade-to-post latency is measured from.
    trade_times: dict[str, list[datetime]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EvaluatorStats:
    """Counters for /status."""

    evaluations: int
    fired: int
    ignored: dict[str, int]
    last_ignored: dict[str, IgnoredTick]
    last_evaluation_at: datetime | None


class AlertEvaluator:
    """Evaluates ticks against the stored alerts; every decision and its message commit together."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        calendar: TradingCalendar,
        *,
        rules: Rules = DEFAULT_RULES,
        on_enqueued: Callable[[], None] | None = None,
        reader: SignalReader | None = None,
        language_of: LanguageOf = in_english,
    ) -> None:
        self._store = store
        self._language_of = language_of  # posts follow their server's or member's language
        # The day's facts per symbol (52-week extremes, averages, volume), read once a day,
        # and the benchmarks' latest quotes for relative alerts.
        self.reader = reader or SignalReader(
            calendar, DailyFactsBook(store.prices.load_daily), band=rules.hysteresis
        )
        self._clock = clock
        self._calendar = calendar
        self._rules = rules
        self._on_enqueued = on_enqueued  # e.g. OutboxWorker.kick: deliver without waiting
        self._last_as_of: dict[str, datetime] = {}
        self._evaluations = 0
        self._fired = 0
        self._ignored: Counter[str] = Counter()
        self._last_ignored: dict[str, IgnoredTick] = {}
        self._last_at: datetime | None = None

    async def evaluate_poll(self, result: PollResult) -> Evaluation:
        """Evaluate every quote a poll accepted."""
        ticks = [Tick.from_update(update) for update in result.updates.values()]
        return await self.evaluate([t for t in ticks if t is not None])

    async def evaluate(self, ticks: Iterable[Tick]) -> Evaluation:
        """Expire what is due, fire what the ticks crossed, and queue the messages, atomically."""
        now = self._clock.now()
        report = Evaluation(at=now)
        usable = self._screen(ticks, report)
        # Read before the write transaction: a store read per symbol at most once a day.
        await self.reader.prepare(usable)
        async with self._store.db.transaction() as conn:
            report.expired = await self._store.alerts.expire_due(conn, now)
            started = time.perf_counter()
            changes = await self.find(conn, usable, now)
            report.find_seconds = time.perf_counter() - started
            report.firings = [f for change in changes for f in change.firings]
            report.changed = len(changes)
            await self._store.alerts.apply(conn, [change.after for change in changes])
            # Rendered in slices: thousands of embeds must not hold the event loop at once.
            messages: list[OutboxMessage] = [
                *expiry_notices(report.expired, self._language_of),
                *await alert_messages_in_slices(report.firings, self._language_of),
            ]
            created = await self._store.outbox.enqueue(conn, messages, now=now)
            report.messages = len(created)
        traded = {f.alert.id: f.as_of for f in report.firings}
        report.trade_times = {
            m.dedupe_key: [traded[a] for a in m.alert_ids if a in traded]
            for m in messages
            if any(a in traded for a in m.alert_ids)
        }
        # Only after the commit: a tick is "seen" once its decisions are durable.
        for tick in usable:
            self._last_as_of[tick.symbol] = tick.quote.as_of
        self._evaluations += 1
        self._fired += len(report.firings)
        self._last_at = now
        if report.firings or report.expired:
            log.info(
                "evaluation fired %d alert(s), expired %d, queued %d message(s)",
                len(report.firings),
                len(report.expired),
                report.messages,
            )
        if created and self._on_enqueued is not None:
            self._on_enqueued()
        return report

    async def expire_due(self) -> Evaluation:
        """Retire expired alerts (and tell their owners) without any tick."""
        return await self.evaluate(())

    def stats(self) -> EvaluatorStats:
        """Return the counters /status shows."""
        return EvaluatorStats(
            evaluations=self._evaluations,
            fired=self._fired,
            ignored=dict(self._ignored),
            last_ignored=dict(self._last_ignored),
            last_evaluation_at=self._last_at,
        )

    def _screen(self, ticks: Iterable[Tick], report: Evaluation) -> list[Tick]:
        """Drop the ticks whose data must not fire anything, noting why."""
        usable: dict[str, Tick] = {}
        for tick in ticks:
            problem = find_tick_problem(tick, self._last_as_of.get(tick.symbol))
            if problem is None:
                usable[tick.symbol] = tick  # one tick per symbol: the last one given wins
                continue
            ignored = IgnoredTick(tick.symbol, problem, tick.quote.as_of)
            report.ignored.append(ignored)
            self._ignored[problem.value] += 1
            self._last_ignored[tick.symbol] = ignored
            log.info("ignoring %s tick at %s: %s", tick.symbol, tick.quote.as_of, problem.value)
        return list(usable.values())

    async def find(
        self, conn: aiosqlite.Connection, ticks: Sequence[Tick], now: datetime
    ) -> list[Change]:
        """Return what screened ``ticks`` do to the stored alerts (reads only, no writes).

        The level kinds come from the in-memory index, batch by batch: each batch is decided
        before the next is read, so the event loop is never held for long."""
        crossings, by_symbol = self.crossings(ticks, now)
        changes: list[Change] = []
        async for alerts in self._store.alerts.crossed_in_batches(conn, crossings):
            changes += self._decide(alerts, by_symbol, now)
        return changes

    async def find_by_sql(
        self, conn: aiosqlite.Connection, ticks: Sequence[Tick], now: datetime
    ) -> list[Change]:
        """``find`` with every kind found by its SQL trigger queries, the index unused (the
        path before the index, kept to compare with and to check it)."""
        crossings, by_symbol = self.crossings(ticks, now)
        return self._decide(await self._store.alerts.crossed(conn, crossings), by_symbol, now)

    def crossings(
        self, ticks: Sequence[Tick], now: datetime
    ) -> tuple[list[Crossing], dict[str, tuple[Tick, date, Signal]]]:
        """Return the bounds each tick reached, and each symbol's tick, day and signal."""
        by_symbol: dict[str, tuple[Tick, date, Signal]] = {}
        crossings = []
        benchmarks = self.reader.benchmarks(ticks)
        for tick in ticks:
            high, low = tick.extremes()
            close = tick.quote.previous_close
            up_move = down_move = None
            if usable_price(close):
                # The tolerance widens the range exactly as the engine's comparison does.
                up_move = move_pct(high, close) + MOVE_TOLERANCE
                down_move = -move_pct(low, close) + MOVE_TOLERANCE
            day = move_day(self._calendar, tick.symbol, tick.quote.as_of)
            signal = self.reader.signal(tick, day, benchmarks)
            by_symbol[tick.symbol] = (tick, day, signal)
            crossings.append(
                Crossing(
                    tick.symbol,
                    high,
                    low,
                    up_move,
                    down_move,
                    day,
                    now,
                    self._rules.hysteresis,
                    kind_crossing(signal),
                )
            )
        return crossings, by_symbol

    def _decide(
        self,
        alerts: Iterable[Alert],
        by_symbol: dict[str, tuple[Tick, date, Signal]],
        now: datetime,
    ) -> list[Change]:
        """Return what the rules make of each found alert (None left out)."""
        changes = []
        for alert in alerts:
            tick, day, signal = by_symbol[alert.symbol]
            if outside_its_session(alert, tick.quote.session):
                continue  # a pre- or post-market trade, and the alert wants regular hours
            change = step(alert, tick, now=now, day=day, rules=self._rules, signal=signal)
            if change is not None:
                changes.append(change)
        return changes


def kind_crossing(signal: Signal) -> KindCrossing:
    """Return the trigger bounds ``signal`` reaches for the kinds read against daily facts."""
    # The tolerance widens each bound exactly as the rules' comparison does.
    gap = signal.gap_pct
    up: dict[Basis, float] = {}
    down: dict[Basis, float] = {}
    for basis, (points, _) in signal.relative.items():
        up[basis] = points + MOVE_TOLERANCE
        down[basis] = -points + MOVE_TOLERANCE
    ratio = signal.volume_ratio
    return KindCrossing(
        new_high52=signal.new_high is not None,
        new_low52=signal.new_low is not None,
        sides=signal.sides,
        volume_multiple=None if ratio is None else ratio + MOVE_TOLERANCE,
        gap_up=None if gap is None else gap + MOVE_TOLERANCE,
        gap_down=None if gap is None else -gap + MOVE_TOLERANCE,
        relative_up=up,
        relative_down=down,
        correlations=signal.facts.correlations if signal.facts is not None else {},
        correlation_band=CORRELATION_BAND,
        earnings_day=signal.earnings_day,
        earnings_in=days_to_earnings(signal),
    )
