"""Outbox claims: workers sharing a store split the rows by destination, and a row held by a
worker that died is taken over after its lease and settled before anything is sent again."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock, SystemClock
from bot.outbox.claims import LEASE
from bot.outbox.model import (
    Destination,
    OutboxKind,
    OutboxMessage,
    OutboxState,
    Settlement,
)
from bot.outbox.worker import OutboxWorker
from bot.store import Store
from tests.outbox.fakes import FakeDiscord, FakeSender

T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
# A worker of another machine: only its lease tells whether it still works.
FAR_AWAY = "elsewhere.example:4242:0badc0de"


async def queue(store: Store, destinations: list[Destination], per_destination: int) -> None:
    """Queue ``per_destination`` messages to each destination, interleaved as they would be."""
    messages = [
        OutboxMessage(
            dedupe_key=f"m:{destination}:{n}",
            kind=OutboxKind.SUMMARY,
            destination=destination,
            payload={"content": f"{destination} #{n}", "embeds": []},
        )
        for n in range(per_destination)
        for destination in destinations
    ]
    async with store.db.transaction() as conn:
        await store.outbox.enqueue(conn, messages, now=T0)


CHANNELS = [Destination.channel(1000 + n) for n in range(6)]


async def test_two_workers_never_claim_one_row_nor_split_a_destination(
    store: Store, other_process: Store
) -> None:
    await queue(store, CHANNELS, per_destination=4)
    until = T0 + LEASE
    # The first worker's batch ends in the middle of its destinations' rows.
    mine = await store.outbox.claim(T0, worker="a", until=until, limit=3)
    theirs = await other_process.outbox.claim(T0, worker="b", until=until, limit=100)
    assert len(mine) == 3 and len(theirs) == 12  # the other three destinations, whole
    assert {r.id for r in mine}.isdisjoint({r.id for r in theirs})
    assert {r.destination for r in mine}.isdisjoint({r.destination for r in theirs})
    # Between them they hold every destination's rows: none waits for nobody.
    held = {r.destination for r in mine} | {r.destination for r in theirs}
    assert held == set(CHANNELS)
    # The first worker's next batch completes its destinations, in order.
    again = await store.outbox.claim(T0, worker="a", until=until, limit=100)
    per_destination: dict[Destination, list[int]] = defaultdict(list)
    for row in again:
        per_destination[row.destination].append(row.id)
    assert {r.destination for r in again} == {r.destination for r in mine}
    assert all(len(ids) == 4 and ids == sorted(ids) for ids in per_destination.values())


async def test_two_workers_deliver_everything_once_in_order(
    store: Store, other_process: Store
) -> None:
    await queue(store, CHANNELS, per_destination=5)
    discord = FakeDiscord()  # one Discord for both processes
    senders = [FakeSender(discord, delay=0.005), FakeSender(discord, delay=0.005)]
    clock = ManualClock(T0)
    workers = [
        OutboxWorker(store, senders[0], clock, concurrency=2, batch_size=4),
        OutboxWorker(other_process, senders[1], clock, concurrency=2, batch_size=4),
    ]
    await asyncio.gather(*(worker.deliver_due() for worker in workers))
    await asyncio.gather(*(worker.deliver_due() for worker in workers))

    rows = await store.outbox.rows()
    assert {row.state for row in rows} == {OutboxState.DELIVERED}
    assert len(discord.messages) == len(rows) == 30  # each once
    for channel in CHANNELS:
        posted = [m.payload["content"] for m in discord.to(str(channel))]
        assert posted == [f"{channel} #{n}" for n in range(5)]  # in the order decided
    assert all(sender.attempts for sender in senders)  # both took part
    # Nothing is left claimed once the rounds are over.
    assert all(row.claimed_by is None for row in rows)


async def test_a_row_held_by_a_dead_worker_is_taken_over_after_its_lease_and_never_posted_twice(
    store: Store,
) -> None:
    (channel,) = CHANNELS[:1]
    await queue(store, [channel], per_destination=2)
    discord = FakeDiscord()
    # A worker on another machine claims both rows, posts the first and dies before it can
    # record the answer.
    held = await store.outbox.claim(T0, worker=FAR_AWAY, until=T0 + LEASE, limit=10)
    first = held[0]
    assert await store.outbox.begin_attempt(
        first.id, now=T0, worker=FAR_AWAY, lease_until=T0 + LEASE
    )
    discord.post(str(channel), first.payload, first.nonce)
    discord.forget_nonces()  # by the time it is taken over, Discord forgot the nonce

    sender = FakeSender(discord)
    clock = ManualClock(T0 + timedelta(seconds=5))
    worker = OutboxWorker(store, sender, clock)
    report = await worker.deliver_due()
    assert report.delivered == [] and sender.attempts == []  # its lease still holds

    clock.advance(LEASE)
    report = await worker.deliver_due()
    assert sorted(report.delivered) == [row.id for row in held]
    assert report.settled == {first.id: Settlement.FOUND}  # found in the channel, not resent
    assert len(discord.to(str(channel))) == 2  # each message once
    assert len(sender.attempts) == 1  # only the second was sent


async def test_a_worker_that_lost_its_claim_does_not_send(store: Store) -> None:
    (channel,) = CHANNELS[:1]
    await queue(store, [channel], per_destination=1)
    (row,) = await store.outbox.claim(T0, worker="slow", until=T0 + LEASE, limit=10)
    later = T0 + LEASE + timedelta(seconds=1)
    (taken,) = await store.outbox.claim(later, worker="quick", until=later + LEASE, limit=10)
    assert taken.id == row.id
    # The first worker, late, may not record an attempt: it must not send.
    assert not await store.outbox.begin_attempt(
        row.id, now=later, worker="slow", lease_until=later + LEASE
    )
    assert await store.outbox.begin_attempt(
        row.id, now=later, worker="quick", lease_until=later + LEASE
    )


async def test_claims_of_a_gone_process_of_this_host_are_taken_back_at_once(
    store: Store,
) -> None:
    (channel,) = CHANNELS[:1]
    await queue(store, [channel], per_destination=1)
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    dead = f"{socket.gethostname()}:{gone.pid}:12345678"
    await store.outbox.claim(T0, worker=dead, until=T0 + LEASE, limit=10)

    sender = FakeSender()
    report = await OutboxWorker(store, sender, ManualClock(T0)).deliver_due()
    assert len(report.delivered) == 1 and len(sender.discord.messages) == 1


async def test_an_idle_worker_wakes_when_a_claim_runs_out(store: Store) -> None:
    (channel,) = CHANNELS[:1]
    await queue(store, [channel], per_destination=1)
    clock = SystemClock()
    now = clock.now()
    await store.outbox.claim(now, worker=FAR_AWAY, until=now + timedelta(seconds=0.5), limit=10)
    sender = FakeSender()
    worker = OutboxWorker(store, sender, clock, idle_seconds=3600)
    worker.start()
    try:
        for _ in range(100):  # up to 5 s; the lease ran out after 0.5 s
            if sender.discord.messages:
                break
            await asyncio.sleep(0.05)
        assert len(sender.discord.messages) == 1
    finally:
        await worker.stop()


async def test_a_clean_stop_leaves_nothing_claimed(store: Store) -> None:
    await queue(store, CHANNELS, per_destination=3)
    sender = FakeSender(delay=0.02)
    worker = OutboxWorker(store, sender, ManualClock(T0), concurrency=1)
    worker.start()
    for _ in range(100):
        if sender.discord.messages:
            break
        await asyncio.sleep(0.01)
    await worker.stop()
    rows = await store.outbox.rows()
    assert any(row.state is OutboxState.PENDING for row in rows)  # stopped mid-way
    assert all(row.claimed_by is None for row in rows)
