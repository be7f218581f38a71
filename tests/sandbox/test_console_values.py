"""The sandbox console reads a multi-word name as one value, as the Discord client does."""

from __future__ import annotations

import io
from pathlib import Path

import discord

from bot.sandbox.console import run_sandbox
from bot.settings import load_settings


async def test_a_name_of_several_words_is_one_value(tmp_path: Path) -> None:
    script = tmp_path / "script.txt"
    script.write_text("/price core scientific\n/price $CIFR\n/price ethereum\n/price CIFR WULF\n")
    settings = load_settings(
        None, db_path=tmp_path / "s.sqlite3", price_source="demo", cache_dir=tmp_path / "cache"
    )
    out = io.StringIO()
    try:
        status = await run_sandbox(settings, script=script, out=out)
    finally:
        discord.http.Route.BASE = "https://discord.com/api/v10"
    text = out.getvalue()
    assert "too many values" not in text
    assert "[DEMO] CORZ · Core Scientific" in text
    assert "[DEMO] CIFR · Cipher Digital" in text
    assert "[DEMO] ETH-USD" in text
    # Two tickers are not a name: the bot says so, privately.
    assert "“CIFR WULF” is not a ticker symbol" in text
    assert status == 0  # every command was answered
