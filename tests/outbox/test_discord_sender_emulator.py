"""DiscordSender through the unmodified discord.py REST client, against the local Discord."""

from __future__ import annotations

import discord
import pytest

from bot.alerts.evaluate import AlertEvaluator
from bot.alerts.model import AlertState, Member
from bot.alerts.service import AlertService
from bot.outbox.discord_sender import DiscordSender
from bot.outbox.model import OutboxState, Payload
from bot.outbox.sender import UndeliverableError
from bot.outbox.worker import OutboxWorker
from bot.store import Store
from discord_emulator import Channel, DiscordEmulator, Guild, User
from tests.alerts.helpers import add, tick

PAYLOAD: Payload = {
    "content": "your price alert fired.",
    "embeds": [{"title": "CIFR rose above $12.00", "color": 0x2ECC71}],
    "allowed_mentions": {"users": []},
}


# An #alerts channel, and alice who owns the alerts posted there.
AlertsOwner = tuple[Channel, User, Member]


@pytest.fixture
def alerts_owner(emu: DiscordEmulator, guild: Guild) -> AlertsOwner:
    channel = emu.add_channel(guild.id, "alerts")
    owner = emu.add_member(guild.id, "alice")
    return channel, owner, Member(user_id=owner.id, guild_id=guild.id)


async def test_a_retried_send_returns_the_same_message(
    emu: DiscordEmulator, guild: Guild, client: discord.Client
) -> None:
    """The nonce is enforced: a second send with it creates nothing new."""
    channel = emu.add_channel(guild.id, "alerts")
    sender = DiscordSender(client)
    first = await sender.send_channel(channel.id, PAYLOAD, "nonce-a")
    again = await sender.send_channel(channel.id, PAYLOAD, "nonce-a")
    other = await sender.send_channel(channel.id, PAYLOAD, "nonce-b")
    assert first == again != other
    assert len(emu.posts(channel.id)) == 2
    (body, *_) = [r.body for r in emu.recorder.matching("POST /channels/{channel_id}/messages")]
    assert body["nonce"] == "nonce-a" and body["enforce_nonce"] is True
    assert body["embeds"][0]["title"] == "CIFR rose above $12.00"
    emu.assert_clean()


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("deleted", "channel_gone"),
        ("muted", "missing_permissions"),
        ("hidden", "missing_permissions"),
    ],
)
async def test_channel_refusals(
    emu: DiscordEmulator, guild: Guild, client: discord.Client, setup: str, reason: str
) -> None:
    """A deleted, muted or hidden channel is undeliverable with the right reason."""
    channel = emu.add_channel(
        guild.id, setup, bot_can_send=setup != "muted", bot_can_view=setup != "hidden"
    )
    if setup == "deleted":
        emu.delete_channel(channel.id)
    with pytest.raises(UndeliverableError) as caught:
        await DiscordSender(client).send_channel(channel.id, PAYLOAD, "n")
    assert caught.value.reason == reason


async def test_dms_open_and_closed(
    emu: DiscordEmulator, guild: Guild, client: discord.Client
) -> None:
    """An open DM is delivered; closed DMs are undeliverable as dm_closed."""
    alice = emu.add_member(guild.id, "alice")
    carol = emu.add_member(guild.id, emu.add_user("carol", dms_open=False))
    sender = DiscordSender(client)
    await sender.send_dm(alice.id, PAYLOAD, "n1")
    assert [m.content for m in await emu.wait_for_dms(alice.id)] == [PAYLOAD["content"]]
    with pytest.raises(UndeliverableError) as caught:
        await sender.send_dm(carol.id, PAYLOAD, "n2")
    assert caught.value.reason == "dm_closed"


async def test_fired_alerts_reach_the_channel_grouped_and_pinging_only_owners(
    emu: DiscordEmulator,
    alerts_owner: AlertsOwner,
    store: Store,
    service: AlertService,
    evaluator: AlertEvaluator,
    real_worker: OutboxWorker,
) -> None:
    """Evaluate → outbox → worker → Discord: one message, two embeds, the owner mentioned."""
    channel, owner, member = alerts_owner
    for level in (51.0, 52.0):
        await add(service, "above", level, price=50.0, member=member, channel_id=channel.id)
    await evaluator.evaluate([tick(53.0)])
    report = await real_worker.deliver_due()
    (post,) = emu.posts(channel.id)
    assert report.delivered and post.id == (await store.outbox.rows())[0].message_id
    assert post.content.startswith(f"<@{owner.id}>") and len(post.embeds) == 2
    (body, *_) = [r.body for r in emu.recorder.matching("POST /channels/{channel_id}/messages")]
    assert body["allowed_mentions"] == {"parse": [], "users": [owner.id]}
    emu.assert_clean()


async def test_a_deleted_channel_pauses_the_alert_and_dms_the_owner(
    emu: DiscordEmulator,
    alerts_owner: AlertsOwner,
    store: Store,
    service: AlertService,
    evaluator: AlertEvaluator,
    real_worker: OutboxWorker,
) -> None:
    """The channel is gone: the alert pauses and its owner hears about it by DM."""
    channel, owner, member = alerts_owner
    created = await add(service, "above", 51.0, price=50.0, member=member, channel_id=channel.id)
    emu.delete_channel(channel.id)
    await evaluator.evaluate([tick(52.0)])
    await real_worker.deliver_due()
    alert = await store.alerts.get(created.alert.id)
    assert alert is not None and alert.state is AlertState.PAUSED
    (dm,) = await emu.wait_for_dms(owner.id)
    assert "no longer exists" in dm.text()
    states = [row.state for row in await store.outbox.rows()]
    assert states == [OutboxState.UNDELIVERABLE, OutboxState.DELIVERED]
