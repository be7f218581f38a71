"""The alert write-indexes migration: expiry still retires every active alert once it is due,
and an evaluation's state change no longer rewrites the owner and expiry indexes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.alerts.model import AlertState, PauseReason
from bot.store.alerts import AlertRepo
from bot.store.db import Database, discover_migrations

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
PAST = "2026-11-30T00:00:00+00:00"
FUTURE = "2027-01-01T00:00:00+00:00"
INSERT = (
    "INSERT INTO alerts (id, guild_id, channel_id, owner_id, symbol, kind, level, state, "
    "created_at, expires_at) VALUES (?, 1, 2, 3, 'CIFR', 'above', 16.0, ?, "
    "'2026-11-01T00:00:00+00:00', ?)"
)
# id: (state, expires_at) as stored before the migration
ALERTS = {
    1: ("armed", PAST),
    2: ("rearming", PAST),
    3: ("paused", PAST),
    4: ("fired", PAST),
    5: ("removed", PAST),
    6: ("expired", PAST),
    7: ("armed", FUTURE),
}


def _version() -> int:
    (found,) = [m.version for m in discover_migrations() if m.name.endswith("_alert_write_indexes")]
    return found


async def _states(db: Database) -> dict[int, str]:
    rows = await db.fetch_all("SELECT id, state FROM alerts ORDER BY id")
    return {row["id"]: row["state"] for row in rows}


async def test_due_alerts_expire_once_and_a_fired_alert_paused_later_still_expires(
    tmp_path: Path,
) -> None:
    version = _version()
    migrations = discover_migrations()
    db = await Database.open(tmp_path / "s.sqlite3")
    try:
        await db.migrate([m for m in migrations if m.version < version])
        for alert_id, (state, expires) in ALERTS.items():
            await db.execute(INSERT, (alert_id, state, expires))
        applied = await db.migrate(migrations)
        assert applied == [m.version for m in migrations if m.version >= version]
        repo = AlertRepo(db)
        async with db.transaction() as conn:
            expired = await repo.expire_due(conn, NOW)
        assert [a.id for a in expired] == [1, 2, 3]  # the active ones past their expiry
        assert await _states(db) == {
            1: "expired",
            2: "expired",
            3: "expired",
            4: "fired",
            5: "removed",
            6: "expired",
            7: "armed",
        }
        async with db.transaction() as conn:
            assert await repo.expire_due(conn, NOW) == []  # nothing is told twice
            # A delivery failure pauses the fired alert: it is active again, and past due.
            await repo.pause_many(conn, [4], PauseReason.DM_CLOSED)
        async with db.transaction() as conn:
            again = await repo.expire_due(conn, NOW)
        assert [(a.id, a.state) for a in again] == [(4, AlertState.PAUSED)]
        assert (await _states(db))[4] == "expired"
    finally:
        await db.close()


async def test_only_the_trigger_index_holds_the_state_an_evaluation_changes(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "s.sqlite3")
    try:
        await db.migrate()
        names = [
            row["name"]
            for row in await db.fetch_all(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alerts'"
                " AND sql IS NOT NULL"
            )
        ]
        written = {"state", "fired_count", "last_fired_at", "cooldown_until"}
        touched = set()
        for name in names:
            columns = {row["name"] for row in await db.fetch_all(f"PRAGMA index_info({name})")}
            sql = await db.fetch_one("SELECT sql FROM sqlite_master WHERE name = ?", (name,))
            assert sql is not None
            where = sql[0].partition(" WHERE ")[2]
            if columns & written or any(column in where for column in written):
                touched.add(name)
        # Every state change moves the alert in the trigger index; the filing index holds
        # filing alerts only. Nothing else must follow a price alert's state.
        assert touched == {"alerts_trigger", "alerts_by_filing"}
    finally:
        await db.close()
