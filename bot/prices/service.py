"""The prices service: quotes, the board and charts, as /price, /board, /chart and the summary
show them.

Cogs parse what the member typed and render what this returns; the summary reads the same
board and closes, so a figure is computed one way wherever it appears.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from bot.clock import Clock
from bot.ledger.counting import is_counted, stale_reason
from bot.ledger.model import Contract
from bot.market.calendar import is_crypto
from bot.market.guards import Rejection
from bot.market.market_data import MarketData
from bot.market.models import Quote
from bot.prices.board import MonthBases, board_context, board_row
from bot.prices.chart import chart_request, load_series
from bot.prices.deal_marks import deal_marks
from bot.prices.price_chart import price_chart_request
from bot.render.board import BoardContext, BoardRow, SortKey
from bot.render.chart import ChartRequest, NotEnoughHistory, Period, Series, history_days
from bot.render.commitments import commitment_lines, role_heading
from bot.render.exposure import Exposure, exposures
from bot.render.price_chart import ChartPeriod, PriceChartRequest
from bot.render.quote import QuoteCard
from bot.render.summary import Mover
from bot.symbols import SymbolDirectory, SymbolIndex, UnknownSymbol

# One bounded fetch for a symbol not yet in memory, after the command deferred (a poll
# takes up to 10 s; a member waiting on "thinking…" should hear back sooner).
FETCH_TIMEOUT: Final = 5.0
# Rejections that mean the source does not know the symbol (rather than could not answer).
UNKNOWN_REJECTIONS: Final = frozenset({Rejection.UNKNOWN_SYMBOL, Rejection.NO_DATA})
# Kinds of company that host AI capacity: the card says so when they have no contract yet.
HOST_KINDS: Final = frozenset({"miner", "neocloud"})


@dataclass(frozen=True, slots=True)
class Board:
    """The board's rows (in the index's order) and the frame the pages show them in."""

    rows: tuple[BoardRow, ...]
    context: BoardContext


class PricesService:
    """Quotes from memory (or one bounded fetch), boards and chart data, for any caller."""

    def __init__(self, market: MarketData, clock: Clock, symbols: SymbolDirectory) -> None:
        self.market = market
        self.symbols = symbols
        self._clock = clock
        self._month_bases = MonthBases(market.history, clock)

    @property
    def index(self) -> SymbolIndex:
        """Return the tracked universe as last loaded."""
        return self.symbols.index

    # ----- quotes -------------------------------------------------------------------------

    def quote(self, symbol: str) -> Quote | None:
        """Return the quote in memory for ``symbol``, if any (no network)."""
        return self.market.quote(symbol)

    async def fetch_quote(self, symbol: str) -> Quote:
        """Fetch ``symbol`` once, within FETCH_TIMEOUT, or raise UnknownSymbol."""
        quote = await self.market.fetch_quote(symbol, timeout=FETCH_TIMEOUT)
        if quote is None:
            raise self.no_quote(symbol)
        return quote

    def no_quote(self, symbol: str) -> UnknownSymbol:
        """Return the error for a symbol without a quote: unknown to the source, or unreachable.

        Only a source that answered "no such symbol" makes it unknown (with the tracked
        symbols it resembles); while it backs off, or said nothing, it is unreachable now.
        """
        stats = self.market.stats()
        health = stats.symbols.get(symbol)
        unknown = health is not None and health.last_rejection in UNKNOWN_REJECTIONS
        if stats.backing_off or not unknown:
            return UnknownSymbol(symbol, unavailable=True)
        return UnknownSymbol(symbol, self.index.close_matches(symbol))

    def quote_card(self, quote: Quote, contracts: Sequence[Contract]) -> QuoteCard:
        """Return /price's card: the quote, and for a tracked company what the ledger says.

        ``contracts`` is the ledger view of the server asking (unused for untracked symbols).
        """
        entry = self.index.entry(quote.symbol)
        if entry is None:
            return QuoteCard(quote=quote, name=None, tracked=False, hosts=False)
        hosted = [c for c in contracts if c.host_symbol == quote.symbol]
        exposure: Exposure | None = exposures(hosted).get(quote.symbol)
        today = self._clock.now().date()
        return QuoteCard(
            quote=quote,
            name=entry.name,
            tracked=True,
            exposure=exposure,
            hosts=bool(hosted) or entry.kind in HOST_KINDS,
            as_tenant=tuple(
                f"**{role_heading(line.role)}** {line.text}"
                for line in commitment_lines(contracts, quote.symbol)
            ),
            stale=sum(1 for c in hosted if is_counted(c) and stale_reason(c, today)),
        )

    # ----- the board ----------------------------------------------------------------------

    async def board(
        self, contracts: Sequence[Contract], sort: SortKey, *, dated_by: Sequence[str] = ()
    ) -> Board:
        """Return the board's rows for a ledger view (``contracts``), unsorted.

        The newest quote among the rows and ``dated_by`` (symbols shown beside the board)
        dates the prices.
        """
        index = await self.symbols.current()
        entries = index.board()
        symbols = [e.symbol for e in entries]
        quotes = [self.market.quote(s) for s in symbols]
        held = exposures(contracts)
        bases = await self._month_bases.bases(symbols)
        rows = tuple(
            board_row(entry, quote, held.get(entry.symbol), bases[entry.symbol])
            for entry, quote in zip(entries, quotes, strict=True)
        )
        dating = [*quotes, *(self.market.quote(s) for s in dated_by)]
        context = board_context(sort, self.market, dating, [held.get(s) for s in symbols])
        return Board(rows, context)

    async def movers(self) -> list[Mover]:
        """Return the day's move of every tracked symbol with a quote (crypto aside), A to Z."""
        index = await self.symbols.current()
        movers = []
        for symbol in sorted(index.symbols()):
            quote = self.market.quote(symbol)
            if quote is not None and quote.change_pct is not None and not is_crypto(symbol):
                movers.append(Mover(symbol, quote.change_pct, quote.price, quote.stale))
        return movers

    # ----- charts -------------------------------------------------------------------------

    async def chart(self, main: str, compare: str | None, period: Period) -> ChartRequest:
        """Return a chart's data; raise UnknownSymbol when its history cannot be read in time,
        or when there is none at all for a symbol nothing else knows (with close matches)."""
        request = await chart_request(self.market, self._clock, main, compare, period)
        if len(request.main.since(request.start)) == 0:
            self._refuse_if_unknown(main)
        return request

    async def price_chart(
        self,
        symbol: str,
        period: ChartPeriod,
        style: Literal["candles", "line"],
        contracts: Sequence[Contract],
    ) -> PriceChartRequest:
        """Return a candle or line chart's data; candles mark the deals ``symbol`` hosts in
        ``contracts`` (the ledger view of the server asking).

        Raises IntradayUnavailable, NotEnoughHistory or UnknownSymbol.
        """
        marks = deal_marks(contracts, symbol) if style == "candles" else ()
        try:
            return await price_chart_request(self.market, self._clock, symbol, period, style, marks)
        except NotEnoughHistory as exc:
            if exc.points == 0:
                self._refuse_if_unknown(symbol)
            raise

    def _refuse_if_unknown(self, symbol: str) -> None:
        """Raise UnknownSymbol, with the tracked symbols it resembles, for a symbol without any
        history that is neither tracked nor quoted: most likely a typo, not a missing refresh."""
        if self.index.entry(symbol) is None and self.market.quote(symbol) is None:
            raise UnknownSymbol(symbol, self.index.close_matches(symbol))

    async def closes(self, symbols: Sequence[str], period: Period) -> dict[str, Series]:
        """Return the daily closes a ``period`` chart of ``symbols`` draws.

        Raises TimeoutError when the history cannot be read in time.
        """
        days = history_days(period, self._clock.now().date())
        return await load_series(self.market, symbols, days)
