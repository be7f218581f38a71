"""Remember symbols that have no data, so they are not asked for again for a while."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.lru import MAX_SYMBOLS_HELD, LruDict
from bot.market.guards import Rejection

# An unknown symbol costs Yahoo 8-9 requests; a delisted one answers "no data" for good,
# but a real symbol can briefly look empty, so that verdict is kept for less time.
DEFAULT_TTLS: Mapping[Rejection, timedelta] = {
    Rejection.UNKNOWN_SYMBOL: timedelta(hours=6),
    Rejection.NO_DATA: timedelta(minutes=15),
}


@dataclass(frozen=True, slots=True)
class NegativeEntry:
    """A symbol's remembered verdict and when it may be asked again."""

    reason: Rejection
    detail: str
    until: datetime


class NegativeCache:
    """Symbol → verdict with a per-verdict time to live."""

    def __init__(self, clock: Clock, ttls: Mapping[Rejection, timedelta] = DEFAULT_TTLS) -> None:
        self._clock = clock
        self._ttls = dict(ttls)
        self._entries: LruDict[str, NegativeEntry] = LruDict(MAX_SYMBOLS_HELD)

    def remembers(self, reason: Rejection) -> bool:
        """Tell whether verdicts of this kind are remembered at all."""
        return reason in self._ttls

    def remember(self, symbol: str, reason: Rejection, detail: str) -> None:
        """Keep ``reason`` for ``symbol`` for the verdict's time to live."""
        ttl = self._ttls.get(reason)
        if ttl is not None:
            self._entries[symbol] = NegativeEntry(reason, detail, self._clock.now() + ttl)

    def lookup(self, symbol: str) -> NegativeEntry | None:
        """Return the live verdict for ``symbol``, dropping it once expired."""
        entry = self._entries.get(symbol)
        if entry is None:
            return None
        if self._clock.now() >= entry.until:
            del self._entries[symbol]
            return None
        return entry

    def forget(self, symbol: str) -> None:
        """Drop any verdict for ``symbol`` (it answered after all)."""
        self._entries.pop(symbol, None)

    def snapshot(self) -> dict[str, NegativeEntry]:
        """Return the live verdicts."""
        now = self._clock.now()
        return {s: e for s, e in self._entries.items() if now < e.until}
