"""Shared steps for the console tests: demo settings, and a script run to its transcript."""

from __future__ import annotations

import io
from pathlib import Path

import discord

from bot.sandbox.console import run_sandbox
from bot.settings import DEFAULT_API_BASE, Settings, load_settings


def demo_settings(tmp_path: Path) -> Settings:
    """Settings for a sandbox on demo prices, with its store and caches under ``tmp_path``."""
    return load_settings(
        None, db_path=tmp_path / "s.sqlite3", price_source="demo", cache_dir=tmp_path / "cache"
    )


async def run_script(settings: Settings, script: Path) -> tuple[int, str]:
    """Run a console script in the sandbox; return its exit status and its transcript."""
    out = io.StringIO()
    try:
        status = await run_sandbox(settings, script=script, out=out)
    finally:
        # The sandbox aimed discord.py at the local Discord; the next test starts clean.
        discord.http.Route.BASE = DEFAULT_API_BASE
    return status, out.getvalue()
