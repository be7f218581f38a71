"""/alert add, list, remove, pause, resume, snooze: replies, checks and who may do what."""

from __future__ import annotations

import pytest

from bot.alerts.model import AlertState
from bot.sandbox.session import SandboxSession
from discord_emulator import MANAGE_GUILD
from tests.e2e.alerts_helpers import TIMELINE, add_alert, command, stored
from tests.e2e.deals_helpers import other_server, run


@pytest.fixture
def replay_csv() -> str:
    return TIMELINE


async def test_add_confirms_privately_and_the_alert_is_listed(sandbox: SandboxSession) -> None:
    reply, alert_id = await add_alert(
        sandbox, symbol="cipher", condition="above", value=16, note="@everyone take profit"
    )
    general = sandbox.world.general.id
    assert reply.startswith(f"Alert #{alert_id} set: **CIFR above $16.00** (now $15.50).")
    assert f"It posts in <#{general}>, mentioning you, and expires <t:" in reply
    assert "fires once" in reply and "already" not in reply
    assert "@everyone" not in reply  # the note is shown neutralised
    listed = await command(sandbox, "list")
    assert f"`#{alert_id}` **CIFR** above $16.00" in listed
    assert f"<#{general}> · armed · expires <t:" in listed
    assert "take profit" in listed and "1 of the 25 you may have here" in listed


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("below", 16, "CIFR is already below $16.00 (now $15.50), so it does not fire now"),
        ("above", 15, "CIFR is already above $15.00 (now $15.50), so it does not fire now"),
        ("move_pct", 4, "IREN's move today (+5.0 %) has already reached ±4.0 %"),
    ],
)
async def test_an_alert_created_past_its_level_says_it_waits_for_the_next_crossing(
    sandbox: SandboxSession, condition: str, value: float, expected: str
) -> None:
    symbol = "IREN" if condition == "move_pct" else "CIFR"
    reply, alert_id = await add_alert(sandbox, symbol=symbol, condition=condition, value=value)
    assert alert_id is not None and expected in reply
    assert "next" in reply


async def test_dm_repeat_and_expiry_are_confirmed(sandbox: SandboxSession) -> None:
    reply, _ = await add_alert(
        sandbox, symbol="NVDA", condition="below", value=170, dm=True, repeat=True, expires_days=7
    )
    assert "It posts by direct message" in reply
    assert "It repeats: after each firing it re-arms once the price is back past $170.85" in reply
    assert "15 minutes" in reply and "Keep direct messages" in reply


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"symbol": "CIFR", "condition": "above", "value": 1000},
            "value: must be a price between $1.55 and $155.00",
        ),
        ({"symbol": "CIFR", "condition": "move_pct", "value": 0.01}, "between 0.1 and 100"),
        ({"symbol": "$$$", "condition": "above", "value": 10}, "is not a ticker symbol"),
        # Not in memory: the bot defers, asks the source, and answers privately.
        ({"symbol": "MSFT", "condition": "above", "value": 500}, "No price found for MSFT"),
        ({"symbol": "MSFT", "condition": "below", "value": -5}, "value: must be a price above $0"),
    ],
)
async def test_bad_options_are_refused_privately_and_nothing_is_stored(
    sandbox: SandboxSession, options: dict[str, object], expected: str
) -> None:
    result = await run(sandbox, "alert add", options, user=sandbox.world.member)
    assert result.ephemeral and expected in result.text(), result.text()
    assert not await sandbox.bot.store.alerts.listed(sandbox.world.guild.id)


async def test_a_channel_the_bot_cannot_post_in_is_refused_unless_by_dm(
    sandbox: SandboxSession,
) -> None:
    emu, guild = sandbox.emu, sandbox.world.guild
    muted = emu.add_channel(guild.id, "read-only", bot_can_send=False)
    options = {"symbol": "CIFR", "condition": "above", "value": 16}
    refused = await run(sandbox, "alert add", options, user=sandbox.world.member, channel=muted)
    assert refused.ephemeral
    assert refused.content.startswith(
        f"I cannot post alerts in <#{muted.id}>: I am missing Send Messages there."
    )
    assert "`dm:True`" in refused.content
    by_dm = await run(
        sandbox, "alert add", {**options, "dm": True}, user=sandbox.world.member, channel=muted
    )
    assert by_dm.content.startswith("Alert #") and "by direct message" in by_dm.content


async def test_listing_the_whole_server_is_for_admins(sandbox: SandboxSession) -> None:
    world = sandbox.world
    _, mine = await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    _, admins = await add_alert(sandbox, world.admin, symbol="WULF", condition="below", value=11)
    refused = await command(sandbox, "list", all=True)
    assert refused == "Only server admins (Manage Server) can list every alert in this server."
    everyone = await command(sandbox, "list", world.admin, all=True)
    assert f"`#{mine}` **CIFR**" in everyone and f"<@{world.member.id}>" in everyone
    assert f"`#{admins}` **WULF**" in everyone and "2 active of at most 500" in everyone
    own = await command(sandbox, "list", world.admin)
    assert f"#{admins}`" in own and f"#{mine}`" not in own


async def test_only_the_owner_or_an_admin_manages_an_alert(sandbox: SandboxSession) -> None:
    world = sandbox.world
    other = sandbox.emu.add_member(world.guild.id, "other-member")
    _, alert_id = await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    for name, extra in (("remove", {}), ("pause", {}), ("resume", {}), ("snooze", {"minutes": 5})):
        reply = await command(sandbox, name, other, id=alert_id, **extra)
        assert reply == f"Only its owner or a server admin can {name} alert {alert_id}."
    assert (await stored(sandbox, alert_id)).state is AlertState.ARMED
    there = await other_server(sandbox)
    elsewhere = await run(
        sandbox,
        "alert remove",
        {"id": alert_id},
        user=there.admin,
        guild=there.guild,
        channel=there.channel,
    )
    assert elsewhere.content == f"No alert `{alert_id}` here."
    removed = await command(sandbox, "remove", world.admin, id=alert_id)
    assert removed == (
        f"Removed alert #{alert_id} CIFR above $16.00 (it belonged to <@{world.member.id}>)."
    )
    assert (await stored(sandbox, alert_id)).state is AlertState.REMOVED
    assert await command(sandbox, "remove", id=alert_id) == f"No alert `{alert_id}` here."


async def test_pause_resume_and_snooze_reply_with_what_they_did(sandbox: SandboxSession) -> None:
    _, alert_id = await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    paused = await command(sandbox, "pause", id=alert_id)
    assert paused.startswith(f"Paused alert #{alert_id} CIFR above $16.00: it does not fire")
    again = await command(sandbox, "pause", id=alert_id)
    assert again.startswith(f"Alert #{alert_id} CIFR above $16.00 was already paused")
    assert "paused" in await command(sandbox, "list")
    resumed = await command(sandbox, "resume", id=alert_id)
    assert resumed == (
        f"Resumed alert #{alert_id} CIFR above $16.00; it posts in "
        f"<#{sandbox.world.general.id}>, mentioning you."
    )
    not_paused = await command(sandbox, "resume", id=alert_id)
    assert not_paused == f"id: alert {alert_id} is not paused (it is armed)"
    snoozed = await command(sandbox, "snooze", id=alert_id, minutes=30)
    assert snoozed.startswith(f"Snoozed alert #{alert_id} CIFR above $16.00 until <t:")
    assert "skipped, not saved up" in snoozed
    assert "armed, snoozed until <t:" in await command(sandbox, "list")


async def test_symbols_and_ids_autocomplete(sandbox: SandboxSession) -> None:
    world, emu = sandbox.world, sandbox.emu
    member = world.member
    choices = await emu.autocomplete(
        world.guild.id,
        world.general.id,
        member.id,
        "alert add",
        {"condition": "above", "value": 16},
        focused="symbol",
        value="cip",
    )
    assert choices and choices[0]["value"] == "CIFR"
    _, mine = await add_alert(sandbox, symbol="CIFR", condition="above", value=16)
    _, admins = await add_alert(sandbox, world.admin, symbol="WULF", condition="below", value=11)
    offered = await emu.autocomplete(
        world.guild.id, world.general.id, member.id, "alert pause", {}, focused="id", value=""
    )
    assert [c["value"] for c in offered] == [mine]
    assert offered[0]["name"] == f"#{mine} CIFR above $16.00"
    for_admin = await emu.autocomplete(
        world.guild.id, world.general.id, world.admin.id, "alert pause", {}, focused="id", value=""
    )
    assert [c["value"] for c in for_admin] == [admins, mine]


async def test_a_new_admin_sees_the_command_only_in_servers(sandbox: SandboxSession) -> None:
    emu = sandbox.emu
    admin = emu.add_member(sandbox.world.guild.id, "late-admin", permissions=MANAGE_GUILD)
    assert "alert add" in emu.visible_commands(sandbox.world.guild.id, admin.id)
    assert "alert add" not in emu.visible_commands(None, admin.id)
