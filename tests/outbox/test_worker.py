"""The delivery worker against a fake Discord: delivery, retries, refusals, order, restarts."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Protocol

import pytest

from bot.alerts.delivery import PauseUndeliverableAlerts
from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.model import AlertState, PauseReason
from bot.alerts.service import AlertService
from bot.clock import ManualClock
from bot.outbox.model import Destination, OutboxKind, OutboxMessage, OutboxState, nonce_for
from bot.outbox.retry import RetryPolicy
from bot.outbox.sender import RetryableSendError, UndeliverableError, UndeliverableReason
from bot.outbox.worker import OutboxWorker
from bot.store import Store
from tests.alerts.helpers import CHANNEL, MEMBER, OWNER, T0, add, tick
from tests.outbox.fakes import Crash, FakeDiscord, FakeSender

HERE = f"channel:{CHANNEL}"


async def queue(store: Store, key: str, destination: Destination, now: object = T0) -> int:
    """Queue a plain message (as a summary or a watch post would)."""
    message = OutboxMessage(
        dedupe_key=key,
        kind=OutboxKind.SUMMARY,
        destination=destination,
        payload={"content": key, "embeds": [], "allowed_mentions": {"users": []}},
    )
    async with store.db.transaction() as conn:
        (row_id,) = await store.outbox.enqueue(conn, [message], now=T0)
    return row_id


async def until_something_is_sent(sender: FakeSender) -> None:
    """Give a started worker up to a second to send a message."""
    for _ in range(100):
        if sender.discord.messages:
            return
        await asyncio.sleep(0.01)


class Fire(Protocol):
    async def __call__(self, count: int = 1, **kw: object) -> list[int]: ...


@pytest.fixture
def fire(service: AlertService, evaluator: AlertEvaluator) -> Fire:
    """Create ``count`` alerts above 51..51+count and fire them all with one tick."""

    async def fire_alerts(count: int = 1, **kw: object) -> list[int]:
        ids = [
            (await add(service, "above", 51.0 + i, price=50.0, **kw)).alert.id  # type: ignore[arg-type]
            for i in range(count)
        ]
        report = await evaluator.evaluate([tick(51.0 + count + 1)])
        assert len(report.firings) == count
        return ids

    return fire_alerts


async def test_delivery_marks_the_row_delivered(
    store: Store,
    fire: Fire,
    worker: OutboxWorker,
    sender: FakeSender,
) -> None:
    """A sent row is delivered with Discord's message id, and not sent again."""
    await fire()
    report = await worker.deliver_due()
    (row,) = await store.outbox.rows()
    assert report.delivered == [row.id]
    assert row.state is OutboxState.DELIVERED
    assert row.message_id == sender.discord.messages[0].message_id
    assert row.delivered_at == T0 and row.attempts == 1
    assert (await worker.deliver_due()).delivered == []
    assert len(sender.attempts) == 1


async def test_retryable_errors_back_off_then_deliver_once(
    store: Store,
    fire: Fire,
    worker: OutboxWorker,
    sender: FakeSender,
    clock: ManualClock,
) -> None:
    """429 / 5xx / network: retried later, with growing delays, then delivered exactly once."""
    await fire()
    sender.fail(HERE, RetryableSendError("503"), RetryableSendError("429", retry_after=30.0))
    await worker.deliver_due()
    first = (await store.outbox.rows())[0]
    assert first.state is OutboxState.PENDING and first.attempts == 1
    delay1 = first.next_attempt_at - T0
    assert timedelta(seconds=1) <= delay1 <= timedelta(seconds=2)  # base 2 s, up to half jitter
    assert (await worker.deliver_due()).retried == []  # not due yet: nothing is tried
    clock.set(first.next_attempt_at)
    await worker.deliver_due()
    second = (await store.outbox.rows())[0]
    assert second.attempts == 2
    assert second.next_attempt_at - clock.now() == timedelta(seconds=30)  # retry_after wins
    clock.set(second.next_attempt_at)
    await worker.deliver_due()
    final = (await store.outbox.rows())[0]
    assert final.state is OutboxState.DELIVERED and final.attempts == 3
    assert len(sender.discord.messages) == 1
    assert {nonce for _, nonce in sender.attempts} == {final.nonce}  # one nonce throughout


def test_backoff_grows_exponentially_and_is_capped() -> None:
    """Delays double from 2 s up to the 15-minute cap; jitter only shortens them."""
    policy = RetryPolicy()
    rng = random.Random(1)
    delays = [policy.delay(n, rng) for n in range(1, 15)]
    for n, delay in enumerate(delays, start=1):
        ceiling = min(900.0, 2.0 * 2 ** (n - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 900.0


@pytest.mark.parametrize(
    ("reason", "dm", "notice_to", "mention"),
    [
        ("channel_gone", False, f"user:{OWNER}", False),
        ("missing_permissions", False, f"user:{OWNER}", False),
        ("dm_closed", True, HERE, True),
    ],
)
async def test_a_refusing_destination_pauses_the_alerts_and_tells_the_owner(
    store: Store,
    fire: Fire,
    worker: OutboxWorker,
    sender: FakeSender,
    reason: UndeliverableReason,
    dm: bool,
    notice_to: str,
    mention: bool,
) -> None:
    """Undeliverable: the row gives up, its alerts pause, the owner hears where it can."""
    ids = await fire(2, dm=dm, repeat=True)
    refused = f"user:{OWNER}" if dm else HERE
    sender.fail(refused, UndeliverableError(reason))
    report = await worker.deliver_due()
    rows = await store.outbox.rows()
    alert_row, notice = rows
    assert report.undeliverable == [alert_row.id]
    assert alert_row.state is OutboxState.UNDELIVERABLE and reason in (alert_row.last_error or "")
    for alert_id in ids:
        paused = await store.alerts.get(alert_id)
        assert paused is not None and paused.state is AlertState.PAUSED
        assert paused.paused_reason is PauseReason(reason)
    assert notice.kind is OutboxKind.NOTICE and str(notice.destination) == notice_to
    assert notice.state is OutboxState.DELIVERED  # the same deliver_due() sent it
    posted = sender.discord.to(notice_to)[-1]
    assert posted.payload["allowed_mentions"] == {"users": [OWNER] if mention else []}
    assert all(f"#{i}" in posted.payload["embeds"][0]["description"] for i in ids)


async def test_a_rejected_message_is_dropped_without_pausing(
    store: Store,
    fire: Fire,
    worker: OutboxWorker,
    sender: FakeSender,
) -> None:
    """A 4xx on the message itself is not the destination's fault: nothing is paused."""
    (alert_id,) = await fire(repeat=True)
    sender.fail(HERE, UndeliverableError("rejected", "400 invalid form body"))
    await worker.deliver_due()
    (row,) = await store.outbox.rows()
    assert row.state is OutboxState.UNDELIVERABLE
    alert = await store.alerts.get(alert_id)
    assert alert is not None and alert.state is AlertState.REARMING


async def test_a_failing_notice_does_not_cascade(
    store: Store,
    fire: Fire,
    worker: OutboxWorker,
    sender: FakeSender,
) -> None:
    """When the notice cannot be delivered either, it is dropped: no notice about a notice."""
    await fire()
    sender.fail(HERE, UndeliverableError("channel_gone"))
    sender.fail(f"user:{OWNER}", UndeliverableError("dm_closed"))
    await worker.deliver_due()
    states = [row.state for row in await store.outbox.rows()]
    assert states == [OutboxState.UNDELIVERABLE, OutboxState.UNDELIVERABLE]


async def test_twelve_alerts_go_out_as_two_messages_in_order(
    store: Store,
    fire: Fire,
    worker: OutboxWorker,
    sender: FakeSender,
) -> None:
    """Twelve firings for one channel are two posts, of 10 and 2 embeds, in that order."""
    await fire(12)
    await worker.deliver_due()
    posts = sender.discord.to(HERE)
    assert [len(p.payload["embeds"]) for p in posts] == [10, 2]
    assert sender.max_in_flight_per_destination == 1


async def test_different_destinations_are_sent_concurrently(
    store: Store,
    clock: ManualClock,
) -> None:
    """Destinations overlap (bounded); each destination stays one message at a time, in order."""
    sender = FakeSender(delay=0.05)
    worker = OutboxWorker(store, sender, clock, concurrency=8)
    for n in range(3):
        for channel in range(1, 21):
            await queue(store, f"m{n}-{channel}", Destination.channel(channel))
    started = asyncio.get_running_loop().time()
    report = await worker.deliver_due()
    elapsed = asyncio.get_running_loop().time() - started
    assert len(report.delivered) == 60
    assert sender.max_in_flight == 8  # bounded
    assert sender.max_in_flight_per_destination == 1
    assert elapsed < 60 * 0.05 / 2  # far quicker than one at a time
    for channel in range(1, 21):
        contents = [p.payload["content"] for p in sender.discord.to(f"channel:{channel}")]
        assert contents == [f"m0-{channel}", f"m1-{channel}", f"m2-{channel}"]


async def test_a_retrying_row_holds_back_later_rows_to_the_same_destination(
    store: Store,
    worker: OutboxWorker,
    sender: FakeSender,
    clock: ManualClock,
) -> None:
    """Order per destination survives a retry; other destinations are not held up."""
    await queue(store, "first", Destination.channel(1))
    await queue(store, "second", Destination.channel(1))
    await queue(store, "elsewhere", Destination.channel(2))
    sender.fail("channel:1", RetryableSendError("502"))
    await worker.deliver_due()
    assert [p.payload["content"] for p in sender.discord.messages] == ["elsewhere"]
    await queue(store, "third", Destination.channel(1))
    await worker.deliver_due()  # "first" is not due yet, so "second" and "third" must wait
    assert [p.payload["content"] for p in sender.discord.messages] == ["elsewhere"]
    clock.advance(timedelta(minutes=1))
    await worker.deliver_due()
    assert [p.payload["content"] for p in sender.discord.to("channel:1")] == [
        "first",
        "second",
        "third",
    ]


async def test_an_unexpected_sender_error_is_retried(
    store: Store,
    worker: OutboxWorker,
    sender: FakeSender,
    clock: ManualClock,
) -> None:
    """A bug-shaped exception keeps the row pending (logged), rather than losing it."""
    await queue(store, "x", Destination.channel(1))
    sender.fail("channel:1", TypeError("boom"))
    report = await worker.deliver_due()
    assert report.retried and (await store.outbox.rows())[0].state is OutboxState.PENDING
    clock.advance(timedelta(minutes=1))
    assert (await worker.deliver_due()).delivered


async def test_after_a_crash_pending_rows_are_delivered_exactly_once(
    store: Store,
    fire: Fire,
    clock: ManualClock,
) -> None:
    """Killed after Discord took a message but before it was marked: the restart re-sends it
    with the same nonce, and Discord hands back the same message instead of a second one."""
    await fire(1)
    await queue(store, "later", Destination.channel(CHANNEL))
    discord = FakeDiscord()
    crashing = FakeSender(discord)
    first_row = (await store.outbox.rows())[0]
    crashing.crash_after_posting.add(first_row.nonce)
    with pytest.raises(Crash):
        await OutboxWorker(store, crashing, clock).deliver_due()
    assert [r.state for r in await store.outbox.rows()] == [OutboxState.PENDING] * 2
    await store.close()

    reopened = await Store.open(store.db.location)  # the process comes back
    try:
        restarted = OutboxWorker(reopened, FakeSender(discord), clock)
        await restarted.deliver_due()
        rows = await reopened.outbox.rows()
        assert [r.state for r in rows] == [OutboxState.DELIVERED] * 2
        assert [m.nonce for m in discord.messages] == [r.nonce for r in rows]  # one post each
        assert rows[0].message_id == discord.messages[0].message_id
        assert (await restarted.deliver_due()).delivered == []
    finally:
        await reopened.close()


def test_nonces_are_deterministic_and_fit_discord() -> None:
    """The same key always gives the same ≤ 25-character nonce; different keys differ."""
    keys = [f"alert:{i}:{n}" for i in range(200) for n in range(1, 4)]
    nonces = [nonce_for(k) for k in keys]
    assert nonces == [nonce_for(k) for k in keys]
    assert len(set(nonces)) == len(keys)
    assert all(len(n) <= 25 and n.isalnum() and n == n.lower() for n in nonces)
    # Pinned: a new derivation would re-post, after an upgrade, what an old run had sent.
    assert nonce_for("alert:1:1") == "ddlzp2zc5mqrh6b3bv3f"


async def test_the_row_nonce_is_derived_from_its_key(
    store: Store,
    fire: Fire,
) -> None:
    """What is stored is what is sent: the nonce of the dedupe key."""
    await fire()
    (row,) = await store.outbox.rows()
    assert row.nonce == nonce_for(row.dedupe_key)


async def test_a_kick_delivers_without_waiting_for_the_interval(
    store: Store,
    service: AlertService,
    clock: ManualClock,
    calendar: object,
    sender: FakeSender,
) -> None:
    """Started with a long idle interval, the worker still delivers right after a kick."""
    worker = OutboxWorker(store, sender, clock, idle_seconds=3600)
    evaluator = AlertEvaluator(store, clock, calendar, on_enqueued=worker.kick)  # type: ignore[arg-type]
    worker.start()
    try:
        await asyncio.sleep(0.05)  # the start-up round finds nothing
        await add(service, "above", 51.0, price=50.0)
        await evaluator.evaluate([tick(52.0)])
        await until_something_is_sent(sender)
        assert len(sender.discord.messages) == 1
    finally:
        await worker.stop()
    assert not worker.running


async def test_start_resumes_what_was_pending(
    store: Store,
    sender: FakeSender,
    clock: ManualClock,
) -> None:
    """Rows left pending by a previous run go out as soon as the worker starts."""
    await queue(store, "left over", Destination.dm(MEMBER.user_id))
    worker = OutboxWorker(store, sender, clock, idle_seconds=3600)
    worker.start()
    try:
        await until_something_is_sent(sender)
    finally:
        await worker.stop()
    assert [m.destination for m in sender.discord.messages] == [f"user:{MEMBER.user_id}"]


async def test_undeliverable_hooks_run_in_the_same_transaction(
    store: Store,
    fire: Fire,
    sender: FakeSender,
    clock: ManualClock,
) -> None:
    """If a hook fails, the row stays pending and no alert is paused: all or nothing."""

    class Broken(PauseUndeliverableAlerts):
        async def __call__(self, *args: object, **kwargs: object) -> None:
            await super().__call__(*args, **kwargs)  # type: ignore[arg-type]
            raise RuntimeError("hook failed")

    (alert_id,) = await fire()
    sender.fail(HERE, UndeliverableError("channel_gone"))
    worker = OutboxWorker(store, sender, clock, hooks=[Broken(store)])
    await worker.deliver_due()
    (row,) = await store.outbox.rows()
    assert row.state is OutboxState.PENDING and row.attempts == 1 and row.next_attempt_at > T0
    alert = await store.alerts.get(alert_id)
    assert alert is not None and alert.state is AlertState.FIRED
    assert len(sender.attempts) == 1  # not hammered within the same round
