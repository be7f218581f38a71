"""SQL for the daily summary: per-server settings, the one-run-per-day claims, and its inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final

import aiosqlite

from bot.alerts.model import Alert
from bot.ledger.model import HistoryEntry
from bot.store.alerts import ALERT_COLUMNS, row_to_alert
from bot.store.db import Database
from bot.store.ledger import HISTORY_FIELDS, row_to_history
from bot.summary.model import PauseReason, RunStatus, SummaryConfig, SummaryRun

_CONFIG_COLUMNS: Final = (
    "guild_id, summary_channel_id, summary_time, summary_timezone, summary_days, "
    "summary_enabled, summary_configured_at, summary_paused_reason, summary_paused_at"
)
_RUN_COLUMNS: Final = """
    r.guild_id, r.local_day, r.status, r.scheduled_for, r.created_at, r.outbox_id,
    r.history_id, r.reason, o.state AS delivery, o.delivered_at, o.last_error
"""
_CONFIGURE: Final = """
    INSERT INTO guild_settings (guild_id, summary_channel_id, summary_time, summary_timezone,
                                summary_days, summary_enabled, summary_configured_at,
                                summary_paused_reason, summary_paused_at, updated_at)
    VALUES (:guild, :channel, :at, :zone, :days, 1, :now, NULL, NULL, :now)
    ON CONFLICT (guild_id) DO UPDATE SET
        summary_channel_id = excluded.summary_channel_id,
        summary_time = excluded.summary_time,
        summary_timezone = excluded.summary_timezone,
        summary_days = excluded.summary_days,
        summary_enabled = 1,
        summary_configured_at = excluded.summary_configured_at,
        summary_paused_reason = NULL,
        summary_paused_at = NULL,
        updated_at = excluded.updated_at
"""
# The claim: a second run for the same server and local day inserts nothing.
_CLAIM: Final = """
    INSERT INTO summary_runs (guild_id, local_day, status, scheduled_for, history_id, created_at)
    VALUES (:guild, :day, :status, :slot, :history, :now)
    ON CONFLICT (guild_id, local_day) DO NOTHING
"""
# The changes one run lists: global ones, and the server's own.
_HISTORY: Final = f"""
    SELECT h.id, {", ".join(f"h.{name}" for name in HISTORY_FIELDS)}
    FROM contract_history AS h JOIN contracts AS c ON c.id = h.contract_id
    WHERE h.id > :after AND h.id <= :upto AND h.at > :since
      AND (c.guild_id IS NULL OR c.guild_id = :guild)
    ORDER BY h.id
    LIMIT :limit
"""  # noqa: S608 - interpolates only the constant column list


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _config(row: aiosqlite.Row) -> SummaryConfig:
    reason = row["summary_paused_reason"]
    return SummaryConfig(
        guild_id=row["guild_id"],
        channel_id=row["summary_channel_id"],
        at=row["summary_time"],
        zone=row["summary_timezone"],
        days=row["summary_days"],
        enabled=bool(row["summary_enabled"]),
        configured_at=_moment(row["summary_configured_at"]),
        paused_reason=None if reason is None else PauseReason(reason),
        paused_at=_moment(row["summary_paused_at"]),
    )


def _run(row: aiosqlite.Row) -> SummaryRun:
    return SummaryRun(
        guild_id=row["guild_id"],
        local_day=date.fromisoformat(row["local_day"]),
        status=RunStatus(row["status"]),
        scheduled_for=datetime.fromisoformat(row["scheduled_for"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        outbox_id=row["outbox_id"],
        history_id=row["history_id"],
        reason=row["reason"],
        delivery=row["delivery"],
        delivered_at=_moment(row["delivered_at"]),
        last_error=row["last_error"],
    )


class SummaryRepo:
    """Daily-summary settings, runs and the reads that feed a server's part of a summary."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # ----- configuration -----------------------------------------------------------------
    async def config(self, guild_id: int) -> SummaryConfig | None:
        """Return a server's summary settings (None before it has any settings row)."""
        query = f"SELECT {_CONFIG_COLUMNS} FROM guild_settings WHERE guild_id = ?"  # noqa: S608
        row = await self._db.fetch_one(query, (guild_id,))
        return None if row is None else _config(row)

    async def active(self) -> list[SummaryConfig]:
        """Return every server whose summary is on and not paused, by id."""
        query = f"""
            SELECT {_CONFIG_COLUMNS} FROM guild_settings
            WHERE summary_enabled = 1 AND summary_paused_reason IS NULL
            ORDER BY guild_id
        """  # noqa: S608
        return [_config(row) for row in await self._db.fetch_all(query)]

    async def configure(
        self, guild_id: int, channel_id: int, at: str, zone: str, days: str, *, now: datetime
    ) -> SummaryConfig:
        """Turn a server's summary on with these settings (clearing any pause); return them."""
        params = {
            "guild": guild_id,
            "channel": channel_id,
            "at": at,
            "zone": zone,
            "days": days,
            "now": _iso(now),
        }
        await self._db.execute(_CONFIGURE, params)
        config = await self.config(guild_id)
        assert config is not None  # just written
        return config

    async def turn_off(self, guild_id: int, *, now: datetime) -> bool:
        """Stop a server's summary; False when it was not on."""
        query = """
            UPDATE guild_settings SET summary_enabled = 0, summary_paused_reason = NULL,
                                      summary_paused_at = NULL, updated_at = ?
            WHERE guild_id = ? AND summary_enabled = 1
        """
        return await self._db.execute(query, (_iso(now), guild_id)) == 1

    async def pause(
        self,
        conn: aiosqlite.Connection,
        guild_id: int,
        channel_id: int,
        reason: PauseReason,
        *,
        now: datetime,
    ) -> bool:
        """Pause the summary if it still posts to ``channel_id`` (in the caller's transaction)."""
        query = """
            UPDATE guild_settings
            SET summary_paused_reason = ?, summary_paused_at = ?, updated_at = ?
            WHERE guild_id = ? AND summary_channel_id = ? AND summary_enabled = 1
              AND summary_paused_reason IS NULL
        """
        stamp = _iso(now)
        cursor = await conn.execute(query, (reason.value, stamp, stamp, guild_id, channel_id))
        return cursor.rowcount == 1

    # ----- runs --------------------------------------------------------------------------
    async def claim(
        self,
        conn: aiosqlite.Connection,
        guild_id: int,
        day: date,
        *,
        scheduled_for: datetime,
        history_id: int,
        now: datetime,
    ) -> bool:
        """Claim ``day`` for a posted summary (caller's transaction); False if already taken."""
        params = {
            "guild": guild_id,
            "day": day.isoformat(),
            "status": RunStatus.POSTED.value,
            "slot": _iso(scheduled_for),
            "history": history_id,
            "now": _iso(now),
        }
        cursor = await conn.execute(_CLAIM, params)
        return cursor.rowcount == 1

    async def link_outbox(
        self, conn: aiosqlite.Connection, guild_id: int, day: date, outbox_id: int
    ) -> None:
        """Record which outbox row carries a claimed day's summary."""
        query = "UPDATE summary_runs SET outbox_id = ? WHERE guild_id = ? AND local_day = ?"
        await conn.execute(query, (outbox_id, guild_id, day.isoformat()))

    async def record_skip(
        self, guild_id: int, day: date, *, scheduled_for: datetime, reason: str, now: datetime
    ) -> bool:
        """Record ``day`` as skipped; False if that day already has a run."""
        params = {
            "guild": guild_id,
            "day": day.isoformat(),
            "status": RunStatus.SKIPPED.value,
            "slot": _iso(scheduled_for),
            "history": 0,
            "now": _iso(now),
        }
        async with self._db.transaction() as conn:
            cursor = await conn.execute(_CLAIM, params)
            if cursor.rowcount != 1:
                return False
            await conn.execute(
                "UPDATE summary_runs SET reason = ? WHERE guild_id = ? AND local_day = ?",
                (reason[:200], guild_id, day.isoformat()),
            )
        return True

    async def mark_paused(self, conn: aiosqlite.Connection, outbox_id: int, reason: str) -> None:
        """Mark the run an outbox row carried as paused (the channel refused it)."""
        query = "UPDATE summary_runs SET status = 'paused', reason = ? WHERE outbox_id = ?"
        await conn.execute(query, (reason[:200], outbox_id))

    async def run(self, guild_id: int, day: date) -> SummaryRun | None:
        """Return a server's run for one local day, if any."""
        query = f"""
            SELECT {_RUN_COLUMNS} FROM summary_runs AS r LEFT JOIN outbox AS o ON o.id = r.outbox_id
            WHERE r.guild_id = ? AND r.local_day = ?
        """  # noqa: S608
        row = await self._db.fetch_one(query, (guild_id, day.isoformat()))
        return None if row is None else _run(row)

    async def last_run(self, guild_id: int) -> SummaryRun | None:
        """Return a server's most recent run (by scheduled time)."""
        query = f"""
            SELECT {_RUN_COLUMNS} FROM summary_runs AS r LEFT JOIN outbox AS o ON o.id = r.outbox_id
            WHERE r.guild_id = ? ORDER BY r.scheduled_for DESC LIMIT 1
        """  # noqa: S608
        row = await self._db.fetch_one(query, (guild_id,))
        return None if row is None else _run(row)

    async def covered_history(self, guild_id: int) -> int | None:
        """Return the history id the server's last posted summary covered (None: no summary)."""
        query = """
            SELECT max(history_id) FROM summary_runs
            WHERE guild_id = ? AND status IN ('posted', 'paused')
        """
        row = await self._db.fetch_one(query, (guild_id,))
        return None if row is None or row[0] is None else int(row[0])

    # ----- what a server's part of the summary reads --------------------------------------
    async def latest_history_id(self) -> int:
        """Return the newest contract_history id (0 for an empty history)."""
        row = await self._db.fetch_one("SELECT coalesce(max(id), 0) FROM contract_history")
        return int(row[0]) if row else 0

    async def history(
        self,
        guild_id: int,
        *,
        after_id: int,
        upto_id: int,
        since: datetime | None = None,
        limit: int = 500,
    ) -> list[tuple[int, HistoryEntry]]:
        """Return the changes a server sees in (after_id, upto_id], optionally after ``since``."""
        params: dict[str, Any] = {
            "after": after_id,
            "upto": upto_id,
            "since": "" if since is None else _iso(since),
            "guild": guild_id,
            "limit": limit,
        }
        rows = await self._db.fetch_all(_HISTORY, params)
        return [(row["id"], row_to_history(row)) for row in rows]

    async def has_own_contracts(self, guild_id: int) -> bool:
        """Tell whether a server keeps contracts of its own (its view differs from the global)."""
        query = """
            SELECT EXISTS (SELECT 1 FROM contracts WHERE guild_id = ? AND deleted_at IS NULL)
        """
        row = await self._db.fetch_one(query, (guild_id,))
        return bool(row and row[0])

    async def fired_alerts(self, guild_id: int, since: datetime) -> list[Alert]:
        """Return a server's alerts that last fired at or after ``since``, newest first."""
        query = f"""
            SELECT {ALERT_COLUMNS} FROM alerts
            WHERE guild_id = ? AND last_fired_at >= ?
            ORDER BY last_fired_at DESC, id
        """  # noqa: S608
        rows = await self._db.fetch_all(query, (guild_id, _iso(since)))
        return [row_to_alert(row) for row in rows]
