"""A summary channel that refuses the post pauses that server's summary, once, with a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.outbox.model import Destination, OutboxKind, OutboxMessage, OutboxRow
from bot.outbox.sender import UndeliverableReason
from bot.store import Store
from bot.summary.hook import PauseSummaryOnRefusal
from bot.summary.model import PauseReason, RunStatus

NOW = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
DAY = date(2026, 11, 25)
GUILD, CHANNEL = 11, 111


async def queued(store: Store, kind: OutboxKind = OutboxKind.SUMMARY) -> OutboxRow:
    """Configure the server, claim the day and queue its post; return the outbox row."""
    await store.summary.configure(GUILD, CHANNEL, "16:30", "America/New_York", "trading", now=NOW)
    post = OutboxMessage(
        dedupe_key=f"{kind}:{GUILD}",
        kind=kind,
        destination=Destination.channel(CHANNEL),
        payload={"content": "x", "embeds": [], "allowed_mentions": {"users": []}},
        guild_id=GUILD,
    )
    async with store.db.transaction() as conn:
        assert await store.summary.claim(conn, GUILD, DAY, scheduled_for=NOW, history_id=3, now=NOW)
        (row_id,) = await store.outbox.enqueue(conn, [post], now=NOW)
        await store.summary.link_outbox(conn, GUILD, DAY, row_id)
    row = await store.outbox.get(row_id)
    assert row is not None
    return row


async def give_up(
    store: Store, row: OutboxRow, reason: UndeliverableReason, paused: list[int]
) -> None:
    hook = PauseSummaryOnRefusal(store, on_paused=paused.append)
    async with store.db.transaction() as conn:
        await hook(conn, row, reason, NOW)


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("channel_gone", PauseReason.CHANNEL_GONE),
        ("missing_permissions", PauseReason.MISSING_PERMISSIONS),
    ],
)
async def test_a_refusing_channel_pauses_the_summary(
    store: Store, reason: UndeliverableReason, expected: PauseReason
) -> None:
    row = await queued(store)
    paused: list[int] = []
    await give_up(store, row, reason, paused)
    config = await store.summary.config(GUILD)
    assert config is not None and config.paused_reason is expected and not config.active
    assert paused == [GUILD]
    run = await store.summary.run(GUILD, DAY)
    assert run is not None and run.status is RunStatus.PAUSED and run.reason
    assert await store.summary.active() == []
    # The next configuration resumes it (and keeps the day's run as it was).
    await store.summary.configure(GUILD, 222, "16:30", "America/New_York", "trading", now=NOW)
    resumed = await store.summary.config(GUILD)
    assert resumed is not None and resumed.active and resumed.channel_id == 222


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (OutboxKind.SUMMARY, "rejected"),  # Discord refused this message, not the channel
        (OutboxKind.WATCH, "channel_gone"),  # another feature's post
        (OutboxKind.ALERT, "missing_permissions"),
    ],
)
async def test_other_refusals_leave_the_summary_alone(
    store: Store, kind: OutboxKind, reason: UndeliverableReason
) -> None:
    row = await queued(store, kind)
    paused: list[int] = []
    await give_up(store, row, reason, paused)
    config = await store.summary.config(GUILD)
    assert config is not None and config.active and paused == []


async def test_a_moved_channel_is_not_paused_by_an_old_post(store: Store) -> None:
    row = await queued(store)
    await store.summary.configure(GUILD, 999, "16:30", "America/New_York", "trading", now=NOW)
    await give_up(store, row, "channel_gone", [])
    config = await store.summary.config(GUILD)
    assert config is not None and config.active and config.channel_id == 999


async def test_a_day_is_claimed_once(store: Store) -> None:
    await queued(store)
    async with store.db.transaction() as conn:
        assert not await store.summary.claim(
            conn, GUILD, DAY, scheduled_for=NOW, history_id=0, now=NOW
        )
    assert not await store.summary.record_skip(
        GUILD, DAY, scheduled_for=NOW, reason="late", now=NOW
    )
    assert await store.summary.covered_history(GUILD) == 3
