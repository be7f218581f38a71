"""Channel posts and DMs via discord.py: permissions, deleted channels, closed DMs, nonces."""

from __future__ import annotations

import asyncio
import io

import discord
import pytest

from discord_emulator import DiscordEmulator

from .conftest import StartBot, World
from .minibot import PNG, MiniBot


def _text_channel(bot: MiniBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_post_edit_delete_and_read_back(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    channel = _text_channel(bot, world.alerts.id)
    pending = asyncio.create_task(emu.next_post(world.alerts.id))
    sent = await channel.send("CIFR +12%", embed=discord.Embed(title="Mover", description="up"))
    post = await pending
    assert post.id == sent.id and post.text() == "CIFR +12%\nMover\nup"
    await sent.edit(content="CIFR +13%")
    assert emu.posts(world.alerts.id)[0].content == "CIFR +13%"
    assert [m.content async for m in channel.history(limit=5)] == ["CIFR +13%"]
    fetched = await channel.fetch_message(sent.id)
    assert fetched.content == "CIFR +13%" and fetched.embeds[0].title == "Mover"
    await sent.delete()
    assert emu.posts(world.alerts.id) == []
    emu.assert_clean()


async def test_nonce_reuse_returns_the_first_message(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    channel = _text_channel(bot, world.alerts.id)
    first = await channel.send("alert 1", nonce=424242)
    again = await channel.send("alert 1 (retry)", nonce=424242)
    other = await channel.send("alert 2", nonce=434343)
    assert again.id == first.id and again.content == "alert 1"
    assert other.id != first.id
    assert [m.content for m in emu.posts(world.alerts.id)] == ["alert 1", "alert 2"]
    (sent, *_) = emu.recorder.matching("POST /channels/{channel_id}/messages")
    assert sent.body["nonce"] == "424242" and sent.body["enforce_nonce"] is True
    emu.assert_clean()


async def test_missing_permissions(emu: DiscordEmulator, world: World, start_bot: StartBot) -> None:
    muted = emu.add_channel(world.guild.id, "muted", bot_can_send=False)
    no_files = emu.add_channel(world.guild.id, "no-files", bot_can_attach=False)
    hidden = emu.add_channel(world.guild.id, "hidden", bot_can_view=False)
    bot = await start_bot()
    channel = _text_channel(bot, muted.id)
    assert not channel.permissions_for(channel.guild.me).send_messages
    with pytest.raises(discord.Forbidden) as caught:
        await channel.send("hello")
    assert caught.value.code == 50013 and caught.value.text == "Missing Permissions"
    with pytest.raises(discord.Forbidden) as caught:
        await _text_channel(bot, no_files.id).send(file=discord.File(io.BytesIO(PNG), "c.png"))
    assert caught.value.code == 50013
    assert bot.get_channel(hidden.id) is not None
    with pytest.raises(discord.Forbidden) as caught:
        await _text_channel(bot, hidden.id).send("hello")
    assert caught.value.code == 50001
    emu.assert_clean()


async def test_embeds_without_embed_links_are_dropped(
    emu: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    plain = emu.add_channel(world.guild.id, "plain", bot_can_embed=False)
    bot = await start_bot()
    channel = _text_channel(bot, plain.id)
    sent = await channel.send("see embed", embed=discord.Embed(title="gone"))
    assert sent.embeds == [] and emu.messenger.stripped_embeds[0].id == sent.id
    with pytest.raises(discord.Forbidden):
        await channel.send(embed=discord.Embed(title="only an embed"))
    emu.messenger.strict_embed_permission = True
    with pytest.raises(discord.Forbidden):
        await channel.send("see embed", embed=discord.Embed(title="refused"))


async def test_deleted_channel_is_unknown(emu: DiscordEmulator, world: World, bot: MiniBot) -> None:
    channel = _text_channel(bot, world.alerts.id)
    emu.delete_channel(world.alerts.id)
    with pytest.raises(discord.NotFound) as caught:
        await channel.send("anyone?")
    assert caught.value.code == 10003 and caught.value.text == "Unknown Channel"


async def test_dms_and_closed_dms(emu: DiscordEmulator, world: World, bot: MiniBot) -> None:
    closed = emu.add_member(world.guild.id, emu.add_user("carol", dms_open=False))
    alice = await bot.fetch_user(world.member.id)
    await alice.send("your alert fired")
    assert [m.content for m in await emu.wait_for_dms(world.member.id)] == ["your alert fired"]
    carol = await bot.fetch_user(closed.id)
    with pytest.raises(discord.Forbidden) as caught:
        await carol.send("hello")
    assert caught.value.code == 50007 and caught.value.text == "Cannot send messages to this user"
    # Opening the DM channel itself works, as on Discord.
    assert (await carol.create_dm()).recipient is not None
    emu.assert_clean()
