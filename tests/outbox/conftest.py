"""Fixtures for the outbox tests: a store with alerts to report, a fake sender, a worker, and
a local Discord with a guild and a logged-in REST client for the real sender."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import discord
import pytest

from bot.alerts.delivery import PauseUndeliverableAlerts
from bot.clock import ManualClock
from bot.outbox.discord_sender import DiscordSender
from bot.outbox.worker import OutboxWorker
from bot.store import Store
from discord_emulator import DiscordEmulator, Guild
from tests.alerts.conftest import clock, evaluator, service
from tests.outbox.fakes import FakeSender

__all__ = ["clock", "evaluator", "service"]


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def worker(store: Store, sender: FakeSender, clock: ManualClock) -> OutboxWorker:
    return OutboxWorker(
        store, sender, clock, hooks=[PauseUndeliverableAlerts(store)], rng=random.Random(7)
    )


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emulator:
        with emulator.patch_discord_py():
            yield emulator


@pytest.fixture
def guild(emu: DiscordEmulator) -> Guild:
    return emu.add_guild("Miners")


@pytest.fixture
async def client(emu: DiscordEmulator, guild: Guild) -> AsyncIterator[discord.Client]:
    """A logged-in client: REST only, which is all the sender uses."""
    client = discord.Client(intents=discord.Intents.none())
    await client.login(emu.token)
    yield client
    await client.close()


@pytest.fixture
def real_worker(store: Store, client: discord.Client, clock: ManualClock) -> OutboxWorker:
    """The worker as the bot wires it, with the real sender through discord.py."""
    return OutboxWorker(
        store, DiscordSender(client), clock, hooks=[PauseUndeliverableAlerts(store)]
    )
