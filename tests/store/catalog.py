"""What a store's schema holds, read from either database's catalogue."""

from __future__ import annotations

from bot.store.db import Database, Migration, discover_migrations
from bot.store.postgres import PostgresDatabase, pg_migrations


def migrations_for(db: Database) -> list[Migration]:
    """The numbered migrations as ``db``'s dialect runs them."""
    return pg_migrations() if isinstance(db, PostgresDatabase) else discover_migrations()


async def tables(db: Database) -> set[str]:
    if isinstance(db, PostgresDatabase):
        query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        return {row[0] for row in await db.fetch_all(query)} - {"schema_version"}
    query = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {row[0] for row in await db.fetch_all(query)}


async def indexes(db: Database) -> set[str]:
    """The indexes the migrations name (not those behind primary keys and UNIQUE columns)."""
    if isinstance(db, PostgresDatabase):
        query = (
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    return {row[0] for row in await db.fetch_all(query)}


async def columns(db: Database) -> dict[str, list[str]]:
    """Each table's columns, in their order."""
    found: dict[str, list[str]] = {}
    for table in sorted(await tables(db)):
        if isinstance(db, PostgresDatabase):
            query = (
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position"
            )
            found[table] = [row[0] for row in await db.fetch_all(query, (table,))]
        else:
            rows = await db.fetch_all(f"PRAGMA table_info({table})")
            found[table] = [row["name"] for row in rows]
    return found


async def schema(db: Database) -> list[tuple[str, ...]]:
    """The whole schema as rows of text, to compare before and after."""
    if isinstance(db, PostgresDatabase):
        query = (
            "SELECT table_name, column_name, data_type, coalesce(column_default, '') "
            "FROM information_schema.columns WHERE table_schema = 'public' "
            "ORDER BY table_name, ordinal_position"
        )
        rows = await db.fetch_all(query)
        rows += await db.fetch_all(
            "SELECT conname, pg_get_constraintdef(oid), '', '' FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace ORDER BY conname"
        )
        rows += await db.fetch_all(
            "SELECT indexname, indexdef, '', '' FROM pg_indexes "
            "WHERE schemaname = 'public' ORDER BY indexname"
        )
        return [tuple(row) for row in rows]
    rows = await db.fetch_all("SELECT name, coalesce(sql, '') FROM sqlite_master ORDER BY name")
    return [tuple(row) for row in rows]


async def dangling_references(db: Database) -> list[tuple[object, ...]]:
    """Rows whose foreign keys point nowhere (PostgreSQL never lets one exist)."""
    if isinstance(db, PostgresDatabase):
        return []
    return [tuple(row) for row in await db.fetch_all("PRAGMA foreign_key_check")]
