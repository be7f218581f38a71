"""The shared REST pace on both stores: processes together never exceed a slot's budget."""

from __future__ import annotations

import asyncio
import functools
import time
from pathlib import Path

import pytest

from bot.outbox.shared_pace import SLOT_BUDGET, SLOT_SECONDS, SharedPace
from bot.store import Store, open_database
from bot.store.db import Database, StoreError
from bot.store.pace import PaceBudget

REQUESTS_EACH = 30  # two paces: 60 requests, about 1.5 s at 40 per second


def budget_at(location: Path | str) -> PaceBudget:
    """A budget on a connection of its own, as each bot process has."""
    return PaceBudget(functools.partial(open_database, location))


def busiest_second(times: list[float]) -> int:
    """The most requests that started within any one second (Discord's window, any start)."""
    times = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def test_a_take_gets_what_is_left_of_the_slot_and_nothing_after(
    store_location: Path | str, store: Store
) -> None:
    one, other = budget_at(store_location), budget_at(store_location)
    try:
        assert await one.take(1000, 3, budget=4) == 3
        assert await other.take(1000, 3, budget=4) == 1  # only one left
        assert await one.take(1000, 1, budget=4) == 0
        assert await other.take(1001, 9, budget=4) == 4  # a new slot, asked for too many
    finally:
        await one.close()
        await other.close()


async def test_two_paces_on_one_store_stay_within_every_slot_and_second(
    store_location: Path | str, store: Store
) -> None:
    """Two processes' paces (each on its own connection) share the store's budget."""
    started: list[float] = []

    async def send_all(pace: SharedPace) -> None:
        async def one() -> None:
            await pace.wait()
            started.append(time.time())

        await asyncio.gather(*(one() for _ in range(REQUESTS_EACH)))

    paces = [SharedPace(budget_at(store_location)) for _ in range(2)]
    began = time.monotonic()
    try:
        await asyncio.gather(*(send_all(pace) for pace in paces))
    finally:
        for pace in paces:
            await pace.aclose()
    elapsed = time.monotonic() - began

    assert len(started) == 2 * REQUESTS_EACH
    rows = await store.db.fetch_all("SELECT slot, used FROM rest_pace")
    assert rows and max(int(used) for _, used in rows) <= SLOT_BUDGET
    # 11 slots of 0.1 s overlap any one second: at most 44 of Discord's 50.
    assert busiest_second(started) <= SLOT_BUDGET * 11
    # Alone, each pace would have let its 30 go at once; together they waited their turns.
    per_second = SLOT_BUDGET / SLOT_SECONDS
    assert elapsed >= (2 * REQUESTS_EACH - SLOT_BUDGET) / per_second - SLOT_SECONDS


async def test_old_slots_are_deleted_and_the_current_ones_kept(
    store_location: Path | str, store: Store
) -> None:
    budget = budget_at(store_location)
    try:
        for slot in (10, 11, 500):
            await budget.take(slot, 1, budget=4)
        assert await budget.prune(before=100) == 2
    finally:
        await budget.close()
    rows = await store.db.fetch_all("SELECT slot FROM rest_pace")
    assert [int(slot) for (slot,) in rows] == [500]


async def test_a_store_that_does_not_answer_slows_the_requests_without_stopping_them() -> None:
    async def unreachable() -> Database:
        raise StoreError("cannot connect to the store")

    pace = SharedPace(PaceBudget(unreachable))
    began = time.monotonic()
    for _ in range(3):
        await pace.wait()
    # One request per slot while the store is away.
    assert time.monotonic() - began >= SLOT_SECONDS
    await pace.aclose()


@pytest.mark.parametrize("want", [0, -1])
async def test_a_take_of_nothing_is_refused(store_location: Path | str, want: int) -> None:
    budget = budget_at(store_location)
    try:
        with pytest.raises(ValueError, match="at least one"):
            await budget.take(1, want, budget=4)
    finally:
        await budget.close()
