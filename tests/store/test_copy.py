"""`minerwatch db copy --to postgresql://…`: a SQLite store moves whole into PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import cli
from bot.store import Store
from bot.store.copy import table_checksum
from tests.postgres import Cluster, create_database, drop_database, running

NOW = "2026-11-26T15:00:00+00:00"
# Discord ids are 64-bit: well past what a 32-bit column holds.
GUILD, CHANNEL, OWNER = 1_180_000_000_000_000_001, 1_180_000_000_000_000_002, 987_654_321_098_765
CHART = bytes(range(256)) * 4


@pytest.fixture
def sqlite_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A seeded SQLite store with a member's alert, a queued message with its chart, and the
    server's settings, named by MINERWATCH_DB."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    path = tmp_path / "minerwatch.sqlite3"
    monkeypatch.setenv("MINERWATCH_DB", str(path))
    assert cli.main(["db", "seed"]) == 0
    asyncio.run(_add_member_rows(path))
    return path


async def _add_member_rows(path: Path) -> None:
    store = await Store.open(path)
    try:
        db = store.db
        await db.execute(
            "INSERT INTO alerts (id, guild_id, channel_id, owner_id, symbol, kind, level, "
            "created_at, expires_at, note) VALUES (41, ?, ?, ?, 'IREN', 'above', ?, ?, ?, ?)",
            (GUILD, CHANNEL, OWNER, 0.1 + 0.2, NOW, NOW, "tab\there, newline\nthere"),
        )
        await db.execute(
            "INSERT INTO outbox (id, dedupe_key, kind, guild_id, channel_id, payload, nonce, "
            "next_attempt_at, created_at) VALUES (7, 'alert:41:1', 'alert', ?, ?, ?, 'n1', ?, ?)",
            (GUILD, CHANNEL, '{"files": [{"sha256": "' + "a" * 64 + '"}]}', NOW, NOW),
        )
        await db.execute("INSERT INTO outbox_alerts (outbox_id, alert_id) VALUES (7, 41)")
        await db.execute(
            "INSERT INTO outbox_files (sha256, data, created_at) VALUES (?, ?, ?)",
            ("a" * 64, CHART, NOW),
        )
        await db.execute(
            "INSERT INTO guild_settings (guild_id, summary_channel_id, summary_enabled, "
            "language, updated_at) VALUES (?, ?, 1, 'fr', ?)",
            (GUILD, CHANNEL, NOW),
        )
        await db.execute(
            "INSERT INTO member_languages (user_id, language, seen_at) VALUES (?, 'fr', ?)",
            (OWNER, NOW),
        )
    finally:
        await store.close()


async def _compare(path: Path, url: str) -> None:
    """Both stores answer the same; new rows in PostgreSQL get ids after the copied ones."""
    source, target = await Store.open(path), await Store.open(url)
    try:
        theirs = await target.ledger.contracts(guild_id=None, include_removed=True)
        ours = await source.ledger.contracts(guild_id=None, include_removed=True)
        assert theirs == ours and len(ours) > 10
        alert = await target.alerts.get(41)
        assert alert is not None and alert.guild_id == GUILD and alert.owner_id == OWNER
        assert alert.level == 0.1 + 0.2 and alert.note == "tab\there, newline\nthere"
        async with target.db.transaction() as conn:
            linked = await target.alerts.linked(conn, 7)
        assert [a.id for a in linked] == [41]
        row = await target.db.fetch_one("SELECT data FROM outbox_files")
        assert row is not None and bytes(row[0]) == CHART
        for table in ("contracts", "contract_history", "alerts", "outbox_files", "companies"):
            columns = [r["name"] for r in await source.db.fetch_all(f"PRAGMA table_info({table})")]
            assert await table_checksum(target.db, table, columns) == await table_checksum(
                source.db, table, columns
            )
        highest = await target.db.fetch_one("SELECT max(id) FROM contract_history")
        assert highest is not None
        await target.db.execute(
            "INSERT INTO alerts (guild_id, channel_id, owner_id, symbol, kind, level, "
            "created_at, expires_at) VALUES (?, ?, ?, 'CIFR', 'below', 5, ?, ?)",
            (GUILD, CHANNEL, OWNER, NOW, NOW),
        )
        newest = await target.db.fetch_one("SELECT max(id) FROM alerts")
        assert newest is not None and newest[0] == 42
    finally:
        await source.close()
        await target.close()


@pytest.fixture
def empty_target(pg_cluster: Cluster | str) -> Iterator[str]:
    """The URL of a new PostgreSQL database without tables, dropped after the test."""
    cluster = running(pg_cluster)
    url = asyncio.run(create_database(cluster, migrated=False))
    try:
        yield url
    finally:
        asyncio.run(drop_database(cluster, url))


def test_the_copy_keeps_every_row_and_id_and_proves_it(
    sqlite_path: Path, empty_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = empty_target
    assert cli.main(["db", "copy", "--to", url]) == 0
    out = capsys.readouterr().out.splitlines()
    tables = [line for line in out if " rows, md5 " in line]
    assert len(tables) >= 20 and all(line.endswith(" ok") for line in tables)
    assert any(line.startswith("alerts: 1 -> 1 rows") for line in tables)
    assert "counts and checksums match" in out[-1]
    asyncio.run(_compare(sqlite_path, url))


def test_a_target_that_holds_rows_is_refused_untouched(
    sqlite_path: Path, empty_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = empty_target
    assert cli.main(["db", "copy", "--to", url]) == 0
    capsys.readouterr()
    assert cli.main(["db", "copy", "--to", url]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not empty" in err[0] and "empty PostgreSQL database" in err[0]


def test_the_target_must_be_a_postgresql_url(
    sqlite_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "copy", "--to", str(sqlite_path.with_name("other.sqlite3"))]) == 1
    assert capsys.readouterr().err.strip() == "--to must be a postgresql:// URL"
    assert not sqlite_path.with_name("other.sqlite3").exists()
