"""Next earnings dates per symbol, from Yahoo's calendar, refreshed once a day, kept in memory.

Only Yahoo publishes them: with replayed or demo prices every date is unknown, and says so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from bot.clock import Clock
from bot.lru import MAX_SYMBOLS_HELD, LruDict

log = logging.getLogger(__name__)

EarningsFetch = Callable[[str], Awaitable[list[date] | None]]
FETCH_TIMEOUT: Final = 10.0  # seconds per symbol; a slow answer leaves the date unknown


@dataclass(frozen=True, slots=True)
class EarningsDates:
    """What the calendar said about a symbol on the day it was asked."""

    symbol: str
    dates: tuple[date, ...]  # announced (or estimated) dates, oldest first
    checked_on: date

    def next_on_or_after(self, day: date) -> date | None:
        """Return the first listed date on or after ``day`` (None: none listed)."""
        return next((d for d in self.dates if d >= day), None)


class EarningsCalendar:
    """Earnings dates per symbol: one request per symbol and UTC day, served from memory."""

    def __init__(self, fetch: EarningsFetch | None, clock: Clock) -> None:
        self._fetch = fetch  # None: the price source has no calendar (replay, demo)
        self._clock = clock
        self._known: LruDict[str, EarningsDates] = LruDict(MAX_SYMBOLS_HELD)

    @property
    def available(self) -> bool:
        """Tell whether earnings dates can be known at all with this price source."""
        return self._fetch is not None

    def dates(self, symbol: str) -> EarningsDates | None:
        """Return what was last learnt about ``symbol`` (None: never asked, or no answer)."""
        return self._known.get(symbol)

    def next_date(self, symbol: str, day: date) -> date | None:
        """Return ``symbol``'s next earnings date on or after ``day``, when known."""
        known = self._known.get(symbol)
        return None if known is None else known.next_on_or_after(day)

    def _asked_on(self, symbol: str) -> date | None:
        known = self._known.get(symbol)
        return None if known is None else known.checked_on

    async def refresh(self, symbols: Iterable[str]) -> dict[str, int]:
        """Ask for the symbols not asked yet today; return how many dates each has."""
        if self._fetch is None:
            return {}
        today = self._clock.now().date()
        due = sorted(
            {s for s in symbols if (k := self._known.get(s)) is None or k.checked_on != today}
        )
        found: dict[str, int] = {}
        for symbol in due:
            try:
                dates = await asyncio.wait_for(self._fetch(symbol), FETCH_TIMEOUT)
            except TimeoutError:
                log.info("earnings calendar for %s timed out", symbol)
                continue
            if dates is None:
                continue  # no answer: ask again at the next refresh, keep what was known
            self._known[symbol] = EarningsDates(symbol, tuple(sorted(dates)), today)
            found[symbol] = len(dates)
        return found
