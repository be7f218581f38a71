"""Sends whose answer never came: looked for before they are sent again, once Discord forgot."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.outbox.marker import marker_for
from bot.outbox.model import Destination, OutboxState, Settlement
from bot.outbox.sender import RetryableSendError
from bot.outbox.worker import OutboxWorker
from bot.store import Store
from tests.alerts.helpers import CHANNEL, OWNER
from tests.outbox.fakes import Crash, FakeDiscord, FakeSender
from tests.outbox.test_worker import queue

HERE = f"channel:{CHANNEL}"
LONG_OUTAGE = timedelta(minutes=40)  # far past the minutes Discord remembers a nonce


async def crash_mid_send(
    store: Store, clock: ManualClock, *, posted: bool
) -> tuple[FakeDiscord, FakeSender]:
    """Queue a message and die sending it: after Discord created it, or before it got there.

    Returns that Discord, long after (it forgot every nonce), and the restarted bot's sender.
    """
    row_id = await queue(store, "summary:1", Destination.channel(CHANNEL))
    row = await store.outbox.get(row_id)
    assert row is not None
    discord = FakeDiscord()
    dying = FakeSender(discord)
    if posted:
        dying.crash_after_posting.add(row.nonce)
    else:
        dying.fail(HERE, Crash("before the request left"))
    try:
        await OutboxWorker(store, dying, clock).deliver_due()
    except Crash:
        pass
    else:
        raise AssertionError("the send did not die")
    clock.advance(LONG_OUTAGE)
    discord.forget_nonces()
    return discord, FakeSender(discord)


async def test_a_message_posted_before_the_crash_is_found_not_posted_again(
    store: Store, clock: ManualClock
) -> None:
    discord, sender = await crash_mid_send(store, clock, posted=True)
    (row,) = await store.outbox.rows()
    assert row.uncertain and row.state is OutboxState.PENDING

    report = await OutboxWorker(store, sender, clock).deliver_due()

    assert sender.attempts == []  # nothing sent: the read found it
    assert [(d, m) for d, m, _ in sender.searches] == [(HERE, marker_for(row.nonce))]
    (row,) = await store.outbox.rows()
    assert row.state is OutboxState.DELIVERED and not row.uncertain
    assert row.message_id == discord.messages[0].message_id and len(discord.messages) == 1
    assert report.settled == {row.id: Settlement.FOUND}
    assert await store.outbox.settlements() == {Settlement.FOUND: (1, 1)}


async def test_a_message_that_never_arrived_is_sent_again_once(
    store: Store, clock: ManualClock
) -> None:
    discord, sender = await crash_mid_send(store, clock, posted=False)
    report = await OutboxWorker(store, sender, clock).deliver_due()

    (row,) = await store.outbox.rows()
    assert len(sender.searches) == 1 and len(sender.attempts) == 1
    assert row.state is OutboxState.DELIVERED and len(discord.messages) == 1
    assert report.settled == {row.id: Settlement.RESENT}
    assert row.settled_by is Settlement.RESENT


async def test_a_search_that_reaches_its_bound_sends_and_says_so(
    store: Store, clock: ManualClock
) -> None:
    discord, sender = await crash_mid_send(store, clock, posted=False)
    sender.give_up_searches = True
    await OutboxWorker(store, sender, clock).deliver_due()

    (row,) = await store.outbox.rows()
    assert row.state is OutboxState.DELIVERED and len(discord.messages) == 1
    assert await store.outbox.settlements() == {Settlement.GAVE_UP: (1, 5)}


async def test_a_failed_read_sends_nothing_and_the_row_stays_uncertain(
    store: Store, clock: ManualClock
) -> None:
    discord, sender = await crash_mid_send(store, clock, posted=True)
    sender.search_failures.append(RetryableSendError("HTTP 503", answered=False))
    report = await OutboxWorker(store, sender, clock).deliver_due()

    (row,) = await store.outbox.rows()
    assert report.retried == [row.id] and sender.attempts == []
    assert row.uncertain and row.state is OutboxState.PENDING
    clock.advance(timedelta(minutes=20))
    await OutboxWorker(store, sender, clock).deliver_due()
    (row,) = await store.outbox.rows()
    assert row.state is OutboxState.DELIVERED and len(discord.messages) == 1


async def test_only_an_unanswered_send_is_uncertain(store: Store, clock: ManualClock) -> None:
    """A 429 answers (nothing was created): no read next time. A timeout does not."""
    await queue(store, "summary:1", Destination.channel(CHANNEL))
    await queue(store, "notice:1", Destination.dm(OWNER))
    sender = FakeSender()
    sender.fail(HERE, RetryableSendError("HTTP 429", retry_after=1.0, answered=True))
    sender.fail(f"user:{OWNER}", RetryableSendError("TimeoutError: read timed out"))
    worker = OutboxWorker(store, sender, clock)
    await worker.deliver_due()
    channel_row, dm_row = await store.outbox.rows()
    assert not channel_row.uncertain and dm_row.uncertain

    clock.advance(timedelta(minutes=5))
    await worker.deliver_due()
    assert [d for d, _, _ in sender.searches] == [f"user:{OWNER}"]
    assert all(r.state is OutboxState.DELIVERED for r in await store.outbox.rows())
    assert len(sender.discord.messages) == 2


async def test_nothing_is_sent_while_the_attempt_cannot_be_recorded(
    store: Store, clock: ManualClock
) -> None:
    """A send the store could not note first could not be settled later: it waits instead."""
    await queue(store, "summary:1", Destination.channel(CHANNEL))
    sender = FakeSender()
    await store.db.fetch_one("PRAGMA query_only = ON")  # the store refuses every write
    await OutboxWorker(store, sender, clock).deliver_due()
    assert sender.attempts == [] and sender.discord.messages == []

    await store.db.fetch_one("PRAGMA query_only = OFF")
    await OutboxWorker(store, sender, clock).deliver_due()
    (row,) = await store.outbox.rows()
    assert row.state is OutboxState.DELIVERED and len(sender.discord.messages) == 1
