"""`minerwatch doctor` against the local Discord: exit 0 only when all is well."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web

import bot.deploy.doctor as doctor
from bot.deploy.doctor import command_names_in_code
from bot.store import Store
from discord_emulator import ATTACH_FILES, DiscordEmulator, Overwrite
from discord_emulator.permissions import MEMBER_OVERWRITE

from .conftest import closed_port, minerwatch

NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)


def _sync_commands(emu: DiscordEmulator, guild_id: int | None = None) -> None:
    """Register the code's commands in the emulator, as `minerwatch run` does at start."""
    definitions = [
        {"name": name, "description": f"/{name}", "type": 1} for name in command_names_in_code()
    ]
    emu.commands.overwrite(guild_id, definitions)


async def _configure(db_path: Path, guild_id: int, channel_id: int) -> None:
    """A server with its daily summary and contract watch in one channel."""
    store = await Store.open(db_path)
    try:
        await store.summary.configure(
            guild_id, channel_id, "16:30", "America/New_York", "trading", now=NOW
        )
        await store.guilds.set_watch(guild_id, channel_id, now=NOW)
    finally:
        await store.close()


async def test_all_is_well_with_a_good_token(
    on_emulator: DiscordEmulator, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = on_emulator
    guild = emu.add_guild("Miners")
    daily = emu.add_channel(guild.id, "daily")
    await _configure(isolated / "store.sqlite3", guild.id, daily.id)
    _sync_commands(emu)

    ran = await minerwatch(capsys, "doctor")

    assert ran.status == 0, ran.out
    lines = ran.out.splitlines()
    assert f"[ok  ] token: accepted: bot Minerwatch ({emu.bot_user.id})" in lines
    application = next(line for line in lines if "application:" in line)
    assert f"id {emu.application_id}" in application and "owned by" in application
    assert f"[ok  ] commands: {len(command_names_in_code())} synced globally" in lines
    assert "[ok  ] shards: 1 configured, Discord recommends 1; 1000 of 1000 session starts" in (
        ran.out
    )
    assert f"[ok  ] summary channel {daily.id} (server {guild.id}): can post in #daily" in lines
    assert f"[ok  ] watch channel {daily.id} (server {guild.id}): can post in #daily" in lines
    assert lines[-1] == "all is well"


@pytest.mark.parametrize(("configured", "level"), [(None, "warn"), ("2", "ok  ")])
async def test_a_bot_in_more_servers_than_its_shards_suit_is_warned(
    on_emulator: DiscordEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    configured: str | None,
    level: str,
) -> None:
    for n in range(1001):
        on_emulator.world.add_guild(f"server {n}")
    _sync_commands(on_emulator)
    if configured is not None:
        monkeypatch.setenv("MINERWATCH_SHARD_COUNT", configured)
    ran = await minerwatch(capsys, "doctor")
    line = next(line for line in ran.out.splitlines() if "shards:" in line)
    assert line.startswith(f"[{level}] shards: ")
    if configured is None:
        assert "Discord recommends 2 shard(s) for this bot's servers, 1 configured" in line
        assert "raise MINERWATCH_SHARD_COUNT" in line
    assert ran.status == 0  # a warning alone does not fail the check


async def test_too_few_session_starts_left_fail(
    on_emulator: DiscordEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _sync_commands(on_emulator)
    on_emulator.gateway.session_starts.total = 2
    on_emulator.gateway.session_starts.note()  # one IDENTIFY spent earlier today
    monkeypatch.setenv("MINERWATCH_SHARD_COUNT", "2")
    ran = await minerwatch(capsys, "doctor")
    line = next(line for line in ran.out.splitlines() if "shards:" in line)
    assert line.startswith("[FAIL] shards: 1 of 2 session starts left (the count resets in 24.0 h)")
    assert line.endswith("too few to connect 2 shard(s) now")
    assert ran.status == 1


async def test_a_channel_the_bot_cannot_post_in_fails(
    on_emulator: DiscordEmulator, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = on_emulator
    guild = emu.add_guild("Miners")
    no_files = Overwrite(id=emu.bot_user.id, type=MEMBER_OVERWRITE, deny=ATTACH_FILES)
    daily = emu.add_channel(guild.id, "daily", overwrites=[no_files])
    await _configure(isolated / "store.sqlite3", guild.id, daily.id)
    _sync_commands(emu)

    ran = await minerwatch(capsys, "doctor")

    assert ran.status == 1
    assert (
        f"[FAIL] summary channel {daily.id} (server {guild.id}): cannot post in #daily: "
        "missing Attach Files"
    ) in ran.out
    # The contract watch posts no files: that channel is fine for it.
    assert f"[ok  ] watch channel {daily.id} (server {guild.id}): can post in #daily" in ran.out
    assert ran.out.splitlines()[-1] == "1 problem(s) to fix"


async def test_a_deleted_channel_and_unsynced_commands(
    on_emulator: DiscordEmulator,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = on_emulator
    guild = emu.add_guild("Miners")
    gone = emu.add_channel(guild.id, "old-daily")
    await _configure(isolated / "store.sqlite3", guild.id, gone.id)
    emu.delete_channel(gone.id)
    monkeypatch.setenv("MINERWATCH_DEV_GUILD_ID", str(guild.id))

    ran = await minerwatch(capsys, "doctor")

    assert ran.status == 1
    assert "the channel no longer exists" in ran.out
    assert f"[warn] commands: not synced to server {guild.id} yet: /" in ran.out


async def test_a_rejected_token_fails(
    rejected_token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = await minerwatch(capsys, "doctor")
    assert ran.status == 1
    assert "[FAIL] token: Discord rejected DISCORD_TOKEN: 401: Unauthorized" in ran.out


@pytest.fixture
async def yahoo_answers(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """A local stand-in answering like Yahoo's crumb endpoint without a cookie (401)."""

    async def no_cookie(request: web.Request) -> web.Response:
        return web.Response(status=401)

    app = web.Application()
    app.router.add_get("/v1/test/getcrumb", no_cookie)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/v1/test/getcrumb"
    monkeypatch.setattr(doctor, "YAHOO_PROBE_URL", url)
    yield url
    await runner.cleanup()


async def test_without_a_token_the_local_checks_and_yahoo(
    yahoo_answers: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MINERWATCH_PRICE_SOURCE", "yahoo")
    ran = await minerwatch(capsys, "doctor")
    assert ran.status == 0, ran.out
    assert "[ok  ] store:" in ran.out and "created at start" in ran.out
    assert "[ok  ] ledger:" in ran.out and "contracts" in ran.out
    assert "[ok  ] cache:" in ran.out
    assert f"[ok  ] prices: Yahoo answers (HTTP 401 from {yahoo_answers})" in ran.out
    assert "[warn] discord: no DISCORD_TOKEN set" in ran.out


async def test_unreachable_yahoo_and_a_corrupt_store_fail(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1/test/getcrumb"
    monkeypatch.setattr(doctor, "YAHOO_PROBE_URL", url)
    monkeypatch.setenv("MINERWATCH_PRICE_SOURCE", "yahoo")
    (isolated / "store.sqlite3").write_bytes(b"not sqlite" * 100)

    ran = await minerwatch(capsys, "doctor")

    assert ran.status == 1
    assert "[FAIL] prices: Yahoo is not reachable: cannot connect to" in ran.out
    assert "(connection refused)" in ran.out
    assert "[FAIL] store: the store" in ran.out and "not a readable SQLite database" in ran.out
    assert ran.out.splitlines()[-1] == "2 problem(s) to fix"
