"""Shards: IDENTIFY with ``shard``, guilds and events per shard, 4010/4011, GET /gateway/bot."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
import pytest
from discord.ext import commands

from discord_emulator import DiscordEmulator, Guild

from .conftest import frame, run_until_ready


async def _connect(
    emu: DiscordEmulator, http: aiohttp.ClientSession, shard: object, intents: int = 1
) -> aiohttp.ClientWebSocketResponse:
    """Open a gateway connection and IDENTIFY with ``shard`` (left out when None)."""
    ws = await http.ws_connect(f"{emu.gateway_base}?v=10&encoding=json")
    assert (await frame(ws))["op"] == 10
    identify: dict[str, Any] = {"token": emu.token, "intents": intents, "properties": {}}
    if shard is not None:
        identify["shard"] = shard
    await ws.send_json({"op": 2, "d": identify})
    return ws


async def _dispatches(ws: aiohttp.ClientWebSocketResponse, count: int) -> list[dict[str, Any]]:
    return [await frame(ws) for _ in range(count)]


async def _closed_with(ws: aiohttp.ClientWebSocketResponse) -> int | None:
    message = await ws.receive(timeout=2)
    assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), message
    return ws.close_code


def _guilds(emu: DiscordEmulator, per_shard: int, count: int) -> dict[int, list[Guild]]:
    """Create ``per_shard`` guilds on each of ``count`` shards."""
    return {
        shard: [emu.add_guild(f"s{shard}-{n}", on_shard=(shard, count)) for n in range(per_shard)]
        for shard in range(count)
    }


def test_guilds_land_on_the_shard_asked_for(emu: DiscordEmulator) -> None:
    for shard, guilds in _guilds(emu, 3, 4).items():
        # Discord's formula: (guild_id >> 22) % shard_count.
        assert all((g.id >> 22) % 4 == shard for g in guilds)


async def test_each_shard_gets_only_its_guilds(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    guilds = _guilds(emu, 2, 3)
    for shard in range(3):
        ws = await _connect(emu, http, [shard, 3])
        ready, *creates = await _dispatches(ws, 3)
        assert ready["t"] == "READY" and ready["d"]["shard"] == [shard, 3]
        expected = {str(g.id) for g in guilds[shard]}
        assert {g["id"] for g in ready["d"]["guilds"]} == expected
        assert [c["t"] for c in creates] == ["GUILD_CREATE", "GUILD_CREATE"]
        assert {c["d"]["id"] for c in creates} == expected
    assert len(emu.gateway.sessions) == 3


async def test_an_unsharded_session_gets_every_guild(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    guilds = _guilds(emu, 1, 2)
    ws = await _connect(emu, http, None)
    ready, *creates = await _dispatches(ws, 3)
    assert "shard" not in ready["d"]
    assert {c["d"]["id"] for c in creates} == {str(g.id) for gs in guilds.values() for g in gs}


async def test_a_guild_joined_later_is_announced_on_its_shard_only(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    first = await _connect(emu, http, [0, 2])
    second = await _connect(emu, http, [1, 2])
    for ws in (first, second):
        assert (await frame(ws))["t"] == "READY"
    joined = emu.add_guild("late", on_shard=(1, 2))
    emu.add_channel(joined.id, "general")
    create, channel = await _dispatches(second, 2)
    assert (create["t"], create["d"]["id"]) == ("GUILD_CREATE", str(joined.id))
    assert channel["t"] == "CHANNEL_CREATE"
    with pytest.raises(TimeoutError):
        await first.receive_json(timeout=0.2)


async def test_direct_messages_go_to_shard_zero(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    direct_messages = 1 << 12
    shards = [await _connect(emu, http, [n, 2], intents=direct_messages) for n in (0, 1)]
    for ws in shards:
        assert (await frame(ws))["t"] == "READY"
    alice = emu.add_user("alice")
    emu.say(alice.id, emu.world.dm_channel(alice.id).id, "hello bot")
    created = await frame(shards[0])
    assert (created["t"], created["d"]["content"]) == ("MESSAGE_CREATE", "hello bot")
    with pytest.raises(TimeoutError):
        await shards[1].receive_json(timeout=0.2)


@pytest.mark.parametrize("shard", [[2, 2], [0, 0], [-1, 2], [1], "0,1", [True, 2]])
async def test_an_invalid_shard_closes_4010(
    emu: DiscordEmulator, http: aiohttp.ClientSession, shard: object
) -> None:
    ws = await _connect(emu, http, shard)
    assert await _closed_with(ws) == 4010
    assert emu.gateway.sessions == {}


async def test_too_few_shards_for_the_guilds_closes_4011(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    emu.gateway.max_guilds_per_shard = 2
    _guilds(emu, 2, 2)
    for shard in (None, [0, 1]):
        ws = await _connect(emu, http, shard)
        assert await _closed_with(ws) == 4011
    # Two shards of two guilds each are within the limit.
    ws = await _connect(emu, http, [1, 2])
    assert len((await frame(ws))["d"]["guilds"]) == 2


async def test_discord_limit_is_2500_guilds_per_shard(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    for n in range(2501):
        emu.world.add_guild(f"g{n}")
    ws = await _connect(emu, http, None)
    assert await _closed_with(ws) == 4011
    async with http.get(f"{emu.api_base}/gateway/bot") as response:
        assert (await response.json())["shards"] == 3


async def test_gateway_bot_recommends_one_shard_per_thousand_guilds(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    async def answer() -> dict[str, Any]:
        async with http.get(f"{emu.api_base}/gateway/bot") as response:
            assert response.status == 200
            body: dict[str, Any] = await response.json()
            return body

    empty = await answer()
    assert empty["url"] == emu.gateway_base and empty["shards"] == 1
    assert empty["session_start_limit"] == {
        "total": 1000,
        "remaining": 1000,
        "reset_after": 0,
        "max_concurrency": 1,
    }
    for n in range(1001):
        emu.world.add_guild(f"g{n}")
    await _connect(emu, http, [0, 2])
    await _connect(emu, http, [1, 2])
    after = await answer()
    assert after["shards"] == 2
    limit = after["session_start_limit"]
    # Two IDENTIFYs spent; the window resets 24 hours after the first of them.
    assert limit["remaining"] == 998
    assert 24 * 3600 * 1000 - 5000 < limit["reset_after"] <= 24 * 3600 * 1000


async def test_gateway_bot_needs_the_token(emu: DiscordEmulator) -> None:
    async with (
        aiohttp.ClientSession() as anonymous,
        anonymous.get(f"{emu.api_base}/gateway/bot") as response,
    ):
        assert response.status == 401


class ShardedPingBot(commands.AutoShardedBot):
    """A real AutoShardedBot with /ping, answering with the shard that received it."""

    def __init__(self, **sharding: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents(guilds=True),
            guild_ready_timeout=0.05,
            **sharding,
        )
        self.answered: list[int] = []

        @self.tree.command(name="ping", description="Answer with the shard")
        async def ping(interaction: discord.Interaction) -> None:
            assert interaction.guild is not None
            self.answered.append(interaction.guild.id)
            await interaction.response.send_message(f"pong from shard {interaction.guild.shard_id}")

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5-second pause between shard IDENTIFYs, to keep tests fast."""


async def _start(
    emu: DiscordEmulator, **sharding: Any
) -> tuple[ShardedPingBot, asyncio.Task[None]]:
    bot = ShardedPingBot(**sharding)
    return bot, await run_until_ready(bot, emu.token)  # type: ignore[arg-type]


async def _stop(*running: tuple[ShardedPingBot, asyncio.Task[None]]) -> None:
    for bot, task in running:
        await bot.close()
        await asyncio.wait_for(task, 5)


async def test_interactions_go_only_to_the_shard_of_their_guild(emu: DiscordEmulator) -> None:
    guilds = _guilds(emu, 1, 2)
    member = emu.add_user("alice")
    channels = {}
    for shard, (guild,) in guilds.items():
        channels[shard] = emu.add_channel(guild.id, "general").id
        emu.add_member(guild.id, member)
    first = await _start(emu, shard_ids=[0], shard_count=2)
    second = await _start(emu, shard_ids=[1], shard_count=2)
    try:
        for shard, (bot, _) in enumerate((first, second)):
            assert [g.id for g in bot.guilds] == [guilds[shard][0].id]
        for shard, (guild,) in guilds.items():
            result = await emu.invoke(guild.id, channels[shard], member.id, "ping")
            assert (await result.wait_done(timeout=5)).content == f"pong from shard {shard}"
        assert first[0].answered == [guilds[0][0].id]
        assert second[0].answered == [guilds[1][0].id]
        emu.assert_clean()
    finally:
        await _stop(first, second)


async def test_auto_sharded_bot_follows_the_recommendation(emu: DiscordEmulator) -> None:
    for n in range(1001):
        emu.world.add_guild(f"g{n}")
    running = await _start(emu)
    bot = running[0]
    try:
        assert bot.shard_count == 2 and len(bot.guilds) == 1001
        assert sorted(s.shard_key for s in emu.gateway.sessions.values()) == [(0, 2), (1, 2)]
        assert {g.shard_id for g in bot.guilds} == {0, 1}
    finally:
        await _stop(running)


async def test_one_shard_resumes_while_the_other_stays(emu: DiscordEmulator) -> None:
    guilds = _guilds(emu, 1, 2)
    member = emu.add_user("alice")
    guild = guilds[1][0]
    channel = emu.add_channel(guild.id, "general")
    emu.add_member(guild.id, member)
    running = await _start(emu, shard_count=2)
    try:
        await emu.gateway.drop(shard=1)
        # Sent while shard 1 is cut off: replayed to it after its RESUME.
        result = await emu.invoke(guild.id, channel.id, member.id, "ping")
        assert (await result.wait_done(timeout=10)).content == "pong from shard 1"
        await emu.gateway.wait_ready(shard=1)
        assert (emu.gateway.resumes, emu.gateway.identifies) == (1, 2)
        emu.assert_clean()
    finally:
        await _stop(running)


async def test_the_global_limit_is_shared_by_every_client_of_the_token(
    emu: DiscordEmulator,
) -> None:
    emu.ratelimits.enable(global_per_second=3)
    url = f"{emu.api_base}/users/@me"
    auth = {"Authorization": f"Bot {emu.token}"}
    async with (
        aiohttp.ClientSession(headers=auth) as one,
        aiohttp.ClientSession(headers=auth) as two,
    ):
        statuses = []
        for client in (one, two, one, two):
            async with client.get(url) as response:
                statuses.append(response.status)
                if response.status == 429:
                    refused = response.headers, await response.json()
        assert statuses == [200, 200, 200, 429]
    headers, body = refused
    assert headers["X-RateLimit-Global"] == "true" and headers["X-RateLimit-Scope"] == "global"
    assert body["global"] is True and 0 < body["retry_after"] <= 1
    assert emu.ratelimits.served_global_429 == 1


async def test_requests_without_the_bot_token_are_not_bound_by_the_global_limit(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    emu.ratelimits.enable(global_per_second=1)
    async with http.get(f"{emu.api_base}/users/@me") as response:
        assert response.status == 200
    async with aiohttp.ClientSession() as anonymous:
        for _ in range(3):
            async with anonymous.get(f"{emu.api_base}/gateway") as response:
                assert response.status == 200
    assert emu.ratelimits.served_global_429 == 0
