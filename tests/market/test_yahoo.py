"""The Yahoo source through yfinance's real parsing path, against a local Yahoo."""

from __future__ import annotations

import asyncio
import itertools
import json
import warnings
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.market.calendar import TradingCalendar
from bot.market.guards import Rejection
from bot.market.models import DataSource, MarketState
from yahoo_emulator.payloads import Chart, YahooData
from yahoo_emulator.server import FakeYahoo, Reply

from .conftest import YahooFactory

MSFT_LAST_TRADE = datetime(2026, 9, 25, 20, 0, 1, tzinfo=UTC)


def _derived(chart: Chart, change: Any) -> bytes:
    """Return a payload with one deliberate edit (labelled where used)."""
    payload = json.loads(chart.body)
    change(payload["chart"]["result"][0])
    return json.dumps(payload).encode()


async def test_daily_chart_gives_the_quote_fields(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, yahoo_data: YahooData
) -> None:
    """A daily chart becomes a quote: price, previous close, currency, as-of and day range."""
    chart = yahoo_data.daily
    fake_yahoo.serve_chart("MSFT", chart.body)
    provider = make_yahoo(quote_period="1mo", quote_interval="1d")

    update = (await provider.poll(["msft"])).updates["MSFT"]

    quote = update.quote
    assert quote is not None, update
    meta = chart.meta
    assert quote.price == meta["regularMarketPrice"]
    # The previous close is the close of the session before 2026-09-25; chartPreviousClose
    # is the close before the whole month and would be wrong here.
    previous = chart.previous_session_close
    assert quote.previous_close == pytest.approx(previous, abs=1e-4)
    assert quote.previous_close != meta["chartPreviousClose"]
    assert quote.currency == "USD"
    assert quote.as_of == MSFT_LAST_TRADE == chart.last_trade
    assert (quote.day_high, quote.day_low) == (
        meta["regularMarketDayHigh"],
        meta["regularMarketDayLow"],
    )
    assert quote.volume == meta["regularMarketVolume"]
    assert (quote.fifty_two_week_high, quote.fifty_two_week_low) == (
        meta["fiftyTwoWeekHigh"],
        meta["fiftyTwoWeekLow"],
    )
    assert quote.market_cap is None  # no batch quote asked for: unknown, not guessed
    assert quote.source is DataSource.YAHOO and quote.delayed and not quote.is_demo
    assert quote.market_state is MarketState.POST
    assert quote.change_pct == pytest.approx((quote.price / previous - 1) * 100, rel=1e-6)
    assert provider.cached("MSFT") == quote


async def test_one_chart_request_per_symbol_per_poll(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, yahoo_data: YahooData
) -> None:
    """After the first poll's cookie, crumb and time-zone probe, a poll costs one request."""
    fake_yahoo.serve_chart("MSFT", yahoo_data.hourly.body)
    provider = make_yahoo()

    first = await provider.poll(["MSFT"])
    paths = [(s.host, s.path) for s in fake_yahoo.requests()]
    assert paths == [
        ("fc.yahoo.com", "/"),
        ("query1.finance.yahoo.com", "/v1/test/getcrumb"),
        ("query2.finance.yahoo.com", "/v8/finance/chart/MSFT"),  # yfinance's tz probe
        ("query2.finance.yahoo.com", "/v8/finance/chart/MSFT"),
    ]
    assert first.requests == 4

    for _ in range(3):
        assert (await provider.poll(["MSFT"])).requests == 1
    chart = fake_yahoo.requests("/v8/finance/chart/MSFT")[-1]
    assert chart.query["range"] == "1d" and chart.query["interval"] == "1m"
    assert chart.query["crumb"]
    assert provider.stats().requests == 7


async def test_hourly_chart_gives_bars_and_the_range_since_the_last_quote(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, yahoo_data: YahooData
) -> None:
    """Intraday bars come through untouched, and the high/low since the previous quote."""
    fake_yahoo.serve_chart("MSFT", yahoo_data.hourly.body)
    provider = make_yahoo(quote_period="1mo", quote_interval="1h")
    raw = yahoo_data.hourly.result
    stamps, ohlc = raw["timestamp"], raw["indicators"]["quote"][0]

    first = (await provider.poll(["MSFT"])).updates["MSFT"]
    bars = first.bars
    assert first.quote is not None and first.previous is None
    assert first.range_since_last is None  # nothing to compare with yet
    # yfinance drops the 16:00 closing stub (outside the session).
    assert len(bars) == len(stamps) - 1
    assert bars[0].start == datetime.fromtimestamp(stamps[0], UTC)
    assert (bars[0].open, bars[0].high, bars[0].low) == (
        ohlc["open"][0],
        ohlc["high"][0],
        ohlc["low"][0],
    )
    assert all(a.start < b.start for a, b in itertools.pairwise(bars))
    assert all(b.start.tzinfo is UTC for b in bars)

    # NVDA (served the same chart) was last seen at 17:00Z: its next poll reports what
    # traded since, including the bar that was open at 17:00Z (it started at 16:30Z).
    fake_yahoo.serve_chart("NVDA", yahoo_data.hourly.body)
    earlier = replace(first.quote, symbol="NVDA", as_of=datetime(2026, 9, 25, 17, tzinfo=UTC))
    assert provider.book.offer(earlier, earlier.as_of) is None
    second = (await provider.poll(["NVDA"])).updates["NVDA"]
    since = second.range_since_last
    assert second.previous == earlier and since is not None
    window = [b for b in bars if b.start + timedelta(hours=1) > earlier.as_of]
    assert [b.start.hour for b in window] == [16, 17, 18, 19]
    assert second.bars == tuple(window)
    assert (since.high, since.low) == (max(b.high for b in window), min(b.low for b in window))
    assert since.since == earlier.as_of and since.bars == 4


async def test_delisted_symbol_is_a_clear_no_data(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, yahoo_data: YahooData
) -> None:
    """A 200 chart without prices is "no data", never a quote."""
    fake_yahoo.serve_chart("CAPIO.ST", yahoo_data.delisted)
    provider = make_yahoo()

    update = (await provider.poll(["CAPIO.ST"])).updates["CAPIO.ST"]

    assert update.quote is None and update.served is None
    assert update.rejection is Rejection.NO_DATA
    assert "no price data" in update.detail
    stats = provider.stats()
    assert stats.rejected == {"no_data": 1}
    assert stats.symbols["CAPIO.ST"].last_error is not None
    assert await provider.fetch("CAPIO.ST") is None


async def test_unknown_symbol_is_checked_once_and_remembered(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, clock: ManualClock, yahoo_data: YahooData
) -> None:
    """An unknown symbol costs yfinance's 8-9 requests once, then none until the TTL ends."""
    # The 404 body served for ZZZZ is CONSTRUCTED
    # (yahoo_emulator.server.CONSTRUCTED_UNKNOWN_SYMBOL_404): no genuine recording of it exists.
    fake_yahoo.serve_chart("MSFT", yahoo_data.hourly.body)
    provider = make_yahoo()
    await provider.poll(["MSFT"])  # warm: cookie and crumb are fetched once per process
    before = fake_yahoo.count()

    first = (await provider.poll(["ZZZZ"])).updates["ZZZZ"]
    first_cost = fake_yahoo.count() - before
    assert first.rejection is Rejection.UNKNOWN_SYMBOL
    assert 3 <= first_cost <= 15, first_cost

    before = fake_yahoo.count()
    again = await provider.poll(["ZZZZ", "MSFT"])
    assert again.updates["ZZZZ"].rejection is Rejection.UNKNOWN_SYMBOL
    assert await provider.fetch("ZZZZ") is None
    assert await provider.daily_history("ZZZZ", 30) == []
    zzzz_after = [s for s in fake_yahoo.requests()[before:] if "ZZZZ" in s.path + str(s.query)]
    assert zzzz_after == []  # the second lookup reached Yahoo zero times
    assert provider.stats().rejected["unknown_symbol"] == 1
    assert "ZZZZ" in provider.stats().remembered

    clock.advance(timedelta(hours=6, seconds=1))
    before = fake_yahoo.count()
    later = (await provider.poll(["ZZZZ"])).updates["ZZZZ"]
    assert later.rejection is Rejection.UNKNOWN_SYMBOL
    assert fake_yahoo.count() > before  # asked again once the verdict expired


async def test_rate_limit_backs_off_serves_stale_and_recovers(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, clock: ManualClock, yahoo_data: YahooData
) -> None:
    """429 → pause with no requests, last good quote served stale, one probe, recovery."""
    for symbol in ("MSFT", "NVDA", "IREN"):
        fake_yahoo.serve_chart(symbol, yahoo_data.hourly.body)
    provider = make_yahoo()
    symbols = ["MSFT", "NVDA", "IREN"]
    good = (await provider.poll(symbols)).updates["MSFT"].quote
    assert good is not None and not good.stale

    fake_yahoo.throttled = True
    clock.advance(timedelta(minutes=1))
    throttled = await provider.poll(symbols)
    assert {u.rejection for u in throttled.updates.values()} == {Rejection.BACKING_OFF}
    served = throttled.updates["MSFT"].served
    assert served is not None and served.stale and served.price == good.price
    state = provider.stats().backoff
    assert state is not None and state.attempt == 1 and "429" in state.reason
    assert provider.stats().backing_off
    # yfinance retries a refused request once after switching cookie strategy.
    assert 2 <= throttled.requests <= 3 * len(symbols)

    # While backing off: nothing reaches Yahoo, whatever is asked.
    before = fake_yahoo.count()
    clock.advance(timedelta(seconds=10))
    paused = await provider.poll(symbols)
    assert paused.requests == 0 and not paused.accepted()
    assert await provider.fetch("AMD") is None
    assert await provider.daily_history("MSFT", 30) == []
    cached = provider.cached("MSFT")
    assert cached is not None and cached.stale and cached.price == good.price
    assert fake_yahoo.count() == before

    # Pause over, Yahoo still refusing: one symbol probes, the pause doubles (with jitter).
    clock.set(state.until + timedelta(seconds=1))
    probe = await provider.poll(symbols)
    probed = {s.path for s in fake_yahoo.requests()[before:]}
    assert {p for p in probed if "/chart/" in p} == {"/v8/finance/chart/IREN"}
    second = provider.stats().backoff
    assert second is not None and second.attempt == 2
    assert second.until - clock.now() > (state.until - throttled.started_at) * 0.9
    assert all(u.rejection is Rejection.BACKING_OFF for u in probe.updates.values())

    # Yahoo answers again: the next poll after the pause recovers every symbol.
    fake_yahoo.throttled = False
    clock.set(second.until + timedelta(seconds=1))
    recovered = await provider.poll(symbols)
    assert set(recovered.accepted()) == set(symbols)
    assert provider.stats().backoff is None
    fresh = provider.cached("MSFT")
    assert fresh is not None and not fresh.stale


async def test_nan_last_close_is_rejected_and_counted(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, yahoo_data: YahooData
) -> None:
    """A last bar without a close never becomes the price; the held quote stays."""
    fake_yahoo.serve_chart("MSFT", yahoo_data.hourly.body)
    provider = make_yahoo(quote_period="1mo", quote_interval="1h")
    held = (await provider.poll(["MSFT"])).updates["MSFT"].quote
    assert held is not None

    # DERIVED from the hourly payload: the close of the session's last bar (15:30 ET;
    # the 16:00 closing stub after it is outside the session and dropped by yfinance) is
    # blanked, as Yahoo sends it while a bar is still being written.
    def blank_last_close(result: dict[str, Any]) -> None:
        result["indicators"]["quote"][0]["close"][-2] = None

    fake_yahoo.serve_chart("MSFT", _derived(yahoo_data.hourly, blank_last_close))
    update = (await provider.poll(["MSFT"])).updates["MSFT"]

    assert update.quote is None
    assert update.rejection is Rejection.MISSING_CLOSE
    assert provider.stats().rejected == {"missing_close": 1}
    assert provider.cached("MSFT") == held


async def test_live_last_bar_makes_no_duplicate_day_nor_wrong_previous_close(
    make_yahoo: YahooFactory,
    fake_yahoo: FakeYahoo,
    clock: ManualClock,
    calendar: TradingCalendar,
    yahoo_data: YahooData,
) -> None:
    """AAPL's last daily bar is stamped at 16:00:01 ET: one bar per day, right previous close."""
    clock.set(datetime(2025, 10, 29, 21, 0, tzinfo=UTC))
    chart = yahoo_data.live
    fake_yahoo.serve_chart("AAPL", chart.body)
    provider = make_yahoo(quote_period="6mo", quote_interval="1d")
    stamps = chart.result["timestamp"]
    assert stamps[-1] == chart.meta["regularMarketTime"]  # the quirk this test is about

    bars = await provider.daily_history("AAPL", 365)
    days = [b.date for b in bars]
    assert len(days) == len(set(days)) == len(stamps)
    assert days == sorted(days)
    assert all(calendar.is_trading_day(d) for d in days)
    assert days[-2:] == [date(2025, 10, 28), date(2025, 10, 29)]
    last_close = chart.result["indicators"]["quote"][0]["close"][-1]
    assert bars[-1].close == pytest.approx(last_close, abs=1e-4)

    quote = (await provider.poll(["AAPL"])).updates["AAPL"].quote
    assert quote is not None
    assert quote.price == chart.meta["regularMarketPrice"]
    # The session before: not chartPreviousClose, six months back.
    assert quote.previous_close == pytest.approx(chart.previous_session_close, abs=1e-4)
    assert quote.previous_close != chart.meta["chartPreviousClose"]
    assert quote.as_of == chart.last_trade


async def test_live_bar_on_the_same_day_as_a_regular_bar_is_folded(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, clock: ManualClock, yahoo_data: YahooData
) -> None:
    """A regular bar and a live bar for the same day come out as one day."""
    clock.set(datetime(2025, 10, 29, 21, 0, tzinfo=UTC))
    chart = yahoo_data.live

    # DERIVED from the AAPL payload: a 09:30 ET bar for 2025-10-29 is inserted before
    # the live bar, the shape in which Yahoo sends the quirk during a session.
    def add_morning_bar(result: dict[str, Any]) -> None:
        result["timestamp"].insert(-1, 1761744600)
        for series in result["indicators"]["quote"][0].values():
            series.insert(-1, series[-1])
        for series in result["indicators"].get("adjclose", [{}])[0].values():
            series.insert(-1, series[-1])

    fake_yahoo.serve_chart("AAPL", _derived(chart, add_morning_bar))
    provider = make_yahoo(quote_period="6mo", quote_interval="1d")

    bars = await provider.daily_history("AAPL", 365)
    days = [b.date for b in bars]
    assert len(days) == len(set(days)) == len(chart.result["timestamp"])
    assert days[-1] == date(2025, 10, 29)
    quote = (await provider.poll(["AAPL"])).updates["AAPL"].quote
    assert quote is not None
    assert quote.previous_close == pytest.approx(chart.previous_session_close, abs=1e-4)


async def test_market_cap_comes_from_one_hourly_batch_quote(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, clock: ManualClock, yahoo_data: YahooData
) -> None:
    """Market caps: one v7 request for all symbols per hour, scaled to the chart price."""
    fake_yahoo.serve_chart("MSFT", yahoo_data.hourly.body)
    fake_yahoo.serve_chart("AAPL", yahoo_data.live.body)
    fake_yahoo.extra.append(
        lambda host, path, query: (
            Reply(200, yahoo_data.quotes_v7) if path == "/v7/finance/quote" else None
        )
    )
    provider = make_yahoo(market_caps=True)

    quote = (await provider.poll(["MSFT"])).updates["MSFT"].quote
    v7 = yahoo_data.v7_row("MSFT")
    price = yahoo_data.hourly.meta["regularMarketPrice"]
    assert quote is not None and quote.market_cap is not None
    assert quote.market_cap == pytest.approx(v7["marketCap"] * price / v7["regularMarketPrice"])
    assert fake_yahoo.count("/v7/finance/quote") == 1
    batch = fake_yahoo.requests("/v7/finance/quote")[0]
    assert batch.query["symbols"] == "MSFT" and batch.query["crumb"]

    await provider.poll(["MSFT"])
    assert fake_yahoo.count("/v7/finance/quote") == 1
    clock.advance(timedelta(hours=1))
    await provider.poll(["MSFT", "AAPL"])
    assert fake_yahoo.count("/v7/finance/quote") == 2
    assert fake_yahoo.requests("/v7/finance/quote")[-1].query["symbols"] == "AAPL,MSFT"


async def test_concurrent_polls_share_the_one_in_flight(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, yahoo_data: YahooData
) -> None:
    """A second poll while one runs returns the in-flight result (no second request)."""
    fake_yahoo.serve_chart("MSFT", yahoo_data.hourly.body)
    provider = make_yahoo()
    await provider.poll(["MSFT"])
    before = fake_yahoo.count()

    first, second = await asyncio.gather(provider.poll(["MSFT"]), provider.poll(["MSFT"]))

    assert first is second
    assert fake_yahoo.count() - before == 1


async def test_cache_dir_receives_yfinance_caches(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, tmp_path: Path, yahoo_data: YahooData
) -> None:
    """yfinance's time-zone and cookie caches live in the configured folder."""
    fake_yahoo.serve_chart("MSFT", yahoo_data.hourly.body)
    provider = make_yahoo()
    await provider.poll(["MSFT"])

    names = {p.name for p in (tmp_path / "yf-cache").iterdir()}
    assert "tkr-tz.db" in names and "cookies.db" in names


async def test_no_warnings_escape_the_yahoo_path(
    make_yahoo: YahooFactory, fake_yahoo: FakeYahoo, yahoo_data: YahooData
) -> None:
    """Under pandas 3.1, yfinance's deprecation notices are kept out of our logs."""
    fake_yahoo.serve_chart("MSFT", yahoo_data.daily.body)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        provider = make_yahoo(quote_period="1mo", quote_interval="1d")
        await provider.poll(["MSFT"])
        await provider.daily_history("MSFT", 30)
    assert [str(w.message)[:80] for w in caught] == []


def test_the_network_is_unreachable_from_tests(fake_yahoo: FakeYahoo) -> None:
    """Any host the router does not rewrite raises instead of leaving the machine."""
    from curl_cffi import requests as curl_requests

    with curl_requests.Session() as session, pytest.raises(RuntimeError, match="network"):
        session.get("https://example.com/")
