"""Settling unanswered sends against the local Discord: found, forged, busy channels, DMs."""

from __future__ import annotations

import discord
import pytest

from bot.clock import ManualClock
from bot.outbox.discord_sender import DiscordSender
from bot.outbox.history import MAX_PAGES
from bot.outbox.marker import marker_for
from bot.outbox.model import Destination, OutboxRow, OutboxState, Settlement
from bot.outbox.worker import OutboxWorker
from bot.store import Store
from discord_emulator import Channel, DiscordEmulator, Guild, Message
from tests.outbox.test_worker import queue

SEND = "POST /channels/{channel_id}/messages"
READ = "GET /channels/{channel_id}/messages"


@pytest.fixture
def channel(emu: DiscordEmulator, guild: Guild) -> Channel:
    return emu.add_channel(guild.id, "alerts")


async def unanswered_row(store: Store, clock: ManualClock, destination: Destination) -> OutboxRow:
    """A queued row whose attempt started and never got an answer (the process died)."""
    row_id = await queue(store, "summary:1", destination)
    await store.outbox.begin_attempt(row_id, now=clock.now())
    row = await store.outbox.get(row_id)
    assert row is not None and row.uncertain
    return row


@pytest.fixture
async def row(store: Store, clock: ManualClock, channel: Channel) -> OutboxRow:
    """An unanswered row for the channel: what each channel test settles."""
    return await unanswered_row(store, clock, Destination.channel(channel.id))


def bot_posts(emu: DiscordEmulator, channel_id: int) -> list[Message]:
    return [m for m in emu.posts(channel_id) if m.author_id == emu.bot_user.id]


async def test_the_bots_message_is_found_after_discord_forgot_the_nonce(
    emu: DiscordEmulator,
    guild: Guild,
    channel: Channel,
    client: discord.Client,
    store: Store,
    row: OutboxRow,
    real_worker: OutboxWorker,
) -> None:
    sender = DiscordSender(client)
    posted = await sender.send_channel(channel.id, row.payload, row.nonce)  # the lost answer
    emu.forget_nonces()
    emu.say(emu.add_member(guild.id, "early").id, channel.id, "gm")  # talk around it

    report = await real_worker.deliver_due()

    assert report.settled == {row.id: Settlement.FOUND}
    stored = await store.outbox.get(row.id)
    assert stored is not None and stored.state is OutboxState.DELIVERED
    assert stored.message_id == posted
    assert len(emu.recorder.matching(SEND)) == 1  # never posted a second time
    assert [m.id for m in bot_posts(emu, channel.id)] == [posted]
    emu.assert_clean()


async def test_a_members_copy_of_the_marker_is_not_taken_for_the_bots_message(
    emu: DiscordEmulator,
    guild: Guild,
    channel: Channel,
    store: Store,
    row: OutboxRow,
    real_worker: OutboxWorker,
) -> None:
    member = emu.add_member(guild.id, "mallory")
    marker = marker_for(row.nonce)
    # The same text, the invisible separator included, in the content and in an embed footer.
    emu.say(member.id, channel.id, f"{row.payload['content']}\n-# {marker}")
    emu.say(member.id, channel.id, "look", embeds=[{"footer": {"text": f"x · {marker}"}}])

    report = await real_worker.deliver_due()

    assert report.settled == {row.id: Settlement.RESENT}
    stored = await store.outbox.get(row.id)
    posts = bot_posts(emu, channel.id)
    assert stored is not None and [stored.message_id] == [m.id for m in posts]
    assert posts[0].content.endswith(marker)
    emu.assert_clean()


async def test_a_busy_channel_is_read_within_the_bound_and_the_row_still_posts_once(
    emu: DiscordEmulator,
    guild: Guild,
    channel: Channel,
    store: Store,
    row: OutboxRow,
    real_worker: OutboxWorker,
) -> None:
    member = emu.add_member(guild.id, "chatty")
    for n in range(MAX_PAGES * 100 + 150):
        emu.say(member.id, channel.id, f"message {n}")
    emu.ratelimits.enable()

    report = await real_worker.deliver_due()

    assert report.settled == {row.id: Settlement.GAVE_UP}
    reads = emu.recorder.matching(READ)
    assert len(reads) == MAX_PAGES and all(r.query["limit"] == "100" for r in reads)
    assert await store.outbox.settlements() == {Settlement.GAVE_UP: (1, MAX_PAGES)}
    posts = bot_posts(emu, channel.id)
    assert len(posts) == 1
    stored = await store.outbox.get(row.id)
    assert stored is not None and stored.message_id == posts[0].id and not stored.uncertain
    emu.assert_clean()


async def test_a_dm_is_looked_for_in_the_dm_channel(
    emu: DiscordEmulator,
    guild: Guild,
    client: discord.Client,
    store: Store,
    clock: ManualClock,
    real_worker: OutboxWorker,
) -> None:
    member = emu.add_member(guild.id, "owner")
    row = await unanswered_row(store, clock, Destination.dm(member.id))
    sender = DiscordSender(client)
    posted = await sender.send_dm(member.id, row.payload, row.nonce)
    emu.forget_nonces()

    report = await real_worker.deliver_due()

    assert report.settled == {row.id: Settlement.FOUND}
    assert [m.id for m in emu.dms(member.id)] == [posted]
    (read,) = emu.recorder.matching(READ)
    assert read.path == f"/channels/{emu.world.dm_channel_of[member.id]}/messages"
    emu.assert_clean()
