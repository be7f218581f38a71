"""A throwaway PostgreSQL cluster for the store tests.

One cluster per test session (local_postgres: a temporary folder, a free port of 127.0.0.1);
a template database holds the migrated schema, and each test gets its own copy of it
(``CREATE DATABASE … TEMPLATE``, a file copy: fast).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import asyncpg
import pytest

from bot.store import Store
from local_postgres import Cluster, ClusterUnavailable, start_cluster
from local_postgres import create_database as new_database

# Re-exported: the store tests import the cluster from here.
__all__ = [
    "Cluster",
    "ClusterUnavailable",
    "create_database",
    "drop_database",
    "pg_database",
    "running",
    "session_cluster",
]

_TEMPLATE = "migrated"
_names = itertools.count(1)


def session_cluster() -> Iterator[Cluster | str]:
    """The session's cluster with its migrated template, or why there is none."""
    if os.environ.get("MINERWATCH_TEST_STORE", "").strip().lower() == "sqlite":
        yield "PostgreSQL store tests not run: MINERWATCH_TEST_STORE=sqlite"
        return
    try:
        cluster = start_cluster()
    except ClusterUnavailable as exc:
        yield f"PostgreSQL store tests not run: {exc}"
        return
    try:
        # Its own thread and loop: the fixture may be first asked for from inside a test's loop.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, _make_template(cluster)).result()
        yield cluster
    finally:
        cluster.stop()


async def _make_template(cluster: Cluster) -> None:
    admin = await asyncpg.connect(cluster.url("postgres"))
    try:
        await admin.execute(f"CREATE DATABASE {_TEMPLATE}")
    finally:
        await admin.close()
    store = await Store.open(cluster.url(_TEMPLATE))
    await store.close()


def running(pg_cluster: Cluster | str) -> Cluster:
    """The cluster; without one a skip naming why, or a failure under CI=true."""
    if isinstance(pg_cluster, str):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{pg_cluster} (CI=true: PostgreSQL must run in CI)", pytrace=False)
        pytest.skip(pg_cluster)
    return pg_cluster


async def create_database(cluster: Cluster, *, migrated: bool = True) -> str:
    """A new database (a copy of the session's migrated template, or empty): its URL.

    Copying the template is a file copy, much faster than running the migrations again.
    """
    name = f"t{os.getpid()}_{next(_names)}"
    return await new_database(cluster, name, template=_TEMPLATE if migrated else "template0")


async def drop_database(cluster: Cluster, url: str) -> None:
    admin = await asyncpg.connect(cluster.url("postgres"))
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")
    finally:
        await admin.close()


@asynccontextmanager
async def pg_database(cluster: Cluster, *, migrated: bool = True) -> AsyncIterator[str]:
    """A database of its own for one test (migrated, or empty): its URL, dropped after."""
    url = await create_database(cluster, migrated=migrated)
    try:
        yield url
    finally:
        await drop_database(cluster, url)
