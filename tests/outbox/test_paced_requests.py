"""The pace applies to every request the bot's token sends, discord.py's retries included."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord
import pytest

from bot.outbox.discord_sender import DiscordSender
from bot.outbox.model import Payload
from bot.outbox.paced_requests import counts_toward_global_limit, paced_requests
from bot.outbox.retry import GLOBAL_WINDOW_SECONDS, RequestPace
from discord_emulator import DiscordEmulator, Guild

PER_SECOND = 3  # the local Discord's global limit and the pace's, small to keep the test short
PAYLOAD: Payload = {"content": "CIFR +12%", "embeds": [], "allowed_mentions": {"users": []}}
MESSAGES = "POST /channels/{channel_id}/messages"


@asynccontextmanager
async def logged_in(emu: DiscordEmulator, pace: RequestPace) -> AsyncIterator[discord.Client]:
    """A logged-in client whose requests wait for ``pace``, as the bot's do."""
    client = discord.Client(intents=discord.Intents.none(), http_trace=paced_requests(pace))
    await client.login(emu.token)
    await asyncio.sleep(GLOBAL_WINDOW_SECONDS)  # logging in took turns: let them pass
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def paced_client(emu: DiscordEmulator) -> AsyncIterator[discord.Client]:
    """A client paced at the local Discord's global limit, 3 requests per second."""
    async with logged_in(emu, RequestPace(limit=PER_SECOND)) as client:
        yield client


async def test_retries_after_a_global_429_wait_for_the_pace(
    emu: DiscordEmulator, guild: Guild, paced_client: discord.Client
) -> None:
    """Other processes used up the token's second: the posts refused then are sent again
    in their turn, not on top of the next ones, so Discord refuses nothing more."""
    channels = [emu.add_channel(guild.id, f"c{n}") for n in range(2 * PER_SECOND)]
    emu.ratelimits.enable(global_per_second=PER_SECOND)
    emu.ratelimits.exhaust_global(emu.token, for_seconds=0.3)
    sender = DiscordSender(paced_client)
    await asyncio.gather(*(sender.send_channel(c.id, PAYLOAD, f"nonce-{c.id}") for c in channels))
    assert all(len(emu.posts(c.id)) == 1 for c in channels)
    # The first three met the spent second; nothing after them was refused.
    assert emu.ratelimits.refused("global") == {MESSAGES: PER_SECOND}
    assert emu.ratelimits.served_429 == PER_SECOND


async def test_a_global_429_stops_the_next_requests_until_retry_after(
    emu: DiscordEmulator, guild: Guild
) -> None:
    """Discord lets fewer requests through in its second than the pace (other hosts use the
    token): after the first refusal, the next posts wait for Retry-After instead of being
    refused one after another until Discord's second is over."""
    channels = [emu.add_channel(guild.id, f"c{n}") for n in range(2 * PER_SECOND)]
    # 5 per second, one every 0.2 s: more than the 3 Discord lets through.
    async with logged_in(emu, RequestPace(limit=1, per=0.2)) as client:
        emu.ratelimits.enable(global_per_second=PER_SECOND)
        sender = DiscordSender(client)
        await asyncio.gather(
            *(sender.send_channel(c.id, PAYLOAD, f"nonce-{c.id}") for c in channels)
        )
    assert all(len(emu.posts(c.id)) == 1 for c in channels)
    # The 4th post met the full second; the 5th and 6th waited instead of meeting it too.
    assert emu.ratelimits.served_global_429 == 1


def test_interaction_answers_and_requests_without_the_token_do_not_wait() -> None:
    bot = {"Authorization": "Bot abc"}
    assert counts_toward_global_limit("/api/v10/channels/1/messages", bot)
    assert not counts_toward_global_limit("/api/v10/interactions/1/tok/callback", bot)
    assert not counts_toward_global_limit("/api/v10/webhooks/1/tok", {})
    assert not counts_toward_global_limit("/", {"User-Agent": "x"})  # the gateway's websocket
