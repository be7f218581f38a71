"""One composition root: services hold everything; starting the bot leaves the heap alone."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import cli
from bot.__main__ import main as entry_point
from bot.clock import ManualClock
from bot.heap import settle_heap
from bot.sandbox.session import SandboxSession
from bot.services import open_services
from bot.settings import Settings, load_settings
from discord_emulator import DiscordEmulator


async def test_a_bot_started_in_process_does_not_freeze_the_heap(
    emu: DiscordEmulator, e2e_settings: Settings, e2e_clock: ManualClock
) -> None:
    frozen = gc.get_freeze_count()
    session = await SandboxSession.start(e2e_settings, clock=e2e_clock, emulator=emu)
    try:
        result = await (await session.invoke("help")).wait_done()
        assert "/help" in result.text()
        # Nothing was moved to the permanent generation (what an earlier freeze left there
        # may only shrink, as those objects are freed).
        assert gc.get_freeze_count() <= frozen
    finally:
        await session.stop(stop_emulator=False)


def test_only_the_process_entry_point_freezes_the_heap(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []

    async def fake_run_discord(settings: Settings, *, once_started: Callable[[], None]) -> None:
        seen.append(once_started)

    monkeypatch.setattr("bot.runtime.run_discord", fake_run_discord)
    monkeypatch.setenv("DISCORD_TOKEN", "x" * 60)
    monkeypatch.setenv("MINERWATCH_PRICE_SOURCE", "demo")
    assert cli.main(["run"]) == cli.EXIT_OK  # the command line inside this test: no freeze
    assert seen[0] is not settle_heap
    monkeypatch.setattr(sys, "argv", ["minerwatch", "run"])
    with pytest.raises(SystemExit) as exit_:
        entry_point()  # `minerwatch` / `python -m bot`
    assert exit_.value.code == cli.EXIT_OK
    assert seen[1] is settle_heap


async def test_the_bot_reads_its_services_and_the_outbox_needs_the_client(tmp_path: Path) -> None:
    settings = load_settings(None, db_path=tmp_path / "s.sqlite3", price_source="demo")
    services = await open_services(settings)
    try:
        # Built before any client exists, it refuses to start until a sender is attached.
        with pytest.raises(RuntimeError, match="attach a sender"):
            services.outbox.start()
        from bot.app import Minerwatch  # imported late: pulls in discord.py and the cogs

        bot = Minerwatch(services)
        for name in ("settings", "store", "clock", "ledger", "outbox", "alerts", "summaries"):
            assert getattr(bot, name) is getattr(services, name), name
        bot.outbox.start()
        assert bot.outbox.running
    finally:
        await services.aclose()
