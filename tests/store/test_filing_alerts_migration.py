"""Migration 011 lets alerts watch filings, keeping every alert, its outbox links and indexes."""

from __future__ import annotations

from bot.store.db import Database
from tests.store.catalog import dangling_references, migrations_for
from tests.store.catalog import indexes as stored_indexes

ALERT = (
    "INSERT INTO alerts (id, guild_id, channel_id, owner_id, symbol, kind, level, state, "
    "created_at, expires_at, basis, side, note) VALUES "
    "(7, 1, 2, 3, 'IREN', 'correlation', 0.3, 'armed', '2026-11-01T00:00:00+00:00', "
    "'2027-01-01T00:00:00+00:00', 'BTC-USD', 'above', 'keep me')"
)
OUTBOX = (
    "INSERT INTO outbox (id, dedupe_key, kind, channel_id, payload, nonce, next_attempt_at, "
    "created_at) VALUES (1, 'alert:7:1', 'alert', 2, '{}', 'n', '2026-11-20', '2026-11-20')"
)
FILING_ALERT = (
    "INSERT INTO alerts (guild_id, channel_id, owner_id, symbol, kind, level, created_at, "
    "expires_at) VALUES (1, 2, 3, 'CIFR', 'filing', 2, 'x', 'y')"
)


async def test_alerts_links_and_indexes_survive_and_filing_alerts_can_be_stored(
    empty_db: Database,
) -> None:
    db = empty_db
    migrations = migrations_for(db)
    await db.migrate([m for m in migrations if m.version < 11])
    await db.execute(ALERT)
    await db.execute(OUTBOX)
    await db.execute("INSERT INTO outbox_alerts (outbox_id, alert_id) VALUES (1, 7)")
    assert await db.migrate([m for m in migrations if m.version <= 11]) == [11]
    row = await db.fetch_one("SELECT kind, level, basis, side, note FROM alerts")
    assert row is not None
    assert tuple(row) == ("correlation", 0.3, "BTC-USD", "above", "keep me")
    links = await db.fetch_all("SELECT outbox_id, alert_id FROM outbox_alerts")
    assert [tuple(r) for r in links] == [(1, 7)]
    indexes = await stored_indexes(db)
    assert {
        "alerts_trigger",
        "alerts_by_owner",
        "alerts_by_expiry",
        "alerts_by_side",
        "alerts_by_level_side",
        "alerts_by_filing",
    } <= indexes
    assert await dangling_references(db) == []
    await db.execute(FILING_ALERT)
    stored = await db.fetch_one("SELECT level FROM alerts WHERE kind = 'filing'")
    assert stored is not None and stored[0] == 2
    # The link still cascades from the rebuilt table.
    await db.execute("DELETE FROM alerts WHERE id = 7")
    assert await db.fetch_all("SELECT * FROM outbox_alerts") == []
