"""Fixtures: a Discord emulator per test, and a real discord.py bot connected to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import pytest

from discord_emulator import DiscordEmulator, Guild, InteractionResult, User
from discord_emulator import permissions as perm

from .minibot import MiniBot

StartBot = Callable[..., Awaitable[MiniBot]]


@pytest.fixture
async def emu(request: pytest.FixtureRequest) -> AsyncIterator[DiscordEmulator]:
    """Start an emulator (options via indirect parametrisation); point discord.py at it."""
    options = getattr(request, "param", {})
    async with DiscordEmulator(**options) as emulator:
        with emulator.patch_discord_py():
            yield emulator


@pytest.fixture
async def http(emu: DiscordEmulator) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP and websocket client that authenticates as the bot."""
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {emu.token}"}) as session:
        yield session


async def frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    """Read the next gateway frame (within 2 s)."""
    received: dict[str, Any] = await ws.receive_json(timeout=2)
    return received


class World:
    """The test world: one guild with two channels, a plain member and a manager."""

    def __init__(self, emu: DiscordEmulator) -> None:
        self._emu = emu
        self.guild: Guild = emu.add_guild("Miners")
        self.general = emu.add_channel(self.guild.id, "general")
        self.alerts = emu.add_channel(self.guild.id, "alerts")
        self.member: User = emu.add_member(self.guild.id, "alice")
        self.manager: User = emu.add_member(self.guild.id, "bob", permissions=perm.MANAGE_GUILD)

    async def member_runs(
        self, command: str, options: Mapping[str, Any] | None = None
    ) -> InteractionResult:
        """The plain member runs ``command`` in #general: the interaction as sent."""
        return await self._emu.invoke(
            self.guild.id, self.general.id, self.member.id, command, options
        )

    async def answer_to(
        self, command: str, options: Mapping[str, Any] | None = None
    ) -> InteractionResult:
        """The plain member runs ``command`` in #general: the interaction once answered."""
        return await (await self.member_runs(command, options)).wait_done()


@pytest.fixture
def world(emu: DiscordEmulator) -> World:
    """Build the default world before the bot connects."""
    return World(emu)


async def run_until_ready(bot: MiniBot, token: str) -> asyncio.Task[None]:
    """Log in, connect in a task and wait for on_ready; re-raise if connect() dies first."""
    await bot.login(token)
    task = asyncio.create_task(bot.connect(reconnect=True))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        ready.cancel()
        task.result()
        raise AssertionError("connect() returned before the bot was ready")
    if ready not in done:
        ready.cancel()
        task.cancel()
        raise AssertionError("the bot did not become ready within 10 s")
    return task


@pytest.fixture
async def start_bot(emu: DiscordEmulator) -> AsyncIterator[StartBot]:
    """Start real bots against the emulator; stop them and check for swallowed errors afterwards."""
    running: list[tuple[MiniBot, asyncio.Task[None]]] = []

    async def start(**options: bool) -> MiniBot:
        bot = MiniBot(**options)
        running.append((bot, await run_until_ready(bot, emu.token)))
        return bot

    yield start
    for bot, task in running:
        await bot.close()
        await asyncio.wait_for(task, 5)


@pytest.fixture
async def bot(start_bot: StartBot, world: World) -> MiniBot:
    """Return a connected bot in the default world."""
    return await start_bot()
