"""Delivery under Discord's rate limits: channels in parallel, buckets and global limit kept."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.alerts.model import Member
from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from discord_emulator import Channel
from tests.e2e.alerts_helpers import TIMELINE, WAIT, reported_ids, settled, tick_at

SEND_ROUTE = "POST /channels/{channel_id}/messages"


@pytest.fixture
def replay_csv() -> str:
    return TIMELINE


async def alerts_in(
    sandbox: SandboxSession, channels: list[Channel], condition: str = "above", value: float = 16
) -> list[int]:
    """Store one CIFR alert per channel, each for its own member, as /alert add does."""
    emu, guild = sandbox.emu, sandbox.world.guild
    quote = sandbox.bot.market.quote("CIFR")
    ids = []
    for channel in channels:
        owner = emu.add_member(guild.id, f"trader-{len(ids)}-{condition}")
        result = await sandbox.bot.alerts.create(
            Member(owner.id, guild.id),
            channel_id=channel.id,
            symbol="CIFR",
            condition=condition,
            value=value,
            quote=quote,
        )
        ids.append(result.alert.id)
    return ids


async def test_a_channel_out_of_messages_holds_up_no_other_channel(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    emu, guild = sandbox.emu, sandbox.world.guild
    channels = [emu.add_channel(guild.id, f"room-{n}") for n in range(6)]
    slow, quick = channels[0], channels[1:]
    await alerts_in(sandbox, channels)
    await alerts_in(sandbox, quick, "below", 15.25)
    emu.ratelimits.enable()
    emu.ratelimits.exhaust(SEND_ROUTE, slow.id, for_seconds=1.5)
    await tick_at(sandbox, e2e_clock, 60)  # 16.50: every channel's "above" fires
    for channel in quick:
        await emu.wait_for_posts(channel.id, 1, WAIT)
    await tick_at(sandbox, e2e_clock, 120)  # 15.00: the quick channels' "below" fires
    for channel in quick:
        await emu.wait_for_posts(channel.id, 2, WAIT)
    # Both rounds went out while the slow channel still waited for its bucket, alone.
    assert not emu.posts(slow.id)
    await emu.wait_for_posts(slow.id, 1, WAIT)
    assert emu.ratelimits.served_429 >= 1
    assert [len(emu.posts(c.id)) for c in channels] == [1, 2, 2, 2, 2, 2]


async def test_a_burst_to_many_channels_stays_under_the_global_limit(
    sandbox: SandboxSession, e2e_clock: ManualClock
) -> None:
    emu, guild = sandbox.emu, sandbox.world.guild
    channels = [emu.add_channel(guild.id, f"desk-{n}") for n in range(60)]
    ids = await alerts_in(sandbox, channels)
    emu.ratelimits.enable(global_per_second=50)
    await tick_at(sandbox, e2e_clock, 60)
    for channel in channels:
        await emu.wait_for_posts(channel.id, 1, WAIT)
    await settled(sandbox)
    posts = [post for channel in channels for post in emu.posts(channel.id)]
    assert sorted(reported_ids(posts)) == ids
    # The bot paces itself under the limit: not one global 429.
    assert emu.ratelimits.served_global_429 == 0
    sends = Counter(r.body["nonce"] for r in emu.recorder.matching(SEND_ROUTE))
    assert len(sends) == 60 and set(sends.values()) == {1}
