"""The demo source: deterministic synthetic prices, always labelled demo."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.demo import UNIVERSE
from bot.market.factory import build_provider
from bot.market.feed import FeedProvider
from bot.market.guards import Rejection
from bot.market.models import DataSource, MarketState
from bot.paths import LEDGER_PATH

IN_SESSION = datetime(2026, 9, 24, 17, 42, 30, tzinfo=UTC)  # Thursday 13:42 ET
SYMBOLS = sorted(UNIVERSE)
REPO = Path(__file__).resolve().parents[2]


def demo(calendar: TradingCalendar, clock: ManualClock, tmp_path: Path) -> FeedProvider:
    return build_provider(
        "demo", cache_dir=tmp_path, clock=clock, poll_seconds=60, calendar=calendar
    )


async def test_two_providers_give_the_same_quotes(
    calendar: TradingCalendar, tmp_path: Path
) -> None:
    """Same symbols and instant → same quotes, whatever was asked before."""
    first = demo(calendar, ManualClock(IN_SESSION), tmp_path)
    other_clock = ManualClock(IN_SESSION - timedelta(days=3))
    second = demo(calendar, other_clock, tmp_path)
    await second.poll(["NVDA"])  # a different history of calls must not matter
    other_clock.set(IN_SESSION)

    a = (await first.poll(SYMBOLS)).accepted()
    b = (await second.poll(SYMBOLS)).accepted()

    assert set(a) == set(SYMBOLS)
    assert a == b
    assert await first.daily_history("IREN", 365) == await second.daily_history("IREN", 365)


async def test_every_demo_quote_is_labelled_and_sane(
    calendar: TradingCalendar, tmp_path: Path
) -> None:
    """source=demo, is_demo, and the numbers hang together."""
    provider = demo(calendar, ManualClock(IN_SESSION), tmp_path)
    for symbol, quote in (await provider.poll(SYMBOLS)).accepted().items():
        assert quote.source is DataSource.DEMO and quote.is_demo, symbol
        assert quote.price > 0 and quote.previous_close is not None
        assert quote.day_low is not None and quote.day_high is not None
        assert quote.day_low <= quote.price <= quote.day_high
        assert quote.fifty_two_week_low is not None and quote.fifty_two_week_high is not None
        assert quote.fifty_two_week_low <= quote.price <= quote.fifty_two_week_high
        assert quote.as_of <= IN_SESSION and quote.currency == "USD"
        assert 0.1 < quote.price / UNIVERSE[symbol].base < 10
    btc = provider.cached("BTC-USD")
    assert btc is not None and btc.market_state is MarketState.ALWAYS_OPEN


async def test_prices_move_with_time_and_hold_over_the_weekend(
    calendar: TradingCalendar, tmp_path: Path
) -> None:
    """A minute later the price differs; on Saturday the stock shows Friday's close."""
    clock = ManualClock(IN_SESSION)
    provider = demo(calendar, clock, tmp_path)
    before = (await provider.poll(["CIFR"])).accepted()["CIFR"]
    clock.advance(timedelta(minutes=5))
    after = (await provider.poll(["CIFR"])).updates["CIFR"]
    assert after.quote is not None and after.quote.price != before.price
    assert len(after.bars) == 5 and after.range_since_last is not None

    clock.set(datetime(2026, 9, 26, 15, tzinfo=UTC))  # Saturday
    saturday = (await provider.poll(["CIFR", "BTC-USD"])).accepted()
    friday_close = datetime(2026, 9, 25, 20, tzinfo=UTC)
    assert saturday["CIFR"].as_of == friday_close
    assert saturday["CIFR"].market_state is MarketState.CLOSED
    assert saturday["BTC-USD"].as_of == datetime(2026, 9, 26, 15, tzinfo=UTC)


async def test_a_year_of_daily_history(calendar: TradingCalendar, tmp_path: Path) -> None:
    """Stocks get one bar per session, BTC one per day; today's bar ends at the live price."""
    provider = demo(calendar, ManualClock(IN_SESSION), tmp_path)
    quote = (await provider.poll(["MARA"])).accepted()["MARA"]
    bars = await provider.daily_history("MARA", 365)
    assert 245 <= len(bars) <= 256
    assert all(calendar.is_trading_day(b.date) for b in bars)
    assert [b.date for b in bars] == sorted({b.date for b in bars})
    assert bars[-1].date == date(2026, 9, 24) and bars[-1].close == quote.price
    assert all(b.low <= min(b.open, b.close) and b.high >= max(b.open, b.close) for b in bars)
    assert bars[-2].close == quote.previous_close
    btc = await provider.daily_history("BTC-USD", 365)
    assert len(btc) == 366


def test_same_prices_in_another_process(calendar: TradingCalendar, tmp_path: Path) -> None:
    """Seeds do not depend on hash(): a fresh interpreter with another hash seed agrees."""
    script = (
        "import asyncio\n"
        "from datetime import datetime, UTC\n"
        "from pathlib import Path\n"
        "from bot.clock import ManualClock\n"
        "from bot.market.factory import build_provider\n"
        "async def main():\n"
        "    p = build_provider('demo', cache_dir=Path('.'), poll_seconds=60,\n"
        f"        clock=ManualClock(datetime.fromisoformat('{IN_SESSION.isoformat()}')))\n"
        "    q = (await p.poll(['WULF', 'BTC-USD'])).accepted()\n"
        "    print(repr(q['WULF'].price), repr(q['BTC-USD'].price))\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
        timeout=120,
    ).stdout.split()

    provider = demo(calendar, ManualClock(IN_SESSION), tmp_path)
    source = provider._source  # the quote maths, without a poll
    here = [source.quote_at(s, IN_SESSION).quote for s in ("WULF", "BTC-USD")]  # type: ignore[attr-defined]
    assert out == [repr(q.price) for q in here]


@pytest.mark.parametrize("symbol", ["ETH-USD", "^GSPC", "TSLA"])
async def test_the_extra_symbols_get_stable_demo_prices(
    calendar: TradingCalendar, tmp_path: Path, symbol: str
) -> None:
    """A documented symbol outside the universe gets a deterministic, labelled demo price."""
    a = await demo(calendar, ManualClock(IN_SESSION), tmp_path).fetch(symbol)
    b = await demo(calendar, ManualClock(IN_SESSION), tmp_path).fetch(symbol)
    assert a is not None and a == b and a.is_demo


@pytest.mark.parametrize("symbol", ["ZZTOP", "FOO.L", "12345"])
async def test_any_other_symbol_is_unknown(
    calendar: TradingCalendar, tmp_path: Path, symbol: str
) -> None:
    """No price is invented: the source says it does not know the symbol, as Yahoo would."""
    provider = demo(calendar, ManualClock(IN_SESSION), tmp_path)
    assert await provider.fetch(symbol) is None
    health = provider.stats().symbols[symbol]
    assert health.last_rejection is Rejection.UNKNOWN_SYMBOL
    assert await provider.daily_history(symbol, 30) == []


def test_every_company_of_the_shipped_ledger_has_demo_prices() -> None:
    shipped = yaml.safe_load(LEDGER_PATH.read_text())
    # Private companies (no exchange) have no price anywhere, demo or real.
    listed = [c["symbol"] for c in shipped["companies"] if c.get("exchange")]
    missing = [symbol for symbol in listed if symbol not in UNIVERSE]
    assert not missing
