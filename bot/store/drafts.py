"""SQL for filing drafts: proposals read from filings, until someone confirms or dismisses them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import aiosqlite

from bot.filings.draft_model import DRAFT_FIELDS, Draft, FilingRef
from bot.ledger.model import FieldValue
from bot.store.db import Database

_FILING_COLUMNS: Final = (
    "accession",
    "cik",
    "form",
    "filed_date",
    "filing_url",
    "filing_title",
    "accepted_at",
)
_COLUMNS: Final = ", ".join(
    (
        "id",
        "guild_id",
        "proposal_index",
        "host_symbol",
        *_FILING_COLUMNS,
        *DRAFT_FIELDS,
        "evidence",
        "state",
        "contract_id",
        "decided_by",
        "decided_at",
        "edited_by",
        "edited_at",
        "created_at",
    )
)
_INSERT_COLUMNS: Final = (
    "guild_id",
    "proposal_index",
    "host_symbol",
    *_FILING_COLUMNS,
    *DRAFT_FIELDS,
    "evidence",
    "created_at",
)
# Once per (filing, proposal, ledger): reading a filing again adds nothing.
_PROPOSE: Final = f"""
    INSERT INTO filing_drafts ({", ".join(_INSERT_COLUMNS)})
    VALUES ({", ".join(":" + name for name in _INSERT_COLUMNS)})
    ON CONFLICT DO NOTHING
"""  # noqa: S608 - interpolates only the constant column list
_BY_KEY: Final = f"""
    SELECT {_COLUMNS} FROM filing_drafts
    WHERE accession = ? AND proposal_index = ? AND ifnull(guild_id, 0) = ifnull(?, 0)
"""  # noqa: S608 - interpolates only the constant column list
_PENDING: Final = f"""
    SELECT {_COLUMNS} FROM filing_drafts
    WHERE state = 'pending' AND ifnull(guild_id, 0) = ifnull(:guild_id, 0)
    ORDER BY id
"""  # noqa: S608 - interpolates only the constant column list
_ONE: Final = f"SELECT {_COLUMNS} FROM filing_drafts WHERE id = ?"  # noqa: S608
_MARK: Final = """
    UPDATE filing_drafts SET state = :state, contract_id = :contract_id,
                             decided_by = :user_id, decided_at = :now
    WHERE id = :id AND state = 'pending'
"""
_EDIT_MARK: Final = """
    UPDATE filing_drafts SET edited_by = ?, edited_at = ?, evidence = ?
    WHERE id = ? AND state = 'pending'
"""


def _row_to_draft(row: aiosqlite.Row) -> Draft:
    filing = FilingRef(
        accession=row["accession"],
        cik=row["cik"],
        form=row["form"],
        filed_date=row["filed_date"],
        url=row["filing_url"],
        title=row["filing_title"],
        accepted_at=row["accepted_at"],
    )
    return Draft(
        id=row["id"],
        guild_id=row["guild_id"],
        filing=filing,
        proposal_index=row["proposal_index"],
        host_symbol=row["host_symbol"],
        fields={name: row[name] for name in DRAFT_FIELDS if row[name] is not None},
        evidence=json.loads(row["evidence"]),
        state=row["state"],
        created_at=row["created_at"],
        contract_id=row["contract_id"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        edited_by=row["edited_by"],
        edited_at=row["edited_at"],
    )


class DraftRepo:
    """Drafts in the store; a decided draft never changes again."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def propose(
        self,
        filing: FilingRef,
        proposals: Sequence[tuple[str, Mapping[str, FieldValue], Mapping[str, str]]],
        *,
        guild_id: int | None,
        now: datetime,
    ) -> list[Draft]:
        """Store each (host, fields, evidence) as a pending draft once; return all of them.

        A proposal already stored (the same filing read again) is returned as it stands,
        edited or decided, never overwritten.
        """
        stamp = now.astimezone(UTC).isoformat()
        drafts: list[Draft] = []
        async with self._db.transaction() as conn:
            for index, (host, fields, evidence) in enumerate(proposals):
                params: dict[str, Any] = {
                    "guild_id": guild_id,
                    "proposal_index": index,
                    "host_symbol": host,
                    "accession": filing.accession,
                    "cik": filing.cik,
                    "form": filing.form,
                    "filed_date": filing.filed_date,
                    "filing_url": filing.url,
                    "filing_title": filing.title,
                    "accepted_at": filing.accepted_at,
                    "evidence": json.dumps(dict(evidence), sort_keys=True),
                    "created_at": stamp,
                }
                params |= {name: fields.get(name) for name in DRAFT_FIELDS}
                params["value_kind"] = fields.get("value_kind") or "contracted_revenue"
                params["value_exactness"] = fields.get("value_exactness") or "exact"
                await conn.execute(_PROPOSE, params)
                rows = await conn.execute_fetchall(_BY_KEY, (filing.accession, index, guild_id))
                drafts.append(_row_to_draft(next(iter(rows))))
        return drafts

    async def pending(self, guild_id: int | None) -> list[Draft]:
        """Return the drafts waiting for one ledger (None: the global one), oldest first."""
        rows = await self._db.fetch_all(_PENDING, {"guild_id": guild_id})
        return [_row_to_draft(row) for row in rows]

    async def get(self, draft_id: int) -> Draft | None:
        """Return one draft whatever its ledger or state."""
        row = await self._db.fetch_one(_ONE, (draft_id,))
        return None if row is None else _row_to_draft(row)

    async def edit(
        self,
        draft_id: int,
        changes: Mapping[str, FieldValue],
        *,
        user_id: int,
        now: datetime,
    ) -> bool:
        """Change a pending draft's fields; an edited field loses its quote. False if decided."""
        unknown = set(changes) - set(DRAFT_FIELDS)
        if unknown:
            raise ValueError(f"not draft fields: {sorted(unknown)}")
        stamp = now.astimezone(UTC).isoformat()
        async with self._db.transaction() as conn:
            rows = list(await conn.execute_fetchall(_ONE, (draft_id,)))
            if not rows or rows[0]["state"] != "pending":
                return False
            evidence = json.loads(rows[0]["evidence"])
            for name, value in changes.items():
                await conn.execute(
                    f"UPDATE filing_drafts SET {name} = ? WHERE id = ?",  # noqa: S608 - name is a draft column
                    (value, draft_id),
                )
                # The value is the editor's now, not the filing's words.
                evidence.pop(name, None)
            await conn.execute(
                _EDIT_MARK, (user_id, stamp, json.dumps(evidence, sort_keys=True), draft_id)
            )
            return True

    async def dismiss(self, draft_id: int, *, user_id: int, now: datetime) -> bool:
        """Mark a pending draft dismissed; False when it was already decided."""
        params = {
            "state": "dismissed",
            "contract_id": None,
            "user_id": user_id,
            "now": now.astimezone(UTC).isoformat(),
            "id": draft_id,
        }
        return await self._db.execute(_MARK, params) == 1

    async def mark_confirmed(
        self,
        conn: aiosqlite.Connection,
        draft_id: int,
        contract_id: int,
        *,
        user_id: int,
        now: datetime,
    ) -> bool:
        """Mark a pending draft confirmed as ``contract_id``, inside the caller's transaction."""
        params = {
            "state": "confirmed",
            "contract_id": contract_id,
            "user_id": user_id,
            "now": now.astimezone(UTC).isoformat(),
            "id": draft_id,
        }
        cursor = await conn.execute(_MARK, params)
        return cursor.rowcount == 1
