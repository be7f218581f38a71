"""The Prices cog's pure parts: board rows, month bases from the store, names and ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from bot.clock import ManualClock
from bot.market import DailyBar, HistoryService, Quote
from bot.prices import MonthBases, board_row
from bot.render.exposure import Exposure
from bot.store import Store
from bot.symbols import Entry
from cogs._ui.pager import PAGER_PREFIX, pager_key
from cogs.prices._asked import AskedSymbols
from cogs.prices._cog import chart_filename
from tests import factories

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def quote(**changes: Any) -> Quote:
    fields: dict[str, Any] = {"price": 15.0, "previous_close": 12.0, "market_cap": 6e9}
    return factories.quote(**{**fields, "as_of": NOW, **changes})


def test_board_row_from_quote_exposure_and_month_base() -> None:
    exposure = Exposure("CIFR", contracts=2, mw_it=207, mw_gross_only=300, value_usd=9e9)
    row = board_row(Entry("CIFR", "Cipher"), quote(stale=True), exposure, 10.0)
    assert (row.price, row.change_1d, row.change_1m) == (15.0, 25.0, 50.0)
    assert (row.mw, row.mw_gross, row.value_usd, row.stale) == (507, True, 9e9, True)
    assert row.value_to_cap == pytest.approx(1.5)


def test_board_row_without_data_is_all_unknown() -> None:
    row = board_row(Entry("ABTC", "American Bitcoin"), None, None, 10.0)
    assert (row.price, row.change_1d, row.change_1m, row.market_cap, row.mw) == (None,) * 5


async def test_month_bases_read_the_store_once_a_day(store: Store) -> None:
    clock = ManualClock(NOW)
    today = NOW.date()
    closes = {today - timedelta(days=d): float(d) for d in (35, 31, 20, 1)}
    await store.prices.upsert_daily(
        "CIFR", [DailyBar(d, c, c, c, c, 0) for d, c in sorted(closes.items())]
    )
    history = HistoryService(cast(Any, None), store.prices, clock)  # load() needs no provider
    bases = MonthBases(history, clock)
    assert await bases.bases(["CIFR", "WULF"]) == {"CIFR": 31.0, "WULF": None}

    # A month before 25 November is 25 October, 31 days back.
    await store.prices.upsert_daily("CIFR", [DailyBar(today - timedelta(days=31), 1, 1, 1, 7.0, 0)])
    assert (await bases.bases(["CIFR"]))["CIFR"] == 31.0  # cached for the day
    bases.clear()
    assert (await bases.bases(["CIFR"]))["CIFR"] == 7.0  # read again after clear()

    await store.prices.upsert_daily("CIFR", [DailyBar(today - timedelta(days=30), 1, 1, 1, 3.0, 0)])
    assert (await bases.bases(["CIFR"]))["CIFR"] == 7.0  # 26 October is not a month back
    clock.advance(timedelta(days=1))
    assert (await bases.bases(["CIFR"]))["CIFR"] == 3.0  # a new day: read again, a day later


async def test_month_bases_without_history_are_unknown() -> None:
    bases = MonthBases(None, ManualClock(NOW))
    assert await bases.bases(["CIFR"]) == {"CIFR": None}


@pytest.mark.parametrize(
    ("symbol", "period", "name"),
    [
        ("CIFR", "1mo", "cifr-1mo.png"),
        ("BTC-USD", "ytd", "btc-usd-ytd.png"),
        ("^GSPC", "1y", "_gspc-1y.png"),
        ("HIVE.V", "5d", "hive_v-5d.png"),
    ],
)
def test_chart_filename(symbol: str, period: Any, name: str) -> None:
    assert chart_filename(symbol, period) == name


@pytest.mark.parametrize(
    ("custom_id", "key"),
    [(f"{PAGER_PREFIX}123:next", "123"), (f"{PAGER_PREFIX}9:prev", "9"), ("deals:page:1", None)],
)
def test_pager_key(custom_id: str, key: str | None) -> None:
    assert pager_key(custom_id) == key


async def test_asked_symbols_expire_are_bounded_and_close() -> None:
    clock = ManualClock(NOW)
    asked = AskedSymbols(clock, keep=timedelta(hours=24), limit=2)
    asked.note("TSLA")
    clock.advance(timedelta(hours=1))
    asked.note("ASML")
    assert await asked.symbols() == {"TSLA", "ASML"}
    asked.note("TSLA")  # asked again: the most recent now
    asked.note("SHOP")  # over the limit: the oldest (ASML) goes
    assert await asked.symbols() == {"TSLA", "SHOP"}
    clock.advance(timedelta(hours=24, minutes=1))
    assert await asked.symbols() == set()
    asked.note("TSLA")
    asked.close()
    asked.note("SHOP")
    assert await asked.symbols() == set()
