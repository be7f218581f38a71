"""The bot token never shows: not in logs at any level, tracebacks, replies or the store file."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord
import pytest

from bot.clock import ManualClock
from bot.logs import REDACTED, setup_logging
from bot.sandbox.session import SandboxSession
from bot.settings import ConfigError, Settings, load_settings
from discord_emulator import DiscordEmulator
from tests.e2e.conftest import START
from tests.hardening.harness import Finished, answered, sandbox_settings

# Shaped like a real token (id.timestamp.hmac) so no code can tell it from one.
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhArDn.s3cr3t-t0k3n-that-must-never-leak_aBcDeFgHiJ"
LOGGERS = ("", "discord", "discord.http", "discord.gateway", "discord.client", "aiohttp", "bot")


@contextlib.contextmanager
def logging_as_the_cli_sets_it(level: str) -> Iterator[None]:
    """Configure logging as `minerwatch run` does, then let every library speak at ``level``."""
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    root = logging.getLogger()
    handlers = list(root.handlers)
    setup_logging(level, [TOKEN])
    for name in LOGGERS:
        logging.getLogger(name).setLevel(level)  # worst case: discord.py's DEBUG included
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        for name, old in saved.items():
            logging.getLogger(name).setLevel(old)


@contextlib.asynccontextmanager
async def bot_with_token(folder: Path) -> AsyncIterator[SandboxSession]:
    """Start the emulator with TOKEN as the bot's token, and the bot logged in with it."""
    emu = await DiscordEmulator(token=TOKEN).start()
    session = await SandboxSession.start(
        sandbox_settings(folder), clock=ManualClock(START), emulator=emu
    )
    Finished.of(session.bot)
    try:
        yield session
    finally:
        await session.stop()
        discord.http.Route.BASE = "https://discord.com/api/v10"


async def exercise(session: SandboxSession, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run commands, an unexpected failure, Discord errors and a reconnect; return replies."""
    emu, world, bot = session.emu, session.world, session.bot
    await bot.pipeline.tick()
    shown: list[str] = []

    async def ask(command: str, options: dict[str, object] | None = None) -> None:
        result = await emu.invoke(
            world.guild.id, world.general.id, world.admin.id, command, options or {}
        )
        await answered(result, bot, timeout=15)
        shown.append(result.text())

    await ask("help")
    await ask(
        "deals add", {"host": "IREN", "counterparty": TOKEN[:30], "source_url": "https://e.co/a"}
    )

    # A failure whose exception text carries the token: logged with its traceback.
    def leak(*_: object, **__: object) -> list[str]:
        raise RuntimeError(f"connect failed for Bot {TOKEN}")

    monkeypatch.setattr(sys.modules["cogs.help"], "chunk_lines", leak)  # as the bot loaded it
    await ask("help")
    monkeypatch.undo()
    emu.faults.fail("POST /interactions/*", status=500, times=1)
    await ask("price", {"symbol": "CIFR"})
    await emu.gateway.drop()
    await emu.gateway.wait_ready(10)
    await asyncio.sleep(0.2)
    await ask("board")
    if "status" in {c["name"] for c in emu.commands.available(world.guild.id)}:
        await ask("status")
    bot.tree.failures.clear()  # the induced failure is the point of this test
    return shown


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "WARNING", "ERROR"])
async def test_token_never_reaches_logs_replies_or_the_store(
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    level: str,
) -> None:
    """Every log line (tracebacks included), reply and store byte is free of the token."""
    with logging_as_the_cli_sets_it(level):
        async with bot_with_token(tmp_path) as session:
            shown = await exercise(session, monkeypatch)
            logging.getLogger("bot.test").error("leak check: %s", TOKEN)  # scrubbed, not dropped
        captured = capfd.readouterr()
    logged = captured.out + captured.err
    assert TOKEN not in logged
    assert TOKEN[:30] in "".join(shown)  # the contract's name is shown: not a secret by itself
    assert f"leak check: {REDACTED}" in logged
    assert "Traceback" in logged and REDACTED in logged  # the failure was logged, scrubbed
    for text in shown:
        assert TOKEN not in text
        assert "connect failed" not in text  # the member gets a reference, never the error
    assert any("Something went wrong (ref " in text for text in shown)
    stored = await asyncio.to_thread(
        lambda: {path.name: path.read_bytes() for path in tmp_path.glob("hardening.sqlite3*")}
    )
    assert stored and all(TOKEN.encode() not in data for data in stored.values()), list(stored)


def test_settings_never_print_the_token(tmp_path: Path) -> None:
    """repr(), str() and a config error name the variable, never the value."""
    settings = load_settings(None, discord_token=TOKEN, db_path=tmp_path / "x.sqlite3")
    assert isinstance(settings, Settings)
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)
    assert TOKEN not in settings.model_dump_json()
    with pytest.raises(ConfigError) as refused:
        load_settings(None, discord_token=TOKEN + " with spaces", db_path=tmp_path / "x.sqlite3")
    assert "DISCORD_TOKEN" in str(refused.value) and TOKEN not in str(refused.value)


def test_a_traceback_logged_before_any_handler_formats_it_is_scrubbed(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The scrub holds when another handler (pytest's here) already rendered the traceback."""
    with logging_as_the_cli_sets_it("DEBUG"):
        try:
            raise ValueError(f"token={TOKEN}") from KeyError(TOKEN)
        except ValueError:
            logging.getLogger("bot.test").exception("failed with %r", TOKEN)
        captured = capfd.readouterr()
    assert TOKEN not in captured.err
    assert captured.err.count(REDACTED) >= 3  # message, the error, and its cause
