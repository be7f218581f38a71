"""Which requests share a rate-limit bucket, and the count of 429s by route and kind."""

from __future__ import annotations

import asyncio

import aiohttp

from discord_emulator import DiscordEmulator

from .conftest import World
from .minibot import MiniBot

CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
MESSAGES = "POST /channels/{channel_id}/messages"
PONG = {"type": 4, "data": {"content": "pong"}}


def _callback_url(emu: DiscordEmulator, interaction_id: int) -> str:
    return f"{emu.api_base}/interactions/{interaction_id}/token-{interaction_id}/callback"


async def _status(http: aiohttp.ClientSession, url: str, body: object) -> int:
    async with http.post(url, json=body) as response:
        return response.status


async def test_callbacks_to_different_interactions_do_not_share_a_bucket(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    """80 answers in a row, each to its own interaction: none is refused for the others'."""
    emu.ratelimits.enable()
    statuses = [await _status(http, _callback_url(emu, 1_000 + n), PONG) for n in range(80)]
    # Not 429: the interactions are unknown to the emulator, so each is answered 10062.
    assert statuses == [404] * 80
    assert emu.ratelimits.served_429 == 0 and emu.ratelimits.refused() == {}


async def test_one_interaction_answered_too_often_is_still_limited(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    """The bucket is the interaction's own: its 51st call within the second gets a 429."""
    emu.ratelimits.enable()
    url = _callback_url(emu, 2_000)
    statuses = await asyncio.gather(*(_status(http, url, PONG) for _ in range(51)))
    assert sorted(statuses) == [404] * 50 + [429]
    # Interaction callbacks are not bound by the global limit: the refusal is the route's.
    assert emu.ratelimits.refused("route") == {CALLBACK: 1}
    assert emu.ratelimits.refused("global") == {}
    assert emu.ratelimits.served_global_429 == 0


async def test_global_refusals_are_counted_by_route(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    """Four posts to four channels under a global limit of 3/s: one global 429 on posts."""
    guild = emu.add_guild("g")
    channels = [emu.add_channel(guild.id, f"c{n}") for n in range(4)]
    emu.ratelimits.enable(global_per_second=3)
    statuses = [
        await _status(http, f"{emu.api_base}/channels/{c.id}/messages", {"content": "x"})
        for c in channels
    ]
    assert statuses == [200, 200, 200, 429]
    assert emu.ratelimits.refused("global") == {MESSAGES: 1}
    assert emu.ratelimits.refused("route") == {}
    assert emu.ratelimits.refused() == {MESSAGES: 1}


async def test_many_members_commands_at_once_are_answered_without_429(
    emu: DiscordEmulator, world: World, bot: MiniBot
) -> None:
    """80 members' commands in the same second: the bot answers all 80 with no 429."""
    emu.ratelimits.enable()
    sent = await asyncio.gather(*(world.member_runs("ping") for _ in range(80)))
    answers = await asyncio.gather(*(result.wait_done(timeout=10) for result in sent))
    assert [answer.content for answer in answers] == ["pong"] * 80
    assert emu.ratelimits.refused() == {}
