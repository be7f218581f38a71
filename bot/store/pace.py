"""SQL for the shared REST pace: tokens of each slot of time, taken by every bot process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final

from bot.store.db import Database

# Take up to :want of the slot's tokens, fewer when fewer are left, in one statement. The
# SET expressions read the row as it was (both stores), so ``granted`` is what this call got;
# a slot already spent updates nothing and returns no row.
TAKE: Final = """
    INSERT INTO rest_pace (slot, used, granted) VALUES (:slot, :want, :want)
    ON CONFLICT (slot) DO UPDATE SET
        granted = CASE WHEN rest_pace.used + :want > :budget
                       THEN :budget - rest_pace.used ELSE :want END,
        used = CASE WHEN rest_pace.used + :want > :budget
                    THEN :budget ELSE rest_pace.used + :want END
    WHERE rest_pace.used < :budget
    RETURNING granted
"""
PRUNE: Final = "DELETE FROM rest_pace WHERE slot < :before RETURNING slot"


class PaceBudget:
    """The slots' token counts, on a database connection of the pace's own.

    Each take (and prune) is one statement that commits by itself (the connection is in
    autocommit on both stores, and nothing else uses it), outside the store's write
    transactions: on PostgreSQL those take turns across every process, and a token must not
    wait behind a market-wide alert evaluation. The connection opens at the first take, so a
    process that never sends never opens it.
    """

    def __init__(self, connect: Callable[[], Awaitable[Database]]) -> None:
        self._connect = connect
        self._db: Database | None = None
        self._opening = asyncio.Lock()

    async def _database(self) -> Database:
        async with self._opening:
            if self._db is None:
                self._db = await self._connect()
            return self._db

    async def take(self, slot: int, want: int, budget: int) -> int:
        """Take up to ``want`` of slot ``slot``'s ``budget`` tokens; return how many were got."""
        if want < 1 or budget < 1:
            raise ValueError("a take asks for at least one of at least one token")
        db = await self._database()
        row = await db.fetch_one(TAKE, {"slot": slot, "want": min(want, budget), "budget": budget})
        return int(row[0]) if row is not None else 0

    async def prune(self, before: int) -> int:
        """Forget the slots before ``before`` (long over); return how many were deleted."""
        db = await self._database()
        return len(await db.fetch_all(PRUNE, {"before": before}))

    async def close(self) -> None:
        """Close the pace's connection, if it was opened."""
        async with self._opening:
            if self._db is not None:
                db, self._db = self._db, None
                await db.close()
