"""Evaluation against a real store: indexed queries, one atomic transaction, no doubles."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import aiosqlite
import pytest

from bot.alerts.engine import step
from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.model import AlertKind, AlertState, Member, Tick
from bot.alerts.service import AlertService
from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.outbox.model import OutboxKind, OutboxMessage
from bot.store import Store
from bot.store.alerts import (
    EQUALITY_QUERIES,
    EXPIRE_DUE,
    TRIGGER_QUERIES,
    Crossing,
    trigger_statement,
)
from bot.store.outbox import OutboxRepo
from tests.alerts.helpers import (
    CHANNEL,
    MEMBER,
    T0,
    add,
    all_alerts,
    new_alert,
    quote,
    random_timers,
    tick,
)


async def _plan(store: Store, query: str, params: Sequence[object] | dict[str, object]) -> str:
    rows = await store.db.fetch_all(f"EXPLAIN QUERY PLAN {query}", params)
    return "\n".join(str(row["detail"]) for row in rows)


SAMPLE_PARAMS: dict[str, tuple[object, ...]] = {
    "fire_above": ("CIFR", 51.0),
    "fire_below": ("CIFR", 49.0),
    "rearm_above": ("CIFR", 49.0, T0.isoformat(), 0.005, 49.0),
    "rearm_below": ("CIFR", 51.0, T0.isoformat(), 0.005, 51.0),
    "move_up": ("CIFR", 5.0, "2026-11-25"),
    "move_down": ("CIFR", 5.0, "2026-11-25"),
    "volume": ("CIFR", 3.0, "2026-11-25"),
    "gap_up": ("CIFR", 5.0, "2026-11-25"),
    "gap_down": ("CIFR", 5.0, "2026-11-25"),
    "relative_up": ("CIFR", 5.0, "BTC-USD", "2026-11-25"),
    "relative_down": ("CIFR", 5.0, "NVDA", "2026-11-25"),
    "earnings_soon": ("CIFR", 3, "2026-11-28"),
}
EQUALITY_PARAMS: dict[str, tuple[object, ...]] = {
    "new_high52": ("CIFR", "2026-11-25"),
    "new_low52": ("CIFR", "2026-11-25"),
    "side_left": ("CIFR", "ma50", "below"),
    "side_unseen": ("CIFR", "ma200"),
    "correlation_fell": ("CIFR", "BTC-USD", 0.32),
    "correlation_rose": ("CIFR", "NVDA", 0.28),
    "correlation_unseen": ("CIFR", "NVDA"),
    "earnings_today": ("CIFR", "2026-11-25"),
}


@pytest.mark.parametrize("name", sorted(TRIGGER_QUERIES))
async def test_trigger_queries_are_index_ranges(store: Store, name: str) -> None:
    """Every trigger query searches the alerts_trigger index by range; none scans the table."""
    plan = await _plan(store, TRIGGER_QUERIES[name], SAMPLE_PARAMS[name])
    assert "SEARCH alerts USING INDEX alerts_trigger" in plan, plan
    assert "level" in plan and "SCAN" not in plan, plan


@pytest.mark.parametrize("name", sorted(EQUALITY_QUERIES))
async def test_day_and_side_queries_search_an_index(store: Store, name: str) -> None:
    """The 52-week and moving-average terms look up an index by equality, never scan."""
    plan = await _plan(store, EQUALITY_QUERIES[name], EQUALITY_PARAMS[name])
    assert "SEARCH alerts USING INDEX" in plan and "SCAN" not in plan, plan


async def test_one_statement_for_all_symbols_is_all_index_ranges(store: Store) -> None:
    """The combined statement of an evaluation is index searches only, one per term."""
    day = date(2026, 11, 25)
    crossings = [
        Crossing("CIFR", 51.0, 49.0, 2.0, 1.0, day, T0, 0.005),
        Crossing("BTC-USD", 95_000.0, 94_000.0, None, None, day, T0, 0.005),
    ]
    query, params = trigger_statement(crossings)
    plan = await _plan(store, query, params)
    searches = [line for line in plan.splitlines() if line.startswith("SEARCH")]
    assert len(searches) == 6 + 4
    assert all("USING INDEX alerts_trigger" in line for line in searches), plan
    assert "SCAN" not in plan, plan


async def test_the_expiry_sweep_uses_its_index(store: Store) -> None:
    """Expiry reads alerts_by_expiry, not the whole table."""
    plan = await _plan(store, EXPIRE_DUE, {"now": T0.isoformat()})
    assert "alerts_by_expiry" in plan and "SCAN alerts" not in plan, plan


async def _states(store: Store) -> dict[int, AlertState]:
    rows = await store.db.fetch_all("SELECT id, state FROM alerts ORDER BY id")
    return {row["id"]: AlertState(row["state"]) for row in rows}


async def test_a_crossing_fires_once_and_queues_one_message(
    store: Store, service: AlertService, evaluator: AlertEvaluator
) -> None:
    """The first crossing fires and queues a message; the same tick again changes nothing."""
    created = await add(service, "above", 51.0, price=50.0)
    crossing = tick(52.0, previous=50.0)
    report = await evaluator.evaluate([crossing])
    assert [f.alert.id for f in report.firings] == [created.alert.id]
    assert report.messages == 1
    again = await evaluator.evaluate([crossing])
    assert again.firings == [] and again.messages == 0
    rows = await store.outbox.rows()
    assert len(rows) == 1
    assert rows[0].dedupe_key == f"alert:{created.alert.id}:1"
    assert (await _states(store))[created.alert.id] is AlertState.FIRED


async def test_far_side_alert_waits_for_the_next_crossing(
    service: AlertService, evaluator: AlertEvaluator
) -> None:
    """Created above its level: quiet until the price comes back, then fires on the crossing."""
    created = await add(service, "above", 50.0, price=55.0)
    assert created.waiting and created.alert.state is AlertState.REARMING
    minute = timedelta(minutes=1)
    assert not (await evaluator.evaluate([tick(56.0, at=T0 + minute)])).firings
    assert not (await evaluator.evaluate([tick(49.0, at=T0 + 2 * minute)])).firings
    report = await evaluator.evaluate([tick(50.5, at=T0 + 3 * minute)])
    assert [f.alert.id for f in report.firings] == [created.alert.id]


class FailingOutbox(OutboxRepo):
    """An outbox whose insert fails after writing: the transaction must undo everything."""

    async def enqueue(
        self, conn: aiosqlite.Connection, messages: Sequence[OutboxMessage], *, now: datetime
    ) -> list[int]:
        await super().enqueue(conn, messages, now=now)
        raise RuntimeError("disk full")


async def test_evaluation_is_atomic(
    store: Store, service: AlertService, evaluator: AlertEvaluator
) -> None:
    """A failure while writing the outbox leaves alert states and the outbox as they were."""
    ids = [(await add(service, "above", level, price=50.0)).alert.id for level in (51.0, 52.0)]
    before = await _states(store)
    working = store.outbox
    store.outbox = FailingOutbox(store.db)
    with pytest.raises(RuntimeError, match="disk full"):
        await evaluator.evaluate([tick(53.0)])
    assert await _states(store) == before
    assert await working.rows() == []
    store.outbox = working
    report = await evaluator.evaluate([tick(53.0)])  # the retry fires them, once
    assert sorted(f.alert.id for f in report.firings) == ids
    assert len(await store.outbox.rows()) == 1


async def test_bad_ticks_fire_nothing_and_are_counted(
    store: Store, service: AlertService, evaluator: AlertEvaluator
) -> None:
    """NaN, zero, negative, stale and older ticks are ignored and reported."""
    await add(service, "above", 51.0, price=50.0)
    good = tick(50.0, at=T0)
    await evaluator.evaluate([good])
    bad = [
        tick(math.nan, at=T0 + timedelta(seconds=1)),
        tick(0.0, at=T0 + timedelta(seconds=2)),
        tick(-5.0, at=T0 + timedelta(seconds=3)),
        tick(60.0, at=T0 + timedelta(seconds=4), stale=True),
        tick(60.0, at=T0 - timedelta(seconds=5)),  # older than the one evaluated
    ]
    for t in bad:
        report = await evaluator.evaluate([t])
        assert report.firings == [] and len(report.ignored) == 1
    assert await store.outbox.rows() == []
    stats = evaluator.stats()
    assert sum(stats.ignored.values()) == 5
    assert stats.last_ignored["CIFR"].problem.value == "older_than_previous"


async def test_twelve_alerts_for_one_channel_make_two_messages(
    store: Store, service: AlertService, evaluator: AlertEvaluator
) -> None:
    """Firings for one destination group into messages of at most ten embeds."""
    for level in range(51, 63):
        await add(service, "above", float(level), price=50.0)
    await add(service, "above", 51.0, price=50.0, dm=True)  # a DM is another destination
    await add(service, "above", 51.0, price=50.0, channel_id=CHANNEL + 1)
    report = await evaluator.evaluate([tick(70.0)])
    assert len(report.firings) == 14
    rows = await store.outbox.rows()
    by_destination = [(str(r.destination), len(r.payload["embeds"])) for r in rows]
    assert by_destination == [
        (f"channel:{CHANNEL}", 10),
        (f"channel:{CHANNEL}", 2),
        (f"user:{MEMBER.user_id}", 1),
        (f"channel:{CHANNEL + 1}", 1),
    ]


async def test_owners_are_mentioned_and_only_they_may_be_pinged(
    store: Store, service: AlertService, evaluator: AlertEvaluator
) -> None:
    """One channel message mentions each owner once and allows exactly those mentions."""
    other = Member(user_id=77, guild_id=MEMBER.guild_id)
    await add(service, "above", 51.0, price=50.0)
    await add(service, "above", 52.0, price=50.0)
    await add(service, "above", 51.5, price=50.0, member=other)
    await evaluator.evaluate([tick(53.0)])
    (row,) = await store.outbox.rows()
    assert row.payload["allowed_mentions"] == {"users": [MEMBER.user_id, 77]}
    assert row.payload["content"].startswith(f"<@{MEMBER.user_id}> <@77> ")
    assert "@everyone" not in row.payload["content"]


async def test_move_pct_in_the_store_once_per_direction_per_day(
    store: Store, service: AlertService, evaluator: AlertEvaluator, clock: ManualClock
) -> None:
    """The move_pct range query skips alerts that already fired today in that direction."""
    created = await add(service, "move_pct", 5.0, price=100.0, repeat=True)
    assert not created.waiting
    minute = timedelta(minutes=1)
    up = await evaluator.evaluate([tick(105.0, at=T0 + minute)])
    assert [f.direction.value for f in up.firings] == ["up"]
    again = await evaluator.evaluate([tick(107.0, at=T0 + 2 * minute)])
    assert again.firings == []
    down = await evaluator.evaluate([tick(94.0, at=T0 + 3 * minute)])
    assert [f.direction.value for f in down.firings] == ["down"]
    friday = T0 + timedelta(days=2)  # Thanksgiving in between is no trading day
    clock.set(friday)
    nxt = await evaluator.evaluate([tick(106.0, at=friday)])
    assert [f.direction.value for f in nxt.firings] == ["up"]
    assert len(await store.outbox.rows()) == 3


async def test_repeat_alert_refires_through_the_store(
    store: Store, service: AlertService, evaluator: AlertEvaluator, clock: ManualClock
) -> None:
    """Fire, cool down, fall past the band, cross again: two messages with distinct keys."""
    created = await add(service, "above", 50.0, price=49.0, repeat=True)
    await evaluator.evaluate([tick(50.5, at=T0)])
    clock.advance(timedelta(minutes=16))
    await evaluator.evaluate([tick(49.5, at=clock.now())])
    clock.advance(timedelta(minutes=1))
    report = await evaluator.evaluate([tick(50.5, at=clock.now())])
    assert [f.number for f in report.firings] == [2]
    keys = [row.dedupe_key for row in await store.outbox.rows()]
    assert keys == [f"alert:{created.alert.id}:1", f"alert:{created.alert.id}:2"]


async def test_expired_alerts_are_retired_and_the_owner_told_once(
    store: Store, service: AlertService, evaluator: AlertEvaluator, clock: ManualClock
) -> None:
    """Past expires_days: state expired, one notice, and a later crossing fires nothing."""
    short = await add(service, "above", 51.0, price=50.0, expires_days=1)
    long = await add(service, "above", 52.0, price=50.0)
    clock.advance(timedelta(days=1, seconds=1))
    later = clock.now()
    report = await evaluator.evaluate([tick(51.5, at=later)])
    assert [a.id for a in report.expired] == [short.alert.id] and report.firings == []
    again = await evaluator.expire_due()
    assert again.expired == []
    rows = await store.outbox.rows()
    assert [(r.kind, r.dedupe_key) for r in rows] == [
        (OutboxKind.NOTICE, f"expired:{short.alert.id}")
    ]
    assert f"#{short.alert.id} CIFR above $51.00" in rows[0].payload["embeds"][0]["description"]
    states = await _states(store)
    assert states[short.alert.id] is AlertState.EXPIRED
    assert states[long.alert.id] is AlertState.ARMED


async def test_snoozed_alert_skips_the_crossing(
    store: Store, service: AlertService, evaluator: AlertEvaluator, clock: ManualClock
) -> None:
    """A snoozed alert does not fire; after the snooze the next crossing does."""
    created = await add(service, "above", 51.0, price=50.0)
    await service.snooze(MEMBER, created.alert.id, 30)
    assert not (await evaluator.evaluate([tick(52.0, at=T0)])).firings
    clock.advance(timedelta(minutes=31))
    await evaluator.evaluate([tick(50.0, at=clock.now())])
    clock.advance(timedelta(minutes=1))
    report = await evaluator.evaluate([tick(52.0, at=clock.now())])
    assert [f.alert.id for f in report.firings] == [created.alert.id]


async def test_kick_is_called_only_when_messages_were_queued(
    store: Store, service: AlertService, clock: ManualClock, calendar: TradingCalendar
) -> None:
    """The evaluator wakes the delivery worker right after committing new messages."""
    kicks: list[int] = []
    evaluator = AlertEvaluator(store, clock, calendar, on_enqueued=lambda: kicks.append(1))
    await add(service, "above", 51.0, price=50.0)
    await evaluator.evaluate([tick(50.5)])
    assert kicks == []
    await evaluator.evaluate([tick(51.5)])
    assert kicks == [1]


async def test_ticks_from_a_poll_use_the_intraday_range(
    store: Store, service: AlertService, evaluator: AlertEvaluator
) -> None:
    """A spike between polls (bar high) fires, with the high shown as the trigger."""
    await add(service, "above", 51.0, price=50.0)
    spike = Tick(quote(50.2), previous=quote(50.0, at=T0 - timedelta(minutes=1)), high=51.4)
    report = await evaluator.evaluate([spike])
    assert [f.trigger_price for f in report.firings] == [51.4]
    (row,) = await store.outbox.rows()
    fields = {f["name"]: f["value"] for f in row.payload["embeds"][0]["fields"]}
    assert fields["Triggered at"] == "$51.40 (intraday high)"


@pytest.mark.parametrize("seed", range(6))
async def test_the_indexed_candidates_miss_no_change_the_rules_would_make(
    store: Store, calendar: TradingCalendar, seed: int
) -> None:
    """Range queries + rules find exactly what the rules alone find over the whole table."""
    rng = random.Random(seed)
    day = date(2026, 11, 25)
    price = 50.0
    async with store.db.transaction() as conn:
        for _ in range(300):
            kind = rng.choice([AlertKind.ABOVE, AlertKind.BELOW, AlertKind.MOVE_PCT])
            level = rng.choice([rng.uniform(40, 60), 50.0, 51.0, 49.0, 50.25, 49.75])
            if kind is AlertKind.MOVE_PCT:
                level = rng.choice([rng.uniform(0.5, 8), 2.0, 4.0])
            new = new_alert(
                kind,
                level,
                repeat=rng.random() < 0.5,
                state=rng.choice([AlertState.ARMED, AlertState.REARMING, AlertState.PAUSED]),
                expires_at=T0 + timedelta(days=rng.choice([-1, 30])),
                move_up_day=rng.choice([None, day, day - timedelta(days=1)]),
                move_down_day=rng.choice([None, day]),
            )
            created = await store.alerts.insert(conn, new)
            await random_timers(store, conn, created.id, rng, [None, -30, -1, 0, 1, 30])
    evaluator = AlertEvaluator(store, ManualClock(T0), calendar)
    alerts = await all_alerts(store)
    for _ in range(25):
        last = rng.choice([price * rng.uniform(0.9, 1.1), 50.0, 51.0, 49.0, 49.75, 50.25])
        high = rng.choice([None, last * rng.uniform(1.0, 1.05), 51.0])
        low = rng.choice([None, last * rng.uniform(0.95, 1.0), 49.0])
        t = Tick(quote(last, previous_close=rng.choice([48.0, 50.0, 52.0])), high=high, low=low)
        async with store.db.transaction() as conn:
            found = {c.before.id: c for c in await evaluator.find(conn, [t], T0)}
        everywhere = {a.id: c for a in alerts if (c := step(a, t, now=T0, day=day)) is not None}
        assert found == everywhere
