"""Two bot processes on one token, each running its own shards, against one Discord.

Each sees only the servers of its shards, answers their commands (once: Discord sends a
server's interactions to one shard), and schedules only their daily summaries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from discord.ext import commands

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession, SandboxWorld
from bot.settings import Settings
from bot.summary.service import job_id
from discord_emulator import DiscordEmulator, InteractionResult
from tests.e2e.reading import embeds_text as text

SHARD_COUNT = 2
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"


@pytest.fixture
async def processes(
    emu: DiscordEmulator, e2e_settings: Settings, e2e_clock: ManualClock
) -> AsyncIterator[list[SandboxSession]]:
    """One bot per shard, started as `minerwatch run --shards N --shard-count 2` would be,
    over one store (the processes of one bot share its database)."""
    worlds = [SandboxWorld.build(emu, on_shard=(s, SHARD_COUNT)) for s in range(SHARD_COUNT)]
    started: list[SandboxSession] = []
    try:
        for shard, world in enumerate(worlds):
            settings = e2e_settings.model_copy(
                update={"shards": str(shard), "shard_count": SHARD_COUNT}
            )
            session = await SandboxSession.start(
                settings, clock=e2e_clock, emulator=emu, world=world
            )
            await session.bot.pipeline.tick()
            started.append(session)
        yield started
    finally:
        failures = [f for s in started for f in s.bot.tree.failures]
        for session in started:
            await session.stop(stop_emulator=False)
    assert not failures, [(f.command, repr(f.error)) for f in failures]
    emu.assert_clean()


async def test_each_process_sees_only_the_servers_of_its_shard(
    processes: list[SandboxSession],
) -> None:
    for shard, session in enumerate(processes):
        bot = session.bot
        assert isinstance(bot, commands.AutoShardedBot)
        assert (bot.shard_ids, bot.shard_count) == ([shard], SHARD_COUNT)
        assert [g.id for g in bot.guilds] == [session.world.guild.id]


async def test_a_command_is_answered_once_by_the_process_of_its_shard(
    emu: DiscordEmulator, processes: list[SandboxSession]
) -> None:
    for shard, session in enumerate(processes):
        result: InteractionResult = await session.invoke("status", user=session.world.member)
        shown = text(await result.wait_done(timeout=5))
        assert f"Shards: {shard} of 2 run by this process · this server is on shard {shard}" in (
            shown
        )
        callbacks = [r for r in emu.recorder.matching(CALLBACK) if str(result.id) in r.path]
        assert [r.status for r in callbacks] == [200]


async def test_only_the_owning_process_schedules_a_servers_summary(
    processes: list[SandboxSession],
) -> None:
    guilds = [session.world.guild.id for session in processes]
    for session in processes:
        config = await session.invoke("summary config", {"channel": session.world.daily.id})
        assert (await config.wait_done(timeout=5)).content or config.embeds
    for shard, session in enumerate(processes):
        scheduled = [session.bot.scheduler.next_run(job_id(g)) is not None for g in guilds]
        assert scheduled == [g == shard for g in range(SHARD_COUNT)]


async def test_without_shards_the_bot_runs_one_plain_connection(
    emu: DiscordEmulator, sandbox: SandboxSession
) -> None:
    assert not isinstance(sandbox.bot, commands.AutoShardedBot)
    assert not emu.recorder.matching("GET /gateway/bot")
    (session,) = emu.gateway.sessions.values()
    assert session.shard is None
    result = await sandbox.invoke("status", user=sandbox.world.member)
    assert "Shards:" not in text(await result.wait_done(timeout=5))
