"""The board's rows: quotes from memory, month-ago closes from the store, ledger exposure.

Shared by /board and the daily summary (through the prices service), so both show the same
figures computed the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from typing import Final

from bot.clock import Clock
from bot.ledger.counting import oldest_date
from bot.market.history import HistoryService
from bot.market.market_data import MarketData
from bot.market.models import Quote
from bot.render.board import BoardContext, BoardRow, SortKey, change_from, month_base
from bot.render.exposure import Exposure
from bot.symbols import Entry

# Calendar days of stored history read for "1M": a month plus room for weekends and holidays.
MONTH_HISTORY_DAYS: Final = 40


class MonthBases:
    """Each symbol's close from a month ago, read from the store once a day (no network)."""

    def __init__(self, history: HistoryService | None, clock: Clock) -> None:
        self._history = history
        self._clock = clock
        # symbol → (today, the history refresh it was read after, the base close)
        self._cache: dict[str, tuple[date, date | None, float | None]] = {}

    def clear(self) -> None:
        """Forget every cached base (the next board reads the store again)."""
        self._cache.clear()

    async def bases(self, symbols: Sequence[str]) -> dict[str, float | None]:
        """Return the close at least a month before today for each of ``symbols``."""
        history = self._history
        if history is None:
            return dict.fromkeys(symbols)
        today = self._clock.now().date()
        due = []
        for symbol in symbols:
            cached = self._cache.get(symbol)
            if cached is None or cached[:2] != (today, history.refreshed_on(symbol)):
                due.append(symbol)
        loaded = await asyncio.gather(*(history.load(s, MONTH_HISTORY_DAYS) for s in due))
        for symbol, bars in zip(due, loaded, strict=True):
            self._cache[symbol] = (today, history.refreshed_on(symbol), month_base(bars, today))
        return {symbol: self._cache[symbol][2] for symbol in symbols}


def board_row(
    entry: Entry, quote: Quote | None, exposure: Exposure | None, month_base: float | None
) -> BoardRow:
    """Return one company's row from what is known about it."""
    last = quote.price if quote is not None else None
    return BoardRow(
        symbol=entry.symbol,
        price=last,
        change_1d=quote.change_pct if quote is not None else None,
        change_1m=change_from(month_base, last),
        market_cap=quote.market_cap if quote is not None else None,
        mw=exposure.mw_total if exposure is not None else None,
        mw_gross=exposure.uses_gross if exposure is not None else False,
        value_usd=exposure.value_usd if exposure is not None else None,
        value_approx=exposure.value_approx if exposure is not None else False,
        value_floor=exposure.value_floor if exposure is not None else False,
        stale=quote.stale if quote is not None else False,
        session=quote.session if quote is not None else None,
    )


def board_context(
    sort: SortKey,
    market: MarketData,
    quotes: Sequence[Quote | None],
    exposures: Sequence[Exposure | None],
) -> BoardContext:
    """Return the page frame: sort, source, the newest quote time and ledger date."""
    times = [q.as_of for q in quotes if q is not None]
    oldest = oldest_date(e.as_of for e in exposures if e is not None)
    return BoardContext(
        sort=sort,
        source=market.source,
        prices_as_of=max(times, default=None),
        ledger_as_of=oldest,
    )
