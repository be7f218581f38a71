"""Slash commands through a real bot: answers, deferrals, ephemeral, autocomplete, visibility."""

from __future__ import annotations

import pytest

from discord_emulator import CommandNotAvailable, DiscordEmulator, InvalidOptions, Upload

from .conftest import World
from .minibot import MiniBot


async def test_slash_command_round_trip(emu: DiscordEmulator, world: World, bot: MiniBot) -> None:
    result = await world.member_runs("ping")
    await result.wait_done()
    assert result.content == "pong"
    assert result.initial is not None and result.initial.type == 4
    assert not result.ephemeral and not result.deferred
    assert [m.content for m in emu.posts(world.general.id)] == ["pong"]
    assert bot.errors == []
    emu.assert_clean()


async def test_sync_stores_definitions_with_ids(emu: DiscordEmulator, bot: MiniBot) -> None:
    stored = {c["name"]: c for c in emu.commands.in_scope(None)}
    assert {"ping", "deals", "price", "setup"} <= set(stored)
    assert stored["setup"]["default_member_permissions"] == "32"
    assert all(
        c["id"].isdigit() and c["application_id"] == str(emu.application_id)
        for c in stored.values()
    )
    synced = await bot.tree.fetch_commands()
    assert {c.name for c in synced} == set(stored)


async def test_deferral_followup_and_original_edit(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    result = await world.member_runs("slow")
    await result.wait_for(lambda r: len(r.followups) == 1)
    assert result.deferred and result.initial is not None and result.initial.type == 5
    # The first followup after a deferral fills the "thinking" message, as Discord does.
    assert result.original is not None and result.original.content == "done"
    assert result.edits == 2
    later = result.followups[0]
    assert later.content == "one more thing" and later.ephemeral
    assert [m.content for m in result.visible] == ["done", "one more thing"]
    assert [m.content for m in emu.posts(world.general.id)] == ["done"]
    emu.assert_clean()


async def test_ephemeral_flag_is_seen(emu: DiscordEmulator, world: World, bot: MiniBot) -> None:
    result = await (await emu.invoke(world.guild.id, None, world.member.id, "secret")).wait_done()
    assert result.ephemeral and result.content == "for your eyes only"
    assert emu.posts(world.general.id) == []
    emu.assert_clean()


async def test_subcommand_with_resolved_option_types(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    options = {"company": "CIFR", "limit": 5}
    result = await world.member_runs("deals list", options)
    await result.wait_done()
    assert result.content == "5 deals of CIFR"
    sent = result.payload["data"]["options"]
    assert sent == [
        {
            "type": 1,
            "name": "list",
            "options": [
                {"type": 3, "name": "company", "value": "CIFR"},
                {"type": 4, "name": "limit", "value": 5},
            ],
        }
    ]
    emu.assert_clean()


async def test_user_and_attachment_options(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    where = (world.guild.id, world.general.id, world.member.id)
    whois = await (await emu.invoke(*where, "whois", {"member": world.manager})).wait_done()
    assert whois.content == "bob manager=True"
    upload = Upload("deals.csv", b"a,b\n1,2\n", "text/csv")
    imported = await (await emu.invoke(*where, "import", {"file": upload})).wait_done()
    assert imported.content == "deals.csv: 8 bytes, b'a,b'"
    emu.assert_clean()


async def test_autocomplete_round_trip(emu: DiscordEmulator, world: World, bot: MiniBot) -> None:
    choices = await emu.autocomplete(
        world.guild.id, world.general.id, world.member.id, "price", focused="symbol", value="c"
    )
    assert [c["value"] for c in choices] == ["CIFR", "CLSK", "CORZ"]
    result = await world.member_runs("price", {"symbol": "CIFR"})
    await result.wait_done()
    assert result.embeds[0]["title"] == "CIFR price"
    emu.assert_clean()


async def test_helper_refuses_what_the_client_would_not_offer(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    where = (world.guild.id, world.general.id, world.member.id)
    with pytest.raises(CommandNotAvailable, match="never synced"):
        await emu.invoke(*where, "nosuch")
    with pytest.raises(CommandNotAvailable, match="subcommand"):
        await emu.invoke(*where, "deals remove")
    with pytest.raises(CommandNotAvailable, match="cannot be run by itself"):
        await emu.invoke(*where, "deals")
    with pytest.raises(InvalidOptions, match="no option"):
        await emu.invoke(*where, "ping", {"loud": True})
    with pytest.raises(InvalidOptions, match="required"):
        await emu.invoke(*where, "deals list")
    with pytest.raises(InvalidOptions, match="between 1 and 10"):
        await emu.invoke(*where, "deals list", {"company": "CIFR", "limit": 11})
    with pytest.raises(InvalidOptions, match="integer"):
        await emu.invoke(*where, "deals list", {"company": "CIFR", "limit": "3"})
    with pytest.raises(InvalidOptions, match="no autocomplete"):
        await emu.autocomplete(*where, "deals list", focused="company", value="C")
    assert emu.interactions == {}


async def test_default_member_permissions_hide_commands(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    assert "setup" not in emu.visible_commands(world.guild.id, world.member.id)
    assert "setup" in emu.visible_commands(world.guild.id, world.manager.id)
    assert "deals list" in emu.visible_commands(world.guild.id, world.member.id)
    with pytest.raises(CommandNotAvailable, match="hidden"):
        await world.member_runs("setup")
    result = await emu.invoke(world.guild.id, world.general.id, world.manager.id, "setup")
    assert (await result.wait_done()).content == "configured"
    # guild_only: not offered in the bot's DMs.
    assert "setup" not in emu.visible_commands(None, world.manager.id)
    emu.assert_clean()


async def test_guild_owner_sees_everything(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    assert "setup" in emu.visible_commands(world.guild.id, world.guild.owner_id)


async def test_commands_work_in_dms(emu: DiscordEmulator, world: World, bot: MiniBot) -> None:
    result = await emu.invoke(None, None, world.member.id, "ping")
    assert (await result.wait_done()).content == "pong"
    assert "user" in result.payload and "member" not in result.payload
    assert [m.content for m in emu.dms(world.member.id)] == ["pong"]
    emu.assert_clean()
