"""Migration 009 rebuilds the alerts table for the new kinds, keeping rows, links and indexes."""

from __future__ import annotations

import sqlite3

import pytest

from bot.store.db import Database
from tests.store.catalog import dangling_references, migrations_for
from tests.store.catalog import indexes as stored_indexes

ALERT = (
    "INSERT INTO alerts (id, guild_id, channel_id, owner_id, symbol, kind, level, state, "
    "created_at, expires_at, move_up_day, note) VALUES "
    "(7, 1, 2, 3, 'CIFR', 'move_pct', 5.0, 'armed', '2026-11-01T00:00:00+00:00', "
    "'2027-01-01T00:00:00+00:00', '2026-11-20', 'keep me')"
)
OUTBOX = (
    "INSERT INTO outbox (id, dedupe_key, kind, channel_id, payload, nonce, next_attempt_at, "
    "created_at) VALUES (1, 'alert:7:1', 'alert', 2, '{}', 'n', '2026-11-20', '2026-11-20')"
)


async def test_alerts_and_their_outbox_links_survive_the_rebuild(empty_db: Database) -> None:
    db = empty_db
    migrations = migrations_for(db)
    before = [m for m in migrations if m.version < 9]
    await db.migrate(before)
    await db.execute(ALERT)
    await db.execute(OUTBOX)
    await db.execute("INSERT INTO outbox_alerts (outbox_id, alert_id) VALUES (1, 7)")
    assert await db.migrate([m for m in migrations if m.version <= 9]) == [9]
    row = await db.fetch_one("SELECT kind, level, move_up_day, note, basis FROM alerts")
    assert row is not None and tuple(row) == ("move_pct", 5.0, "2026-11-20", "keep me", None)
    links = await db.fetch_all("SELECT outbox_id, alert_id FROM outbox_alerts")
    assert [tuple(r) for r in links] == [(1, 7)]
    indexes = await stored_indexes(db)
    wanted = {"alerts_trigger", "alerts_by_owner", "alerts_by_expiry", "alerts_by_side"}
    assert wanted <= indexes
    assert await dangling_references(db) == []
    # The link still cascades from the rebuilt table.
    await db.execute("DELETE FROM alerts WHERE id = 7")
    assert await db.fetch_all("SELECT * FROM outbox_alerts") == []


@pytest.mark.parametrize(
    ("kind", "level", "basis"),
    [
        ("ma_cross", 0.0, None),  # an average alert names its average
        ("relative", 5.0, "ma50"),  # a relative alert names a benchmark
        ("above", 0.0, None),  # a price level is positive
        ("volume", 2.0, "NVDA"),  # only ma_cross and relative have a basis
        ("filing", 3.0, None),  # a filing alert's level is 0, 1 or 2
        ("filing", 1.0, "NVDA"),  # a filing alert has no basis
        ("filings", 1.0, None),  # not a kind
    ],
)
async def test_the_rebuilt_table_refuses_inconsistent_alerts(
    empty_db: Database, kind: str, level: float, basis: str | None
) -> None:
    db = empty_db
    await db.migrate()
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute(
            "INSERT INTO alerts (guild_id, channel_id, owner_id, symbol, kind, level, "
            "created_at, expires_at, basis) VALUES (1, 2, 3, 'CIFR', ?, ?, 'x', 'y', ?)",
            (kind, level, basis),
        )
