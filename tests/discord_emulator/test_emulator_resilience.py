"""Rate limits, faults and gateway disruptions: discord.py must recover and act exactly once."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from typing import Any

import aiohttp
import discord
import pytest

from discord_emulator import DiscordEmulator

from .conftest import StartBot, World
from .minibot import MiniBot

MESSAGES = "POST /channels/{channel_id}/messages"


def _text_channel(bot: MiniBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def _ping_works(emu: DiscordEmulator, world: World) -> None:
    result = await world.member_runs("ping")
    assert (await result.wait_done(timeout=5)).content == "pong"


async def test_429_is_retried_and_the_message_arrives_once(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    emu.ratelimits.enable()
    # As after a restart: Discord's bucket is spent though this process has not sent anything.
    emu.ratelimits.exhaust(MESSAGES, world.alerts.id, for_seconds=0.2)
    started = time.monotonic()
    await _text_channel(bot, world.alerts.id).send("CIFR +12%")
    assert time.monotonic() - started >= 0.15
    assert emu.ratelimits.served_429 == 1
    assert [m.content for m in emu.posts(world.alerts.id)] == ["CIFR +12%"]
    refused, accepted = emu.recorder.matching(MESSAGES)
    assert refused.status == 429 and refused.response["retry_after"] <= 0.2
    assert refused.response["global"] is False
    assert accepted.status == 200
    emu.assert_clean()


async def test_bucket_headers_are_honoured(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    emu.ratelimits.enable()
    emu.ratelimits.set_bucket(MESSAGES, 2, 0.2)
    channel = _text_channel(bot, world.alerts.id)
    for i in range(5):
        await channel.send(f"m{i}")
    # discord.py waits on X-RateLimit-Remaining: 0 by itself, so no 429 is ever served.
    assert emu.ratelimits.served_429 == 0
    assert len(emu.posts(world.alerts.id)) == 5


async def test_global_limit(emu: DiscordEmulator, world: World, start_bot: StartBot) -> None:
    channels = [emu.add_channel(world.guild.id, f"c{i}") for i in range(6)]
    bot = await start_bot()
    emu.ratelimits.enable(global_per_second=3)
    await asyncio.gather(*(_text_channel(bot, c.id).send("hi") for c in channels))
    assert emu.ratelimits.served_global_429 >= 1
    assert all(len(emu.posts(c.id)) == 1 for c in channels)


async def test_503_is_not_retried_by_discord_py(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    emu.faults.fail(MESSAGES, status=503)
    channel = _text_channel(bot, world.alerts.id)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("lost")
    assert emu.posts(world.alerts.id) == []
    await channel.send("next")
    assert [m.content for m in emu.posts(world.alerts.id)] == ["next"]


async def test_502_after_delivery_is_retried_and_the_nonce_dedupes(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    # Discord stored the message but the answer was lost: discord.py retries with the same nonce.
    emu.faults.fail(MESSAGES, status=502, after_handling=True)
    sent = await _text_channel(bot, world.alerts.id).send("CIFR +12%")
    first, retry = emu.recorder.matching(MESSAGES)
    assert (first.status, retry.status) == (502, 200)
    assert first.body["nonce"] == retry.body["nonce"]
    assert [m.id for m in emu.posts(world.alerts.id)] == [sent.id]


async def test_dropped_connection_and_delay(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    channel = _text_channel(bot, world.alerts.id)
    emu.faults.drop(MESSAGES)
    with pytest.raises(aiohttp.ClientError):
        await channel.send("lost")
    assert emu.posts(world.alerts.id) == []
    emu.faults.delay(MESSAGES, 0.2)
    started = time.monotonic()
    await channel.send("late")
    assert time.monotonic() - started >= 0.2
    assert [m.content for m in emu.posts(world.alerts.id)] == ["late"]


async def test_lost_answer_then_resend_with_same_nonce(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    # The outbox pattern: the post landed but the connection died; a resend with its nonce is safe.
    channel = _text_channel(bot, world.alerts.id)
    emu.faults.drop(MESSAGES, after_handling=True)
    with pytest.raises(aiohttp.ClientError):
        await channel.send("CIFR +12%", nonce="alert-17")
    again = await channel.send("CIFR +12%", nonce="alert-17")
    assert [m.id for m in emu.posts(world.alerts.id)] == [again.id]
    assert [r.status for r in emu.recorder.matching(MESSAGES)] == [0, 200]


async def test_reconnect_resumes_on_resume_url(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    await emu.gateway.reconnect()
    await emu.gateway.wait_ready()
    assert emu.gateway.resumes == 1 and emu.gateway.identifies == 1
    assert emu.gateway.paths_used == ["/gateway", "/resume-gateway"]
    await _ping_works(emu, world)
    emu.assert_clean()


async def test_dropped_gateway_replays_missed_events(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    await emu.gateway.drop()
    # Sent while the bot is disconnected: it arrives by replay after RESUME.
    result = await world.member_runs("ping")
    assert (await result.wait_done(timeout=5)).content == "pong"
    assert emu.gateway.resumes == 1
    emu.assert_clean()


@pytest.mark.parametrize("resumable", [True, False])
async def test_invalid_session(
    emu: DiscordEmulator, world: World, bot: MiniBot, resumable: bool
) -> None:
    await emu.gateway.invalidate_session(resumable=resumable)
    await emu.gateway.wait_ready()
    assert (emu.gateway.resumes, emu.gateway.identifies) == ((1, 1) if resumable else (0, 2))
    await _ping_works(emu, world)
    emu.assert_clean()


@pytest.mark.parametrize("emu", [{"heartbeat_interval_ms": 20}], indirect=True)
async def test_heartbeats_are_acknowledged(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    await emu.gateway.wait_until(lambda: emu.gateway.heartbeats >= 3, timeout=2)
    assert bot.latency < 1


class _LateKeepAlive:
    """A keep-alive thread's send future whose thread gets the CPU back a little late.

    discord.py's keep-alive thread records when a heartbeat was sent only after the loop hands
    the finished send back to it; on a busy machine that thread runs some milliseconds later.
    """

    def __init__(self, inner: concurrent.futures.Future[Any], delay: float) -> None:
        self._inner = inner
        self._delay = delay

    def result(self, timeout: float | None = None) -> Any:
        value = self._inner.result(timeout)
        time.sleep(self._delay)
        return value


@pytest.mark.parametrize("emu", [{"heartbeat_interval_ms": 500}], indirect=True)
async def test_heartbeat_latency_is_not_one_interval_behind(
    emu: DiscordEmulator, world: World, bot: MiniBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An ACK read before the client noted its send was measured from the previous heartbeat:
    # the sandbox printed "websocket is 41.3s behind" (the 41.25 s interval) over the prompt.
    real = asyncio.run_coroutine_threadsafe

    def late(coro: Any, loop: asyncio.AbstractEventLoop) -> Any:
        future = real(coro, loop)
        if threading.current_thread().name.startswith("keep-alive-handler"):
            return _LateKeepAlive(future, delay=0.03)
        return future

    monkeypatch.setattr(asyncio, "run_coroutine_threadsafe", late)
    latencies = []
    start = emu.gateway.heartbeats
    for beat in range(1, 4):
        await emu.gateway.wait_until(lambda b=beat: emu.gateway.heartbeats >= start + b, 3)
        await asyncio.sleep(0.2)  # the ACK has arrived
        latencies.append(bot.latency)
    assert max(latencies) < 0.25, f"latency measured one interval behind: {latencies}"
