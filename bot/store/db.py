"""The SQLite connections: opening, pragmas, migrations, transactions, reads and backups."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import errno
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiosqlite

from bot.paths import MIGRATIONS_DIR

log = logging.getLogger(__name__)

# How long a connection waits for another writer before SQLite reports "database is locked".
BUSY_TIMEOUT_MS = 5_000
# How long after a commit the WAL is copied back into the database file (one checkpoint for
# the commits of that span).
CHECKPOINT_DELAY_SECONDS = 0.5
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
# Read-only connections beside the writer's, for reads made outside a write transaction
# (WAL lets them read while the writer writes); see READERS in bench/README.md.
READERS = 1
# A statement that can only read: it may go to a read-only connection. Anything else given to
# fetch_all/fetch_one (a PRAGMA setting the connection, an INSERT ... RETURNING) runs on the
# writer's connection, as every statement did before there were readers.
_READ_ONLY = re.compile(r"(?:\s|--[^\n]*\n)*(?:SELECT|VALUES)\b", re.IGNORECASE)
# The write transaction the running task is inside (a marker per transaction, None outside).
# Its reads go to the writer's connection, the only one that sees its uncommitted writes; a
# task started inside a transaction inherits the marker, which no longer matches once the
# transaction has ended.
_INSIDE: contextvars.ContextVar[object | None] = contextvars.ContextVar(
    "store_write_transaction", default=None
)


# Positional ("?") parameters as a sequence, or named (":name") ones as a mapping.
Params = Iterable[Any] | Mapping[str, Any]


def _bind(params: Params) -> Any:
    return params if isinstance(params, Mapping) else tuple(params)


class StoreError(Exception):
    """The store could not do what was asked (file unreadable, schema newer than the code...)."""


def _explain(path: Path, exc: BaseException) -> str:
    """Say in one line what is wrong with the store file and what to do; nothing is changed."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or getattr(exc, "errno", None) == errno.ENOSPC:
        return (
            f"the disk holding the store {path} is full: free some space and start again "
            "(nothing was changed)"
        )
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return (
            f"the store {path} is not a readable SQLite database ({exc}); it was left as it is: "
            "restore a backup made with `minerwatch db backup`, or move it away to start afresh"
        )
    if (
        isinstance(exc, PermissionError)
        or code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM)
        or (isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES))
    ):
        return (
            f"the store {path} cannot be written ({exc}): the user running minerwatch needs "
            f"write access to {path.parent} and the file, or set MINERWATCH_DB to a writable path"
        )
    return f"cannot use the store at {path}: {exc}"


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered SQL file under bot/data/migrations."""

    version: int
    name: str
    sql: str


def discover_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Read the numbered migration files, in order, refusing gaps and duplicates.

    No migrations at all is a broken install, never "schema version 0": it is refused loudly.
    """
    files = sorted(folder.glob("*.sql")) if folder.is_dir() else []
    if not files:
        raise StoreError(
            f"the schema migrations are missing from {folder}: the installation is incomplete "
            "(reinstall minerwatch)"
        )
    found: list[Migration] = []
    for path in files:
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise StoreError(f"migration file name not understood: {path.name} (want NNN_name.sql)")
        found.append(Migration(int(match.group(1)), path.stem, path.read_text(encoding="utf-8")))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise StoreError(
                f"migrations must be numbered 001, 002, ... without gaps; got {migration.name}"
            )
    return found


def _refuse_newer(path: Path, version: int, latest: int | None = None) -> None:
    """Refuse a store whose schema is newer than the migrations this program ships."""
    if latest is None:
        latest = discover_migrations()[-1].version
    if version > latest:
        raise StoreError(
            f"the store {path} is at schema version {version}, newer than this program knows "
            f"({latest}): run the minerwatch version that wrote it, or restore a backup made "
            "before the upgrade (the store was not changed)"
        )


def _create_private_file(path: Path, *, exclusive: bool = False) -> None:
    """Create the database file readable by its owner only, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_CREAT | os.O_RDWR | (os.O_EXCL if exclusive else 0)
    fd = os.open(path, flags, 0o600)
    os.close(fd)


class Checkpointer:
    """Copies the WAL back into the database file from a connection of its own, after commits.

    SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages,
    so that commit also waits for every page to be copied and synced: ~160 ms for the
    ~6,000 pages of a market-wide alert evaluation. Here the commit returns as soon as its
    pages are in the WAL, and a PASSIVE checkpoint (it never waits for, nor blocks, readers
    and the writer) follows shortly on another thread. Durability is the same: a committed
    transaction is in the WAL either way, synced as the ``synchronous`` setting says.
    """

    def __init__(self, conn: aiosqlite.Connection, delay: float = CHECKPOINT_DELAY_SECONDS) -> None:
        self._conn = conn
        self._delay = delay
        self._due = False  # something committed since the last checkpoint began
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path) -> Checkpointer:
        """Open the checkpoint's own connection to the store at ``path``."""
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        except BaseException:
            await conn.close()
            raise
        return cls(conn)

    def soon(self) -> None:
        """Checkpoint after the delay (what commits until then is copied by the same one)."""
        self._due = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="store-checkpoint"
            )

    async def _run(self) -> None:
        while self._due:
            await asyncio.sleep(self._delay)
            self._due = False
            try:
                await self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:
                # The pages stay in the WAL, safe; the next commit's checkpoint copies them.
                log.warning("store checkpoint failed: %s", exc)

    async def close(self) -> None:
        """Stop checkpointing and close the connection (closing the store checkpoints)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._conn.close()


async def _open_reader(path: Path) -> aiosqlite.Connection:
    """A read-only connection to the store file at ``path`` (already in WAL mode)."""
    uri = f"file:{quote(str(path))}?mode=ro"
    conn = await aiosqlite.connect(uri, uri=True, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    try:
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA cache_size = -65536")
    except BaseException:
        await conn.close()
        raise
    return conn


class Readers:
    """The read-only connections; each read goes to the one with the fewest reads in flight."""

    def __init__(self, conns: Sequence[aiosqlite.Connection]) -> None:
        self._conns = list(conns)
        self._in_flight = [0] * len(self._conns)

    @classmethod
    async def open(cls, path: Path, count: int | None = None) -> Readers:
        """Open ``count`` (by default READERS) read-only connections to the store at ``path``."""
        readers = cls([])
        try:
            for _ in range(READERS if count is None else count):
                readers._conns.append(await _open_reader(path))
                readers._in_flight.append(0)
        except BaseException:
            await readers.close()
            raise
        return readers

    def __len__(self) -> int:
        return len(self._conns)

    @asynccontextmanager
    async def use(self) -> AsyncIterator[aiosqlite.Connection]:
        """The least busy connection, for one read."""
        index = min(range(len(self._conns)), key=self._in_flight.__getitem__)
        self._in_flight[index] += 1
        try:
            yield self._conns[index]
        finally:
            self._in_flight[index] -= 1

    async def close(self) -> None:
        """Close every connection (idempotent), even when one fails to close."""
        conns, self._conns, self._in_flight = self._conns, [], []
        failure: BaseException | None = None
        for conn in conns:
            try:
                await conn.close()
            except Exception as exc:  # closing the others matters more
                failure = failure or exc
        if failure is not None:
            raise failure


class Database:
    """One aiosqlite connection that writes, in autocommit mode with explicit, serialised write
    transactions, and (for a file) read-only connections for the reads made outside them."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: Path,
        checkpointer: Checkpointer | None = None,
        readers: Readers | None = None,
    ) -> None:
        self._conn = conn
        self.path = path
        self._checkpointer = checkpointer  # None in memory: no WAL
        # None in memory: another connection to ":memory:" would open another database.
        self._readers = readers if readers else None
        # The open write transaction's marker (see _INSIDE); None when none is open.
        self._open: object | None = None
        # SQLite allows one writer; serialising here avoids SQLITE_BUSY inside our own process.
        self._write_lock = asyncio.Lock()
        # What must follow the open write transaction's commit (None: no transaction open).
        self._on_commit: list[Callable[[], None]] | None = None

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (creating if needed) the store at ``path`` with the pragmas the bot relies on."""
        if str(path) != ":memory:":
            try:
                _create_private_file(path)
            except OSError as exc:
                raise StoreError(_explain(path, exc)) from exc
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(_explain(path, exc)) from exc
        conn.row_factory = aiosqlite.Row
        checkpointer: Checkpointer | None = None
        readers: Readers | None = None
        try:
            # Before anything writes (switching to WAL rewrites the header): a store from a
            # newer program is left exactly as it is.
            async with conn.execute("PRAGMA user_version") as cursor:
                row = await cursor.fetchone()
            _refuse_newer(path, int(row[0]) if row else 0)
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable across application crashes in WAL mode; only power loss can
            # roll back the last transactions, never corrupt the file.
            await conn.execute("PRAGMA synchronous = NORMAL")
            # 64 MiB of page cache (SQLite's default is 2 MiB), filled only as pages are read:
            # a market-wide jump reads thousands of scattered alert rows in one evaluation.
            await conn.execute("PRAGMA cache_size = -65536")
            if str(path) != ":memory:":
                # Checkpoints run apart, after commits (see Checkpointer), not inside them.
                await conn.execute("PRAGMA wal_autocheckpoint = 0")
                checkpointer = await Checkpointer.open(path)
                readers = await Readers.open(path)
        except BaseException as exc:
            if checkpointer is not None:
                await checkpointer.close()
            await conn.close()
            if isinstance(exc, sqlite3.Error):
                raise StoreError(_explain(path, exc)) from exc
            raise
        return cls(conn, path, checkpointer, readers)

    @property
    def location(self) -> Path | str:
        """What ``Store.open`` takes to open this store again (the file's path here)."""
        return self.path

    async def close(self) -> None:
        """Close the connections (idempotent), the writer's last: it checkpoints on closing."""
        try:
            if self._readers is not None:
                readers, self._readers = self._readers, None
                await readers.close()
        finally:
            try:
                if self._checkpointer is not None:
                    checkpointer, self._checkpointer = self._checkpointer, None
                    await checkpointer.close()
            finally:
                await self._conn.close()

    def _committed(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.soon()

    async def user_version(self) -> int:
        """Return the schema version recorded in the file."""
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, migrations: Sequence[Migration] | None = None) -> list[int]:
        """Apply every migration newer than the file, each in its own transaction."""
        pending_source = discover_migrations() if migrations is None else list(migrations)
        async with self._write_lock:
            current = await self.user_version()
            latest = pending_source[-1].version if pending_source else 0
            _refuse_newer(self.path, current, latest)
            applied: list[int] = []
            for migration in pending_source:
                if migration.version <= current:
                    continue
                # executescript() commits anything pending first, so the transaction is opened
                # inside the script: the schema change and its version number land together.
                script = (
                    "BEGIN IMMEDIATE;\n"
                    f"{migration.sql}\n"
                    f"PRAGMA user_version = {migration.version};\n"
                    "COMMIT;\n"
                )
                try:
                    await self._conn.executescript(script)
                except sqlite3.Error as exc:
                    if self._conn.in_transaction:
                        await self._conn.rollback()
                    raise StoreError(
                        f"migration {migration.name} failed: {_explain(self.path, exc)}"
                    ) from exc
                log.info("applied migration %s", migration.name)
                applied.append(migration.version)
            if applied:
                self._committed()
            return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run a block as one write transaction: all of it lands, or none of it."""
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            self._on_commit = []
            self._open = marker = object()
            inside = _INSIDE.set(marker)
            try:
                try:
                    yield self._conn
                finally:
                    self._open = None
                    _INSIDE.reset(inside)
            except BaseException:
                self._on_commit = None  # rolled back: what it would have followed never was
                # Shielded: a cancelled caller must not leave the transaction half-closed.
                await asyncio.shield(self._conn.rollback())
                raise
            else:
                try:
                    await asyncio.shield(self._conn.commit())
                    committed = self._on_commit
                finally:
                    self._on_commit = None
                self._committed()
                for callback in committed:
                    callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the open write transaction commits, never if it rolls back.

        In-memory copies of stored data (the alerts' level index) follow the store this way.
        Outside a transaction every statement has already committed: it runs at once.
        """
        if self._on_commit is None:
            callback()
        else:
            self._on_commit.append(callback)

    @asynccontextmanager
    async def _connection_for(self, query: str) -> AsyncIterator[aiosqlite.Connection]:
        """A reader for a read made outside a write transaction, else the writer's connection.

        A read from inside the open transaction (the task that opened it, or one it started)
        must see that transaction's writes, which only the writer's connection holds.
        """
        marker = _INSIDE.get()
        inside = marker is not None and marker is self._open
        if self._readers is None or inside or not _READ_ONLY.match(query):
            yield self._conn
            return
        async with self._readers.use() as conn:
            yield conn

    async def fetch_all(self, query: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Run a read query and return every row."""
        async with (
            self._connection_for(query) as conn,
            conn.execute(query, _bind(params)) as cursor,
        ):
            return list(await cursor.fetchall())

    async def fetch_one(self, query: str, params: Params = ()) -> aiosqlite.Row | None:
        """Run a read query and return its first row, if any."""
        async with (
            self._connection_for(query) as conn,
            conn.execute(query, _bind(params)) as cursor,
        ):
            return await cursor.fetchone()

    async def execute(self, query: str, params: Params = ()) -> int:
        """Run one write statement in its own transaction; return the rows it changed."""
        async with self.transaction() as conn:
            cursor = await conn.execute(query, _bind(params))
            return cursor.rowcount

    async def integrity_check(self) -> list[str]:
        """Return SQLite's integrity report (``["ok"]`` when the file is sound)."""
        rows = await self.fetch_all("PRAGMA integrity_check")
        return [str(row[0]) for row in rows]

    async def backup(self, destination: Path) -> None:
        """Write a consistent copy of the store to ``destination`` (owner-only permissions)."""
        # A typo in the directory must not scatter backups into a new tree: it has to exist.
        if not destination.parent.is_dir():
            raise StoreError(
                f"backup directory {destination.parent} does not exist: create it first "
                "or choose another path"
            )
        try:
            _create_private_file(destination, exclusive=True)
        except FileExistsError:
            raise StoreError(f"backup target already exists: {destination}") from None
        except OSError as exc:
            raise StoreError(f"cannot write the backup {destination}: {exc}") from exc
        target = await aiosqlite.connect(destination)
        try:
            await self._conn.backup(target)
        finally:
            await target.close()
