"""`minerwatch run` that cannot start says why in one line, exits non-zero, shows no traceback."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import discord
import pytest

import bot.app
import bot.runtime
from bot.store.db import Database
from discord_emulator import DiscordEmulator

from .conftest import aim_at_closed_port, minerwatch, one_line_error


async def test_a_rejected_token_says_so(
    rejected_token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_line_error(await minerwatch(capsys, "run"))
    assert line.startswith("Discord rejected DISCORD_TOKEN: 401: Unauthorized")
    assert "Reset Token" in line
    assert "not-the-token" not in line


async def test_a_refused_connection_names_the_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = aim_at_closed_port(monkeypatch, "/api/v10")
    line = one_line_error(await minerwatch(capsys, "run"))
    assert line == (
        f"cannot reach Discord: cannot connect to 127.0.0.1:{port} (connection refused) "
        f"at http://127.0.0.1:{port}/api/v10"
    )


async def test_an_unknown_host_is_a_dns_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    monkeypatch.setenv("DISCORD_API_BASE", "http://discord.minerwatch.invalid/api/v10")
    line = one_line_error(await minerwatch(capsys, "run"))
    assert line == (
        "cannot reach Discord: cannot resolve the host name discord.minerwatch.invalid "
        "at http://discord.minerwatch.invalid/api/v10"
    )


async def test_tls_to_a_plain_http_server_is_a_tls_failure(
    emu: DiscordEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", emu.token)
    monkeypatch.setenv("DISCORD_API_BASE", f"https://127.0.0.1:{emu.port}/api/v10")
    line = one_line_error(await minerwatch(capsys, "run"))
    assert line.startswith("cannot reach Discord: the TLS handshake failed")
    assert line.endswith(f"at https://127.0.0.1:{emu.port}/api/v10")


async def test_a_silent_discord_times_out(
    on_emulator: DiscordEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(bot.runtime, "LOGIN_TIMEOUT", 0.3)
    on_emulator.faults.delay("GET /users/@me", 2.0)
    line = one_line_error(await minerwatch(capsys, "run"))
    assert line == f"cannot reach Discord: no answer in time (timed out) at {on_emulator.api_base}"


async def test_privileged_intents_point_at_the_developer_portal(
    on_emulator: DiscordEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The bot asks for no privileged intent today; one added later must fail this clearly.
    monkeypatch.setattr(bot.app, "INTENTS", discord.Intents(guilds=True, members=True))
    on_emulator.gateway.allowed_privileged_intents = 0
    line = one_line_error(await minerwatch(capsys, "run"))
    assert "close code 4014" in line
    assert "Bot → Privileged Gateway Intents" in line


@pytest.mark.parametrize("sharding", [[], ["--shards", "0-1", "--shard-count", "2"]])
async def test_too_few_shards_say_to_raise_the_shard_count(
    on_emulator: DiscordEmulator, capsys: pytest.CaptureFixture[str], sharding: list[str]
) -> None:
    # Discord's limit is 2,500 servers per shard; two servers on each of two shards go over one.
    on_emulator.gateway.max_guilds_per_shard = 1
    for shard in (0, 0, 1, 1):
        on_emulator.add_guild(f"on shard {shard}", on_shard=(shard, 2))
    line = one_line_error(await minerwatch(capsys, "run", *sharding))
    assert line.startswith("Discord requires more shards for this bot's servers (close code 4011")
    assert f"now {2 if sharding else 1} shard(s)" in line
    assert "MINERWATCH_SHARD_COUNT (or run --shard-count)" in line


async def test_missing_commands_scope_says_to_reinvite(
    on_emulator: DiscordEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Discord answers 403 Missing Access when the bot may not register commands in a server.
    monkeypatch.setenv("MINERWATCH_DEV_GUILD_ID", "123456789012345678")
    line = one_line_error(await minerwatch(capsys, "run"))
    assert line.startswith(
        "Discord refused to register the slash commands in server 123456789012345678 "
        "(MINERWATCH_DEV_GUILD_ID): 403"
    )
    assert "applications.commands scope" in line and "minerwatch invite" in line


def _unwritable_dir(tmp_path: Path) -> Path:
    """A directory this process may not create files in (root ignores mode bits)."""
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        return locked
    return Path("/sys/minerwatch-test")  # sysfs refuses mkdir to everyone, root included


async def test_an_unwritable_store_directory_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    store = _unwritable_dir(tmp_path) / "sub" / "store.sqlite3"
    monkeypatch.setenv("MINERWATCH_DB", str(store))
    line = one_line_error(await minerwatch(capsys, "run"))
    assert line.startswith(f"the store {store} cannot be written")
    assert "MINERWATCH_DB" in line


async def test_a_full_disk_says_so_and_changes_nothing(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # SQLite's page limit makes it answer SQLITE_FULL exactly as on a full disk.
    original = Database.open

    async def tiny(cls: type[Database], path: Path) -> Database:
        db = await original(path)
        await db.fetch_one("PRAGMA max_page_count = 3")
        return db

    monkeypatch.setattr(Database, "open", classmethod(tiny))
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    line = one_line_error(await minerwatch(capsys, "run"))
    assert "the disk holding the store" in line and "is full" in line
    assert "free some space" in line
    with sqlite3.connect(isolated / "store.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (0,)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_newer_store_is_refused_and_left_alone(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = isolated / "store.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute("PRAGMA user_version = 99")
    before = _digest(path)
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    line = one_line_error(await minerwatch(capsys, "run"))
    assert "schema version 99, newer than this program knows" in line
    assert "restore a backup" in line
    assert _digest(path) == before
    # The same one line from `db migrate`.
    assert one_line_error(await minerwatch(capsys, "db", "migrate")) == line


async def test_a_corrupt_store_is_refused_and_left_alone(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = isolated / "store.sqlite3"
    path.write_bytes(b"this is not a database, but somebody's notes\n" * 200)
    before = _digest(path)
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    line = one_line_error(await minerwatch(capsys, "run"))
    assert line.startswith(f"the store {path} is not a readable SQLite database")
    assert "it was left as it is" in line
    assert _digest(path) == before
    assert sorted(p.name for p in isolated.glob("*")) == ["store.sqlite3"]  # noqa: ASYNC240


async def test_the_traceback_is_there_at_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = aim_at_closed_port(monkeypatch)
    monkeypatch.setenv("MINERWATCH_LOG_LEVEL", "DEBUG")
    ran = await minerwatch(capsys, "run")
    assert ran.status == 1
    assert "Traceback" in ran.err and "ClientConnectorError" in ran.err
    assert ran.err.rstrip().endswith("(connection refused) at http://127.0.0.1:" + str(port))
