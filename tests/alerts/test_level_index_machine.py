"""The level index agrees with the store after any sequence of what happens to alerts.

Random sequences of adding, removing, pausing, resuming and snoozing alerts, ticks that fire
and re-arm them, expiries, transactions that roll back and restarts (the index rebuilt from
the file) run against a real SQLite file. After every step the index holds exactly the
store's armed and waiting level alerts, and the index path finds the same changes as the
SQL trigger queries.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
)

from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.level_index import entry_of
from bot.alerts.model import AlertKind, AlertState, PauseReason, Tick
from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.store import Store
from bot.store.alerts import ALERT_COLUMNS, NewAlert, row_to_alert
from tests.alerts.helpers import T0, new_alert, quote

SYMBOLS = ("CIFR", "WULF")
# Few distinct levels: equal levels in one group are the index's hardest case.
LEVELS = (96.0, 98.0, 99.5, 100.0, 100.0, 101.0, 102.0, 104.0)
MOVES = (0.5, 1.0, 2.0, 3.0)
KINDS = (AlertKind.ABOVE, AlertKind.BELOW, AlertKind.MOVE_PCT)
CLOSE = 100.0
T = TypeVar("T")


class RolledBack(Exception):
    """Raised inside a transaction to make it roll back."""


class LevelIndexMachine(RuleBasedStateMachine):
    alerts = Bundle("alerts")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.folder = Path(tempfile.mkdtemp(prefix="level-index-"))
        self.clock = ManualClock(T0)
        self.calendar = TradingCalendar()
        self.prices = dict.fromkeys(SYMBOLS, CLOSE)
        self.store = self.run(Store.open(self.folder / "alerts.sqlite3"))
        self.run(self.store.alerts.build_levels())

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def teardown(self) -> None:
        self.run(self.store.close())
        self.loop.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ----- what members do ---------------------------------------------------------------
    @rule(
        target=alerts,
        symbol=st.sampled_from(SYMBOLS),
        kind=st.sampled_from(KINDS),
        level=st.sampled_from(LEVELS),
        repeat=st.booleans(),
        days=st.integers(1, 3),
    )
    def add(self, symbol: str, kind: AlertKind, level: float, repeat: bool, days: int) -> int:
        price = self.prices[symbol]
        if kind is AlertKind.MOVE_PCT:
            level = level - 95.0  # 1 % to 9 %
            state = AlertState.ARMED
        else:
            near = price <= level if kind is AlertKind.ABOVE else price >= level
            state = AlertState.ARMED if near else AlertState.REARMING
        now = self.clock.now()
        new = new_alert(
            kind,
            level,
            symbol=symbol,
            repeat=repeat,
            state=state,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        return self.run(self._insert(new))

    async def _insert(self, new: NewAlert) -> int:
        async with self.store.db.transaction() as conn:
            return (await self.store.alerts.insert(conn, new)).id

    @rule(alert_id=consumes(alerts))
    def remove(self, alert_id: int) -> None:
        self._update(alert_id, state=AlertState.REMOVED)

    @rule(alert_id=alerts)
    def pause(self, alert_id: int) -> None:
        self._update(alert_id, state=AlertState.PAUSED, paused_reason=PauseReason.BY_MEMBER)

    @rule(alert_id=alerts, waiting=st.booleans())
    def resume(self, alert_id: int, waiting: bool) -> None:
        state = AlertState.REARMING if waiting else AlertState.ARMED
        self._update(
            alert_id,
            only_from=AlertState.PAUSED,
            state=state,
            paused_reason=None,
            cooldown_until=None,
        )

    @rule(alert_id=alerts, minutes=st.integers(1, 30))
    def snooze(self, alert_id: int, minutes: int) -> None:
        self._update(alert_id, snoozed_until=self.clock.now() + timedelta(minutes=minutes))

    @rule(alert_id=alerts, state=st.sampled_from([AlertState.ARMED, AlertState.FIRED]))
    def rolled_back(self, alert_id: int, state: AlertState) -> None:
        """A change made in a transaction that then fails reaches neither store nor index."""

        async def fail() -> None:
            async with self.store.db.transaction() as conn:
                await self.store.alerts.update(conn, alert_id, state=state)
                raise RolledBack

        with contextlib.suppress(RolledBack):
            self.run(fail())

    def _update(self, alert_id: int, only_from: AlertState | None = None, **fields: object) -> None:
        async def change() -> None:
            async with self.store.db.transaction() as conn:
                alert = await self.store.alerts.fetch(conn, alert_id)
                assert alert is not None
                if alert.state in (AlertState.REMOVED, AlertState.EXPIRED):
                    return
                if only_from is not None and alert.state is not only_from:
                    return
                await self.store.alerts.update(conn, alert_id, **fields)

        self.run(change())

    # ----- what the market and time do -----------------------------------------------------
    @rule(symbol=st.sampled_from(SYMBOLS), move=st.sampled_from((-3.0, -1.5, -0.6, 0.6, 1.5, 3.0)))
    def tick(self, symbol: str, move: float) -> None:
        before = self.prices[symbol]
        after = max(90.0, min(110.0, before + move))
        self.clock.advance(timedelta(minutes=7))
        now = self.clock.now()
        tick = Tick(
            quote(after, symbol=symbol, at=now, previous_close=CLOSE),
            previous=quote(before, symbol=symbol, at=now - timedelta(minutes=1)),
        )
        evaluator = AlertEvaluator(self.store, self.clock, self.calendar)
        self._same_changes(evaluator, tick)
        self.run(evaluator.evaluate([tick]))
        self.prices[symbol] = after

    def _same_changes(self, evaluator: AlertEvaluator, tick: Tick) -> None:
        """The index path and the SQL path decide the same changes on the same store."""

        async def both() -> None:
            now = self.clock.now()
            async with self.store.db.transaction() as conn:
                by_index = await evaluator.find(conn, [tick], now)
                by_sql = await evaluator.find_by_sql(conn, [tick], now)
            assert sorted(by_index) == sorted(by_sql)

        self.run(both())

    @rule(hours=st.sampled_from((12, 30, 50)))
    def time_passes(self, hours: int) -> None:
        """Time passes without ticks: expired alerts are retired."""
        self.clock.advance(timedelta(hours=hours))
        self.run(AlertEvaluator(self.store, self.clock, self.calendar).expire_due())

    @rule()
    def restart(self) -> None:
        """The bot stops and starts again: the index is rebuilt from the file."""
        self.run(self.store.close())
        self.store = self.run(Store.open(self.folder / "alerts.sqlite3"))
        self.run(self.store.alerts.build_levels())

    # ----- what must always hold --------------------------------------------------------------
    @invariant()
    def index_is_the_store(self) -> None:
        async def stored() -> set[object]:
            query = f"SELECT {ALERT_COLUMNS} FROM alerts"
            rows = await self.store.db.fetch_all(query)
            entries = (entry_of(row_to_alert(tuple(row))) for row in rows)
            return {e for e in entries if e is not None}

        index = self.store.alerts.levels
        assert index.ready
        assert index.entries() == self.run(stored())
        assert index.sorted_everywhere()


LevelIndexMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLevelIndexMachine = LevelIndexMachine.TestCase
