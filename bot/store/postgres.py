"""The PostgreSQL store: the same interface as the SQLite ``Database``, over asyncpg.

One connection: statements run one at a time and write transactions are serialised, so the
repositories see the same behaviour on both (a read made inside a transaction sees its
writes). Unlike a SQLite file's store, reads made outside a transaction share that
connection rather than having one of their own. Their SQL is SQLite's, translated by
``pg_dialect``; constraint violations surface as ``sqlite3.IntegrityError`` subclasses, the
exception the repositories and the bot already handle.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import aiosqlite
import asyncpg
from asyncpg.prepared_stmt import PreparedStatement

from bot.paths import MIGRATIONS_DIR
from bot.store.db import Database, Migration, Params, StoreError, discover_migrations
from bot.store.pg_dialect import translate
from bot.store_location import redact

log = logging.getLogger(__name__)

PG_MIGRATIONS_DIR = MIGRATIONS_DIR / "postgresql"
_STATUS_COUNT = re.compile(r"\s(\d+)$")
# The advisory lock migrations take, so that processes starting together apply each once.
_MIGRATION_LOCK = 0x4D494E4552  # "MINER"
# The advisory lock every write transaction holds, so writers take turns as on SQLite.
_WRITE_LOCK = 0x4D57  # "MW"
# Prepared statements kept per connection (the batched queries have many shapes).
_STATEMENTS_KEPT = 512
# How long a close waits for the server's goodbye before it cuts the connection.
CLOSE_SECONDS = 5.0


class PgIntegrityError(sqlite3.IntegrityError):
    """A PostgreSQL constraint violation (unique, check, foreign key, not null)."""


class PgOperationalError(sqlite3.OperationalError):
    """Any other error PostgreSQL reported for a statement."""


# SQLite's words for each violation first, as the code and its logs already know them.
_VIOLATIONS: tuple[tuple[type[asyncpg.PostgresError], str], ...] = (
    (asyncpg.UniqueViolationError, "UNIQUE constraint failed"),
    (asyncpg.CheckViolationError, "CHECK constraint failed"),
    (asyncpg.ForeignKeyViolationError, "FOREIGN KEY constraint failed"),
    (asyncpg.NotNullViolationError, "NOT NULL constraint failed"),
)


# The storage states members are told about (bot.tree), under SQLite's names.
_STORAGE_STATES: tuple[tuple[type[asyncpg.PostgresError], str], ...] = (
    (asyncpg.DiskFullError, "SQLITE_FULL"),
    (asyncpg.ReadOnlySQLTransactionError, "SQLITE_READONLY"),
    (asyncpg.LockNotAvailableError, "SQLITE_BUSY"),
    (asyncpg.DeadlockDetectedError, "SQLITE_BUSY"),
    (asyncpg.PostgresConnectionError, "SQLITE_IOERR"),
)
# What a statement may raise: PostgreSQL's errors, or a connection found closed.
_FAILURES = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
)
# Of those, what leaves the connection unusable (besides an InterfaceError on a connection
# already closed): it is dropped, and the next statement reconnects.
_LOST = (asyncpg.PostgresConnectionError, asyncpg.exceptions.InternalClientError, OSError)


def _mapped(exc: BaseException, *, lost: bool = False) -> sqlite3.Error:
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        words = next((text for kind, text in _VIOLATIONS if isinstance(exc, kind)), "constraint")
        return PgIntegrityError(f"{words}: {exc}")
    error = PgOperationalError(str(exc) or type(exc).__name__)
    lost = isinstance(exc, OSError | asyncpg.InterfaceError)  # the connection is gone
    error.sqlite_errorname = (
        "SQLITE_IOERR"
        if lost
        else next((name for kind, name in _STORAGE_STATES if isinstance(exc, kind)), "")
    )
    return error


def pg_migrations(
    shared: Path = MIGRATIONS_DIR, dialect: Path = PG_MIGRATIONS_DIR
) -> list[Migration]:
    """The numbered migrations as PostgreSQL runs them.

    A version whose SQL is portable has one file, shared by both stores; one that is not has
    its PostgreSQL text under ``postgresql/`` with the same number.
    """
    own = {migration.version: migration for migration in _dialect_files(dialect)}
    shared_migrations = discover_migrations(shared)
    unknown = sorted(set(own) - {m.version for m in shared_migrations})
    if unknown:
        raise StoreError(f"PostgreSQL migrations without a shared counterpart: {unknown}")
    return [own.get(migration.version, migration) for migration in shared_migrations]


def _dialect_files(folder: Path) -> list[Migration]:
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.sql")):
        version = int(path.name[:3]) if path.name[:3].isdigit() else None
        if version is None:
            raise StoreError(f"migration file name not understood: {path.name}")
        found.append(Migration(version, path.stem, path.read_text(encoding="utf-8")))
    return found


def _coerced(statement: PreparedStatement, args: tuple[Any, ...]) -> list[Any]:
    """The arguments as PostgreSQL's types want them: SQLite's 0/1 flags where a boolean is."""
    types = statement.get_parameters()
    return [
        bool(value) if isinstance(value, int) and kind.name == "bool" else value
        for value, kind in zip(args, types, strict=True)
    ]


def _rowcount(status: str | None) -> int:
    match = _STATUS_COUNT.search(status or "")
    return int(match.group(1)) if match else -1


class PgCursor:
    """The rows and row count of one executed statement, read like an aiosqlite cursor."""

    lastrowid = None  # PostgreSQL has no rowid: the repositories use RETURNING id

    def __init__(self, rows: list[asyncpg.Record], rowcount: int) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount

    async def fetchone(self) -> asyncpg.Record | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[asyncpg.Record]:
        rest, self._next = self._rows[self._next :], len(self._rows)
        return rest

    async def close(self) -> None:
        """Nothing to release: the rows are already read."""


class _PendingCursor:
    """What ``execute`` returns: awaited, or used as ``async with``, like aiosqlite's."""

    def __init__(self, run: Callable[[], Any]) -> None:
        self._run = run
        self._cursor: PgCursor | None = None

    def __await__(self) -> Any:
        return self._run().__await__()

    async def __aenter__(self) -> PgCursor:
        self._cursor = cast(PgCursor, await self._run())
        return self._cursor

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


class PgConnection:
    """The calls the repositories make on a transaction's connection, run on PostgreSQL."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    def execute(self, sql: str, parameters: Params = ()) -> _PendingCursor:
        return _PendingCursor(lambda: self._db.run(sql, parameters))

    async def execute_fetchall(self, sql: str, parameters: Params = ()) -> list[asyncpg.Record]:
        cursor = await self._db.run(sql, parameters)
        return await cursor.fetchall()

    async def executemany(self, sql: str, parameters: Iterable[Params]) -> None:
        await self._db.run_many(sql, parameters)


class PostgresDatabase(Database):
    """A PostgreSQL database behind the store interface of the SQLite ``Database``."""

    def __init__(self, conn: asyncpg.Connection, url: str) -> None:
        # The SQLite connection is never used: every method reaching it is overridden.
        self._pg = conn
        self.url = url
        # No ``path``: there is no file, and a path made of the URL would name a SQLite file
        # nobody wants. ``location`` (the URL) is what reopens the store.
        self._write_lock = asyncio.Lock()
        self._statement_lock = asyncio.Lock()
        self._statements: dict[str, PreparedStatement] = {}
        self._on_commit = None

    @classmethod
    async def connect(cls, url: str) -> PostgresDatabase:
        """Connect to the database at ``url`` and refuse a schema newer than this program."""
        try:
            conn = await asyncpg.connect(url, timeout=10)
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            raise StoreError(f"cannot connect to the store {redact(url)}: {exc}") from None
        except ValueError as exc:  # a malformed URL
            raise StoreError(f"the store URL {redact(url)} is not understood: {exc}") from None
        db = cls(conn, url)
        try:
            version = await db.user_version()
            latest = len(pg_migrations())
            if version > latest:
                raise StoreError(
                    f"the store {redact(url)} is at schema version {version}, newer than this "
                    f"program knows ({latest}): run the minerwatch version that wrote it "
                    "(the store was not changed)"
                )
        except BaseException:
            await conn.close()
            raise
        return db

    @property
    def location(self) -> Path | str:
        """What ``Store.open`` takes to open this store again: its URL."""
        return self.url

    async def close(self) -> None:
        """Close the connection (idempotent); cut it when the server does not answer in time.

        Bounded because asyncpg's graceful close first waits, with no limit, for the answer to
        any cancel a timed-out statement left pending: a stop must not hang on it.
        """
        if self._pg.is_closed():
            return
        closing = asyncio.ensure_future(self._pg.close())
        done, _ = await asyncio.wait({closing}, timeout=CLOSE_SECONDS)
        if not done:
            log.warning("the store %s did not close in time: cut", redact(self.url))
            self._pg.terminate()
            closing.cancel()

    async def _connection(self) -> asyncpg.Connection:
        """The connection, opened again if it was lost (a server restart) between transactions.

        A statement that finds it lost fails (members are told the storage is failing); the
        next one, outside a transaction, reconnects.
        """
        if self._pg.is_closed() and self._on_commit is None:
            log.warning("the connection to the store %s was lost: reconnecting", redact(self.url))
            self._statements.clear()
            self._pg = await asyncpg.connect(self.url, timeout=10)
        return self._pg

    def _failed(self, exc: BaseException) -> sqlite3.Error:
        """The error to raise for ``exc``; a connection it left unusable is dropped."""
        closed = self._pg.is_closed()
        lost = isinstance(exc, _LOST) or (isinstance(exc, asyncpg.InterfaceError) and closed)
        if lost and not closed:
            self._pg.terminate()
        return _mapped(exc, lost=lost)

    async def _prepared(self, sql: str) -> PreparedStatement:
        """The server-side statement for ``sql``, prepared once per connection."""
        await self._connection()
        statement = self._statements.pop(sql, None)
        if statement is None:
            statement = await self._pg.prepare(sql)
            if len(self._statements) >= _STATEMENTS_KEPT:
                self._statements.pop(next(iter(self._statements)))
        self._statements[sql] = statement  # most recently used last
        return statement

    async def run(self, sql: str, params: Params = ()) -> PgCursor:
        """Run one statement; its rows (if any) and how many rows it changed."""
        query, args = translate(sql).bind(params)
        async with self._statement_lock:
            try:
                statement = await self._prepared(query)
                rows = await statement.fetch(*_coerced(statement, args))
            except _FAILURES as exc:
                raise self._failed(exc) from exc
            return PgCursor(rows, _rowcount(statement.get_statusmsg()))

    async def run_many(self, sql: str, params: Iterable[Params]) -> None:
        """Run one statement once per parameter set."""
        translated = translate(sql)
        bound = [translated.bind(one) for one in params]
        if not bound:
            return
        async with self._statement_lock:
            try:
                for query in dict.fromkeys(query for query, _ in bound):
                    statement = await self._prepared(query)
                    await statement.executemany(
                        [_coerced(statement, args) for text, args in bound if text == query]
                    )
            except _FAILURES as exc:
                raise self._failed(exc) from exc

    async def user_version(self) -> int:
        """Return the schema version recorded in the database (0: nothing applied yet)."""
        exists = await self.fetch_one("SELECT to_regclass('schema_version') IS NOT NULL")
        if exists is None or not exists[0]:
            return 0
        row = await self.fetch_one("SELECT max(version) FROM schema_version")
        return int(row[0] or 0) if row else 0

    async def migrate(self, migrations: Sequence[Migration] | None = None) -> list[int]:
        """Apply every migration newer than the database, each in its own transaction."""
        pending = pg_migrations() if migrations is None else list(migrations)
        async with self._write_lock:
            current = await self.user_version()
            latest = pending[-1].version if pending else 0
            if current > latest:
                raise StoreError(
                    f"the store {redact(self.url)} is at schema version {current}, newer than "
                    f"this program knows ({latest}) (the store was not changed)"
                )
            applied: list[int] = []
            for migration in pending:
                if migration.version <= current:
                    continue
                async with self._statement_lock:
                    try:
                        await self._connection()
                        async with self._pg.transaction():
                            if not await self._apply(migration):
                                continue  # another process applied it meanwhile
                    except _FAILURES as exc:
                        self._failed(exc)
                        raise StoreError(f"migration {migration.name} failed: {exc}") from exc
                log.info("applied migration %s", migration.name)
                applied.append(migration.version)
            if applied:
                self._statements.clear()  # prepared against the schema before
            return applied

    async def _apply(self, migration: Migration) -> bool:
        """Apply one migration inside the open transaction; False if it already was.

        Processes starting together take turns (a transaction-scoped advisory lock), and each
        reads the version again once it holds the lock.
        """
        await self._pg.execute(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        await self._pg.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = await self._pg.fetchval(
            "SELECT 1 FROM schema_version WHERE version >= $1 LIMIT 1", migration.version
        )
        if done:
            return False
        await self._pg.execute(migration.sql)
        await self._pg.execute(
            "INSERT INTO schema_version (version) VALUES ($1)", migration.version
        )
        return True

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a block as one write transaction: all of it lands, or none of it."""
        async with self._write_lock:
            async with self._statement_lock:
                try:
                    # As SQLite's BEGIN IMMEDIATE: one write transaction at a time in the
                    # whole store, across processes; reads never wait for it.
                    await (await self._connection()).execute(
                        f"BEGIN; SELECT pg_advisory_xact_lock({_WRITE_LOCK})"
                    )
                except _FAILURES as exc:
                    raise self._failed(exc) from exc
            self._on_commit = []
            try:
                # The repositories are written against aiosqlite's connection; PgConnection
                # implements the part of it they call (execute, executemany, execute_fetchall).
                yield cast(aiosqlite.Connection, PgConnection(self))
            except BaseException:
                self._on_commit = None
                await asyncio.shield(self._end("ROLLBACK"))
                raise
            else:
                try:
                    await asyncio.shield(self._end("COMMIT"))
                    committed = self._on_commit
                finally:
                    self._on_commit = None
                for callback in committed:
                    callback()

    async def _end(self, command: str) -> None:
        async with self._statement_lock:
            if command == "ROLLBACK" and self._pg.is_closed():
                return  # the server rolled back when the connection was lost
            try:
                await self._pg.execute(command)
            except _FAILURES as exc:
                raise self._failed(exc) from exc

    async def fetch_all(self, query: str, params: Params = ()) -> list[Any]:
        """Run a read query and return every row."""
        return await (await self.run(query, params)).fetchall()

    async def fetch_one(self, query: str, params: Params = ()) -> Any:
        """Run a read query and return its first row, if any."""
        return await (await self.run(query, params)).fetchone()

    async def execute(self, query: str, params: Params = ()) -> int:
        """Run one write statement in its own transaction; return the rows it changed."""
        async with self.transaction():
            return (await self.run(query, params)).rowcount

    async def integrity_check(self) -> list[str]:
        """PostgreSQL checks its own pages: a reachable database reports ``["ok"]``."""
        await self.fetch_one("SELECT 1")
        return ["ok"]

    async def backup(self, destination: Path) -> None:
        """Refused: a PostgreSQL store is backed up with PostgreSQL's own tools."""
        raise StoreError(
            "the store is a PostgreSQL database: back it up with pg_dump "
            f"(for example `pg_dump --format=custom --file {destination} DBNAME`)"
        )
