"""Login and READY: application owner or team, intents and GUILD_CREATE contents, sharded bots."""

from __future__ import annotations

import asyncio

import discord
from discord.ext import commands

from discord_emulator import DiscordEmulator

from .conftest import StartBot, World, run_until_ready


async def test_owner_comes_from_the_application(
    emu: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    emu.set_owner(world.manager.id)
    bot = await start_bot()
    assert await bot.is_owner(discord.Object(world.manager.id))  # type: ignore[arg-type]
    assert not await bot.is_owner(discord.Object(world.member.id))  # type: ignore[arg-type]
    assert bot.application_id == emu.application_id and bot.user is not None and bot.user.bot


async def test_team_members_are_owners(
    emu: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    team_id = emu.set_team([world.manager.id, world.member.id])
    bot = await start_bot()
    info = await bot.application_info()
    assert info.team is not None and info.team.id == team_id
    assert {m.id for m in info.team.members} == {world.manager.id, world.member.id}
    assert await bot.is_owner(discord.Object(world.member.id))  # type: ignore[arg-type]


async def test_guild_create_without_members_intent(
    emu: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot = await start_bot()
    guild = bot.get_guild(world.guild.id)
    assert guild is not None and guild.name == "Miners"
    assert {c.name for c in guild.text_channels} == {"general", "alerts"}
    # As on Discord: without the members intent only the bot's own member is sent.
    assert [m.id for m in guild.members] == [emu.bot_user.id]
    assert guild.member_count == 4 and guild.owner_id == world.guild.owner_id
    me = guild.me
    assert me.guild_permissions.send_messages and not me.guild_permissions.administrator


async def test_guild_create_with_members_intent(
    emu: DiscordEmulator, world: World, start_bot: StartBot
) -> None:
    bot = await start_bot(members_intent=True)
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    bob = guild.get_member(world.manager.id)
    assert bob is not None and bob.guild_permissions.manage_guild
    emu.add_member(world.guild.id, "dave")
    newcomer = await bot.wait_for("member_join", timeout=2)
    assert newcomer.name == "dave"


async def test_privileged_intent_can_be_refused(emu: DiscordEmulator, world: World) -> None:
    emu.gateway.allowed_privileged_intents = 0
    intents = discord.Intents.none()
    intents.guilds = intents.members = True
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=intents)
    try:
        await bot.login(emu.token)
        task = asyncio.create_task(bot.connect())
        done, _ = await asyncio.wait({task}, timeout=5)
        assert task in done and isinstance(task.exception(), discord.PrivilegedIntentsRequired)
    finally:
        await bot.close()


async def test_auto_sharded_bot_connects(emu: DiscordEmulator, world: World) -> None:
    intents = discord.Intents.none()
    intents.guilds = True
    bot = commands.AutoShardedBot(
        command_prefix=commands.when_mentioned, intents=intents, guild_ready_timeout=0.05
    )
    task = await run_until_ready(bot, emu.token)  # type: ignore[arg-type]
    try:
        assert bot.shard_count == 1 and bot.get_guild(world.guild.id) is not None
        assert emu.recorder.matching("GET /gateway/bot")
        identify = next(f for f in emu.gateway.received if f.get("op") == 2)
        assert identify["d"]["shard"] == [0, 1]
    finally:
        await bot.close()
        await asyncio.wait_for(task, 5)
