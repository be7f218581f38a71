"""SQL for the filings watcher: cursors per company, filings found, and the servers watching."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import aiosqlite

from bot.filings.model import Filing, Level
from bot.store.db import Database


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where polling of one company has got to."""

    cik: str
    last_accession: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class FilingWatch:
    """A server that has new filings posted to a channel, from ``min_level`` up."""

    guild_id: int
    channel_id: int
    min_level: Level


_CURSOR: Final = "SELECT cik, last_accession, etag, last_modified FROM filing_cursors WHERE cik = ?"
_SAVE_CURSOR: Final = """
    INSERT INTO filing_cursors (cik, last_accession, etag, last_modified, baseline_at, polled_at)
    VALUES (:cik, :accession, :etag, :last_modified, :now, :now)
    ON CONFLICT (cik) DO UPDATE SET
        last_accession = excluded.last_accession, etag = excluded.etag,
        last_modified = excluded.last_modified, polled_at = excluded.polled_at
"""
_INSERT_FILING: Final = """
    INSERT OR IGNORE INTO filings (accession, cik, symbol, form, items, filed, accepted, title,
                                   primary_url, index_url, level, score, phrases, figures,
                                   baseline, found_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_KNOWN: Final = "SELECT accession FROM filings WHERE cik = ?"
_RECENT: Final = """
    SELECT f.*, coalesce(c.name, f.symbol) AS company FROM filings f
    LEFT JOIN companies c ON c.symbol = f.symbol
    WHERE (:symbol IS NULL OR f.symbol = :symbol)
    ORDER BY f.found_at DESC, coalesce(f.accepted, f.filed) DESC LIMIT :limit
"""
_WATCHES: Final = "SELECT guild_id, channel_id, min_level FROM filing_watches ORDER BY guild_id"
_SET_WATCH: Final = """
    INSERT INTO filing_watches (guild_id, channel_id, min_level, created_at)
    VALUES (?, ?, ?, ?)
    ON CONFLICT (guild_id) DO UPDATE SET
        channel_id = excluded.channel_id, min_level = excluded.min_level
"""
_CLEAR_WATCH: Final = "DELETE FROM filing_watches WHERE guild_id = ?"
_DROP_WATCH_CHANNEL: Final = "DELETE FROM filing_watches WHERE guild_id = ? AND channel_id = ?"
_WATCH_OF: Final = "SELECT guild_id, channel_id, min_level FROM filing_watches WHERE guild_id = ?"


class FilingsRepo:
    """The filings watcher's tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def cursor(self, cik: str) -> Cursor | None:
        """Return how far polling of ``cik`` has got, or None before its first poll."""
        row = await self._db.fetch_one(_CURSOR, (cik,))
        if row is None:
            return None
        return Cursor(row["cik"], row["last_accession"], row["etag"], row["last_modified"])

    async def known(self, cik: str) -> set[str]:
        """Return the accession numbers already stored for ``cik``."""
        return {row["accession"] for row in await self._db.fetch_all(_KNOWN, (cik,))}

    async def save_cursor(
        self,
        conn: aiosqlite.Connection,
        cik: str,
        accession: str,
        *,
        etag: str | None,
        last_modified: str | None,
        now: datetime,
    ) -> None:
        """Record the newest accession listed and the validators (in the caller's transaction)."""
        await conn.execute(
            _SAVE_CURSOR,
            {
                "cik": cik,
                "accession": accession,
                "etag": etag,
                "last_modified": last_modified,
                "now": now.astimezone(UTC).isoformat(),
            },
        )

    async def insert(self, conn: aiosqlite.Connection, filings: Iterable[Filing]) -> None:
        """Store filings (in the caller's transaction); one already stored is left alone."""
        await conn.executemany(
            _INSERT_FILING,
            [
                (
                    f.accession,
                    f.cik,
                    f.symbol,
                    f.form,
                    ",".join(f.items),
                    f.filed,
                    None if f.accepted is None else f.accepted.astimezone(UTC).isoformat(),
                    f.title,
                    f.primary_url,
                    f.index_url,
                    f.level.value,
                    f.score,
                    json.dumps(list(f.phrases)),
                    json.dumps(list(f.figures)),
                    int(f.baseline),
                    f.found_at.astimezone(UTC).isoformat(),
                )
                for f in filings
            ],
        )

    async def recent(self, symbol: str | None = None, *, limit: int = 10) -> list[Filing]:
        """Return the latest filings found (of one company, or of all), newest first."""
        rows = await self._db.fetch_all(_RECENT, {"symbol": symbol, "limit": limit})
        return [_row_to_filing(row) for row in rows]

    async def watches(self, conn: aiosqlite.Connection) -> list[FilingWatch]:
        """Return every server watching filings (in the caller's transaction)."""
        rows = await conn.execute_fetchall(_WATCHES)
        return [FilingWatch(r["guild_id"], r["channel_id"], Level(r["min_level"])) for r in rows]

    async def watch_of(self, guild_id: int) -> FilingWatch | None:
        """Return a server's filings watch, if it has one."""
        row = await self._db.fetch_one(_WATCH_OF, (guild_id,))
        if row is None:
            return None
        return FilingWatch(row["guild_id"], row["channel_id"], Level(row["min_level"]))

    async def set_watch(
        self, guild_id: int, channel_id: int, min_level: Level, *, now: datetime
    ) -> None:
        """Post this server's new filings to ``channel_id`` from now on (replacing any watch)."""
        await self._db.execute(
            _SET_WATCH, (guild_id, channel_id, min_level.value, now.astimezone(UTC).isoformat())
        )

    async def clear_watch(self, guild_id: int) -> bool:
        """Stop a server's filings watch; False when it had none."""
        return await self._db.execute(_CLEAR_WATCH, (guild_id,)) == 1

    async def drop_watch_channel(
        self, conn: aiosqlite.Connection, guild_id: int, channel_id: int
    ) -> bool:
        """Stop the watch if it still posts to ``channel_id`` (in the caller's transaction)."""
        cursor = await conn.execute(_DROP_WATCH_CHANNEL, (guild_id, channel_id))
        return cursor.rowcount == 1


def _row_to_filing(row: aiosqlite.Row) -> Filing:
    accepted = row["accepted"]
    return Filing(
        accession=row["accession"],
        cik=row["cik"],
        symbol=row["symbol"],
        company=row["company"],
        form=row["form"],
        items=tuple(i for i in row["items"].split(",") if i),
        filed=row["filed"],
        accepted=None if accepted is None else datetime.fromisoformat(accepted),
        title=row["title"],
        primary_url=row["primary_url"],
        index_url=row["index_url"],
        level=Level(row["level"]),
        score=row["score"],
        phrases=tuple(_strings(row["phrases"])),
        figures=tuple(_strings(row["figures"])),
        found_at=datetime.fromisoformat(row["found_at"]),
        baseline=bool(row["baseline"]),
    )


def _strings(text: str) -> Sequence[str]:
    value = json.loads(text)
    return [str(v) for v in value] if isinstance(value, list) else []
