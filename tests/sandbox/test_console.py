"""The sandbox console: scripts run end to end through the real bot and the emulator."""

from __future__ import annotations

import io
from pathlib import Path

import discord

from bot.sandbox.console import run_sandbox
from bot.settings import load_settings


async def _run(tmp_path: Path, script: str) -> tuple[int, str]:
    path = tmp_path / "script.txt"
    path.write_text(script)
    settings = load_settings(
        None, db_path=tmp_path / "s.sqlite3", price_source="demo", cache_dir=tmp_path / "cache"
    )
    out = io.StringIO()
    try:
        status = await run_sandbox(settings, script=path, out=out)
    finally:
        discord.http.Route.BASE = "https://discord.com/api/v10"
    return status, out.getvalue()


async def test_script_prints_the_transcript_and_succeeds(tmp_path: Path) -> None:
    status, text = await _run(tmp_path, "# comment lines are skipped\n/help\n/as member\n/help\n")
    assert status == 0
    assert text.count("> /help") == 2
    assert "(only you can see this)" in text
    assert "╭─ Minerwatch" in text and "not investment advice" in text
    assert "now acting as the member" in text
    assert "all commands answered" in text


async def test_script_fails_on_an_unknown_command(tmp_path: Path) -> None:
    status, text = await _run(tmp_path, "/help\n/nonsense now\n")
    assert status == 1
    assert "! no command /nonsense" in text
    assert "1 command(s) failed" in text
