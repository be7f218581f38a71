"""The bot's slash commands, loaded once with every cog (no Discord connection)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Minerwatch, discover_cogs
from bot.services import open_services
from bot.settings import load_settings


@pytest.fixture
async def loaded_bot(tmp_path: Path) -> AsyncIterator[Minerwatch]:
    settings = load_settings(None, db_path=tmp_path / "s.sqlite3", price_source="demo")
    services = await open_services(settings)
    bot = Minerwatch(services)
    for extension in discover_cogs():
        await bot.load_extension(extension)
    yield bot
    await services.aclose()
