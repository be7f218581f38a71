"""The bound of every cache keyed by what members type: nothing a member asks grows it forever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.lru import MAX_SYMBOLS_HELD, LruDict
from bot.market.book import QuoteBook
from bot.market.calendar import TradingCalendar
from tests.factories import quote


def test_writing_past_the_limit_drops_the_oldest_written() -> None:
    held: LruDict[str, int] = LruDict(3)
    for n, key in enumerate("abcd"):
        held[key] = n
    assert list(held) == ["b", "c", "d"]
    held["b"] = 9  # rewritten: now the newest
    held["e"] = 5
    assert list(held) == ["d", "b", "e"]


def test_setdefault_respects_the_limit() -> None:
    held: LruDict[str, int] = LruDict(2)
    for key in "abc":
        held.setdefault(key, 0)
    assert list(held) == ["b", "c"]
    assert held.setdefault("b", 7) == 0


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        LruDict(0)


def test_one_off_symbols_fall_off_while_a_polled_symbol_stays() -> None:
    book = QuoteBook(TradingCalendar(), stale_after=timedelta(minutes=5))
    now = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    for n in range(MAX_SYMBOLS_HELD + 500):
        # IREN is polled all along; the others are each looked up once.
        book.offer(quote("IREN", 40 + n * 0.001, as_of=now + timedelta(seconds=n)), now)
        book.offer(quote(f"X{n}", 10.0, as_of=now), now)
    stats = book.symbol_stats()
    assert len(stats) == MAX_SYMBOLS_HELD
    assert book.held("IREN") is not None and "IREN" in stats
    assert book.held("X0") is None and book.held(f"X{MAX_SYMBOLS_HELD + 499}") is not None
