"""The store's file: migrations, pragmas, permissions, constraints and backups."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import aiosqlite
import pytest

from bot.store import Store, StoreError
from bot.store.db import Database, Migration, discover_migrations

NOW = "2026-11-26T15:00:00+00:00"


async def test_migrates_an_empty_file_to_the_latest_version(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "fresh.sqlite3")
    try:
        applied = await db.migrate()
        latest = discover_migrations()[-1].version
        assert applied == list(range(1, latest + 1))
        assert await db.user_version() == latest
        tables = {
            row[0]
            for row in await db.fetch_all("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert {
            "companies",
            "sites",
            "contracts",
            "contract_history",
            "guild_settings",
            "alerts",
            "outbox",
            "price_history",
            "company_aliases",
            "contract_sources",
        } <= tables
    finally:
        await db.close()


async def test_rerunning_migrations_is_a_no_op(store: Store) -> None:
    before = await store.db.fetch_all("SELECT sql FROM sqlite_master ORDER BY name")
    assert await store.db.migrate() == []
    after = await store.db.fetch_all("SELECT sql FROM sqlite_master ORDER BY name")
    assert [tuple(r) for r in before] == [tuple(r) for r in after]


async def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "broken.sqlite3")
    try:
        good = Migration(1, "001_one", "CREATE TABLE one (x INTEGER);")
        bad = Migration(
            2, "002_two", "CREATE TABLE two (x INTEGER);\nINSERT INTO nowhere VALUES (1);"
        )
        with pytest.raises(StoreError, match="002_two"):
            await db.migrate([good, bad])
        assert await db.user_version() == 1
        names = {
            r[0] for r in await db.fetch_all("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert names == {"one"}
    finally:
        await db.close()


async def test_a_store_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "future.sqlite3")
    try:
        await db.execute("PRAGMA user_version = 999")
        with pytest.raises(StoreError, match="newer than this program knows"):
            await db.migrate()
    finally:
        await db.close()


async def test_pragmas_the_bot_relies_on(store: Store) -> None:
    assert (await store.db.fetch_one("PRAGMA journal_mode"))[0] == "wal"  # type: ignore[index]
    assert (await store.db.fetch_one("PRAGMA foreign_keys"))[0] == 1  # type: ignore[index]
    assert (await store.db.fetch_one("PRAGMA busy_timeout"))[0] >= 1000  # type: ignore[index]


async def test_file_is_private_to_its_owner(store: Store) -> None:
    mode = stat.S_IMODE(store.db.path.stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)


def _company(symbol: str = "TEST", **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "symbol": symbol,
        "name": "Test Co",
        "kind": "miner",
        "updated_at": NOW,
    }
    row.update(overrides)
    return row


def _contract(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "origin": "user",
        "guild_id": 1,
        "host_symbol": "TEST",
        "counterparty": "Tenant",
        "status": "signed",
        "status_as_of": "2026-01-01",
        "confidence": "low",
        "created_at": NOW,
        "updated_at": NOW,
    }
    row.update(overrides)
    return row


async def _insert(store: Store, table: str, row: dict[str, object]) -> None:
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    await store.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))


@pytest.mark.parametrize(
    ("table", "row"),
    [
        ("companies", _company(kind="bank")),
        ("companies", _company(symbol="")),
        ("companies", _company(still_mines_btc=2)),
        ("companies", _company(power_mw=-1)),
        ("contracts", _contract(mw_critical_it=-1)),
        ("contracts", _contract(mw_gross=10_001)),
        ("contracts", _contract(term_years=-0.5)),
        ("contracts", _contract(term_years=100)),
        ("contracts", _contract(total_contract_value_usd=-1)),
        ("contracts", _contract(total_contract_value_usd=2e13)),
        ("contracts", _contract(annualised_revenue_usd=-3)),
        ("contracts", _contract(status="rumoured")),
        ("contracts", _contract(confidence="certain")),
        ("contracts", _contract(annualised_revenue_basis="guess")),
        ("contracts", _contract(counterparty="")),
        ("contracts", _contract(origin="seed", key=None)),
        ("contracts", _contract(origin="seed", key="k", guild_id=5)),
        ("guild_settings", {"guild_id": 1, "summary_time": "25:00", "updated_at": NOW}),
        ("guild_settings", {"guild_id": 1, "summary_days": "sundays", "updated_at": NOW}),
        ("guild_settings", {"guild_id": 1, "summary_enabled": 1, "updated_at": NOW}),
        (
            "alerts",
            {
                "guild_id": 1,
                "channel_id": 2,
                "owner_id": 3,
                "symbol": "IREN",
                "kind": "above",
                "level": 0,
                "created_at": NOW,
                "expires_at": NOW,
            },
        ),
        (
            "alerts",
            {
                "guild_id": 1,
                "channel_id": 2,
                "owner_id": 3,
                "symbol": "IREN",
                "kind": "sideways",
                "level": 5,
                "created_at": NOW,
                "expires_at": NOW,
            },
        ),
        (
            "outbox",
            {
                "dedupe_key": "k",
                "kind": "alert",
                "payload": "{}",
                "nonce": "n",
                "next_attempt_at": NOW,
                "created_at": NOW,
            },
        ),
        ("price_history", {"symbol": "IREN", "day": "2026-11-26", "close": 0, "fetched_at": NOW}),
    ],
)
async def test_check_constraints_reject_bad_rows(
    store: Store, table: str, row: dict[str, object]
) -> None:
    if table == "contracts":
        await _insert(store, "companies", _company())
    before = await store.db.fetch_one(f"SELECT count(*) FROM {table}")
    with pytest.raises(sqlite3.IntegrityError):
        await _insert(store, table, row)
    after = await store.db.fetch_one(f"SELECT count(*) FROM {table}")
    assert before is not None and after is not None and after[0] == before[0]


async def test_foreign_keys_hold(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await _insert(store, "contracts", _contract(host_symbol="NOPE"))
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await _insert(store, "company_aliases", {"alias": "ghost", "symbol": "NOPE"})


async def test_a_valid_row_is_accepted(store: Store) -> None:
    """The constraint tests above fail for the right reason: a good row goes in."""
    await _insert(store, "companies", _company())
    await _insert(
        store, "contracts", _contract(mw_critical_it=0, term_years=0, total_contract_value_usd=0)
    )
    row = await store.db.fetch_one("SELECT count(*) FROM contracts")
    assert row is not None and row[0] == 1


async def test_backup_opens_and_passes_integrity_check(seeded_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "backup" / "copy.sqlite3"
    target.parent.mkdir()  # backups go into an existing directory, never a new tree
    await seeded_store.db.backup(target)
    async with aiosqlite.connect(target) as copy:
        async with copy.execute("PRAGMA integrity_check") as cursor:
            assert (await cursor.fetchone()) == ("ok",)
        async with copy.execute("SELECT count(*) FROM contracts") as cursor:
            row = await cursor.fetchone()
    original = await seeded_store.db.fetch_one("SELECT count(*) FROM contracts")
    assert row is not None and original is not None and row[0] == original[0] > 0
    assert stat.S_IMODE(target.stat().st_mode) & 0o077 == 0


async def test_backup_to_a_missing_directory_is_refused(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "typo" / "copy.sqlite3"
    with pytest.raises(StoreError, match=r"backup directory .*typo does not exist: create it"):
        await store.db.backup(target)
    assert not target.parent.exists()


async def test_backup_refuses_to_overwrite(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "exists.sqlite3"
    target.write_bytes(b"precious")
    with pytest.raises(StoreError, match="already exists"):
        await store.db.backup(target)
    assert target.read_bytes() == b"precious"


async def test_a_commit_returns_before_its_pages_are_copied_back_then_they_are(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.sqlite3"
    db = await Database.open(path)
    try:
        async with db.transaction() as conn:
            await conn.execute("CREATE TABLE blobs (data BLOB NOT NULL)")
            # 2,000 pages: past the 1,000 at which SQLite would checkpoint inside the commit.
            await conn.executemany(
                "INSERT INTO blobs (data) VALUES (?)", [(bytes(4000),) for _ in range(2000)]
            )
        assert path.stat().st_size < 1_000_000  # the commit did not copy its pages itself
        deadline = asyncio.get_running_loop().time() + 10
        while path.stat().st_size < 8_000_000:
            assert asyncio.get_running_loop().time() < deadline, "no checkpoint followed"
            await asyncio.sleep(0.05)
        row = await db.fetch_one("SELECT count(*) FROM blobs")
        assert row is not None and row[0] == 2000
    finally:
        await db.close()
    reopened = await Database.open(path)
    try:
        row = await reopened.fetch_one("SELECT count(*) FROM blobs")
        assert row is not None and row[0] == 2000
    finally:
        await reopened.close()
