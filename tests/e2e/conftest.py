"""End-to-end fixtures: the emulator and the real bot, started the way `minerwatch run` does.

Every test fails on an exception inside a command, a body that Discord would reject, a route
the emulator does not know, or an interaction left unanswered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.clock import ManualClock
from bot.sandbox.session import SandboxSession
from bot.settings import Settings, load_settings
from discord_emulator import DiscordEmulator
from edgar_emulator import EdgarEmulator
from tests.filings.world import CONTACT, add_shipped_companies
from yahoo_emulator.streamer import LocalStreamer

# Prices the replay source serves from the bot's start (relative timestamps).
REPLAY_CSV = """timestamp,symbol,price,prev_close,volume
+0,BTC-USD,91000,90000,1000
+0,CIFR,15.50,15.00,2000000
+0,WULF,11.20,11.40,1500000
+0,IREN,42.00,40.00,3000000
+0,CORZ,17.80,17.50,900000
+0,APLD,25.10,24.00,800000
+0,NVDA,180.00,178.00,5000000
+0,NBIS,100.00,97.00,700000
"""
START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday, regular session


@pytest.fixture
def e2e_clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def replay_csv() -> str:
    """The replayed prices; a module overrides this fixture to replay its own timeline."""
    return REPLAY_CSV


@pytest.fixture
def replay_file(tmp_path: Path, replay_csv: str) -> Path:
    path = tmp_path / "prices.csv"
    path.write_text(replay_csv)
    return path


@pytest.fixture
def price_source() -> str:
    """Where prices come from: "replay" (the file above) or "demo" (a year of synthetic
    history with market caps); a module overrides this fixture, a test parametrizes it."""
    return "replay"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """More settings for a module's tests (quotas, ...); a module overrides this fixture."""
    return {}


@pytest.fixture
async def edgar() -> AsyncIterator[EdgarEmulator]:
    """A local EDGAR that knows the shipped companies; it must see no bad request."""
    async with EdgarEmulator() as emulator:
        add_shipped_companies(emulator)
        yield emulator
    assert not emulator.problems(), emulator.problems()


@pytest.fixture
def edgar_settings(edgar: EdgarEmulator) -> dict[str, Any]:
    """The settings that point the filings watcher at ``edgar``; a module returns them from
    its ``settings_overrides``."""
    return {
        "sec_contact": CONTACT,
        "sec_data_url": edgar.base_url,
        "sec_archives_url": edgar.base_url,
        "sec_poll_seconds": 3600,  # the tests poll by hand
    }


@pytest.fixture
def e2e_settings(
    tmp_path: Path, replay_file: Path, price_source: str, settings_overrides: dict[str, Any]
) -> Settings:
    """The one configuration of the end-to-end tests."""
    return load_settings(
        None,
        db_path=tmp_path / "e2e.sqlite3",
        cache_dir=tmp_path / "cache",
        price_source=f"replay:{replay_file}" if price_source == "replay" else price_source,
        poll_seconds=3600,  # tests tick the pipeline themselves
        **settings_overrides,
    )


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emulator:
        yield emulator
    # Route.BASE and DEFAULT_GATEWAY are process-wide: leave them as discord.py ships them.
    discord.http.Route.BASE = "https://discord.com/api/v10"


@pytest.fixture
async def sandbox(
    emu: DiscordEmulator, e2e_settings: Settings, e2e_clock: ManualClock
) -> AsyncIterator[SandboxSession]:
    session = await SandboxSession.start(e2e_settings, clock=e2e_clock, emulator=emu)
    await session.bot.pipeline.tick()  # quotes in the cache before the first command
    try:
        yield session
    finally:
        failures = list(session.bot.tree.failures)
        await session.stop(stop_emulator=False)
        problems = emu.problems()
        assert not failures, f"commands raised: {[(f.command, repr(f.error)) for f in failures]}"
        assert not problems, "\n".join(problems)


@pytest.fixture
async def streamer() -> AsyncIterator[LocalStreamer]:
    """The local Yahoo streamer; a test module points the bot at it in settings_overrides."""
    async with LocalStreamer() as s:
        yield s
