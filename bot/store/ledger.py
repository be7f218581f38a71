"""SQL for the ledger: companies, sites, contracts, their sources and change history."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

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
from bot.ledger.records import CompanyRecord, LedgerFile
from bot.ledger.seed import (
    SEED_ACTOR,
    SeededRow,
    SeedReport,
    changed_companies,
    company_snapshot,
    plan_contracts,
)
from bot.store.db import Database

log = logging.getLogger(__name__)

_BOOL_FIELDS: Final = frozenset({"post_article"})
_CONTRACT_COLUMNS: Final = ", ".join(
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
_VISIBLE: Final = "(guild_id IS NULL OR guild_id = :guild_id)"
# contract_history's columns are named as HistoryEntry's fields: one list serves both.
HISTORY_FIELDS: Final = tuple(f.name for f in dataclasses.fields(HistoryEntry))
HISTORY_COLUMNS: Final = ", ".join(HISTORY_FIELDS)

_ALIASES: Final = "SELECT alias, symbol FROM company_aliases ORDER BY alias"
_ALIAS_MAP: Final = "SELECT alias, symbol FROM company_aliases"
_COMPANIES: Final = "SELECT * FROM companies ORDER BY symbol"
_SITES: Final = """
    SELECT symbol, name, location, power_mw, mw_basis, note, as_of, confidence
    FROM sites ORDER BY symbol, id
"""
_COMPANY_SOURCES: Final = (
    "SELECT symbol, url, title, date, kind FROM company_sources ORDER BY symbol, id"
)
_CONTRACTS: Final = f"""
    SELECT {_CONTRACT_COLUMNS} FROM contracts
    WHERE {_VISIBLE}
      AND (:host IS NULL OR host_symbol = :host)
      AND (:status IS NULL OR status = :status)
      AND (:include_removed OR deleted_at IS NULL)
    ORDER BY host_symbol, announced_date, id
"""  # noqa: S608 - interpolates only the constant column list and visibility rule
_CONTRACT: Final = f"SELECT {_CONTRACT_COLUMNS} FROM contracts WHERE id = :id AND {_VISIBLE}"  # noqa: S608
_CONTRACT_BY_ID: Final = f"SELECT {_CONTRACT_COLUMNS} FROM contracts WHERE id = ?"  # noqa: S608
_HISTORY: Final = f"""
    SELECT {HISTORY_COLUMNS} FROM contract_history WHERE contract_id = ? ORDER BY id
"""  # noqa: S608 - interpolates only the constant column list
_HISTORY_AFTER: Final = f"""
    SELECT id, {HISTORY_COLUMNS} FROM contract_history WHERE id > ? ORDER BY id LIMIT ?
"""  # noqa: S608 - interpolates only the constant column list
_LOG_CHANGE: Final = f"""
    INSERT INTO contract_history ({HISTORY_COLUMNS})
    VALUES ({", ".join("?" * len(HISTORY_FIELDS))})
"""  # noqa: S608 - interpolates only the constant column list and placeholders
_SOURCE_URLS: Final = "SELECT url FROM contract_sources WHERE contract_id = ? ORDER BY position"
_DELETE_SOURCES: Final = "DELETE FROM contract_sources WHERE contract_id = ?"
_WRITE_SOURCE: Final = (
    "INSERT INTO contract_sources (contract_id, position, url, title, date, kind) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_RESTORE: Final = "UPDATE contracts SET deleted_at = NULL WHERE id = ?"
_TOUCH: Final = "UPDATE contracts SET updated_at = ? WHERE id = ?"
_REMOVE: Final = (
    "UPDATE contracts SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL"
)
# Seeding.
_COMPANY_SNAPSHOTS: Final = "SELECT symbol, seed_snapshot FROM companies"
_SEEDED_CONTRACTS: Final = (
    "SELECT id, key, seed_snapshot, deleted_at FROM contracts WHERE origin = 'seed'"
)
_SET_SNAPSHOT: Final = "UPDATE contracts SET seed_snapshot = ? WHERE id = ?"
_DELETE_ALIASES: Final = "DELETE FROM company_aliases WHERE symbol = ?"
_WRITE_ALIAS: Final = "INSERT INTO company_aliases (alias, symbol) VALUES (?, ?)"
_DELETE_SITES: Final = "DELETE FROM sites WHERE symbol = ?"
_WRITE_SITE: Final = (
    "INSERT INTO sites (symbol, name, location, power_mw, mw_basis, note, as_of, confidence, "
    "provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_DELETE_COMPANY_SOURCES: Final = "DELETE FROM company_sources WHERE symbol = ?"
_WRITE_COMPANY_SOURCE: Final = (
    "INSERT INTO company_sources (symbol, url, title, date, kind) VALUES (?, ?, ?, ?, ?)"
)
_SET_LEDGER_AS_OF: Final = (
    "INSERT INTO store_meta(key, value) VALUES ('ledger_as_of', ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
)
_LEDGER_AS_OF: Final = "SELECT value FROM store_meta WHERE key = 'ledger_as_of'"


def value_text(value: FieldValue) -> str | None:
    """Render a field value for the history table: stable, readable, lossless."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_to_history(row: aiosqlite.Row) -> HistoryEntry:
    """Map a contract_history row (selected with HISTORY_COLUMNS) to its entry."""
    return HistoryEntry(**{name: row[name] for name in HISTORY_FIELDS})


def _row_to_source(row: aiosqlite.Row) -> Source:
    return Source(row["url"], row["title"], row["date"], row["kind"])


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
        rows = await self._db.fetch_all(_ALIAS_MAP)
        return {row["alias"]: row["symbol"] for row in rows}

    async def companies(self) -> list[Company]:
        """Return every company with its aliases, sites and sources, by symbol."""
        rows = await self._db.fetch_all(_COMPANIES)
        aliases: dict[str, list[str]] = {}
        for row in await self._db.fetch_all(_ALIASES):
            aliases.setdefault(row["symbol"], []).append(row["alias"])
        sites: dict[str, list[Site]] = {}
        for row in await self._db.fetch_all(_SITES):
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
        for row in await self._db.fetch_all(_COMPANY_SOURCES):
            sources.setdefault(row["symbol"], []).append(_row_to_source(row))
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
                cik=row["cik"],
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
        params = {
            "guild_id": guild_id,
            "host": host,
            "status": status,
            "include_removed": int(include_removed),
        }
        rows = await self._db.fetch_all(_CONTRACTS, params)
        return await self._with_sources(rows)

    async def contract(self, contract_id: int, *, guild_id: int | None) -> Contract | None:
        """Return one contract if this server may see it (removed ones included)."""
        row = await self._db.fetch_one(_CONTRACT, {"id": contract_id, "guild_id": guild_id})
        if row is None:
            return None
        return (await self._with_sources([row]))[0]

    async def history(self, contract_id: int) -> list[HistoryEntry]:
        """Return every recorded change of a contract, oldest first."""
        rows = await self._db.fetch_all(_HISTORY, (contract_id,))
        return [row_to_history(row) for row in rows]

    async def history_after(
        self, conn: aiosqlite.Connection, after_id: int, *, limit: int
    ) -> list[tuple[int, HistoryEntry]]:
        """Return (id, entry) of the changes recorded after ``after_id``, oldest first."""
        rows = await conn.execute_fetchall(_HISTORY_AFTER, (after_id, limit))
        return [(row["id"], row_to_history(row)) for row in rows]

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
            return await self.insert_contract_in(
                conn,
                values,
                sources,
                guild_id=guild_id,
                actor_id=actor_id,
                actor_label=actor_label,
                now=now,
            )

    async def insert_contract_in(
        self,
        conn: aiosqlite.Connection,
        values: Mapping[str, FieldValue],
        sources: Sequence[Source],
        *,
        guild_id: int | None,
        actor_id: int | None,
        actor_label: str,
        now: datetime,
        created_from: str | None = None,
    ) -> int:
        """Add a user contract inside the caller's transaction (a draft confirmed with it).

        ``created_from`` names where the figures came from (a filing); the 'create' history
        entry keeps it beside the person who added the contract.
        """
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
            created_from=created_from,
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

        What changes is the seed policy's decision (bot.ledger.seed); this writes it, and the
        history of every contract change, in one transaction.
        """
        report = SeedReport(companies=len(ledger.companies))
        stamp = now.isoformat()
        async with self._db.transaction() as conn:
            snapshots = {
                row["symbol"]: row["seed_snapshot"]
                for row in await conn.execute_fetchall(_COMPANY_SNAPSHOTS)
            }
            companies = changed_companies(ledger.companies, snapshots)
            # Aliases may move between companies: clear them all before writing any back.
            await conn.executemany(_DELETE_ALIASES, [(c.symbol,) for c in companies])
            for company in companies:
                await _upsert_company(conn, company, stamp)
            seeded = [
                SeededRow(
                    row["id"], row["key"], row["seed_snapshot"], row["deleted_at"] is not None
                )
                for row in await conn.execute_fetchall(_SEEDED_CONTRACTS)
            ]
            plan = plan_contracts(ledger.contracts, seeded)
            for shipped in plan.create:
                await self._insert(
                    conn,
                    shipped.columns,
                    shipped.sources,
                    key=shipped.key,
                    origin="seed",
                    guild_id=None,
                    actor_id=None,
                    actor_label=SEED_ACTOR,
                    now=now,
                    snapshot=shipped.snapshot,
                )
                report.created.append(shipped.key)
            for update in plan.update:
                changed = await self._update(
                    conn,
                    update.row.id,
                    update.changes,
                    update.sources,
                    None,
                    SEED_ACTOR,
                    now,
                    restore=True,
                )
                await conn.execute(_SET_SNAPSHOT, (update.shipped.snapshot, update.row.id))
                if changed:
                    report.updated.append(update.row.key)
            for row in plan.remove:
                await self._remove(conn, row.id, None, SEED_ACTOR, now)
                report.removed.append(row.key)
            await conn.execute(_SET_LEDGER_AS_OF, (ledger.as_of,))
        return report

    async def shipped_ledger_as_of(self) -> str | None:
        """Return the compile date of the ledger last applied, if any."""
        row = await self._db.fetch_one(_LEDGER_AS_OF)
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
            by_contract.setdefault(row["contract_id"], []).append(_row_to_source(row))
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
        created_from: str | None = None,
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
            RETURNING id
        """  # noqa: S608 - column names come from CONTRACT_FIELDS, values are bound
        inserted = await conn.execute_fetchall(
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
        contract_id = int(next(iter(inserted))[0])
        await _write_sources(conn, contract_id, sources)
        origin_field = None if created_from is None else "source"
        await _log_change(
            conn,
            contract_id,
            stamp,
            actor_id,
            actor_label,
            "create",
            origin_field,
            None,
            created_from,
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
        rows = await conn.execute_fetchall(_CONTRACT_BY_ID, (contract_id,))
        if not rows:
            raise LookupError(f"no contract {contract_id}")
        current = next(iter(rows))
        stamp = now.isoformat()
        done: list[tuple[str, str | None, str | None]] = []
        if restore and current["deleted_at"] is not None:
            await conn.execute(_RESTORE, (contract_id,))
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
                row["url"] for row in await conn.execute_fetchall(_SOURCE_URLS, (contract_id,))
            ]
            new_urls = [source.url for source in sources]
            await conn.execute(_DELETE_SOURCES, (contract_id,))
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
            await conn.execute(_TOUCH, (stamp, contract_id))
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
        cursor = await conn.execute(_REMOVE, (stamp, stamp, contract_id))
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
        _WRITE_SOURCE,
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
        _LOG_CHANGE,
        (contract_id, at, actor_id, actor_label, action, field_name, old, new),
    )


async def _upsert_company(conn: aiosqlite.Connection, record: CompanyRecord, stamp: str) -> None:
    company = record.model_dump()
    snapshot = company_snapshot(record)
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
        "cik": company["cik"],
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
        _WRITE_ALIAS,
        [(alias, symbol) for alias in company["aliases"]],
    )
    await conn.execute(_DELETE_SITES, (symbol,))
    await conn.executemany(
        _WRITE_SITE,
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
    await conn.execute(_DELETE_COMPANY_SOURCES, (symbol,))
    await conn.executemany(
        _WRITE_COMPANY_SOURCE,
        [(symbol, s["url"], s["title"], s["date"], s["kind"]) for s in company["sources"]],
    )
