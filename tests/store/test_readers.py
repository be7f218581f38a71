"""A SQLite store file reads on read-only connections beside the writer's: reads outside a write
transaction never wait behind the writer, reads inside one see its writes, and closing the store
closes every connection."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.ledger.model import Source
from bot.store import Store, StoreError
from bot.store.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    opened = await Database.open(tmp_path / "s.sqlite3")
    try:
        await opened.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        yield opened
    finally:
        await opened.close()


async def bodies(db: Database) -> list[str]:
    return [row["body"] for row in await db.fetch_all("SELECT body FROM notes ORDER BY id")]


async def test_a_committed_write_is_read_at_once(db: Database) -> None:
    for n in range(20):
        await db.execute("INSERT INTO notes (body) VALUES (?)", (f"note {n}",))
        assert (await bodies(db))[-1] == f"note {n}"
        row = await db.fetch_one("SELECT count(*) FROM notes")
        assert row is not None and row[0] == n + 1


async def test_a_read_inside_a_transaction_sees_its_writes_and_no_one_else_does(
    db: Database,
) -> None:
    await db.execute("INSERT INTO notes (body) VALUES ('committed')")
    seen_by_child: list[list[str]] = []
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO notes (body) VALUES ('pending')")
        # The repositories' helpers read through the store too, not only through ``conn``.
        assert await bodies(db) == ["committed", "pending"]

        # A task this transaction starts works for it: it sees the same writes.
        async def child() -> None:
            seen_by_child.append(await bodies(db))

        await asyncio.create_task(child())
        # Another task (a command) sees only what has committed.
        assert await asyncio.get_running_loop().create_task(bodies(db), context=_outside()) == [
            "committed"
        ]
    assert seen_by_child == [["committed", "pending"]]
    assert await bodies(db) == ["committed", "pending"]


def _outside() -> contextvars.Context:
    """A context as a task started elsewhere in the bot has: outside any write transaction."""
    return contextvars.Context()


async def test_a_rolled_back_write_is_never_read(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO notes (body) VALUES ('undone')")
            assert await bodies(db) == ["undone"]
            raise RuntimeError("changed our mind")
    assert await bodies(db) == []


async def test_a_task_started_in_a_transaction_reads_committed_rows_once_it_ended(
    db: Database,
) -> None:
    go_on = asyncio.Event()
    seen: list[list[str]] = []

    async def later() -> None:
        await go_on.wait()
        seen.append(await bodies(db))

    async with db.transaction() as conn:
        await conn.execute("INSERT INTO notes (body) VALUES ('first')")
        task = asyncio.create_task(later())
    # A transaction now open belongs to someone else: the task must not read its writes.
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO notes (body) VALUES ('second, not yet committed')")
        go_on.set()
        await task
    assert seen == [["first"]]


async def test_a_busy_writer_does_not_hold_up_reads(db: Database) -> None:
    await db.execute("INSERT INTO notes (body) VALUES ('committed')")
    release = threading.Event()
    writing = threading.Event()

    def hold() -> int:
        # Runs on the writer's thread: it stays inside this statement until released.
        writing.set()
        release.wait(30)
        return 1

    try:
        async with db.transaction() as conn:
            await conn.create_function("hold", 0, hold)
            await conn.execute("INSERT INTO notes (body) VALUES ('pending')")
            slow = asyncio.create_task(conn.execute("SELECT hold()"))
            await asyncio.to_thread(writing.wait, 30)
            read = asyncio.get_running_loop().create_task(bodies(db), context=_outside())
            assert await asyncio.wait_for(read, 20) == ["committed"]
            assert not slow.done()  # the writer was still busy the whole time
            release.set()
            await slow
    finally:
        release.set()
    assert await bodies(db) == ["committed", "pending"]


async def test_statements_that_are_not_plain_reads_still_run(db: Database) -> None:
    row = await db.fetch_one("INSERT INTO notes (body) VALUES ('returned') RETURNING id")
    assert row is not None and row["id"] == 1
    await db.fetch_one("PRAGMA max_page_count = 3")  # a setting of the writing connection
    with pytest.raises(sqlite3.OperationalError, match="full"):
        await db.execute("INSERT INTO notes (body) VALUES (?)", ("x" * 50_000,))
    assert await bodies(db) == ["returned"]


async def test_an_in_memory_store_reads_what_it_wrote() -> None:
    memory = await Database.open(Path(":memory:"))
    try:
        await memory.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        await memory.execute("INSERT INTO notes (body) VALUES ('kept')")
        assert await bodies(memory) == ["kept"]
    finally:
        await memory.close()


def _connection_threads() -> set[threading.Thread]:
    # aiosqlite runs each connection on a thread of its own, which ends once it is closed.
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}


def _still_running(threads: set[threading.Thread]) -> list[threading.Thread]:
    """The threads that do not end within a few seconds (a closed connection's end at once)."""
    for thread in threads:
        thread.join(5)
    return [thread for thread in threads if thread.is_alive()]


async def test_closing_the_store_closes_every_connection(tmp_path: Path) -> None:
    before = _connection_threads()
    store = await Store.open(tmp_path / "s.sqlite3")
    assert await store.db.fetch_all("SELECT id FROM alerts") == []
    opened = _connection_threads() - before
    assert len(opened) >= 3  # the writer's, the checkpoint's and the reader's
    await store.close()
    await store.close()  # twice is harmless
    assert _still_running(opened) == []
    # The last connection out copies the WAL back and removes it: none was left open.
    assert not (tmp_path / "s.sqlite3-wal").exists()


async def test_a_store_that_fails_to_open_leaves_no_connection_open(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with sqlite3.connect(path) as conn:
        # A table in the way of the first migration: the schema change fails.
        conn.execute("CREATE TABLE companies (unrelated INTEGER)")
    conn.close()
    before = _connection_threads()
    with pytest.raises(StoreError, match="migration"):
        await Store.open(path)
    assert _still_running(_connection_threads() - before) == []


async def test_a_contract_read_back_in_its_transaction_has_its_sources(
    seeded_store: Store, clock: ManualClock
) -> None:
    """The ledger reads a contract's sources through the store, not the transaction's
    connection: inside the transaction that wrote them, it must still find them."""
    source = Source("https://example.com/release", "Release", "2026-11-01", "press_release")
    async with seeded_store.db.transaction() as conn:
        contract_id = await seeded_store.ledger.insert_contract_in(
            conn,
            {
                "host_symbol": "CIFR",
                "counterparty": "Local Tenant",
                "status": "announced",
                "status_as_of": "2026-11-01",
                "confidence": "low",
            },
            [source],
            guild_id=7,
            actor_id=1,
            actor_label="user:1",
            now=clock.now(),
        )
        found = await seeded_store.ledger.contracts_by_id(conn, [contract_id])
        assert found[contract_id].sources == (source,)
