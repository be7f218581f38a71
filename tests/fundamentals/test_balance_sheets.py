"""Balance sheets: Yahoo's fundamentals series through the local Yahoo, the store, the daily job."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.fundamentals.demo import DemoBalanceSheets
from bot.fundamentals.model import BalanceSheet
from bot.fundamentals.service import BalanceSheets
from bot.fundamentals.yahoo import YahooBalanceSheets, parse_balance_sheet
from bot.market.models import DataSource
from bot.market.source import SourceThrottled
from bot.market.yahoo_session import ObservedSession
from bot.store import Store
from yahoo_emulator.payloads import timeseries
from yahoo_emulator.server import FakeYahoo, serving

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
Q2, Q3 = date(2026, 6, 30), date(2026, 9, 30)
CIFR_ROWS = {
    "quarterlyTotalDebt": [(Q2, 1_100_000_000.0), (Q3, 1_234_567_890.0)],
    "quarterlyCashCashEquivalentsAndShortTermInvestments": [(Q2, 400e6), (Q3, 456_789_012.0)],
    "quarterlyCashAndCashEquivalents": [(Q3, 300e6)],
}


@pytest.fixture
def fake_yahoo() -> Iterator[FakeYahoo]:
    with serving() as server:
        yield server


def test_the_latest_quarter_is_read_with_its_date() -> None:
    sheet = parse_balance_sheet("CIFR", timeseries("CIFR", CIFR_ROWS), NOW)
    assert sheet == BalanceSheet("CIFR", 1_234_567_890.0, 456_789_012.0, Q3, DataSource.YAHOO, NOW)


def test_cash_and_equivalents_stand_in_when_short_term_investments_are_not_given() -> None:
    rows = {"quarterlyTotalDebt": [(Q3, 5e8)], "quarterlyCashAndCashEquivalents": [(Q3, 2e8)]}
    sheet = parse_balance_sheet("WULF", timeseries("WULF", rows), NOW)
    assert sheet is not None and sheet.cash == 2e8


def test_a_row_missing_from_the_latest_quarter_stays_unknown() -> None:
    # Debt reported for Q2 only: an older figure is never mixed with Q3's cash.
    rows = {
        "quarterlyTotalDebt": [(Q2, 5e8)],
        "quarterlyCashAndCashEquivalents": [(Q2, 1e8), (Q3, 2e8)],
    }
    sheet = parse_balance_sheet("IREN", timeseries("IREN", rows), NOW)
    assert sheet is not None
    assert (sheet.total_debt, sheet.cash, sheet.period_end) == (None, 2e8, Q3)


def test_figures_in_another_currency_or_nonsense_are_left_out() -> None:
    foreign = timeseries("HIVE", {"quarterlyTotalDebt": [(Q3, 5e8)]}, currency="CAD")
    assert parse_balance_sheet("HIVE", foreign, NOW) is None
    assert parse_balance_sheet("X", {"timeseries": {"result": [{"quarterlyTotalDebt": [
        {"asOfDate": "not a date", "reportedValue": {"raw": 1}},
        {"asOfDate": "2026-09-30", "reportedValue": {"raw": -5}},
    ]}]}}, NOW) is None  # fmt: skip
    assert parse_balance_sheet("X", {"nothing": True}, NOW) is None


def test_the_fetch_goes_through_yfinance_to_the_local_yahoo(fake_yahoo: FakeYahoo) -> None:
    fake_yahoo.serve_timeseries("CIFR", json.dumps(timeseries("CIFR", CIFR_ROWS)).encode())
    session = ObservedSession()
    try:
        sheet = YahooBalanceSheets(session).fetch("CIFR", NOW)
    finally:
        session.close()
    assert sheet is not None and sheet.total_debt == 1_234_567_890.0 and sheet.period_end == Q3
    (seen,) = fake_yahoo.requests("/ws/fundamentals-timeseries/")
    assert seen.host == "query2.finance.yahoo.com"
    assert seen.query["type"].split(",") == [
        "quarterlyTotalDebt",
        "quarterlyCashCashEquivalentsAndShortTermInvestments",
        "quarterlyCashAndCashEquivalents",
    ]


def test_an_unknown_symbol_or_a_server_error_gives_nothing(fake_yahoo: FakeYahoo) -> None:
    fake_yahoo.serve_timeseries("BAD", b"oops", status=500)
    session = ObservedSession()
    try:
        assert YahooBalanceSheets(session).fetch("NOPE", NOW) is None
        assert YahooBalanceSheets(session).fetch("BAD", NOW) is None
    finally:
        session.close()


def test_a_rate_limit_says_to_back_off(fake_yahoo: FakeYahoo) -> None:
    fake_yahoo.throttled = True
    session = ObservedSession()
    try:
        with pytest.raises(SourceThrottled):
            YahooBalanceSheets(session).fetch("CIFR", NOW)
    finally:
        session.close()


class CountingFetcher:
    """The demo fetcher, counting calls (the daily rule is what is tested)."""

    source = DataSource.DEMO

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._demo = DemoBalanceSheets()

    def fetch(self, symbol: str, now: datetime) -> BalanceSheet | None:
        self.calls.append(symbol)
        return self._demo.fetch(symbol, now)


async def test_each_company_is_fetched_at_most_once_a_day_and_kept_in_the_store(
    store: Store,
) -> None:
    clock = ManualClock(NOW)
    fetcher = CountingFetcher()

    async def hosts() -> set[str]:
        return {"CIFR", "WULF", "NOTDEMO"}

    sheets = BalanceSheets(store.balance_sheets, clock, fetcher, hosts)
    assert await sheets.refresh() == 2  # NOTDEMO has no demo balance sheet
    assert sorted(fetcher.calls) == ["CIFR", "NOTDEMO", "WULF"]
    clock.advance(timedelta(hours=6))
    assert await sheets.refresh() == 0 and len(fetcher.calls) == 3  # not a day yet
    clock.advance(timedelta(hours=18))
    await sheets.refresh()
    assert len(fetcher.calls) == 6
    # A new process reads what is stored, with its date, without fetching.
    again = BalanceSheets(store.balance_sheets, clock, None, hosts)
    stored = await again.load()
    assert stored["CIFR"].period_end == date(2026, 9, 30) and stored["CIFR"].is_demo
    assert again.get("CIFR") == stored["CIFR"]


def test_demo_balance_sheets_are_stable_and_marked() -> None:
    first = DemoBalanceSheets().fetch("IREN", NOW)
    assert first is not None and first.is_demo
    assert first == DemoBalanceSheets().fetch("IREN", NOW)
    assert DemoBalanceSheets().fetch("BTC-USD", NOW) is None
