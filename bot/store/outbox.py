"""SQL for the outbox: messages owed, their delivery attempts, and the alerts they carry."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import cast

import aiosqlite

from bot.outbox.model import (
    Destination,
    OutboxFile,
    OutboxKind,
    OutboxMessage,
    OutboxRow,
    OutboxState,
    Payload,
    Settlement,
)
from bot.store.db import Database
from bot.store.postgres import PostgresDatabase

log = logging.getLogger(__name__)

_COLUMNS = (
    "id, dedupe_key, kind, guild_id, channel_id, user_id, payload, nonce, state, attempts, "
    "next_attempt_at, created_at, delivered_at, message_id, last_error, unanswered_since, "
    "settled_by, search_pages, claimed_by, claimed_until"
)
# One statement inserts a batch of messages (one round trip); duplicates are skipped and
# RETURNING names the rows actually created.
_INSERT_HEAD = """
    INSERT INTO outbox (dedupe_key, kind, guild_id, channel_id, user_id, payload, nonce,
                        next_attempt_at, created_at)
    VALUES """
_INSERT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_TAIL = " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key"
_INSERT_BATCH = 100  # 900 parameters, far below SQLite's limit
_LINK = "INSERT OR IGNORE INTO outbox_alerts (outbox_id, alert_id) VALUES (?, ?)"
# File bytes are stored once per content: a thousand messages with one chart keep one copy.
_PUT_FILE = """
    INSERT INTO outbox_files (sha256, data, created_at) VALUES (?, ?, ?)
    ON CONFLICT (sha256) DO NOTHING
"""
# Files no pending message needs any more, older than a cut-off (a delivered message's file
# is kept a while: a re-sent copy of its payload would still find it).
_PRUNE_FILES = """
    DELETE FROM outbox_files
    WHERE created_at < :before
      AND sha256 NOT IN (
          SELECT json_extract(f.value, '$.sha256')
          FROM outbox AS o, json_each(o.payload, '$.files') AS f
          WHERE o.state = 'pending'
      )
"""
# Due rows, oldest first; a row waits while an older row to the same destination is still
# backing off, so one destination's messages arrive in the order they were decided.
_DUE = f"""
    SELECT {_COLUMNS} FROM outbox AS o
    WHERE o.state = 'pending' AND o.next_attempt_at <= :now
      AND NOT EXISTS (
          SELECT 1 FROM outbox AS e
          WHERE e.state = 'pending' AND e.next_attempt_at > :now AND e.id < o.id
            AND e.channel_id IS o.channel_id AND e.user_id IS o.user_id
      )
    ORDER BY o.id
    LIMIT :limit
"""  # noqa: S608 - the interpolated part is a constant column list

# Due rows are claimed, in one statement, by the worker that sends them: rows nobody holds
# (or whose holder's lease ran out, or that are already ours), oldest first. A destination
# belongs to one worker at a time, so that its messages keep their order: none of its rows
# is claimed while another worker's live claim holds one of them, nor while an older one
# backs off. PostgreSQL skips rows another transaction is claiming (the SQLite writer is
# alone anyway). The destinations other workers hold are read once, from the small index of
# claimed rows, into a set each candidate is checked against (the key never is NULL: 0 is
# no Discord id), never among every pending row per candidate.
_CLAIM = """
    UPDATE outbox SET claimed_by = :me, claimed_until = :until
    WHERE id IN (
        SELECT o.id FROM outbox AS o
        WHERE o.state = 'pending' AND o.next_attempt_at <= :now
          AND (o.claimed_by IS NULL OR o.claimed_until <= :now OR o.claimed_by = :me)
          AND NOT EXISTS (
              SELECT 1 FROM outbox AS e
              WHERE e.state = 'pending' AND e.next_attempt_at > :now AND e.id < o.id
                AND e.channel_id IS o.channel_id AND e.user_id IS o.user_id
          )
          AND (coalesce(o.channel_id, 0), coalesce(o.user_id, 0)) NOT IN (
              SELECT coalesce(c.channel_id, 0), coalesce(c.user_id, 0)
              FROM outbox AS c INDEXED BY outbox_claims
              WHERE c.claimed_by IS NOT NULL AND c.claimed_by <> :me
                AND c.claimed_until > :now AND c.state = 'pending'
          )
        ORDER BY o.id
        LIMIT :limit{lock}
    )
    RETURNING {columns}
"""
_PG_ROW_LOCK = " FOR UPDATE OF o SKIP LOCKED"
_RENEW = """
    UPDATE outbox SET claimed_until = :until
    WHERE claimed_by = :me AND state = 'pending'
"""
_RELEASE = "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?"
_CLAIMANTS = """
    SELECT DISTINCT claimed_by FROM outbox
    WHERE claimed_by IS NOT NULL AND claimed_until > ? AND state = 'pending'
"""
# When the first live claim of another worker runs out: its rows may be taken over then.
_NEXT_EXPIRY = """
    SELECT min(claimed_until) FROM outbox
    WHERE claimed_by IS NOT NULL AND claimed_by <> ? AND claimed_until > ? AND state = 'pending'
"""

# Written (and committed) before a send leaves: if no answer is recorded after it, the row is
# uncertain. ``keep_since`` keeps the start of an earlier unanswered attempt, which may be
# the one that posted; a complete read of the channel since then clears it.
_BEGIN_ATTEMPT = """
    UPDATE outbox
    SET unanswered_since = CASE WHEN :keep_since THEN coalesce(unanswered_since, :now)
                                ELSE :now END,
        settled_by = coalesce(:settled_by, settled_by),
        search_pages = search_pages + :pages,
        claimed_until = coalesce(:until, claimed_until)
    WHERE id = :id AND state = 'pending' AND (:worker IS NULL OR claimed_by = :worker)
"""
_MARK_DELIVERED = """
    UPDATE outbox SET state = 'delivered', delivered_at = :now, message_id = :message_id,
                      attempts = attempts + 1, last_error = NULL, unanswered_since = NULL,
                      settled_by = coalesce(:settled_by, settled_by),
                      search_pages = search_pages + :pages,
                      claimed_by = NULL, claimed_until = NULL
    WHERE id = :id AND state = 'pending'
"""
# ``answered``: Discord surely did not create the message on this attempt; the row stays
# uncertain only if an earlier attempt may have.
_MARK_RETRY = """
    UPDATE outbox SET attempts = attempts + 1, next_attempt_at = :next_at, last_error = :error,
                      unanswered_since = CASE WHEN :answered AND NOT :was_uncertain THEN NULL
                                              ELSE unanswered_since END,
                      claimed_by = NULL, claimed_until = NULL
    WHERE id = :id AND state = 'pending'
"""
_MARK_UNDELIVERABLE = """
    UPDATE outbox SET state = 'undeliverable', attempts = attempts + 1, last_error = ?,
                      unanswered_since = NULL, claimed_by = NULL, claimed_until = NULL
    WHERE id = ? AND state = 'pending'
"""
# How uncertain sends were settled, and the history pages read to settle them (/status).
_SETTLEMENTS = """
    SELECT settled_by, count(*), sum(search_pages) FROM outbox
    WHERE settled_by IS NOT NULL
    GROUP BY settled_by
"""


def _settled(settled_by: Settlement | None, pages: int) -> dict[str, object]:
    """How an attempt was settled, as the :settled_by and :pages parameters."""
    return {"settled_by": None if settled_by is None else settled_by.value, "pages": pages}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


# One encoder for every row: json.dumps with options builds a new one per call, which a
# market-wide evaluation's thousands of rows pay for on the event loop. No check for cycles
# (a payload is built fresh from plain values, never refers to itself): it keeps a table of
# every list and dict it meets, an eighth of the encoding's time.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def _stored_payload(message: OutboxMessage) -> str:
    """Return the payload JSON as stored: the message's files named by their hashes."""
    payload = message.payload
    if message.files:
        payload = {**payload, "files": [file.ref for file in message.files]}
    return _ENCODER.encode(payload)


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _row(row: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        dedupe_key=row["dedupe_key"],
        kind=OutboxKind(row["kind"]),
        guild_id=row["guild_id"],
        destination=Destination(channel_id=row["channel_id"], user_id=row["user_id"]),
        payload=cast(Payload, json.loads(row["payload"])),
        nonce=row["nonce"],
        state=OutboxState(row["state"]),
        attempts=row["attempts"],
        next_attempt_at=datetime.fromisoformat(row["next_attempt_at"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        delivered_at=_moment(row["delivered_at"]),
        message_id=row["message_id"],
        last_error=row["last_error"],
        unanswered_since=_moment(row["unanswered_since"]),
        settled_by=None if row["settled_by"] is None else Settlement(row["settled_by"]),
        search_pages=row["search_pages"],
        claimed_by=row["claimed_by"],
        claimed_until=_moment(row["claimed_until"]),
    )


class OutboxRepo:
    """Messages the bot owes, written in the transaction that decides them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(
        self, conn: aiosqlite.Connection, messages: Sequence[OutboxMessage], *, now: datetime
    ) -> list[int]:
        """Insert ``messages`` inside the caller's transaction; return the ids of new rows."""
        # A message whose dedupe key is already stored is skipped: the decision it reports
        # was already recorded, and it must not be sent twice.
        stamp = _iso(now)
        files = {file.sha256: file for message in messages for file in message.files}
        if files:
            await _put_files(conn, files.values(), stamp)
        created: dict[str, int] = {}
        for start in range(0, len(messages), _INSERT_BATCH):
            batch = messages[start : start + _INSERT_BATCH]
            params: list[object] = []
            for message in batch:
                params += (
                    message.dedupe_key,
                    message.kind.value,
                    message.guild_id,
                    message.destination.channel_id,
                    message.destination.user_id,
                    _stored_payload(message),
                    message.nonce,
                    stamp,
                    stamp,
                )
            query = _INSERT_HEAD + ", ".join([_INSERT_ROW] * len(batch)) + _INSERT_TAIL
            for row_id, key in await conn.execute_fetchall(query, params):
                created[key] = row_id
        links = [
            (created[m.dedupe_key], alert_id)
            for m in messages
            if m.dedupe_key in created
            for alert_id in m.alert_ids
        ]
        if links:
            await conn.executemany(_LINK, links)
        skipped = len(messages) - len(created)
        if skipped:
            log.info("%d message(s) already in the outbox; not queued again", skipped)
        return sorted(created.values())  # ids grow with insertion: this is the given order

    async def file(self, sha256: str) -> bytes | None:
        """Return the bytes of an attachment by its SHA-256 (None when not stored)."""
        row = await self._db.fetch_one("SELECT data FROM outbox_files WHERE sha256 = ?", (sha256,))
        return None if row is None else bytes(row[0])

    async def prune_files(self, *, before: datetime) -> int:
        """Delete stored files older than ``before`` that no pending message needs."""
        return await self._db.execute(_PRUNE_FILES, {"before": _iso(before)})

    async def due(self, now: datetime, *, limit: int = 100) -> list[OutboxRow]:
        """Return the due pending rows, oldest first, keeping each destination's order."""
        rows = await self._db.fetch_all(_DUE, {"now": _iso(now), "limit": limit})
        return [_row(row) for row in rows]

    async def claim(
        self, now: datetime, *, worker: str, until: datetime, limit: int = 100
    ) -> list[OutboxRow]:
        """Claim the due rows ``worker`` may send until ``until``; return them oldest first.

        The same rows as ``due``, less the destinations another worker holds; the rows this
        worker already holds come back (renewed).
        """
        lock = _PG_ROW_LOCK if isinstance(self._db, PostgresDatabase) else ""
        query = _CLAIM.format(lock=lock, columns=_COLUMNS)
        params = {"me": worker, "until": _iso(until), "now": _iso(now), "limit": limit}
        async with self._db.transaction() as conn:
            rows = await conn.execute_fetchall(query, params)
        return sorted((_row(row) for row in rows), key=lambda row: row.id)

    async def renew(self, *, worker: str, until: datetime) -> int:
        """Extend every claim ``worker`` holds to ``until``; return how many rows it holds."""
        return await self._db.execute(_RENEW, {"me": worker, "until": _iso(until)})

    async def release(self, worker: str) -> int:
        """Free every row ``worker`` still holds (a round ended, or its process is gone)."""
        return await self._db.execute(_RELEASE, (worker,))

    async def claimants(self, now: datetime) -> set[str]:
        """Return the workers holding a live claim on some pending row."""
        rows = await self._db.fetch_all(_CLAIMANTS, (_iso(now),))
        return {str(row[0]) for row in rows}

    async def next_claim_expiry(self, *, worker: str, after: datetime) -> datetime | None:
        """Return when the first live claim of another worker runs out (None: none held)."""
        row = await self._db.fetch_one(_NEXT_EXPIRY, (worker, _iso(after)))
        return _moment(row[0]) if row else None

    async def begin_attempt(
        self,
        row_id: int,
        *,
        now: datetime,
        keep_since: bool = True,
        settled_by: Settlement | None = None,
        pages: int = 0,
        worker: str | None = None,
        lease_until: datetime | None = None,
    ) -> bool:
        """Record that an attempt starts now (before it is sent), with how it was settled.

        With ``worker``, only while that worker still holds the row (its lease renewed to
        ``lease_until``): False means the row is not to be sent by it.
        """
        params = {
            "id": row_id,
            "now": _iso(now),
            "keep_since": keep_since,
            "worker": worker,
            "until": None if lease_until is None else _iso(lease_until),
            **_settled(settled_by, pages),
        }
        return await self._db.execute(_BEGIN_ATTEMPT, params) == 1

    async def mark_delivered(
        self,
        row_id: int,
        message_id: int,
        *,
        now: datetime,
        settled_by: Settlement | None = None,
        pages: int = 0,
    ) -> bool:
        """Record row ``row_id`` as delivered as ``message_id``; False if it was not pending."""
        params = {
            "id": row_id,
            "now": _iso(now),
            "message_id": message_id,
            **_settled(settled_by, pages),
        }
        return await self._db.execute(_MARK_DELIVERED, params) == 1

    async def mark_retry(
        self,
        row_id: int,
        *,
        next_attempt_at: datetime,
        error: str,
        answered: bool = False,
        was_uncertain: bool = True,
    ) -> None:
        """Count a failed attempt and schedule the next one (uncertain unless ``answered``)."""
        params = {
            "id": row_id,
            "next_at": _iso(next_attempt_at),
            "error": error[:500],
            "answered": answered,
            "was_uncertain": was_uncertain,
        }
        await self._db.execute(_MARK_RETRY, params)

    async def mark_undeliverable(
        self, conn: aiosqlite.Connection, row_id: int, *, error: str
    ) -> bool:
        """Give up on row ``row_id`` in the caller's transaction; False if it was not pending."""
        cursor = await conn.execute(_MARK_UNDELIVERABLE, (error[:500], row_id))
        return cursor.rowcount == 1

    async def settlements(self) -> dict[Settlement, tuple[int, int]]:
        """Return, per way of settling, how many uncertain rows and how many pages read."""
        rows = await self._db.fetch_all(_SETTLEMENTS)
        return {Settlement(row[0]): (int(row[1]), int(row[2] or 0)) for row in rows}

    async def get(self, row_id: int) -> OutboxRow | None:
        """Return one row by id."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (row_id,))  # noqa: S608
        return None if row is None else _row(row)

    async def known_keys(self, conn: aiosqlite.Connection, keys: Sequence[str]) -> set[str]:
        """Return which of ``keys`` already have a row (inside the caller's transaction)."""
        found: set[str] = set()
        for start in range(0, len(keys), _INSERT_BATCH):
            batch = keys[start : start + _INSERT_BATCH]
            marks = ", ".join("?" * len(batch))
            query = f"SELECT dedupe_key FROM outbox WHERE dedupe_key IN ({marks})"  # noqa: S608
            found.update(row[0] for row in await conn.execute_fetchall(query, batch))
        return found

    async def by_key(self, dedupe_key: str) -> OutboxRow | None:
        """Return the row owed for ``dedupe_key``, if any."""
        query = f"SELECT {_COLUMNS} FROM outbox WHERE dedupe_key = ?"  # noqa: S608
        row = await self._db.fetch_one(query, (dedupe_key,))
        return None if row is None else _row(row)

    async def rows(self, *, state: OutboxState | None = None) -> list[OutboxRow]:
        """Return every row (optionally in one state), oldest first."""
        if state is None:
            rows = await self._db.fetch_all(f"SELECT {_COLUMNS} FROM outbox ORDER BY id")  # noqa: S608
        else:
            query = f"SELECT {_COLUMNS} FROM outbox WHERE state = ? ORDER BY id"  # noqa: S608
            rows = await self._db.fetch_all(query, (state.value,))
        return [_row(row) for row in rows]

    async def next_attempt_at(self, *, after: datetime) -> datetime | None:
        """Return when the next pending row not yet due becomes due (None when there is none)."""
        query = """
            SELECT min(next_attempt_at) FROM outbox
            WHERE state = 'pending' AND next_attempt_at > ?
        """
        row = await self._db.fetch_one(query, (_iso(after),))
        return _moment(row[0]) if row else None

    async def pending_count(self) -> int:
        """Return how many messages wait for delivery (for /status)."""
        row = await self._db.fetch_one("SELECT count(*) FROM outbox WHERE state = 'pending'")
        return int(row[0]) if row else 0

    async def alert_ids(self, conn: aiosqlite.Connection, outbox_id: int) -> list[int]:
        """Return the ids of the alerts row ``outbox_id`` reports."""
        query = "SELECT alert_id FROM outbox_alerts WHERE outbox_id = ? ORDER BY alert_id"
        async with conn.execute(query, (outbox_id,)) as cursor:
            return [row[0] for row in await cursor.fetchall()]


async def _put_files(conn: aiosqlite.Connection, files: Iterable[OutboxFile], stamp: str) -> None:
    """Store attachment bytes not stored yet (inside the enqueueing transaction)."""
    await conn.executemany(_PUT_FILE, [(file.sha256, file.data, stamp) for file in files])
