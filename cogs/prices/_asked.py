"""Untracked symbols members asked for lately, so the price poll keeps their quotes fresh."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Final

from bot.clock import Clock

# A symbol asked for once is polled for a day; beyond that it would cost requests for nobody.
ASKED_FOR: Final = timedelta(hours=24)
# Each extra symbol is one more request per poll: bound what members can add.
MAX_ASKED: Final = 50


class AskedSymbols:
    """The most recently asked untracked symbols, as a symbol source for the price pipeline."""

    def __init__(self, clock: Clock, *, keep: timedelta = ASKED_FOR, limit: int = MAX_ASKED):
        self._clock = clock
        self._keep = keep
        self._limit = limit
        self._asked: OrderedDict[str, datetime] = OrderedDict()
        self._closed = False

    def note(self, symbol: str) -> None:
        """Remember that ``symbol`` was asked for now (the oldest is dropped past the limit)."""
        if self._closed:
            return
        self._asked[symbol] = self._clock.now()
        self._asked.move_to_end(symbol)
        while len(self._asked) > self._limit:
            self._asked.popitem(last=False)

    async def symbols(self) -> set[str]:
        """Return the symbols asked for within the keep period (the pipeline polls them)."""
        cutoff = self._clock.now() - self._keep
        for symbol in [s for s, at in self._asked.items() if at < cutoff]:
            del self._asked[symbol]
        return set(self._asked)

    def close(self) -> None:
        """Stop offering symbols (the pipeline cannot unregister a source; it gets nothing)."""
        self._closed = True
        self._asked.clear()
