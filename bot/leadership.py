"""Which process leads: the one that runs the global jobs among those sharing a store.

PostgreSQL: a session-level advisory lock held on a connection of its own. The server
releases it the moment that session ends, so a leader that dies (or whose connection is cut)
leaves the lock to a standby, which asks for it every few seconds.

SQLite: an exclusive lock on a file beside the store; the operating system releases it when
the process dies. A store in memory is never shared: its process always leads.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Final, Protocol

import asyncpg

from bot.store.db import Database
from bot.store.postgres import PostgresDatabase
from bot.store_location import redact

log = logging.getLogger(__name__)

# The advisory lock the leader holds for as long as its lock connection lives.
LEADER_LOCK_KEY: Final = 0x4D574C4541  # "MWLEA"
# A standby asks for the lock this often (one cheap query or system call): short, because
# the takeover after a leader dies is this plus SETTLE_SECONDS plus a busy machine's lag.
RETRY_SECONDS: Final = 2.0
# The leader checks its lock connection this often, and gives the check this long.
CHECK_SECONDS: Final = 2.0
CHECK_TIMEOUT: Final = 2.0
# A lock won after waiting for it may have been freed by cutting the old leader's connection
# while that process still runs: the new leader starts once the old one's check has had time
# to notice (takeover stays within 2 + 5 = 7 s, under the 15 s promised). A process that wins
# the lock at its start leads at once (a lone process must not wait), so a restart inside the
# few seconds an old leader takes to notice a cut connection can overlap it briefly: the global
# jobs tolerate that (alert transitions and the outbox are transactional), they are not fenced.
SETTLE_SECONDS: Final = CHECK_SECONDS + CHECK_TIMEOUT + 1.0
CONNECT_TIMEOUT: Final = 5.0
# How long a stop waits for the competing loop to end before it goes on without it.
CLOSE_SECONDS: Final = 5.0

Listener = Callable[[bool], None]


class Leadership(Protocol):
    """Whether this process leads; started once the process runs, closed when it stops."""

    @property
    def is_leader(self) -> bool: ...

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(leading)`` each time this process starts or stops leading."""

    async def start(self) -> None:
        """Compete once at once (a lone process leads from its start), then keep competing."""

    async def close(self) -> None:
        """Stop competing and give the leadership up."""


class _Base:
    """The state and the log lines every kind of leadership shares."""

    def __init__(self) -> None:
        self._leading = False
        self._listeners: list[Listener] = []

    @property
    def is_leader(self) -> bool:
        return self._leading

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _set(self, leading: bool, why: str = "") -> None:
        if leading == self._leading:
            return
        self._leading = leading
        if leading:
            log.info("this process became the leader: it runs the global jobs")
        else:
            log.warning("this process stopped leading%s", f": {why}" if why else "")
        for listener in self._listeners:
            try:
                listener(leading)
            except Exception:
                log.exception("a leadership listener failed")


class AlwaysLeader(_Base):
    """A store nobody else can open (in memory), or no store at all: its one process leads."""

    def __init__(self) -> None:
        super().__init__()
        self._leading = True  # from the start: nothing to compete with

    async def start(self) -> None:
        """Nothing to compete for."""

    async def close(self) -> None:
        """Nothing to hand over."""


class _Competing(_Base):
    """A background loop: try for the lock while standing by, check it while leading."""

    settle_seconds = SETTLE_SECONDS

    def __init__(self) -> None:
        super().__init__()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        if self._task is not None:
            return
        if await self._try_acquire():
            self._set(True)
        self._task = asyncio.create_task(self._run(), name="leadership")

    async def close(self) -> None:
        task, self._task = self._task, None
        self._stopping = True  # ends the loop even if a cancel were lost on the way
        if task is not None:
            task.cancel()
            # Bounded: a stop must never wait on a database that does not answer.
            done, _ = await asyncio.wait({task}, timeout=CLOSE_SECONDS)
            if not done:
                log.warning("the leadership loop did not stop within %s s", CLOSE_SECONDS)
        self._leading = False  # a clean stop hands over quietly
        await self._release()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._step()
            except Exception:
                # The loop must outlive any surprise: a process that stops competing would
                # leave the global jobs without a leader.
                log.exception("leadership check failed")
                await asyncio.sleep(RETRY_SECONDS)

    async def _step(self) -> None:
        """One check while leading, or one try for the lock while standing by."""
        if self._leading:
            await asyncio.sleep(CHECK_SECONDS)
            if not await self._still_held():
                self._set(False, "the lock connection failed its check")
                await self._release()
            return
        await asyncio.sleep(RETRY_SECONDS)
        if not await self._try_acquire():
            return
        # Waited for: the previous leader may still be noticing that it lost the lock.
        await asyncio.sleep(self.settle_seconds)
        if await self._still_held() and not self._stopping:
            self._set(True)
        else:
            await self._release()

    async def _try_acquire(self) -> bool:
        raise NotImplementedError

    async def _still_held(self) -> bool:
        raise NotImplementedError

    async def _release(self) -> None:
        raise NotImplementedError


class PgLeadership(_Competing):
    """Leadership over a PostgreSQL store: a session advisory lock on a dedicated connection."""

    def __init__(self, url: str, key: int = LEADER_LOCK_KEY) -> None:
        super().__init__()
        self._url = url
        self._key = key
        self._conn: asyncpg.Connection | None = None

    async def _try_acquire(self) -> bool:
        try:
            if self._conn is None or self._conn.is_closed():
                self._conn = await asyncpg.connect(self._url, timeout=CONNECT_TIMEOUT)
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancel
            # that arrives as the query completes, and a stop would then never end the loop.
            async with asyncio.timeout(CHECK_TIMEOUT):
                got = await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.info("cannot compete for the leadership on %s: %s", redact(self._url), exc)
            await self._release()
            return False
        return bool(got)

    async def _still_held(self) -> bool:
        conn = self._conn
        if conn is None or conn.is_closed():
            return False
        try:
            # Session locks live as long as the session: a live connection still holds it.
            async with asyncio.timeout(CHECK_TIMEOUT):
                await conn.fetchval("SELECT 1")
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        return True

    async def _release(self) -> None:
        # Cut, not closed politely: the server ends the session (and frees its lock) as soon
        # as the socket closes, and asyncpg's graceful close first waits, without a bound, for
        # the answer to any cancel a timed-out check left pending.
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()


class FileLeadership(_Competing):
    """Leadership over a SQLite store: an exclusive lock on ``<store>.leader``."""

    settle_seconds = 0.0  # a file lock is only ever freed by its holder closing or dying

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._fd: int | None = None

    async def _try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        except OSError as exc:
            log.warning("cannot open the leader lock %s: %s", self.path, exc)
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def _still_held(self) -> bool:
        # The kernel keeps the lock for as long as this process holds the descriptor.
        return self._fd is not None

    async def _release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the lock


def leadership_for(db: Database) -> Leadership:
    """The leadership that fits the store: an advisory lock, a lock file, or always."""
    if isinstance(db, PostgresDatabase):
        return PgLeadership(db.url)
    if str(db.path) == ":memory:":
        return AlwaysLeader()
    return FileLeadership(db.path.with_name(db.path.name + ".leader"))
