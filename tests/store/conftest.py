"""The store tests run on both stores: SQLite (the default) and PostgreSQL.

``store`` (and ``seeded_store`` built on it) is parametrised over the backends; tests about
the SQLite file itself (pragmas, permissions, backups) take ``sqlite_store``. PostgreSQL is a
throwaway cluster started once per session (tests/postgres.py); each test gets a fresh copy
of a migrated template database. When it cannot start, the PostgreSQL cases skip with one
reason, except under CI=true, where they fail: CI must test both stores.
MINERWATCH_TEST_STORE=sqlite (or postgresql) runs one backend only.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from bot.store import Store
from bot.store.db import Database
from bot.store.postgres import PostgresDatabase
from tests.postgres import Cluster, ClusterUnavailable, start_cluster

_ALL = ("sqlite", "postgresql")
_CHOSEN = os.environ.get("MINERWATCH_TEST_STORE", "").strip().lower()
BACKENDS = [name for name in _ALL if _CHOSEN in ("", name)] or list(_ALL)
_TEMPLATE = "migrated"
_names = itertools.count(1)


async def _make_template(cluster: Cluster) -> None:
    admin = await asyncpg.connect(cluster.url("postgres"))
    try:
        await admin.execute(f"CREATE DATABASE {_TEMPLATE}")
    finally:
        await admin.close()
    store = await Store.open(cluster.url(_TEMPLATE))
    await store.close()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster | str]:
    """The session's cluster, or why there is none (the PostgreSQL cases then skip or fail)."""
    try:
        cluster = start_cluster()
    except ClusterUnavailable as exc:
        yield f"PostgreSQL store tests not run: {exc}"
        return
    try:
        asyncio.run(_make_template(cluster))
        yield cluster
    finally:
        cluster.stop()


def _running(pg_cluster: Cluster | str) -> Cluster:
    if isinstance(pg_cluster, str):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{pg_cluster} (CI=true: PostgreSQL must run in CI)", pytrace=False)
        pytest.skip(pg_cluster)
    return pg_cluster


async def new_pg_database(cluster: Cluster, *, template: str | None = _TEMPLATE) -> str:
    """Create a database (a copy of the migrated template, or empty) and return its URL."""
    name = f"t{os.getpid()}_{next(_names)}"
    admin = await asyncpg.connect(cluster.url("postgres"))
    try:
        source = f" TEMPLATE {template}" if template else " TEMPLATE template0"
        await admin.execute(f"CREATE DATABASE {name}{source}")
    finally:
        await admin.close()
    return cluster.url(name)


async def drop_pg_database(cluster: Cluster, url: str) -> None:
    admin = await asyncpg.connect(cluster.url("postgres"))
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")
    finally:
        await admin.close()


def running(pg_cluster: Cluster | str) -> Cluster:
    """The cluster, or a skip (a failure under CI=true) naming why there is none."""
    return _running(pg_cluster)


@asynccontextmanager
async def pg_database(cluster: Cluster, *, migrated: bool = True) -> AsyncIterator[str]:
    """A database of its own for one test (migrated, or empty): its URL, dropped after."""
    url = await new_pg_database(cluster, template=_TEMPLATE if migrated else None)
    try:
        yield url
    finally:
        await drop_pg_database(cluster, url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def store_location(
    backend: str, tmp_path: Path, pg_cluster: Cluster | str
) -> AsyncIterator[Path | str]:
    """Where a migrated store is: a SQLite file's path, or a PostgreSQL URL."""
    if backend == "sqlite":
        yield tmp_path / "minerwatch.sqlite3"
        return
    async with pg_database(_running(pg_cluster)) as url:
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
    backend: str, tmp_path: Path, pg_cluster: Cluster | str
) -> AsyncIterator[Database]:
    """A database without any schema yet, for the migration tests."""
    if backend == "sqlite":
        db = await Database.open(tmp_path / "empty.sqlite3")
        try:
            yield db
        finally:
            await db.close()
        return
    async with pg_database(_running(pg_cluster), migrated=False) as url:
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
