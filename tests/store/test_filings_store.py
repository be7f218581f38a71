"""Migration 007 and the filings tables: CIKs arrive by re-seeding, and nothing else moves."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.filings.model import Level
from bot.ledger.records import LedgerFile
from bot.store import Store
from bot.store.db import Database
from tests.store.catalog import migrations_for


async def test_migration_006_makes_the_next_start_reapply_the_shipped_ledger(
    empty_db: Database,
) -> None:
    db = empty_db
    await db.migrate(migrations_for(db)[:5])
    await db.execute("INSERT INTO store_meta(key, value) VALUES ('ledger_as_of', '2026-12-04')")
    await db.migrate()
    assert await db.fetch_one("SELECT value FROM store_meta WHERE key = 'ledger_as_of'") is None


async def test_reseeding_fills_the_ciks_and_leaves_contracts_alone(
    seeded_store: Store, shipped_ledger: LedgerFile, clock: ManualClock
) -> None:
    db = seeded_store.db
    # A store seeded before the CIK existed: no CIK, and company snapshots without the field.
    await db.execute("UPDATE companies SET cik = NULL, seed_snapshot = '{}'")
    history = await db.fetch_one("SELECT count(*) AS n FROM contract_history")
    clock.advance(timedelta(days=1))
    report = await seeded_store.ledger.apply_seed(shipped_ledger, now=clock.now())
    assert not report.changed
    after = await db.fetch_one("SELECT count(*) AS n FROM contract_history")
    assert history is not None and after is not None and after["n"] == history["n"]
    cipher = await seeded_store.ledger.company("CIFR")
    assert cipher is not None and cipher.cik == "1819989"


async def test_the_store_refuses_a_malformed_cik(seeded_store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint"):
        await seeded_store.db.execute("UPDATE companies SET cik = 'CIK123' WHERE symbol = 'CIFR'")


async def test_a_watch_replaces_the_servers_previous_one(store: Store, clock: ManualClock) -> None:
    await store.filings.set_watch(1, 10, Level.ROUTINE, now=clock.now())
    await store.filings.set_watch(1, 11, Level.LIKELY, now=clock.now())
    watch = await store.filings.watch_of(1)
    assert watch is not None and (watch.channel_id, watch.min_level) == (11, Level.LIKELY)
    assert await store.filings.clear_watch(1)
    assert not await store.filings.clear_watch(1)
