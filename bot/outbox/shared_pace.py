"""A REST pace shared by every process of one bot token, with its tokens kept in the store.

Discord's global limit (50 requests per second) counts a bot token's requests, whichever
process makes them: two processes each pacing itself at 50/s together send 100/s and get
global 429s. Here time is cut into short slots, each with a budget of tokens in the store's
``rest_pace`` table; a process takes a few tokens at a time in one round trip, spends them
within their slot, and waits for the next slot when the budget is spent.

Why slots of 0.1 s with 4 tokens rather than seconds with 45: Discord's second does not start
when ours does, so one of its seconds can straddle two of ours and see two budgets' worth of
requests. Any one second overlaps at most 11 slots of 0.1 s: at most 44 requests, whatever
the alignment, 40 per second sustained. The 6 left under 50 are for what this pace never sees:
discord.py's own calls (logging in, fetching the gateway, syncing commands), a few
milliseconds of clock difference between hosts, and network jitter moving a request into the
next second. (Interaction responses are not bound by the global limit.)
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import time
from collections.abc import Callable
from typing import Final

from bot.outbox.retry import RequestPace
from bot.store.db import StoreError
from bot.store.pace import PaceBudget

log = logging.getLogger(__name__)

SLOT_SECONDS: Final = 0.1
SLOT_BUDGET: Final = 4
# Tokens asked for per round trip: two requests per claim, and a token a process takes but
# does not use is lost for at most one slot.
BLOCK: Final = 2
# Slots are deleted once a minute old, every this many claims (about every 25 s at full pace).
KEEP_SLOTS: Final = 600
PRUNE_EVERY: Final = 500
# What the store raises when it cannot answer (SQLite's errors; PostgreSQL's are mapped to them).
STORE_FAILURES: Final = (StoreError, sqlite3.Error, OSError)


class SharedPace:
    """``RequestPace``'s interface, with the tokens shared through the store.

    A local ``RequestPace`` still applies: it bounds this process alone even if the store's
    slots were mis-sized, and costs nothing.
    """

    def __init__(
        self,
        budget: PaceBudget,
        *,
        local: RequestPace | None = None,
        slot_seconds: float = SLOT_SECONDS,
        slot_budget: int = SLOT_BUDGET,
        block: int = BLOCK,
        now: Callable[[], float] = time.time,
    ) -> None:
        if slot_seconds <= 0 or slot_budget < 1 or block < 1:
            raise ValueError("a shared pace needs positive slots, budget and block")
        self._budget = budget
        self._local = local or RequestPace()
        self._slot_seconds = slot_seconds
        self._slot_budget = slot_budget
        self._block = min(block, slot_budget)
        # Wall-clock time: every process (on every host) must number the slots alike.
        self._now = now
        self._turn = asyncio.Lock()  # first come, first served; one claim in flight
        self._slot = -1  # the slot the tokens in hand belong to
        self._tokens = 0
        self._claims = 0
        self._failing = False

    async def wait(self) -> None:
        """Return once one more request may start without the processes exceeding the pace."""
        await self._local.wait()
        async with self._turn:
            while True:
                slot = self._current_slot()
                if self._tokens and self._slot == slot:
                    self._tokens -= 1
                    return
                try:
                    granted = await self._budget.take(slot, self._block, self._slot_budget)
                except STORE_FAILURES as exc:
                    await self._without_store(slot, exc)
                    return
                self._recovered()
                self._claims += 1
                if self._claims % PRUNE_EVERY == 0:
                    await self._prune(slot)
                if granted and self._current_slot() == slot:
                    self._slot, self._tokens = slot, granted - 1
                    return
                # Spent by the processes, or the claim took so long that its slot is over
                # (its tokens are then lost: counted, never used): wait for the next slot.
                await asyncio.sleep(self._until_after(slot))

    def _current_slot(self) -> int:
        return math.floor(self._now() / self._slot_seconds)

    def _until_after(self, slot: int) -> float:
        return max(0.0, (slot + 1) * self._slot_seconds - self._now())

    async def _without_store(self, slot: int, exc: BaseException) -> None:
        """The store did not answer: go on at one request per slot, the local pace besides.

        A send whose row cannot be recorded fails anyway; reads and sends that can are not
        held up for good by a store that comes back.
        """
        if not self._failing:
            self._failing = True
            log.warning("the shared REST pace cannot reach the store (%s): pacing locally", exc)
        self._tokens = 0
        await asyncio.sleep(self._until_after(slot))

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            log.info("the shared REST pace reaches the store again")

    async def _prune(self, slot: int) -> None:
        try:
            await self._budget.prune(slot - KEEP_SLOTS)
        except STORE_FAILURES as exc:  # the next prune deletes them
            log.warning("could not delete old REST pace slots: %s", exc)

    async def aclose(self) -> None:
        """Close the budget's connection to the store."""
        await self._budget.close()
