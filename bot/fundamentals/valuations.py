"""Valuations for commands: the cached quote, the stored balance sheet and the ledger view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.fundamentals.service import BalanceSheets
from bot.ledger.counting import is_ranked
from bot.ledger.model import Company, Contract
from bot.ledger.valuation import Valuation, ValuationInputs, valuation
from bot.market import MarketData
from bot.symbols import SymbolDirectory

# Kinds of company that host AI capacity: the ones a valuation per MW is about.
HOST_KINDS: Final = frozenset({"miner", "neocloud"})


class Valuations:
    """Build each host's valuation from memory (no network on a command's path)."""

    def __init__(self, market: MarketData, sheets: BalanceSheets, symbols: SymbolDirectory) -> None:
        self._market = market
        self._sheets = sheets
        self._symbols = symbols

    def inputs(self, symbol: str, contracts: Sequence[Contract]) -> ValuationInputs:
        """Return what ``symbol``'s valuation is built from, as held now."""
        quote = self._market.quote(symbol)
        sheet = self._sheets.get(symbol)
        return ValuationInputs(
            symbol=symbol,
            market_cap=quote.market_cap if quote is not None else None,
            market_cap_as_of=quote.as_of.date().isoformat() if quote is not None else None,
            market_cap_demo=quote is not None and quote.is_demo,
            total_debt=sheet.total_debt if sheet is not None else None,
            cash=sheet.cash if sheet is not None else None,
            balance_sheet_as_of=(
                sheet.period_end.isoformat() if sheet is not None and sheet.period_end else None
            ),
            balance_sheet_demo=sheet is not None and sheet.is_demo,
            contracts=contracts,
        )

    async def company(self, company: Company, contracts: Sequence[Contract]) -> Valuation | None:
        """Return a listed host's valuation over the contracts a server sees (else None)."""
        if not company.listed or company.kind not in HOST_KINDS:
            return None
        await self._sheets.load()
        return valuation(self.inputs(company.symbol, contracts))

    async def board(self, contracts: Sequence[Contract]) -> list[Valuation]:
        """Return the valuation of every listed host on the board, in the board's order."""
        await self._sheets.load()
        index = await self._symbols.current()
        return [
            valuation(self.inputs(entry.symbol, contracts))
            for entry in index.board()
            if entry.listed and entry.kind in HOST_KINDS
        ]

    async def ranked_hosts(self, contracts: Sequence[Contract]) -> list[Valuation]:
        """Return each listed host's valuation over the deals a ranking may use (A to Z)."""
        await self._sheets.load()
        index = await self._symbols.current()
        ranked = [c for c in contracts if is_ranked(c)]
        hosts = sorted({c.host_symbol for c in ranked})
        return [
            valuation(self.inputs(symbol, ranked))
            for symbol in hosts
            if (entry := index.entry(symbol)) is None or entry.listed
        ]
