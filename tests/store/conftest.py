"""The store tests run on both stores: SQLite (the default) and PostgreSQL.

``store`` (and ``seeded_store`` built on it) is parametrised over the backends; tests about
the SQLite file itself (pragmas, permissions, backups) take ``sqlite_store``. PostgreSQL is a
throwaway cluster started once per session (tests/postgres.py); each test gets a fresh copy
of a migrated template database. When it cannot start, the PostgreSQL cases skip with one
reason, except under CI=true, where they fail: CI must test both stores.
MINERWATCH_TEST_STORE=sqlite (or postgresql) runs one backend only.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.db import Database
from bot.store.postgres import PostgresDatabase
from tests.postgres import pg_database, running

_ALL = ("sqlite", "postgresql")
_CHOSEN = os.environ.get("MINERWATCH_TEST_STORE", "").strip().lower()
BACKENDS = [name for name in _ALL if _CHOSEN in ("", name)] or list(_ALL)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def store_location(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Path | str]:
    """Where a migrated store is: a SQLite file's path, or a PostgreSQL URL."""
    if backend == "sqlite":
        yield tmp_path / "minerwatch.sqlite3"
        return
    async with pg_database(running(request.getfixturevalue("pg_cluster"))) as url:
        yield url


@pytest.fixture
async def store(store_location: Path | str) -> AsyncIterator[Store]:
    opened = await Store.open(store_location)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def empty_db(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Database]:
    """A database without any schema yet, for the migration tests."""
    if backend == "sqlite":
        db = await Database.open(tmp_path / "empty.sqlite3")
        try:
            yield db
        finally:
            await db.close()
        return
    async with pg_database(running(request.getfixturevalue("pg_cluster")), migrated=False) as url:
        pg = await PostgresDatabase.connect(url)
        try:
            yield pg
        finally:
            await pg.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A SQLite store, for what only a SQLite file has (pragmas, permissions, backups)."""
    opened = await Store.open(tmp_path / "minerwatch.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()
