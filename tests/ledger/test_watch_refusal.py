"""A deal-watch channel that refuses a post for good stops the watch; anything else leaves it."""

from __future__ import annotations

import pytest

from bot.clock import ManualClock
from bot.ledger.watch import StopWatchOnRefusal
from bot.outbox.model import Destination, OutboxKind, OutboxMessage, OutboxRow
from bot.outbox.sender import UndeliverableReason
from bot.store import Store

GUILD, CHANNEL = 101, 202


async def watch_post(store: Store, clock: ManualClock, key: str) -> OutboxRow:
    """Set the server's deal watch and queue one post to it; return the stored row."""
    await store.guilds.set_watch(GUILD, CHANNEL, now=clock.now())
    message = OutboxMessage(
        dedupe_key=key,
        kind=OutboxKind.WATCH,
        destination=Destination.channel(CHANNEL),
        payload={"content": "a deal changed"},
        guild_id=GUILD,
    )
    async with store.db.transaction() as conn:
        (row_id,) = await store.outbox.enqueue(conn, [message], now=clock.now())
    row = await store.outbox.get(row_id)
    assert row is not None
    return row


@pytest.mark.parametrize(
    ("key", "reason", "stopped"),
    [
        pytest.param("watch:101:1", "channel_gone", True, id="channel-gone"),
        pytest.param("watch:101:1", "missing_permissions", True, id="channel-closed"),
        pytest.param("watch:101:1", "rejected", False, id="body-refused"),
        # A filings post goes to a watch channel too; the filings watch's own hook decides.
        pytest.param("filing:101:0001819989-26-000101", "channel_gone", False, id="filings-post"),
    ],
)
async def test_only_a_gone_or_closed_channel_stops_the_watch(
    store: Store, clock: ManualClock, key: str, reason: UndeliverableReason, stopped: bool
) -> None:
    row = await watch_post(store, clock, key)
    async with store.db.transaction() as conn:
        await StopWatchOnRefusal(store)(conn, row, reason, clock.now())
    assert await store.guilds.watch_channel(GUILD) == (None if stopped else CHANNEL)
