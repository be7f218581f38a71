"""The store: migrations, constraints and backups on both stores; a SQLite file's pragmas,
permissions and backups."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import aiosqlite
import pytest

from bot.clock import ManualClock
from bot.ledger.records import LedgerFile
from bot.store import Store, StoreError
from bot.store.db import Database, Migration, discover_migrations
from bot.store.postgres import PostgresDatabase, pg_migrations
from tests.postgres import Cluster, pg_database, running
from tests.store.catalog import columns, indexes, migrations_for, schema, tables

NOW = "2026-11-26T15:00:00+00:00"


async def test_migrates_an_empty_store_to_the_latest_version(empty_db: Database) -> None:
    db = empty_db
    applied = await db.migrate()
    latest = migrations_for(db)[-1].version
    assert applied == list(range(1, latest + 1))
    assert await db.user_version() == latest
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
    } <= await tables(db)


async def test_rerunning_migrations_is_a_no_op(store: Store) -> None:
    before = await schema(store.db)
    assert await store.db.migrate() == []
    assert await schema(store.db) == before


async def test_a_failing_migration_changes_nothing(empty_db: Database) -> None:
    db = empty_db
    good = Migration(1, "001_one", "CREATE TABLE one (x INTEGER);")
    bad = Migration(2, "002_two", "CREATE TABLE two (x INTEGER);\nINSERT INTO nowhere VALUES (1);")
    with pytest.raises(StoreError, match="002_two"):
        await db.migrate([good, bad])
    assert await db.user_version() == 1
    assert await tables(db) == {"one"}


def test_both_dialects_number_the_same_migrations() -> None:
    shared = [m.version for m in discover_migrations()]
    assert [m.version for m in pg_migrations()] == shared
    # Every PostgreSQL-only text replaces a shared one of the same number and subject.
    names = {m.version: m.name for m in discover_migrations()}
    for migration in pg_migrations():
        assert migration.name == names[migration.version]


async def test_both_stores_end_with_the_same_tables_columns_and_indexes(
    pg_cluster: Cluster | str, tmp_path: Path
) -> None:
    """The two dialects' migrations build the same schema, column for column."""
    sqlite_db = await Database.open(tmp_path / "s.sqlite3")
    try:
        await sqlite_db.migrate()
        async with pg_database(running(pg_cluster)) as url:
            pg_db = await PostgresDatabase.connect(url)
            try:
                assert await columns(pg_db) == await columns(sqlite_db)
                assert await indexes(pg_db) == await indexes(sqlite_db)
            finally:
                await pg_db.close()
    finally:
        await sqlite_db.close()


async def test_a_postgresql_store_newer_than_the_code_is_refused(
    pg_cluster: Cluster | str,
) -> None:
    async with pg_database(running(pg_cluster)) as url:
        db = await PostgresDatabase.connect(url)
        try:
            await db.execute("INSERT INTO schema_version (version) VALUES (999)")
            with pytest.raises(StoreError, match="newer than this program knows"):
                await db.migrate()
        finally:
            await db.close()
        with pytest.raises(StoreError, match="newer than this program knows"):
            await Store.open(url)


async def test_a_store_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "future.sqlite3")
    try:
        await db.execute("PRAGMA user_version = 999")
        with pytest.raises(StoreError, match="newer than this program knows"):
            await db.migrate()
    finally:
        await db.close()


async def test_pragmas_the_bot_relies_on(sqlite_store: Store) -> None:
    store = sqlite_store
    assert (await store.db.fetch_one("PRAGMA journal_mode"))[0] == "wal"  # type: ignore[index]
    assert (await store.db.fetch_one("PRAGMA foreign_keys"))[0] == 1  # type: ignore[index]
    assert (await store.db.fetch_one("PRAGMA busy_timeout"))[0] >= 1000  # type: ignore[index]


async def test_file_is_private_to_its_owner(sqlite_store: Store) -> None:
    mode = stat.S_IMODE(sqlite_store.db.path.stat().st_mode)
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


async def test_backup_opens_and_passes_integrity_check(
    sqlite_store: Store, tmp_path: Path, shipped_ledger: LedgerFile, clock: ManualClock
) -> None:
    seeded_store = sqlite_store
    await seeded_store.ledger.apply_seed(shipped_ledger, now=clock.now())
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


async def test_backup_to_a_missing_directory_is_refused(
    sqlite_store: Store, tmp_path: Path
) -> None:
    target = tmp_path / "typo" / "copy.sqlite3"
    with pytest.raises(StoreError, match=r"backup directory .*typo does not exist: create it"):
        await sqlite_store.db.backup(target)
    assert not target.parent.exists()


async def test_backup_refuses_to_overwrite(sqlite_store: Store, tmp_path: Path) -> None:
    target = tmp_path / "exists.sqlite3"
    target.write_bytes(b"precious")
    with pytest.raises(StoreError, match="already exists"):
        await sqlite_store.db.backup(target)
    assert target.read_bytes() == b"precious"


async def test_a_postgresql_store_is_backed_up_with_pg_dump(
    pg_cluster: Cluster | str, tmp_path: Path
) -> None:
    target = tmp_path / "copy.dump"
    async with pg_database(running(pg_cluster)) as url:
        store = await Store.open(url)
        try:
            with pytest.raises(StoreError, match="back it up with pg_dump"):
                await store.db.backup(target)
        finally:
            await store.close()
    assert not target.exists()


async def test_processes_starting_together_apply_each_postgresql_migration_once(
    pg_cluster: Cluster | str,
) -> None:
    async with pg_database(running(pg_cluster), migrated=False) as url:
        first, second = await PostgresDatabase.connect(url), await PostgresDatabase.connect(url)
        try:
            applied = await asyncio.gather(first.migrate(), second.migrate())
            latest = pg_migrations()[-1].version
            assert sorted(applied[0] + applied[1]) == list(range(1, latest + 1))
            assert await first.user_version() == await second.user_version() == latest
        finally:
            await first.close()
            await second.close()


async def test_postgresql_write_transactions_take_turns_across_processes(
    pg_cluster: Cluster | str,
) -> None:
    """As with SQLite's write lock, a second process's write transaction starts only once the
    first has committed, and sees what it wrote; a third process's reads do not wait."""
    async with pg_database(running(pg_cluster)) as url:
        first, second = await PostgresDatabase.connect(url), await PostgresDatabase.connect(url)
        reader = await PostgresDatabase.connect(url)
        try:
            seen: list[object] = []

            async def later_writer() -> None:
                async with second.transaction() as conn:
                    row = await (await conn.execute("SELECT value FROM store_meta")).fetchone()
                    seen.append(None if row is None else row[0])

            async with first.transaction() as conn:
                await conn.execute("INSERT INTO store_meta (key, value) VALUES ('k', 'first')")
                waiting = asyncio.create_task(later_writer())
                await asyncio.sleep(0.3)
                assert not waiting.done()  # held at BEGIN while the first writes
                read = reader.fetch_all("SELECT value FROM store_meta")
                assert await asyncio.wait_for(read, 5) == []
            await asyncio.wait_for(waiting, 5)
            assert seen == ["first"]
        finally:
            for db in (first, second, reader):
                await db.close()


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
