"""SQL for per-server settings: the deal watch channel and how far its posts have got."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import aiosqlite

from bot.store.db import Database


@dataclass(frozen=True, slots=True)
class Watcher:
    """A server that watches the ledger: its channel and the last history entry it was sent."""

    guild_id: int
    channel_id: int
    after_history_id: int


class GuildSettingsRepo:
    """Per-server settings (one row per server, created on the first setting)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def watch_channel(self, guild_id: int) -> int | None:
        """Return the channel a server's deal watch posts to, if any."""
        row = await self._db.fetch_one(
            "SELECT watch_channel_id FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else row["watch_channel_id"]

    async def set_watch(self, guild_id: int, channel_id: int, *, now: datetime) -> None:
        """Post this server's ledger changes to ``channel_id`` from now on.

        A server that already watches keeps its position (moving the channel loses nothing);
        a new watch starts after the latest change, so the channel is not flooded with history.
        """
        query = """
            INSERT INTO guild_settings (guild_id, watch_channel_id, watch_after_history_id,
                                        updated_at)
            VALUES (:guild, :channel, (SELECT coalesce(max(id), 0) FROM contract_history), :now)
            ON CONFLICT (guild_id) DO UPDATE SET
                watch_channel_id = excluded.watch_channel_id,
                watch_after_history_id = coalesce(guild_settings.watch_after_history_id,
                                                  excluded.watch_after_history_id),
                updated_at = excluded.updated_at
        """
        params = {"guild": guild_id, "channel": channel_id, "now": now.astimezone(UTC).isoformat()}
        await self._db.execute(query, params)

    async def clear_watch(self, guild_id: int, *, now: datetime) -> bool:
        """Stop a server's deal watch; False when it was not watching."""
        query = """
            UPDATE guild_settings
            SET watch_channel_id = NULL, watch_after_history_id = NULL, updated_at = ?
            WHERE guild_id = ? AND watch_channel_id IS NOT NULL
        """
        return await self._db.execute(query, (now.astimezone(UTC).isoformat(), guild_id)) == 1

    async def drop_watch_channel(
        self, conn: aiosqlite.Connection, guild_id: int, channel_id: int, *, now: datetime
    ) -> bool:
        """Stop the watch if it still posts to ``channel_id`` (inside the caller's transaction)."""
        query = """
            UPDATE guild_settings
            SET watch_channel_id = NULL, watch_after_history_id = NULL, updated_at = ?
            WHERE guild_id = ? AND watch_channel_id = ?
        """
        cursor = await conn.execute(query, (now.astimezone(UTC).isoformat(), guild_id, channel_id))
        return cursor.rowcount == 1

    async def watchers(self, conn: aiosqlite.Connection) -> list[Watcher]:
        """Return every watching server, inside the caller's transaction."""
        query = """
            SELECT guild_id, watch_channel_id, coalesce(watch_after_history_id, 0) AS after_id
            FROM guild_settings WHERE watch_channel_id IS NOT NULL ORDER BY guild_id
        """
        rows = await conn.execute_fetchall(query)
        return [Watcher(row["guild_id"], row["watch_channel_id"], row["after_id"]) for row in rows]

    async def advance_watch(
        self, conn: aiosqlite.Connection, guild_id: int, history_id: int
    ) -> None:
        """Record that ``guild_id``'s watch has been sent everything up to ``history_id``."""
        query = """
            UPDATE guild_settings SET watch_after_history_id = ?
            WHERE guild_id = ? AND watch_channel_id IS NOT NULL
              AND coalesce(watch_after_history_id, 0) < ?
        """
        await conn.execute(query, (history_id, guild_id, history_id))
