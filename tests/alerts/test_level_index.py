"""The level index on its own: what a tick reaches, and following changes of the store."""

from __future__ import annotations

from datetime import date, timedelta

from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.level_index import LevelIndex, entry_of
from bot.alerts.model import Alert, AlertKind, AlertState, evolve
from bot.store import Store
from bot.store.alerts import Crossing
from tests.alerts.helpers import T0, alert, new_alert, tick

DAY = date(2026, 11, 25)


def crossing(
    high: float, low: float, *, up: float | None = None, down: float | None = None
) -> Crossing:
    return Crossing("CIFR", high, low, up, down, DAY, T0, 0.005)


def index_of(*alerts: Alert) -> LevelIndex:
    index = LevelIndex()
    index.load(e for a in alerts if (e := entry_of(a)) is not None)
    return index


def found(index: LevelIndex, c: Crossing) -> list[int]:
    return index.candidates([c]).tolist()


def test_armed_above_is_found_only_when_the_high_goes_past_its_level() -> None:
    index = index_of(alert("above", 100.0, id=1), alert("above", 101.0, id=2))
    assert found(index, crossing(100.0, 99.0)) == []  # a touch is not a crossing
    assert found(index, crossing(100.5, 99.0)) == [1]
    assert found(index, crossing(101.5, 99.0)) == [1, 2]


def test_armed_below_is_found_only_when_the_low_goes_past_its_level() -> None:
    index = index_of(alert("below", 100.0, id=1), alert("below", 99.0, id=2))
    assert found(index, crossing(101.0, 100.0)) == []
    assert found(index, crossing(101.0, 98.5)) == [1, 2]


def test_a_waiting_alert_after_a_firing_needs_its_cooldown_over_and_the_band() -> None:
    cooling = alert("above", 100.0, "rearming", id=1, cooldown_until=T0 + timedelta(minutes=1))
    done = alert("above", 100.0, "rearming", id=2, cooldown_until=T0 - timedelta(minutes=1))
    fresh = alert("above", 100.0, "rearming", id=3)  # new or resumed: the near side suffices
    index = index_of(cooling, done, fresh)
    assert found(index, crossing(101.0, 99.8)) == [3]  # inside the 0.5 % band
    assert found(index, crossing(101.0, 99.5)) == [2, 3]


def test_move_pct_is_found_once_a_day_per_direction() -> None:
    fired_up_today = alert("move_pct", 2.0, id=1, move_up_day=DAY)
    index = index_of(fired_up_today, alert("move_pct", 5.0, id=2), alert("move_pct", 2.0, id=3))
    assert found(index, crossing(103.0, 100.0, up=3.0)) == [3]
    assert found(index, crossing(100.0, 97.0, down=3.0)) == [1, 3]


def test_paused_fired_and_other_kinds_are_not_in_the_index() -> None:
    index = index_of(
        alert("above", 100.0, "paused", id=1),
        alert("above", 100.0, "fired", id=2),
        alert("volume", 2.0, id=3),
    )
    assert len(index) == 0


def test_following_equal_levels_removals_and_additions_keeps_the_index_exact() -> None:
    alerts = [alert("above", 100.0 + (n % 3), id=n) for n in range(1, 301)]
    index = index_of(*alerts)
    fired = [evolve(a, state=AlertState.FIRED) for a in alerts[:200]]  # past compaction
    waiting = [evolve(a, state=AlertState.REARMING) for a in alerts[200:250]]
    new = [alert("above", 100.5, id=n) for n in range(301, 311)]
    index.follow([*fired, *waiting, *new])
    expected = {entry_of(a) for a in [*waiting, *alerts[250:], *new]}
    assert index.entries() == expected
    assert index.sorted_everywhere()
    index.follow([evolve(fired[0], state=AlertState.ARMED)])  # resumed after compaction
    assert entry_of(evolve(fired[0], state=AlertState.ARMED)) in index.entries()


def test_an_unbuilt_index_ignores_changes_until_it_is_built() -> None:
    index = LevelIndex()
    index.follow([alert("above", 100.0, id=1)])
    assert not index.ready and len(index) == 0


async def test_the_index_is_built_from_the_store_and_follows_its_commits(
    store: Store, evaluator: AlertEvaluator
) -> None:
    expires = T0 + timedelta(days=3)
    async with store.db.transaction() as conn:
        kept = await store.alerts.insert(
            conn,
            new_alert(
                AlertKind.ABOVE, 101.0, repeat=False, state=AlertState.ARMED, expires_at=expires
            ),
        )
        await store.alerts.insert(
            conn,
            new_alert(
                AlertKind.BELOW, 99.0, repeat=False, state=AlertState.PAUSED, expires_at=expires
            ),
        )
    assert not store.alerts.levels.ready  # nothing built yet: the first use builds it
    await store.alerts.build_levels()
    assert store.alerts.levels.entries() == {entry_of(kept)}
    report = await evaluator.evaluate([tick(102.0, previous=100.0)])
    assert [f.alert.id for f in report.firings] == [kept.id]
    # The one-shot alert fired: the committed change left the index.
    assert len(store.alerts.levels) == 0
