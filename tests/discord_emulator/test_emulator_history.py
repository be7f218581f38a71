"""Reading a channel back (paging with after/before/limit), forgotten nonces, held answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from discord_emulator import DiscordEmulator

from .conftest import World

MESSAGES = "/channels/{channel_id}/messages"


@pytest.fixture
async def http(emu: DiscordEmulator) -> AsyncIterator[aiohttp.ClientSession]:
    """A client session that authenticates as the bot."""
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {emu.token}"}) as session:
        yield session


async def _page(
    emu: DiscordEmulator, http: aiohttp.ClientSession, channel_id: int, **query: Any
) -> tuple[int, Any]:
    url = f"{emu.api_base}/channels/{channel_id}/messages"
    async with http.get(url, params={k: str(v) for k, v in query.items()}) as response:
        return response.status, await response.json()


async def test_after_pages_forward_from_the_oldest_newest_first_in_each_page(
    emu: DiscordEmulator, world: World, http: aiohttp.ClientSession
) -> None:
    said = [emu.say(world.member.id, world.general.id, f"line {n}") for n in range(250)]
    cursor = said[9].id  # everything after the tenth message: 240 of them
    seen: list[str] = []
    pages = 0
    while True:
        status, page = await _page(emu, http, world.general.id, after=cursor, limit=100)
        assert status == 200
        pages += 1
        ids = [int(m["id"]) for m in page]
        assert ids == sorted(ids, reverse=True)  # newest first within a page
        seen += [m["content"] for m in reversed(page)]
        if len(page) < 100:
            break
        cursor = ids[0]
    assert pages == 3
    assert seen == [f"line {n}" for n in range(10, 250)]


async def test_before_and_the_default_page_are_the_newest(
    emu: DiscordEmulator, world: World, http: aiohttp.ClientSession
) -> None:
    said = [emu.say(world.member.id, world.general.id, f"line {n}") for n in range(80)]
    _, newest = await _page(emu, http, world.general.id)
    assert [m["content"] for m in newest] == [f"line {n}" for n in range(79, 29, -1)]
    _, older = await _page(emu, http, world.general.id, before=said[5].id, limit=3)
    assert [m["content"] for m in older] == ["line 4", "line 3", "line 2"]


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 101}, {"after": "yesterday"}])
async def test_out_of_range_queries_are_refused(
    emu: DiscordEmulator, world: World, http: aiohttp.ClientSession, query: dict[str, Any]
) -> None:
    status, body = await _page(emu, http, world.general.id, **query)
    assert status == 400 and body["code"] == 50035
    assert next(iter(query)) in body["errors"]


async def test_a_dm_channel_is_read_like_any_other(
    emu: DiscordEmulator, world: World, http: aiohttp.ClientSession
) -> None:
    url = f"{emu.api_base}/users/@me/channels"
    async with http.post(url, json={"recipient_id": str(world.member.id)}) as response:
        dm = await response.json()
    emu.say(world.member.id, int(dm["id"]), "hello bot")
    status, page = await _page(emu, http, int(dm["id"]), limit=10)
    assert status == 200
    said = [(m["content"], m["author"]["id"]) for m in page]
    assert said == [("hello bot", str(world.member.id))]


async def test_forgotten_nonces_post_again(
    emu: DiscordEmulator, world: World, http: aiohttp.ClientSession
) -> None:
    url = f"{emu.api_base}/channels/{world.alerts.id}/messages"
    body = {"content": "alert", "nonce": "n1", "enforce_nonce": True}
    async with http.post(url, json=body) as response:
        first = await response.json()
    async with http.post(url, json=body) as response:
        assert (await response.json())["id"] == first["id"]  # remembered: the same message
    emu.forget_nonces()
    async with http.post(url, json=body) as response:
        assert (await response.json())["id"] != first["id"]
    assert [m.content for m in emu.posts(world.alerts.id)] == ["alert", "alert"]


async def test_a_held_answer_comes_after_the_message_exists(
    emu: DiscordEmulator, world: World, http: aiohttp.ClientSession
) -> None:
    emu.faults.delay("POST " + MESSAGES, 0.5, after_handling=True)
    url = f"{emu.api_base}/channels/{world.alerts.id}/messages"
    sending = asyncio.create_task(http.post(url, json={"content": "in flight"}))
    post = await emu.next_post(world.alerts.id, timeout=2)
    assert post.content == "in flight" and not sending.done()  # created, not yet answered
    async with await sending as response:
        assert (await response.json())["id"] == str(post.id)
