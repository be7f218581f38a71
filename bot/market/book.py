"""The quote cache shared by every source: guards on the way in, freshness on the way out."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.lru import MAX_SYMBOLS_HELD, LruDict
from bot.market.calendar import TradingCalendar
from bot.market.guards import Rejection, check_tick
from bot.market.models import Quote

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SymbolStats:
    """What is known about one symbol's feed."""

    symbol: str
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    last_rejection: Rejection | None


@dataclass(slots=True)
class _Entry:
    quote: Quote
    received_at: datetime


@dataclass(slots=True)
class _Health:
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_rejection: Rejection | None = None


class QuoteBook:
    """Hold the last good quote per symbol; every write goes through the data guards."""

    def __init__(self, calendar: TradingCalendar, *, stale_after: timedelta) -> None:
        self._calendar = calendar
        self._stale_after = stale_after
        self._entries: LruDict[str, _Entry] = LruDict(MAX_SYMBOLS_HELD)
        self._health: LruDict[str, _Health] = LruDict(MAX_SYMBOLS_HELD)
        self._rejected: Counter[Rejection] = Counter()

    def held(self, symbol: str) -> Quote | None:
        """Return the stored quote for ``symbol`` as it was accepted (flags not refreshed)."""
        entry = self._entries.get(symbol)
        return entry.quote if entry is not None else None

    def get(self, symbol: str, now: datetime, *, backing_off: bool = False) -> Quote | None:
        """Return ``symbol``'s last good quote with market state and stale flag as of ``now``."""
        entry = self._entries.get(symbol)
        if entry is None:
            return None
        quote = entry.quote
        state = self._calendar.market_state(symbol, now)
        # During a session a quote is expected to be refreshed every poll; outside one the
        # close stays valid however old it is.
        stale = backing_off or (state.in_session and now - entry.received_at > self._stale_after)
        if state is quote.market_state and stale == quote.stale:
            return quote
        return dataclasses.replace(quote, market_state=state, stale=stale)

    def offer(
        self, candidate: Quote, now: datetime, *, last_close_missing: bool = False
    ) -> Rejection | None:
        """Store ``candidate`` if it passes the guards; otherwise count and return why not."""
        symbol = candidate.symbol
        reason = check_tick(candidate, self.held(symbol), last_close_missing=last_close_missing)
        health = self._health.setdefault(symbol, _Health())
        if reason is not None:
            self.count(symbol, reason)
            log.info("rejected %s tick at %s: %s", symbol, candidate.as_of.isoformat(), reason)
            return reason
        self._entries[symbol] = _Entry(candidate, now)
        health.last_success = now
        health.last_rejection = None
        return None

    def count(self, symbol: str, reason: Rejection) -> None:
        """Count one rejection of ``symbol`` for ``reason``."""
        self._rejected[reason] += 1
        self._health.setdefault(symbol, _Health()).last_rejection = reason

    def note_error(self, symbol: str, reason: Rejection, detail: str, now: datetime) -> None:
        """Record that fetching ``symbol`` failed (counted under ``reason``)."""
        self.count(symbol, reason)
        health = self._health.setdefault(symbol, _Health())
        health.last_error = f"{reason}: {detail}" if detail else str(reason)
        health.last_error_at = now

    def rejected(self) -> dict[str, int]:
        """Return rejection counts by reason."""
        return {str(reason): n for reason, n in sorted(self._rejected.items())}

    def symbol_stats(self) -> dict[str, SymbolStats]:
        """Return the per-symbol health of every symbol seen so far."""
        return {
            symbol: SymbolStats(
                symbol=symbol,
                last_success=h.last_success,
                last_error=h.last_error,
                last_error_at=h.last_error_at,
                last_rejection=h.last_rejection,
            )
            for symbol, h in sorted(self._health.items())
        }
