"""The prices service's one "no quote" error, as /price and /alert add both word it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest

from bot.clock import ManualClock
from bot.market import Rejection, SymbolStats
from bot.prices import PricesService
from bot.symbols import SymbolDirectory, UnknownSymbol

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@dataclass
class Stats:
    symbols: dict[str, SymbolStats] = field(default_factory=dict)
    backing_off: bool = False


class Market:
    """Just enough of MarketData: no quotes, and the feed's health as scripted."""

    def __init__(self, stats: Stats) -> None:
        self._stats = stats
        self.history = None

    def stats(self) -> Stats:
        return self._stats

    async def fetch_quote(self, symbol: str, *, timeout: float) -> None:  # noqa: ASYNC109
        return None


def rejected(symbol: str, reason: Rejection | None) -> SymbolStats:
    return SymbolStats(symbol, None, "refused" if reason else None, NOW, reason)


async def service(stats: Stats) -> PricesService:
    async def companies() -> list[Any]:
        """The tracked universe to suggest from: one company."""
        cipher = {"symbol": "CIFR", "name": "Cipher Digital Inc.", "aliases": ["cipher"]}
        return [SimpleNamespace(**cipher, on_board=True, kind="miner", listed=True)]

    directory = SymbolDirectory(companies)
    await directory.refresh()
    return PricesService(cast(Any, Market(stats)), ManualClock(NOW), directory)


async def test_a_symbol_the_source_does_not_know_is_unknown_with_suggestions() -> None:
    prices = await service(Stats({"CIFT": rejected("CIFT", Rejection.UNKNOWN_SYMBOL)}))
    with pytest.raises(UnknownSymbol) as refused:
        await prices.fetch_quote("CIFT")
    message = refused.value.user_message
    assert message.startswith("No price found for CIFT") and "Did you mean CIFR?" in message


@pytest.mark.parametrize(
    "stats",
    [
        Stats(),  # the source said nothing about it yet
        Stats({"CIFT": rejected("CIFT", Rejection.UNKNOWN_SYMBOL)}, backing_off=True),
        Stats({"CIFT": rejected("CIFT", None)}),
    ],
)
async def test_a_source_that_did_not_answer_is_unreachable_not_unknown(stats: Stats) -> None:
    error = (await service(stats)).no_quote("CIFT")
    assert error.unavailable
    assert error.user_message == (
        "Prices for CIFT cannot be reached right now; please try again in a minute."
    )
