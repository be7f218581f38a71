"""Copy a SQLite store into an empty PostgreSQL one, ids kept, and prove the copy whole.

Every table is copied in foreign-key order in one PostgreSQL transaction (all of it lands,
or none), the identity sequences are moved past the copied ids, and each table is then read
back from both stores: the row counts and a checksum of the rows, rendered the same way from
either store, must match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.store.db import Database, StoreError
from bot.store.postgres import PostgresDatabase
from bot.store_location import redact

# Rows sent per statement batch while copying.
_BATCH = 1_000


@dataclass(frozen=True, slots=True)
class TableCopy:
    """One table's copy: rows on each side and the checksum of its rows."""

    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def matches(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


async def _sqlite_tables(source: Database) -> list[str]:
    """The store's tables, each after the tables its foreign keys point at."""
    rows = await source.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    names = [str(row[0]) for row in rows]
    depends: dict[str, set[str]] = {}
    for name in names:
        references = await source.fetch_all(f"PRAGMA foreign_key_list({name})")
        depends[name] = {str(ref["table"]) for ref in references} - {name}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and depends[n] <= set(ordered)]
        if not ready:
            raise StoreError("the store's foreign keys form a cycle: it cannot be copied")
        ordered.extend(ready)
    return ordered


async def _columns(source: Database, table: str) -> list[str]:
    return [str(row["name"]) for row in await source.fetch_all(f"PRAGMA table_info({table})")]


def _canonical(value: Any) -> str:
    """One value as text, the same from either store (floats exactly, bytes in hex)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


async def table_checksum(db: Database, table: str, columns: Sequence[str]) -> tuple[int, str]:
    """The table's row count and the MD5 of its rows, rendered canonically and sorted.

    Sorted in Python, not by ORDER BY: the two stores may collate text differently.
    """
    rows = await db.fetch_all(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
    lines = sorted("\t".join(_canonical(value) for value in row) for row in rows)
    digest = hashlib.md5(usedforsecurity=False)
    for line in lines:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return len(lines), digest.hexdigest()


async def _ensure_empty(target: PostgresDatabase) -> None:
    tables = await target.fetch_all(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename <> 'schema_version'"
    )
    for (table,) in tables:
        if await target.fetch_one(f"SELECT 1 FROM {table} LIMIT 1") is not None:  # noqa: S608
            raise StoreError(
                f"the target database {redact(target.url)} is not empty (table {table} has "
                "rows): copy into a new, empty PostgreSQL database"
            )


async def copy_store(source: Database, target: PostgresDatabase) -> list[TableCopy]:
    """Copy every table of ``source`` (SQLite, migrated) into the empty ``target``."""
    if await target.user_version() not in (0, await source.user_version()):
        raise StoreError(
            "the target database holds another schema version than the store: copy into a "
            "new, empty PostgreSQL database"
        )
    await _ensure_empty(target)
    await target.migrate()
    await _ensure_empty(target)
    tables = await _sqlite_tables(source)
    layout = {table: await _columns(source, table) for table in tables}
    async with target.transaction() as conn:
        for table in tables:
            columns = layout[table]
            insert = (
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            rows = await source.fetch_all(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608
            for start in range(0, len(rows), _BATCH):
                await conn.executemany(insert, [tuple(row) for row in rows[start : start + _BATCH]])
        # New rows must not reuse a copied id: each identity continues after the largest.
        for table in tables:
            if "id" in layout[table]:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
    report = []
    for table in tables:
        source_rows, source_sum = await table_checksum(source, table, layout[table])
        target_rows, target_sum = await table_checksum(target, table, layout[table])
        report.append(TableCopy(table, source_rows, target_rows, source_sum, target_sum))
    return report
