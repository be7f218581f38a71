"""The alert-sessions migration: alerts made before it follow regular hours, as they did."""

from __future__ import annotations

import sqlite3

import pytest

from bot.store.db import Database
from tests.store.catalog import migrations_for

ALERT = (
    "INSERT INTO alerts (id, guild_id, channel_id, owner_id, symbol, kind, level, state, "
    "created_at, expires_at) VALUES (7, 1, 2, 3, 'CIFR', 'above', 16.0, 'armed', "
    "'2026-11-01T00:00:00+00:00', '2027-01-01T00:00:00+00:00')"
)


def _sessions_version(db: Database) -> int:
    (found,) = [m.version for m in migrations_for(db) if m.name.endswith("_alert_sessions")]
    return found


async def test_existing_alerts_keep_regular_hours_and_only_the_two_sessions_exist(
    empty_db: Database,
) -> None:
    db = empty_db
    version = _sessions_version(db)
    migrations = migrations_for(db)
    await db.migrate([m for m in migrations if m.version < version])
    await db.execute(ALERT)
    assert await db.migrate([m for m in migrations if m.version <= version]) == [version]
    row = await db.fetch_one("SELECT session FROM alerts WHERE id = 7")
    assert row is not None and row["session"] == "regular"
    await db.execute("UPDATE alerts SET session = 'extended' WHERE id = 7")
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute("UPDATE alerts SET session = 'overnight' WHERE id = 7")
