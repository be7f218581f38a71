"""Reading ticks against the day's facts and the benchmarks, shared by evaluation and commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from bot.alerts.days import move_day
from bot.alerts.facts import DailyFactsBook
from bot.alerts.model import BENCHMARK_BASES, HYSTERESIS, Basis, Tick
from bot.alerts.signals import Signal, build_signal, session_fraction
from bot.market.calendar import TradingCalendar
from bot.market.earnings import EarningsCalendar
from bot.market.models import Quote

QuoteLookup = Callable[[str], Quote | None]


class SignalReader:
    """Turns a tick into its Signal: the facts from memory, benchmarks from the last quotes."""

    def __init__(
        self,
        calendar: TradingCalendar,
        facts: DailyFactsBook,
        quote_of: QuoteLookup | None = None,
        *,
        band: float = HYSTERESIS,
        earnings: EarningsCalendar | None = None,
    ) -> None:
        self._calendar = calendar
        self.facts = facts
        self.earnings = earnings  # next earnings dates, from memory
        self._quote_of = quote_of  # memory only: safe inside a transaction or a command
        self._band = band

    def day_of(self, quote: Quote) -> date:
        """Return the trading day ``quote`` counts for."""
        return move_day(self._calendar, quote.symbol, quote.as_of)

    async def prepare(self, ticks: Sequence[Tick]) -> None:
        """Have the day's facts of every ticked symbol in memory (a store read once a day)."""
        await self.facts.facts((tick.symbol, self.day_of(tick.quote)) for tick in ticks)

    def benchmarks(self, ticks: Sequence[Tick] = ()) -> dict[Basis, Quote]:
        """Return each benchmark's latest quote: one of ``ticks``, else the last one seen."""
        ticked = {tick.symbol: tick.quote for tick in ticks}
        found: dict[Basis, Quote] = {}
        for basis in BENCHMARK_BASES:
            quote = ticked.get(basis.value)
            if quote is None and self._quote_of is not None:
                quote = self._quote_of(basis.value)
            if quote is not None:
                found[basis] = quote
        return found

    def signal(self, tick: Tick, day: date, benchmarks: dict[Basis, Quote]) -> Signal:
        """Return what ``tick`` shows on ``day`` (facts must have been prepared)."""
        facts = self.facts.held(tick.symbol)
        return build_signal(
            tick,
            day,
            facts if facts is not None and facts.day == day else None,
            benchmarks=benchmarks,
            fraction=session_fraction(self._calendar, tick.symbol, tick.quote.as_of),
            band=self._band,
            earnings_day=self.earnings.next_date(tick.symbol, day) if self.earnings else None,
        )

    async def read(self, quote: Quote) -> Signal:
        """Return what ``quote`` shows now, reading its facts first if needed (for commands)."""
        # The day's range so far: a new alert must not count an extreme already made today.
        tick = Tick(quote, high=quote.day_high, low=quote.day_low)
        await self.prepare([tick])
        return self.signal(tick, self.day_of(quote), self.benchmarks())
