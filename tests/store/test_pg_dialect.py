"""The repositories' SQLite SQL, as PostgreSQL is given it."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest

from bot.store import Store
from bot.store.pg_dialect import translate
from bot.tree import storage_message
from tests.postgres import Cluster, pg_database, running


def bound(sql: str, params: object) -> tuple[str, tuple[object, ...]]:
    query, args = translate(sql).bind(params)  # type: ignore[arg-type]
    return " ".join(query.split()), args


def test_placeholders_are_numbered_outside_literals_comments_and_casts() -> None:
    sql = "SELECT '?', ':x', x::text FROM t -- ? :y\nWHERE a = ? AND b = ?"
    assert bound(sql, (1, 2)) == (
        "SELECT '?', ':x', x::text FROM t -- ? :y WHERE a = $1 AND b = $2",
        (1, 2),
    )


def test_a_name_used_twice_is_one_parameter() -> None:
    assert bound("UPDATE t SET a = :v WHERE b = :id OR c = :v", {"v": 3, "id": 9}) == (
        "UPDATE t SET a = $1 WHERE b = $2 OR c = $1",
        (3, 9),
    )


def test_a_null_test_on_a_parameter_is_decided_by_its_value() -> None:
    sql = "SELECT 1 FROM t WHERE (:host IS NULL OR host = :host) AND (:s IS NOT NULL)"
    assert bound(sql, {"host": None, "s": "x"}) == (
        "SELECT 1 FROM t WHERE (TRUE OR host = $1) AND (TRUE)",
        (None,),
    )
    assert bound(sql, {"host": "IREN", "s": None}) == (
        "SELECT 1 FROM t WHERE (FALSE OR host = $1) AND (FALSE)",
        ("IREN",),
    )


@pytest.mark.parametrize(
    ("sqlite", "postgresql"),
    [
        pytest.param(
            "SELECT * FROM alerts INDEXED BY alerts_trigger WHERE a = 1",
            "SELECT * FROM alerts WHERE a = 1",
            id="index hint",
        ),
        pytest.param(
            "SELECT * FROM alerts NOT INDEXED WHERE a = 1",
            "SELECT * FROM alerts WHERE a = 1",
            id="no index",
        ),
        pytest.param(
            "SELECT 1 WHERE e.c IS o.c AND e.u IS NOT o.u",
            "SELECT 1 WHERE e.c IS NOT DISTINCT FROM o.c AND e.u IS DISTINCT FROM o.u",
            id="null-safe IS",
        ),
        pytest.param(
            "INSERT OR IGNORE INTO l (a, b) VALUES (?, ?)",
            "INSERT INTO l (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            id="or ignore",
        ),
        pytest.param(
            "INSERT OR IGNORE INTO l (a) VALUES (?) RETURNING a",
            "INSERT INTO l (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING a",
            id="or ignore returning",
        ),
        pytest.param(
            "SELECT 1 WHERE ifnull(g, 0) = ifnull(?, 0)",
            "SELECT 1 WHERE coalesce(g, 0) = coalesce($1::bigint, 0)",
            id="ifnull of an id",
        ),
        pytest.param(
            "SELECT coalesce(CAST(julianday(move_up_day) - 1721424.5 AS INTEGER), 0)",
            "SELECT coalesce((move_up_day::date - DATE '0001-01-01' + 1), 0)",
            id="julianday ordinal",
        ),
        pytest.param(
            "SELECT 1 WHERE id IN (SELECT value FROM json_each(?))",
            "SELECT 1 WHERE id IN (SELECT value::bigint FROM json_array_elements_text($1::json))",
            id="json id list",
        ),
    ],
)
def test_sqlite_only_phrases_become_their_postgresql_equivalents(
    sqlite: str, postgresql: str
) -> None:
    params: tuple[object, ...] = tuple(range(sqlite.count("?")))
    assert bound(sqlite, params)[0] == postgresql


async def test_a_read_only_postgresql_store_is_explained_to_members(
    pg_cluster: Cluster | str,
) -> None:
    """Members read the same "storage is read-only" reply as on a read-only SQLite file."""
    async with pg_database(running(pg_cluster)) as url:
        store = await Store.open(url)
        try:
            await store.db.execute("SET default_transaction_read_only = on")
            with pytest.raises(sqlite3.OperationalError) as raised:
                await store.db.execute("DELETE FROM store_meta")
        finally:
            await store.close()
    assert "its storage is read-only right now" in (storage_message(raised.value, "r1") or "")


async def test_a_lost_postgresql_connection_is_replaced(pg_cluster: Cluster | str) -> None:
    """A server restart (here: the session killed) costs at most the statement that finds
    the connection gone, answered with the "storage is failing" reply; the store then works
    on a new connection."""
    async with pg_database(running(pg_cluster)) as url:
        store = await Store.open(url)
        try:
            row = await store.db.fetch_one("SELECT pg_backend_pid()")
            assert row is not None
            killer = await asyncpg.connect(url)
            try:
                # Waits (up to 5 s) until the session is gone.
                await killer.execute("SELECT pg_terminate_backend($1, 5000)", row[0])
            finally:
                await killer.close()
            try:
                keys = await store.db.fetch_all("SELECT key FROM store_meta")
            except sqlite3.OperationalError as lost:  # found gone in the middle of the read
                assert "storage is failing" in (storage_message(lost, "r2") or "")
                keys = await store.db.fetch_all("SELECT key FROM store_meta")
            assert keys == []
            await store.db.execute(
                "INSERT INTO store_meta (key, value) VALUES ('after', 'reconnect')"
            )
            assert await store.db.fetch_one("SELECT value FROM store_meta") == ("reconnect",)
            now = await store.db.fetch_one("SELECT pg_backend_pid()")
            assert now is not None and now[0] != row[0]
        finally:
            await store.close()
