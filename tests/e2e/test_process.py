"""`minerwatch run` as a real process: connects with a token, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from discord_emulator import DiscordEmulator

READY_TIMEOUT = 60.0  # seconds; a cold start with pandas and the calendar on a busy 2-core box
STOP_TIMEOUT = 20.0  # seconds for the process to close everything after SIGTERM


@pytest.mark.parametrize(
    ("sharding", "shards"),
    [([], [(0, 1)]), (["--shards", "0-1", "--shard-count", "2"], [(0, 2), (1, 2)])],
    ids=["unsharded", "two-shards"],
)
async def test_run_connects_and_stops_cleanly_on_sigterm(
    emu: DiscordEmulator, tmp_path: Path, sharding: list[str], shards: list[tuple[int, int]]
) -> None:
    guild = emu.add_guild("Process test")
    emu.add_channel(guild.id, "general")
    env = {
        **os.environ,
        "DISCORD_TOKEN": emu.token,
        "DISCORD_API_BASE": emu.api_base,
        "DISCORD_GATEWAY_URL": emu.gateway_base,
        "MINERWATCH_DB": str(tmp_path / "run.sqlite3"),
        "MINERWATCH_CACHE_DIR": str(tmp_path / "cache"),
        "MINERWATCH_PRICE_SOURCE": "demo",
        "MINERWATCH_LOG_LEVEL": "DEBUG",  # the token must stay out of even the noisiest logs
    }
    # A file, not a pipe: DEBUG output would fill a pipe nobody reads and stall the bot.
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", *sharding,
            cwd=tmp_path, env=env, stdout=log_file, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    try:
        await emu.gateway.wait_ready(timeout=READY_TIMEOUT)
        # One gateway session per shard (discord.py spaces shard IDENTIFYs 5 s apart).
        await emu.gateway.wait_until(lambda: len(emu.gateway.sessions) == len(shards), 15)
        assert sorted(s.shard_key for s in emu.gateway.sessions.values()) == shards
        synced = [c["name"] for c in emu.commands.available(guild.id)]
        assert "help" in synced and "price" in synced
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = log_path.read_text(errors="replace")
    assert process.returncode == 0, log[-3000:]
    assert "stop signal received" in log
    assert "Traceback" not in log, log[-3000:]
    assert emu.token not in log
    with sqlite3.connect(tmp_path / "run.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM contracts").fetchone()[0] > 0
