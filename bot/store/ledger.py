"""SQL for the ledger: companies, sites, contracts, their sources and change history."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from bot.ledger.model import (
    CONTRACT_FIELDS,
    Company,
    Contract,
    FieldValue,
    HistoryEntry,
    Site,
    Source,
)
from bot.ledger.records import ContractRecord, LedgerFile
from bot.store.db import Database

log = logging.getLogger(__name__)

SEED_ACTOR = "ledger"  # actor label of changes made by the shipped ledger
_BOOL_FIELDS = frozenset({"post_article"})
_CONTRACT_COLUMNS = ", ".join(
    (
        "id",
        "key",
        "guild_id",
        "origin",
        *CONTRACT_FIELDS,
        "created_by",
        "created_at",
        "updated_at",
        "deleted_at",
    )
)

# A server's view of the ledger: the global rows plus its own, never another server's.
_VISIBLE = "(guild_id IS NULL OR guild_id = :guild_id)"


@dataclass(slots=True)
class SeedReport:
    """What applying the shipped ledger changed."""

    companies: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether any contract row changed."""
        return bool(self.created or self.updated or self.removed)


def value_text(value: FieldValue) -> str | None:
    """Render a field value for the history table: stable, readable, lossless."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _record_columns(record: ContractRecord) -> dict[str, FieldValue]:
    data = record.model_dump(exclude={"key", "host", "sources"})
    data["host_symbol"] = record.host
    return {name: data[name] for name in CONTRACT_FIELDS}


def _sources_json(sources: Sequence[Source]) -> str:
    return json.dumps([[s.url, s.title, s.date, s.kind] for s in sources])


def _row_to_contract(row: aiosqlite.Row, sources: Sequence[Source]) -> Contract:
    data: dict[str, Any] = dict(row)
    for name in _BOOL_FIELDS:
        if data[name] is not None:
            data[name] = bool(data[name])
    return Contract(**data, sources=tuple(sources))


class LedgerRepo:
    """Companies and contracts in the store; every contract change is written to history."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # ----- companies -------------------------------------------------------------------
    async def aliases(self) -> dict[str, str]:
        """Map every lowercase alias to its symbol."""
        rows = await self._db.fetch_all("SELECT alias, symbol FROM company_aliases")
        return {row["alias"]: row["symbol"] for row in rows}

    async def companies(self) -> list[Company]:
        """Return every company with its aliases, sites and sources, by symbol."""
        query = "SELECT * FROM companies ORDER BY symbol"
        rows = await self._db.fetch_all(query)
        aliases: dict[str, list[str]] = {}
        for row in await self._db.fetch_all(
            "SELECT alias, symbol FROM company_aliases ORDER BY alias"
        ):
            aliases.setdefault(row["symbol"], []).append(row["alias"])
        sites: dict[str, list[Site]] = {}
        site_query = """
            SELECT symbol, name, location, power_mw, mw_basis, note, as_of, confidence
            FROM sites ORDER BY symbol, id
        """
        for row in await self._db.fetch_all(site_query):
            sites.setdefault(row["symbol"], []).append(
                Site(
                    row["name"],
                    row["location"],
                    row["power_mw"],
                    row["mw_basis"],
                    row["note"],
                    row["as_of"],
                    row["confidence"],
                )
            )
        sources: dict[str, list[Source]] = {}
        source_query = (
            "SELECT symbol, url, title, date, kind FROM company_sources ORDER BY symbol, id"
        )
        for row in await self._db.fetch_all(source_query):
            sources.setdefault(row["symbol"], []).append(
                Source(row["url"], row["title"], row["date"], row["kind"])
            )
        return [
            Company(
                symbol=row["symbol"],
                name=row["name"],
                kind=row["kind"],
                former_name=row["former_name"],
                exchange=row["exchange"],
                hq=row["hq"],
                still_mines_btc=None
                if row["still_mines_btc"] is None
                else bool(row["still_mines_btc"]),
                still_mines_btc_as_of=row["still_mines_btc_as_of"],
                power_mw=row["power_mw"],
                power_basis=row["power_basis"],
                power_approx=bool(row["power_approx"]),
                power_as_of=row["power_as_of"],
                power_note=row["power_note"],
                on_board=bool(row["on_board"]),
                listed=bool(row["listed"]),
                as_of=row["as_of"],
                confidence=row["confidence"],
                aliases=tuple(aliases.get(row["symbol"], ())),
                sites=tuple(sites.get(row["symbol"], ())),
                sources=tuple(sources.get(row["symbol"], ())),
            )
            for row in rows
        ]

    async def company(self, symbol: str) -> Company | None:
        """Return one company's profile, or None when it is not tracked."""
        for company in await self.companies():
            if company.symbol == symbol:
                return company
        return None

    # ----- contracts -------------------------------------------------------------------
    async def contracts(
        self,
        *,
        guild_id: int | None,
        host: str | None = None,
        status: str | None = None,
        include_removed: bool = False,
    ) -> list[Contract]:
        """Return the contracts a server sees (global + its own), optionally filtered."""
        query = f"""
            SELECT {_CONTRACT_COLUMNS} FROM contracts
            WHERE {_VISIBLE}
              AND (:host IS NULL OR host_symbol = :host)
              AND (:status IS NULL OR status = :status)
              AND (:include_removed OR deleted_at IS NULL)
            ORDER BY host_symbol, announced_date, id
        """  # noqa: S608 - interpolates only the constant column list and visibility rule
        params = {
            "guild_id": guild_id,
            "host": host,
            "status": status,
            "include_removed": int(include_removed),
        }
        rows = await self._db.fetch_all(query, params)
        return await self._with_sources(rows)

    async def contract(self, contract_id: int, *, guild_id: int | None) -> Contract | None:
        """Return one contract if this server may see it (removed ones included)."""
        query = f"SELECT {_CONTRACT_COLUMNS} FROM contracts WHERE id = :id AND {_VISIBLE}"  # noqa: S608
        row = await self._db.fetch_one(query, {"id": contract_id, "guild_id": guild_id})
        if row is None:
            return None
        return (await self._with_sources([row]))[0]

    async def history(self, contract_id: int) -> list[HistoryEntry]:
        """Return every recorded change of a contract, oldest first."""
        query = """
            SELECT contract_id, at, actor_id, actor_label, action, field, old_value, new_value
            FROM contract_history WHERE contract_id = ? ORDER BY id
        """
        rows = await self._db.fetch_all(query, (contract_id,))
        return [HistoryEntry(**dict(row)) for row in rows]

    async def history_after(
        self, conn: aiosqlite.Connection, after_id: int, *, limit: int
    ) -> list[tuple[int, HistoryEntry]]:
        """Return (id, entry) of the changes recorded after ``after_id``, oldest first."""
        query = """
            SELECT id, contract_id, at, actor_id, actor_label, action, field, old_value, new_value
            FROM contract_history WHERE id > ? ORDER BY id LIMIT ?
        """
        rows = await conn.execute_fetchall(query, (after_id, limit))
        return [
            (
                row["id"],
                HistoryEntry(
                    contract_id=row["contract_id"],
                    at=row["at"],
                    actor_id=row["actor_id"],
                    actor_label=row["actor_label"],
                    action=row["action"],
                    field=row["field"],
                    old_value=row["old_value"],
                    new_value=row["new_value"],
                ),
            )
            for row in rows
        ]

    async def contracts_by_id(
        self, conn: aiosqlite.Connection, ids: Sequence[int]
    ) -> dict[int, Contract]:
        """Return the contracts with these ids whatever their scope, removed ones included."""
        if not ids:
            return {}
        placeholders = ",".join("?" * len(ids))
        query = f"SELECT {_CONTRACT_COLUMNS} FROM contracts WHERE id IN ({placeholders})"  # noqa: S608 - only "?" placeholders are interpolated
        rows = list(await conn.execute_fetchall(query, list(ids)))
        return {contract.id: contract for contract in await self._with_sources(rows)}

    async def insert_contract(
        self,
        values: Mapping[str, FieldValue],
        sources: Sequence[Source],
        *,
        guild_id: int | None,
        actor_id: int | None,
        actor_label: str,
        now: datetime,
    ) -> int:
        """Add a user contract and its 'create' history entry in one transaction."""
        async with self._db.transaction() as conn:
            return await self._insert(
                conn,
                values,
                sources,
                key=None,
                origin="user",
                guild_id=guild_id,
                actor_id=actor_id,
                actor_label=actor_label,
                now=now,
                snapshot=None,
            )

    async def update_contract(
        self,
        contract_id: int,
        changes: Mapping[str, FieldValue],
        *,
        sources: Sequence[Source] | None,
        actor_id: int | None,
        actor_label: str,
        now: datetime,
    ) -> list[tuple[str, str | None, str | None]]:
        """Apply field changes and record each one in history; return (field, old, new)."""
        async with self._db.transaction() as conn:
            return await self._update(
                conn, contract_id, changes, sources, actor_id, actor_label, now
            )

    async def remove_contract(
        self, contract_id: int, *, actor_id: int | None, actor_label: str, now: datetime
    ) -> bool:
        """Soft-delete a contract (kept, with a 'delete' history entry); False if already gone."""
        async with self._db.transaction() as conn:
            return await self._remove(conn, contract_id, actor_id, actor_label, now)

    # ----- seeding ---------------------------------------------------------------------
    async def apply_seed(self, ledger: LedgerFile, *, now: datetime) -> SeedReport:
        """Bring the global rows the shipped ledger owns up to date, idempotently.

        A field is rewritten only when the shipped value itself changed since the last seed,
        so a bot owner's later correction survives re-seeding with the same file.
        """
        report = SeedReport(companies=len(ledger.companies))
        stamp = now.isoformat()
        async with self._db.transaction() as conn:
            snapshots = {
                row["symbol"]: row["seed_snapshot"]
                for row in await conn.execute_fetchall(
                    "SELECT symbol, seed_snapshot FROM companies"
                )
            }
            changed_companies = [
                company
                for company in ledger.companies
                if snapshots.get(company.symbol) != company.model_dump_json()
            ]
            # Aliases may move between companies: clear them all before writing any back.
            await conn.executemany(
                "DELETE FROM company_aliases WHERE symbol = ?",
                [(company.symbol,) for company in changed_companies],
            )
            for company in changed_companies:
                await _upsert_company(conn, company.model_dump(), company.model_dump_json(), stamp)
            existing = {
                row["key"]: row
                for row in await conn.execute_fetchall(
                    "SELECT id, key, seed_snapshot, deleted_at FROM contracts WHERE origin = 'seed'"
                )
            }
            shipped_keys = set()
            for record in ledger.contracts:
                shipped_keys.add(record.key)
                columns = _record_columns(record)
                sources = [Source(s.url, s.title, s.date, s.kind) for s in record.sources]
                snapshot = json.dumps(
                    {**columns, "sources": _sources_json(sources)}, sort_keys=True
                )
                row = existing.get(record.key)
                if row is None:
                    await self._insert(
                        conn,
                        columns,
                        sources,
                        key=record.key,
                        origin="seed",
                        guild_id=None,
                        actor_id=None,
                        actor_label=SEED_ACTOR,
                        now=now,
                        snapshot=snapshot,
                    )
                    report.created.append(record.key)
                    continue
                if row["seed_snapshot"] == snapshot and row["deleted_at"] is None:
                    continue
                previous = json.loads(row["seed_snapshot"] or "{}")
                changes = {
                    name: value for name, value in columns.items() if previous.get(name) != value
                }
                new_sources = sources if previous.get("sources") != _sources_json(sources) else None
                changed = await self._update(
                    conn, row["id"], changes, new_sources, None, SEED_ACTOR, now, restore=True
                )
                await conn.execute(
                    "UPDATE contracts SET seed_snapshot = ? WHERE id = ?", (snapshot, row["id"])
                )
                if changed:
                    report.updated.append(record.key)
            for key, row in existing.items():
                if key not in shipped_keys and row["deleted_at"] is None:
                    await self._remove(conn, row["id"], None, SEED_ACTOR, now)
                    report.removed.append(key)
            await conn.execute(
                "INSERT INTO store_meta(key, value) VALUES ('ledger_as_of', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (ledger.as_of,),
            )
        return report

    async def shipped_ledger_as_of(self) -> str | None:
        """Return the compile date of the ledger last applied, if any."""
        row = await self._db.fetch_one("SELECT value FROM store_meta WHERE key = 'ledger_as_of'")
        return None if row is None else str(row["value"])

    # ----- internals -------------------------------------------------------------------
    async def _with_sources(self, rows: Sequence[aiosqlite.Row]) -> list[Contract]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        placeholders = ",".join("?" * len(ids))
        query = f"""
            SELECT contract_id, url, title, date, kind FROM contract_sources
            WHERE contract_id IN ({placeholders}) ORDER BY contract_id, position
        """  # noqa: S608 - only "?" placeholders are interpolated
        by_contract: dict[int, list[Source]] = {}
        for row in await self._db.fetch_all(query, ids):
            by_contract.setdefault(row["contract_id"], []).append(
                Source(row["url"], row["title"], row["date"], row["kind"])
            )
        return [_row_to_contract(row, by_contract.get(row["id"], [])) for row in rows]

    async def _insert(
        self,
        conn: aiosqlite.Connection,
        values: Mapping[str, FieldValue],
        sources: Sequence[Source],
        *,
        key: str | None,
        origin: str,
        guild_id: int | None,
        actor_id: int | None,
        actor_label: str,
        now: datetime,
        snapshot: str | None,
    ) -> int:
        unknown = set(values) - set(CONTRACT_FIELDS)
        if unknown:
            raise ValueError(f"not contract fields: {sorted(unknown)}")
        columns = list(values)
        stamp = now.isoformat()
        query = f"""
            INSERT INTO contracts (key, guild_id, origin, seed_snapshot, created_by,
                                   created_at, updated_at, {", ".join(columns)})
            VALUES (?, ?, ?, ?, ?, ?, ?, {", ".join("?" * len(columns))})
        """  # noqa: S608 - column names come from CONTRACT_FIELDS, values are bound
        cursor = await conn.execute(
            query,
            (
                key,
                guild_id,
                origin,
                snapshot,
                actor_id,
                stamp,
                stamp,
                *(_to_sql(values[c]) for c in columns),
            ),
        )
        contract_id = cursor.lastrowid
        assert contract_id is not None
        await _write_sources(conn, contract_id, sources)
        await _log_change(
            conn, contract_id, stamp, actor_id, actor_label, "create", None, None, None
        )
        return contract_id

    async def _update(
        self,
        conn: aiosqlite.Connection,
        contract_id: int,
        changes: Mapping[str, FieldValue],
        sources: Sequence[Source] | None,
        actor_id: int | None,
        actor_label: str,
        now: datetime,
        *,
        restore: bool = False,
    ) -> list[tuple[str, str | None, str | None]]:
        unknown = set(changes) - set(CONTRACT_FIELDS)
        if unknown:
            raise ValueError(f"not contract fields: {sorted(unknown)}")
        query = f"SELECT {_CONTRACT_COLUMNS} FROM contracts WHERE id = ?"  # noqa: S608
        rows = await conn.execute_fetchall(query, (contract_id,))
        if not rows:
            raise LookupError(f"no contract {contract_id}")
        current = next(iter(rows))
        stamp = now.isoformat()
        done: list[tuple[str, str | None, str | None]] = []
        if restore and current["deleted_at"] is not None:
            await conn.execute(
                "UPDATE contracts SET deleted_at = NULL WHERE id = ?", (contract_id,)
            )
            await _log_change(
                conn, contract_id, stamp, actor_id, actor_label, "restore", None, None, None
            )
            done.append(("deleted_at", current["deleted_at"], None))
        for name, value in changes.items():
            old, new = value_text(current[name]), value_text(value)
            if name in _BOOL_FIELDS and current[name] is not None:
                old = value_text(bool(current[name]))
            if old == new:
                continue
            await conn.execute(
                f"UPDATE contracts SET {name} = ? WHERE id = ?",  # noqa: S608 - name is a known column
                (_to_sql(value), contract_id),
            )
            await _log_change(
                conn, contract_id, stamp, actor_id, actor_label, "update", name, old, new
            )
            done.append((name, old, new))
        if sources is not None:
            old_urls = [
                row["url"]
                for row in await conn.execute_fetchall(
                    "SELECT url FROM contract_sources WHERE contract_id = ? ORDER BY position",
                    (contract_id,),
                )
            ]
            new_urls = [source.url for source in sources]
            await conn.execute("DELETE FROM contract_sources WHERE contract_id = ?", (contract_id,))
            await _write_sources(conn, contract_id, sources)
            if old_urls != new_urls:
                old_text, new_text = " ".join(old_urls), " ".join(new_urls)
                await _log_change(
                    conn,
                    contract_id,
                    stamp,
                    actor_id,
                    actor_label,
                    "update",
                    "sources",
                    old_text,
                    new_text,
                )
                done.append(("sources", old_text, new_text))
        if done:
            await conn.execute(
                "UPDATE contracts SET updated_at = ? WHERE id = ?", (stamp, contract_id)
            )
        return done

    async def _remove(
        self,
        conn: aiosqlite.Connection,
        contract_id: int,
        actor_id: int | None,
        actor_label: str,
        now: datetime,
    ) -> bool:
        stamp = now.isoformat()
        cursor = await conn.execute(
            "UPDATE contracts SET deleted_at = ?, updated_at = ? "
            "WHERE id = ? AND deleted_at IS NULL",
            (stamp, stamp, contract_id),
        )
        if cursor.rowcount == 0:
            return False
        await _log_change(
            conn, contract_id, stamp, actor_id, actor_label, "delete", None, None, None
        )
        return True


def _to_sql(value: FieldValue) -> Any:
    return int(value) if isinstance(value, bool) else value


async def _write_sources(
    conn: aiosqlite.Connection, contract_id: int, sources: Sequence[Source]
) -> None:
    await conn.executemany(
        "INSERT INTO contract_sources (contract_id, position, url, title, date, kind) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(contract_id, i, s.url, s.title, s.date, s.kind) for i, s in enumerate(sources)],
    )


async def _log_change(
    conn: aiosqlite.Connection,
    contract_id: int,
    at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    field_name: str | None,
    old: str | None,
    new: str | None,
) -> None:
    await conn.execute(
        "INSERT INTO contract_history (contract_id, at, actor_id, actor_label, action, field, "
        "old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (contract_id, at, actor_id, actor_label, action, field_name, old, new),
    )


async def _upsert_company(
    conn: aiosqlite.Connection, company: dict[str, Any], snapshot: str, stamp: str
) -> None:
    flag = company["still_mines_btc"] or {}
    power = company["power_portfolio"] or {}
    values = {
        "symbol": company["symbol"],
        "name": company["name"],
        "former_name": company["former_name"],
        "exchange": company["exchange"],
        "kind": company["kind"],
        "hq": company["hq"],
        "hq_provenance": company["hq_provenance"],
        "still_mines_btc": None if flag.get("value") is None else int(flag["value"]),
        "still_mines_btc_as_of": flag.get("as_of"),
        "still_mines_btc_note": flag.get("note"),
        "power_mw": power.get("mw"),
        "power_basis": power.get("basis"),
        "power_approx": int(bool(power.get("approx"))),
        "power_as_of": power.get("as_of"),
        "power_note": power.get("note"),
        "on_board": int(company["tracked_on_board"]),
        "listed": int(company["listed"]),
        "as_of": company["as_of"],
        "confidence": company["confidence"],
        "provenance": company["provenance"],
        "seed_snapshot": snapshot,
        "updated_at": stamp,
    }
    names = list(values)
    updates = ", ".join(f"{name} = excluded.{name}" for name in names if name != "symbol")
    await conn.execute(
        f"INSERT INTO companies ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "  # noqa: S608
        f"ON CONFLICT(symbol) DO UPDATE SET {updates}",
        tuple(values.values()),
    )
    symbol = company["symbol"]
    await conn.executemany(
        "INSERT INTO company_aliases (alias, symbol) VALUES (?, ?)",
        [(alias, symbol) for alias in company["aliases"]],
    )
    await conn.execute("DELETE FROM sites WHERE symbol = ?", (symbol,))
    await conn.executemany(
        "INSERT INTO sites (symbol, name, location, power_mw, mw_basis, note, as_of, confidence, "
        "provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                symbol,
                s["name"],
                s["location"],
                s["power_mw"],
                s["mw_basis"],
                s["note"],
                s["as_of"],
                s["confidence"],
                s["provenance"],
            )
            for s in company["sites"]
        ],
    )
    await conn.execute("DELETE FROM company_sources WHERE symbol = ?", (symbol,))
    await conn.executemany(
        "INSERT INTO company_sources (symbol, url, title, date, kind) VALUES (?, ?, ?, ?, ?)",
        [(symbol, s["url"], s["title"], s["date"], s["kind"]) for s in company["sources"]],
    )
