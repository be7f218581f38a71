"""Earnings dates: parsed by yfinance from the local Yahoo, kept a day, unknown when absent."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.market import earnings as earnings_module
from bot.market.calendar import TradingCalendar
from bot.market.earnings import EarningsCalendar
from bot.market.yahoo import YahooSource
from tests import factories
from yahoo_emulator.server import FakeYahoo


def _source(tmp_path: Path, clock: ManualClock, calendar: TradingCalendar) -> YahooSource:
    return YahooSource(
        cache_dir=tmp_path / "yf-cache", clock=clock, calendar=calendar, market_caps=False
    )


async def test_yahoos_calendar_gives_the_earnings_dates(
    fake_yahoo: FakeYahoo, tmp_path: Path, clock: ManualClock, calendar: TradingCalendar
) -> None:
    fake_yahoo.serve_earnings("IREN", [date(2026, 11, 5), date(2026, 10, 29)])
    source = _source(tmp_path, clock, calendar)
    assert await source.fetch_earnings("IREN") == [date(2026, 10, 29), date(2026, 11, 5)]
    (seen,) = fake_yahoo.requests("/v10/finance/quoteSummary/IREN")
    assert seen.query["modules"] == "calendarEvents"


async def test_a_symbol_yahoo_does_not_know_has_unknown_dates(
    fake_yahoo: FakeYahoo, tmp_path: Path, clock: ManualClock, calendar: TradingCalendar
) -> None:
    assert await _source(tmp_path, clock, calendar).fetch_earnings("NOPE") is None


async def test_the_calendar_asks_once_a_day_and_keeps_what_it_knew_when_yahoo_fails() -> None:
    clock = ManualClock(factories.NOW)
    answers: dict[str, list[date] | None] = {"IREN": [date(2026, 12, 3)], "WULF": None}
    asked: list[str] = []

    async def fetch(symbol: str) -> list[date] | None:
        asked.append(symbol)
        return answers[symbol]

    earnings = EarningsCalendar(fetch, clock)
    assert await earnings.refresh(["IREN", "WULF"]) == {"IREN": 1}
    await earnings.refresh(["IREN", "WULF"])
    assert asked == ["IREN", "WULF", "WULF"]  # IREN known for today; WULF asked again
    today = clock.now().date()
    assert earnings.next_date("IREN", today) == date(2026, 12, 3)
    assert earnings.next_date("IREN", date(2026, 12, 4)) is None  # the date has passed
    assert earnings.next_date("WULF", today) is None
    clock.set(clock.now() + timedelta(days=1))
    answers["IREN"] = None  # Yahoo fails the next day: the known date stays
    await earnings.refresh(["IREN"])
    assert earnings.next_date("IREN", today) == date(2026, 12, 3)


async def test_a_hanging_calendar_leaves_the_date_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = ManualClock(factories.NOW)

    async def hang(symbol: str) -> list[date] | None:
        await asyncio.sleep(60)
        return [date(2026, 12, 3)]

    monkeypatch.setattr(earnings_module, "FETCH_TIMEOUT", 0.05)
    earnings = EarningsCalendar(hang, clock)
    assert await earnings.refresh(["IREN"]) == {}
    assert earnings.next_date("IREN", clock.now().date()) is None


def test_without_yahoo_there_is_no_calendar() -> None:
    clock = ManualClock(factories.NOW)
    earnings = EarningsCalendar(None, clock)
    assert not earnings.available
    assert asyncio.run(earnings.refresh(["IREN"])) == {}
